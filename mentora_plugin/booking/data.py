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
    #: The notes both sides write (Markdown source: show it as escaped plain text). Never the trainer's private notes.
    shared_notes: str = ""
    #: The learner's rating of the completed session, if given.
    rating_stars: int | None = None
    rating_comment: str = ""


@dataclass(frozen=True)
class RatingInfo:
    """A learner's rating of a completed session."""

    booking_id: int
    stars: int
    comment: str
    created: datetime
    modified: datetime
    editable_until: datetime


@dataclass(frozen=True)
class SessionRecord:
    """
    What is written about one booking, as one viewer may see it: ``private_notes`` is None unless the viewer is
    the trainer or course staff (it never reaches the learner).
    """

    booking_id: int
    goal: str
    shared_notes: str
    private_notes: str | None
    rating: RatingInfo | None
    can_rate: bool


@dataclass(frozen=True)
class MentorshipInfo:
    """A learner's mentor in a course."""

    id: int
    course_key: CourseKey
    learner_id: int
    learner_name: str
    trainer_id: int
    trainer_name: str
    assigned_by_id: int | None
    created: datetime
    ended_at: datetime | None

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


@dataclass(frozen=True)
class MentorOption:
    """A trainer of the course a learner may choose as mentor, with their mentees and cap."""

    trainer_id: int
    trainer_name: str
    mentees: int
    cap: int

    @property
    def has_room(self) -> bool:
        return self.mentees < self.cap
