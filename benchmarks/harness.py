"""
What every benchmark child process shares: Django set up on a fresh database (SQLite in a temporary file, or a
MariaDB database of its own on the private server), statement counting, and the figures of a series of timings.
"""
from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import mariadb_server


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_in_django(database: str, name: str, measure: Callable[[], Any]) -> Any:
    """
    Set Django up on a fresh ``database`` ("sqlite": a temporary file; "mariadb": the database ``name``, created
    now), run ``measure()``, then drop what was made (connections, the MariaDB database, the temporary folder with
    the SQLite file and the media). Django's settings are process-wide: one database per child process.
    """
    if database == "sqlite":
        os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    else:
        os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings_mariadb"
        mariadb_server.create_database(name)
    workdir = Path(tempfile.mkdtemp(prefix=f"mentora-{name}-"))
    os.environ.setdefault("MENTORA_DEMO_VAR", str(workdir / "demo"))
    import django
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = str(workdir / f"{name}.sqlite3") if database == "sqlite" else name
    settings.MEDIA_ROOT = str(workdir / "media")
    django.setup()
    try:
        return measure()
    finally:
        from django.db import connections

        connections.close_all()
        if database == "mariadb":
            mariadb_server.drop_database(name)
        shutil.rmtree(workdir, ignore_errors=True)


class StatementCounter:
    """A connection execute wrapper that counts statements (far cheaper than capturing them)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def figures(times_ns: list[int], statements: list[int]) -> dict:
    """Median and 90th percentile in ms, and the statements (the most any call ran, and the median)."""
    ordered = sorted(times_ns)
    return {
        "count": len(ordered),
        "median_ms": statistics.median(ordered) / 1e6,
        "p90_ms": ordered[int(len(ordered) * 0.9) - 1 if len(ordered) > 1 else 0] / 1e6,
        "statements": max(statements) if statements else 0,
        "statements_median": statistics.median(statements) if statements else 0,
    }
