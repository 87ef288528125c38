"""
Awards: someone earning a badge class, by hand, in bulk or automatically; revoked with a reason; renewed.

- **Who awards**: the class's managers (course staff of its course, platform staff); a trainer of its course whose
  level unlocks ``issue_badges`` there (``trainers.api.can``; refused by level: ``capability_refused``). The
  platform's classes and trainers' classes: platform staff only. Nobody awards themself.
- **To whom**: a learner enrolled in the class's course; for trainers' classes, a trainer (of its course, or of any
  course for a platform-wide class). Recipients need an email address: the Open Badges identity is a salted hash
  of it.
- **Idempotency**: ``source_key`` names what caused an award (``manual:<uuid>``, ``renewal:<public id>``, a rule's
  event); a second award with the same class, recipient and source returns the first (the table's unique key, with
  an ``INSERT ... IGNORE``).
- **One current award**: at most one award of a class per recipient is current (not revoked, not expired). The
  class's row is locked (``SELECT ... FOR UPDATE``) before looking for one, so two issuers racing award once and
  the other is told ``already_awarded``; the look-up itself is a locking read, which sees what committed while
  this transaction waited even under REPEATABLE READ. After a revocation or an expiry, a new award is a new row.
- **Statuses** ("active", "expired", "revoked") are computed when read: nothing has to run for an award to expire.
- **Learners are told** by email (``notifications``) once the transaction commits, once per award.
"""
from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora_plugin.badges import notifications, signals
from mentora_plugin.badges.badge_classes import (
    MANAGE,
    class_info,
    course_key_of,
    find_badge_class,
    lookup,
    may_manage_badge_class,
    skill_names,
)
from mentora_plugin.badges.common import BadgesError, forbidden, not_found, recipient_hash
from mentora_plugin.badges.data import AwardInfo, BadgeClassInfo, BulkAwardResult, BulkRefusal, EvidenceInfo
from mentora_plugin.badges.models import BadgeAward, BadgeClass
from mentora_plugin.db import insert_ignoring_conflicts
from mentora_plugin.host import api as host_api
from mentora_plugin.host.data import CourseRole
from mentora_plugin.text import render_markdown
from mentora_plugin.trainers import api as trainers_api

__all__ = [
    "award_automatically",
    "award_badge",
    "awards_of",
    "bulk_award",
    "get_award",
    "list_awards",
    "renew_award",
    "revoke_award",
]

MAX_NARRATIVE = 5000
MAX_EVIDENCE = 10
MAX_EVIDENCE_NAME = 255
MAX_EVIDENCE_NARRATIVE = 2000
MAX_EVIDENCE_URL = 2000
MAX_REASON = 2000
MAX_SOURCE_KEY = 255
MAX_BULK = 500
#: How long before its expiry an award may be renewed.
RENEWAL_WINDOW = timedelta(days=30)

ACTIVE, EXPIRED, REVOKED = "active", "expired", "revoked"


# --- checks -----------------------------------------------------------------------------------------------------------


def _narrative(value: Any) -> str:
    value = "" if value is None else value
    if not isinstance(value, str):
        raise BadgesError("invalid_narrative", _("The note must be text."), field="narrative")
    value = value.strip()
    if len(value) > MAX_NARRATIVE:
        raise BadgesError("narrative_too_long", _("The note is too long: at most {max_length} characters.").format(
            max_length=MAX_NARRATIVE), field="narrative")
    return value


