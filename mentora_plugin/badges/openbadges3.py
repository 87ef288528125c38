"""
Open Badges 3.0 (https://www.imsglobal.org/spec/ob/v3p0/): an award as an ``OpenBadgeCredential``, a W3C Verifiable
Credential (Data Model 2.0) that its holder keeps and anyone verifies offline, signed with a Data Integrity proof
(cryptosuite ``eddsa-rdfc-2022``, https://www.w3.org/TR/vc-di-eddsa/).

Why these choices:

- The issuer is the ``did:key`` of the signing key (``keys``): a verifier such as openbadgeslib binds the proof's
  verification method to the credential's issuer and refuses a non-DID issuer unless it was handed the key out of
  band. The institution's name and URL stay in the issuer Profile; its OB 2.0 profile URL is ``issuer.url``'s sibling.
- The proof signs the RDF canonical form (RDFC-1.0 / URDNA2015, computed by pyld) of the document and of the proof
  options. pyld resolves every ``@context`` through ``document_loader``, which only serves the context files shipped
  in ``contexts/``: signing never touches the network, and a context can never change under a signature. JSON-LD
  silently drops a member no context defines (and resolves a relative IRI against a made-up base): it would then
  look signed but not be, so ``sign`` refuses such a document (``BadgesError`` ``credential_not_signable``).
- Revocation uses the OB 3.0 spec's 1EdTech Revocation List status method: ``credentialStatus`` points to the public
  list at ``/badges/revocations/``, which names each revoked credential's id and the reason.

Credentials are signed when served, with the key active then: a credential downloaded before a rotation keeps
verifying (retired keys stay published), and one downloaded after carries the new key.
"""
from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from pyld import jsonld

from mentora_plugin.badges import keys as signing_keys
from mentora_plugin.badges import openbadges2
from mentora_plugin.badges.common import BadgesError
from mentora_plugin.badges.models import BadgeAward, RevokedCredential, SigningKey

__all__ = [
    "CONTEXT",
    "CRYPTOSUITE",
    "REVOCATION_LIST_TYPE",
    "canonical_nquads",
    "credential_json",
    "credential_url",
    "document_loader",
    "keys_json",
    "keys_url",
    "revocation_list_json",
    "revocations_url",
    "sign",
    "signed_credential",
]

#: VC Data Model 2.0, OB 3.0 (its 3.0.3 revision, pinned) and the OB 3.0 extensions that name the status method.
CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
]
CRYPTOSUITE = "eddsa-rdfc-2022"
REVOCATION_LIST_TYPE = "1EdTechRevocationList"
#: OB 3.0 ``achievementType`` of each kind of badge class.
ACHIEVEMENT_TYPES = {"badge": "Badge", "certificate": "Certificate", "competency": "Competency"}
CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"


# --- the public URLs ------------------------------------------------------------------------------------------------


def credential_url(public_id: Any, base: str | None = None) -> str:
    """An award's OB 3.0 credential: its ``id``, and where it is served (signed)."""
    return f"{openbadges2.assertion_url(public_id, base)}credential"


def revocations_url(base: str | None = None) -> str:
    """The public revocation list: the ``credentialStatus`` id of every credential."""
    return f"{openbadges2._base(base)}/badges/revocations/"


def keys_url(base: str | None = None) -> str:
    """The public list of signing keys, active and retired."""
    return f"{openbadges2._base(base)}/badges/keys/"


# --- JSON-LD processing, offline ------------------------------------------------------------------------------------


@functools.cache
def _contexts() -> dict[str, Any]:
    """The shipped context documents by URL (``contexts/index.json`` maps each URL to its file)."""
    index = json.loads((CONTEXTS_DIR / "index.json").read_text("utf-8"))
    return {url: json.loads((CONTEXTS_DIR / name).read_text("utf-8")) for url, name in index.items()}


