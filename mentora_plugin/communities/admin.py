"""
The Django admin of communities: records to read. The moderation log is never edited; sanctions and reports change
only through ``api`` (with their reason and audit row): a sanction is lifted here with a reason, through
``api.lift_sanction``, the same function as the pages and the REST API.
"""
from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from mentora_plugin.admin_actions import ReadOnlyAdmin, with_reason
from mentora_plugin.communities import api
from mentora_plugin.communities.common import CommunitiesError
from mentora_plugin.communities.models import ModerationAction, Report, Sanction


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    list_display = ("created", "action", "space", "actor", "target_user", "thread", "post", "reason")
    list_filter = ("action",)
    list_select_related = ("space", "actor", "target_user", "thread", "post")
    search_fields = ("space__course_key", "actor__username", "target_user__username", "reason")
    date_hierarchy = "created"


@admin.register(Sanction)
class SanctionAdmin(ReadOnlyAdmin):
    list_display = ("user", "kind", "space", "until", "lifted_at", "created_by", "created", "reason")
    list_filter = ("kind",)
    list_select_related = ("space", "user", "created_by")
    search_fields = ("space__course_key", "user__username", "reason")
    actions = ("lift",)

    @admin.action(description=gettext_lazy("Lift (with a reason)"))
    def lift(self, request, queryset):
        return with_reason(
            self, request, queryset,
            refused_by=CommunitiesError,
            title=_("Lift these sanctions"),
            apply=lambda sanction, reason: api.lift_sanction(request.user, sanction.pk, reason),
            done=lambda count: ngettext("%(count)d sanction lifted.", "%(count)d sanctions lifted.", count)
            % {"count": count},
        )


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("post", "reason", "reporter", "created", "resolution", "resolved_by", "resolved_at")
    list_filter = ("reason", "resolution")
    list_select_related = ("post", "reporter", "resolved_by")
    search_fields = ("reporter__username", "note")
