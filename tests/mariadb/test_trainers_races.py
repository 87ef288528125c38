"""
Trainer applications under real concurrency, on MariaDB: reviewers deciding at once on one application, and an
applicant's double clicks, never both apply.

Each test starts threads together (a barrier), each on its own connection, each calling ``trainers.api`` as the
pages, the REST API or the admin would. What must hold (issue 3, "Check"): concurrent reviewer decisions on one
application cannot both apply, and the audit trail says exactly what happened. Losers get a clear
``TrainersError`` (``invalid_transition``, ``application_open``), never a database error.
"""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from mentora_plugin.trainers import api
from mentora_plugin.trainers.models import (
    ApplicationReviewer,
    ApplicationScore,
    ApplicationTransition,
    PortfolioItem,
    Skill,
    TrainerApplication,
    TrainerProfile,
    TrainerScope,
    TrainerSkill,
)
from tests.mariadb.conftest import THREADS

pytestmark = [pytest.mark.mariadb, pytest.mark.django_db(transaction=True)]

User = get_user_model()
State = TrainerApplication.State


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.MENTORA_TRAINER_MICRO_TASK = ""
    settings.MENTORA_TRAINER_REQUIRED_EVIDENCE = 1
    settings.MENTORA_TRAINER_REJECTIONS_REQUIRED = 1


def _applicant() -> tuple:
    user = User.objects.create(username="applicant", email="applicant@example.com")
    profile = TrainerProfile.objects.create(user=user, headline="Mentor", bio="Bio", languages=["en"])
    TrainerSkill.objects.create(profile=profile, skill=Skill.objects.create(slug="sql", name="SQL"))
    PortfolioItem.objects.create(profile=profile, title="Work", url="https://example.com/work")
    return user, profile


def _reviewers(count: int) -> list:
    reviewers = []
    for index in range(count):
        user = User.objects.create(username=f"reviewer{index}", email=f"reviewer{index}@example.com")
        profile = TrainerProfile.objects.create(user=user, status="active", level="expert",
                                                activated_at=timezone.now())
        TrainerScope.objects.create(profile=profile, kind="platform", granted_at=timezone.now())
        reviewers.append(user)
    return reviewers


def _in_decision(reviewers: list) -> int:
    """An application waiting for votes, every reviewer assigned (rows made directly: the set-up is not raced)."""
    _user, profile = _applicant()
    application = TrainerApplication.objects.create(profile=profile, state=State.DECISION, motivation="Yes.",
                                                     submitted_at=timezone.now())
    now = timezone.now()
    ApplicationTransition.objects.create(application=application, from_state="skills_check", to_state="decision",
                                         at=now)
    for reviewer in reviewers:
        ApplicationReviewer.objects.create(application=application, reviewer=reviewer, assigned_at=now)
    ApplicationScore.objects.create(application=application, reviewer=reviewers[0], criterion="expertise", score=3)
    return application.pk


def _attempt(call, *args):
    try:
        return call(*args).state
    except api.TrainersError as error:
        return error.code


def _decisions(application_id: int) -> list[str]:
    return list(
        ApplicationTransition.objects.filter(application_id=application_id, from_state=State.DECISION)
        .values_list("to_state", flat=True)
    )


def test_approve_and_reject_at_once_one_outcome_and_its_trail(race):
    reviewers = _reviewers(THREADS)
    pk = _in_decision(reviewers)

    def decide(index: int):
        if index % 2:
            return _attempt(api.vote, reviewers[index], pk, "reject", f"No from {index}.")
        return _attempt(api.vote, reviewers[index], pk, "approve", f"Yes from {index}.")

    outcome = race(decide)

    outcome.assert_no_errors()
    results = list(outcome.results.values())
    assert results.count("invalid_transition") == THREADS - 1
    winner = next(index for index, result in outcome.results.items() if result != "invalid_transition")
    application = TrainerApplication.objects.get(pk=pk)
    decisions = _decisions(pk)
    assert decisions == [application.state]  # exactly one way out of the decision, and the state says which
    record = ApplicationTransition.objects.get(application_id=pk, from_state=State.DECISION)
    assert record.actor_id == reviewers[winner].pk
    voted = ApplicationReviewer.objects.exclude(vote="")
    assert [row.reviewer_id for row in voted] == [reviewers[winner].pk]  # losers' votes rolled back
    scopes = TrainerScope.objects.filter(profile=application.profile, is_active=True).count()
    if application.state == State.ONBOARDING:
        assert outcome.results[winner] in ("onboarding", "active") and scopes == 1
        assert application.reapply_after is None and application.decision_reason == f"Yes from {winner}."
        assert TrainerProfile.objects.get(pk=application.profile_id).status == "onboarding"
    else:
        assert application.state == State.REJECTED and scopes == 0
        assert application.reapply_after is not None and application.decision_reason == f"No from {winner}."


def test_two_rejections_required_many_rejecting_at_once(race, settings):
    settings.MENTORA_TRAINER_REJECTIONS_REQUIRED = 2
    reviewers = _reviewers(THREADS)
    pk = _in_decision(reviewers)

    outcome = race(lambda index: _attempt(api.vote, reviewers[index], pk, "reject", f"No from {index}."))

    outcome.assert_no_errors()
    results = list(outcome.results.values())
    assert results.count("decision") == 1 and results.count("rejected") == 1
    assert results.count("invalid_transition") == THREADS - 2
    assert _decisions(pk) == [State.REJECTED]
    assert ApplicationReviewer.objects.filter(application_id=pk, vote="reject").count() == 2
    record = ApplicationTransition.objects.get(application_id=pk, to_state=State.REJECTED)
    assert len(record.details["rejected_by"]) == 2


def test_a_double_submit_makes_one_transition(race):
    user, _profile = _applicant()
    pk = api.start_application(user, motivation="I want to mentor.").id

    outcome = race(lambda index: _attempt(api.submit_application, user, pk))

    outcome.assert_no_errors()
    results = list(outcome.results.values())
    assert results.count("submitted") == 1 and results.count("invalid_transition") == THREADS - 1
    assert ApplicationTransition.objects.filter(application_id=pk, to_state=State.SUBMITTED).count() == 1
    trail = list(ApplicationTransition.objects.filter(application_id=pk).values_list("to_state", flat=True))
    assert trail == ["draft", "submitted", "screening", "skills_check"]  # the winner's screening ran once


def test_starting_at_once_makes_one_application(race):
    user, _profile = _applicant()

    outcome = race(lambda index: _attempt(api.start_application, user))

    outcome.assert_no_errors()
    results = list(outcome.results.values())
    assert results.count("draft") == 1 and results.count("application_open") == THREADS - 1
    assert TrainerApplication.objects.count() == 1
