"""The options every Mentora Celery task that talks to a mail server or races other writers retries with."""
from __future__ import annotations

import smtplib
from typing import Any

from django.db import OperationalError

#: Failures worth retrying: the mail server or the network (``OSError`` covers sockets and timeouts), and the
#: database's transient ones (a lock wait timeout, a deadlock, a lost connection).
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError, OperationalError)

#: ``@shared_task(name=..., **RETRY_OPTIONS)``: acknowledged once done (a worker lost mid-task leaves it to another),
#: retried with exponential backoff and jitter up to about a day, results not stored. The tasks are idempotent.
RETRY_OPTIONS: dict[str, Any] = {
    "bind": True,
    "acks_late": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 30,
    "retry_backoff_max": 3600,
    "retry_jitter": True,
    "max_retries": 8,
    "ignore_result": True,
}
