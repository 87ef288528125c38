"""
Receivers of the platform's events (connected through ``plugin_app``'s ``signals_config``; see
``apps.EVENT_RECEIVERS``).

An unenrollment needs nothing to close the door: access is checked against the host's enrollment projection on each
request. This only tidies what would keep talking to a learner who left: their follows in the course's space and
their group memberships there (their posts stay). A group linked to a reviews project has its team re-synced
without them (best effort: a refusal of reviews is logged, the membership is gone anyway).
"""
from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

log = logging.getLogger(__name__)


def _field(data: Any, *path: str) -> Any:
    for name in path:
        data = getattr(data, name, None) if not isinstance(data, dict) else data.get(name)
    return data


def on_enrollment_changed(enrollment: Any = None, **kwargs: Any) -> None:
    """
    COURSE_UNENROLLMENT_COMPLETED: queue the tidy-up (``tidy_after_unenrollment``) once the platform's transaction
    commits. The LMS runs receivers inside the learner's unenrollment request: nothing is read or written here.
    """
    from mentora_plugin.communities import tasks

    user_id = _field(enrollment, "user", "id")
    course_key = _field(enrollment, "course", "course_key")
    if user_id is None or course_key is None:
        log.warning("COURSE_UNENROLLMENT_COMPLETED without a user or a course: ignored")
        return
    transaction.on_commit(lambda: tasks.tidy_after_unenrollment.delay(str(user_id), str(course_key)))


def tidy_after_unenrollment(user_id: int, course_key: Any) -> None:
    """Drop the learner's follows and group memberships in that course's space (idempotent; see the docstring)."""
    from mentora_plugin.communities import groups
    from mentora_plugin.communities.common import CommunitiesError
    from mentora_plugin.communities.models import Follow, Group, GroupMembership, Space

    space = Space.objects.filter(course_key=course_key).first()
    if space is None:
        return
    linked = [group for group in Group.objects.filter(space=space, memberships__user_id=user_id)
              if group.project_usage_key]
    with transaction.atomic():
        follows, _ = Follow.objects.filter(space=space, user_id=user_id).delete()
        memberships, _ = GroupMembership.objects.filter(group__space=space, user_id=user_id).delete()
    for group in linked:
        member_ids = sorted(GroupMembership.objects.filter(group=group).values_list("user_id", flat=True))
        try:
            with transaction.atomic():
                groups._sync_team(group, member_ids)
        except CommunitiesError as refusal:
            log.warning("The team of group %s could not follow: %s", group.pk, refusal)
    log.info("User %s left %s: %s follows and %s group memberships dropped", user_id, course_key, follows,
             memberships)
