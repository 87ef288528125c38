"""
Booking's background work: the emails of a booking's life, and the reminders.

Each email goes out **at most once per booking, kind and recipient, and at least once while retries last**, however
often a task is delivered or retried and on however many workers:

1. a cheap look-up skips what was already sent;
2. the ``SentNotification`` row is inserted and the email sent inside one transaction. A concurrent delivery of
   the same task blocks on the row's unique key until the first commits, then fails the insert and sends nothing;
   if the send raises, the transaction rolls the row back and the task is retried, so the retry sends.

The one gap left is the commit failing after the mail server accepted the message: that email may go twice.

The tasks read the booking's state when they run, not when they were queued: an email describes the booking as it
is, and one that no longer applies (a confirmation for a booking cancelled since) is not sent. Every email is
written in its recipient's language and time zone, with an iCalendar invitation (``METHOD:REQUEST``) or
withdrawal (``METHOD:CANCEL``) attached where the recipient's calendar should change.

Reminders come from ``send_due_reminders``, which Celery beat runs every few minutes (see the README).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from mentora_plugin import emails
from mentora_plugin.booking import ics
from mentora_plugin.booking.models import Booking, SentNotification, Session
from mentora_plugin.celery_options import RETRY_OPTIONS
from mentora_plugin.host import api as host_api

log = logging.getLogger(__name__)

#: The kinds of booking email, as recorded in ``SentNotification.kind``.
REQUEST = "request"
CONFIRMATION = "confirmation"
CHANGE = "change"
CANCELLATION = "cancellation"
REMINDER = "reminder"
OFFER = "offer"
EVENT_KINDS = (REQUEST, CONFIRMATION, CHANGE, CANCELLATION, OFFER)

LEARNER = "learner"
TRAINER = "trainer"

#: Booking statuses that a cancellation email reports.
ENDED = (Booking.Status.CANCELLED, Booking.Status.DECLINED, Booking.Status.EXPIRED)

_SCAN_CHUNK = 500


def _now() -> datetime:
    """The current time (one place, so that tests can move it)."""
    return timezone.now()


# --- tasks ----------------------------------------------------------------------------------------------------------


@shared_task(name="mentora_plugin.booking.tasks.send_booking_notification", **RETRY_OPTIONS)
def send_booking_notification(self, booking_id: int, kind: str) -> int:
    """
    Send the ``kind`` email of a booking (``request``, ``confirmation``, ``change`` or ``cancellation``) to its
    learner and its trainer, each once; an ``offer`` (a seat offered from the waitlist) goes to the learner only.
    Returns how many emails this run sent.
    """
    if kind not in EVENT_KINDS:
        raise ValueError(f"Unknown booking notification kind {kind!r}")
    booking = _load_booking(booking_id)
    if booking is None:
        log.info("Booking %s is gone: no %s email", booking_id, kind)
        return 0
    if not _still_applies(booking, kind):
        log.info("Booking %s is %s now: its %s email no longer applies", booking_id, booking.status, kind)
        return 0
    session = booking.session
    suffix = f":{session.uid}:{session.sequence}" if kind == CHANGE else ""
    roles = (LEARNER,) if kind == OFFER else (LEARNER, TRAINER)
    return sum(
        _send_once(booking, kind, f"{role}{suffix}", lambda role=role: _compose(booking, kind, role))
        for role in roles
    )


@shared_task(name="mentora_plugin.booking.tasks.send_booking_reminder", **RETRY_OPTIONS)
def send_booking_reminder(self, booking_id: int, offset_minutes: int) -> int:
    """
    Send the reminder due ``offset_minutes`` before a confirmed booking's session, to the learner (and to the
    trainer of a 1:1 session: a group's trainer would get one per seat), once per offset and start time. Nothing is
    sent before the reminder is due, or once the session has started. Returns how many emails this run sent.
    """
    booking = _load_booking(booking_id)
    now = _now()
    if booking is None or booking.status != Booking.Status.CONFIRMED:
        return 0
    session = booking.session
    if session.status != Session.Status.SCHEDULED or not (
        session.start - timedelta(minutes=offset_minutes) <= now < session.start
    ):
        return 0
    suffix = f":{_reminder_key(offset_minutes, session.start)}"
    roles = (LEARNER, TRAINER) if session.capacity == 1 else (LEARNER,)
    return sum(
        _send_once(booking, REMINDER, f"{role}{suffix}", lambda role=role: _compose(booking, REMINDER, role))
        for role in roles
    )


@shared_task(name="mentora_plugin.booking.tasks.send_due_reminders", ignore_result=True)
def send_due_reminders() -> int:
    """
    Queue the reminders that are due: confirmed bookings of scheduled sessions that have not started and whose
    reminder time (``MENTORA_BOOKING_REMINDER_OFFSETS`` minutes before the start) has passed. Run by Celery beat.

    A reminder whose time came before the learner was told of the booking (it was made or moved later) is not
    sent: the confirmation or change email just did its job. When several offsets are due at once (the beat was
    stopped), only the one closest to the start is sent. Returns how many reminders were queued.
    """
    offsets = reminder_offsets()
    if not offsets:
        return 0
    now = _now()
    candidates = (
        Booking.objects.filter(
            status=Booking.Status.CONFIRMED,
            session__status=Session.Status.SCHEDULED,
            session__start__gt=now,
            session__start__lte=now + timedelta(minutes=max(offsets)),
        )
        .order_by("pk")
        .values_list("pk", "session__start", "created")
    )
    queued = 0
    chunk: list[tuple[int, datetime, datetime]] = []
    for row in candidates.iterator(chunk_size=_SCAN_CHUNK):
        chunk.append(row)
        if len(chunk) == _SCAN_CHUNK:
            queued += _queue_reminders(chunk, offsets, now)
            chunk = []
    if chunk:
        queued += _queue_reminders(chunk, offsets, now)
    return queued


def reminder_offsets() -> list[int]:
    """``MENTORA_BOOKING_REMINDER_OFFSETS``: positive minutes, largest first (bad entries are ignored, logged)."""
    offsets = set()
    for value in getattr(settings, "MENTORA_BOOKING_REMINDER_OFFSETS", [1440, 60]) or []:
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            offsets.add(value)
        else:
            log.warning("Ignoring the reminder offset %r: it must be a positive number of minutes", value)
    return sorted(offsets, reverse=True)


def _queue_reminders(rows: list[tuple[int, datetime, datetime]], offsets: list[int], now: datetime) -> int:
    ids = [pk for pk, _start, _created in rows]
    told = dict(
        SentNotification.objects.filter(booking_id__in=ids, kind__in=(CONFIRMATION, CHANGE), key__startswith=LEARNER)
        .values("booking_id")
        .annotate(last=Max("sent_at"))
        .values_list("booking_id", "last")
    )
    sent = set(
        SentNotification.objects.filter(booking_id__in=ids, kind=REMINDER, key__startswith=LEARNER).values_list(
            "booking_id", "key"
        )
    )
    queued = 0
    for pk, start, created in rows:
        informed = max(created, told.get(pk) or created)
        due = [offset for offset in offsets if informed <= start - timedelta(minutes=offset) <= now]
        if not due:
            continue
        offset = min(due)
        if (pk, f"{LEARNER}:{_reminder_key(offset, start)}") in sent:
            continue
        send_booking_reminder.delay(pk, offset)
        queued += 1
    return queued


def _reminder_key(offset_minutes: int, start: datetime) -> str:
    return f"{offset_minutes}@{start.astimezone(UTC):%Y%m%dT%H%M%SZ}"


# --- sending exactly once -------------------------------------------------------------------------------------------


@dataclass
class _Composed:
    message: EmailMultiAlternatives | None
    session_uid: UUID | None = None


def _send_once(booking: Booking, kind: str, key: str, compose: Callable[[], _Composed]) -> int:
    """Record-then-send in one transaction, unless already recorded; 1 when this call sent the email, else 0."""
    if SentNotification.objects.filter(booking=booking, kind=kind, key=key).exists():
        return 0
    composed = compose()
    if composed.message is None:
        return 0
    try:
        with transaction.atomic():
            SentNotification.objects.create(booking=booking, kind=kind, key=key, session_uid=composed.session_uid)
            composed.message.send()
    except IntegrityError:
        log.info("The %s email %s of booking %s was sent by another delivery", kind, key, booking.pk)
        return 0
    log.info("Sent the %s email %s of booking %s", kind, key, booking.pk)
    return 1


def _load_booking(booking_id: int) -> Booking | None:
    return (
        Booking.objects.select_related("learner", "session__session_type", "session__calendar__trainer")
        .filter(pk=booking_id)
        .first()
    )


def _still_applies(booking: Booking, kind: str) -> bool:
    if kind == REQUEST:
        return booking.status == Booking.Status.REQUESTED
    if kind == CONFIRMATION:
        return booking.status == Booking.Status.CONFIRMED
    if kind == CHANGE:
        return booking.status in Booking.BOOKED
    if kind == OFFER:
        return booking.status == Booking.Status.OFFERED and bool(booking.expires_at and booking.expires_at > _now())
    return booking.status in ENDED


# --- composing ------------------------------------------------------------------------------------------------------


@dataclass
class _Parties:
    booking: Booking
    role: str
    recipient: Any
    other: Any
    trainer: Any
    learner: Any
    names: dict[str, str] = field(default_factory=dict)


def _compose(booking: Booking, kind: str, role: str) -> _Composed:
    """The email of ``kind`` for the learner or the trainer, in their language and time zone."""
    session = booking.session
    trainer, learner = session.calendar.trainer, booking.learner
    recipient, other = (learner, trainer) if role == LEARNER else (trainer, learner)
    if not recipient.email:
        log.warning("User %s has no email address: no %s email for booking %s", recipient.pk, kind, booking.pk)
        return _Composed(None)
    language = host_api.get_user_language(recipient)
    zone = host_api.get_user_time_zone(recipient, default=session.calendar.time_zone if role == TRAINER else None)
    parties = _Parties(booking, role, recipient, other, trainer, learner)
    with translation.override(language), timezone.override(zone):
        parties.names = {
            "title": session.session_type.title,
            "name": host_api.display_name(other),
            "trainer": host_api.display_name(trainer),
            "learner": host_api.display_name(learner),
        }
        when = _when(session.start, session.end, zone)
        subject, paragraphs = _wording(kind, parties, when)
        calendars, session_uid = _calendars(kind, parties)
        if calendars:
            paragraphs.append(
                _("The attached cancellation removes the session from your calendar.")
                if calendars[-1][2] == ics.CANCEL
                else _("The attached invitation adds the session to your calendar, or updates it.")
            )
        context = {
            "language": language,
            "subject": subject,
            "paragraphs": paragraphs,
            "rows": _details(kind, parties, when),
        }
        text = render_to_string("mentora/booking/email/body.txt", context)
        html = render_to_string("mentora/booking/email/body.html", context)
    message = emails.message(subject=" ".join(subject.split()), text=text, html=html, to=recipient.email,
                             language=language, sender_setting="MENTORA_BOOKING_EMAIL_FROM")
    for filename, content, method in calendars:
        message.attach(filename, content.decode("utf-8"), f"text/calendar; method={method}")
    return _Composed(message, session_uid)


def _when(start: datetime, end: datetime, zone: Any) -> dict[str, str]:
    start, end = start.astimezone(zone), end.astimezone(zone)
    return {
        "date": formats.date_format(start, "DATE_FORMAT"),
        "start": formats.time_format(start, "TIME_FORMAT"),
        "end": formats.time_format(end, "TIME_FORMAT"),
        "time_zone": str(getattr(zone, "key", zone)),
    }


def _wording(kind: str, parties: _Parties, when: dict[str, str]) -> tuple[str, list[str]]:
    """The subject and the opening paragraphs, in the active language."""
    names, booking, to_learner = parties.names, parties.booking, parties.role == LEARNER
    if kind == REQUEST:
        if to_learner:
            return _("Request sent: {title} with {name}").format(**names), [
                _("Your request has been sent to {name}. You will get another email when they confirm or decline it.")
                .format(**names)
            ]
        return _("New request: {name} would like to book {title}").format(**names), [
            _("{name} would like to book this session with you. Please confirm or decline the request.").format(**names)
        ]
    if kind == CONFIRMATION:
        return _("Confirmed: {title} with {name}").format(**names), [
            _("Your session with {name} is confirmed.").format(**names)
        ]
    if kind == CHANGE:
        return _("Changed: {title} with {name}").format(**names), [
            _("Your session with {name} has changed. Here are its new details.").format(**names)
        ]
    if kind == OFFER:
        return _("A seat is free for you: {title} with {name}").format(**names), [
            _("A seat freed up in this group session, and it is held for you. Accept it before the time below, or it "
              "goes to the next learner on the waitlist.")
        ]
    if kind == REMINDER:
        return _("Reminder: {title} with {name}, {date}").format(**names, **when), [
            _("Your session with {name} starts on {date} at {start} ({time_zone}).").format(**names, **when)
        ]
    # A cancellation: the booking was cancelled by either side, declined by the trainer, or expired unanswered.
    if booking.status == Booking.Status.DECLINED:
        subject = _("Declined: {title} with {name}").format(**names)
        text = (
            _("{name} declined your request.") if to_learner else _("You declined the request of {name}.")
        ).format(**names)
    elif booking.status == Booking.Status.EXPIRED:
        subject = _("Expired: {title} with {name}").format(**names)
        text = (
            _("Your request expired before {name} answered it.")
            if to_learner
            else _("The request of {name} expired before you answered it.")
        ).format(**names)
    else:
        subject = _("Cancelled: {title} with {name}").format(**names)
        if booking.cancelled_by_id == parties.recipient.pk:
            text = _("You cancelled your session with {name}.").format(**names)
        elif booking.cancelled_by_id == parties.other.pk:
            text = _("{name} cancelled your session.").format(**names)
        else:
            text = _("Your session with {name} was cancelled.").format(**names)
    return subject, [text]


def _details(kind: str, parties: _Parties, when: dict[str, str]) -> list[dict[str, str]]:
    """The table of the session's details: label, value, and a link where there is one."""
    booking = parties.booking
    session = booking.session
    session_type = session.session_type
    course = host_api.get_course(session.course_key)
    rows = [
        {"label": _("Session"), "value": session_type.title},
        {"label": _("Course"), "value": course.title if course else str(session.course_key)},
        {
            "label": _("Trainer") if parties.role == LEARNER else _("Learner"),
            "value": parties.names["name"],
        },
        {"label": _("When"), "value": _("{date}, from {start} to {end} ({time_zone})").format(**when)},
        {"label": _("Where"), "value": str(session_type.get_location_display())},
    ]
    url = ics.url_of(session)
    detail = (session_type.location_detail or "").strip()
    if url:
        rows.append({"label": _("Link"), "value": url, "url": url})
    elif detail:
        rows.append({"label": _("Address"), "value": detail})
    if parties.role == TRAINER and booking.goal and kind in (REQUEST, CONFIRMATION, REMINDER):
        rows.append({"label": _("Learner's goal"), "value": booking.goal})
    if kind == OFFER and booking.expires_at:
        zone = timezone.get_current_timezone()
        accept_by = _when(booking.expires_at, booking.expires_at, zone)
        rows.append({"label": _("Accept before"), "value": _("{date}, {start} ({time_zone})").format(**accept_by)})
    if kind == REQUEST and parties.role == TRAINER and booking.expires_at:
        zone = timezone.get_current_timezone()
        answer_by = _when(booking.expires_at, booking.expires_at, zone)
        rows.append({"label": _("Answer before"), "value": _("{date}, {start} ({time_zone})").format(**answer_by)})
    if kind == CANCELLATION and booking.cancel_reason:
        rows.append({"label": _("Reason"), "value": booking.cancel_reason})
    return rows


