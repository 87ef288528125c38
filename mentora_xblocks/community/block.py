"""
The "Mentora community" XBlock: one forum of the course's community embedded in a unit.

A thin block. It reads who is viewing and in which course through ``mentora_xblocks.identity`` and calls
``mentora_plugin.communities.api`` for everything (who may read and write, the threads, unread flags, creating a
thread, similar questions): it stores no user state and never touches models, so the block, the pages and the REST
API enforce the same rules. The author chooses the forum in Studio (the standard field editor): ``qa`` (the default),
``announcements``, or a thematic forum's title, and how many threads to list.

The student view is rendered on the server (the latest threads with unread flags and a link to the full community,
where everything works without JavaScript); ``static/xblocks/community.js`` posts the inline form to the
``post_thread`` JSON handler and ``static/xblocks/communities.js`` suggests similar questions from ``similar``.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.urls import reverse
from web_fragments.fragment import Fragment
from webob import Response
from xblock.core import XBlock
from xblock.fields import Integer, Scope, String
from xblock.utils.resources import ResourceLoader
from xblock.utils.studio_editable import StudioEditableXBlockMixin

from mentora_plugin.communities import api
from mentora_xblocks import identity
from mentora_xblocks.common import MentoraBlockMixin

loader = ResourceLoader(__name__)


def _(text: str) -> str:
    """Mark a string for extraction only: the runtime's i18n service translates it when the block renders."""
    return text


DEFAULT_TITLE = _("Course community")
CSS_RESOURCE = "public/xblocks/community.css"
JS_RESOURCES = ("public/xblocks/communities.js", "public/xblocks/community.js")
MAX_THREADS = 20
#: The fixed forums every space has, by the value of the ``forum`` field.
KINDS = ("qa", "announcements")

def _json(method: Callable[..., dict]) -> Callable[..., Response]:
    """
    A POST handler taking and answering JSON; a ``_JsonError`` answers its status with ``{"error_code", "message",
    "field", "until"}`` (XBlock's own ``json_handler`` answers only a message).
    """

    @functools.wraps(method)
    def handler(block: Any, request: Any, suffix: str = "") -> Response:
        try:
            if request.method != "POST":
                raise _JsonError(405, "method_not_allowed", block._gettext()("Send this request with POST."))
            try:
                data = json.loads(request.body.decode("utf-8") or "{}")
            except (ValueError, UnicodeDecodeError):
                raise _JsonError(400, "malformed_request", block._gettext()("The request could not be read.")) from None
            body, status = method(block, data, suffix), 200
        except _JsonError as error:
            body, status = {"error_code": error.code, "message": error.message, "field": error.field,
                            "until": error.until.isoformat() if error.until else None}, error.status
        return Response(json.dumps(body), status=status, content_type="application/json", charset="utf8")

    return handler


STRINGS = {
    "posting": _("Posting…"),
    "error": _("Something went wrong. Please try again."),
    "similar": _("Similar questions already asked:"),
}


def _replies(ngettext: Callable[..., str], count: int) -> str:
    return ngettext("{count} reply", "{count} replies", count).format(count=count)


