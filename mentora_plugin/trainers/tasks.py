"""
The trainers' Celery tasks: string arguments, idempotent, safe to retry.

``recompute_levels`` runs daily (Celery beat, ``mentora-trainers-recompute-levels``); ``remind_reviewers`` every few
hours (``mentora-trainers-remind-reviewers``). ``screen_application`` runs once an application's submission commits;
``send_trainer_notification`` sends one email of ``notifications.notify``.
"""
from __future__ import annotations

import logging

from celery import shared_task

from mentora_plugin.celery_options import RETRY_OPTIONS

log = logging.getLogger(__name__)



@shared_task(name="mentora_plugin.trainers.tasks.recompute_levels", ignore_result=True)
def recompute_levels() -> None:
    """Recompute every active trainer's level from their figures (see ``levels.recompute_levels``)."""
    from mentora_plugin.trainers import levels

    levels.recompute_levels()


@shared_task(name="mentora_plugin.trainers.tasks.screen_application", **RETRY_OPTIONS)
def screen_application(self, application_id: str) -> str:
    """
    Screen a submitted application (``applications.screen_application``). Returns its state afterwards, or the
    error code when there is nothing to screen: delivered twice, withdrawn meanwhile, or gone.
    """
    from mentora_plugin.trainers import applications
    from mentora_plugin.trainers.common import TrainersError

    try:
        return applications.screen_application(application_id).state
    except TrainersError as error:
        if error.code in ("invalid_transition", "application_not_found"):
            log.info("Application %s not screened: %s", application_id, error.code)
            return error.code
        raise


@shared_task(name="mentora_plugin.trainers.tasks.send_trainer_notification", **RETRY_OPTIONS)
def send_trainer_notification(self, kind: str, recipient_id: str, dedupe_key: str, payload: str) -> int:
    """Send one trainers' email, once (see ``notifications.send``). Returns how many this run sent (0 or 1)."""
    from mentora_plugin.trainers import notifications

    return notifications.send(kind, recipient_id, dedupe_key, payload)


@shared_task(name="mentora_plugin.trainers.tasks.remind_reviewers", ignore_result=True)
def remind_reviewers() -> int:
    """Periodic: remind reviewers of applications waiting for their vote (see ``notifications.remind_reviewers``)."""
    from mentora_plugin.trainers import notifications

    return notifications.remind_reviewers()
