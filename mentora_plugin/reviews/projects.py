"""
Projects: what a ``mentora_project`` block configures, mirrored in ``Project`` so that every door (the block, the
REST API, the trainers' pages, Celery) enforces the same rules; the course's rubric library; per-learner extensions;
teams.

``sync_project`` is the block's one write: it validates the whole configuration (the rubric included) and writes
only what changed, so the block may call it on every render as well as when the author saves. A configuration is
complete: a key it leaves out takes the model's default.

A rubric is a list of 1 to ``MAX_CRITERIA`` criteria ``{"key", "title", "description", "weight", "levels"}``, each
with 2 to ``MAX_LEVELS`` levels ``{"points", "label", "description"}``. ``validate_rubric`` returns it normalised
(only those keys, stripped strings); a refusal names the criterion and level at fault (``invalid_rubric``).

Dates: a learner may work from ``start`` on; after ``due`` their work is late but still accepted; after ``cutoff``
the project is closed to them. Staff grant an ``Extension`` (later dates) to one learner; in team mode an extension
granted to any member of a team is the whole team's, since the team submits one piece of work. An extension never
shortens anything: each effective date is the later of the project's and the extension's, a project without a due
date or cut-off stays without one, and the cut-off is never before the due date.

Teams (team mode only) are made by course staff: a learner is in at most one team per project. Membership changes
of one project are serialised by a lock on its ``Project`` row, which is what keeps that rule true when two staff
members edit teams at once.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from numbers import Real
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey, UsageKey

from mentora_plugin.db import insert_ignoring_conflicts
from mentora_plugin.host import api as host_api
from mentora_plugin.reviews.common import ReviewsError, forbidden, not_found
from mentora_plugin.reviews.models import Extension, GalleryEntry, Project, RubricTemplate, Submission, Team
from mentora_plugin.text import render_markdown

__all__ = [
    "CriterionInfo",
    "EffectiveDates",
    "ExtensionInfo",
    "LevelInfo",
    "ProjectInfo",
    "RubricTemplateInfo",
    "TeamInfo",
    "TeamMemberInfo",
    "create_team",
    "effective_dates",
    "get_project",
    "grant_extension",
    "list_teams",
    "preview_project",
    "rubric_templates",
    "save_rubric_template",
    "set_team_members",
    "sync_project",
    "sync_team",
    "team_of",
    "validate_rubric",
]

User = get_user_model()

MANAGE_PERMISSION = "mentora_reviews.manage_project"

#: Rubric limits.
MAX_CRITERIA = 20
MIN_LEVELS, MAX_LEVELS = 2, 10
MAX_WEIGHT = 100
MAX_POINTS = 1000
MAX_DESCRIPTION = 5000
#: A criterion key: a slug (letters, digits, ``-`` and ``_``), at most 50 characters.
CRITERION_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,49}$")

#: What a configuration may set, with each integer's bounds.
INTEGER_BOUNDS = {
    "max_files": (1, 20),
    "max_file_mb": (1, 100),
    "max_resubmissions": (0, 20),
    "points_possible": (1, 1000),
    "target_turnaround_hours": (1, 720),
}
FLAGS = (
    "accepts_text", "accepts_files", "accepts_links", "team_mode", "graded", "self_assessment", "second_marker",
    "resubmit_after_approval",
)
DATES = ("start", "due", "cutoff")
CONFIG_FIELDS = frozenset({"title", "brief", "rubric", "allowed_extensions", *INTEGER_BOUNDS, *FLAGS, *DATES})
MAX_BRIEF = 50_000
MAX_EXTENSIONS = 50
#: A file extension as a project lists it: lower-case letters and digits, without the dot.
EXTENSION = re.compile(r"^[a-z0-9]{1,16}$")
MAX_REASON = 2000


# --- data -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelInfo:
    """One level of a rubric criterion: what it is worth and what it means."""

    points: float
    label: str
    description: str


@dataclass(frozen=True)
class CriterionInfo:
    """A rubric criterion; its weight multiplies the points of the level a reviewer chooses."""

    key: str
    title: str
    description: str
    weight: float
    levels: tuple[LevelInfo, ...]

    @property
    def max_points(self) -> float:
        """The points of the criterion's best level."""
        return max(level.points for level in self.levels)


