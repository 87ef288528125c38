"""Plain data returned by ``mentora_plugin.booking.api``: no models leave the app."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from opaque_keys.edx.keys import CourseKey


@dataclass(frozen=True)
class WeeklyRule:
    """A weekly window in the trainer's local time (0 is Monday)."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class OverrideInfo:
    """A date whose availability differs: extra hours, or time off (all day when no times)."""

    id: int
    date: date
    kind: str
    start: time | None
    end: time | None
    note: str


@dataclass(frozen=True)
class CalendarInfo:
    """A trainer's booking calendar."""

    trainer_id: int
    time_zone: str
    max_sessions_per_day: int | None
    max_sessions_per_week: int | None
    rules: list[WeeklyRule] = field(default_factory=list)
    overrides: list[OverrideInfo] = field(default_factory=list)


@dataclass(frozen=True)
class SessionTypeInfo:
    """What a trainer offers in a course, and its booking policy."""

    id: int
    trainer_id: int
    trainer_name: str
    course_key: CourseKey
    title: str
    description: str
    duration_minutes: int
    capacity: int
    location: str
    location_detail: str
    buffer_before_minutes: int
    buffer_after_minutes: int
    minimum_notice_minutes: int
    window_days: int | None
    window_start: date | None
    window_end: date | None
    slot_interval_minutes: int
    learner_max_per_week: int | None
    requires_approval: bool
    approval_expiry_hours: int
    cancellation_cutoff_hours: int
    reschedule_cutoff_hours: int
    max_reschedules: int
    is_active: bool
    time_zone: str

    @property
    def is_group(self) -> bool:
        return self.capacity > 1


@dataclass(frozen=True)
class SlotInfo:
    """A bookable time, in the viewer's zone; ``session_id`` is set when it joins an existing group session."""

    start: datetime
    end: datetime
    session_id: int | None
    seats_left: int


@dataclass(frozen=True)
class BookingInfo:
    """A learner's booking of a session, as both sides see it."""

    id: int
    status: str
    session_id: int
    session_uid: str
    session_type_id: int
    session_type_title: str
    course_key: CourseKey
    trainer_id: int
    trainer_name: str
    learner_id: int
    learner_name: str
    start: datetime
    end: datetime
    location: str
    location_detail: str
    goal: str
    reschedule_count: int
    expires_at: datetime | None
    cancel_reason: str
    sequence: int
    #: False when ``book`` answered a retried request (same idempotency key) with the booking it made before.
    created: bool = True
