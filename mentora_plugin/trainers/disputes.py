"""
Disputes (the seed's "gestion des conflits"): a learner reports a problem with a trainer, or a trainer with a learner,
and platform staff handle it in a confidential queue.

Who may report whom: only people who really dealt with each other. Either a recorded interaction between them
(``TrainerActivity``: a session, a review, an answer), or a course where one of them is a learner and the other a
trainer (host roles). Every refusal that depends on the other person answers the same ``user_not_found`` (404),
whether the username exists or not, so that the report form cannot be used to learn who is on the platform or
who learns where; a reporter who has no part in the course given is told so (403), before anything about the
other person is looked at.

Confidentiality: the reported person is never told (staff may contact them); the reporter sees their own reports,
their status and, once closed, the resolution text, never the staff notes. Staff with
``mentora_trainers.handle_dispute`` see the queue; for anyone else a dispute does not exist (404).

The life of a case::

    open <-> in_progress --> resolved (upheld or not) / dismissed (never upheld) --reopen--> open

Every change takes the dispute's row lock (``SELECT ... FOR UPDATE``) and re-reads the status under it, so two staff
members resolving at once cannot both apply: the second is refused with ``invalid_status`` (409). Each change of
status is written as a staff note with its reason. An upheld complaint against a trainer (``against_trainer``,
``upheld``, ``resolved_at``) counts against their level (``levels`` reads the model).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, DateTimeField, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from opaque_keys.edx.keys import CourseKey

from mentora_plugin.host import api as host_api
from mentora_plugin.host.data import CourseRole
from mentora_plugin.trainers import notifications
from mentora_plugin.trainers.common import TrainersError, forbidden, not_found
from mentora_plugin.trainers.models import Dispute, DisputeNote, TrainerActivity

__all__ = [
    "DISPUTE_CATEGORIES",
    "DISPUTE_STATUSES",
    "DISPUTE_TEXT_MAX_LENGTH",
    "DisputeInfo",
    "DisputeNoteInfo",
    "DisputeQueue",
    "ReportInfo",
    "ReportTarget",
    "add_dispute_note",
    "assign_dispute",
    "check_report",
    "dismiss_dispute",
    "get_dispute",
    "list_disputes",
    "my_reports",
    "reopen_dispute",
    "report_problem",
    "resolve_dispute",
    "set_dispute_status",
]

User = get_user_model()

DISPUTE_CATEGORIES = tuple(Dispute.Category.values)
DISPUTE_STATUSES = tuple(Dispute.Status.values)
#: The longest description, note, reason or resolution.
DISPUTE_TEXT_MAX_LENGTH = 5000

_PERMISSION = "mentora_trainers.handle_dispute"
_ACTIVE = (Dispute.Status.OPEN, Dispute.Status.IN_PROGRESS)
_CLOSED = (Dispute.Status.RESOLVED, Dispute.Status.DISMISSED)


# --- data -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DisputeNoteInfo:
    """A staff note on a dispute; ``status_change`` is the status it moved the case to (empty for a plain note)."""

    id: int
    author_id: int | None
    author_name: str
    body: str
    status_change: str
    created: datetime

    @property
    def status_change_label(self) -> str:
        return _status_label(self.status_change) if self.status_change else ""


@dataclass(frozen=True)
class DisputeInfo:
    """
    A dispute as staff see it. Names are empty when the person's account was retired. ``notes`` is filled by
    ``get_dispute`` only (the queue leaves it empty).
    """

    id: int
    status: str
    category: str
    description: str
    against_trainer: bool
    course_key: CourseKey | None
    reporter_id: int | None
    reporter_username: str
    reporter_name: str
    reported_id: int | None
    reported_username: str
    reported_name: str
    activity_id: int | None
    activity_kind: str
    activity_occurred_at: datetime | None
    assignee_id: int | None
    assignee_name: str
    upheld: bool | None
    resolution: str
    resolved_by_id: int | None
    resolved_by_name: str
    resolved_at: datetime | None
    created: datetime
    modified: datetime
    notes: tuple[DisputeNoteInfo, ...] = field(default_factory=tuple)

    @property
    def status_label(self) -> str:
        return _status_label(self.status)

    @property
    def category_label(self) -> str:
        return _category_label(self.category)

    @property
    def activity_kind_label(self) -> str:
        return str(TrainerActivity.Kind(self.activity_kind).label) if self.activity_kind else ""

    @property
    def is_closed(self) -> bool:
        return self.status in _CLOSED


@dataclass(frozen=True)
class ReportInfo:
    """
    A report as its reporter sees it: what they wrote, about whom (by name only), its status, and the resolution
    text once it is closed (``closed_at``). Never the staff notes, the assignee or whether it was upheld.
    """

    id: int
    reported_name: str
    against_trainer: bool
    course_key: CourseKey | None
    activity_id: int | None
    category: str
    description: str
    status: str
    resolution: str
    created: datetime
    closed_at: datetime | None

    @property
    def status_label(self) -> str:
        return _status_label(self.status)

    @property
    def category_label(self) -> str:
        return _category_label(self.category)

    @property
    def is_closed(self) -> bool:
        return self.status in _CLOSED


@dataclass(frozen=True)
class ReportTarget:
    """Whom a report would be about, once ``check_report`` found that the two really dealt with each other."""

    reported_id: int
    reported_username: str
    reported_name: str
    against_trainer: bool
    course_key: CourseKey | None
    activity_id: int | None


def _status_label(status: str) -> str:
    return str(Dispute.Status(status).label) if status in DISPUTE_STATUSES else status


def _category_label(category: str) -> str:
    return str(Dispute.Category(category).label) if category in DISPUTE_CATEGORIES else category


# --- reporting ------------------------------------------------------------------------------------------------------


def _user_not_found() -> TrainersError:
    return TrainersError(
        "user_not_found",
        _("There is nobody by that name you have dealt with as a learner or a trainer."),
        status=404,
    )


def _find_user(value: Any) -> Any | None:
    """The active user ``value`` names (a user, a user id or a username), or None."""
    if isinstance(value, User):
        return value if value.is_active else None
    users = User.objects.filter(is_active=True)
    if isinstance(value, str) and value.strip():
        return users.filter(username=value.strip()).first()
    if isinstance(value, int) and not isinstance(value, bool):
        return users.filter(pk=value).first()
    return None


def _parse_course(course_key: Any) -> CourseKey | None:
    if course_key in (None, ""):
        return None
    try:
        return host_api.parse_course_key(course_key)
    except host_api.HostError as error:
        raise TrainersError("invalid_course_key", str(error)) from None


def _signed_in(user: Any) -> None:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "pk", None):
        raise forbidden(_("Sign in to report a problem."))


def check_report(
    reporter: Any, reported: Any, *, course_key: CourseKey | str | None = None, activity_id: int | None = None
) -> ReportTarget:
    """
    Whether ``reporter`` may report ``reported``, and about what; ``report_problem`` runs this first. Pages use it to
    show whom a pre-filled report form is about without telling anything to someone who may not report them.

    Args:
        reporter: the signed-in user.
        reported: a user, a user id or a username.
        course_key: the course where they dealt with each other (one a learner, the other a trainer).
        activity_id: a recorded interaction between them; it decides the course and who is the trainer.
            With neither, their latest recorded interaction is used.

    Returns:
        The reported person (id, username, display name), whether they are the trainer of the two, the course and
        the interaction the report will refer to.

    Raises:
        TrainersError: ``permission_denied`` (403) not signed in, or no part as a learner or a trainer in the
            course given; ``activity_not_found`` (404) the interaction is not the reporter's; ``user_not_found``
            (404) nobody by that name dealt with the reporter there (whether the name exists or not);
            ``cannot_report_self`` (400); ``invalid_course_key`` (400); ``course_mismatch`` (400) the interaction
            took place in another course than the one given.
    """
    _signed_in(reporter)
    key = _parse_course(course_key)
    me = reporter.pk
    if activity_id is not None:
        activity = _own_activity(me, activity_id)
        counterpart = activity.learner_id if activity.trainer_id == me else activity.trainer_id
        other = _find_user(reported)
        _not_self(me, other)
        if other is None or other.pk != counterpart:
            raise _user_not_found()
        if key is not None and activity.course_key and activity.course_key != key:
            raise TrainersError("course_mismatch", _("This interaction took place in another course."))
        return _target(other, activity.trainer_id == other.pk, activity.course_key or key, activity.pk)
    if key is not None:
        mine = host_api.get_course_roles(reporter, key)
        if not {CourseRole.LEARNER, CourseRole.TRAINER} & mine:
            raise forbidden(_("You can report a problem only in a course where you learn or mentor."))
        other = _find_user(reported)
        _not_self(me, other)
        if other is None:
            raise _user_not_found()
        theirs = host_api.get_course_roles(other, key)
        if CourseRole.LEARNER in mine and CourseRole.TRAINER in theirs:
            return _target(other, True, key, None)
        if CourseRole.TRAINER in mine and CourseRole.LEARNER in theirs:
            return _target(other, False, key, None)
        raise _user_not_found()
    other = _find_user(reported)
    _not_self(me, other)
    if other is None:
        raise _user_not_found()
    latest = (
        TrainerActivity.objects.filter(Q(trainer_id=me, learner_id=other.pk) | Q(trainer_id=other.pk, learner_id=me))
        .order_by("-occurred_at", "-pk")
        .first()
    )
    if latest is None:
        raise _user_not_found()
    return _target(other, latest.trainer_id == other.pk, latest.course_key or None, latest.pk)


def _own_activity(user_id: int, activity_id: Any) -> TrainerActivity:
    if isinstance(activity_id, bool) or not isinstance(activity_id, int):
        raise not_found("activity")
    activity = TrainerActivity.objects.filter(Q(trainer_id=user_id) | Q(learner_id=user_id), pk=activity_id).first()
    if activity is None:
        raise not_found("activity")
    return activity


def _not_self(me: int, other: Any | None) -> None:
    if other is not None and other.pk == me:
        raise TrainersError("cannot_report_self", _("You cannot report a problem with yourself."))


def _target(other: Any, against_trainer: bool, course_key: CourseKey | None, activity_id: int | None) -> ReportTarget:
    return ReportTarget(
        reported_id=other.pk,
        reported_username=other.username,
        reported_name=host_api.display_name(other),
        against_trainer=against_trainer,
        course_key=course_key or None,
        activity_id=activity_id,
    )


def _text(value: Any, name: str, required_message: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise TrainersError(f"{name}_required", required_message)
    if len(text) > DISPUTE_TEXT_MAX_LENGTH:
        raise TrainersError(
            f"{name}_too_long",
            _("Write at most {count} characters.").format(count=DISPUTE_TEXT_MAX_LENGTH),
        )
    return text


def report_problem(
    reporter: Any,
    reported: Any,
    *,
    course_key: CourseKey | str | None = None,
    activity_id: int | None = None,
    category: str = Dispute.Category.OTHER,
    description: str,
) -> ReportInfo:
    """
    Report a problem with someone the reporter dealt with (see ``check_report``). The case goes to the staff queue,
    open; the reported person is not told.

    Two reports by the same person about the same other person cannot both be open: the reporter's user row is
    locked while the open ones are counted, so a double submission records one.

    Args:
        category: one of ``DISPUTE_CATEGORIES``.
        description: what happened; required, at most ``DISPUTE_TEXT_MAX_LENGTH`` characters.

    Returns:
        The report as its reporter sees it.

    Raises:
        TrainersError: those of ``check_report``; ``invalid_category``, ``description_required``,
            ``description_too_long`` (400); ``already_reported`` (409) an earlier report about this person is still
            open or in progress.
    """
    if category not in DISPUTE_CATEGORIES:
        raise TrainersError("invalid_category", _("Choose what kind of problem it is."))
    text = _text(description, "description", _("Describe what happened."))
    target = check_report(reporter, reported, course_key=course_key, activity_id=activity_id)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=reporter.pk).values_list("pk", flat=True).first()
        if Dispute.objects.filter(reporter_id=reporter.pk, reported_id=target.reported_id, status__in=_ACTIVE).exists():
            raise TrainersError(
                "already_reported",
                _("You already reported a problem with this person; staff are looking into it."),
                status=409,
            )
        dispute = Dispute.objects.create(
            reporter_id=reporter.pk,
            reported_id=target.reported_id,
            against_trainer=target.against_trainer,
            course_key=target.course_key or "",
            activity_id=target.activity_id,
            category=category,
            description=text,
        )
    return _report_info(dispute, target.reported_name)


def my_reports(user: Any) -> list[ReportInfo]:
    """
    The reports ``user`` made, newest first: what they wrote, about whom (the name only), the status and, once
    closed, the resolution. Two queries whatever their number.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    disputes = Dispute.objects.filter(reporter_id=user.pk).select_related(*_user_paths("reported"))
    return [
        _report_info(dispute, host_api.display_name(dispute.reported) if dispute.reported else "")
        for dispute in disputes.order_by("-created", "-pk")
    ]


