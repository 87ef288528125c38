"""
The community pages of trainers, moderators and group projects (mounted by ``views.pages``, same namespace):

- ``<course_id>/queue/`` (``queue``): the priority questions, due first, with their response target, overdue and
  escalated marks, the assignee, "Take it" (assign to me), filters; the trainers' response figures.
- ``<course_id>/moderation/`` (``moderation``): the review queue (reported and hidden posts) with the decision
  form, mute / suspend until a date, the active sanctions with "lift", the moderation log, naming moderators.
- ``<course_id>/groups/`` (``groups``) and ``<course_id>/groups/<group_id>/`` (``group``): the viewer's group
  projects; a group's members, supervisor, milestones, board threads and linked team project; its supervisor and
  staff rename and describe it and edit its milestones (title, due date, description) in place.

Same rules as ``views.pages``: the API decides, forms show its refusals, changes redirect.
"""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import re_path, reverse
from django.utils.translation import gettext as _

from mentora_plugin.communities import api
from mentora_plugin.communities.views.forms import (
    GroupEditForm,
    GroupForm,
    LiftForm,
    MembersForm,
    MilestoneForm,
    ModeratorForm,
    ProjectLinkForm,
    ResolveForm,
    SanctionForm,
    refuse,
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
    page_number,
    same_course,
    say,
    submit_form,
)


def _aware(value: Any, user: Any) -> Any:
    """A date typed in the viewer's time zone, as an aware datetime (``pages.in_zone``)."""
    return in_zone(value, user)


# --- the priority queue -----------------------------------------------------------------------------------------------


@community_page
def queue(request: HttpRequest, course_id: str) -> HttpResponse:
    """The course's priority questions for its trainers and staff, due first."""
    key = course_key_or_404(course_id)
    user = request.user
    viewer = api.get_viewer(user, key)
    if not viewer.can_answer:
        raise api.CommunitiesError("permission_denied", _("Only the course's trainers and staff answer priority "
                                                          "questions."), status=403)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "assign":
                api.assign_question(user, int_or_404(request.POST.get("thread_id")))
                messages.success(request, _("You take this question."))
            else:
                messages.error(request, _("Unknown action."))
        except Error as error:
            if error.status == 404:
                raise Http404(str(error)) from None
            messages.error(request, say(error, user))
        return redirect(reverse("mentora-communities:queue", args=[str(key)]) + _query(request))
    state = request.GET.get("state", "open")
    if state not in ("open", "answered", "accepted"):
        state = "open"
    mine, overdue = request.GET.get("mine") == "1", request.GET.get("overdue") == "1"
    entries = api.question_queue(user, key, state=state, mine=mine, overdue=overdue)
    context = base_context(request, key, viewer)
    context.update({
        "entries": entries, "state": state, "mine": mine, "overdue": overdue,
        "figures": [{"figures": row, "median": _duration(row.median_seconds)}
                    for row in api.response_figures(user, key)],
        "target_hours": api.response_target_hours(key),
    })
    return render(request, "mentora/communities/queue.html", context)


