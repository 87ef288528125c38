"""
Free slots for the next 90 days: Mentora against django-appointment, same data, same run.

Workload (PERFORMANCE.md): one trainer, Mon/Wed/Fri 09:00-17:00, 60-minute sessions every 30 minutes, 5 days off,
200 existing sessions, the free slots of each of the next 90 days. Target (issue 4 and PERFORMANCE.md): at least 20
times faster than django-appointment 3.12.0's ``get_available_slots_for_staff`` called per day, in at most 5 queries
for the whole range.

Both run on one SQLite file (``tests.settings`` with the database moved to a temporary file and
django-appointment's app added, for this script only). django-appointment ships no migrations: as its README says,
they are generated (``makemigrations appointment``), here into a temporary package named by ``MIGRATION_MODULES``, so
nothing is written into the installed package. Both sides get the same trainer in Europe/Paris (the site's
TIME_ZONE too, since django-appointment works in the server's local time), one hour of notice, and the same 200
sessions; the script checks that both find the same slots before timing anything.

Mentora is measured through its API, ``booking.api.get_free_slots`` (one call for the 90 days: load + compute +
conversion to the viewer's zone), and, for the arithmetic alone, ``booking.slots.free_slots`` on the same data in
memory. Queries are counted with ``CaptureQueriesContext``. Each figure is the median of ``--runs`` timed runs after
a warm-up.

    pip install django-appointment==3.12.0
    .venv/bin/python benchmarks/bench_slots.py [--runs 7]
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("MENTORA_DEMO_VAR", tempfile.mkdtemp(prefix="mentora-bench-"))

ZONE_NAME = "Europe/Paris"
DAYS = 90
WORKDAYS = (0, 2, 4)  # Monday, Wednesday, Friday
OPEN, CLOSE = time(9), time(17)
DURATION, INTERVAL, NOTICE = timedelta(minutes=60), timedelta(minutes=30), timedelta(minutes=60)
SESSIONS, DAYS_OFF = 200, 5


def _configure(workdir: Path) -> None:
    """tests.settings on a SQLite file, plus django-appointment with migrations generated in ``workdir``."""
    import django
    from django.conf import settings

    package = workdir / "bench_appointment_migrations"
    package.mkdir()
    (package / "__init__.py").write_text("")
    sys.path.insert(0, str(workdir))
    settings.DATABASES["default"]["NAME"] = str(workdir / "bench.sqlite3")
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "appointment"]
    settings.MIGRATION_MODULES = {**getattr(settings, "MIGRATION_MODULES", {}), "appointment": package.name}
    settings.TIME_ZONE = ZONE_NAME
    django.setup()

    from django.core.management import call_command

    call_command("makemigrations", "appointment", verbosity=0)
    call_command("migrate", verbosity=0)


def _workload(today: date, seed: int = 2026) -> tuple[list[date], list[datetime]]:
    """The days off and the 200 sessions' local starts (naive, Paris wall clock), the same for both sides.

    Days off are 5 working days drawn from the range; sessions fill the other working days round-robin (about six a
    day: the workload is a busy trainer), each at a whole hour not yet taken that day.
    """
    chance = random.Random(seed)
    workdays = [today + timedelta(days=n) for n in range(1, DAYS) if (today + timedelta(days=n)).weekday() in WORKDAYS]
    days_off = sorted(chance.sample(workdays, DAYS_OFF))
    open_days = [day for day in workdays if day not in days_off]
    grid = [datetime.combine(date.min, OPEN) + DURATION * n for n in range(8)]  # 09:00 ... 16:00
    taken: dict[date, list[datetime]] = {day: [] for day in open_days}
    placed = 0
    while placed < SESSIONS:
        progress = False
        for day in open_days:
            if placed == SESSIONS:
                break
            free = [
                start for start in grid
                if all(start + DURATION <= other or other + DURATION <= start for other in taken[day])
            ]
            if free:
                taken[day].append(chance.choice(free))
                placed += 1
                progress = True
        if not progress:
            raise SystemExit("the workload does not fit in the range")
    starts = sorted(datetime.combine(day, start.time()) for day, times in taken.items() for start in times)
    return days_off, starts


def _load_appointment(trainer, client, days_off, starts) -> tuple:
    from appointment.models import (
        Appointment,
        AppointmentRequest,
        Config,
        DayOff,
        Service,
        StaffMember,
        WorkingHours,
    )

    # The site-wide Config row that django-appointment's admin creates; without it, every call re-reads it.
    Config.objects.create()
    service = Service.objects.create(name="Mentoring", duration=DURATION, price=0)
    staff = StaffMember.objects.create(
        user=trainer, slot_duration=int(INTERVAL.total_seconds() // 60),
        appointment_buffer_time=NOTICE.total_seconds() / 60,
    )
    staff.services_offered.add(service)
    for weekday in WORKDAYS:  # django-appointment counts days from Sunday = 0
        WorkingHours.objects.create(staff_member=staff, day_of_week=(weekday + 1) % 7, start_time=OPEN, end_time=CLOSE)
    for day in days_off:
        DayOff.objects.create(staff_member=staff, start_date=day, end_date=day)
    for start in starts:
        request = AppointmentRequest.objects.create(
            date=start.date(), start_time=start.time(), end_time=(start + DURATION).time(),
            service=service, staff_member=staff,
        )
        Appointment.objects.create(client=client, appointment_request=request)
    return staff, service


def _load_mentora(trainer, days_off, starts, zone: ZoneInfo) -> int:
    from mentora_plugin.booking.models import (
        AvailabilityOverride,
        AvailabilityRule,
        Session,
        SessionType,
        TrainerCalendar,
    )

    calendar = TrainerCalendar.objects.create(trainer=trainer, time_zone=ZONE_NAME)
    for weekday in WORKDAYS:
        AvailabilityRule.objects.create(calendar=calendar, weekday=weekday, start_time=OPEN, end_time=CLOSE)
    for day in days_off:
        AvailabilityOverride.objects.create(calendar=calendar, date=day, kind=AvailabilityOverride.Kind.UNAVAILABLE)
    course = "course-v1:Bench+S101+2026"
    session_type = SessionType.objects.create(
        calendar=calendar, course_key=course, title="Mentoring", duration_minutes=60, capacity=1,
        minimum_notice_minutes=int(NOTICE.total_seconds() // 60), window_days=DAYS, slot_interval_minutes=30,
    )
    Session.objects.bulk_create(
        Session(
            calendar=calendar, session_type=session_type, course_key=course, start=start, end=start + DURATION,
            blocked_start=start, blocked_end=start + DURATION,
        )
        for start in (local.replace(tzinfo=zone).astimezone(UTC) for local in starts)
    )
    return session_type.pk


def _timed(function, runs: int) -> tuple[float, int, object]:
    """Median seconds over ``runs`` after one warm-up, the queries of one run, and the last result."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    function()
    with CaptureQueriesContext(connection) as queries:
        function()
    times = []
    for _ in range(runs):
        started = clock.perf_counter()
        result = function()
        times.append(clock.perf_counter() - started)
    return statistics.median(times), len(queries), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per side (after one warm-up)")
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="mentora-bench-slots-") as workdir:
        _configure(Path(workdir))
        run(arguments.runs)


