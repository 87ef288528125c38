"""
Booking emails: confirmation, change, cancellation and reminders, each sent once, in the recipient's language and
time zone, with an RFC 5545 invitation attached.

The rows are made directly with the models and the booking events sent by hand, as booking's api sends them: these
tests cover the notifications alone, whatever path (api, admin, expiry) changed the booking. The LMS's preferences
API cannot run here, so each test says what ``compat.get_user_preference`` answers.
"""
from __future__ import annotations

import smtplib
from datetime import UTC, datetime, timedelta

import pytest
from celery import current_app
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db.models.query import QuerySet
from django.utils import translation
from django.utils.translation import gettext
from icalendar import Calendar

from mentora_plugin.booking import notifications, signals, tasks
from mentora_plugin.booking.models import Booking, SentNotification, Session, SessionType, TrainerCalendar
from mentora_plugin.host import api as host_api
from tests.conftest import COURSE, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

#: A Monday in November, after the European clocks went back: 12:00 UTC is 13:00 in Paris, 07:00 in New York.
START = datetime(2030, 11, 4, 12, 0, tzinfo=UTC)


# --- the set-up ------------------------------------------------------------------------------------------------------


def _connected(signal, dispatch_uid: str) -> bool:
    return any(lookup[0] == dispatch_uid for lookup, *_rest in signal.receivers)


@pytest.fixture(autouse=True)
def receivers():
    """The receivers, as ``BookingConfig.ready()`` connects them; left as found afterwards."""
    before = {uid: _connected(signal, uid) for signal, _receiver, uid in notifications._RECEIVERS}
    notifications.connect_receivers()
    notifications.connect_receivers()  # idempotent
    yield
    for signal, _receiver, uid in notifications._RECEIVERS:
        if not before[uid]:
            signal.disconnect(dispatch_uid=uid)


@pytest.fixture
def people(make_user):
    host_api.record_course(COURSE, at(0), title="Mentoring 101")
    return {
        "trainer": make_user("trainer", first_name="Tess", last_name="Trainer"),
        "ann": make_user("ann", first_name="Ann", last_name="Learner"),
        "bob": make_user("bob", first_name="Bob", last_name="Learner"),
    }


@pytest.fixture
def session_type(people):
    calendar = TrainerCalendar.objects.create(trainer=people["trainer"], time_zone="Europe/Paris")
    return SessionType.objects.create(
        calendar=calendar,
        course_key=COURSE,
        title="Project review",
        duration_minutes=60,
        location=SessionType.Location.VIDEO,
        location_detail="https://meet.example.com/project-review",
    )


def make_session(session_type, start=START, capacity=1) -> Session:
    end = start + timedelta(minutes=session_type.duration_minutes)
    return Session.objects.create(
        calendar=session_type.calendar,
        session_type=session_type,
        course_key=COURSE,
        start=start,
        end=end,
        blocked_start=start,
        blocked_end=end,
        capacity=capacity,
    )


def make_booking(session, learner, status=Booking.Status.CONFIRMED) -> Booking:
    return Booking.objects.create(session=session, learner=learner, status=status, goal="Finish chapter 2")


def event(booking: Booking) -> signals.BookingEventData:
    booking.refresh_from_db()
    session = booking.session
    return signals.BookingEventData(
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
        actor_id=booking.cancelled_by_id or 0,
        reason=booking.cancel_reason,
    )


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Send a booking event as booking's api does, and run what it queues after the commit."""

    def send_event(signal, booking: Booking) -> list:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            signal.send_event(booking=event(booking))
        return list(mail.outbox)

    return send_event


def by_recipient(messages) -> dict[str, object]:
    recipients = [message.to[0] for message in messages]
    assert len(recipients) == len(set(recipients)), f"someone got two emails: {recipients}"
    return {message.to[0]: message for message in messages}


def calendars(message) -> list[Calendar]:
    return [Calendar.from_ical(content) for _name, content, mimetype in message.attachments
            if mimetype.startswith("text/calendar")]


def only_event(calendar: Calendar):
    (event_,) = calendar.walk("VEVENT")
    return event_


# --- confirmation ----------------------------------------------------------------------------------------------------


