"""
The community pages that change what is already there (mounted by ``views.pages``, same namespace):

- ``<course_id>/threads/<thread_id>/posts/<post_id>/edit/`` (``edit-post``): the author edits their post (and the
  title of the thread they opened) while the thread is not locked; a moderator edits anyone's, giving a reason
  when it is someone else's (kept in the moderation log). Reached by the "Edit" link on each post the viewer may
  edit (``PostInfo.can_edit``).
- ``<course_id>/forums/<forum_id>/rules/`` (``forum-rules``): the forum's leader or the course's staff change its
  title, description, who may post, read-only, slow mode (a human choice: off, 30 s … 1 h), its closing date (typed
  in the viewer's time zone), archive it; staff name its leader. Linked from the forum page.
- ``<course_id>/settings/`` (``space-settings``): the course's staff set the space's priority quota, response target
  and auto-hide threshold (empty: the platform's default, named next to the field). Linked from the community
  navigation; moderators are named on the moderation page.

Same rules as ``views.pages``: the API decides, forms show its refusals next to their field, changes redirect.
"""
from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import re_path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mentora_plugin.communities import api
from mentora_plugin.communities.views.forms import (
    SLOW_MODE_CHOICES,
    EditPostForm,
    ForumRulesForm,
    SpaceSettingsForm,
)
from mentora_plugin.communities.views.pages import (
    COURSE,
    Error,
    as_typed,
    base_context,
    community_page,
    course_key_or_404,
    in_zone,
    int_or_404,
    same_course,
    submit_form,
    thread_url,
)

_SPACE_FIELDS = ("priority_weekly_quota", "response_target_hours", "auto_hide_reports")


# --- editing a post ---------------------------------------------------------------------------------------------------


def _find_post(detail: Any, post_id: int) -> Any:
    """The post ``post_id`` of the thread as its viewer sees it (opening, reply or comment); 404 otherwise."""
    for post in (detail.opening, *detail.replies):
        if post.id == post_id:
            return post
        for comment in post.comments:
            if comment.id == post_id:
                return comment
    raise Http404(_("Not found."))


@community_page
def edit_post(request: HttpRequest, course_id: str, thread_id: str, post_id: str) -> HttpResponse:
    """Edit one post (see the module docstring): the form, then back to the post."""
    key = course_key_or_404(course_id)
    user = request.user
    viewer = api.get_viewer(user, key)
    detail = api.thread_detail(user, int_or_404(thread_id), mark_read=False)
    same_course(detail.forum.course_key, key)
    post = _find_post(detail, int_or_404(post_id))
    if not post.can_edit:
        raise Error("permission_denied", _("You may not edit this post."), status=403)
    own = post.author is not None and post.author.id == user.pk
    options = {"prefix": "edit", "with_title": post.is_opening, "with_reason": not own}
    form = EditPostForm(initial={"body": post.body, "title": detail.thread.title}, **options)
    status = 200
    if request.method == "POST":
        form = EditPostForm(request.POST, **options)
        outcome = submit_form(
            request, form,
            lambda data: api.edit_post(user, post.id, body=data["body"],
                                       title=data.get("title") if post.is_opening else None,
                                       reason=data.get("reason", "")),
            lambda _result: (_("Your changes are saved."), redirect(thread_url(key, detail.thread.id, post.id))),
            not_found=True,
        )
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
    context = base_context(request, key, viewer)
    context.update({"detail": detail, "thread": detail.thread, "forum": detail.forum, "post": post, "own": own,
                    "form": form, "back": thread_url(key, detail.thread.id, post.id)})
    return render(request, "mentora/communities/edit_post.html", context, status=status)


# --- a forum's rules --------------------------------------------------------------------------------------------------


def _minute(value: Any) -> Any:
    return value.replace(second=0, microsecond=0) if value is not None else None


def _slow_mode_label(seconds: int) -> str:
    """A slow mode set outside the page's choices (through the REST API), said in seconds."""
    return dict(SLOW_MODE_CHOICES).get(seconds) or ngettext(
        "{count} second", "{count} seconds", seconds).format(count=seconds)


