"""
A person's skills portfolio: what their current awards say they can do, grouped by the skills of the shared
taxonomy that the badges align to (an award aligned to two skills shows under both), with the awards that align to
no skill under "Other badges".

- **Only current awards** (not revoked, not expired): a portfolio says what holds today; the verification pages keep
  the history.
- **Private by default**: ``get_portfolio`` answers its owner and platform staff only; anyone else gets
  ``portfolio_not_found`` (404), whether or not the owner shares it, so a user id never tells whether a person has
  awards. The one public door is the share link: ``set_portfolio_sharing`` makes an unguessable token
  (``secrets.token_urlsafe(24)``), ``get_shared_portfolio`` answers it while sharing is on. Sharing again after
  stopping makes a new token, so a link given out earlier stays dead.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from mentora_plugin.badges import openbadges2
from mentora_plugin.badges.awards import awards_of
from mentora_plugin.badges.common import BadgesError, forbidden, not_found, public_base_url
from mentora_plugin.badges.data import AwardInfo, EvidenceInfo
from mentora_plugin.badges.models import PortfolioSettings
from mentora_plugin.host import api as host_api
from mentora_plugin.host.rules import is_platform_staff
from mentora_plugin.trainers import api as trainers_api

__all__ = [
    "PortfolioAward",
    "PortfolioInfo",
    "PortfolioSharing",
    "PortfolioSkill",
    "get_portfolio",
    "get_portfolio_sharing",
    "get_shared_portfolio",
    "set_portfolio_sharing",
]

#: The longest token a share link may carry (the column's size); ``token_urlsafe(24)`` makes 32 characters.
MAX_TOKEN = 64


@dataclass(frozen=True)
class PortfolioAward:
    """
    One current award as a portfolio shows it. ``award`` is the whole award (its owner's page builds the download
    and "Add to LinkedIn" links from it); the public page shows only the other fields.
    """

    award: AwardInfo
    public_id: UUID
    badge_class_public_id: UUID
    name: str
    kind: str
    kind_label: str
    issued_by_name: str
    issued_on: datetime
    expires_on: datetime | None
    evidence: tuple[EvidenceInfo, ...]
    image_url: str
    verify_url: str


@dataclass(frozen=True)
class PortfolioSkill:
    """A skill of the taxonomy that current awards attest, with those awards (newest first)."""

    slug: str
    name: str
    description: str
    url: str
    awards: tuple[PortfolioAward, ...]


@dataclass(frozen=True)
class PortfolioInfo:
    """
    A portfolio: its owner, whether it is shared, its skills by name, and the awards aligned to no skill
    (``other``). ``owner_name`` is the display name: the public page shows it only because the owner shares.
    """

    owner_id: int
    owner_name: str
    public: bool
    skills: tuple[PortfolioSkill, ...]
    other: tuple[PortfolioAward, ...]

    @property
    def is_empty(self) -> bool:
        return not self.skills and not self.other


@dataclass(frozen=True)
class PortfolioSharing:
    """Whether a portfolio is shared and, while it is, its public link (its token and absolute URL)."""

    public: bool
    token: str
    url: str
    modified: datetime | None


# --- helpers ----------------------------------------------------------------------------------------------------------


def _user(owner: Any) -> Any:
    """The active user ``owner`` names (a user or an id), or None."""
    User = get_user_model()
    if isinstance(owner, User):
        return owner if owner.pk is not None and owner.is_active else None
    if isinstance(owner, bool) or not isinstance(owner, int):
        return None
    return User.objects.filter(pk=owner, is_active=True).first()


def _not_found() -> BadgesError:
    return not_found("portfolio", _("There is no such portfolio."))


def shared_url(token: str) -> str:
    """The absolute public URL of a shared portfolio (on the public badges origin, like verification pages)."""
    return f"{public_base_url()}/badges/portfolio/{token}/"


def _sharing(row: PortfolioSettings | None) -> PortfolioSharing:
    if row is None or not row.public:
        return PortfolioSharing(public=False, token="", url="", modified=row.modified if row else None)
    return PortfolioSharing(public=True, token=row.share_token, url=shared_url(row.share_token), modified=row.modified)


def _entry(award: AwardInfo) -> PortfolioAward:
    badge_class = award.badge_class
    return PortfolioAward(
        award=award,
        public_id=award.public_id,
        badge_class_public_id=badge_class.public_id,
        name=badge_class.name,
        kind=badge_class.kind,
        kind_label=badge_class.kind_label,
        issued_by_name=award.issued_by_name,
        issued_on=award.issued_on,
        expires_on=award.expires_on,
        evidence=award.evidence,
        image_url=openbadges2.badge_image_url(badge_class.public_id),
        verify_url=openbadges2.verify_url(award.public_id),
    )


def _build(owner: Any, public: bool) -> PortfolioInfo:
    """The owner's current awards grouped by skill (skills by name; awards newest first, as ``awards_of`` gives)."""
    current = [award for award in awards_of(owner) if award.is_current]
    by_skill: dict[str, list[PortfolioAward]] = {}
    other: list[PortfolioAward] = []
    for award in current:
        entry = _entry(award)
        if not award.badge_class.skills:
            other.append(entry)
        for skill in award.badge_class.skills:
            by_skill.setdefault(skill.slug, []).append(entry)
    taxonomy = {skill.slug: skill for skill in trainers_api.list_skills(include_inactive=True)} if by_skill else {}
    skills = []
    for slug, entries in by_skill.items():
        known = taxonomy.get(slug)  # a skill deleted since the badge was made keeps its slug as its name
        skills.append(PortfolioSkill(slug=slug, name=known.name if known else slug,
                                     description=known.description if known else "",
                                     url=openbadges2.skill_url(slug), awards=tuple(entries)))
    skills.sort(key=lambda skill: (skill.name.lower(), skill.slug))
    return PortfolioInfo(owner_id=owner.pk, owner_name=host_api.display_name(owner), public=public,
                         skills=tuple(skills), other=tuple(other))