def test_a_confirmation_sends_one_email_to_each_side_with_an_invitation(people, session_type, send, preferences):
    booking = make_booking(make_session(session_type), people["ann"])

    sent = by_recipient(send(signals.BOOKING_CONFIRMED, booking))

    assert set(sent) == {"ann@example.com", "trainer@example.com"}
    to_ann = sent["ann@example.com"]
    assert to_ann.subject == "Confirmed: Project review with Tess Trainer"
    assert "Project review" in to_ann.body and "Mentoring 101" in to_ann.body
    html, mimetype = to_ann.alternatives[0]
    assert mimetype == "text/html" and "https://meet.example.com/project-review" in html
    assert sent["trainer@example.com"].subject == "Confirmed: Project review with Ann Learner"
    assert "Finish chapter 2" in sent["trainer@example.com"].body  # the learner's goal, for the trainer only
    assert "Finish chapter 2" not in to_ann.body

    (calendar,) = calendars(to_ann)
    assert calendar["METHOD"] == "REQUEST"
    invitation = only_event(calendar)
    session = booking.session
    assert str(invitation["UID"]) == f"{session.uid}@mentora"
    assert invitation["SEQUENCE"] == session.sequence == 0
    assert invitation.decoded("DTSTART") == START and invitation.decoded("DTEND") == START + timedelta(hours=1)
    assert invitation["DTSTART"].to_ical() == b"20301104T120000Z"
    assert str(invitation["STATUS"]) == "CONFIRMED"
    assert str(invitation["ORGANIZER"]) == "mailto:trainer@example.com"
    assert invitation["ORGANIZER"].params["CN"] == "Tess Trainer"
    assert str(invitation["ATTENDEE"]) == "mailto:ann@example.com"
    assert str(invitation["URL"]) == str(invitation["LOCATION"]) == "https://meet.example.com/project-review"
    assert str(only_event(calendars(sent["trainer@example.com"])[0])["UID"]) == f"{session.uid}@mentora"
    assert SentNotification.objects.filter(booking=booking, kind=tasks.CONFIRMATION).count() == 2


def test_each_email_is_in_its_recipients_language_and_time_zone(people, session_type, send, preferences):
    preferences[people["ann"].pk] = {"pref-lang": "fr", "time_zone": "Europe/Paris"}
    preferences[people["bob"].pk] = {"time_zone": "America/New_York"}
    ann = make_booking(make_session(session_type), people["ann"])

    sent = by_recipient(send(signals.BOOKING_CONFIRMED, ann))

    to_ann = sent["ann@example.com"]
    assert to_ann.extra_headers["Content-Language"] == "fr"
    assert "4 novembre 2030" in to_ann.body  # Django's French date format
    assert "13:00" in to_ann.body and "Europe/Paris" in to_ann.body  # 12:00 UTC, in Paris
    with translation.override("fr"):  # the catalog's French once the lead fills it; the English msgid until then
        assert to_ann.subject == gettext("Confirmed: {title} with {name}").format(
            title="Project review", name="Tess Trainer"
        )
    # The trainer has no preferences: English, and their calendar's zone.
    to_trainer = sent["trainer@example.com"]
    assert to_trainer.extra_headers["Content-Language"] == "en"
    assert "Nov. 4, 2030" in to_trainer.body and "1 p.m." in to_trainer.body and "Europe/Paris" in to_trainer.body

    bob = make_booking(make_session(session_type, START + timedelta(days=1)), people["bob"])
    to_bob = by_recipient(send(signals.BOOKING_CONFIRMED, bob))["bob@example.com"]
    assert "7 a.m." in to_bob.body and "America/New_York" in to_bob.body
    # The invitation itself stays in UTC whatever the reader's zone.
    assert only_event(calendars(to_bob)[0])["DTSTART"].to_ical() == b"20301105T120000Z"


def test_an_unknown_language_or_zone_falls_back(people, session_type, send, preferences):
    preferences[people["ann"].pk] = {"pref-lang": "tlh", "time_zone": "Mars/Olympus"}
    booking = make_booking(make_session(session_type), people["ann"])

    to_ann = by_recipient(send(signals.BOOKING_CONFIRMED, booking))["ann@example.com"]

    assert to_ann.extra_headers["Content-Language"] == "en"
    assert "12 p.m." in to_ann.body or "noon" in to_ann.body
    assert "(UTC)" in to_ann.body


# --- exactly once ----------------------------------------------------------------------------------------------------


