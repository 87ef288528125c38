"""
The "Mentora course team" XBlock: lists the course's Mentora trainers and the viewer's role(s) in the course.

A thin block on purpose. It reads who is viewing and in which course through ``mentora_xblocks.identity``, asks
``mentora_plugin.host.api`` and the ``mentora_host`` permission rules, and renders. It stores no user state and
never touches Mentora's models, so the same answers come from the LMS, Studio's preview, the workbench and the
course's Mentora home page.
"""
from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from django.urls import NoReverseMatch, reverse
from opaque_keys.edx.keys import CourseKey
from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.fields import Scope, String
from xblock.utils.resources import ResourceLoader
from xblock.utils.studio_editable import StudioEditableXBlockMixin
from xblock.validation import ValidationMessage

from mentora_plugin.host import api
from mentora_plugin.trainers import api as trainers_api
from mentora_xblocks import identity
from mentora_xblocks.common import MentoraBlockMixin

loader = ResourceLoader(__name__)


def _(text: str) -> str:
    """Mark a string for extraction only: the runtime's i18n service translates it when the block renders."""
    return text


DEFAULT_TITLE = _("Your mentors")
CSS_RESOURCE = "public/xblocks/course_team.css"


class TeamStatus(StrEnum):
    """What the block can show the viewer: the team, or why not."""

    OK = "ok"
    UNKNOWN_COURSE = "unknown_course"
    ANONYMOUS = "anonymous"
    NO_ACCESS = "no_access"


@XBlock.needs("i18n")
@XBlock.needs("user")
class CourseTeamXBlock(MentoraBlockMixin, StudioEditableXBlockMixin, XBlock):
    """Who mentors in this course (full name and username), what the viewer is here, and where to go next."""

    dom_id_prefix = "mentora-course-team"
    default_title = DEFAULT_TITLE

    display_name = String(
        display_name=_("Display name"),
        help=_("The title shown above the list of mentors."),
        default=DEFAULT_TITLE,
        scope=Scope.settings,
    )
    fallback_course_key = String(
        display_name=_("Course key where the platform gives none"),
        help=_(
            "Only for runtimes without courses, such as the XBlock workbench: the course whose mentors to list. "
            "In a course the block always lists that course's own mentors and ignores this value."
        ),
        default="",
        scope=Scope.settings,
    )
    editable_fields = ("display_name", "fallback_course_key")

    # --- views and handlers -----------------------------------------------------------------------------------------

    def student_view(self, context: dict | None = None) -> Fragment:
        """The team, the viewer's role and a link to the course's Mentora home page, or a message saying why not."""
        html = loader.render_django_template(
            "templates/course_team.html",
            {"team": self.team_data(), "dom_id": self._dom_id()},
            i18n_service=self._i18n(),
        )
        fragment = Fragment(html)
        fragment.add_css_url(self.runtime.local_resource_url(self, CSS_RESOURCE))
        return fragment

    @XBlock.json_handler
    def get_team(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """The same answer as the student view, as JSON (for scripts and tests)."""
        return self.team_data()

    # --- what the block shows -------------------------------------------------------------------------------------

    def team_data(self) -> dict[str, Any]:
        """
        Everything the views show, as plain JSON-ready data, with the texts in the viewer's language.

        ``status`` says whether the team is shown (``ok``) or why not; ``message`` explains it to people.
        """
        gettext = self._gettext()
        course_key = identity.get_course_key(self)
        course = api.get_course(course_key) if course_key else None
        answer: dict[str, Any] = {
            "title": self._title(gettext),
            "status": TeamStatus.OK.value,
            "message": "",
            "course_key": str(course_key) if course_key else None,
            "course_title": course.title if course else None,
            "course_home_url": None,
            "trainers": [],
            "roles": [],
            "role_labels": [],
        }
        if course is None:
            return self._refused(answer, TeamStatus.UNKNOWN_COURSE, gettext)
        user = identity.get_current_user(self)
        if user is None:
            return self._refused(answer, TeamStatus.ANONYMOUS, gettext)
        if not user.has_perm("mentora_host.view_course_trainers", course_key):
            return self._refused(answer, TeamStatus.NO_ACCESS, gettext)

        roles = sorted(api.get_course_roles(user, course_key), key=lambda role: role.rank, reverse=True)
        answer["roles"] = [role.value for role in roles]
        answer["role_labels"] = [role.label(gettext) for role in roles]
        if not roles:
            answer["message"] = gettext("You have no role in this course; you see its mentors as platform staff.")
        # Trainers with a public profile (active trainers) link to it, with their level; one query for all of them.
        public = {summary.username: summary for summary in trainers_api.search_trainers(course_key=course_key)}
        answer["trainers"] = [
            {
                "username": trainer.username,
                "full_name": api.display_name(trainer),
                "profile_url": _profile_url(trainer.username) if trainer.username in public else None,
                "level_name": public[trainer.username].level_name if trainer.username in public else None,
            }
            for trainer in api.get_course_trainers(course_key)
        ]
        answer["course_home_url"] = _course_home_url(course_key)
        return answer

    @staticmethod
    def _refused(answer: dict[str, Any], status: TeamStatus, gettext: Callable[[str], str]) -> dict[str, Any]:
        messages = {
            TeamStatus.UNKNOWN_COURSE: gettext(
                "This block is not in a course that Mentora knows yet, so there are no mentors to show."
            ),
            TeamStatus.ANONYMOUS: gettext("Sign in to see who mentors in this course."),
            TeamStatus.NO_ACCESS: gettext(
                "Mentors are listed for the people taking part in this course. Enroll in the course to see them."
            ),
        }
        answer.update(status=status.value, message=messages[status])
        return answer

    # --- Studio -------------------------------------------------------------------------------------------------

    def validate_field_data(self, validation: Any, data: Any) -> None:
        """A fallback course key, when given, must be a course key (checked when an author saves in Studio)."""
        problem = identity.fallback_course_key_error(data.fallback_course_key, self._gettext())
        if problem:
            validation.add(ValidationMessage(ValidationMessage.ERROR, problem))

    @staticmethod
    def workbench_scenarios() -> list[tuple[str, str]]:
        """The demo course's team, for xblock-sdk's workbench (scenario id ``mentora_course_team.0``)."""
        return [
            (
                "Mentora course team",
                '<mentora_course_team fallback_course_key="course-v1:MentoraDemo+MENT101+2026"/>',
            ),
        ]


def _profile_url(username: str) -> str | None:
    """The trainer's public profile page, where the trainers' pages are mounted (the LMS, the demo)."""
    try:
        return reverse("mentora-trainers:profiles-detail", kwargs={"username": username})
    except NoReverseMatch:
        return None


def _course_home_url(course_key: CourseKey) -> str | None:
    """The course's Mentora home page, where the Mentora plugin's URLs are mounted (the LMS, the demo)."""
    try:
        return reverse("mentora:course-home", kwargs={"course_id": str(course_key)})
    except NoReverseMatch:
        return None