def _rules_initial(info: Any, user: Any) -> dict[str, Any]:
    return {
        "title": info.title, "description": info.description, "posting": info.posting, "read_only": info.read_only,
        "slow_mode_seconds": info.slow_mode_seconds, "closes_at": _minute(as_typed(info.closes_at, user)),
        "archived": info.archived, "leader": info.leader.username if info.leader else "",
    }


def _rule_changes(form: ForumRulesForm, initial: dict[str, Any], user: Any) -> dict[str, Any]:
    """What the form changes, only (an untouched default title stays translatable; the log lists real changes)."""
    changes = {}
    for name, value in form.cleaned_data.items():
        if name == "reason":
            continue
        if name == "closes_at":
            typed = _minute(value.replace(tzinfo=None)) if value is not None else None
            if typed != initial["closes_at"]:
                changes[name] = in_zone(value, user)
        elif name == "leader":
            if value.strip() != initial["leader"]:
                changes[name] = value.strip() or None
        elif value != initial[name]:
            changes[name] = value
    return changes


@community_page
def forum_rules(request: HttpRequest, course_id: str, forum_id: str) -> HttpResponse:
    """Change a forum's rules (see the module docstring)."""
    key = course_key_or_404(course_id)
    user = request.user
    info = api.get_forum(user, int_or_404(forum_id))
    same_course(info.course_key, key)
    viewer = api.get_viewer(user, key)
    if not (viewer.can_manage or (info.leader is not None and info.leader.id == user.pk)):
        raise Error("permission_denied", _("Only the forum's leader and the course's staff may change this forum."),
                    status=403)
    initial = _rules_initial(info, user)
    options = {"prefix": "rules", "archivable": info.kind == "discussion",
               "name_leader": viewer.can_manage and info.kind == "discussion",
               "slow_mode_now": info.slow_mode_seconds, "slow_mode_label": _slow_mode_label(info.slow_mode_seconds)}
    form = ForumRulesForm(initial=initial, **options)
    status = 200
    if request.method == "POST":
        form = ForumRulesForm(request.POST, **options)

        def save(data: dict[str, Any]) -> dict[str, Any]:
            changes = _rule_changes(form, initial, user)
            if changes:
                api.update_forum(user, info.id, reason=data["reason"], **changes)
            return changes

        outcome = submit_form(request, form, save, lambda changes: (
            _("The forum's rules are saved.") if changes else _("Nothing changed."),
            redirect("mentora-communities:forum", course_id=str(key), forum_id=info.id)), not_found=True)
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
    context = base_context(request, key, viewer)
    context.update({"forum": info, "form": form})
    return render(request, "mentora/communities/forum_rules.html", context, status=status)


# --- the space's settings ---------------------------------------------------------------------------------------------


@community_page
def space_settings(request: HttpRequest, course_id: str) -> HttpResponse:
    """The staff's settings of the space (see the module docstring)."""
    key = course_key_or_404(course_id)
    user = request.user
    viewer = api.get_viewer(user, key)
    current = api.get_space_settings(user, key)  # 403 for anyone but staff
    form = SpaceSettingsForm(prefix="settings", defaults=current,
                             initial={name: getattr(current, name) for name in _SPACE_FIELDS})
    status = 200
    if request.method == "POST":
        form = SpaceSettingsForm(request.POST, prefix="settings", defaults=current)
        outcome = submit_form(request, form, lambda data: api.update_space_settings(user, key, **data),
                              lambda _result: (_("The community's settings are saved."),
                                               redirect("mentora-communities:space-settings", course_id=str(key))))
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
    context = base_context(request, key, viewer)
    context.update({"current": current, "form": form,
                    "moderation_url": reverse("mentora-communities:moderation", args=[str(key)])})
    return render(request, "mentora/communities/space_settings.html", context, status=status)


urlpatterns = [
    re_path(rf"^{COURSE}/threads/(?P<thread_id>[0-9]+)/posts/(?P<post_id>[0-9]+)/edit/$", edit_post,
            name="edit-post"),
    re_path(rf"^{COURSE}/forums/(?P<forum_id>[0-9]+)/rules/$", forum_rules, name="forum-rules"),
    re_path(rf"^{COURSE}/settings/$", space_settings, name="space-settings"),
]
