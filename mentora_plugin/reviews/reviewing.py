"""
Reviewing: a trainer claims a submission waiting for review, scores each criterion of the project's rubric with a
comment, writes overall feedback (Markdown), anchors comments to passages of the text, attaches feedback files, and
releases the review with an outcome; the grade then reaches the gradebook through edx-submissions.

A submission's status (``Submission.status``) moves like this::

    submitted ──claim──▶ in_review ──release──▶ approved           (graded)
        ▲                    │      └─release──▶ changes_requested  (the learner may resubmit → submitted)
        └─── claim freed ────┘  (released by its holder or by staff, or expired and cleaned up, with nothing released)

Who reviews: the trainers and staff of the project's course (``mentora_reviews.review_submission``), never a learner
of the submission itself (nobody reviews their own work, nor their team's). A learner reads only their own (or their
team's) submission and its *released* reviews: anyone else asking gets a 404, as if it did not exist.

**Claims.** Claiming locks the ``Submission`` row, then takes (or renews) its one ``Claim``: a lock that lasts
``MENTORA_REVIEWS_CLAIM_MINUTES`` and that each save of the review renews. Another trainer's valid claim refuses a
claim (``already_claimed``, 409); an expired claim is free for anyone. Saving, attaching files and releasing need a
valid claim of one's own (``claim_required``, 409); the holder or course staff may free a claim. Claiming creates the
trainer's draft review of the latest version: each reviewer has their own draft, and releasing a review deletes the
other drafts of that version (they can no longer be released).

**Second marker.** When the project has ``second_marker`` and the releasing trainer is not course staff
(``mentora_reviews.manage_project``), releasing makes the review *await confirmation*: its outcome and points are set
but nothing is released (no grade, no notification; the submission stays ``in_review`` and the claim is freed, so
nobody else claims it). Course staff then confirm it (``confirm_review``: released, with the lead in
``confirmed_by``) or return it to its marker with a reason (``return_review``: a draft again, claimed by its marker).

**Grades.** Only an *approved* review of a *graded* project grades: ``points`` = sum(weight * level points / the
criterion's top points) / sum(weights) * ``points_possible``, rounded to 2 decimals. A review that requests changes
grades nothing, so the gradebook keeps whatever it had (the learner is not graded on work they are asked to
redo). The score is set on the version's edx-submissions submission with ``submissions.api.set_score`` (the path
Open edX offers, as ORA2's staff grading uses, so the gradebook has it even if the learner never opens the unit
again), on each member's submission for a team, following ``MENTORA_REVIEWS_GRADE_POLICY``: ``latest`` sets each
newly released grade, ``highest`` only one higher than the current grade. edx-submissions stores whole points, so the
gradebook gets the points rounded half up to an integer while Mentora keeps them to 2 decimals. A resubmission
creates a new edx-submissions submission for the same student item without a score, so the earlier grade stays in the
gradebook until a new review is released. Staff may override a grade with a reason (``override_grade``, whatever the
policy). An approval is final unless the project has ``resubmit_after_approval``: then the learner may submit an
improved version, and when it is approved the policy decides between the two grades (``latest``: the new one, even if
lower; ``highest``: the better one, on ``Submission.points_earned`` and in edx-submissions alike); if changes are
requested on it instead, the earlier approved grade stays. Without that option the policy only decides between a
grade staff gave before a resubmission and the approval of that resubmission. Every change of a grade writes a
``GradeChange``: who, when, why, from what to what; a release the policy does not apply changes nothing and writes
nothing (the review keeps its points).

Releasing also records the trainer's activity (``trainers.api.record_activity``, with the turnaround from
submission to release, which feeds the trainer's level) and notifies the learner (each member of a team).

Concurrency: every change runs in ``transaction.atomic()`` and locks the ``Submission`` row first (alone: MariaDB
cannot lock one table of a join), then re-reads what it changes; two trainers claiming at once are serialised by
that lock, and the second finds the first's claim.
"""
from __future__ import annotations

import io
import logging
import mimetypes
import os
import re
import uuid
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import UsageKey
from submissions import api as submissions_api

from mentora_plugin.db import insert_ignoring_conflicts
from mentora_plugin.host import api as host_api
from mentora_plugin.reviews import notifications, signals
from mentora_plugin.reviews.common import GRADE_POLICIES, ReviewsError, forbidden, grade_policy, not_found
from mentora_plugin.reviews.models import (
    Claim,
    CommentBankEntry,
    FeedbackReply,
    GradeChange,
    InlineComment,
    Project,
    Review,
    ReviewFile,
    Submission,
    SubmissionFile,
    SubmissionVersion,
)
from mentora_plugin.reviews.submissions import FileContent
from mentora_plugin.trainers import api as trainers_api

__all__ = [
    "COMMENT_MAX_LENGTH",
    "FEEDBACK_FILES_MAX",
    "FEEDBACK_FILE_EXTENSIONS",
    "FEEDBACK_FILE_MAX_BYTES",
    "FEEDBACK_MAX_LENGTH",
    "GRADE_POLICIES",
    "ClaimInfo",
    "CommentBankEntryInfo",
    "CriterionResult",
    "CriterionScore",
    "GradeChangeInfo",
    "InlineCommentInfo",
    "ReplyInfo",
    "ReviewCriterion",
    "ReviewFileInfo",
    "ReviewInfo",
    "ReviewLevel",
    "ReviewWorkspace",
    "ReviewedVersion",
    "RubricResult",
    "SelfAssessmentItem",
    "VersionFileInfo",
    "add_comment_bank_entry",
    "add_inline_comment",
    "add_reply",
    "attach_feedback_file",
    "claim_submission",
    "confirm_review",
    "get_draft_review",
    "grade_history",
    "list_awaiting_confirmation",
    "list_comment_bank",
    "list_replies",
    "locate_passage",
    "open_feedback_file",
    "override_grade",
    "release_claim",
    "release_expired_claims",
    "release_review",
    "remove_comment_bank_entry",
    "remove_feedback_file",
    "remove_inline_comment",
    "return_review",
    "review_points",
    "review_workspace",
    "rubric_result",
    "save_review",
]

log = logging.getLogger(__name__)
User = get_user_model()
Status = Submission.Status
Outcome = Review.Outcome
Role = Review.Role

REVIEW_PERMISSION = "mentora_reviews.review_submission"
MANAGE_PERMISSION = "mentora_reviews.manage_project"

#: The longest comment (per criterion, inline), reply and reason accepted.
COMMENT_MAX_LENGTH = 5000
#: The longest overall feedback accepted (Markdown).
FEEDBACK_MAX_LENGTH = 20000
#: The most inline comments one review may anchor.
INLINE_COMMENTS_MAX = 200
#: Feedback files: the largest, their types, and how many one review may carry.
FEEDBACK_FILE_MAX_BYTES = 10 * 1024 * 1024
FEEDBACK_FILE_EXTENSIONS = ("pdf", "png", "jpg", "jpeg", "txt", "md", "zip", "docx")
FEEDBACK_FILES_MAX = 5
#: The most entries one trainer's comment bank holds.
COMMENT_BANK_MAX = 200
#: Review states as the API reports them.
DRAFT = "draft"
AWAITING_CONFIRMATION = "awaiting_confirmation"
RELEASED = "released"

#: Kinds of ``GradeChange`` written here.
RELEASE = "release"
OVERRIDE = "override"
GRADE_CHANGE_LABELS = {
    RELEASE: gettext_lazy("Review released"),
    OVERRIDE: gettext_lazy("Staff override"),
}
STATE_LABELS = {
    DRAFT: gettext_lazy("Draft"),
    AWAITING_CONFIRMATION: gettext_lazy("Awaiting the lead trainer's confirmation"),
    RELEASED: gettext_lazy("Released"),
}

#: What a feedback file of each type starts with (text files are checked as UTF-8 instead).
_MAGIC = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "zip": (b"PK\x03\x04", b"PK\x05\x06"),
    "docx": (b"PK\x03\x04",),
}


# --- data -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewLevel:
    """One level of a rubric criterion: its index (what a score names), points, label and description."""

    index: int
    points: float
    label: str
    description: str


@dataclass(frozen=True)
class ReviewCriterion:
    """A criterion of the project's rubric, as reviewers score it."""

    key: str
    title: str
    description: str
    weight: float
    levels: tuple[ReviewLevel, ...]

    @property
    def max_points(self) -> float:
        """The points of the criterion's best level (0 without levels)."""
        return max((level.points for level in self.levels), default=0.0)


@dataclass(frozen=True)
class CriterionScore:
    """A review's score on one criterion: the level chosen (None while a draft leaves it open) and a comment."""

    key: str
    title: str
    level: int | None
    level_label: str
    points: float | None
    max_points: float
    weight: float
    comment: str


@dataclass(frozen=True)
class InlineCommentInfo:
    """A comment anchored to ``text[start:end]`` of the version (``quote`` is that passage)."""

    id: int
    start: int
    end: int
    quote: str
    comment: str


@dataclass(frozen=True)
class ReviewFileInfo:
    """A feedback file attached to a review."""

    id: int
    review_id: int
    name: str
    size: int
    url: str
    uploaded_at: datetime


@dataclass(frozen=True)
class ReviewInfo:
    """
    A review as its viewer may see it. ``state`` is ``draft``, ``awaiting_confirmation`` (a second marker's review
    waiting for the lead trainer) or ``released``; learners only ever see released ones, and never
    ``returned_reason`` (between the lead and the marker).
    """

    id: int
    submission_id: int
    version_id: int
    version_number: int
    reviewer_id: int | None
    reviewer_name: str
    role: str
    state: str
    state_label: str
    outcome: str
    outcome_label: str
    scores: tuple[CriterionScore, ...]
    feedback: str
    points: float | None
    points_possible: int
    released_at: datetime | None
    confirmed_by_id: int | None
    confirmed_by_name: str
    confirmed_at: datetime | None
    returned_reason: str
    returned_at: datetime | None
    inline_comments: tuple[InlineCommentInfo, ...]
    files: tuple[ReviewFileInfo, ...]
    modified: datetime

    def score(self, key: str) -> CriterionScore | None:
        """The score of the criterion ``key``, if the review has one."""
        return next((score for score in self.scores if score.key == key), None)


