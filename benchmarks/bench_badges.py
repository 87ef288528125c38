"""
Badges at scale: 10,000 awards issued by hand and in bulk, each baked into its PNG, and the public Open Badges URLs
that verifiers fetch (the hosted assertion, the baked download, the verification page, the signed OB 3.0
credential), timed per award and per request with their SQL statements counted.

Measured (issue 6): "Issue and bake 10,000 awards (PNG), and serve the hosted assertion: median per award and per
request". The issue sets no target and names no peer to compare with, so none is reported.

What the script does (in a child process per database, since Django's settings are process-wide):

1. a fresh database: SQLite in a temporary file (``tests.settings``; removed at the end), or on the private MariaDB
   server (``scripts/mariadb.sh start`` unless it is running; stopped at the end only if the script started it) a
   database ``test_mentora_bench_badges`` (``tests.settings_mariadb``: READ COMMITTED, utf8mb4), created, migrated,
   dropped at the end;
2. seeds, untimed: one course, its staff member (the issuer), ``--awards`` enrolled learners with email addresses
   (``bulk_record_enrollments``, as the back-fill writes them), and two badge classes of the course with the same
   256x256 PNG image drawn with Pillow (``api.create_badge_class``, which cleans it as an upload): one for the awards
   by hand, one for the bulk awards (a learner holds at most one current award of a class);
3. times, with the SQL statements of each counted (a connection execute wrapper):

   - ``api.award_badge`` by the course's staff member, once per learner (a note, no evidence): the issuer's and the
     recipient's checks, the class's lock, the idempotency and current-award look-ups, the insert, the award read
     back as data; the email (counted) and the ``BADGE_AWARDED`` event once it commits;
   - ``api.bulk_award`` of the second class to the same learners, ``--bulk-size`` (500, the API's maximum) per call:
     the per-award figure is each call's time (and statements) divided by its size;
   - per award by hand, what the baked download (``views.public.baked``) does once it holds the award: the class
     image read from storage, ``openbadges2.assertion_json`` (the hosted Assertion), ``baking.bake_png``;

4. then the HTTP side, through Django's test ``Client`` (the whole middleware stack, URL routing, no network), each
   URL once per award of a fixed random sample, after one untimed warm-up request: the hosted assertion (JSON-LD),
   the baked PNG download, the verification page (HTML), and the OB 3.0 credential (signed per request, eddsa-rdfc-
   2022 over the RDF canonical form).

The emails are counted, not queued: ``notifications.notify`` (badges') is replaced by a counter, because in
production it only registers a Celery task for after the commit (a worker writes the email).

    .venv/bin/python benchmarks/bench_badges.py                            # both databases, 10,000 awards
    .venv/bin/python benchmarks/bench_badges.py --database sqlite --awards 1000    # a quick look
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import harness, mariadb_server  # noqa: E402 - after the path is set
from benchmarks.harness import StatementCounter, figures, log  # noqa: E402

MARIADB_NAME = "test_mentora_bench_badges"

COURSE_ID = "course-v1:BenchOrg+BDG101+2026"
IMAGE_SIZE = (256, 256)
NARRATIVE = "Completed the **capstone** project and presented it to the cohort."
SEED = 6  # the samples of awards the HTTP side requests: the same ones on every run


# --- the parent: one child per database ------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--database", choices=("sqlite", "mariadb", "both"), default="both")
    parser.add_argument("--awards", type=int, default=10_000, help="learners, each awarded by hand and in bulk")
    parser.add_argument("--bulk-size", type=int, default=500, help="recipients per bulk_award call (at most 500)")
    parser.add_argument("--assertions", type=int, default=2_000, help="hosted assertion requests (sample)")
    parser.add_argument("--baked", type=int, default=500, help="baked PNG download requests (sample)")
    parser.add_argument("--verify", type=int, default=500, help="verification page requests (sample)")
    parser.add_argument("--credentials", type=int, default=200, help="OB 3.0 credential requests (sample)")
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
            command = [sys.executable, __file__, "--child", f"--database={database}", f"--awards={args.awards}",
                       f"--bulk-size={args.bulk_size}", f"--assertions={args.assertions}", f"--baked={args.baked}",
                       f"--verify={args.verify}", f"--credentials={args.credentials}"]
            process = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
            lines = process.stdout.strip().splitlines()
            if process.returncode != 0 or not lines:
                raise SystemExit(f"the {database} run failed (exit {process.returncode})")
            results[database] = json.loads(lines[-1])
            report(args, results[database])
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")


def report(args, result: dict) -> None:
    print(f"\n{result['server']}; {args.awards} awards by hand and {args.awards} in bulk; "
          f"seeded in {result['seed_seconds']:.0f} s; load average before the run {result['load_before']}, "
          f"after {result['load_after']}")
    print(f"\n{'per award':<58} {'median':>9} {'p90':>9} {'statements':>11}")
    for name, figures_ in result["awards"].items():
        print(f"{name:<58} {figures_['median_ms']:>7.2f}ms {figures_['p90_ms']:>7.2f}ms "
              f"{_statements(figures_):>11}")
    print(f"\n{'per request (sample)':<58} {'median':>9} {'p90':>9} {'statements':>11}")
    for name, figures_ in result["requests"].items():
        print(f"{name + ' (' + str(figures_['count']) + ')':<58} {figures_['median_ms']:>7.2f}ms "
              f"{figures_['p90_ms']:>7.2f}ms {_statements(figures_):>11}")
    print(f"\nbaked PNG: {result['baked_bytes']} bytes (the class image as stored, cleaned: "
          f"{result['image_bytes']} bytes)")
    print(f"emails counted (not sent): {result['emails']}; events announced: {result['events']}")
    print(f"statements of one award_badge by kind: {result['award_kinds']}")


def _statements(figures_: dict) -> str:
    """The statements column: the most any call ran, and the median when it differs (or the per-award share)."""
    if "statements_per_award" in figures_:
        return f"{figures_['statements_per_award']:.2f}"
    most, median = figures_["statements"], figures_["statements_median"]
    return str(most) if most == median else f"{median:g} (max {most})"


# --- the child: one database ------------------------------------------------------------------------------------------


def run_child(args) -> dict:
    return harness.run_in_django(args.database, MARIADB_NAME, lambda: measure(args))


def analyze() -> str:
    """Fresh planner statistics (what a database that has lived a while has); the server's name and version."""
    from django.db import connection

    from mentora_plugin.badges.models import BadgeAward, BadgeClass

    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            cursor.execute(f"ANALYZE TABLE {BadgeAward._meta.db_table}, {BadgeClass._meta.db_table}, "
                           "mentora_host_enrollment, auth_user")
            cursor.fetchall()
            cursor.execute("SELECT VERSION()")
            return f"MariaDB {cursor.fetchone()[0]}"
        import sqlite3

        cursor.execute("ANALYZE")
        return f"SQLite {sqlite3.sqlite_version}"



