"""
The Django admin of reviews: records, read-only. Projects come from their blocks (``api.sync_project``),
submissions from learners, reviews and grade changes from trainers and staff, each through ``api`` with its locks
and audit trail, so nothing is added, changed or deleted here.

The one admin action, taking gallery entries out of the gallery, asks for a reason on an intermediate page and calls
``api.unfeature`` (the same function as the pages and the REST API), which checks the staff member may and logs the
reason.
"""
from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from mentora_plugin.admin_actions import ReadOnlyAdmin, with_reason
from mentora_plugin.reviews import api
from mentora_plugin.reviews.common import ReviewsError
from mentora_plugin.reviews.models import (
    GalleryEntry,
    GradeChange,
    Project,
    Review,
    Submission,
    SubmissionFile,
    SubmissionVersion,
)


#: The intermediate page asking for a reason (the trainers admin's: one look for every Mentora action).
class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False




@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ("title", "course_key", "usage_key", "due", "team_mode", "graded", "points_possible",
                    "target_turnaround_hours", "modified")
    list_filter = ("team_mode", "graded", "second_marker", "resubmit_after_approval")
    search_fields = ("title", "course_key", "usage_key")


class SubmissionVersionInline(ReadOnlyInline):
    model = SubmissionVersion
    fields = ("number", "submitted_at", "submitted_by", "edx_submission_uuid", "text", "links")
    readonly_fields = fields


class SubmissionFileInline(ReadOnlyInline):
    model = SubmissionFile
    fields = ("name", "version", "size", "content_type", "uploaded_at")
    readonly_fields = fields


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ("id", "project", "learner", "team", "status", "submitted_at", "points_earned")
    list_filter = ("status",)
    search_fields = ("learner__username", "team__name", "project__title", "project__course_key")
    list_select_related = ("project", "learner", "team")
    inlines = (SubmissionVersionInline, SubmissionFileInline)


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("id", "version", "reviewer", "role", "outcome", "points", "released_at", "confirmed_by")
    list_filter = ("role", "outcome")
    search_fields = ("reviewer__username", "version__submission__learner__username")
    list_select_related = ("version", "reviewer", "confirmed_by")


@admin.register(GradeChange)
class GradeChangeAdmin(ReadOnlyAdmin):
    list_display = ("submission", "kind", "old_points", "new_points", "points_possible", "actor", "at")
    list_filter = ("kind",)
    search_fields = ("submission__learner__username", "actor__username", "reason")
    list_select_related = ("submission", "actor")


@admin.register(GalleryEntry)
class GalleryEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "submission", "featured_by", "featured_at", "consented_at", "kudos_count")
    list_filter = (("featured_at", admin.EmptyFieldListFilter), ("consented_at", admin.EmptyFieldListFilter))
    search_fields = ("submission__learner__username", "featured_by__username", "submission__project__title")
    list_select_related = ("submission", "featured_by")
    actions = ("take_out",)

    @admin.action(description=gettext_lazy("Take out of the gallery (with a reason)"))
    def take_out(self, request, queryset):
        return with_reason(
            self, request, queryset,
            refused_by=ReviewsError,
            title=_("Take these entries out of the gallery"),
            apply=lambda entry, reason: api.unfeature(request.user, entry.pk, reason),
            done=lambda count: ngettext("%(count)d entry taken out of the gallery.",
                                        "%(count)d entries taken out of the gallery.", count) % {"count": count},
        )
