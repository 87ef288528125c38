"""
Capabilities: what a trainer's level unlocks, the one table (``MENTORA_TRAINER_CAPABILITIES``) every domain asks.

Who gets what:

* An **active** trainer (``TrainerProfile.status == "active"``) gets their level's row of the table in the places
  their ``TrainerScope`` covers: a platform scope covers every course, an organisation scope the courses of that
  organisation, a course scope that course; asked without a course, any active scope counts. While
  ``probation_until`` is in the future, ``MENTORA_TRAINER_PROBATION_LIMITS`` caps the row (the lower of the two).
* A user made a trainer of a course by its staff (the host's trainer role: a grant, or a platform role listed in
  ``MENTORA_TRAINER_ROLES_FROM_PLATFORM``) counts there as a course-scoped trainer. If they never became an active
  trainer through an application, they get the **first** level's row, without probation, so installs that made
  trainers before levels existed keep working; an active trainer keeps their own level there (the level belongs to
  the person, the scope only says where they act).
* A **suspended** trainer gets nothing, whatever course staff granted: a suspension is the trainers domain's own
  sanction.
* Everyone else, anonymous and inactive users included, gets ``{}``.

Numbers are limits (0 refuses), booleans are permissions. A level missing from the table, or a capability missing
from a level, grants nothing. Settings are read at every call, so an operator's change applies at once.

While a request is being served, the trainer's profile and scopes are read once and remembered in edx-django-utils'
``RequestCache`` (permission rules ask many times per page); a save of a profile or a scope, or a change of
settings, forgets them. Outside requests (Celery tasks, management commands, tests calling functions directly)
nothing is remembered: each call reads the database, which is always right after bulk updates.
"""
from __future__ import annotations

import contextvars
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db.models.signals import post_delete, post_save
from django.test.signals import setting_changed
from django.utils import timezone
from django.utils.translation import gettext_lazy
from edx_django_utils.cache import RequestCache
from opaque_keys.edx.keys import CourseKey

from mentora_plugin.host import api as host_api
from mentora_plugin.host.data import CourseRole
from mentora_plugin.trainers.models import TrainerProfile, TrainerScope

__all__ = [
    "CAPABILITIES",
    "CAPABILITY_LABELS",
    "LIMIT_CAPABILITIES",
    "CapabilityValue",
    "can",
    "capabilities_of",
    "describe_capabilities",
    "forget_cached_capabilities",
    "is_active_trainer",
    "level_capabilities",
    "limit",
    "on_probation",
]

#: Every capability, in the order pages show them: the keys of the default ``MENTORA_TRAINER_CAPABILITIES``.
CAPABILITIES: tuple[str, ...] = (
    "max_active_mentees",
    "group_session_size",
    "host_live_sessions",
    "issue_badges",
    "feature_projects",
    "lead_forums",
    "review_applications",
)

#: The capabilities that are numbers (limits); the others are permissions (booleans).
LIMIT_CAPABILITIES: frozenset[str] = frozenset({"max_active_mentees", "group_session_size"})

#: What each capability means, for pages and the API.
CAPABILITY_LABELS = {
    "max_active_mentees": gettext_lazy("Learners mentored at once"),
    "group_session_size": gettext_lazy("Seats in a group session"),
    "host_live_sessions": gettext_lazy("Host live sessions"),
    "issue_badges": gettext_lazy("Issue badges and certificates"),
    "feature_projects": gettext_lazy("Feature projects in the gallery"),
    "lead_forums": gettext_lazy("Lead thematic forums"),
    "review_applications": gettext_lazy("Review trainer applications"),
}

_CACHE = "mentora.trainers.capabilities"
_serving_request: contextvars.ContextVar[bool] = contextvars.ContextVar("mentora_trainers_serving", default=False)


@dataclass(frozen=True)
class CapabilityValue:
    """
    One capability as a trainer has it: ``level_value`` is what the level's row grants, ``value`` what applies now
    (lowered by probation when ``capped``). ``kind`` is "limit" (a number) or "permission" (a boolean).
    """

    key: str
    label: str
    kind: str
    level_value: int | bool
    value: int | bool
    capped: bool

    @property
    def granted(self) -> bool:
        return bool(self.value)