def _duration(seconds: int | None) -> str:
    """A response time as people read it: "2 h 05 min", "12 min"."""
    if seconds is None:
        return ""
    minutes = round(seconds / 60)
    if minutes < 60:
        return _("{minutes} min").format(minutes=minutes)
    return _("{hours} h {minutes:02d} min").format(hours=minutes // 60, minutes=minutes % 60)


def _query(request: HttpRequest) -> str:
    kept = {name: request.GET[name] for name in ("state", "mine", "overdue") if name in request.GET}
    return ("?" + "&".join(f"{name}={value}" for name, value in kept.items())) if kept else ""


# --- moderation -------------------------------------------------------------------------------------------------------


def _moderation_action(request: HttpRequest, key: Any, bound: dict[str, Any]) -> HttpResponse | int:
    user = request.user
    action = request.POST.get("action", "")
    if action == "resolve":
        post_id = int_or_404(request.POST.get("post_id"))
        form = ResolveForm(request.POST, prefix=f"resolve-{post_id}")
        bound[f"resolve-{post_id}"] = form
        call = (lambda data: api.resolve_reports(user, post_id, data["resolution"], data["reason"]),
                _("Decision recorded."))
    elif action == "sanction":
        form = SanctionForm(request.POST, prefix="sanction")
        bound["sanction"] = form
        call = (lambda data: api.sanction_member(user, key, data["username"].strip(), data["kind"],
                                                 _aware(data["until"], user), data["reason"]),
                _("The sanction is in force."))
    elif action == "lift":
        sanction_id = int_or_404(request.POST.get("sanction_id"))
        form = LiftForm(request.POST, prefix=f"lift-{sanction_id}")
        bound[f"lift-{sanction_id}"] = form
        call = (lambda data: api.lift_sanction(user, sanction_id, data["reason"]), _("The sanction is lifted."))
    elif action == "moderator":
        form = ModeratorForm(request.POST, prefix="moderator")
        bound["moderator"] = form
        call = (lambda data: api.set_moderator(user, key, data["username"].strip(), data["is_moderator"],
                                               data["reason"]), _("The moderators are updated."))
    else:
        messages.error(request, _("Unknown action."))
        return redirect("mentora-communities:moderation", course_id=str(key))
    if not form.is_valid():
        return 400
    try:
        call[0](form.cleaned_data)
    except Error as error:
        if error.status == 404 and action in ("resolve", "lift"):
            raise Http404(str(error)) from None
        return refuse(form, error, say(error, user))
    messages.success(request, call[1])
    return redirect("mentora-communities:moderation", course_id=str(key))


@community_page
def moderation(request: HttpRequest, course_id: str) -> HttpResponse:
    """The moderators' page of the space (see the module docstring)."""
    key = course_key_or_404(course_id)
    user = request.user
    viewer = api.get_viewer(user, key)
    if not viewer.can_moderate:
        raise api.CommunitiesError("permission_denied", _("Only the community's moderators see this page."),
                                   status=403)
    bound: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        outcome = _moderation_action(request, key, bound)
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
    items = api.review_queue(user, key)
    reasons, actions = dict(api.REPORT_REASONS), dict(api.MODERATION_ACTIONS)
    sanctions = api.list_sanctions(user, key) if viewer.can_sanction else []
    context = base_context(request, key, viewer)
    context.update({
        "items": [{"item": item, "form": bound.get(f"resolve-{item.post.id}")
                   or ResolveForm(prefix=f"resolve-{item.post.id}"),
                   "reports": [{"report": report, "label": reasons.get(report.reason, report.reason)}
                               for report in item.reports]} for item in items],
        "sanctions": [{"sanction": sanction, "form": bound.get(f"lift-{sanction.id}")
                       or LiftForm(prefix=f"lift-{sanction.id}")} for sanction in sanctions],
        "sanction_form": (bound.get("sanction") or SanctionForm(prefix="sanction")) if viewer.can_sanction else None,
        "moderator_form": (bound.get("moderator") or ModeratorForm(prefix="moderator")) if viewer.can_manage else None,
        "log": [{"entry": entry, "label": actions.get(entry.action, entry.action)}
                for entry in api.audit_log(user, key, page=page_number(request))],
        "page": page_number(request),
    })
    return render(request, "mentora/communities/moderation.html", context, status=status)


# --- group projects ---------------------------------------------------------------------------------------------------


@community_page
def groups(request: HttpRequest, course_id: str) -> HttpResponse:
    """The group projects the viewer is in, supervises or (staff) manages; trainers and staff create groups."""
    key = course_key_or_404(course_id)
    user = request.user
    viewer = api.get_viewer(user, key)
    form, status = (GroupForm(prefix="group") if viewer.can_manage_groups else None), 200
    if request.method == "POST":
        if not viewer.can_manage_groups:
            messages.error(request, _("Only the course's trainers and staff create group projects."))
            return redirect("mentora-communities:groups", course_id=str(key))
        form = GroupForm(request.POST, prefix="group")
        outcome = submit_form(
            request, form,
            lambda data: api.create_group(user, key, name=data["name"], description=data["description"],
                                          members=data["members"]),
            lambda created: (_("The group “{name}” is created.").format(name=created.name),
                             redirect("mentora-communities:group", course_id=str(key), group_id=created.id)),
        )
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
    context = base_context(request, key, viewer)
    context.update({"groups": api.list_groups(user, key), "group_form": form})
    return render(request, "mentora/communities/groups.html", context, status=status)


def _group_action(request: HttpRequest, key: Any, found: Any, bound: dict[str, Any]) -> HttpResponse | int:
    user = request.user
    action = request.POST.get("action", "")
    here = redirect("mentora-communities:group", course_id=str(key), group_id=found.id)
    if action == "milestone_done":
        try:
            api.set_milestone_done(user, int_or_404(request.POST.get("milestone_id")),
                                   request.POST.get("done") == "1")
        except Error as error:
            if error.status == 404:
                raise Http404(str(error)) from None
            messages.error(request, say(error, user))
        else:
            messages.success(request, _("The milestone is updated."))
        return here
    forms = {"milestone": (MilestoneForm, "milestone"), "members": (MembersForm, "members"),
             "project": (ProjectLinkForm, "project"), "edit_group": (GroupEditForm, "edit")}
    milestone_id = None
    if action == "edit_milestone":
        milestone_id = int_or_404(request.POST.get("milestone_id"))
        if not any(milestone.id == milestone_id for milestone in found.milestones):
            raise Http404(_("Not found."))
        forms[action] = (MilestoneForm, f"ms-{milestone_id}")
    if action not in forms:
        messages.error(request, _("Unknown action."))
        return here
    form_class, prefix = forms[action]
    form = form_class(request.POST, prefix=prefix)
    bound[prefix] = form
    if not form.is_valid():
        return 400
    data = form.cleaned_data
    try:
        if action == "edit_group":
            changes = {name: data[name] for name in ("name", "description")
                       if data[name] != getattr(found, name)}  # an unchanged name of a linked group is no change
            if changes:
                api.update_group(user, found.id, **changes)
            messages.success(request, _("The group is updated."))
        elif action == "edit_milestone":
            api.update_milestone(user, milestone_id, title=data["title"], due_at=_aware(data["due_at"], user),
                                 description=data["description"])
            messages.success(request, _("The milestone is updated."))
            return redirect(reverse("mentora-communities:group", args=[str(key), found.id])
                            + f"#milestone-{milestone_id}")
        elif action == "milestone":
            api.add_milestone(user, found.id, title=data["title"], due_at=_aware(data["due_at"], user),
                              description=data["description"])
            messages.success(request, _("The milestone is added."))
        elif action == "members":
            api.set_group_members(user, found.id, data["members"])
            messages.success(request, _("The members are updated."))
        else:
            api.link_group_project(user, found.id, data["usage_key"].strip())
            messages.success(request, _("The group now submits to this project as a team."))
    except Error as error:
        return refuse(form, error, say(error, user))
    return here


#: The group page's actions whose forms only its supervisor and staff get.
_MANAGING = ("milestone", "members", "project", "edit_group", "edit_milestone")


@community_page
def group(request: HttpRequest, course_id: str, group_id: str) -> HttpResponse:
    """A group project: members, supervisor, milestones, its board's latest threads, its linked project."""
    key = course_key_or_404(course_id)
    user = request.user
    viewer = api.get_viewer(user, key)
    found = api.get_group(user, int_or_404(group_id))
    same_course(found.course_key, key)
    bound: dict[str, Any] = {}
    status = 200
    supervises = found.supervisor is not None and found.supervisor.id == user.pk
    manages = supervises or viewer.can_manage
    if request.method == "POST":
        if not manages and request.POST.get("action") in _MANAGING:  # their forms are not on their page
            messages.error(request, _("Only the group's supervisor and the course's staff may change it."))
            return redirect("mentora-communities:group", course_id=str(key), group_id=found.id)
        outcome = _group_action(request, key, found, bound)
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
    member = any(person.id == user.pk for person in found.members)
    context = base_context(request, key, viewer)
    context.update({
        "group": found, "board": api.forum_page(user, found.board_forum_id, page_size=10),
        "manages": manages, "may_tick": manages or member,
        "edit_form": (bound.get("edit") or GroupEditForm(
            prefix="edit", initial={"name": found.name, "description": found.description})) if manages else None,
        "milestones": [{"milestone": milestone, "form": (bound.get(f"ms-{milestone.id}") or MilestoneForm(
            prefix=f"ms-{milestone.id}", initial={"title": milestone.title, "description": milestone.description,
                                                   "due_at": as_typed(milestone.due_at, user)})) if manages else None}
                       for milestone in found.milestones],
        "milestone_form": (bound.get("milestone") or MilestoneForm(prefix="milestone")) if manages else None,
        "members_form": (bound.get("members") or MembersForm(
            prefix="members", initial={"members": " ".join(person.username for person in found.members)}))
        if manages else None,
        "project_form": (bound.get("project") or ProjectLinkForm(
            prefix="project", initial={"usage_key": found.project_usage_key})) if manages else None,
    })
    return render(request, "mentora/communities/group.html", context, status=status)


urlpatterns = [
    re_path(rf"^{COURSE}/queue/$", queue, name="queue"),
    re_path(rf"^{COURSE}/moderation/$", moderation, name="moderation"),
    re_path(rf"^{COURSE}/groups/$", groups, name="groups"),
    re_path(rf"^{COURSE}/groups/(?P<group_id>[0-9]+)/$", group, name="group"),
]
