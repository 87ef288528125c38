"""
The daily level recompute (``levels.recompute_levels``) for 5,000 trainers with 500,000 activities and their
ratings, on SQLite and on MariaDB: wall time and SQL statements.

Target (issue 3, "Measured"): under 60 s on each database, with a number of statements that grows with the number of
batches only, not with the number of trainers.

What the script does, for each database (each in a child process of its own, since Django's settings are
process-wide):

1. a fresh database: SQLite in a temporary file (``tests.settings``; removed at the end), or on the private MariaDB
   server (``scripts/mariadb.sh start`` unless it is running; stopped at the end only if the script started it) a
   database ``test_mentora_bench_levels`` (``tests.settings_mariadb``: READ COMMITTED, utf8mb4), created, migrated,
   dropped at the end;
2. seeds, deterministically (``--seed``): 5,000 active trainers and 20,000 learners; 500,000 activities spread
   over the trainers like real activity is (a Pareto spread: many trainers with a few dozen, a few with thousands;
   85 % sessions, 10 % reviews with a log-normal turnaround, 5 % answers; sessions 90 % delivered, 4 % trainer
   no-shows, 6 % learner no-shows; times spread over the last 365 days, so about half fall in the 180-day window;
   each trainer with a pool of learners and 1-3 of 40 courses); one rating on 60 % of the delivered sessions (stars
   around each trainer's own quality, 2 % hidden by staff); upheld and dismissed complaints; a passing grade for 55 %
   of the learner-course pairs (the host's projection, read through ``host_api.passed_courses``); trainers' current
   levels spread over the default ladder (some above what their figures support), 5 % with a warning 20 days old,
   3 % locked; all written with ``bulk_create`` in chunks;
3. times ``recompute_levels()`` (the function the daily Celery task calls, on the default ladder and settings),
   a warm-up then ``--runs`` timed runs, each from the same starting state (the level fields and the level log are
   restored between runs, untimed), at the same ``now``: every run promotes, warns, demotes the same trainers. Its
   statements are captured (``CaptureQueriesContext``) and counted by kind;
4. the same with only the first 1,000 trainers active (``--flat``), to show that the statements grow with the
   batches only.

The trainers' emails (promotions, warnings, demotions) are counted, not queued: ``notifications.notify`` is replaced
by a counter, because in production it only registers a Celery task for after the commit (the email is written by a
worker), and in the test settings Celery runs eagerly, which would time the writing of the emails.

    .venv/bin/python benchmarks/bench_levels.py                        # both databases, 5 runs each
    .venv/bin/python benchmarks/bench_levels.py --database sqlite --runs 3
    .venv/bin/python benchmarks/bench_levels.py --trainers 1000 --activities 100000 --flat 0   # a quick look
"""
from __future__ import annotations

import argparse
import contextlib
import json
import math
import random
import re
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
from benchmarks.harness import log  # noqa: E402

TARGET_SECONDS = 60
MARIADB_NAME = "test_mentora_bench_levels"
COURSES = 40


# --- the parent: one child per database ------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--database", choices=("sqlite", "mariadb", "both"), default="both")
    parser.add_argument("--trainers", type=int, default=5000)
    parser.add_argument("--learners", type=int, default=20000)
    parser.add_argument("--activities", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=5, help="timed runs after one warm-up; medians are reported")
    parser.add_argument("--flat", type=int, default=1000, help="also time with only this many trainers (0: skip)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(args)), flush=True)
        return

    results = {}
    databases = ("sqlite", "mariadb") if args.database == "both" else (args.database,)
    with mariadb_server.running() if "mariadb" in databases else contextlib.nullcontext():
        for database in databases:
            command = [sys.executable, __file__, "--child", "--database", database] + [
                f"--{name}={getattr(args, name)}" for name in ("trainers", "learners", "activities", "runs", "flat",
                                                               "seed")
            ]
            process = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
            lines = process.stdout.strip().splitlines()
            if process.returncode != 0 or not lines:
                raise SystemExit(f"the {database} run failed (exit {process.returncode})")
            results[database] = json.loads(lines[-1])
    report(args, results)


def report(args, results: dict) -> None:
    print(f"\n{args.trainers} trainers, {args.activities} activities; medians of {args.runs} runs after a warm-up")
    print(f"{'database':<9} {'trainers':>8} {'median':>8} {'min':>7} {'max':>7} {'statements':>10} {'batches':>7}"
          "  statements by kind")
    verdicts = []
    for database, result in results.items():
        for scale in result["scales"]:
            kinds = ", ".join(f"{count} {kind}" for kind, count in scale["kinds"].items())
            print(f"{database:<9} {scale['trainers']:>8} {scale['median']:>7.2f}s {min(scale['times']):>6.2f}s "
                  f"{max(scale['times']):>6.2f}s {scale['statements']:>10} {scale['batches']:>7}  {kinds}")
        full = result["scales"][-1]
        verdicts.append(f"{database} {'met' if full['median'] < TARGET_SECONDS else 'MISSED'} "
                        f"({full['median']:.1f} s)")
    for database, result in results.items():
        full = result["scales"][-1]
        print(f"\n{database}: {result['server']}; seeded in {result['seed_seconds']:.0f} s: {result['counts']}")
        print(f"  outcome of each run: {full['summary']}; emails queued: {full['emails']}")
        print(f"  statements of one batch: {full['per_batch']}")
    print(f"\ntarget: < {TARGET_SECONDS} s for {args.trainers} trainers: {'; '.join(verdicts)}")


# --- the child: one database ------------------------------------------------------------------------------------------


def run_child(args) -> dict:
    return harness.run_in_django(args.database, MARIADB_NAME, lambda: measure(args))



def measure(args) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    log(f"[{args.database}] migrated in {time.perf_counter() - began:.1f} s")
    now = timezone.now().replace(microsecond=0)
    began = time.perf_counter()
    counts = seed(args, now)
    seed_seconds = time.perf_counter() - began
    log(f"[{args.database}] seeded in {seed_seconds:.0f} s: {counts}")
    if connection.vendor == "mysql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE TABLE mentora_trainers_traineractivity, mentora_trainers_trainerrating, "
                           "mentora_trainers_trainerprofile, mentora_host_coursepassingstatus")
            cursor.fetchall()
            cursor.execute("SELECT VERSION()")
            server = f"MariaDB {cursor.fetchone()[0]}"
    else:
        import sqlite3

        server = f"SQLite {sqlite3.sqlite_version}"
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    scales = []
    for trainers in ([args.flat] if 0 < args.flat < args.trainers else []) + [args.trainers]:
        scales.append(time_recompute(args, now, trainers))
    return {"server": server, "seed_seconds": seed_seconds, "counts": counts, "scales": scales}


