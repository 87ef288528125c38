"""
The booking REST API under 32 concurrent clients, on MariaDB, behind gunicorn; and the double bookings it allowed.

Workload (issue 4, "Measured"): bookings per second and p50 / p99 latency of ``POST /api/mentora/v1/bookings/``
with 32 clients at once, and the count of double bookings, which must be zero. Measured in the same run against
the framework floor (PERFORMANCE.md): a Django view that does nothing, served by the same gunicorn to the same
clients; and, to tell authentication from booking, a DRF view with Mentora's JWT authentication and nothing else.

What the script does, start to end (every step bounded in time; everything it started is stopped on the way out):

1. starts the private MariaDB (``scripts/mariadb.sh start``) unless it is running, and stops it at the end only if
   it started it;
2. creates a fresh database (``test_mentora_bench``: the ``mentora`` user may create ``test_mentora*`` databases
   only) and migrates it with ``benchmarks.settings_load`` (the demo site's settings on MariaDB, DEBUG off,
   throttles on but out of reach);
3. seeds one trainer (Europe/Paris, Monday to Friday 08:00-20:00), a 1:1 session type (30 minutes every 15, no
   buffer, 60-day window, no notice), a group type (60 minutes, 5 seats) and one enrolled learner per client, with
   an Open edX JWT each;
4. starts gunicorn on 127.0.0.1 on a free port (``benchmarks.wsgi_load``), waits until it answers, warms it up;
5. runs the rounds: in each, every client posts one booking at the same instant (a barrier), on a day of its own so
   that rounds never interfere; the rounds take turns among three races:

   - ``same``: all clients want the same 1:1 slot (10:00): one must win;
   - ``overlap``: client *i* wants the 1:1 slot at 08:00 + 15 *i* minutes: all different, each overlapping its
     neighbours;
   - ``group``: all clients want the same group slot (17:00, 5 seats): five must win;

   then the same clients hit each floor once, at the same instant, so that the floors and the bookings share the
   machine's conditions. It stops after ``--rounds`` rounds or ``--time-limit`` seconds, whichever comes first;
6. counts double bookings in the database: overlapping sessions of the trainer that hold a booking (buffers
   included), sessions holding more bookings than seats, learners in two sessions at once, and whether the
   bookings answered 201 are exactly the bookings the database holds;
7. prints the figures, stops gunicorn (always: ``try``/``finally``) and drops the database.

    .venv/bin/pip install gunicorn                     # see requirements/benchmarks.in
    .venv/bin/python benchmarks/bench_booking_load.py
    .venv/bin/python benchmarks/bench_booking_load.py --rounds 9 --worker-class sync
    .venv/bin/python benchmarks/bench_booking_load.py --notifications eager    # emails sent in the request

Latencies are measured by the clients (Python threads in this process, on the same machine as gunicorn and
MariaDB): they include the client's own time and its share of the CPU, the same for the floors, so compare
Mentora with its floor rather than reading the absolute figures.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time as clock
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import mariadb_server  # noqa: E402 - after the path is set

ZONE = ZoneInfo("Europe/Paris")
COURSE_ID = "course-v1:Mentora+Load+2026"
BOOKINGS_URL = "/api/mentora/v1/bookings/"
FLOOR_URL = "/bench/floor/"
JWT_FLOOR_URL = "/bench/floor-jwt/"
RACES = ("same", "overlap", "group")
GROUP_SEATS = 5
HORIZON_DAYS = 50  # rounds' days stay well inside the 60-day booking window


# --- measurements ---------------------------------------------------------------------------------------------------


@dataclass
class Answer:
    """One request as a client saw it."""

    status: int  # 0: no HTTP answer (the exception's name is in ``code``)
    code: str  # error_code[/reason] of a refusal, or the exception's name; "" on success
    began: float
    ended: float
    booking_id: int | None = None

    @property
    def ms(self) -> float:
        return (self.ended - self.began) * 1000


@dataclass
class Phase:
    """The answers of one kind of request over the rounds, with each round's wall time."""

    name: str
    answers: list[Answer] = field(default_factory=list)
    seconds: float = 0.0
    rounds: int = 0

    def add(self, answers: list[Answer]) -> None:
        self.answers.extend(answers)
        self.seconds += max(a.ended for a in answers) - min(a.began for a in answers)
        self.rounds += 1


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0-100) of a non-empty list; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def latency_row(label: str, answers: list[Answer]) -> str:
    ms = [a.ms for a in answers]
    cells = [percentile(ms, p) for p in (50, 95, 99)] + [max(ms) if ms else math.nan]
    return f"  {label:<44} {len(ms):>6} " + " ".join(f"{value:>8.1f}" for value in cells)


