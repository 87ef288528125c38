"""
Receivers of Mentora's own events that feed the trainers' figures (connected through ``plugin_app``'s
``signals_config``; see ``apps.EVENT_RECEIVERS``). They read the event's data only, never the announcing domain.
"""
from __future__ import annotations

from typing import Any

from mentora_plugin.trainers import activity, ratings
from mentora_plugin.trainers.models import TrainerActivity

#: A booking's status after BOOKING_COMPLETED, as the trainers' activity outcome.
_OUTCOMES = {
    "completed": TrainerActivity.Outcome.DELIVERED,
    "no_show_trainer": TrainerActivity.Outcome.TRAINER_NO_SHOW,
    "no_show_learner": TrainerActivity.Outcome.LEARNER_NO_SHOW,
}


def on_booking_completed(booking: Any = None, **kwargs: Any) -> None:
    """A session took place (or a side did not come): one activity per booking."""
    outcome = _OUTCOMES.get(getattr(booking, "status", None))
    if booking is None or outcome is None:
        return
    activity.record_activity(
        "session", booking.booking_id, booking.trainer_id, booking.learner_id, booking.course_key, booking.end, outcome
    )


def on_booking_rated(rating: Any = None, **kwargs: Any) -> None:
    """A learner rated a session: the trainer's rating for that interaction (the latest stars and comment win)."""
    if rating is None:
        return
    ratings.record_session_rating(
        booking_id=rating.booking_id,
        trainer_id=rating.trainer_id,
        learner_id=rating.learner_id,
        course_key=rating.course_key,
        stars=rating.stars,
        comment=getattr(rating, "comment", ""),
    )