def _evidence(items: Any) -> list[dict[str, str]]:
    """At most 10 pieces of evidence, each a link (http or https) with an optional name and narrative."""
    if items is None:
        return []
    if isinstance(items, str | bytes | dict) or not isinstance(items, Iterable):
        raise BadgesError("invalid_evidence", _("Evidence must be a list of links."), field="evidence")
    items = list(items)
    if len(items) > MAX_EVIDENCE:
        raise BadgesError("too_much_evidence", _("At most {count} pieces of evidence per award.").format(
            count=MAX_EVIDENCE), field="evidence")
    cleaned = []
    for item in items:
        if not isinstance(item, dict):
            raise BadgesError("invalid_evidence", _("Evidence must be a list of links."), field="evidence")
        url, name, narrative = (item.get("url") or ""), (item.get("name") or ""), (item.get("narrative") or "")
        if not all(isinstance(value, str) for value in (url, name, narrative)):
            raise BadgesError("invalid_evidence", _("Evidence must be a list of links."), field="evidence")
        url = url.strip()
        try:
            parts = urlsplit(url)
        except ValueError:  # "http://[x": an unclosed IPv6 address
            parts = None
        # An IRI with a space or a character JSON-LD does not allow is dropped from the canonical form of an Open
        # Badges 3.0 credential, so what it names would not be signed: refuse those characters.
        if (parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc
                or len(url) > MAX_EVIDENCE_URL or _UNSAFE_IRI.search(url)):
            raise BadgesError("invalid_evidence_url", _("Each piece of evidence needs a web address (http or https)."),
                              field="evidence")
        if len(name.strip()) > MAX_EVIDENCE_NAME or len(narrative.strip()) > MAX_EVIDENCE_NARRATIVE:
            raise BadgesError(
                "evidence_too_long",
                _("A piece of evidence has a name of at most {name} characters and a description of at most "
                  "{narrative} characters.").format(name=MAX_EVIDENCE_NAME, narrative=MAX_EVIDENCE_NARRATIVE),
                field="evidence",
            )
        cleaned.append({"url": url, "name": name.strip(), "narrative": narrative.strip()})
    return cleaned


#: What an absolute IRI may not hold (RFC 3987): spaces, controls and ``<>"{}|\\^` ``.
_UNSAFE_IRI = re.compile(r'[\s\x00-\x1f\x7f<>"{}|\\^`]')


def _source_key(value: Any) -> str:
    if value is None:
        return f"manual:{uuid.uuid4()}"
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_SOURCE_KEY:
        raise BadgesError("invalid_source_key", _("The source of an award must be a key of at most 255 characters."))
    return value


def _user(recipient: Any) -> Any:
    """The active user ``recipient`` is (a user, or a user id). Raises ``user_not_found`` (404)."""
    User = get_user_model()
    if isinstance(recipient, User):
        if recipient.pk is None or not recipient.is_active:
            raise not_found("user", _("There is no such user."))
        return recipient
    if isinstance(recipient, bool) or not isinstance(recipient, int | str):
        raise not_found("user", _("There is no such user."))
    try:
        user = User.objects.filter(pk=int(recipient), is_active=True).first()
    except ValueError:
        user = None
    if user is None:
        raise not_found("user", _("There is no such user."))
    return user


def _check_issuer(issuer: Any, badge_class: BadgeClass) -> None:
    """
    Whether ``issuer`` may award ``badge_class``: its managers; for a course's learner badges, also a trainer of
    the course whose level unlocks ``issue_badges`` there.

    Raises:
        BadgesError: ``permission_denied`` or ``capability_refused`` (403).
    """
    if issuer is None or not getattr(issuer, "is_authenticated", False):
        raise forbidden(_("Sign in to award badges."))
    if may_manage_badge_class(issuer, badge_class):
        return
    if badge_class.for_trainers or not badge_class.course_key:
        raise forbidden(_("Only platform staff can award platform-wide badges and badges for trainers."))
    if CourseRole.TRAINER not in host_api.get_course_roles(issuer, badge_class.course_key):
        raise forbidden(_("Only the course's trainers and staff can award its badges."))
    if not trainers_api.can(issuer, "issue_badges", badge_class.course_key):
        raise BadgesError("capability_refused",
                          _("Your trainer level does not let you award badges in this course yet."), status=403)


