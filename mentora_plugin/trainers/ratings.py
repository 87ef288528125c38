"""
Ratings of trainers: a learner rates a trainer after one real interaction (a ``TrainerActivity`` that was
delivered), once per interaction, 1 to 5 stars with an optional comment; the trainer may answer publicly; staff hide
abusive ratings with a reason.

Sessions are rated in booking (its own rules: only after the session took place, editable for a while); booking
announces each rating (``BOOKING_RATED``) and ``handlers.py`` calls ``record_session_rating``, where the latest stars
win. Other interactions (a released review, an answer) are rated here with ``rate_trainer``.

Every change of stars or visibility recomputes the trainer profile's ``rating_count``, ``rating_sum`` and
``rating_score`` (visible ratings only, Bayesian, see ``common.bayesian_average``) under the profile's row lock, so
search sorts by a stored column and concurrent ratings of one trainer cannot lose an update. A trainer without any
visible rating has a score of 0: unrated trainers come after rated ones and do not pass a minimum-rating filter.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from opaque_keys.edx.keys import CourseKey

from mentora_plugin.db import insert_ignoring_conflicts
from mentora_plugin.host import api as host_api
from mentora_plugin.text import render_markdown
from mentora_plugin.trainers import activity as activity_api
from mentora_plugin.trainers.common import (
    TrainersError,
    bayesian_average,
    forbidden,
    lock_profile,
    not_found,
    rating_prior,
)
from mentora_plugin.trainers.models import TrainerActivity, TrainerProfile, TrainerRating

__all__ = [
    "COMMENT_MAX_LENGTH",
    "ActivityInfo",
    "LazyResults",
    "RatingInfo",
    "RatingSummary",
    "hide_rating",
    "list_ratings",
    "rate_trainer",
    "rateable_activities",
    "rating_summary",
    "record_session_rating",
    "respond_to_rating",
    "unhide_rating",
]

log = logging.getLogger(__name__)

#: The longest comment, answer or moderation reason (as booking's session comments).
COMMENT_MAX_LENGTH = 2000

T = TypeVar("T")


class LazyResults(Generic[T]):
    """
    The rows of a query as data objects, built a page at a time.

    ``len()`` / ``count()`` count in the database and a slice fetches only its rows (with the queryset's
    ``select_related`` and ``prefetch_related``), so Django's ``Paginator`` and DRF's pagination show any page in a
    fixed number of queries, whatever the page size. Iterating builds every row once. Otherwise it reads like a list
    (index, slice, ``bool``, ``list(results)``).
    """

    ordered = True  # what Django's Paginator checks to warn about unordered querysets

    def __init__(self, queryset: QuerySet, build: Callable[[Any], T]) -> None:
        self._queryset = queryset
        self._build = build
        self._all: list[T] | None = None

    def count(self) -> int:
        """How many rows there are (one ``COUNT`` query, unless they were all fetched already)."""
        return len(self._all) if self._all is not None else self._queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __bool__(self) -> bool:
        return bool(self._all) if self._all is not None else self._queryset.exists()

    def _rows(self) -> list[T]:
        if self._all is None:
            self._all = [self._build(row) for row in self._queryset]
        return self._all

    def __iter__(self) -> Iterator[T]:
        return iter(self._rows())

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if self._all is not None:
            return self._all[index]
        if isinstance(index, slice):
            if (index.start or 0) < 0 or (index.stop is not None and index.stop < 0) or index.step not in (None, 1):
                return self._rows()[index]
            return [self._build(row) for row in self._queryset[index]]
        if index < 0:
            return self._rows()[index]
        return self._build(self._queryset[index])

    def __repr__(self) -> str:
        return f"<LazyResults of {self._queryset.model.__name__}>"


@dataclass(frozen=True)
class RatingInfo:
    """
    One rating as people see it. ``learner_name`` is the learner's display name ("A learner" once the account is
    gone); ``is_hidden`` and ``moderation_*`` matter to moderators only (others never receive hidden ratings). The
    ``moderation_*`` fields record the latest moderation decision (hide or show again): who, when, why.
    """

    id: int
    activity_id: int
    activity_kind: str
    activity_kind_name: str
    trainer_id: int
    learner_id: int | None
    learner_name: str
    course_key: CourseKey | None
    stars: int
    comment: str
    comment_html: SafeString
    response: str
    response_html: SafeString
    responded_at: datetime | None
    is_hidden: bool
    moderation_reason: str
    moderated_by_id: int | None
    moderated_at: datetime | None
    created: datetime
    modified: datetime


@dataclass(frozen=True)
class RatingSummary:
    """
    A trainer's visible ratings in figures: how many, their plain average (None without ratings), the Bayesian average
    that search sorts by (0 without ratings), and how many ratings gave each number of stars (keys 1 to 5).
    """

    count: int
    average: float | None
    bayesian: float
    distribution: dict[int, int]


@dataclass(frozen=True)
class ActivityInfo:
    """An interaction of a trainer with a learner, as the learner sees it when asked to rate it."""

    id: int
    kind: str
    kind_name: str
    source_id: str
    trainer_id: int
    trainer_username: str
    trainer_name: str
    learner_id: int | None
    course_key: CourseKey | None
    occurred_at: datetime
    outcome: str


# --- helpers --------------------------------------------------------------------------------------------------------


def _learner_name(rating: TrainerRating) -> str:
    return host_api.display_name(rating.learner) if rating.learner_id else _("A learner")


def _kind_name(kind: str) -> str:
    return str(TrainerActivity.Kind(kind).label) if kind in TrainerActivity.Kind.values else kind


def _course_key(value: Any) -> CourseKey | None:
    return value if isinstance(value, CourseKey) else None


def _rating_info(rating: TrainerRating) -> RatingInfo:
    return RatingInfo(
        id=rating.pk,
        activity_id=rating.activity_id,
        activity_kind=rating.activity.kind,
        activity_kind_name=_kind_name(rating.activity.kind),
        trainer_id=rating.trainer_id,
        learner_id=rating.learner_id,
        learner_name=_learner_name(rating),
        course_key=_course_key(rating.course_key),
        stars=rating.stars,
        comment=rating.comment,
        comment_html=render_markdown(rating.comment),
        response=rating.response,
        response_html=render_markdown(rating.response),
        responded_at=rating.responded_at,
        is_hidden=rating.is_hidden,
        moderation_reason=rating.hidden_reason,
        moderated_by_id=rating.hidden_by_id,
        moderated_at=rating.hidden_at,
        created=rating.created,
        modified=rating.modified,
    )


def _ratings() -> QuerySet:
    """Ratings with what ``_rating_info`` reads (the activity, the learner and their LMS profile), in one query."""
    paths = host_api._profile_paths("learner")
    return TrainerRating.objects.select_related("activity", *paths)


def _activity_info(activity: TrainerActivity) -> ActivityInfo:
    return ActivityInfo(
        id=activity.pk,
        kind=activity.kind,
        kind_name=_kind_name(activity.kind),
        source_id=activity.source_id,
        trainer_id=activity.trainer_id,
        trainer_username=activity.trainer.username,
        trainer_name=host_api.display_name(activity.trainer),
        learner_id=activity.learner_id,
        course_key=_course_key(activity.course_key),
        occurred_at=activity.occurred_at,
        outcome=activity.outcome,
    )


def _check_stars(stars: Any) -> int:
    if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
        raise TrainersError("invalid_stars", _("A rating is 1 to 5 stars."))
    return stars


def _check_text(text: Any, code: str, what: str) -> str:
    text = text or ""
    if not isinstance(text, str) or len(text) > COMMENT_MAX_LENGTH:
        raise TrainersError(
            code, _("{what} is at most {count} characters long.").format(what=what, count=COMMENT_MAX_LENGTH)
        )
    return text


def _refresh_totals(profile: TrainerProfile) -> None:
    """
    Recompute the locked ``profile``'s rating totals from its visible ratings (a fresh aggregate rather than an
    increment, so a replayed event or a moderation can never make them drift).
    """
    totals = TrainerRating.objects.filter(trainer_id=profile.user_id, is_hidden=False).aggregate(
        count=Count("pk"), stars_sum=Sum("stars")
    )
    count, stars_sum = totals["count"], totals["stars_sum"] or 0
    profile.rating_count = count
    profile.rating_sum = stars_sum
    profile.rating_score = bayesian_average(stars_sum, count, *rating_prior()) if count else 0.0
    profile.save(update_fields=["rating_count", "rating_sum", "rating_score", "modified"])


def _may_moderate(viewer: Any) -> bool:
    return bool(viewer is not None and getattr(viewer, "is_authenticated", False)
                and viewer.has_perm("mentora_trainers.moderate_rating"))


# --- recording and giving ratings -----------------------------------------------------------------------------------


def record_session_rating(
    booking_id: int,
    trainer_id: int,
    learner_id: int,
    course_key: CourseKey | str | None,
    stars: int,
    comment: str = "",
) -> RatingInfo:
    """
    Keep booking's rating of a session (``BOOKING_RATED``, through ``handlers.py``) as the trainer's rating of that
    interaction. The latest stars and comment win (booking lets a learner change their rating for a while, and
    announces each change); the same event twice changes nothing. A rating that staff hid stays hidden.

    When the session's activity is missing (the rating's event arrived before the completion's), it is recorded here
    as delivered now; the completion event then corrects its time and outcome.

    Args:
        booking_id: the rated booking, the activity's ``source_id``.
        trainer_id, learner_id: who met.
        course_key: the session's course.
        stars: 1 to 5.
        comment: the learner's comment (cut at ``COMMENT_MAX_LENGTH``: booking already refuses longer ones).

    Returns:
        The rating as stored.

    Raises:
        TrainersError: ``invalid_stars`` (400), which booking never sends.
    """
    stars = _check_stars(stars)
    comment = (comment or "")[:COMMENT_MAX_LENGTH]
    with transaction.atomic():
        profile = lock_profile(trainer_id)
        activity = TrainerActivity.objects.filter(kind=TrainerActivity.Kind.SESSION, source_id=str(booking_id)).first()
        if activity is None:
            activity = activity_api.record_activity(
                "session", booking_id, trainer_id, learner_id, course_key, timezone.now()
            )
        if activity.trainer_id != profile.user_id:
            log.warning("Ignoring the rating of booking %s: its trainer is %s, not %s",
                        booking_id, activity.trainer_id, trainer_id)
            raise not_found("activity")
        rows = TrainerRating.objects.filter(activity=activity)
        changed = rows.exclude(stars=stars, comment=comment).update(stars=stars, comment=comment,
                                                                   modified=timezone.now())
        if not changed and not rows.exists():
            insert_ignoring_conflicts(TrainerRating(
                activity=activity, trainer_id=activity.trainer_id, learner_id=learner_id,
                course_key=course_key or None, stars=stars, comment=comment, created=timezone.now(),
                modified=timezone.now(),
            ))
            changed = 1
        if changed:
            _refresh_totals(profile)
        return _rating_info(_ratings().get(activity=activity))


def rate_trainer(learner: Any, activity_id: int, stars: int, comment: str = "") -> RatingInfo:
    """
    The learner rates the trainer of one of their interactions (a released review, an answer): 1 to 5 stars and an
    optional comment, once per interaction. Only an interaction that really took place with this learner can be
    rated; anything else is "not found", whether it exists or not.

    Args:
        learner: the rating user.
        activity_id: the ``TrainerActivity`` (see ``rateable_activities``).
        stars: 1 to 5.
        comment: Markdown, at most ``COMMENT_MAX_LENGTH`` characters.

    Returns:
        The new rating.

    Raises:
        TrainersError: ``activity_not_found`` (404: not this learner's, not delivered, or no such activity);
            ``rated_in_booking`` (409: a session, rated from the booking); ``invalid_stars`` /
            ``comment_too_long`` (400); ``already_rated`` (409).
    """
    learner_id = host_api._user_id(learner)
    found = TrainerActivity.objects.filter(
        pk=activity_id, learner_id=learner_id, outcome=TrainerActivity.Outcome.DELIVERED
    ).first() if isinstance(activity_id, int) and not isinstance(activity_id, bool) else None
    if found is None:
        raise not_found("activity")
    if found.kind == TrainerActivity.Kind.SESSION:
        raise TrainersError(
            "rated_in_booking",
            _("Mentoring sessions are rated from the booking: open your past sessions to rate this one."),
            409,
        )
    stars = _check_stars(stars)
    comment = _check_text(comment, "comment_too_long", _("A comment"))
    with transaction.atomic():
        profile = lock_profile(found.trainer_id)  # serialises two ratings of one interaction, and the totals
        if TrainerRating.objects.filter(activity_id=found.pk).exists():
            raise TrainersError("already_rated", _("You already rated this interaction."), 409)
        now = timezone.now()
        rating = TrainerRating.objects.create(
            activity=found, trainer_id=found.trainer_id, learner_id=learner_id, course_key=found.course_key,
            stars=stars, comment=comment, created=now,
        )
        _refresh_totals(profile)
    return _rating_info(_ratings().get(pk=rating.pk))


def rateable_activities(learner: Any, trainer: Any | None = None) -> list[ActivityInfo]:
    """
    The learner's interactions they may still rate here, latest first: delivered, not yet rated, and not sessions
    (those are rated in booking). ``trainer`` narrows to one trainer's.
    """
    found = TrainerActivity.objects.filter(
        learner_id=host_api._user_id(learner), outcome=TrainerActivity.Outcome.DELIVERED, rating__isnull=True
    ).exclude(kind=TrainerActivity.Kind.SESSION)
    if trainer is not None:
        found = found.filter(trainer_id=host_api._user_id(trainer))
    found = found.select_related(*host_api._profile_paths("trainer")).order_by("-occurred_at", "-pk")
    return [_activity_info(item) for item in found]


# --- answers and moderation -----------------------------------------------------------------------------------------


def respond_to_rating(trainer: Any, rating_id: int, text: str) -> RatingInfo:
    """
    The rated trainer answers a rating publicly, or changes their answer; an empty answer removes it.

    Raises:
        TrainersError: ``rating_not_found`` (404, also a rating of someone else); ``response_too_long`` (400).
    """
    rating = TrainerRating.objects.filter(pk=rating_id, trainer_id=host_api._user_id(trainer)).first()
    if rating is None:
        raise not_found("rating")
    text = _check_text(text, "response_too_long", _("An answer")).strip()
    rating.response = text
    rating.responded_at = timezone.now() if text else None
    rating.save(update_fields=["response", "responded_at", "modified"])
    return _rating_info(_ratings().get(pk=rating.pk))


def _moderate(actor: Any, rating_id: int, reason: str, hide: bool) -> RatingInfo:
    if not actor.has_perm("mentora_trainers.moderate_rating"):
        raise forbidden(_("Only moderators can hide or show ratings."))
    reason = _check_text(reason, "reason_too_long", _("A reason")).strip()
    if not reason:
        raise TrainersError("reason_required", _("Give the reason for this decision."))
    trainer_id = TrainerRating.objects.filter(pk=rating_id).values_list("trainer_id", flat=True).first()
    if trainer_id is None:
        raise not_found("rating")
    with transaction.atomic():
        profile = lock_profile(trainer_id)
        rating = TrainerRating.objects.get(pk=rating_id)
        rating.is_hidden = hide
        rating.hidden_reason = reason
        rating.hidden_by_id = actor.pk
        rating.hidden_at = timezone.now()
        rating.save(update_fields=["is_hidden", "hidden_reason", "hidden_by", "hidden_at", "modified"])
        _refresh_totals(profile)
    log.info("Rating %s of trainer %s %s by %s: %s", rating_id, trainer_id, "hidden" if hide else "shown",
             actor.pk, reason)
    return _rating_info(_ratings().get(pk=rating_id))


def hide_rating(actor: Any, rating_id: int, reason: str) -> RatingInfo:
    """
    Hide an abusive rating: it no longer shows to anyone but moderators and no longer counts in the trainer's
    figures. Hiding a hidden rating again only records the new reason.

    Raises:
        TrainersError: ``permission_denied`` (403: not ``mentora_trainers.moderate_rating``); ``reason_required`` /
            ``reason_too_long`` (400); ``rating_not_found`` (404).
    """
    return _moderate(actor, rating_id, reason, hide=True)


def unhide_rating(actor: Any, rating_id: int, reason: str) -> RatingInfo:
    """Show a hidden rating again (it counts again); the reason is recorded. Errors as ``hide_rating``."""
    return _moderate(actor, rating_id, reason, hide=False)


# --- reading --------------------------------------------------------------------------------------------------------


def list_ratings(trainer: Any, viewer: Any | None = None) -> LazyResults[RatingInfo]:
    """
    A trainer's ratings, newest first, with their answers: the visible ones, and for moderators the hidden ones too
    (``is_hidden``). Lazy: paginate it (a page costs two queries whatever its size).
    """
    found = _ratings().filter(trainer_id=host_api._user_id(trainer))
    if not _may_moderate(viewer):
        found = found.filter(is_hidden=False)
    return LazyResults(found.order_by("-created", "-pk"), _rating_info)


def rating_summary(trainer: Any) -> RatingSummary:
    """The trainer's visible ratings in figures (one query)."""
    counts = dict(
        TrainerRating.objects.filter(trainer_id=host_api._user_id(trainer), is_hidden=False)
        .values_list("stars")
        .annotate(n=Count("pk"))
        .values_list("stars", "n")
    )
    distribution = {stars: counts.get(stars, 0) for stars in range(1, 6)}
    count = sum(distribution.values())
    stars_sum = sum(stars * n for stars, n in distribution.items())
    return RatingSummary(
        count=count,
        average=round(stars_sum / count, 2) if count else None,
        bayesian=round(bayesian_average(stars_sum, count, *rating_prior()), 2) if count else 0.0,
        distribution=distribution,
    )
