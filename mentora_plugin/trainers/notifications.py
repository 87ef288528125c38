"""
The trainers' emails (application steps, reviewer reminders, level warnings and changes, resolved disputes), each
sent once.

``notify`` is the one entry point every part of trainers calls. It only queues a Celery task, with string arguments,
once the current transaction commits (at once outside one): a rolled-back change sends nothing, and the worker
finds the rows the email talks about. The task (``tasks.send_trainer_notification``) sends **at most once per
kind, recipient and dedupe key, and at least once while retries last**, however often it is delivered:

1. a cheap look-up skips what was already sent;
2. the ``SentNotification`` row is inserted and the email sent inside one transaction. A concurrent delivery blocks
   on the row's unique key until the first commits, then fails the insert and sends nothing; if the send raises,
   the row is rolled back and the task retried.

Each email is written in its recipient's language (``host_api.get_user_language``) and time zone, from the
templates ``mentora/trainers/email/<kind>_subject.txt`` and ``<kind>_body.txt`` (the HTML part is the text's
paragraphs in the shared ``mentora/email/body.html``, built by ``mentora_plugin.emails``). Links are absolute
when ``LMS_ROOT_URL`` is set.

``remind_reviewers`` (run by Celery beat through ``tasks.remind_reviewers``) reminds each assigned reviewer who has
not voted on an application waiting in the skills check or the decision, ``MENTORA_TRAINER_REVIEW_REMINDER_HOURS``
after their assignment or their last reminder.
"""
from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from mentora_plugin import emails
from mentora_plugin.host import api as host_api
from mentora_plugin.trainers.models import (
    ApplicationReviewer,
    Dispute,
    LevelChange,
    SentNotification,
    TrainerApplication,
)

__all__: list[str] = []

log = logging.getLogger(__name__)

#: Every kind of email, with who receives it.
KINDS = {
    # To the applicant, at each step of their application.
    "submitted": "applicant",
    "screening_failed": "applicant",
    "skills_check": "applicant",
    "approved": "applicant",
    "rejected": "applicant",
    "active": "applicant",
    # To reviewers.
    "assigned": "reviewer",
    "reminder": "reviewer",
    # To trainers, from levels and disputes.
    "level_warning": "trainer",
    "level_changed": "trainer",
    "dispute_resolved": "trainer",
}
TEMPLATES = "mentora/trainers/email/"


def notify(kind: str, recipient: Any, dedupe_key: str, /, **context: Any) -> None:
    """
    Email ``recipient`` about ``kind`` once per ``dedupe_key``, after the current transaction commits (Celery).

    The first three arguments are positional only, so that a context value may be called ``kind`` too
    (``level_changed`` has one).

    Args:
        kind: one of ``KINDS``.
        recipient: the user (or user id) to write to.
        dedupe_key: what makes this email unique for this kind and recipient (e.g. the transition's id): a second
            ``notify`` with the same three sends nothing.
        **context: JSON-serialisable values the email uses (dates as ISO strings or datetimes). Applicants' kinds
            take ``application_id``; ``screening_failed`` takes ``problems`` ([{"code", "params"}]); ``approved``
            ``reason`` and ``steps`` (keys of the onboarding steps left); ``rejected`` ``reason`` and
            ``reapply_after``; reviewers' kinds ``application_id`` and ``applicant``; ``level_warning`` ``level`` and
            ``deadline``; ``level_changed`` ``from_level``, ``to_level`` and ``kind``; ``dispute_resolved``
            ``dispute_id`` and ``status``.

    Raises:
        ValueError: an unknown kind (a programming error).
    """
    from mentora_plugin.trainers import tasks

    if kind not in KINDS:
        raise ValueError(f"Unknown trainers' notification kind {kind!r}")
    recipient_id = host_api._user_id(recipient)
    payload = json.dumps(context, cls=DjangoJSONEncoder)
    transaction.on_commit(
        partial(tasks.send_trainer_notification.delay, kind, str(recipient_id), str(dedupe_key), payload)
    )


def notification_key(kind: str, recipient_id: int | str, dedupe_key: str) -> str:
    """The ``SentNotification.key`` of an email: a hash, so that the table names nobody."""
    return hashlib.sha256(f"{kind}\x1f{recipient_id}\x1f{dedupe_key}".encode()).hexdigest()


