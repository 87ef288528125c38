"""
Who may do what in communities (OEP-66, django-rules). Names follow ``mentora_communities.<action>_<model>``; the
object is a course key. What depends on one forum, thread or group (its leader, its supervisor, a private question's
asker, a suspension until a date) is decided by ``access.py`` on top of these.
"""
from __future__ import annotations

from typing import Any

import rules

from mentora_plugin.host.rules import (
    has_part_in_course,
    is_course_staff,
    is_course_trainer,
    is_platform_staff,
)


@rules.predicate
def may_lead_forums(user: Any, course_key: Any) -> bool:
    """A trainer whose level unlocks ``lead_forums`` in the course."""
    from mentora_plugin.trainers import api as trainers_api

    return course_key is not None and trainers_api.can(user, "lead_forums", course_key)


#: Request-scoped memory of who moderates which space (every request asks twice: moderate and sanction).
MODERATOR_CACHE = "mentora_communities.moderators"


@rules.predicate
def is_space_moderator(user: Any, course_key: Any) -> bool:
    """Someone the course staff made a moderator of the course's space (remembered for the request)."""
    from edx_django_utils.cache import RequestCache

    from mentora_plugin.communities.models import Member

    if course_key is None or not getattr(user, "is_authenticated", False):
        return False
    cache = RequestCache(MODERATOR_CACHE)
    cached = cache.get_cached_response(f"{user.pk}:{course_key}")
    if cached.is_found:
        return cached.value
    found = Member.objects.filter(space__course_key=str(course_key), user=user, is_moderator=True).exists()
    cache.set(f"{user.pk}:{course_key}", found)
    return found


def forget_cached_moderators() -> None:
    """After naming or removing a moderator: the next check reads the database."""
    from edx_django_utils.cache import RequestCache

    RequestCache(MODERATOR_CACHE).clear()


is_staff_of_space = is_course_staff | is_platform_staff

#: Read and write in the course's space (enrolled learners, trainers, staff), unless suspended there.
rules.add_perm("mentora_communities.view_space", has_part_in_course | is_platform_staff)
#: Create a thematic forum and lead it.
rules.add_perm("mentora_communities.create_forum", is_staff_of_space | (is_course_trainer & may_lead_forums))
#: Hide, lock, pin, close, move, edit, delete and restore posts; resolve reports; see hidden posts and private
#: questions.
rules.add_perm("mentora_communities.moderate_space", is_staff_of_space | is_course_trainer | is_space_moderator)
#: Mute or suspend someone in the space.
rules.add_perm("mentora_communities.sanction_member", is_staff_of_space | is_space_moderator)
#: Post announcements, name moderators, set the space's quotas and targets.
rules.add_perm("mentora_communities.manage_space", is_staff_of_space)
#: Answer, take and be assigned priority questions.
rules.add_perm("mentora_communities.answer_question", is_staff_of_space | is_course_trainer)
#: Create group projects (the creating trainer supervises) and manage any group of the course.
rules.add_perm("mentora_communities.manage_groups", is_staff_of_space | is_course_trainer)