def time_recompute(args, now, trainers: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mentora_plugin.trainers import levels, notifications
    from mentora_plugin.trainers.models import TrainerProfile

    emails = Counter()
    notifications.notify = lambda kind, recipient, dedupe_key, /, **context: emails.update([kind])
    initial = list(TrainerProfile.objects.order_by("pk"))
    active = {profile.pk for profile in initial[:trainers]}
    TrainerProfile.objects.exclude(pk__in=active).update(status=TrainerProfile.Status.SUSPENDED)
    times, statements, kinds, summary, batch = [], 0, Counter(), None, ""
    try:
        for run in range(args.runs + 1):
            restore(initial)
            emails.clear()
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                summary = levels.recompute_levels(now=now)
                elapsed = time.perf_counter() - began
            label = "warm-up" if run == 0 else f"run {run}"
            log(f"[{args.database}] {trainers} trainers, {label}: {elapsed:.2f} s, {len(queries)} statements, "
                f"{summary}")
            if run:
                times.append(elapsed)
            statements = len(queries)
            kinds = Counter(query["sql"].split(" ", 1)[0] for query in queries.captured_queries)
            batch = describe_batch(queries.captured_queries)
    finally:
        TrainerProfile.objects.update(status=TrainerProfile.Status.ACTIVE)
        restore(initial)
    return {
        "trainers": trainers, "times": times, "median": statistics.median(times), "statements": statements,
        "batches": summary.batches, "kinds": dict(kinds), "summary": {
            key: getattr(summary, key) for key in ("promoted", "warned", "cleared", "demoted", "unchanged", "locked")
        }, "emails": dict(emails), "per_batch": batch,
    }


def describe_batch(captured: list[dict]) -> str:
    """The statements of the first batch (after the list of profiles, up to its COMMIT or RELEASE), by table."""
    described = []
    for query in captured[1:]:
        word = query["sql"].split(" ", 1)[0]
        table = re.search(r"(?:FROM|INTO|UPDATE)\s+[`\"]?(\w+)", query["sql"])
        name = table.group(1).replace("mentora_trainers_", "").replace("mentora_host_", "host.") if table else ""
        described.append(f"{word} {name}".strip())
        if word in ("COMMIT", "RELEASE"):
            break
    return f"{len(described)} statements: " + ", ".join(described)


def restore(initial) -> None:
    """Put every profile's level fields back as seeded and empty the level log (untimed, between runs)."""
    from mentora_plugin.trainers.models import LevelChange, TrainerProfile

    LevelChange.objects.all().delete()
    TrainerProfile.objects.bulk_update(
        initial, ["level", "level_locked", "level_lock_reason", "level_warning_at", "level_computed_at", "metrics"],
        batch_size=500,
    )


# --- the data ---------------------------------------------------------------------------------------------------------


def seed(args, now) -> dict:
    """Everything the recompute reads, deterministically from ``args.seed`` (see the module's docstring)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from opaque_keys.edx.keys import CourseKey

    from mentora_plugin.host.models import CoursePassingStatus
    from mentora_plugin.settings.common import DEFAULTS
    from mentora_plugin.trainers.models import Dispute, TrainerActivity, TrainerProfile, TrainerRating

    rng = random.Random(args.seed)
    batch = 2000 if connection.vendor == "mysql" else None  # SQLite: Django splits under its parameter limit
    user_model = get_user_model()
    user_model.objects.bulk_create(
        (user_model(username=f"bench{index:06d}", email=f"bench{index:06d}@example.com", password="!")
         for index in range(args.trainers + args.learners)),
        batch_size=5000,
    )
    ids = list(user_model.objects.order_by("pk").values_list("pk", flat=True))
    trainer_ids, learner_ids = ids[:args.trainers], ids[args.trainers:]
    courses = [CourseKey.from_string(f"course-v1:Bench+C{index:02d}+2026") for index in range(COURSES)]
    keys = [level["key"] for level in DEFAULTS["MENTORA_TRAINER_LEVELS"]]

    profiles = []
    for trainer_id in trainer_ids:
        level = rng.choices(keys, weights=(55, 25, 13, 7))[0]
        profiles.append(TrainerProfile(
            user_id=trainer_id, status=TrainerProfile.Status.ACTIVE, level=level,
            activated_at=now - timedelta(days=400),
            level_warning_at=now - timedelta(days=20) if level != keys[0] and rng.random() < 0.05 else None,
            level_locked=rng.random() < 0.03, level_lock_reason="Benchmark",
        ))
    TrainerProfile.objects.bulk_create(profiles, batch_size=1000)

    # Activity per trainer: a Pareto spread (capped), scaled to the total asked for.
    weights = [min(rng.paretovariate(1.4), 60.0) for _ in trainer_ids]
    scale = args.activities / sum(weights)
    per_trainer = [int(weight * scale) for weight in weights]
    for index in rng.sample(range(len(per_trainer)), args.activities - sum(per_trainer)):
        per_trainer[index] += 1

    window = 365 * 24 * 3600
    pairs: set[tuple[int, int]] = set()
    activities = ratings = 0
    chunk: list = []
    chunk_meta: list = []
    source = 0

    def flush() -> None:
        nonlocal activities, ratings
        TrainerActivity.objects.bulk_create(chunk, batch_size=batch)
        rated = []
        for activity, (quality, rate) in zip(chunk, chunk_meta, strict=True):
            if rate:
                assert activity.pk is not None, "bulk_create returns primary keys on this database"
                stars = min(5, max(1, round(rng.gauss(quality, 0.8))))
                rated.append(TrainerRating(
                    activity_id=activity.pk, trainer_id=activity.trainer_id, learner_id=activity.learner_id,
                    course_key=activity.course_key, stars=stars, is_hidden=rng.random() < 0.02,
                    created=min(now, activity.occurred_at + timedelta(hours=2)),
                ))
        TrainerRating.objects.bulk_create(rated, batch_size=batch)
        activities += len(chunk)
        ratings += len(rated)
        chunk.clear()
        chunk_meta.clear()

    for trainer_id, count in zip(trainer_ids, per_trainer, strict=True):
        quality = rng.uniform(3.4, 5.0)
        no_show = rng.choice((0.0, 0.01, 0.03, 0.06, 0.12))
        pool = rng.sample(learner_ids, max(1, min(150, count // 3)))
        own_courses = rng.sample(courses, rng.randint(1, 3))
        for _ in range(count):
            source += 1
            kind = rng.choices(("session", "review", "answer"), weights=(85, 10, 5))[0]
            outcome = "delivered"
            if kind == "session":
                draw = rng.random()
                outcome = "trainer_no_show" if draw < no_show else "learner_no_show" if draw < no_show + 0.06 \
                    else "delivered"
            learner = rng.choice(pool)
            course = rng.choice(own_courses)
            if outcome == "delivered":
                pairs.add((learner, courses.index(course)))
            chunk.append(TrainerActivity(
                kind=kind, source_id=str(source), trainer_id=trainer_id, learner_id=learner, course_key=course,
                outcome=outcome, occurred_at=now - timedelta(seconds=rng.randrange(window)),
                turnaround_seconds=int(rng.lognormvariate(math.log(30 * 3600), 0.8)) if kind == "review" else None,
            ))
            chunk_meta.append((quality, kind == "session" and outcome == "delivered" and rng.random() < 0.6))
            if len(chunk) >= 10_000:
                flush()
                log(f"  {activities} activities, {ratings} ratings")
    if chunk:
        flush()

    passing = [
        CoursePassingStatus(user_id=learner, course_key=courses[course], is_passing=True, last_event_at=now)
        for learner, course in sorted(pairs) if rng.random() < 0.55
    ]
    CoursePassingStatus.objects.bulk_create(passing, batch_size=batch or 5000)

    complained = rng.sample(trainer_ids, min(len(trainer_ids), 500))
    Dispute.objects.bulk_create(
        [
            Dispute(
                reporter_id=rng.choice(learner_ids), reported_id=trainer_id, against_trainer=True,
                description="Benchmark", status=Dispute.Status.RESOLVED, upheld=index % 3 != 0,
                resolved_at=now - timedelta(days=rng.randrange(365)),
            )
            for index, trainer_id in enumerate(complained)
        ],
        batch_size=1000,
    )
    return {
        "trainers": len(trainer_ids), "learners": len(learner_ids), "activities": activities, "ratings": ratings,
        "passing_pairs": len(passing), "disputes": len(complained),
    }


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
