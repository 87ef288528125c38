"""
Submissions: a learner's (or a team's) autosaved draft, its files, submitting versions, and who may read them.

One ``Submission`` row holds one learner's work on one project (in team mode, one team's: any member drafts and
submits for all, and every member sees the same submission). Its draft (text, links, files) is saved as the learner
works; ``submit`` turns it into a numbered ``SubmissionVersion``:

- the version keeps its own copy of the text and links, which stay in the draft as the starting point of a
  resubmission;
- the draft's files move to the version and stay attached to it; the next draft starts without files (a
  resubmission uploads the files it hands in), so that a file reviewed with one version never changes under it;
- the version is recorded in edx-submissions (``submissions.api.create_submission``) under the student item
  ``{"student_id": <anonymous id>, "course_id", "item_id": <usage key>, "item_type": "mentora_project"}``, which
  is where reviewing sets the grade so that it reaches the gradebook. In team mode each member gets their own
  edx-submissions submission of the same answer (every member's gradebook gets the grade); ``edx_submission_uuid``
  is the submitter's and ``edx_submission_uuids`` all of them;
- the course's trainers are notified (``notifications.notify("submission_received", ...)``, once each).

Status: draft → submitted (waiting for review) → in_review → changes_requested (the learner may resubmit, at most
``max_resubmissions`` times) or approved (final, unless the project has ``resubmit_after_approval``: then the learner
may still submit an improved version, and ``max_resubmissions`` counts every resubmission whatever the earlier
outcome). Nothing is edited or submitted while a version waits for review. A resubmission never touches the grade:
its new edx-submissions submission has no score, so the gradebook keeps what it had until a new review is released
(reviewing's ``MENTORA_REVIEWS_GRADE_POLICY`` then decides which approved grade counts).

Rules checked on the server, whatever the client does: only the course's enrolled learners
(``mentora_reviews.submit_project``); not before ``start`` (``not_open``) nor after the learner's effective cut-off
(``closed``; after the due date and before the cut-off the work is accepted and shown late); only the kinds of work
the project accepts; at most ``MAX_LINKS`` http(s) links; files of an allowed extension, at most ``max_file_mb``
each and ``max_files`` in the draft, stored under a name made here. Every refusal happens before anything is
written, so a refused file leaves the draft exactly as it was.

Concurrency: each change runs in ``transaction.atomic()`` and locks the ``Submission`` row first (``select_for_update``
on that table alone), so a double submit makes one version and a file cannot slip past the count limit.

Privacy: a learner reads only their own (or their team's) submission; the course's trainers and staff
(``mentora_reviews.review_submission``) read every submission of the course; anyone else gets a 404, whether the
submission exists or not. Learners see released reviews only; reviewers see drafts too.
"""
from __future__ import annotations

import json
import mimetypes
import os
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files import File
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Prefetch, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from opaque_keys.edx.keys import UsageKey

from mentora_plugin.db import insert_ignoring_conflicts
from mentora_plugin.host import api as host_api
from mentora_plugin.reviews import projects
from mentora_plugin.reviews.common import ReviewsError, forbidden, grade_policy, not_found
from mentora_plugin.reviews.models import (
    FeedbackReply,
    InlineComment,
    Project,
    Review,
    ReviewFile,
    Submission,
    SubmissionFile,
    SubmissionVersion,
    Team,
)
from mentora_plugin.reviews.projects import EffectiveDates, ProjectInfo, TeamInfo
from mentora_plugin.text import render_markdown

__all__ = [
    "FileContent",
    "FileInfo",
    "SubmissionDetail",
    "SubmissionInfo",
    "VersionCommentInfo",
    "VersionInfo",
    "VersionReplyInfo",
    "VersionReviewInfo",
    "add_draft_file",
    "get_learner_submission",
    "get_submission",
    "open_submission_file",
    "remove_draft_file",
    "save_draft",
    "submit",
]

Status = Submission.Status

SUBMIT_PERMISSION = "mentora_reviews.submit_project"
REVIEW_PERMISSION = "mentora_reviews.review_submission"
#: The edx-submissions item type of every project's student items.
ITEM_TYPE = "mentora_project"
#: The longest text a draft holds (characters), and the most links.
MAX_TEXT = 50_000
MAX_LINKS = 10
MAX_LINK_LENGTH = 2000
#: edx-submissions refuses answers whose JSON is longer than this (``Submission.MAXSIZE``).
EDX_ANSWER_MAX = 100 * 1024
#: The longest file name kept (the stored name is shorter still).
MAX_FILE_NAME = 255
_STORED_STEM = 80

_WAITING = frozenset({Status.SUBMITTED, Status.IN_REVIEW})
_LINK = URLValidator(schemes=["http", "https"])


# --- data -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileInfo:
    """
    A file of a submission. ``version_number`` is None while it is in the draft. ``url`` downloads it through
    Mentora, which checks who asks.
    """

    id: int
    name: str
    size: int
    content_type: str
    uploaded_at: datetime
    url: str
    version_number: int | None = None


