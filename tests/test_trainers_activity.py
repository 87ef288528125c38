"""
The trainers' record of interactions: fed by booking's real events (through the receivers the plugin machinery
connects), idempotent, and correct when an outcome is corrected.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from mentora_plugin.booking import api as booking_api
from mentora_plugin.booking.models import Booking
from mentora_plugin.trainers import api
from mentora_plugin.trainers.models import TrainerActivity
from tests.conftest import COURSE
from tests.test_booking_record_mentors import booking, cast, complete  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def test_a_completed_session_becomes_one_activity(cast, booking, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        complete(booking.id, cast["trainer"])
    activity = TrainerActivity.objects.get()
    assert (activity.kind, activity.source_id) == ("session", str(booking.id))
    assert (activity.trainer_id, activity.learner_id) == (cast["trainer"].pk, cast["ann"].pk)
    assert activity.course_key == COURSE and activity.outcome == "delivered"


def test_a_trainer_no_show_is_recorded_as_such(cast, booking, django_capture_on_commit_callbacks):  # noqa: F811
    Booking.objects.get(pk=booking.id).session.__class__.objects.update(
        start=timezone.now() - timedelta(hours=2), end=timezone.now() - timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        booking_api.complete_booking(booking.id, cast["staff"], outcome=Booking.Status.NO_SHOW_TRAINER)
    assert TrainerActivity.objects.get().outcome == "trainer_no_show"


def test_recording_twice_records_once_and_a_correction_wins(make_user):
    trainer, learner = make_user(), make_user()
    when = timezone.now()
    first = api.record_activity("review", 41, trainer, learner, COURSE, when, turnaround_seconds=3600)
    again = api.record_activity("review", "41", trainer.pk, learner.pk, COURSE, when, turnaround_seconds=3600)
    assert first.pk == again.pk and TrainerActivity.objects.count() == 1
    api.record_activity("review", 41, trainer, learner, COURSE, when, outcome="learner_no_show")
    assert TrainerActivity.objects.get().outcome == "learner_no_show"


@pytest.mark.parametrize("kind, outcome", [("party", "delivered"), ("session", "maybe")])
def test_unknown_kinds_and_outcomes_are_programming_errors(make_user, kind, outcome):
    with pytest.raises(ValueError):
        api.record_activity(kind, 1, make_user(), None, None, timezone.now(), outcome=outcome)
    assert not TrainerActivity.objects.exists()
