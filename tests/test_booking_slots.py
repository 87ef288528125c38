"""
Booking's slot arithmetic (``mentora_plugin.booking.slots``): pure functions, no database.

Daylight saving is where booking tools go wrong (Cal.com's most reported bug), so each zone below is tested around
both of its yearly changes with expectations worked out by hand in UTC: a northern zone (Europe/Paris,
America/New_York), a southern one (Australia/Sydney), a half-hour zone (Asia/Kolkata), a 45-minute zone
(Asia/Kathmandu), and Australia/Lord_Howe, whose clocks move by only 30 minutes. Then the rules one by one
(overrides, buffers, notice, windows, limits, group sessions, every ``check`` code), and a randomised property test:
``free_slots`` offers exactly what ``check`` accepts, and nothing that overlaps the trainer's busy time.
"""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from mentora_plugin.booking.slots import (
    CODES,
    BusyPeriod,
    Calendar,
    DateOverride,
    OpenSession,
    Policy,
    Slot,
    Verdict,
    WeeklyWindow,
    check,
    free_slots,
)

PARIS = ZoneInfo("Europe/Paris")
MINUTES = timedelta(minutes=1)
MONDAY, SUNDAY = 0, 6


def policy(**changes) -> Policy:
    """A 60-minute 1:1 type every 30 minutes, no buffers, no notice, no window: each test changes what it tests."""
    values = {
        "duration": 60 * MINUTES,
        "interval": 30 * MINUTES,
        "buffer_before": timedelta(0),
        "buffer_after": timedelta(0),
        "minimum_notice": timedelta(0),
        "window_days": None,
        "window_start": None,
        "window_end": None,
    }
    values.update(changes)
    return Policy(**values)


def utc(*fields) -> datetime:
    return datetime(*fields, tzinfo=UTC)


def local(zone: ZoneInfo, *fields, fold: int = 0) -> datetime:
    return datetime(*fields, tzinfo=zone, fold=fold)


LONG_AGO = utc(2026, 1, 1)


def slots_on(calendar: Calendar, rules: Policy, day: date, now: datetime = LONG_AGO) -> list[Slot]:
    """The slots whose local start date (in the calendar's zone) is ``day``."""
    start = datetime.combine(day, time(0), calendar.zone)
    end = datetime.combine(day + timedelta(days=1), time(0), calendar.zone)
    return free_slots(calendar, rules, start, end, now)


def starts(slots: list[Slot]) -> list[datetime]:
    return [slot.start for slot in slots]


def wall(slots: list[Slot], zone: ZoneInfo) -> list[str]:
    return [slot.start.astimezone(zone).strftime("%H:%M") for slot in slots]


# --- daylight saving --------------------------------------------------------------------------------------------

#: (zone, the Sunday clocks go forward, the Sunday they go back) in 2026.
CHANGING_ZONES = [
    ("Europe/Paris", date(2026, 3, 29), date(2026, 10, 25)),
    ("America/New_York", date(2026, 3, 8), date(2026, 11, 1)),
    ("Australia/Sydney", date(2026, 10, 4), date(2026, 4, 5)),
    ("Australia/Lord_Howe", date(2026, 10, 4), date(2026, 4, 5)),
]
STEADY_ZONES = ["Asia/Kolkata", "Asia/Kathmandu"]


@pytest.mark.parametrize(("name", "forward", "back"), CHANGING_ZONES)
def test_the_test_dates_are_the_changes(name, forward, back):
    zone = ZoneInfo(name)

    def offsets(day):
        return datetime.combine(day, time(0), zone).utcoffset(), datetime.combine(day, time(12), zone).utcoffset()

    before, after = offsets(forward)
    assert after > before
    before, after = offsets(back)
    assert after < before


#: (zone, the Sunday of a change, how far the clocks move then): forward is positive.
CHANGES = [
    *((name, forward, 30 * MINUTES if name == "Australia/Lord_Howe" else 60 * MINUTES)
      for name, forward, _ in CHANGING_ZONES),
    *((name, back, -30 * MINUTES if name == "Australia/Lord_Howe" else -60 * MINUTES)
      for name, _, back in CHANGING_ZONES),
    *((name, day, timedelta(0)) for name in STEADY_ZONES for day in (date(2026, 3, 29), date(2026, 10, 25))),
]


