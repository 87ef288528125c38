"""
Booking's data: a trainer's calendar (zone, weekly rules, date overrides), session types, sessions and bookings.

Times of sessions are stored in UTC; availability is stored as the trainer's local wall-clock times with the
calendar's IANA zone, so that "Mondays 09:00" stays 09:00 across daylight-saving changes.

Checks that span rows (a rule's start before its end, no overlap) live in ``api``: Django 4.2 and 5.2 spell check
constraints differently, and the migrations must serve both.

The ``TrainerCalendar`` row is also the lock that serialises every booking with its trainer (``SELECT ... FOR
UPDATE``): the overlap and seat checks run under it, so two learners racing for one seat can never both get it, on
MariaDB as on SQLite, on one machine or many.
"""
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.django.models import CourseKeyField


class TrainerCalendar(models.Model):
    """
    A trainer's booking calendar: their time zone and limits.

    .. pii: The trainer's time zone.
    .. pii_types: location
    .. pii_retirement: local_api
    """

    trainer = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentora_calendar")
    time_zone = models.CharField(max_length=64, default="UTC", help_text=_("An IANA time zone, e.g. Europe/Paris."))
    max_sessions_per_day = models.PositiveSmallIntegerField(null=True, blank=True)
    max_sessions_per_week = models.PositiveSmallIntegerField(null=True, blank=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("trainer calendar")
        verbose_name_plural = _("trainer calendars")

    def __str__(self) -> str:
        return f"{self.trainer_id} ({self.time_zone})"


class AvailabilityRule(models.Model):
    """
    A weekly window in which a trainer can be booked, in the calendar's local time.

    .. no_pii:
    """

    calendar = models.ForeignKey(TrainerCalendar, on_delete=models.CASCADE, related_name="rules")
    weekday = models.PositiveSmallIntegerField(validators=[MaxValueValidator(6)], help_text=_("0 is Monday."))
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        verbose_name = _("availability rule")
        verbose_name_plural = _("availability rules")
        ordering = ("weekday", "start_time")

    def __str__(self) -> str:
        return f"{self.weekday} {self.start_time}-{self.end_time}"


class AvailabilityOverride(models.Model):
    """
    A date on which the weekly rules do not apply as usual: extra hours, or time off (all day when no times).

    .. no_pii:
    """

    class Kind(models.TextChoices):
        EXTRA = "extra", _("Extra hours")
        UNAVAILABLE = "unavailable", _("Unavailable")

    calendar = models.ForeignKey(TrainerCalendar, on_delete=models.CASCADE, related_name="overrides")
    date = models.DateField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("availability override")
        verbose_name_plural = _("availability overrides")
        ordering = ("date", "start_time")
        indexes = [models.Index(fields=["calendar", "date"], name="mentora_booking_override_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.kind}"


class SessionType(models.Model):
    """
    What a trainer offers in a course: length, 1:1 or group, where, and the booking policy.

    .. no_pii:
    """

    class Location(models.TextChoices):
        VIDEO = "video", _("Video call")
        IN_PERSON = "in_person", _("In person")
        PROVIDER = "provider", _("Video provider")

    calendar = models.ForeignKey(TrainerCalendar, on_delete=models.CASCADE, related_name="session_types")
    course_key = CourseKeyField(max_length=255, db_index=True)
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    duration_minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(5), MaxValueValidator(480)])
    capacity = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(500)])
    location = models.CharField(max_length=16, choices=Location.choices, default=Location.VIDEO)
    location_detail = models.CharField(max_length=500, blank=True, help_text=_("A link or an address."))
    buffer_before_minutes = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(240)])
    buffer_after_minutes = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(240)])
    minimum_notice_minutes = models.PositiveIntegerField(default=60)
    window_days = models.PositiveSmallIntegerField(
        null=True, blank=True, default=30, help_text=_("Bookable this many days ahead (rolling window).")
    )
    window_start = models.DateField(null=True, blank=True)
    window_end = models.DateField(null=True, blank=True)
    slot_interval_minutes = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    learner_max_per_week = models.PositiveSmallIntegerField(null=True, blank=True)
    requires_approval = models.BooleanField(default=False)
    approval_expiry_hours = models.PositiveSmallIntegerField(default=48)
    cancellation_cutoff_hours = models.PositiveSmallIntegerField(default=24)
    reschedule_cutoff_hours = models.PositiveSmallIntegerField(default=24)
    max_reschedules = models.PositiveSmallIntegerField(default=2)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("session type")
        verbose_name_plural = _("session types")
        ordering = ("title",)

    def __str__(self) -> str:
        return self.title


