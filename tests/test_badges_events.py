"""
Badges' public events: BADGE_AWARDED once per new award (by hand, in bulk, by a rule, as a renewal) and
BADGE_REVOKED once per revocation, each after the commit with the award's facts, never for an idempotent repeat,
a refusal or a rolled-back transaction; each can cross the event bus; the tracking log gets the same facts.
"""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from openedx_events.event_bus.avro.deserializer import deserialize_bytes_to_event_data
from openedx_events.event_bus.avro.serializer import serialize_event_data_to_bytes

from mentora_plugin.badges import api
from mentora_plugin.badges.signals import BADGE_AWARDED, BADGE_REVOKED, BadgeAwardedData, BadgeRevokedData
from tests import test_badges_classes as class_tests
from tests.conftest import COURSE
from tests.test_badges_classes import make_class, refused

pytestmark = pytest.mark.django_db

cast = class_tests.cast

NOW = timezone.now()


@pytest.fixture
def badge(cast):
    """A course badge lasting 365 days."""
    return make_class(cast["course_staff"], expiry="duration", valid_days=365)


@pytest.fixture
def awarded():
    events: list[BadgeAwardedData] = []
    BADGE_AWARDED.connect(lambda **kwargs: events.append(kwargs["award"]), weak=False,
                          dispatch_uid="test.badges.awarded")
    yield events
    BADGE_AWARDED.disconnect(dispatch_uid="test.badges.awarded")


@pytest.fixture
def revoked():
    events: list[BadgeRevokedData] = []
    BADGE_REVOKED.connect(lambda **kwargs: events.append(kwargs["award"]), weak=False,
                          dispatch_uid="test.badges.revoked")
    yield events
    BADGE_REVOKED.disconnect(dispatch_uid="test.badges.revoked")