def _report_info(dispute: Dispute, reported_name: str) -> ReportInfo:
    closed = dispute.status in _CLOSED
    return ReportInfo(
        id=dispute.pk,
        reported_name=reported_name,
        against_trainer=dispute.against_trainer,
        course_key=dispute.course_key or None,
        activity_id=dispute.activity_id,
        category=dispute.category,
        description=dispute.description,
        status=dispute.status,
        resolution=dispute.resolution if closed else "",
        created=dispute.created,
        closed_at=dispute.resolved_at if closed else None,
    )


# --- the staff queue ------------------------------------------------------------------------------------------------


def _user_paths(*relations: str) -> list[str]:
    """``select_related`` paths for users, with the LMS profile (where display names live) when there is one."""
    has_profile = any(item.name == "profile" and item.is_relation for item in User._meta.get_fields())
    return [path for relation in relations for path in ((relation, f"{relation}__profile") if has_profile
                                                         else (relation,))]


def _name(user: Any | None) -> str:
    return host_api.display_name(user) if user is not None else ""


def _info(dispute: Dispute, notes: tuple[DisputeNoteInfo, ...] = ()) -> DisputeInfo:
    activity = dispute.activity
    return DisputeInfo(
        id=dispute.pk,
        status=dispute.status,
        category=dispute.category,
        description=dispute.description,
        against_trainer=dispute.against_trainer,
        course_key=dispute.course_key or None,
        reporter_id=dispute.reporter_id,
        reporter_username=dispute.reporter.username if dispute.reporter else "",
        reporter_name=_name(dispute.reporter),
        reported_id=dispute.reported_id,
        reported_username=dispute.reported.username if dispute.reported else "",
        reported_name=_name(dispute.reported),
        activity_id=dispute.activity_id,
        activity_kind=activity.kind if activity else "",
        activity_occurred_at=activity.occurred_at if activity else None,
        assignee_id=dispute.assignee_id,
        assignee_name=_name(dispute.assignee),
        upheld=dispute.upheld,
        resolution=dispute.resolution,
        resolved_by_id=dispute.resolved_by_id,
        resolved_by_name=_name(dispute.resolved_by),
        resolved_at=dispute.resolved_at,
        created=dispute.created,
        modified=dispute.modified,
        notes=notes,
    )