class Session(models.Model):
    """
    A scheduled meeting of a trainer (1:1 or group) in UTC; ``blocked_*`` add the buffers, for overlap checks.

    .. no_pii:
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    calendar = models.ForeignKey(TrainerCalendar, on_delete=models.CASCADE, related_name="sessions")
    session_type = models.ForeignKey(SessionType, on_delete=models.PROTECT, related_name="sessions")
    course_key = CourseKeyField(max_length=255)
    start = models.DateTimeField()
    end = models.DateTimeField()
    blocked_start = models.DateTimeField()
    blocked_end = models.DateTimeField()
    capacity = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    sequence = models.PositiveIntegerField(default=0, help_text=_("RFC 5545 SEQUENCE: bumped on every change."))
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ("start",)
        indexes = [
            models.Index(fields=["calendar", "status", "blocked_start"], name="mentora_booking_session_busy"),
            models.Index(fields=["course_key", "start"], name="mentora_booking_session_course"),
        ]

    def __str__(self) -> str:
        return f"{self.session_type_id} at {self.start:%Y-%m-%d %H:%M}Z"


class Booking(models.Model):
    """
    A learner's seat in a session.

    .. pii: Which sessions a learner booked (or waits for), their goal, the shared and the trainer's private notes,
       and how the booking ended.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        COMPLETED = "completed", _("Completed")
        NO_SHOW_LEARNER = "no_show_learner", _("Learner did not come")
        NO_SHOW_TRAINER = "no_show_trainer", _("Trainer did not come")
        WAITLISTED = "waitlisted", _("On the waitlist")
        OFFERED = "offered", _("Seat offered")

    #: Statuses that hold a seat (and so count against the capacity and the trainer's overlap rule, and make the
    #: learner busy at that time). A seat offered from the waitlist is held for its learner until the offer lapses.
    HOLDING = (Status.REQUESTED, Status.CONFIRMED, Status.OFFERED)
    #: Statuses of a booking proper: asked for or confirmed (not a seat merely offered, not a place on the waitlist).
    BOOKED = (Status.REQUESTED, Status.CONFIRMED)

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="bookings")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentora_bookings")
    status = models.CharField(max_length=20, choices=Status.choices)
    # NULL when the client sent none: MySQL and MariaDB have no partial unique index, but let NULLs repeat.
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    goal = models.TextField(blank=True)
    shared_notes = models.TextField(
        blank=True, help_text=_("Markdown written by the learner and the trainer; shown as plain text.")
    )
    private_notes = models.TextField(
        blank=True, help_text=_("The trainer's own notes: only the trainer and course staff ever see them.")
    )
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When an unanswered request, or a seat offered from the waitlist, lapses.")
    )
    reschedule_count = models.PositiveSmallIntegerField(default=0)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancel_reason = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ("-created",)
        constraints = [
            # A retried request with the same key finds the first booking instead of making a second.
            models.UniqueConstraint(fields=["learner", "idempotency_key"], name="mentora_booking_idempotency"),
        ]
        indexes = [models.Index(fields=["learner", "status"], name="mentora_booking_learner")]

    def __str__(self) -> str:
        return f"{self.learner_id} in {self.session_id} ({self.status})"


class SentNotification(models.Model):
    """
    A booking email that went out: the record that makes every notification task send it at most once.

    ``kind`` says which email (request, confirmation, change, cancellation, reminder) and ``key`` for whom and which
    instance of it: the recipient's role (``learner`` or ``trainer``), then for a change the session's UID and
    SEQUENCE, for a reminder its offset and the session's start. A task inserts the row, then sends, in one
    transaction: a second delivery of the task finds the row and sends nothing, and a send that fails rolls the row
    back so that the retry sends. ``session_uid`` remembers which session's invitation the recipient's calendar
    holds, so that moving a seat to another session also withdraws the old one. The row goes with its booking.

    .. no_pii:
    """

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="sent_notifications")
    kind = models.CharField(max_length=32)
    key = models.CharField(max_length=96)
    session_uid = models.UUIDField(
        null=True, blank=True, help_text=_("The session whose invitation the email carried, if it carried one.")
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sent notification")
        verbose_name_plural = _("sent notifications")
        constraints = [
            models.UniqueConstraint(fields=["booking", "kind", "key"], name="mentora_booking_notification_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} for booking {self.booking_id}"


class CalendarFeed(models.Model):
    """
    A user's secret calendar feed: ``/mentora/calendar/<token>.ics`` lists their upcoming sessions to whoever holds
    the token, with no sign-in (calendar apps cannot sign in). Revoking it sets ``revoked_at``; the next request for
    the user's feed URL issues a new token, and the old URL answers 404 from then on.

    .. pii: The secret token that opens the user's calendar of sessions.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentora_calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"calendar feed of {self.user_id}" + (" (revoked)" if self.revoked_at else "")


class SessionRating(models.Model):
    """
    The learner's rating of a completed session: 1 to 5 stars and an optional comment, one per booking, editable
    for ``api.RATING_EDIT_DAYS`` days after it was first given.

    .. pii: What a learner thought of a session with a trainer.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="rating")
    stars = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("session rating")
        verbose_name_plural = _("session ratings")

    def __str__(self) -> str:
        return f"{self.stars} stars for booking {self.booking_id}"


class Mentorship(models.Model):
    """
    A learner's mentor in a course: chosen by the learner among the course's trainers, or assigned by course staff.

    One active mentorship per learner and course: ``is_active`` is True while it lasts and NULL once it ended (not
    False: MySQL and MariaDB have no partial unique index, but let NULLs repeat in a unique one), so the unique
    constraint on (course, learner, is_active) holds the rule in the database itself.

    .. pii: Who mentors whom, in which course, and who assigned it.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    course_key = CourseKeyField(max_length=255)
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentora_mentors")
    trainer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentora_mentees")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The staff member who assigned the mentor; empty when the learner chose."),
    )
    is_active = models.BooleanField(null=True, default=True, help_text=_("True while active, empty once ended."))
    created = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mentorship")
        verbose_name_plural = _("mentorships")
        ordering = ("-created",)
        constraints = [
            models.UniqueConstraint(
                fields=["course_key", "learner", "is_active"], name="mentora_booking_one_mentor_per_course"
            ),
        ]
        indexes = [models.Index(fields=["trainer", "is_active"], name="mentora_booking_mentees")]

    def __str__(self) -> str:
        return f"{self.trainer_id} mentors {self.learner_id} in {self.course_key}"
