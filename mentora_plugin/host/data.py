"""Plain data returned by ``mentora_plugin.host.api``: no models leave the app."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.utils.translation import gettext, gettext_noop
from opaque_keys.edx.keys import CourseKey


class CourseRole(StrEnum):
    """A person's role in a course, as Mentora sees it. Ordered from the least to the most privileged."""

    LEARNER = "learner"
    TRAINER = "trainer"
    STAFF = "staff"
    INSTRUCTOR = "instructor"

    @property
    def rank(self) -> int:
        return list(CourseRole).index(self)

    def label(self, translate: Callable[[str], str] = gettext) -> str:
        """
        The role's name for people, in the current language. Blocks pass their runtime's gettext; pages use
        Django's. Both read the same catalog, so the words are the same everywhere.
        """
        return translate(_ROLE_LABELS[self])


_ROLE_LABELS = {
    CourseRole.LEARNER: gettext_noop("Learner"),
    CourseRole.TRAINER: gettext_noop("Trainer"),
    CourseRole.STAFF: gettext_noop("Course staff"),
    CourseRole.INSTRUCTOR: gettext_noop("Instructor"),
}


@dataclass(frozen=True)
class CourseInfo:
    """A course of the platform."""

    course_key: CourseKey
    org: str
    title: str
    start: datetime | None
    end: datetime | None


@dataclass(frozen=True)
class EnrollmentRecord:
    """One enrollment as the platform reports it (an event or a row of its enrollment API)."""

    user_id: int
    course_key: CourseKey
    mode: str
    is_active: bool


@dataclass(frozen=True)
class CourseRoleRecord:
    """One platform course or organisation role as the platform reports it."""

    user_id: int
    org: str
    course_key: CourseKey | None
    role: str
    is_active: bool = True


@dataclass(frozen=True)
class TrainerGrantInfo:
    """Who mentors in a course, and who said so."""

    user_id: int
    username: str
    display_name: str
    course_key: CourseKey
    is_active: bool
    granted_at: datetime
    granted_by_username: str | None
    reason: str


@dataclass(frozen=True)
class BulkResult:
    """What a back-fill did with one page of records."""

    written: int
    skipped_newer: int
    skipped_unknown_user: int = 0