@dataclass(frozen=True)
class ProjectInfo:
    """
    A project as its block configures it. ``resubmit_after_approval``: a learner whose latest version was approved
    may still submit an improved one (within ``max_resubmissions``, while the project is open).
    """

    id: int
    usage_key: UsageKey
    course_key: CourseKey
    title: str
    brief: str
    rubric: tuple[CriterionInfo, ...]
    accepts_text: bool
    accepts_files: bool
    accepts_links: bool
    max_files: int
    max_file_mb: int
    allowed_extensions: tuple[str, ...]
    start: datetime | None
    due: datetime | None
    cutoff: datetime | None
    max_resubmissions: int
    resubmit_after_approval: bool
    team_mode: bool
    graded: bool
    points_possible: int
    self_assessment: bool
    second_marker: bool
    target_turnaround_hours: int
    modified: datetime

    @property
    def brief_html(self) -> SafeString:
        """The brief (Markdown) as safe HTML."""
        return render_markdown(self.brief)

    @property
    def max_weighted_points(self) -> float:
        """The rubric's best total: each criterion's best level times its weight."""
        return sum(criterion.weight * criterion.max_points for criterion in self.rubric)


@dataclass(frozen=True)
class EffectiveDates:
    """A learner's (or a team's) dates on a project, extensions applied. None: no such limit."""

    start: datetime | None
    due: datetime | None
    cutoff: datetime | None
    extended: bool

    def has_started(self, now: datetime | None = None) -> bool:
        return self.start is None or (now or timezone.now()) >= self.start

    def is_closed(self, now: datetime | None = None) -> bool:
        return self.cutoff is not None and (now or timezone.now()) > self.cutoff

    def is_late(self, when: datetime | None = None) -> bool:
        """Whether work handed in at ``when`` (now by default) is late: after the due date."""
        return self.due is not None and (when or timezone.now()) > self.due


@dataclass(frozen=True)
class ExtensionInfo:
    """Later dates granted to one learner (and, in team mode, their team)."""

    id: int
    project_id: int
    learner_id: int
    due: datetime | None
    cutoff: datetime | None
    reason: str
    granted_by_id: int | None
    granted_at: datetime


@dataclass(frozen=True)
class RubricTemplateInfo:
    """A rubric of a course's library."""

    id: int
    course_key: CourseKey
    title: str
    criteria: tuple[CriterionInfo, ...]
    created_by_id: int | None
    created: datetime


@dataclass(frozen=True)
class TeamMemberInfo:
    user_id: int
    username: str
    name: str


@dataclass(frozen=True)
class TeamInfo:
    """A team of a team-mode project, members by username."""

    id: int
    project_id: int
    name: str
    members: tuple[TeamMemberInfo, ...]

    @property
    def member_ids(self) -> frozenset[int]:
        return frozenset(member.user_id for member in self.members)


# --- keys -----------------------------------------------------------------------------------------------------------


def parse_usage_key(value: UsageKey | str) -> UsageKey:
    """
    ``value`` as a UsageKey without a Studio branch or version (so that Studio and the LMS name the same project).

    Raises:
        ReviewsError: ``invalid_usage_key`` (400).
    """
    if not isinstance(value, UsageKey):
        if not isinstance(value, str):
            raise ReviewsError("invalid_usage_key", _("A block's usage key must be a string."))
        try:
            value = UsageKey.from_string(value.strip())
        except InvalidKeyError:
            raise ReviewsError(
                "invalid_usage_key", _("“{value}” is not a valid usage key.").format(value=value[:255])
            ) from None
    try:
        if getattr(value, "branch", None) is not None:
            value = value.for_branch(None)
        if getattr(value, "version_guid", None) is not None:
            value = value.version_agnostic()
    except (InvalidKeyError, AttributeError):  # a key that names no course keeps its form
        pass
    return value


def _course_key(value: CourseKey | str) -> CourseKey:
    try:
        key = host_api.parse_course_key(value)
    except host_api.HostError as error:
        raise ReviewsError("invalid_course_key", str(error)) from None
    try:
        if getattr(key, "branch", None) is not None:
            key = key.for_branch(None)
        if getattr(key, "version_guid", None) is not None:
            key = key.version_agnostic()
    except InvalidKeyError:
        pass
    return key


def load_project(usage_key: UsageKey | str, *, lock: bool = False) -> Project:
    """
    The ``Project`` model of a block, for the other modules of reviews (not re-exported by ``api``).

    Raises:
        ReviewsError: ``invalid_usage_key`` (400); ``project_not_found`` (404).
    """
    projects = Project.objects.select_for_update() if lock else Project.objects
    project = projects.filter(usage_key=parse_usage_key(usage_key)).first()
    if project is None:
        raise not_found("project")
    return project


# --- configuration --------------------------------------------------------------------------------------------------


def _invalid(message: str) -> ReviewsError:
    return ReviewsError("invalid_project", message)


