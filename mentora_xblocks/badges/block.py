"""
The "Mentora badges" XBlock: in a course unit, the badges the course offers (its active learners' badge classes,
or the ones its author chose), which of them the viewer has earned (with the award's status and its public
verification page), and, for the others, how far the viewer is from each condition of their automatic awarding.

A thin block. It reads who is viewing and in which course through ``mentora_xblocks.identity``, asks
``mentora_plugin.badges.api`` for everything, stores no user state and never touches models. The learner's view is
rendered on the server and needs no script (the criteria open in a native ``<details>``); the Studio form has a
small script (``static/xblocks/badges.js``) that saves through the ``studio_submit`` JSON handler, which checks the
chosen badges against the course's and answers refusals field by field.
"""
from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from opaque_keys.edx.keys import CourseKey
from web_fragments.fragment import Fragment
from webob import Response
from xblock.core import XBlock
from xblock.fields import List, Scope, String
from xblock.utils.resources import ResourceLoader

from mentora_plugin.badges import api, openbadges2
from mentora_xblocks import identity
from mentora_xblocks.common import MentoraBlockMixin

loader = ResourceLoader(__name__)


def _(text: str) -> str:
    """Mark a string for extraction only: the runtime's i18n service translates it when the block renders."""
    return text


DEFAULT_TITLE = _("Badges of this course")
CSS_RESOURCE = "public/xblocks/badges.css"
JS_RESOURCE = "public/xblocks/badges.js"
#: Who may choose the block's badges: whoever manages the course's badge classes (course staff, platform staff).
MANAGE = "mentora_badges.manage_badgeclass"
MAX_TITLE = 255
MAX_CHOSEN = 50

STATUS_LABELS = {
    "active": _("Earned"),
    "expired": _("Expired"),
    "revoked": _("Revoked"),
    "none": _("Not earned yet"),
}

STUDIO_STRINGS = {
    "saving": _("Saving…"),
    "saved": _("Saved."),
    "error": _("Something went wrong. Please try again."),
    "fix_errors": _("Some settings are not valid: see below."),
}


class BlockStatus(StrEnum):
    """What the block can show: the course's badges, or why not."""

    OK = "ok"
    NO_COURSE = "no_course"


