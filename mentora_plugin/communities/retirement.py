"""
What communities erase when the platform retires a user (GDPR), on the platform's USER_RETIRE_LMS_MISC signal.

The conversation stays: threads and posts keep their text, authorless (pages say "a former member"), and the
moderation log keeps its rows without the person. Every link to the user is either nulled or its row deleted, as
``USER_LINKS`` says for each foreign key to the user model of ``models.py`` (a test checks that none is missing):
their mentions, follows (theirs and of them), reactions, read marks, notifications, preferences, memberships of
spaces and groups, and sanctions go; their reports stay for the record, without them or their note. An @username
typed in someone else's post stays as typed (it is their text).
"""
from __future__ import annotations

import logging
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import ForeignKey

from mentora_plugin.host import api as host_api
from mentora_plugin.host import compat

__all__ = ["USER_LINKS", "connect_receivers", "retire_user", "user_links"]

log = logging.getLogger(__name__)

NULL = "null"
DELETE = "delete"
#: Each foreign key to the user model: ``(model name, field name) -> NULL`` (the row stays without them) or
#: ``DELETE`` (the row is about them and goes).
USER_LINKS: dict[tuple[str, str], str] = {
    ("Member", "user"): DELETE,
    ("Forum", "leader"): NULL,
    ("Forum", "created_by"): NULL,
    ("Thread", "author"): NULL,
    ("Thread", "assignee"): NULL,
    ("Thread", "answered_by"): NULL,
    ("Post", "author"): NULL,
    ("Post", "edited_by"): NULL,
    ("Reaction", "user"): DELETE,
    ("Mention", "user"): DELETE,
    ("Follow", "user"): DELETE,
    ("Follow", "followed_user"): DELETE,
    ("ThreadRead", "user"): DELETE,
    ("Report", "reporter"): NULL,
    ("Report", "resolved_by"): NULL,
    ("Sanction", "user"): DELETE,
    ("Sanction", "created_by"): NULL,
    ("ModerationAction", "actor"): NULL,
    ("ModerationAction", "target_user"): NULL,
    ("Group", "supervisor"): NULL,
    ("Group", "created_by"): NULL,
    ("GroupMembership", "user"): DELETE,
    ("GroupMembership", "added_by"): NULL,
    ("Milestone", "done_by"): NULL,
    ("Notification", "recipient"): DELETE,
    ("Notification", "actor"): NULL,
    ("NotificationPreference", "user"): DELETE,
}


def user_links() -> list[tuple[Any, str]]:
    """Every (model, field name) of communities with a foreign key (or one-to-one) to the user model."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    found = []
    for model in apps.get_app_config("mentora_communities").get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, ForeignKey) and field.remote_field.model is user_model:
                found.append((model, field.name))
    return found


def retire_user(user: Any) -> None:
    """Erase ``user``'s communities data as the module's docstring says. Idempotent."""
    from mentora_plugin.communities.models import Report

    user_id = host_api._user_id(user)
    links = user_links()
    missing = [f"{model.__name__}.{name}" for model, name in links if (model.__name__, name) not in USER_LINKS]
    if missing:  # a new foreign key nobody decided about: refuse rather than keep personal data silently
        raise RuntimeError(f"Communities' retirement does not handle {', '.join(missing)}")
    with transaction.atomic():
        # Their reports' notes are their words about someone else's post: gone with the link.
        Report.objects.filter(reporter_id=user_id).update(note="")
        for model, name in links:
            rows = model._base_manager.filter(**{f"{name}_id": user_id})
            if USER_LINKS[(model.__name__, name)] == DELETE:
                rows.delete()
            else:
                rows.update(**{name: None})
    log.info("Mentora communities data retired for user %s", user_id)


def _on_retire(sender: Any, user: Any = None, **kwargs: Any) -> None:
    if user is not None:
        retire_user(user)


def connect_receivers() -> None:
    """Listen to the platform's retirement signal (a stand-in outside the platform)."""
    compat.get_retirement_signals()["USER_RETIRE_LMS_MISC"].connect(
        _on_retire, dispatch_uid="mentora_communities_retire_user", weak=False
    )