@dataclass(frozen=True)
class FileContent:
    """A file to send: its name, type, size and an open file (the caller closes it, or lets the response do it)."""

    name: str
    content_type: str
    size: int
    file: Any


@dataclass(frozen=True)
class VersionCommentInfo:
    """A reviewer's comment anchored to a passage (from ``start`` to ``end``) of a version's text."""

    start: int
    end: int
    quote: str
    comment: str


@dataclass(frozen=True)
class VersionReviewInfo:
    """
    A review of a version. ``scores`` is ``{criterion_key: {"level": index, "comment": str}}``. Learners only ever
    get released ones (``released`` true); reviewers get drafts too.
    """

    id: int
    reviewer_id: int | None
    reviewer_name: str
    role: str
    outcome: str
    points: float | None
    scores: dict
    feedback: str
    released_at: datetime | None
    confirmed_at: datetime | None
    released: bool
    inline_comments: tuple[VersionCommentInfo, ...]
    files: tuple[FileInfo, ...]

    @property
    def feedback_html(self) -> SafeString:
        return render_markdown(self.feedback)


@dataclass(frozen=True)
class VersionReplyInfo:
    """A message of the conversation about a version's feedback."""

    id: int
    author_id: int | None
    author_name: str
    body: str
    created: datetime

    @property
    def body_html(self) -> SafeString:
        return render_markdown(self.body)


@dataclass(frozen=True)
class VersionInfo:
    """One submitted version with its files, self-assessment, the reviews the viewer may see, and the replies."""

    id: int
    number: int
    text: str
    links: tuple[str, ...]
    files: tuple[FileInfo, ...]
    self_assessment: dict
    submitted_by_id: int | None
    submitted_by_name: str
    submitted_at: datetime
    late: bool
    edx_submission_uuid: str
    reviews: tuple[VersionReviewInfo, ...]
    replies: tuple[VersionReplyInfo, ...]

    @property
    def text_html(self) -> SafeString:
        return render_markdown(self.text)


@dataclass(frozen=True)
class SubmissionInfo:
    """
    A learner's state on a project, for the block: the draft, the versions with their released reviews, the
    dates, and whether they may edit and submit now. ``id`` is None until they first save something.
    ``blocked`` says why they may not (empty when they may): ``not_enrolled``, ``no_team``, ``not_open``,
    ``closed``, ``waiting_for_review``, ``not_resubmittable``, ``no_resubmission_left``.

    ``may_improve``: the latest version is approved and the learner may still submit an improved one (the project
    has ``resubmit_after_approval``). ``grade_policy`` says which approved grade then counts (``latest``: the newest
    approval's, even if lower; ``highest``: the better one); empty for a project whose approval is final.
    """

    project: ProjectInfo
    id: int | None
    learner_id: int | None
    team: TeamInfo | None
    status: str
    status_label: str
    draft_text: str
    draft_links: tuple[str, ...]
    draft_saved_at: datetime | None
    files: tuple[FileInfo, ...]
    versions: tuple[VersionInfo, ...]
    submitted_at: datetime | None
    points_earned: float | None
    dates: EffectiveDates
    resubmissions_used: int
    resubmissions_left: int
    blocked: str
    may_improve: bool
    grade_policy: str

    @property
    def can_edit(self) -> bool:
        """Whether the learner may change the draft and submit it now."""
        return not self.blocked

    @property
    def is_late(self) -> bool:
        """Whether submitting now would be late (after the due date, before the cut-off)."""
        return self.dates.is_late()

    @property
    def latest_version(self) -> VersionInfo | None:
        return self.versions[-1] if self.versions else None


@dataclass(frozen=True)
class SubmissionDetail:
    """
    A submission as its viewer may see it: every version with text, links, files and reviews (drafts only when
    ``viewer_is_reviewer``).
    """

    id: int
    project: ProjectInfo
    learner_id: int | None
    learner_username: str
    learner_name: str
    team: TeamInfo | None
    status: str
    status_label: str
    submitted_at: datetime | None
    points_earned: float | None
    dates: EffectiveDates
    versions: tuple[VersionInfo, ...]
    viewer_is_reviewer: bool

    @property
    def latest_version(self) -> VersionInfo | None:
        return self.versions[-1] if self.versions else None


# --- checks ---------------------------------------------------------------------------------------------------------


def _load(usage_key: UsageKey | str) -> Project:
    return projects.load_project(usage_key)


def _owner(project: Project, learner: Any) -> tuple[dict[str, Any], Team | None]:
    """The lookup of the learner's submission on the project (their own, or their team's) and their team."""
    if project.team_mode:
        team = projects.team_for(learner, project)
        if team is None:
            raise ReviewsError("no_team", _("This project is done in teams and you are not in a team yet: ask the "
                                            "course staff."), status=409)
        return {"team": team}, team
    return {"learner": learner}, None


