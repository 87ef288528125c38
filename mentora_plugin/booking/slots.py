"""
Free slots and "can this time be booked, and if not why": pure time arithmetic, no models, no queries.

Why pure: ``api`` loads one trainer's data for a date range in a fixed, small number of queries and hands it here,
so the rules below are tested by the thousand without a database, and the one place that decides what is bookable
is shared by the slot list (``free_slots``) and the booking itself (``check``): they cannot disagree.

Time model, and why:

- Availability is the trainer's wall clock (``WeeklyWindow``, ``DateOverride``) in their IANA zone, so "Mondays
  09:00" stays 09:00 local across daylight-saving changes. Candidate starts step by ``Policy.interval`` from each
  window's local start *in wall-clock time*, so the grid (09:00, 09:30, ...) is the same on both sides of a change.
- A wall time that does not exist (the spring-forward gap) is never a start. An ambiguous one (the fall-back hour)
  means its first occurrence (``fold=0``). A window boundary that falls in a gap is the instant of the change.
- Everything else (durations, buffers, busy periods, notice) is absolute UTC time, so a window that crosses a change
  keeps its true length and a 60-minute session lasts 60 minutes.
- Days and weeks (overrides, per-day and per-week limits, the rolling window) are the trainer's local dates; weeks
  run Monday to Sunday.

Overrides: on a date with overrides, "extra" adds a window for that date; "unavailable" with times removes that part
of every window of the date (weekly or extra); "unavailable" without times removes the whole date. Time off always
wins, so a slot is never offered in time the trainer said they are away.

Booking window: ``window_days`` N allows local start dates from today (in the trainer's zone) to today + N included;
``window_start`` / ``window_end`` bound the local start date (both included). They combine: all given bounds apply.

Cost: busy periods are sorted and merged once, then each candidate is one binary search; overrides, rules and the
limit counts are indexed once per call. Nothing is re-scanned per candidate.
"""
from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext

__all__ = [
    "EXTRA",
    "UNAVAILABLE",
    "BusyPeriod",
    "Calendar",
    "DateOverride",
    "OpenSession",
    "Policy",
    "Slot",
    "Verdict",
    "WeeklyWindow",
    "check",
    "free_slots",
]

EXTRA = "extra"
UNAVAILABLE = "unavailable"

_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class WeeklyWindow:
    """A weekly window of availability in the trainer's wall-clock time; weekday 0 is Monday.

    An ``end`` of 00:00 means midnight at the end of the day.
    """

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class DateOverride:
    """A local date whose availability differs: ``kind`` "extra" (hours added) or "unavailable" (time off).

    "unavailable" without times is the whole date off; an ``end`` of 00:00 means midnight at the end of the day.
    """

    date: date
    kind: str
    start: time | None = None
    end: time | None = None


@dataclass(frozen=True)
class BusyPeriod:
    """Time the trainer cannot be booked, in UTC with the existing session's buffers included."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class OpenSession:
    """A group session of the session type asked about: joinable while ``seats_left`` > 0.

    It is offered as a slot even though the trainer is busy then. It also blocks every *other* start that would
    overlap it: from ``blocked_start`` to ``blocked_end`` when given, else its times widened by the policy's buffers.
    A full session of the type may be passed here with ``seats_left`` 0, so that ``check`` can say "session_full"
    (passed as a ``BusyPeriod`` instead, ``check`` says "overlaps").
    """

    session_id: int
    start: datetime
    end: datetime
    seats_left: int
    blocked_start: datetime | None = None
    blocked_end: datetime | None = None


@dataclass(frozen=True)
class Policy:
    """The booking policy of one session type, plus the trainer's limits (``max_per_day`` / ``max_per_week``)."""

    duration: timedelta
    interval: timedelta
    buffer_before: timedelta
    buffer_after: timedelta
    minimum_notice: timedelta
    window_days: int | None
    window_start: date | None
    window_end: date | None
    capacity: int = 1
    max_per_day: int | None = None
    max_per_week: int | None = None


