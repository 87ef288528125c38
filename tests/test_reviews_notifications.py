"""
Reviews' emails: each kind to the right people, once whatever the retries and the periodic runs, after the commit
only, in the recipient's language; due-date reminders (who is reminded, when, idempotent) and overdue flags (who is
told, once per submitted version).

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

from mentora_plugin.host import api as host_api
from mentora_plugin.reviews import api, notifications, tasks
from mentora_plugin.reviews.models import Extension, Review, SentNotification, SubmissionVersion
from tests import test_reviews_queue as queue_tests
from tests.conftest import COURSE, at
from tests.test_reviews_queue import approve, claim, make_project, make_submission, make_team

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

# The queue tests' fixtures: the people of two courses, and throttles out of the way.
cast = queue_tests.cast
_fresh_throttles = queue_tests._fresh_throttles


@pytest.fixture(autouse=True)
def _defaults(settings):
    settings.LMS_ROOT_URL = "https://lms.example.com"
    settings.MENTORA_REVIEWS_DUE_REMINDER_HOURS = 48


def to(user) -> list:
    return [message for message in mail.outbox if message.to == [user.email]]


# --- each kind ------------------------------------------------------------------------------------------------------


class TestKinds:
    def test_submission_received_goes_to_each_trainer_once_with_a_link(self, cast, committed, preferences):
        preferences[cast["trainer2"].pk] = {"pref-lang": "fr"}
        project = make_project(title="Build a portfolio")
        work = make_submission(project, cast["learner"])
        version = work.versions.get()
        for trainer in host_api.get_course_trainers(COURSE):
            committed(notifications.notify, "submission_received", trainer, f"received:{version.pk}:{trainer.pk}",
                      submission_id=work.pk)
            committed(notifications.notify, "submission_received", trainer, f"received:{version.pk}:{trainer.pk}",
                      submission_id=work.pk)  # delivered twice: sent once
        (english,) = to(cast["trainer"])
        assert english.subject == "New submission to review: Build a portfolio by Lea Rner"
        assert f"https://lms.example.com/mentora/reviews/submissions/{work.pk}/" in english.body
        assert "Projects 101" in english.body and english.extra_headers["Content-Language"] == "en"
        (french,) = to(cast["trainer2"])
        assert french.extra_headers["Content-Language"] == "fr" and "Build a portfolio" in french.subject
        assert isinstance(french, EmailMultiAlternatives) and french.alternatives[0][1] == "text/html"
        assert len(mail.outbox) == 2 and SentNotification.objects.filter(kind="submission_received").count() == 2

    def test_review_released_tells_the_outcome_and_grade(self, cast, committed):
        work = make_submission(make_project(title="Essay", points_possible=50), cast["learner"])
        review = approve(work, cast["trainer"], points=42.5)
        committed(notifications.notify, "review_released", cast["learner"], f"released:{review.pk}",
                  submission_id=work.pk, review_id=review.pk)
        (email,) = to(cast["learner"])
        assert email.subject == "Your project “Essay” is approved"
        assert "Your grade: 42.5 out of 50." in email.body
        assert f"/mentora/reviews/submissions/{work.pk}/" in email.body
        second = make_submission(make_project(name="b", title="Poster"), cast["learner2"])
        changes = Review.objects.create(version=second.versions.get(), reviewer=cast["trainer"],
                                        outcome="changes_requested", released_at=timezone.now())
        committed(notifications.notify, "review_released", cast["learner2"], f"released:{changes.pk}",
                  submission_id=second.pk)  # without a review id: the latest released review
        (other,) = to(cast["learner2"])
        assert other.subject == "Feedback on your project “Poster”: changes requested" and "grade" not in other.body

    def test_nothing_before_the_commit_and_nothing_after_a_rollback(self, cast):
        work = make_submission(make_project(), cast["learner"])
        with pytest.raises(RuntimeError), transaction.atomic():
            notifications.notify("queue_overdue", cast["trainer"], "x", submission_id=work.pk)
            raise RuntimeError
        assert mail.outbox == []

    def test_a_failed_send_is_retried_and_not_recorded(self, cast, monkeypatch):
        work = make_submission(make_project(), cast["learner"])

        def broken(self, *args, **kwargs):
            raise smtplib.SMTPServerDisconnected("down")

        monkeypatch.setattr(EmailMultiAlternatives, "send", broken)
        with pytest.raises(smtplib.SMTPServerDisconnected):
            notifications.send("queue_overdue", str(cast["trainer"].pk), "k", f'{{"submission_id": {work.pk}}}')
        assert not SentNotification.objects.exists()
        monkeypatch.undo()
        assert tasks.send_review_notification.apply(
            args=("queue_overdue", str(cast["trainer"].pk), "k", f'{{"submission_id": {work.pk}}}')
        ).get() == 1
        assert notifications.send("queue_overdue", str(cast["trainer"].pk), "k", "{}") == 0

    def test_an_email_about_something_gone_is_dropped(self, cast):
        assert notifications.send("submission_received", str(cast["trainer"].pk), "k",
                                  '{"submission_id": 999999}') == 0
        assert mail.outbox == [] and not SentNotification.objects.exists()
        with pytest.raises(ValueError):
            notifications.notify("nonsense", cast["trainer"], "k")

    def test_submitting_through_the_api_emails_the_courses_trainers(self, cast, committed):
        usage = COURSE.make_usage_key("mentora_project", "flow")
        api.sync_project(usage, COURSE, {"title": "Flow", "rubric": [
            {"key": "q", "title": "Quality", "weight": 1, "levels": [{"points": 0, "label": "No"},
                                                                    {"points": 1, "label": "Yes"}]},
        ], "accepts_text": True})
        api.save_draft(cast["learner"], usage, text="Done.")
        committed(api.submit, cast["learner"], usage)
        assert {tuple(message.to) for message in mail.outbox} == {("trainer@example.com",), ("trainer2@example.com",)}
        assert all("Flow by Lea Rner" in message.subject for message in mail.outbox)


# --- due-date reminders ---------------------------------------------------------------------------------------------


class TestDueReminders:
    def test_learners_who_have_not_submitted_are_reminded_once(self, cast, make_user, preferences, committed):
        preferences[cast["learner2"].pk] = {"pref-lang": "fr", "time_zone": "Europe/Paris"}
        now = timezone.now()
        soon = make_project(title="Soon", due=now + timedelta(hours=20))
        make_project(name="later", title="Later", due=now + timedelta(days=10))
        make_project(name="past", title="Past", due=now - timedelta(hours=1))
        make_submission(soon, cast["learner"])  # submitted: no reminder
        drafter = make_user("drafter")
        host_api.record_enrollment(drafter.pk, COURSE, "audit", True, at(0))
        make_submission(soon, drafter, status="draft")  # only a draft: reminded
        gone = make_user("gone")
        host_api.record_enrollment(gone.pk, COURSE, "audit", False, at(0))  # unenrolled
        assert committed(notifications.send_due_reminders, now) == 2
        assert sorted(message.to[0] for message in mail.outbox) == sorted([cast["learner2"].email, drafter.email])
        (french,) = to(cast["learner2"])
        assert french.extra_headers["Content-Language"] == "fr" and "Soon" in french.subject
        with translation.override("fr"), timezone.override(ZoneInfo("Europe/Paris")):
            due_fr = formats.date_format(timezone.localtime(soon.due), "DATETIME_FORMAT")
        assert due_fr in french.subject  # French date, Paris time
        (english,) = to(drafter)
        assert english.subject.startswith("Reminder: the project “Soon” is due on")
        assert f"https://lms.example.com/courses/{COURSE}/jump_to/{soon.usage_key}" in english.body
        # The next hourly runs queue nothing new, even after more time passes in the window.
        assert committed(notifications.send_due_reminders, now) == 0
        assert committed(notifications.send_due_reminders, now + timedelta(hours=5)) == 0
        assert committed(lambda: tasks.send_due_reminders.apply().get()) == 0
        assert len(mail.outbox) == 2

    def test_extensions_team_submissions_and_the_setting(self, cast, settings, committed):
        now = timezone.now()
        project = make_project(title="Team work", team_mode=True, due=now + timedelta(hours=10))
        team = make_team(project, "Owls", cast["learner"])
        make_submission(project, team=team)
        Extension.objects.create(project=project, learner=cast["learner2"], due=now + timedelta(days=5),
                                 granted_at=now)
        assert committed(notifications.send_due_reminders, now) == 0  # learner's team submitted; learner2 has more time
        later = make_project(name="ext", title="Extended", due=now + timedelta(days=10))
        Extension.objects.create(project=later, learner=cast["learner"], due=now + timedelta(hours=3),
                                 granted_at=now)
        assert committed(notifications.send_due_reminders, now) == 1 and to(cast["learner"])[0].subject.startswith(
            "Reminder: the project “Extended”")
        settings.MENTORA_REVIEWS_DUE_REMINDER_HOURS = 0
        make_project(name="off", due=now + timedelta(hours=1))
        assert committed(notifications.send_due_reminders, now) == 0


# --- overdue reviews ------------------------------------------------------------------------------------------------


class TestOverdue:
    def test_the_courses_trainers_and_staff_are_told_once_per_version(self, cast, committed):
        project = make_project(title="Essay", target_turnaround_hours=24)
        late = make_submission(project, cast["learner"], hours_ago=30)
        make_submission(project, cast["learner2"], hours_ago=2)  # within the target
        sent = committed(notifications.flag_overdue_reviews)
        assert sent == 3
        assert sorted(message.to[0] for message in mail.outbox) == [
            "course_staff@example.com", "trainer2@example.com", "trainer@example.com"]
        assert to(cast["trainer"])[0].subject == "Overdue review: Essay by Lea Rner"
        assert "24 hours" in to(cast["trainer"])[0].body
        assert committed(notifications.flag_overdue_reviews) == 0
        assert committed(lambda: tasks.flag_overdue_reviews.apply().get()) == 0
        # A new version that waits too long is flagged again.
        SubmissionVersion.objects.create(submission=late, number=2, text="v2",
                                         submitted_at=timezone.now() - timedelta(hours=25))
        late.submitted_at = timezone.now() - timedelta(hours=25)
        late.save()
        assert committed(notifications.flag_overdue_reviews) == 3 and len(mail.outbox) == 6

    def test_a_valid_claim_narrows_it_to_the_claiming_trainer_and_staff(self, cast, committed):
        project = make_project(title="Essay", target_turnaround_hours=24)
        late = make_submission(project, cast["learner"], hours_ago=30)
        claim(late, cast["trainer2"])
        assert committed(notifications.flag_overdue_reviews) == 2
        assert sorted(message.to[0] for message in mail.outbox) == ["course_staff@example.com",
                                                                     "trainer2@example.com"]