@dataclass(frozen=True)
class _Record:
    """What the capabilities need of a trainer profile: read once per request."""

    status: str | None
    level: str
    probation_until: datetime | None
    scopes: tuple[tuple[str, str, CourseKey | None], ...]


# --- the table --------------------------------------------------------------------------------------------------------


def _check(capability: str) -> None:
    if capability not in CAPABILITIES:
        raise ValueError(f"unknown trainer capability {capability!r}; known: {', '.join(CAPABILITIES)}")


def _normalise(capability: str, value: Any) -> int | bool:
    """A limit is a whole number of at least 0; a permission is True or False. Anything else grants nothing."""
    if capability in LIMIT_CAPABILITIES:
        return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
    return value is True or (isinstance(value, int) and not isinstance(value, bool) and value > 0)


def _lower(capability: str, value: int | bool, cap: int | bool) -> int | bool:
    if capability in LIMIT_CAPABILITIES:
        return min(value, cap)
    return value and cap


def level_capabilities(level_key: str) -> dict[str, int | bool]:
    """
    What ``level_key`` unlocks by the table, for every capability (read from settings now; without probation). An
    unknown level, or a capability the level does not list, grants nothing (0 or False).
    """
    table = getattr(settings, "MENTORA_TRAINER_CAPABILITIES", None) or {}
    row = table.get(level_key) if isinstance(table, dict) else None
    row = row if isinstance(row, dict) else {}
    return {name: _normalise(name, row.get(name)) for name in CAPABILITIES}


def _probation_caps() -> dict[str, int | bool]:
    caps = getattr(settings, "MENTORA_TRAINER_PROBATION_LIMITS", None) or {}
    if not isinstance(caps, dict):
        return {}
    return {name: _normalise(name, value) for name, value in caps.items() if name in CAPABILITIES}


def describe_capabilities(level_key: str, on_probation: bool = False) -> list[CapabilityValue]:
    """
    Every capability of ``level_key`` with its label, as pages and the API show them; with ``on_probation``, the
    probation caps applied and marked.
    """
    granted = level_capabilities(level_key)
    caps = _probation_caps() if on_probation else {}
    described = []
    for name in CAPABILITIES:
        value = _lower(name, granted[name], caps[name]) if name in caps else granted[name]
        described.append(CapabilityValue(
            key=name,
            label=str(CAPABILITY_LABELS[name]),
            kind="limit" if name in LIMIT_CAPABILITIES else "permission",
            level_value=granted[name],
            value=value,
            capped=value != granted[name],
        ))
    return described


def _first_level() -> str:
    from mentora_plugin.trainers import levels  # levels may come to use capabilities: no import cycle

    keys = levels.level_keys()
    return keys[0] if keys else ""


# --- who has what -----------------------------------------------------------------------------------------------------


def _anonymous(user: Any) -> bool:
    return (
        user is None
        or not getattr(user, "is_authenticated", True)
        or getattr(user, "is_active", True) is False
    )


def _record(user_id: int) -> _Record:
    """The user's profile status, level, probation and active scopes (two indexed queries at most)."""
    cache = RequestCache(_CACHE) if _serving_request.get() else None
    if cache is not None:
        cached = cache.get_cached_response(str(user_id))
        if cached.is_found:
            return cached.value
    found = TrainerProfile.objects.filter(user_id=user_id).values_list("status", "level", "probation_until").first()
    status, level, probation_until = found if found else (None, "", None)
    scopes: tuple = ()
    if status == TrainerProfile.Status.ACTIVE:
        scopes = tuple(
            TrainerScope.objects.filter(profile__user_id=user_id, is_active=True).values_list(
                "kind", "org", "course_key"
            )
        )
    record = _Record(status=status, level=level or "", probation_until=probation_until, scopes=scopes)
    if cache is not None:
        cache.set(str(user_id), record)
    return record


def _covers(scopes: tuple, key: CourseKey | None) -> bool:
    if key is None:
        return bool(scopes)
    for kind, org, course_key in scopes:
        if kind == TrainerScope.Kind.PLATFORM:
            return True
        if kind == TrainerScope.Kind.ORG and org == key.org:
            return True
        if kind == TrainerScope.Kind.COURSE and course_key == key:
            return True
    return False


