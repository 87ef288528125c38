"""
The public Open Badges URLs (under /badges/, no sign-in): what verifiers, employers and LinkedIn fetch, forever, by
``public_id``. Unknown ids are 404s; an award whose recipient was retired is deleted with them, so it is a 404 too.

- ``/badges/issuer/``: the Issuer profile (JSON-LD).
- ``/badges/classes/<id>/``: a BadgeClass (JSON-LD); ``image`` its stored image; ``criteria/`` its criteria page.
- ``/badges/skills/<slug>/``: one skill of the taxonomy, the target of the badge classes' alignments.
- ``/badges/assertions/<id>/``: an award's hosted Assertion (JSON-LD, ``application/ld+json``; still 200 when
  revoked, with ``revoked`` and the reason). A browser (``Accept`` names text/html and no JSON) gets the
  verification page there instead, so one link in an email serves people and verifiers alike.
- ``/badges/assertions/<id>/verify/``: the verification page, always HTML: status, dates, issuer, evidence,
  downloads, "Add to LinkedIn", and a form that checks whether an email address is the recipient's (hashed with the
  award's salt on the server; the page never shows who the recipient is).
- ``/badges/assertions/<id>/baked.png`` (or ``.svg``, the badge class image's type): the image with the award
  baked in, as a download.

Every document's ``id`` comes from ``openbadges2``, so ids and these routes cannot drift apart.
"""
from __future__ import annotations

import hmac
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from django import forms
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseGone
from django.shortcuts import render
from django.urls import path, register_converter
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from mentora_plugin.badges import baking, openbadges2
from mentora_plugin.badges.common import BadgesError, recipient_hash
from mentora_plugin.badges.models import BadgeAward, BadgeClass
from mentora_plugin.forms import AccessibleForm
from mentora_plugin.host import api as host_api
from mentora_plugin.text import render_markdown
from mentora_plugin.trainers import api as trainers_api

JSONLD = "application/ld+json"
CONTENT_TYPES = {"png": "image/png", "svg": "image/svg+xml"}
#: Email checks allowed per client IP address and minute (guessing an email is cheap; hashing costs little).
EMAIL_CHECKS_PER_MINUTE = 10
EMAIL_CHECK_WINDOW = 60
LINKEDIN_ADD = "https://www.linkedin.com/profile/add"
#: A served badge image runs nothing and loads nothing, even opened on its own (an SVG is a document).
IMAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


class ImageTypeConverter:
    """``png`` or ``svg``: the two kinds of badge images (and of baked downloads)."""

    regex = "png|svg"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ImageTypeConverter, "mentora_badge_image_type")