@dataclass(frozen=True)
class Calendar:
    """One trainer's availability and commitments around the range asked about.

    ``scheduled_starts`` are the UTC starts of all the trainer's scheduled sessions (every type), counted in local
    days and local Monday-to-Sunday weeks for the limits: pass the whole weeks that the range touches.
    """

    zone: ZoneInfo
    windows: tuple[WeeklyWindow, ...]
    overrides: tuple[DateOverride, ...]
    busy: tuple[BusyPeriod, ...] = ()
    open_sessions: tuple[OpenSession, ...] = ()
    scheduled_starts: tuple[datetime, ...] = ()


@dataclass(frozen=True)
class Slot:
    """A bookable time in UTC; ``session_id`` is set when booking it joins an existing group session."""

    start: datetime
    end: datetime
    session_id: int | None = None
    seats_left: int = 1


#: Every code ``check`` can return.
CODES = (
    "ok",
    "nonexistent_local_time",
    "in_the_past",
    "too_soon",
    "outside_window",
    "session_full",
    "not_available",
    "overlaps",
    "daily_limit",
    "weekly_limit",
)


@dataclass(frozen=True)
class Verdict:
    """Whether a start can be booked; ``code`` is stable (for clients and tests), ``message`` is for people."""

    bookable: bool
    code: str
    session_id: int | None = None

    @property
    def message(self) -> str:
        """The reason in the active language (translated when read, so the caller's language applies)."""
        messages = {
            "ok": gettext("This time can be booked."),
            "nonexistent_local_time": gettext(
                "This time does not exist in the trainer's time zone: the clocks change then."
            ),
            "in_the_past": gettext("This time is in the past."),
            "too_soon": gettext("This time is too soon: the trainer needs more notice."),
            "outside_window": gettext("This time is outside the booking window."),
            "session_full": gettext("This group session is full."),
            "not_available": gettext("The trainer is not available at this time."),
            "overlaps": gettext("This time overlaps another session of the trainer."),
            "daily_limit": gettext("The trainer has no more sessions available on this day."),
            "weekly_limit": gettext("The trainer has no more sessions available in this week."),
        }
        return messages.get(self.code, self.code)


def free_slots(
    calendar: Calendar, policy: Policy, range_start: datetime, range_end: datetime, now: datetime
) -> list[Slot]:
    """
    Every bookable start from ``range_start`` (included) to ``range_end`` (excluded), sorted, in UTC.

    Fresh slots carry ``seats_left`` = the policy's capacity; open group sessions of the type are included with their
    ``session_id`` and seats left. Slots are alternatives: two of them may overlap each other, none overlaps the
    trainer's busy time (buffers of both sides included).

    Args:
        calendar: the trainer's zone, availability and commitments near the range.
        policy: the session type's policy and the trainer's limits.
        range_start, range_end: aware datetimes bounding the starts (any zone; compared as instants).
        now: the current instant (aware); notice and the rolling window count from it.

    Returns:
        The slots, sorted by start (ties: an existing session first).
    """
    context = _Context(calendar, policy, now)
    range_start, range_end = range_start.astimezone(UTC), range_end.astimezone(UTC)
    earliest = max(range_start, context.earliest)
    slots: dict[datetime, Slot] = {}
    if earliest < range_end:
        first_day = max(earliest.astimezone(calendar.zone).date(), context.first_date)
        last_day = (range_end - timedelta(microseconds=1)).astimezone(calendar.zone).date()
        if context.last_date is not None:
            last_day = min(last_day, context.last_date)
        day = first_day
        while day <= last_day:
            if context.day_has_room(day):
                for start in context.candidates(day):
                    if earliest <= start < range_end and start not in slots and not context.overlaps(start):
                        slots[start] = Slot(start, start + policy.duration, None, policy.capacity)
            day += timedelta(days=1)
    result = [
        Slot(session.start, session.end, session.session_id, session.seats_left)
        for session in context.open_sessions
        if session.seats_left > 0 and range_start <= session.start < range_end and context.reachable(session.start)
    ]
    result.extend(slots.values())
    result.sort(key=lambda slot: (slot.start, slot.session_id is None))
    return result


