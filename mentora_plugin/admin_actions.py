"""
What Mentora's Django admins share: read-only records, and actions that ask for a reason before they call a domain
API (every change goes through the API, with its audit).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

REASON_TEMPLATE = "mentora/admin_reason.html"


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record: nothing is added, changed or deleted here (the API's actions change it, with their audit)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def with_reason(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: Any,
    *,
    title: str,
    apply: Callable[[Any, str], Any],
    done: Callable[[int], str],
    refused_by: type[Exception] | tuple[type[Exception], ...],
) -> TemplateResponse | None:
    """
    An admin action that needs a reason: the first POST (from the change list) shows an intermediate page asking for
    it; the second (``apply``) calls ``apply(obj, reason)`` for each selected row. Without a reason the page comes
    back with the error and nothing is called. Rows the API refuses (``refused_by``, the domain's error) are listed
    with its message.
    """
    reason = (request.POST.get("reason") or "").strip()
    error = ""
    if request.POST.get("apply"):
        if reason:
            count, refused = 0, []
            for obj in queryset:
                try:
                    apply(obj, reason)
                    count += 1
                except refused_by as refusal:
                    refused.append(f"{obj}: {refusal}")
            if count:
                modeladmin.message_user(request, done(count), messages.SUCCESS)
            for line in refused:
                modeladmin.message_user(request, line, messages.ERROR)
            return None
        error = _("Give a reason: it is kept with the change.")
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.model._meta,
        "objects": list(queryset),
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "reason": reason,
        "error": error,
    }
    return TemplateResponse(request, REASON_TEMPLATE, context, status=400 if error else 200)
