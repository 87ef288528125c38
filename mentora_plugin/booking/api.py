"""
The booking API: availability, free slots, and the life of a booking.

Every change to a trainer's sessions runs under a row lock on the trainer's ``TrainerCalendar`` (``SELECT ... FOR
UPDATE``), and re-checks the slot there with ``slots.check`` against what is in the database at that moment. That is
what keeps a trainer from ever holding two overlapping sessions (buffers included) and a group session from ever
exceeding its seats, whatever the number of LMS processes and machines: the database serialises the writers.

Permissions: the functions that change a booking take the ``actor`` and apply the domain's rules themselves
(a learner's cut-offs, who may confirm), so the REST API, the pages and the block behave the same.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from opaque_keys.edx.keys import CourseKey

from mentora_plugin.booking import signals, slots
from mentora_plugin.booking.data import (
    BookingInfo,
    CalendarInfo,
    MentorOption,
    MentorshipInfo,
    OverrideInfo,
    RatingInfo,
    SessionRecord,
    SessionTypeInfo,
    SlotInfo,
    WeeklyRule,
)
from mentora_plugin.booking.models import (
    AvailabilityOverride,
    AvailabilityRule,
    Booking,
    Mentorship,
    Session,
    SessionRating,
    SessionType,
    TrainerCalendar,
)
from mentora_plugin.events import announce
from mentora_plugin.host import api as host_api
from mentora_plugin.host.rules import is_course_trainer
from mentora_plugin.trainers import api as trainers_api

__all__ = [
    "BookingError",
    "accept_offer",
    "add_override",
    "assign_mentor",
    "book",
    "cancel_booking",
    "choose_mentor",
    "complete_booking",
    "confirm_booking",
    "create_session_type",
    "decline_booking",
    "delete_override",
    "end_mentorship",
    "expire_requests",
    "explain_slot",
    "get_booking",
    "get_calendar",
    "get_free_slots",
    "get_mentor",
    "get_mentorship",
    "get_private_notes",
    "get_session_record",
    "get_session_type",
    "get_session_type_id",
    "join_waitlist",
    "leave_waitlist",
    "list_bookings",
    "list_course_mentorships",
    "list_full_sessions",
    "list_mentees",
    "list_mentor_options",
    "list_session_types",
    "mentee_cap",
    "rate_booking",
    "reschedule_booking",
    "session_history",
    "set_calendar",
    "set_weekly_rules",
    "update_notes",
    "update_session_type",
    "waitlist_offer_hours",
]

log = logging.getLogger(__name__)
User = get_user_model()

#: The longest range one free-slots request may cover.
MAX_SLOT_RANGE_DAYS = 93


class BookingError(ValueError):
    """
    A booking request that cannot be honoured. ``code`` is machine-readable, ``status`` the HTTP status a REST
    view should answer with, the message says why for people (translated).
    """

    def __init__(self, code: str, message: str, status: int = 400, reason: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        #: For ``slot_unavailable``: the slot's own reason (``slots.check`` code), e.g. ``overlaps``.
        self.reason = reason


def _not_found(what: str) -> BookingError:
    return BookingError(f"{what}_not_found", _("No such {what}.").format(what=what.replace("_", " ")), status=404)


def _forbidden(message: str) -> BookingError:
    return BookingError("permission_denied", message, status=403)


# --- time zones and validation --------------------------------------------------------------------------------------


def parse_zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``, or a ``BookingError`` (``invalid_time_zone``)."""
    if not isinstance(name, str) or name not in _zone_names():
        raise BookingError("invalid_time_zone", _("“{zone}” is not a known time zone.").format(zone=str(name)[:64]))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BookingError("invalid_time_zone", _("“{zone}” is not a known time zone.").format(zone=name)) from None


_ZONES: set[str] = set()


def _zone_names() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES


def _aware(value: Any, field: str) -> datetime:
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise BookingError(
            "invalid_time", _("“{field}” must be a date and time with its time zone.").format(field=field)
        )
    return value


# --- calendars and availability -------------------------------------------------------------------------------------


def _calendar_of(trainer: Any, *, lock: bool = False) -> TrainerCalendar:
    calendar, _created = TrainerCalendar.objects.get_or_create(trainer_id=host_api._user_id(trainer))
    if lock:
        calendar = TrainerCalendar.objects.select_for_update().get(pk=calendar.pk)
    return calendar


def get_calendar(trainer: Any) -> CalendarInfo:
    """The trainer's calendar (created, in UTC, the first time it is asked for)."""
    calendar = _calendar_of(trainer)
    return CalendarInfo(
        trainer_id=calendar.trainer_id,
        time_zone=calendar.time_zone,
        max_sessions_per_day=calendar.max_sessions_per_day,
        max_sessions_per_week=calendar.max_sessions_per_week,
        rules=[WeeklyRule(rule.weekday, rule.start_time, rule.end_time) for rule in calendar.rules.all()],
        overrides=[
            OverrideInfo(o.id, o.date, o.kind, o.start_time, o.end_time, o.note)
            for o in calendar.overrides.filter(date__gte=timezone.now().date() - timedelta(days=1))
        ],
    )


def set_calendar(
    trainer: Any,
    *,
    time_zone: str | None = None,
    max_sessions_per_day: int | type[Ellipsis] | None = ...,
    max_sessions_per_week: int | type[Ellipsis] | None = ...,
) -> CalendarInfo:
    """
    Change the trainer's zone and limits. Sessions already booked keep their absolute times; the weekly rules keep
    their wall-clock times in the new zone.
    """
    with transaction.atomic():
        calendar = _calendar_of(trainer, lock=True)
        if time_zone is not None:
            parse_zone(time_zone)
            calendar.time_zone = time_zone
        for name, value in (
            ("max_sessions_per_day", max_sessions_per_day),
            ("max_sessions_per_week", max_sessions_per_week),
        ):
            if value is not ...:
                if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
                    raise BookingError("invalid_limit", _("A limit must be a whole number of at least 1, or none."))
                setattr(calendar, name, value)
        calendar.save()
    return get_calendar(trainer)


def set_weekly_rules(trainer: Any, rules: Sequence[WeeklyRule]) -> CalendarInfo:
    """Replace the trainer's weekly rules. Windows of one weekday may not overlap; each must end after it starts."""
    cleaned = sorted(_valid_rule(rule) for rule in rules)
    for earlier, later in itertools.pairwise(cleaned):
        if earlier[0] == later[0] and later[1] < earlier[2]:
            raise BookingError("invalid_rules", _("Two windows of the same day overlap."))
    with transaction.atomic():
        calendar = _calendar_of(trainer, lock=True)
        calendar.rules.all().delete()
        AvailabilityRule.objects.bulk_create(
            [AvailabilityRule(calendar=calendar, weekday=w, start_time=s, end_time=e) for w, s, e in cleaned]
        )
    return get_calendar(trainer)


def _valid_rule(rule: WeeklyRule) -> tuple[int, time, time]:
    if not isinstance(rule.weekday, int) or not 0 <= rule.weekday <= 6:
        raise BookingError("invalid_rules", _("A weekday is a number from 0 (Monday) to 6 (Sunday)."))
    if not isinstance(rule.start, time) or not isinstance(rule.end, time) or rule.start >= rule.end:
        raise BookingError("invalid_rules", _("Each window must end after it starts, within the day."))
    return rule.weekday, rule.start, rule.end


def add_override(
    trainer: Any, day: date, kind: str, start: time | None = None, end: time | None = None, note: str = ""
) -> OverrideInfo:
    """Add extra hours or time off on a date (time off without times covers the whole day)."""
    if kind not in AvailabilityOverride.Kind.values:
        raise BookingError("invalid_override", _("An override is either extra hours or time off."))
    if (start is None) != (end is None) or (start is not None and start >= end):
        raise BookingError("invalid_override", _("Give both a start and an end, the end after the start."))
    if kind == AvailabilityOverride.Kind.EXTRA and start is None:
        raise BookingError("invalid_override", _("Extra hours need a start and an end."))
    if not isinstance(day, date):
        raise BookingError("invalid_override", _("An override needs a date."))
    with transaction.atomic():
        calendar = _calendar_of(trainer, lock=True)
        override = AvailabilityOverride.objects.create(
            calendar=calendar, date=day, kind=kind, start_time=start, end_time=end, note=note[:255]
        )
    return OverrideInfo(
        override.id, override.date, override.kind, override.start_time, override.end_time, override.note
    )