@pytest.mark.parametrize(("name", "sunday", "shift"), CHANGES)
def test_a_monday_morning_rule_stays_at_nine_local_on_both_sides_of_a_change(name, sunday, shift):
    """The Mondays before and after: the same wall-clock slots, one week minus the clock change apart in UTC."""
    zone = ZoneInfo(name)
    calendar = Calendar(zone, (WeeklyWindow(MONDAY, time(9), time(12)),), ())
    before = slots_on(calendar, policy(), sunday - timedelta(days=6))
    after = slots_on(calendar, policy(), sunday + timedelta(days=1))
    for slots in (before, after):
        assert wall(slots, zone) == ["09:00", "09:30", "10:00", "10:30", "11:00"]
        assert all(slot.end - slot.start == 60 * MINUTES for slot in slots)
    assert [b.start + timedelta(days=7) - shift for b in before] == starts(after)


def test_half_and_three_quarter_hour_zones_land_on_the_right_utc_minute():
    for name, nine in (("Asia/Kolkata", utc(2026, 3, 30, 3, 30)), ("Asia/Kathmandu", utc(2026, 3, 30, 3, 15))):
        calendar = Calendar(ZoneInfo(name), (WeeklyWindow(MONDAY, time(9), time(12)),), ())
        slots = slots_on(calendar, policy(), date(2026, 3, 30))
        assert slots[0].start == nine
        assert starts(slots) == [nine + step * 30 * MINUTES for step in range(5)]


#: A Sunday 01:00-04:00 window on the night clocks go forward: (zone, date, expected UTC starts).
SPRING_NIGHTS = [
    # 02:00 -> 03:00: 01:00 and 01:30 CET, then 03:00 CEST; the window lasts 2 hours (00:00Z-02:00Z).
    ("Europe/Paris", date(2026, 3, 29), [utc(2026, 3, 29, 0), utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1)]),
    ("America/New_York", date(2026, 3, 8), [utc(2026, 3, 8, 6), utc(2026, 3, 8, 6, 30), utc(2026, 3, 8, 7)]),
    ("Australia/Sydney", date(2026, 10, 4), [utc(2026, 10, 3, 15), utc(2026, 10, 3, 15, 30), utc(2026, 10, 3, 16)]),
    # 02:00 -> 02:30: only 02:00 is lost; the window lasts 2.5 hours (14:30Z-17:00Z).
    (
        "Australia/Lord_Howe",
        date(2026, 10, 4),
        [utc(2026, 10, 3, 14, 30), utc(2026, 10, 3, 15), utc(2026, 10, 3, 15, 30), utc(2026, 10, 3, 16)],
    ),
]


@pytest.mark.parametrize(("name", "night", "expected"), SPRING_NIGHTS)
def test_spring_forward_night_offers_only_existing_times_with_true_durations(name, night, expected):
    zone = ZoneInfo(name)
    calendar = Calendar(zone, (WeeklyWindow(SUNDAY, time(1), time(4)),), ())
    slots = slots_on(calendar, policy(), night)
    assert starts(slots) == expected
    for slot in slots:
        assert slot.end - slot.start == 60 * MINUTES
        there = slot.start.astimezone(zone)
        assert there.replace(tzinfo=None).replace(tzinfo=zone).astimezone(UTC) == slot.start  # the time exists
    assert "02:00" not in wall(slots, zone)


#: A Sunday 01:00-04:00 window on the night clocks go back: the repeated hour's times are offered once (their first
#: occurrence), the window keeps its true length, and the grid stays on the wall clock.
FALL_NIGHTS = [
    # 03:00 CEST -> 02:00 CET: the window is 23:00Z-03:00Z (4 hours); 02:00 and 02:30 are their CEST occurrences.
    (
        "Europe/Paris",
        date(2026, 10, 25),
        [utc(2026, 10, 24, 23), utc(2026, 10, 24, 23, 30), utc(2026, 10, 25, 0), utc(2026, 10, 25, 0, 30),
         utc(2026, 10, 25, 2)],
    ),
    # 02:00 EDT -> 01:00 EST: 01:00 and 01:30 are EDT; the window is 05:00Z-09:00Z.
    (
        "America/New_York",
        date(2026, 11, 1),
        [utc(2026, 11, 1, 5), utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 7), utc(2026, 11, 1, 7, 30),
         utc(2026, 11, 1, 8)],
    ),
    (
        "Australia/Sydney",
        date(2026, 4, 5),
        [utc(2026, 4, 4, 14), utc(2026, 4, 4, 14, 30), utc(2026, 4, 4, 15), utc(2026, 4, 4, 15, 30),
         utc(2026, 4, 4, 17)],
    ),
    # 02:00 (+11) -> 01:30 (+10:30): 01:30 is ambiguous, taken at +11; the window is 14:00Z-17:30Z.
    (
        "Australia/Lord_Howe",
        date(2026, 4, 5),
        [utc(2026, 4, 4, 14), utc(2026, 4, 4, 14, 30), utc(2026, 4, 4, 15, 30), utc(2026, 4, 4, 16),
         utc(2026, 4, 4, 16, 30)],
    ),
]


