"""
Becoming a trainer: the application pipeline, a state machine where every change of state is audited.

::

    draft → submitted → screening → skills_check → decision → onboarding → active
      ↑                     │                          │
      └──── (problems) ─────┘                          └──→ rejected       (and → withdrawn from any open state)

The allowed changes are declared once, in ``TRANSITIONS`` (from-state → {to-state: who may make it}), and every
change goes through ``_transition``, which checks that table, writes the ``ApplicationTransition`` (who, when, why,
details) and refuses anything else (``invalid_transition``, 409).

Concurrency: every public function that changes something runs in ``transaction.atomic()``, locks the applicant's
``TrainerProfile`` row first (``common.lock_profile``), then re-reads the application and checks its state there.
Two reviewers deciding at once are serialised by that lock: the second one finds the application already decided
and is refused; a double submit makes one transition.

Who may do what:

- the applicant starts, edits, submits, withdraws their application and works through onboarding;
- the system (a Celery task, ``actor=None``) screens a submitted application with automatic basic checks;
- reviewers (``mentora_trainers.review_application``, a capability a trainer's level unlocks) see the applications
  that passed screening, assign themselves, score them on ``MENTORA_TRAINER_APPLICATION_RUBRIC``, record an
  interview, move them to the decision and vote;
- staff (``mentora_trainers.manage_application``) see every application, assign reviewers, and may act as a
  reviewer on any of them (a staff member who votes without being assigned is assigned by the vote).

Nobody reviews their own application: an applicant acting on their own application acts as the applicant only.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from opaque_keys.edx.django.models import CourseKeyField

from mentora_plugin.db import insert_ignoring_conflicts
from mentora_plugin.host import api as host_api
from mentora_plugin.host.data import CourseRole
from mentora_plugin.trainers import capabilities, levels, notifications
from mentora_plugin.trainers.common import TrainersError, forbidden, lock_profile, not_found
from mentora_plugin.trainers.models import (
    ApplicationReviewer,
    ApplicationScore,
    ApplicationTransition,
    OnboardingStep,
    PortfolioItem,
    TrainerApplication,
    TrainerProfile,
    TrainerScope,
    TrainerSkill,
)

__all__ = [
    "ApplicantSummary",
    "ApplicationInfo",
    "EvidenceInfo",
    "OnboardingStatus",
    "OnboardingStepInfo",
    "ReviewerInfo",
    "RubricCriterion",
    "ScoreInfo",
    "ScreeningProblem",
    "TransitionInfo",
    "application_history",
    "assign_reviewer",
    "complete_onboarding_step",
    "current_application",
    "get_application",
    "list_applications",
    "micro_task",
    "move_to_decision",
    "onboarding_status",
    "record_interview",
    "rubric",
    "score_application",
    "screen_application",
    "start_application",
    "submit_application",
    "unassign_reviewer",
    "update_application",
    "vote",
    "withdraw_application",
]

log = logging.getLogger(__name__)
User = get_user_model()

State = TrainerApplication.State
Kind = TrainerScope.Kind

#: Who may make a change of state.
APPLICANT = "applicant"
SYSTEM = "system"
REVIEWER = "reviewer"
STAFF = "staff"

#: The "state" of an application that does not exist yet: its creation is the transition from it to draft.
NEW = ""

#: The state machine: from-state → {to-state: the roles that may make that change}. Nothing else is allowed.
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    NEW: {State.DRAFT: frozenset({APPLICANT})},
    State.DRAFT: {State.SUBMITTED: frozenset({APPLICANT}), State.WITHDRAWN: frozenset({APPLICANT})},
    State.SUBMITTED: {State.SCREENING: frozenset({SYSTEM}), State.WITHDRAWN: frozenset({APPLICANT})},
    State.SCREENING: {
        State.SKILLS_CHECK: frozenset({SYSTEM}),
        State.DRAFT: frozenset({SYSTEM}),
        State.WITHDRAWN: frozenset({APPLICANT}),
    },
    State.SKILLS_CHECK: {State.DECISION: frozenset({REVIEWER, STAFF}), State.WITHDRAWN: frozenset({APPLICANT})},
    State.DECISION: {
        State.ONBOARDING: frozenset({REVIEWER, STAFF}),
        State.REJECTED: frozenset({REVIEWER, STAFF}),
        State.WITHDRAWN: frozenset({APPLICANT}),
    },
    State.ONBOARDING: {State.ACTIVE: frozenset({APPLICANT, SYSTEM}), State.WITHDRAWN: frozenset({APPLICANT})},
    State.ACTIVE: {},
    State.REJECTED: {},
    State.WITHDRAWN: {},
}

#: States an application ends in; any other state is "open" (a user has at most one open application).
FINAL_STATES = frozenset({State.ACTIVE, State.REJECTED, State.WITHDRAWN})
#: States in which reviewers see, score and vote on an application (it passed screening, not decided yet).
REVIEWABLE_STATES = frozenset({State.SKILLS_CHECK, State.DECISION})

#: Where an applicant completes their trainer profile (the profiles' page).
PROFILE_EDIT_PATH = "/mentora/trainers/me/profile/"

REVIEW_PERMISSION = "mentora_trainers.review_application"
MANAGE_PERMISSION = "mentora_trainers.manage_application"

#: The longest motivation, micro-task answer, interview notes, reason or comment accepted.
MAX_TEXT = 10_000
EDITABLE_FIELDS = frozenset({"motivation", "scope_kind", "org", "course_key", "micro_task_answer"})

#: The automatic basic checks of screening: code → (what to fix: "profile" or "application", message for people).
SCREENING_CHECKS = {
    "headline_missing": ("profile", gettext_lazy("Add a headline to your trainer profile.")),
    "bio_missing": ("profile", gettext_lazy("Write a short biography on your trainer profile.")),
    "skills_missing": ("profile", gettext_lazy("Add at least one skill to your trainer profile.")),
    "languages_missing": ("profile", gettext_lazy("Say which languages you speak on your trainer profile.")),
    "evidence_missing": (
        "profile",
        gettext_lazy(
            "Your portfolio needs at least {required} item(s) with a link or a file as evidence; it has {found}."
        ),
    ),
    "motivation_missing": ("application", gettext_lazy("Say why you want to become a trainer (your motivation).")),
    "course_unknown": (
        "application",
        gettext_lazy("The course you applied for is not offered here any more: choose another scope."),
    ),
}

#: The audit trail's own reasons, stored untranslated and translated when shown (a person's reason is shown as written).
_REASONS = {
    "started": gettext_noop("Application started"),
    "submitted": gettext_noop("Submitted by the applicant"),
    "screening": gettext_noop("Automatic screening started"),
    "screening_failed": gettext_noop("Screening found problems"),
    "screening_passed": gettext_noop("Screening passed"),
    "withdrawn": gettext_noop("Withdrawn by the applicant"),
    "skills_checked": gettext_noop("Skills check complete"),
    "approved": gettext_noop("Approved"),
    "nothing_to_onboard": gettext_noop("Nothing left to onboard"),
    "onboarded": gettext_noop("Onboarding complete"),
}
_FIXED_REASONS = frozenset(_REASONS.values())

#: The default onboarding steps' titles (``MENTORA_TRAINER_ONBOARDING_STEPS``), so that they are translated.
_DEFAULT_STEP_TITLES = (
    gettext_noop("Read the trainer guide"),
    gettext_noop("Publish your availability"),
    gettext_noop("Accept the code of conduct"),
)
#: The default rubric's labels (``MENTORA_TRAINER_APPLICATION_RUBRIC``), for the same reason.
_DEFAULT_RUBRIC_LABELS = (
    gettext_noop("Expertise in the skills claimed"),
    gettext_noop("Ability to explain and guide"),
    gettext_noop("Clarity and tone"),
)


# --- data -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RubricCriterion:
    """One criterion reviewers score, from 0 to ``max``."""

    key: str
    label: str
    max: int


@dataclass(frozen=True)
class ScreeningProblem:
    """Why screening sent an application back: ``fix`` says where (``profile`` or ``application``)."""

    code: str
    message: str
    fix: str


@dataclass(frozen=True)
class ReviewerInfo:
    """A reviewer of an application and their vote (``""`` until they cast it)."""

    reviewer_id: int
    username: str
    name: str
    assigned_at: datetime
    assigned_by_id: int | None
    vote: str
    vote_reason: str
    voted_at: datetime | None
    reminded_at: datetime | None


@dataclass(frozen=True)
class ScoreInfo:
    """A reviewer's score on one rubric criterion."""

    reviewer_id: int
    reviewer_username: str
    criterion: str
    label: str
    score: int
    max: int
    comment: str
    modified: datetime


