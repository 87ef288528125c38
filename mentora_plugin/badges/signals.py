"""
Badges' public events (openedx-events signals of Mentora's own ``org.openedx.mentora.badges.*`` types).

Each is sent after the change commits (``mentora_plugin.events.announce``), so that a rolled-back award is never
announced, and only for a new row: an idempotent repeat (the same class, recipient and source) returns the first
award and announces nothing. Other plugins (a wallet, a CRM, analytics) react to these without importing badges'
models; the tracking events ``edx.mentora.badges.badge.awarded`` / ``.revoked`` carry the same facts to the
platform's analytics.

Public ids (UUIDs, as strings) identify the award and its class: they are what the hosted Open Badges assertion
and the badge class's page are addressed by, unlike the database ids.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import attr
from opaque_keys.edx.keys import CourseKey
from openedx_events.tooling import OpenEdxPublicSignal


@attr.s(frozen=True)
class BadgeAwardedData:
    """
    An award as it was made.

    Attributes:
        award_public_id (str): the award's public id (its hosted assertion is ``/badges/assertions/<id>/``).
        badge_class_public_id (str): the badge class's public id.
        recipient_id (int): the user who earned it.
        issued_on (datetime): when it was issued (UTC).
        automatic (bool): awarded by a rule (no issuer) rather than by a person.
        source_key (str): what caused it (``manual:<uuid>``, ``renewal:<public id>``, a rule's event): a receiver
            may key its idempotency on the award's public id, or group by source.
        course_key (CourseKey or None): the badge class's course; None for a platform-wide class.
    """

    award_public_id = attr.ib(type=str)
    badge_class_public_id = attr.ib(type=str)
    recipient_id = attr.ib(type=int)
    issued_on = attr.ib(type=datetime)
    automatic = attr.ib(type=bool)
    source_key = attr.ib(type=str)
    course_key = attr.ib(type=CourseKey, default=None)


@attr.s(frozen=True)
class BadgeRevokedData:
    """
    An award as it was revoked.

    Attributes:
        award_public_id (str): the award's public id.
        badge_class_public_id (str): the badge class's public id.
        recipient_id (int): the user who held it.
        revoked_at (datetime): when it was revoked (UTC).
        reason (str): why (public: every Open Badges output of the award shows it).
        course_key (CourseKey or None): the badge class's course; None for a platform-wide class.
    """

    award_public_id = attr.ib(type=str)
    badge_class_public_id = attr.ib(type=str)
    recipient_id = attr.ib(type=int)
    revoked_at = attr.ib(type=datetime)
    reason = attr.ib(type=str)
    course_key = attr.ib(type=CourseKey, default=None)


# .. event_type: org.openedx.mentora.badges.badge.awarded.v1
# .. event_name: BADGE_AWARDED
# .. event_description: A badge (or certificate, or competency) was awarded: by hand, in bulk, by a rule, or as the
#   renewal of an award that expires. Sent once per new award, never for an idempotent repeat.
# .. event_data: BadgeAwardedData
# .. event_trigger_repository: mentora
BADGE_AWARDED = OpenEdxPublicSignal(
    event_type="org.openedx.mentora.badges.badge.awarded.v1", data={"award": BadgeAwardedData}
)

# .. event_type: org.openedx.mentora.badges.badge.revoked.v1
# .. event_name: BADGE_REVOKED
# .. event_description: An award was revoked, with a public reason. The row stays; the recipient may earn the
#   badge again (a new award, announced by BADGE_AWARDED).
# .. event_data: BadgeRevokedData
# .. event_trigger_repository: mentora
BADGE_REVOKED = OpenEdxPublicSignal(
    event_type="org.openedx.mentora.badges.badge.revoked.v1", data={"award": BadgeRevokedData}
)


def _course_key(award: Any) -> CourseKey | None:
    """The award's class's course key, None for a platform-wide class (the field is blank then)."""
    return award.badge_class.course_key or None


def announce_badge_awarded(award: Any) -> None:
    """
    Announce BADGE_AWARDED (and ``edx.mentora.badges.badge.awarded``) once the award's transaction commits.

    Args:
        award: the ``BadgeAward`` just inserted (with its class), read inside the transaction that made it.
    """
    from mentora_plugin.events import announce

    course_key = _course_key(award)
    automatic = award.issued_by_id is None
    announce(
        BADGE_AWARDED,
        "edx.mentora.badges.badge.awarded",
        {
            "award_id": str(award.public_id),
            "badge_class_id": str(award.badge_class.public_id),
            "course_id": str(course_key) if course_key else "",
            "user_id": award.recipient_id,
            "automatic": automatic,
            "source_key": award.source_key,
        },
        award=BadgeAwardedData(
            award_public_id=str(award.public_id),
            badge_class_public_id=str(award.badge_class.public_id),
            recipient_id=award.recipient_id,
            issued_on=award.issued_on,
            automatic=automatic,
            source_key=award.source_key,
            course_key=course_key,
        ),
    )


def announce_badge_revoked(award: Any) -> None:
    """
    Announce BADGE_REVOKED (and ``edx.mentora.badges.badge.revoked``) once the revocation commits. The tracking
    event leaves the reason out: it is free text, and analytics need the fact, not the wording.

    Args:
        award: the ``BadgeAward`` just revoked (``revoked_at`` and ``revocation_reason`` set).
    """
    from mentora_plugin.events import announce

    course_key = _course_key(award)
    announce(
        BADGE_REVOKED,
        "edx.mentora.badges.badge.revoked",
        {
            "award_id": str(award.public_id),
            "badge_class_id": str(award.badge_class.public_id),
            "course_id": str(course_key) if course_key else "",
            "user_id": award.recipient_id,
            "revoked_by_id": award.revoked_by_id,
        },
        award=BadgeRevokedData(
            award_public_id=str(award.public_id),
            badge_class_public_id=str(award.badge_class.public_id),
            recipient_id=award.recipient_id,
            revoked_at=award.revoked_at,
            reason=award.revocation_reason,
            course_key=course_key,
        ),
    )