@dataclass(frozen=True)
class ClaimInfo:
    """A trainer's claim on a submission, and their draft review of its latest version."""

    submission_id: int
    trainer_id: int
    trainer_name: str
    claimed_at: datetime
    expires_at: datetime
    review_id: int | None

    @property
    def is_valid(self) -> bool:
        """Not expired yet."""
        return self.expires_at > timezone.now()


@dataclass(frozen=True)
class GradeChangeInfo:
    """One change of a submission's grade. Learners see what and why, not who (``actor_*`` empty for them)."""

    id: int
    submission_id: int
    version_number: int | None
    kind: str
    kind_label: str
    old_points: float | None
    new_points: float | None
    points_possible: float
    actor_id: int | None
    actor_name: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class ReplyInfo:
    """A message of the conversation about a version's feedback; ``by_reviewer`` when a trainer or staff wrote it."""

    id: int
    version_id: int
    author_id: int | None
    author_name: str
    by_reviewer: bool
    body: str
    created: datetime


@dataclass(frozen=True)
class CommentBankEntryInfo:
    """A comment a trainer keeps to reuse."""

    id: int
    text: str
    created: datetime


@dataclass(frozen=True)
class CriterionResult:
    """How an approved review scored one criterion (for badges: "scored at least X on criterion C of project P")."""

    key: str
    title: str
    level: int
    level_label: str
    points: float
    max_points: float
    weight: float


@dataclass(frozen=True)
class RubricResult:
    """The approved, released review of a learner's project: overall points and per-criterion points."""

    usage_key: str
    course_key: str
    submission_id: int
    review_id: int
    points: float
    points_possible: int
    released_at: datetime
    criteria: tuple[CriterionResult, ...]

    @property
    def fraction(self) -> float:
        """``points`` / ``points_possible``, from 0 to 1."""
        return self.points / self.points_possible if self.points_possible else 0.0

    def criterion(self, key: str) -> CriterionResult | None:
        """The result on the criterion ``key``, if the rubric has it."""
        return next((item for item in self.criteria if item.key == key), None)


@dataclass(frozen=True)
class SelfAssessmentItem:
    """The learner's own assessment of one criterion, submitted with the version (shown to reviewers)."""

    key: str
    title: str
    level: int | None
    level_label: str
    comment: str


@dataclass(frozen=True)
class VersionFileInfo:
    """A file the learner submitted with a version."""

    id: int
    name: str
    size: int
    url: str


@dataclass(frozen=True)
class ReviewedVersion:
    """One submitted version with what its viewer may see of its reviews and the conversation about them."""

    id: int
    number: int
    text: str
    links: tuple[str, ...]
    files: tuple[VersionFileInfo, ...]
    submitted_at: datetime
    submitted_by_name: str
    self_assessment: tuple[SelfAssessmentItem, ...]
    reviews: tuple[ReviewInfo, ...]
    replies: tuple[ReplyInfo, ...]

    @property
    def released_review(self) -> ReviewInfo | None:
        """The version's released review, if any."""
        return next((review for review in self.reviews if review.state == RELEASED), None)


@dataclass(frozen=True)
class ReviewWorkspace:
    """
    A submission as the reviewing page shows it: the project and its rubric, every version (oldest first) with its
    reviews and replies, the claim, and what the viewer may do. ``viewer_is_member``: the viewer is the learner (or
    in the team), who sees released reviews only; otherwise the viewer reviews (``viewer_is_lead``: course staff).
    ``draft`` is the viewer's own draft of the latest version; ``awaiting`` a review of it waiting for the lead.
    """

    submission_id: int
    usage_key: str
    course_key: str
    project_title: str
    points_possible: int
    graded: bool
    second_marker: bool
    criteria: tuple[ReviewCriterion, ...]
    learner_name: str
    team_name: str
    status: str
    status_label: str
    points_earned: float | None
    submitted_at: datetime | None
    versions: tuple[ReviewedVersion, ...]
    claim: ClaimInfo | None
    viewer_is_member: bool
    viewer_is_lead: bool
    draft: ReviewInfo | None
    awaiting: ReviewInfo | None

    @property
    def latest(self) -> ReviewedVersion | None:
        """The latest version, if anything was submitted."""
        return self.versions[-1] if self.versions else None


# --- settings (read at call time) -----------------------------------------------------------------------------------


def _claim_duration() -> timedelta:
    return timedelta(minutes=max(1, int(getattr(settings, "MENTORA_REVIEWS_CLAIM_MINUTES", 120) or 120)))


def _grade_policy() -> str:
    return grade_policy()


# --- rubric and points ----------------------------------------------------------------------------------------------


