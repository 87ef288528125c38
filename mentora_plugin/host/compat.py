"""
The platform-only hooks, imported lazily, each with a stand-in for where the platform is absent (demo, tests).

This module and ``course_tab`` are the only places that name an edx-platform module. Every import happens inside
a function, so importing Mentora never needs the platform.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
from importlib import import_module
from typing import Any

from django.dispatch import Signal

log = logging.getLogger(__name__)

_RETIREMENT_SIGNALS_MODULE = "openedx.core.djangoapps.user_api.accounts.signals"
_RETIREMENT_SIGNAL_NAMES = ("USER_RETIRE_LMS_CRITICAL", "USER_RETIRE_LMS_MISC")

#: Stand-ins for the platform's retirement signals, sent with ``user=<User>`` like the platform's. The demo's
#: "retire this user" command and the tests send these; in the LMS the platform's own signals are used instead.
STANDIN_RETIREMENT_SIGNALS = {name: Signal() for name in _RETIREMENT_SIGNAL_NAMES}


def _platform_module(path: str) -> Any | None:
    try:
        return import_module(path)
    except ImportError:
        return None


def get_retirement_signals() -> dict[str, Signal]:
    """
    The platform's USER_RETIRE_LMS_CRITICAL and USER_RETIRE_LMS_MISC signals, or the stand-ins outside the LMS.

    The LMS retirement pipeline sends CRITICAL for data that must go first (and whose failure stops retirement)
    and MISC for the rest; both carry ``user``.
    """
    module = _platform_module(_RETIREMENT_SIGNALS_MODULE)
    if module is None:
        return dict(STANDIN_RETIREMENT_SIGNALS)
    return {name: getattr(module, name) for name in _RETIREMENT_SIGNAL_NAMES}


def _on_user_retire(sender: Any = None, user: Any = None, **kwargs: Any) -> None:
    """Erase the host projections of a user being retired."""
    from mentora_plugin.host import api

    if user is None:
        log.error("Mentora received a retirement signal without a user; nothing was retired.")
        return
    api.retire_user(user)


def connect_retirement_receivers() -> None:
    """Connect Mentora's retirement receiver to the platform's signals (or the stand-ins). Idempotent."""
    signals = get_retirement_signals()
    # Projections hold enrollment and role facts, not the account itself: erase them with the first signal.
    signals["USER_RETIRE_LMS_CRITICAL"].connect(_on_user_retire, dispatch_uid="mentora.host.retire_user", weak=False)


def emit_tracking_event(name: str, data: dict[str, Any]) -> None:
    """
    Emit a tracking-log event through the platform's tracker (``eventtracking``, configured by the LMS); outside
    the platform, the stand-in writes it to the ``mentora.tracking`` logger.
    """
    module = _platform_module("eventtracking.tracker")
    if module is not None:
        module.emit(name, data)
    else:
        tracking_log.info("%s %s", name, data)


tracking_log = logging.getLogger("mentora.tracking")


class StandinCourseTab:
    """
    What Mentora needs of the platform's ``lms.djangoapps.courseware.tabs.EnrolledTab`` where it is absent.

    The platform instantiates tab classes with a ``tab_dict`` and asks ``is_enabled(course, user)``.
    """

    type = ""
    title = ""
    priority = None
    view_name = ""
    is_hideable = False
    is_default = True

    def __init__(self, tab_dict: dict | None = None) -> None:
        self.tab_dict = tab_dict or {}

    @classmethod
    def is_enabled(cls, course: Any, user: Any = None) -> bool:
        return bool(user is not None and getattr(user, "is_authenticated", False))


def get_course_tab_base() -> type:
    """The platform's EnrolledTab class in the LMS; the stand-in elsewhere."""
    module = _platform_module("lms.djangoapps.courseware.tabs")
    return getattr(module, "EnrolledTab", StandinCourseTab) if module else StandinCourseTab


_PREFERENCES_API_MODULE = "openedx.core.djangoapps.user_api.preferences.api"


def get_user_preference(user: Any, key: str) -> str | None:
    """
    The value of one of ``user``'s account preferences (e.g. ``pref-lang``, ``time_zone``), or None.

    In the LMS this asks the platform's preferences API on the user's own behalf; a failure there (an unknown
    user, the API's internal errors) is logged and answered with None, so that a caller such as an email task
    falls back to a default instead of failing. Outside the platform the stand-in knows no preferences: None.
    """
    module = _platform_module(_PREFERENCES_API_MODULE)
    if module is None:
        return None
    try:
        value = module.get_user_preference(user, key)
    except Exception:  # the platform's errors vary by release; a preference is never worth failing
        log.warning("Could not read the preference %r of user %s", key, getattr(user, "pk", None), exc_info=True)
        return None
    return value if isinstance(value, str) and value else None


_STUDENT_MODELS_MODULE = "common.djangoapps.student.models"


def anonymous_id_for_user(user: Any, course_key: Any) -> str:
    """
    The anonymous id of ``user`` in the course, as the platform gives it to the course's blocks (and as ORA2 and
    edx-submissions key a learner's student items).

    In the LMS this is the platform's ``anonymous_id_for_user`` (32 hex digits, stable, stored by the platform).
    Outside it the stand-in derives 32 hex digits from ``SECRET_KEY``, the user id and the course key (HMAC-SHA256):
    stable, different per course and per user, and telling nothing about the user without the secret.
    """
    module = _platform_module(_STUDENT_MODELS_MODULE)
    if module is not None:
        return module.anonymous_id_for_user(user, course_key)
    from django.conf import settings

    message = f"{getattr(user, 'pk', user)}:{course_key}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]
