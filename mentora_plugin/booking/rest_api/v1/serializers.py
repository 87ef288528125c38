"""
Serializers of the booking API (v1).

Output serializers read the plain data classes of ``mentora_plugin.booking.data``; input serializers check types
and shapes only. What the values mean (a zone exists, a window ends after it starts, a time is bookable) is the
domain API's decision, so the REST API, the pages and the block refuse the same things with the same codes.
"""
from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

OUTCOMES = ("completed", "no_show_learner", "no_show_trainer")
OVERRIDE_KINDS = ("extra", "unavailable")
LOCATIONS = ("video", "in_person", "provider")


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date and time that must carry its UTC offset (``2026-03-30T09:00:00+02:00`` or ``...Z``)."""

    default_error_messages = {
        "invalid": _("Give a date and time in ISO 8601 with its UTC offset, e.g. 2026-03-30T09:00:00+02:00."),
    }

    def to_internal_value(self, data):
        value = parse_aware_datetime(data)
        if value is None:
            self.fail("invalid")
        return value

    def to_representation(self, value):
        """As given: the zone the data carries (the viewer's for slots), not the server's."""
        return value.isoformat()


def parse_aware_datetime(value) -> datetime | None:
    """``value`` as an aware datetime, or None when it is not an ISO 8601 date and time with an offset."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if "T" not in text.upper() and " " not in text:
        return None  # a bare date is not a time
    return None if timezone.is_naive(parsed) else parsed


# --- session types --------------------------------------------------------------------------------------------------


class SessionTypeSerializer(serializers.Serializer):
    """A kind of session a trainer offers in a course, and its booking policy."""

    id = serializers.IntegerField()
    course_key = serializers.CharField()
    trainer_id = serializers.IntegerField()
    trainer_name = serializers.CharField()
    time_zone = serializers.CharField(help_text="The trainer's IANA zone, in which the weekly rules are written.")
    title = serializers.CharField()
    description = serializers.CharField()
    duration_minutes = serializers.IntegerField()
    capacity = serializers.IntegerField(help_text="1 for a 1:1 session, more for a group session.")
    is_group = serializers.BooleanField()
    location = serializers.ChoiceField(choices=LOCATIONS)
    location_detail = serializers.CharField()
    buffer_before_minutes = serializers.IntegerField()
    buffer_after_minutes = serializers.IntegerField()
    minimum_notice_minutes = serializers.IntegerField()
    window_days = serializers.IntegerField(allow_null=True)
    window_start = serializers.DateField(allow_null=True)
    window_end = serializers.DateField(allow_null=True)
    slot_interval_minutes = serializers.IntegerField()
    learner_max_per_week = serializers.IntegerField(allow_null=True)
    requires_approval = serializers.BooleanField()
    approval_expiry_hours = serializers.IntegerField()
    cancellation_cutoff_hours = serializers.IntegerField()
    reschedule_cutoff_hours = serializers.IntegerField()
    max_reschedules = serializers.IntegerField()
    is_active = serializers.BooleanField()


class SessionTypeWriteSerializer(serializers.Serializer):
    """What a trainer sends to create (``title`` and ``duration_minutes`` required) or change a session type."""

    title = serializers.CharField(max_length=255)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    duration_minutes = serializers.IntegerField(min_value=1, max_value=10000)
    capacity = serializers.IntegerField(required=False, min_value=1, max_value=10000)
    location = serializers.ChoiceField(choices=LOCATIONS, required=False)
    location_detail = serializers.CharField(required=False, allow_blank=True, max_length=500)
    buffer_before_minutes = serializers.IntegerField(required=False, min_value=0, max_value=10000)
    buffer_after_minutes = serializers.IntegerField(required=False, min_value=0, max_value=10000)
    minimum_notice_minutes = serializers.IntegerField(required=False, min_value=0, max_value=1_000_000)
    window_days = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=10000)
    window_start = serializers.DateField(required=False, allow_null=True)
    window_end = serializers.DateField(required=False, allow_null=True)
    slot_interval_minutes = serializers.IntegerField(required=False, min_value=1, max_value=10000)
    learner_max_per_week = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=10000)
    requires_approval = serializers.BooleanField(required=False)
    approval_expiry_hours = serializers.IntegerField(required=False, min_value=1, max_value=10000)
    cancellation_cutoff_hours = serializers.IntegerField(required=False, min_value=0, max_value=10000)
    reschedule_cutoff_hours = serializers.IntegerField(required=False, min_value=0, max_value=10000)
    max_reschedules = serializers.IntegerField(required=False, min_value=0, max_value=10000)
    is_active = serializers.BooleanField(required=False)