def document_loader(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """pyld's document loader over the shipped contexts only: any other URL is an error, never a fetch."""
    document = _contexts().get(url)
    if document is None:
        raise jsonld.JsonLdError(f"No local copy of the JSON-LD context {url}; contexts are never fetched.",
                                 "jsonld.LoadDocumentError", code="loading document failed")
    return {"contextUrl": None, "documentUrl": url, "document": document}


#: The base a relative IRI would resolve against: never in anything we sign (``canonical_nquads`` refuses it).
_RELATIVE_BASE = "https://relative-iri.invalid/"


def canonical_nquads(document: Mapping[str, Any]) -> str:
    """
    The RDFC-1.0 (URDNA2015) canonical N-Quads of ``document``.

    Raises:
        BadgesError: ``credential_not_signable``: a member no context defines (JSON-LD would drop it, leaving it
            unsigned) or a relative IRI (e.g. an evidence ``id`` that is not a URL).
    """
    dropped: list[str] = []
    jsonld.expand(dict(document), {"documentLoader": document_loader, "base": _RELATIVE_BASE},
                  on_property_dropped=lambda name: dropped.append(str(name)))
    nquads = jsonld.normalize(dict(document), {"algorithm": "URDNA2015", "format": "application/n-quads",
                                               "documentLoader": document_loader, "base": _RELATIVE_BASE})
    if dropped or _RELATIVE_BASE in nquads:
        raise BadgesError("credential_not_signable",
                          _("This credential has data that its signature would not cover: it cannot be signed."),
                          status=500)
    return nquads


# --- the documents --------------------------------------------------------------------------------------------------


def _datetime(moment: datetime) -> str:
    """An XML Schema dateTime in UTC, to the second (``Z``); naive values are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _issuer(key: SigningKey, base: str) -> dict[str, Any]:
    profile = openbadges2.issuer_json(base)
    issuer = {"id": signing_keys.did_of(key), "type": ["Profile"], "name": profile["name"], "url": profile["url"]}
    for optional in ("email", "description"):
        if profile.get(optional):
            issuer[optional] = profile[optional]
    return issuer


def _evidence(award: BadgeAward) -> list[dict[str, Any]]:
    """The award's evidence (http(s) links only become ids), then its narrative as evidence of its own."""
    items: list[dict[str, Any]] = []
    for item in award.evidence or []:
        if not isinstance(item, Mapping):
            continue
        node: dict[str, Any] = {"type": ["Evidence"]}
        url = str(item.get("url") or "").strip()
        if url.startswith(("https://", "http://")):
            node["id"] = url
        for member in ("name", "narrative"):
            value = str(item.get(member) or "").strip()
            if value:
                node[member] = value
        if len(node) > 1:
            items.append(node)
    if award.narrative:
        items.append({"type": ["Evidence"], "narrative": award.narrative})
    return items


def credential_json(
    award: BadgeAward, key: SigningKey | None = None, base: str | None = None, skills: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """
    The unsigned ``OpenBadgeCredential`` of ``award`` (reads ``award.badge_class``). ``key`` is the key that will
    sign it (its DID is the issuer; default: the active key); ``skills`` maps skill slugs to names (default: looked
    up, one query). The recipient appears only as the salted hash of their email, as in the OB 2.0 assertion.
    """
    base = openbadges2._base(base)
    key = key or signing_keys.active_key()
    badge_class = award.badge_class
    if skills is None:
        skills = openbadges2.skill_names(badge_class.skills or [])
    achievement: dict[str, Any] = {
        "id": openbadges2.badge_class_url(badge_class.public_id, base),
        "type": ["Achievement"],
        "name": badge_class.name,
        "description": badge_class.description,
        "criteria": {"id": openbadges2.criteria_url(badge_class.public_id, base), "narrative": badge_class.criteria},
        "image": {"id": openbadges2.badge_image_url(badge_class.public_id, base), "type": "Image"},
        "achievementType": ACHIEVEMENT_TYPES.get(badge_class.kind, "Badge"),
    }
    alignment = [
        {"type": ["Alignment"], "targetName": skills.get(slug, slug), "targetUrl": openbadges2.skill_url(slug, base),
         "targetFramework": openbadges2.SKILLS_FRAMEWORK}
        for slug in badge_class.skills or []
    ]
    if alignment:
        achievement["alignment"] = alignment
    document: dict[str, Any] = {
        "@context": list(CONTEXT),
        "id": credential_url(award.public_id, base),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": _issuer(key, base),
        "name": badge_class.name,
        "validFrom": _datetime(award.issued_on),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{
                "type": "IdentityObject", "identityHash": award.recipient_hash, "identityType": "emailAddress",
                "hashed": True, "salt": award.salt,
            }],
            "achievement": achievement,
        },
        "credentialStatus": {"id": revocations_url(base), "type": REVOCATION_LIST_TYPE},
    }
    if award.expires_on:
        document["validUntil"] = _datetime(award.expires_on)
    evidence = _evidence(award)
    if evidence:
        document["evidence"] = evidence
    return document


