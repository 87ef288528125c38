"""
Reviews' Celery tasks: string arguments, idempotent, safe to retry.

``send_due_reminders`` and ``flag_overdue_reviews`` run hourly (Celery beat, ``mentora-reviews-due-reminders`` and
``mentora-reviews-queue-overdue``), ``release_expired_claims`` every 15 minutes
(``mentora-reviews-release-expired-claims``); ``send_review_notification`` sends one email of ``notifications.notify``.
"""
from __future__ import annotations

import logging

from celery import shared_task

from mentora_plugin.celery_options import RETRY_OPTIONS

log = logging.getLogger(__name__)



@shared_task(name="mentora_plugin.reviews.tasks.send_review_notification", **RETRY_OPTIONS)
def send_review_notification(self, kind: str, recipient_id: str, dedupe_key: str, payload: str) -> int:
    """Send one reviews' email, once (see ``notifications.send``). Returns how many this run sent (0 or 1)."""
    from mentora_plugin.reviews import notifications

    return notifications.send(kind, recipient_id, dedupe_key, payload)


@shared_task(name="mentora_plugin.reviews.tasks.send_due_reminders", ignore_result=True)
def send_due_reminders() -> int:
    """Periodic: remind learners who have not submitted to a project due soon (``notifications.send_due_reminders``)."""
    from mentora_plugin.reviews import notifications

    return notifications.send_due_reminders()


@shared_task(name="mentora_plugin.reviews.tasks.flag_overdue_reviews", ignore_result=True)
def flag_overdue_reviews() -> int:
    """Periodic: tell trainers and staff of submissions waiting too long (``notifications.flag_overdue_reviews``)."""
    from mentora_plugin.reviews import notifications

    return notifications.flag_overdue_reviews()


@shared_task(name="mentora_plugin.reviews.tasks.release_expired_claims", ignore_result=True)
def release_expired_claims() -> int:
    """
    Periodic: a claim its trainer left to expire is free already; this puts the submission's status back to waiting,
    so that the learner and the queue's filters stop showing it "in review" (``reviewing.release_expired_claims``).
    """
    from mentora_plugin.reviews import reviewing

    return reviewing.release_expired_claims()
