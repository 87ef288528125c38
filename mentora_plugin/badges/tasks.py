"""
Badges' Celery tasks: string arguments, idempotent, safe to retry.

``send_badge_notification`` sends one email queued by ``notifications.notify`` (at most once per kind and award).
"""
from __future__ import annotations

import smtplib
from typing import Any

from celery import shared_task
from django.db import OperationalError

#: Failures worth retrying: the mail server or the network, and the database's transient ones (a lock wait
#: timeout, a deadlock, a lost connection).
_TRANSIENT = (smtplib.SMTPException, OSError, OperationalError)
_RETRY_OPTIONS: dict[str, Any] = {
    "bind": True,
    "acks_late": True,
    "autoretry_for": _TRANSIENT,
    "retry_backoff": 30,
    "retry_backoff_max": 3600,
    "retry_jitter": True,
    "max_retries": 8,
    "ignore_result": True,
}


@shared_task(name="mentora_plugin.badges.tasks.send_badge_notification", **_RETRY_OPTIONS)
def send_badge_notification(self, kind: str, award_id: str) -> int:
    """Send one badges' email, once (see ``notifications.send``). Returns how many this run sent (0 or 1)."""
    from mentora_plugin.badges import notifications

    return notifications.send(kind, award_id)
