"""``{% mentora_nav %}``: the links between Mentora's pages, each shown only to whom it is for."""
from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

register = template.Library()


@register.inclusion_tag("mentora/_nav.html", takes_context=True)
def mentora_nav(context: dict[str, Any]) -> dict[str, Any]:
    """The signed-in user's Mentora links, the current page marked with ``aria-current``."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"links": []}
    from mentora_plugin.trainers import api as trainers_api  # the root app's pages sit above every domain

    trainer = trainers_api.is_active_trainer(user)
    links = [(_("Trainers"), reverse("mentora-trainers:profiles-search"))]
    if trainer:
        links += [
            (_("My trainer profile"), reverse("mentora-trainers:profiles-edit")),
            (_("My level"), reverse("mentora-trainers:levels-mine")),
            (_("My availability"), reverse("mentora-booking:availability")),
            (_("My sessions"), reverse("mentora-booking:sessions")),
        ]
    else:
        links.append((_("Become a trainer"), reverse("mentora-trainers:applications-apply")))
    from mentora_plugin.reviews import api as reviews_api

    reviewable = reviews_api.reviewable_course_keys(user)
    if reviewable != []:  # None: every course (platform staff)
        links.append((_("Review queue"), reverse("mentora-reviews:queue-list")))
    links.append((_("My badges"), reverse("mentora-badges:pages-mine")))
    # Badges' management: platform staff, trainers (already known above) and the staff of courses with projects
    # (already asked by the review queue's link), so the header costs no query of its own. Staff of other courses
    # reach it from their course's mentoring home.
    if user.is_staff or trainer or reviewable != []:
        links.append((_("Badges"), reverse("mentora-badges:pages-courses")))
    links.append((_("Gallery"), reverse("mentora-reviews:gallery-list")))
    # Communities: the course's space when the page is about a course (a community page, the course's home), and
    # the notifications of every course.
    course_id = context.get("community_course_id") or _course_id_of(context)
    if course_id:
        links.append((_("Community"), reverse("mentora-communities:space", args=[course_id])))
    links.append((_("Community notifications"), reverse("mentora-communities:notifications")))
    links.append((_("Levels"), reverse("mentora-trainers:levels-ladder")))
    links.append((_("My reports"), reverse("mentora-trainers:disputes-mine")))
    if user.has_perm("mentora_trainers.review_application"):
        links.append((_("Applications"), reverse("mentora-trainers:applications-queue")))
    if user.has_perm("mentora_trainers.manage_level"):
        links.append((_("Trainers' levels"), reverse("mentora-trainers:levels-staff")))
    if user.has_perm("mentora_trainers.handle_dispute"):
        links.append((_("Disputes"), reverse("mentora-trainers:disputes-queue")))
    path = request.path
    return {"links": [{"label": label, "url": url, "current": path == url} for label, url in links]}


def _course_id_of(context: dict[str, Any]) -> str:
    """The course of a course's Mentora home page (its ``course``), or "" on pages that are about no course."""
    course = context.get("course")
    key = getattr(course, "course_key", None)
    return str(key) if key is not None and context.get("my_roles") is not None else ""