@dataclass(frozen=True)
class TransitionInfo:
    """
    One change of state. ``by`` says who made it: ``applicant``, ``system`` or ``reviewer`` (reviewers and staff).
    ``actor_name`` is empty for the system, and for reviewers' and staff's changes when the viewer is the applicant
    (who is told what happened and why, not by whom); ``details`` likewise.
    """

    from_state: str
    to_state: str
    by: str
    actor_id: int | None
    actor_name: str
    reason: str
    details: dict
    at: datetime


@dataclass(frozen=True)
class EvidenceInfo:
    """A portfolio item shown to reviewers."""

    title: str
    description: str
    url: str
    file_url: str


@dataclass(frozen=True)
class ApplicantSummary:
    """The applicant's trainer profile, as reviewers see it during the skills check."""

    headline: str
    bio: str
    experience_years: int
    experience: str
    languages: tuple[str, ...]
    time_zone: str
    skills: tuple[str, ...]
    evidence: tuple[EvidenceInfo, ...]


@dataclass(frozen=True)
class ApplicationInfo:
    """
    An application as its viewer may see it. Reviewers and staff see the reviewers, scores, interview notes and
    the applicant's profile; the applicant sees their application, its problems and the decision's reason.
    """

    id: int
    applicant_id: int
    applicant_username: str
    applicant_name: str
    state: str
    state_label: str
    scope_kind: str
    scope_org: str
    scope_course_key: str
    scope_label: str
    motivation: str
    micro_task_answer: str
    screening_problems: tuple[ScreeningProblem, ...]
    interview_at: datetime | None
    interview_notes: str
    decision_reason: str
    created: datetime
    submitted_at: datetime | None
    decided_at: datetime | None
    reapply_after: datetime | None
    waiting_since: datetime
    reviewers: tuple[ReviewerInfo, ...] = ()
    scores: tuple[ScoreInfo, ...] = ()
    applicant: ApplicantSummary | None = None

    @property
    def is_open(self) -> bool:
        """Not active, rejected or withdrawn."""
        return self.state not in FINAL_STATES

    @property
    def waiting(self) -> timedelta:
        """How long the application has been in its current state."""
        return timezone.now() - self.waiting_since


@dataclass(frozen=True)
class OnboardingStepInfo:
    """A step of the onboarding checklist, with whether the user did it."""

    key: str
    title: str
    url: str
    done: bool
    completed_at: datetime | None


@dataclass(frozen=True)
class OnboardingStatus:
    """
    A user's onboarding checklist. ``application_id`` is the application in onboarding (None when there is none:
    the checklist then shows what they did, but completing a step waits for an approval).
    """

    application_id: int | None
    state: str
    steps: tuple[OnboardingStepInfo, ...]

    @property
    def complete(self) -> bool:
        return all(step.done for step in self.steps)

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)


# --- settings (read at call time) -----------------------------------------------------------------------------------


def rubric() -> list[RubricCriterion]:
    """
    The criteria reviewers score applications on (``MENTORA_TRAINER_APPLICATION_RUBRIC``), labels translated.

    Returns:
        The criteria, in the configured order.
    """
    criteria = getattr(settings, "MENTORA_TRAINER_APPLICATION_RUBRIC", None) or []
    return [
        RubricCriterion(
            key=str(item["key"]), label=_(str(item.get("label") or item["key"])), max=int(item.get("max", 4))
        )
        for item in criteria
    ]


def micro_task() -> str:
    """The test micro-task every applicant answers during the skills check (Markdown), or "" when there is none."""
    return (getattr(settings, "MENTORA_TRAINER_MICRO_TASK", "") or "").strip()


def _onboarding_steps() -> list[dict[str, str]]:
    return [
        {"key": str(step["key"]), "title": str(step.get("title") or step["key"]), "url": str(step.get("url") or "")}
        for step in getattr(settings, "MENTORA_TRAINER_ONBOARDING_STEPS", None) or []
    ]


def _required_evidence() -> int:
    return max(0, int(getattr(settings, "MENTORA_TRAINER_REQUIRED_EVIDENCE", 1) or 0))


def _rejections_required() -> int:
    return max(1, int(getattr(settings, "MENTORA_TRAINER_REJECTIONS_REQUIRED", 1) or 1))


def _cooldown() -> timedelta:
    return timedelta(days=max(0, int(getattr(settings, "MENTORA_TRAINER_REAPPLY_COOLDOWN_DAYS", 90) or 0)))


# --- the state machine ----------------------------------------------------------------------------------------------


def _state_label(state: str) -> str:
    return str(State(state).label) if state in State.values else _("(new)")


def _roles(actor: Any, application: TrainerApplication) -> frozenset[str]:
    """
    The roles ``actor`` acts in on ``application``: the system (``None``); the applicant (and nothing else, so that
    nobody ever decides on their own application); staff (``manage_application``); an assigned reviewer.
    """
    if actor is None:
        return frozenset({SYSTEM})
    if application.profile.user_id == actor.pk:
        return frozenset({APPLICANT})
    roles = set()
    if actor.has_perm(MANAGE_PERMISSION):
        roles.add(STAFF)
    if application.pk and ApplicationReviewer.objects.filter(application=application, reviewer_id=actor.pk).exists():
        roles.add(REVIEWER)
    return frozenset(roles)


def _invalid_transition(from_state: str, to_state: str) -> TrainersError:
    return TrainersError(
        "invalid_transition",
        _("An application cannot go from “{from_label}” ({from_state}) to “{to_label}” ({to_state}).").format(
            from_label=_state_label(from_state), from_state=from_state or "new",
            to_label=_state_label(to_state), to_state=to_state,
        ),
        status=409,
    )