def delete_override(trainer: Any, override_id: int) -> None:
    """Remove one of the trainer's overrides."""
    deleted, _rows = AvailabilityOverride.objects.filter(
        pk=override_id, calendar__trainer_id=host_api._user_id(trainer)
    ).delete()
    if not deleted:
        raise _not_found("override")


# --- session types --------------------------------------------------------------------------------------------------

_TYPE_FIELDS = {
    "title",
    "description",
    "duration_minutes",
    "capacity",
    "location",
    "location_detail",
    "buffer_before_minutes",
    "buffer_after_minutes",
    "minimum_notice_minutes",
    "window_days",
    "window_start",
    "window_end",
    "slot_interval_minutes",
    "learner_max_per_week",
    "requires_approval",
    "approval_expiry_hours",
    "cancellation_cutoff_hours",
    "reschedule_cutoff_hours",
    "max_reschedules",
    "is_active",
}


def create_session_type(trainer: Any, course_key: CourseKey | str, **fields: Any) -> SessionTypeInfo:
    """
    Offer a kind of session in a course. The trainer must be a trainer of that course.

    Raises:
        BookingError: ``permission_denied`` (not a trainer there), ``invalid_session_type`` (a field is invalid).
    """
    key = host_api.parse_course_key(course_key)
    user = trainer if isinstance(trainer, User) else User.objects.get(pk=host_api._user_id(trainer))
    if not user.has_perm("mentora_booking.offer_sessions", key):
        raise _forbidden(_("Only the course's trainers can offer sessions in it."))
    session_type = SessionType(calendar=_calendar_of(user), course_key=key)
    _apply_type_fields(session_type, fields)
    session_type.save()
    return get_session_type(session_type.pk)


def update_session_type(trainer: Any, session_type_id: int, **fields: Any) -> SessionTypeInfo:
    """Change a session type; sessions already booked keep their times and length."""
    session_type = SessionType.objects.filter(
        pk=session_type_id, calendar__trainer_id=host_api._user_id(trainer)
    ).first()
    if session_type is None:
        raise _not_found("session_type")
    _apply_type_fields(session_type, fields)
    session_type.save()
    return get_session_type(session_type.pk)


def _apply_type_fields(session_type: SessionType, fields: dict[str, Any]) -> None:
    unknown = set(fields) - _TYPE_FIELDS
    if unknown:
        raise BookingError(
            "invalid_session_type", _("Unknown fields: {names}.").format(names=", ".join(sorted(unknown)))
        )
    for name, value in fields.items():
        setattr(session_type, name, value)
    try:
        session_type.full_clean(exclude=["calendar"])
    except Exception as error:  # django.core.exceptions.ValidationError, with per-field messages
        messages = getattr(error, "message_dict", {"__all__": [str(error)]})
        detail = "; ".join(f"{name}: {' '.join(texts)}" for name, texts in messages.items())
        raise BookingError("invalid_session_type", detail) from None
    if session_type.window_start and session_type.window_end and session_type.window_start > session_type.window_end:
        raise BookingError("invalid_session_type", _("The booking window must end after it starts."))
    if "capacity" in fields:
        _check_group_size(session_type)


def _check_group_size(session_type: SessionType) -> None:
    """
    A group session's seats must fit the ``group_session_size`` capability of the trainer's level in the course.

    Checked here, where creating and updating a session type both pass, so the REST API, the availability page and
    anything else refuse alike. A 1:1 session (one seat) is not a group and is always allowed. A session type whose
    seats stay as they were is left alone: a trainer moved to a lower level keeps what they already offer (and may
    still edit it) but cannot raise it, nor create a larger one.
    """
    if session_type.capacity <= 1:
        return
    if session_type.pk is not None:
        stored = SessionType.objects.filter(pk=session_type.pk).values_list("capacity", flat=True).first()
        if stored == session_type.capacity:
            return
    allowed = trainers_api.limit(session_type.calendar.trainer_id, "group_session_size", session_type.course_key)
    if session_type.capacity > allowed:
        message = (
            _("Your trainer level allows at most {limit} seats in a group session here.").format(limit=allowed)
            if allowed > 1
            else _("Your trainer level does not allow group sessions here (at most {limit} seat).").format(
                limit=max(allowed, 1)
            )
        )
        raise BookingError("capacity_over_level", message, 403)


def get_session_type(session_type_id: int) -> SessionTypeInfo:
    """One session type, or ``session_type_not_found``."""
    session_type = SessionType.objects.select_related("calendar__trainer").filter(pk=session_type_id).first()
    if session_type is None:
        raise _not_found("session_type")
    return _type_info(session_type)


def list_session_types(
    *, course_key: CourseKey | str | None = None, trainer: Any | None = None, active_only: bool = True
) -> list[SessionTypeInfo]:
    """Session types of a course and/or a trainer, by title."""
    types = SessionType.objects.select_related("calendar__trainer")
    if course_key is not None:
        types = types.filter(course_key=host_api.parse_course_key(course_key))
    if trainer is not None:
        types = types.filter(calendar__trainer_id=host_api._user_id(trainer))
    if active_only:
        types = types.filter(is_active=True)
    return [_type_info(session_type) for session_type in types]


def _type_info(session_type: SessionType) -> SessionTypeInfo:
    calendar = session_type.calendar
    return SessionTypeInfo(
        id=session_type.pk,
        trainer_id=calendar.trainer_id,
        trainer_name=host_api.display_name(calendar.trainer),
        course_key=session_type.course_key,
        time_zone=calendar.time_zone,
        **{name: getattr(session_type, name) for name in sorted(_TYPE_FIELDS)},
    )


# --- slots ----------------------------------------------------------------------------------------------------------


def _policy(session_type: SessionType, calendar: TrainerCalendar) -> slots.Policy:
    return slots.Policy(
        duration=timedelta(minutes=session_type.duration_minutes),
        interval=timedelta(minutes=session_type.slot_interval_minutes),
        buffer_before=timedelta(minutes=session_type.buffer_before_minutes),
        buffer_after=timedelta(minutes=session_type.buffer_after_minutes),
        minimum_notice=timedelta(minutes=session_type.minimum_notice_minutes),
        window_days=session_type.window_days,
        window_start=session_type.window_start,
        window_end=session_type.window_end,
        capacity=session_type.capacity,
        max_per_day=calendar.max_sessions_per_day,
        max_per_week=calendar.max_sessions_per_week,
    )


def _snapshot(
    session_type: SessionType,
    calendar: TrainerCalendar,
    range_start: datetime,
    range_end: datetime,
    *,
    ignore_session_id: int | None = None,
) -> slots.Calendar:
    """
    Everything ``slots`` needs about the trainer between two instants, in three queries: the weekly rules, the
    overrides of those local dates, and the scheduled sessions (with their seats taken) a week around the range,
    for the weekly limits.
    """
    zone = ZoneInfo(calendar.time_zone)
    rules = tuple(
        slots.WeeklyWindow(weekday, start, end)
        for weekday, start, end in calendar.rules.values_list("weekday", "start_time", "end_time")
    )
    first_day = (range_start.astimezone(zone) - timedelta(days=1)).date()
    last_day = (range_end.astimezone(zone) + timedelta(days=1)).date()
    overrides = tuple(
        slots.DateOverride(day, kind, start, end)
        for day, kind, start, end in calendar.overrides.filter(date__range=(first_day, last_day)).values_list(
            "date", "kind", "start_time", "end_time"
        )
    )
    sessions = (
        Session.objects.filter(
            calendar=calendar,
            status=Session.Status.SCHEDULED,
            blocked_end__gt=range_start - timedelta(days=8),
            blocked_start__lt=range_end + timedelta(days=8),
        )
        .exclude(pk=ignore_session_id)
        .annotate(taken=Count("bookings", filter=Q(bookings__status__in=Booking.HOLDING)))
        .values_list("pk", "session_type_id", "start", "end", "blocked_start", "blocked_end", "capacity", "taken")
    )
    busy, open_sessions, starts = [], [], []
    for pk, type_id, start, end, blocked_start, blocked_end, capacity, taken in sessions:
        starts.append(start)
        if type_id == session_type.pk and capacity > 1:
            # A group session of this type: joinable while it has seats, "full" (not "overlaps") once it has none.
            open_sessions.append(
                slots.OpenSession(pk, start, end, max(capacity - taken, 0), blocked_start, blocked_end)
            )
        else:
            busy.append(slots.BusyPeriod(blocked_start, blocked_end))
    return slots.Calendar(
        zone=zone,
        windows=rules,
        overrides=overrides,
        busy=tuple(busy),
        open_sessions=tuple(open_sessions),
        scheduled_starts=tuple(sorted(starts)),
    )


