"""
The trainers' emails: one per step of an application, to the applicant or the reviewer, each sent once whatever
the retries, after the commit only, in the recipient's language; the reviewers' reminders, idempotent; and the kinds
that levels and disputes send through ``notify``.

The LMS's preferences API cannot run here, so each test says what ``compat.get_user_preference`` answers.
"""
from __future__ import annotations

import smtplib
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from mentora_plugin.trainers import api, notifications, tasks
from mentora_plugin.trainers.models import ApplicationReviewer, SentNotification, TrainerApplication
from tests.test_trainers_applications import FULL_SCORES, complete_profile, make_expert

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


@pytest.fixture(autouse=True)
def _defaults(settings):
    settings.MENTORA_TRAINER_REJECTIONS_REQUIRED = 1
    settings.MENTORA_TRAINER_REQUIRED_EVIDENCE = 1
    settings.MENTORA_TRAINER_MICRO_TASK = ""
    settings.MENTORA_TRAINER_REVIEW_REMINDER_HOURS = 48
    settings.LMS_ROOT_URL = "https://lms.example.com"


@pytest.fixture
def people(make_user, preferences):
    cast = {
        "applicant": make_user("applicant", first_name="Ana", last_name="Plicant"),
        "staff": make_user("staff", is_staff=True),
        "reviewer": make_user("reviewer", first_name="Rev", last_name="Iewer"),
    }
    complete_profile(cast["applicant"])
    make_expert(cast["reviewer"])
    return cast


def to(user) -> list:
    return [message for message in mail.outbox if message.to == [user.email]]


def _through_decision(people, committed) -> int:
    info = committed(api.start_application, people["applicant"], motivation="Yes.")
    committed(api.submit_application, people["applicant"], info.id)
    committed(api.assign_reviewer, people["staff"], info.id, people["reviewer"])
    api.score_application(people["reviewer"], info.id, FULL_SCORES)
    api.move_to_decision(people["reviewer"], info.id)
    return info.id


def test_the_applicant_hears_of_each_step_once(people, committed):
    pk = _through_decision(people, committed)
    subjects = [message.subject for message in to(people["applicant"])]
    assert subjects == ["Your trainer application is submitted", "Your trainer application passed the first checks"]
    assignment = to(people["reviewer"])
    assert [message.subject for message in assignment] == ["Please review the trainer application of Ana Plicant"]
    assert f"https://lms.example.com/mentora/trainers/applications/{pk}/" in assignment[0].body
    committed(api.vote, people["reviewer"], pk, "approve", "Great portfolio.")
    approved = to(people["applicant"])[-1]
    assert approved.subject == "Welcome: your trainer application is approved"
    assert "Great portfolio." in approved.body and "Read the trainer guide" in approved.body
    assert "https://lms.example.com/mentora/trainers/onboarding/" in approved.body
    html = approved.alternatives[0][0]
    assert '<a href="https://lms.example.com/mentora/trainers/onboarding/"' in html
    for step in ("guide", "availability", "conduct"):
        committed(api.complete_onboarding_step, people["applicant"], step)
    assert to(people["applicant"])[-1].subject == "You are now a Mentora trainer"
    assert len(to(people["applicant"])) == 4
    assert SentNotification.objects.count() == 5
    assert all(len(row.key) == 64 and "applicant" not in row.key for row in SentNotification.objects.all())


def test_screening_problems_are_listed_with_the_profile_link(people, make_user, committed):
    newcomer = make_user("newcomer")
    info = committed(api.start_application, newcomer)
    committed(api.submit_application, newcomer, info.id)
    failed = to(newcomer)[-1]
    assert failed.subject == "Your trainer application needs a few changes"
    assert "- Add a headline to your trainer profile." in failed.body
    assert "- Your portfolio needs at least 1 item(s)" in failed.body
    assert "https://lms.example.com/mentora/trainers/me/profile/" in failed.body


def test_a_rejection_says_why_and_when_to_come_back_in_the_applicants_language(people, committed, preferences):
    preferences[people["applicant"].pk] = {"pref-lang": "fr", "time_zone": "Europe/Paris"}
    pk = _through_decision(people, committed)
    committed(api.vote, people["reviewer"], pk, "reject", "Plus de projets, s'il vous plaît.")
    rejected = to(people["applicant"])[-1]
    application = TrainerApplication.objects.get(pk=pk)
    paris = ZoneInfo("Europe/Paris")
    with translation.override("fr"), timezone.override(paris):
        assert rejected.subject == gettext("Your trainer application was not accepted")
        french_date = formats.date_format(timezone.localtime(application.reapply_after), "DATE_FORMAT")
    with translation.override("en"), timezone.override(paris):
        english_date = formats.date_format(timezone.localtime(application.reapply_after), "DATE_FORMAT")
    assert french_date != english_date
    assert rejected.extra_headers["Content-Language"] == "fr"
    assert "Plus de projets, s'il vous plaît." in rejected.body  # not escaped in the text part
    assert french_date in rejected.body  # the date as French readers write it
    assert to(people["reviewer"])[0].extra_headers["Content-Language"] == "en"


