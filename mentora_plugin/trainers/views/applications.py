"""
The application pipeline's pages (under /mentora/trainers/): applying, onboarding, the trainer guide, and the
reviewers' queue with each application's page.

Thin views over ``trainers.api``: a form checks shapes, the API decides; a refusal is shown next to the field it is
about (or above the form) and nothing is saved; a change redirects (POST, redirect, GET). The queue answers 403 to
anyone who may not review applications; an application's page answers 404 to whoever may not see it, as the API
does. Times are shown in the viewer's time zone.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from mentora_plugin.forms import AccessibleForm
from mentora_plugin.host import api as host_api
from mentora_plugin.text import render_markdown
from mentora_plugin.trainers import api, applications
from mentora_plugin.trainers.common import TrainersError
from mentora_plugin.trainers.models import TrainerApplication, TrainerScope

APPLY = "mentora-trainers:applications-apply"
ONBOARDING = "mentora-trainers:applications-onboarding"
QUEUE_PAGE_SIZE = 25
TEXTAREA = forms.Textarea(attrs={"rows": 6, "maxlength": applications.MAX_TEXT})


def _course_choices() -> list[tuple[str, str]]:
    return [("", gettext_lazy("(choose a course)"))] + [
        (str(course.course_key), course.title) for course in host_api.list_courses()
    ]


class ApplicationForm(AccessibleForm):
    """Where the applicant wants to train, and why (a new application, or a draft)."""

    scope_kind = forms.ChoiceField(label=gettext_lazy("Where you want to train"), choices=TrainerScope.Kind.choices)
    org = forms.CharField(
        label=gettext_lazy("Organisation"), max_length=255, required=False,
        help_text=gettext_lazy("For an organisation: its short name, as in its course keys."),
    )
    course_id = forms.ChoiceField(label=gettext_lazy("Course"), required=False, help_text=gettext_lazy(
        "For a course: the course you want to mentor in."))
    motivation = forms.CharField(
        label=gettext_lazy("Your motivation"), max_length=applications.MAX_TEXT, widget=TEXTAREA, required=False,
        help_text=gettext_lazy("Why you want to mentor learners, and what you bring. Markdown is allowed."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course_id"].choices = _course_choices()

    @staticmethod
    def initial_from(info: applications.ApplicationInfo) -> dict[str, Any]:
        return {"scope_kind": info.scope_kind, "org": info.scope_org, "course_id": info.scope_course_key,
                "motivation": info.motivation}


class MicroTaskForm(AccessibleForm):
    answer = forms.CharField(label=gettext_lazy("Your answer"), max_length=applications.MAX_TEXT, widget=TEXTAREA)


class WithdrawForm(AccessibleForm):
    reason = forms.CharField(label=gettext_lazy("Why you withdraw (optional)"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}))


class AssignForm(AccessibleForm):
    username = forms.CharField(label=gettext_lazy("Username of the reviewer"), max_length=150)


class InterviewForm(AccessibleForm):
    at = forms.DateTimeField(
        label=gettext_lazy("Interview date and time"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=gettext_lazy("In your time zone. Empty: no interview planned."),
    )
    notes = forms.CharField(label=gettext_lazy("Interview notes (reviewers only)"), max_length=applications.MAX_TEXT,
                            widget=TEXTAREA, required=False)


class VoteForm(AccessibleForm):
    vote = forms.ChoiceField(
        label=gettext_lazy("Your vote"), widget=forms.RadioSelect,
        choices=(("approve", gettext_lazy("Approve")), ("reject", gettext_lazy("Reject"))),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (the applicant reads it; required to reject)"), max_length=applications.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": applications.MAX_TEXT}), required=False,
    )


class ScoreForm(AccessibleForm):
    """One score (0..max, or not scored) and comment per criterion of the rubric."""

    def __init__(self, *args: Any, criteria: list[applications.RubricCriterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"score_{criterion.key}"] = forms.TypedChoiceField(
                label=criterion.label, coerce=int, required=False, empty_value=None,
                choices=[("", gettext_lazy("Not scored"))] + [(str(value), str(value))
                                                              for value in range(criterion.max + 1)],
                help_text=_("From 0 to {max}.").format(max=criterion.max),
            )
            self.fields[f"comment_{criterion.key}"] = forms.CharField(
                label=_("Comment on “{label}”").format(label=criterion.label), required=False,
                max_length=applications.MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"score_{c.key}"], self[f"comment_{c.key}"]) for c in self.criteria]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not any(data.get(f"score_{criterion.key}") is not None for criterion in self.criteria):
            raise forms.ValidationError(_("Give at least one score."))
        return data


#: Which field a refusal is about (the others are shown above the form).
_FIELDS = {
    "invalid_scope": "scope_kind",
    "scope_held": "scope_kind",
    "org_required": "org",
    "course_required": "course_id",
    "invalid_course_key": "course_id",
    "course_not_found": "course_id",
    "too_long": "motivation",
    "reason_required": "reason",
    "invalid_vote": "vote",
    "user_not_found": "username",
    "not_a_reviewer": "username",
    "reviewer_is_applicant": "username",
    "invalid_time": "at",
}


def _refuse(form: forms.Form, error: TrainersError) -> None:
    field = _FIELDS.get(error.code)
    form.add_error(field if field in form.fields else None, str(error))


def _zone(user: Any) -> Any:
    return host_api.get_user_time_zone(user)


# --- applying -------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """The applicant's page: start, edit and submit an application, answer the micro-task, withdraw, follow it."""
    user = request.user
    bound: dict[str, forms.Form] = {}
    status = 200
    if request.method == "POST":
        handler = _APPLY_ACTIONS.get(request.POST.get("action", ""))
        if handler is None:
            messages.error(request, _("Unknown action."))
            return redirect(APPLY)
        done, bound, status = handler(request, user)
        if done:
            messages.success(request, done)
            return redirect(APPLY)
    current = api.current_application(user)
    history = api.application_history(current.id, user) if current else []
    cooling = current is not None and current.state == "rejected" and current.reapply_after is not None \
        and current.reapply_after > timezone.now()
    draft_form = None
    if current and current.state == "draft":
        draft_form = bound.get("update") or ApplicationForm(prefix="draft",
                                                            initial=ApplicationForm.initial_from(current))
    context = {
        "application": current,
        "history": history,
        "cooling": cooling,
        "start_form": None if (current and current.is_open) or cooling
        else bound.get("start") or ApplicationForm(prefix="start"),
        "draft_form": draft_form,
        "micro_task": render_markdown(api.micro_task()),
        "micro_form": bound.get("answer") or MicroTaskForm(
            prefix="micro", initial={"answer": current.micro_task_answer if current else ""}
        ),
        "withdraw_form": bound.get("withdraw") or WithdrawForm(prefix="withdraw"),
        "motivation": render_markdown(current.motivation if current else ""),
        "profile_url": applications.PROFILE_EDIT_PATH,
        "zone": _zone(user),
        "submit_error": bound.get("submit"),
    }
    return render(request, "mentora/trainers/application_apply.html", context, status=status)