def get_free_slots(
    session_type_id: int, start_date: date, end_date: date, viewer_zone: str | None = None
) -> list[SlotInfo]:
    """
    The free slots of a session type between two dates (inclusive, in the viewer's zone), times in that zone.
    Four queries whatever the range.

    Raises:
        BookingError: unknown session type or zone, a range that ends before it starts or spans over 93 days.
    """
    session_type = SessionType.objects.select_related("calendar").filter(pk=session_type_id, is_active=True).first()
    if session_type is None:
        raise _not_found("session_type")
    calendar = session_type.calendar
    zone = parse_zone(viewer_zone) if viewer_zone else ZoneInfo(calendar.time_zone)
    if not isinstance(start_date, date) or not isinstance(end_date, date) or end_date < start_date:
        raise BookingError("invalid_range", _("The range must end on or after the day it starts."))
    if (end_date - start_date).days >= MAX_SLOT_RANGE_DAYS:
        raise BookingError(
            "invalid_range", _("Ask for at most {days} days at a time.").format(days=MAX_SLOT_RANGE_DAYS)
        )
    range_start = datetime.combine(start_date, time.min, tzinfo=zone)
    range_end = datetime.combine(end_date + timedelta(days=1), time.min, tzinfo=zone)
    snapshot = _snapshot(session_type, calendar, range_start, range_end)
    found = slots.free_slots(snapshot, _policy(session_type, calendar), range_start, range_end, timezone.now())
    return [
        SlotInfo(slot.start.astimezone(zone), slot.end.astimezone(zone), slot.session_id, slot.seats_left)
        for slot in found
    ]


def explain_slot(session_type_id: int, start: datetime) -> slots.Verdict:
    """Whether ``start`` is bookable for the session type now, and if not, why (a stable code and a message)."""
    session_type = SessionType.objects.select_related("calendar").filter(pk=session_type_id, is_active=True).first()
    if session_type is None:
        raise _not_found("session_type")
    start = _aware(start, "start")
    end = start + timedelta(minutes=session_type.duration_minutes)
    snapshot = _snapshot(session_type, session_type.calendar, start, end)
    return slots.check(snapshot, _policy(session_type, session_type.calendar), start, timezone.now())


# --- booking --------------------------------------------------------------------------------------------------------


def book(
    learner: Any,
    session_type_id: int,
    start: datetime,
    *,
    goal: str = "",
    idempotency_key: str | None = None,
) -> BookingInfo:
    """
    Book ``start`` for ``learner``: a new session, or a seat in the group session that starts then.

    Confirmed at once, or requested (with an expiry) when the session type needs the trainer's approval. A retried
    call with the same ``idempotency_key`` returns the first booking and books nothing more.

    Raises:
        BookingError: ``session_type_not_found`` (404); ``not_enrolled`` (403); ``own_session``; ``invalid_time``;
            ``slot_unavailable`` with the slot's reason as ``reason`` (a full group session: ``session_full``);
            ``learner_busy`` (the learner already has a session then); ``learner_limit``; ``idempotency_conflict``
            (the key was used for another booking).
    """
    learner = learner if isinstance(learner, User) else User.objects.filter(pk=host_api._user_id(learner)).first()
    if learner is None or not learner.is_active:
        raise BookingError("unknown_user", _("Only an active user can book."), status=400)
    start = _aware(start, "start")
    key = (idempotency_key or "").strip()[:64] or None
    if key:
        earlier = _by_idempotency_key(learner, key, session_type_id, start)
        if earlier:
            return earlier
    session_type = SessionType.objects.select_related("calendar").filter(pk=session_type_id, is_active=True).first()
    if session_type is None:
        raise _not_found("session_type")
    if not host_api.is_enrolled(learner, session_type.course_key):
        raise BookingError("not_enrolled", _("Only learners enrolled in the course can book its sessions."), 403)
    if session_type.calendar.trainer_id == learner.pk:
        raise BookingError("own_session", _("You cannot book a session with yourself."))
    try:
        with transaction.atomic():
            booking, created = _book_locked(learner, session_type, start, goal=goal[:5000], key=key)
    except IntegrityError:
        # The same idempotency key, committed by a concurrent retry of this very request: that booking stands.
        earlier = _by_idempotency_key(learner, key, session_type_id, start) if key else None
        if earlier:
            return earlier
        raise
    if not created:
        return _by_idempotency_key(learner, key, session_type_id, start)
    info = _booking_info(booking)
    _announce(
        signals.BOOKING_REQUESTED if booking.status == Booking.Status.REQUESTED else signals.BOOKING_CONFIRMED,
        booking,
        learner,
    )
    return info


def _by_idempotency_key(learner: Any, key: str, session_type_id: int, start: datetime) -> BookingInfo | None:
    booking = _bookings().filter(learner=learner, idempotency_key=key).first()
    if booking is None:
        return None
    if booking.session.session_type_id != session_type_id or (
        booking.session.start != start and booking.reschedule_count == 0
    ):
        raise BookingError("idempotency_conflict", _("This idempotency key was already used for another booking."), 409)
    return dataclasses.replace(_booking_info(booking), created=False)


def _book_locked(
    learner: Any, session_type: SessionType, start: datetime, *, goal: str, key: str | None
) -> tuple[Booking, bool]:
    """
    The booking itself, under the trainer's calendar lock: re-check everything against the database, then write.
    Returns the booking and whether it is new (False: a retry of a request that another process just completed).
    """
    calendar = TrainerCalendar.objects.select_for_update().get(pk=session_type.calendar_id)
    if key:
        earlier = Booking.objects.filter(learner=learner, idempotency_key=key).first()
        if earlier:
            return earlier, False
    now = timezone.now()
    end = start + timedelta(minutes=session_type.duration_minutes)
    verdict = slots.check(_snapshot(session_type, calendar, start, end), _policy(session_type, calendar), start, now)
    if not verdict.bookable:
        raise BookingError("slot_unavailable", verdict.message, 409, reason=verdict.code)
    _check_learner(learner, session_type, start, end, calendar)
    if verdict.session_id:
        session = Session.objects.get(pk=verdict.session_id)
        taken = session.bookings.filter(status__in=Booking.HOLDING).count()
        if taken >= session.capacity:
            raise BookingError("session_full", _("This group session has no seat left."), 409)
        if session.bookings.filter(learner=learner, status__in=Booking.HOLDING).exists():
            raise BookingError("already_booked", _("You already have a seat in this session."), 409)
        # A learner who books a seat that is free after all no longer waits for one.
        session.bookings.filter(learner=learner, status=Booking.Status.WAITLISTED).update(
            status=Booking.Status.CANCELLED, cancelled_by=learner, modified=now
        )
    else:
        session = _new_session(calendar, session_type, start, end)
    approval = session_type.requires_approval
    booking = Booking.objects.create(
        session=session,
        learner=learner,
        status=Booking.Status.REQUESTED if approval else Booking.Status.CONFIRMED,
        expires_at=now + timedelta(hours=session_type.approval_expiry_hours) if approval else None,
        idempotency_key=key,
        goal=goal,
    )
    return booking, True