@XBlock.needs("i18n")
@XBlock.needs("user")
class CommunityXBlock(MentoraBlockMixin, StudioEditableXBlockMixin, XBlock):
    """The latest threads of one forum of the course's community, with a form to post there."""

    dom_id_prefix = "mentora-community"
    default_title = DEFAULT_TITLE

    display_name = String(
        display_name=_("Display name"),
        help=_("The title shown above the threads."),
        default=DEFAULT_TITLE,
        scope=Scope.settings,
    )
    forum = String(
        display_name=_("Forum"),
        help=_("Which forum of the course's community to show: “qa” (questions and answers), “announcements”, or "
               "the title of a thematic forum."),
        default="qa",
        scope=Scope.settings,
    )
    thread_count = Integer(
        display_name=_("Number of threads"),
        help=_("How many of the latest threads to list (1 to 20)."),
        default=5,
        scope=Scope.settings,
    )
    fallback_course_key = String(
        display_name=_("Course key where the platform gives none"),
        help=_("Only for runtimes without courses, such as the XBlock workbench: the course whose community to show. "
               "In a course the block always shows that course's own community."),
        default="",
        scope=Scope.settings,
    )

    editable_fields = ("display_name", "forum", "thread_count", "fallback_course_key")

    # --- views --------------------------------------------------------------------------------------------------

    def student_view(self, context: dict | None = None) -> Fragment:
        """The forum's latest threads and the inline form, rendered on the server."""
        gettext = self._gettext()
        html = loader.render_django_template(
            "templates/community.html", {"view": self.community_data(), "dom_id": self._dom_id()},
            i18n_service=self._i18n(),
        )
        fragment = Fragment(html)
        fragment.add_css_url(self.runtime.local_resource_url(self, CSS_RESOURCE))
        for resource in JS_RESOURCES:
            fragment.add_javascript_url(self.runtime.local_resource_url(self, resource))
        fragment.initialize_js("MentoraCommunityBlock",
                               {"strings": {name: gettext(text) for name, text in STRINGS.items()}})
        return fragment

    def validate_field_data(self, validation: Any, data: Any) -> None:
        """The author's values: a sensible number of threads and a forum named."""
        from xblock.validation import ValidationMessage

        gettext = self._gettext()
        if not isinstance(data.thread_count, int) or not 1 <= data.thread_count <= MAX_THREADS:
            validation.add(ValidationMessage(ValidationMessage.ERROR,
                                             gettext("Show between 1 and 20 threads.")))
        if not (data.forum or "").strip():
            validation.add(ValidationMessage(ValidationMessage.ERROR, gettext("Name the forum to show.")))
        problem = identity.fallback_course_key_error(data.fallback_course_key, gettext)
        if problem:
            validation.add(ValidationMessage(ValidationMessage.ERROR, problem))

    # --- handlers -----------------------------------------------------------------------------------------------

    @XBlock.json_handler
    def get_threads(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """The same answer as the student view, as JSON (for scripts and tests)."""
        return self.community_data()

    @XBlock.handler
    @_json
    def post_thread(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """
        Start a thread (a question in the Q&A) in the block's forum: ``{"title", "body", "private"?}``. A refusal
        answers its HTTP status with ``{"error_code", "message", "field", "until"}``.
        """
        gettext = self._gettext()
        user, key, forum = self._place()
        if user is None or key is None or forum is None:
            raise _JsonError(403, "permission_denied", gettext("Sign in to a course with this community to post."))
        data = data if isinstance(data, dict) else {}
        title, body = data.get("title"), data.get("body")
        if not isinstance(title, str) or not isinstance(body, str):
            raise _JsonError(400, "malformed_request", gettext("Give a title and a message."))
        try:
            created = api.create_thread(user, forum.id, title=title, body=body,
                                        private=bool(data.get("private")) and forum.kind == "qa")
        except api.CommunitiesError as error:
            raise _JsonError(error.status, error.code, str(error), field=error.field, until=error.until) from None
        message = gettext("Your question is posted.") if forum.kind == "qa" else gettext("Your thread is posted.")
        return {"thread": {"id": created.id, "title": created.title, "url": _thread_url(key, created.id)},
                "message": message}

    @XBlock.handler
    @_json
    def similar(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Questions already asked that look like ``{"title"}`` (those the viewer may read)."""
        user, key, _forum = self._place()
        title = data.get("title") if isinstance(data, dict) else None
        if user is None or key is None or not isinstance(title, str) or len(title.strip()) < 3:
            return {"questions": []}
        try:
            found = api.similar_questions(user, key, title[:200])
        except api.CommunitiesError:
            return {"questions": []}
        ngettext = self._i18n().ngettext
        return {"questions": [{"thread_id": item.thread_id, "title": item.title, "reply_count": item.reply_count,
                               "replies_label": _replies(ngettext, item.reply_count),
                               "url": _thread_url(key, item.thread_id)} for item in found]}

    # --- what the block shows -----------------------------------------------------------------------------------

    def community_data(self) -> dict[str, Any]:
        """
        Everything the student view shows, as JSON-ready data in the viewer's language: the title, a status
        (``ok``, ``no_course``, ``anonymous``, ``no_access``, ``no_forum``) with a message, the forum, its latest
        threads with unread flags, whether the viewer may post, and the link to the full community.
        """
        gettext = self._gettext()
        answer: dict[str, Any] = {"title": self._title(gettext), "status": "ok", "message": "", "threads": [],
                                  "forum": None, "can_post": False, "space_url": "", "forum_url": ""}
        key = identity.get_course_key(self)
        if key is None:
            answer.update(status="no_course", message=gettext("This block is not in a course, so it has no "
                                                              "community to show."))
            return answer
        answer["space_url"] = reverse("mentora-communities:space", args=[str(key)])
        user = identity.get_current_user(self)
        if user is None:
            answer.update(status="anonymous", message=gettext("Sign in to take part in the course's community."))
            return answer
        try:
            forum = self._forum(user, key)
        except api.CommunitiesError as error:
            answer.update(status="no_access", message=str(error))
            return answer
        if forum is None:
            answer.update(status="no_forum", message=gettext("This forum is not in the course's community (any "
                                                             "more)."))
            return answer
        listing = api.forum_page(user, forum.id, page_size=self._count())
        answer.update(
            forum={"id": forum.id, "title": forum.title, "kind": forum.kind},
            forum_url=reverse("mentora-communities:forum", args=[str(key), forum.id]),
            can_post=forum.can_post,
            threads=[{"id": thread.id, "title": thread.title, "url": _thread_url(key, thread.id),
                      "unread": thread.unread, "reply_count": thread.reply_count,
                      "replies": _replies(self._i18n().ngettext, thread.reply_count),
                      "state": thread.state, "pinned": thread.pinned} for thread in listing.threads],
        )
        return answer

    def _forum(self, user: Any, key: Any) -> Any:
        """The forum the author chose, among those the viewer may read (None when there is none)."""
        wanted = (self.forum or "qa").strip()
        forums = api.list_forums(user, key)
        if wanted in KINDS:
            return next((forum for forum in forums if forum.kind == wanted), None)
        return next((forum for forum in forums if forum.title.strip().lower() == wanted.lower()), None)

    def _place(self) -> tuple[Any, Any, Any]:
        """The viewer, the course and the forum (None for whichever is missing or unreadable)."""
        user, key = identity.get_current_user(self), identity.get_course_key(self)
        if user is None or key is None:
            return user, key, None
        try:
            return user, key, self._forum(user, key)
        except api.CommunitiesError:
            return user, key, None

    def _count(self) -> int:
        try:
            return max(1, min(int(self.thread_count), MAX_THREADS))
        except (TypeError, ValueError):
            return 5

    # --- the workbench ------------------------------------------------------------------------------------------

    @staticmethod
    def workbench_scenarios() -> list[tuple[str, str]]:
        """The demo course's Q&A, for xblock-sdk's workbench (scenario id ``mentora_community.0``)."""
        return [
            ("Mentora community",
             '<mentora_community fallback_course_key="course-v1:MentoraDemo+MENT101+2026" forum="qa"/>'),
        ]


def _thread_url(course_key: Any, thread_id: int) -> str:
    return reverse("mentora-communities:thread", args=[str(course_key), thread_id])


class _JsonError(Exception):
    """A refusal of a JSON handler (XBlock's ``JsonHandlerError`` carries no body beyond a message)."""

    def __init__(self, status: int, code: str, message: str, field: str = "", until: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field, self.until = status, code, message, field, until
