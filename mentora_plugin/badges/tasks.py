"""
Badges' Celery tasks: string arguments, idempotent, safe to retry.

``send_badge_notification`` sends one email queued by ``notifications.notify`` (at most once per kind and award).
"""
from __future__ import annotations

from celery import shared_task

from mentora_plugin.celery_options import RETRY_OPTIONS


@shared_task(name="mentora_plugin.badges.tasks.send_badge_notification", **RETRY_OPTIONS)
def send_badge_notification(self, kind: str, award_id: str) -> int:
    """Send one badges' email, once (see ``notifications.send``). Returns how many this run sent (0 or 1)."""
    from mentora_plugin.badges import notifications

    return notifications.send(kind, award_id)


@shared_task(name="mentora_plugin.badges.tasks.evaluate_badge_rules", **RETRY_OPTIONS)
def evaluate_badge_rules(self, user_id: int, course_key: str, reason_key: str, kinds: list[str] | None = None) -> int:
    """
    Check one learner against the award rules an event concerns (``rules_engine.evaluate_for``), queued by
    ``handlers``. Safe to retry: the reason key makes the awards' source keys, so a rerun awards nothing twice.
    Returns how many awards this run made.
    """
    from mentora_plugin.badges import rules_engine

    return len(rules_engine.evaluate_for(user_id, course_key=course_key or None, reason_key=reason_key, kinds=kinds))


@shared_task(name="mentora_plugin.badges.tasks.award_trainer_badges", **RETRY_OPTIONS)
def award_trainer_badges(self) -> int:
    """
    Daily (Celery beat ``mentora-badges-trainer-recognition``): award the trainers' badges whose rules active
    trainers meet on their current figures (``rules_engine.award_trainer_badges``). Safe to rerun the same day.
    """
    from mentora_plugin.badges import rules_engine

    return rules_engine.award_trainer_badges()
