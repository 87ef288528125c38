"""
The admin of trainer applications: a read-only record with its audit trail, reviewers and scores, and admin actions
that call the same ``trainers.api`` as the pages and the REST API (so the state machine, its permissions and its
audit apply here too): assign me as reviewer, move to decision, approve, reject. Approve and reject ask for the
reason on an intermediate page (a reason is required to reject). The API's refusals are shown as admin messages,
one per application.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from mentora_plugin.trainers import applications
from mentora_plugin.trainers.common import TrainersError
from mentora_plugin.trainers.models import (
    ApplicationReviewer,
    ApplicationScore,
    ApplicationTransition,
    TrainerApplication,
)

DECISION_TEMPLATE = "mentora/trainers/application_admin_decision.html"


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TransitionInline(_ReadOnlyInline):
    model = ApplicationTransition
    fields = ("at", "from_state", "to_state", "actor", "reason", "details")
    ordering = ("at", "pk")


class ReviewerInline(_ReadOnlyInline):
    model = ApplicationReviewer
    fk_name = "application"
    fields = ("reviewer", "assigned_by", "assigned_at", "vote", "vote_reason", "voted_at", "reminded_at")


class ScoreInline(_ReadOnlyInline):
    model = ApplicationScore
    fields = ("reviewer", "criterion", "score", "comment", "modified")


class DecisionForm(forms.Form):
    """The reason of an approval (optional) or a rejection (required): the applicant reads it."""

    reason = forms.CharField(
        label=gettext_lazy("Reason (the applicant reads it)"), max_length=applications.MAX_TEXT, required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )

    def __init__(self, *args: Any, reason_required: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required


def _each(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: Any, call: Callable[[int], Any],
          done: Callable[[int], str]) -> None:
    """``call(application_id)`` for each selected application; the API's refusals become error messages."""
    count = 0
    for application_id in queryset.values_list("pk", flat=True):
        try:
            call(application_id)
            count += 1
        except TrainersError as error:
            modeladmin.message_user(
                request, _("Application {id}: {error}").format(id=application_id, error=error), messages.ERROR
            )
    if count:
        modeladmin.message_user(request, done(count), messages.SUCCESS)


def _decide(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: Any, vote: str) -> TemplateResponse | None:
    """The intermediate page of approve / reject: the first POST shows it, the second (``apply``) votes."""
    reject = vote == "reject"
    form = DecisionForm(request.POST if request.POST.get("apply") else None, reason_required=reject)
    if form.is_bound and form.is_valid():
        reason = form.cleaned_data["reason"]
        _each(
            modeladmin, request, queryset,
            lambda application_id: applications.vote(request.user, application_id, vote, reason),
            (lambda count: ngettext("%(count)d rejection recorded.", "%(count)d rejections recorded.", count)
             % {"count": count}) if reject else
            (lambda count: ngettext("%(count)d application approved.", "%(count)d applications approved.", count)
             % {"count": count}),
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Reject these applications") if reject else _("Approve these applications"),
        "opts": modeladmin.model._meta,
        "objects": list(queryset.select_related("profile__user")),
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "form": form,
        "reject": reject,
    }
    return TemplateResponse(request, DECISION_TEMPLATE, context, status=400 if form.is_bound else 200)


@admin.register(TrainerApplication)
class TrainerApplicationAdmin(admin.ModelAdmin):
    list_display = ("id", "applicant", "state", "scope_kind", "scope_org", "scope_course_key", "submitted_at",
                    "decided_at", "review_page")
    list_filter = ("state", "scope_kind")
    search_fields = ("profile__user__username",)
    list_select_related = ("profile__user",)
    inlines = (TransitionInline, ReviewerInline, ScoreInline)
    actions = ("assign_me", "move_to_decision", "approve", "reject")

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.concrete_fields] + ["review_page"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("Applicant"), ordering="profile__user__username")
    def applicant(self, obj: TrainerApplication) -> str:
        return obj.profile.user.username

    @admin.display(description=gettext_lazy("Review page"))
    def review_page(self, obj: TrainerApplication) -> str:
        url = reverse("mentora-trainers:applications-detail", kwargs={"application_id": obj.pk})
        return format_html('<a href="{}">{}</a>', url, _("Review"))

    @admin.action(description=gettext_lazy("Assign me as reviewer"))
    def assign_me(self, request, queryset):
        _each(self, request, queryset,
              lambda application_id: applications.assign_reviewer(request.user, application_id, request.user),
              lambda count: ngettext("You review %(count)d application.", "You review %(count)d applications.",
                                     count) % {"count": count})

    @admin.action(description=gettext_lazy("Move to decision"))
    def move_to_decision(self, request, queryset):
        _each(self, request, queryset,
              lambda application_id: applications.move_to_decision(request.user, application_id),
              lambda count: ngettext("%(count)d application moved to decision.",
                                     "%(count)d applications moved to decision.", count) % {"count": count})

    @admin.action(description=gettext_lazy("Approve (with a reason)"))
    def approve(self, request, queryset):
        return _decide(self, request, queryset, "approve")

    @admin.action(description=gettext_lazy("Reject (with a reason)"))
    def reject(self, request, queryset):
        return _decide(self, request, queryset, "reject")
