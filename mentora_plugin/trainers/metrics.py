"""
Trainers' figures: what the level criteria (``levels``) measure, over the rolling window
``MENTORA_TRAINER_LEVEL_WINDOW_DAYS`` ending now.

``compute_metrics`` measures many trainers at once in a fixed number of queries, whatever their number: one
aggregate per source, grouped by trainer (activity, ratings, complaints), two row lists that SQL cannot reduce
portably (review turnaround times, for a median; the distinct learner-course pairs, for learner success) and one
call to the host for the courses those learners passed. The daily recompute runs it once per batch of trainers; the
trainer's own page runs it for one.

Every figure is measured the same way for everybody, from Mentora's own records:

- ``sessions_delivered``: session activities whose outcome is ``delivered``;
- ``distinct_learners``: different learners over delivered activities of any kind (sessions, reviews, answers);
- ``rating_count``, ``rating_sum``: visible ratings (hidden ones count nowhere) created in the window;
  ``rating_average`` is their Bayesian average (``common.bayesian_average`` with ``MENTORA_TRAINER_RATING_PRIOR``):
  with no rating it is the prior's mean, and three five-star ratings do not beat two hundred 4.8s;
- ``learner_success``: the share of the distinct (learner, course) pairs of delivered activities whose learner has
  passed that course (as the host knows it today, whenever they passed); 0 with no such pair, so a minimum on it is
  not met without evidence;
- ``review_turnaround_hours``: the median of delivered review activities' ``turnaround_seconds``, in hours; None
  when the trainer released no review (a maximum on it is then met: nobody is held back for reviews they were never
  asked for);
- ``answer_response_hours``: the median of delivered answer activities' ``turnaround_seconds`` (communities' priority
  questions: from marking to the first answer), in hours; None when they answered none (a maximum is then met);
- ``no_show_rate``: the trainer's no-shows over the sessions that were due from them (delivered + trainer no-shows;
  a learner's no-show is not the trainer's doing); 0 with no session;
- ``upheld_complaints``: disputes against the trainer (``reported``, ``against_trainer``) resolved as upheld in the
  window.

The window is ``[now - MENTORA_TRAINER_LEVEL_WINDOW_DAYS, now]``, both ends included; what happens after ``now`` does
not count (so a recompute "as of" a past instant sees what it would have seen then).
"""
from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import CharField, Count, Q, Sum
from django.db.models.functions import Cast
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from mentora_plugin.host import api as host_api
from mentora_plugin.trainers.common import bayesian_average, rating_prior
from mentora_plugin.trainers.models import Dispute, TrainerActivity, TrainerProfile, TrainerRating

__all__ = ["TrainerMetrics", "active_trainer_ids", "compute_metrics", "window_days"]

_DELIVERED = TrainerActivity.Outcome.DELIVERED
_TRAINER_NO_SHOW = TrainerActivity.Outcome.TRAINER_NO_SHOW


@dataclass(frozen=True)
class TrainerMetrics:
    """
    One trainer's figures over the window ending at ``computed_at``. The criteria of ``levels`` read the attributes
    named like them; the counts behind the ratios (``trainer_no_shows``, ``learner_pairs``...) are kept so that a
    snapshot explains itself.
    """

    trainer_id: int
    computed_at: datetime
    window_days: int
    window_start: datetime
    sessions_delivered: int = 0
    trainer_no_shows: int = 0
    distinct_learners: int = 0
    rating_count: int = 0
    rating_sum: int = 0
    rating_average: float = 0.0
    learner_pairs: int = 0
    learner_pairs_passed: int = 0
    learner_success: float = 0.0
    reviews_released: int = 0
    review_turnaround_hours: float | None = None
    answers_given: int = 0
    answer_response_hours: float | None = None
    no_show_rate: float = 0.0
    upheld_complaints: int = 0

    def as_snapshot(self) -> dict[str, Any]:
        """
        The figures as a JSON-serialisable dict (times as ISO 8601 strings), as stored on the profile and in every
        level change: what the decision was made on, kept even when the data behind it is later deleted.
        """
        data = asdict(self)
        del data["trainer_id"]
        data["computed_at"] = self.computed_at.isoformat()
        data["window_start"] = self.window_start.isoformat()
        return data


def window_days() -> int:
    """``MENTORA_TRAINER_LEVEL_WINDOW_DAYS``, read at call time (at least one day)."""
    return max(1, int(getattr(settings, "MENTORA_TRAINER_LEVEL_WINDOW_DAYS", 180) or 180))


def active_trainer_ids() -> list[int]:
    """
    The user ids of the active trainers, ascending: whom the daily jobs measure (the levels' recompute, the badges'
    trainer recognition), listed without loading their profiles so that callers can batch them.
    """
    return list(
        TrainerProfile.objects.filter(status=TrainerProfile.Status.ACTIVE).order_by("user_id")
        .values_list("user_id", flat=True)
    )


