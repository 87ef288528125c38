"""
What badges erase when the platform retires a user (GDPR), on the platform's USER_RETIRE_LMS_MISC signal: their
awards (so nothing hosted or verifiable names them any more) and their links as issuer or revoker.
"""
from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from mentora_plugin.host import api as host_api
from mentora_plugin.host import compat

log = logging.getLogger(__name__)


def retire_user(user: Any) -> None:
    """Erase ``user``'s badge data. Idempotent."""
    from mentora_plugin.badges.models import AwardRule, BadgeAward, BadgeClass, PortfolioSettings, RevokedCredential

    user_id = host_api._user_id(user)
    with transaction.atomic():
        revoked = BadgeAward.objects.filter(recipient_id=user_id, revoked_at__isnull=False)
        # Their signed credentials must stay revoked; the reason is not kept (it may name them).
        RevokedCredential.objects.bulk_create(
            [RevokedCredential(public_id=public_id, revoked_at=when)
             for public_id, when in revoked.values_list("public_id", "revoked_at")],
            ignore_conflicts=True,
        )
        BadgeAward.objects.filter(recipient_id=user_id).delete()
        PortfolioSettings.objects.filter(user_id=user_id).delete()
        AwardRule.objects.filter(created_by_id=user_id).update(created_by=None)
        BadgeAward.objects.filter(issued_by_id=user_id).update(issued_by=None)
        BadgeAward.objects.filter(revoked_by_id=user_id).update(revoked_by=None)
        BadgeClass.objects.filter(created_by_id=user_id).update(created_by=None)
    log.info("Mentora badges data retired for user %s", user_id)


def _on_retire(sender: Any, user: Any = None, **kwargs: Any) -> None:
    if user is not None:
        retire_user(user)


def connect_receivers() -> None:
    """Listen to the platform's retirement signal (a stand-in outside the platform)."""
    compat.get_retirement_signals()["USER_RETIRE_LMS_MISC"].connect(
        _on_retire, dispatch_uid="mentora_badges_retire_user", weak=False
    )
