"""
The trainers' Celery tasks: string arguments, idempotent, safe to retry.

``recompute_levels`` runs daily (Celery beat, ``mentora-trainers-recompute-levels``).
"""
from __future__ import annotations

from celery import shared_task


@shared_task(name="mentora_plugin.trainers.tasks.recompute_levels", ignore_result=True)
def recompute_levels() -> None:
    """Recompute every active trainer's level from their figures (see ``levels.recompute_levels``)."""
    from mentora_plugin.trainers import levels

    levels.recompute_levels()