def _dates(project: Project, learner: Any, team: Team | None) -> EffectiveDates:
    if team is not None:
        return projects.dates_for(project, team.members.values_list("pk", flat=True))
    return projects.dates_for(project, [learner.pk])


def _gate(learner: Any, project: Project) -> tuple[dict[str, Any], Team | None, EffectiveDates]:
    """Whether ``learner`` may work on the project now; the lookup of their submission, their team and dates."""
    if learner is None or not getattr(learner, "is_authenticated", False):
        raise forbidden(_("Sign in to work on this project."))
    if not learner.has_perm(SUBMIT_PERMISSION, project.course_key):
        raise forbidden(_("Only learners enrolled in this course may submit work to its projects."))
    owner, team = _owner(project, learner)
    dates = _dates(project, learner, team)
    if not dates.has_started():
        raise ReviewsError("not_open", _("This project opens on {start}.").format(start=_when(dates.start)),
                           status=409)
    if dates.is_closed():
        raise ReviewsError("closed", _("This project closed on {cutoff}.").format(cutoff=_when(dates.cutoff)),
                           status=409)
    return owner, team, dates


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def _ensure_row(project: Project, owner: dict[str, Any]) -> None:
    """
    Make sure the learner's (or team's) submission row exists, before the caller's transaction: an ``INSERT IGNORE``
    that meets an existing row takes a shared lock on it, and two transactions holding that shared lock while both
    wait for the row lock deadlock on MariaDB (double clicks on a first upload did). A plain read finds the row in
    the common case; the insert, when needed, commits on its own.
    """
    if not Submission.objects.filter(project=project, **owner).exists():
        insert_ignoring_conflicts(Submission(project=project, **owner))


def _locked(project: Project, owner: dict[str, Any]) -> Submission | None:
    """The submission row, locked. The lock is on the Submission table alone."""
    return Submission.objects.select_for_update().filter(project=project, **owner).first()


def _resubmittable(project: Project) -> frozenset[str]:
    """The statuses after which a new version may follow: changes requested, and approved when the project says."""
    if project.resubmit_after_approval:
        return frozenset({Status.CHANGES_REQUESTED, Status.APPROVED})
    return frozenset({Status.CHANGES_REQUESTED})


def _blocked_by_status(status: str, versions: int, project: Project) -> str:
    """
    Why a submission in ``status`` with ``versions`` versions cannot be edited or submitted ("" if it can). Every
    resubmission counts against ``max_resubmissions``, whether it followed a request for changes or an approval.
    """
    if status in _WAITING:
        return "waiting_for_review"
    resubmittable = _resubmittable(project)
    if status == Status.APPROVED and status not in resubmittable:
        return "not_resubmittable"
    if versions and versions - 1 >= project.max_resubmissions:
        return "no_resubmission_left"
    if versions and status not in resubmittable:
        return "not_resubmittable"
    return ""


def _check_editable(submission: Submission, project: Project) -> int:
    """Refuse changes the submission's status does not allow; returns how many versions it has."""
    versions = SubmissionVersion.objects.filter(submission=submission).count()
    blocked = _blocked_by_status(submission.status, versions, project)
    if blocked == "waiting_for_review":
        raise ReviewsError(blocked, _("Your work is waiting for review: wait for the feedback before changing it."),
                           status=409)
    if blocked == "no_resubmission_left":
        raise ReviewsError(blocked, _("You have used all {count} resubmissions of this project.").format(
            count=project.max_resubmissions), status=409)
    if blocked:
        raise ReviewsError(blocked, _("This work has been reviewed and cannot be submitted again."), status=409)
    return versions


def _clean_text(project: Project, text: Any) -> str:
    if not isinstance(text, str):
        raise ReviewsError("invalid_text", _("The text must be a string."))
    if text and not project.accepts_text:
        raise ReviewsError("text_not_accepted", _("This project does not accept text."))
    if len(text) > MAX_TEXT:
        raise ReviewsError("text_too_long", _("The text is at most {max} characters.").format(max=MAX_TEXT))
    return text.replace("\x00", "")


def _clean_links(project: Project, links: Any) -> list[str]:
    if isinstance(links, (str, bytes)) or not isinstance(links, (list, tuple)):
        raise ReviewsError("invalid_links", _("The links must be a list of web addresses."))
    cleaned: list[str] = []
    for link in links:
        if not isinstance(link, str):
            raise ReviewsError("invalid_links", _("The links must be a list of web addresses."))
        link = link.strip()
        if not link or link in cleaned:
            continue
        try:
            if len(link) > MAX_LINK_LENGTH:
                raise ValidationError("too long")
            _LINK(link)
        except ValidationError:
            raise ReviewsError("invalid_links", _(
                "“{link}” is not a web address starting with http:// or https://."
            ).format(link=link[:200])) from None
        cleaned.append(link)
    if cleaned and not project.accepts_links:
        raise ReviewsError("links_not_accepted", _("This project does not accept links."))
    if len(cleaned) > MAX_LINKS:
        raise ReviewsError("invalid_links", _("At most {max} links.").format(max=MAX_LINKS))
    return cleaned