def compute_metrics(trainer_ids: Sequence[int], now: datetime) -> dict[int, TrainerMetrics]:
    """
    The figures of ``trainer_ids`` over the window ending at ``now``, in a fixed number of queries.

    Queries: activity aggregates, visible ratings, upheld complaints (each one ``GROUP BY`` trainer), review
    turnaround times, distinct learner-course pairs: five, whatever the number of trainers; then one call to the
    host's ``passed_courses`` for those learners (skipped when there is no pair; the host reads up to 1,000 learners
    per query). Callers batch the ids (a few hundred at a time) so that every ``IN`` list stays within the
    databases' limits.

    Args:
        trainer_ids: user ids of the trainers; any id, trainer or not (one with no record gets zeros).
        now: the end of the window (aware, UTC).

    Returns:
        A ``TrainerMetrics`` for every id asked for.
    """
    ids = sorted(set(trainer_ids))
    if not ids:
        return {}
    days = window_days()
    start = now - timedelta(days=days)
    in_window = Q(occurred_at__gte=start, occurred_at__lte=now)
    activity = TrainerActivity.objects.filter(in_window, trainer_id__in=ids).order_by()
    figures: dict[int, dict[str, Any]] = {trainer_id: {} for trainer_id in ids}

    for row in activity.values("trainer_id").annotate(
        sessions=Count("pk", filter=Q(kind=TrainerActivity.Kind.SESSION, outcome=_DELIVERED)),
        no_shows=Count("pk", filter=Q(kind=TrainerActivity.Kind.SESSION, outcome=_TRAINER_NO_SHOW)),
        learners=Count("learner_id", distinct=True, filter=Q(outcome=_DELIVERED)),
    ):
        figures[row["trainer_id"]].update(
            sessions_delivered=row["sessions"], trainer_no_shows=row["no_shows"], distinct_learners=row["learners"]
        )

    ratings = (
        TrainerRating.objects.filter(trainer_id__in=ids, is_hidden=False, created__gte=start, created__lte=now)
        .order_by()
        .values("trainer_id")
        .annotate(count=Count("pk"), stars=Sum("stars"))
    )
    for row in ratings:
        figures[row["trainer_id"]].update(rating_count=row["count"], rating_sum=row["stars"] or 0)

    complaints = (
        Dispute.objects.filter(
            reported_id__in=ids, against_trainer=True, upheld=True, resolved_at__gte=start, resolved_at__lte=now
        )
        .order_by()
        .values("reported_id")
        .annotate(count=Count("pk"))
    )
    for row in complaints:
        figures[row["reported_id"]]["upheld_complaints"] = row["count"]

    turnarounds: dict[int, list[int]] = defaultdict(list)  # reviews: submission to release
    responses: dict[int, list[int]] = defaultdict(list)  # priority questions: marking to the first answer
    for trainer_id, kind, seconds in activity.filter(
        kind__in=[TrainerActivity.Kind.REVIEW, TrainerActivity.Kind.ANSWER], outcome=_DELIVERED,
        turnaround_seconds__isnull=False,
    ).values_list("trainer_id", "kind", "turnaround_seconds"):
        (turnarounds if kind == TrainerActivity.Kind.REVIEW else responses)[trainer_id].append(seconds)

    # The course key as plain text: parsing every row into a CourseKey would cost more than the query.
    pairs: dict[int, set[tuple[int, str]]] = defaultdict(set)
    for trainer_id, learner_id, course in (
        activity.filter(outcome=_DELIVERED, learner_id__isnull=False)
        .annotate(course=Cast("course_key", output_field=CharField()))
        .exclude(course="")
        .values_list("trainer_id", "learner_id", "course")
        .distinct()
    ):
        pairs[trainer_id].add((learner_id, course))
    learner_ids = sorted({learner_id for trainer_pairs in pairs.values() for learner_id, _ in trainer_pairs})
    passed: dict[int, set[CourseKey]] = host_api.passed_courses(learner_ids) if learner_ids else {}
    course_keys: dict[str, CourseKey | None] = {}  # each course's text parsed once, not once per pair

    def has_passed(learner_id: int, course: str) -> bool:
        if course not in course_keys:
            try:
                course_keys[course] = CourseKey.from_string(course)
            except InvalidKeyError:  # not a course key any more (edited by hand): no pass can match it
                course_keys[course] = None
        return course_keys[course] in passed.get(learner_id, ())

    mean, weight = rating_prior()
    result = {}
    for trainer_id in ids:
        values = figures[trainer_id]
        sessions = values.get("sessions_delivered", 0)
        no_shows = values.get("trainer_no_shows", 0)
        count, stars = values.get("rating_count", 0), values.get("rating_sum", 0)
        trainer_pairs = pairs.get(trainer_id, set())
        passed_pairs = sum(1 for learner_id, course in trainer_pairs if has_passed(learner_id, course))
        seconds = turnarounds.get(trainer_id)
        answered = responses.get(trainer_id)
        result[trainer_id] = TrainerMetrics(
            trainer_id=trainer_id,
            computed_at=now,
            window_days=days,
            window_start=start,
            sessions_delivered=sessions,
            trainer_no_shows=no_shows,
            distinct_learners=values.get("distinct_learners", 0),
            rating_count=count,
            rating_sum=stars,
            rating_average=bayesian_average(stars, count, mean, weight),
            learner_pairs=len(trainer_pairs),
            learner_pairs_passed=passed_pairs,
            learner_success=passed_pairs / len(trainer_pairs) if trainer_pairs else 0.0,
            reviews_released=len(seconds or ()),
            review_turnaround_hours=statistics.median(seconds) / 3600 if seconds else None,
            answers_given=len(answered or ()),
            answer_response_hours=statistics.median(answered) / 3600 if answered else None,
            no_show_rate=no_shows / (sessions + no_shows) if sessions + no_shows else 0.0,
            upheld_complaints=values.get("upheld_complaints", 0),
        )
    return result
