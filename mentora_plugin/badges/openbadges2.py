"""
Open Badges 2.0 (https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html): the JSON-LD of the
Issuer, BadgeClass and Assertion that Mentora hosts, and the public URLs they live at.

Hosted verification works by URL: a verifier fetches the Assertion at its ``id``, follows ``badge`` to the
BadgeClass and its ``issuer`` to the Issuer, and accepts the Assertion only if it is served from the issuer's
origin. So every ``id`` here is an absolute URL under ``common.public_base_url()`` and must equal the URL the view
answers at (``mentora_plugin.badges.views.public``); the URL builders below are the one place both agree on.

The builders are pure: they read the given model instances (and the mapping of skill names the caller passes) and
return dicts, with no query of their own except where said, so the benchmark can time them and the views control
their queries.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from email.utils import parseaddr
from typing import Any

from mentora_plugin.badges.common import public_base_url

__all__ = [
    "CONTEXT",
    "SKILLS_FRAMEWORK",
    "assertion_json",
    "assertion_url",
    "badge_class_json",
    "badge_class_url",
    "badge_image_url",
    "baked_url",
    "criteria_url",
    "issuer_json",
    "issuer_url",
    "skill_names",
    "skill_url",
    "verify_url",
]

#: The Open Badges 2.0 JSON-LD context every document names.
CONTEXT = "https://w3id.org/openbadges/v2"
#: The name of the framework our skill alignments point into.
SKILLS_FRAMEWORK = "Mentora skills"


# --- the public URLs ------------------------------------------------------------------------------------------------


def _base(base: str | None) -> str:
    return (base or public_base_url()).rstrip("/")


def issuer_url(base: str | None = None) -> str:
    """The Issuer profile's id (and URL)."""
    return f"{_base(base)}/badges/issuer/"


def badge_class_url(public_id: Any, base: str | None = None) -> str:
    """A BadgeClass's id (and URL): stable by its ``public_id``."""
    return f"{_base(base)}/badges/classes/{public_id}/"


def badge_image_url(public_id: Any, base: str | None = None) -> str:
    """The stored image of a badge class, as uploaded (PNG or SVG)."""
    return f"{_base(base)}/badges/classes/{public_id}/image"


def criteria_url(public_id: Any, base: str | None = None) -> str:
    """The public page that shows a badge class's criteria."""
    return f"{_base(base)}/badges/classes/{public_id}/criteria/"


def skill_url(slug: str, base: str | None = None) -> str:
    """The public page of one skill of the taxonomy: the ``targetUrl`` of an alignment."""
    return f"{_base(base)}/badges/skills/{slug}/"


def assertion_url(public_id: Any, base: str | None = None) -> str:
    """
    An award's Assertion id (and URL). Machines get the JSON-LD there; a browser (``Accept: text/html`` without
    JSON) gets the verification page, which also lives at ``verify_url`` for links that must always be HTML.
    """
    return f"{_base(base)}/badges/assertions/{public_id}/"


def verify_url(public_id: Any, base: str | None = None) -> str:
    """An award's public verification page (always HTML): what people and LinkedIn are sent to."""
    return f"{assertion_url(public_id, base)}verify/"


def baked_url(public_id: Any, image_type: str, base: str | None = None) -> str:
    """An award's baked image download (``png`` or ``svg``, the badge class image's type)."""
    return f"{assertion_url(public_id, base)}baked.{image_type}"


# --- the documents --------------------------------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    """An ISO 8601 date-time with its offset (OB 2.0 DateTime); naive values are taken as UTC."""
    from datetime import UTC

    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def issuer_json(base: str | None = None, issuer: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """
    The Issuer profile: the institution (``MENTORA_BADGES_ISSUER``; each missing value falls back to the platform's
    PLATFORM_NAME, the public base URL, DEFAULT_FROM_EMAIL's address). Read at call time.
    """
    from django.conf import settings

    base = _base(base)
    configured = dict(getattr(settings, "MENTORA_BADGES_ISSUER", None) or {}) if issuer is None else dict(issuer)
    email = configured.get("email") or parseaddr(getattr(settings, "DEFAULT_FROM_EMAIL", "") or "")[1]
    document = {
        "@context": CONTEXT,
        "type": "Issuer",
        "id": issuer_url(base),
        "name": configured.get("name") or getattr(settings, "PLATFORM_NAME", "") or base,
        "url": configured.get("url") or base,
    }
    if email:
        document["email"] = email
    if configured.get("description"):
        document["description"] = configured["description"]
    return document


def skill_names(slugs: Iterable[str]) -> dict[str, str]:
    """The names of the taxonomy's skills ``slugs`` (active or not), one query: what ``badge_class_json`` needs."""
    from mentora_plugin.trainers import api as trainers_api

    wanted = set(slugs)
    if not wanted:
        return {}
    return {skill.slug: skill.name for skill in trainers_api.list_skills(include_inactive=True) if skill.slug in wanted}


def badge_class_json(
    badge_class: Any, base: str | None = None, skills: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """
    The BadgeClass of ``badge_class``. ``skills`` maps the slugs of its skills to their names (``skill_names``);
    when omitted it is looked up (one query). A slug the taxonomy no longer has keeps an alignment named by the slug:
    awards already issued aligned to it.
    """
    base = _base(base)
    public_id = badge_class.public_id
    if skills is None:
        skills = skill_names(badge_class.skills or [])
    alignment = [
        {"targetName": skills.get(slug, slug), "targetUrl": skill_url(slug, base), "targetFramework": SKILLS_FRAMEWORK}
        for slug in (badge_class.skills or [])
    ]
    document = {
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": badge_class_url(public_id, base),
        "name": badge_class.name,
        "description": badge_class.description,
        "image": badge_image_url(public_id, base),
        "criteria": {"id": criteria_url(public_id, base), "narrative": badge_class.criteria},
        "issuer": issuer_url(base),
        "tags": [badge_class.kind],
        "version": str(badge_class.version),
    }
    if alignment:
        document["alignment"] = alignment
    return document


def assertion_json(award: Any, base: str | None = None) -> dict[str, Any]:
    """
    The hosted Assertion of ``award`` (reads ``award.badge_class``: select it with the award). The recipient is
    only the salted hash of their email; a revoked award stays an Assertion with ``revoked`` and the reason, so
    verifiers learn why.
    """
    base = _base(base)
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": assertion_url(award.public_id, base),
        "recipient": {"type": "email", "hashed": True, "salt": award.salt, "identity": award.recipient_hash},
        "badge": badge_class_url(award.badge_class.public_id, base),
        "verification": {"type": "hosted"},
        "issuedOn": _iso(award.issued_on),
    }
    if award.expires_on:
        document["expires"] = _iso(award.expires_on)
    if award.narrative:
        document["narrative"] = award.narrative
    evidence = [_evidence(item) for item in (award.evidence or []) if isinstance(item, Mapping)]
    evidence = [item for item in evidence if item]
    if evidence:
        document["evidence"] = evidence
    if award.revoked_at:
        document["revoked"] = True
        document["revocationReason"] = award.revocation_reason or ""
    return document


def _evidence(item: Mapping[str, Any]) -> dict[str, str]:
    """One Evidence node: its URL as ``id`` (http/https only: anything else is not an IRI we vouch for)."""
    node: dict[str, str] = {}
    url = str(item.get("url") or "").strip()
    if url.startswith(("https://", "http://")):
        node["id"] = url
    for key in ("name", "narrative"):
        value = str(item.get(key) or "").strip()
        if value:
            node[key] = value
    return node
