"""
The disputes' pages (under /mentora/trainers/): reporting a problem, one's own reports, and the confidential staff
queue with each case's page.

Thin views over ``trainers.api``: a form checks shapes, the API decides; a refusal is shown next to the field it is
about (or above the form) and nothing is saved; a change redirects (POST, redirect, GET). The queue answers 403 to
anyone without ``mentora_trainers.handle_dispute``; a case's page answers 404 to them, as the API does (a case's
existence is confidential).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from mentora_plugin.forms import AccessibleForm
from mentora_plugin.host import api as host_api
from mentora_plugin.text import render_markdown
from mentora_plugin.trainers import api
from mentora_plugin.trainers.common import TrainersError
from mentora_plugin.trainers.models import Dispute

PERMISSION = "mentora_trainers.handle_dispute"
QUEUE_PAGE_SIZE = 25
TEXTAREA = forms.Textarea(attrs={"rows": 5, "maxlength": api.DISPUTE_TEXT_MAX_LENGTH})


class ReportForm(AccessibleForm):
    """Whom, where, what kind of problem, what happened."""

    user = forms.CharField(
        label=gettext_lazy("Username of the person"), max_length=150,
        help_text=gettext_lazy("The trainer you learn with, or the learner you mentor."),
    )
    course_id = forms.CharField(
        label=gettext_lazy("Course (optional)"), max_length=255, required=False,
        help_text=gettext_lazy("The course key, e.g. course-v1:Org+Course+Run. Empty: your latest session with them."),
    )
    activity = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    category = forms.ChoiceField(label=gettext_lazy("Kind of problem"), choices=Dispute.Category.choices)
    description = forms.CharField(
        label=gettext_lazy("What happened"), max_length=api.DISPUTE_TEXT_MAX_LENGTH, widget=TEXTAREA,
        help_text=gettext_lazy("Only staff read this; the other person is not told. Markdown is allowed."),
    )


class NoteForm(AccessibleForm):
    note = forms.CharField(label=gettext_lazy("Note"), max_length=api.DISPUTE_TEXT_MAX_LENGTH, widget=TEXTAREA)


class AssignForm(AccessibleForm):
    assignee = forms.CharField(label=gettext_lazy("Username of a staff member"), max_length=150)


class StatusForm(AccessibleForm):
    status = forms.ChoiceField(
        label=gettext_lazy("New status"),
        choices=[(value, label) for value, label in Dispute.Status.choices if value in ("open", "in_progress")],
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=api.DISPUTE_TEXT_MAX_LENGTH, widget=TEXTAREA)


class ResolveForm(AccessibleForm):
    upheld = forms.TypedChoiceField(
        label=gettext_lazy("Is the complaint upheld?"),
        choices=(("yes", gettext_lazy("Upheld")), ("no", gettext_lazy("Not upheld"))),
        coerce=lambda value: value == "yes", widget=forms.RadioSelect,
    )
    resolution = forms.CharField(
        label=gettext_lazy("Resolution (the reporter reads it)"), max_length=api.DISPUTE_TEXT_MAX_LENGTH,
        widget=TEXTAREA,
    )


class DismissForm(AccessibleForm):
    resolution = forms.CharField(
        label=gettext_lazy("Why it is dismissed (the reporter reads it)"), max_length=api.DISPUTE_TEXT_MAX_LENGTH,
        widget=TEXTAREA,
    )


class ReopenForm(AccessibleForm):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=api.DISPUTE_TEXT_MAX_LENGTH, widget=TEXTAREA)


#: Which field of the report form each refusal is about (the others are shown above the form).
_REPORT_FIELDS = {
    "user_not_found": "user",
    "cannot_report_self": "user",
    "invalid_course_key": "course_id",
    "course_mismatch": "course_id",
    "permission_denied": "course_id",
    "invalid_category": "category",
    "description_required": "description",
    "description_too_long": "description",
}


def _int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _course_title(course_key: Any) -> str:
    course = host_api.get_course(course_key) if course_key else None
    return course.title if course else (str(course_key) if course_key else "")


# --- reporting ------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """
    Report a problem with a trainer or a learner. ``?user=<username>&course_id=<course key>`` or ``?activity=<id>``
    (with ``user``) pre-fill the form; the page then says whom the report is about, or why it cannot be made.
    """
    status = 200
    target, refusal = None, ""
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                api.report_problem(
                    request.user, data["user"], course_key=data["course_id"] or None, activity_id=data["activity"],
                    category=data["category"], description=data["description"],
                )
            except TrainersError as error:
                form.add_error(_REPORT_FIELDS.get(error.code), str(error))
                status = error.status
            else:
                messages.success(request, _("Your report is sent. Staff will look into it; you will get an email "
                                            "when it is closed."))
                return redirect("mentora-trainers:disputes-mine")
        else:
            status = 400
    else:
        initial = {
            "user": (request.GET.get("user") or "")[:150],
            "course_id": (request.GET.get("course_id") or "")[:255],
            "activity": _int(request.GET.get("activity")),
        }
        form = ReportForm(initial=initial)
        if initial["user"]:
            try:
                target = api.check_report(
                    request.user, initial["user"], course_key=initial["course_id"] or None,
                    activity_id=initial["activity"],
                )
            except TrainersError as error:
                refusal = str(error)
    context = {
        "form": form,
        "target": target,
        "target_course": _course_title(target.course_key) if target else "",
        "refusal": refusal,
    }
    return render(request, "mentora/trainers/dispute_report.html", context, status=status)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The signed-in person's reports: status, and the resolution once closed."""
    reports = api.my_reports(request.user)
    rows = [
        {"report": item, "course": _course_title(item.course_key), "resolution": render_markdown(item.resolution)}
        for item in reports
    ]
    context = {"rows": rows, "zone": host_api.get_user_time_zone(request.user)}
    return render(request, "mentora/trainers/dispute_mine.html", context)