# --- the draft ------------------------------------------------------------------------------------------------------


def save_draft(learner: Any, usage_key: UsageKey | str, text: str | None = None,
               links: list[str] | None = None) -> SubmissionInfo:
    """
    Autosave the learner's draft: the text and/or the links (None leaves one as it is).

    Args:
        text: the text (Markdown), at most ``MAX_TEXT`` characters; only if the project accepts text.
        links: at most ``MAX_LINKS`` http(s) addresses, the whole list; only if the project accepts links.

    Returns:
        The learner's state, ``draft_saved_at`` now.

    Raises:
        ReviewsError: ``invalid_text``, ``text_too_long``, ``text_not_accepted``, ``invalid_links``,
            ``links_not_accepted`` (400); ``permission_denied`` (403, not an enrolled learner); ``project_not_found``
            (404); ``no_team``, ``not_open``, ``closed``, ``waiting_for_review``, ``not_resubmittable``,
            ``no_resubmission_left`` (409). Nothing is saved then.
    """
    project = _load(usage_key)
    owner = _gate(learner, project)[0]
    values: dict[str, Any] = {}
    if text is not None:
        values["draft_text"] = _clean_text(project, text)
    if links is not None:
        values["draft_links"] = _clean_links(project, links)
    _ensure_row(project, owner)
    with transaction.atomic():
        submission = _locked(project, owner)
        _check_editable(submission, project)
        for field, value in values.items():
            setattr(submission, field, value)
        submission.draft_saved_at = timezone.now()
        submission.save(update_fields=[*values, "draft_saved_at", "modified"])
    return get_learner_submission(learner, project.usage_key)


def _upload_size(upload: Any) -> int:
    size = getattr(upload, "size", None)
    return size if isinstance(size, int) else File(upload).size


