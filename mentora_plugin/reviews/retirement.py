"""
What reviews erases when the platform retires a user (GDPR), on the platform's USER_RETIRE_LMS_MISC signal.

(being written)
"""
from __future__ import annotations

from typing import Any

from mentora_plugin.host import compat


def retire_user(user: Any) -> None:
    """Erase ``user``'s review data (see the module docstring)."""


def _on_user_retire(sender: Any = None, user: Any = None, **kwargs: Any) -> None:
    if user is not None:
        retire_user(user)


def connect_receivers() -> None:
    """Connect to the platform's retirement signal (or its stand-in outside the LMS). Idempotent."""
    compat.get_retirement_signals()["USER_RETIRE_LMS_MISC"].connect(
        _on_user_retire, dispatch_uid="mentora.reviews.retire_user", weak=False
    )
