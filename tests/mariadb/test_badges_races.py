"""
Awards under real concurrency, on MariaDB: issuers racing to award the same badge to the same learner award it once,
and an event delivered many times at once awards once.

Each test starts threads together (a barrier), each on its own connection, each calling ``badges.api`` as the pages,
the REST API or a rule's task would. What must hold (issue 6, "Awards are idempotent"; the brief's "at most one
current award"): one current award per badge class and recipient, one award per source; losers get a clear
``BadgesError`` (``already_awarded``) or the winner's award, never a database error.
"""
from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from PIL import Image

from mentora_plugin.badges import api
from mentora_plugin.badges.models import BadgeAward
from mentora_plugin.host import api as host_api
from mentora_plugin.host.data import CourseRoleRecord
from tests.conftest import COURSE, at
from tests.mariadb.conftest import THREADS

pytestmark = [pytest.mark.mariadb, pytest.mark.django_db(transaction=True)]

User = get_user_model()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (8, 8), (0, 0, 0, 255)).save(out, format="PNG")
    return out.getvalue()


def _setup():
    host_api.record_course(COURSE, at(0), title="Race")
    issuers = [User.objects.create(username=f"staff{index}", email=f"staff{index}@example.com")
               for index in range(THREADS)]
    for issuer in issuers:
        host_api.record_course_role(CourseRoleRecord(user_id=issuer.pk, org=COURSE.org, course_key=str(COURSE),
                                                     role="staff", is_active=True), at(0))
    learner = User.objects.create(username="learner", email="learner@example.com")
    host_api.record_enrollment(learner.pk, COURSE, "audit", True, at(0))
    badge = api.create_badge_class(issuers[0], name="Race", description="Won a race.", criteria="Be first.",
                                   image=_png(), course_key=COURSE, expiry="duration", valid_days=30)
    return issuers, learner, badge


def test_32_issuers_awarding_the_same_badge_to_the_same_learner_award_it_once(race):
    issuers, learner, badge = _setup()

    def attempt(index: int):
        try:
            return api.award_badge(issuers[index], badge.id, learner.pk, narrative=f"From {index}.").id
        except api.BadgesError as error:
            return error.code

    outcome = race(attempt)
    outcome.assert_no_errors()
    awarded = [result for result in outcome.results.values() if isinstance(result, int)]
    assert len(awarded) == 1
    assert sorted(result for result in outcome.results.values() if not isinstance(result, int)) == (
        ["already_awarded"] * (THREADS - 1))
    assert list(BadgeAward.objects.values_list("pk", flat=True)) == awarded


def test_an_event_delivered_32_times_at_once_awards_once(race):
    _issuers, learner, badge = _setup()

    def attempt(index: int):
        award = api.award_automatically(badge.id, learner.pk, source_key="course_passed:42")
        return award.id if award is not None else None

    outcome = race(attempt)
    outcome.assert_no_errors()
    assert BadgeAward.objects.count() == 1
    assert set(outcome.results.values()) == {BadgeAward.objects.get().pk}
