"""
What badges' API returns: plain, frozen data, so that callers (pages, REST, the block, Open Badges outputs) never
hold a model instance and never trigger a query by reading an attribute.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from opaque_keys.edx.keys import CourseKey

__all__ = ["AwardInfo", "BadgeClassInfo", "BulkAwardResult", "BulkRefusal", "EvidenceInfo", "SkillRef"]


@dataclass(frozen=True)
class SkillRef:
    """A skill of the shared taxonomy that a badge class aligns to (``name`` is the slug if it was deleted since)."""

    slug: str
    name: str


@dataclass(frozen=True)
class BadgeClassInfo:
    """
    A badge class. ``course_key`` is None for the platform's own classes. ``criteria_html`` is the criteria's
    Markdown rendered and sanitised; ``image_url`` the storage's URL of the cleaned image (relative when the storage
    says so). The public Open Badges URLs are built from ``public_id`` by the outputs' module.
    """

    id: int
    public_id: UUID
    name: str
    description: str
    criteria: str
    criteria_html: str
    image_url: str
    image_type: str
    kind: str
    kind_label: str
    skills: tuple[SkillRef, ...]
    expiry: str
    expires_on: datetime | None
    valid_days: int | None
    course_key: CourseKey | None
    for_trainers: bool
    version: int
    is_active: bool
    created_by_id: int | None
    created: datetime
    modified: datetime


@dataclass(frozen=True)
class EvidenceInfo:
    """One piece of evidence of an award: a link (http or https), its name and what it shows."""

    url: str
    name: str
    narrative: str


@dataclass(frozen=True)
class AwardInfo:
    """
    One award. ``status`` is "active", "expired" or "revoked", computed when the award was read (revocation wins
    over expiry). ``salt`` and ``recipient_hash`` are the Open Badges 2.0 hashed identity; ``badge_version`` the
    class's version when it was issued. ``issued_by_*`` are empty for automatic awards (and once the issuer is retired).
    """

    id: int
    public_id: UUID
    badge_class: BadgeClassInfo
    recipient_id: int
    recipient_username: str
    recipient_name: str
    salt: str
    recipient_hash: str
    badge_version: int
    source_key: str
    issued_on: datetime
    expires_on: datetime | None
    issued_by_id: int | None
    issued_by_name: str
    narrative: str
    narrative_html: str
    evidence: tuple[EvidenceInfo, ...]
    status: str
    revoked_at: datetime | None
    revoked_by_id: int | None
    revocation_reason: str

    @property
    def is_current(self) -> bool:
        """Neither revoked nor expired (when it was read)."""
        return self.status == "active"


@dataclass(frozen=True)
class BulkRefusal:
    """A recipient of a bulk award that was refused, and why (a ``BadgesError`` code and its message)."""

    recipient_id: int | None
    code: str
    message: str


@dataclass(frozen=True)
class BulkAwardResult:
    """
    What ``bulk_award`` did: the awards it made, who already held a current award (by user id), and the recipients
    it refused (not enrolled, no email, the issuer themself, unknown user...).
    """

    awarded: tuple[AwardInfo, ...]
    already_awarded: tuple[int, ...]
    refused: tuple[BulkRefusal, ...]


@dataclass(frozen=True)
class RuleInfo:
    """
    An award rule of a badge class: its conditions (each a ``{"kind", ...parameters}`` dict, as validated), whether
    all or any of them must hold (``mode``), and ``labels``, one translated sentence per condition for people.
    """

    id: int
    badge_class_id: int
    conditions: tuple[dict, ...]
    labels: tuple[str, ...]
    mode: str
    is_active: bool
    created_by_id: int | None
    created: datetime


@dataclass(frozen=True)
class ConditionProgress:
    """
    Where a person stands on one condition of a badge's rules: ``label`` says it (translated), ``current`` is their
    value (None when there is none yet, e.g. no approved review), ``target`` the value to reach, ``met`` whether
    they meet it (for a maximum, ``current`` must stay at most ``target``).
    """

    label: str
    current: float | None
    target: float
    met: bool


__all__ += ["ConditionProgress", "RuleInfo"]