def run(runs: int) -> None:
    import appointment
    from appointment.services import get_available_slots_for_staff
    from appointment.utils.db_helpers import get_weekday_num_from_date
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.utils import timezone

    from mentora_plugin.booking import api, slots

    zone = ZoneInfo(ZONE_NAME)
    today = timezone.localdate()
    days = [today + timedelta(days=n) for n in range(DAYS)]
    days_off, starts = _workload(today)
    users = get_user_model().objects
    trainer, client = users.create(username="trainer"), users.create(username="client")
    staff, service = _load_appointment(trainer, client, days_off, starts)
    session_type_id = _load_mentora(trainer, days_off, starts, zone)

    def peer():
        return {day: get_available_slots_for_staff(day, staff, get_weekday_num_from_date(day), service) for day in days}

    def mentora():
        return api.get_free_slots(session_type_id, days[0], days[-1], ZONE_NAME)

    # The arithmetic alone, on the same data in memory (what api hands to slots).
    calendar = slots.Calendar(
        zone,
        tuple(slots.WeeklyWindow(weekday, OPEN, CLOSE) for weekday in WORKDAYS),
        tuple(slots.DateOverride(day, "unavailable") for day in days_off),
        busy=tuple(
            slots.BusyPeriod(start, start + DURATION)
            for start in (local.replace(tzinfo=zone).astimezone(UTC) for local in starts)
        ),
    )
    policy = slots.Policy(DURATION, INTERVAL, timedelta(0), timedelta(0), NOTICE, DAYS, None, None)
    range_start = datetime.combine(days[0], time(0), zone)
    range_end = datetime.combine(days[-1] + timedelta(days=1), time(0), zone)

    def pure():
        return slots.free_slots(calendar, policy, range_start, range_end, timezone.now())

    # Same answer on both sides before any timing (the notice boundary could move between two calls: not at 09:00).
    cache.clear()
    theirs = sorted(slot.replace(tzinfo=zone) for found in peer().values() for slot in found)
    ours = [slot.start for slot in mentora()]
    if theirs != ours:
        missing, extra = sorted(set(theirs) - set(ours))[:5], sorted(set(ours) - set(theirs))[:5]
        raise SystemExit(f"the two disagree: {len(theirs)} vs {len(ours)} slots; only theirs {missing}, ours {extra}")

    peer_median, peer_queries, _ = _timed(peer, runs)
    api_median, api_queries, _ = _timed(mentora, runs)
    pure_median, _, _ = _timed(pure, runs)

    print(f"workload: {DAYS} days from {today}, Mon/Wed/Fri {OPEN:%H:%M}-{CLOSE:%H:%M} {ZONE_NAME}, "
          f"{DURATION.seconds // 60}-min sessions every {INTERVAL.seconds // 60} min, {DAYS_OFF} days off, "
          f"{len(starts)} sessions; {len(ours)} free slots, identical on both sides")
    print(f"SQLite file, median of {runs} runs after a warm-up\n")
    print(f"{'':58} {'median':>10} {'queries':>8}")
    print(f"{'django-appointment ' + appointment.__version__ + ' get_available_slots_for_staff x90':58} "
          f"{peer_median * 1e3:>8.2f}ms {peer_queries:>8}")
    print(f"{'Mentora api.get_free_slots (one call, 90 days)':58} {api_median * 1e3:>8.2f}ms {api_queries:>8}")
    print(f"{'Mentora slots.free_slots alone (in memory)':58} {pure_median * 1e3:>8.2f}ms {0:>8}")
    print(f"\nratio: Mentora is {peer_median / api_median:.0f}x faster through its API "
          f"(target >= 20x, <= 5 queries: {'met' if peer_median / api_median >= 20 and api_queries <= 5 else 'MISSED'})"
          f"; the arithmetic takes {pure_median / DAYS * 1e6:.0f} µs per day")


if __name__ == "__main__":
    main()
