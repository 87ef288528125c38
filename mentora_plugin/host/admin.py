"""
Django admin for the host app.

The projections are the platform's facts: read-only here (change them in the LMS, or run ``mentora_sync``). Trainer
grants are Mentora's own: platform staff can grant and withdraw them, through the same ``api`` as the REST API and
the course page, so the record of who did what stays right.
"""
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mentora_plugin.host import api
from mentora_plugin.host.models import (
    Course,
    CourseAccessRole,
    CoursePassingStatus,
    Enrollment,
    SyncCheckpoint,
    TrainerGrant,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Projections mirror the platform; editing them here would only be overwritten by the next event."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Course)
class CourseAdmin(ReadOnlyAdmin):
    list_display = ("course_key", "title", "org", "start", "end", "last_event_at")
    list_filter = ("org",)
    search_fields = ("course_key", "title")


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyAdmin):
    list_display = ("user", "course_key", "mode", "is_active", "last_event_at")
    list_filter = ("is_active", "mode")
    search_fields = ("user__username", "course_key")
    list_select_related = ("user",)


@admin.register(CourseAccessRole)
class CourseAccessRoleAdmin(ReadOnlyAdmin):
    list_display = ("user", "role", "course_key", "org", "is_active", "last_event_at")
    list_filter = ("role", "is_active")
    search_fields = ("user__username", "course_key", "org")
    list_select_related = ("user",)


@admin.register(CoursePassingStatus)
class CoursePassingStatusAdmin(ReadOnlyAdmin):
    list_display = ("user", "course_key", "is_passing", "last_event_at")
    list_filter = ("is_passing",)
    search_fields = ("user__username", "course_key")
    list_select_related = ("user",)


@admin.register(SyncCheckpoint)
class SyncCheckpointAdmin(ReadOnlyAdmin):
    list_display = ("resource", "items_seen", "started_at", "modified", "completed_at")


@admin.register(TrainerGrant)
class TrainerGrantAdmin(admin.ModelAdmin):
    list_display = ("user", "course_key", "is_active", "granted_by", "granted_at", "revoked_by", "revoked_at")
    list_filter = ("is_active",)
    search_fields = ("user__username", "course_key")
    list_select_related = ("user", "granted_by", "revoked_by")
    fields = ("user", "course_key", "reason")
    raw_id_fields = ("user",)
    actions = ("withdraw",)

    def get_readonly_fields(self, request, obj=None):
        # An existing grant is a record: it changes only through grant/withdraw, which keep who and when.
        return ("user", "course_key", "reason") if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            return
        info = api.grant_trainer_role(obj.course_key, obj.user, granted_by=request.user, reason=obj.reason)
        obj.pk = TrainerGrant.objects.get(user_id=info.user_id, course_key=info.course_key).pk

    @admin.action(description=_("Withdraw the trainer role"))
    def withdraw(self, request, queryset):
        count = sum(
            api.revoke_trainer_role(grant.course_key, grant.user, revoked_by=request.user, reason="Django admin")
            for grant in queryset.select_related("user")
        )
        self.message_user(
            request,
            ngettext("%(count)d trainer role withdrawn.", "%(count)d trainer roles withdrawn.", count)
            % {"count": count},
            messages.SUCCESS,
        )