# --- calendar attachments -------------------------------------------------------------------------------------------


def _calendars(kind: str, parties: _Parties) -> tuple[list[tuple[str, bytes, str]], UUID | None]:
    """
    The iCalendar files to attach, as (file name, content, method), and the session whose invitation they carry.

    Confirmations and changes of a confirmed booking carry an invitation (``REQUEST``). When a change moved the
    seat to another session, the session the recipient's calendar held is withdrawn too (``CANCEL``) -- for the
    trainer, only if that session was cancelled (other learners may still meet there). A cancellation withdraws the
    session from the learner's calendar, and from the trainer's once nobody is left in it.
    """
    booking, role = parties.booking, parties.role
    session = booking.session
    files: list[tuple[str, bytes, str]] = []
    if kind in (CONFIRMATION, CHANGE) and booking.status == Booking.Status.CONFIRMED:
        previous = _previous_session(booking, role)
        if previous is not None and previous.uid != session.uid and (
            role == LEARNER or previous.status == Session.Status.CANCELLED
        ):
            files.append(("mentora-session-cancelled.ics", _invitation(previous, parties, ics.CANCEL), ics.CANCEL))
        files.append(("mentora-session.ics", _invitation(session, parties, ics.REQUEST), ics.REQUEST))
        return files, session.uid
    if kind == CANCELLATION and (role == LEARNER or session.status == Session.Status.CANCELLED):
        files.append(("mentora-session.ics", _invitation(session, parties, ics.CANCEL), ics.CANCEL))
        return files, session.uid
    return files, None


