"""
The public Open Badges 3.0 URLs (under /badges/, no sign-in, GET/HEAD only):

- ``/badges/assertions/<id>/credential``: the award's ``OpenBadgeCredential``, signed now with the active key
  (``openbadges3.signed_credential``). A revoked award is still served: its ``credentialStatus`` sends verifiers to
  the revocation list, which says it was revoked and why. Served as ``application/ld+json``, the JSON-LD media type
  every VC 2.0 / OB 3.0 tool reads (``application/vc`` is not yet recognised by most of them).
- ``/badges/revocations/``: the 1EdTech revocation list (revoked credential ids and reasons).
- ``/badges/keys/``: every signing key, active and retired, public parts only, for transparency (a ``did:key``
  needs no hosting to verify; this list says which keys are the issuer's).
"""
from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_safe

from mentora_plugin.badges import openbadges3
from mentora_plugin.badges.views.public import JSONLD, _award_or_404


def _json(document: dict[str, Any], content_type: str, max_age: int = 0) -> HttpResponse:
    """A public JSON answer any origin may read; revalidated on every use unless ``max_age``."""
    response = HttpResponse(json.dumps(document, ensure_ascii=False, indent=2),
                            content_type=f"{content_type}; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"public, max-age={max_age}" if max_age else "no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def credential(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The signed OB 3.0 credential of an award (404 for an unknown id, as the assertion)."""
    award = _award_or_404(public_id)
    response = _json(openbadges3.signed_credential(award), JSONLD)
    response["Content-Disposition"] = f'inline; filename="credential-{award.public_id}.json"'
    return response


@require_safe
def revocations(request: HttpRequest) -> HttpResponse:
    """The revocation list: always current (no caching), since a verifier relies on it to refuse a revoked badge."""
    return _json(openbadges3.revocation_list_json(), "application/json")


@require_safe
def signing_keys(request: HttpRequest) -> HttpResponse:
    """The issuer's signing keys, active and retired (public keys only)."""
    return _json(openbadges3.keys_json(), "application/json", max_age=300)


urlpatterns = [
    path("assertions/<uuid:public_id>/credential", credential, name="assertion-credential"),
    path("revocations/", revocations, name="revocations"),
    path("keys/", signing_keys, name="keys"),
]