def latency_header() -> str:
    return f"  {'latency (ms)':<44} {'n':>6} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}"


# --- the clients ----------------------------------------------------------------------------------------------------


@dataclass
class Job:
    method: str
    path: str
    token: str
    body: dict | None = None
    key: str | None = None


class Clients:
    """``n`` threads, each with its own ``requests.Session`` (kept-alive connection), firing together per round."""

    def __init__(self, count: int, base_url: str, request_timeout: float) -> None:
        self.count = count
        self.base_url = base_url
        self.request_timeout = request_timeout
        self.jobs: list[Job | None] = [None] * count
        self.answers: list[Answer | None] = [None] * count
        self.start = threading.Barrier(count + 1)
        self.done = threading.Barrier(count + 1)
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(count)]
        for thread in self.threads:
            thread.start()

    def _run(self, index: int) -> None:
        import requests

        session = requests.Session()
        try:
            while True:
                try:
                    self.start.wait()
                except threading.BrokenBarrierError:
                    return
                self.answers[index] = self._fire(session, self.jobs[index])
                try:
                    self.done.wait()
                except threading.BrokenBarrierError:
                    return
        finally:
            session.close()

    def _fire(self, session, job: Job) -> Answer:
        import requests

        headers = {"Authorization": f"JWT {job.token}"}
        if job.key:
            headers["Idempotency-Key"] = job.key
        began = clock.perf_counter()
        try:
            response = session.request(
                job.method, self.base_url + job.path, json=job.body, headers=headers, timeout=self.request_timeout
            )
            ended = clock.perf_counter()
        except requests.RequestException as error:
            return Answer(0, type(error).__name__, began, clock.perf_counter())
        code, booking_id = "", None
        if job.path == BOOKINGS_URL:
            try:
                data = response.json()
            except ValueError:
                data = {}
            if response.status_code < 300:
                booking_id = data.get("id")
            else:
                code = str(data.get("error_code", f"http_{response.status_code}"))
                if data.get("reason"):
                    code += f"/{data['reason']}"
        elif response.status_code >= 300:
            code = f"http_{response.status_code}"
        return Answer(response.status_code, code, began, ended, booking_id)

    def round(self, jobs: list[Job]) -> list[Answer]:
        """Every client sends its job at the same instant; returns when all have their answer."""
        self.jobs = list(jobs)
        self.answers = [None] * self.count
        self.start.wait(timeout=30)
        self.done.wait(timeout=self.request_timeout + 30)
        return list(self.answers)

    def close(self) -> None:
        self.start.abort()
        self.done.abort()
        for thread in self.threads:
            thread.join(timeout=5)


# --- MariaDB, the database, the data ---------------------------------------------------------------------------------


def weekdays_ahead(count: int) -> list[date]:
    """The next ``count`` Monday-to-Friday dates in the trainer's zone, from the day after tomorrow."""
    today = datetime.now(ZONE).date()
    days, day = [], today + timedelta(days=2)
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    if (days[-1] - today).days > HORIZON_DAYS:
        raise SystemExit(f"too many rounds: their days would go past {HORIZON_DAYS} days ahead")
    return days


