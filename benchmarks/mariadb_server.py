"""
The private MariaDB server that the benchmarks measure on: started through ``scripts/mariadb.sh`` (127.0.0.1:3307 by
default, as the MariaDB test suite uses it) and a database of the benchmark's own, created and dropped around a run.
"""
from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def mariadb(command: str, *, quiet: bool = True) -> int:
    """``scripts/mariadb.sh COMMAND`` (start, stop, status); its exit code."""
    return subprocess.run([str(ROOT / "scripts" / "mariadb.sh"), command], cwd=ROOT, timeout=150, check=False,
                          stdout=subprocess.DEVNULL if quiet else None).returncode


@contextlib.contextmanager
def running() -> Iterator[None]:
    """The server, started unless it runs already (and then stopped on the way out)."""
    started = False
    if mariadb("status") != 0:
        if mariadb("start") != 0:
            raise SystemExit("scripts/mariadb.sh start failed")
        started = True
    try:
        yield
    finally:
        if started:
            mariadb("stop")


def server_sql(*statements: str) -> None:
    """Statements on the server outside any database (create and drop the benchmark's own)."""
    import MySQLdb

    connection = MySQLdb.connect(
        host=os.environ.get("MENTORA_MARIADB_HOST", "127.0.0.1"),
        port=int(os.environ.get("MENTORA_MARIADB_PORT", "3307")),
        user=os.environ.get("MENTORA_MARIADB_USER", "mentora"),
        password=os.environ.get("MENTORA_MARIADB_PASSWORD", "mentora"),
        connect_timeout=10, charset="utf8mb4",
    )
    try:
        cursor = connection.cursor()
        for statement in statements:
            cursor.execute(statement)
    finally:
        connection.close()


def create_database(name: str) -> None:
    server_sql(f"DROP DATABASE IF EXISTS `{name}`",
               f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")


def drop_database(name: str) -> None:
    server_sql(f"DROP DATABASE IF EXISTS `{name}`")
