"""
Communities' Celery tasks: string arguments, idempotent, safe to retry.

``notify_post_created`` is queued by ``posts`` once a thread or reply commits; ``escalate_overdue_questions``
(Celery beat ``mentora-communities-escalate-questions``) and ``send_digests`` (``mentora-communities-email-digests``)
are periodic.
"""
from __future__ import annotations

import logging

from celery import shared_task

from mentora_plugin.celery_options import RETRY_OPTIONS

log = logging.getLogger(__name__)


@shared_task(name="mentora_plugin.communities.tasks.notify_post_created", **RETRY_OPTIONS)
def notify_post_created(self, post_id: str) -> int:
    """Tell whom a new post concerns (``notifications.post_created``). Returns how many notifications were made."""
    from mentora_plugin.communities import notifications

    return notifications.post_created(int(post_id))


@shared_task(name="mentora_plugin.communities.tasks.escalate_overdue_questions", ignore_result=True)
def escalate_overdue_questions() -> int:
    """Periodic: tell course staff of priority questions past their response target (``qa.escalate_overdue``)."""
    from mentora_plugin.communities import qa

    return qa.escalate_overdue()


@shared_task(name="mentora_plugin.communities.tasks.send_digests", **RETRY_OPTIONS)
def send_digests(self) -> int:
    """Periodic: email each person due their digest of notifications (``notifications.send_digests``)."""
    from mentora_plugin.communities import notifications

    return notifications.send_digests()


@shared_task(name="mentora_plugin.communities.tasks.tidy_after_unenrollment", **RETRY_OPTIONS)
def tidy_after_unenrollment(self, user_id: str, course_key: str) -> None:
    """After an unenrollment: drop the learner's follows and group memberships there (``handlers``)."""
    from mentora_plugin.communities import handlers

    handlers.tidy_after_unenrollment(int(user_id), course_key)