@pytest.mark.parametrize(("name", "night", "expected"), FALL_NIGHTS)
def test_fall_back_night_takes_the_first_occurrence_of_repeated_times(name, night, expected):
    zone = ZoneInfo(name)
    calendar = Calendar(zone, (WeeklyWindow(SUNDAY, time(1), time(4)),), ())
    slots = slots_on(calendar, policy(), night)
    assert starts(slots) == expected
    assert all(slot.end - slot.start == 60 * MINUTES for slot in slots)
    for slot in slots:  # every start is on the wall-clock grid, at its first occurrence
        there = slot.start.astimezone(zone)
        assert there.minute in (0, 30) and there.fold == 0
        assert check(calendar, policy(), slot.start, LONG_AGO) == Verdict(True, "ok")
    # The second occurrence of a repeated grid time is not a start: it is off the grid.
    repeated = [moment for moment in (expected[0] + step * 30 * MINUTES for step in range(10))
                if moment.astimezone(zone).fold == 1]
    assert repeated
    for moment in repeated:
        assert moment not in expected
        assert check(calendar, policy(), moment, LONG_AGO).code == "not_available"


def test_a_naive_start_in_the_gap_is_a_nonexistent_local_time():
    calendar = Calendar(PARIS, (WeeklyWindow(SUNDAY, time(1), time(4)),), ())
    assert check(calendar, policy(), datetime(2026, 3, 29, 2, 30), LONG_AGO).code == "nonexistent_local_time"
    assert check(calendar, policy(), local(PARIS, 2026, 3, 29, 2, 30), LONG_AGO).code == "nonexistent_local_time"
    # The same wall times that exist are fine, naive (the trainer's wall clock) or aware.
    assert check(calendar, policy(), datetime(2026, 3, 29, 3, 0), LONG_AGO) == Verdict(True, "ok")
    assert check(calendar, policy(), local(PARIS, 2026, 3, 29, 1, 30), LONG_AGO) == Verdict(True, "ok")


def test_a_window_edge_inside_the_gap_is_the_moment_of_the_change():
    """Paris, 29 March 2026: a window 01:00-02:30 really ends at 03:00 CEST (01:00Z), the first existing time."""
    calendar = Calendar(PARIS, (WeeklyWindow(SUNDAY, time(0), time(2, 30)),), ())
    slots = slots_on(calendar, policy(), date(2026, 3, 29))
    assert starts(slots)[-1] == utc(2026, 3, 29, 0)  # 01:00 CET, ending 03:00 CEST
    calendar = Calendar(PARIS, (WeeklyWindow(SUNDAY, time(2, 30), time(5)),), ())
    assert wall(slots_on(calendar, policy(), date(2026, 3, 29)), PARIS) == ["03:00", "03:30", "04:00"]


def test_a_window_crossing_the_change_keeps_its_true_length():
    """Paris, 25 October 2026: 00:00-06:00 local lasts 7 hours; 3-hour sessions every hour fit from 00:00 to 03:00."""
    calendar = Calendar(PARIS, (WeeklyWindow(SUNDAY, time(0), time(6)),), ())
    slots = slots_on(calendar, policy(duration=180 * MINUTES, interval=60 * MINUTES), date(2026, 10, 25))
    assert wall(slots, PARIS) == ["00:00", "01:00", "02:00", "03:00"]
    assert slots[-1].end == datetime(2026, 10, 25, 6, tzinfo=PARIS).astimezone(UTC)
    assert all(slot.end - slot.start == 180 * MINUTES for slot in slots)


# --- availability and overrides ---------------------------------------------------------------------------------

MONDAY_MORNINGS = Calendar(PARIS, (WeeklyWindow(MONDAY, time(9), time(12)),), ())
A_MONDAY = date(2026, 6, 1)


def with_(calendar: Calendar, **changes) -> Calendar:
    values = {field: getattr(calendar, field) for field in calendar.__dataclass_fields__}
    values.update(changes)
    return Calendar(**values)


