"""
Levels: the configurable ladder (``MENTORA_TRAINER_LEVELS``), recomputed from each trainer's figures.

(being written)
"""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from mentora_plugin.trainers.common import lock_profile
from mentora_plugin.trainers.models import LevelChange, TrainerProfile

__all__ = ["level_keys", "level_name", "start_first_level"]

#: The built-in names of the default levels' keys (an operator's level may bring its own "name").
LEVEL_NAMES = {
    "beginner": gettext_lazy("Beginner"),
    "intermediate": gettext_lazy("Intermediate"),
    "advanced": gettext_lazy("Advanced"),
    "expert": gettext_lazy("Expert"),
}


def _levels() -> list[dict[str, Any]]:
    return list(getattr(settings, "MENTORA_TRAINER_LEVELS", None) or [{"key": "beginner", "criteria": {}}])


def level_keys() -> list[str]:
    """The keys of the ladder, lowest first."""
    return [level["key"] for level in _levels()]


def level_name(key: str) -> str:
    """The name to show for a level key (the operator's "name", else the built-in translated one, else the key)."""
    for level in _levels():
        if level["key"] == key and level.get("name"):
            return str(level["name"])
    return str(LEVEL_NAMES.get(key, key))


def start_first_level(user: Any, actor: Any = None) -> None:
    """
    Make ``user`` an active trainer at the first level, on probation for ``MENTORA_TRAINER_PROBATION_DAYS``; logged
    as the level's ``initial`` change. Called when an application completes onboarding. Does nothing for a trainer
    who is already active (a second approval, in another scope, keeps their level).
    """
    with transaction.atomic():
        profile = lock_profile(user)
        if profile.status == TrainerProfile.Status.ACTIVE and profile.level:
            return
        now = timezone.now()
        first = level_keys()[0]
        days = getattr(settings, "MENTORA_TRAINER_PROBATION_DAYS", 30) or 0
        profile.status = TrainerProfile.Status.ACTIVE
        profile.level = first
        profile.activated_at = profile.activated_at or now
        profile.probation_until = now + timezone.timedelta(days=days) if days else None
        profile.level_warning_at = None
        profile.save()
        LevelChange.objects.create(
            profile=profile, kind=LevelChange.Kind.INITIAL, from_level="", to_level=first,
            actor_id=getattr(actor, "pk", None), snapshot=profile.metrics or {}, at=now,
        )