def test_a_signal_delivered_twice_and_a_task_run_twice_send_once(people, session_type, send, preferences):
    booking = make_booking(make_session(session_type), people["ann"])

    assert len(send(signals.BOOKING_CONFIRMED, booking)) == 2
    assert send(signals.BOOKING_CONFIRMED, booking) == []  # the event bus delivered it again
    mail.outbox.clear()
    assert tasks.send_booking_notification.delay(booking.pk, tasks.CONFIRMATION).get() == 0  # a task redelivered
    assert tasks.send_booking_notification.apply(args=(booking.pk, tasks.CONFIRMATION)).get() == 0
    assert mail.outbox == []
    assert SentNotification.objects.filter(booking=booking).count() == 2


def test_a_delivery_racing_past_the_check_sends_nothing(people, session_type, preferences, monkeypatch):
    booking = make_booking(make_session(session_type), people["ann"])
    SentNotification.objects.create(booking=booking, kind=tasks.CONFIRMATION, key="learner")
    # Another worker inserted the row just after this one looked: the insert fails and nothing is sent.
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)
    mail.outbox.clear()

    assert tasks.send_booking_notification.delay(booking.pk, tasks.CONFIRMATION).get() == 1  # the trainer's only
    assert [message.to for message in mail.outbox] == [["trainer@example.com"]]


class FlakyBackend(EmailBackend):
    """The locmem backend, whose server refuses the first ``failures`` messages."""

    failures = 0
    attempts = 0

    def send_messages(self, messages):
        FlakyBackend.attempts += 1
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise smtplib.SMTPServerDisconnected("the mail server went away")
        return super().send_messages(messages)


@pytest.fixture
def flaky(settings):
    """A flaky mail server. Celery retries eagerly only when eager errors do not propagate (as in production, where
    the worker retries): the final error is then read from the result."""
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    current_app.conf.task_eager_propagates = False
    FlakyBackend.failures, FlakyBackend.attempts = 0, 0
    return FlakyBackend


def test_a_failed_send_is_retried_then_sent_once(people, session_type, send, preferences, flaky):
    booking = make_booking(make_session(session_type), people["ann"])
    flaky.failures = 2

    sent = send(signals.BOOKING_CONFIRMED, booking)

    assert sorted(message.to[0] for message in sent) == ["ann@example.com", "trainer@example.com"]
    assert flaky.attempts == 4  # two refusals, then one send each
    assert SentNotification.objects.filter(booking=booking).count() == 2


def test_a_send_that_keeps_failing_records_nothing_and_a_later_run_sends(people, session_type, preferences, flaky):
    booking = make_booking(make_session(session_type), people["ann"])
    flaky.failures = 1000

    result = tasks.send_booking_notification.delay(booking.pk, tasks.CONFIRMATION)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        result.get()
    assert flaky.attempts == 1 + tasks.send_booking_notification.max_retries
    assert not SentNotification.objects.exists()  # each failed send rolled its record back
    assert mail.outbox == []

    flaky.failures = 0
    assert tasks.send_booking_notification.delay(booking.pk, tasks.CONFIRMATION).get() == 2


# --- change and cancellation ------------------------------------------------------------------------------------------


def test_a_change_sends_the_new_sequence_under_the_same_uid(people, session_type, send, preferences):
    booking = make_booking(make_session(session_type), people["ann"])
    send(signals.BOOKING_CONFIRMED, booking)
    session = booking.session
    session.start, session.end = START + timedelta(days=2), START + timedelta(days=2, hours=1)
    session.sequence += 1
    session.save()

    sent = by_recipient(send(signals.BOOKING_RESCHEDULED, booking))

    assert set(sent) == {"ann@example.com", "trainer@example.com"}
    assert sent["ann@example.com"].subject == "Changed: Project review with Tess Trainer"
    for message in sent.values():
        (calendar,) = calendars(message)
        assert calendar["METHOD"] == "REQUEST"
        change = only_event(calendar)
        assert (str(change["UID"]), change["SEQUENCE"]) == (f"{session.uid}@mentora", 1)
        assert change.decoded("DTSTART") == START + timedelta(days=2)
    assert send(signals.BOOKING_RESCHEDULED, booking) == []  # the same change, delivered again

    session.sequence += 1
    session.save()
    assert len(send(signals.BOOKING_RESCHEDULED, booking)) == 2  # a second change is news