def _previous_session(booking: Booking, role: str) -> Session | None:
    """The session of the last invitation this recipient got for this booking, if any."""
    last_uid = (
        SentNotification.objects.filter(booking=booking, key__startswith=role, session_uid__isnull=False)
        .filter(Q(kind=CONFIRMATION) | Q(kind=CHANGE))
        .order_by("-sent_at", "-pk")
        .values_list("session_uid", flat=True)
        .first()
    )
    if last_uid is None:
        return None
    return Session.objects.select_related("session_type").filter(uid=last_uid).first()


def _invitation(session: Session, parties: _Parties, method: str) -> bytes:
    """One session's calendar for one booking's email: the trainer organizes, this booking's learner attends."""
    cancelled = method == ics.CANCEL
    course = host_api.get_course(session.course_key)
    description = _("Course: {course}").format(course=course.title if course else session.course_key)
    if session.session_type.description:
        description = f"{description}\n\n{session.session_type.description}"
    event = ics.build_event(
        session,
        summary=_("{title} with {name}").format(title=session.session_type.title, name=parties.names["name"]),
        description=description,
        organizer=ics.Person(parties.names["trainer"], parties.trainer.email),
        attendees=[
            ics.Attendee(parties.names["learner"], parties.learner.email, "DECLINED" if cancelled else "ACCEPTED")
        ],
        status=ics.CANCELLED if cancelled else ics.CONFIRMED,
    )
    return ics.build_calendar([event], method=method)


@shared_task(name="mentora_plugin.booking.tasks.expire_booking_requests", ignore_result=True)
def expire_booking_requests() -> int:
    """Periodic (Celery beat): requests the trainer left unanswered past their expiry lapse and free their seat."""
    from mentora_plugin.booking import api

    return api.expire_requests()
