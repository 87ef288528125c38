"""
What every part of trainers shares: its error, and getting (or locking) a user's trainer profile.

The profile row is the lock of everything about one trainer (their application, their level, their ratings'
totals): lock it first, alone, then read (MariaDB cannot lock one table of a join).
"""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from mentora_plugin.db import insert_ignoring_conflicts
from mentora_plugin.host import api as host_api
from mentora_plugin.trainers.models import TrainerProfile


class TrainersError(ValueError):
    """
    A trainers request that cannot be honoured. ``code`` is machine-readable, ``status`` the HTTP status a REST view
    answers with, and the message says why for people (translated).
    """

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


def not_found(what: str) -> TrainersError:
    """The 404 of ``what`` (also for what exists but the user may not see: no existence leak)."""
    return TrainersError(f"{what}_not_found", _("No such {what}.").format(what=what.replace("_", " ")), status=404)


def forbidden(message: str) -> TrainersError:
    return TrainersError("permission_denied", message, status=403)


def ensure_profile(user: Any) -> TrainerProfile:
    """``user``'s trainer profile, created (as an applicant's) if they have none. Safe when two requests race."""
    user_id = host_api._user_id(user)
    profile = TrainerProfile.objects.filter(user_id=user_id).first()
    if profile is None:
        insert_ignoring_conflicts(TrainerProfile(user_id=user_id))
        profile = TrainerProfile.objects.get(user_id=user_id)
    return profile


def lock_profile(user: Any) -> TrainerProfile:
    """
    ``user``'s trainer profile, locked (``SELECT ... FOR UPDATE``) until the transaction ends; created if missing.

    Call inside ``transaction.atomic()``.
    """
    user_id = ensure_profile(user).user_id
    return TrainerProfile.objects.select_for_update().get(user_id=user_id)


def bayesian_average(stars_sum: float, count: int, prior_mean: float, prior_weight: float) -> float:
    """
    The average of ``count`` ratings summing to ``stars_sum``, pulled toward ``prior_mean`` as if ``prior_weight``
    ratings of that value came first: three five-star ratings do not outrank two hundred 4.8s.
    """
    if count <= 0 and prior_weight <= 0:
        return 0.0
    return (prior_mean * prior_weight + stars_sum) / (prior_weight + count)


def rating_prior() -> tuple[float, float]:
    """``MENTORA_TRAINER_RATING_PRIOR`` as (mean, weight), read at call time."""
    from django.conf import settings

    prior = getattr(settings, "MENTORA_TRAINER_RATING_PRIOR", None) or {}
    return float(prior.get("mean", 4.0)), float(prior.get("weight", 10))
