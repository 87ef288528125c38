"""
Who may do what in trainers (OEP-66, django-rules). Names follow ``mentora_trainers.<action>_<model>``.

Capabilities that a trainer's level unlocks are asked through ``capabilities.can``: a rule here and every other
domain's rules use that one function, so a capability refused by level is refused through every door. Other domains
may build their predicates with ``has_capability(name)`` (the object is the course key, or None).
"""
from __future__ import annotations

from typing import Any

import rules

from mentora_plugin.host import api as host_api
from mentora_plugin.host.rules import is_platform_staff

# Imported here (the app's ready()) rather than on first use, so that the capabilities' request memo is hooked to
# the request signals before the first request starts.
from mentora_plugin.trainers import capabilities


def has_capability(name: str) -> rules.Predicate:
    """
    A predicate ``(user, course_key=None)``: whether the user's level unlocks capability ``name`` in the course (see
    ``capabilities.can``). A malformed course key grants nothing.

    Raises:
        ValueError: ``name`` is not a known capability (checked now, when the rule is declared).
    """
    if name not in capabilities.CAPABILITIES:
        raise ValueError(f"unknown trainer capability {name!r}")

    def predicate(user: Any, course_key: Any = None) -> bool:
        try:
            return capabilities.can(user, name, course_key)
        except host_api.HostError:
            return False

    predicate.__name__ = f"has_capability_{name}"
    return rules.predicate(predicate)


@rules.predicate
def may_review_applications(user: Any) -> bool:
    """A trainer whose level unlocks reviewing trainer applications."""
    return capabilities.can(user, "review_applications")


@rules.predicate
def is_signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


#: See the application queue, be assigned to an application, score it and vote on it.
rules.add_perm("mentora_trainers.review_application", may_review_applications | is_platform_staff)
#: Assign reviewers, validate skills of any profile, manage the skill taxonomy.
rules.add_perm("mentora_trainers.manage_application", is_platform_staff)
#: The published ladder: every level's criteria and what it unlocks.
rules.add_perm("mentora_trainers.view_ladder", is_signed_in)
#: Any trainer's standing and level history (the staff's list of trainers by level).
rules.add_perm("mentora_trainers.view_level", is_platform_staff)
#: Lock, unlock or override a trainer's level; recompute on demand.
rules.add_perm("mentora_trainers.manage_level", is_platform_staff)
#: Hide or show a rating (with a reason).
rules.add_perm("mentora_trainers.moderate_rating", is_platform_staff)
#: The confidential dispute queue: see, assign, annotate, resolve.
rules.add_perm("mentora_trainers.handle_dispute", is_platform_staff)