def _transition(
    application: TrainerApplication, to_state: str, actor: Any, reason: str = "", details: dict | None = None
) -> ApplicationTransition:
    """
    Move ``application`` to ``to_state`` and write the audit record: the one way any application changes state.

    The caller holds the applicant's profile lock and has just re-read ``application``. Other fields the caller
    changed on ``application`` are saved with the state.

    Args:
        application: the (locked, fresh) application; unsaved for its creation (from ``NEW``).
        to_state: the state to go to.
        actor: the user making the change, or None for the system.
        reason: why, for the audit trail (shown to the applicant for reviewers' decisions).
        details: JSON-serialisable facts worth keeping with the change (votes, screening problems, ...).

    Returns:
        The ``ApplicationTransition`` written.

    Raises:
        TrainersError: ``invalid_transition`` (409) when ``TRANSITIONS`` has no such change from the current state;
            ``permission_denied`` (403) when the actor may not make it.
    """
    from_state = application.state if application.pk else NEW
    allowed = TRANSITIONS.get(from_state, {})
    if to_state not in allowed:
        raise _invalid_transition(from_state, to_state)
    if not allowed[to_state] & _roles(actor, application):
        raise forbidden(_("You may not move this application to “{state}”.").format(state=_state_label(to_state)))
    application.state = to_state
    application.save()
    return ApplicationTransition.objects.create(
        application=application,
        from_state=from_state,
        to_state=to_state,
        actor_id=getattr(actor, "pk", None),
        reason=reason or "",
        details=details or {},
        at=timezone.now(),
    )


# --- helpers --------------------------------------------------------------------------------------------------------


def _user(value: Any) -> Any:
    """A user object from a user or a user id (404 ``user_not_found`` when there is no such active user)."""
    if isinstance(value, User):
        return value
    user = User.objects.filter(pk=getattr(value, "pk", value), is_active=True).first() if value else None
    if user is None:
        raise not_found("user")
    return user


def _user_paths(relation: str) -> list[str]:
    """``relation`` and, in the LMS, the user's profile beside it (``display_name`` reads the name there)."""
    has_profile = any(field.name == "profile" and field.is_relation for field in User._meta.get_fields())
    return [relation, f"{relation}__profile"] if has_profile else [relation]


def _is_staff(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(MANAGE_PERMISSION))


def _may_review(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(REVIEW_PERMISSION))