def _check_learner(learner: Any, session_type: SessionType, start: datetime, end: datetime, calendar: Any) -> None:
    """A learner is never in two sessions at once, and keeps to the session type's weekly limit with this trainer."""
    holding = Booking.objects.filter(
        learner=learner, status__in=Booking.HOLDING, session__status=Session.Status.SCHEDULED
    )
    if holding.filter(session__start__lt=end, session__end__gt=start).exists():
        raise BookingError("learner_busy", _("You already have a session at that time."), 409)
    if session_type.learner_max_per_week:
        zone = ZoneInfo(calendar.time_zone)
        local = start.astimezone(zone)
        week_start = datetime.combine(local.date() - timedelta(days=local.weekday()), time.min, tzinfo=zone)
        count = holding.filter(
            session__calendar=calendar,
            session__start__gte=week_start,
            session__start__lt=week_start + timedelta(days=7),
        ).count()
        if count >= session_type.learner_max_per_week:
            raise BookingError(
                "learner_limit",
                _("You can book at most {count} sessions a week with this trainer.").format(
                    count=session_type.learner_max_per_week
                ),
                409,
            )


# --- the life of a booking ------------------------------------------------------------------------------------------


def _locked(model: Any, pk: Any, loaded: Any) -> Any:
    """
    Lock one row (``SELECT ... FOR UPDATE`` on its own table only), then load it with its relations, or None.

    MySQL and MariaDB cannot lock "only this table" of a joined query (``FOR UPDATE OF``), and locking the join
    would also lock the trainer, the session and the learner rows: so lock first, alone, then read.
    """
    if not model.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True).first():
        return None
    return loaded.filter(pk=pk).first()


def _bookings():
    return Booking.objects.select_related("session__session_type", "session__calendar__trainer", "learner", "rating")


def _locked_booking(booking_id: int) -> Booking:
    """The booking, with its trainer's calendar locked first (the same lock order as ``book``: no deadlock)."""
    calendar_id = Booking.objects.filter(pk=booking_id).values_list("session__calendar_id", flat=True).first()
    if calendar_id is None:
        raise _not_found("booking")
    TrainerCalendar.objects.select_for_update().get(pk=calendar_id)
    return _bookings().get(pk=booking_id)


def _role(actor: Any, booking: Booking) -> str:
    """'learner', 'trainer' or 'staff' (course or platform staff), or a permission error."""
    if actor is not None and actor.pk == booking.session.calendar.trainer_id:
        return "trainer"
    if actor is not None and actor.pk == booking.learner_id:
        return "learner"
    if actor is not None and actor.has_perm("mentora_booking.manage_booking", _rule_object(booking)):
        return "staff"
    raise _forbidden(_("This booking is not yours."))


def _rule_object(booking: Booking) -> Any:
    """What the permission rules look at: who the learner and the trainer are, and the course."""

    class _View:
        learner_id = booking.learner_id
        trainer_id = booking.session.calendar.trainer_id
        course_key = booking.session.course_key

    return _View()


def confirm_booking(booking_id: int, actor: Any) -> BookingInfo:
    """The trainer (or staff) approves a requested booking."""
    with transaction.atomic():
        booking = _locked_booking(booking_id)
        if _role(actor, booking) == "learner":
            raise _forbidden(_("Only the trainer can confirm a booking."))
        _expect(booking, Booking.Status.REQUESTED)
        booking.status = Booking.Status.CONFIRMED
        booking.expires_at = None
        booking.save(update_fields=["status", "expires_at", "modified"])
    _announce(signals.BOOKING_CONFIRMED, booking, actor)
    return _booking_info(booking)


def decline_booking(booking_id: int, actor: Any, reason: str = "") -> BookingInfo:
    """The trainer (or staff) turns a requested booking down; the seat is freed."""
    return _end_booking(
        booking_id,
        actor,
        Booking.Status.DECLINED,
        reason,
        allowed_roles=("trainer", "staff"),
        from_statuses=(Booking.Status.REQUESTED,),
    )


def cancel_booking(booking_id: int, actor: Any, reason: str = "", *, override_cutoff: bool = False) -> BookingInfo:
    """
    Cancel a booking, by either side. A learner may not cancel within the session type's cut-off; the trainer or
    staff may, with ``override_cutoff``.
    """
    return _end_booking(
        booking_id,
        actor,
        Booking.Status.CANCELLED,
        reason,
        allowed_roles=("learner", "trainer", "staff"),
        from_statuses=Booking.BOOKED,
        cutoff="cancellation_cutoff_hours",
        override_cutoff=override_cutoff,
    )


def _end_booking(
    booking_id: int,
    actor: Any,
    status: str,
    reason: str,
    *,
    allowed_roles: Sequence[str],
    from_statuses: Sequence[str],
    cutoff: str | None = None,
    override_cutoff: bool = False,
) -> BookingInfo:
    with transaction.atomic():
        booking = _locked_booking(booking_id)
        role = _role(actor, booking)
        if role not in allowed_roles:
            raise _forbidden(_("You cannot do this to this booking."))
        _expect(booking, *from_statuses)
        if cutoff:
            _enforce_cutoff(booking, getattr(booking.session.session_type, cutoff), role, override_cutoff)
        booking.status = status
        booking.cancelled_by = actor
        booking.cancel_reason = reason[:2000]
        booking.save(update_fields=["status", "cancelled_by", "cancel_reason", "modified"])
        _release_session_if_empty(booking.session)
    _announce(signals.BOOKING_CANCELLED, booking, actor, reason)
    return _booking_info(booking)


def _enforce_cutoff(booking: Booking, hours: int, role: str, override: bool) -> None:
    if booking.session.start - timezone.now() >= timedelta(hours=hours):
        return
    if override and role in ("trainer", "staff"):
        return
    raise BookingError(
        "cutoff_passed",
        _("Changes are closed {hours} hours before the session; ask your trainer.").format(hours=hours),
        409,
    )


def _release_session_if_empty(session: Session) -> None:
    """
    A seat of ``session`` was freed (a cancellation, a decline, an expiry, a seat moved away): offer the free seats
    to the session's waitlist first (``_offer_free_seats``). A session nobody holds a seat in any more then ends:
    cancelled, which frees the trainer's time (or completed, if it already took place for someone); its waitlist
    closes. Either way its SEQUENCE goes up: its attendees changed, and the calendar invitation sent next must
    supersede the earlier ones. Runs under the trainer's calendar lock, like every caller.
    """
    _offer_free_seats(session)
    if session.status == Session.Status.SCHEDULED and not session.bookings.filter(status__in=Booking.HOLDING).exists():
        took_place = session.bookings.filter(
            status__in=(Booking.Status.COMPLETED, Booking.Status.NO_SHOW_LEARNER, Booking.Status.NO_SHOW_TRAINER)
        ).exists()
        session.status = Session.Status.COMPLETED if took_place else Session.Status.CANCELLED
        _close_waitlist(session)
    session.sequence += 1
    session.save(update_fields=["status", "sequence", "modified"])


def reschedule_booking(booking_id: int, actor: Any, new_start: datetime) -> BookingInfo:
    """
    Move a booking to another free time of the same session type, within the reschedule cut-off and cap. A 1:1
    session moves (its SEQUENCE goes up); a seat in a group session moves to the group session or new session at
    the new time.
    """
    new_start = _aware(new_start, "start")
    with transaction.atomic():
        booking = _locked_booking(booking_id)
        role = _role(actor, booking)
        _expect(booking, *Booking.BOOKED)
        session, session_type = booking.session, booking.session.session_type
        _enforce_cutoff(booking, session_type.reschedule_cutoff_hours, role, override=False)
        if role == "learner" and booking.reschedule_count >= session_type.max_reschedules:
            raise BookingError(
                "reschedule_limit",
                _("This booking was already moved {count} times.").format(count=booking.reschedule_count),
                409,
            )
        calendar = session.calendar
        new_end = new_start + timedelta(minutes=session_type.duration_minutes)
        sole = (
            session.capacity == 1
            or not session.bookings.filter(status__in=Booking.HOLDING).exclude(pk=booking.pk).exists()
        )
        snapshot = _snapshot(session_type, calendar, new_start, new_end, ignore_session_id=session.pk if sole else None)
        verdict = slots.check(snapshot, _policy(session_type, calendar), new_start, timezone.now())
        if not verdict.bookable:
            raise BookingError("slot_unavailable", verdict.message, 409, reason=verdict.code)
        if sole and not verdict.session_id:
            session.start, session.end = new_start, new_end
            session.blocked_start = new_start - timedelta(minutes=session_type.buffer_before_minutes)
            session.blocked_end = new_end + timedelta(minutes=session_type.buffer_after_minutes)
            session.sequence += 1
            session.save()
        else:
            target = _session_for_seat(verdict, session_type, calendar, new_start, new_end)
            booking.session = target
            _release_session_if_empty(session)
        booking.reschedule_count += 1
        booking.save()
    _announce(signals.BOOKING_RESCHEDULED, booking, actor)
    return _booking_info(_bookings().get(pk=booking.pk))