def _check_recipient(badge_class: BadgeClass, user: Any) -> None:
    """
    Whether ``user`` may receive ``badge_class``: enrolled in its course (learners' badges), a trainer (trainers'
    badges), with an email address.

    Raises:
        BadgesError: ``not_enrolled``, ``not_a_trainer``, ``no_email`` (400).
    """
    if badge_class.for_trainers:
        if badge_class.course_key:
            trainer = CourseRole.TRAINER in host_api.get_course_roles(user, badge_class.course_key)
        else:
            trainer = host_api.is_trainer_anywhere(user)
        if not trainer:
            raise BadgesError("not_a_trainer", _("This badge is for trainers, and this person is not one."),
                              field="recipient")
    elif badge_class.course_key and not host_api.is_enrolled(user, badge_class.course_key):
        raise BadgesError("not_enrolled", _("This person is not enrolled in the badge's course."), field="recipient")
    if not (user.email or "").strip():
        raise BadgesError("no_email", _("This person has no email address, which a verifiable badge needs."),
                          field="recipient")


def _current(badge_class: BadgeClass, user_id: int, now: datetime) -> QuerySet:
    """The recipient's current awards of the class (not revoked, not expired), read with a lock (see the module)."""
    return (
        BadgeAward.objects.select_for_update()
        .filter(badge_class=badge_class, recipient_id=user_id, revoked_at__isnull=True)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gt=now))
    )


def _expires_on(badge_class: BadgeClass, issued_on: datetime) -> datetime | None:
    if badge_class.expiry == BadgeClass.Expiry.DATE:
        return badge_class.expires_on
    if badge_class.expiry == BadgeClass.Expiry.DURATION and badge_class.valid_days:
        return issued_on + timedelta(days=badge_class.valid_days)
    return None


def _class_has_expired(badge_class: BadgeClass, now: datetime) -> bool:
    """A class with a fixed expiry date that has passed: any award of it now would be born expired."""
    return badge_class.expiry == BadgeClass.Expiry.DATE and (badge_class.expires_on is None
                                                             or badge_class.expires_on <= now)


def _existing(badge_class: BadgeClass, user_id: int, source_key: str) -> BadgeAward | None:
    return _awards().filter(badge_class=badge_class, recipient_id=user_id, source_key=source_key).first()


def _insert(badge_class: BadgeClass, user: Any, *, issuer: Any, source_key: str, narrative: str,
            evidence: list[dict[str, str]], now: datetime) -> tuple[BadgeAward, bool]:
    """
    Insert the award (ignored if its source was awarded meanwhile) and read it back. Returns the award and whether
    this call created it; queues the learner's email when it did.
    """
    salt = secrets.token_hex(16)
    row = BadgeAward(
        badge_class=badge_class,
        recipient=user,
        salt=salt,
        recipient_hash=recipient_hash(user.email, salt),
        badge_version=badge_class.version,
        source_key=source_key,
        issued_on=now,
        expires_on=_expires_on(badge_class, now),
        issued_by=issuer,
        narrative=narrative,
        evidence=evidence,
    )
    insert_ignoring_conflicts(row)
    award = _existing(badge_class, user.pk, source_key)
    created = award.public_id == row.public_id
    if created:
        notifications.notify("badge_awarded", award)
        signals.announce_badge_awarded(award)
    return award, created


def _issue(badge_class: BadgeClass, user: Any, *, issuer: Any, source_key: str, narrative: str,
           evidence: list[dict[str, str]], now: datetime) -> BadgeAward:
    """One hand-made award of the locked ``badge_class`` (the checks of ``award_badge`` past the issuer's)."""
    if issuer is not None and user.pk == issuer.pk:
        raise BadgesError("own_award", _("You cannot award a badge to yourself."), status=403, field="recipient")
    existing = _existing(badge_class, user.pk, source_key)
    if existing is not None:
        return existing
    _check_recipient(badge_class, user)
    if _current(badge_class, user.pk, now).exists():
        raise BadgesError("already_awarded", _("This person already holds this badge."), status=409,
                          field="recipient")
    return _insert(badge_class, user, issuer=issuer, source_key=source_key, narrative=narrative, evidence=evidence,
                   now=now)[0]