def sign(credential: Mapping[str, Any], key: SigningKey, created: datetime | None = None) -> dict[str, Any]:
    """
    ``credential`` with a ``DataIntegrityProof`` by ``key`` (any earlier proof dropped), per eddsa-rdfc-2022: the
    Ed25519 signature of SHA-256(canonical proof options) + SHA-256(canonical document), in base58btc multibase.
    """
    document = json.loads(json.dumps(credential))  # a deep copy that is plain JSON, as verifiers will read it
    document.pop("proof", None)
    options = {
        "@context": document["@context"],
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": _datetime(created or timezone.now()),
        "verificationMethod": key.key_id,
        "proofPurpose": "assertionMethod",
    }
    hash_data = (hashlib.sha256(canonical_nquads(options).encode("utf-8")).digest()
                 + hashlib.sha256(canonical_nquads(document).encode("utf-8")).digest())
    proof = {name: value for name, value in options.items() if name != "@context"}
    proof["proofValue"] = "z" + signing_keys.b58btc(signing_keys.private_key_of(key).sign(hash_data))
    document["proof"] = proof
    return document


def signed_credential(award: BadgeAward, base: str | None = None) -> dict[str, Any]:
    """``award``'s credential signed with the active key: what ``/badges/assertions/<id>/credential`` serves."""
    key = signing_keys.active_key()
    return sign(credential_json(award, key=key, base=base), key)


def revocation_list_json(base: str | None = None) -> dict[str, Any]:
    """
    The 1EdTech revocation list: every revoked award's credential id and reason, oldest revocation first, and the
    revoked credentials of retired users (kept without a reason: ``RevokedCredential``), whose signed copies would
    otherwise verify again.
    """
    base = openbadges2._base(base)
    awards = BadgeAward.objects.filter(revoked_at__isnull=False).values_list(
        "public_id", "revocation_reason", "revoked_at")
    retired = RevokedCredential.objects.values_list("public_id", "revoked_at")
    revoked = sorted([*awards, *((public_id, "", when) for public_id, when in retired)],
                     key=lambda row: (row[2], str(row[0])))
    return {
        "id": revocations_url(base),
        "type": REVOCATION_LIST_TYPE,
        "issuer": {"id": openbadges2.issuer_url(base), "name": openbadges2.issuer_json(base)["name"]},
        "revokedCredentials": [
            {"id": credential_url(public_id, base), "revocationReason": reason or "", "revokedAt": _datetime(when)}
            for public_id, reason, when in revoked
        ],
    }


def keys_json(base: str | None = None) -> dict[str, Any]:
    """The signing keys, active and retired, as Multikey verification methods (public parts only)."""
    base = openbadges2._base(base)
    published = signing_keys.published_keys()
    active = [key.key_id for key in published if key.retired_at is None]
    return {
        "id": keys_url(base),
        "issuer": openbadges2.issuer_url(base),
        "active": active[-1] if active else None,
        "keys": [
            {"id": key.key_id, "type": "Multikey", "controller": key.controller,
             "publicKeyMultibase": key.public_key_multibase, "created": _datetime(key.created),
             "retired": _datetime(key.retired_at) if key.retired_at else None}
            for key in published
        ],
    }
