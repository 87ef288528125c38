"""
Project reviews at scale: 10,000 submissions submitted, claimed, reviewed and released through Mentora's API, and
the trainer queue's first page over 10,000 waiting submissions; side by side, in the same run on the same database,
the same flow written directly against edx-submissions' API (the floor Mentora builds on).

Target (issue 5, "Measured"): Mentora's own work on top (rubrics, versions, claims, the queue) should cost less than
twice that floor; the queue's first page under 20 ms with a fixed number of statements.

What the script does (in a child process per database, since Django's settings are process-wide):

1. a fresh database: SQLite in a temporary file (``tests.settings``; removed at the end), or on the private MariaDB
   server (``scripts/mariadb.sh start`` unless it is running; stopped at the end only if the script started it) a
   database ``test_mentora_bench_reviews`` (``tests.settings_mariadb``: READ COMMITTED, utf8mb4), created, migrated,
   dropped at the end;
2. seeds, untimed: one course and its trainer, ``--submissions`` enrolled learners (``bulk_record_enrollments``, as
   the back-fill writes them), a project with a three-criterion rubric (``api.sync_project``, as the block does),
   and each learner's saved draft (the rows ``save_draft`` leaves);
3. times each operation once per submission, with its SQL statements counted (a connection execute wrapper):

   - Mentora: ``api.submit`` (the version, the edx-submissions submission, the status; with the student id the
     block's runtime passes), ``api.claim_submission``, ``api.save_review`` (every criterion scored, with a comment,
     and overall feedback), ``api.release_review`` (approved: the weighted rubric grade set through
     ``submissions.api.set_score``, the grade change, the trainer's activity);
   - the floor: ``submissions.api.create_submission`` with the same answer, then ``submissions.api.set_score``
     with the same points, for as many student items of another course;

4. between submitting and reviewing, with every submission waiting: the trainer queue's first page
   (``api.trainer_queue`` through Django's ``Paginator``, 25 items built, what the page and the REST API do) and
   ``api.queue_counts``, each ``--runs`` times after a warm-up; against edx-submissions' closest call,
   ``get_all_course_submission_information`` for the floor's course, filtered to unscored submissions, the 25 oldest
   (edx-submissions has no queue: a caller must read the course's submissions and keep the waiting ones).

The emails are counted, not queued: ``notifications.notify`` is replaced by a counter, because in production it only
registers a Celery task for after the commit (a worker writes the email).

    .venv/bin/python benchmarks/bench_reviews.py                       # both databases, 10,000 submissions
    .venv/bin/python benchmarks/bench_reviews.py --database sqlite --submissions 1000    # a quick look
"""
from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import harness, mariadb_server  # noqa: E402 - after the path is set
from benchmarks.harness import StatementCounter, figures, log  # noqa: E402

MARIADB_NAME = "test_mentora_bench_reviews"

COURSE_ID = "course-v1:BenchOrg+REV101+2026"
FLOOR_COURSE_ID = "course-v1:BenchOrg+FLOOR101+2026"
FLOOR_ITEM_TYPE = "bench_project"
PAGE_SIZE = 25
QUEUE_TARGET_MS = 20
TEXT = ("My project: a study of how mentoring changes learners' results, with three sources, a summary of what I "
        "found, and what I would do next. ") * 4
RUBRIC = [
    {"key": key, "title": title, "description": "", "weight": weight,
     "levels": [{"points": 0, "label": "Missing"}, {"points": 2, "label": "Partial"},
                {"points": 4, "label": "Good"}, {"points": 5, "label": "Excellent"}]}
    for key, title, weight in (("content", "Content", 3), ("structure", "Structure", 2), ("style", "Style", 1))
]
SCORES = {
    "content": {"level": 3, "comment": "Thorough sources."},
    "structure": {"level": 2, "comment": "Clear, a little long."},
    "style": {"level": 3, "comment": ""},
}
FEEDBACK = "A **clear** piece of work. Your summary is the strongest part; tighten the introduction next time."