def check(calendar: Calendar, policy: Policy, start: datetime, now: datetime) -> Verdict:
    """
    Whether ``start`` can be booked now, and if not the first reason, as a stable code.

    Tests in this order: nonexistent_local_time, in_the_past, too_soon, outside_window, then an open group session
    starting then (ok with its ``session_id``, or session_full), then not_available (no window or override covers
    it, or it is off the grid), overlaps, daily_limit, weekly_limit; else ok. ``free_slots`` offers exactly the starts
    for which this says ok.

    Args:
        calendar, policy, now: as for ``free_slots``.
        start: the start asked about: an aware datetime, or a naive one read as the trainer's wall-clock time (the
            only way to name a time that does not exist, hence the code "nonexistent_local_time").
    """
    if start.tzinfo is None:
        local = start.replace(tzinfo=calendar.zone)
        if _gap(local):
            return Verdict(False, "nonexistent_local_time")
        start = local
    elif start.astimezone(UTC).astimezone(start.tzinfo).replace(tzinfo=None) != start.replace(tzinfo=None):
        return Verdict(False, "nonexistent_local_time")
    start = start.astimezone(UTC)
    now = now.astimezone(UTC)
    context = _Context(calendar, policy, now)
    if start < now:
        return Verdict(False, "in_the_past")
    if start < context.earliest:
        return Verdict(False, "too_soon")
    if not context.in_window(start):
        return Verdict(False, "outside_window")
    starting = [session for session in context.open_sessions if session.start == start]
    if starting:
        session = max(starting, key=lambda session: session.seats_left)
        if session.seats_left > 0:
            return Verdict(True, "ok", session.session_id)
        return Verdict(False, "session_full")
    day = start.astimezone(calendar.zone).date()
    if start not in set(context.candidates(day)):
        return Verdict(False, "not_available")
    if context.overlaps(start):
        return Verdict(False, "overlaps")
    if policy.max_per_day is not None and context.per_day[day] >= policy.max_per_day:
        return Verdict(False, "daily_limit")
    if policy.max_per_week is not None and context.per_week[_monday(day)] >= policy.max_per_week:
        return Verdict(False, "weekly_limit")
    return Verdict(True, "ok")


# --- internals -------------------------------------------------------------------------------------------------


