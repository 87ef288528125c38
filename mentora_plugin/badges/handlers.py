"""
Receivers of the events that can make a learner meet a badge's rule (connected through ``plugin_app``'s
``signals_config``; see ``apps.EVENT_RECEIVERS``): a review released (reviews), a session that took place
(booking, named by path only: badges never import booking), a passing grade (the platform).

Each is quick: it reads the event's data, asks whether any active rule of the course cares about that kind of
condition (one query), and if so queues ``tasks.evaluate_badge_rules`` for each person concerned, with a reason key
that names the event, so that a re-delivered event or a retried task awards once (``rules_engine``'s module says how
a later event awards again after a revocation).

Receivers of one signal run in the order the plugin machinery connected them, which is not ours to decide. So a
receiver first records the fact it reacts to through its owner's idempotent API (the host's passing status, the
trainers' session activity), exactly as the owner's own receiver does: the rules then see it whatever the order.
"""
from __future__ import annotations

import logging
from typing import Any

from django.utils import timezone

from mentora_plugin.badges import rules_engine
from mentora_plugin.host import api as host_api
from mentora_plugin.trainers import api as trainers_api

log = logging.getLogger(__name__)


def _queue(user_ids: list[int], course_key: Any, reason_key: str, kind: str) -> None:
    """Queue the evaluation of the course's rules with a condition of ``kind`` for each user, if any rule cares."""
    if not user_ids or not rules_engine.rules_concern(course_key, [kind]):
        return
    from mentora_plugin.badges import tasks

    for user_id in user_ids:
        tasks.evaluate_badge_rules.delay(int(user_id), str(course_key), reason_key, [kind])


def on_review_released(review: Any = None, **kwargs: Any) -> None:
    """REVIEW_RELEASED: an approval may meet a ``project_score`` condition of each learner of the work."""
    if review is None or getattr(review, "outcome", None) != "approved":
        return
    _queue(list(review.learner_ids or []), review.course_key, f"review:{review.review_id}", rules_engine.PROJECT_SCORE)


def on_booking_completed(booking: Any = None, **kwargs: Any) -> None:
    """BOOKING_COMPLETED: a session that took place (not a no-show) counts towards ``sessions_attended``."""
    if booking is None or getattr(booking, "status", None) != "completed":
        return
    trainers_api.record_activity(  # what trainers' own receiver records; idempotent on the booking id
        "session", booking.booking_id, booking.trainer_id, booking.learner_id, booking.course_key, booking.end,
        "delivered",
    )
    _queue([booking.learner_id], booking.course_key, f"booking:{booking.booking_id}", rules_engine.SESSIONS_ATTENDED)


def on_course_passing_status_updated(course_passing_status: Any = None, **kwargs: Any) -> None:
    """COURSE_PASSING_STATUS_UPDATED (LMS grades): a learner who now passes may meet ``course_passed``."""
    if course_passing_status is None or getattr(course_passing_status, "is_passing", None) is not True:
        return
    user_id = getattr(getattr(course_passing_status, "user", None), "id", None)
    course_key = getattr(getattr(course_passing_status, "course", None), "course_key", None)
    if not user_id or course_key is None:
        return
    metadata = kwargs.get("metadata")
    event_time = getattr(metadata, "time", None) or timezone.now()
    # What the host's own receiver records; guarded by the event's time, so any order converges.
    host_api.record_passing_status(user_id=user_id, course_key=course_key, is_passing=True, event_time=event_time)
    event_id = getattr(metadata, "id", None)
    reason = f"passing:{event_id}" if event_id else f"passing:{course_key}:{event_time.isoformat()}"
    _queue([user_id], course_key, reason, rules_engine.COURSE_PASSED)