class TestAwarded:
    def test_sent_once_after_the_commit_with_the_award(self, cast, badge, awarded,
                                                       django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            award = api.award_badge(cast["course_staff"], badge.id, cast["learner"], source_key="manual:first",
                                    now=NOW)
            assert awarded == []  # not before the commit
        assert callbacks and awarded == [BadgeAwardedData(
            award_public_id=str(award.public_id), badge_class_public_id=str(badge.public_id),
            recipient_id=cast["learner"].pk, issued_on=NOW, automatic=False, source_key="manual:first",
            course_key=COURSE,
        )]

    def test_an_idempotent_repeat_and_a_refusal_announce_nothing(self, cast, badge, awarded,
                                                                  django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            first = api.award_badge(cast["course_staff"], badge.id, cast["learner"], source_key="manual:once")
        with django_capture_on_commit_callbacks(execute=True):
            again = api.award_badge(cast["course_staff"], badge.id, cast["learner"], source_key="manual:once")
            assert refused(api.award_badge, cast["course_staff"], badge.id, cast["learner"]).code == (
                "already_awarded")
        assert again.id == first.id
        assert [event.award_public_id for event in awarded] == [str(first.public_id)]

    def test_a_rolled_back_award_is_never_announced(self, cast, badge, awarded, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
            api.award_badge(cast["course_staff"], badge.id, cast["learner"])
            raise RuntimeError("the caller's transaction fails after the award")
        assert awarded == []
        assert api.awards_of(cast["learner"]) == []

    def test_an_automatic_award_says_so_and_once_per_source(self, cast, badge, awarded,
                                                             django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            award = api.award_automatically(badge.id, cast["learner"], source_key="course_passed:1")
            assert api.award_automatically(badge.id, cast["learner"], source_key="course_passed:1").id == award.id
        assert [(event.automatic, event.source_key, event.award_public_id) for event in awarded] == [
            (True, "course_passed:1", str(award.public_id))]

    def test_a_bulk_award_announces_each_new_award(self, cast, badge, awarded, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            api.award_badge(cast["course_staff"], badge.id, cast["learner2"])
        with django_capture_on_commit_callbacks(execute=True):
            result = api.bulk_award(cast["course_staff"], badge.id, [
                {"recipient": cast["learner"].pk}, {"recipient": cast["learner2"].pk},
                {"recipient": cast["outsider"].pk},
            ])
        assert result.already_awarded == (cast["learner2"].pk,) and len(result.refused) == 1
        assert [event.recipient_id for event in awarded] == [cast["learner2"].pk, cast["learner"].pk]

    def test_a_renewal_is_a_new_award_announced_once(self, cast, badge, awarded, django_capture_on_commit_callbacks):
        old = api.award_badge(cast["course_staff"], badge.id, cast["learner"], now=NOW - timedelta(days=400))
        with django_capture_on_commit_callbacks(execute=True):
            renewed = api.renew_award(cast["course_staff"], old.public_id, now=NOW)
            api.renew_award(cast["course_staff"], old.public_id, now=NOW)
        assert [(event.award_public_id, event.source_key) for event in awarded] == [
            (str(renewed.public_id), f"renewal:{old.public_id}")]

    def test_a_platform_badge_has_no_course_key_and_is_tracked(self, cast, awarded, caplog,
                                                                django_capture_on_commit_callbacks):
        platform = make_class(cast["platform_staff"], course_key=None)
        with caplog.at_level("INFO", logger="mentora.tracking"), django_capture_on_commit_callbacks(execute=True):
            award = api.award_badge(cast["platform_staff"], platform.id, cast["outsider"])
        assert awarded[0].course_key is None and awarded[0].badge_class_public_id == str(platform.public_id)
        assert "edx.mentora.badges.badge.awarded" in caplog.text and str(award.public_id) in caplog.text


class TestRevoked:
    def test_sent_once_after_the_commit_with_the_reason(self, cast, badge, revoked, caplog,
                                                        django_capture_on_commit_callbacks):
        award = api.award_badge(cast["course_staff"], badge.id, cast["learner"])
        with (caplog.at_level("INFO", logger="mentora.tracking"),
              django_capture_on_commit_callbacks(execute=True) as callbacks):
            api.revoke_award(cast["course_staff"], award.public_id, "  Copied work.  ", now=NOW)
            assert revoked == []
        assert callbacks and revoked == [BadgeRevokedData(
            award_public_id=str(award.public_id), badge_class_public_id=str(badge.public_id),
            recipient_id=cast["learner"].pk, revoked_at=NOW, reason="Copied work.", course_key=COURSE,
        )]
        assert "edx.mentora.badges.badge.revoked" in caplog.text
        assert "Copied work." not in caplog.text  # the tracking log has the fact, not the free text

    def test_a_repeat_or_a_rollback_announces_nothing(self, cast, badge, revoked, django_capture_on_commit_callbacks):
        award = api.award_badge(cast["course_staff"], badge.id, cast["learner"])
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
            api.revoke_award(cast["course_staff"], award.id, "Undone.")
            raise RuntimeError("rolled back")
        assert revoked == [] and api.get_award(award.id).status == "active"
        with django_capture_on_commit_callbacks(execute=True):
            api.revoke_award(cast["course_staff"], award.id, "For real.")
            assert refused(api.revoke_award, cast["course_staff"], award.id, "Twice.").code == "already_revoked"
        assert [event.reason for event in revoked] == ["For real."]


class TestEventBus:
    WHEN = datetime(2026, 12, 1, 9, tzinfo=UTC)

    @pytest.mark.parametrize("course_key", [COURSE, None], ids=["course", "platform"])
    def test_badge_awarded_round_trips(self, course_key):
        data = {"award": BadgeAwardedData(
            award_public_id=str(uuid.uuid4()), badge_class_public_id=str(uuid.uuid4()), recipient_id=7,
            issued_on=self.WHEN, automatic=True, source_key="course_passed:7", course_key=course_key,
        )}
        wire = serialize_event_data_to_bytes(data, BADGE_AWARDED)
        assert deserialize_bytes_to_event_data(wire, BADGE_AWARDED) == data
        assert BADGE_AWARDED.event_type == "org.openedx.mentora.badges.badge.awarded.v1"

    @pytest.mark.parametrize("course_key", [COURSE, None], ids=["course", "platform"])
    def test_badge_revoked_round_trips(self, course_key):
        data = {"award": BadgeRevokedData(
            award_public_id=str(uuid.uuid4()), badge_class_public_id=str(uuid.uuid4()), recipient_id=7,
            revoked_at=self.WHEN, reason="Copied work.", course_key=course_key,
        )}
        wire = serialize_event_data_to_bytes(data, BADGE_REVOKED)
        assert deserialize_bytes_to_event_data(wire, BADGE_REVOKED) == data
        assert BADGE_REVOKED.event_type == "org.openedx.mentora.badges.badge.revoked.v1"