def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def measure(args) -> dict:
    from django.core.management import call_command
    from django.db import connection

    load_before = load_average()
    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    log(f"[{args.database}] migrated in {time.perf_counter() - began:.1f} s")

    from mentora_plugin.badges import notifications
    from mentora_plugin.badges.signals import BADGE_AWARDED

    emails: Counter = Counter()
    notifications.notify = lambda kind, award, /: emails.update([kind])
    events: Counter = Counter()
    BADGE_AWARDED.connect(lambda **kwargs: events.update(["badge_awarded"]), weak=False,
                          dispatch_uid="bench.badges.awarded")

    began = time.perf_counter()
    seeded = seed(args)
    seed_seconds = time.perf_counter() - began
    log(f"[{args.database}] seeded in {seed_seconds:.0f} s")
    server = analyze()

    counter = StatementCounter()
    with connection.execute_wrapper(counter):
        by_hand = time_awards(seeded, counter)
        bulk = time_bulk_awards(args, seeded, counter)
    analyze()
    with connection.execute_wrapper(counter):
        baking = time_baking(seeded, counter)
        requests = time_requests(args, seeded, counter)
    return {
        "server": server,
        "seed_seconds": seed_seconds,
        "load_before": load_before,
        "load_after": load_average(),
        "awards": {
            "api.award_badge": figures(by_hand["times"], by_hand["statements"]),
            f"api.bulk_award, per award ({args.bulk_size} per call)": bulk,
            **baking["operations"],
        },
        "requests": requests,
        "award_kinds": seeded["award_kinds"],
        "image_bytes": baking["image_bytes"],
        "baked_bytes": baking["baked_bytes"],
        "emails": dict(emails),
        "events": dict(events),
    }


# --- seeding ----------------------------------------------------------------------------------------------------------


