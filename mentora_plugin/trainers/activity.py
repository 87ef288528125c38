"""
The trainers' record of interactions with learners, fed by Mentora's events (a session took place, a review was
released, a question was answered). Levels count it; a rating needs one of these.

Other domains either send their events (booking does; ``handlers.py`` records them) or call
``record_activity`` directly (a domain may use trainers; trainers never imports them).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from opaque_keys.edx.keys import CourseKey

from mentora_plugin.db import insert_ignoring_conflicts
from mentora_plugin.host import api as host_api
from mentora_plugin.trainers.models import TrainerActivity

__all__ = ["ACTIVITY_KINDS", "ACTIVITY_OUTCOMES", "count_learner_activities", "record_activity"]

ACTIVITY_KINDS = tuple(TrainerActivity.Kind.values)
ACTIVITY_OUTCOMES = tuple(TrainerActivity.Outcome.values)


def record_activity(
    kind: str,
    source_id: str | int,
    trainer: Any,
    learner: Any | None,
    course_key: CourseKey | str | None,
    occurred_at: datetime,
    outcome: str = TrainerActivity.Outcome.DELIVERED,
    turnaround_seconds: int | None = None,
) -> TrainerActivity:
    """
    Record one interaction; idempotent on ``(kind, source_id)``, so an event delivered twice records once. A later
    call for the same interaction updates its outcome and time (a session first marked delivered, then corrected to a
    no-show, counts as a no-show).

    Args:
        kind: one of ``ACTIVITY_KINDS`` ("session", "review", "answer").
        source_id: the id in the announcing domain (a booking id, a review id).
        trainer, learner: users or user ids (``learner`` may be None for an answer to a whole forum).
        course_key: the course, or None.
        occurred_at: when it took place (UTC).
        outcome: one of ``ACTIVITY_OUTCOMES``.
        turnaround_seconds: for a review, the time from submission to release.

    Raises:
        ValueError: an unknown kind or outcome (a programming error of the caller).
    """
    if kind not in ACTIVITY_KINDS or outcome not in ACTIVITY_OUTCOMES:
        raise ValueError(f"unknown activity kind {kind!r} or outcome {outcome!r}")
    values = {
        "trainer_id": host_api._user_id(trainer),
        "learner_id": host_api._user_id(learner) if learner is not None else None,
        "course_key": course_key or None,
        "occurred_at": occurred_at,
        "outcome": outcome,
        "turnaround_seconds": turnaround_seconds,
    }
    source_id = str(source_id)
    insert_ignoring_conflicts(TrainerActivity(kind=kind, source_id=source_id, **values))  # most calls are the first
    row = TrainerActivity.objects.get(kind=kind, source_id=source_id)
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if changed:  # an event delivered again with news (a session corrected to a no-show)
        for name in changed:
            setattr(row, name, values[name])
        row.save(update_fields=changed)
    return row


def count_learner_activities(
    learner: Any,
    kind: str,
    course_key: CourseKey | str | None = None,
    outcome: str = TrainerActivity.Outcome.DELIVERED,
) -> int:
    """
    How many interactions of ``kind`` a learner had (by default, those that took place), in one course or in all:
    what badges' rules count ("attended 5 sessions"), read from the same record as the trainers' figures so that
    both sides agree on what took place. One query.

    Args:
        learner: a user or a user id.
        kind: one of ``ACTIVITY_KINDS``.
        course_key: the course (a key or its text); None for every course.
        outcome: one of ``ACTIVITY_OUTCOMES``.

    Raises:
        ValueError: an unknown kind or outcome (a programming error of the caller).
    """
    if kind not in ACTIVITY_KINDS or outcome not in ACTIVITY_OUTCOMES:
        raise ValueError(f"unknown activity kind {kind!r} or outcome {outcome!r}")
    rows = TrainerActivity.objects.filter(learner_id=host_api._user_id(learner), kind=kind, outcome=outcome)
    if course_key:
        rows = rows.filter(course_key=host_api.parse_course_key(course_key))
    return rows.count()