def _rubric_error(message: str) -> ReviewsError:
    return ReviewsError("invalid_rubric", message)


def _is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and value == value and abs(value) != float("inf")


def _string(value: Any, max_length: int) -> str | None:
    """``value`` stripped, or None when it is not a string or is too long."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if len(value) <= max_length else None


def validate_rubric(criteria: Any) -> list[dict]:
    """
    Check a rubric and return it normalised: only the known keys, strings stripped, numbers kept as given.

    Args:
        criteria: a list of 1 to 20 criteria, each ``{"key", "title", "description"?, "weight", "levels"}`` with a
            unique slug-like key, a title, a weight above 0 (at most 100), and 2 to 10 levels ``{"points", "label",
            "description"?}`` with points from 0 to 1000 and a label.

    Returns:
        The criteria as the ``Project`` and ``RubricTemplate`` store them.

    Raises:
        ReviewsError: ``invalid_rubric`` (400), saying which criterion and level is at fault and why.
    """
    if not isinstance(criteria, (list, tuple)) or not criteria:
        raise _rubric_error(_("A rubric has at least one criterion."))
    if len(criteria) > MAX_CRITERIA:
        raise _rubric_error(_("A rubric has at most {count} criteria.").format(count=MAX_CRITERIA))
    seen: set[str] = set()
    normalised = []
    for number, criterion in enumerate(criteria, start=1):
        if not isinstance(criterion, dict):
            raise _rubric_error(_("Criterion {number} is not a criterion.").format(number=number))
        key = criterion.get("key")
        if not isinstance(key, str) or not CRITERION_KEY.match(key.strip()):
            raise _rubric_error(_(
                "Criterion {number}: its key is 1 to 50 letters, digits, “-” or “_”, starting with a letter or digit."
            ).format(number=number))
        key = key.strip()
        if key in seen:
            raise _rubric_error(_("Criterion {number}: the key “{key}” is used twice.").format(number=number, key=key))
        seen.add(key)
        title = _string(criterion.get("title"), 255)
        if not title:
            raise _rubric_error(_("Criterion {number}: a title of at most 255 characters is required.").format(
                number=number))
        description = _string(criterion.get("description"), MAX_DESCRIPTION)
        if description is None:
            raise _rubric_error(_("Criterion {number}: the description is at most {max} characters.").format(
                number=number, max=MAX_DESCRIPTION))
        weight = criterion.get("weight", 1)
        if not _is_number(weight) or not 0 < weight <= MAX_WEIGHT:
            raise _rubric_error(_("Criterion {number}: the weight is a number above 0 and at most {max}.").format(
                number=number, max=MAX_WEIGHT))
        normalised.append({
            "key": key, "title": title, "description": description, "weight": weight,
            "levels": _validated_levels(criterion.get("levels"), number),
        })
    return normalised


def _validated_levels(levels: Any, number: int) -> list[dict]:
    if not isinstance(levels, (list, tuple)) or not MIN_LEVELS <= len(levels) <= MAX_LEVELS:
        raise _rubric_error(_("Criterion {number}: a criterion has {min} to {max} levels.").format(
            number=number, min=MIN_LEVELS, max=MAX_LEVELS))
    normalised = []
    for index, level in enumerate(levels, start=1):
        if not isinstance(level, dict):
            raise _rubric_error(_("Criterion {number}, level {index} is not a level.").format(
                number=number, index=index))
        points = level.get("points")
        if not _is_number(points) or not 0 <= points <= MAX_POINTS:
            raise _rubric_error(_(
                "Criterion {number}, level {index}: the points are a number from 0 to {max}."
            ).format(number=number, index=index, max=MAX_POINTS))
        label = _string(level.get("label"), 255)
        if not label:
            raise _rubric_error(_(
                "Criterion {number}, level {index}: a label of at most 255 characters is required."
            ).format(number=number, index=index))
        description = _string(level.get("description"), MAX_DESCRIPTION)
        if description is None:
            raise _rubric_error(_(
                "Criterion {number}, level {index}: the description is at most {max} characters."
            ).format(number=number, index=index, max=MAX_DESCRIPTION))
        normalised.append({"points": points, "label": label, "description": description})
    return normalised


def _date(value: Any, field: str) -> datetime | None:
    """A timezone-aware datetime from a datetime or an ISO 8601 string; a naive one is taken as UTC."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            parsed = parse_datetime(value.strip())
        except ValueError:
            parsed = None
        if parsed is None:
            raise _invalid(_("“{field}” is not a date and time.").format(field=field))
        value = parsed
    if not isinstance(value, datetime):
        raise _invalid(_("“{field}” is not a date and time.").format(field=field))
    return value.replace(tzinfo=UTC) if timezone.is_naive(value) else value.astimezone(UTC)