def send(kind: str, recipient_id: str, dedupe_key: str, payload: str) -> int:
    """
    Send one email unless it was sent already (the task's body; see the module's docstring).

    Returns:
        1 when this call sent it, else 0 (sent before, or the recipient has no email address any more).
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown trainers' notification kind {kind!r}")
    key = notification_key(kind, recipient_id, dedupe_key)
    if SentNotification.objects.filter(key=key).exists():
        return 0
    recipient = get_user_model().objects.filter(pk=int(recipient_id), is_active=True).first()
    if recipient is None or not recipient.email:
        log.warning("User %s cannot be emailed: no %s email", recipient_id, kind)
        return 0
    message = _compose(kind, recipient, json.loads(payload or "{}"))
    try:
        with transaction.atomic():
            SentNotification.objects.create(kind=kind, key=key)
            message.send()
    except IntegrityError:
        log.info("The %s email to user %s was sent by another delivery", kind, recipient_id)
        return 0
    log.info("Sent the %s email to user %s", kind, recipient_id)
    return 1


def remind_reviewers(now: datetime | None = None) -> int:
    """
    Remind each reviewer who has not voted on an application waiting in the skills check or the decision, once
    ``MENTORA_TRAINER_REVIEW_REMINDER_HOURS`` passed since their assignment or their last reminder. Idempotent: a
    reminder is claimed by moving ``reminded_at`` with a guarded update, so two runs (or two workers) remind once.

    Returns:
        How many reminders were queued.
    """
    hours = getattr(settings, "MENTORA_TRAINER_REVIEW_REMINDER_HOURS", 48) or 0
    if hours <= 0:
        return 0
    now = now or timezone.now()
    due = now - timedelta(hours=hours)
    waiting = (
        ApplicationReviewer.objects.filter(
            vote=ApplicationReviewer.Vote.NONE,
            application__state__in=(TrainerApplication.State.SKILLS_CHECK, TrainerApplication.State.DECISION),
        )
        .filter(Q(reminded_at__isnull=True, assigned_at__lte=due) | Q(reminded_at__lte=due))
        .select_related("reviewer", "application__profile__user")
        .order_by("pk")
    )
    queued = 0
    for row in waiting.iterator(chunk_size=500):
        claim = ApplicationReviewer.objects.filter(pk=row.pk, vote=ApplicationReviewer.Vote.NONE)
        claim = claim.filter(reminded_at__isnull=True) if row.reminded_at is None else claim.filter(
            reminded_at=row.reminded_at
        )
        with transaction.atomic():
            if not claim.update(reminded_at=now):
                continue
            notify(
                "reminder", row.reviewer_id, f"application:{row.application_id}:reminder:{row.pk}:{now.isoformat()}",
                application_id=row.application_id,
                applicant=host_api.display_name(row.application.profile.user),
            )
        queued += 1
    return queued


# --- composing ------------------------------------------------------------------------------------------------------


def _absolute(path: str) -> str:
    return host_api.absolute_url(path)


def _url(name: str, **kwargs: Any) -> str:
    return _absolute(reverse(f"mentora-trainers:{name}", kwargs=kwargs or None))


def _date(value: Any, fmt: str = "DATE_FORMAT") -> str:
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


def _compose(kind: str, recipient: Any, context: dict[str, Any]) -> EmailMultiAlternatives:
    """The email of ``kind`` for ``recipient``, in their language and time zone."""
    with emails.recipient_locale(recipient) as language:
        values = {**context, **_details(kind, context), "name": host_api.display_name(recipient),
                  "language": language}
        return emails.from_templates(f"{TEMPLATES}{kind}", values, language=language, to=recipient.email,
                                     sender_setting="MENTORA_TRAINERS_EMAIL_FROM")


def _details(kind: str, context: dict[str, Any]) -> dict[str, Any]:
    """What the templates show beyond the context: links, names and dates in the active language and zone."""
    from mentora_plugin.trainers import applications, levels

    values: dict[str, Any] = {}
    application_id = context.get("application_id")
    if application_id:
        application = TrainerApplication.objects.filter(pk=application_id).first()
        values["scope"] = applications._scope_label(
            application.scope_kind, application.scope_org, application.scope_course_key
        ) if application else ""
        values["apply_url"] = _url("applications-apply")
        values["review_url"] = _url("applications-detail", application_id=application_id)
        values["onboarding_url"] = _url("applications-onboarding")
        values["guide_url"] = _url("applications-guide")
    if kind == "screening_failed":
        values["problems"] = [
            str(applications.SCREENING_CHECKS[item["code"]][1]).format(**item.get("params", {}))
            for item in context.get("problems", [])
            if item.get("code") in applications.SCREENING_CHECKS
        ]
        values["profile_url"] = _absolute(applications.PROFILE_EDIT_PATH)
    if kind == "approved":
        steps = {step["key"]: step for step in applications._onboarding_steps()}
        values["steps"] = [
            {"title": _(steps[key]["title"]), "url": _absolute(steps[key]["url"])}
            for key in context.get("steps", []) if key in steps
        ]
    if kind == "rejected":
        values["reapply_date"] = _date(context.get("reapply_after"))
    if kind == "level_warning":
        values["level_name"] = levels.level_name(context.get("level", ""))
        values["deadline_date"] = _date(context.get("deadline"))
    if kind == "level_changed":
        values["from_name"] = levels.level_name(context.get("from_level", "")) if context.get("from_level") else ""
        values["to_name"] = levels.level_name(context.get("to_level", "")) if context.get("to_level") else ""
        change = context.get("kind", "")
        values["change"] = str(LevelChange.Kind(change).label) if change in LevelChange.Kind.values else change
    if kind == "dispute_resolved":
        status = context.get("status", "")
        values["status_label"] = str(Dispute.Status(status).label) if status in Dispute.Status.values else status
    return values