def _session_for_seat(
    verdict: Any, session_type: SessionType, calendar: Any, start: datetime, end: datetime
) -> Session:
    if verdict.session_id:
        session = Session.objects.get(pk=verdict.session_id)
        if session.bookings.filter(status__in=Booking.HOLDING).count() >= session.capacity:
            raise BookingError("session_full", _("This group session has no seat left."), 409)
        return session
    return _new_session(calendar, session_type, start, end)


def _new_session(calendar: Any, session_type: SessionType, start: datetime, end: datetime) -> Session:
    """A session of the type at ``start``, blocking the trainer's time with the type's buffers on both sides."""
    return Session.objects.create(
        calendar=calendar,
        session_type=session_type,
        course_key=session_type.course_key,
        start=start,
        end=end,
        blocked_start=start - timedelta(minutes=session_type.buffer_before_minutes),
        blocked_end=end + timedelta(minutes=session_type.buffer_after_minutes),
        capacity=session_type.capacity,
    )


def complete_booking(booking_id: int, actor: Any, outcome: str = Booking.Status.COMPLETED) -> BookingInfo:
    """After the session: it took place, or one side did not come. The trainer (or staff) says which."""
    if outcome not in (Booking.Status.COMPLETED, Booking.Status.NO_SHOW_LEARNER, Booking.Status.NO_SHOW_TRAINER):
        raise BookingError("invalid_outcome", _("The outcome is completed, or a no-show of one side."))
    with transaction.atomic():
        booking = _locked_booking(booking_id)
        if _role(actor, booking) == "learner" and outcome != Booking.Status.NO_SHOW_TRAINER:
            raise _forbidden(_("Only the trainer records how a session went."))
        _expect(booking, Booking.Status.CONFIRMED)
        if booking.session.start > timezone.now():
            raise BookingError("not_started", _("A session can be marked only once it has started."), 409)
        booking.status = outcome
        booking.save(update_fields=["status", "modified"])
        if not booking.session.bookings.filter(status__in=Booking.HOLDING).exists():
            booking.session.status = Session.Status.COMPLETED
            booking.session.save(update_fields=["status", "modified"])
    _announce(signals.BOOKING_COMPLETED, booking, actor)
    return _booking_info(booking)


