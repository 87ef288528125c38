"""
Who may do what in trainers (OEP-66, django-rules). Names follow ``mentora_trainers.<action>_<model>``.

Capabilities that a trainer's level unlocks are asked through ``capabilities.can``: a rule here and every other
domain's rules use that one function, so a capability refused by level is refused through every door.
"""
from __future__ import annotations

from typing import Any

import rules

from mentora_plugin.host.rules import is_platform_staff


@rules.predicate
def may_review_applications(user: Any) -> bool:
    """A trainer whose level unlocks reviewing trainer applications."""
    from mentora_plugin.trainers import capabilities  # the rules load before the app's modules are ready

    return capabilities.can(user, "review_applications")


#: See the application queue, be assigned to an application, score it and vote on it.
rules.add_perm("mentora_trainers.review_application", may_review_applications | is_platform_staff)
#: Assign reviewers, validate skills of any profile, manage the skill taxonomy.
rules.add_perm("mentora_trainers.manage_application", is_platform_staff)
#: Lock, unlock or override a trainer's level; recompute on demand.
rules.add_perm("mentora_trainers.manage_level", is_platform_staff)
#: Hide or show a rating (with a reason).
rules.add_perm("mentora_trainers.moderate_rating", is_platform_staff)
#: The confidential dispute queue: see, assign, annotate, resolve.
rules.add_perm("mentora_trainers.handle_dispute", is_platform_staff)