def _file_names(upload: Any) -> tuple[str, str, str]:
    """
    The name shown (the uploader's, without any path or control characters, at most 255 characters), the name
    stored (made safe for any storage, under a random folder), and the extension (lower case, without the dot).
    """
    raw = str(getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    raw = "".join(char for char in unicodedata.normalize("NFC", raw) if unicodedata.category(char)[0] != "C")
    raw = raw.strip().strip(".") or "file"
    stem, suffix = os.path.splitext(raw)
    suffix = suffix[:17]
    extension = suffix.lstrip(".").lower()
    shown = (stem[:MAX_FILE_NAME - len(suffix)] or "file") + suffix
    try:
        safe_stem = get_valid_filename(stem)[:_STORED_STEM]
    except SuspiciousFileOperation:  # Django refuses names such as ".."
        safe_stem = ""
    safe_extension = get_valid_filename(extension)[:16] if extension else ""
    stored = f"{uuid.uuid4().hex}/{safe_stem or 'file'}{'.' + safe_extension if safe_extension else ''}"
    return shown, stored, extension


def add_draft_file(learner: Any, usage_key: UsageKey | str, uploaded_file: Any) -> FileInfo:
    """
    Add a file to the learner's draft, after checking it here on the server: its extension (when the project
    lists allowed ones), its size (at most ``max_file_mb``, not empty), and the draft's file count (at most
    ``max_files``). A refused file leaves the draft exactly as it was.

    Args:
        uploaded_file: a Django ``UploadedFile`` (or any file object with a name).

    Returns:
        The file, in the draft.

    Raises:
        ReviewsError: ``files_not_accepted``, ``no_file``, ``file_type_not_allowed``, ``empty_file``,
            ``file_too_large``, ``too_many_files`` (400); ``permission_denied`` (403); ``project_not_found`` (404);
            ``no_team``, ``not_open``, ``closed``, ``waiting_for_review``, ``not_resubmittable``,
            ``no_resubmission_left`` (409).
    """
    project = _load(usage_key)
    owner = _gate(learner, project)[0]
    if not project.accepts_files:
        raise ReviewsError("files_not_accepted", _("This project does not accept files."))
    if uploaded_file is None:
        raise ReviewsError("no_file", _("Choose a file to upload."))
    shown, stored, extension = _file_names(uploaded_file)
    allowed = list(project.allowed_extensions or ())
    if allowed and extension not in allowed:
        raise ReviewsError("file_type_not_allowed", _("“{name}” is not accepted: files of type {types} only.").format(
            name=shown, types=", ".join(f".{item}" for item in allowed)))
    size = _upload_size(uploaded_file)
    if size <= 0:
        raise ReviewsError("empty_file", _("“{name}” is empty.").format(name=shown))
    if size > project.max_file_mb * 1024 * 1024:
        raise ReviewsError("file_too_large", _("“{name}” is too large: files are at most {size} MB.").format(
            name=shown, size=project.max_file_mb))
    content_type = mimetypes.guess_type(shown)[0] or "application/octet-stream"
    saved = None
    _ensure_row(project, owner)
    try:
        with transaction.atomic():
            submission = _locked(project, owner)
            _check_editable(submission, project)
            if SubmissionFile.objects.filter(submission=submission, version=None).count() >= project.max_files:
                raise ReviewsError("too_many_files", _("You can hand in at most {count} files: remove one first.")
                                   .format(count=project.max_files))
            row = SubmissionFile(submission=submission, name=shown, size=size, content_type=content_type[:100],
                                 uploaded_at=timezone.now())
            if hasattr(uploaded_file, "seek"):
                uploaded_file.seek(0)
            content = uploaded_file if isinstance(uploaded_file, File) else File(uploaded_file, name=shown)
            row.file.save(stored, content, save=False)
            saved = row.file
            row.save()
    except Exception:
        if saved is not None and saved.name:
            saved.storage.delete(saved.name)
        raise
    return _file_info(row, submission.pk)


def remove_draft_file(learner: Any, usage_key: UsageKey | str, file_id: int) -> None:
    """
    Take a file out of the learner's draft (files of submitted versions stay).

    Raises:
        ReviewsError: ``permission_denied`` (403); ``project_not_found``, ``file_not_found`` (404); ``no_team``,
            ``not_open``, ``closed``, ``waiting_for_review``, ``not_resubmittable``, ``no_resubmission_left`` (409).
    """
    project = _load(usage_key)
    owner = _gate(learner, project)[0]
    with transaction.atomic():
        submission = _locked(project, owner)
        if submission is None:
            raise not_found("file")
        row = SubmissionFile.objects.filter(pk=file_id, submission=submission, version=None).first()
        if row is None:
            raise not_found("file")
        _check_editable(submission, project)
        storage, name = row.file.storage, row.file.name
        row.delete()
        transaction.on_commit(lambda: storage.delete(name))


# --- submitting -----------------------------------------------------------------------------------------------------


def _validated_self_assessment(project: Project, value: Any) -> dict[str, int]:
    """``{criterion_key: level_index}`` for every criterion of the rubric, when the project asks for one."""
    if not project.self_assessment:
        return {}
    if not value:
        raise ReviewsError("self_assessment_required", _(
            "Assess your own work against each criterion of the rubric before submitting."))
    criteria = {criterion["key"]: len(criterion["levels"]) for criterion in project.rubric}
    if not isinstance(value, dict) or set(value) != set(criteria):
        raise ReviewsError("invalid_self_assessment", _("Choose one level for each criterion of the rubric."))
    for key, level in value.items():
        if not isinstance(level, int) or isinstance(level, bool) or not 0 <= level < criteria[key]:
            raise ReviewsError("invalid_self_assessment", _(
                "The level chosen for “{key}” is not one of its levels.").format(key=key))
    return {key: value[key] for key in criteria}


def _edx_answer(text: str, links: list[str], file_names: list[str]) -> dict[str, Any]:
    """
    The answer recorded in edx-submissions, within its size limit: Mentora keeps the full text, and a text too
    long for edx-submissions is recorded shortened (``text_truncated``).
    """
    answer: dict[str, Any] = {"text": text, "links": links, "files": file_names}
    if len(json.dumps(answer)) <= EDX_ANSWER_MAX:
        return answer
    budget = EDX_ANSWER_MAX - len(json.dumps({**answer, "text": "", "text_truncated": True}))
    kept, used = [], 0
    for char in text:
        cost = len(json.dumps(char)) - 2
        if used + cost > budget:
            break
        kept.append(char)
        used += cost
    return {**answer, "text": "".join(kept), "text_truncated": True}


def _record_in_edx_submissions(
    project: Project, learner: Any, team: Team | None, number: int, submitted_at: datetime, answer: dict,
    student_id: str | None,
) -> list[str]:
    """Create the edx-submissions submission of each person the version is for; the submitter's uuid first."""
    from submissions import api as submissions_api  # an installed app of the LMS: imported once apps are ready

    people = [(learner, student_id)]
    if team is not None:
        people += [(member, None) for member in team.members.exclude(pk=learner.pk).order_by("pk")]
    uuids = []
    for person, anonymous_id in people:
        student_item = {
            "student_id": anonymous_id or host_api.anonymous_user_id(person, project.course_key),
            "course_id": str(project.course_key),
            "item_id": str(project.usage_key),
            "item_type": ITEM_TYPE,
        }
        try:
            created = submissions_api.create_submission(
                student_item, answer, submitted_at=submitted_at, attempt_number=number
            )
        except submissions_api.SubmissionRequestError as error:
            raise ReviewsError("submission_not_recorded", _("The submission could not be recorded: {error}").format(
                error=error)) from error
        uuids.append(str(created["uuid"]))
    return uuids


def _notify_trainers(project: Project, submission: Submission, version: SubmissionVersion,
                     authors: set[int]) -> None:
    from mentora_plugin.reviews import notifications

    for trainer in host_api.get_course_trainers(project.course_key):
        if trainer.pk in authors:
            continue
        notifications.notify(
            "submission_received", trainer, f"received:{version.pk}:{trainer.pk}",
            project=project.title, course_id=str(project.course_key), submission_id=submission.pk,
        )


def submit(learner: Any, usage_key: UsageKey | str, *, student_id: str | None = None,
           self_assessment: dict | None = None) -> SubmissionInfo:
    """
    Submit the learner's draft (their team's, in team mode) as a new version for review.

    The version copies the draft's text and links and takes its files; it is recorded in edx-submissions under the
    learner's anonymous id (each member's, in team mode); the status becomes ``submitted``; the course's trainers
    are notified. A resubmission is allowed only after changes were requested (or after an approval, when the
    project has ``resubmit_after_approval``), and only ``max_resubmissions`` times in all. It leaves the grade as it
    was: the new edx-submissions submission carries no score.

    Args:
        student_id: the submitter's anonymous id as the block's runtime knows it; None: the platform's
            (``host_api.anonymous_user_id``).
        self_assessment: ``{criterion_key: level_index}`` for every criterion, required when the project asks for
            a self-assessment (ignored otherwise); stored on the version.

    Returns:
        The learner's state, with the new version.

    Raises:
        ReviewsError: ``nothing_to_submit``, ``self_assessment_required``, ``invalid_self_assessment``,
            ``invalid_student_id`` (400); ``permission_denied`` (403); ``project_not_found`` (404); ``no_team``,
            ``not_open``, ``closed``, ``waiting_for_review``, ``not_resubmittable``, ``no_resubmission_left`` (409).
    """
    project = _load(usage_key)
    owner, team, dates = _gate(learner, project)
    assessment = _validated_self_assessment(project, self_assessment)
    if student_id is not None and (not isinstance(student_id, str) or not student_id.strip()
                                   or len(student_id) > 255):
        raise ReviewsError("invalid_student_id", _("The anonymous student id is not valid."))
    nothing = ReviewsError("nothing_to_submit", _("There is nothing to submit yet: write, link or upload your work."))
    with transaction.atomic():
        submission = _locked(project, owner)
        if submission is None:
            raise nothing
        count = _check_editable(submission, project)
        text = submission.draft_text if project.accepts_text else ""
        links = list(submission.draft_links or ()) if project.accepts_links else []
        files = list(SubmissionFile.objects.filter(submission=submission, version=None).order_by("uploaded_at", "pk")
                     ) if project.accepts_files else []
        if not (text.strip() or links or files):
            raise nothing
        now = timezone.now()
        answer = _edx_answer(text, links, [row.name for row in files])
        uuids = _record_in_edx_submissions(project, learner, team, count + 1, now, answer, student_id)
        version = SubmissionVersion.objects.create(
            submission=submission, number=count + 1, text=text, links=links, self_assessment=assessment,
            submitted_by=learner, submitted_at=now, edx_submission_uuid=uuids[0], edx_submission_uuids=uuids,
        )
        if files:
            SubmissionFile.objects.filter(pk__in=[row.pk for row in files]).update(version=version)
            for row in files:
                row.version = version
        submission.status = Status.SUBMITTED
        submission.submitted_at = now
        submission.save(update_fields=["status", "submitted_at", "modified"])
        member_ids = list(team.members.values_list("pk", flat=True)) if team else []
        _notify_trainers(project, submission, version, {learner.pk, *member_ids})
    if count:  # a resubmission: the earlier versions come with their reviews and replies
        versions = _versions(submission, dates, reviewer=False)
    else:  # a first version: all there is to show is in hand
        version.submitted_by = learner
        versions = (_version_info(version, submission.pk, dates, files=files, reviews=(), replies=()),)
    return _learner_state(learner, project, team, submission, dates, versions, draft_files=())


# --- reading --------------------------------------------------------------------------------------------------------


def _url(name: str, **kwargs: int) -> str:
    """A download URL of reviews' REST API, which checks who asks (never the storage's own, public URL)."""
    try:
        return reverse(f"mentora-reviews:{name}", kwargs=kwargs)
    except NoReverseMatch:  # a site that does not mount reviews' URLs (never the LMS)
        return ""


def _file_info(row: SubmissionFile, submission_id: int, version_number: int | None = None) -> FileInfo:
    return FileInfo(
        id=row.pk, name=row.name, size=row.size, content_type=row.content_type, uploaded_at=row.uploaded_at,
        url=_url("api-submissions-file", submission_id=submission_id, file_id=row.pk), version_number=version_number,
    )


def _review_file_info(row: ReviewFile) -> FileInfo:
    return FileInfo(
        id=row.pk, name=row.name, size=row.size,
        content_type=mimetypes.guess_type(row.name)[0] or "application/octet-stream",
        uploaded_at=row.uploaded_at, url=_url("api-reviewing-review-file", review_id=row.review_id, file_id=row.pk),
    )


#: A review a learner may see: released, and (a second marker's) confirmed by the lead trainer.
RELEASED = Q(released_at__isnull=False) & (~Q(role=Review.Role.SECOND) | Q(confirmed_at__isnull=False))


def _name(user: Any) -> str:
    return host_api.display_name(user) if user is not None else ""


def _versions(submission: Submission | None, dates: EffectiveDates, *, reviewer: bool) -> tuple[VersionInfo, ...]:
    """The versions with their files, reviews (released ones only unless ``reviewer``) and replies."""
    if submission is None:
        return ()
    reviews = Review.objects.select_related("reviewer").order_by("created", "pk").prefetch_related(
        Prefetch("inline_comments", queryset=InlineComment.objects.order_by("start", "pk")),
        Prefetch("files", queryset=ReviewFile.objects.order_by("uploaded_at", "pk")),
    )
    if not reviewer:
        reviews = reviews.filter(RELEASED)
    versions = SubmissionVersion.objects.filter(submission=submission).select_related("submitted_by").order_by(
        "number"
    ).prefetch_related(
        Prefetch("files", queryset=SubmissionFile.objects.order_by("uploaded_at", "pk")),
        Prefetch("reviews", queryset=reviews),
        Prefetch("replies", queryset=FeedbackReply.objects.select_related("author").order_by("created", "pk")),
    )
    return tuple(
        _version_info(version, submission.pk, dates, files=version.files.all(),
                      reviews=version.reviews.all(), replies=version.replies.all())
        for version in versions
    )


def _version_info(version: SubmissionVersion, submission_id: int, dates: EffectiveDates, *,
                  files: Iterable[SubmissionFile], reviews: Iterable[Review],
                  replies: Iterable[FeedbackReply]) -> VersionInfo:
    return VersionInfo(
        id=version.pk,
        number=version.number,
        text=version.text,
        links=tuple(version.links or ()),
        files=tuple(_file_info(row, submission_id, version.number) for row in files),
        self_assessment=dict(version.self_assessment or {}),
        submitted_by_id=version.submitted_by_id,
        submitted_by_name=_name(version.submitted_by),
        submitted_at=version.submitted_at,
        late=dates.is_late(version.submitted_at),
        edx_submission_uuid=version.edx_submission_uuid,
        reviews=tuple(_review_info(review) for review in reviews),
        replies=tuple(
            VersionReplyInfo(id=reply.pk, author_id=reply.author_id, author_name=_name(reply.author),
                             body=reply.body, created=reply.created)
            for reply in replies
        ),
    )


def _review_info(review: Review) -> VersionReviewInfo:
    released = review.released_at is not None and (review.role != Review.Role.SECOND or review.confirmed_at is not None)
    return VersionReviewInfo(
        id=review.pk,
        reviewer_id=review.reviewer_id,
        reviewer_name=_name(review.reviewer),
        role=review.role,
        outcome=review.outcome,
        points=review.points,
        scores=dict(review.scores or {}),
        feedback=review.feedback,
        released_at=review.released_at,
        confirmed_at=review.confirmed_at,
        released=released,
        inline_comments=tuple(
            VersionCommentInfo(start=item.start, end=item.end, quote=item.quote, comment=item.comment)
            for item in review.inline_comments.all()
        ),
        files=tuple(_review_file_info(row) for row in review.files.all()),
    )


def _team_info(team: Team | None) -> TeamInfo | None:
    return projects.team_info(team) if team is not None else None


def get_learner_submission(learner: Any, usage_key: UsageKey | str) -> SubmissionInfo:
    """
    The learner's state on a project (their team's, in team mode): draft, draft files, status, versions with
    their released reviews, dates (extensions applied), resubmissions left, and why they may not edit now if so.
    Reading never writes: before the first save ``id`` is None.

    Raises:
        ReviewsError: ``invalid_usage_key`` (400); ``project_not_found`` (404).
    """
    project = _load(usage_key)
    signed_in = learner is not None and getattr(learner, "is_authenticated", False)
    team = projects.team_for(learner, project) if signed_in and project.team_mode else None
    submission = None
    if signed_in and (team is not None or not project.team_mode):
        owner = {"team": team} if team is not None else {"learner": learner}
        submission = Submission.objects.filter(project=project, **owner).first()
    dates = _dates(project, learner, team) if signed_in else projects.dates_for(project, [])
    versions = _versions(submission, dates, reviewer=False)
    draft_files = ()
    if submission is not None:
        draft_files = tuple(
            SubmissionFile.objects.filter(submission=submission, version=None).order_by("uploaded_at", "pk")
        )
    return _learner_state(learner, project, team, submission, dates, versions, draft_files=draft_files)


def _learner_state(learner: Any, project: Project, team: Team | None, submission: Submission | None,
                   dates: EffectiveDates, versions: tuple[VersionInfo, ...], *,
                   draft_files: Iterable[SubmissionFile]) -> SubmissionInfo:
    """The learner's state from what the caller read (``get_learner_submission``) or holds (``submit``)."""
    signed_in = learner is not None and getattr(learner, "is_authenticated", False)
    used = max(0, len(versions) - 1)
    status = submission.status if submission else Status.DRAFT
    if not signed_in or not learner.has_perm(SUBMIT_PERMISSION, project.course_key):
        blocked = "not_enrolled"
    elif project.team_mode and team is None:
        blocked = "no_team"
    elif not dates.has_started():
        blocked = "not_open"
    elif dates.is_closed():
        blocked = "closed"
    else:
        blocked = _blocked_by_status(status, len(versions), project)
    return SubmissionInfo(
        project=projects.project_info(project),
        id=submission.pk if submission else None,
        learner_id=learner.pk if signed_in else None,
        team=_team_info(team),
        status=status,
        status_label=str(Status(status).label),
        draft_text=submission.draft_text if submission else "",
        draft_links=tuple(submission.draft_links or ()) if submission else (),
        draft_saved_at=submission.draft_saved_at if submission else None,
        files=tuple(_file_info(row, submission.pk) for row in draft_files) if submission else (),
        versions=versions,
        submitted_at=submission.submitted_at if submission else None,
        points_earned=submission.points_earned if submission else None,
        dates=dates,
        resubmissions_used=used,
        resubmissions_left=max(0, project.max_resubmissions - used) if versions else project.max_resubmissions,
        blocked=blocked,
        may_improve=status == Status.APPROVED and not blocked,
        # Read only where it matters, so that a misconfigured policy cannot break the other projects' pages.
        grade_policy=grade_policy() if project.resubmit_after_approval else "",
    )


def _visible(submission_id: Any, viewer: Any) -> tuple[Submission, bool]:
    """The submission and whether the viewer reads it as a reviewer; 404 for anyone who may not read it."""
    submission = None
    if isinstance(submission_id, int) and not isinstance(submission_id, bool):
        submission = Submission.objects.select_related("project", "learner", "team").filter(pk=submission_id).first()
    if submission is None or viewer is None or not getattr(viewer, "is_authenticated", False):
        raise not_found("submission")
    own = submission.learner_id == viewer.pk or (
        submission.team_id is not None and submission.team.members.filter(pk=viewer.pk).exists()
    )
    if own:
        return submission, False
    if viewer.has_perm(REVIEW_PERMISSION, submission.project.course_key):
        return submission, True
    raise not_found("submission")


def get_submission(submission_id: int, viewer: Any) -> SubmissionDetail:
    """
    A submission with every version, for its learner (or a member of its team) and for the course's trainers and
    staff. Learners see released reviews only; reviewers see drafts too.

    Raises:
        ReviewsError: ``submission_not_found`` (404) for anyone else, whether it exists or not.
    """
    submission, reviewer = _visible(submission_id, viewer)
    project = submission.project
    team = submission.team
    if team is not None:
        dates = projects.dates_for(project, team.members.values_list("pk", flat=True))
    else:
        dates = projects.dates_for(project, [submission.learner_id] if submission.learner_id else [])
    learner = submission.learner
    return SubmissionDetail(
        id=submission.pk,
        project=projects.project_info(project),
        learner_id=submission.learner_id,
        learner_username=learner.username if learner else "",
        learner_name=_name(learner),
        team=_team_info(team),
        status=submission.status,
        status_label=str(Status(submission.status).label),
        submitted_at=submission.submitted_at,
        points_earned=submission.points_earned,
        dates=dates,
        versions=_versions(submission, dates, reviewer=reviewer),
        viewer_is_reviewer=reviewer,
    )


def open_submission_file(viewer: Any, submission_id: int, file_id: int) -> FileContent:
    """
    A file of a submission, opened, for whoever may read the submission: its learner (or team) reads their draft
    and versions' files, reviewers the versions' files only.

    Raises:
        ReviewsError: ``submission_not_found``, ``file_not_found`` (404).
    """
    submission, reviewer = _visible(submission_id, viewer)
    files = SubmissionFile.objects.filter(submission=submission, pk=file_id)
    if reviewer:
        files = files.filter(version__isnull=False)
    row = files.first()
    if row is None:
        raise not_found("file")
    try:
        handle = row.file.storage.open(row.file.name, "rb")
    except OSError:
        raise not_found("file") from None
    return FileContent(name=row.name, content_type=row.content_type or "application/octet-stream", size=row.size,
                       file=handle)