def test_a_day_off_removes_the_whole_day_and_only_that_day():
    calendar = with_(MONDAY_MORNINGS, overrides=(DateOverride(A_MONDAY, "unavailable"),))
    assert slots_on(calendar, policy(), A_MONDAY) == []
    assert len(slots_on(calendar, policy(), A_MONDAY + timedelta(days=7))) == 5
    assert check(calendar, policy(), local(PARIS, 2026, 6, 1, 9), LONG_AGO).code == "not_available"


def test_partial_time_off_removes_that_part_and_keeps_the_grid():
    calendar = with_(MONDAY_MORNINGS, overrides=(DateOverride(A_MONDAY, "unavailable", time(10), time(10, 45)),))
    assert wall(slots_on(calendar, policy(), A_MONDAY), PARIS) == ["09:00", "11:00"]
    assert check(calendar, policy(), local(PARIS, 2026, 6, 1, 9, 30), LONG_AGO).code == "not_available"


def test_extra_hours_add_a_window_for_that_date():
    tuesday = A_MONDAY + timedelta(days=1)
    calendar = with_(MONDAY_MORNINGS, overrides=(DateOverride(tuesday, "extra", time(14), time(16)),))
    assert wall(slots_on(calendar, policy(), tuesday), PARIS) == ["14:00", "14:30", "15:00"]
    assert slots_on(calendar, policy(), tuesday + timedelta(days=7)) == []
    # Extra hours beside the weekly ones: both windows, each on its own grid.
    calendar = with_(MONDAY_MORNINGS, overrides=(DateOverride(A_MONDAY, "extra", time(17, 15), time(18, 15)),))
    assert wall(slots_on(calendar, policy(), A_MONDAY), PARIS) == ["09:00", "09:30", "10:00", "10:30", "11:00", "17:15"]


def test_time_off_wins_over_extra_hours_on_the_same_date():
    overrides = (
        DateOverride(A_MONDAY, "extra", time(14), time(16)),
        DateOverride(A_MONDAY, "unavailable", time(14), time(15)),
    )
    assert wall(slots_on(with_(MONDAY_MORNINGS, overrides=overrides), policy(), A_MONDAY), PARIS)[-1:] == ["15:00"]
    overrides = (DateOverride(A_MONDAY, "extra", time(14), time(16)), DateOverride(A_MONDAY, "unavailable"))
    assert slots_on(with_(MONDAY_MORNINGS, overrides=overrides), policy(), A_MONDAY) == []


def test_a_window_ending_at_midnight_runs_to_the_end_of_the_day():
    calendar = Calendar(PARIS, (WeeklyWindow(MONDAY, time(22), time(0)),), ())
    assert wall(slots_on(calendar, policy(), A_MONDAY), PARIS) == ["22:00", "22:30", "23:00"]


def test_overlapping_windows_do_not_repeat_a_start():
    calendar = Calendar(PARIS, (WeeklyWindow(MONDAY, time(9), time(11)), WeeklyWindow(MONDAY, time(10), time(12))), ())
    assert wall(slots_on(calendar, policy(), A_MONDAY), PARIS) == ["09:00", "09:30", "10:00", "10:30", "11:00"]


def test_off_grid_starts_are_not_available():
    assert check(MONDAY_MORNINGS, policy(), local(PARIS, 2026, 6, 1, 9, 15), LONG_AGO).code == "not_available"
    assert check(MONDAY_MORNINGS, policy(), local(PARIS, 2026, 6, 1, 11, 30), LONG_AGO).code == "not_available"
    assert check(MONDAY_MORNINGS, policy(), local(PARIS, 2026, 6, 2, 9), LONG_AGO).code == "not_available"


# --- busy time and buffers --------------------------------------------------------------------------------------


def test_buffers_on_both_sides_keep_clear_of_an_existing_session():
    # An existing session 10:00-11:00 whose own buffers make it busy 09:45-11:15.
    busy = (BusyPeriod(local(PARIS, 2026, 6, 1, 9, 45), local(PARIS, 2026, 6, 1, 11, 15)),)
    calendar = Calendar(PARIS, (WeeklyWindow(MONDAY, time(8), time(14)),), (), busy=busy)
    rules = policy(interval=15 * MINUTES, buffer_before=15 * MINUTES, buffer_after=15 * MINUTES)
    offered = wall(slots_on(calendar, rules, A_MONDAY), PARIS)
    # 08:30-09:30 plus its 15 minutes after just touches 09:45; 11:30 minus 15 minutes just touches 11:15.
    assert offered == ["08:00", "08:15", "08:30", "11:30", "11:45", "12:00", "12:15", "12:30", "12:45", "13:00"]
    assert check(calendar, rules, local(PARIS, 2026, 6, 1, 8, 45), LONG_AGO).code == "overlaps"
    assert check(calendar, rules, local(PARIS, 2026, 6, 1, 11, 15), LONG_AGO).code == "overlaps"
    # Without buffers of its own, the new session may sit right against the busy period.
    assert "08:45" in wall(slots_on(calendar, policy(interval=15 * MINUTES), A_MONDAY), PARIS)