def test_a_seat_moved_to_another_session_withdraws_the_old_one_from_the_learners_calendar(
    people, session_type, send, preferences
):
    first = make_session(session_type, capacity=4)
    booking = make_booking(first, people["ann"])
    make_booking(first, people["bob"])  # Bob stays in the first session
    send(signals.BOOKING_CONFIRMED, booking)
    second = make_session(session_type, START + timedelta(days=1), capacity=4)
    Booking.objects.filter(pk=booking.pk).update(session=second)

    sent = by_recipient(send(signals.BOOKING_RESCHEDULED, booking))

    withdrawn, invited = calendars(sent["ann@example.com"])
    assert withdrawn["METHOD"] == "CANCEL" and str(only_event(withdrawn)["UID"]) == f"{first.uid}@mentora"
    assert invited["METHOD"] == "REQUEST" and str(only_event(invited)["UID"]) == f"{second.uid}@mentora"
    # The trainer still meets Bob in the first session: only the new one is sent.
    (trainer_calendar,) = calendars(sent["trainer@example.com"])
    assert str(only_event(trainer_calendar)["UID"]) == f"{second.uid}@mentora"


def test_a_cancellation_withdraws_the_invitation(people, session_type, send, preferences):
    booking = make_booking(make_session(session_type), people["ann"])
    send(signals.BOOKING_CONFIRMED, booking)
    Booking.objects.filter(pk=booking.pk).update(
        status=Booking.Status.CANCELLED, cancelled_by=people["ann"], cancel_reason="I am ill"
    )
    Session.objects.filter(pk=booking.session_id).update(status=Session.Status.CANCELLED, sequence=1)

    sent = by_recipient(send(signals.BOOKING_CANCELLED, booking))

    assert sent["ann@example.com"].subject == "Cancelled: Project review with Tess Trainer"
    assert "You cancelled your session with Tess Trainer." in sent["ann@example.com"].body
    assert "Ann Learner cancelled your session." in sent["trainer@example.com"].body
    assert "I am ill" in sent["trainer@example.com"].body
    for message in sent.values():
        (calendar,) = calendars(message)
        assert calendar["METHOD"] == "CANCEL"
        cancelled = only_event(calendar)
        assert str(cancelled["UID"]) == f"{booking.session.uid}@mentora"
        assert cancelled["SEQUENCE"] == 1
        assert str(cancelled["STATUS"]) == "CANCELLED"
    assert send(signals.BOOKING_CANCELLED, booking) == []


def test_one_learner_leaving_a_group_session_does_not_cancel_it_for_the_trainer(
    people, session_type, send, preferences
):
    session = make_session(session_type, capacity=4)
    leaving = make_booking(session, people["ann"], status=Booking.Status.CANCELLED)
    make_booking(session, people["bob"])

    sent = by_recipient(send(signals.BOOKING_CANCELLED, leaving))

    assert calendars(sent["ann@example.com"])[0]["METHOD"] == "CANCEL"
    assert calendars(sent["trainer@example.com"]) == []


def test_requests_declines_and_expiries(people, session_type, send, preferences):
    booking = make_booking(make_session(session_type), people["ann"], status=Booking.Status.REQUESTED)

    sent = by_recipient(send(signals.BOOKING_REQUESTED, booking))
    assert sent["trainer@example.com"].subject == "New request: Ann Learner would like to book Project review"
    assert sent["ann@example.com"].subject == "Request sent: Project review with Tess Trainer"
    assert all(calendars(message) == [] for message in sent.values())  # nothing in calendars before confirmation

    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.DECLINED, cancelled_by=people["trainer"])
    sent = by_recipient(send(signals.BOOKING_CANCELLED, booking))
    assert sent["ann@example.com"].subject == "Declined: Project review with Tess Trainer"
    assert "Tess Trainer declined your request." in sent["ann@example.com"].body


def test_an_email_that_no_longer_applies_is_not_sent(people, session_type, send, preferences):
    booking = make_booking(make_session(session_type), people["ann"])
    event_data = event(booking)  # confirmed when the event was sent ...
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED)  # ... cancelled before it ran
    mail.outbox.clear()

    signals.BOOKING_CONFIRMED.send_event(booking=event_data)

    assert mail.outbox == []
    assert tasks.send_booking_notification.delay(10**9, tasks.CONFIRMATION).get() == 0  # a booking since deleted
    with pytest.raises(ValueError, match="Unknown booking notification kind"):
        tasks.send_booking_notification.delay(booking.pk, "birthday")


# --- reminders -------------------------------------------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """Set the time the reminder tasks see."""

    def set_now(when: datetime) -> None:
        monkeypatch.setattr(tasks, "_now", lambda: when)

    return set_now