def _json_response(body: dict, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json", charset="utf8")


def _number(value: float | None) -> str:
    """A count as people write it: ``3`` rather than ``3.0``, one decimal otherwise."""
    if value is None:
        return "0"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


@XBlock.needs("i18n")
@XBlock.needs("user")
class BadgesXBlock(MentoraBlockMixin, XBlock):
    """The course's badges, the viewer's awards of them, and their progress toward the others."""

    dom_id_prefix = "mentora-badges"
    default_title = DEFAULT_TITLE

    display_name = String(
        display_name=_("Display name"),
        help=_("The title shown above the badges."),
        default=DEFAULT_TITLE,
        scope=Scope.settings,
    )
    badge_classes = List(
        display_name=_("Badges to show"),
        help=_("The public ids of the course's badges to show, in this order. Empty: all the course's badges."),
        default=[],
        scope=Scope.settings,
    )
    fallback_course_key = String(
        display_name=_("Course key where the platform gives none"),
        help=_(
            "Only for runtimes without courses, such as the XBlock workbench: the course whose badges to show. "
            "In a course the block always shows that course's own badges and ignores this value."
        ),
        default="",
        scope=Scope.settings,
    )

    # --- views --------------------------------------------------------------------------------------------------

    def student_view(self, context: dict | None = None) -> Fragment:
        """The course's badges with the viewer's status and progress; server-rendered, no script."""
        html = loader.render_django_template(
            "templates/badges.html",
            {"view": self.badges_data(), "dom_id": self._dom_id()},
            i18n_service=self._i18n(),
        )
        fragment = Fragment(html)
        fragment.add_css_url(self.runtime.local_resource_url(self, CSS_RESOURCE))
        return fragment

    def studio_view(self, context: dict | None = None) -> Fragment:
        """The author's form: the title and which of the course's badges to show (none ticked: all of them)."""
        gettext = self._gettext()
        dom_id = self._dom_id()
        course_key = identity.get_course_key(self)
        chosen = {str(value) for value in self.badge_classes or ()}
        classes = self._course_classes(course_key) if course_key else []
        html = loader.render_django_template(
            "templates/studio.html",
            {
                "dom_id": dom_id,
                "title": {"id": f"{dom_id}-display_name", "value": self.display_name,
                          "label": gettext(self.fields["display_name"].display_name),
                          "help": gettext(self.fields["display_name"].help)},
                "classes": [{"public_id": str(badge_class.public_id), "name": badge_class.name,
                             "kind_label": badge_class.kind_label,
                             "checked": str(badge_class.public_id) in chosen} for badge_class in classes],
                "classes_label": gettext(self.fields["badge_classes"].display_name),
                "has_course": course_key is not None,
                "fallback": None if _has_course_usage(self) else {
                    "id": f"{dom_id}-fallback_course_key", "value": self.fallback_course_key,
                    "label": gettext(self.fields["fallback_course_key"].display_name),
                    "help": gettext(self.fields["fallback_course_key"].help)},
            },
            i18n_service=self._i18n(),
        )
        fragment = Fragment(html)
        fragment.add_css_url(self.runtime.local_resource_url(self, CSS_RESOURCE))
        fragment.add_javascript_url(self.runtime.local_resource_url(self, JS_RESOURCE))
        fragment.initialize_js("MentoraBadgesStudio",
                               {"strings": {name: gettext(text) for name, text in STUDIO_STRINGS.items()}})
        return fragment

    # --- handlers -----------------------------------------------------------------------------------------------

    @XBlock.json_handler
    def get_badges(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """The same answer as the student view, as JSON (for scripts and tests)."""
        return self.badges_data()

    @XBlock.handler
    def studio_submit(self, request: Any, suffix: str = "") -> Response:
        """
        Save the author's settings: ``{"values": {"display_name", "badge_classes", "fallback_course_key"?}}``.
        Only those who manage the course's badges may; every chosen id must be an active learners' badge of the
        course. A refusal saves nothing and answers 400 (403) with ``{"error_code", "message", "field_errors"}``.
        """
        gettext = self._gettext()
        if request.method != "POST":
            return _json_response({"error_code": "method_not_allowed",
                                   "message": gettext("Send this request with POST.")}, 405)
        try:
            data = json.loads(request.body.decode("utf-8") or "{}")
        except (ValueError, UnicodeDecodeError):
            data = None
        values = data.get("values") if isinstance(data, dict) else None
        if not isinstance(values, dict):
            return _json_response({"error_code": "malformed_request",
                                   "message": gettext("The request could not be read.")}, 400)
        cleaned, errors = self._clean(values, gettext)
        course_key = identity.get_course_key(_Shadow(self, cleaned.get("fallback_course_key",
                                                                        self.fallback_course_key)))
        user = identity.get_current_user(self)
        if user is None:
            return self._forbidden(gettext)
        if course_key is None:
            errors.setdefault("fallback_course_key", gettext("Give the key of the course whose badges to show."))
        elif not user.has_perm(MANAGE, course_key):
            return self._forbidden(gettext)
        if not errors and cleaned.get("badge_classes"):
            offered = {str(badge_class.public_id) for badge_class in self._course_classes(course_key)}
            unknown = [value for value in cleaned["badge_classes"] if value not in offered]
            if unknown:
                errors["badge_classes"] = gettext(
                    "These are not active badges of this course: {ids}."
                ).format(ids=", ".join(unknown[:5]))
        if errors:
            return _json_response({"error_code": "invalid_settings", "message": gettext(STUDIO_STRINGS["fix_errors"]),
                                   "field_errors": errors}, 400)
        for name, value in cleaned.items():
            setattr(self, name, value)
        return _json_response({"saved": True})

    @staticmethod
    def _forbidden(gettext: Callable[[str], str]) -> Response:
        return _json_response({"error_code": "permission_denied",
                               "message": gettext("Only the course's staff may change this block.")}, 403)

    def _clean(self, values: dict[str, Any], gettext: Callable[[str], str]) -> tuple[dict[str, Any], dict[str, str]]:
        """The form's values checked one by one: (the cleaned ones, the errors by field)."""
        cleaned: dict[str, Any] = {}
        errors: dict[str, str] = {}
        if "display_name" in values:
            title = values["display_name"]
            if not isinstance(title, str) or len(title.strip()) > MAX_TITLE:
                errors["display_name"] = gettext("The title is text of at most {count} characters.").format(
                    count=MAX_TITLE)
            else:
                cleaned["display_name"] = title.strip() or DEFAULT_TITLE
        if "badge_classes" in values:
            chosen = values["badge_classes"]
            if not isinstance(chosen, list) or len(chosen) > MAX_CHOSEN or not all(
                    isinstance(value, str) for value in chosen):
                errors["badge_classes"] = gettext("Choose badges of the course.")
            else:
                ids = []
                for value in chosen:
                    try:
                        ids.append(str(uuid.UUID(value.strip())))
                    except ValueError:
                        errors["badge_classes"] = gettext("“{value}” is not the public id of a badge.").format(
                            value=value[:64])
                        break
                cleaned["badge_classes"] = list(dict.fromkeys(ids))
        if "fallback_course_key" in values and not _has_course_usage(self):
            key = values["fallback_course_key"]
            problem = (identity.fallback_course_key_error(key, gettext) if isinstance(key, str)
                       else gettext("Give the key of the course whose badges to show."))
            if problem:
                errors["fallback_course_key"] = problem
            else:
                cleaned["fallback_course_key"] = key.strip()
        return cleaned, errors

    # --- what the block shows -----------------------------------------------------------------------------------

    def badges_data(self) -> dict[str, Any]:
        """
        Everything the learner's view shows, as plain JSON-ready data in the viewer's language: the title, the
        status (``ok`` or ``no_course``) with a message, whether the viewer is signed in, and each badge with the
        viewer's award (if any) and progress (for badges they do not hold).
        """
        gettext = self._gettext()
        course_key = identity.get_course_key(self)
        answer: dict[str, Any] = {
            "title": self._title(gettext),
            "status": BlockStatus.OK.value,
            "message": "",
            "signed_in": False,
            "badges": [],
        }
        if course_key is None:
            answer.update(status=BlockStatus.NO_COURSE.value,
                          message=gettext("This block is not in a course, so it has no badges to show."))
            return answer
        user = identity.get_current_user(self)
        answer["signed_in"] = user is not None
        if user is None:
            answer["message"] = gettext("Sign in to see which of these badges you have earned.")
        classes = self._shown_classes(course_key)
        awards: dict[int, list[api.AwardInfo]] = {}
        if user is not None and classes:
            for award in api.awards_of(user):
                awards.setdefault(award.badge_class.id, []).append(award)
        answer["badges"] = [self._badge(badge_class, awards.get(badge_class.id, []), user, gettext)
                            for badge_class in classes]
        if not classes:
            answer["message"] = gettext("This course offers no badge yet.")
        return answer

    def _badge(self, badge_class: api.BadgeClassInfo, awards: list[api.AwardInfo], user: Any,
               gettext: Callable[[str], str]) -> dict[str, Any]:
        """One badge: what it is, the viewer's award of it (the current one, else the latest) and their progress."""
        award = next((item for item in awards if item.is_current), awards[0] if awards else None)
        status = award.status if award else "none"
        progress = []
        if user is not None and status != "active":
            progress = [
                {
                    "label": condition.label,
                    "met": condition.met,
                    "text": gettext("Done") if condition.met else gettext("{current} of {target}").format(
                        current=_number(condition.current), target=_number(condition.target)),
                }
                for condition in api.badge_progress(user, badge_class.id)
            ]
        return {
            "public_id": str(badge_class.public_id),
            "name": badge_class.name,
            "kind": badge_class.kind,
            "kind_label": badge_class.kind_label,
            "description": badge_class.description,
            "criteria_html": badge_class.criteria_html,
            "image_url": openbadges2.badge_image_url(badge_class.public_id),
            "criteria_url": openbadges2.criteria_url(badge_class.public_id),
            "status": status,
            "status_label": gettext(STATUS_LABELS[status]),
            "issued_on": award.issued_on.date().isoformat() if award else None,
            "expires_on": award.expires_on.date().isoformat() if award and award.expires_on else None,
            "verify_url": openbadges2.verify_url(award.public_id) if award else None,
            "progress": progress,
        }

    def _course_classes(self, course_key: CourseKey) -> list[api.BadgeClassInfo]:
        """The course's own active badges for learners (not the platform's, not trainers')."""
        return api.list_badge_classes(course_key=course_key, include_platform=False, for_trainers=False)

    def _shown_classes(self, course_key: CourseKey) -> list[api.BadgeClassInfo]:
        """The course's badges, or the author's choice of them in its order (archived ones drop out)."""
        classes = self._course_classes(course_key)
        chosen = [str(value) for value in self.badge_classes or ()]
        if not chosen:
            return classes
        by_id = {str(badge_class.public_id): badge_class for badge_class in classes}
        return [by_id[value] for value in chosen if value in by_id]

    # --- the workbench ------------------------------------------------------------------------------------------

    @staticmethod
    def workbench_scenarios() -> list[tuple[str, str]]:
        """The demo course's badges, for xblock-sdk's workbench (scenario id ``mentora_badges.0``)."""
        return [
            ("Mentora badges", '<mentora_badges fallback_course_key="course-v1:MentoraDemo+MENT101+2026"/>'),
        ]


def _has_course_usage(block: Any) -> bool:
    """Whether the runtime itself places the block in a course (then the fallback course key is not offered)."""
    return isinstance(getattr(block.scope_ids.usage_id, "context_key", None), CourseKey)


class _Shadow:
    """The block as ``identity.get_course_key`` would see it with another fallback course key (the form's)."""

    def __init__(self, block: BadgesXBlock, fallback_course_key: str) -> None:
        self.scope_ids, self.runtime = block.scope_ids, block.runtime
        setattr(self, identity.FALLBACK_COURSE_KEY_FIELD, fallback_course_key)