def _validated_extensions(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, (list, tuple)) or len(value) > MAX_EXTENSIONS:
        raise _invalid(_("The allowed file types are a list of at most {max} extensions.").format(
            max=MAX_EXTENSIONS))
    found: list[str] = []
    for item in value:
        extension = item.strip().lstrip(".").lower() if isinstance(item, str) else None
        if not extension or not EXTENSION.match(extension):
            raise _invalid(_(
                "“{value}” is not a file extension (letters and digits, such as pdf or zip)."
            ).format(value=str(item)[:40]))
        if extension not in found:
            found.append(extension)
    return found


def _validated_config(config: Any) -> dict[str, Any]:
    """Every configurable field of ``Project``, from ``config`` or the model's default, checked together."""
    if not isinstance(config, dict):
        raise _invalid(_("A project's configuration is a dictionary."))
    unknown = sorted(set(config) - CONFIG_FIELDS)
    if unknown:
        raise _invalid(_("Unknown settings: {names}.").format(names=", ".join(map(str, unknown))))
    defaults = {field: Project._meta.get_field(field).get_default() for field in CONFIG_FIELDS}
    raw = {**defaults, **config}
    values: dict[str, Any] = {}
    title = _string(raw["title"], 255)
    if not title:
        raise _invalid(_("A project needs a title of at most 255 characters."))
    values["title"] = title
    brief = raw["brief"] if raw["brief"] is not None else ""
    if not isinstance(brief, str) or len(brief) > MAX_BRIEF:
        raise _invalid(_("The brief is text of at most {max} characters.").format(max=MAX_BRIEF))
    values["brief"] = brief
    values["rubric"] = validate_rubric(raw["rubric"])
    for field in FLAGS:
        if not isinstance(raw[field], bool):
            raise _invalid(_("“{field}” is true or false.").format(field=field))
        values[field] = raw[field]
    if not (values["accepts_text"] or values["accepts_files"] or values["accepts_links"]):
        raise _invalid(_("A project accepts at least one kind of submission: text, files or links."))
    for field, (low, high) in INTEGER_BOUNDS.items():
        value = raw[field]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise _invalid(_("“{field}” is a whole number from {low} to {high}.").format(
                field=field, low=low, high=high))
        values[field] = value
    values["allowed_extensions"] = _validated_extensions(raw["allowed_extensions"])
    for field in DATES:
        values[field] = _date(raw[field], field)
    dates = [(field, values[field]) for field in DATES if values[field] is not None]
    for (first, earlier), (second, later) in pairwise(dates):
        if earlier > later:
            raise _invalid(_("“{first}” must not be after “{second}”.").format(first=first, second=second))
    return values


def sync_project(usage_key: UsageKey | str, course_key: CourseKey | str, config: dict) -> ProjectInfo:
    """
    Create or update the project of a block from its configuration. Idempotent: an unchanged configuration writes
    nothing, so the block may call it each time it renders.

    Args:
        usage_key: the block's usage key (a Studio branch or version is dropped).
        course_key: the block's course; a usage key that names a course must name this one.
        config: the block's settings under ``Project``'s field names (``title``, ``brief``, ``rubric``,
            ``accepts_text``, ``accepts_files``, ``accepts_links``, ``max_files`` (1 to 20), ``max_file_mb``
            (1 to 100), ``allowed_extensions``, ``start``, ``due``, ``cutoff`` (datetimes or ISO 8601 strings, in that
            order), ``max_resubmissions`` (0 to 20), ``resubmit_after_approval``, ``team_mode``, ``graded``,
            ``points_possible`` (1 to 1000), ``self_assessment``, ``second_marker``, ``target_turnaround_hours``
            (1 to 720)). A missing key takes the default; an unknown one is refused.

    Returns:
        The project as stored.

    Raises:
        ReviewsError: ``invalid_usage_key``, ``invalid_course_key``, ``invalid_project`` (anything else that is
            wrong, including a change of team mode once learners have started work), ``invalid_rubric`` (400).
    """
    key, course, values = _checked_config(usage_key, course_key, config)
    # The common case (a render of an unchanged block) reads one row and takes no lock.
    project = Project.objects.filter(usage_key=key).first()
    if project is not None and project.course_key == course and not _changed(project, values):
        return project_info(project)
    with transaction.atomic():
        project = Project.objects.select_for_update().filter(usage_key=key).first()
        if project is None:
            insert_ignoring_conflicts(Project(usage_key=key, course_key=course, **values))
            project = Project.objects.select_for_update().get(usage_key=key)
        if project.course_key != course:
            raise _invalid(_("The block “{block}” belongs to another course.").format(block=key))
        changed = _changed(project, values)
        if "team_mode" in changed and Submission.objects.filter(project=project).exists():
            raise _invalid(_("Team mode cannot change once learners have started work on the project."))
        if changed:
            for field in changed:
                setattr(project, field, values[field])
            project.save(update_fields=[*changed, "modified"])
    return project_info(project)


