"""
The trainer application pipeline: its state machine (every invalid transition refused), screening, reviewers and
the rubric, votes (one approval, N rejections), cooldown, scopes, onboarding to active, permissions, and the same
rules through the REST API, the pages and the admin.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from mentora_plugin.host import api as host_api
from mentora_plugin.host.data import CourseRole
from mentora_plugin.trainers import api, applications
from mentora_plugin.trainers.applications import NEW, TRANSITIONS, _transition
from mentora_plugin.trainers.common import TrainersError
from mentora_plugin.trainers.models import (
    ApplicationReviewer,
    ApplicationScore,
    ApplicationTransition,
    LevelChange,
    OnboardingStep,
    PortfolioItem,
    Skill,
    TrainerApplication,
    TrainerProfile,
    TrainerScope,
    TrainerSkill,
)
from tests.conftest import COURSE, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

State = TrainerApplication.State
V1 = "/api/mentora/v1/trainers/"
FULL_SCORES = {"expertise": 3, "teaching": 4, "communication": 2}


# --- set-up ---------------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _defaults(settings):
    settings.MENTORA_TRAINER_REJECTIONS_REQUIRED = 1
    settings.MENTORA_TRAINER_REAPPLY_COOLDOWN_DAYS = 90
    settings.MENTORA_TRAINER_REQUIRED_EVIDENCE = 1
    settings.MENTORA_TRAINER_MICRO_TASK = ""
    settings.MENTORA_API_THROTTLE_RATES = {"user": "10000/minute", "anon": "1000/minute", "write": "10000/minute"}
    cache.clear()
    cache.clear()


def complete_profile(user, evidence: int = 1) -> TrainerProfile:
    """What screening wants: a headline, a biography, a skill, a language, evidence."""
    profile, _created = TrainerProfile.objects.get_or_create(user=user)
    profile.headline, profile.bio, profile.languages = "Data mentor", "I teach **data**.", ["en", "fr"]
    profile.save()
    skill, _created = Skill.objects.get_or_create(slug="python", defaults={"name": "Python"})
    TrainerSkill.objects.get_or_create(profile=profile, skill=skill)
    for index in range(evidence):
        PortfolioItem.objects.create(profile=profile, title=f"Project {index}", url=f"https://example.com/{index}")
    return profile


def make_expert(user) -> TrainerProfile:
    """An active trainer whose level unlocks reviewing applications."""
    profile, _created = TrainerProfile.objects.get_or_create(user=user)
    profile.status, profile.level, profile.activated_at = TrainerProfile.Status.ACTIVE, "expert", timezone.now()
    profile.save()
    TrainerScope.objects.create(profile=profile, kind="platform", granted_at=timezone.now())
    return profile


@pytest.fixture
def people(make_user):
    host_api.record_course(COURSE, at(0), title="Mentoring 101")
    cast = {
        "applicant": make_user("applicant", first_name="Ana", last_name="Plicant"),
        "staff": make_user("staff", is_staff=True, is_superuser=True),
        "reviewer": make_user("reviewer", first_name="Rev", last_name="Iewer"),
        "second": make_user("second"),
        "stranger": make_user("stranger"),
    }
    complete_profile(cast["applicant"])
    make_expert(cast["reviewer"])
    make_expert(cast["second"])
    return cast


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    """Submit, and run what follows the commit (the screening task, the emails) as a worker would."""

    def run(user, application_id):
        with django_capture_on_commit_callbacks(execute=True):
            api.submit_application(user, application_id)
        return TrainerApplication.objects.get(pk=application_id)

    return run


@pytest.fixture
def in_skills_check(people, submit):
    info = api.start_application(people["applicant"], motivation="I love teaching.")
    application = submit(people["applicant"], info.id)
    assert application.state == State.SKILLS_CHECK
    return application


@pytest.fixture
def in_decision(people, in_skills_check):
    api.assign_reviewer(people["staff"], in_skills_check.id, people["reviewer"])
    api.score_application(people["reviewer"], in_skills_check.id, FULL_SCORES)
    api.move_to_decision(people["reviewer"], in_skills_check.id)
    return TrainerApplication.objects.get(pk=in_skills_check.id)


def application_in(state: str, user) -> TrainerApplication:
    profile = TrainerProfile.objects.get_or_create(user=user)[0]
    return TrainerApplication.objects.create(profile=profile, state=state)


def error_of(call, *args, **kwargs) -> TrainersError:
    with pytest.raises(TrainersError) as caught:
        call(*args, **kwargs)
    return caught.value


# --- the state machine ----------------------------------------------------------------------------------------------

INVALID = [(source, target) for source in State.values for target in State.values if target not in TRANSITIONS[source]]
VALID = [(source, target) for source in State.values for target in TRANSITIONS[source]]


def test_the_table_covers_every_state_and_ends_in_final_states():
    assert set(TRANSITIONS) == {NEW, *State.values}
    for final in (State.ACTIVE, State.REJECTED, State.WITHDRAWN):
        assert TRANSITIONS[final] == {}
    assert len(INVALID) + len(VALID) == len(State.values) ** 2


@pytest.mark.parametrize(("source", "target"), INVALID)
def test_every_invalid_transition_is_refused(people, source, target):
    application = application_in(source, people["applicant"])
    for actor in (None, people["applicant"], people["staff"]):
        error = error_of(_transition, application, target, actor, "trying")
        assert (error.code, error.status) == ("invalid_transition", 409)
        assert f"({source})" in str(error) and f"({target})" in str(error)
    application.refresh_from_db()
    assert application.state == source
    assert not ApplicationTransition.objects.filter(application=application).exists()


@pytest.mark.parametrize(("source", "target"), VALID)
def test_every_valid_transition_needs_its_role_and_is_audited(people, source, target):
    application = application_in(source, people["applicant"])
    roles = TRANSITIONS[source][target]
    ApplicationReviewer.objects.create(application=application, reviewer=people["reviewer"], assigned_at=timezone.now())
    actors = {"applicant": people["applicant"], "system": None, "reviewer": people["reviewer"],
              "staff": people["staff"]}
    outsider = next(actors[role] for role in ("system", "applicant", "reviewer") if role not in roles)
    assert error_of(_transition, application, target, outsider).code == "permission_denied"
    actor = actors[sorted(roles)[0]]
    record = _transition(application, target, actor, "because", {"why": 1})
    application.refresh_from_db()
    assert application.state == target
    assert (record.from_state, record.to_state, record.actor_id, record.reason, record.details) == (
        source, target, getattr(actor, "pk", None), "because", {"why": 1}
    )


def test_nobody_acts_as_reviewer_or_staff_on_their_own_application(people):
    """Staff applying for a scope act as the applicant on their application: no self-approval."""
    application = application_in(State.DECISION, people["staff"])
    assert error_of(_transition, application, State.ONBOARDING, people["staff"]).code == "permission_denied"
    assert error_of(api.vote, people["staff"], application.pk, "approve").code == "permission_denied"


#: For each public function that changes state: the call, and the state it moves to.
ACTIONS = {
    "submit": (lambda p, pk: api.submit_application(p["applicant"], pk), State.SUBMITTED),
    "screen": (lambda p, pk: api.screen_application(pk), State.SCREENING),
    "decision": (lambda p, pk: api.move_to_decision(p["staff"], pk), State.DECISION),
    "approve": (lambda p, pk: api.vote(p["staff"], pk, "approve", "ok"), State.ONBOARDING),
    "reject": (lambda p, pk: api.vote(p["staff"], pk, "reject", "no"), State.REJECTED),
    "withdraw": (lambda p, pk: api.withdraw_application(p["applicant"], pk), State.WITHDRAWN),
}
SOURCES = {"submit": State.DRAFT, "screen": State.SUBMITTED, "decision": State.SKILLS_CHECK,
           "approve": State.DECISION, "reject": State.DECISION}


WRONG_STATES = [
    (action, state) for action, (_call, target) in ACTIONS.items() for state in State.values
    if not (target in TRANSITIONS[state] and SOURCES.get(action, state) == state)
]


@pytest.mark.parametrize(("action", "state"), WRONG_STATES)
def test_public_functions_refuse_from_the_wrong_state(people, action, state):
    call, target = ACTIONS[action]
    application = application_in(state, people["applicant"])
    error = error_of(call, people, application.pk)
    assert (error.code, error.status) == ("invalid_transition", 409)
    assert f"({state})" in str(error) and f"({target})" in str(error)
    assert TrainerApplication.objects.get(pk=application.pk).state == state


# --- starting, editing, submitting, screening ----------------------------------------------------------------------


def test_the_whole_way_to_an_active_trainer(people, submit, django_capture_on_commit_callbacks):
    applicant, reviewer = people["applicant"], people["reviewer"]
    info = api.start_application(applicant, motivation="I love teaching.")
    assert (info.state, info.scope_kind) == ("draft", "platform")
    application = submit(applicant, info.id)
    assert application.state == State.SKILLS_CHECK and application.submitted_at
    api.assign_reviewer(reviewer, info.id, reviewer)  # a reviewer takes it
    api.score_application(reviewer, info.id, FULL_SCORES, {"teaching": "Clear."})
    api.record_interview(reviewer, info.id, timezone.now() + timedelta(days=2), "Good call.")
    api.move_to_decision(reviewer, info.id)
    with django_capture_on_commit_callbacks(execute=True):
        decided = api.vote(reviewer, info.id, "approve", "Welcome!")
    assert decided.state == "onboarding" and decided.decision_reason == "Welcome!" and decided.decided_at
    profile = TrainerProfile.objects.get(user=applicant)
    assert profile.status == TrainerProfile.Status.ONBOARDING
    scope = TrainerScope.objects.get(profile=profile)
    assert (scope.kind, scope.is_active, scope.application_id) == ("platform", True, info.id)
    status = api.onboarding_status(applicant)
    assert [step.key for step in status.steps] == ["guide", "availability", "conduct"] and not status.complete
    for key in ("guide", "availability"):
        assert api.complete_onboarding_step(applicant, key).state == "onboarding"
    api.complete_onboarding_step(applicant, "guide")  # again: nothing changes
    with django_capture_on_commit_callbacks(execute=True):
        final = api.complete_onboarding_step(applicant, "conduct")
    assert final.complete and final.state == "active"
    profile.refresh_from_db()
    assert (profile.status, profile.level) == (TrainerProfile.Status.ACTIVE, "beginner")
    assert profile.probation_until and profile.probation_until > timezone.now()
    assert LevelChange.objects.filter(profile=profile, kind="initial", to_level="beginner").count() == 1
    history = api.application_history(info.id, people["staff"])
    assert [(item.from_state, item.to_state) for item in history] == [
        ("", "draft"), ("draft", "submitted"), ("submitted", "screening"), ("screening", "skills_check"),
        ("skills_check", "decision"), ("decision", "onboarding"), ("onboarding", "active"),
    ]
    assert history[0].actor_id == applicant.pk and history[2].actor_id is None and history[5].actor_id == reviewer.pk
    assert history[5].reason == "Welcome!"


def test_one_open_application_per_user(people):
    api.start_application(people["applicant"])
    error = error_of(api.start_application, people["applicant"], "org", org="TestOrg")
    assert (error.code, error.status) == ("application_open", 409)
    assert TrainerApplication.objects.count() == 1


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"scope_kind": "galaxy"}, "invalid_scope"),
    ({"scope_kind": "org", "org": "  "}, "org_required"),
    ({"scope_kind": "course"}, "course_required"),
    ({"scope_kind": "course", "course_key": "not a key"}, "invalid_course_key"),
    ({"scope_kind": "course", "course_key": "course-v1:Nope+N1+2026"}, "course_not_found"),
    ({"motivation": "x" * (applications.MAX_TEXT + 1)}, "too_long"),
])
def test_scopes_and_texts_are_checked(people, kwargs, code):
    error = error_of(api.start_application, people["applicant"], **kwargs)
    assert (error.code, error.status) == (code, 400)
    assert not TrainerApplication.objects.exists()


def test_update_only_what_the_state_allows(people, submit, settings):
    settings.MENTORA_TRAINER_MICRO_TASK = "Explain recursion to a beginner."
    applicant = people["applicant"]
    info = api.start_application(applicant)
    changed = api.update_application(applicant, info.id, motivation="Because.", scope_kind="org", org="TestOrg",
                                     micro_task_answer="Early answer.")
    assert (changed.motivation, changed.scope_kind, changed.scope_org) == ("Because.", "org", "TestOrg")
    assert error_of(api.update_application, applicant, info.id, state="active").code == "unknown_field"
    assert error_of(api.update_application, people["stranger"], info.id, motivation="x").code == "application_not_found"
    submit(applicant, info.id)
    error = error_of(api.update_application, applicant, info.id, motivation="Later.")
    assert (error.code, error.status) == ("not_editable", 409)
    assert api.update_application(applicant, info.id, micro_task_answer="Call yourself.").micro_task_answer == \
        "Call yourself."
    assert TrainerApplication.objects.get(pk=info.id).motivation == "Because."


def test_screening_failure_goes_back_to_draft_with_the_problems(people, make_user, submit):
    newcomer = make_user("newcomer")
    info = api.start_application(newcomer)
    application = submit(newcomer, info.id)
    assert application.state == State.DRAFT
    codes = [problem["code"] for problem in application.screening_problems]
    assert codes == ["headline_missing", "bio_missing", "skills_missing", "languages_missing", "evidence_missing",
                     "motivation_missing"]
    shown = api.current_application(newcomer).screening_problems
    assert {problem.fix for problem in shown} == {"profile", "application"}
    assert "at least 1 item" in shown[4].message
    assert not api.list_applications(people["staff"], state="skills_check")  # reviewers do not see it
    transitions = list(ApplicationTransition.objects.filter(application_id=info.id).values_list("to_state", flat=True))
    assert transitions == ["draft", "submitted", "screening", "draft"]
    # Fixed, submitted again: it passes and the problems are gone.
    complete_profile(newcomer)
    api.update_application(newcomer, info.id, motivation="Now I say why.")
    application = submit(newcomer, info.id)
    assert application.state == State.SKILLS_CHECK and application.screening_problems == []


def test_required_evidence_is_a_setting(people, make_user, submit, settings):
    settings.MENTORA_TRAINER_REQUIRED_EVIDENCE = 2
    info = api.start_application(people["applicant"], motivation="Yes.")
    application = submit(people["applicant"], info.id)
    assert [problem["code"] for problem in application.screening_problems] == ["evidence_missing"]
    PortfolioItem.objects.create(profile=application.profile, title="No evidence")  # neither a link nor a file
    assert submit(people["applicant"], info.id).state == State.DRAFT
    PortfolioItem.objects.create(profile=application.profile, title="Slides", evidence="mentora/slides.pdf")
    assert submit(people["applicant"], info.id).state == State.SKILLS_CHECK


def test_a_double_submit_makes_one_transition(people, submit):
    info = api.start_application(people["applicant"], motivation="Yes.")
    submit(people["applicant"], info.id)
    error = error_of(api.submit_application, people["applicant"], info.id)
    assert error.code == "invalid_transition"
    assert ApplicationTransition.objects.filter(application_id=info.id, to_state="submitted").count() == 1


def test_the_screening_task_delivered_twice_changes_nothing_the_second_time(people, submit):
    from mentora_plugin.trainers import tasks

    info = api.start_application(people["applicant"], motivation="Yes.")
    submit(people["applicant"], info.id)
    assert tasks.screen_application.delay(str(info.id)).get() == "invalid_transition"
    assert tasks.screen_application.delay("999999").get() == "application_not_found"
    assert ApplicationTransition.objects.filter(application_id=info.id).count() == 4


def test_withdraw_any_open_state_but_not_after(people, in_skills_check):
    withdrawn = api.withdraw_application(people["applicant"], in_skills_check.id, "Changed my mind.")
    assert withdrawn.state == "withdrawn"
    assert error_of(api.withdraw_application, people["applicant"], in_skills_check.id).code == "invalid_transition"
    assert error_of(api.withdraw_application, people["staff"], in_skills_check.id).code == "permission_denied"
    assert api.start_application(people["applicant"]).state == "draft"  # a withdrawal has no cooldown


def test_withdrawing_during_onboarding_gives_the_course_scope_back(people, submit):
    applicant = people["applicant"]
    info = api.start_application(applicant, "course", course_key=str(COURSE), motivation="Yes.")
    submit(applicant, info.id)
    api.assign_reviewer(people["staff"], info.id, people["reviewer"])
    api.score_application(people["reviewer"], info.id, FULL_SCORES)
    api.move_to_decision(people["reviewer"], info.id)
    api.vote(people["reviewer"], info.id, "approve")
    assert CourseRole.TRAINER in host_api.get_course_roles(applicant, COURSE)
    api.withdraw_application(applicant, info.id)
    assert CourseRole.TRAINER not in host_api.get_course_roles(applicant, COURSE)
    assert not TrainerScope.objects.filter(profile__user=applicant, is_active=True).exists()
    assert TrainerProfile.objects.get(user=applicant).status == TrainerProfile.Status.APPLICANT


# --- reviewers, scores, decision ------------------------------------------------------------------------------------


def test_who_may_be_assigned_and_by_whom(people, in_skills_check):
    pk = in_skills_check.id
    assert error_of(api.assign_reviewer, people["stranger"], pk, people["stranger"]).code == "application_not_found"
    error = error_of(api.assign_reviewer, people["reviewer"], pk, people["second"])
    assert (error.code, error.status) == ("permission_denied", 403)  # reviewers assign themselves only
    assert error_of(api.assign_reviewer, people["staff"], pk, people["stranger"]).code == "not_a_reviewer"
    error = error_of(api.assign_reviewer, people["staff"], pk, people["applicant"])
    assert (error.code, error.status) == ("reviewer_is_applicant", 409)
    assert api.assign_reviewer(people["staff"], pk, people["second"]).reviewer_id == people["second"].pk
    api.assign_reviewer(people["staff"], pk, people["second"])  # again: one row
    assert api.assign_reviewer(people["reviewer"], pk, people["reviewer"]).username == "reviewer"
    assert ApplicationReviewer.objects.filter(application_id=pk).count() == 2
    draft = api.start_application(people["stranger"])
    error = error_of(api.assign_reviewer, people["staff"], draft.id, people["reviewer"])
    assert (error.code, error.status) == ("not_reviewable", 409)


def test_unassigning_takes_the_scores_and_not_a_vote(people, in_decision):
    pk = in_decision.id
    api.assign_reviewer(people["staff"], pk, people["second"])
    api.score_application(people["second"], pk, {"teaching": 1})
    api.unassign_reviewer(people["second"], pk, people["second"])
    assert not ApplicationScore.objects.filter(application_id=pk, reviewer=people["second"]).exists()
    assert error_of(api.unassign_reviewer, people["second"], pk, people["reviewer"]).code == "permission_denied"
    assert error_of(api.unassign_reviewer, people["staff"], pk, people["second"]).code == "reviewer_not_found"


def test_a_reviewer_who_voted_stays(people, in_decision, settings):
    settings.MENTORA_TRAINER_REJECTIONS_REQUIRED = 2
    api.vote(people["reviewer"], in_decision.id, "reject", "Too early.")
    error = error_of(api.unassign_reviewer, people["staff"], in_decision.id, people["reviewer"])
    assert (error.code, error.status) == ("reviewer_voted", 409)


@pytest.mark.parametrize(("scores", "comments", "code"), [
    ({"charisma": 3}, None, "unknown_criterion"),
    ({"expertise": 5}, None, "score_out_of_range"),
    ({"expertise": -1}, None, "score_out_of_range"),
    ({"expertise": "3"}, None, "score_out_of_range"),
    ({"expertise": True}, None, "score_out_of_range"),
    ({}, None, "invalid_input"),
    ({"expertise": 3}, {"teaching": "no score"}, "invalid_input"),
])
def test_scores_follow_the_rubric(people, in_skills_check, scores, comments, code):
    api.assign_reviewer(people["staff"], in_skills_check.id, people["reviewer"])
    error = error_of(api.score_application, people["reviewer"], in_skills_check.id, scores, comments)
    assert (error.code, error.status) == (code, 400)
    assert not ApplicationScore.objects.exists()


def test_only_assigned_reviewers_score_and_a_new_score_replaces(people, in_skills_check, settings):
    pk = in_skills_check.id
    assert error_of(api.score_application, people["reviewer"], pk, {"expertise": 1}).code == "permission_denied"
    assert error_of(api.score_application, people["staff"], pk, {"expertise": 1}).code == "permission_denied"
    api.assign_reviewer(people["staff"], pk, people["reviewer"])
    api.score_application(people["reviewer"], pk, {"expertise": 1})
    scores = api.score_application(people["reviewer"], pk, {"expertise": 4, "teaching": 2}, {"expertise": "Solid"})
    assert [(score.criterion, score.score, score.comment) for score in scores] == [
        ("expertise", 4, "Solid"), ("teaching", 2, "")]
    assert ApplicationScore.objects.filter(application_id=pk).count() == 2
    settings.MENTORA_TRAINER_APPLICATION_RUBRIC = [{"key": "depth", "label": "Depth", "max": 10}]
    assert api.score_application(people["reviewer"], pk, {"depth": 10})[0].max == 10


def test_moving_to_decision_needs_every_criterion_and_the_micro_task(people, in_skills_check, settings):
    pk = in_skills_check.id
    api.assign_reviewer(people["staff"], pk, people["reviewer"])
    api.assign_reviewer(people["staff"], pk, people["second"])
    api.score_application(people["reviewer"], pk, {"expertise": 3})
    error = error_of(api.move_to_decision, people["reviewer"], pk)
    assert (error.code, error.status) == ("scores_missing", 409)
    assert "Ability to explain and guide" in str(error)
    api.score_application(people["second"], pk, {"teaching": 3, "communication": 3})  # another reviewer's count
    settings.MENTORA_TRAINER_MICRO_TASK = "Explain a loop."
    assert error_of(api.move_to_decision, people["reviewer"], pk).code == "micro_task_unanswered"
    api.update_application(people["applicant"], pk, micro_task_answer="A loop repeats.")
    assert error_of(api.move_to_decision, people["stranger"], pk).code == "application_not_found"
    assert api.move_to_decision(people["reviewer"], pk).state == "decision"


def test_interview_time_and_notes(people, in_skills_check):
    pk = in_skills_check.id
    api.assign_reviewer(people["staff"], pk, people["reviewer"])
    when = timezone.now() + timedelta(days=3)
    assert error_of(api.record_interview, people["reviewer"], pk, when.replace(tzinfo=None)).code == "invalid_time"
    info = api.record_interview(people["reviewer"], pk, when, "Asked about SQL.")
    assert (info.interview_at, info.interview_notes) == (when, "Asked about SQL.")
    mine = api.get_application(pk, people["applicant"])
    assert mine.interview_at == when and mine.interview_notes == ""  # the applicant sees when, not the notes


def test_one_approval_approves_and_a_late_rejection_is_refused(people, in_decision):
    pk = in_decision.id
    api.assign_reviewer(people["staff"], pk, people["second"])
    assert api.vote(people["reviewer"], pk, "approve").state == "onboarding"
    error = error_of(api.vote, people["second"], pk, "reject", "No.")
    assert (error.code, error.status) == ("invalid_transition", 409)
    assert "(onboarding)" in str(error) and "(rejected)" in str(error)


def test_votes_need_a_reason_to_reject_and_a_real_vote(people, in_decision):
    pk = in_decision.id
    assert error_of(api.vote, people["reviewer"], pk, "reject", "  ").code == "reason_required"
    assert error_of(api.vote, people["reviewer"], pk, "maybe", "hm").code == "invalid_vote"
    assert error_of(api.vote, people["second"], pk, "approve").code == "permission_denied"  # not assigned
    assert error_of(api.vote, people["stranger"], pk, "approve").code == "application_not_found"
    assert TrainerApplication.objects.get(pk=pk).state == State.DECISION


def test_a_rejection_sets_the_cooldown(people, in_decision, settings):
    settings.MENTORA_TRAINER_REAPPLY_COOLDOWN_DAYS = 30
    rejected = api.vote(people["reviewer"], in_decision.id, "reject", "More portfolio, please.")
    assert rejected.state == "rejected" and rejected.decision_reason == "More portfolio, please."
    assert rejected.reapply_after - rejected.decided_at == timedelta(days=30)
    error = error_of(api.start_application, people["applicant"])
    assert (error.code, error.status) == ("reapply_cooldown", 409)
    assert str(rejected.reapply_after.year) in str(error)
    TrainerApplication.objects.filter(pk=in_decision.id).update(reapply_after=timezone.now() - timedelta(seconds=1))
    assert api.start_application(people["applicant"]).state == "draft"


def test_two_reviewers_must_reject_when_the_setting_says_so(people, in_decision, settings):
    settings.MENTORA_TRAINER_REJECTIONS_REQUIRED = 2
    pk = in_decision.id
    api.assign_reviewer(people["staff"], pk, people["second"])
    assert api.vote(people["reviewer"], pk, "reject", "Too early.").state == "decision"
    assert api.vote(people["reviewer"], pk, "reject", "Still too early.").state == "decision"  # same reviewer
    decided = api.vote(people["second"], pk, "reject", "Agreed.")
    assert decided.state == "rejected"
    assert decided.decision_reason == "Still too early.\n\nAgreed."
    record = ApplicationTransition.objects.get(application_id=pk, to_state="rejected")
    assert record.actor_id == people["second"].pk
    assert record.details["rejected_by"] == [people["reviewer"].pk, people["second"].pk]


def test_staff_vote_without_being_assigned(people, in_decision):
    info = api.vote(people["staff"], in_decision.id, "approve", "Fine.")
    assert info.state == "onboarding"
    assert ApplicationReviewer.objects.get(application_id=in_decision.id, reviewer=people["staff"]).vote == "approve"


# --- scopes and onboarding ------------------------------------------------------------------------------------------


def _approve(people, submit, **scope):
    info = api.start_application(people["applicant"], motivation="Yes.", **scope)
    submit(people["applicant"], info.id)
    api.assign_reviewer(people["staff"], info.id, people["reviewer"])
    api.score_application(people["reviewer"], info.id, FULL_SCORES)
    api.move_to_decision(people["reviewer"], info.id)
    return api.vote(people["reviewer"], info.id, "approve", "Yes.")


def test_a_course_scope_grants_the_host_trainer_role(people, submit):
    assert CourseRole.TRAINER not in host_api.get_course_roles(people["applicant"], COURSE)
    info = _approve(people, submit, scope_kind="course", course_key=str(COURSE))
    assert info.scope_label == "Course Mentoring 101"
    assert CourseRole.TRAINER in host_api.get_course_roles(people["applicant"], COURSE)
    grant = host_api.get_trainer_grants(COURSE)[0]
    assert (grant.username, grant.granted_by_username) == ("applicant", "reviewer")
    scope = TrainerScope.objects.get(profile__user=people["applicant"])
    assert (scope.kind, scope.course_key, scope.org) == ("course", COURSE, "TestOrg")


def test_an_org_scope_and_then_a_further_scope_for_an_active_trainer(people, submit, settings):
    settings.MENTORA_TRAINER_ONBOARDING_STEPS = []
    info = _approve(people, submit, scope_kind="org", org="TestOrg")
    assert info.state == "active"  # no steps: active at approval
    profile = TrainerProfile.objects.get(user=people["applicant"])
    assert (profile.status, profile.level) == ("active", "beginner")
    assert TrainerScope.objects.get(profile=profile).org == "TestOrg"
    error = error_of(api.start_application, people["applicant"], "org", org="TestOrg")
    assert (error.code, error.status) == ("scope_held", 409)
    again = _approve(people, submit, scope_kind="course", course_key=str(COURSE))
    assert again.state == "active"
    profile.refresh_from_db()
    assert profile.level == "beginner"
    assert LevelChange.objects.filter(profile=profile, kind="initial").count() == 1  # the level is kept
    assert TrainerScope.objects.filter(profile=profile, is_active=True).count() == 2


def test_onboarding_steps_are_checked(people, submit):
    assert error_of(api.complete_onboarding_step, people["applicant"], "guide").code == "not_onboarding"
    _approve(people, submit)
    assert error_of(api.complete_onboarding_step, people["applicant"], "dance").code == "unknown_step"
    assert api.onboarding_status(people["stranger"]).application_id is None
    assert OnboardingStep.objects.count() == 0


# --- reads and permissions ------------------------------------------------------------------------------------------


def test_who_sees_an_application(people, in_skills_check, make_user):
    pk = in_skills_check.id
    assert api.get_application(pk, people["applicant"]).reviewers == ()
    for viewer in ("staff", "reviewer"):  # reviewers see it once it passed screening
        info = api.get_application(pk, people[viewer])
        assert info.applicant.headline == "Data mentor"
        assert info.applicant.evidence[0].url == "https://example.com/0"
    assert error_of(api.get_application, pk, people["stranger"]).code == "application_not_found"
    assert error_of(api.application_history, pk, people["stranger"]).code == "application_not_found"
    draft = api.start_application(people["stranger"])
    assert error_of(api.get_application, draft.id, people["reviewer"]).status == 404
    assert api.get_application(draft.id, people["staff"]).state == "draft"


def test_the_applicant_sees_what_happened_not_which_reviewer(people, in_decision):
    api.vote(people["reviewer"], in_decision.id, "reject", "Not now.")
    mine = api.application_history(in_decision.id, people["applicant"])
    assert mine[-1].to_state == "rejected" and mine[-1].reason == "Not now."
    assert mine[-1].actor_id is None and mine[-1].actor_name == "" and mine[-1].details == {}
    assert mine[0].actor_name == "Ana Plicant"
    assert [item.by for item in mine] == ["applicant", "applicant", "system", "system", "reviewer", "reviewer"]
    staff_view = api.application_history(in_decision.id, people["staff"])
    assert staff_view[-1].actor_name == "Rev Iewer" and staff_view[-1].details["vote"] == "reject"


def test_the_queue(people, in_skills_check, make_user, submit):
    other = make_user("other")
    complete_profile(other)
    second = api.start_application(other, motivation="Me too.")
    submit(other, second.id)
    api.start_application(make_user("drafter"))
    api.assign_reviewer(people["staff"], second.id, people["reviewer"])
    staff_queue = api.list_applications(people["staff"])
    assert len(staff_queue) == 3 and [item.applicant_username for item in staff_queue][:2] == ["applicant", "other"]
    assert [item.state for item in api.list_applications(people["reviewer"])] == ["skills_check", "skills_check"]
    mine = api.list_applications(people["reviewer"], assigned_to_me=True)
    assert [item.id for item in mine] == [second.id] and mine[0].reviewers[0].username == "reviewer"
    assert api.list_applications(people["staff"], state="draft")[0].applicant_username == "drafter"
    assert mine[0].waiting.total_seconds() >= 0
    assert error_of(api.list_applications, people["stranger"]).status == 403
    assert error_of(api.list_applications, people["staff"], state="nope").code == "invalid_state"
    # An applicant who reviews does not see their own application.
    make_expert(people["applicant"])
    assert [item.applicant_username for item in api.list_applications(people["applicant"])] == ["other"]


def test_the_queue_costs_the_same_whatever_its_length(people, make_user, submit):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            list(api.list_applications(people["staff"])[0:50])
        return len(captured.captured_queries)

    def add(count: int) -> None:
        for _ in range(count):
            user = make_user()
            info = api.start_application(user, "course", course_key=str(COURSE))
            ApplicationReviewer.objects.create(application_id=info.id, reviewer=people["reviewer"],
                                               assigned_at=timezone.now())

    add(2)
    few = queries()
    add(8)
    assert queries() == few


def test_rubric_and_micro_task_come_from_settings(settings):
    assert [(c.key, c.max) for c in api.rubric()] == [("expertise", 4), ("teaching", 4), ("communication", 4)]
    settings.MENTORA_TRAINER_MICRO_TASK = "  Explain a loop.  "
    assert api.micro_task() == "Explain a loop."


# --- REST -----------------------------------------------------------------------------------------------------------


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_rest_the_applicant_side(people, django_capture_on_commit_callbacks):
    client = client_for(people["applicant"])
    assert APIClient().get(V1 + "applications/current/").status_code == 401
    assert client.get(V1 + "applications/current/").status_code == 404
    response = client.post(V1 + "applications/", {"scope_kind": "course", "course_id": "nope"}, format="json")
    assert (response.status_code, response.json()["error_code"]) == (400, "invalid_course_key")
    response = client.post(V1 + "applications/", {"motivation": "Hello"}, format="json")
    assert response.status_code == 201
    pk = response.json()["id"]
    assert client.post(V1 + "applications/", {}, format="json").json()["error_code"] == "application_open"
    response = client.patch(f"{V1}applications/{pk}/", {"scope_kind": "org", "org": "TestOrg"}, format="json")
    assert (response.status_code, response.json()["scope_label"]) == (200, "Organisation TestOrg")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{V1}applications/{pk}/submit/")
    assert response.status_code == 200
    assert client.get(V1 + "applications/current/").json()["state"] == "skills_check"
    response = client.post(f"{V1}applications/{pk}/submit/")
    assert (response.status_code, response.json()["error_code"]) == (409, "invalid_transition")
    history = client.get(f"{V1}applications/{pk}/history/").json()
    assert [row["to_state"] for row in history["results"]] == ["draft", "submitted", "screening", "skills_check"]
    assert client.get(V1 + "applications/").status_code == 403  # the queue is for reviewers
    response = client.post(f"{V1}applications/{pk}/withdraw/", {"reason": "Later."}, format="json")
    assert response.json()["state"] == "withdrawn"
    assert client.get(V1 + "onboarding/").json()["steps"][0]["key"] == "guide"
    response = client.post(V1 + "onboarding/guide/")
    assert (response.status_code, response.json()["error_code"]) == (409, "not_onboarding")


def test_rest_the_reviewer_side(people, in_skills_check):
    pk = in_skills_check.id
    reviewer, staff = client_for(people["reviewer"]), client_for(people["staff"])
    assert client_for(people["stranger"]).get(f"{V1}applications/{pk}/").status_code == 404
    queue = reviewer.get(V1 + "applications/?state=skills_check").json()
    assert queue["count"] == 1 and queue["results"][0]["id"] == pk
    assert reviewer.get(V1 + "applications/rubric/").json()[0]["key"] == "expertise"
    response = reviewer.post(f"{V1}applications/{pk}/reviewers/", {}, format="json")
    assert (response.status_code, response.json()["username"]) == (201, "reviewer")
    response = reviewer.post(f"{V1}applications/{pk}/reviewers/", {"user_id": people["second"].pk}, format="json")
    assert response.status_code == 403
    response = staff.post(f"{V1}applications/{pk}/reviewers/", {"user_id": people["second"].pk}, format="json")
    assert response.status_code == 201
    response = staff.delete(f"{V1}applications/{pk}/reviewers/?user_id={people['second'].pk}")
    assert response.status_code == 204
    response = reviewer.post(f"{V1}applications/{pk}/scores/", {"scores": {"expertise": 9}}, format="json")
    assert (response.status_code, response.json()["error_code"]) == (400, "score_out_of_range")
    response = reviewer.post(f"{V1}applications/{pk}/decision/")
    assert (response.status_code, response.json()["error_code"]) == (409, "scores_missing")
    response = reviewer.post(f"{V1}applications/{pk}/scores/", {"scores": FULL_SCORES,
                                                                 "comments": {"teaching": "Clear"}}, format="json")
    assert response.status_code == 200 and len(response.json()) == 3
    response = reviewer.post(f"{V1}applications/{pk}/interview/", {"at": "2030-01-02T10:00:00Z", "notes": "Ok"},
                             format="json")
    assert response.json()["interview_notes"] == "Ok"
    response = reviewer.post(f"{V1}applications/{pk}/votes/", {"vote": "approve"}, format="json")
    assert (response.status_code, response.json()["error_code"]) == (409, "invalid_transition")
    assert reviewer.post(f"{V1}applications/{pk}/decision/").json()["state"] == "decision"
    response = reviewer.post(f"{V1}applications/{pk}/votes/", {"vote": "reject"}, format="json")
    assert (response.status_code, response.json()["error_code"]) == (400, "reason_required")
    response = reviewer.post(f"{V1}applications/{pk}/votes/", {"vote": "approve", "reason": "Yes"}, format="json")
    assert (response.status_code, response.json()["state"]) == (200, "onboarding")
    detail = staff.get(f"{V1}applications/{pk}/").json()
    assert detail["scores"][0]["reviewer_username"] == "reviewer" and detail["applicant"]["skills"]
    applicant = client_for(people["applicant"])
    mine = applicant.get(f"{V1}applications/{pk}/").json()
    assert mine["scores"] == [] and mine["reviewers"] == [] and mine["applicant"] is None
    for step in ("guide", "availability", "conduct"):
        response = applicant.post(f"{V1}onboarding/{step}/")
    assert response.json()["complete"] is True
    assert applicant.get(f"{V1}applications/{pk}/").json()["state"] == "active"


def test_rest_the_queue_has_a_fixed_query_count(people, make_user):
    staff = client_for(people["staff"])

    def queries(size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff.get(f"{V1}applications/?page_size={size}").status_code == 200
        return len(captured.captured_queries)

    for _ in range(6):
        api.start_application(make_user(), "course", course_key=str(COURSE))
    assert queries(2) == queries(6)


# --- pages ----------------------------------------------------------------------------------------------------------


def test_pages_need_a_signed_in_user_and_the_queue_a_reviewer(client, people):
    for url in ("/mentora/trainers/apply/", "/mentora/trainers/onboarding/", "/mentora/trainers/applications/"):
        response = client.get(url)
        assert response.status_code == 302 and f"next={url}" in response["Location"]
    assert client.get("/mentora/trainers/guide/").status_code == 200
    assert 'id="conduct"' in client.get("/mentora/trainers/guide/").content.decode()
    client.force_login(people["stranger"])
    assert client.get("/mentora/trainers/applications/").status_code == 403


def test_apply_page_start_fail_fix_submit(client, people, make_user, django_capture_on_commit_callbacks):
    newcomer = make_user("newcomer")
    client.force_login(newcomer)
    page = client.get("/mentora/trainers/apply/")
    assert page.status_code == 200 and "Start your application" in page.content.decode()
    response = client.post("/mentora/trainers/apply/", {"action": "start", "start-scope_kind": "org",
                                                         "start-org": "", "start-motivation": ""})
    assert response.status_code == 400 and "Say which organisation" in response.content.decode()
    response = client.post("/mentora/trainers/apply/", {"action": "start", "start-scope_kind": "platform",
                                                         "start-motivation": ""})
    assert response.status_code == 302
    pk = TrainerApplication.objects.get(profile__user=newcomer).pk
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/mentora/trainers/apply/", {"action": "submit", "application_id": pk})
    page = client.get("/mentora/trainers/apply/").content.decode()
    assert 'data-problem="headline_missing"' in page and applications.PROFILE_EDIT_PATH in page
    complete_profile(newcomer)
    client.post("/mentora/trainers/apply/", {"action": "update", "application_id": pk, "draft-scope_kind": "platform",
                                             "draft-motivation": "I can help."})
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/mentora/trainers/apply/", {"action": "submit", "application_id": pk})
    page = client.get("/mentora/trainers/apply/").content.decode()
    assert "Reviewers are looking at your application" in page and "History" in page
    response = client.post("/mentora/trainers/apply/", {"action": "submit", "application_id": pk})
    assert response.status_code == 409 and "cannot go from" in response.content.decode()
    client.force_login(people["stranger"])  # someone else's application
    response = client.post("/mentora/trainers/apply/", {"action": "withdraw", "application_id": pk})
    assert response.status_code == 404
    assert TrainerApplication.objects.get(pk=pk).state == State.SKILLS_CHECK


def test_review_pages_from_queue_to_approval(client, people, in_skills_check):
    pk = in_skills_check.id
    url = f"/mentora/trainers/applications/{pk}/"
    client.force_login(people["stranger"])
    assert client.get(url).status_code == 404
    client.force_login(people["reviewer"])
    queue = client.get("/mentora/trainers/applications/?state=skills_check").content.decode()
    assert f'data-application-id="{pk}"' in queue
    page = client.get(url).content.decode()
    assert "Data mentor" in page and "Review this application" in page
    assert client.post(url, {"action": "assign_me"}).status_code == 302
    response = client.post(url, {"action": "score", "score-score_expertise": "3"})
    assert response.status_code == 302
    response = client.post(url, {"action": "decision"})
    assert response.status_code == 409 and "Score every criterion" in response.content.decode()
    client.post(url, {"action": "score", "score-score_teaching": "3", "score-score_communication": "4",
                      "score-comment_teaching": "Good"})
    response = client.post(url, {"action": "interview", "interview-at": "2030-05-01T10:00", "interview-notes": "x"})
    assert response.status_code == 302
    assert client.post(url, {"action": "decision"}).status_code == 302
    response = client.post(url, {"action": "vote", "vote-vote": "reject", "vote-reason": ""})
    assert response.status_code == 400 and "is required" in response.content.decode()
    assert client.post(url, {"action": "vote", "vote-vote": "approve", "vote-reason": "Welcome"}).status_code == 302
    assert TrainerApplication.objects.get(pk=pk).state == State.ONBOARDING
    client.force_login(people["applicant"])
    assert client.get(url)["Location"] == "/mentora/trainers/apply/"
    page = client.get("/mentora/trainers/onboarding/").content.decode()
    assert "0 of 3 steps done" in page
    for step in ("guide", "availability", "conduct"):
        assert client.post("/mentora/trainers/onboarding/", {"step": step}).status_code == 302
    assert TrainerApplication.objects.get(pk=pk).state == State.ACTIVE
    assert "active trainer" in client.get("/mentora/trainers/onboarding/").content.decode()


# --- admin ----------------------------------------------------------------------------------------------------------

ADMIN = "/admin/mentora_trainers/trainerapplication/"


def test_admin_lists_and_shows_read_only(client, people, in_decision):
    client.force_login(people["staff"])
    listing = client.get(ADMIN + "?state__exact=decision&q=applicant")
    assert listing.status_code == 200 and "applicant" in listing.content.decode()
    page = client.get(f"{ADMIN}{in_decision.id}/change/")
    assert page.status_code == 200 and "skills_check" in page.content.decode()  # the transitions inline
    assert 'name="motivation"' not in page.content.decode()
    assert client.get(ADMIN + "add/").status_code == 403


def test_admin_actions_go_through_the_api(client, people, in_skills_check):
    client.force_login(people["staff"])
    pk = in_skills_check.id
    response = client.post(ADMIN, {"action": "move_to_decision", "_selected_action": [pk]}, follow=True)
    assert "scores_missing" not in response.content.decode() and "Score every criterion" in response.content.decode()
    client.post(ADMIN, {"action": "assign_me", "_selected_action": [pk]})
    assert ApplicationReviewer.objects.filter(application_id=pk, reviewer=people["staff"]).exists()
    api.score_application(people["staff"], pk, FULL_SCORES)
    client.post(ADMIN, {"action": "move_to_decision", "_selected_action": [pk]})
    assert TrainerApplication.objects.get(pk=pk).state == State.DECISION
    page = client.post(ADMIN, {"action": "reject", "_selected_action": [pk]})
    assert page.status_code == 200 and 'name="reason"' in page.content.decode()
    refused = client.post(ADMIN, {"action": "reject", "_selected_action": [pk], "apply": "1", "reason": ""})
    assert refused.status_code == 400
    assert TrainerApplication.objects.get(pk=pk).state == State.DECISION
    client.post(ADMIN, {"action": "approve", "_selected_action": [pk], "apply": "1", "reason": "Good."})
    application = TrainerApplication.objects.get(pk=pk)
    assert (application.state, application.decision_reason) == (State.ONBOARDING, "Good.")
    response = client.post(ADMIN, {"action": "reject", "_selected_action": [pk], "apply": "1", "reason": "Late"},
                           follow=True)
    assert "cannot go from" in response.content.decode()
    assert TrainerApplication.objects.get(pk=pk).state == State.ONBOARDING


def test_pages_render_in_french(client, people, in_decision):
    client.force_login(people["staff"])
    for url in ("/mentora/trainers/apply/", "/mentora/trainers/onboarding/", "/mentora/trainers/guide/",
                "/mentora/trainers/applications/", f"/mentora/trainers/applications/{in_decision.id}/"):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 200 and '<html lang="fr">' in response.content.decode(), url
