"""
Reviews' emails (a submission received, a review released, a due date near, a review overdue), each sent once.

``notify`` is the one entry point every part of reviews calls. It only queues a Celery task, with string arguments,
once the current transaction commits (at once outside one): a rolled-back change sends nothing, and the worker
finds the rows the email talks about. The task (``tasks.send_review_notification``) sends **at most once per kind,
recipient and dedupe key, and at least once while retries last**, however often it is delivered:

1. a cheap look-up skips what was already sent;
2. the ``SentNotification`` row (its key a hash of kind, recipient and dedupe key, so the table names nobody) is
   inserted and the email sent inside one transaction. A concurrent delivery blocks on the row's unique key until
   the first commits, then fails the insert and sends nothing; if the send raises, the row is rolled back and the
   task retried.

Each email is written in its recipient's language (``host_api.get_user_language``) and time zone, from the
templates ``mentora/reviews/email/<kind>_subject.txt`` and ``<kind>_body.txt`` (the HTML part is the text's
paragraphs in the shared ``mentora/email/body.html``, built by ``mentora_plugin.emails``). Links are absolute
when ``LMS_ROOT_URL`` is set. An email about a submission or a project that no longer exists when the worker runs
is dropped (nothing to say any more).

Two periodic jobs (Celery beat, hourly, through ``tasks``) find who to write to:

- ``send_due_reminders``: learners enrolled in a project's course who have not submitted, when the project (or
  their extension) is due within ``MENTORA_REVIEWS_DUE_REMINDER_HOURS``; once per learner and project.
- ``flag_overdue_reviews``: submissions waiting longer than their project's ``target_turnaround_hours``; the
  trainer holding a valid claim (else every trainer of the course) and the course staff are told, once per
  submitted version.

Both look up the emails already sent before queueing, so an hourly run queues only what is new.
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import formats, timezone

from mentora_plugin import emails
from mentora_plugin.host import api as host_api
from mentora_plugin.reviews.models import Project, Review, SentNotification, Submission, SubmissionVersion

__all__: list[str] = []

log = logging.getLogger(__name__)

#: Every kind of email, with who receives it.
KINDS = {
    "submission_received": "trainer",
    "review_released": "learner",
    "due_reminder": "learner",
    "queue_overdue": "trainer",
}
TEMPLATES = "mentora/reviews/email/"
#: How many dedupe keys one look-up of ``SentNotification`` asks about.
_KEY_CHUNK = 500
#: The statuses of a submission waiting for a trainer.
WAITING = (Submission.Status.SUBMITTED, Submission.Status.IN_REVIEW)


def notify(kind: str, recipient: Any, dedupe_key: str, /, **context: Any) -> None:
    """
    Email ``recipient`` about ``kind`` once per ``dedupe_key``, after the current transaction commits (Celery).

    The first three arguments are positional only, so that a context value may have any name.

    Args:
        kind: one of ``KINDS``.
        recipient: the user (or user id) to write to.
        dedupe_key: what makes this email unique for this kind and recipient (e.g. ``received:<version id>``): a
            second ``notify`` with the same three sends nothing.
        **context: JSON-serialisable values. ``submission_received`` and ``queue_overdue`` take ``submission_id``;
            ``review_released`` takes ``submission_id`` and, better, ``review_id`` (the outcome and grade are read
            from that review; without it, from the submission's latest released review); ``due_reminder`` takes
            ``project_id`` and ``due`` (the learner's own due date, ISO or datetime).

    Raises:
        ValueError: an unknown kind (a programming error).
    """
    from mentora_plugin.reviews import tasks

    if kind not in KINDS:
        raise ValueError(f"Unknown reviews' notification kind {kind!r}")
    recipient_id = host_api._user_id(recipient)
    payload = json.dumps(context, cls=DjangoJSONEncoder)
    transaction.on_commit(
        partial(tasks.send_review_notification.delay, kind, str(recipient_id), str(dedupe_key), payload)
    )


def notification_key(kind: str, recipient_id: int | str, dedupe_key: str) -> str:
    """The ``SentNotification.key`` of an email: a hash, so that the table names nobody."""
    return hashlib.sha256(f"reviews\x1f{kind}\x1f{recipient_id}\x1f{dedupe_key}".encode()).hexdigest()


def send(kind: str, recipient_id: str, dedupe_key: str, payload: str) -> int:
    """
    Send one email unless it was sent already (the task's body; see the module's docstring).

    Returns:
        1 when this call sent it, else 0 (sent before, the recipient has no email address any more, or what the
        email is about is gone).
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown reviews' notification kind {kind!r}")
    key = notification_key(kind, recipient_id, dedupe_key)
    if SentNotification.objects.filter(key=key).exists():
        return 0
    recipient = get_user_model().objects.filter(pk=int(recipient_id), is_active=True).first()
    if recipient is None or not recipient.email:
        log.warning("User %s cannot be emailed: no %s email", recipient_id, kind)
        return 0
    message = _compose(kind, recipient, json.loads(payload or "{}"))
    if message is None:
        log.info("The %s email to user %s is about something gone: not sent", kind, recipient_id)
        return 0
    try:
        with transaction.atomic():
            SentNotification.objects.create(kind=kind, key=key, sent_at=timezone.now())
            message.send()
    except IntegrityError:
        log.info("The %s email to user %s was sent by another delivery", kind, recipient_id)
        return 0
    log.info("Sent the %s email to user %s", kind, recipient_id)
    return 1


# --- the periodic jobs ------------------------------------------------------------------------------------------------


def send_due_reminders(now: datetime | None = None) -> int:
    """
    Remind each enrolled learner who has not submitted to a project due within ``MENTORA_REVIEWS_DUE_REMINDER_HOURS``
    (their extension's due date when they have one; a team member counts as submitted once the team has). Once per
    learner and project, however often it runs: emails already sent are not queued again.

    Returns:
        How many reminders were queued.
    """
    hours = getattr(settings, "MENTORA_REVIEWS_DUE_REMINDER_HOURS", 48) or 0
    if hours <= 0:
        return 0
    now = now or timezone.now()
    horizon = now + timedelta(hours=hours)
    projects = (
        Project.objects.filter(Q(due__gt=now, due__lte=horizon) | Q(extensions__due__gt=now,
                                                                     extensions__due__lte=horizon))
        .filter(Q(start__isnull=True) | Q(start__lte=now))
        .distinct()
        .order_by("pk")
    )
    queued = 0
    for project in projects:
        extended = {learner_id: due for learner_id, due in project.extensions.values_list("learner_id", "due") if due}
        submitted = _submitted_learner_ids(project)
        wanted: list[tuple[int, datetime]] = []
        for learner_id in host_api.get_course_learners(project.course_key).values_list("pk", flat=True).iterator():
            due = extended.get(learner_id) or project.due
            if learner_id in submitted or due is None or not now < due <= horizon:
                continue
            wanted.append((learner_id, due))
        key = f"due:{project.pk}"
        for learner_id, due in _not_sent("due_reminder", wanted, lambda item, key=key: (item[0], key)):
            notify("due_reminder", learner_id, key, project_id=project.pk, due=due)
            queued += 1
    return queued


def _submitted_learner_ids(project: Project) -> set[int]:
    """Who has submitted to ``project``: learners with a submitted submission, and members of submitted teams."""
    done = Submission.objects.filter(project=project).exclude(status=Submission.Status.DRAFT)
    ids = {learner_id for learner_id in done.filter(learner__isnull=False).values_list("learner_id", flat=True)}
    if project.team_mode:
        ids |= set(done.filter(team__isnull=False).values_list("team__members", flat=True))
    ids.discard(None)
    return ids


def flag_overdue_reviews(now: datetime | None = None) -> int:
    """
    Tell whom it concerns about each submission waiting longer than its project's ``target_turnaround_hours``: the
    trainer whose claim on it is still valid, else every trainer of the course; and the course staff. Once per
    submitted version (a resubmission that waits too long is flagged again).

    Returns:
        How many emails were queued.
    """
    from mentora_plugin.reviews.queue import overdue_filter

    now = now or timezone.now()
    hours = set(Project.objects.values_list("target_turnaround_hours", flat=True).distinct())
    latest_version = SubmissionVersion.objects.filter(submission=OuterRef("pk")).order_by("-number").values("pk")[:1]
    waiting = (
        Submission.objects.filter(status__in=WAITING, submitted_at__isnull=False)
        .filter(overdue_filter(hours, now))
        .select_related("project", "claim")
        .annotate(latest_version_id=Subquery(latest_version))
        .order_by("submitted_at", "pk")
    )
    trainers: dict[str, list[int]] = {}
    staff: dict[str, list[int]] = {}
    wanted: list[tuple[int, Submission]] = []
    for submission in waiting.iterator(chunk_size=500):
        course = str(submission.project.course_key)
        claim = getattr(submission, "claim", None)
        if claim is not None and claim.expires_at > now:
            recipients = [claim.trainer_id]
        else:
            if course not in trainers:
                trainers[course] = list(host_api.get_course_trainers(course).values_list("pk", flat=True))
            recipients = list(trainers[course])
        if course not in staff:
            staff[course] = _course_staff_ids(submission.project.course_key)
        for recipient_id in dict.fromkeys([*recipients, *staff[course]]):
            wanted.append((recipient_id, submission))
    queued = 0
    dedupe = lambda item: (item[0], f"overdue:{item[1].latest_version_id}")  # noqa: E731
    for recipient_id, submission in _not_sent("queue_overdue", wanted, dedupe):
        notify("queue_overdue", recipient_id, f"overdue:{submission.latest_version_id}", submission_id=submission.pk)
        queued += 1
    return queued


def _course_staff_ids(course_key: Any) -> list[int]:
    """The active staff and instructors of the course (or of its whole organisation), by id."""
    return sorted(host_api.get_course_staff(course_key).values_list("pk", flat=True))


def _not_sent(kind: str, items: Iterable[Any], identify) -> Iterator[Any]:
    """The ``items`` whose email (``identify(item)`` → recipient id, dedupe key) was not sent yet, in order."""
    items = list(items)
    for start in range(0, len(items), _KEY_CHUNK):
        chunk = items[start:start + _KEY_CHUNK]
        keys = [notification_key(kind, *identify(item)) for item in chunk]
        sent = set(SentNotification.objects.filter(key__in=keys).values_list("key", flat=True))
        yield from (item for item, key in zip(chunk, keys, strict=True) if key not in sent)


# --- composing ------------------------------------------------------------------------------------------------------


def _absolute(path: str) -> str:
    return host_api.absolute_url(path)


def submission_path(submission_id: int) -> str:
    """The address of a submission's page (reviewing's page: the learner's view or the trainer's review)."""
    return f"/mentora/reviews/submissions/{submission_id}/"


def project_path(project: Project) -> str:
    """The LMS address that opens the unit of the project's block (the platform's ``jump_to``)."""
    return f"/courses/{project.course_key}/jump_to/{project.usage_key}"


def _date(value: Any, fmt: str = "DATETIME_FORMAT") -> str:
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return formats.date_format(timezone.localtime(value), fmt)


def _compose(kind: str, recipient: Any, context: dict[str, Any]) -> EmailMultiAlternatives | None:
    """The email of ``kind`` for ``recipient``, in their language and time zone (None: its subject is gone)."""
    with emails.recipient_locale(recipient) as language:
        details = _details(kind, context)
        if details is None:
            return None
        values = {**context, **details, "name": host_api.display_name(recipient), "language": language}
        return emails.from_templates(f"{TEMPLATES}{kind}", values, language=language, to=recipient.email,
                                     sender_setting="MENTORA_REVIEWS_EMAIL_FROM")


def _number(value: float) -> str:
    """A grade as people write it, in the active language: 18, 17.5 (or 17,5)."""
    rounded = round(float(value), 2)
    return formats.number_format(rounded, decimal_pos=0 if rounded == int(rounded) else None)


def _course_title(course_key: Any) -> str:
    course = host_api.get_course(course_key)
    return course.title if course else str(course_key)


def _submitter(submission: Submission) -> str:
    if submission.team_id:
        return submission.team.name
    return host_api.display_name(submission.learner) if submission.learner else ""


def _details(kind: str, context: dict[str, Any]) -> dict[str, Any] | None:
    """What the templates show beyond the context: names, links and dates in the active language and zone."""
    if kind == "due_reminder":
        project = Project.objects.filter(pk=context.get("project_id")).first()
        if project is None:
            return None
        return {
            "project": project.title,
            "course": _course_title(project.course_key),
            "due_date": _date(context.get("due") or project.due),
            "project_url": _absolute(project_path(project)),
        }
    submission = (
        Submission.objects.select_related("project", "learner", "team").filter(pk=context.get("submission_id")).first()
    )
    if submission is None:
        return None
    project = submission.project
    values: dict[str, Any] = {
        "project": project.title,
        "course": _course_title(project.course_key),
        "submitter": _submitter(submission),
        "submission_url": _absolute(submission_path(submission.pk)),
    }
    if kind == "review_released":
        reviews = Review.objects.filter(version__submission=submission, released_at__isnull=False).exclude(
            role=Review.Role.SELF)
        if context.get("review_id"):
            reviews = reviews.filter(pk=context["review_id"])
        review = reviews.order_by("-released_at", "-pk").first()
        if review is None:
            return None
        values["outcome"] = review.outcome
        values["outcome_label"] = str(Review.Outcome(review.outcome).label) if review.outcome else ""
        values["graded"] = project.graded and review.points is not None
        values["points"] = _number(review.points) if review.points is not None else ""
        values["points_possible"] = project.points_possible
    if kind == "queue_overdue":
        values["submitted_date"] = _date(submission.submitted_at)
        values["target_hours"] = project.target_turnaround_hours
        values["queue_url"] = _absolute(reverse("mentora-reviews:queue-list"))
    return values