def test_busy_periods_may_come_in_any_order_and_overlap_each_other():
    periods = [
        BusyPeriod(local(PARIS, 2026, 6, 1, 11), local(PARIS, 2026, 6, 1, 11, 30)),
        BusyPeriod(local(PARIS, 2026, 6, 1, 9), local(PARIS, 2026, 6, 1, 10)),
        BusyPeriod(local(PARIS, 2026, 6, 1, 9, 30), local(PARIS, 2026, 6, 1, 9, 45)),
    ]
    calendar = with_(MONDAY_MORNINGS, busy=tuple(periods))
    assert wall(slots_on(calendar, policy(), A_MONDAY), PARIS) == ["10:00"]


# --- notice and booking window ----------------------------------------------------------------------------------


def test_minimum_notice_and_the_past():
    now = local(PARIS, 2026, 6, 1, 8, 0)
    rules = policy(minimum_notice=120 * MINUTES)
    assert wall(slots_on(MONDAY_MORNINGS, rules, A_MONDAY, now), PARIS) == ["10:00", "10:30", "11:00"]
    assert check(MONDAY_MORNINGS, rules, local(PARIS, 2026, 6, 1, 9, 30), now).code == "too_soon"
    assert check(MONDAY_MORNINGS, rules, local(PARIS, 2026, 6, 1, 7, 30), now).code == "in_the_past"
    assert check(MONDAY_MORNINGS, rules, local(PARIS, 2026, 6, 1, 10), now) == Verdict(True, "ok")


def test_rolling_window_counts_local_days_from_today():
    # 23:30 UTC on Sunday 31 May is already Monday 1 June in Paris: today is the 1st there.
    now = utc(2026, 5, 31, 23, 30)
    rules = policy(window_days=14)
    found = free_slots(MONDAY_MORNINGS, rules, utc(2026, 5, 1), utc(2026, 8, 1), now)
    assert sorted({slot.start.astimezone(PARIS).date() for slot in found}) == [
        date(2026, 6, 1), date(2026, 6, 8), date(2026, 6, 15),
    ]
    assert check(MONDAY_MORNINGS, rules, local(PARIS, 2026, 6, 22, 9), now).code == "outside_window"


def test_fixed_date_range_and_both_bounds_together():
    rules = policy(window_start=date(2026, 6, 8), window_end=date(2026, 6, 15))
    found = free_slots(MONDAY_MORNINGS, rules, utc(2026, 5, 1), utc(2026, 8, 1), LONG_AGO)
    assert sorted({slot.start.astimezone(PARIS).date() for slot in found}) == [date(2026, 6, 8), date(2026, 6, 15)]
    assert check(MONDAY_MORNINGS, rules, local(PARIS, 2026, 6, 1, 9), LONG_AGO).code == "outside_window"
    assert check(MONDAY_MORNINGS, rules, local(PARIS, 2026, 6, 22, 9), LONG_AGO).code == "outside_window"
    # A rolling window and a date range: the tighter of each bound applies.
    now = local(PARIS, 2026, 6, 2, 12)
    rules = policy(window_days=10, window_start=date(2026, 6, 1), window_end=date(2026, 6, 30))
    found = free_slots(MONDAY_MORNINGS, rules, utc(2026, 5, 1), utc(2026, 8, 1), now)
    assert sorted({slot.start.astimezone(PARIS).date() for slot in found}) == [date(2026, 6, 8)]


def test_the_range_includes_its_start_and_excludes_its_end():
    nine, eleven = local(PARIS, 2026, 6, 1, 9), local(PARIS, 2026, 6, 1, 11)
    assert wall(free_slots(MONDAY_MORNINGS, policy(), nine, eleven, LONG_AGO), PARIS) == [
        "09:00", "09:30", "10:00", "10:30",
    ]
    assert free_slots(MONDAY_MORNINGS, policy(), eleven, nine, LONG_AGO) == []


# --- the trainer's limits ---------------------------------------------------------------------------------------