def _application_id(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise not_found("application")
    try:
        return int(value)
    except ValueError:
        raise not_found("application") from None


def _lock(application_id: Any) -> tuple[TrainerProfile, TrainerApplication]:
    """
    Lock the profile of the application's applicant, then re-read the application. Inside ``transaction.atomic()``.

    Raises:
        TrainersError: ``application_not_found`` (404).
    """
    pk = _application_id(application_id)
    user_id = TrainerApplication.objects.filter(pk=pk).values_list("profile__user_id", flat=True).first()
    if user_id is None:
        raise not_found("application")
    profile = lock_profile(user_id)
    application = TrainerApplication.objects.select_related("profile__user").get(pk=pk)
    return profile, application


def _is_assigned(application: TrainerApplication, user: Any) -> bool:
    return ApplicationReviewer.objects.filter(application=application, reviewer_id=user.pk).exists()


def _may_see(application: TrainerApplication, viewer: Any) -> str | None:
    """
    How ``viewer`` sees the application: ``"applicant"``, ``"reviewer"`` (staff, an assigned reviewer, or a
    reviewer once it passed screening and until it is decided), or None (they may not see it).
    """
    if viewer is None or not viewer.is_authenticated:
        return None
    if application.profile.user_id == viewer.pk:
        return APPLICANT
    if _is_staff(viewer) or _is_assigned(application, viewer):
        return REVIEWER
    if application.state in REVIEWABLE_STATES and _may_review(viewer):
        return REVIEWER
    return None


def _own(application: TrainerApplication, user: Any) -> None:
    """Refuse anyone but the applicant (404 when they may not even see it, 403 otherwise)."""
    if application.profile.user_id == user.pk:
        return
    if _may_see(application, user):
        raise forbidden(_("Only the applicant can do this."))
    raise not_found("application")


def _as_reviewer(application: TrainerApplication, user: Any, *, staff_too: bool = True) -> None:
    """Refuse anyone but an assigned reviewer (or staff, when ``staff_too``), as ``_own`` does."""
    if application.profile.user_id != user.pk and (
        _is_assigned(application, user) or (staff_too and _is_staff(user))
    ):
        return
    if _may_see(application, user):
        raise forbidden(
            _("Only the application's reviewers and staff can do this.") if staff_too
            else _("Only the application's reviewers can do this.")
        )
    raise not_found("application")


def _text(value: Any, field: str, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise TrainersError("invalid_input", _("“{field}” must be text.").format(field=field))
    value = value.strip()
    if required and not value:
        raise TrainersError("reason_required" if field == "reason" else f"{field}_required",
                            _("“{field}” is required.").format(field=field))
    if len(value) > MAX_TEXT:
        raise TrainersError("too_long", _("“{field}” is longer than {max} characters.").format(field=field,
                                                                                               max=MAX_TEXT))
    return value


def _scope(scope_kind: Any, org: Any, course_key: Any) -> tuple[str, str, Any]:
    """
    A valid scope as (kind, org, course key or None).

    Raises:
        TrainersError: ``invalid_scope``, ``org_required``, ``invalid_course_key`` or ``course_not_found`` (400).
    """
    if scope_kind not in Kind.values:
        raise TrainersError(
            "invalid_scope", _("The scope must be one of: {kinds}.").format(kinds=", ".join(Kind.values))
        )
    if scope_kind == Kind.PLATFORM:
        return scope_kind, "", None
    if scope_kind == Kind.ORG:
        org = (org or "").strip() if isinstance(org, str) else ""
        if not org:
            raise TrainersError("org_required", _("Say which organisation you apply to train for."))
        if len(org) > 255:
            raise TrainersError("too_long", _("The organisation's name is too long."))
        return scope_kind, org, None
    if not course_key:
        raise TrainersError("course_required", _("Say which course you apply to train in."))
    try:
        key = host_api.parse_course_key(course_key)
    except host_api.InvalidCourseKeyError as error:
        raise TrainersError("invalid_course_key", str(error)) from None
    course = host_api.get_course(key)
    if course is None:
        raise TrainersError("course_not_found", _("This course is not known to Mentora."))
    return scope_kind, key.org, key


def _scope_label(kind: str, org: str, course_key: Any, titles: dict[str, str] | None = None) -> str:
    """The scope for people; ``titles`` (course key → title) spares a query per course in lists."""
    if kind == Kind.ORG:
        return _("Organisation {org}").format(org=org)
    if kind == Kind.COURSE and course_key:
        if titles is None:
            course = host_api.get_course(course_key)
            title = course.title if course else str(course_key)
        else:
            title = titles.get(str(course_key), str(course_key))
        return _("Course {title}").format(title=title)
    return str(Kind.PLATFORM.label)


def _problems(application: TrainerApplication) -> tuple[ScreeningProblem, ...]:
    found = []
    for problem in application.screening_problems or []:
        code = problem.get("code", "")
        fix, message = SCREENING_CHECKS.get(code, ("application", None))
        text = str(message).format(**problem.get("params", {})) if message else problem.get("reason", code)
        found.append(ScreeningProblem(code=code, message=text, fix=fix))
    return tuple(found)


def _waiting_since(application: TrainerApplication) -> datetime:
    entered = getattr(application, "entered_state_at", None)
    if entered is None:
        entered = (
            ApplicationTransition.objects.filter(application=application).order_by("-at", "-pk")
            .values_list("at", flat=True).first()
        )
    return entered or application.created


def _reviewer_info(row: ApplicationReviewer) -> ReviewerInfo:
    return ReviewerInfo(
        reviewer_id=row.reviewer_id,
        username=row.reviewer.username,
        name=host_api.display_name(row.reviewer),
        assigned_at=row.assigned_at,
        assigned_by_id=row.assigned_by_id,
        vote=row.vote,
        vote_reason=row.vote_reason,
        voted_at=row.voted_at,
        reminded_at=row.reminded_at,
    )


def _summary(profile: TrainerProfile) -> ApplicantSummary:
    skills = TrainerSkill.objects.filter(profile=profile).select_related("skill").order_by("skill__name")
    evidence = PortfolioItem.objects.filter(profile=profile)
    return ApplicantSummary(
        headline=profile.headline,
        bio=profile.bio,
        experience_years=profile.experience_years,
        experience=profile.experience,
        languages=tuple(str(code) for code in profile.languages or []),
        time_zone=profile.time_zone,
        skills=tuple(
            f"{item.skill.name} ({item.get_declared_level_display()})" for item in skills
        ),
        evidence=tuple(
            EvidenceInfo(
                title=item.title,
                description=item.description,
                url=item.url,
                file_url=item.evidence.url if item.evidence else "",
            )
            for item in evidence
        ),
    )


def _info(
    application: TrainerApplication, seen_as: str | None, *, detail: bool = True, titles: dict[str, str] | None = None
) -> ApplicationInfo:
    """
    ``application`` as ``seen_as`` (``applicant`` or ``reviewer``) sees it; ``detail`` adds scores and the profile
    (reviewers only). Reviewers come from ``application.reviewers`` (prefetched by lists).
    """
    user = application.profile.user
    reviewer_view = seen_as == REVIEWER
    criteria = {criterion.key: criterion for criterion in rubric()}
    reviewers: tuple[ReviewerInfo, ...] = ()
    scores: tuple[ScoreInfo, ...] = ()
    summary = None
    if reviewer_view:
        reviewers = tuple(
            _reviewer_info(row)
            for row in sorted(application.reviewers.all(), key=lambda row: (row.assigned_at, row.pk))
        )
        if detail:
            scores = tuple(
                ScoreInfo(
                    reviewer_id=row.reviewer_id,
                    reviewer_username=row.reviewer.username,
                    criterion=row.criterion,
                    label=criteria[row.criterion].label if row.criterion in criteria else row.criterion,
                    score=row.score,
                    max=criteria[row.criterion].max if row.criterion in criteria else row.score,
                    comment=row.comment,
                    modified=row.modified,
                )
                for row in ApplicationScore.objects.filter(application=application)
                .select_related("reviewer").order_by("reviewer__username", "criterion")
            )
            summary = _summary(application.profile)
    return ApplicationInfo(
        id=application.pk,
        applicant_id=user.pk,
        applicant_username=user.username,
        applicant_name=host_api.display_name(user),
        state=application.state,
        state_label=_state_label(application.state),
        scope_kind=application.scope_kind,
        scope_org=application.scope_org,
        scope_course_key=str(application.scope_course_key or ""),
        scope_label=_scope_label(application.scope_kind, application.scope_org, application.scope_course_key, titles),
        motivation=application.motivation,
        micro_task_answer=application.micro_task_answer,
        screening_problems=_problems(application),
        interview_at=application.interview_at,
        interview_notes=application.interview_notes if reviewer_view else "",
        decision_reason=application.decision_reason,
        created=application.created,
        submitted_at=application.submitted_at,
        decided_at=application.decided_at,
        reapply_after=application.reapply_after,
        waiting_since=_waiting_since(application),
        reviewers=reviewers,
        scores=scores,
        applicant=summary,
    )


def _fresh_info(application_id: int, viewer: Any) -> ApplicationInfo:
    application = TrainerApplication.objects.select_related("profile__user").get(pk=application_id)
    return _info(application, _may_see(application, viewer) or APPLICANT)


def _notify_applicant(application: TrainerApplication, kind: str, transition: ApplicationTransition,
                      **context: Any) -> None:
    notifications.notify(
        kind,
        application.profile.user,
        f"application:{application.pk}:{kind}:{transition.pk}",
        application_id=application.pk,
        **context,
    )


def _format_date(value: datetime) -> str:
    return formats.date_format(timezone.localtime(value), "DATE_FORMAT")


# --- the applicant --------------------------------------------------------------------------------------------------


def start_application(
    user: Any, scope_kind: str = Kind.PLATFORM, org: str = "", course_key: Any = None, motivation: str = ""
) -> ApplicationInfo:
    """
    Start ``user``'s application to become a trainer (a draft they complete, then submit).

    A user has at most one open application. After a rejection they wait ``MENTORA_TRAINER_REAPPLY_COOLDOWN_DAYS``.
    An active trainer may apply again for a further scope (an organisation, a course), not for one they hold.

    Args:
        user: the applicant.
        scope_kind: ``platform``, ``org`` (with ``org``) or ``course`` (with ``course_key``, a course Mentora knows).
        org: the organisation, for an ``org`` scope.
        course_key: the course (a key or its string), for a ``course`` scope.
        motivation: why they apply (Markdown).

    Returns:
        The new draft application.

    Raises:
        TrainersError: ``application_open`` or ``reapply_cooldown`` or ``scope_held`` (409); ``invalid_scope``,
            ``org_required``, ``course_required``, ``invalid_course_key``, ``course_not_found``, ``too_long`` (400).
    """
    kind, scope_org, key = _scope(scope_kind, org, course_key)
    motivation = _text(motivation, "motivation")
    with transaction.atomic():
        profile = lock_profile(user)
        applications = TrainerApplication.objects.filter(profile=profile)
        if applications.exclude(state__in=FINAL_STATES).exists():
            raise TrainersError("application_open", _("You already have an application in progress."), status=409)
        now = timezone.now()
        cooldown = (
            applications.filter(state=State.REJECTED, reapply_after__gt=now)
            .order_by("-reapply_after").values_list("reapply_after", flat=True).first()
        )
        if cooldown is not None:
            raise TrainersError(
                "reapply_cooldown",
                _("You may apply again from {date}.").format(date=_format_date(cooldown)),
                status=409,
            )
        if _holds_scope(profile, kind, scope_org, key):
            raise TrainersError("scope_held", _("You are already a trainer there."), status=409)
        application = TrainerApplication(
            profile=profile, scope_kind=kind, scope_org=scope_org, scope_course_key=key, motivation=motivation,
        )
        _transition(application, State.DRAFT, user, _REASONS["started"])
        application = TrainerApplication.objects.select_related("profile__user").get(pk=application.pk)
        return _info(application, APPLICANT)


def _scope_filter(kind: str, org: str, key: Any) -> dict[str, Any]:
    return {"kind": kind, "org": org, "course_key": key if key else CourseKeyField.Empty}


def _holds_scope(profile: TrainerProfile, kind: str, org: str, key: Any) -> bool:
    if profile.status != TrainerProfile.Status.ACTIVE:
        return False
    scopes = TrainerScope.objects.filter(profile=profile, is_active=True)
    return scopes.filter(kind=Kind.PLATFORM).exists() or scopes.filter(**_scope_filter(kind, org, key)).exists()


def update_application(user: Any, application_id: int, **fields: Any) -> ApplicationInfo:
    """
    Change what the applicant wrote. The motivation and the scope change in draft only; the micro-task's answer in
    draft or during the skills check (when reviewers read it).

    Args:
        user: the applicant.
        application_id: their application.
        **fields: any of ``motivation``, ``scope_kind`` (with ``org`` / ``course_key``), ``micro_task_answer``.

    Returns:
        The application.

    Raises:
        TrainersError: ``application_not_found`` (404); ``permission_denied`` (403); ``not_editable`` (409);
            ``unknown_field`` and the scope's errors (400).
    """
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TrainersError(
            "unknown_field", _("These cannot be changed: {fields}.").format(fields=", ".join(sorted(unknown)))
        )
    with transaction.atomic():
        _profile, application = _lock(application_id)
        _own(application, user)
        draft_only = {"motivation", "scope_kind", "org", "course_key"} & set(fields)
        if draft_only and application.state != State.DRAFT:
            raise TrainersError("not_editable", _("Your application can only be changed while it is a draft."),
                                status=409)
        if "micro_task_answer" in fields and application.state not in (State.DRAFT, State.SKILLS_CHECK):
            raise TrainersError(
                "not_editable",
                _("The micro-task can be answered while your application is a draft or in the skills check."),
                status=409,
            )
        if "motivation" in fields:
            application.motivation = _text(fields["motivation"], "motivation")
        if "micro_task_answer" in fields:
            application.micro_task_answer = _text(fields["micro_task_answer"], "micro_task_answer")
        if {"scope_kind", "org", "course_key"} & set(fields):
            kind, org, key = _scope(
                fields.get("scope_kind", application.scope_kind),
                fields.get("org", application.scope_org),
                fields.get("course_key", application.scope_course_key),
            )
            application.scope_kind, application.scope_org, application.scope_course_key = kind, org, key
        application.save()
        return _info(application, APPLICANT)


def submit_application(user: Any, application_id: int) -> ApplicationInfo:
    """
    Submit a draft for screening. The screening itself runs in a Celery task once this commits
    (``tasks.screen_application``), so that the applicant's request does not wait for it.

    Args:
        user: the applicant.
        application_id: their draft.

    Returns:
        The submitted application.

    Raises:
        TrainersError: ``application_not_found`` (404); ``permission_denied`` (403); ``invalid_transition`` (409)
            when it is not a draft (a second submit, for example).
    """
    from mentora_plugin.trainers import tasks

    with transaction.atomic():
        _profile, application = _lock(application_id)
        _own(application, user)
        application.submitted_at = timezone.now()
        application.screening_problems = []
        transition = _transition(application, State.SUBMITTED, user, _REASONS["submitted"])
        _notify_applicant(application, "submitted", transition)
        transaction.on_commit(partial(tasks.screen_application.delay, str(application.pk)))
        return _info(application, APPLICANT)


def _screening_checks(application: TrainerApplication, profile: TrainerProfile) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = []

    def problem(code: str, **params: Any) -> None:
        problems.append({"code": code, "params": params, "reason": str(SCREENING_CHECKS[code][1]).format(**params)})

    if not profile.headline.strip():
        problem("headline_missing")
    if not profile.bio.strip():
        problem("bio_missing")
    if not TrainerSkill.objects.filter(profile=profile).exists():
        problem("skills_missing")
    if not [code for code in profile.languages or [] if code]:
        problem("languages_missing")
    required = _required_evidence()
    if required:
        found = PortfolioItem.objects.filter(profile=profile).filter(~Q(url="") | ~Q(evidence="")).count()
        if found < required:
            problem("evidence_missing", required=required, found=found)
    if not application.motivation.strip():
        problem("motivation_missing")
    if application.scope_kind == Kind.COURSE and (
        not application.scope_course_key or host_api.get_course(application.scope_course_key) is None
    ):
        problem("course_unknown")
    return problems


def screen_application(application_id: int | str) -> ApplicationInfo:
    """
    The automatic basic checks of a submitted application (the system's part; run by ``tasks.screen_application``).

    The application goes to screening, then to the skills check if the checks pass (reviewers now see it and the
    applicant's profile), else back to draft with ``screening_problems`` (machine codes, and reasons shown to the
    applicant) for the applicant to fix and submit again. The checks: a headline, a biography, at least one skill
    and one language on the profile; ``MENTORA_TRAINER_REQUIRED_EVIDENCE`` portfolio items with a link or a file;
    a motivation; for a course scope, a course Mentora still knows.

    Args:
        application_id: the submitted application.

    Returns:
        The application after screening.

    Raises:
        TrainersError: ``application_not_found`` (404); ``invalid_transition`` (409) when it is not submitted (the
            task was delivered twice, or the applicant withdrew): nothing changes.
    """
    from django.utils import translation

    with transaction.atomic():
        profile, application = _lock(application_id)
        _transition(application, State.SCREENING, None, _REASONS["screening"])
        with translation.override(settings.LANGUAGE_CODE):
            problems = _screening_checks(application, profile)
        if problems:
            application.screening_problems = problems
            transition = _transition(
                application, State.DRAFT, None, _REASONS["screening_failed"],
                {"problems": [problem["code"] for problem in problems]},
            )
            _notify_applicant(application, "screening_failed", transition, problems=[
                {"code": problem["code"], "params": problem["params"]} for problem in problems
            ])
        else:
            application.screening_problems = []
            transition = _transition(application, State.SKILLS_CHECK, None, _REASONS["screening_passed"])
            _notify_applicant(application, "skills_check", transition, micro_task=bool(micro_task()))
        return _info(application, APPLICANT)


def withdraw_application(user: Any, application_id: int, reason: str = "") -> ApplicationInfo:
    """
    Withdraw an application that is not over yet (any state before active). Withdrawing during onboarding gives up
    the approval: the scope it granted is deactivated, a course trainer role it granted is revoked, and a profile that
    was onboarding is an applicant's again.

    Args:
        user: the applicant.
        application_id: their application.
        reason: why (optional).

    Returns:
        The withdrawn application.

    Raises:
        TrainersError: ``application_not_found`` (404); ``permission_denied`` (403); ``invalid_transition`` (409)
            when it is already active, rejected or withdrawn.
    """
    reason = _text(reason, "reason")
    with transaction.atomic():
        profile, application = _lock(application_id)
        _own(application, user)
        was_onboarding = application.state == State.ONBOARDING
        _transition(application, State.WITHDRAWN, user, reason or _REASONS["withdrawn"])
        if was_onboarding:
            _undo_approval(application, profile, user)
        return _info(application, APPLICANT)


def _undo_approval(application: TrainerApplication, profile: TrainerProfile, actor: Any) -> None:
    TrainerScope.objects.filter(application=application, is_active=True).update(is_active=False)
    approval = application.transitions.filter(to_state=State.ONBOARDING).order_by("-at", "-pk").first()
    if approval and approval.details.get("course_role_granted") and application.scope_course_key:
        host_api.revoke_trainer_role(application.scope_course_key, profile.user_id, revoked_by=actor,
                                     reason="Trainer application withdrawn")
    capabilities.forget_cached_capabilities()
    if profile.status == TrainerProfile.Status.ONBOARDING:
        profile.status = TrainerProfile.Status.APPLICANT
        profile.save(update_fields=["status", "modified"])


# --- reviewers ------------------------------------------------------------------------------------------------------


def assign_reviewer(actor: Any, application_id: int, reviewer: Any) -> ReviewerInfo:
    """
    Assign a reviewer to an application that passed screening (skills check or decision). Assigning someone who is
    already assigned changes nothing. The reviewer is emailed unless they assigned themselves.

    Args:
        actor: staff (``manage_application``), or a reviewer assigning themselves.
        application_id: the application.
        reviewer: the user (or user id) to assign; they need ``review_application`` and are not the applicant.

    Returns:
        The reviewer's assignment.

    Raises:
        TrainersError: ``application_not_found`` / ``user_not_found`` (404); ``permission_denied`` (403);
            ``not_a_reviewer`` (400); ``reviewer_is_applicant`` or ``not_reviewable`` (409).
    """
    reviewer = _user(reviewer)
    with transaction.atomic():
        _profile, application = _lock(application_id)
        if not _may_see(application, actor):
            raise not_found("application")
        if not _is_staff(actor) and actor.pk != reviewer.pk:
            raise forbidden(_("Only staff can assign someone else as a reviewer."))
        if application.profile.user_id == reviewer.pk:
            raise TrainersError("reviewer_is_applicant", _("Nobody reviews their own application."), status=409)
        if not _may_review(reviewer):
            raise TrainersError("not_a_reviewer", _("{name} may not review applications.").format(
                name=host_api.display_name(reviewer)))
        _reviewable(application)
        row = ApplicationReviewer.objects.filter(application=application, reviewer=reviewer).first()
        if row is None:
            insert_ignoring_conflicts(ApplicationReviewer(
                application=application, reviewer=reviewer, assigned_by_id=actor.pk, assigned_at=timezone.now(),
            ))
            row = ApplicationReviewer.objects.get(application=application, reviewer=reviewer)
            if actor.pk != reviewer.pk:
                notifications.notify(
                    "assigned", reviewer, f"application:{application.pk}:assigned:{row.pk}",
                    application_id=application.pk, applicant=host_api.display_name(application.profile.user),
                )
        row.reviewer = reviewer
        return _reviewer_info(row)


def _reviewable(application: TrainerApplication) -> None:
    if application.state not in REVIEWABLE_STATES:
        raise TrainersError(
            "not_reviewable",
            _("This application is “{state}”: reviewers act on it during the skills check and the decision.").format(
                state=_state_label(application.state)
            ),
            status=409,
        )


def unassign_reviewer(actor: Any, application_id: int, reviewer: Any) -> None:
    """
    Take a reviewer off an application, with their scores. Refused once they voted: a vote stays on record.

    Args:
        actor: staff, or the reviewer themselves.
        application_id: the application.
        reviewer: the assigned user (or user id).

    Raises:
        TrainersError: ``application_not_found`` / ``user_not_found`` / ``reviewer_not_found`` (404);
            ``permission_denied`` (403); ``reviewer_voted`` or ``not_reviewable`` (409).
    """
    reviewer = _user(reviewer)
    with transaction.atomic():
        _profile, application = _lock(application_id)
        if not _may_see(application, actor):
            raise not_found("application")
        if not _is_staff(actor) and actor.pk != reviewer.pk:
            raise forbidden(_("Only staff can take someone else off an application."))
        _reviewable(application)
        row = ApplicationReviewer.objects.filter(application=application, reviewer=reviewer).first()
        if row is None:
            raise not_found("reviewer")
        if row.vote:
            raise TrainersError("reviewer_voted", _("This reviewer has voted: their vote stays on record."),
                                status=409)
        ApplicationScore.objects.filter(application=application, reviewer=reviewer).delete()
        row.delete()


def score_application(
    reviewer: Any, application_id: int, scores: dict[str, int], comments: dict[str, str] | None = None
) -> list[ScoreInfo]:
    """
    Record the reviewer's scores on criteria of the rubric (``MENTORA_TRAINER_APPLICATION_RUBRIC``); a criterion
    scored again replaces the reviewer's previous score. All of them are checked before any is saved.

    Args:
        reviewer: an assigned reviewer.
        application_id: the application, in the skills check or the decision.
        scores: criterion key → 0..its max.
        comments: criterion key → a comment (optional).

    Returns:
        Every score of this reviewer on the application.

    Raises:
        TrainersError: ``application_not_found`` (404); ``permission_denied`` (403); ``not_reviewable`` (409);
            ``unknown_criterion``, ``score_out_of_range``, ``invalid_input``, ``too_long`` (400).
    """
    criteria = {criterion.key: criterion for criterion in rubric()}
    comments = comments or {}
    if not isinstance(scores, dict) or not isinstance(comments, dict) or not scores:
        raise TrainersError("invalid_input", _("Give at least one score."))
    unknown = sorted((set(scores) | set(comments)) - set(criteria))
    if unknown:
        raise TrainersError("unknown_criterion", _("The rubric has no criterion {keys}.").format(
            keys=", ".join(f"“{key}”" for key in unknown)))
    for key, value in scores.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= criteria[key].max:
            raise TrainersError("score_out_of_range", _("“{label}” is scored from 0 to {max}.").format(
                label=criteria[key].label, max=criteria[key].max))
    comments = {key: _text(value, "comment") for key, value in comments.items()}
    if set(comments) - set(scores):
        raise TrainersError("invalid_input", _("A comment goes with a score of the same criterion."))
    with transaction.atomic():
        _profile, application = _lock(application_id)
        _as_reviewer(application, reviewer, staff_too=False)
        _reviewable(application)
        for key, value in scores.items():
            values = {"score": value, "comment": comments.get(key, "")}
            mine = ApplicationScore.objects.filter(application=application, reviewer=reviewer, criterion=key)
            if not mine.update(**values, modified=timezone.now()):
                insert_ignoring_conflicts(
                    ApplicationScore(application=application, reviewer=reviewer, criterion=key, **values)
                )
        rows = ApplicationScore.objects.filter(application=application, reviewer=reviewer).order_by("criterion")
        return [
            ScoreInfo(reviewer.pk, reviewer.username, row.criterion, criteria[row.criterion].label
                      if row.criterion in criteria else row.criterion, row.score,
                      criteria[row.criterion].max if row.criterion in criteria else row.score, row.comment,
                      row.modified)
            for row in rows
        ]


def record_interview(reviewer: Any, application_id: int, at: datetime | None, notes: str = "") -> ApplicationInfo:
    """
    Schedule the optional interview and keep its notes (the applicant sees the time, never the notes).

    Args:
        reviewer: an assigned reviewer, or staff.
        application_id: the application, in the skills check or the decision.
        at: when (timezone-aware), or None when there is no time set.
        notes: the reviewers' notes.

    Returns:
        The application, as its reviewers see it.

    Raises:
        TrainersError: ``application_not_found`` (404); ``permission_denied`` (403); ``not_reviewable`` (409);
            ``invalid_time``, ``too_long`` (400).
    """
    if at is not None and (not isinstance(at, datetime) or timezone.is_naive(at)):
        raise TrainersError("invalid_time", _("The interview's time must be a date and time with its time zone."))
    notes = _text(notes, "notes")
    with transaction.atomic():
        _profile, application = _lock(application_id)
        _as_reviewer(application, reviewer)
        _reviewable(application)
        application.interview_at = at
        application.interview_notes = notes
        application.save(update_fields=["interview_at", "interview_notes", "modified"])
    return _fresh_info(application.pk, reviewer)


def move_to_decision(reviewer: Any, application_id: int) -> ApplicationInfo:
    """
    Close the skills check: the application is ready for votes.

    Needs every rubric criterion scored by at least one reviewer and, when ``MENTORA_TRAINER_MICRO_TASK`` is set,
    the micro-task answered.

    Args:
        reviewer: an assigned reviewer, or staff.
        application_id: the application, in the skills check.

    Returns:
        The application, as its reviewers see it.

    Raises:
        TrainersError: ``application_not_found`` (404); ``permission_denied`` (403); ``scores_missing``,
            ``micro_task_unanswered`` or ``invalid_transition`` (409).
    """
    with transaction.atomic():
        _profile, application = _lock(application_id)
        _as_reviewer(application, reviewer)
        if application.state != State.SKILLS_CHECK:
            raise _invalid_transition(application.state, State.DECISION)
        scored = set(ApplicationScore.objects.filter(application=application).values_list("criterion", flat=True))
        missing = [criterion for criterion in rubric() if criterion.key not in scored]
        if missing:
            raise TrainersError(
                "scores_missing",
                _("Score every criterion first; missing: {labels}.").format(
                    labels=", ".join(criterion.label for criterion in missing)),
                status=409,
            )
        if micro_task() and not application.micro_task_answer.strip():
            raise TrainersError("micro_task_unanswered", _("The applicant has not answered the micro-task yet."),
                                status=409)
        _transition(application, State.DECISION, reviewer, _REASONS["skills_checked"],
                    {"scored": sorted(scored)})
    return _fresh_info(application.pk, reviewer)


def vote(reviewer: Any, application_id: int, vote: str, reason: str = "") -> ApplicationInfo:
    """
    Vote to approve or reject an application in the decision state.

    One approval approves: the application goes to onboarding, the trainer is granted its scope (a ``TrainerScope``;
    for a course, also the host's course trainer role), their profile is onboarding (unless already active), and
    when there is nothing left to onboard (no steps, or all done already) the application is active at once. A
    rejection needs ``MENTORA_TRAINER_REJECTIONS_REQUIRED`` distinct reviewers voting to reject; the applicant may
    apply again after ``MENTORA_TRAINER_REAPPLY_COOLDOWN_DAYS``. Until then a reject vote is recorded and the
    application waits. A reviewer may change their vote while the application is undecided.

    Args:
        reviewer: an assigned reviewer, or staff (assigned by voting).
        application_id: the application.
        vote: ``approve`` or ``reject``.
        reason: why; required to reject (the applicant reads it).

    Returns:
        The application after the vote, as its reviewers see it.

    Raises:
        TrainersError: ``application_not_found`` (404); ``permission_denied`` (403); ``invalid_transition`` (409)
            when it is not in the decision state (another reviewer decided first, for example); ``invalid_vote``,
            ``reason_required``, ``too_long`` (400).
    """
    Vote = ApplicationReviewer.Vote
    if vote not in (Vote.APPROVE, Vote.REJECT):
        raise TrainersError("invalid_vote", _("Vote “approve” or “reject”."))
    reason = _text(reason, "reason", required=vote == Vote.REJECT)
    with transaction.atomic():
        profile, application = _lock(application_id)
        _as_reviewer(application, reviewer)
        target = State.ONBOARDING if vote == Vote.APPROVE else State.REJECTED
        if application.state != State.DECISION:
            raise _invalid_transition(application.state, target)
        now = timezone.now()
        row = ApplicationReviewer.objects.filter(application=application, reviewer=reviewer).first()
        if row is None:  # staff voting without being assigned
            insert_ignoring_conflicts(ApplicationReviewer(
                application=application, reviewer=reviewer, assigned_by_id=reviewer.pk, assigned_at=now,
            ))
            row = ApplicationReviewer.objects.get(application=application, reviewer=reviewer)
        row.vote, row.vote_reason, row.voted_at = vote, reason, now
        row.save(update_fields=["vote", "vote_reason", "voted_at"])
        if vote == Vote.APPROVE:
            _approve(application, profile, reviewer, reason, now)
        else:
            rejections = list(
                ApplicationReviewer.objects.filter(application=application, vote=Vote.REJECT)
                .order_by("voted_at", "pk").values_list("reviewer_id", "vote_reason")
            )
            if len(rejections) >= _rejections_required():
                _reject(application, reviewer, rejections, now)
    return _fresh_info(application.pk, reviewer)


def _approve(application: TrainerApplication, profile: TrainerProfile, actor: Any, reason: str, now: datetime) -> None:
    user = application.profile.user
    key = application.scope_course_key if application.scope_kind == Kind.COURSE else None
    granted_role = False
    if key:
        granted_role = CourseRole.TRAINER not in host_api.get_course_roles(user, key)
    application.decision_reason = reason
    application.decided_at = now
    application.reapply_after = None
    transition = _transition(
        application, State.ONBOARDING, actor, reason or _REASONS["approved"],
        {"vote": "approve", "course_role_granted": granted_role},
    )
    scope_values = _scope_filter(application.scope_kind, application.scope_org, key)
    revived = TrainerScope.objects.filter(profile=profile, **scope_values).update(
        is_active=True, application=application, granted_at=now
    )
    if not revived:
        insert_ignoring_conflicts(TrainerScope(
            profile=profile, kind=application.scope_kind, org=application.scope_org, course_key=key,
            application=application, granted_at=now, is_active=True,
        ))
    if key:
        host_api.grant_trainer_role(key, user, granted_by=actor, reason="Trainer application approved")
    capabilities.forget_cached_capabilities()
    if profile.status != TrainerProfile.Status.ACTIVE:
        profile.status = TrainerProfile.Status.ONBOARDING
        profile.save(update_fields=["status", "modified"])
    status = _onboarding(profile, application)
    _notify_applicant(
        application, "approved", transition, reason=reason,
        steps=[step.key for step in status.steps if not step.done],
    )
    if status.complete:
        _activate(application, None, _REASONS["nothing_to_onboard"])


def _reject(application: TrainerApplication, actor: Any, rejections: list[tuple[int, str]], now: datetime) -> None:
    reasons = list(dict.fromkeys(reason for _reviewer, reason in rejections if reason))
    application.decision_reason = "\n\n".join(reasons)
    application.decided_at = now
    application.reapply_after = now + _cooldown()
    transition = _transition(
        application, State.REJECTED, actor, application.decision_reason,
        {"vote": "reject", "rejected_by": [reviewer_id for reviewer_id, _reason in rejections]},
    )
    _notify_applicant(application, "rejected", transition, reason=application.decision_reason,
                      reapply_after=application.reapply_after.isoformat())


def _activate(application: TrainerApplication, actor: Any, reason: str) -> None:
    transition = _transition(application, State.ACTIVE, actor, reason)
    levels.start_first_level(application.profile.user, actor)
    _notify_applicant(application, "active", transition)


# --- onboarding -----------------------------------------------------------------------------------------------------


def _onboarding(profile: TrainerProfile, application: TrainerApplication | None) -> OnboardingStatus:
    done = dict(OnboardingStep.objects.filter(profile=profile).values_list("step", "completed_at"))
    return OnboardingStatus(
        application_id=application.pk if application else None,
        state=application.state if application else "",
        steps=tuple(
            OnboardingStepInfo(
                key=step["key"], title=_(step["title"]), url=step["url"], done=step["key"] in done,
                completed_at=done.get(step["key"]),
            )
            for step in _onboarding_steps()
        ),
    )


def onboarding_status(user: Any) -> OnboardingStatus:
    """
    ``user``'s onboarding checklist (``MENTORA_TRAINER_ONBOARDING_STEPS``) with what they did.

    Args:
        user: the user.

    Returns:
        The checklist, with their application in onboarding if they have one.
    """
    profile = TrainerProfile.objects.filter(user_id=host_api._user_id(user)).first()
    if profile is None:
        return OnboardingStatus(None, "", tuple(
            OnboardingStepInfo(step["key"], _(step["title"]), step["url"], False, None)
            for step in _onboarding_steps()
        ))
    application = TrainerApplication.objects.filter(profile=profile, state=State.ONBOARDING).first()
    return _onboarding(profile, application)


def complete_onboarding_step(user: Any, step_key: str) -> OnboardingStatus:
    """
    Mark a step of the onboarding checklist done (again: nothing changes). When it was the last one, the application
    is active and ``levels.start_first_level`` makes the trainer active at the first level, on probation.

    Args:
        user: a user whose application is in onboarding.
        step_key: the step's key.

    Returns:
        The checklist after the step.

    Raises:
        TrainersError: ``unknown_step`` (400); ``not_onboarding`` (409) when they have no approved application
            waiting for its onboarding.
    """
    if step_key not in {step["key"] for step in _onboarding_steps()}:
        raise TrainersError("unknown_step", _("The onboarding has no step “{step}”.").format(step=str(step_key)[:64]))
    with transaction.atomic():
        profile = lock_profile(user)
        application = (
            TrainerApplication.objects.select_related("profile__user")
            .filter(profile=profile, state=State.ONBOARDING).first()
        )
        if application is None:
            raise TrainersError("not_onboarding", _("You have no approved application to onboard."), status=409)
        insert_ignoring_conflicts(OnboardingStep(profile=profile, step=step_key, completed_at=timezone.now()))
        status = _onboarding(profile, application)
        if status.complete:
            _activate(application, user, _REASONS["onboarded"])
            application.refresh_from_db()
            status = _onboarding(profile, application)
        return status


# --- reads ----------------------------------------------------------------------------------------------------------


def get_application(application_id: int, viewer: Any) -> ApplicationInfo:
    """
    One application, for its applicant, its reviewers (and reviewers while it is in the skills check or decision)
    and staff. Reviewers also get the scores, the interview notes and the applicant's profile.

    Args:
        application_id: the application.
        viewer: who asks.

    Returns:
        The application as ``viewer`` may see it.

    Raises:
        TrainersError: ``application_not_found`` (404), also when ``viewer`` may not see it.
    """
    pk = _application_id(application_id)
    application = (
        TrainerApplication.objects.select_related(*_user_paths("profile__user"))
        .prefetch_related(*_user_paths("reviewers__reviewer"))
        .filter(pk=pk).first()
    )
    if application is None:
        raise not_found("application")
    seen_as = _may_see(application, viewer)
    if seen_as is None:
        raise not_found("application")
    return _info(application, seen_as)


def current_application(user: Any) -> ApplicationInfo | None:
    """
    ``user``'s open application, else their latest one, else None.

    Args:
        user: the applicant.

    Returns:
        The application as its applicant sees it, or None.
    """
    applications = TrainerApplication.objects.select_related("profile__user").filter(
        profile__user_id=host_api._user_id(user)
    )
    application = applications.exclude(state__in=FINAL_STATES).first() or applications.order_by("-created",
                                                                                                 "-pk").first()
    return _info(application, APPLICANT) if application else None


class _InfoPage:
    """
    A lazy list of applications: ``len()`` counts, a slice (a page) runs one query plus one for its reviewers, so a
    page costs the same whatever its size.
    """

    def __init__(self, queryset: QuerySet) -> None:
        self._queryset = queryset

    def __len__(self) -> int:
        return self._queryset.count()

    def __getitem__(self, index: int | slice) -> Any:
        rows = list(self._queryset[index]) if isinstance(index, slice) else [self._queryset[index]]
        titles = None
        if any(row.scope_kind == Kind.COURSE for row in rows):
            titles = {str(course.course_key): course.title for course in host_api.list_courses()}
        infos = [_info(row, REVIEWER, detail=False, titles=titles) for row in rows]
        return infos if isinstance(index, slice) else infos[0]

    def __iter__(self) -> Iterator[ApplicationInfo]:
        return iter(self[:])


def list_applications(
    viewer: Any, state: str | None = None, assigned_to_me: bool = False
) -> Sequence[ApplicationInfo]:
    """
    The reviewers' queue, oldest submission first, with how long each application has waited in its state.

    Staff see every application; reviewers see those that passed screening and wait for a decision, and those they
    are assigned to. Nobody sees their own application here.

    Args:
        viewer: a reviewer or staff.
        state: only applications in this state.
        assigned_to_me: only applications ``viewer`` is assigned to.

    Returns:
        A lazy sequence (``len``, slices, iteration) of applications with their reviewers (no scores, no profile):
        a slice runs a fixed number of queries whatever its length.

    Raises:
        TrainersError: ``permission_denied`` (403) for anyone else; ``invalid_state`` (400).
    """
    if not (_is_staff(viewer) or _may_review(viewer)):
        raise forbidden(_("Only reviewers and staff see the applications."))
    if state and state not in State.values:
        raise TrainersError("invalid_state", _("“{state}” is not a state of an application.").format(
            state=str(state)[:32]))
    entered = ApplicationTransition.objects.filter(application=OuterRef("pk")).order_by("-at", "-pk").values("at")[:1]
    mine = ApplicationReviewer.objects.filter(application=OuterRef("pk"), reviewer_id=viewer.pk)
    applications = (
        TrainerApplication.objects.select_related(*_user_paths("profile__user"))
        .prefetch_related(*_user_paths("reviewers__reviewer"))
        .annotate(entered_state_at=Subquery(entered))
        .exclude(profile__user_id=viewer.pk)
    )
    if not _is_staff(viewer):
        applications = applications.filter(Q(state__in=REVIEWABLE_STATES) | Exists(mine))
    if state:
        applications = applications.filter(state=state)
    if assigned_to_me:
        applications = applications.filter(Exists(mine))
    return _InfoPage(applications.order_by(F("submitted_at").asc(nulls_last=True), "pk"))


def _by(row: ApplicationTransition) -> str:
    """Who made a change, from the table (the actor may be gone): the applicant, the system or the reviewers."""
    roles = TRANSITIONS.get(row.from_state, {}).get(row.to_state, frozenset())
    if roles and roles <= {REVIEWER, STAFF}:
        return REVIEWER
    if roles == {SYSTEM} or (SYSTEM in roles and row.actor_id is None):
        return SYSTEM
    return APPLICANT


def application_history(application_id: int, viewer: Any) -> list[TransitionInfo]:
    """
    Every change of state of an application, oldest first.

    Args:
        application_id: the application.
        viewer: its applicant, a reviewer who may see it, or staff.

    Returns:
        The audit trail; the applicant sees what happened and why, not which reviewer did it.

    Raises:
        TrainersError: ``application_not_found`` (404), also when ``viewer`` may not see it.
    """
    pk = _application_id(application_id)
    application = TrainerApplication.objects.select_related("profile__user").filter(pk=pk).first()
    if application is None:
        raise not_found("application")
    seen_as = _may_see(application, viewer)
    if seen_as is None:
        raise not_found("application")
    applicant_id = application.profile.user_id
    history = []
    for row in ApplicationTransition.objects.filter(application=application).select_related("actor"):
        shown = row.actor is not None and (seen_as == REVIEWER or row.actor_id == applicant_id)
        history.append(TransitionInfo(
            from_state=row.from_state,
            to_state=row.to_state,
            by=_by(row),
            actor_id=row.actor_id if shown else None,
            actor_name=host_api.display_name(row.actor) if shown else "",
            reason=_(row.reason) if row.reason in _FIXED_REASONS else row.reason,
            details=row.details if seen_as == REVIEWER else {},
            at=row.at,
        ))
    return history
