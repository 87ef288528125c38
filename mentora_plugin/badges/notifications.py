"""
Badges' emails: the recipient of an award is told when they earn it and when it is revoked.

``notify`` only queues a Celery task (``tasks.send_badge_notification``), with string arguments, once the current
transaction commits: a rolled-back award sends nothing, and the worker finds the row. The task sends **at most once
per kind and award, and at least once while retries last**: the ``SentBadgeNotification`` row (unique on kind,
award and recipient) is inserted and the email sent inside one transaction; a concurrent delivery waits on the
row's unique key, then fails its insert and sends nothing; if sending raises, the row is rolled back and the task
retried.

Each email is in its recipient's language (``host_api.get_user_language``) and time zone, and links to the award's
public verification page, ``public_base_url() + "/badges/assertions/<public id>/"`` (served by the Open Badges
outputs). Text only: there is nothing in it that HTML would say better, and nothing of the learner's Markdown.
"""
from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from mentora_plugin import emails
from mentora_plugin.badges.common import public_base_url
from mentora_plugin.badges.models import BadgeAward, BadgeClass, SentBadgeNotification
from mentora_plugin.host import api as host_api

__all__: list[str] = []

log = logging.getLogger(__name__)

KINDS = ("badge_awarded", "badge_revoked")


def assertion_url(public_id: Any) -> str:
    """The public verification page (and hosted Open Badges 2.0 Assertion) of an award."""
    return f"{public_base_url()}/badges/assertions/{public_id}/"


def notify(kind: str, award: BadgeAward) -> None:
    """
    Email the recipient of ``award`` about ``kind`` once, after the current transaction commits (Celery).

    Raises:
        ValueError: an unknown kind (a programming error).
    """
    from mentora_plugin.badges import tasks

    if kind not in KINDS:
        raise ValueError(f"Unknown badges' notification kind {kind!r}")
    transaction.on_commit(partial(tasks.send_badge_notification.delay, kind, str(award.pk)))


def send(kind: str, award_id: str) -> int:
    """
    Send one email unless it was sent already (the task's body; see the module's docstring).

    Returns:
        1 when this call sent it, else 0 (sent before; the award is gone, e.g. its recipient retired; the recipient
        has no email address any more or is inactive).
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown badges' notification kind {kind!r}")
    award = BadgeAward.objects.select_related("badge_class", "recipient", "issued_by").filter(pk=int(award_id)).first()
    if award is None:
        log.info("The %s email of award %s is about an award that is gone: not sent", kind, award_id)
        return 0
    recipient = award.recipient
    if SentBadgeNotification.objects.filter(kind=kind, award=award, recipient=recipient).exists():
        return 0
    if not recipient.is_active or not (recipient.email or "").strip():
        log.warning("User %s cannot be emailed: no %s email", recipient.pk, kind)
        return 0
    message = _compose(kind, award)
    try:
        with transaction.atomic():
            SentBadgeNotification.objects.create(kind=kind, award=award, recipient=recipient, sent_at=timezone.now())
            message.send()
    except IntegrityError:
        log.info("The %s email of award %s was sent by another delivery", kind, award_id)
        return 0
    log.info("Sent the %s email of award %s to user %s", kind, award_id, recipient.pk)
    return 1


# --- composing ------------------------------------------------------------------------------------------------------


def _subject(kind: str, badge_class: BadgeClass) -> str:
    """Whole sentences per kind of badge, so that translators can agree them ("la compétence ... révoquée")."""
    name = badge_class.name
    if kind == "badge_awarded":
        subjects = {
            BadgeClass.Kind.CERTIFICATE: _("You have earned the certificate “{name}”"),
            BadgeClass.Kind.COMPETENCY: _("You have earned the competency “{name}”"),
        }
        return subjects.get(badge_class.kind, _("You have earned the badge “{name}”")).format(name=name)
    subjects = {
        BadgeClass.Kind.CERTIFICATE: _("Your certificate “{name}” has been revoked"),
        BadgeClass.Kind.COMPETENCY: _("Your competency “{name}” has been revoked"),
    }
    return subjects.get(badge_class.kind, _("Your badge “{name}” has been revoked")).format(name=name)


def _date(value: Any) -> str:
    return formats.date_format(timezone.localtime(value), "DATE_FORMAT")


def _paragraphs(kind: str, award: BadgeAward) -> list[str]:
    badge_class = award.badge_class
    paragraphs = [_("Hello {name},").format(name=host_api.display_name(award.recipient))]
    if badge_class.course_key:
        course = host_api.get_course(badge_class.course_key)
        title = course.title if course and course.title else str(badge_class.course_key)
        paragraphs.append(_("Course: {course}").format(course=title))
    if kind == "badge_awarded":
        if award.issued_by is not None:
            paragraphs.append(_("Awarded by {issuer} on {date}.").format(
                issuer=host_api.display_name(award.issued_by), date=_date(award.issued_on)))
        else:
            paragraphs.append(_("Awarded on {date}, for meeting its criteria.").format(date=_date(award.issued_on)))
        if award.expires_on is not None:
            paragraphs.append(_("It is valid until {date}.").format(date=_date(award.expires_on)))
        paragraphs.append(_("Anyone can check it at this address, which you can share: {url}").format(
            url=assertion_url(award.public_id)))
    else:
        paragraphs.append(_("Revoked on {date}. The reason given: {reason}").format(
            date=_date(award.revoked_at or timezone.now()), reason=award.revocation_reason))
        paragraphs.append(_("Its public page now says it is revoked: {url}").format(
            url=assertion_url(award.public_id)))
        paragraphs.append(_("If you think this is a mistake, contact the course team."))
    return paragraphs


def _compose(kind: str, award: BadgeAward) -> EmailMessage:
    """The email of ``kind`` about ``award``, in its recipient's language and time zone."""
    recipient = award.recipient
    with emails.recipient_locale(recipient) as language:
        subject = _subject(kind, award.badge_class)
        body = "\n\n".join(_paragraphs(kind, award)) + "\n"
    return emails.text_message(subject=subject, text=body, to=recipient.email, language=language)