def test_daily_limit_counts_the_trainers_local_day():
    week = Calendar(PARIS, tuple(WeeklyWindow(day, time(9), time(12)) for day in range(5)), ())
    # Two sessions on Monday 1 June in Paris; the first is still Sunday in UTC.
    scheduled = (utc(2026, 5, 31, 22, 30), local(PARIS, 2026, 6, 1, 15))
    calendar = with_(week, scheduled_starts=scheduled)
    rules = policy(max_per_day=2)
    assert slots_on(calendar, rules, A_MONDAY) == []
    assert len(slots_on(calendar, rules, A_MONDAY + timedelta(days=1))) == 5
    assert check(calendar, rules, local(PARIS, 2026, 6, 1, 9), LONG_AGO).code == "daily_limit"
    assert len(slots_on(calendar, policy(max_per_day=3), A_MONDAY)) == 5


def test_weekly_limit_counts_monday_to_sunday_local_weeks():
    week = Calendar(PARIS, tuple(WeeklyWindow(day, time(9), time(12)) for day in range(7)), ())
    # Monday and Wednesday of the week of 1 June; Sunday 7 June 23:30 in Paris is still that week (21:30Z).
    scheduled = (local(PARIS, 2026, 6, 1, 15), local(PARIS, 2026, 6, 3, 15), utc(2026, 6, 7, 21, 30))
    calendar = with_(week, scheduled_starts=scheduled)
    rules = policy(max_per_week=3)
    found = free_slots(calendar, rules, utc(2026, 6, 1), utc(2026, 6, 15), LONG_AGO)
    assert {slot.start.astimezone(PARIS).date() for slot in found} == {date(2026, 6, 8) + timedelta(days=n)
                                                                        for n in range(7)}
    assert check(calendar, rules, local(PARIS, 2026, 6, 5, 9), LONG_AGO).code == "weekly_limit"
    assert check(calendar, rules, local(PARIS, 2026, 6, 8, 9), LONG_AGO) == Verdict(True, "ok")


# --- group sessions ---------------------------------------------------------------------------------------------


def test_open_group_sessions_are_offered_with_their_seats_and_full_ones_are_not():
    rules = policy(capacity=6)
    open_one = OpenSession(41, local(PARIS, 2026, 6, 1, 10), local(PARIS, 2026, 6, 1, 11), seats_left=3)
    full_one = OpenSession(42, local(PARIS, 2026, 6, 8, 10), local(PARIS, 2026, 6, 8, 11), seats_left=0)
    calendar = with_(MONDAY_MORNINGS, open_sessions=(open_one, full_one))
    # 10:00 joins session 41; no fresh session may overlap it (09:30, 10:30), 09:00 and 11:00 just touch it.
    assert slots_on(calendar, rules, A_MONDAY) == [
        Slot(local(PARIS, 2026, 6, 1, 9).astimezone(UTC), local(PARIS, 2026, 6, 1, 10).astimezone(UTC), None, 6),
        Slot(open_one.start.astimezone(UTC), open_one.end.astimezone(UTC), 41, 3),
        Slot(local(PARIS, 2026, 6, 1, 11).astimezone(UTC), local(PARIS, 2026, 6, 1, 12).astimezone(UTC), None, 6),
    ]
    assert check(calendar, rules, open_one.start, LONG_AGO) == Verdict(True, "ok", 41)
    assert wall(slots_on(calendar, rules, A_MONDAY + timedelta(days=7)), PARIS) == ["09:00", "11:00"]
    assert check(calendar, rules, full_one.start, LONG_AGO).code == "session_full"
    assert check(calendar, rules, local(PARIS, 2026, 6, 8, 10, 30), LONG_AGO).code == "overlaps"
    # The type's buffers hold around an open session too (15 minutes after: 09:00 + 60 + 15 runs into 10:00).
    rules = policy(capacity=6, buffer_after=15 * MINUTES)
    assert [slot.session_id for slot in slots_on(calendar, rules, A_MONDAY)] == [41]
    # A session passed with its own blocked times (its buffers when it was made) uses those.
    tight = OpenSession(41, open_one.start, open_one.end, 3, blocked_start=open_one.start, blocked_end=open_one.end)
    assert wall(slots_on(with_(calendar, open_sessions=(tight,)), policy(capacity=6), A_MONDAY), PARIS) == [
        "09:00", "10:00", "11:00",
    ]