def _run(form: forms.Form, key: str, call: Callable[[dict], Any], done: str) -> tuple[str | None, dict, int]:
    """Validate ``form``, then ``call(data)``; a refusal goes next to its field (or above the form)."""
    if not form.is_valid():
        return None, {key: form}, 400
    try:
        call(form.cleaned_data)
    except TrainersError as error:
        _refuse(form, error)
        return None, {key: form}, error.status
    return done, {}, 200


def _application_id(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("application_id", ""))
    except ValueError:
        return 0


def _start(request, user):
    form = ApplicationForm(request.POST, prefix="start")
    return _run(form, "start", lambda data: api.start_application(
        user, data["scope_kind"], org=data["org"], course_key=data["course_id"] or None,
        motivation=data["motivation"],
    ), _("Your application is started. Complete it, then submit it."))


def _update(request, user):
    form = ApplicationForm(request.POST, prefix="draft")
    return _run(form, "update", lambda data: api.update_application(
        user, _application_id(request), scope_kind=data["scope_kind"], org=data["org"],
        course_key=data["course_id"] or None, motivation=data["motivation"],
    ), _("Your application is saved."))


def _submit(request, user):
    form = forms.Form(request.POST)
    return _run(form, "submit", lambda data: api.submit_application(user, _application_id(request)),
                _("Your application is submitted. The automatic checks run now."))