def _open_class(badge_class_id: Any, issuer: Any, now: datetime) -> BadgeClass:
    """The class, locked, once the issuer may award it and it may be awarded at all."""
    badge_class = find_badge_class(badge_class_id, lock=True)
    _check_issuer(issuer, badge_class)
    if not badge_class.is_active:
        raise BadgesError("badge_class_archived", _("This badge is archived: it can no longer be awarded."),
                          status=409)
    if _class_has_expired(badge_class, now):
        raise BadgesError("badge_class_expired",
                          _("This badge's expiry date has passed: change it before awarding the badge."), status=409)
    return badge_class


# --- awarding ---------------------------------------------------------------------------------------------------------


def award_badge(
    issuer: Any,
    badge_class_id: Any,
    recipient: Any,
    *,
    narrative: str = "",
    evidence: Iterable[dict[str, str]] = (),
    source_key: str | None = None,
    now: datetime | None = None,
) -> AwardInfo:
    """
    Award a badge by hand.

    Args:
        issuer: a manager of the class, or a trainer of its course whose level unlocks ``issue_badges``.
        badge_class_id: the class's id or public id.
        recipient: the user (or user id) who earns it.
        narrative: why (Markdown, at most 5000 characters).
        evidence: at most 10 ``{"url", "name", "narrative"}``, the URL http or https.
        source_key: what the award is for; a second call with the same class, recipient and key returns the first
            award (default: a fresh ``manual:<uuid>``, i.e. a new award).
        now: the issue time (tests).

    Returns:
        The award (the existing one when ``source_key`` was awarded before).

    Raises:
        BadgesError: ``badge_class_not_found`` / ``user_not_found`` (404); ``permission_denied``,
            ``capability_refused``, ``own_award`` (403); ``not_enrolled``, ``not_a_trainer``, ``no_email`` and the
            narrative's and evidence's codes (400); ``badge_class_archived``, ``badge_class_expired``,
            ``already_awarded`` (409: a current award exists).
    """
    now = now or timezone.now()
    narrative, evidence, source_key = _narrative(narrative), _evidence(evidence), _source_key(source_key)
    user = _user(recipient)
    with transaction.atomic():
        badge_class = _open_class(badge_class_id, issuer, now)
        award = _issue(badge_class, user, issuer=issuer, source_key=source_key, narrative=narrative,
                       evidence=evidence, now=now)
    return _one_info(award)


def bulk_award(issuer: Any, badge_class_id: Any, entries: Iterable[dict[str, Any]],
               *, now: datetime | None = None) -> BulkAwardResult:
    """
    Award a badge to many people at once, each with their own note, in one transaction.

    Args:
        issuer: as for ``award_badge``.
        badge_class_id: the class's id or public id.
        entries: at most 500 ``{"recipient": user or user id, "narrative": str}`` (optionally ``"evidence"``).
        now: the issue time (tests).

    Returns:
        The awards made, who already held a current award, and who was refused (with the code and message
        ``award_badge`` would have raised for them). A recipient listed twice is awarded once.

    Raises:
        BadgesError: what concerns the whole batch: ``too_many_entries`` / ``invalid_entries`` (400), and the
            class's and the issuer's refusals of ``award_badge``.
    """
    now = now or timezone.now()
    if isinstance(entries, str | bytes | dict) or not isinstance(entries, Iterable):
        raise BadgesError("invalid_entries", _("Give a list of recipients."))
    entries = list(entries)
    if len(entries) > MAX_BULK:
        raise BadgesError("too_many_entries", _("At most {count} recipients at once.").format(count=MAX_BULK))
    awarded: list[BadgeAward] = []
    already: list[int] = []
    refused: list[BulkRefusal] = []
    with transaction.atomic():
        badge_class = _open_class(badge_class_id, issuer, now)
        for entry in entries:
            raw = entry.get("recipient") if isinstance(entry, dict) else None
            recipient_id = getattr(raw, "pk", raw) if not isinstance(raw, bool) else None
            try:
                if not isinstance(entry, dict):
                    raise BadgesError("invalid_entries", _("Give a list of recipients."))
                narrative, evidence = _narrative(entry.get("narrative")), _evidence(entry.get("evidence"))
                user = _user(raw)
                recipient_id = user.pk
                awarded.append(_issue(badge_class, user, issuer=issuer, source_key=_source_key(None),
                                      narrative=narrative, evidence=evidence, now=now))
            except BadgesError as error:
                if error.code == "already_awarded":
                    already.append(recipient_id)
                else:
                    refused.append(BulkRefusal(recipient_id=recipient_id if isinstance(recipient_id, int) else None,
                                               code=error.code, message=str(error)))
    return BulkAwardResult(awarded=tuple(_infos(awarded, now)), already_awarded=tuple(already),
                           refused=tuple(refused))