def reminders(booking) -> list[str]:
    return sorted(
        SentNotification.objects.filter(booking=booking, kind=tasks.REMINDER).values_list("key", flat=True)
    )


def test_reminders_go_out_once_at_each_offset(people, session_type, clock, preferences):
    booking = make_booking(make_session(session_type), people["ann"])

    clock(START - timedelta(days=2))
    assert tasks.send_due_reminders.delay().get() == 0  # too early
    clock(START - timedelta(hours=23, minutes=55))
    mail.outbox.clear()
    assert tasks.send_due_reminders.delay().get() == 1
    assert sorted(message.to[0] for message in mail.outbox) == ["ann@example.com", "trainer@example.com"]
    assert mail.outbox[0].subject.startswith("Reminder: Project review with ")
    assert "starts on" in mail.outbox[0].body
    clock(START - timedelta(hours=23))
    assert tasks.send_due_reminders.delay().get() == 0  # sent already

    clock(START - timedelta(minutes=59))
    mail.outbox.clear()
    assert tasks.send_due_reminders.delay().get() == 1
    assert len(mail.outbox) == 2
    assert tasks.send_due_reminders.delay().get() == 0
    assert tasks.send_booking_reminder.delay(booking.pk, 60).get() == 0  # a redelivered reminder task

    clock(START + timedelta(minutes=1))
    assert tasks.send_due_reminders.delay().get() == 0  # the session started
    assert reminders(booking) == [  # role, offset, and the start (UTC) that the reminder was for
        "learner:1440@20301104T120000Z",
        "learner:60@20301104T120000Z",
        "trainer:1440@20301104T120000Z",
        "trainer:60@20301104T120000Z",
    ]


def test_no_reminders_for_cancelled_bookings_past_sessions_or_early_tasks(people, session_type, clock, preferences):
    cancelled = make_booking(make_session(session_type), people["ann"], status=Booking.Status.CANCELLED)
    requested = make_booking(make_session(session_type, START + timedelta(hours=3)), people["bob"],
                             status=Booking.Status.REQUESTED)
    past = make_booking(make_session(session_type, START - timedelta(hours=2)), people["bob"])
    mail.outbox.clear()

    clock(START - timedelta(minutes=30))
    assert tasks.send_due_reminders.delay().get() == 0
    assert tasks.send_booking_reminder.delay(cancelled.pk, 60).get() == 0
    assert tasks.send_booking_reminder.delay(requested.pk, 1440).get() == 0
    assert tasks.send_booking_reminder.delay(past.pk, 60).get() == 0
    upcoming = make_booking(make_session(session_type, START + timedelta(days=1)), people["ann"])
    assert tasks.send_booking_reminder.delay(upcoming.pk, 60).get() == 0  # not due yet
    assert mail.outbox == []


def test_a_late_beat_sends_only_the_closest_reminder_and_none_before_the_learner_heard(
    people, session_type, clock, preferences, send
):
    group = make_session(session_type, capacity=3)
    booking = make_booking(group, people["ann"])
    Booking.objects.filter(pk=booking.pk).update(created=START - timedelta(days=3))

    clock(START - timedelta(minutes=30))  # the beat was down through both reminder times
    mail.outbox.clear()
    assert tasks.send_due_reminders.delay().get() == 1
    assert [message.to for message in mail.outbox] == [["ann@example.com"]]  # no per-seat reminder to the trainer
    assert [key.split("@")[0] for key in reminders(booking)] == ["learner:60"]

    # Booked (and told) two hours before: the 24-hour reminder would only repeat the confirmation.
    late = make_booking(make_session(session_type, START + timedelta(hours=6)), people["bob"])
    clock(START + timedelta(hours=4))
    Booking.objects.filter(pk=late.pk).update(created=START + timedelta(hours=3))
    assert tasks.send_due_reminders.delay().get() == 0
    clock(START + timedelta(hours=5, minutes=1))
    assert tasks.send_due_reminders.delay().get() == 1


def test_reminder_offsets_come_from_the_settings(settings):
    settings.MENTORA_BOOKING_REMINDER_OFFSETS = [60, 2880, 60, -5, "soon"]
    assert tasks.reminder_offsets() == [2880, 60]
    settings.MENTORA_BOOKING_REMINDER_OFFSETS = []
    assert tasks.send_due_reminders.delay().get() == 0


def test_the_beat_task_is_registered_under_its_documented_name():
    assert "mentora_plugin.booking.tasks.send_due_reminders" in current_app.tasks