def test_open_group_sessions_ignore_availability_but_not_notice_or_window():
    # A session the trainer set on a Tuesday evening, outside the weekly rules.
    evening = OpenSession(7, local(PARIS, 2026, 6, 2, 19), local(PARIS, 2026, 6, 2, 20), seats_left=1)
    calendar = with_(MONDAY_MORNINGS, open_sessions=(evening,))
    assert starts(slots_on(calendar, policy(capacity=4), date(2026, 6, 2))) == [evening.start.astimezone(UTC)]
    now = local(PARIS, 2026, 6, 2, 18, 30)
    assert slots_on(calendar, policy(minimum_notice=60 * MINUTES), date(2026, 6, 2), now) == []
    assert check(calendar, policy(minimum_notice=60 * MINUTES), evening.start, now).code == "too_soon"
    rules = policy(window_end=date(2026, 6, 1))
    assert slots_on(calendar, rules, date(2026, 6, 2)) == []
    assert check(calendar, rules, evening.start, LONG_AGO).code == "outside_window"


# --- check's codes, results' shape ------------------------------------------------------------------------------


def test_every_code_is_reachable_and_has_its_own_message():
    now = local(PARIS, 2026, 6, 1, 8)
    open_one = OpenSession(1, local(PARIS, 2026, 6, 8, 10), local(PARIS, 2026, 6, 8, 11), seats_left=2)
    full_one = OpenSession(2, local(PARIS, 2026, 6, 15, 10), local(PARIS, 2026, 6, 15, 11), seats_left=0)
    calendar = with_(
        MONDAY_MORNINGS,
        windows=(WeeklyWindow(MONDAY, time(9), time(12)), WeeklyWindow(SUNDAY, time(1), time(4))),
        busy=(BusyPeriod(local(PARIS, 2026, 6, 22, 9), local(PARIS, 2026, 6, 22, 10)),),
        open_sessions=(open_one, full_one),
        scheduled_starts=(local(PARIS, 2026, 6, 29, 15), local(PARIS, 2026, 7, 1, 15)),
    )
    rules = policy(minimum_notice=120 * MINUTES, window_days=60, max_per_day=1, max_per_week=2)
    asked = {
        "ok": local(PARIS, 2026, 6, 1, 10),
        "nonexistent_local_time": datetime(2027, 3, 28, 2, 30),
        "in_the_past": local(PARIS, 2026, 6, 1, 7),
        "too_soon": local(PARIS, 2026, 6, 1, 9),
        "outside_window": local(PARIS, 2026, 9, 7, 9),
        "session_full": full_one.start,
        "not_available": local(PARIS, 2026, 6, 2, 9),
        "overlaps": local(PARIS, 2026, 6, 22, 9, 30),
        "daily_limit": local(PARIS, 2026, 6, 29, 9),
        "weekly_limit": local(PARIS, 2026, 7, 5, 1),
    }
    verdicts = {code: check(calendar, rules, start, now) for code, start in asked.items()}
    assert {code: verdict.code for code, verdict in verdicts.items()} == {code: code for code in asked}
    assert set(asked) == set(CODES)
    assert check(calendar, rules, open_one.start, now) == Verdict(True, "ok", 1)
    assert [verdict.bookable for verdict in verdicts.values()] == [True] + [False] * 9
    with translation.override("en"):
        messages = {verdict.message for verdict in verdicts.values()}
    assert len(messages) == len(CODES) and all(message and " " in message for message in messages)


def test_results_are_sorted_in_utc_whatever_zone_the_range_comes_in():
    tokyo = ZoneInfo("Asia/Tokyo")
    calendar = Calendar(
        PARIS,
        (WeeklyWindow(MONDAY, time(14), time(17)), WeeklyWindow(MONDAY, time(9), time(12))),
        (DateOverride(A_MONDAY, "extra", time(7), time(8)),),
        open_sessions=(OpenSession(3, local(PARIS, 2026, 6, 1, 12, 15), local(PARIS, 2026, 6, 1, 13), 1),),
    )
    found = free_slots(calendar, policy(capacity=2), datetime(2026, 6, 1, tzinfo=tokyo),
                       datetime(2026, 6, 9, tzinfo=tokyo), LONG_AGO)
    assert found == sorted(found, key=lambda slot: slot.start)
    assert all(slot.start.tzinfo is UTC and slot.end.tzinfo is UTC for slot in found)
    assert len({slot.start for slot in found}) == len(found)


# --- property test ----------------------------------------------------------------------------------------------