def badge_image() -> bytes:
    """A 256x256 RGBA PNG badge: a ring, a ribbon and a star, with edges to anti-alias (not a flat colour)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", IMAGE_SIZE, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.polygon([(88, 150), (70, 250), (110, 225), (128, 252), (128, 160)], fill=(180, 30, 45, 255))
    draw.polygon([(168, 150), (186, 250), (146, 225), (128, 252), (128, 160)], fill=(150, 20, 35, 255))
    draw.ellipse((28, 8, 228, 208), fill=(240, 180, 30, 255), outline=(120, 80, 10, 255), width=8)
    draw.ellipse((58, 38, 198, 178), fill=(255, 215, 80, 255))
    star = [(128, 50), (145, 92), (190, 94), (155, 122), (168, 166), (128, 140), (88, 166), (101, 122), (66, 94),
            (111, 92)]
    draw.polygon(star, fill=(255, 255, 255, 255), outline=(120, 80, 10, 255))
    for radius in range(0, 40, 4):  # a soft gradient, as exported badges have
        draw.ellipse((128 - radius, 108 - radius, 128 + radius, 108 + radius), outline=(255, 240, 200, 80 + radius))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def seed(args) -> dict:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from mentora_plugin.badges import api
    from mentora_plugin.host import api as host_api
    from mentora_plugin.host.data import CourseRoleRecord, EnrollmentRecord

    users = get_user_model().objects
    now = timezone.now()
    staff = users.create(username="bench-staff", first_name="Stella", last_name="Aff", email="staff@example.com")
    users.bulk_create(
        [get_user_model()(username=f"learner{index:05d}", first_name="Learner", last_name=str(index),
                          email=f"learner{index}@example.com") for index in range(args.awards)],
        batch_size=500,
    )
    learners = list(users.filter(username__startswith="learner").order_by("pk"))
    host_api.record_course(COURSE_ID, now, title="Badges at scale")
    course = host_api.parse_course_key(COURSE_ID)
    for start in range(0, len(learners), 1000):
        host_api.bulk_record_enrollments(
            [EnrollmentRecord(user_id=learner.pk, course_key=course, mode="verified", is_active=True)
             for learner in learners[start:start + 1000]], now,
        )
    host_api.record_course_role(CourseRoleRecord(user_id=staff.pk, org=course.org, course_key=COURSE_ID,
                                                 role="staff", is_active=True), now)
    image = badge_image()
    classes = [
        api.create_badge_class(
            staff, name=name, description="Builds and presents a complete project.",
            criteria="Submit the capstone project and have it **approved** by a trainer.", image=image,
            course_key=course, expiry="duration", valid_days=730,
        )
        for name in ("Capstone", "Capstone (bulk)")
    ]
    assert classes[0].image_type == "png"
    return {"staff": staff, "learners": learners, "badge_class": classes[0], "bulk_class": classes[1],
            "image": image, "award_ids": [], "award_kinds": {}}


# --- timing -----------------------------------------------------------------------------------------------------------


def _timed(counter: StatementCounter, call, *args, **kwargs):
    """One call as one request: the request cache emptied first (untimed), as the middleware does per request."""
    from edx_django_utils.cache import RequestCache

    RequestCache.clear_all_namespaces()  # else roles and enrollments read by an earlier call would be free
    before = counter.count
    began = time.perf_counter_ns()
    result = call(*args, **kwargs)
    return result, time.perf_counter_ns() - began, counter.count - before


def _progress(label: str, index: int, total: int, began: float) -> None:
    if (index + 1) % max(1, total // 10) == 0:
        log(f"  {label}: {index + 1}/{total} in {time.perf_counter() - began:.0f} s")


def time_awards(seeded: dict, counter: StatementCounter) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from edx_django_utils.cache import RequestCache

    from mentora_plugin.badges import api

    staff, badge_class = seeded["staff"], seeded["badge_class"]
    times, statements = [], []
    began = time.perf_counter()
    last = len(seeded["learners"]) - 1
    for index, learner in enumerate(seeded["learners"]):
        if index == last:  # the last award's statements by kind, captured apart from the timed runs
            RequestCache.clear_all_namespaces()
            with CaptureQueriesContext(connection) as queries:
                award = api.award_badge(staff, badge_class.id, learner.pk, narrative=NARRATIVE)
            seeded["award_kinds"] = dict(Counter(query["sql"].split(" ", 1)[0] for query in queries.captured_queries))
            seeded["award_ids"].append(award.public_id)
            continue
        award, elapsed, count = _timed(counter, api.award_badge, staff, badge_class.id, learner.pk,
                                       narrative=NARRATIVE)
        seeded["award_ids"].append(award.public_id)
        times.append(elapsed)
        statements.append(count)
        _progress("award_badge", index, len(seeded["learners"]), began)
    assert award.status == "active" and award.recipient_id == learner.pk
    return {"times": times, "statements": statements}


def time_bulk_awards(args, seeded: dict, counter: StatementCounter) -> dict:
    from mentora_plugin.badges import api

    staff, bulk_class, learners = seeded["staff"], seeded["bulk_class"], seeded["learners"]
    per_award, statements = [], []
    began = time.perf_counter()
    batches = range(0, len(learners), args.bulk_size)
    for number, start in enumerate(batches):
        batch = [{"recipient": learner.pk, "narrative": NARRATIVE}
                 for learner in learners[start:start + args.bulk_size]]
        result, elapsed, count = _timed(counter, api.bulk_award, staff, bulk_class.id, batch)
        assert len(result.awarded) == len(batch) and not result.refused and not result.already_awarded
        per_award.append(elapsed / len(batch))
        statements.append(count / len(batch))
        _progress("bulk_award", number, len(batches), began)
    result = figures([round(value) for value in per_award], [0])
    result.update(statements_per_award=statistics.median(statements), batches=len(per_award),
                  batch_median_ms=result["median_ms"] * args.bulk_size)
    del result["statements"], result["statements_median"]
    return result


def time_baking(seeded: dict, counter: StatementCounter) -> dict:
    """The baked download's work once it holds the award (``views.public.baked``), per award by hand."""
    from mentora_plugin.badges import baking, openbadges2
    from mentora_plugin.badges.models import BadgeAward
    from mentora_plugin.badges.views.public import _read_image

    # The rows as the view reads them (``_award_or_404``), read untimed in pages of 1,000.
    awards = []
    for start in range(0, len(seeded["award_ids"]), 1000):
        page = seeded["award_ids"][start:start + 1000]
        found = {award.public_id: award for award in BadgeAward.objects.select_related("badge_class", "issued_by")
                 .filter(public_id__in=page)}
        awards.extend(found[public_id] for public_id in page)
    names = ("read the class image", "openbadges2.assertion_json", "baking.bake_png")
    operations = {name: {"times": [], "statements": []} for name in names}
    totals, total_statements = [], []
    baked = b""
    began = time.perf_counter()
    for index, award in enumerate(awards):
        image, read_time, read_count = _timed(counter, _read_image, award.badge_class)
        document, json_time, json_count = _timed(counter, openbadges2.assertion_json, award)
        baked, bake_time, bake_count = _timed(counter, baking.bake_png, image, document)
        for name, elapsed, count in zip(names, (read_time, json_time, bake_time), (read_count, json_count, bake_count),
                                        strict=True):
            operations[name]["times"].append(elapsed)
            operations[name]["statements"].append(count)
        totals.append(read_time + json_time + bake_time)
        total_statements.append(read_count + json_count + bake_count)
        _progress("bake", index, len(awards), began)
    assert json.loads(baking.unbake_png(baked)) == document  # the last one carries its own assertion
    result = {f"bake: {name}": figures(item["times"], item["statements"]) for name, item in operations.items()}
    result["bake: the baked download's work, in all"] = figures(totals, total_statements)
    return {"operations": result, "baked_bytes": len(baked), "image_bytes": len(image)}