class EmailCheckForm(AccessibleForm):
    """The one field of "Check an email address"."""

    email = forms.EmailField(
        label=gettext_lazy("Email address"), max_length=254,
        help_text=gettext_lazy("We compare it with the badge's hashed recipient; it is neither stored nor shown."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


# --- helpers --------------------------------------------------------------------------------------------------------


def _jsonld(document: dict[str, Any], max_age: int = 300) -> HttpResponse:
    """A JSON-LD answer that any origin may read (verifiers run in browsers too)."""
    response = HttpResponse(json.dumps(document, ensure_ascii=False), content_type=f"{JSONLD}; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"public, max-age={max_age}" if max_age else "no-cache"
    return response


def _badge_class_or_404(public_id: Any) -> BadgeClass:
    badge_class = BadgeClass.objects.filter(public_id=public_id).first()
    if badge_class is None:
        raise Http404(_("No such badge."))
    return badge_class


def _award_or_404(public_id: Any) -> BadgeAward:
    award = (BadgeAward.objects.select_related("badge_class", "issued_by")
             .filter(public_id=public_id).first())
    if award is None:
        raise Http404(_("No such award."))
    return award


def _read_image(badge_class: BadgeClass) -> bytes:
    try:
        with badge_class.image.open("rb") as handle:
            return handle.read()
    except (OSError, ValueError):  # ValueError: no file attached
        raise Http404(_("This badge has no image.")) from None


def _wants_html(request: HttpRequest) -> bool:
    """
    Whether the client is a browser asking for a page: ``Accept`` names text/html and neither JSON type. Verifiers
    ask for JSON (1EdTech's validator sends ``application/ld+json, application/json, …``); a client that names
    nothing gets JSON-LD, the document the URL identifies.
    """
    types = {part.split(";")[0].strip().lower() for part in request.headers.get("Accept", "").split(",")}
    return "text/html" in types and not types & {JSONLD, "application/json"}


def _status(award: BadgeAward, now: datetime) -> str:
    if award.revoked_at:
        return "revoked"
    if award.expires_on and award.expires_on <= now:
        return "expired"
    return "valid"


def linkedin_url(award: BadgeAward, issuer_name: str) -> str:
    """LinkedIn's "Add license or certification" link for ``award``, every value URL-encoded."""
    issued = award.issued_on.astimezone(UTC)
    params: dict[str, Any] = {
        "startTask": "CERTIFICATION_NAME",
        "name": award.badge_class.name,
        "organizationName": issuer_name,
        "issueYear": issued.year,
        "issueMonth": issued.month,
    }
    if award.expires_on:
        expires = award.expires_on.astimezone(UTC)
        params.update(expirationYear=expires.year, expirationMonth=expires.month)
    params.update(certUrl=openbadges2.verify_url(award.public_id), certId=str(award.public_id))
    return f"{LINKEDIN_ADD}?{urlencode(params, quote_via=quote)}"


def _client_ip(request: HttpRequest) -> str:
    """The address the rate limit counts by (the platform's middleware has resolved proxies into REMOTE_ADDR)."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def _email_check_allowed(request: HttpRequest) -> bool:
    """Count one email check of this client; False past ``EMAIL_CHECKS_PER_MINUTE`` (a shared-cache window)."""
    key = f"mentora-badges:email-check:{_client_ip(request)}"
    if cache.add(key, 1, timeout=EMAIL_CHECK_WINDOW):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=EMAIL_CHECK_WINDOW)
        return True
    return count <= EMAIL_CHECKS_PER_MINUTE


def _zone(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return host_api.get_user_time_zone(user)
    return UTC


def _evidence_items(award: BadgeAward) -> list[dict[str, Any]]:
    """The award's evidence for the page: links only to http(s) (never ``javascript:``), narratives as Markdown."""
    items = []
    for item in award.evidence or []:
        if not isinstance(item, dict):
            continue
        url = str(item.get("url") or "").strip()
        items.append({
            "url": url if url.startswith(("https://", "http://")) else "",
            "name": str(item.get("name") or "").strip(),
            "narrative": render_markdown(str(item.get("narrative") or "")),
        })
    return [item for item in items if item["url"] or item["name"] or item["narrative"]]


# --- JSON-LD --------------------------------------------------------------------------------------------------------


@require_safe
def issuer(request: HttpRequest) -> HttpResponse:
    """The Issuer profile."""
    return _jsonld(openbadges2.issuer_json())


@require_safe
def badge_class(request: HttpRequest, public_id: Any) -> HttpResponse:
    """A BadgeClass (retired ones too: the awards issued under them still point here)."""
    return _jsonld(openbadges2.badge_class_json(_badge_class_or_404(public_id)))


@require_safe
def badge_class_image(request: HttpRequest, public_id: Any) -> FileResponse:
    """The badge class's stored image, as uploaded (SVGs were scrubbed when uploaded, and are sandboxed here)."""
    found = _badge_class_or_404(public_id)
    try:
        handle = found.image.open("rb")
    except (OSError, ValueError):
        raise Http404(_("This badge has no image.")) from None
    response = FileResponse(handle, content_type=CONTENT_TYPES.get(found.image_type, "application/octet-stream"))
    response["Content-Security-Policy"] = IMAGE_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_safe
def assertion(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The hosted Assertion (JSON-LD), or the verification page for a browser. Revalidated on every use."""
    award = _award_or_404(public_id)
    if _wants_html(request):
        response = _verification_page(request, award)
    else:
        response = _jsonld(openbadges2.assertion_json(award), max_age=0)
    patch_vary_headers(response, ["Accept"])
    return response


# --- pages ----------------------------------------------------------------------------------------------------------


@require_safe
def criteria(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The badge class's criteria page: what earning it takes, with its skills."""
    found = _badge_class_or_404(public_id)
    names = openbadges2.skill_names(found.skills or [])
    context = {
        "badge_class": found,
        "criteria": render_markdown(found.criteria),
        "image_url": openbadges2.badge_image_url(found.public_id),
        "json_url": openbadges2.badge_class_url(found.public_id),
        "issuer": openbadges2.issuer_json(),
        "skills": [{"name": names.get(slug, slug), "url": openbadges2.skill_url(slug)} for slug in found.skills or []],
    }
    return render(request, "mentora/badges/public_criteria.html", context)


@require_safe
def skill(request: HttpRequest, slug: str) -> HttpResponse:
    """One skill of the taxonomy: what a badge aligned to it is about."""
    try:
        found = trainers_api.get_skill(slug)
    except trainers_api.TrainersError:
        raise Http404(_("No such skill.")) from None
    return render(request, "mentora/badges/public_skill.html", {"skill": found})


@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The verification page; POST checks an email address against the recipient's hash (rate-limited)."""
    return _verification_page(request, _award_or_404(public_id))


def _verification_page(request: HttpRequest, award: BadgeAward) -> HttpResponse:
    found = award.badge_class
    status_code, check = 200, ""
    if request.method == "POST":
        form = EmailCheckForm(request.POST)
        if not _email_check_allowed(request):
            form.add_error(None, _("Too many checks from your network: wait a minute, then try again."))
            status_code = 429
        elif form.is_valid():
            typed = recipient_hash(form.cleaned_data["email"], award.salt)
            check = "match" if hmac.compare_digest(typed, award.recipient_hash) else "mismatch"
            form = EmailCheckForm()  # the typed address is not echoed back
        else:
            status_code = 400
    else:
        form = EmailCheckForm()
    issuer_document = openbadges2.issuer_json()
    status = _status(award, timezone.now())
    evidence = _evidence_items(award)
    downloads = []
    if status != "revoked" and found.image_type in CONTENT_TYPES:
        downloads.append({"url": openbadges2.baked_url(award.public_id, found.image_type),
                          "type": found.image_type.upper()})
    context = {
        "award": award,
        "badge_class": found,
        "status": status,
        "issuer": issuer_document,
        "issued_by": host_api.display_name(award.issued_by) if award.issued_by else "",
        "description": found.description,
        "narrative": render_markdown(award.narrative),
        "evidence": evidence,
        "image_url": openbadges2.badge_image_url(found.public_id),
        "criteria_url": openbadges2.criteria_url(found.public_id),
        "assertion_url": openbadges2.assertion_url(award.public_id),
        "badge_class_url": openbadges2.badge_class_url(found.public_id),
        "verify_url": openbadges2.verify_url(award.public_id),
        "downloads": downloads,
        "linkedin_url": linkedin_url(award, issuer_document["name"]) if status == "valid" else "",
        "form": form,
        "check": check,
        "zone": _zone(request),
    }
    response = render(request, "mentora/badges/public_verify.html", context, status=status_code)
    response["Cache-Control"] = "no-cache"
    return response


# --- downloads ------------------------------------------------------------------------------------------------------


@require_safe
def baked(request: HttpRequest, public_id: Any, image_type: str) -> HttpResponse:
    """The badge image with the award baked in (its Assertion JSON), as an attachment; a revoked award has none."""
    award = _award_or_404(public_id)
    found = award.badge_class
    if image_type != found.image_type:
        raise Http404(_("This badge has no image of that type."))
    if award.revoked_at:
        return HttpResponseGone(_("This award was revoked: it cannot be downloaded."),
                                content_type="text/plain; charset=utf-8")
    image = _read_image(found)
    document = openbadges2.assertion_json(award)
    try:
        if image_type == "png":
            data = baking.bake_png(image, document)
        else:
            data = baking.bake_svg(image, document["id"], document)
    except BadgesError:
        raise Http404(_("This badge's image cannot be baked.")) from None
    filename = f"{slugify(found.name)[:60] or 'badge'}-{str(award.public_id)[:8]}.{image_type}"
    response = HttpResponse(data, content_type=CONTENT_TYPES[image_type])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = IMAGE_CSP
    response["Cache-Control"] = "no-cache"
    return response


urlpatterns = [
    path("issuer/", issuer, name="issuer"),
    path("classes/<uuid:public_id>/", badge_class, name="badgeclass"),
    path("classes/<uuid:public_id>/image", badge_class_image, name="badgeclass-image"),
    path("classes/<uuid:public_id>/criteria/", criteria, name="badgeclass-criteria"),
    path("skills/<slug:slug>/", skill, name="skill"),
    path("assertions/<uuid:public_id>/", assertion, name="assertion"),
    path("assertions/<uuid:public_id>/verify/", verify, name="assertion-verify"),
    path("assertions/<uuid:public_id>/baked.<mentora_badge_image_type:image_type>", baked, name="assertion-baked"),
]