def _answer(request, user):
    form = MicroTaskForm(request.POST, prefix="micro")
    return _run(form, "answer", lambda data: api.update_application(
        user, _application_id(request), micro_task_answer=data["answer"]), _("Your answer is saved."))


def _withdraw(request, user):
    form = WithdrawForm(request.POST, prefix="withdraw")
    return _run(form, "withdraw", lambda data: api.withdraw_application(
        user, _application_id(request), data["reason"]), _("Your application is withdrawn."))


_APPLY_ACTIONS = {"start": _start, "update": _update, "submit": _submit, "answer": _answer, "withdraw": _withdraw}


# --- onboarding and the guide ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def onboarding(request: HttpRequest) -> HttpResponse:
    """The onboarding checklist: each step links to where it is done, and has a "done" button."""
    if request.method == "POST":
        try:
            status = api.complete_onboarding_step(request.user, request.POST.get("step", ""))
        except TrainersError as error:
            messages.error(request, str(error))
        else:
            if status.complete and status.state == "active":
                messages.success(request, _("Your onboarding is complete: you are an active trainer."))
            else:
                messages.success(request, _("The step is done."))
        return redirect(ONBOARDING)
    status = api.onboarding_status(request.user)
    current = api.current_application(request.user)
    return render(request, "mentora/trainers/onboarding.html", {"status": status, "application": current})


def guide(request: HttpRequest) -> HttpResponse:
    """A short guide for trainers, with the code of conduct (``#conduct``). Public."""
    return render(request, "mentora/trainers/guide.html")