def time_requests(args, seeded: dict, counter: StatementCounter) -> dict:
    from django.test import Client

    from mentora_plugin.badges import keys, openbadges2, openbadges3

    keys.active_key()  # the signing key is made on first use: once per platform, not per request
    client = Client()
    ids = seeded["award_ids"]
    chooser = random.Random(SEED)
    endpoints = (
        ("GET hosted assertion (JSON-LD)", args.assertions, openbadges2.assertion_url, "application/ld+json"),
        ("GET baked PNG download", args.baked, lambda public_id: openbadges2.baked_url(public_id, "png"),
         "image/png"),
        ("GET verification page (HTML)", args.verify, openbadges2.verify_url, "text/html"),
        ("GET OB 3.0 credential (signed per request)", args.credentials, openbadges3.credential_url,
         "application/ld+json"),
    )
    results = {}
    for name, size, url_of, content_type in endpoints:
        sample = chooser.sample(ids, min(size, len(ids)))
        warm = client.get(urlsplit(url_of(ids[-1])).path)  # imports, templates, contexts: once per process
        assert warm.status_code == 200, (name, warm.status_code)
        times, statements = [], []
        began = time.perf_counter()
        for index, public_id in enumerate(sample):
            path = urlsplit(url_of(public_id)).path
            response, elapsed, count = _timed(counter, client.get, path)
            assert response.status_code == 200 and response["Content-Type"].startswith(content_type), (
                name, response.status_code, response["Content-Type"])
            times.append(elapsed)
            statements.append(count)
            _progress(name, index, len(sample), began)
        results[name] = figures(times, statements)
        log(f"  {name}: median {results[name]['median_ms']:.2f} ms, {results[name]['statements']} statements")
    return results


if __name__ == "__main__":
    main()