def preview_project(usage_key: UsageKey | str, course_key: CourseKey | str, config: dict) -> ProjectInfo:
    """
    The project as ``config`` would make it, checked as ``sync_project`` checks it but stored nowhere: Studio's
    copy of a block is a draft until the course is published, and learners, trainers and the gradebook must keep
    following the published settings meanwhile (the LMS's first render of the published block syncs them).

    Raises:
        ReviewsError: as ``sync_project``.
    """
    key, course, values = _checked_config(usage_key, course_key, config)
    stored = Project.objects.filter(usage_key=key).first()
    if stored is not None:
        if stored.course_key != course:
            raise _invalid(_("The block “{block}” belongs to another course.").format(block=key))
        if stored.team_mode != values["team_mode"] and Submission.objects.filter(project=stored).exists():
            raise _invalid(_("Team mode cannot change once learners have started work on the project."))
    draft = Project(usage_key=key, course_key=course, **values)
    draft.pk, draft.modified = (stored.pk, stored.modified) if stored is not None else (None, None)
    return project_info(draft)


def _checked_config(
    usage_key: UsageKey | str, course_key: CourseKey | str, config: dict
) -> tuple[UsageKey, CourseKey, dict[str, Any]]:
    """The block's keys and its validated settings (every field, defaults filled in)."""
    key = parse_usage_key(usage_key)
    course = _course_key(course_key)
    context = getattr(key, "context_key", None)
    if isinstance(context, CourseKey) and _course_key(context) != course:
        raise _invalid(_("The block “{block}” is not in the course “{course}”.").format(block=key, course=course))
    return key, course, _validated_config(config)


def _changed(project: Project, values: dict[str, Any]) -> list[str]:
    return [field for field, value in values.items() if getattr(project, field) != value]


def get_project(usage_key: UsageKey | str) -> ProjectInfo:
    """
    The project of a block.

    Raises:
        ReviewsError: ``invalid_usage_key`` (400); ``project_not_found`` (404) until the block has been saved.
    """
    return project_info(load_project(usage_key))


def _criteria(rubric: Any) -> tuple[CriterionInfo, ...]:
    return tuple(
        CriterionInfo(
            key=item["key"],
            title=item["title"],
            description=item.get("description", ""),
            weight=item["weight"],
            levels=tuple(
                LevelInfo(points=level["points"], label=level["label"], description=level.get("description", ""))
                for level in item["levels"]
            ),
        )
        for item in rubric or ()
    )


def project_info(project: Project) -> ProjectInfo:
    """The ``ProjectInfo`` of a model (for reviews' own modules)."""
    return ProjectInfo(
        id=project.pk,
        usage_key=project.usage_key,
        course_key=project.course_key,
        title=project.title,
        brief=project.brief,
        rubric=_criteria(project.rubric),
        accepts_text=project.accepts_text,
        accepts_files=project.accepts_files,
        accepts_links=project.accepts_links,
        max_files=project.max_files,
        max_file_mb=project.max_file_mb,
        allowed_extensions=tuple(project.allowed_extensions or ()),
        start=project.start,
        due=project.due,
        cutoff=project.cutoff,
        max_resubmissions=project.max_resubmissions,
        resubmit_after_approval=project.resubmit_after_approval,
        team_mode=project.team_mode,
        graded=project.graded,
        points_possible=project.points_possible,
        self_assessment=project.self_assessment,
        second_marker=project.second_marker,
        target_turnaround_hours=project.target_turnaround_hours,
        modified=project.modified,
    )


# --- the rubric library ---------------------------------------------------------------------------------------------


def _template_info(template: RubricTemplate) -> RubricTemplateInfo:
    return RubricTemplateInfo(
        id=template.pk,
        course_key=template.course_key,
        title=template.title,
        criteria=_criteria(template.criteria),
        created_by_id=template.created_by_id,
        created=template.created,
    )


