"""
The "Mentora project" XBlock: a practical project in a course unit, reviewed by trainers against a rubric.

A thin block. It reads who is viewing and in which course through ``mentora_xblocks.identity``, asks the reviews
permission rules what the viewer may do, and calls ``mentora_plugin.reviews.api`` for everything else: the
project's configuration (mirrored to the domain with ``sync_project`` whenever the author saves and whenever the
block renders, so that a course imported with its blocks works too), the learner's draft, files, versions and
released feedback, replies and gallery consent. It stores no user state of its own and never touches models, so
the block, the REST API, the trainers' pages and Celery always enforce the same rules.

The student view renders the brief, the dates and the rubric on the server, with a skeleton of the learner's work
that ``static/xblocks/project.js`` (plain JavaScript) fills from the JSON handlers below, with the texts of the
``strings`` catalog that ``state`` returns in the viewer's language. The Studio view is the block's own form (the
rubric editor needs more than the standard field list); it saves through the ``studio_submit`` JSON handler.

The submission dates are the fields ``submission_start``, ``submission_due`` and ``submission_cutoff`` (the
domain's ``start``, ``due`` and ``cutoff``): in the LMS every block already inherits ``start`` (its release date)
and ``due`` (its subsection's) as dates, which the platform reads for access and schedules; a block that redefined
them as text would break both.
"""
from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone, translation
from opaque_keys.edx.keys import CourseKey, UsageKey
from web_fragments.fragment import Fragment
from webob import Response
from xblock.core import XBlock
from xblock.fields import Boolean, Integer, List, Scope, String
from xblock.utils.resources import ResourceLoader

from mentora_plugin.reviews import api
from mentora_xblocks import identity
from mentora_xblocks.common import MentoraBlockMixin

log = logging.getLogger(__name__)
loader = ResourceLoader(__name__)


def _(text: str) -> str:
    """Mark a string for extraction only: the runtime's i18n service translates it when the block renders."""
    return text


DEFAULT_DISPLAY_NAME = _("Practical project")
CSS_RESOURCE = "public/xblocks/project.css"
JS_RESOURCE = "public/xblocks/project.js"
#: Where trainers and staff review the submissions of every project of their courses.
QUEUE_URL = "/mentora/reviews/queue/"
#: The longest draft text and reply the block forwards (the domain has its own limits; this bounds the request).
MAX_TEXT_CHARS = 200_000
MAX_LINKS = 50
#: The rubric a new block starts with, so that it works before its author edits it.
DEFAULT_RUBRIC = [
    {
        "key": "quality",
        "title": "Quality of the work",
        "description": "",
        "weight": 1,
        "levels": [
            {"points": 0, "label": "Not yet", "description": "The work does not meet the brief yet."},
            {"points": 1, "label": "Good", "description": "The work meets the brief."},
            {"points": 2, "label": "Excellent", "description": "The work goes beyond the brief."},
        ],
    }
]
#: The block's fields and the domain's configuration keys (``Project`` field names) they map to.
CONFIG_FIELDS = {
    "title": "title",
    "brief": "brief",
    "rubric": "rubric",
    "accepts_text": "accepts_text",
    "accepts_files": "accepts_files",
    "accepts_links": "accepts_links",
    "max_files": "max_files",
    "max_file_mb": "max_file_mb",
    "allowed_extensions": "allowed_extensions",
    "submission_start": "start",
    "submission_due": "due",
    "submission_cutoff": "cutoff",
    "max_resubmissions": "max_resubmissions",
    "resubmit_after_approval": "resubmit_after_approval",
    "team_mode": "team_mode",
    "graded": "graded",
    "points_possible": "points_possible",
    "self_assessment": "self_assessment",
    "second_marker": "second_marker",
    "target_turnaround_hours": "target_turnaround_hours",
}
#: The fields the Studio form edits, in its order.
EDITABLE_FIELDS = ("display_name", "fallback_course_key", *CONFIG_FIELDS)
BOOLEAN_FIELDS = frozenset({
    "accepts_text", "accepts_files", "accepts_links", "team_mode", "graded", "self_assessment", "second_marker",
    "resubmit_after_approval",
})
INTEGER_FIELDS = frozenset({
    "max_files", "max_file_mb", "max_resubmissions", "points_possible", "target_turnaround_hours",
})
DATE_FIELDS = frozenset({"submission_start", "submission_due", "submission_cutoff"})

STATUS_LABELS = {
    "draft": _("Draft"),
    "submitted": _("Waiting for review"),
    "in_review": _("In review"),
    "changes_requested": _("Changes requested"),
    "approved": _("Approved"),
}
OUTCOME_LABELS = {"changes_requested": _("Changes requested"), "approved": _("Approved")}

POST_ONLY = _("Send this request with POST.")

