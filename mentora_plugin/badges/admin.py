"""
The Django admin of badges. Badge classes are listed and filtered (kind, course, active) and can be archived;
their creation and edits go through ``api`` (which cleans the image and raises the version), so the admin only reads
them. Awards are records: read-only, with one action, revoking, which asks for a reason on an intermediate page and
calls ``api.revoke_award`` (the same function as the pages and the REST API: who may, the reason, the learner's
email).
"""
from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from mentora_plugin.admin_actions import ReadOnlyAdmin, with_reason
from mentora_plugin.badges import api
from mentora_plugin.badges.badge_classes import PLATFORM
from mentora_plugin.badges.common import BadgesError
from mentora_plugin.badges.models import BadgeAward, BadgeClass, SentBadgeNotification, SigningKey


class _IsPlatformWide(admin.SimpleListFilter):
    """The platform's own classes, or a course's (a course key filter with an "empty" choice reads badly)."""

    title = gettext_lazy("scope")
    parameter_name = "scope"

    def lookups(self, request, model_admin):
        return (("platform", gettext_lazy("Platform-wide")), ("course", gettext_lazy("A course")))

    def queryset(self, request, queryset):
        if self.value() == "platform":
            return queryset.filter(course_key=PLATFORM)
        if self.value() == "course":
            return queryset.exclude(course_key=PLATFORM)
        return queryset


@admin.register(BadgeClass)
class BadgeClassAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "course_key", "for_trainers", "version", "is_active", "expiry", "modified")
    list_filter = ("kind", "is_active", "for_trainers", _IsPlatformWide, "course_key")
    search_fields = ("name", "course_key", "public_id")
    readonly_fields = ("public_id", "created_by", "created", "modified")
    actions = ("archive",)

    @admin.action(description=gettext_lazy("Archive (no new awards; existing ones stay verifiable)"))
    def archive(self, request, queryset):
        count = 0
        for badge_class in queryset:
            try:
                api.archive_badge_class(request.user, badge_class.pk)
                count += 1
            except BadgesError as refusal:
                self.message_user(request, f"{badge_class}: {refusal}", messages.ERROR)
        if count:
            self.message_user(request, ngettext("%(count)d badge archived.", "%(count)d badges archived.", count)
                              % {"count": count}, messages.SUCCESS)


@admin.register(BadgeAward)
class BadgeAwardAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "badge_class", "recipient", "issued_on", "expires_on", "issued_by", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "badge_class__kind")
    search_fields = ("recipient__username", "recipient__email", "badge_class__name", "public_id", "source_key")
    list_select_related = ("badge_class", "recipient", "issued_by")
    actions = ("revoke",)

    @admin.action(description=gettext_lazy("Revoke (with a reason)"))
    def revoke(self, request, queryset):
        return with_reason(
            self, request, queryset,
            refused_by=BadgesError,
            title=_("Revoke these awards"),
            apply=lambda award, reason: api.revoke_award(request.user, award.pk, reason),
            done=lambda count: ngettext("%(count)d award revoked.", "%(count)d awards revoked.", count)
            % {"count": count},
        )


@admin.register(SentBadgeNotification)
class SentBadgeNotificationAdmin(ReadOnlyAdmin):
    list_display = ("kind", "award", "recipient", "sent_at")
    list_filter = ("kind",)
    list_select_related = ("award", "recipient")


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdmin):
    """The Open Badges 3.0 signing keys, public parts only: rotate with ``manage.py mentora_rotate_badge_key``."""

    list_display = ("key_id", "created", "retired_at")
    fields = ("key_id", "public_key_multibase", "created", "retired_at")  # never the private key