# --- the parent: one child per database ------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--database", choices=("sqlite", "mariadb", "both"), default="both")
    parser.add_argument("--submissions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=21, help="timed queue runs after a warm-up; medians reported")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(args)), flush=True)
        return
    results = {}
    databases = ("sqlite", "mariadb") if args.database == "both" else (args.database,)
    with mariadb_server.running() if "mariadb" in databases else contextlib.nullcontext():
        for database in databases:
            command = [sys.executable, __file__, "--child", f"--database={database}",
                       f"--submissions={args.submissions}", f"--runs={args.runs}"]
            process = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
            lines = process.stdout.strip().splitlines()
            if process.returncode != 0 or not lines:
                raise SystemExit(f"the {database} run failed (exit {process.returncode})")
            results[database] = json.loads(lines[-1])
            report(args, results[database])
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")


def report(args, result: dict) -> None:
    print(f"\n{result['server']}; {args.submissions} submissions; seeded in {result['seed_seconds']:.0f} s")
    print(f"\n{'operation':<44} {'median':>9} {'p90':>9} {'statements':>11}")
    for side in ("mentora", "floor"):
        for name, row in result[side]["operations"].items():
            print(f"{side + ': ' + name:<44} {row['median_ms']:>7.2f}ms {row['p90_ms']:>7.2f}ms "
                  f"{row['statements']:>11}")
        total = result[side]["flow"]
        print(f"{side + ': the whole flow, per submission':<44} {total['median_ms']:>7.2f}ms {total['p90_ms']:>7.2f}ms "
              f"{total['statements']:>11}")
    mentora, floor = result["mentora"]["flow"]["median_ms"], result["floor"]["flow"]["median_ms"]
    print(f"\nflow: Mentora / edx-submissions floor = {mentora / floor:.2f}x; Mentora's own work on top "
          f"(Mentora - floor) / floor = {(mentora - floor) / floor:.2f}x (target < 2x): "
          f"{'met' if mentora - floor < 2 * floor else 'MISSED'}")
    print(f"\n{'queue, ' + str(result['waiting']) + ' waiting':<44} {'median':>9} {'min':>9} {'statements':>11}")
    for name, row in result["queue"].items():
        print(f"{name:<44} {row['median_ms']:>7.2f}ms {row['min_ms']:>7.2f}ms {row['statements']:>11}")
    page = result["queue"]["mentora: trainer_queue, first page"]
    verdict = "met" if page["median_ms"] < QUEUE_TARGET_MS else "MISSED"
    print(f"queue first page target < {QUEUE_TARGET_MS} ms: {verdict}; statements by kind: {page['kinds']}")
    floor_queue = result["queue"]["edx-submissions: course info, 25 oldest unscored"]
    print(f"queue: Mentora first page / edx-submissions = {page['median_ms'] / floor_queue['median_ms']:.3f}x")
    print(f"\nemails counted (not sent): {result['emails']}")
    print(f"statements of one release_review by kind: {result['mentora']['kinds']}")


# --- the child: one database ------------------------------------------------------------------------------------------


def run_child(args) -> dict:
    return harness.run_in_django(args.database, MARIADB_NAME, lambda: measure(args))


def analyze() -> str:
    """Fresh planner statistics (what a database that has lived a while has); the server's name and version."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            cursor.execute("ANALYZE TABLE mentora_reviews_submission, mentora_reviews_submissionversion, "
                           "mentora_reviews_claim, mentora_reviews_review, submissions_submission, "
                           "submissions_studentitem, submissions_score, mentora_host_enrollment")
            cursor.fetchall()
            cursor.execute("SELECT VERSION()")
            return f"MariaDB {cursor.fetchone()[0]}"
        import sqlite3

        cursor.execute("ANALYZE")
        return f"SQLite {sqlite3.sqlite_version}"



def measure(args) -> dict:
    from django.core.management import call_command
    from django.db import connection

    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    log(f"[{args.database}] migrated in {time.perf_counter() - began:.1f} s")

    from mentora_plugin.reviews import notifications

    emails: Counter = Counter()
    notifications.notify = lambda kind, recipient, dedupe_key, /, **context: emails.update([kind])

    began = time.perf_counter()
    seeded = seed(args)
    seed_seconds = time.perf_counter() - began
    log(f"[{args.database}] seeded in {seed_seconds:.0f} s")
    server = analyze()

    counter = StatementCounter()
    with connection.execute_wrapper(counter):
        mentora_submit = time_submits(seeded, counter)
        floor_create = time_floor_creates(seeded, counter)
    analyze()
    queue = time_queues(args, seeded)
    with connection.execute_wrapper(counter):
        mentora_review = time_reviews(seeded, counter)
        floor_score = time_floor_scores(seeded, counter)

    mentora_ops = {"submit": mentora_submit, **mentora_review}
    floor_ops = {"create_submission": floor_create, "set_score": floor_score}
    return {
        "server": server,
        "seed_seconds": seed_seconds,
        "waiting": args.submissions,
        "mentora": summarise(mentora_ops, seeded["mentora_kinds"]),
        "floor": summarise(floor_ops, {}),
        "queue": queue,
        "emails": dict(emails),
    }


def summarise(operations: dict, kinds: dict) -> dict:
    count = len(next(iter(operations.values()))["times"])
    totals = [sum(operation["times"][index] for operation in operations.values()) for index in range(count)]
    statements = [sum(operation["statements"][index] for operation in operations.values()) for index in range(count)]
    return {
        "operations": {name: figures(item["times"], item["statements"]) for name, item in operations.items()},
        "flow": figures(totals, statements),
        "kinds": kinds,
    }


# --- seeding ----------------------------------------------------------------------------------------------------------


def seed(args) -> dict:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from mentora_plugin.host import api as host_api
    from mentora_plugin.host.data import EnrollmentRecord
    from mentora_plugin.reviews import api
    from mentora_plugin.reviews.models import Submission

    users = get_user_model().objects
    now = timezone.now()
    trainer = users.create(username="bench-trainer", first_name="Tara", last_name="Iner",
                           email="trainer@example.com")
    users.bulk_create(
        [get_user_model()(username=f"learner{index:05d}", first_name="Learner", last_name=str(index),
                          email=f"learner{index}@example.com") for index in range(args.submissions)],
        batch_size=500,
    )
    learners = list(users.filter(username__startswith="learner").order_by("pk"))
    host_api.record_course(COURSE_ID, now, title="Reviews at scale")
    course = host_api.parse_course_key(COURSE_ID)
    for start in range(0, len(learners), 1000):
        host_api.bulk_record_enrollments(
            [EnrollmentRecord(user_id=learner.pk, course_key=course, mode="verified", is_active=True)
             for learner in learners[start:start + 1000]], now,
        )
    host_api.grant_trainer_role(COURSE_ID, trainer, granted_by=None)
    usage = course.make_usage_key("mentora_project", "capstone")
    project = api.sync_project(usage, course, {
        "title": "Capstone", "brief": "Write your study.", "rubric": RUBRIC, "accepts_text": True,
        "start": now - timedelta(days=7), "due": now + timedelta(days=30), "points_possible": 100,
        "target_turnaround_hours": 72,
    })
    Submission.objects.bulk_create(
        [Submission(project_id=project.id, learner=learner, draft_text=TEXT, draft_saved_at=now)
         for learner in learners],
        batch_size=500,
    )
    return {"trainer": trainer, "learners": learners, "usage": usage, "project_id": project.id,
            "mentora_kinds": {}, "floor_uuids": [], "submission_ids": []}


# --- timing -----------------------------------------------------------------------------------------------------------


def _timed(counter: StatementCounter, call, *args, **kwargs):
    before = counter.count
    began = time.perf_counter_ns()
    result = call(*args, **kwargs)
    return result, time.perf_counter_ns() - began, counter.count - before


def _progress(label: str, index: int, total: int, began: float) -> None:
    if (index + 1) % max(1, total // 10) == 0:
        log(f"  {label}: {index + 1}/{total} in {time.perf_counter() - began:.0f} s")


def time_submits(seeded: dict, counter: StatementCounter) -> dict:
    from mentora_plugin.reviews import api

    times, statements = [], []
    began = time.perf_counter()
    for index, learner in enumerate(seeded["learners"]):
        _result, elapsed, count = _timed(counter, api.submit, learner, seeded["usage"],
                                         student_id=f"anon-{learner.pk:08d}")
        times.append(elapsed)
        statements.append(count)
        _progress("mentora submit", index, len(seeded["learners"]), began)
    return {"times": times, "statements": statements}


def time_floor_creates(seeded: dict, counter: StatementCounter) -> dict:
    from submissions import api as submissions_api

    times, statements = [], []
    began = time.perf_counter()
    answer = {"text": TEXT, "links": [], "files": []}
    for index in range(len(seeded["learners"])):
        item = {"student_id": f"floor-{index:08d}", "course_id": FLOOR_COURSE_ID,
                "item_id": f"block-v1:BenchOrg+FLOOR101+2026+type@{FLOOR_ITEM_TYPE}+block@capstone",
                "item_type": FLOOR_ITEM_TYPE}
        created, elapsed, count = _timed(counter, submissions_api.create_submission, item, answer, attempt_number=1)
        seeded["floor_uuids"].append(created["uuid"])
        times.append(elapsed)
        statements.append(count)
        _progress("edx-submissions create_submission", index, len(seeded["learners"]), began)
    return {"times": times, "statements": statements}


def time_queues(args, seeded: dict) -> dict:
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from edx_django_utils.cache import RequestCache
    from submissions import api as submissions_api

    from mentora_plugin.reviews import api

    trainer = seeded["trainer"]

    def first_page():
        page = Paginator(api.trainer_queue(trainer), PAGE_SIZE).get_page(1)
        return list(page.object_list)

    def counts():
        return api.queue_counts(trainer)

    def floor_page():
        waiting = [
            submission for _item, submission, score in submissions_api.get_all_course_submission_information(
                FLOOR_COURSE_ID, FLOOR_ITEM_TYPE, read_replica=False)
            if not score
        ]
        waiting.sort(key=lambda submission: submission["submitted_at"])
        return waiting[:PAGE_SIZE]

    results = {}
    for name, call in (
        ("mentora: trainer_queue, first page", first_page),
        ("mentora: queue_counts", counts),
        ("edx-submissions: course info, 25 oldest unscored", floor_page),
    ):
        times, statements, kinds, size = [], 0, {}, 0
        for run in range(args.runs + 1):
            RequestCache.clear_all_namespaces()  # each run as a new request: roles read again
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter_ns()
                answer = call()
                elapsed = time.perf_counter_ns() - began
            if run:
                times.append(elapsed)
            statements = len(queries)
            kinds = dict(Counter(query["sql"].split(" ", 1)[0] for query in queries.captured_queries))
            size = len(answer) if isinstance(answer, list) else 1
        results[name] = {"median_ms": statistics.median(times) / 1e6, "min_ms": min(times) / 1e6,
                         "statements": statements, "kinds": kinds, "items": size}
        log(f"  {name}: median {results[name]['median_ms']:.2f} ms, {statements} statements, {size} items")
    assert results["mentora: trainer_queue, first page"]["items"] == min(PAGE_SIZE, args.submissions)
    return results


def time_reviews(seeded: dict, counter: StatementCounter) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mentora_plugin.reviews import api

    trainer = seeded["trainer"]
    queue = [item.submission_id for item in api.trainer_queue(trainer)]
    operations = {name: {"times": [], "statements": []} for name in ("claim", "save_review", "release_review")}
    began = time.perf_counter()
    for index, submission_id in enumerate(queue):
        _claim, elapsed, count = _timed(counter, api.claim_submission, trainer, submission_id)
        operations["claim"]["times"].append(elapsed)
        operations["claim"]["statements"].append(count)
        review, elapsed, count = _timed(counter, api.save_review, trainer, submission_id, scores=SCORES,
                                        feedback=FEEDBACK)
        operations["save_review"]["times"].append(elapsed)
        operations["save_review"]["statements"].append(count)
        if index == 0:  # one flow's statements by kind (the first, captured apart from the timed runs)
            with CaptureQueriesContext(connection) as queries:
                released = api.release_review(trainer, review.id, "approved")
            seeded["mentora_kinds"] = dict(Counter(query["sql"].split(" ", 1)[0]
                                                   for query in queries.captured_queries))
            elapsed, count = 0, len(queries)
            operations["release_review"]["times"].append(None)
            operations["release_review"]["statements"].append(count)
            assert released.id == review.id
            continue
        _released, elapsed, count = _timed(counter, api.release_review, trainer, review.id, "approved")
        operations["release_review"]["times"].append(elapsed)
        operations["release_review"]["statements"].append(count)
        _progress("mentora claim, review, release", index, len(queue), began)
    # The captured release is not timed: it stands in with the median of the others.
    timed = [value for value in operations["release_review"]["times"] if value is not None]
    operations["release_review"]["times"] = [value if value is not None else int(statistics.median(timed))
                                             for value in operations["release_review"]["times"]]
    # Submits were timed in learner order, reviews in queue order (oldest first: the same order here).
    return operations


def time_floor_scores(seeded: dict, counter: StatementCounter) -> dict:
    from submissions import api as submissions_api

    times, statements = [], []
    began = time.perf_counter()
    for index, uuid in enumerate(seeded["floor_uuids"]):
        _result, elapsed, count = _timed(counter, submissions_api.set_score, uuid, 82, 100)
        times.append(elapsed)
        statements.append(count)
        _progress("edx-submissions set_score", index, len(seeded["floor_uuids"]), began)
    return {"times": times, "statements": statements}


if __name__ == "__main__":
    main()