#: Interface texts for the script, marked for extraction and translated per request.
STRINGS = {
    "loading": _("Loading…"),
    "error": _("Something went wrong. Please try again."),
    "draft_saved_at": _("Draft saved at {time}."),
    "saving": _("Saving your draft…"),
    "not_saved": _("Your draft is not saved: {message}"),
    "no_draft_yet": _("Nothing saved yet."),
    "link_label": _("Link {number}"),
    "remove": _("Remove"),
    "remove_link": _("Remove the link {url}"),
    "remove_file": _("Remove the file {name}"),
    "no_links": _("No link added."),
    "no_files": _("No file added."),
    "link_added": _("Link added."),
    "link_removed": _("Link removed."),
    "bad_link": _("Enter a full web address starting with http:// or https://."),
    "choose_file": _("Choose a file first."),
    "uploading": _("Uploading {name}…"),
    "file_added": _("{name} is added to your draft."),
    "file_removed": _("{name} is removed from your draft."),
    "size_kb": _("{size} KB"),
    "size_mb": _("{size} MB"),
    "confirm_submit": _("Submit version {number} for review? You cannot change it after submitting."),
    "submitting": _("Submitting…"),
    "submitted": _("Version {number} is submitted for review."),
    "self_assessment_missing": _("Assess yourself on every criterion before submitting."),
    "version": _("Version {number}"),
    "submitted_on": _("Submitted on {time}"),
    "no_versions": _("You have not submitted a version yet."),
    "your_text": _("Your text"),
    "your_links": _("Your links"),
    "your_files": _("Your files"),
    "your_self_assessment": _("Your self-assessment"),
    "feedback": _("Feedback"),
    "released_on": _("Feedback released on {time}"),
    "grade": _("Grade: {points} out of {possible}"),
    "criterion": _("Criterion"),
    "level": _("Level"),
    "points": _("Points"),
    "comment": _("Comment"),
    "points_of": _("{points} of {max}"),
    "overall_feedback": _("Overall feedback"),
    "inline_comments": _("Comments on your text"),
    "inline_comment_ref": _("Comment {number}"),
    "feedback_files": _("Feedback files"),
    "replies": _("Conversation about this feedback"),
    "your_reply": _("Your reply to this feedback"),
    "send_reply": _("Send reply"),
    "reply_sent": _("Your reply is sent."),
    "reply_empty": _("Write a reply first."),
    "resubmissions_left": _("You may resubmit {count} more times."),
    "no_resubmissions_left": _("You have no resubmission left."),
    "gallery_on": _("Your project is shown in the gallery. Untick the box to remove it at once."),
    "gallery_off": _("Your project is not shown in the gallery."),
    "gallery_waiting_team": _("You agree; your project is shown once every member of your team agrees too."),
    "blocked_no_team": _("This project is done in teams and you are not in a team yet: ask the course staff."),
    "blocked_not_open": _("This project opens on {time}."),
    "blocked_closed": _("This project closed on {time}: no more work is accepted."),
    "blocked_waiting_for_review": _("Your work is waiting for review. You can change it again if the trainer "
                                    "requests changes."),
    "blocked_not_resubmittable": _("Your work has been reviewed and cannot be submitted again."),
    "blocked_no_resubmission_left": _("You have used all your resubmissions."),
    "blocked_not_enrolled": _("This project is for the learners of this course."),
    # An approved work that may still be improved (``resubmit_after_approval``), by the grade policy that applies.
    "improve_latest": _("Your work is approved. You may still submit an improved version ({count} left); if it is "
                        "approved, its grade replaces your current grade, even if it is lower."),
    "improve_highest": _("Your work is approved. You may still submit an improved version ({count} left); your "
                         "grade keeps the better of the two approved versions."),
    "improve": _("Your work is approved. You may still submit an improved version ({count} left)."),
    "grade_kept": _("Until a new version is approved, your grade stays that of your approved version."),
    "late_warning": _("The due date has passed: work you submit now is marked late."),
    "extended": _("Your dates are extended."),
    "late": _("late"),
    "by": _("by {name}"),
    "status": _("Status: {label}"),
    "team": _("Team: {name}"),
    "opens": _("Opens {time}"),
    "due": _("Due {time}"),
    "cutoff": _("Last submissions accepted until {time}"),
}


class BlockStatus(StrEnum):
    """What the block can show the viewer: the learner's workspace, or why not."""

    OK = "ok"
    NO_COURSE = "no_course"
    NOT_READY = "not_ready"
    ANONYMOUS = "anonymous"
    NO_ACCESS = "no_access"