def _with_people(disputes: QuerySet) -> QuerySet:
    return disputes.select_related(*_user_paths("reporter", "reported", "assignee", "resolved_by"), "activity")


class DisputeQueue:
    """
    The queue as a lazy sequence of ``DisputeInfo``: Django's and DRF's paginators ask its ``count()`` and one slice,
    which costs one COUNT and one SELECT (people and interaction joined) whatever the page size.
    """

    def __init__(self, disputes: QuerySet) -> None:
        self._disputes = disputes

    def count(self) -> int:
        return self._disputes.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [_info(dispute) for dispute in self._disputes[index]]
        return _info(self._disputes[index])

    def __iter__(self):
        return (_info(dispute) for dispute in self._disputes)


def _require_handler(actor: Any) -> None:
    """Anyone without the permission is told the dispute does not exist (a case's existence is confidential)."""
    if actor is None or not actor.has_perm(_PERMISSION):
        raise not_found("dispute")


def list_disputes(actor: Any, status: str | None = None, assignee: Any | None = None) -> DisputeQueue:
    """
    The staff queue: open and in-progress cases first, the oldest first (the longest waiting are handled first),
    then closed ones, the most recently closed first.

    Args:
        actor: a user with ``mentora_trainers.handle_dispute``.
        status: only cases in this status (one of ``DISPUTE_STATUSES``).
        assignee: only cases assigned to this user (a user or a user id).

    Returns:
        A lazy sequence of ``DisputeInfo`` without notes, for a paginator (a fixed number of queries per page).

    Raises:
        TrainersError: ``permission_denied`` (403); ``invalid_status`` (400) an unknown status.
    """
    if actor is None or not actor.has_perm(_PERMISSION):
        raise forbidden(_("Only staff who handle disputes can see the queue."))
    disputes = Dispute.objects.all()
    if status:
        if status not in DISPUTE_STATUSES:
            raise TrainersError("invalid_status", _("“{status}” is not a status of a dispute.").format(status=status))
        disputes = disputes.filter(status=status)
    if assignee is not None:
        disputes = disputes.filter(assignee_id=host_api._user_id(assignee))
    waiting = Case(When(status__in=_ACTIVE, then=Value(0)), default=Value(1), output_field=IntegerField())
    disputes = disputes.annotate(
        closed=waiting,
        waiting_since=Case(When(status__in=_ACTIVE, then=F("created")), default=None, output_field=DateTimeField()),
    ).order_by("closed", "waiting_since", F("resolved_at").desc(nulls_last=True), "-pk")
    return DisputeQueue(_with_people(disputes))


