"""
Cost of the ``mentora_sync`` enrollment back-fill: wall time, rows per second and queries per page.

Target: 100,000 enrollments back-filled in under 60 s, in a number of queries per page that does not grow with the
page size.

The platform's REST API cannot run here, so the ``responses`` library stands in for it (and for its OAuth2 token
endpoint), serving the staff-only enrollment list as cursor pages generated on demand, page by page, so memory
stays flat. Everything on Mentora's side is what production runs: ``call_command("mentora_sync")`` with its HTTP
client, urllib3 retries, checkpoints and the host API's bulk writer, on SQLite in a file (as the demo runs), outside
any test transaction. Each round wipes the enrollments and times a first run, then a second run over the same data,
which must write nothing.

    .venv/bin/python benchmarks/bench_sync.py [--rows 100000] [--courses 20] [--page-size 1000] [--rounds 3]
"""
from __future__ import annotations

import argparse
import io
import json
import logging
import os
import re
import statistics
import sys
import tempfile
import time
from collections import Counter, deque
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("MENTORA_DEMO_VAR", tempfile.mkdtemp(prefix="mentora-bench-"))

LMS = "http://lms.bench"
ENROLLMENTS = "/api/enrollment/v1/enrollments/"
TARGET_SECONDS = 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--rows", type=int, default=100_000, help="enrollments (and users) served by the platform")
    parser.add_argument("--courses", type=int, default=20)
    parser.add_argument("--page-size", type=int, default=1000, help="the platform itself caps its pages at 100")
    parser.add_argument("--rounds", type=int, default=3, help="first run + re-run pairs; medians are reported")
    arguments = parser.parse_args()

    import django
    from django.conf import settings

    database = Path(os.environ["MENTORA_DEMO_VAR"]) / "bench-sync.sqlite3"
    database.unlink(missing_ok=True)
    settings.DATABASES["default"]["NAME"] = str(database)
    django.setup()
    import responses
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mentora_plugin.host.models import Enrollment, SyncCheckpoint

    settings.MENTORA_PLATFORM_API_URL = LMS
    settings.MENTORA_PLATFORM_OAUTH_CLIENT_ID = "bench"
    settings.MENTORA_PLATFORM_OAUTH_CLIENT_SECRET = "bench"
    settings.MENTORA_SYNC_BACKOFF_SECONDS = 0

    call_command("migrate", verbosity=0)
    logging.getLogger("mentora_plugin.host.sync").setLevel(logging.WARNING)  # not a line per page
    started = time.perf_counter()
    user_model = get_user_model()
    user_model.objects.bulk_create(
        (user_model(username=f"learner{index:06d}", email=f"learner{index:06d}@example.com", password="!")
         for index in range(arguments.rows)),
        batch_size=5000,
    )
    print(f"set-up: {arguments.rows} users in {time.perf_counter() - started:.1f} s (SQLite file {database})")

    def enrollment_page(request):
        """One page of the platform's cursor pagination, generated when asked for."""
        query = parse_qs(urlsplit(request.url).query)
        page = int(query.get("cursor", ["0"])[0])
        size = int(query["page_size"][0])
        first = page * size
        rows = [
            {
                "created": "2019-09-01T10:00:00Z",
                "mode": "verified" if index % 5 == 0 else "audit",
                "is_active": index % 50 != 0,
                "user": f"learner{index:06d}",
                "course_id": f"course-v1:Bench+C{index % arguments.courses:02d}+2026",
            }
            for index in range(first, min(first + size, arguments.rows))
        ]
        following = None
        if first + size < arguments.rows:
            following = f"{LMS}{ENROLLMENTS}?{urlencode({'cursor': page + 1, 'page_size': size})}"
        return 200, {}, json.dumps({"next": following, "previous": None, "results": rows})

    def timed_run() -> tuple[float, list[list[str]], str]:
        """One run of the command: its wall time, the statements of each page (their first word), its summary."""
        out = io.StringIO()
        # Django keeps the last 9,000 statements only; a run at the platform's real page size (100) makes more.
        connection.queries_log = deque(maxlen=None)
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            call_command("mentora_sync", "--resource=enrollments", f"--page-size={arguments.page_size}", stdout=out)
            elapsed = time.perf_counter() - began
        # A page's transaction ends with the checkpoint update that adds to items_seen, then COMMIT. The first page
        # also carries the run's start (reading and resetting the checkpoint).
        pages: list[list[str]] = [[]]
        closing = False
        for query in queries.captured_queries:
            pages[-1].append(query["sql"].split(" ", 1)[0])
            closing = closing or '"items_seen" = ("mentora_host_synccheckpoint"."items_seen" +' in query["sql"]
            if closing and query["sql"] == "COMMIT":
                pages.append([])
                closing = False
        return elapsed, [page for page in pages if page], out.getvalue().strip()

    def breakdown(page: list[str]) -> str:
        return ", ".join(f"{count} {kind}" for kind, count in Counter(page).items())

    first_runs, re_runs = [], []
    with responses.RequestsMock(assert_all_requests_are_fired=False) as platform:
        platform.add(responses.POST, f"{LMS}/oauth2/access_token", json={"access_token": "t", "expires_in": 3600})
        platform.add_callback(responses.GET, re.compile(re.escape(LMS + ENROLLMENTS)), enrollment_page)
        for round_number in range(1, arguments.rounds + 1):
            Enrollment.objects.all().delete()
            SyncCheckpoint.objects.all().delete()
            for label, results in (("first run", first_runs), ("re-run", re_runs)):
                elapsed, pages, summary = timed_run()
                results.append((elapsed, pages))
                platform.calls.reset()  # responses keeps every request and answer; the next run need not carry them
                sizes = [len(page) for page in pages[1:] or pages]
                print(f"round {round_number} {label:9}: {elapsed:6.2f} s, {arguments.rows / elapsed:7.0f} rows/s, "
                      f"{len(pages)} pages of {min(sizes)}-{max(sizes)} statements | {summary}")
            assert Enrollment.objects.count() == arguments.rows, "every enrollment is back-filled"

    def report(label: str, results: list[tuple[float, list[list[str]]]]) -> float:
        median = statistics.median(elapsed for elapsed, _ in results)
        pages = results[0][1]
        typical = pages[len(pages) // 2]
        print(f"{label:9}: median {median:6.2f} s, {arguments.rows / median:7.0f} rows/s; a page: {len(typical)} "
              f"statements ({breakdown(typical)}); the first page adds {len(pages[0]) - len(typical)} (the start)")
        return median

    print(f"\n{arguments.rows} rows, {arguments.courses} courses, pages of {arguments.page_size}, "
          f"{arguments.rounds} rounds, SQLite file; times include generating and parsing the stand-in platform's JSON "
          "and the query capture")
    first = report("first run", first_runs)
    report("re-run", re_runs)
    verdict = "met" if first < TARGET_SECONDS else "MISSED"
    print(f"target: {arguments.rows} rows in < {TARGET_SECONDS} s: {verdict} ({first:.1f} s)")


if __name__ == "__main__":
    main()