class _HandlerError(Exception):
    """A refusal with a code, an HTTP status, a message for people and, for the Studio form, errors per field."""

    def __init__(self, code: str, message: str, status: int = 400, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.status, self.fields = code, message, status, fields or {}


def _json_response(body: dict, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json", charset="utf8")


def _error_response(error: _HandlerError) -> Response:
    body: dict[str, Any] = {"error_code": error.code, "message": error.message}
    if error.fields:
        body["field_errors"] = error.fields
    return _json_response(body, error.status)


def _from_reviews_error(error: api.ReviewsError) -> _HandlerError:
    """The domain's refusal, with its code, status and translated message, and its field when it names one."""
    fields = getattr(error, "fields", None) or getattr(error, "field_errors", None) or {}
    field = getattr(error, "field", None)
    if isinstance(field, str) and field and not fields:
        fields = {field: str(error)}
    fields = {_block_field(name): str(message) for name, message in dict(fields).items()}
    return _HandlerError(error.code, str(error), error.status, fields)


def _block_field(config_key: str) -> str:
    """The block field behind a domain configuration key (``due`` is ``submission_due`` here)."""
    for field, key in CONFIG_FIELDS.items():
        if key == config_key:
            return field
    return config_key


def _handler(reads_json: bool = True) -> Callable[[Callable], Callable]:
    """
    A POST handler answering JSON, whose refusals keep their status and code: ``{"error_code", "message",
    "field_errors"?}``. The domain's ``ReviewsError`` (limits, dates, permissions) reaches the viewer with its own
    translated message. ``reads_json`` False hands the method the WebOb request itself (multipart uploads).
    """

    def decorate(method: Callable) -> Callable:
        @XBlock.handler
        def wrapper(self, request, suffix=""):
            if request.method != "POST":
                return _json_response({"error_code": "method_not_allowed",
                                       "message": self._gettext()(POST_ONLY)}, 405)
            try:
                if reads_json:
                    try:
                        data = json.loads(request.body.decode("utf-8") or "{}")
                    except (ValueError, UnicodeDecodeError):
                        data = None
                    if not isinstance(data, dict):
                        raise _HandlerError("malformed_request", self._gettext()("The request could not be read."))
                    return _json_response(method(self, data))
                return _json_response(method(self, request))
            except api.ReviewsError as refused:
                return _error_response(_from_reviews_error(refused))
            except _HandlerError as refused:
                return _error_response(refused)

        wrapper.__name__ = method.__name__
        wrapper.__doc__ = method.__doc__
        return wrapper

    return decorate


def _parse_date(value: Any) -> datetime | None:
    """An ISO 8601 date and time (UTC when it names no offset) as an aware UTC datetime; None for empty."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and len(value) <= 64:
        text = value.strip().replace("Z", "+00:00")
        if "T" not in text and " " in text:
            text = text.replace(" ", "T", 1)
        parsed = datetime.fromisoformat(text)  # ValueError for nonsense
    else:
        raise ValueError(value)
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # year 1 with a positive offset falls before datetime.min in UTC
        raise ValueError(value) from None


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else None


def _utc_label(value: datetime | None) -> str:
    """The server's rendering of a time (UTC); the script replaces it with the viewer's zone and language."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if isinstance(value, datetime) else ""


def _extensions(value: Any) -> list[str]:
    """``"pdf, .PNG zip"`` or ``["pdf", ".png"]`` as ``["pdf", "png", "zip"]`` (the domain validates them)."""
    parts = re.split(r"[\s,;]+", value) if isinstance(value, str) else value if isinstance(value, list) else None
    if parts is None:
        raise ValueError(value)
    cleaned = []
    for part in parts:
        if not isinstance(part, str):
            raise ValueError(part)
        part = part.strip().lstrip(".").lower()
        if part and part not in cleaned:
            cleaned.append(part)
    return cleaned


@XBlock.needs("i18n")
@XBlock.needs("user")
class ProjectXBlock(MentoraBlockMixin, XBlock):
    """A practical project: a brief, a rubric, learners' drafts and versions, and the trainers' released feedback."""

    dom_id_prefix = "mentora-project"

    has_score = True
    icon_class = "problem"

    display_name = String(
        display_name=_("Display name"),
        help=_("The name of the block in the course outline."),
        default=DEFAULT_DISPLAY_NAME,
        scope=Scope.settings,
    )
    title = String(
        display_name=_("Project title"),
        help=_("The title learners and trainers see. Empty: the display name."),
        default="",
        scope=Scope.settings,
    )
    brief = String(
        display_name=_("Brief"),
        help=_("What learners must do, in Markdown."),
        default="",
        multiline_editor=True,
        scope=Scope.settings,
    )
    rubric = List(
        display_name=_("Rubric"),
        help=_("The criteria trainers score, each with a weight and levels of points."),
        default=DEFAULT_RUBRIC,
        scope=Scope.settings,
    )
    accepts_text = Boolean(
        display_name=_("Learners write a text"),
        help=_("Learners write their answer in the block."),
        default=True,
        scope=Scope.settings,
    )
    accepts_files = Boolean(
        display_name=_("Learners upload files"),
        help=_("Learners attach files to their submission."),
        default=False,
        scope=Scope.settings,
    )
    accepts_links = Boolean(
        display_name=_("Learners add links"),
        help=_("Learners give links to their work elsewhere (a repository, a video)."),
        default=False,
        scope=Scope.settings,
    )
    max_files = Integer(
        display_name=_("Most files per submission"),
        help=_("How many files one submission may hold."),
        default=3,
        scope=Scope.settings,
    )
    max_file_mb = Integer(
        display_name=_("Largest file (MB)"),
        help=_("The size limit of each file, in megabytes."),
        default=10,
        scope=Scope.settings,
    )
    allowed_extensions = List(
        display_name=_("Accepted file types"),
        help=_("File extensions learners may upload, such as pdf, png, zip. Empty: any type."),
        default=[],
        scope=Scope.settings,
    )
    submission_start = String(
        display_name=_("Submissions open (UTC)"),
        help=_("When learners may start submitting. Empty: at once."),
        default=None,
        scope=Scope.settings,
    )
    submission_due = String(
        display_name=_("Due (UTC)"),
        help=_("When the work is due. Later submissions are marked late. Empty: no due date."),
        default=None,
        scope=Scope.settings,
    )
    submission_cutoff = String(
        display_name=_("Cut-off (UTC)"),
        help=_("After this time no submission is accepted. Empty: none."),
        default=None,
        scope=Scope.settings,
    )
    max_resubmissions = Integer(
        display_name=_("Resubmissions allowed"),
        help=_("How many times a learner may submit again after a trainer requests changes."),
        default=2,
        scope=Scope.settings,
    )
    resubmit_after_approval = Boolean(
        display_name=_("Approved work may be improved"),
        help=_("Learners whose latest version was approved may still submit an improved version, within the "
               "resubmissions allowed. The platform's grade policy decides which approved grade counts."),
        default=False,
        scope=Scope.settings,
    )
    team_mode = Boolean(
        display_name=_("Team project"),
        help=_("A team submits once for all its members (staff make the teams)."),
        default=False,
        scope=Scope.settings,
    )
    graded = Boolean(
        display_name=_("Counts in the grade"),
        help=_("Whether the trainer's grade reaches the gradebook."),
        default=True,
        scope=Scope.settings,
    )
    points_possible = Integer(
        display_name=_("Points possible"),
        help=_("The project's weight in the grade: the rubric's result is scaled to this many points."),
        default=100,
        scope=Scope.settings,
    )
    self_assessment = Boolean(
        display_name=_("Self-assessment"),
        help=_("Learners assess their own work against the rubric before submitting."),
        default=False,
        scope=Scope.settings,
    )
    second_marker = Boolean(
        display_name=_("Second marker"),
        help=_("A review by a trainer who is not course staff waits for a lead trainer's confirmation."),
        default=False,
        scope=Scope.settings,
    )
    target_turnaround_hours = Integer(
        display_name=_("Target turnaround (hours)"),
        help=_("How soon trainers should review a submission; later ones are flagged overdue in the queue."),
        default=72,
        scope=Scope.settings,
    )
    fallback_course_key = String(
        display_name=_("Course key where the platform gives none"),
        help=_(
            "Only for runtimes without courses, such as the XBlock workbench: the course the project belongs to. "
            "In a course the block always belongs to that course and ignores this value."
        ),
        default="",
        scope=Scope.settings,
    )

    # --- grading ----------------------------------------------------------------------------------------------------

    def max_score(self) -> float:
        """The points the project is worth in the gradebook (none when it does not count)."""
        return float(self.points_possible or 0) if self.graded else 0

    @property
    def weight(self) -> float:
        """The platform's grade weight of a scored block: the points possible (none when it does not count)."""
        return self.max_score()

    # --- views ------------------------------------------------------------------------------------------------------

    def student_view(self, context: dict | None = None) -> Fragment:
        """The brief, the dates and the rubric; the learner's workspace that the script fills from ``state``."""
        gettext = self._gettext()
        view = self._view(gettext)
        project = view["project"]
        html = loader.render_django_template(
            "templates/project.html",
            {
                "dom_id": self._dom_id(),
                "title": self._title(gettext, project),
                "status": view["status"].value,
                "message": view["message"],
                "is_reviewer": view["is_reviewer"],
                "queue_url": QUEUE_URL,
                "project": project,
                "brief_html": project.brief_html if project else "",
                "dates": self._date_rows(project, gettext) if project else [],
                "rubric": self._rubric_data(project) if project else [],
                "can_submit": view["status"] is BlockStatus.OK,
                "extensions": ", ".join(project.allowed_extensions or ()) if project else "",
                "accept": ",".join("." + ext for ext in (project.allowed_extensions or ())) if project else "",
            },
            i18n_service=self._i18n(),
        )
        fragment = Fragment(html)
        fragment.add_css_url(self.runtime.local_resource_url(self, CSS_RESOURCE))
        fragment.add_javascript_url(self.runtime.local_resource_url(self, JS_RESOURCE))
        fragment.initialize_js("MentoraProjectXBlock", {"status": view["status"].value})
        return fragment

    def studio_view(self, context: dict | None = None) -> Fragment:
        """The author's form: every setting, and the rubric editor with the course's rubric library."""
        gettext = self._gettext()
        dom_id = self._dom_id()

        def field(name: str, kind: str) -> dict[str, Any]:
            value = getattr(self, name)
            if kind == "datetime":
                value = self._date_input_value(value)
            elif name == "allowed_extensions":
                value = ", ".join(value or [])
            return {
                "name": name, "kind": kind, "id": f"{dom_id}-{name}", "value": value,
                "label": gettext(self.fields[name].display_name), "help": gettext(self.fields[name].help),
            }

        general = [field("display_name", "text"), field("title", "text"), field("brief", "textarea")]
        if not isinstance(self.scope_ids.usage_id, UsageKey):  # runtimes without courses only
            general.append(field("fallback_course_key", "text"))
        groups = [
            {"legend": gettext("The project"), "fields": general},
            {"legend": gettext("What learners submit"), "fields": [
                field("accepts_text", "checkbox"), field("accepts_files", "checkbox"),
                field("accepts_links", "checkbox"), field("max_files", "number"), field("max_file_mb", "number"),
                field("allowed_extensions", "text"),
            ]},
            {"legend": gettext("Dates (UTC)"), "fields": [
                field("submission_start", "datetime"), field("submission_due", "datetime"),
                field("submission_cutoff", "datetime"),
            ]},
            {"legend": gettext("Reviews and grades"), "fields": [
                field("max_resubmissions", "number"), field("resubmit_after_approval", "checkbox"),
                field("team_mode", "checkbox"), field("graded", "checkbox"),
                field("points_possible", "number"), field("self_assessment", "checkbox"),
                field("second_marker", "checkbox"), field("target_turnaround_hours", "number"),
            ]},
        ]
        html = loader.render_django_template(
            "templates/studio.html",
            {
                "dom_id": dom_id,
                "groups": groups,
                "rubric_field": {"label": gettext(self.fields["rubric"].display_name)},
                "rubric": _plain(self.rubric or []),
                "rubric_data_id": f"{dom_id}-rubric-data",
            },
            i18n_service=self._i18n(),
        )
        fragment = Fragment(html)
        fragment.add_css_url(self.runtime.local_resource_url(self, CSS_RESOURCE))
        fragment.add_javascript_url(self.runtime.local_resource_url(self, JS_RESOURCE))
        fragment.initialize_js("MentoraProjectStudio", {"strings": self._studio_strings(gettext)})
        return fragment

    # --- learners' handlers -----------------------------------------------------------------------------------------

    @_handler()
    def state(self, data: dict) -> dict[str, Any]:
        """The viewer's draft, files, versions with their released feedback, and the interface texts."""
        gettext = self._gettext()
        view = self._view(gettext)
        answer: dict[str, Any] = {
            "status": view["status"].value,
            "message": view["message"],
            # Dates and times are formatted in the browser (Intl) in this language, whatever the page declares.
            "language": translation.get_language() or "en",
            "strings": {name: gettext(text) for name, text in STRINGS.items()},
            "submission": None,
        }
        if view["status"] is not BlockStatus.OK:
            return answer
        learner, usage_key = view["user"], view["usage_key"]
        answer["project"] = self._project_data(view["project"])
        answer["submission"] = self._submission_data(api.get_learner_submission(learner, usage_key), learner, gettext)
        return answer

    @_handler()
    def save_draft(self, data: dict) -> dict[str, Any]:
        """Autosave the draft: its text and its links (either may be left out to keep it as it is)."""
        learner, usage_key = self._require_learner()
        gettext = self._gettext()
        text = data.get("text")
        if text is not None and (not isinstance(text, str) or len(text) > MAX_TEXT_CHARS):
            raise _HandlerError("invalid_text", gettext("The text is too long or is not text."))
        links = data.get("links")
        if links is not None and (
            not isinstance(links, list) or len(links) > MAX_LINKS or not all(isinstance(link, str) for link in links)
        ):
            raise _HandlerError("invalid_links", gettext("Links are a list of web addresses."))
        info = api.save_draft(learner, usage_key, text=text, links=links)
        return {"submission": self._submission_data(info, learner, gettext)}

    @_handler(reads_json=False)
    def upload_file(self, request: Any) -> dict[str, Any]:
        """
        Add a file to the draft (multipart field ``file``). The domain enforces the type, size and count limits;
        a refusal leaves the draft as it was.
        """
        learner, usage_key = self._require_learner()
        gettext = self._gettext()
        uploaded = _uploaded_file(request)
        if uploaded is None:
            raise _HandlerError("no_file", gettext("Choose a file to upload."))
        try:
            api.add_draft_file(learner, usage_key, uploaded)
        finally:
            uploaded.close()
        return {"submission": self._learner_state(learner, usage_key, gettext)}

    @_handler()
    def remove_file(self, data: dict) -> dict[str, Any]:
        """Remove a file from the viewer's own draft."""
        learner, usage_key = self._require_learner()
        file_id = data.get("file_id")
        if not isinstance(file_id, int) or isinstance(file_id, bool):
            raise _HandlerError("file_not_found", self._gettext()("No such file."), 404)
        api.remove_draft_file(learner, usage_key, file_id)
        return {"submission": self._learner_state(learner, usage_key, self._gettext())}

    @_handler()
    def submit(self, data: dict) -> dict[str, Any]:
        """
        Submit the draft as a new version, with the self-assessment when the project asks for one
        (``{criterion_key: level_index}``). The edx-submissions student item uses the platform's anonymous id of
        the learner in the course, where the runtime gives one.
        """
        learner, usage_key = self._require_learner()
        gettext = self._gettext()
        assessment = data.get("self_assessment")
        if assessment is not None and not (
            isinstance(assessment, dict)
            and all(isinstance(key, str) and isinstance(level, int) and not isinstance(level, bool)
                    for key, level in assessment.items())
        ):
            raise _HandlerError("invalid_self_assessment", gettext("Choose one level for each criterion."))
        info = api.submit(
            learner, usage_key, student_id=identity.get_anonymous_user_id(self), self_assessment=assessment or None,
        )
        return {"submission": self._submission_data(info, learner, gettext)}

    @_handler()
    def reply(self, data: dict) -> dict[str, Any]:
        """Reply to the feedback on one of the viewer's own versions."""
        learner, usage_key = self._require_learner()
        gettext = self._gettext()
        body = data.get("body")
        if not isinstance(body, str) or not body.strip() or len(body) > MAX_TEXT_CHARS:
            raise _HandlerError("invalid_reply", gettext("Write a reply first."))
        version_id = data.get("version_id")
        current = api.get_learner_submission(learner, usage_key)
        if not isinstance(version_id, int) or version_id not in {v.id for v in current.versions}:
            raise _HandlerError("version_not_found", gettext("No such version."), 404)
        api.add_reply(learner, version_id, body.strip())
        return {"submission": self._learner_state(learner, usage_key, gettext)}

    @_handler()
    def gallery_consent(self, data: dict) -> dict[str, Any]:
        """Show the viewer's featured project in the gallery, or withdraw it (removed at once)."""
        learner, usage_key = self._require_learner()
        gettext = self._gettext()
        consent = data.get("consent")
        if not isinstance(consent, bool):
            raise _HandlerError("invalid_consent", gettext("Say yes or no."))
        current = api.get_learner_submission(learner, usage_key)
        if current.id is None:
            raise _HandlerError("submission_not_found", gettext("No such submission."), 404)
        api.set_gallery_consent(learner, current.id, consent)
        return {"submission": self._learner_state(learner, usage_key, gettext)}

    # --- authors' handlers ------------------------------------------------------------------------------------------

    @_handler()
    def studio_submit(self, data: dict) -> dict[str, Any]:
        """
        Save the author's settings. The domain validates the whole configuration first; when it refuses, nothing is
        saved and the form shows why, next to the field it names. In Studio the settings are a draft: the domain's
        project follows them when the published block first renders in the LMS.
        """
        gettext = self._gettext()
        values = data.get("values")
        if not isinstance(values, dict):
            raise _HandlerError("malformed_request", gettext("The request could not be read."))
        cleaned = self._clean_studio_values(values, gettext)
        course_key = identity.get_course_key(self) if "fallback_course_key" not in cleaned else (
            identity.get_course_key(_Shadow(self, cleaned["fallback_course_key"]))
        )
        usage_key = self._usage_key(course_key)
        if usage_key is None:
            raise _HandlerError(
                "no_course", gettext("This block is not in a course: give the course key."), 400,
                {"fallback_course_key": gettext("Give the key of the course this project belongs to.")},
            )
        self._require_author(course_key, gettext)
        try:
            config = self._config({name: cleaned.get(name, getattr(self, name)) for name in CONFIG_FIELDS})
        except ValueError as problem:  # a date stored earlier that the form did not resend
            field = str(problem).split(":", 1)[0]
            raise _HandlerError("invalid_project", gettext("Some settings are not valid: see below."), 400,
                                {field: gettext("Enter a date and time, such as 2026-05-31 17:00.")}) from None
        try:
            if self._is_studio_draft():  # checked now; learners get these settings once the course is published
                api.preview_project(usage_key, course_key, config)
            else:  # the workbench, or any runtime without a draft: the saved settings are the live ones
                api.sync_project(usage_key, course_key, config)
        except api.ReviewsError as refused:
            raise self._studio_refusal(refused, gettext) from None
        for name, value in cleaned.items():
            setattr(self, name, value)
        self._mentora_project = False  # the next render reads the saved project
        return {"saved": True}

    def _studio_refusal(self, refused: api.ReviewsError, gettext: Callable[[str], str]) -> _HandlerError:
        """
        The domain's refusal for the author, next to the field it names: a rubric error goes with the rubric, and
        a setting the message quotes by its configuration name (“max_files”) is shown under that field's label.
        """
        error = _from_reviews_error(refused)
        if error.fields:
            return error
        message = str(refused)
        fields: dict[str, str] = {}
        if refused.code in ("invalid_rubric", "invalid_template"):
            fields["rubric"] = message
        for config_key in re.findall(r"“([a-z_]+)”", message):
            field = _block_field(config_key)
            if field in self.fields and field in EDITABLE_FIELDS:
                message = message.replace(f"“{config_key}”", f"“{gettext(self.fields[field].display_name)}”")
                fields.setdefault(field, "")
        fields = {name: text or message for name, text in fields.items()}
        return _HandlerError(refused.code, message, refused.status, fields)

    @_handler()
    def rubric_templates(self, data: dict) -> dict[str, Any]:
        """The rubrics of the course's library, for the author to start from."""
        gettext = self._gettext()
        course_key = identity.get_course_key(self)
        if course_key is None:
            return {"templates": []}
        self._require_author(course_key, gettext)
        return {
            "templates": [
                {"id": template.id, "title": template.title, "criteria": _plain(template.criteria)}
                for template in api.rubric_templates(course_key)
            ]
        }

    @_handler()
    def save_rubric_template(self, data: dict) -> dict[str, Any]:
        """Save the rubric being edited to the course's library, under a title."""
        gettext = self._gettext()
        course_key = identity.get_course_key(self)
        if course_key is None:
            raise _HandlerError("no_course", gettext("This block is not in a course."), 400)
        user = self._require_author(course_key, gettext)
        title, criteria = data.get("title"), data.get("criteria")
        if not isinstance(title, str) or not title.strip():
            raise _HandlerError("invalid_title", gettext("Give the rubric a title."), 400,
                                {"template_title": gettext("Give the rubric a title.")})
        if not isinstance(criteria, list):
            raise _HandlerError("invalid_rubric", gettext("The rubric could not be read."))
        template = api.save_rubric_template(user, course_key, title.strip(), criteria)
        return {"template": {"id": template.id, "title": template.title, "criteria": _plain(template.criteria)}}

    # --- who is looking, and at what ---------------------------------------------------------------------------------

    def _view(self, gettext: Callable[[str], str]) -> dict[str, Any]:
        """
        What the viewer may see: the status, a message when they cannot work here, the project (synced to the
        domain first), the user and the usage key, and whether they review this course's submissions.
        """
        view: dict[str, Any] = {
            "status": BlockStatus.OK, "message": "", "project": None, "user": None, "usage_key": None,
            "is_reviewer": False,
        }
        course_key = identity.get_course_key(self)
        usage_key = self._usage_key(course_key)
        if usage_key is None:
            view.update(status=BlockStatus.NO_COURSE,
                        message=gettext("This project is not in a course, so nobody can submit here."))
            return view
        view["usage_key"] = usage_key
        view["project"] = project = self._synced_project(usage_key, course_key)
        user = identity.get_current_user(self)
        view["user"] = user
        if user is not None:
            view["is_reviewer"] = user.has_perm("mentora_reviews.review_submission", course_key)
        if project is None:
            view.update(status=BlockStatus.NOT_READY,
                        message=gettext("This project is not ready yet: its author has not finished setting it up."))
        elif user is None:
            view.update(status=BlockStatus.ANONYMOUS, message=gettext("Sign in to work on this project."))
        elif not user.has_perm("mentora_reviews.submit_project", course_key):
            view.update(status=BlockStatus.NO_ACCESS, message=(
                gettext("You review this project's submissions; learners of the course submit here.")
                if view["is_reviewer"]
                else gettext("This project is for the learners of this course. Enroll in the course to submit.")
            ))
        return view

    def _synced_project(self, usage_key: UsageKey, course_key: CourseKey) -> Any | None:
        """
        The domain's project after mirroring the block's settings to it (once per block instance: a request).

        A configuration the domain refuses (a course imported with a broken block) keeps the project as it was
        last accepted, if any; the author sees why in Studio when saving.
        """
        cached = getattr(self, "_mentora_project", False)
        if cached is not False:
            return cached
        if self._is_studio_draft():  # Studio's preview shows the draft without making it the learners' rules
            try:
                project = api.preview_project(usage_key, course_key,
                                              self._config({name: getattr(self, name) for name in CONFIG_FIELDS}))
            except (api.ReviewsError, ValueError):
                project = None
            self._mentora_project = project
            return project
        try:
            stored = api.get_project(usage_key)
        except api.ReviewsError:
            stored = None
        project = stored
        try:
            config = self._config({name: getattr(self, name) for name in CONFIG_FIELDS})
            if stored is None or not _same_config(stored, config) or stored.course_key != course_key:
                project = api.sync_project(usage_key, course_key, config)
        except (api.ReviewsError, ValueError) as refused:
            log.warning("The settings of %s are refused by the reviews domain: %s", usage_key, refused)
        self._mentora_project = project
        return project

    def _is_studio_draft(self) -> bool:
        """
        Whether this is Studio's copy of the block (its editor or its preview), whose settings are a draft until the
        course is published. Studio's runtimes say so with ``is_author_mode``, which the platform's own blocks read;
        a usage key on the draft branch says it too.
        """
        if getattr(self.runtime, "is_author_mode", False):
            return True
        course = getattr(self.scope_ids.usage_id, "course_key", None)
        return getattr(course, "branch", None) == "draft-branch"

    def _require_learner(self) -> tuple[Any, UsageKey]:
        gettext = self._gettext()
        view = self._view(gettext)
        status = view["status"]
        if status is not BlockStatus.OK:
            code = {BlockStatus.ANONYMOUS: 401, BlockStatus.NO_ACCESS: 403}.get(status, 404)
            raise _HandlerError(status.value, view["message"], code)
        return view["user"], view["usage_key"]

    def _require_author(self, course_key: CourseKey | None, gettext: Callable[[str], str]) -> Any:
        """The viewer when they may manage the course's projects (course staff, platform staff)."""
        user = identity.get_current_user(self)
        if user is None or course_key is None or not user.has_perm("mentora_reviews.manage_project", course_key):
            raise _HandlerError("permission_denied", gettext("Only the course's staff may change this project."),
                                403)
        return user

    def _usage_key(self, course_key: CourseKey | None) -> UsageKey | None:
        """
        The block's usage key in ``course_key``, as the domain knows projects: the LMS's and Studio's own key
        without branch or version, or (in runtimes whose ids are no usage keys, the workbench) one made from it.
        """
        if course_key is None:
            return None
        usage_id = self.scope_ids.usage_id
        if isinstance(usage_id, UsageKey):
            block_type, block_id = usage_id.block_type, usage_id.block_id
        else:
            block_type = self.scope_ids.block_type
            block_id = re.sub(r"[^\w\-~.:]", "_", str(usage_id))[:200]
        try:
            return course_key.make_usage_key(block_type, block_id)
        except Exception:  # a key type that makes no usage keys: no course for the domain
            log.warning("Cannot make a usage key for %r in %s", usage_id, course_key)
            return None

    # --- configuration ----------------------------------------------------------------------------------------------

    def _config(self, values: dict[str, Any]) -> dict[str, Any]:
        """The domain's configuration (``Project`` field names) from block field values."""
        config = {CONFIG_FIELDS[name]: values[name] for name in CONFIG_FIELDS}
        config["title"] = (values["title"] or "").strip() or (self.display_name or "").strip() or DEFAULT_DISPLAY_NAME
        for name in DATE_FIELDS:
            try:
                config[CONFIG_FIELDS[name]] = _parse_date(values[name])
            except ValueError:
                raise ValueError(f"{name}: not a date") from None
        config["rubric"] = _plain(values["rubric"] or [])
        config["allowed_extensions"] = list(values["allowed_extensions"] or [])
        return config

    def _clean_studio_values(self, values: dict[str, Any], gettext: Callable[[str], str]) -> dict[str, Any]:
        """The form's values as field values, or a refusal listing every field that is not of its type."""
        cleaned: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for name, value in values.items():
            if name not in EDITABLE_FIELDS:
                continue
            try:
                cleaned[name] = self._clean_value(name, value, gettext)
            except ValueError as problem:
                errors[name] = str(problem) if str(problem) else gettext("This value is not valid.")
        if errors:
            raise _HandlerError("invalid_project", gettext("Some settings are not valid: see below."), 400, errors)
        return cleaned

    @staticmethod
    def _clean_value(name: str, value: Any, gettext: Callable[[str], str]) -> Any:
        if name in BOOLEAN_FIELDS:
            if not isinstance(value, bool):
                raise ValueError(gettext("Choose yes or no."))
            return value
        if name in INTEGER_FIELDS:
            if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():  # not "²"
                value = int(value.strip())
            if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value > 32767:
                raise ValueError(gettext("Enter a whole number from 0 to 32767."))
            return value
        if name in DATE_FIELDS:
            try:
                parsed = _parse_date(value)
            except ValueError:
                raise ValueError(gettext("Enter a date and time, such as 2026-05-31 17:00.")) from None
            return parsed.strftime("%Y-%m-%dT%H:%M:%SZ") if parsed else None
        if name == "allowed_extensions":
            try:
                return _extensions(value)
            except ValueError:
                raise ValueError(gettext("List file extensions separated by commas, such as pdf, png.")) from None
        if name == "rubric":
            if not isinstance(value, list):
                raise ValueError(gettext("The rubric could not be read."))
            return value
        if name == "fallback_course_key":
            value = value.strip() if isinstance(value, str) else ""
            problem = identity.fallback_course_key_error(value, gettext)
            if problem:
                raise ValueError(problem)
            return value
        if not isinstance(value, str):
            raise ValueError(gettext("Enter text."))
        if name == "display_name" and not value.strip():
            raise ValueError(gettext("Give the block a name."))
        return value.strip() if name != "brief" else value

    @staticmethod
    def _date_input_value(value: Any) -> str:
        """A stored ISO date as the value of an ``<input type="datetime-local">`` (UTC)."""
        try:
            parsed = _parse_date(value)
        except ValueError:
            return ""
        return parsed.strftime("%Y-%m-%dT%H:%M") if parsed else ""

    # --- what the learner sees ----------------------------------------------------------------------------------------

    def _rubric_data(self, project: Any) -> list[dict[str, Any]]:
        ngettext = self._i18n().ngettext
        return [
            {
                "key": criterion.key,
                "title": criterion.title,
                "description": criterion.description,
                "weight": criterion.weight,
                "levels": [
                    {
                        "index": index, "points": level.points, "label": level.label,
                        "description": level.description,
                        "choice": ngettext("{label} ({points} point)", "{label} ({points} points)",
                                           _plural_count(level.points)).format(label=level.label, points=level.points),
                    }
                    for index, level in enumerate(criterion.levels)
                ],
                "max_points": max((level.points for level in criterion.levels), default=0),
            }
            for criterion in project.rubric
        ]

    def _project_data(self, project: Any) -> dict[str, Any]:
        return {
            "accepts_text": project.accepts_text,
            "accepts_files": project.accepts_files,
            "accepts_links": project.accepts_links,
            "max_files": project.max_files,
            "max_file_mb": project.max_file_mb,
            "allowed_extensions": list(project.allowed_extensions or ()),
            "self_assessment": project.self_assessment,
            "graded": project.graded,
            "points_possible": project.points_possible,
            "rubric": self._rubric_data(project),
        }

    @staticmethod
    def _date_rows(project: Any, gettext: Callable[[str], str]) -> list[dict[str, str]]:
        rows = []
        for name, label in (("start", _("Submissions open")), ("due", _("Due")), ("cutoff", _("Cut-off"))):
            value = getattr(project, name, None)
            if value:
                rows.append({"name": name, "label": gettext(label), "iso": _iso(value), "text": _utc_label(value)})
        return rows

    def _learner_state(self, learner: Any, usage_key: UsageKey, gettext: Callable[[str], str]) -> dict[str, Any]:
        return self._submission_data(api.get_learner_submission(learner, usage_key), learner, gettext)

    def _submission_data(self, info: Any, learner: Any, gettext: Callable[[str], str]) -> dict[str, Any]:
        """
        The learner's own submission as the script shows it. The domain gives only what the learner may read:
        their (or their team's) work and its released feedback.
        """
        versions = list(info.versions)
        approved_before = _has_approval(versions)
        gallery = None
        if info.id is not None and (info.status == "approved" or approved_before):  # featured work stays revocable
            consent = api.gallery_consent(learner, info.id)
            gallery = {"featured": consent.featured, "consent": consent.consented, "shown": consent.shown,
                       "all_consented": consent.all_consented}
        return {
            "id": info.id,
            "status": info.status,
            "status_label": gettext(STATUS_LABELS.get(info.status, info.status)),
            "team_name": info.team.name if info.team else "",
            "draft_text": info.draft_text,
            "draft_links": list(info.draft_links),
            "draft_saved_at": _iso(info.draft_saved_at),
            "files": [_file_data(item) for item in info.files],
            "can_edit": info.can_edit,
            "can_submit": info.can_edit,
            "blocked": info.blocked,
            "may_improve": info.may_improve,
            "improve_note": _improve_note(info),
            # An improved version waits or was sent back: the approved version's grade is the one that counts.
            "grade_kept": bool(info.project.graded and approved_before and info.status != "approved"),
            "is_late": info.can_edit and info.is_late,
            "resubmissions_left": info.resubmissions_left,
            "next_number": len(versions) + 1,
            "dates": {name: _iso(getattr(info.dates, name)) for name in ("start", "due", "cutoff")},
            "extended": info.dates.extended,
            "versions": [self._version_data(version, info, learner, gettext) for version in reversed(versions)],
            "gallery": gallery,
        }

    def _version_data(self, version: Any, info: Any, learner: Any, gettext: Callable[[str], str]) -> dict[str, Any]:
        points_possible = info.project.points_possible if info.project.graded else None
        reviews = [self._review_data(review, points_possible, gettext) for review in version.reviews]
        latest = version.number == len(info.versions)
        if reviews:
            status = reviews[-1]["outcome"]
        elif latest and info.status == "in_review":
            status = "in_review"
        else:
            status = "submitted"
        return {
            "id": version.id,
            "number": version.number,
            "submitted_at": _iso(version.submitted_at),
            "submitted_by": version.submitted_by_name if info.team else "",
            "late": version.late,
            "status": status,
            "status_label": gettext(STATUS_LABELS.get(status, status)),
            "text": version.text,
            "links": list(version.links),
            "files": [_file_data(item) for item in version.files],
            "self_assessment": [
                {"criterion": key, "level": level} for key, level in (version.self_assessment or {}).items()
            ],
            "reviews": reviews,
            "replies": [
                {
                    "author": reply.author_name,
                    "mine": reply.author_id == learner.pk,
                    "body_html": str(reply.body_html),
                    "created": _iso(reply.created),
                }
                for reply in version.replies
            ],
            "can_reply": bool(reviews),
        }

    @staticmethod
    def _review_data(review: Any, points_possible: int | None, gettext: Callable[[str], str]) -> dict[str, Any]:
        return {
            "id": review.id,
            "reviewer": review.reviewer_name,
            "outcome": review.outcome,
            "outcome_label": gettext(OUTCOME_LABELS.get(review.outcome, review.outcome)),
            "points": review.points if points_possible is not None and review.outcome == "approved" else None,
            "points_possible": points_possible,
            "released_at": _iso(review.released_at),
            "feedback_html": str(review.feedback_html),
            "scores": [
                {"criterion": key, "level": value.get("level"), "comment": value.get("comment", "")}
                for key, value in (review.scores or {}).items()
                if isinstance(value, dict)
            ],
            "inline_comments": [
                {"start": item.start, "end": item.end, "quote": item.quote, "comment": item.comment}
                for item in review.inline_comments
            ],
            "files": [_file_data(item) for item in review.files],
        }

    def _title(self, gettext: Callable[[str], str], project: Any | None = None) -> str:
        title = (self.title or "").strip() or (self.display_name or "").strip()
        return gettext(DEFAULT_DISPLAY_NAME) if not title or title == DEFAULT_DISPLAY_NAME else title

    @staticmethod
    def _studio_strings(gettext: Callable[[str], str]) -> dict[str, str]:
        texts = {
            "criterion": _("Criterion {number}"),
            "key": _("Key"),
            "criterion_title": _("Title"),
            "description": _("Description"),
            "weight": _("Weight"),
            "levels": _("Levels of criterion {number}"),
            "points": _("Points"),
            "label": _("Label"),
            "level_points": _("Points of level {level} of criterion {number}"),
            "level_label": _("Label of level {level} of criterion {number}"),
            "level_description": _("Description of level {level} of criterion {number}"),
            "add_level": _("Add a level"),
            "remove_level": _("Remove level {level} of criterion {number}"),
            "remove": _("Remove"),
            "remove_criterion": _("Remove criterion {number}"),
            "criterion_added": _("Criterion {number} added."),
            "criterion_removed": _("Criterion removed."),
            "level_added": _("Level added to criterion {number}."),
            "level_removed": _("Level removed."),
            "actions": _("Actions"),
            "no_templates": _("The course's library has no rubric yet."),
            "template_loaded": _("The rubric “{title}” is loaded: save the project to keep it."),
            "template_saved": _("The rubric “{title}” is saved to the course's library."),
            "choose_template": _("Choose a rubric first."),
            "saving": _("Saving…"),
            "saved": _("Saved."),
            "error": _("Something went wrong. Please try again."),
            "fix_errors": _("The project is not saved: correct the fields marked below."),
        }
        return {name: gettext(text) for name, text in texts.items()}

    # --- the workbench ---------------------------------------------------------------------------------------------

    @staticmethod
    def workbench_scenarios() -> list[tuple[str, str]]:
        """A project of the demo course, for xblock-sdk's workbench (scenario id ``mentora_project.0``)."""
        return [
            (
                "Mentora project",
                '<mentora_project fallback_course_key="course-v1:MentoraDemo+MENT101+2026"'
                ' title="Build a data pipeline"'
                ' brief="Write a small **data pipeline** that reads a CSV file and reports three figures.&#10;&#10;'
                'Explain your choices in the text, and link to your code."'
                ' accepts_files="true" accepts_links="true" allowed_extensions=\'["pdf", "txt", "md", "png"]\''
                ' max_file_mb="2" self_assessment="true"/>',
            ),
        ]


class _Shadow:
    """The block as ``identity.get_course_key`` would see it with another fallback course key (the form's)."""

    def __init__(self, block: ProjectXBlock, fallback_course_key: str) -> None:
        self.scope_ids, self.runtime = block.scope_ids, block.runtime
        setattr(self, identity.FALLBACK_COURSE_KEY_FIELD, fallback_course_key)


def _plural_count(points: float) -> int:
    """The count that chooses a plural form: a whole number of points, or 2 (plural) for a fraction."""
    return int(points) if float(points).is_integer() else 2


def _same_config(project: Any, config: dict[str, Any]) -> bool:
    """
    Whether the domain's project already holds ``config``: then a render reads it and writes nothing (each sync
    locks the project's row). Anything that differs, even only in form, goes through ``sync_project``.
    """
    for key, value in config.items():
        current = getattr(project, key)
        if key == "rubric":
            current = _plain(current)
        elif key == "allowed_extensions":
            current, value = list(current), list(value)
        if current != value:
            return False
    return True


def _plain(value: Any) -> Any:
    """Rubric data (tuples of frozen dataclasses, or JSON) as plain JSON values."""
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _has_approval(versions: list[Any]) -> bool:
    """Whether any version has an approval the learner may see (their earlier grade, if the project is graded)."""
    return any(review.outcome == "approved" and review.role != "self" for version in versions
               for review in version.reviews)


def _improve_note(info: Any) -> str:
    """
    The ``STRINGS`` name of what to tell a learner whose approved work may still be improved ("" if it may not): which
    grade counts once the new version is approved, as the grade policy says, or nothing about grades when the project
    is not graded.
    """
    if not info.may_improve:
        return ""
    if not info.project.graded:
        return "improve"
    return "improve_highest" if info.grade_policy == "highest" else "improve_latest"


def _file_data(item: Any) -> dict[str, Any]:
    return {"id": item.id, "name": item.name, "size": item.size, "url": getattr(item, "url", "") or ""}


def _uploaded_file(request: Any) -> UploadedFile | None:
    """
    The multipart field ``file`` of a handler request as a Django ``UploadedFile``.

    WebOb hands XBlock handlers uploads as ``cgi.FieldStorage``-like objects (``.file``, ``.filename``, ``.type``);
    the LMS's request wrapper puts a Django ``UploadedFile`` in ``.file`` (with its own size and type). Both read
    the same way here; the size comes from the file itself, never from the browser.
    """
    try:
        field = request.POST.get("file")
    except Exception:  # a body that is no form
        return None
    stream = getattr(field, "file", None)
    filename = getattr(field, "filename", None)
    if stream is None or not filename:
        return None
    name = os.path.basename(str(filename).replace("\\", "/"))[:255]
    content_type = getattr(stream, "content_type", None) or getattr(field, "type", None) or ""
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if isinstance(stream, UploadedFile):
        stream.name = name
        stream.size = size
        return stream
    return UploadedFile(file=stream, name=name, content_type=content_type, size=size)
