"""
The Django admin of trainers. Every change goes through ``api`` (the same functions as the pages and the REST API),
so the admin cannot skip the state machine, the audit trail or the level log.

- Skills: the taxonomy, editable (new skills through ``api.create_skill``; skills are retired with "active", not
  deleted, because profiles and badges point at them).
- Trainer profiles, activity, level changes, ratings and disputes are records: read-only here. Staff act on them
  with admin actions that ask for a reason on an intermediate page and call the API: lock or unlock a trainer's level
  (``levels.lock_level`` / ``unlock_level``), hide or show a rating (``ratings.hide_rating`` / ``unhide_rating``).
  Disputes are handled on their staff page (``mentora-trainers:disputes-detail``), linked from here.
"""
from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from mentora_plugin.admin_actions import ReadOnlyAdmin, with_reason
from mentora_plugin.trainers import (
    admin_applications,  # noqa: F401  (registers the applications' admin)
    api,
)
from mentora_plugin.trainers.common import TrainersError
from mentora_plugin.trainers.models import (
    Dispute,
    DisputeNote,
    LevelChange,
    Skill,
    TrainerActivity,
    TrainerProfile,
    TrainerRating,
)


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "parent", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "slug")
    list_select_related = ("parent",)
    prepopulated_fields = {"slug": ("name",)}

    def get_fields(self, request, obj=None):
        return ("slug", "name", "description", "parent", "is_active") if obj else ("slug", "name", "description",
                                                                                  "parent")

    def get_readonly_fields(self, request, obj=None):
        return ("slug",) if obj else ()  # a skill's identifier is what profiles, badges and URLs refer to

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj else self.prepopulated_fields

    def has_delete_permission(self, request, obj=None):
        return False  # profiles and badges point at skills: retire one with "active" instead

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = api.create_skill(
            request.user, obj.slug, obj.name, obj.description, obj.parent.slug if obj.parent else None
        )
        obj.pk = Skill.objects.get(slug=created.slug).pk


@admin.register(TrainerProfile)
class TrainerProfileAdmin(ReadOnlyAdmin):
    list_display = ("user", "status", "level", "level_locked", "rating_score", "rating_count", "activated_at")
    list_filter = ("status", "level", "level_locked")
    search_fields = ("user__username",)
    list_select_related = ("user",)
    actions = ("lock_level", "unlock_level")

    @admin.action(description=gettext_lazy("Lock the level (with a reason)"))
    def lock_level(self, request, queryset):
        return with_reason(
            self, request, queryset.select_related("user"),
            refused_by=TrainersError,
            title=_("Lock these trainers' level"),
            apply=lambda profile, reason: api.lock_level(profile.user, request.user, reason),
            done=lambda count: ngettext("%(count)d level locked.", "%(count)d levels locked.", count)
            % {"count": count},
        )

    @admin.action(description=gettext_lazy("Unlock the level (with a reason)"))
    def unlock_level(self, request, queryset):
        return with_reason(
            self, request, queryset.select_related("user"),
            refused_by=TrainersError,
            title=_("Unlock these trainers' level"),
            apply=lambda profile, reason: api.unlock_level(profile.user, request.user, reason),
            done=lambda count: ngettext("%(count)d level unlocked.", "%(count)d levels unlocked.", count)
            % {"count": count},
        )


@admin.register(TrainerRating)
class TrainerRatingAdmin(ReadOnlyAdmin):
    list_display = ("trainer", "learner", "stars", "course_key", "is_hidden", "created")
    list_filter = ("is_hidden", "stars")
    search_fields = ("trainer__username", "learner__username")
    list_select_related = ("trainer", "learner")
    actions = ("hide", "show")

    @admin.action(description=gettext_lazy("Hide the rating (with a reason)"))
    def hide(self, request, queryset):
        return with_reason(
            self, request, queryset,
            refused_by=TrainersError,
            title=_("Hide these ratings"),
            apply=lambda rating, reason: api.hide_rating(request.user, rating.pk, reason),
            done=lambda count: ngettext("%(count)d rating hidden.", "%(count)d ratings hidden.", count)
            % {"count": count},
        )

    @admin.action(description=gettext_lazy("Show the rating again (with a reason)"))
    def show(self, request, queryset):
        return with_reason(
            self, request, queryset,
            refused_by=TrainersError,
            title=_("Show these ratings again"),
            apply=lambda rating, reason: api.unhide_rating(request.user, rating.pk, reason),
            done=lambda count: ngettext("%(count)d rating shown again.", "%(count)d ratings shown again.", count)
            % {"count": count},
        )


@admin.register(TrainerActivity)
class TrainerActivityAdmin(ReadOnlyAdmin):
    list_display = ("kind", "source_id", "trainer", "learner", "course_key", "outcome", "occurred_at")
    list_filter = ("kind", "outcome")
    search_fields = ("trainer__username", "learner__username", "source_id")
    list_select_related = ("trainer", "learner")


@admin.register(LevelChange)
class LevelChangeAdmin(ReadOnlyAdmin):
    list_display = ("profile", "kind", "from_level", "to_level", "actor", "at")
    list_filter = ("kind",)
    search_fields = ("profile__user__username",)
    list_select_related = ("profile", "actor")


class DisputeNoteInline(admin.TabularInline):
    model = DisputeNote
    fields = ("created", "author", "status_change", "body")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ("id", "status", "category", "reporter", "reported", "against_trainer", "upheld", "assignee",
                    "created", "staff_page")
    list_filter = ("status", "category", "against_trainer", "upheld")
    search_fields = ("reporter__username", "reported__username")
    list_select_related = ("reporter", "reported", "assignee")
    inlines = (DisputeNoteInline,)
    readonly_fields = ("staff_page",)

    @admin.display(description=gettext_lazy("Staff page"))
    def staff_page(self, obj):
        url = reverse("mentora-trainers:disputes-detail", kwargs={"dispute_id": obj.pk})
        return format_html('<a href="{}">{}</a>', url, _("Handle the case"))