def test_each_email_once_whatever_the_retries(people):
    context = '{"application_id": 0}'
    assert tasks.send_trainer_notification.delay("active", str(people["applicant"].pk), "k1", context).get() == 1
    assert tasks.send_trainer_notification.delay("active", str(people["applicant"].pk), "k1", context).get() == 0
    assert tasks.send_trainer_notification.delay("active", str(people["applicant"].pk), "k2", context).get() == 1
    assert tasks.send_trainer_notification.delay("active", str(people["reviewer"].pk), "k1", context).get() == 1
    assert len(mail.outbox) == 3


def test_notify_twice_with_one_key_sends_once_and_nothing_before_the_commit(people, committed):
    def twice():
        notifications.notify("level_warning", people["applicant"], "warn-1", level="intermediate",
                             deadline="2031-03-01T12:00:00+00:00")
        notifications.notify("level_warning", people["applicant"], "warn-1", level="intermediate",
                             deadline="2031-03-01T12:00:00+00:00")
        assert mail.outbox == []  # queued for after the commit

    committed(twice)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Your trainer level “Intermediate” is at risk"
    assert "March 1, 2031" in mail.outbox[0].body


def test_a_rolled_back_change_sends_nothing(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notifications.notify("active", people["applicant"], "never")
                raise RuntimeError("the change fails")
        except RuntimeError:
            pass
    assert mail.outbox == []


def test_a_failed_send_is_retried_and_then_sent(people, monkeypatch):
    real_send = EmailMultiAlternatives.send
    calls = []

    def flaky(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("down")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        notifications.send("active", str(people["applicant"].pk), "retry", "{}")
    assert not SentNotification.objects.exists()  # rolled back: the retry sends
    assert notifications.send("active", str(people["applicant"].pk), "retry", "{}") == 1
    assert len(mail.outbox) == 1


def test_level_and_dispute_kinds(people, committed):
    committed(notifications.notify, "level_changed", people["applicant"], "change-1",
              from_level="beginner", to_level="intermediate", kind="promotion")
    committed(notifications.notify, "dispute_resolved", people["applicant"], "dispute-7", dispute_id=7,
              status="resolved")
    changed, resolved = mail.outbox
    assert changed.subject == "Your trainer level is now “Intermediate”"
    assert "from “Beginner” to “Intermediate” (Promotion)" in changed.body
    assert resolved.subject == "A case you are part of is closed" and "Case number 7" in resolved.body
    assert "Resolved" in resolved.body
    with pytest.raises(ValueError):
        notifications.notify("birthday", people["applicant"], "x")


def test_nobody_without_an_email_address_is_written_to(people, make_user, committed):
    silent = make_user("silent")
    silent.email = ""
    silent.save()
    committed(notifications.notify, "active", silent, "x")
    assert mail.outbox == [] and not SentNotification.objects.exists()


# --- reminders ------------------------------------------------------------------------------------------------------


def test_reviewers_are_reminded_once_per_period(people, committed, settings):
    pk = _through_decision(people, committed)
    mail.outbox.clear()
    row = ApplicationReviewer.objects.get(application_id=pk)
    assigned = row.assigned_at
    assert notifications.remind_reviewers(now=assigned + timedelta(hours=47)) == 0
    later = assigned + timedelta(hours=49)
    assert committed(notifications.remind_reviewers, now=later) == 1
    assert committed(notifications.remind_reviewers, now=later) == 0  # idempotent
    assert committed(notifications.remind_reviewers, now=later + timedelta(hours=47)) == 0
    assert committed(notifications.remind_reviewers, now=later + timedelta(hours=48)) == 1
    assert [message.subject for message in mail.outbox] == [
        "Reminder: the trainer application of Ana Plicant waits for you"] * 2
    settings.MENTORA_TRAINER_REVIEW_REMINDER_HOURS = 0
    assert notifications.remind_reviewers(now=later + timedelta(days=30)) == 0


def test_no_reminder_after_voting_or_for_decided_applications(people, committed, make_user, settings):
    settings.MENTORA_TRAINER_REJECTIONS_REQUIRED = 2
    pk = _through_decision(people, committed)
    second = make_user("second")
    make_expert(second)
    api.assign_reviewer(people["staff"], pk, second)
    api.vote(people["reviewer"], pk, "reject", "Not yet.")
    mail.outbox.clear()
    far = timezone.now() + timedelta(days=10)
    assert committed(notifications.remind_reviewers, now=far) == 1
    assert to(second) and not to(people["reviewer"])
    api.vote(second, pk, "approve", "Yes.")
    assert notifications.remind_reviewers(now=far + timedelta(days=10)) == 0


def test_the_beat_task_is_the_same(people, committed):
    pk = _through_decision(people, committed)
    ApplicationReviewer.objects.filter(application_id=pk).update(assigned_at=timezone.now() - timedelta(days=3))
    mail.outbox.clear()
    assert committed(lambda: tasks.remind_reviewers.delay().get()) == 1
    assert committed(lambda: tasks.remind_reviewers.delay().get()) == 0
    assert len(mail.outbox) == 1