def get_dispute(actor: Any, dispute_id: int) -> DisputeInfo:
    """
    One case with its notes (oldest first), the parties' names and the interaction it refers to. Two queries.

    Raises:
        TrainersError: ``dispute_not_found`` (404), also for anyone without ``mentora_trainers.handle_dispute``.
    """
    _require_handler(actor)
    dispute = _with_people(Dispute.objects.filter(pk=dispute_id)).first() if _valid_id(dispute_id) else None
    if dispute is None:
        raise not_found("dispute")
    notes = DisputeNote.objects.filter(dispute=dispute).select_related(*_user_paths("author"))
    return _info(dispute, tuple(_note_info(note) for note in notes))


def _valid_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _note_info(note: DisputeNote) -> DisputeNoteInfo:
    return DisputeNoteInfo(
        id=note.pk,
        author_id=note.author_id,
        author_name=_name(note.author),
        body=note.body,
        status_change=note.status_change,
        created=note.created,
    )


def _locked(actor: Any, dispute_id: int) -> Dispute:
    """The case, locked until the transaction ends, after the permission check. Call inside ``atomic()``."""
    _require_handler(actor)
    dispute = Dispute.objects.select_for_update().filter(pk=dispute_id).first() if _valid_id(dispute_id) else None
    if dispute is None:
        raise not_found("dispute")
    return dispute