def _number(value: Any, default: float = 0.0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _criteria(project: Project) -> tuple[ReviewCriterion, ...]:
    """The project's rubric (validated when the project was synced) as criteria."""
    criteria = []
    for item in project.rubric or []:
        if not isinstance(item, Mapping) or not item.get("key"):
            continue
        levels = tuple(
            ReviewLevel(
                index=index,
                points=_number(level.get("points")),
                label=str(level.get("label") or ""),
                description=str(level.get("description") or ""),
            )
            for index, level in enumerate(item.get("levels") or [])
            if isinstance(level, Mapping)
        )
        criteria.append(ReviewCriterion(
            key=str(item["key"]),
            title=str(item.get("title") or item["key"]),
            description=str(item.get("description") or ""),
            weight=_number(item.get("weight"), 1.0),
            levels=levels,
        ))
    return tuple(criteria)


def _round2(value: float) -> float:
    return float(Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def review_points(criteria: Iterable[ReviewCriterion], scores: Mapping[str, Any], points_possible: int) -> float:
    """
    The points a review gives: sum(weight * level points / top points) / sum(weights) * ``points_possible``.

    A criterion with no weight or whose best level is worth nothing counts in neither sum; a criterion left
    unscored counts as 0.

    Args:
        criteria: the rubric.
        scores: ``{criterion_key: {"level": index, ...}}``.
        points_possible: what a perfect review gives.

    Returns:
        The points, rounded to 2 decimals, between 0 and ``points_possible``.
    """
    total_weight = earned = 0.0
    for criterion in criteria:
        top = criterion.max_points
        if criterion.weight <= 0 or top <= 0:
            continue
        total_weight += criterion.weight
        level = (scores.get(criterion.key) or {}).get("level")
        if isinstance(level, int) and 0 <= level < len(criterion.levels):
            earned += criterion.weight * min(1.0, max(0.0, criterion.levels[level].points / top))
    if total_weight <= 0:
        return 0.0
    return _round2(earned / total_weight * points_possible)


def _gradebook_points(points: float) -> int:
    """edx-submissions keeps whole points: ``points`` rounded half up."""
    return int(Decimal(repr(points)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- helpers: ids, people, permissions ------------------------------------------------------------------------------


def _pk(value: Any, what: str) -> int:
    """An id from an int or its string, or the 404 of ``what``."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise not_found(what)
    try:
        number = int(value)
    except ValueError:
        raise not_found(what) from None
    if number <= 0:
        raise not_found(what)
    return number


def _authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and getattr(user, "pk", None))


def _may_review(user: Any, course_key: Any) -> bool:
    return _authenticated(user) and user.has_perm(REVIEW_PERMISSION, course_key)


def _is_lead(user: Any, course_key: Any) -> bool:
    return _authenticated(user) and user.has_perm(MANAGE_PERMISSION, course_key)


def _member_ids(submission: Submission) -> set[int]:
    """The learners whose work this is: the learner, or the team's members."""
    if submission.team_id:
        return set(submission.team.members.values_list("pk", flat=True))
    return {submission.learner_id} if submission.learner_id else set()


def _members(submission: Submission) -> list[Any]:
    if submission.team_id:
        return list(submission.team.members.filter(is_active=True).order_by("pk"))
    return [submission.learner] if submission.learner_id and submission.learner.is_active else []


def _is_member(submission: Submission, user: Any) -> bool:
    return _authenticated(user) and user.pk in _member_ids(submission)


def _sees(submission: Submission, user: Any) -> bool:
    """Whether ``user`` may see the submission at all: one of its learners, or a reviewer of its course."""
    return _is_member(submission, user) or _may_review(user, submission.project.course_key)


def _as_reviewer(submission: Submission, user: Any) -> None:
    """Refuse anyone but a reviewer of the course who is not a learner of the submission (404 if they cannot see it)."""
    if _is_member(submission, user):
        raise forbidden(_("You cannot review your own work."))
    if not _may_review(user, submission.project.course_key):
        raise not_found("submission")


def _as_lead(submission: Submission, user: Any) -> None:
    """Refuse anyone but course staff who are not learners of the submission (404 if they cannot see it)."""
    _as_reviewer(submission, user)
    if not _is_lead(user, submission.project.course_key):
        raise forbidden(_("Only the course's staff can do this."))


def _name(user: Any) -> str:
    return host_api.display_name(user) if user is not None else ""


def _people(*relations: str) -> list[str]:
    """``relations`` and, in the LMS, each user's profile beside them (``display_name`` reads the name there), so
    that naming people costs no query per person."""
    has_profile = any(field.name == "profile" and field.is_relation for field in User._meta.get_fields())
    return [path for relation in relations for path in ((relation, f"{relation}__profile") if has_profile
                                                          else (relation,))]


#: What each text field is called in messages (``_text``'s ``field`` is also the error code's stem).
_FIELD_NAMES = {
    "comment": gettext_lazy("The comment"),
    "feedback": gettext_lazy("The feedback"),
    "reason": gettext_lazy("The reason"),
    "body": gettext_lazy("The reply"),
    "text": gettext_lazy("The text"),
}


def _text(value: Any, field: str, max_length: int, *, required: bool = False) -> str:
    name = str(_FIELD_NAMES.get(field, field))
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ReviewsError(f"invalid_{field}", _("{field} must be text.").format(field=name))
    value = value.strip()
    if required and not value:
        raise ReviewsError(f"{field}_required", _("{field} is required.").format(field=name))
    if len(value) > max_length:
        raise ReviewsError(f"{field}_too_long", _("{field} is longer than {max} characters.").format(
            field=name, max=max_length))
    return value


# --- helpers: locking and reading -----------------------------------------------------------------------------------


def _lock(submission_id: Any) -> Submission:
    """
    Lock the submission's row (alone), then read it with its project and team. Inside ``transaction.atomic()``.

    Raises:
        ReviewsError: ``submission_not_found`` (404).
    """
    pk = _pk(submission_id, "submission")
    if Submission.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True).first() is None:
        raise not_found("submission")
    return Submission.objects.select_related("project", "team", *_people("learner")).get(pk=pk)


def _lock_review(review_id: Any, *, details: bool = False) -> tuple[Submission, Review]:
    """
    Lock the submission of a review, then read the review with it (``details``: with its inline comments and files,
    for a caller that answers with the review). Inside ``transaction.atomic()``.

    The locking read joins the review and its version to find the submission, so it locks those two rows as well
    (InnoDB locks every row a locking read joins): only this review's own rows, which its writers lock through the
    same submission anyway. The project, team, claim and people are read after, without a lock, in one query that
    also says which version is the latest (``latest_version_id``) and whether other drafts of the version exist
    (``has_other_drafts``).
    """
    pk = _pk(review_id, "review")
    locked = Submission.objects.select_for_update().filter(versions__reviews__pk=pk).values_list("pk", flat=True)
    if locked.first() is None:
        raise not_found("review")
    latest = SubmissionVersion.objects.filter(submission_id=OuterRef("version__submission_id")).order_by("-number")
    others = Review.objects.filter(version_id=OuterRef("version_id"), released_at__isnull=True).exclude(pk=pk)
    reviews = Review.objects.select_related(
        "version__submission__project", "version__submission__team", "version__submission__claim",
        *_people("version__submission__learner", "reviewer", "confirmed_by"),
    ).annotate(  # what the checks and the release need, read with the review rather than after it
        latest_version_id=Subquery(latest.values("pk")[:1]),
        has_other_drafts=Exists(others),
    )
    if details:
        reviews = reviews.prefetch_related("inline_comments", "files")
    review = reviews.get(pk=pk)
    return review.version.submission, review


def _latest_version(submission: Submission) -> SubmissionVersion | None:
    return SubmissionVersion.objects.filter(submission=submission).order_by("-number").first()


def _released_q() -> Q:
    return Q(released_at__isnull=False)


def _awaiting_q() -> Q:
    return Q(role=Role.SECOND, released_at__isnull=True) & ~Q(outcome="")


def _state(review: Review) -> str:
    if review.released_at is not None:
        return RELEASED
    if review.role == Role.SECOND and review.outcome:
        return AWAITING_CONFIRMATION
    return DRAFT


def _hold_claim(submission: Submission, trainer: Any, now: datetime, *, renew: bool = True) -> Claim:
    """The trainer's valid claim on the submission, renewed (unless it is about to go); refuses without one."""
    try:
        claim = submission.claim  # read with the submission by _lock_review; a query otherwise
    except Claim.DoesNotExist:
        claim = None
    if claim is None or claim.trainer_id != trainer.pk:
        raise ReviewsError("claim_required", _("Claim the submission before reviewing it."), status=409)
    if claim.expires_at <= now:
        raise ReviewsError("claim_expired", _("Your claim on this submission expired: claim it again."), status=409)
    if renew:
        claim.expires_at = now + _claim_duration()
        claim.save(update_fields=["expires_at"])
    return claim


def _draft_of(version: SubmissionVersion, trainer: Any) -> Review | None:
    return (
        Review.objects.filter(version=version, reviewer_id=trainer.pk, released_at__isnull=True, outcome="")
        .order_by("-pk").first()
    )


def _editable_draft(submission: Submission, review: Review, trainer: Any) -> None:
    """Refuse changes to ``review`` unless it is the trainer's draft of the latest version."""
    if review.reviewer_id != trainer.pk:
        raise forbidden(_("Only its reviewer can change a review."))
    if _state(review) != DRAFT:
        raise ReviewsError("review_not_editable", _("This review is no longer a draft."), status=409)
    latest_id = getattr(review, "latest_version_id", None)  # read with the review by _lock_review
    if latest_id is None:
        latest = _latest_version(submission)
        latest_id = latest.pk if latest is not None else None
    if latest_id != review.version_id:
        raise ReviewsError("outdated_version", _("The learner submitted a newer version: review that one."),
                           status=409)


def _free_status(submission: Submission) -> None:
    """A submission in review whose claim was freed and whose latest version has nothing released goes back to
    waiting (unless a second marker's review awaits the lead)."""
    if submission.status != Status.IN_REVIEW:
        return
    latest = _latest_version(submission)
    if latest is not None and Review.objects.filter(Q(version=latest) & (_released_q() | _awaiting_q())).exists():
        return
    submission.status = Status.SUBMITTED
    submission.save(update_fields=["status", "modified"])


# --- helpers: data out ----------------------------------------------------------------------------------------------


def _score_items(criteria: tuple[ReviewCriterion, ...], scores: Mapping[str, Any]) -> tuple[CriterionScore, ...]:
    items = []
    for criterion in criteria:
        entry = scores.get(criterion.key) if isinstance(scores, Mapping) else None
        entry = entry if isinstance(entry, Mapping) else {}
        level = entry.get("level")
        level = level if isinstance(level, int) and 0 <= level < len(criterion.levels) else None
        points = entry.get("points")
        if level is not None and points is None:
            points = criterion.levels[level].points
        items.append(CriterionScore(
            key=criterion.key,
            title=criterion.title,
            level=level,
            level_label=criterion.levels[level].label if level is not None else "",
            points=_number(points) if level is not None else None,
            max_points=criterion.max_points,
            weight=criterion.weight,
            comment=str(entry.get("comment") or ""),
        ))
    return tuple(items)


def _review_info(
    review: Review, project: Project, *, for_member: bool = False, criteria: tuple[ReviewCriterion, ...] | None = None
) -> ReviewInfo:
    """``review`` as its viewer sees it (``for_member``: a learner of the submission). Comments and files come from
    ``review.inline_comments`` and ``review.files`` (prefetched by callers reading many)."""
    state = _state(review)
    version = review.version
    return ReviewInfo(
        id=review.pk,
        submission_id=version.submission_id,
        version_id=version.pk,
        version_number=version.number,
        reviewer_id=review.reviewer_id,
        reviewer_name=_name(review.reviewer),
        role=review.role,
        state=state,
        state_label=str(STATE_LABELS[state]),
        outcome=review.outcome,
        outcome_label=str(Outcome(review.outcome).label) if review.outcome else "",
        scores=_score_items(criteria if criteria is not None else _criteria(project), review.scores or {}),
        feedback=review.feedback,
        points=review.points,
        points_possible=project.points_possible,
        released_at=review.released_at,
        confirmed_by_id=review.confirmed_by_id,
        confirmed_by_name=_name(review.confirmed_by),
        confirmed_at=review.confirmed_at,
        returned_reason="" if for_member else review.returned_reason,
        returned_at=None if for_member else review.returned_at,
        inline_comments=tuple(
            InlineCommentInfo(id=item.pk, start=item.start, end=item.end, quote=item.quote, comment=item.comment)
            for item in sorted(review.inline_comments.all(), key=lambda item: (item.start, item.pk))
        ),
        files=tuple(_file_info(item) for item in sorted(review.files.all(), key=lambda item: item.pk)),
        modified=review.modified,
    )


def _fresh_review(review_id: int, project: Project) -> ReviewInfo:
    review = (
        Review.objects.select_related("version", *_people("reviewer", "confirmed_by"))
        .prefetch_related("inline_comments", "files").get(pk=review_id)
    )
    return _review_info(review, project)


def _url(name: str, **kwargs: Any) -> str:
    try:
        return reverse(f"mentora-reviews:{name}", kwargs=kwargs)
    except NoReverseMatch:  # a site that does not mount reviews' URLs (never the LMS)
        return ""


def _file_info(row: ReviewFile) -> ReviewFileInfo:
    """A feedback file, downloaded through Mentora (which checks who asks), never from a public address."""
    return ReviewFileInfo(
        id=row.pk, review_id=row.review_id, name=row.name, size=row.size,
        url=_url("api-reviewing-review-file", review_id=row.review_id, file_id=row.pk), uploaded_at=row.uploaded_at,
    )


def _claim_info(claim: Claim, review_id: int | None) -> ClaimInfo:
    return ClaimInfo(
        submission_id=claim.submission_id,
        trainer_id=claim.trainer_id,
        trainer_name=_name(claim.trainer),
        claimed_at=claim.claimed_at,
        expires_at=claim.expires_at,
        review_id=review_id,
    )


def _grade_info(row: GradeChange, *, show_actor: bool) -> GradeChangeInfo:
    return GradeChangeInfo(
        id=row.pk,
        submission_id=row.submission_id,
        version_number=row.version.number if row.version_id else None,
        kind=row.kind,
        kind_label=str(GRADE_CHANGE_LABELS.get(row.kind, row.kind)),
        old_points=row.old_points,
        new_points=row.new_points,
        points_possible=row.points_possible,
        actor_id=row.actor_id if show_actor else None,
        actor_name=_name(row.actor) if show_actor else "",
        reason=row.reason,
        at=row.at,
    )


def _reply_info(row: FeedbackReply, member_ids: set[int]) -> ReplyInfo:
    return ReplyInfo(
        id=row.pk,
        version_id=row.version_id,
        author_id=row.author_id,
        author_name=_name(row.author),
        by_reviewer=row.author_id is not None and row.author_id not in member_ids,
        body=row.body,
        created=row.created,
    )


# --- claims ---------------------------------------------------------------------------------------------------------


def claim_submission(trainer: Any, submission_id: int) -> ClaimInfo:
    """
    Claim a submission waiting for review (or renew one's own claim), so that no other trainer reviews it meanwhile,
    and start (or find) the trainer's draft review of its latest version.

    Args:
        trainer: a trainer or staff member of the project's course, not a learner of the submission.
        submission_id: the submission.

    Returns:
        The claim, valid for ``MENTORA_REVIEWS_CLAIM_MINUTES``, with the trainer's draft review.

    Raises:
        ReviewsError: ``submission_not_found`` (404, also for whoever may not see it); ``permission_denied`` (403:
            one's own work); ``already_claimed`` (409) while another trainer's claim is valid; ``not_submitted``,
            ``already_reviewed`` or ``awaiting_confirmation`` (409) when it does not wait for a review.
    """
    now = timezone.now()
    with transaction.atomic():
        submission = _lock(submission_id)
        _as_reviewer(submission, trainer)
        if submission.status == Status.DRAFT:
            raise ReviewsError("not_submitted", _("This work has not been submitted yet."), status=409)
        if submission.status in (Status.APPROVED, Status.CHANGES_REQUESTED):
            raise ReviewsError("already_reviewed", _("The latest version is already reviewed."), status=409)
        latest = _latest_version(submission)
        if latest is None:
            raise ReviewsError("not_submitted", _("This work has not been submitted yet."), status=409)
        reviews = list(Review.objects.filter(version=latest).order_by("-pk"))  # a handful: read once, sorted here
        if any(_state(review) == RELEASED for review in reviews):
            raise ReviewsError("already_reviewed", _("The latest version is already reviewed."), status=409)
        if any(_state(review) == AWAITING_CONFIRMATION for review in reviews):
            raise ReviewsError(
                "awaiting_confirmation", _("A review of this version awaits the lead trainer's confirmation."),
                status=409,
            )
        claim = Claim.objects.select_related(*_people("trainer")).filter(submission=submission).first()
        if claim is not None and claim.trainer_id != trainer.pk and claim.expires_at > now:
            raise ReviewsError(
                "already_claimed",
                _("{name} is reviewing this submission (claimed until {until:%H:%M} UTC).").format(
                    name=_name(claim.trainer), until=claim.expires_at),
                status=409,
            )
        expires = now + _claim_duration()
        if claim is None:  # the submission's row lock serialises claims: no other claim can appear meanwhile
            insert_ignoring_conflicts(Claim(submission=submission, trainer_id=trainer.pk, claimed_at=now,
                                            expires_at=expires))
            claim = Claim(submission=submission, trainer=trainer, claimed_at=now, expires_at=expires)
        elif claim.trainer_id == trainer.pk and claim.expires_at > now:
            Claim.objects.filter(pk=claim.pk).update(expires_at=expires)
            claim.expires_at = expires
        else:  # an expired claim, free for anyone (its holder included)
            Claim.objects.filter(pk=claim.pk).update(trainer_id=trainer.pk, claimed_at=now, expires_at=expires)
            claim.trainer, claim.claimed_at, claim.expires_at = trainer, now, expires
        if submission.status != Status.IN_REVIEW:
            submission.status = Status.IN_REVIEW
            submission.save(update_fields=["status", "modified"])
        draft = next((review for review in reviews  # as _draft_of finds it, newest first
                      if review.reviewer_id == trainer.pk and review.released_at is None and not review.outcome), None)
        if draft is None:
            draft = Review.objects.create(version=latest, reviewer_id=trainer.pk, role=Role.MARKER)
        return _claim_info(claim, draft.pk)


def release_claim(user: Any, submission_id: int) -> None:
    """
    Free a claim: its holder gives the submission back to the queue, or course staff free a forgotten one. The
    holder's draft is kept (claiming again continues it). With nothing released on the latest version, the
    submission waits for review again.

    Args:
        user: the claim's holder, or course staff.
        submission_id: the submission.

    Raises:
        ReviewsError: ``submission_not_found`` (404); ``permission_denied`` (403) for another trainer's claim;
            ``not_claimed`` (409) when nobody holds it.
    """
    with transaction.atomic():
        submission = _lock(submission_id)
        _as_reviewer(submission, user)
        claim = Claim.objects.filter(submission=submission).first()
        if claim is None:
            raise ReviewsError("not_claimed", _("Nobody has claimed this submission."), status=409)
        if claim.trainer_id != user.pk and not _is_lead(user, submission.project.course_key):
            raise forbidden(_("Only the trainer who claimed it, or the course's staff, can free this claim."))
        claim.delete()
        _free_status(submission)


def release_expired_claims(now: datetime | None = None) -> int:
    """
    Delete the claims that expired and put their submissions back in the queue (when nothing was released). For a
    periodic task: an expired claim is free anyway, this only tidies the statuses.

    Args:
        now: the time to compare with (default: now).

    Returns:
        How many claims were freed.
    """
    now = now or timezone.now()
    freed = 0
    for submission_id in list(Claim.objects.filter(expires_at__lte=now).values_list("submission_id", flat=True)):
        with transaction.atomic():
            try:
                submission = _lock(submission_id)
            except ReviewsError:
                continue
            if Claim.objects.filter(submission=submission, expires_at__lte=now).delete()[0]:
                freed += 1
                _free_status(submission)
    return freed


# --- scoring --------------------------------------------------------------------------------------------------------


def _clean_scores(criteria: tuple[ReviewCriterion, ...], scores: Any, *, complete: bool) -> dict[str, dict]:
    """
    Scores as stored: ``{key: {"level": index or None, "points": level points or None, "comment": str}}``.

    Raises:
        ReviewsError: ``invalid_scores``, ``unknown_criterion``, ``invalid_level``, ``comment_too_long``,
            ``scores_incomplete`` (with ``complete``: every criterion needs a level) (400).
    """
    if scores is None:
        scores = {}
    if not isinstance(scores, Mapping):
        raise ReviewsError("invalid_scores", _("Scores are given per criterion of the rubric."))
    by_key = {criterion.key: criterion for criterion in criteria}
    clean: dict[str, dict] = {}
    for key, value in scores.items():
        criterion = by_key.get(str(key))
        if criterion is None:
            raise ReviewsError("unknown_criterion", _("The rubric has no criterion “{key}”.").format(key=str(key)[:64]))
        if isinstance(value, int) and not isinstance(value, bool):
            value = {"level": value}
        if value is None:
            value = {}
        if not isinstance(value, Mapping):
            raise ReviewsError("invalid_scores", _("Score “{title}” with a level and a comment.").format(
                title=criterion.title))
        level = value.get("level")
        if level == "":
            level = None
        if level is not None:
            if isinstance(level, bool) or not isinstance(level, int | str):
                level = -1
            try:
                level = int(level)
            except ValueError:
                level = -1
            if not 0 <= level < len(criterion.levels):
                raise ReviewsError("invalid_level", _("Choose one of the levels of “{title}”.").format(
                    title=criterion.title))
        comment = value.get("comment") or ""
        if not isinstance(comment, str):
            raise ReviewsError("invalid_comment", _("A comment is text."))
        comment = comment.strip()
        if len(comment) > COMMENT_MAX_LENGTH:
            raise ReviewsError("comment_too_long", _("The comment on “{title}” is longer than {max} characters.")
                               .format(title=criterion.title, max=COMMENT_MAX_LENGTH))
        if level is None and not comment:
            continue
        clean[criterion.key] = {
            "level": level,
            "points": criterion.levels[level].points if level is not None else None,
            "comment": comment,
        }
    if complete:
        missing = [criterion.title for criterion in criteria if clean.get(criterion.key, {}).get("level") is None]
        if missing:
            raise ReviewsError("scores_incomplete", _("Score every criterion before releasing: {missing}.").format(
                missing=", ".join(missing)))
    return clean


def locate_passage(text: str, quote: str, *, near: int | None = None, occurrence: int | None = None) -> tuple[int, int]:
    """
    Where ``quote`` is in ``text``: how an inline comment is anchored by quoting the passage (no mouse needed).

    Spaces and line breaks in the quote match any run of white space; when nothing matches exactly, the case is
    ignored. With several matches: the ``occurrence``-th (from 1), else the one nearest ``near``, else the first.

    Args:
        text: the version's text.
        quote: the passage, as the reviewer typed or copied it.
        near: a character offset the passage should be close to (from a selection).
        occurrence: which match, from 1.

    Returns:
        ``(start, end)`` offsets into ``text``.

    Raises:
        ReviewsError: ``quote_required``, ``passage_not_found`` (400).
    """
    words = (quote or "").split()
    if not words:
        raise ReviewsError("quote_required", _("Quote the passage to comment on."))
    pattern = r"\s+".join(re.escape(word) for word in words)
    matches = list(re.finditer(pattern, text)) or list(re.finditer(pattern, text, re.IGNORECASE))
    if not matches:
        raise ReviewsError("passage_not_found", _("The text does not contain “{quote}”.").format(
            quote=" ".join(words)[:80]))
    if occurrence is not None:
        if isinstance(occurrence, bool) or not isinstance(occurrence, int) or not 1 <= occurrence <= len(matches):
            raise ReviewsError("passage_not_found", _(
                "The passage occurs {count} time(s) in the text: choose an occurrence from 1 to {count}."
            ).format(count=len(matches)))
        match = matches[occurrence - 1]
    elif near is not None:
        match = min(matches, key=lambda found: abs(found.start() - near))
    else:
        match = matches[0]
    return match.start(), match.end()


def _anchor(text: str, item: Mapping[str, Any]) -> tuple[int, int]:
    """The offsets of an inline comment given as ``{start, end}``, ``{quote}``, or both (the quote wins)."""
    start, end = item.get("start"), item.get("end")
    quote = item.get("quote") or ""
    occurrence = item.get("occurrence")
    offsets_given = all(isinstance(value, int) and not isinstance(value, bool) for value in (start, end))
    if quote:
        if not isinstance(quote, str):
            raise ReviewsError("invalid_anchor", _("A quoted passage is text."))
        if offsets_given and 0 <= start < end <= len(text) and text[start:end] == quote and occurrence is None:
            return start, end
        return locate_passage(text, quote, near=start if offsets_given else None, occurrence=occurrence)
    if not offsets_given:
        raise ReviewsError("invalid_anchor", _("Anchor the comment to a passage: its start and end, or a quote."))
    if not 0 <= start < end <= len(text):
        raise ReviewsError("invalid_anchor", _(
            "A passage starts at 0 or later and ends after its start, at most at {length}."
        ).format(length=len(text)))
    return start, end


def _clean_inline(text: str, items: Any) -> list[InlineComment]:
    if not isinstance(items, list | tuple):
        raise ReviewsError("invalid_inline_comments", _("Inline comments are a list."))
    if items and not text:
        raise ReviewsError("no_text", _("This version has no text to comment on."))
    if len(items) > INLINE_COMMENTS_MAX:
        raise ReviewsError("too_many_inline_comments", _("A review has at most {max} inline comments.").format(
            max=INLINE_COMMENTS_MAX))
    rows = []
    for item in items:
        if not isinstance(item, Mapping):
            raise ReviewsError("invalid_inline_comments", _("Each inline comment has a passage and a comment."))
        comment = _text(item.get("comment"), "comment", COMMENT_MAX_LENGTH, required=True)
        start, end = _anchor(text, item)
        rows.append(InlineComment(start=start, end=end, quote=text[start:end], comment=comment))
    return rows


def get_draft_review(trainer: Any, submission_id: int) -> ReviewInfo | None:
    """
    The trainer's draft review of the submission's latest version (None when they have none).

    Raises:
        ReviewsError: ``submission_not_found`` (404); ``permission_denied`` (403: one's own work).
    """
    submission = Submission.objects.select_related("project", "team").filter(
        pk=_pk(submission_id, "submission")).first()
    if submission is None:
        raise not_found("submission")
    _as_reviewer(submission, trainer)
    latest = _latest_version(submission)
    draft = _draft_of(latest, trainer) if latest else None
    return _fresh_review(draft.pk, submission.project) if draft else None


def save_review(
    trainer: Any,
    submission_id: int,
    *,
    scores: Mapping[str, Any] | None,
    feedback: str = "",
    inline_comments: Iterable[Mapping[str, Any]] | None = None,
) -> ReviewInfo:
    """
    Save the trainer's draft review of the submission's latest version (and renew their claim). A draft may leave
    criteria unscored; releasing needs them all.

    Args:
        trainer: the holder of a valid claim on the submission.
        submission_id: the submission.
        scores: ``{criterion_key: {"level": index into the criterion's levels, "comment": str}}`` (replaces the
            draft's scores; a criterion with neither is left out).
        feedback: overall feedback in Markdown, at most 20000 characters.
        inline_comments: ``[{"start", "end", "comment"}]`` offsets into the version's text, or ``{"quote",
            "comment"}`` (optionally ``occurrence``) located in it; replaces the draft's inline comments. None keeps
            them as they are.

    Returns:
        The draft.

    Raises:
        ReviewsError: ``submission_not_found`` (404); ``permission_denied`` (403); ``claim_required``,
            ``claim_expired``, ``review_not_editable`` (409); ``invalid_scores``, ``unknown_criterion``,
            ``invalid_level``, ``comment_too_long``, ``feedback_too_long``, ``invalid_anchor``, ``quote_required``,
            ``passage_not_found``, ``no_text`` (400).
    """
    now = timezone.now()
    with transaction.atomic():
        submission = _lock(submission_id)
        _as_reviewer(submission, trainer)
        _hold_claim(submission, trainer, now)
        project = submission.project
        clean_scores = _clean_scores(_criteria(project), scores, complete=False)
        feedback = _text(feedback, "feedback", FEEDBACK_MAX_LENGTH)
        latest = _latest_version(submission)
        if latest is None:
            raise ReviewsError("not_submitted", _("This work has not been submitted yet."), status=409)
        rows = None if inline_comments is None else _clean_inline(latest.text, list(inline_comments))
        review = _draft_of(latest, trainer)
        if review is None:
            review = Review(version=latest, reviewer_id=trainer.pk, role=Role.MARKER)
        review.scores = clean_scores
        review.feedback = feedback
        review.save()
        if rows is not None:
            InlineComment.objects.filter(review=review).delete()
            for row in rows:
                row.review = review
            InlineComment.objects.bulk_create(rows)
        review.version, review.reviewer = latest, trainer  # in hand: no need to read the review again
        return _review_info(review, project)


def add_inline_comment(
    trainer: Any,
    submission_id: int,
    *,
    comment: str,
    start: int | None = None,
    end: int | None = None,
    quote: str = "",
    occurrence: int | None = None,
) -> InlineCommentInfo:
    """
    Anchor one comment to a passage of the latest version's text, in the trainer's draft: by offsets (a selection)
    or by quoting the passage, which is located in the text (see ``locate_passage``).

    Returns:
        The comment, with the passage it is anchored to.

    Raises:
        ReviewsError: as ``save_review``; ``too_many_inline_comments`` (400).
    """
    now = timezone.now()
    with transaction.atomic():
        submission = _lock(submission_id)
        _as_reviewer(submission, trainer)
        _hold_claim(submission, trainer, now)
        latest = _latest_version(submission)
        if latest is None:
            raise ReviewsError("not_submitted", _("This work has not been submitted yet."), status=409)
        item = {"comment": comment, "start": start, "end": end, "quote": quote, "occurrence": occurrence}
        row = _clean_inline(latest.text, [item])[0]
        review = _draft_of(latest, trainer)
        if review is None:
            review = Review.objects.create(version=latest, reviewer_id=trainer.pk, role=Role.MARKER)
        if InlineComment.objects.filter(review=review).count() >= INLINE_COMMENTS_MAX:
            raise ReviewsError("too_many_inline_comments", _("A review has at most {max} inline comments.").format(
                max=INLINE_COMMENTS_MAX))
        row.review = review
        row.save()
        Review.objects.filter(pk=review.pk).update(modified=now)
        return InlineCommentInfo(id=row.pk, start=row.start, end=row.end, quote=row.quote, comment=row.comment)


def remove_inline_comment(trainer: Any, comment_id: int) -> None:
    """
    Remove an inline comment from the trainer's draft.

    Raises:
        ReviewsError: ``inline_comment_not_found`` (404, also for someone else's); ``claim_required``,
            ``claim_expired``, ``review_not_editable`` (409).
    """
    pk = _pk(comment_id, "inline_comment")
    review_id = InlineComment.objects.filter(pk=pk).values_list("review_id", flat=True).first()
    if review_id is None:
        raise not_found("inline_comment")
    with transaction.atomic():
        submission, review = _lock_review(review_id)
        if review.reviewer_id != getattr(trainer, "pk", None):
            raise not_found("inline_comment")
        _as_reviewer(submission, trainer)
        _editable_draft(submission, review, trainer)
        _hold_claim(submission, trainer, timezone.now())
        InlineComment.objects.filter(pk=pk, review=review).delete()


# --- feedback files -------------------------------------------------------------------------------------------------


def _upload_size(upload: Any) -> int:
    size = getattr(upload, "size", None)
    return size if isinstance(size, int) else File(upload).size


def _stored_name(name: str) -> tuple[str, str]:
    """The name shown (the uploader's, shortened) and a safe unique stored name; refuses other types."""
    shown = os.path.basename(str(name or "").replace("\\", "/")).strip() or "feedback"
    stem, extension = os.path.splitext(shown)
    extension = extension.lower().lstrip(".")
    if extension not in FEEDBACK_FILE_EXTENSIONS:
        raise ReviewsError("file_type_not_allowed", _("A feedback file is one of: {types}.").format(
            types=", ".join(FEEDBACK_FILE_EXTENSIONS)))
    try:
        safe = get_valid_filename(stem)[:40]
    except SuspiciousFileOperation:  # Django refuses names like ".."
        safe = ""
    return shown[-255:], f"{uuid.uuid4().hex[:12]}-{safe or 'feedback'}.{extension}"


def _check_content(upload: Any, extension: str) -> None:
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read()
    if hasattr(upload, "seek"):
        upload.seek(0)
    mismatch = ReviewsError("file_content_mismatch", _(
        "The file's content does not match its type “.{extension}”.").format(extension=extension))
    if extension in _MAGIC:
        if not data.startswith(_MAGIC[extension]):
            raise mismatch
        if extension in ("zip", "docx") and not zipfile.is_zipfile(io.BytesIO(data)):
            raise mismatch
    else:  # txt, md
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise mismatch from None
        if b"\x00" in data:
            raise mismatch


def attach_feedback_file(trainer: Any, review_id: int, uploaded_file: Any) -> ReviewFileInfo:
    """
    Attach a feedback file (an annotated copy, a worked example) to the trainer's draft review. Checked on the
    server: at most 10 MB, of type pdf, png, jpg, jpeg, txt, md, zip or docx with matching content, at most 5 files.

    Args:
        trainer: the review's author, holding a valid claim.
        review_id: their draft.
        uploaded_file: a Django ``UploadedFile`` (or any file object with a name).

    Returns:
        The stored file.

    Raises:
        ReviewsError: ``review_not_found`` (404); ``permission_denied`` (403); ``claim_required``,
            ``claim_expired``, ``review_not_editable``, ``outdated_version`` (409); ``file_required``,
            ``file_too_large``, ``file_type_not_allowed``, ``file_content_mismatch``, ``too_many_files`` (400).
    """
    if uploaded_file is None:
        raise ReviewsError("file_required", _("Choose a file to attach."))
    shown, stored = _stored_name(getattr(uploaded_file, "name", ""))
    size = _upload_size(uploaded_file)
    if size > FEEDBACK_FILE_MAX_BYTES:
        raise ReviewsError("file_too_large", _("A feedback file is at most {size} MB.").format(
            size=FEEDBACK_FILE_MAX_BYTES // (1024 * 1024)))
    _check_content(uploaded_file, stored.rsplit(".", 1)[1])
    now = timezone.now()
    with transaction.atomic():
        submission, review = _lock_review(review_id)
        _as_reviewer(submission, trainer)
        _editable_draft(submission, review, trainer)
        _hold_claim(submission, trainer, now)
        if ReviewFile.objects.filter(review=review).count() >= FEEDBACK_FILES_MAX:
            raise ReviewsError("too_many_files", _("A review has at most {max} feedback files.").format(
                max=FEEDBACK_FILES_MAX))
        row = ReviewFile(review=review, name=shown, size=size, uploaded_at=now)
        row.file.save(stored, File(uploaded_file), save=False)
        try:
            row.save()
        except Exception:
            row.file.delete(save=False)  # nothing refers to it
            raise
        return _file_info(row)


def remove_feedback_file(trainer: Any, review_id: int, file_id: int) -> None:
    """
    Remove a feedback file from the trainer's draft review (and from storage).

    Raises:
        ReviewsError: ``review_not_found``, ``review_file_not_found`` (404); ``permission_denied`` (403);
            ``claim_required``, ``claim_expired``, ``review_not_editable`` (409).
    """
    file_pk = _pk(file_id, "review_file")
    with transaction.atomic():
        submission, review = _lock_review(review_id)
        _as_reviewer(submission, trainer)
        _editable_draft(submission, review, trainer)
        _hold_claim(submission, trainer, timezone.now())
        row = ReviewFile.objects.filter(pk=file_pk, review=review).first()
        if row is None:
            raise not_found("review_file")
        name = row.file.name
        row.delete()
        _delete_files_on_commit([name])


def open_feedback_file(viewer: Any, review_id: int, file_id: int) -> FileContent:
    """
    A feedback file, opened, for whoever may read its review: the learner (or a team member) once the review is
    released; reviewers of the course.

    Args:
        viewer: who asks.
        review_id: the review.
        file_id: one of its files.

    Returns:
        The file to send (the caller closes it, or lets the response do it).

    Raises:
        ReviewsError: ``review_file_not_found`` (404), also for anyone who may not read it.
    """
    row = ReviewFile.objects.select_related(
        "review__version__submission__project", "review__version__submission__team"
    ).filter(pk=_pk(file_id, "review_file"), review_id=_pk(review_id, "review_file")).first()
    if row is None:
        raise not_found("review_file")
    review = row.review
    submission = review.version.submission
    if _is_member(submission, viewer):
        if review.released_at is None:
            raise not_found("review_file")
    elif not _may_review(viewer, submission.project.course_key):
        raise not_found("review_file")
    try:
        handle = row.file.storage.open(row.file.name, "rb")
    except OSError:
        raise not_found("review_file") from None
    content_type = mimetypes.guess_type(row.name)[0] or "application/octet-stream"
    return FileContent(name=row.name, content_type=content_type, size=row.size, file=handle)


def _delete_files_on_commit(names: list[str]) -> None:
    """Delete stored files once the transaction that stopped referring to them commits."""
    from django.core.files.storage import default_storage

    def delete() -> None:
        for name in names:
            try:
                default_storage.delete(name)
            except OSError:  # already gone: nothing to do
                log.warning("Could not delete the stored file %s", name)

    transaction.on_commit(delete)


# --- release --------------------------------------------------------------------------------------------------------


def _release(
    submission: Submission, review: Review, version: SubmissionVersion, actor: Any, now: datetime
) -> None:
    """
    Release ``review`` (locked, fresh, with outcome and points set): the submission's status, the grade, the
    trainer's activity and the learners' notification. The claim goes; other drafts of the version are deleted.

    Only an approval grades. A request for changes sets the status and leaves the grade alone, so that an improved
    version sent back for changes (``resubmit_after_approval``) keeps the earlier approval's grade in the gradebook
    and on ``points_earned``.
    """
    project = submission.project
    review.released_at = now
    review.save()
    Claim.objects.filter(submission=submission).delete()
    drafts = Review.objects.filter(version=version, released_at__isnull=True).exclude(pk=review.pk)
    others = list(drafts.values_list("pk", flat=True)) if getattr(review, "has_other_drafts", True) else []
    if others:  # other trainers' drafts of this version are moot now
        names = list(ReviewFile.objects.filter(review__in=others).values_list("file", flat=True))
        Review.objects.filter(pk__in=others).delete()
        if names:
            _delete_files_on_commit(names)
    approved = review.outcome == Outcome.APPROVED
    submission.status = Status.APPROVED if approved else Status.CHANGES_REQUESTED
    if approved and project.graded:
        _grade(submission, version, review.points, actor, RELEASE, "", now, policy=_grade_policy())
    submission.save(update_fields=["status", "points_earned", "modified"])
    members = _members(submission)
    _record_activity(submission, review, version, members, now)
    _notify_learners(submission, review, members)
    signals.announce_review_released(
        review_id=review.pk, submission_id=submission.pk, usage_key=project.usage_key, course_key=project.course_key,
        learner_ids=[member.pk for member in members], outcome=review.outcome, points=review.points or 0.0,
        points_possible=project.points_possible, released_at=now,
    )


def _grade(
    submission: Submission,
    version: SubmissionVersion,
    points: float,
    actor: Any,
    kind: str,
    reason: str,
    now: datetime,
    *,
    policy: str,
) -> GradeChange | None:
    """
    Set the grade through edx-submissions, as ``policy`` says (``latest``, ``highest``; ``override`` always sets),
    on the version's edx-submissions submission (each member's, for a team), and audit the change. Returns the
    ``GradeChange``, or None when the policy keeps the current grade (``highest`` and a grade that is not higher:
    then neither edx-submissions nor ``points_earned`` changes). ``submission.points_earned`` is set here and saved
    by the caller (with whatever else it changes).

    Raises:
        ReviewsError: ``not_in_gradebook`` (409) when the version was not recorded in edx-submissions.
    """
    project = submission.project
    old = submission.points_earned
    if policy == "highest" and old is not None and points <= old:
        return None
    uuids = [str(value) for value in (version.edx_submission_uuids or []) if value] or (
        [version.edx_submission_uuid] if version.edx_submission_uuid else []
    )
    if not uuids:
        raise ReviewsError("not_in_gradebook", _("This version was not recorded for the gradebook."), status=409)
    annotation = {}
    if kind == OVERRIDE:
        annotation = {
            "annotation_creator": f"mentora:{getattr(actor, 'pk', '')}",
            "annotation_type": "staff_override",
            "annotation_reason": reason[:1000],
        }
    for edx_uuid in uuids:  # a team's version was recorded once per member: each member's gradebook
        submissions_api.set_score(edx_uuid, _gradebook_points(points), project.points_possible, **annotation)
    submission.points_earned = points
    return GradeChange.objects.create(
        submission=submission,
        version=version,
        old_points=old,
        new_points=points,
        points_possible=project.points_possible,
        actor_id=getattr(actor, "pk", None),
        reason=reason,
        kind=kind,
        at=now,
    )


def _record_activity(
    submission: Submission, review: Review, version: SubmissionVersion, members: list[Any], now: datetime
) -> None:
    """The reviewer's activity for their level, with the turnaround from submission to release."""
    if review.reviewer_id is None:
        return
    turnaround = max(0, int((now - version.submitted_at).total_seconds()))
    course_key = submission.project.course_key
    if submission.team_id:
        for member in members:
            trainers_api.record_activity(
                "review", f"{review.pk}:{member.pk}", review.reviewer_id, member, course_key, now,
                turnaround_seconds=turnaround,
            )
    else:
        trainers_api.record_activity(
            "review", review.pk, review.reviewer_id, submission.learner_id, course_key, now,
            turnaround_seconds=turnaround,
        )


def _notify_learners(submission: Submission, review: Review, members: list[Any]) -> None:
    for learner in members:
        notifications.notify(
            "review_released", learner, f"released:{review.pk}:{learner.pk}",
            project=submission.project.title, outcome=review.outcome, submission_id=submission.pk,
            review_id=review.pk,
        )


def release_review(trainer: Any, review_id: int, outcome: str) -> ReviewInfo:
    """
    Release the trainer's review with an outcome: ``approved`` (graded, when the project is) or
    ``changes_requested`` (feedback required; the learner may resubmit, and the gradebook keeps what it had).

    Every criterion must be scored. On a project with a second marker, a trainer who is not course staff only
    submits the review for confirmation: it awaits the lead (``confirm_review`` / ``return_review``), nothing is
    released yet and the claim is freed.

    Args:
        trainer: the review's author, holding a valid claim.
        review_id: their draft of the latest version.
        outcome: ``approved`` or ``changes_requested``.

    Returns:
        The review, released or awaiting confirmation.

    Raises:
        ReviewsError: ``review_not_found`` (404); ``permission_denied`` (403); ``claim_required``,
            ``claim_expired``, ``review_not_editable``, ``outdated_version``, ``not_in_gradebook`` (409);
            ``invalid_outcome``, ``scores_incomplete``, ``feedback_required`` (400).
    """
    if outcome not in Outcome.values:
        raise ReviewsError("invalid_outcome", _("The outcome is “approved” or “changes_requested”."))
    now = timezone.now()
    with transaction.atomic():
        submission, review = _lock_review(review_id, details=True)
        _as_reviewer(submission, trainer)
        _editable_draft(submission, review, trainer)
        _hold_claim(submission, trainer, now, renew=False)  # released or handed to the lead: the claim goes
        project = submission.project
        criteria = _criteria(project)
        review.scores = _clean_scores(criteria, review.scores, complete=True)
        if outcome == Outcome.CHANGES_REQUESTED and not review.feedback.strip():
            raise ReviewsError("feedback_required", _("Say what to change in the overall feedback."))
        review.outcome = outcome
        review.points = review_points(criteria, review.scores, project.points_possible)
        if project.second_marker and not _is_lead(trainer, project.course_key):
            review.role = Role.SECOND
            review.save()
            Claim.objects.filter(submission=submission).delete()
        else:
            review.role = Role.MARKER
            _release(submission, review, review.version, trainer, now)
        return _review_info(review, project)


def _awaiting(submission: Submission, review: Review) -> None:
    if _state(review) != AWAITING_CONFIRMATION:
        raise ReviewsError("not_awaiting_confirmation", _("This review does not await confirmation."), status=409)
    latest = _latest_version(submission)
    if latest is None or latest.pk != review.version_id:
        raise ReviewsError("outdated_version", _("The learner submitted a newer version: review that one."),
                           status=409)


def confirm_review(lead: Any, review_id: int) -> ReviewInfo:
    """
    Confirm a second marker's review: it is released as its marker wrote it (grade, activity, notification), with
    the lead recorded in ``confirmed_by``.

    Args:
        lead: course staff (``mentora_reviews.manage_project``), not a learner of the submission.
        review_id: a review awaiting confirmation.

    Returns:
        The released review.

    Raises:
        ReviewsError: ``review_not_found`` (404); ``permission_denied`` (403); ``not_awaiting_confirmation``,
            ``outdated_version``, ``not_in_gradebook`` (409).
    """
    now = timezone.now()
    with transaction.atomic():
        submission, review = _lock_review(review_id, details=True)
        _as_lead(submission, lead)
        _awaiting(submission, review)
        review.confirmed_by = lead
        review.confirmed_at = now
        _release(submission, review, review.version, lead, now)
        return _review_info(review, submission.project)


def return_review(lead: Any, review_id: int, reason: str) -> ReviewInfo:
    """
    Send a second marker's review back to its marker with a reason: a draft again, claimed by its marker (for
    ``MENTORA_REVIEWS_CLAIM_MINUTES``) so that they revise and release it again. The learner sees nothing of it.

    Args:
        lead: course staff, not a learner of the submission.
        review_id: a review awaiting confirmation.
        reason: what to revise (required, at most 5000 characters).

    Returns:
        The review, a draft again.

    Raises:
        ReviewsError: ``review_not_found`` (404); ``permission_denied`` (403); ``not_awaiting_confirmation``,
            ``outdated_version`` (409); ``reason_required``, ``reason_too_long`` (400).
    """
    reason = _text(reason, "reason", COMMENT_MAX_LENGTH, required=True)
    now = timezone.now()
    with transaction.atomic():
        submission, review = _lock_review(review_id, details=True)
        _as_lead(submission, lead)
        _awaiting(submission, review)
        review.outcome = ""
        review.points = None
        review.returned_reason = reason
        review.returned_by_id = lead.pk
        review.returned_at = now
        review.save()
        if review.reviewer_id is not None and review.reviewer.is_active:
            Claim.objects.filter(submission=submission).delete()
            insert_ignoring_conflicts(Claim(
                submission=submission, trainer_id=review.reviewer_id, claimed_at=now, expires_at=now + _claim_duration()
            ))
        else:
            _free_status(submission)
        return _review_info(review, submission.project)


def list_awaiting_confirmation(lead: Any, *, course_key: Any = None) -> list[ReviewInfo]:
    """
    The second markers' reviews waiting for confirmation in the courses where ``lead`` is staff, oldest first.

    Args:
        lead: course staff.
        course_key: only this course.

    Returns:
        The reviews (as reviewers see them).
    """
    if not _authenticated(lead):
        return []
    reviews = (
        Review.objects.filter(_awaiting_q())
        .select_related("version__submission__project", *_people("reviewer", "confirmed_by"))
        .prefetch_related("inline_comments", "files")
        .order_by("modified", "pk")
    )
    if course_key is not None:
        reviews = reviews.filter(version__submission__project__course_key=host_api.parse_course_key(course_key))
    found = []
    for review in reviews:
        project = review.version.submission.project
        if _is_lead(lead, project.course_key):
            found.append(_review_info(review, project))
    return found


# --- grades ---------------------------------------------------------------------------------------------------------


def override_grade(actor: Any, submission_id: int, points: Any, reason: str) -> GradeChangeInfo:
    """
    Set a submission's grade by hand (course staff), with a reason: through edx-submissions, whatever the policy,
    audited as an ``override``.

    Args:
        actor: course staff, not a learner of the submission.
        submission_id: a submitted piece of work of a graded project.
        points: from 0 to the project's ``points_possible`` (rounded to 2 decimals).
        reason: why (required, at most 5000 characters).

    Returns:
        The grade change.

    Raises:
        ReviewsError: ``submission_not_found`` (404); ``permission_denied`` (403); ``not_graded``,
            ``not_submitted``, ``not_in_gradebook`` (409); ``invalid_points``, ``reason_required``,
            ``reason_too_long`` (400).
    """
    reason = _text(reason, "reason", COMMENT_MAX_LENGTH, required=True)
    try:
        value = float(Decimal(str(points))) if not isinstance(points, bool) else None
    except (InvalidOperation, ValueError, TypeError):
        value = None
    now = timezone.now()
    with transaction.atomic():
        submission = _lock(submission_id)
        _as_lead(submission, actor)
        project = submission.project
        if not project.graded:
            raise ReviewsError("not_graded", _("This project does not count in the grade."), status=409)
        if value is None or value != value or not 0 <= value <= project.points_possible:
            raise ReviewsError("invalid_points", _("The grade is from 0 to {max} points.").format(
                max=project.points_possible))
        version = (
            SubmissionVersion.objects.filter(submission=submission).exclude(edx_submission_uuid="")
            .order_by("-number").first()
        )
        if version is None:
            if _latest_version(submission) is None:
                raise ReviewsError("not_submitted", _("This work has not been submitted yet."), status=409)
            raise ReviewsError("not_in_gradebook", _("This version was not recorded for the gradebook."), status=409)
        change = _grade(submission, version, _round2(value), actor, OVERRIDE, reason, now, policy=OVERRIDE)
        submission.save(update_fields=["points_earned", "modified"])
        return _grade_info(change, show_actor=True)


def grade_history(submission_id: int, viewer: Any) -> list[GradeChangeInfo]:
    """
    Every change of a submission's grade, oldest first.

    Args:
        submission_id: the submission.
        viewer: its learner (or a team member), who sees what changed and why but not who changed it; or a
            reviewer of the course, who sees everything.

    Returns:
        The grade changes.

    Raises:
        ReviewsError: ``submission_not_found`` (404), also for anyone else.
    """
    submission = Submission.objects.select_related("project", "team").filter(
        pk=_pk(submission_id, "submission")).first()
    if submission is None or not _sees(submission, viewer):
        raise not_found("submission")
    show_actor = not _is_member(submission, viewer)
    rows = GradeChange.objects.filter(submission=submission).select_related("version", *_people("actor")).order_by(
        "at", "pk")
    return [_grade_info(row, show_actor=show_actor) for row in rows]


def rubric_result(learner: Any, usage_key: Any) -> RubricResult | None:
    """
    The rubric result of a learner's approved work on a project (for badges' criteria such as "scored at least X on
    project P"): the approved, released review of their (or their team's) submission whose grade the gradebook
    keeps by ``MENTORA_REVIEWS_GRADE_POLICY``, the latest or the highest (a staff override changes the grade, not
    the rubric result).

    Args:
        learner: the learner.
        usage_key: the project block's usage key (or its string).

    Returns:
        The result, or None when nothing of theirs was approved.
    """
    if not _authenticated(learner) and not isinstance(learner, int):
        return None
    try:
        key = UsageKey.from_string(str(usage_key))
    except InvalidKeyError:
        return None
    project = Project.objects.filter(usage_key=key).first()
    if project is None:
        return None
    learner_id = host_api._user_id(learner)
    review = (
        Review.objects.filter(
            Q(version__submission__learner_id=learner_id) | Q(version__submission__team__members=learner_id),
            version__submission__project=project,
            outcome=Outcome.APPROVED,
            released_at__isnull=False,
        )
        .select_related("version")
        .order_by(*(("-points",) if grade_policy() == "highest" else ()), "-released_at", "-pk").first()
    )
    if review is None:
        return None
    criteria = []
    for score in _score_items(_criteria(project), review.scores or {}):
        if score.level is None:
            continue
        criteria.append(CriterionResult(
            key=score.key, title=score.title, level=score.level, level_label=score.level_label,
            points=score.points or 0.0, max_points=score.max_points, weight=score.weight,
        ))
    return RubricResult(
        usage_key=str(project.usage_key),
        course_key=str(project.course_key),
        submission_id=review.version.submission_id,
        review_id=review.pk,
        points=review.points or 0.0,
        points_possible=project.points_possible,
        released_at=review.released_at,
        criteria=tuple(criteria),
    )


# --- replies --------------------------------------------------------------------------------------------------------


def _version_for(version_id: Any, user: Any) -> tuple[SubmissionVersion, Submission]:
    version = SubmissionVersion.objects.select_related("submission__project", "submission__team").filter(
        pk=_pk(version_id, "version")).first()
    if version is None or not _sees(version.submission, user):
        raise not_found("version")
    return version, version.submission


def add_reply(user: Any, version_id: int, body: str) -> ReplyInfo:
    """
    Reply to the released feedback on a version: the learner (or a team member) answers their trainer, and
    reviewers of the course answer back.

    Args:
        user: a learner of the submission, or a reviewer or staff member of the course.
        version_id: a version with a released review.
        body: the message (required, at most 5000 characters; Markdown).

    Returns:
        The reply.

    Raises:
        ReviewsError: ``version_not_found`` (404, also for anyone else); ``no_released_review`` (409);
            ``body_required``, ``body_too_long`` (400).
    """
    body = _text(body, "body", COMMENT_MAX_LENGTH, required=True)
    version, submission = _version_for(version_id, user)
    if not Review.objects.filter(Q(version=version) & _released_q()).exists():
        raise ReviewsError("no_released_review", _("You can reply once the feedback is released."), status=409)
    row = FeedbackReply.objects.create(version=version, author_id=user.pk, body=body)
    row.author = user
    return _reply_info(row, _member_ids(submission))


def list_replies(version_id: int, viewer: Any) -> list[ReplyInfo]:
    """
    The conversation about a version's feedback, oldest first.

    Raises:
        ReviewsError: ``version_not_found`` (404, also for whoever may not see the submission).
    """
    version, submission = _version_for(version_id, viewer)
    members = _member_ids(submission)
    return [
        _reply_info(row, members)
        for row in FeedbackReply.objects.filter(version=version).select_related(*_people("author"))
        .order_by("created", "pk")
    ]


# --- comment bank ---------------------------------------------------------------------------------------------------


def list_comment_bank(trainer: Any) -> list[CommentBankEntryInfo]:
    """The trainer's own saved comments, newest first."""
    if not _authenticated(trainer):
        return []
    return [
        CommentBankEntryInfo(id=row.pk, text=row.text, created=row.created)
        for row in CommentBankEntry.objects.filter(trainer_id=trainer.pk).order_by("-created", "-pk")
    ]


def add_comment_bank_entry(trainer: Any, text: str) -> CommentBankEntryInfo:
    """
    Save a comment in the trainer's bank, to reuse in reviews.

    Args:
        trainer: the trainer (entries are personal: nobody else sees them).
        text: the comment (required, at most 5000 characters).

    Returns:
        The entry.

    Raises:
        ReviewsError: ``text_required``, ``text_too_long`` (400); ``comment_bank_full`` (409) past 200 entries.
    """
    if not _authenticated(trainer):
        raise forbidden(_("Sign in to keep a comment bank."))
    text = _text(text, "text", COMMENT_MAX_LENGTH, required=True)
    if CommentBankEntry.objects.filter(trainer_id=trainer.pk).count() >= COMMENT_BANK_MAX:
        raise ReviewsError("comment_bank_full", _("Your comment bank holds at most {max} comments.").format(
            max=COMMENT_BANK_MAX), status=409)
    row = CommentBankEntry.objects.create(trainer_id=trainer.pk, text=text)
    return CommentBankEntryInfo(id=row.pk, text=row.text, created=row.created)


def remove_comment_bank_entry(trainer: Any, entry_id: int) -> None:
    """
    Delete one of the trainer's saved comments.

    Raises:
        ReviewsError: ``comment_bank_entry_not_found`` (404, also for someone else's).
    """
    pk = _pk(entry_id, "comment_bank_entry")
    if not _authenticated(trainer) or not CommentBankEntry.objects.filter(pk=pk, trainer_id=trainer.pk).delete()[0]:
        raise not_found("comment_bank_entry")


# --- the reviewing page's read --------------------------------------------------------------------------------------


def _self_assessment(criteria: tuple[ReviewCriterion, ...], data: Any) -> tuple[SelfAssessmentItem, ...]:
    """The learner's self-assessment (``{key: {"level", "comment"}}`` or ``{key: level}``) against the rubric."""
    if not isinstance(data, Mapping) or not data:
        return ()
    items = []
    for criterion in criteria:
        entry = data.get(criterion.key)
        if entry is None:
            continue
        if not isinstance(entry, Mapping):
            entry = {"level": entry}
        level = entry.get("level")
        try:
            level = int(level) if level is not None and not isinstance(level, bool) else None
        except (TypeError, ValueError):
            level = None
        if level is not None and not 0 <= level < len(criterion.levels):
            level = None
        items.append(SelfAssessmentItem(
            key=criterion.key, title=criterion.title, level=level,
            level_label=criterion.levels[level].label if level is not None else "",
            comment=str(entry.get("comment") or ""),
        ))
    return tuple(items)


def review_workspace(submission_id: int, viewer: Any) -> ReviewWorkspace:
    """
    A submission with everything the reviewing page shows its viewer.

    A learner of the submission (or of its team) sees their versions, the released reviews and the replies;
    reviewers of the course see, besides, their own draft of the latest version, a review awaiting confirmation,
    the self-assessment and the claim. Nobody reviews their own work: a learner of the submission who also trains
    in the course sees it as a learner.

    Args:
        submission_id: the submission.
        viewer: who asks.

    Returns:
        The workspace.

    Raises:
        ReviewsError: ``submission_not_found`` (404), also for anyone else (and for an unsubmitted draft).
    """
    submission = Submission.objects.select_related("project", "team", *_people("learner")).filter(
        pk=_pk(submission_id, "submission")).first()
    if submission is None or not _sees(submission, viewer):
        raise not_found("submission")
    is_member = _is_member(submission, viewer)
    project = submission.project
    criteria = _criteria(project)
    versions = list(
        SubmissionVersion.objects.filter(submission=submission).select_related(*_people("submitted_by")).order_by(
            "number")
    )
    if not versions and not is_member:
        raise not_found("submission")
    version_ids = [version.pk for version in versions]
    reviews = (
        Review.objects.filter(version_id__in=version_ids)
        .select_related("version", *_people("reviewer", "confirmed_by"))
        .prefetch_related("inline_comments", "files").order_by("created", "pk")
    )
    if is_member:
        reviews = reviews.filter(_released_q())
    else:
        reviews = reviews.filter(_released_q() | _awaiting_q() | Q(reviewer_id=viewer.pk))
    by_version: dict[int, list[ReviewInfo]] = {}
    for review in reviews:
        by_version.setdefault(review.version_id, []).append(
            _review_info(review, project, for_member=is_member, criteria=criteria)
        )
    files: dict[int, list[VersionFileInfo]] = {}
    for row in SubmissionFile.objects.filter(version_id__in=version_ids).order_by("pk"):
        files.setdefault(row.version_id, []).append(
            VersionFileInfo(id=row.pk, name=row.name, size=row.size,
                            url=_url("api-submissions-file", submission_id=submission.pk, file_id=row.pk))
        )
    members = _member_ids(submission)
    replies: dict[int, list[ReplyInfo]] = {}
    for row in FeedbackReply.objects.filter(version_id__in=version_ids).select_related(*_people("author")).order_by(
            "created", "pk"):
        replies.setdefault(row.version_id, []).append(_reply_info(row, members))
    shown = []
    for version in versions:
        shown.append(ReviewedVersion(
            id=version.pk,
            number=version.number,
            text=version.text,
            links=tuple(str(link) for link in version.links or []),
            files=tuple(files.get(version.pk, [])),
            submitted_at=version.submitted_at,
            submitted_by_name=_name(version.submitted_by),
            self_assessment=_self_assessment(criteria, version.self_assessment),
            reviews=tuple(by_version.get(version.pk, [])),
            replies=tuple(replies.get(version.pk, [])),
        ))
    latest_reviews = by_version.get(versions[-1].pk, []) if versions else []
    draft = None if is_member else next(
        (review for review in latest_reviews if review.state == DRAFT and review.reviewer_id == viewer.pk), None
    )
    awaiting = None if is_member else next(
        (review for review in latest_reviews if review.state == AWAITING_CONFIRMATION), None
    )
    claim = None
    if not is_member:
        row = Claim.objects.select_related(*_people("trainer")).filter(submission=submission).first()
        if row is not None:
            claim = _claim_info(row, draft.id if draft and row.trainer_id == viewer.pk else None)
    return ReviewWorkspace(
        submission_id=submission.pk,
        usage_key=str(project.usage_key),
        course_key=str(project.course_key),
        project_title=project.title,
        points_possible=project.points_possible,
        graded=project.graded,
        second_marker=project.second_marker,
        criteria=criteria,
        learner_name=_name(submission.learner) if submission.learner_id else "",
        team_name=submission.team.name if submission.team_id else "",
        status=submission.status,
        status_label=str(Status(submission.status).label),
        points_earned=submission.points_earned,
        submitted_at=submission.submitted_at,
        versions=tuple(shown),
        claim=claim,
        viewer_is_member=is_member,
        viewer_is_lead=not is_member and _is_lead(viewer, project.course_key),
        draft=draft,
        awaiting=awaiting,
    )
