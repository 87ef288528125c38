"""
The course's Mentora home page: who mentors here, the visitor's role, and (for course staff) the trainer grants.

A thin view over ``mentora_plugin.host.api``; every decision is a ``user.has_perm`` question.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mentora_plugin.host import api


@login_required
@require_http_methods(["GET", "POST"])
def course_home(request: HttpRequest, course_id: str) -> HttpResponse:
    """Show the course's trainers; course staff grant and revoke the trainer role from here."""
    try:
        course_key = api.parse_course_key(course_id)
    except api.HostError:
        raise Http404(_("This is not a valid course key.")) from None
    course = api.get_course(course_key)
    if course is None:
        raise Http404(_("This course is not known to Mentora."))
    if not request.user.has_perm("mentora_host.view_course", course_key):
        raise PermissionDenied(_("You do not have access to this course's mentoring."))
    can_manage = request.user.has_perm("mentora_host.manage_course_trainers", course_key)

    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("Only course staff can manage trainers."))
        return _change_trainers(request, course_key)

    roles = sorted(api.get_course_roles(request.user, course_key), key=lambda role: role.rank, reverse=True)
    context = {
        "course": course,
        "my_roles": [role.label() for role in roles],
        "trainers": api.get_trainer_grants(course_key),
        "can_manage": can_manage,
        "can_see_learners": request.user.has_perm("mentora_host.view_course_learners", course_key),
        "learner_count": api.get_course_learners(course_key).count(),
    }
    return render(request, "mentora/course_home.html", context)


def _change_trainers(request: HttpRequest, course_key) -> HttpResponse:
    action = request.POST.get("action")
    username = (request.POST.get("username") or "").strip()
    reason = (request.POST.get("reason") or "").strip()[:1000]
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        messages.error(request, _("No active user has the username “{username}”.").format(username=username))
    elif action == "grant":
        api.grant_trainer_role(course_key, user, granted_by=request.user, reason=reason)
        messages.success(request, _("{username} is now a trainer in this course.").format(username=username))
    elif action == "revoke":
        if api.revoke_trainer_role(course_key, user, revoked_by=request.user, reason=reason):
            messages.success(request, _("{username} is no longer a trainer in this course.").format(username=username))
        else:
            messages.error(request, _("{username} is not a trainer in this course.").format(username=username))
    else:
        messages.error(request, _("Unknown action."))
    return redirect("mentora:course-home", course_id=str(course_key))