def _refuse_status(dispute: Dispute, message: str) -> TrainersError:
    return TrainersError("invalid_status", message.format(status=_status_label(dispute.status)), status=409)


def assign_dispute(actor: Any, dispute_id: int, assignee: Any | None) -> DisputeInfo:
    """
    Give an open or in-progress case to a staff member who handles disputes (``None`` takes it back from them).

    Args:
        assignee: a user, a user id or a username, or None.

    Raises:
        TrainersError: ``dispute_not_found`` (404); ``invalid_assignee`` (400) not an active user who handles
            disputes; ``invalid_status`` (409) the case is closed (reopen it first).
    """
    _require_handler(actor)
    person = None
    if assignee is not None:
        person = _find_user(assignee)
        if person is None or not person.has_perm(_PERMISSION):
            raise TrainersError("invalid_assignee", _("Assign the case to a staff member who handles disputes."))
    with transaction.atomic():
        dispute = _locked(actor, dispute_id)
        if dispute.status in _CLOSED:
            raise _refuse_status(dispute, _("The case is {status}: reopen it first."))
        dispute.assignee = person
        dispute.save(update_fields=["assignee", "modified"])
    return get_dispute(actor, dispute_id)


def add_dispute_note(actor: Any, dispute_id: int, body: str) -> DisputeNoteInfo:
    """
    Add a staff note to a case, whatever its status; notes are never shown to the parties.

    Raises:
        TrainersError: ``dispute_not_found`` (404); ``note_required``, ``note_too_long`` (400).
    """
    _require_handler(actor)
    text = _text(body, "note", _("Write the note."))
    with transaction.atomic():
        dispute = _locked(actor, dispute_id)
        note = DisputeNote.objects.create(dispute=dispute, author_id=actor.pk, body=text)
        dispute.save(update_fields=["modified"])
    note.author = actor
    return _note_info(note)


def _move(dispute: Dispute, actor: Any, status: str, note: str) -> None:
    """Record the new status and its note, the row being locked."""
    dispute.status = status
    dispute.save()
    DisputeNote.objects.create(dispute=dispute, author_id=actor.pk, body=note, status_change=status)