# --- slots ----------------------------------------------------------------------------------------------------------


class SlotSerializer(serializers.Serializer):
    """A bookable start, in the viewer's zone (ISO 8601 with its offset)."""

    start = AwareDateTimeField()
    end = AwareDateTimeField()
    session_id = serializers.IntegerField(allow_null=True, help_text="Set when the slot is a seat in a group session.")
    seats_left = serializers.IntegerField()


class SlotCheckSerializer(serializers.Serializer):
    """Whether a start can be booked now, and if not why (``code`` is stable, ``message`` is for people)."""

    bookable = serializers.BooleanField()
    code = serializers.CharField(help_text="ok, in_the_past, too_soon, outside_window, not_available, overlaps, ...")
    message = serializers.CharField()


# --- calendar -------------------------------------------------------------------------------------------------------


class WeeklyRuleSerializer(serializers.Serializer):
    """A weekly window in the trainer's local time; weekday 0 is Monday."""

    weekday = serializers.IntegerField(min_value=0, max_value=6)
    start = serializers.TimeField(format="%H:%M")
    end = serializers.TimeField(format="%H:%M")


class OverrideSerializer(serializers.Serializer):
    """A date with extra hours, or time off (the whole day when it has no times)."""

    id = serializers.IntegerField(read_only=True)
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=OVERRIDE_KINDS)
    start = serializers.TimeField(format="%H:%M", required=False, allow_null=True, default=None)
    end = serializers.TimeField(format="%H:%M", required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")


class CalendarSerializer(serializers.Serializer):
    """The signed-in trainer's calendar: zone, limits, weekly rules and the overrides from yesterday on."""

    time_zone = serializers.CharField()
    max_sessions_per_day = serializers.IntegerField(allow_null=True)
    max_sessions_per_week = serializers.IntegerField(allow_null=True)
    rules = WeeklyRuleSerializer(many=True)
    overrides = OverrideSerializer(many=True)


class CalendarWriteSerializer(serializers.Serializer):
    """What a trainer sends to change their calendar; fields left out stay as they are."""

    time_zone = serializers.CharField(required=False, max_length=64, help_text="An IANA zone, e.g. Europe/Paris.")
    max_sessions_per_day = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=1000)
    max_sessions_per_week = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=1000)
    rules = WeeklyRuleSerializer(many=True, required=False, help_text="Replaces every weekly rule when given.")


# --- bookings -------------------------------------------------------------------------------------------------------


class BookingSerializer(serializers.Serializer):
    """A booking as its learner and its trainer see it; times in UTC (ISO 8601 with offset)."""

    id = serializers.IntegerField()
    status = serializers.CharField(
        help_text="requested, confirmed, cancelled, declined, expired, completed, no_show_learner, no_show_trainer, "
        "waitlisted (on the waitlist of a full group session), offered (a freed seat held until expires_at)"
    )
    session_id = serializers.IntegerField()
    session_uid = serializers.CharField()
    session_type_id = serializers.IntegerField()
    session_type_title = serializers.CharField()
    course_key = serializers.CharField()
    trainer_id = serializers.IntegerField()
    trainer_name = serializers.CharField()
    learner_id = serializers.IntegerField()
    learner_name = serializers.CharField()
    start = AwareDateTimeField()
    end = AwareDateTimeField()
    location = serializers.CharField()
    location_detail = serializers.CharField()
    goal = serializers.CharField()
    reschedule_count = serializers.IntegerField()
    expires_at = serializers.DateTimeField(allow_null=True)
    cancel_reason = serializers.CharField()
    sequence = serializers.IntegerField()
    shared_notes = serializers.CharField(help_text="Markdown source written by both sides; show it as plain text.")
    rating_stars = serializers.IntegerField(allow_null=True)
    rating_comment = serializers.CharField()