class _Context:
    """One call's indexes: rules by weekday, overrides by date, merged busy time, limit counts, window bounds."""

    def __init__(self, calendar: Calendar, policy: Policy, now: datetime):
        self.zone = calendar.zone
        if policy.interval <= timedelta(0) or policy.duration <= timedelta(0):
            raise ValueError("a policy needs a positive duration and interval")
        self.policy = policy
        now = now.astimezone(UTC)
        self.earliest = now + policy.minimum_notice
        today = now.astimezone(self.zone).date()
        first, last = today, None
        if policy.window_days is not None:
            last = today + timedelta(days=policy.window_days)
        if policy.window_start is not None:
            first = max(first, policy.window_start)
        if policy.window_end is not None:
            last = policy.window_end if last is None else min(last, policy.window_end)
        self.first_date, self.last_date = first, last

        self.weekly: dict[int, list[WeeklyWindow]] = defaultdict(list)
        for window in calendar.windows:
            self.weekly[window.weekday].append(window)
        self.overrides: dict[date, list[DateOverride]] = defaultdict(list)
        for override in calendar.overrides:
            self.overrides[override.date].append(override)

        self.open_sessions = sorted(
            (
                OpenSession(
                    session.session_id,
                    session.start.astimezone(UTC),
                    session.end.astimezone(UTC),
                    session.seats_left,
                    (session.blocked_start or session.start - policy.buffer_before).astimezone(UTC),
                    (session.blocked_end or session.end + policy.buffer_after).astimezone(UTC),
                )
                for session in calendar.open_sessions
            ),
            key=lambda session: session.start,
        )
        blocked = [(period.start.astimezone(UTC), period.end.astimezone(UTC)) for period in calendar.busy]
        blocked.extend((session.blocked_start, session.blocked_end) for session in self.open_sessions)
        self.busy_starts, self.busy_ends = _merge(blocked)

        local_days = [moment.astimezone(self.zone).date() for moment in calendar.scheduled_starts]
        self.per_day = Counter(local_days)
        self.per_week = Counter(_monday(day) for day in local_days)

    def in_window(self, start: datetime) -> bool:
        """Whether the local date of ``start`` is inside the booking window."""
        day = start.astimezone(self.zone).date()
        return day >= self.first_date and (self.last_date is None or day <= self.last_date)

    def reachable(self, start: datetime) -> bool:
        """Notice and window: what an open group session must meet to be offered."""
        return start >= self.earliest and self.in_window(start)

    def day_has_room(self, day: date) -> bool:
        """The trainer's per-day and per-week limits, for a fresh session on the local date ``day``."""
        policy = self.policy
        if policy.max_per_day is not None and self.per_day[day] >= policy.max_per_day:
            return False
        return policy.max_per_week is None or self.per_week[_monday(day)] < policy.max_per_week

    def overlaps(self, start: datetime) -> bool:
        """Whether a fresh session at ``start``, its own buffers added, overlaps busy time (touching is fine)."""
        low = start - self.policy.buffer_before
        high = start + self.policy.duration + self.policy.buffer_after
        index = bisect_right(self.busy_ends, low)
        return index < len(self.busy_starts) and self.busy_starts[index] < high

    def candidates(self, day: date) -> Iterator[datetime]:
        """The UTC starts on the local date ``day`` where a session fits in a window (busy time not considered)."""
        overrides = self.overrides.get(day, ())
        if any(o.kind == UNAVAILABLE and (o.start is None or o.end is None) for o in overrides):
            return
        windows: list[tuple[time, time]] = [(w.start, w.end) for w in self.weekly.get(day.weekday(), ())]
        windows.extend(
            (o.start, o.end) for o in overrides if o.kind == EXTRA and o.start is not None and o.end is not None
        )
        if not windows:
            return
        # A day whose two midnights have the same UTC offset has no change in between (zones change at most once a
        # day): its wall clock is UTC shifted by one offset, and stepping in UTC is stepping on the wall clock.
        offset = _steady_offset(day, self.zone)
        cuts = [
            self._span(day, o.start, o.end, offset)
            for o in overrides
            if o.kind == UNAVAILABLE and o.start is not None and o.end is not None
        ]
        duration = self.policy.duration
        for window_start, window_end in windows:
            begin, end = self._span(day, window_start, window_end, offset)
            if end <= begin:
                continue
            pieces = _subtract([(begin, end)], cuts)
            if not pieces:
                continue
            yield from _fitting(self._grid(day, window_start, offset), duration, end, pieces)

    def _span(self, day: date, start: time, end: time, offset: timedelta | None) -> tuple[datetime, datetime]:
        if offset is None:
            return _span_utc(day, start, end, self.zone)
        end_day = day + timedelta(days=1) if end == time(0) else day
        return datetime.combine(day, start, UTC) - offset, datetime.combine(end_day, end, UTC) - offset

    def _grid(self, day: date, start: time, offset: timedelta | None) -> Iterator[datetime]:
        """The UTC instants of the wall-clock grid from ``start`` on ``day`` on, skipping wall times that never happen.

        It runs on past the day: the caller stops it.
        """
        interval = self.policy.interval
        if offset is not None:
            moment = datetime.combine(day, start, UTC) - offset
            while True:
                yield moment
                moment += interval
        wall = datetime.combine(day, start)
        while True:
            moment = _existing_utc(wall, self.zone)
            if moment is not None:  # else spring-forward gap: this wall time never happens
                yield moment
            wall += interval