def set_dispute_status(actor: Any, dispute_id: int, status: str, reason: str) -> DisputeInfo:
    """
    Move a case between open and in progress, with a reason (written as a note). Taking a case in progress while
    nobody is assigned assigns it to the actor. Closing and reopening have their own functions, which need a
    resolution or a reason of their own.

    Raises:
        TrainersError: ``dispute_not_found`` (404); ``invalid_status`` (400) a status other than open or
            in_progress, (409) the case is not in the other one of the two; ``reason_required`` (400).
    """
    _require_handler(actor)
    if status not in _ACTIVE:
        raise TrainersError("invalid_status", _("A case is moved here between open and in progress only."))
    text = _text(reason, "reason", _("Give a reason for the change."))
    with transaction.atomic():
        dispute = _locked(actor, dispute_id)
        if dispute.status not in _ACTIVE or dispute.status == status:
            raise _refuse_status(dispute, _("The case is {status}: it cannot move there."))
        if status == Dispute.Status.IN_PROGRESS and dispute.assignee_id is None:
            dispute.assignee_id = actor.pk
        _move(dispute, actor, status, text)
    return get_dispute(actor, dispute_id)


def _close(actor: Any, dispute_id: int, status: str, upheld: bool, resolution: str) -> DisputeInfo:
    _require_handler(actor)
    text = _text(resolution, "resolution", _("Write the resolution."))
    with transaction.atomic():
        dispute = _locked(actor, dispute_id)
        if dispute.status not in _ACTIVE:
            raise _refuse_status(dispute, _("The case is already {status}: reopen it first."))
        dispute.upheld = upheld
        dispute.resolution = text
        dispute.resolved_by_id = actor.pk
        dispute.resolved_at = timezone.now()
        _move(dispute, actor, status, text)
        if dispute.reporter_id is not None:
            notifications.notify(
                "dispute_resolved",
                dispute.reporter,
                f"dispute-resolved:{dispute.pk}:{status}",
                dispute_id=dispute.pk,
                status=status,
            )
    return get_dispute(actor, dispute_id)


def resolve_dispute(actor: Any, dispute_id: int, upheld: bool, resolution: str) -> DisputeInfo:
    """
    Close an open or in-progress case as resolved: the complaint ``upheld`` or not, with the resolution the reporter
    will read. The reporter is emailed (once per case and outcome). An upheld complaint against a trainer counts
    against their level from ``resolved_at`` on.

    Raises:
        TrainersError: ``dispute_not_found`` (404); ``invalid_upheld``, ``resolution_required``,
            ``resolution_too_long`` (400); ``invalid_status`` (409) already resolved or dismissed (also the second
            of two staff members resolving at once).
    """
    _require_handler(actor)
    if not isinstance(upheld, bool):
        raise TrainersError("invalid_upheld", _("Say whether the complaint is upheld."))
    return _close(actor, dispute_id, Dispute.Status.RESOLVED, upheld, resolution)


def dismiss_dispute(actor: Any, dispute_id: int, resolution: str) -> DisputeInfo:
    """
    Close an open or in-progress case as dismissed (never upheld), with the resolution the reporter will read; the
    reporter is emailed.

    Raises:
        TrainersError: as ``resolve_dispute``.
    """
    return _close(actor, dispute_id, Dispute.Status.DISMISSED, False, resolution)


def reopen_dispute(actor: Any, dispute_id: int, reason: str) -> DisputeInfo:
    """
    Reopen a resolved or dismissed case, with a reason. Its outcome is withdrawn (``upheld``, the resolution, who
    closed it and when are cleared; the notes keep the history), so a reopened complaint no longer counts against a
    trainer until it is resolved again.

    Raises:
        TrainersError: ``dispute_not_found`` (404); ``reason_required`` (400); ``invalid_status`` (409) the case is
            not closed.
    """
    _require_handler(actor)
    text = _text(reason, "reason", _("Give a reason for reopening the case."))
    with transaction.atomic():
        dispute = _locked(actor, dispute_id)
        if dispute.status not in _CLOSED:
            raise _refuse_status(dispute, _("The case is {status}: only a closed case can be reopened."))
        dispute.upheld = None
        dispute.resolution = ""
        dispute.resolved_by = None
        dispute.resolved_at = None
        _move(dispute, actor, Dispute.Status.OPEN, text)
    return get_dispute(actor, dispute_id)