def rubric_templates(course_key: CourseKey | str) -> list[RubricTemplateInfo]:
    """
    The course's rubric library, by title. Who may read it is the caller's to check (Studio's authors, the REST
    API's ``mentora_reviews.manage_project`` or ``review_submission``).

    Raises:
        ReviewsError: ``invalid_course_key`` (400).
    """
    templates = RubricTemplate.objects.filter(course_key=_course_key(course_key)).order_by("title", "pk")
    return [_template_info(template) for template in templates]


def save_rubric_template(actor: Any, course_key: CourseKey | str, title: str, criteria: Any) -> RubricTemplateInfo:
    """
    Save a rubric in the course's library under ``title``; a template of the same title is replaced, so that
    saving twice keeps one.

    Raises:
        ReviewsError: ``invalid_course_key``, ``invalid_template`` (no title), ``invalid_rubric`` (400);
            ``permission_denied`` (403) without ``mentora_reviews.manage_project`` on the course.
    """
    course = _course_key(course_key)
    if not actor.has_perm(MANAGE_PERMISSION, course):
        raise forbidden(_("Only the course's staff may change its rubric library."))
    name = _string(title, 255)
    if not name:
        raise ReviewsError("invalid_template", _("A rubric template needs a title of at most 255 characters."))
    normalised = validate_rubric(criteria)
    updated = RubricTemplate.objects.filter(course_key=course, title=name).update(criteria=normalised)
    if not updated:
        insert_ignoring_conflicts(RubricTemplate(course_key=course, title=name, criteria=normalised,
                                                 created_by=actor))
        RubricTemplate.objects.filter(course_key=course, title=name).update(criteria=normalised)
    return _template_info(RubricTemplate.objects.get(course_key=course, title=name))


# --- dates and extensions -------------------------------------------------------------------------------------------


def _later(base: datetime | None, *candidates: datetime | None) -> datetime | None:
    """The latest of ``base`` and the candidates; None (no limit) stays None."""
    if base is None:
        return None
    return max([base, *(candidate for candidate in candidates if candidate is not None)])


def dates_for(project: Project | ProjectInfo, learner_ids: Iterable[int]) -> EffectiveDates:
    """The dates of a project for the learners of one submission (one learner, or a team's members)."""
    extensions = list(
        Extension.objects.filter(project_id=project.id if isinstance(project, ProjectInfo) else project.pk,
                                 learner_id__in=list(learner_ids)).values_list("due", "cutoff")
    )
    due = _later(project.due, *(due for due, _cutoff in extensions))
    cutoff = _later(project.cutoff, due, *(cutoff for _due, cutoff in extensions))
    extended = (due, cutoff) != (project.due, project.cutoff)
    return EffectiveDates(start=project.start, due=due, cutoff=cutoff, extended=extended)


def effective_dates(project: Project | ProjectInfo, learner: Any) -> EffectiveDates:
    """
    ``learner``'s dates on the project: the project's, moved later by their extension (in team mode, by any
    extension of a member of their team).

    Args:
        project: a ``ProjectInfo`` (or the model).
        learner: a user or a user id.
    """
    learner_id = host_api._user_id(learner)
    ids = {learner_id}
    if project.team_mode:
        project_id = project.id if isinstance(project, ProjectInfo) else project.pk
        team = Team.objects.filter(project_id=project_id, members=learner_id).first()
        if team is not None:
            ids |= set(team.members.values_list("pk", flat=True))
    return dates_for(project, ids)


def _resolve_user(value: Any) -> Any:
    if isinstance(value, User):
        return value
    found = User.objects.filter(pk=value).first() if isinstance(value, int) and not isinstance(value, bool) else None
    if found is None:
        raise not_found("user")
    return found