def seed(clients: int) -> dict:
    """Course, trainer with a calendar and two session types, enrolled learners with their JWTs."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from edx_rest_framework_extensions.auth.jwt.tests.utils import generate_jwt_token, generate_latest_version_payload

    from mentora_plugin.booking import api
    from mentora_plugin.booking.data import WeeklyRule
    from mentora_plugin.host import api as host_api

    user_model = get_user_model()
    now = timezone.now()
    trainer = user_model.objects.create(username="bench_trainer", email="trainer@example.com")
    host_api.record_course(COURSE_ID, now, title="Booking load")
    host_api.grant_trainer_role(COURSE_ID, trainer, granted_by=None)
    api.set_calendar(trainer, time_zone=str(ZONE))
    api.set_weekly_rules(trainer, [WeeklyRule(weekday, time(8), time(20)) for weekday in range(5)])
    common = {"slot_interval_minutes": 15, "buffer_before_minutes": 0, "buffer_after_minutes": 0,
              "window_days": 60, "minimum_notice_minutes": 0}
    one = api.create_session_type(trainer, COURSE_ID, title="1:1", duration_minutes=30, capacity=1, **common)
    group = api.create_session_type(
        trainer, COURSE_ID, title="Group", duration_minutes=60, capacity=GROUP_SEATS, **common
    )
    tokens = []
    for index in range(clients):
        learner = user_model.objects.create(username=f"bench_learner{index}", email=f"learner{index}@example.com")
        host_api.record_enrollment(learner.pk, COURSE_ID, "audit", True, now)
        payload = generate_latest_version_payload(learner)
        payload["exp"] = int(clock.time()) + 3 * 3600  # the helper's 10 minutes could lapse during a long run
        tokens.append(generate_jwt_token(payload))
    return {"trainer_id": trainer.pk, "one": one.id, "group": group.id, "tokens": tokens}


def booking_jobs(race: str, day: date, data: dict, round_label: str, use_keys: bool) -> list[Job]:
    jobs = []
    for index, token in enumerate(data["tokens"]):
        if race == "same":
            type_id, start = data["one"], datetime.combine(day, time(10), tzinfo=ZONE)
        elif race == "overlap":
            type_id = data["one"]
            start = datetime.combine(day, time(8), tzinfo=ZONE) + timedelta(minutes=15 * (index % 44))
        else:
            type_id, start = data["group"], datetime.combine(day, time(17), tzinfo=ZONE)
        body = {"session_type_id": type_id, "start": start.isoformat(), "goal": ""}
        key = f"bench-{round_label}-{index}" if use_keys else None
        jobs.append(Job("POST", BOOKINGS_URL, token, body, key))
    return jobs


def expected_winners(race: str, clients: int) -> tuple[int, int]:
    """The fewest and most 201s a race can end with when nothing goes wrong."""
    if race == "same":
        return 1, 1
    if race == "group":
        return min(GROUP_SEATS, clients), min(GROUP_SEATS, clients)
    # 30-minute sessions every 15 minutes: at most every other start wins; and a start refused must have a
    # neighbour that won (else it was free when its turn came), so at least every third one.
    starts = min(clients, 44)
    return math.ceil(starts / 3), (starts + 1) // 2


def count_double_bookings(trainer_id: int) -> dict:
    """Straight from the database, whatever the API answered."""
    from django.db.models import Count, Q

    from mentora_plugin.booking.models import Booking, Session

    holding = Q(bookings__status__in=Booking.HOLDING)
    sessions = list(
        Session.objects.filter(calendar__trainer_id=trainer_id, status=Session.Status.SCHEDULED)
        .annotate(taken=Count("bookings", filter=holding))
        .filter(taken__gt=0)
        .order_by("blocked_start")
        .values_list("pk", "blocked_start", "blocked_end", "capacity", "taken", "session_type__capacity")
    )
    overlapping_pairs = 0
    for i, (_pk, _start, end, *_rest) in enumerate(sessions):
        for _pk2, later_start, _later_end, *_ in sessions[i + 1:]:
            if later_start >= end:
                break
            overlapping_pairs += 1
    over_capacity = sum(1 for *_x, capacity, taken, type_capacity in sessions if taken > min(capacity, type_capacity))

    learner_pairs = 0
    periods = defaultdict(list)
    for learner_id, start, end in Booking.objects.filter(
        status__in=Booking.HOLDING, session__status=Session.Status.SCHEDULED
    ).values_list("learner_id", "session__start", "session__end"):
        periods[learner_id].append((start, end))
    for spans in periods.values():
        spans.sort()
        for i, (_start, end) in enumerate(spans):
            learner_pairs += sum(1 for later_start, _ in spans[i + 1:] if later_start < end)

    booking_ids = set(Booking.objects.filter(status__in=Booking.HOLDING).values_list("pk", flat=True))
    return {
        "holding_sessions": len(sessions),
        "overlapping_session_pairs": overlapping_pairs,
        "sessions_over_capacity": over_capacity,
        "learners_in_two_sessions_at_once": learner_pairs,
        "holding_booking_ids": booking_ids,
    }


# --- gunicorn -------------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(args, port: int, env: dict, log_path: Path) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "gunicorn", "benchmarks.wsgi_load:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(args.workers),
        "--worker-class", args.worker_class,
        "--threads", str(args.threads),
        "--timeout", "60",
        "--graceful-timeout", "10",
        "--backlog", "512",
        "--chdir", str(ROOT),
        "--error-logfile", "-",
        "--log-level", "warning",
    ]
    log = open(log_path, "wb")  # noqa: SIM115 - closed by the caller through proc.log
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    process.log = log
    return process


def wait_until_up(process: subprocess.Popen, base_url: str, seconds: float = 60) -> None:
    import requests

    deadline = clock.monotonic() + seconds
    while clock.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode} before answering")
        try:
            if requests.get(base_url + FLOOR_URL, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        clock.sleep(0.25)
    raise RuntimeError(f"gunicorn did not answer within {seconds:.0f} s")


def stop_gunicorn(process: subprocess.Popen) -> None:
    """SIGTERM to the master (graceful), then SIGKILL to its process group if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    process.log.close()


