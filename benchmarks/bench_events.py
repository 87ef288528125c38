"""
Cost of the platform's events on Mentora's projections: queries and time per event.

Target (issue "Foundation"): enrollment event handling costs at most 3 queries per event.

Sends the real openedx-events signals through the receivers that edx-django-utils connects, on SQLite (a file, as
the demo runs) outside any test transaction, so that the query counts are what the LMS would see.

    .venv/bin/python benchmarks/bench_events.py [--events 2000]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("MENTORA_DEMO_VAR", tempfile.mkdtemp(prefix="mentora-bench-"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--events", type=int, default=2000, help="events per kind")
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()

    import django
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = str(Path(os.environ["MENTORA_DEMO_VAR"]) / "bench.sqlite3")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from edx_django_utils.plugins import connect_plugin_receivers
    from opaque_keys.edx.keys import CourseKey
    from openedx_events.learning.data import (
        CourseAccessRoleData,
        CourseData,
        CourseEnrollmentData,
        UserData,
        UserPersonalData,
    )
    from openedx_events.learning.signals import (
        COURSE_ACCESS_ROLE_ADDED,
        COURSE_ENROLLMENT_CHANGED,
        COURSE_ENROLLMENT_CREATED,
        COURSE_UNENROLLMENT_COMPLETED,
    )

    call_command("migrate", verbosity=0)
    connect_plugin_receivers("lms.djangoapp")
    course = CourseKey.from_string("course-v1:Bench+B101+2026")
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"bench{index}") for index in range(arguments.events * arguments.runs)]
    )
    clock = [datetime(2026, 1, 1, tzinfo=UTC)]

    def tick() -> datetime:
        clock[0] += timedelta(seconds=1)
        return clock[0]

    def enrollment(user, mode="audit", is_active=True):
        return CourseEnrollmentData(
            user=UserData(id=user.pk, is_active=True, pii=UserPersonalData(username=user.username, email="")),
            course=CourseData(course_key=course),
            mode=mode,
            is_active=is_active,
            creation_date=clock[0],
        )

    kinds = {
        "CHANGED, new enrollment (first of the enroll pair)": lambda u: COURSE_ENROLLMENT_CHANGED.send_event(
            time=tick(), enrollment=enrollment(u)
        ),
        "CREATED, same state (second of the pair)": lambda u: COURSE_ENROLLMENT_CREATED.send_event(
            time=clock[0], enrollment=enrollment(u)
        ),
        "CHANGED, mode change": lambda u: COURSE_ENROLLMENT_CHANGED.send_event(
            time=tick(), enrollment=enrollment(u, mode="verified")
        ),
        "UNENROLLMENT_COMPLETED": lambda u: COURSE_UNENROLLMENT_COMPLETED.send_event(
            time=tick(), enrollment=enrollment(u, is_active=False)
        ),
        "late CREATED (stale, ignored)": lambda u: COURSE_ENROLLMENT_CREATED.send_event(
            time=datetime(2025, 1, 1, tzinfo=UTC), enrollment=enrollment(u)
        ),
        "COURSE_ACCESS_ROLE_ADDED": lambda u: COURSE_ACCESS_ROLE_ADDED.send_event(
            time=tick(),
            course_access_role_data=CourseAccessRoleData(
                user=UserData(id=u.pk, is_active=True, pii=UserPersonalData(username=u.username, email="")),
                org_key=course.org,
                course_key=course,
                role="staff",
            ),
        ),
    }
    print(f"{arguments.events} events per kind, {arguments.runs} runs, SQLite file, median per event")
    print(f"{'event':55} {'queries max':>11} {'µs median':>10}")
    shown: dict[str, list[str]] = {}
    for name, send in kinds.items():
        max_queries, per_event = 0, []
        for run in range(arguments.runs):
            batch = users[run * arguments.events:(run + 1) * arguments.events]
            started = time.perf_counter()
            for user in batch:
                connection.queries_log.clear()
                with CaptureQueriesContext(connection) as queries:
                    send(user)
                max_queries = max(max_queries, len(queries))
                if len(queries) > 3 and not shown.get(name):
                    shown[name] = [query["sql"][:120] for query in queries.captured_queries]
            per_event.append((time.perf_counter() - started) / len(batch) * 1e6)
        print(f"{name:55} {max_queries:>11} {statistics.median(per_event):>10.0f}")
    for name, queries in shown.items():
        print(f"\nmore than 3 queries for {name}:", *queries, sep="\n  ")


if __name__ == "__main__":
    main()