# --- reading ----------------------------------------------------------------------------------------------------------


def get_portfolio(owner: Any, viewer: Any) -> PortfolioInfo:
    """
    ``owner``'s portfolio for ``viewer``: the owner themself, or platform staff.

    Raises:
        BadgesError: ``portfolio_not_found`` (404) for anyone else, anonymous people included, and for an unknown
            or inactive owner: the same answer either way, so nobody learns whether the person exists or shares.
    """
    user = _user(owner)
    if user is None or viewer is None or not getattr(viewer, "is_authenticated", False):
        raise _not_found()
    if viewer.pk != user.pk and not is_platform_staff(viewer):
        raise _not_found()
    row = PortfolioSettings.objects.filter(user=user).first()
    return _build(user, public=bool(row and row.public))


def get_shared_portfolio(token: Any) -> PortfolioInfo:
    """
    The portfolio a share link names, while its owner shares it.

    Raises:
        BadgesError: ``portfolio_not_found`` (404): no such token, sharing turned off (or turned on again with a new
            token), or the owner's account is closed.
    """
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN:
        raise _not_found()
    row = (PortfolioSettings.objects.select_related("user")
           .filter(share_token=token, public=True, user__is_active=True).first())
    if row is None or not secrets.compare_digest(row.share_token, token):  # the database may compare case-blind
        raise _not_found()
    return _build(row.user, public=True)


def get_portfolio_sharing(owner: Any) -> PortfolioSharing:
    """Whether ``owner`` shares their portfolio, and its link while they do (private when never set)."""
    user = _user(owner)
    if user is None:
        raise _not_found()
    return _sharing(PortfolioSettings.objects.filter(user=user).first())


# --- sharing ----------------------------------------------------------------------------------------------------------


def set_portfolio_sharing(owner: Any, public: bool) -> PortfolioSharing:
    """
    Share ``owner``'s portfolio (``public`` True) or stop sharing it. Turning sharing on always makes a new token,
    so that a link given out before it was turned off never works again; turning it off keeps the row, private.
    Turning on what is already on keeps the current link.

    Raises:
        BadgesError: ``permission_denied`` (403) when nobody is signed in; ``invalid_public`` (400) for anything
            but a boolean.
    """
    if owner is None or not getattr(owner, "is_authenticated", False):
        raise forbidden(_("Sign in to share your portfolio."))
    if not isinstance(public, bool):
        raise BadgesError("invalid_public", _("Say whether to share your portfolio: yes or no."), field="public")
    user = _user(owner)
    if user is None:
        raise _not_found()
    for _attempt in range(3):  # a token collision (never seen in practice) just draws again
        try:
            with transaction.atomic():
                row = PortfolioSettings.objects.select_for_update().filter(user=user).first()
                if row is None:
                    row = PortfolioSettings(user=user, public=public, share_token=secrets.token_urlsafe(24))
                    row.save()
                elif public and not row.public:
                    row.public, row.share_token = True, secrets.token_urlsafe(24)
                    row.save(update_fields=["public", "share_token", "modified"])
                elif not public and row.public:
                    row.public = False
                    row.save(update_fields=["public", "modified"])
            return _sharing(row)
        except IntegrityError:
            continue
    raise BadgesError("sharing_failed", _("Your portfolio could not be shared: please try again."), status=409)