def award_automatically(
    badge_class_id: Any,
    recipient: Any,
    *,
    source_key: str,
    evidence: Iterable[dict[str, str]] = (),
    narrative: str = "",
    now: datetime | None = None,
) -> AwardInfo | None:
    """
    Award a badge because something happened (a rule on an event), with no issuer. Safe to call again with the
    same event: the same ``source_key`` returns the same award.

    Returns:
        The award (new, or the one ``source_key`` made before); None when nothing is to be awarded: the recipient
        already holds a current award of the class, or the class is archived or past its expiry date.

    Raises:
        BadgesError: ``badge_class_not_found`` / ``user_not_found`` (404); ``invalid_source_key``,
            ``not_enrolled``, ``not_a_trainer``, ``no_email``, the narrative's and evidence's codes (400).
    """
    now = now or timezone.now()
    if source_key is None:
        raise BadgesError("invalid_source_key", _("The source of an award must be a key of at most 255 characters."))
    narrative, evidence, source_key = _narrative(narrative), _evidence(evidence), _source_key(source_key)
    user = _user(recipient)
    with transaction.atomic():
        badge_class = find_badge_class(badge_class_id, lock=True)
        existing = _existing(badge_class, user.pk, source_key)
        if existing is not None:
            return _one_info(existing)
        if not badge_class.is_active or _class_has_expired(badge_class, now):
            return None
        _check_recipient(badge_class, user)
        if _current(badge_class, user.pk, now).exists():
            return None
        award, _created = _insert(badge_class, user, issuer=None, source_key=source_key, narrative=narrative,
                                  evidence=evidence, now=now)
    return _one_info(award)


# --- lifecycle --------------------------------------------------------------------------------------------------------


def _locked_award(award_id: Any) -> BadgeAward:
    found = lookup(award_id)
    award = BadgeAward.objects.select_for_update().filter(**found).first() if found else None
    if award is None:
        raise not_found("award", _("There is no such award."))
    return award