# --- the run --------------------------------------------------------------------------------------------------------


def _on_signal(signum, _frame):
    raise TimeoutError(f"stopped by signal {signum} (the overall --timeout, or an interrupt)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=21, help="booking rounds (they take turns: same, overlap, group)")
    parser.add_argument("--time-limit", type=float, default=300, help="seconds of rounds at most")
    parser.add_argument("--timeout", type=int, default=900, help="the whole run, set-up and clean-up included")
    parser.add_argument("--request-timeout", type=float, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", choices=("gthread", "sync"), default="gthread")
    parser.add_argument("--threads", type=int, default=4, help="per worker, with gthread")
    parser.add_argument("--notifications", choices=("queued", "eager"), default="queued")
    parser.add_argument("--conn-max-age", type=int, default=0, help="Django's CONN_MAX_AGE (0: a connection a request)")
    parser.add_argument("--no-idempotency-key", action="store_true", help="book without an Idempotency-Key header")
    parser.add_argument("--db-name", default="test_mentora_bench")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if not re.fullmatch(r"[A-Za-z0-9_]+", args.db_name):
        parser.error("--db-name: letters, digits and underscores only")
    if args.worker_class == "sync":
        args.threads = 1

    signal.signal(signal.SIGALRM, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    signal.alarm(args.timeout)

    workdir = Path(tempfile.mkdtemp(prefix="mentora-bench-load-"))
    env_settings = {
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings_load",
        "MENTORA_BENCH_DB_NAME": args.db_name,
        "MENTORA_BENCH_NOTIFICATIONS": args.notifications,
        "MENTORA_BENCH_CONN_MAX_AGE": str(args.conn_max_age),
        "MENTORA_DEMO_VAR": str(workdir / "demo"),
    }
    os.environ.update(env_settings)

    started_mariadb = created_db = False
    gunicorn = clients = None
    try:
        if mariadb_server.mariadb("status") != 0:
            if mariadb_server.mariadb("start", quiet=False) != 0:
                raise RuntimeError("scripts/mariadb.sh start failed")
            started_mariadb = True
        name = args.db_name
        mariadb_server.create_database(name)
        created_db = True

        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, connections

        began = clock.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        print(f"Migrated {name} in {clock.perf_counter() - began:.1f} s", flush=True)
        data = seed(args.clients)
        with connection.cursor() as cursor:
            cursor.execute("SELECT VERSION()")
            server_version = cursor.fetchone()[0]
        connections.close_all()

        days = weekdays_ahead(args.rounds + 1)
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        gunicorn = start_gunicorn(args, port, {**os.environ, "PYTHONPATH": str(ROOT)}, workdir / "gunicorn.log")
        wait_until_up(gunicorn, base_url)
        clients = Clients(args.clients, base_url, args.request_timeout)
        tokens = data["tokens"]
        floor_jobs = [Job("GET", FLOOR_URL, token) for token in tokens]
        jwt_jobs = [Job("POST", JWT_FLOOR_URL, token, {"session_type_id": 0, "start": "", "goal": ""})
                    for token in tokens]

        # Warm-up (not counted): every worker imports its URLs, opens its first connections, reads its first JWT.
        warm = []
        for _ in range(3):
            clients.round(floor_jobs)
            clients.round(jwt_jobs)
        warm += clients.round(booking_jobs("overlap", days[0], data, "warm", not args.no_idempotency_key))

        phases = {kind: Phase(kind) for kind in ("booking", "floor", "jwt_floor")}
        by_race = {race: Phase(race) for race in RACES}
        unexpected = []
        deadline = clock.monotonic() + args.time_limit
        print(
            f"gunicorn {args.workers} workers x {args.threads} threads ({args.worker_class}) on {base_url}; "
            f"{args.clients} clients; up to {args.rounds} rounds or {args.time_limit:.0f} s",
            flush=True,
        )
        for number in range(args.rounds):
            if clock.monotonic() > deadline:
                print(f"time limit reached after {number} rounds", flush=True)
                break
            race = RACES[number % len(RACES)]
            jobs = booking_jobs(race, days[number + 1], data, str(number), not args.no_idempotency_key)
            answers = clients.round(jobs)
            phases["booking"].add(answers)
            by_race[race].add(answers)
            winners = sum(1 for a in answers if a.status in (200, 201))
            fewest, most = expected_winners(race, args.clients)
            if not fewest <= winners <= most:
                unexpected.append((number, race, winners))
            phases["floor"].add(clients.round(floor_jobs))
            phases["jwt_floor"].add(clients.round(jwt_jobs))
        clients.close()
        clients = None

        checks = count_double_bookings(data["trainer_id"])
        connections.close_all()
        answered_ids = {a.booking_id for a in warm + phases["booking"].answers if a.booking_id is not None}
        report(args, server_version, phases, by_race, unexpected, checks, answered_ids, workdir / "gunicorn.log")
    finally:
        signal.alarm(0)
        if clients is not None:
            clients.close()
        if gunicorn is not None:
            stop_gunicorn(gunicorn)
            log = (workdir / "gunicorn.log").read_text(errors="replace")
            if "Traceback" in log or "ERROR" in log:
                print("gunicorn's log (tail):\n" + "\n".join(log.splitlines()[-40:]))
        if created_db:
            try:
                from django.db import connections

                connections.close_all()
            except Exception:  # noqa: S110 - Django may not be set up yet
                pass
            try:
                mariadb_server.drop_database(args.db_name)
            except Exception as error:  # the server may be gone: say so, and go on cleaning up
                print(f"could not drop {args.db_name}: {error}", file=sys.stderr)
        if started_mariadb:
            mariadb_server.mariadb("stop", quiet=False)


def report(args, server_version, phases, by_race, unexpected, checks, answered_ids, log_path: Path) -> None:
    booking = phases["booking"]
    answers = booking.answers
    booked = [a for a in answers if a.status in (200, 201)]
    refused = [a for a in answers if 400 <= a.status < 500]
    failed = [a for a in answers if a.status == 0 or a.status >= 500]
    refusals = Counter(a.code for a in refused)
    failures = Counter(a.code or f"http_{a.status}" for a in failed)
    log = log_path.read_text(errors="replace")
    server_errors_logged = log.count("Internal Server Error")

    print()
    print(f"Booking API under load: {args.clients} clients, {booking.rounds} rounds, gunicorn {args.workers} "
          f"workers x {args.threads} threads ({args.worker_class}), notifications {args.notifications}, "
          f"CONN_MAX_AGE {args.conn_max_age}, Idempotency-Key {'no' if args.no_idempotency_key else 'yes'}, "
          f"MariaDB {server_version}")
    print(f"  requests: {len(answers)}   booked (201/200): {len(booked)}   refused (4xx): {len(refused)}   "
          f"failed (5xx or no answer): {len(failed)}")
    for code, count in refusals.most_common():
        print(f"    refused {code}: {count}")
    for code, count in failures.most_common():
        print(f"    FAILED {code}: {count}")
    print(f"  time under load: {booking.seconds:.2f} s (sum of the rounds' wall times)")
    print(f"  bookings/s (successful): {len(booked) / booking.seconds:.1f}   requests/s: "
          f"{len(answers) / booking.seconds:.1f}")
    print(latency_header())
    print(latency_row("booking: booked", booked))
    print(latency_row("booking: refused", refused))
    print(latency_row("booking: all", answers))
    for race, phase in by_race.items():
        won = sum(1 for a in phase.answers if a.status in (200, 201))
        print(latency_row(f"  race {race} ({won} booked, {len(phase.answers) / phase.seconds:.0f} req/s)",
                          phase.answers) if phase.answers else f"  race {race}: no round")
    for kind, label in (("floor", "floor: plain Django view"), ("jwt_floor", "floor: DRF + JWT auth")):
        phase = phases[kind]
        bad = sum(1 for a in phase.answers if a.status != (200 if kind == "floor" else 201))
        print(latency_row(f"{label} ({len(phase.answers) / phase.seconds:.0f} req/s)", phase.answers)
              + (f"   {bad} NOT OK" if bad else ""))

    floor_ms = [a.ms for a in phases["floor"].answers]
    jwt_ms = [a.ms for a in phases["jwt_floor"].answers]
    all_ms = [a.ms for a in answers]
    print("  Mentora over the floor (booking, all answers):")
    for p in (50, 99):
        mentora, plain, jwt = percentile(all_ms, p), percentile(floor_ms, p), percentile(jwt_ms, p)
        print(f"    p{p}: {mentora:.1f} ms = plain floor {plain:.1f} ms + {mentora - plain:.1f} ms "
              f"({mentora / plain:.1f}x); over the JWT floor {jwt:.1f} ms: +{mentora - jwt:.1f} ms "
              f"({mentora / jwt:.1f}x)")
    floor_rate = len(phases["floor"].answers) / phases["floor"].seconds
    print(f"    requests/s: {len(answers) / booking.seconds:.0f} against {floor_rate:.0f} for the plain floor "
          f"({len(answers) / booking.seconds / floor_rate:.2f}x)")

    missing = checks["holding_booking_ids"] - answered_ids
    phantom = answered_ids - checks["holding_booking_ids"]
    double = checks["overlapping_session_pairs"] + checks["sessions_over_capacity"]
    print("  Double bookings (from the database, warm-up round included):")
    print(f"    overlapping pairs of the trainer's holding sessions: {checks['overlapping_session_pairs']} "
          f"(of {checks['holding_sessions']} sessions)")
    print(f"    sessions holding more bookings than seats: {checks['sessions_over_capacity']}")
    print(f"    learners in two sessions at once: {checks['learners_in_two_sessions_at_once']}")
    print(f"    bookings held but never answered 201: {len(missing)}; answered 201 but not held: {len(phantom)}")
    print(f"    rounds with an unexpected number of winners: {unexpected or 0}")
    print(f"    server errors in gunicorn's log: {server_errors_logged}")
    print(f"  DOUBLE BOOKINGS: {double}")

    if args.json:
        figures = {
            "settings": {k: v for k, v in vars(args).items() if k != "json"},
            "mariadb": server_version,
            "requests": len(answers),
            "booked": len(booked),
            "refused": dict(refusals),
            "failed": dict(failures),
            "seconds": booking.seconds,
            "bookings_per_second": len(booked) / booking.seconds,
            "requests_per_second": len(answers) / booking.seconds,
            "latency_ms": {
                name: {f"p{p}": percentile([a.ms for a in group], p) for p in (50, 95, 99)}
                for name, group in (("booked", booked), ("refused", refused), ("all", answers),
                                    ("floor", phases["floor"].answers), ("jwt_floor", phases["jwt_floor"].answers))
            },
            "double_bookings": double,
            "checks": {k: v for k, v in checks.items() if k != "holding_booking_ids"},
            "unexpected_rounds": unexpected,
        }
        args.json.write_text(json.dumps(figures, indent=2, default=str))


if __name__ == "__main__":
    main()