class BookingCreateSerializer(serializers.Serializer):
    """A learner books a start of a session type (send an ``Idempotency-Key`` header to retry safely)."""

    session_type_id = serializers.IntegerField(min_value=1)
    start = AwareDateTimeField(help_text="ISO 8601 with its UTC offset.")
    goal = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class ReasonSerializer(serializers.Serializer):
    """Why (optional); the trainer may cancel past the cut-off with ``override_cutoff``."""

    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    override_cutoff = serializers.BooleanField(required=False, default=False)


class DeclineSerializer(serializers.Serializer):
    """Why the trainer turns the request down (optional)."""

    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class RescheduleSerializer(serializers.Serializer):
    """The new start, a free time of the same session type."""

    start = AwareDateTimeField(help_text="ISO 8601 with its UTC offset.")


class CompleteSerializer(serializers.Serializer):
    """How the session went."""

    outcome = serializers.ChoiceField(choices=OUTCOMES, required=False, default="completed")


# --- the session record ---------------------------------------------------------------------------------------------


class RatingSerializer(serializers.Serializer):
    """The learner's rating of a completed session."""

    booking_id = serializers.IntegerField()
    stars = serializers.IntegerField()
    comment = serializers.CharField()
    created = serializers.DateTimeField()
    modified = serializers.DateTimeField()
    editable_until = serializers.DateTimeField()


class RatingWriteSerializer(serializers.Serializer):
    """1 to 5 stars and an optional comment (the domain API checks the range, with its own error codes)."""

    stars = serializers.IntegerField()
    comment = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)


class SessionRecordSerializer(serializers.Serializer):
    """
    What is written about a booking. ``private_notes`` is present for the trainer and course staff only: a learner's
    response never carries the key.
    """

    booking_id = serializers.IntegerField()
    goal = serializers.CharField()
    shared_notes = serializers.CharField()
    private_notes = serializers.CharField(required=False, help_text="Trainer and course staff only.")
    rating = RatingSerializer(allow_null=True)
    can_rate = serializers.BooleanField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if getattr(instance, "private_notes", None) is None:
            data.pop("private_notes", None)
        return data


class NotesWriteSerializer(serializers.Serializer):
    """Shared notes (the learner and the trainer) and private notes (the trainer); fields left out stay."""

    shared_notes = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    private_notes = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


# --- mentors --------------------------------------------------------------------------------------------------------


class MentorshipSerializer(serializers.Serializer):
    """A learner's mentor in a course."""

    id = serializers.IntegerField()
    course_key = serializers.CharField()
    learner_id = serializers.IntegerField()
    learner_name = serializers.CharField()
    trainer_id = serializers.IntegerField()
    trainer_name = serializers.CharField()
    assigned_by_id = serializers.IntegerField(allow_null=True, help_text="Empty when the learner chose.")
    created = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    is_active = serializers.BooleanField()


class MyMentorSerializer(serializers.Serializer):
    """The requester's mentor in a course (null when none)."""

    mentor = MentorshipSerializer(allow_null=True)


class MentorOptionSerializer(serializers.Serializer):
    """A trainer of the course one may choose as mentor."""

    trainer_id = serializers.IntegerField()
    trainer_name = serializers.CharField()
    mentees = serializers.IntegerField()
    cap = serializers.IntegerField()
    has_room = serializers.BooleanField()


class ChooseMentorSerializer(serializers.Serializer):
    """The trainer the learner chooses."""

    trainer_id = serializers.IntegerField(min_value=1)


class AssignMentorSerializer(serializers.Serializer):
    """Staff assign a mentor to a learner."""

    learner_id = serializers.IntegerField(min_value=1)
    trainer_id = serializers.IntegerField(min_value=1)
