"""
Retiring a user erases their badge data (the platform's USER_RETIRE_LMS_MISC signal): their awards (so no hosted
assertion names them any more) and the emails recorded as sent about them; awards they issued or revoked stay for their
recipients, without them; classes they created stay, without their author. Other people's awards stay.
"""
from __future__ import annotations

import pytest

from mentora_plugin.badges import api
from mentora_plugin.badges.models import BadgeAward, BadgeClass, SentBadgeNotification
from mentora_plugin.host import compat
from tests import test_badges_classes as class_tests
from tests.test_badges_classes import make_class

pytestmark = pytest.mark.django_db

cast = class_tests.cast


@pytest.fixture
def world(cast, django_capture_on_commit_callbacks, settings):
    """Lea holds a badge (and an email was sent about it); Tara issued Leo's badge and revoked another of his."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    badge = make_class(cast["course_staff"], skills=["python"])
    other = make_class(cast["course_staff"], name="Second badge")
    with django_capture_on_commit_callbacks(execute=True):
        lea = api.award_badge(cast["trainer"], badge.id, cast["learner"], narrative="About Lea.",
                              evidence=[{"url": "https://example.com/lea"}])
    leo = api.award_badge(cast["trainer"], badge.id, cast["learner2"])
    revoked = api.award_badge(cast["trainer"], other.id, cast["learner2"])
    api.revoke_award(cast["trainer"], revoked.id, "Issued by mistake.")
    return {"badge": badge, "lea": lea, "leo": leo, "revoked": revoked}


def retire(user) -> None:
    compat.get_retirement_signals()["USER_RETIRE_LMS_MISC"].send(sender=None, user=user)


def test_a_retired_recipient_loses_their_awards_and_sent_email_records(cast, world):
    assert SentBadgeNotification.objects.filter(recipient=cast["learner"]).exists()
    retire(cast["learner"])
    assert not BadgeAward.objects.filter(recipient=cast["learner"]).exists()
    assert not SentBadgeNotification.objects.filter(recipient=cast["learner"]).exists()
    assert api.awards_of(cast["learner"]) == []
    with pytest.raises(api.BadgesError) as error:
        api.get_award(world["lea"].public_id)
    assert error.value.code == "award_not_found"  # the hosted assertion is gone
    assert {award.id for award in api.awards_of(cast["learner2"])} == {world["leo"].id, world["revoked"].id}
    retire(cast["learner"])  # twice is harmless


def test_a_retired_issuer_and_revoker_are_unlinked_and_their_awards_stay(cast, world):
    retire(cast["trainer"])
    leo = api.get_award(world["leo"].id)
    assert (leo.status, leo.issued_by_id, leo.issued_by_name) == ("active", None, "")
    revoked = api.get_award(world["revoked"].id)
    assert (revoked.status, revoked.revoked_by_id, revoked.revocation_reason) == ("revoked", None,
                                                                                  "Issued by mistake.")
    assert BadgeAward.objects.count() == 3


def test_a_retired_author_leaves_their_classes(cast, world):
    retire(cast["course_staff"])
    assert BadgeClass.objects.get(pk=world["badge"].id).created_by is None
    assert api.get_badge_class(world["badge"].id).created_by_id is None