def _fitting(
    grid: Iterator[datetime], duration: timedelta, end: datetime, pieces: list[tuple[datetime, datetime]]
) -> Iterator[datetime]:
    """The grid's starts whose session fits inside one of ``pieces`` (sorted, disjoint, within the window's end).

    Starts and ends only grow, so one pointer walks the pieces once.
    """
    piece = 0
    for start in grid:
        finish = start + duration
        if finish > end:
            return
        while piece < len(pieces) and pieces[piece][1] < finish:
            piece += 1
        if piece == len(pieces):
            return
        if pieces[piece][0] <= start:
            yield start


def _steady_offset(day: date, zone: ZoneInfo) -> timedelta | None:
    """The UTC offset of the local date ``day`` when it has no daylight-saving change, else None."""
    midnight = datetime.combine(day, time(0), zone)
    offset = midnight.utcoffset()
    following = datetime.combine(day + timedelta(days=1), time(0), zone)
    if following.utcoffset() != offset or _gap(midnight) or midnight.replace(fold=1).utcoffset() != offset:
        return None
    return offset


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _merge(intervals: Iterable[tuple[datetime, datetime]]) -> tuple[list[datetime], list[datetime]]:
    """Sort and merge intervals into disjoint ones, as two parallel lists (starts, ends) ready for bisect."""
    starts: list[datetime] = []
    ends: list[datetime] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if ends and start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def _subtract(
    pieces: list[tuple[datetime, datetime]], cuts: list[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    """``pieces`` minus every cut, still sorted and disjoint."""
    for cut_start, cut_end in cuts:
        remaining = []
        for start, end in pieces:
            if cut_end <= start or end <= cut_start:
                remaining.append((start, end))
                continue
            if start < cut_start:
                remaining.append((start, cut_start))
            if cut_end < end:
                remaining.append((cut_end, end))
        pieces = remaining
    return pieces


def _gap(local: datetime) -> bool:
    """Whether an aware wall time (read with ``fold``) does not exist: the spring-forward gap.

    PEP 495: in a gap, fold=0 takes the offset from before the change and fold=1 the one after, so the first is
    smaller; in a fall-back fold it is the other way round, and elsewhere they are equal.
    """
    return local.replace(fold=0).utcoffset() < local.replace(fold=1).utcoffset()


def _existing_utc(wall: datetime, zone: ZoneInfo) -> datetime | None:
    """The UTC instant of a naive wall time (first occurrence when ambiguous), or None when it does not exist."""
    local = wall.replace(tzinfo=zone)
    if _gap(local):
        return None
    return local.astimezone(UTC)


def _boundary_utc(wall: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of a window boundary: like ``_existing_utc``, but a time in a gap means the change itself."""
    local = wall.replace(tzinfo=zone)
    if not _gap(local):
        return local.astimezone(UTC)
    # The change lies between the two readings of the gap time; find its minute by bisection (rare: a boundary
    # that the trainer set inside the hour that does not exist).
    low = local.replace(fold=1).astimezone(UTC)  # before the change
    high = local.replace(fold=0).astimezone(UTC)  # after it
    after = local.replace(fold=1).utcoffset()
    while high - low > _MINUTE:
        middle = low + (high - low) // 2
        if middle.astimezone(zone).utcoffset() == after:
            high = middle
        else:
            low = middle
    return high


def _span_utc(day: date, start: time, end: time, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """A local window of ``day`` as UTC instants; an end of 00:00 is midnight at the end of the day."""
    end_day = day + timedelta(days=1) if end == time(0) else day
    return (
        _boundary_utc(datetime.combine(day, start), zone),
        _boundary_utc(datetime.combine(end_day, end), zone),
    )