# --- the reviewers' queue -------------------------------------------------------------------------------------------


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The applications to review (``?state=``, ``?mine=1`` for those assigned to the viewer, ``?page=``)."""
    user = request.user
    if not (user.has_perm(applications.REVIEW_PERMISSION) or user.has_perm(applications.MANAGE_PERMISSION)):
        raise PermissionDenied(_("Only reviewers and staff see the applications."))
    state = request.GET.get("state") or ""
    state = state if state in TrainerApplication.State.values else ""
    mine = request.GET.get("mine") == "1"
    found = api.list_applications(user, state=state or None, assigned_to_me=mine)
    page = Paginator(found, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = "&".join(part for part in (f"state={state}" if state else "", "mine=1" if mine else "") if part)
    context = {
        "page": page,
        "state": state,
        "mine": mine,
        "states": TrainerApplication.State.choices,
        "query": query,
        "zone": _zone(user),
        "user_id": user.pk,
    }
    return render(request, "mentora/trainers/application_queue.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, application_id: int) -> HttpResponse:
    """One application as reviewers and staff see it; each form posts an ``action``."""
    user = request.user
    try:
        info = api.get_application(application_id, user)
    except TrainersError:
        raise Http404(_("No such application.")) from None
    if info.applicant_id == user.pk:
        return redirect(APPLY)
    bound: dict[str, forms.Form] = {}
    status = 200
    if request.method == "POST":
        handler = _REVIEW_ACTIONS.get(request.POST.get("action", ""))
        if handler is None:
            messages.error(request, _("Unknown action."))
            return redirect("mentora-trainers:applications-detail", application_id=application_id)
        done, bound, status = handler(request, info)
        if done:
            messages.success(request, done)
            return redirect("mentora-trainers:applications-detail", application_id=application_id)
        try:
            info = api.get_application(application_id, user)
        except TrainersError:
            raise Http404(_("No such application.")) from None
    criteria = api.rubric()
    mine = {score.criterion: score for score in info.scores if score.reviewer_id == user.pk}
    initial_scores = {f"score_{key}": str(score.score) for key, score in mine.items()}
    initial_scores.update({f"comment_{key}": score.comment for key, score in mine.items()})
    zone = _zone(user)
    interview_at = timezone.localtime(info.interview_at, zone).replace(tzinfo=None) if info.interview_at else None
    me = next((row for row in info.reviewers if row.reviewer_id == user.pk), None)
    is_staff = user.has_perm(applications.MANAGE_PERMISSION)
    reviewable = info.state in applications.REVIEWABLE_STATES
    context = {
        "application": info,
        "history": api.application_history(info.id, user),
        "me": me,
        "is_staff": is_staff,
        "reviewable": reviewable,
        "may_act": reviewable and (me is not None or is_staff),
        "can_self_assign": reviewable and me is None and user.has_perm(applications.REVIEW_PERMISSION),
        "bio": render_markdown(info.applicant.bio if info.applicant else ""),
        "experience": render_markdown(info.applicant.experience if info.applicant else ""),
        "motivation": render_markdown(info.motivation),
        "micro_task": render_markdown(api.micro_task()),
        "criteria": criteria,
        "score_form": bound.get("score") or ScoreForm(prefix="score", criteria=criteria, initial=initial_scores),
        "assign_form": bound.get("assign") or AssignForm(prefix="assign"),
        "interview_form": bound.get("interview") or InterviewForm(
            prefix="interview", initial={"at": interview_at, "notes": info.interview_notes}
        ),
        "vote_form": bound.get("vote") or VoteForm(prefix="vote", initial={"vote": me.vote if me else None}),
        "action_error": bound.get("action"),
        "zone": zone,
    }
    return render(request, "mentora/trainers/application_detail.html", context, status=status)


def _plain(request: HttpRequest, call: Callable[[], Any], done: str) -> tuple[str | None, dict, int]:
    """An action without fields: a refusal is shown above the actions."""
    form = forms.Form(request.POST)
    try:
        call()
    except TrainersError as error:
        form.is_valid()
        form.add_error(None, str(error))
        return None, {"action": form}, error.status
    return done, {}, 200


def _assign_me(request, info):
    return _plain(request, lambda: api.assign_reviewer(request.user, info.id, request.user),
                  _("You are a reviewer of this application."))


def _unassign(request, info):
    try:
        reviewer_id = int(request.POST.get("reviewer_id", ""))
    except ValueError:
        reviewer_id = 0
    return _plain(request, lambda: api.unassign_reviewer(request.user, info.id, reviewer_id),
                  _("The reviewer is taken off the application."))


def _assign(request, info):
    form = AssignForm(request.POST, prefix="assign")

    def call(data: dict) -> None:
        reviewer = get_user_model().objects.filter(username=data["username"], is_active=True).first()
        api.assign_reviewer(request.user, info.id, reviewer.pk if reviewer else 0)

    return _run(form, "assign", call, _("The reviewer is assigned and told by email."))


def _score(request, info):
    criteria = api.rubric()
    form = ScoreForm(request.POST, prefix="score", criteria=criteria)

    def call(data: dict) -> None:
        scores = {c.key: data[f"score_{c.key}"] for c in criteria if data.get(f"score_{c.key}") is not None}
        comments = {key: data[f"comment_{key}"] for key in scores if data.get(f"comment_{key}")}
        api.score_application(request.user, info.id, scores, comments)

    return _run(form, "score", call, _("Your scores are saved."))


def _interview(request, info):
    form = InterviewForm(request.POST, prefix="interview")
    zone = _zone(request.user)

    def call(data: dict) -> None:
        at: datetime | None = data["at"]
        if at is not None:
            at = at.replace(tzinfo=None) if timezone.is_aware(at) else at
            at = timezone.make_aware(at, zone)
        api.record_interview(request.user, info.id, at, data["notes"])

    return _run(form, "interview", call, _("The interview is saved."))


def _decision(request, info):
    return _plain(request, lambda: api.move_to_decision(request.user, info.id),
                  _("The skills check is complete: the application waits for votes."))


def _vote(request, info):
    form = VoteForm(request.POST, prefix="vote")
    return _run(form, "vote", lambda data: api.vote(request.user, info.id, data["vote"], data["reason"]),
                _("Your vote is recorded."))


_REVIEW_ACTIONS = {
    "assign_me": _assign_me,
    "unassign": _unassign,
    "assign": _assign,
    "score": _score,
    "interview": _interview,
    "decision": _decision,
    "vote": _vote,
}


urlpatterns = [
    path("apply/", apply, name="applications-apply"),
    path("onboarding/", onboarding, name="applications-onboarding"),
    path("guide/", guide, name="applications-guide"),
    path("applications/", queue, name="applications-queue"),
    path("applications/<int:application_id>/", detail, name="applications-detail"),
]