def _granted_by_course_staff(user: Any, key: CourseKey | None) -> bool:
    if key is None:
        return host_api.is_trainer_anywhere(user)
    return CourseRole.TRAINER in host_api.get_course_roles(user, key)


def _is_on_probation(record: _Record) -> bool:
    return record.probation_until is not None and record.probation_until > timezone.now()


def capabilities_of(user: Any, course_key: CourseKey | str | None = None) -> dict[str, int | bool]:
    """
    What ``user`` may do as a trainer in the course (or, with no course, anywhere they train): every capability
    with its value, or ``{}`` for whoever is not a trainer there (see the module docstring for who is).

    Args:
        user: a user, or a user id.
        course_key: the course (a CourseKey or its string), or None.

    Returns:
        ``{capability: int | bool}`` for every name of ``CAPABILITIES``, or ``{}``.

    Raises:
        InvalidCourseKeyError: ``course_key`` is malformed.
    """
    if _anonymous(user):
        return {}
    key = host_api.parse_course_key(course_key) if course_key is not None else None
    user_id = host_api._user_id(user)
    record = _record(user_id)
    if record.status == TrainerProfile.Status.SUSPENDED:
        return {}
    active = record.status == TrainerProfile.Status.ACTIVE
    if active and _covers(record.scopes, key):
        level, probation = record.level, _is_on_probation(record)
    elif _granted_by_course_staff(user, key):
        level, probation = (record.level, _is_on_probation(record)) if active else (_first_level(), False)
    else:
        return {}
    return {item.key: item.value for item in describe_capabilities(level, probation)}


def can(user: Any, capability: str, course_key: CourseKey | str | None = None) -> bool:
    """
    Whether ``user``'s level unlocks ``capability`` in the course: a permission granted, or a limit above 0.

    Raises:
        ValueError: ``capability`` is not one of ``CAPABILITIES`` (a programming error).
        InvalidCourseKeyError: ``course_key`` is malformed.
    """
    _check(capability)
    return bool(capabilities_of(user, course_key).get(capability, False))


def limit(user: Any, capability: str, course_key: CourseKey | str | None = None) -> int:
    """
    ``user``'s limit for ``capability`` in the course: 0 when refused. A permission counts as 1 when granted.

    Raises:
        ValueError: ``capability`` is not one of ``CAPABILITIES`` (a programming error).
        InvalidCourseKeyError: ``course_key`` is malformed.
    """
    _check(capability)
    return int(capabilities_of(user, course_key).get(capability, 0))


def is_active_trainer(user: Any, course_key: CourseKey | str | None = None) -> bool:
    """
    Whether ``user`` acts as a trainer in the course (or anywhere, with no course): an active trainer whose scope
    covers it, or a trainer made by course staff. Suspended trainers do not.
    """
    return bool(capabilities_of(user, course_key))


def on_probation(user: Any) -> bool:
    """Whether ``user`` is an active trainer whose probation (and so its caps) still runs."""
    if _anonymous(user):
        return False
    record = _record(host_api._user_id(user))
    return record.status == TrainerProfile.Status.ACTIVE and _is_on_probation(record)


# --- the request memo -------------------------------------------------------------------------------------------------


def forget_cached_capabilities(*args: Any, **kwargs: Any) -> None:
    """
    Forget what this request remembered of trainers' profiles (after a change made within the request). Also a
    receiver of the signals below, hence its arguments.
    """
    RequestCache(_CACHE).clear()


def _request_starts(*args: Any, **kwargs: Any) -> None:
    RequestCache(_CACHE).clear()
    _serving_request.set(True)


def _request_ends(*args: Any, **kwargs: Any) -> None:
    RequestCache(_CACHE).clear()
    _serving_request.set(False)


request_started.connect(_request_starts, dispatch_uid="mentora.trainers.capabilities.start", weak=False)
request_finished.connect(_request_ends, dispatch_uid="mentora.trainers.capabilities.end", weak=False)
setting_changed.connect(forget_cached_capabilities, dispatch_uid="mentora.trainers.capabilities.settings", weak=False)
for _model in (TrainerProfile, TrainerScope):
    for _signal in (post_save, post_delete):
        _signal.connect(
            forget_cached_capabilities, sender=_model, weak=False,
            dispatch_uid=f"mentora.trainers.capabilities.{_signal is post_save}.{_model.__name__}",
        )
