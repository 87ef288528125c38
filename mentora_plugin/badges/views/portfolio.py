"""
The skills portfolio pages:

- ``/mentora/badges/portfolio/``: the signed-in person's own portfolio (their current awards by skill), the form
  that turns sharing on or off (POST, redirect, GET), the public link while it is on, and each award's baked
  download and "Add to LinkedIn" link.
- ``/badges/portfolio/<token>/``: the shared portfolio, for anyone with the link, no sign-in; a 404 once sharing is
  off or the link was replaced. Not indexed by search engines (meta tag and ``X-Robots-Tag``): a link shared with
  someone is not an invitation to the whole web.

Thin views over ``badges.api``; mounted by ``badges.urls`` (both prefixes are here, so this module lists full
paths).
"""
from __future__ import annotations

from datetime import UTC
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from mentora_plugin.badges import api, openbadges2
from mentora_plugin.badges.views.public import linkedin_url
from mentora_plugin.host import api as host_api

#: ``public`` values the sharing form posts.
SHARE_VALUES = {"1": True, "0": False}


def _groups(portfolio: api.PortfolioInfo, owner: bool) -> list[dict[str, Any]]:
    """
    The portfolio's groups for the templates: each skill, then "Other badges" (``skill`` None), each award with its
    baked download and "Add to LinkedIn" links on the owner's page only.
    """
    issuer_name = openbadges2.issuer_json()["name"] if owner and not portfolio.is_empty else ""

    def row(entry: api.PortfolioAward) -> dict[str, Any]:
        image_type = entry.award.badge_class.image_type
        return {
            "entry": entry,
            "baked_url": openbadges2.baked_url(entry.public_id, image_type)
            if owner and image_type in ("png", "svg") else "",
            "linkedin_url": linkedin_url(entry.award, issuer_name) if owner else "",
        }

    groups = [{"skill": skill, "rows": [row(entry) for entry in skill.awards]} for skill in portfolio.skills]
    if portfolio.other:
        groups.append({"skill": None, "rows": [row(entry) for entry in portfolio.other]})
    return groups


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def mine(request: HttpRequest) -> HttpResponse:
    """The signed-in person's portfolio and its sharing form."""
    if request.method == "POST":
        value = request.POST.get("public", "")
        if value not in SHARE_VALUES:
            return HttpResponseBadRequest(_("Say whether to share your portfolio: yes or no."),
                                          content_type="text/plain; charset=utf-8")
        sharing = api.set_portfolio_sharing(request.user, SHARE_VALUES[value])
        if sharing.public:
            messages.success(request, _("Your portfolio is shared: anyone with its link can see it."))
        else:
            messages.success(request, _("Your portfolio is private again: its old link no longer works."))
        return redirect("mentora-badges:portfolio")
    portfolio = api.get_portfolio(request.user, request.user)
    context = {
        "portfolio": portfolio,
        "sharing": api.get_portfolio_sharing(request.user),
        "groups": _groups(portfolio, owner=True),
        "zone": host_api.get_user_time_zone(request.user),
    }
    return render(request, "mentora/badges/portfolio_mine.html", context)


@require_safe
def shared(request: HttpRequest, token: str) -> HttpResponse:
    """A shared portfolio, for anyone with its link."""
    try:
        portfolio = api.get_shared_portfolio(token)
    except api.BadgesError:
        raise Http404(_("There is no such portfolio.")) from None
    user = getattr(request, "user", None)
    zone = host_api.get_user_time_zone(user) if user is not None and user.is_authenticated else UTC
    response = render(request, "mentora/badges/portfolio_shared.html", {
        "portfolio": portfolio, "groups": _groups(portfolio, owner=False), "zone": zone,
    })
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-cache"  # sharing may stop at any time
    response["Referrer-Policy"] = "no-referrer"  # the token stays out of the links it leads to
    return response


urlpatterns = [
    path("mentora/badges/portfolio/", mine, name="portfolio"),
    path("badges/portfolio/<str:token>/", shared, name="portfolio-shared"),
]