def _random_case(seed: int):
    """A random trainer (zone, rules, overrides, busy time, open sessions, counts) and a random policy."""
    chance = random.Random(seed)
    zone = ZoneInfo(chance.choice(["Europe/Paris", "America/New_York", "Australia/Sydney", "Australia/Lord_Howe",
                                   "Asia/Kolkata", "Asia/Kathmandu", "America/Santiago", "UTC"]))
    # Around a change of either hemisphere, so daylight saving is in play most of the time.
    base = datetime.combine(chance.choice([date(2026, 3, 25), date(2026, 10, 1), date(2026, 10, 22)]), time(0), UTC)

    def clock(low=0, high=24 * 60 - 15):
        minutes = chance.randrange(low, high, 15)
        return time(minutes // 60, minutes % 60)

    windows = []
    for _ in range(chance.randint(1, 6)):
        start = clock(0, 22 * 60)
        end = clock(start.hour * 60 + start.minute + 30, 24 * 60) if chance.random() < 0.9 else time(0)
        windows.append(WeeklyWindow(chance.randrange(7), start, end))
    overrides = []
    for _ in range(chance.randint(0, 4)):
        day = (base + timedelta(days=chance.randrange(14))).date()
        kind = chance.choice(["extra", "unavailable"])
        if kind == "unavailable" and chance.random() < 0.3:
            overrides.append(DateOverride(day, kind))
        else:
            start = clock(0, 23 * 60)
            overrides.append(DateOverride(day, kind, start, clock(start.hour * 60 + start.minute + 15, 24 * 60)))
    busy, opened = [], []
    for index in range(chance.randint(0, 12)):
        start = base + timedelta(minutes=chance.randrange(0, 14 * 24 * 60, 15))
        length = timedelta(minutes=chance.choice([15, 30, 60, 90]))
        if chance.random() < 0.25:
            opened.append(OpenSession(index, start, start + length, chance.randint(0, 3)))
        else:
            busy.append(BusyPeriod(start - timedelta(minutes=chance.choice([0, 10])), start + length))
    scheduled = tuple(base + timedelta(minutes=chance.randrange(0, 14 * 24 * 60)) for _ in range(chance.randint(0, 8)))
    rules = policy(
        duration=timedelta(minutes=chance.choice([15, 30, 45, 60, 90])),
        interval=timedelta(minutes=chance.choice([15, 20, 30, 60])),
        buffer_before=timedelta(minutes=chance.choice([0, 0, 5, 15])),
        buffer_after=timedelta(minutes=chance.choice([0, 0, 10, 30])),
        minimum_notice=timedelta(minutes=chance.choice([0, 60, 24 * 60])),
        window_days=chance.choice([None, 3, 10]),
        window_end=chance.choice([None, (base + timedelta(days=9)).date()]),
        capacity=chance.choice([1, 1, 5]),
        max_per_day=chance.choice([None, 1, 2]),
        max_per_week=chance.choice([None, 3]),
    )
    calendar = Calendar(zone, tuple(windows), tuple(overrides), tuple(busy), tuple(opened), scheduled)
    now = base + timedelta(minutes=chance.randrange(0, 3 * 24 * 60))
    return calendar, rules, base, base + timedelta(days=14), now


@pytest.mark.parametrize("seed", range(150))
def test_free_slots_offer_exactly_what_check_accepts_and_never_overlap_busy_time(seed):
    calendar, rules, range_start, range_end, now = _random_case(seed)
    found = free_slots(calendar, rules, range_start, range_end, now)
    offered = {slot.start: slot for slot in found}
    assert len(offered) == len(found)
    assert found == sorted(found, key=lambda slot: slot.start)
    blocked = [(period.start, period.end) for period in calendar.busy] + [
        (session.start - rules.buffer_before, session.end + rules.buffer_after) for session in calendar.open_sessions
    ]
    for slot in found:
        assert range_start <= slot.start < range_end
        verdict = check(calendar, rules, slot.start, now)
        assert verdict == Verdict(True, "ok", slot.session_id), (slot, verdict)
        if slot.session_id is None:
            # Slots are alternatives and may overlap each other; none overlaps the trainer's busy time.
            low, high = slot.start - rules.buffer_before, slot.end + rules.buffer_after
            assert not any(start < high and low < end for start, end in blocked), slot
            assert slot.end - slot.start == rules.duration and slot.seats_left == rules.capacity
    # And conversely: what is not offered is refused, next to each slot and at random 5-minute steps of the range.
    chance = random.Random(-seed)
    steps = int((range_end - range_start) / (5 * MINUTES))
    near = [slot.start + delta * MINUTES for slot in found for delta in (-15, -5, 5, 15)]
    for moment in near + [range_start + chance.randrange(steps) * 5 * MINUTES for _ in range(200)]:
        if range_start <= moment < range_end and moment not in offered:
            assert not check(calendar, rules, moment, now).bookable, moment
