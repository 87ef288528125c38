"""
The "Mentoring" course tab, registered with the platform through the ``openedx.course_tab`` entry point.

Its base class comes from ``compat`` (the platform's EnrolledTab in the LMS, a stand-in elsewhere), so this module
imports anywhere.
"""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from mentora_plugin import toggles
from mentora_plugin.host import api, compat


class MentoraCourseTab(compat.get_course_tab_base()):
    """A course tab that leads learners, staff and trainers to the course's Mentora home."""

    type = "mentora"
    # The platform translates tab titles at render time; mark the string for extraction only.
    title = gettext_noop("Mentoring")
    priority = 60
    view_name = "mentora:course-home"
    is_hideable = True
    is_default = True

    @classmethod
    def is_enabled(cls, course: Any, user: Any = None) -> bool:
        """Shown when the toggle is on and the user has a part in the course (any Mentora course role)."""
        if not toggles.COURSE_TAB_ENABLED.is_enabled():
            return False
        if user is None or not getattr(user, "is_authenticated", False):
            return False
        course_key = getattr(course, "id", None) or getattr(course, "course_key", None)
        return bool(course_key and api.get_course_roles(user, course_key))