def expire_requests(now: datetime | None = None) -> int:
    """
    Requests the trainer left unanswered, and seats offered from a waitlist and not accepted, lapse past their
    expiry and free their seat (which goes to the next learner waiting); the waitlists of sessions that started
    close. Run periodically (Celery beat). Returns how many requests and offers lapsed.
    """
    now = now or timezone.now()
    expired = _expire_offers(now)
    _close_started_waitlists(now)
    for booking_id in Booking.objects.filter(status=Booking.Status.REQUESTED, expires_at__lt=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            booking = _locked_booking(booking_id)
            if booking.status != Booking.Status.REQUESTED:
                continue
            booking.status = Booking.Status.EXPIRED
            booking.save(update_fields=["status", "modified"])
            _release_session_if_empty(booking.session)
        _announce(signals.BOOKING_CANCELLED, booking, None, "expired")
        expired += 1
    return expired


def _expect(booking: Booking, *statuses: str) -> None:
    if booking.status not in statuses:
        raise BookingError(
            "invalid_state",
            _("This booking is {status}: that cannot be done now.").format(status=booking.get_status_display()),
            409,
        )


# --- reads ----------------------------------------------------------------------------------------------------------


def get_booking(booking_id: int, viewer: Any) -> BookingInfo:
    """One booking, for its learner, its trainer, or staff."""
    booking = _bookings().filter(pk=booking_id).first()
    if booking is None:
        raise _not_found("booking")
    if not viewer.has_perm("mentora_booking.view_booking", _rule_object(booking)):
        raise _not_found("booking")  # not yours: as if it did not exist
    return _booking_info(booking)


def list_bookings(
    user: Any,
    *,
    as_trainer: bool = False,
    upcoming: bool | None = None,
    course_key: CourseKey | str | None = None,
    other_party: Any | None = None,
) -> list[BookingInfo]:
    """
    A user's bookings as learner (or, ``as_trainer``, the bookings of their sessions), soonest first when upcoming,
    latest first otherwise; ``other_party`` narrows to the history between one learner and one trainer.
    """
    bookings = _bookings()
    user_id = host_api._user_id(user)
    bookings = (
        bookings.filter(session__calendar__trainer_id=user_id) if as_trainer else bookings.filter(learner_id=user_id)
    )
    if other_party is not None:
        other = host_api._user_id(other_party)
        bookings = (
            bookings.filter(learner_id=other) if as_trainer else bookings.filter(session__calendar__trainer_id=other)
        )
    if course_key is not None:
        bookings = bookings.filter(session__course_key=host_api.parse_course_key(course_key))
    now = timezone.now()
    if upcoming is True:
        bookings = bookings.filter(session__end__gte=now, status__in=_UPCOMING).order_by("session__start")
    elif upcoming is False:
        bookings = bookings.exclude(session__end__gte=now, status__in=_UPCOMING).order_by("-session__start")
    else:
        bookings = bookings.order_by("-session__start")
    return [_booking_info(booking) for booking in bookings]


def _booking_info(booking: Booking) -> BookingInfo:
    session = booking.session
    session_type = session.session_type
    trainer = session.calendar.trainer
    rating = _rating_of(booking)
    return BookingInfo(
        id=booking.pk,
        status=booking.status,
        session_id=session.pk,
        session_uid=str(session.uid),
        session_type_id=session_type.pk,
        session_type_title=session_type.title,
        course_key=session.course_key,
        trainer_id=trainer.pk,
        trainer_name=host_api.display_name(trainer),
        learner_id=booking.learner_id,
        learner_name=host_api.display_name(booking.learner),
        start=session.start,
        end=session.end,
        location=session_type.location,
        location_detail=session_type.location_detail,
        goal=booking.goal,
        reschedule_count=booking.reschedule_count,
        expires_at=booking.expires_at,
        cancel_reason=booking.cancel_reason,
        sequence=session.sequence,
        shared_notes=booking.shared_notes,
        rating_stars=rating.stars if rating else None,
        rating_comment=rating.comment if rating else "",
    )


def _rating_of(booking: Booking) -> SessionRating | None:
    try:
        return booking.rating
    except SessionRating.DoesNotExist:
        return None


def _announce(signal: Any, booking: Booking, actor: Any | None, reason: str = "") -> None:
    session = booking.session
    data = signals.BookingEventData(
        booking_id=booking.pk,
        session_id=session.pk,
        session_uid=str(session.uid),
        learner_id=booking.learner_id,
        trainer_id=session.calendar.trainer_id,
        course_key=session.course_key,
        start=session.start,
        end=session.end,
        status=booking.status,
        sequence=session.sequence,
        actor_id=getattr(actor, "pk", 0) or 0,
        reason=reason,
    )
    verb = signal.event_type.split(".")[-2]
    announce(
        signal,
        f"edx.mentora.booking.{verb}",
        {
            "booking_id": booking.pk,
            "session_id": session.pk,
            "course_id": str(session.course_key),
            "status": booking.status,
        },
        booking=data,
    )


# --- the waitlist of a full group session ---------------------------------------------------------------------------

#: Statuses listed among a learner's upcoming bookings: a seat held, or a place on a waitlist.
_UPCOMING = (*Booking.HOLDING, Booking.Status.WAITLISTED)


def waitlist_offer_hours() -> int:
    """``MENTORA_BOOKING_WAITLIST_OFFER_HOURS``: how long a seat offered from a waitlist is held (read at call time)."""
    value = getattr(settings, "MENTORA_BOOKING_WAITLIST_OFFER_HOURS", 12)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 12


def join_waitlist(learner: Any, session_id: int) -> BookingInfo:
    """
    Put ``learner`` on the waitlist of a full group session (a booking of status ``waitlisted``, holding no seat).
    Learners wait in the order they joined; when a seat frees, the first gets it offered (``accept_offer``).

    Raises:
        BookingError: ``session_not_found`` (404); ``not_enrolled`` (403); ``own_session``; ``not_group`` (a 1:1
            session has no waitlist); ``session_closed`` (cancelled, or started); ``not_full`` (409: a seat is free,
            book it); ``already_booked`` (409: the learner holds a seat there); ``already_waiting`` (409).
    """
    learner = learner if isinstance(learner, User) else User.objects.filter(pk=host_api._user_id(learner)).first()
    if learner is None or not learner.is_active:
        raise BookingError("unknown_user", _("Only an active user can book."), status=400)
    session = Session.objects.select_related("calendar").filter(pk=session_id).first()
    if session is None:
        raise _not_found("session")
    if not host_api.is_enrolled(learner, session.course_key):
        raise BookingError("not_enrolled", _("Only learners enrolled in the course can book its sessions."), 403)
    if session.calendar.trainer_id == learner.pk:
        raise BookingError("own_session", _("You cannot book a session with yourself."))
    if session.capacity <= 1:
        raise BookingError("not_group", _("Only group sessions have a waitlist."))
    with transaction.atomic():
        TrainerCalendar.objects.select_for_update().get(pk=session.calendar_id)
        session = Session.objects.get(pk=session.pk)
        if session.status != Session.Status.SCHEDULED or session.start <= timezone.now():
            raise BookingError("session_closed", _("This session is no longer open for booking."), 409)
        mine = set(session.bookings.filter(learner=learner).values_list("status", flat=True))
        if mine & set(Booking.HOLDING):
            raise BookingError("already_booked", _("You already have a seat in this session."), 409)
        if Booking.Status.WAITLISTED in mine:
            raise BookingError("already_waiting", _("You are already on this session's waitlist."), 409)
        if session.bookings.filter(status__in=Booking.HOLDING).count() < session.capacity:
            raise BookingError("not_full", _("This session still has a free seat: book it instead."), 409)
        booking = Booking.objects.create(session=session, learner=learner, status=Booking.Status.WAITLISTED)
        booking = _bookings().get(pk=booking.pk)
        _announce(signals.BOOKING_WAITLISTED, booking, learner)
    return _booking_info(booking)


def accept_offer(booking_id: int, learner: Any) -> BookingInfo:
    """
    The learner takes the seat offered to them: the booking is confirmed, or requested when the session type needs
    the trainer's approval.

    Raises:
        BookingError: ``booking_not_found`` (404); ``permission_denied`` (not the booking's learner); ``invalid_state``
            (nothing is offered); ``offer_expired`` (409: the offer lapsed; the seat went to the next in line).
    """
    lapsed = False
    with transaction.atomic():
        booking = _locked_booking(booking_id)
        if _role(learner, booking) != "learner":
            raise _forbidden(_("Only the learner can accept the seat offered to them."))
        _expect(booking, Booking.Status.OFFERED)
        now = timezone.now()
        if booking.expires_at is None or booking.expires_at <= now:
            _lapse_offer(booking)
            lapsed = True
        else:
            session_type = booking.session.session_type
            if session_type.requires_approval:
                booking.status = Booking.Status.REQUESTED
                answer_by = now + timedelta(hours=session_type.approval_expiry_hours)
                booking.expires_at = min(answer_by, booking.session.start)
            else:
                booking.status = Booking.Status.CONFIRMED
                booking.expires_at = None
            booking.save(update_fields=["status", "expires_at", "modified"])
            _announce(
                signals.BOOKING_REQUESTED if booking.status == Booking.Status.REQUESTED else signals.BOOKING_CONFIRMED,
                booking,
                learner,
            )
    if lapsed:
        raise BookingError("offer_expired", _("This offer has expired; the seat went to the next learner."), 409)
    return _booking_info(booking)


def leave_waitlist(booking_id: int, learner: Any) -> BookingInfo:
    """
    The learner leaves the waitlist, or turns down the seat offered to them (which then goes to the next in line).

    Raises:
        BookingError: ``booking_not_found`` (404); ``permission_denied``; ``invalid_state`` (not waiting).
    """
    with transaction.atomic():
        booking = _locked_booking(booking_id)
        if _role(learner, booking) != "learner":
            raise _forbidden(_("Only the learner can leave the waitlist."))
        _expect(booking, Booking.Status.WAITLISTED, Booking.Status.OFFERED)
        was_offered = booking.status == Booking.Status.OFFERED
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_by = learner
        booking.expires_at = None
        booking.save(update_fields=["status", "cancelled_by", "expires_at", "modified"])
        if was_offered:
            _release_session_if_empty(booking.session)
        _announce(signals.BOOKING_WAITLIST_LEFT, booking, learner)
    return _booking_info(booking)


def get_session_type_id(session_id: int) -> int:
    """The session type of a session, or ``session_not_found``."""
    found = Session.objects.filter(pk=session_id).values_list("session_type_id", flat=True).first()
    if found is None:
        raise _not_found("session")
    return found


def list_full_sessions(
    session_type_id: int, start_date: date, end_date: date, viewer_zone: str | None = None
) -> list[SlotInfo]:
    """
    The full group sessions of a session type between two dates (in the viewer's zone), not started yet: those a
    learner may join the waitlist of (``session_id``), soonest first, times in the viewer's zone.
    """
    session_type = SessionType.objects.select_related("calendar").filter(pk=session_type_id, is_active=True).first()
    if session_type is None:
        raise _not_found("session_type")
    zone = parse_zone(viewer_zone) if viewer_zone else ZoneInfo(session_type.calendar.time_zone)
    if not isinstance(start_date, date) or not isinstance(end_date, date) or end_date < start_date:
        raise BookingError("invalid_range", _("The range must end on or after the day it starts."))
    if (end_date - start_date).days >= MAX_SLOT_RANGE_DAYS:
        raise BookingError(
            "invalid_range", _("Ask for at most {days} days at a time.").format(days=MAX_SLOT_RANGE_DAYS)
        )
    range_start = max(datetime.combine(start_date, time.min, tzinfo=zone), timezone.now())
    range_end = datetime.combine(end_date + timedelta(days=1), time.min, tzinfo=zone)
    sessions = (
        Session.objects.filter(
            session_type=session_type,
            status=Session.Status.SCHEDULED,
            capacity__gt=1,
            start__gt=range_start,
            start__lt=range_end,
        )
        .annotate(taken=Count("bookings", filter=Q(bookings__status__in=Booking.HOLDING)))
        .filter(taken__gte=F("capacity"))
        .order_by("start")
    )
    return [SlotInfo(s.start.astimezone(zone), s.end.astimezone(zone), s.pk, 0) for s in sessions]


def _offer_free_seats(session: Session) -> list[Booking]:
    """
    Offer each free seat of a scheduled group session that has not started to the first learner waiting who is
    free at that time (a learner busy elsewhere keeps their place). Under the trainer's calendar lock.
    """
    now = timezone.now()
    if session.status != Session.Status.SCHEDULED or session.start <= now or session.capacity <= 1:
        return []
    free = session.capacity - session.bookings.filter(status__in=Booking.HOLDING).count()
    if free <= 0:
        return []
    expires_at = min(now + timedelta(hours=waitlist_offer_hours()), session.start)
    offered = []
    waiting = _bookings().filter(session=session, status=Booking.Status.WAITLISTED).order_by("created", "pk")
    for booking in waiting:
        if len(offered) == free:
            break
        busy = Booking.objects.filter(
            learner_id=booking.learner_id,
            status__in=Booking.HOLDING,
            session__status=Session.Status.SCHEDULED,
            session__start__lt=session.end,
            session__end__gt=session.start,
        ).exclude(session=session)
        if busy.exists():
            continue
        booking.status = Booking.Status.OFFERED
        booking.expires_at = expires_at
        booking.save(update_fields=["status", "expires_at", "modified"])
        _announce(signals.BOOKING_OFFERED, booking, None)
        offered.append(booking)
    return offered


def _lapse_offer(booking: Booking) -> None:
    """An offer not taken in time: the booking expires and the seat goes to the next in line. Under the lock."""
    booking.status = Booking.Status.EXPIRED
    booking.save(update_fields=["status", "modified"])
    _release_session_if_empty(booking.session)
    _announce(signals.BOOKING_WAITLIST_LEFT, booking, None, "expired")


def _close_waitlist(session: Session) -> None:
    """A session that ended or started waits for nobody any more: its waitlist expires. Under the lock."""
    for booking in _bookings().filter(session=session, status=Booking.Status.WAITLISTED):
        booking.status = Booking.Status.EXPIRED
        booking.save(update_fields=["status", "modified"])
        _announce(signals.BOOKING_WAITLIST_LEFT, booking, None, "closed")


def _expire_offers(now: datetime) -> int:
    expired = 0
    for booking_id in Booking.objects.filter(status=Booking.Status.OFFERED, expires_at__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            booking = _locked_booking(booking_id)
            if booking.status != Booking.Status.OFFERED or booking.expires_at > now:
                continue
            _lapse_offer(booking)
        expired += 1
    return expired


def _close_started_waitlists(now: datetime) -> None:
    session_ids = (
        Booking.objects.filter(status=Booking.Status.WAITLISTED)
        .filter(Q(session__start__lte=now) | ~Q(session__status=Session.Status.SCHEDULED))
        .values_list("session_id", flat=True)
        .distinct()
    )
    for session_id in list(session_ids):
        with transaction.atomic():
            session = Session.objects.get(pk=session_id)
            TrainerCalendar.objects.select_for_update().get(pk=session.calendar_id)
            _close_waitlist(session)


# --- the session record: notes, rating, history ---------------------------------------------------------------------

#: The longest shared or private notes, in characters.
NOTES_MAX_LENGTH = 20000
#: The longest rating comment, in characters.
RATING_COMMENT_MAX_LENGTH = 2000
#: How long after it was first given a rating may still be changed.
RATING_EDIT_DAYS = 7


def _record_role(viewer: Any, booking: Booking) -> str:
    """'learner', 'trainer' or 'staff'; anyone else is told the booking does not exist."""
    if viewer is None or not viewer.has_perm("mentora_booking.view_booking", _rule_object(booking)):
        raise _not_found("booking")
    return _role(viewer, booking)


def _session_record(booking: Booking, role: str) -> SessionRecord:
    rating = _rating_of(booking)
    return SessionRecord(
        booking_id=booking.pk,
        goal=booking.goal,
        shared_notes=booking.shared_notes,
        private_notes=booking.private_notes if role in ("trainer", "staff") else None,
        rating=_rating_info(rating) if rating else None,
        can_rate=role == "learner" and _may_rate(booking, rating),
    )


def _rating_info(rating: SessionRating) -> RatingInfo:
    return RatingInfo(
        booking_id=rating.booking_id,
        stars=rating.stars,
        comment=rating.comment,
        created=rating.created,
        modified=rating.modified,
        editable_until=rating.created + timedelta(days=RATING_EDIT_DAYS),
    )


def _may_rate(booking: Booking, rating: SessionRating | None) -> bool:
    if booking.status != Booking.Status.COMPLETED:
        return False
    return rating is None or timezone.now() < rating.created + timedelta(days=RATING_EDIT_DAYS)


def get_session_record(booking_id: int, viewer: Any) -> SessionRecord:
    """
    The goal, shared notes, rating and (for the trainer and course staff only) private notes of a booking.

    Raises:
        BookingError: ``booking_not_found`` (404), also for someone else's booking.
    """
    booking = _bookings().filter(pk=booking_id).first()
    if booking is None:
        raise _not_found("booking")
    return _session_record(booking, _record_role(viewer, booking))


def update_notes(
    booking_id: int, actor: Any, *, shared_notes: str | None = None, private_notes: str | None = None
) -> SessionRecord:
    """
    Write the shared notes (the learner and the trainer) and/or the private notes (the trainer, or course staff).
    Notes are Markdown source, stored as written; pages show them as escaped plain text, never as HTML.

    Raises:
        BookingError: ``booking_not_found`` (404); ``permission_denied`` (a learner writing private notes);
            ``notes_too_long`` / ``invalid_notes`` (400).
    """
    for value in (shared_notes, private_notes):
        if value is not None and not isinstance(value, str):
            raise BookingError("invalid_notes", _("Notes are text."))
        if value is not None and len(value) > NOTES_MAX_LENGTH:
            raise BookingError(
                "notes_too_long", _("Notes are at most {count} characters long.").format(count=NOTES_MAX_LENGTH)
            )
    with transaction.atomic():
        booking = _locked(Booking, booking_id, _bookings())
        if booking is None:
            raise _not_found("booking")
        role = _record_role(actor, booking)
        if private_notes is not None and role == "learner":
            raise _forbidden(_("Only the trainer writes private notes."))
        fields = ["modified"]
        if shared_notes is not None:
            booking.shared_notes = shared_notes
            fields.append("shared_notes")
        if private_notes is not None:
            booking.private_notes = private_notes
            fields.append("private_notes")
        booking.save(update_fields=fields)
    return _session_record(booking, role)


def rate_booking(booking_id: int, learner: Any, stars: int, comment: str = "") -> RatingInfo:
    """
    The learner rates a completed session: 1 to 5 stars, an optional comment. Once per booking; the rating may be
    changed for ``RATING_EDIT_DAYS`` days after it was first given. Sends ``BOOKING_RATED`` (each time).

    Raises:
        BookingError: ``booking_not_found`` (404, also someone else's booking); ``permission_denied`` (not the
            learner); ``invalid_stars`` / ``comment_too_long`` (400); ``not_completed`` (409: the session did not
            take place, or not yet); ``rating_locked`` (409: the edit period is over).
    """
    if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
        raise BookingError("invalid_stars", _("A rating is 1 to 5 stars."))
    comment = comment or ""
    if not isinstance(comment, str) or len(comment) > RATING_COMMENT_MAX_LENGTH:
        raise BookingError(
            "comment_too_long",
            _("A comment is at most {count} characters long.").format(count=RATING_COMMENT_MAX_LENGTH),
        )
    with transaction.atomic():
        booking = _locked(Booking, booking_id, _bookings())
        if booking is None:
            raise _not_found("booking")
        if _record_role(learner, booking) != "learner":
            raise _forbidden(_("Only the learner rates a session."))
        if booking.status != Booking.Status.COMPLETED:
            raise BookingError("not_completed", _("A session can be rated once it took place."), 409)
        rating = SessionRating.objects.select_for_update().filter(booking=booking).first()
        if rating is None:
            rating = SessionRating.objects.create(booking=booking, stars=stars, comment=comment)
        elif timezone.now() >= rating.created + timedelta(days=RATING_EDIT_DAYS):
            raise BookingError(
                "rating_locked",
                _("A rating can be changed for {days} days only.").format(days=RATING_EDIT_DAYS),
                409,
            )
        else:
            rating.stars, rating.comment = stars, comment
            rating.save(update_fields=["stars", "comment", "modified"])
        session = booking.session
        announce(
            signals.BOOKING_RATED,
            "edx.mentora.booking.rated",
            {"booking_id": booking.pk, "course_id": str(session.course_key), "stars": stars},
            rating=signals.RatingEventData(
                booking_id=booking.pk,
                trainer_id=session.calendar.trainer_id,
                learner_id=booking.learner_id,
                course_key=session.course_key,
                stars=stars,
                comment=comment,
            ),
        )
    return _rating_info(rating)


def get_private_notes(trainer: Any, booking_ids: Sequence[int]) -> dict[int, str]:
    """The trainer's private notes on bookings of their own sessions, by booking id (one query; others are left out)."""
    return dict(
        Booking.objects.filter(pk__in=list(booking_ids), session__calendar__trainer_id=host_api._user_id(trainer))
        .exclude(private_notes="")
        .values_list("pk", "private_notes")
    )


def session_history(learner: Any, trainer: Any) -> list[BookingInfo]:
    """Every booking between ``learner`` and ``trainer`` (waitlist places included), newest session first."""
    return list_bookings(learner, other_party=trainer)


# --- mentors --------------------------------------------------------------------------------------------------------


def mentee_cap(trainer: Any) -> int:
    """
    How many learners ``trainer`` may mentor at once, across all their courses: the ``max_active_mentees``
    capability their trainer level grants (``MENTORA_TRAINER_CAPABILITIES``, capped during probation; a trainer
    made by course staff without an application has the first level's). 0 for anyone who is not a trainer.

    Everything that enforces the cap asks here, and only here.
    """
    return trainers_api.limit(trainer, "max_active_mentees")


def _mentorships():
    return Mentorship.objects.select_related("learner", "trainer")


def _mentorship_info(mentorship: Mentorship) -> MentorshipInfo:
    return MentorshipInfo(
        id=mentorship.pk,
        course_key=mentorship.course_key,
        learner_id=mentorship.learner_id,
        learner_name=host_api.display_name(mentorship.learner),
        trainer_id=mentorship.trainer_id,
        trainer_name=host_api.display_name(mentorship.trainer),
        assigned_by_id=mentorship.assigned_by_id,
        created=mentorship.created,
        ended_at=mentorship.ended_at,
    )


def _user(value: Any, what: str) -> Any:
    user = value if isinstance(value, User) else User.objects.filter(pk=host_api._user_id(value)).first()
    if user is None or not user.is_active:
        raise _not_found(what)
    return user


def choose_mentor(learner: Any, course_key: CourseKey | str, trainer: Any) -> MentorshipInfo:
    """
    The learner chooses ``trainer`` as their mentor in the course (ending their current mentor there, if any). A
    learner who already has this mentor gets the same mentorship back.

    Raises:
        BookingError: ``not_enrolled`` (403); ``trainer_not_found`` (404); ``not_a_trainer`` (the user does not
            mentor in this course); ``own_mentor``; ``mentee_cap_reached`` (409); ``mentorship_conflict`` (409, a
            concurrent change of this learner's mentor won).
    """
    return _start_mentorship(learner, course_key, trainer, assigned_by=None)


def assign_mentor(staff: Any, course_key: CourseKey | str, learner: Any, trainer: Any) -> MentorshipInfo:
    """
    Course staff (or platform staff) assign ``trainer`` as ``learner``'s mentor in the course; the trainer's mentee
    cap holds for staff too.

    Raises:
        BookingError: ``permission_denied`` (403), then as ``choose_mentor``.
    """
    key = host_api.parse_course_key(course_key)
    if staff is None or not staff.has_perm("mentora_booking.assign_mentor", key):
        raise _forbidden(_("Only the course's staff can assign mentors."))
    return _start_mentorship(learner, key, trainer, assigned_by=staff)


def _start_mentorship(learner: Any, course_key: Any, trainer: Any, *, assigned_by: Any | None) -> MentorshipInfo:
    key = host_api.parse_course_key(course_key)
    learner = _user(learner, "learner")
    trainer = _user(trainer, "trainer")
    if not host_api.is_enrolled(learner, key):
        raise BookingError("not_enrolled", _("Only learners enrolled in the course can have a mentor there."), 403)
    if learner.pk == trainer.pk:
        raise BookingError("own_mentor", _("A learner cannot mentor themselves."))
    if not is_course_trainer(trainer, key):
        raise BookingError("not_a_trainer", _("This person does not mentor in this course."))
    calendar = _calendar_of(trainer)  # created outside the lock's transaction, once
    try:
        with transaction.atomic():
            # The trainer's calendar row serialises every change to their mentees, as it does their bookings.
            TrainerCalendar.objects.select_for_update().get(pk=calendar.pk)
            current = Mentorship.objects.select_for_update().filter(course_key=key, learner=learner, is_active=True)
            current = current.first()
            if current is not None and current.trainer_id == trainer.pk:
                return _mentorship_info(_mentorships().get(pk=current.pk))
            cap = mentee_cap(trainer)
            if Mentorship.objects.filter(trainer=trainer, is_active=True).count() >= cap:
                raise BookingError(
                    "mentee_cap_reached",
                    _("This trainer already mentors {count} learners, their most.").format(count=cap),
                    409,
                )
            if current is not None:
                _end(current)
            mentorship = Mentorship.objects.create(
                course_key=key, learner=learner, trainer=trainer, assigned_by=assigned_by
            )
    except IntegrityError:
        raise BookingError(
            "mentorship_conflict", _("Your mentor was changed at the same time; try again."), 409
        ) from None
    return _mentorship_info(_mentorships().get(pk=mentorship.pk))


def _end(mentorship: Mentorship) -> None:
    mentorship.is_active = None
    mentorship.ended_at = timezone.now()
    mentorship.save(update_fields=["is_active", "ended_at"])


def end_mentorship(mentorship_id: int, actor: Any) -> MentorshipInfo:
    """
    End a mentorship: its learner, its trainer, or the course's staff may.

    Raises:
        BookingError: ``mentorship_not_found`` (404, also for anyone else); ``invalid_state`` (409: already ended).
    """
    with transaction.atomic():
        mentorship = _locked(Mentorship, mentorship_id, _mentorships())
        if mentorship is None or actor is None or not (
            actor.pk in (mentorship.learner_id, mentorship.trainer_id)
            or actor.has_perm("mentora_booking.assign_mentor", mentorship.course_key)
        ):
            raise _not_found("mentorship")
        if mentorship.ended_at is not None:
            raise BookingError("invalid_state", _("This mentorship has already ended."), 409)
        _end(mentorship)
    return _mentorship_info(mentorship)


def get_mentor(learner: Any, course_key: CourseKey | str) -> MentorshipInfo | None:
    """The learner's active mentorship in the course, or None."""
    mentorship = _mentorships().filter(
        learner_id=host_api._user_id(learner), course_key=host_api.parse_course_key(course_key), is_active=True
    ).first()
    return _mentorship_info(mentorship) if mentorship else None


def get_mentorship(mentorship_id: int) -> MentorshipInfo:
    """One mentorship (active or ended), or ``mentorship_not_found``. The caller checks who may see it."""
    mentorship = _mentorships().filter(pk=mentorship_id).first()
    if mentorship is None:
        raise _not_found("mentorship")
    return _mentorship_info(mentorship)


def list_mentees(trainer: Any, course_key: CourseKey | str | None = None) -> list[MentorshipInfo]:
    """The trainer's active mentorships (in one course, or all), latest first."""
    mentorships = _mentorships().filter(trainer_id=host_api._user_id(trainer), is_active=True)
    if course_key is not None:
        mentorships = mentorships.filter(course_key=host_api.parse_course_key(course_key))
    return [_mentorship_info(mentorship) for mentorship in mentorships]


def list_course_mentorships(course_key: CourseKey | str) -> list[MentorshipInfo]:
    """A course's active mentorships, latest first (for its staff)."""
    key = host_api.parse_course_key(course_key)
    return [_mentorship_info(m) for m in _mentorships().filter(course_key=key, is_active=True)]


def list_mentor_options(course_key: CourseKey | str) -> list[MentorOption]:
    """The course's trainers a learner may choose from, with how many learners each mentors and their cap."""
    trainers = list(host_api.get_course_trainers(course_key))
    counts = dict(
        Mentorship.objects.filter(trainer__in=[t.pk for t in trainers], is_active=True)
        .values("trainer_id")
        .annotate(count=Count("pk"))
        .values_list("trainer_id", "count")
    )
    return [
        MentorOption(trainer.pk, host_api.display_name(trainer), counts.get(trainer.pk, 0), mentee_cap(trainer))
        for trainer in trainers
    ]