def grant_extension(
    actor: Any,
    usage_key: UsageKey | str,
    learner: Any,
    due: datetime | str | None = None,
    cutoff: datetime | str | None = None,
    reason: str = "",
) -> ExtensionInfo:
    """
    Give a learner later dates on a project, replacing any extension they had there. In team mode it holds for
    their whole team.

    Args:
        actor: course staff (``mentora_reviews.manage_project``).
        learner: an enrolled learner (a user or a user id).
        due, cutoff: at least one; each later than the project's own (which must exist), and ``due`` not after
            ``cutoff``. A due date past the project's cut-off moves the cut-off with it.
        reason: why, for the record (at most 2000 characters).

    Raises:
        ReviewsError: ``invalid_extension``, ``not_enrolled`` (400); ``permission_denied`` (403);
            ``project_not_found``, ``user_not_found`` (404).
    """
    project = load_project(usage_key)
    if not actor.has_perm(MANAGE_PERMISSION, project.course_key):
        raise forbidden(_("Only the course's staff may grant extensions."))
    person = _resolve_user(learner)
    if not host_api.is_enrolled(person, project.course_key):
        raise ReviewsError("not_enrolled", _("{name} is not enrolled in this course.").format(
            name=host_api.display_name(person)))
    new_due = _extension_date(due, "due")
    new_cutoff = _extension_date(cutoff, "cutoff")
    if new_due is None and new_cutoff is None:
        raise ReviewsError("invalid_extension", _("An extension gives a later due date, a later cut-off, or both."))
    if new_due is not None and (project.due is None or new_due <= project.due):
        raise ReviewsError("invalid_extension", _("The extended due date must be after the project's due date."))
    if new_cutoff is not None and (project.cutoff is None or new_cutoff <= project.cutoff):
        raise ReviewsError("invalid_extension", _("The extended cut-off must be after the project's cut-off."))
    if new_due is not None and new_cutoff is not None and new_due > new_cutoff:
        raise ReviewsError("invalid_extension", _("The extended due date must not be after the extended cut-off."))
    if not isinstance(reason, str) or len(reason.strip()) > MAX_REASON:
        raise ReviewsError("invalid_extension", _("The reason is at most {max} characters.").format(max=MAX_REASON))
    values = {"due": new_due, "cutoff": new_cutoff, "reason": reason.strip(), "granted_by": actor,
              "granted_at": timezone.now()}
    rows = Extension.objects.filter(project=project, learner=person)
    if not rows.update(**values):
        insert_ignoring_conflicts(Extension(project=project, learner=person, **values))
        rows.update(**values)
    extension = rows.get()
    return ExtensionInfo(
        id=extension.pk, project_id=project.pk, learner_id=person.pk, due=extension.due, cutoff=extension.cutoff,
        reason=extension.reason, granted_by_id=extension.granted_by_id, granted_at=extension.granted_at,
    )


def _extension_date(value: Any, field: str) -> datetime | None:
    try:
        return _date(value, field)
    except ReviewsError as error:
        raise ReviewsError("invalid_extension", str(error)) from None


# --- teams ----------------------------------------------------------------------------------------------------------


def team_info(team: Team) -> TeamInfo:
    """The ``TeamInfo`` of a model (for reviews' own modules)."""
    members = sorted(team.members.all(), key=lambda user: user.username)
    return TeamInfo(
        id=team.pk,
        project_id=team.project_id,
        name=team.name,
        members=tuple(TeamMemberInfo(user.pk, user.username, host_api.display_name(user)) for user in members),
    )


def team_for(user: Any, project: Project | ProjectInfo) -> Team | None:
    """The ``Team`` model of ``user`` on a project (for reviews' own modules)."""
    project_id = project.id if isinstance(project, ProjectInfo) else project.pk
    return Team.objects.filter(project_id=project_id, members=host_api._user_id(user)).first()


def team_of(user: Any, usage_key: UsageKey | str) -> TeamInfo | None:
    """
    ``user``'s team on a project, or None.

    Raises:
        ReviewsError: ``invalid_usage_key`` (400); ``project_not_found`` (404).
    """
    team = team_for(user, load_project(usage_key))
    return team_info(team) if team else None


def list_teams(actor: Any, usage_key: UsageKey | str) -> list[TeamInfo]:
    """
    The teams of a project, by name. Course staff only.

    Raises:
        ReviewsError: ``permission_denied`` (403); ``project_not_found`` (404).
    """
    project = load_project(usage_key)
    if not actor.has_perm(MANAGE_PERMISSION, project.course_key):
        raise forbidden(_("Only the course's staff may manage teams."))
    teams = Team.objects.filter(project=project).prefetch_related("members").order_by("name", "pk")
    return [team_info(team) for team in teams]


def _members(project: Project, members: Any, team: Team | None) -> list[Any]:
    """The members as users, each enrolled and in no other team of the project. Call under the project's lock."""
    if isinstance(members, (str, bytes, Mapping)) or not isinstance(members, Iterable):
        raise ReviewsError("invalid_team", _("A team's members are a list of users."))
    users: dict[int, Any] = {}
    for member in members:
        user = _resolve_user(member)
        users[user.pk] = user
    absent = [user for user in users.values() if not host_api.is_enrolled(user, project.course_key)]
    if absent:
        raise ReviewsError("not_enrolled", _("Not enrolled in this course: {names}.").format(
            names=", ".join(sorted(user.username for user in absent))))
    taken = Team.members.through.objects.filter(team__project=project, user_id__in=list(users))
    if team is not None:
        taken = taken.exclude(team=team)
    busy = sorted(users[user_id].username for user_id in taken.values_list("user_id", flat=True))
    if busy:
        raise ReviewsError("already_in_team", _("Already in another team of this project: {names}.").format(
            names=", ".join(busy)), status=409)
    return list(users.values())


