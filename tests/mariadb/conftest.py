"""
The MariaDB suite: what must hold when many LMS and Studio processes write the same rows at the same time.

These tests need the real server that ``make test`` starts (``scripts/mariadb.sh``) and the settings that point at
it (``DJANGO_SETTINGS_MODULE=tests.settings_mariadb``). SQLite serialises every writer, so a race that MariaDB lets
happen could never show there: run with the wrong settings, these tests fail loudly instead of passing for nothing.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

THREADS = 32


@pytest.fixture(autouse=True)
def _requires_mariadb():
    """Fail (never skip) a test of this suite that would run on anything but MariaDB."""
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine != "django.db.backends.mysql":
        pytest.fail(
            f"The MariaDB suite runs against MariaDB, not {engine}: run it with "
            "DJANGO_SETTINGS_MODULE=tests.settings_mariadb and the server started by `scripts/mariadb.sh start` "
            "(`make test` does both), or deselect it with -m 'not mariadb'.",
            pytrace=False,
        )
    yield


@dataclass
class RaceOutcome:
    """What the racing threads returned, and what they raised, by thread index."""

    results: dict[int, Any] = field(default_factory=dict)
    errors: dict[int, BaseException] = field(default_factory=dict)

    def assert_no_errors(self) -> None:
        """Fail with each distinct error once, and the threads that raised it."""
        if not self.errors:
            return
        by_error: dict[str, list[int]] = {}
        for index, error in sorted(self.errors.items()):
            by_error.setdefault(f"{type(error).__module__}.{type(error).__name__}: {error}", []).append(index)
        pytest.fail(
            f"{len(self.errors)} of {len(self.errors) + len(self.results)} threads raised:\n"
            + "\n".join(f"  {message}  (threads {threads})" for message, threads in by_error.items()),
            pytrace=False,
        )


def _race(work: Callable[[int], Any], threads: int = THREADS) -> RaceOutcome:
    """
    Run ``work(index)`` in ``threads`` threads that start together, each on its own database connection.

    Each thread opens its connection first, then waits at a barrier, so that the writes themselves (not the
    connection set-up) race. Each thread closes its connection at its end: Django keeps one per thread, and a
    leaked one would hold locks and outlive the test database.
    """
    barrier = threading.Barrier(threads)
    outcome = RaceOutcome()
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=60)
            result = work(index)
            with lock:
                outcome.results[index] = result
        except BaseException as error:  # every failure of a thread, whatever it is, is the test's to report
            with lock:
                outcome.errors[index] = error
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(index,), name=f"race-{index}") for index in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(worker.is_alive() for worker in workers), "a racing thread did not finish in 120 s"
    return outcome


@pytest.fixture
def race() -> Callable[..., RaceOutcome]:
    """``race(work, threads=32)``: run ``work(index)`` in threads that really start together (see ``_race``)."""
    return _race
