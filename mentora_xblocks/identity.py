"""
Who is looking at a block, and in which course: read the same way in every runtime.

XBlock runtimes disagree on both questions. The LMS and Studio user service puts the platform's user id in
``XBlockUser.opt_attrs["edx-platform.user_id"]`` (next to ``edx-platform.username``, ``edx-platform.user_is_staff``
and ``edx-platform.anonymous_user_id``); xblock-sdk's workbench only gives ``opt_attrs["xblock-workbench.user_id"]``,
a free string (``"student_1"`` by default; the demo's middleware makes it the signed-in user's id). The course is
the learning context of the block's usage key in the LMS and Studio, while the workbench has no course at all.

Blocks call the functions below and nothing else, so that the runtime differences live in one place and a new
runtime means one change here. Permissions are not decided here: callers ask ``user.has_perm(...)``.
"""
from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey
from xblock.exceptions import NoSuchServiceError

__all__ = [
    "FALLBACK_COURSE_KEY_FIELD",
    "LMS_ANONYMOUS_USER_ID",
    "LMS_USER_ID",
    "WORKBENCH_USER_ID",
    "get_anonymous_user_id",
    "get_course_key",
    "get_current_user",
]

log = logging.getLogger(__name__)

#: The LMS / Studio user service's attribute holding the platform user id (an int, None when anonymous).
LMS_USER_ID = "edx-platform.user_id"
#: The LMS user service's attribute holding the learner's anonymous id in the block's course (a string).
LMS_ANONYMOUS_USER_ID = "edx-platform.anonymous_user_id"
#: xblock-sdk's workbench user service attribute: the ``?student=`` value of the URL, a string.
WORKBENCH_USER_ID = "xblock-workbench.user_id"
#: The block field (Scope.settings) naming the course where the runtime has none (the workbench).
FALLBACK_COURSE_KEY_FIELD = "fallback_course_key"


def get_current_user(block: Any) -> AbstractBaseUser | None:
    """
    Return the Django user viewing ``block``, or None (anonymous, or a workbench student who is no user).

    The LMS attribute wins when present: it is the platform's authenticated user. The workbench attribute is read
    only as a digit string (a user's primary key); anything else, such as the workbench's default ``student_1``,
    maps to nobody rather than to a guessed user. The user is returned whether or not the account is activated,
    as the LMS lets unactivated learners take courses; what they may see is the permission rules' decision.
    """
    user_id = _user_id_from_service(block)
    if user_id is None:
        return None
    return get_user_model().objects.filter(pk=user_id).first()


def get_anonymous_user_id(block: Any) -> str | None:
    """
    Return the anonymous id the platform gives the viewer in the block's course, or None where there is none.

    The LMS user service carries it (``edx-platform.anonymous_user_id``): it is the ``student_id`` the platform's
    own blocks (ORA2 among them) put in edx-submissions' student items, so a grade set on it reaches the
    gradebook. The workbench has none: its runtime's ``anonymous_student_id`` is one fixed string shared by every
    student, which must never identify anybody, so it is not read. With None, the domain derives the id itself.
    """
    value = _user_attrs(block).get(LMS_ANONYMOUS_USER_ID)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _user_attrs(block: Any) -> dict[str, Any]:
    """The current user's ``opt_attrs`` from the runtime's user service (empty without one)."""
    try:
        service = block.runtime.service(block, "user")
    except NoSuchServiceError:
        return {}
    current = service.get_current_user() if service is not None else None
    return getattr(current, "opt_attrs", None) or {}


def _user_id_from_service(block: Any) -> int | None:
    attrs = _user_attrs(block)
    for name in (LMS_USER_ID, WORKBENCH_USER_ID):
        user_id = _as_user_id(attrs.get(name))
        if user_id is not None:
            return user_id
    return None


def _as_user_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value) or None
    return None


def get_course_key(block: Any) -> CourseKey | None:
    """
    Return the course ``block`` lives in, or None when neither the runtime nor the block names a valid course.

    In order:

    1. the learning context of the block's usage key (LMS and Studio), when it is a course (a block in a content
       library has no course);
    2. the runtime's ``course_id``, which older LMS runtimes carry;
    3. the block's ``fallback_course_key`` field, for runtimes without courses (the workbench). It never overrides
       a course the runtime knows, so an author cannot point a block at another course.

    ``block.course_id`` is deliberately not read: the workbench patches a fake ``course-v1:edX+Demo+2020`` onto
    every block it renders.
    """
    context_key = getattr(block.scope_ids.usage_id, "context_key", None)
    if isinstance(context_key, CourseKey):
        return _plain(context_key)
    runtime_course = _as_course_key(getattr(block.runtime, "course_id", None))
    if runtime_course is not None:
        return runtime_course
    return _as_course_key(getattr(block, FALLBACK_COURSE_KEY_FIELD, None))


def _as_course_key(value: Any) -> CourseKey | None:
    if isinstance(value, CourseKey):
        return _plain(value)
    if isinstance(value, str) and value.strip():
        try:
            return _plain(CourseKey.from_string(value.strip()))
        except InvalidKeyError:
            log.warning("Ignoring an invalid course key on a Mentora block: %r", value[:255])
    return None


def _plain(course_key: CourseKey) -> CourseKey:
    """Studio's keys may carry a branch or a version; Mentora's projections know the plain course key."""
    try:
        if getattr(course_key, "branch", None) is not None:
            course_key = course_key.for_branch(None)
        if getattr(course_key, "version_guid", None) is not None:
            course_key = course_key.version_agnostic()
    except InvalidKeyError:  # a version-only locator names no course; leave it, it matches no projection
        pass
    return course_key


def fallback_course_key_error(value: str, gettext: Any) -> str | None:
    """
    Why an author's fallback course key (the Studio field of runtimes without courses) is refused, or None.

    ``gettext`` is the block's runtime gettext, so that Studio shows the message in the author's language.
    """
    value = (value or "").strip()
    if not value:
        return None
    try:
        CourseKey.from_string(value)
    except InvalidKeyError:
        return gettext("“{value}” is not a course key.").format(value=value[:255])
    return None