def create_team(actor: Any, usage_key: UsageKey | str, name: str, members: Any) -> TeamInfo:
    """
    Make a team on a team-mode project.

    Args:
        actor: course staff (``mentora_reviews.manage_project``).
        name: unique within the project, at most 255 characters.
        members: at least one enrolled learner (users or user ids), none in another team of the project.

    Raises:
        ReviewsError: ``invalid_team``, ``not_enrolled`` (400); ``permission_denied`` (403); ``project_not_found``,
            ``user_not_found`` (404); ``not_team_mode``, ``team_exists``, ``already_in_team`` (409).
    """
    project = load_project(usage_key)
    if not actor.has_perm(MANAGE_PERMISSION, project.course_key):
        raise forbidden(_("Only the course's staff may manage teams."))
    if not project.team_mode:
        raise ReviewsError("not_team_mode", _("This project is not done in teams."), status=409)
    team_name = _string(name, 255)
    if not team_name:
        raise ReviewsError("invalid_team", _("A team needs a name of at most 255 characters."))
    with transaction.atomic():
        project = load_project(usage_key, lock=True)
        users = _members(project, members, None)
        if not users:
            raise ReviewsError("invalid_team", _("A team has at least one member."))
        if Team.objects.filter(project=project, name=team_name).exists():
            raise _team_exists(team_name)
        try:
            with transaction.atomic():
                team = Team.objects.create(project=project, name=team_name)
        except IntegrityError:
            raise _team_exists(team_name) from None
        team.members.set(users)
    return team_info(team)


def _team_exists(name: str) -> ReviewsError:
    return ReviewsError("team_exists", _("This project already has a team called “{name}”.").format(name=name),
                        status=409)


def set_team_members(actor: Any, team_id: int, members: Any) -> TeamInfo:
    """
    Replace a team's members. A learner taken out of a team no longer sees its submission; an empty team keeps its
    submission for the record.

    Raises:
        ReviewsError: ``invalid_team``, ``not_enrolled`` (400); ``permission_denied`` (403); ``team_not_found``,
            ``user_not_found`` (404); ``already_in_team`` (409).
    """
    team = Team.objects.select_related("project").filter(pk=team_id).first()
    if team is None:
        raise not_found("team")
    if not actor.has_perm(MANAGE_PERMISSION, team.project.course_key):
        raise forbidden(_("Only the course's staff may manage teams."))
    with transaction.atomic():
        project = load_project(team.project.usage_key, lock=True)
        users = _members(project, members, team)
        team.members.set(users)
        _withdraw_unshared_consent(team, {user.pk for user in users})
    return team_info(team)


def sync_team(usage_key: UsageKey | str, name: str, member_ids: Any) -> TeamInfo:
    """
    Make or update the team called ``name`` on a team-mode project so that its members are exactly ``member_ids``:
    how another domain (communities' group projects) keeps a team in step with its own membership. No permission
    check: the caller checked its own; the validations are create_team's (a new team needs a member; an existing one
    may be emptied, keeping its submission for the record).

    Raises:
        ReviewsError: ``invalid_team``, ``not_enrolled`` (400); ``project_not_found``, ``user_not_found`` (404);
            ``not_team_mode``, ``already_in_team`` (409).
    """
    project = load_project(usage_key)
    if not project.team_mode:
        raise ReviewsError("not_team_mode", _("This project is not done in teams."), status=409)
    team_name = _string(name, 255)
    if not team_name:
        raise ReviewsError("invalid_team", _("A team needs a name of at most 255 characters."))
    with transaction.atomic():
        project = load_project(usage_key, lock=True)
        team = Team.objects.filter(project=project, name=team_name).first()
        users = _members(project, member_ids, team)
        if team is None:
            if not users:
                raise ReviewsError("invalid_team", _("A team has at least one member."))
            team = Team.objects.create(project=project, name=team_name)
        team.members.set(users)
        _withdraw_unshared_consent(team, {user.pk for user in users})
    return team_info(team)


def _withdraw_unshared_consent(team: Team, member_ids: set[int]) -> None:
    """
    A team's work is shown in the gallery only while every member consents: a new member who has not consented
    takes it out at once (their consent, once given, shows it again).
    """
    for entry in GalleryEntry.objects.select_for_update().filter(submission__team=team, consented_at__isnull=False):
        if not member_ids <= set(entry.consented_by or ()):
            entry.consented_at = None
            entry.save(update_fields=["consented_at"])
