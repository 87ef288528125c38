"""
Who may do what with the host's data (OEP-66, django-rules).

Permissions are named ``mentora_host.<action>_<model>`` and checked with ``user.has_perm(name, course_key)``; the
object is the course key (a CourseKey or its string). Platform staff (``is_staff``) may do everything here.
"""
from __future__ import annotations

from typing import Any

import rules

from mentora_plugin import toggles
from mentora_plugin.host import api
from mentora_plugin.host.data import CourseRole


def _roles(user: Any, course_key: Any) -> frozenset[CourseRole]:
    if course_key is None:
        return frozenset()
    try:
        return api.get_course_roles(user, course_key)
    except api.HostError:
        return frozenset()


@rules.predicate
def is_course_learner(user: Any, course_key: Any) -> bool:
    """An active enrollment in the course."""
    return CourseRole.LEARNER in _roles(user, course_key)


@rules.predicate
def is_course_trainer(user: Any, course_key: Any) -> bool:
    """A Mentora trainer of the course."""
    return CourseRole.TRAINER in _roles(user, course_key)


@rules.predicate
def is_course_staff(user: Any, course_key: Any) -> bool:
    """Course staff or instructor (in the course or its whole organisation)."""
    return bool({CourseRole.STAFF, CourseRole.INSTRUCTOR} & _roles(user, course_key))


@rules.predicate
def course_staff_may_grant_trainers(user: Any, course_key: Any) -> bool:
    """Whether the operator lets course staff manage trainers (MENTORA_TRAINER_GRANTS_BY_COURSE_STAFF)."""
    return toggles.TRAINER_GRANTS_BY_COURSE_STAFF.is_enabled()


is_platform_staff = rules.is_staff
has_part_in_course = is_course_learner | is_course_trainer | is_course_staff

rules.add_perm("mentora_host.view_course", has_part_in_course | is_platform_staff)
rules.add_perm("mentora_host.view_course_learners", is_course_trainer | is_course_staff | is_platform_staff)
rules.add_perm("mentora_host.view_course_trainers", has_part_in_course | is_platform_staff)
rules.add_perm(
    "mentora_host.manage_course_trainers", (is_course_staff & course_staff_may_grant_trainers) | is_platform_staff
)