def _may_revoke(actor: Any, award: BadgeAward) -> bool:
    """The class's managers; the trainer who issued it, while still a trainer of its course."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    badge_class = award.badge_class
    if may_manage_badge_class(actor, badge_class):
        return True
    return bool(
        award.issued_by_id == actor.pk and badge_class.course_key and not badge_class.for_trainers
        and CourseRole.TRAINER in host_api.get_course_roles(actor, badge_class.course_key)
    )


def revoke_award(actor: Any, award_id: Any, reason: str, *, now: datetime | None = None) -> AwardInfo:
    """
    Revoke an award, with a reason that its public page and every Open Badges output show. The row stays (who,
    when, why); the recipient may be awarded the class again later. The recipient is told by email.

    Args:
        actor: a manager of the class, or the trainer who issued the award (still a trainer of its course).
        award_id: the award's id or public id.
        reason: why (1-2000 characters; public).

    Raises:
        BadgesError: ``award_not_found`` (404); ``permission_denied`` (403); ``reason_required``,
            ``reason_too_long`` (400); ``already_revoked`` (409).
    """
    now = now or timezone.now()
    if reason is None:
        reason = ""
    if not isinstance(reason, str) or not reason.strip():
        raise BadgesError("reason_required", _("Give a reason: it is shown wherever the badge is verified."),
                          field="reason")
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise BadgesError("reason_too_long", _("The reason is too long: at most {max_length} characters.").format(
            max_length=MAX_REASON), field="reason")
    with transaction.atomic():
        award = _locked_award(award_id)
        if not _may_revoke(actor, award):
            raise forbidden(_("You cannot revoke this award."))
        if award.revoked_at is not None:
            raise BadgesError("already_revoked", _("This award is already revoked."), status=409)
        award.revoked_at, award.revoked_by, award.revocation_reason = now, actor, reason
        award.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
        notifications.notify("badge_revoked", award)
        signals.announce_badge_revoked(award)
    return get_award(award.pk, now=now)


def renew_award(actor: Any, award_id: Any, *, now: datetime | None = None) -> AwardInfo:
    """
    Renew an award that has expired or expires within ``RENEWAL_WINDOW``: a new award of the class's current
    version with a fresh expiry (source ``renewal:<old public id>``, so renewing twice renews once). A renewed award
    that was still current ends at the renewal, so that only one is ever current.

    Args:
        actor: someone who may award the class (``award_badge``'s issuer), not its recipient.
        award_id: the old award's id or public id.

    Raises:
        BadgesError: ``award_not_found`` (404); ``permission_denied``, ``capability_refused``, ``own_award`` (403);
            ``no_email`` (400); ``badge_class_archived``, ``badge_class_expired``, ``already_revoked``,
            ``not_renewable`` (409: it never expires, or not soon).
    """
    now = now or timezone.now()
    found = lookup(award_id)
    class_id = BadgeAward.objects.filter(**found).values_list("badge_class_id", flat=True).first() if found else None
    if class_id is None:
        raise not_found("award", _("There is no such award."))
    with transaction.atomic():
        badge_class = _open_class(class_id, actor, now)  # the class's lock first, as awarding takes it
        old = _locked_award(award_id)
        if old.recipient_id == actor.pk:
            raise BadgesError("own_award", _("You cannot award a badge to yourself."), status=403, field="recipient")
        source_key = f"renewal:{old.public_id}"
        existing = _existing(badge_class, old.recipient_id, source_key)
        if existing is not None:
            return _one_info(existing)
        if old.revoked_at is not None:
            raise BadgesError("already_revoked", _("A revoked award cannot be renewed: award the badge again."),
                              status=409)
        if old.expires_on is None or old.expires_on > now + RENEWAL_WINDOW:
            raise BadgesError("not_renewable",
                              _("Only an award that has expired or expires within {days} days can be renewed.").format(
                                  days=RENEWAL_WINDOW.days), status=409)
        recipient = old.recipient
        _check_recipient(badge_class, recipient)  # still enrolled (or still a trainer), with an email address
        if _current(badge_class, old.recipient_id, now).exclude(pk=old.pk).exists():
            raise BadgesError("already_awarded", _("This person already holds this badge."), status=409,
                              field="recipient")
        if old.expires_on > now:
            old.expires_on = now
            old.save(update_fields=["expires_on"])
        award, _created = _insert(badge_class, recipient, issuer=actor, source_key=source_key,
                                  narrative=old.narrative, evidence=list(old.evidence or []), now=now)
    return _one_info(award, now)


# --- reading ----------------------------------------------------------------------------------------------------------


def _awards() -> QuerySet:
    return BadgeAward.objects.select_related(
        "badge_class", *host_api._profile_paths("recipient"), *host_api._profile_paths("issued_by")
    )


def _status(award: BadgeAward, now: datetime) -> str:
    if award.revoked_at is not None:
        return REVOKED
    if award.expires_on is not None and award.expires_on <= now:
        return EXPIRED
    return ACTIVE


def _info(award: BadgeAward, badge_class: BadgeClassInfo, now: datetime) -> AwardInfo:
    recipient, issuer = award.recipient, award.issued_by
    return AwardInfo(
        id=award.pk,
        public_id=award.public_id,
        badge_class=badge_class,
        recipient_id=award.recipient_id,
        recipient_username=recipient.username,
        recipient_name=host_api.display_name(recipient),
        salt=award.salt,
        recipient_hash=award.recipient_hash,
        badge_version=award.badge_version,
        source_key=award.source_key,
        issued_on=award.issued_on,
        expires_on=award.expires_on,
        issued_by_id=award.issued_by_id,
        issued_by_name=host_api.display_name(issuer) if issuer is not None else "",
        narrative=award.narrative,
        narrative_html=str(render_markdown(award.narrative)),
        evidence=tuple(EvidenceInfo(url=item.get("url", ""), name=item.get("name", ""),
                                    narrative=item.get("narrative", "")) for item in award.evidence or ()),
        status=_status(award, now),
        revoked_at=award.revoked_at,
        revoked_by_id=award.revoked_by_id,
        revocation_reason=award.revocation_reason,
    )


def _infos(awards: Iterable[BadgeAward], now: datetime | None = None) -> list[AwardInfo]:
    """Awards as data: their skills' names in one query for all of them."""
    awards = list(awards)
    names = skill_names(award.badge_class.skills for award in awards)
    classes: dict[int, BadgeClassInfo] = {}  # each class's criteria rendered once, however many awards it has
    for award in awards:
        if award.badge_class_id not in classes:
            classes[award.badge_class_id] = class_info(award.badge_class, names)
    now = now or timezone.now()
    return [_info(award, classes[award.badge_class_id], now) for award in awards]


def _one_info(award: BadgeAward, now: datetime | None = None) -> AwardInfo:
    """``award`` as data; read again with its relations unless it was read with them (``_awards``)."""
    if "recipient" not in award._state.fields_cache:
        award = _awards().get(pk=award.pk)
    return _infos([award], now)[0]


def get_award(public_id_or_id: Any, *, now: datetime | None = None) -> AwardInfo:
    """
    An award by its public id (or id), whatever its status: hosted verification shows revoked and expired awards
    too, saying so.

    Raises:
        BadgesError: ``award_not_found`` (404).
    """
    found = lookup(public_id_or_id)
    award = _awards().filter(**found).first() if found else None
    if award is None:
        raise not_found("award", _("There is no such award."))
    return _infos([award], now)[0]


def list_awards(*, viewer: Any, badge_class_id: Any = None, recipient: Any = None,
                course_key: Any = None) -> list[AwardInfo]:
    """
    Awards newest first, as ``viewer`` may see them: everyone sees their own; those who may award a class (its
    managers, its course's trainers whose level allows it) see all of its awards; a course's staff all the awards
    of its classes; platform staff everything. A fixed number of queries, whatever the number of awards.

    Args:
        viewer: who asks.
        badge_class_id: only this class's awards.
        recipient: only this user's (user or id).
        course_key: only the awards of this course's classes.

    Raises:
        BadgesError: ``badge_class_not_found`` (404), ``invalid_course_key`` (400).
    """
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return []
    awards = _awards()
    sees_all = bool(viewer.has_perm(MANAGE, None))
    if course_key not in (None, ""):
        key = course_key_of(course_key)
        awards = awards.filter(badge_class__course_key=key)
        sees_all = sees_all or bool(viewer.has_perm(MANAGE, key))
    if badge_class_id is not None:
        badge_class = find_badge_class(badge_class_id)
        awards = awards.filter(badge_class=badge_class)
        if not sees_all:
            try:
                _check_issuer(viewer, badge_class)
                sees_all = True
            except BadgesError:
                pass
    if not sees_all:
        awards = awards.filter(recipient_id=viewer.pk)
    if recipient is not None:
        awards = awards.filter(recipient_id=getattr(recipient, "pk", recipient))
    return _infos(awards.order_by("-issued_on", "-pk"))


def awards_of(user: Any) -> list[AwardInfo]:
    """Every award of ``user`` (revoked and expired ones too, with their status), newest first: their portfolio."""
    return _infos(_awards().filter(recipient_id=getattr(user, "pk", user)).order_by("-issued_on", "-pk"))