# --- the staff queue ------------------------------------------------------------------------------------------------


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The confidential queue (``?status=``, ``?mine=1`` for the cases assigned to the viewer, ``?page=``)."""
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied(_("Only staff who handle disputes can see the queue."))
    status = request.GET.get("status") or ""
    status = status if status in api.DISPUTE_STATUSES else ""
    assigned_to_me = request.GET.get("mine") == "1"
    found = api.list_disputes(request.user, status=status or None, assignee=request.user if assigned_to_me else None)
    page = Paginator(found, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = "&".join(part for part in (f"status={status}" if status else "", "mine=1" if assigned_to_me else "")
                     if part)
    context = {
        "page": page,
        "status": status,
        "assigned_to_me": assigned_to_me,
        "statuses": Dispute.Status.choices,
        "query": query,
        "zone": host_api.get_user_time_zone(request.user),
    }
    return render(request, "mentora/trainers/dispute_queue.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """One case: what was reported, its notes, and what staff can do with it; each form posts an ``action``."""
    if not request.user.has_perm(PERMISSION):
        raise Http404(_("No such dispute."))
    bound: dict[str, forms.Form] = {}
    status, refusal = 200, ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        handler = _ACTIONS.get(action)
        if handler is None:
            messages.error(request, _("Unknown action."))
            return redirect("mentora-trainers:disputes-detail", dispute_id=dispute_id)
        done, bound, status = handler(request, dispute_id)
        if done:
            messages.success(request, done)
            return redirect("mentora-trainers:disputes-detail", dispute_id=dispute_id)
        if status == 409:
            # The case moved on (e.g. another staff member closed it): the form may no longer be on the page, so
            # the refusal is shown above everything, with the case as it is now.
            refusal = " ".join(str(error) for form in bound.values() for error in form.non_field_errors())
            bound = {}
    try:
        case = api.get_dispute(request.user, dispute_id)
    except TrainersError:
        raise Http404(_("No such dispute.")) from None
    context = {
        "case": case,
        "course": _course_title(case.course_key),
        "description": render_markdown(case.description),
        "resolution": render_markdown(case.resolution),
        "notes": [{"note": note, "body": render_markdown(note.body)} for note in case.notes],
        "assign_form": bound.get("assign") or AssignForm(prefix="assign"),
        "note_form": bound.get("note") or NoteForm(prefix="note"),
        "status_form": bound.get("status") or StatusForm(
            prefix="status", initial={"status": "open" if case.status == "in_progress" else "in_progress"}
        ),
        "resolve_form": bound.get("resolve") or ResolveForm(prefix="resolve"),
        "dismiss_form": bound.get("dismiss") or DismissForm(prefix="dismiss"),
        "reopen_form": bound.get("reopen") or ReopenForm(prefix="reopen"),
        "assign_error": bound.get("assign_me"),
        "refusal": refusal,
        "zone": host_api.get_user_time_zone(request.user),
    }
    return render(request, "mentora/trainers/dispute_detail.html", context, status=status)


def _field_of(form: forms.Form, code: str) -> str | None:
    """The field a refusal is about: ``reason_required`` is about ``reason``, ``invalid_upheld`` about ``upheld``."""
    for affix in ("_required", "_too_long"):
        if code.endswith(affix) and code[: -len(affix)] in form.fields:
            return code[: -len(affix)]
    name = code.removeprefix("invalid_")
    return name if name in form.fields else None


def _run(form: forms.Form, key: str, call, done: str):
    """Validate ``form``, then ``call(data)``; a refusal goes next to its field (or above the form)."""
    if not form.is_valid():
        return None, {key: form}, 400
    try:
        call(form.cleaned_data)
    except TrainersError as error:
        form.add_error(_field_of(form, error.code), str(error))
        return None, {key: form}, error.status
    return done, {}, 200


def _assign_me(request, dispute_id):
    return _run(forms.Form(request.POST), "assign_me",
                lambda data: api.assign_dispute(request.user, dispute_id, request.user),
                _("The case is assigned to you."))


def _unassign(request, dispute_id):
    return _run(forms.Form(request.POST), "assign_me", lambda data: api.assign_dispute(request.user, dispute_id, None),
                _("Nobody is assigned to the case any more."))


def _assign(request, dispute_id):
    form = AssignForm(request.POST, prefix="assign")
    return _run(form, "assign", lambda data: api.assign_dispute(request.user, dispute_id, data["assignee"]),
                _("The case is assigned."))


def _note(request, dispute_id):
    form = NoteForm(request.POST, prefix="note")
    return _run(form, "note", lambda data: api.add_dispute_note(request.user, dispute_id, data["note"]),
                _("The note is added."))


def _status(request, dispute_id):
    form = StatusForm(request.POST, prefix="status")
    return _run(form, "status",
                lambda data: api.set_dispute_status(request.user, dispute_id, data["status"], data["reason"]),
                _("The status is changed."))


def _resolve(request, dispute_id):
    form = ResolveForm(request.POST, prefix="resolve")
    return _run(form, "resolve",
                lambda data: api.resolve_dispute(request.user, dispute_id, data["upheld"], data["resolution"]),
                _("The case is resolved; the reporter is told by email."))


def _dismiss(request, dispute_id):
    form = DismissForm(request.POST, prefix="dismiss")
    return _run(form, "dismiss", lambda data: api.dismiss_dispute(request.user, dispute_id, data["resolution"]),
                _("The case is dismissed; the reporter is told by email."))


def _reopen(request, dispute_id):
    form = ReopenForm(request.POST, prefix="reopen")
    return _run(form, "reopen", lambda data: api.reopen_dispute(request.user, dispute_id, data["reason"]),
                _("The case is reopened."))


_ACTIONS = {
    "assign_me": _assign_me,
    "unassign": _unassign,
    "assign": _assign,
    "note": _note,
    "status": _status,
    "resolve": _resolve,
    "dismiss": _dismiss,
    "reopen": _reopen,
}


def report_url(username: str, course_key: Any = None, activity_id: int | None = None) -> str:
    """The address of the report form pre-filled for ``username`` (for links from other pages)."""
    query = {"user": username}
    if course_key:
        query["course_id"] = str(course_key)
    if activity_id:
        query["activity"] = str(activity_id)
    return reverse("mentora-trainers:disputes-report") + "?" + urlencode(query)


urlpatterns = [
    path("disputes/", queue, name="disputes-queue"),
    path("disputes/report/", report, name="disputes-report"),
    path("disputes/mine/", mine, name="disputes-mine"),
    path("disputes/<int:dispute_id>/", detail, name="disputes-detail"),
]
