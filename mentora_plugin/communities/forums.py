"""
The forums of a space: the two every space has (announcements, Q&A), thematic forums that staff and trainers whose
level unlocks ``lead_forums`` create and lead, and their rules (who starts threads, read-only, slow mode, closing
date, archive). Changing a forum's rules is logged (``FORUM_RULES``) so the course team can see who changed what.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora_plugin.communities import access
from mentora_plugin.communities.common import CommunitiesError, forbidden
from mentora_plugin.communities.data import ForumInfo
from mentora_plugin.communities.models import Follow, Forum, Group, ModerationAction
from mentora_plugin.host import api as host_api
from mentora_plugin.host.data import CourseRole
from mentora_plugin.text import render_markdown

__all__ = ["create_forum", "get_forum", "list_forums", "update_forum"]

MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_SLOW_MODE_SECONDS = 7 * 24 * 3600
_KIND_ORDER = {Forum.Kind.ANNOUNCEMENTS: 0, Forum.Kind.QA: 1, Forum.Kind.DISCUSSION: 2, Forum.Kind.GROUP: 3}
_FIELDS = ("title", "description", "posting", "read_only", "slow_mode_seconds", "closes_at", "archived", "leader")


def forum_infos(ctx: access.Context, forums: list[Forum] | None = None) -> list[ForumInfo]:
    """
    ``forums`` (default: the space's visible forums except group boards, announcements, Q&A, then thematic by
    position) as ``ctx``'s user sees them, in a constant number of queries.
    """
    if forums is None:
        forums = sorted(
            access.visible_forums(ctx).exclude(kind=Forum.Kind.GROUP),
            key=lambda forum: (_KIND_ORDER.get(forum.kind, 9), forum.position, forum.pk),
        )
    if not forums:
        return []
    ids = [forum.pk for forum in forums]
    people = access.person_refs(ctx, {forum.leader_id for forum in forums if forum.leader_id})
    followed = set(Follow.objects.filter(user_id=ctx.user_id, forum_id__in=ids).values_list("forum_id", flat=True))
    groups = dict(Group.objects.filter(board_id__in=ids).values_list("board_id", "pk"))
    now = timezone.now()
    return [
        ForumInfo(
            id=forum.pk,
            course_key=ctx.course_key,
            kind=forum.kind,
            title=access.forum_title(forum),
            description=forum.description,
            description_html=str(render_markdown(forum.description)),
            leader=people.get(forum.leader_id) if forum.leader_id else None,
            posting=forum.posting,
            read_only=forum.read_only,
            slow_mode_seconds=forum.slow_mode_seconds,
            closes_at=forum.closes_at,
            is_open=forum.closes_at is None or forum.closes_at > now,
            archived=forum.archived,
            can_post=access.may_post_in(ctx, forum, new_thread=True),
            following=forum.pk in followed,
            group_id=groups.get(forum.pk),
        )
        for forum in forums
    ]


def forum_info(ctx: access.Context, forum: Forum) -> ForumInfo:
    """One forum as ``ctx``'s user sees it."""
    return forum_infos(ctx, [forum])[0]


def list_forums(user: Any, course_key: Any) -> list[ForumInfo]:
    """The forums ``user`` may read in the course: announcements, Q&A, then thematic ones (not group boards)."""
    return forum_infos(access.reader(user, course_key))


def get_forum(user: Any, forum_id: Any) -> ForumInfo:
    """One forum (404 ``forum_not_found`` when absent or not visible to ``user``)."""
    ctx, forum = access.reader_of_forum(user, forum_id)
    return forum_info(ctx, forum)


# --- validation -------------------------------------------------------------------------------------------------------


def _title(value: Any) -> str:
    title = (value or "").strip() if isinstance(value, str) or value is None else None
    if title is None:
        raise CommunitiesError("invalid_value", _("Give a text."), 400, field="title")
    if not title:
        raise CommunitiesError("title_required", _("Give the forum a title."), 400, field="title")
    if len(title) > MAX_TITLE:
        raise CommunitiesError(
            "title_too_long", _("A title has at most {count} characters.").format(count=MAX_TITLE), 400, field="title")
    return title


def _description(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise CommunitiesError("invalid_value", _("Give a text."), 400, field="description")
    if len(value) > MAX_DESCRIPTION:
        raise CommunitiesError(
            "description_too_long", _("A description has at most {count} characters.").format(count=MAX_DESCRIPTION),
            400, field="description")
    return value.strip()


def _posting(value: Any) -> str:
    if value not in Forum.Posting.values:
        raise CommunitiesError("invalid_posting", _("Choose who may start discussions."), 400, field="posting")
    return value


def _flag(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise CommunitiesError("invalid_value", _("Give true or false."), 400, field=field)
    return value


def _slow_mode(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SLOW_MODE_SECONDS:
        raise CommunitiesError(
            "invalid_slow_mode", _("Give a number of seconds between 0 and one week."), 400, field="slow_mode_seconds")
    return value


def _closes_at(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise CommunitiesError("invalid_date", _("Give a date with its time zone."), 400, field="closes_at")
    return value


def _may_lead(user: Any, course_key: Any) -> bool:
    from mentora_plugin.trainers import api as trainers_api

    return (CourseRole.TRAINER in host_api.get_course_roles(user, course_key)
            and trainers_api.can(user, "lead_forums", course_key))


def _leader(ctx: access.Context, username: Any) -> Any:
    if username in (None, ""):
        return None
    if not isinstance(username, str):
        raise CommunitiesError("invalid_value", _("Give a username."), 400, field="leader")
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None or not _may_lead(user, ctx.course_key):
        raise CommunitiesError(
            "invalid_leader", _("The leader must be a trainer of this course whose level lets them lead forums."),
            400, field="leader")
    return user


# --- writing ----------------------------------------------------------------------------------------------------------


def create_forum(
    actor: Any,
    course_key: Any,
    *,
    title: str,
    description: str = "",
    posting: str = Forum.Posting.EVERYONE,
    read_only: bool = False,
    slow_mode_seconds: int = 0,
    closes_at: datetime | None = None,
) -> ForumInfo:
    """
    A new thematic forum, placed after the others. Staff, and trainers whose level unlocks ``lead_forums``
    (403 ``capability_refused`` for the others); a trainer who creates it leads it.
    """
    ctx = access.reader(actor, course_key)
    is_trainer = CourseRole.TRAINER in host_api.get_course_roles(actor, ctx.course_key)
    if not ctx.can_create_forum:
        if is_trainer:
            raise forbidden(_("Your trainer level does not let you lead forums yet."), code="capability_refused")
        raise forbidden(_("Only the course's staff and its trainers may create forums."))
    values = {
        "title": _title(title),
        "description": _description(description),
        "posting": _posting(posting),
        "read_only": _flag(read_only, "read_only"),
        "slow_mode_seconds": _slow_mode(slow_mode_seconds),
        "closes_at": _closes_at(closes_at),
    }
    with transaction.atomic():
        last = Forum.objects.filter(space=ctx.space).aggregate(last=Max("position"))["last"] or 0
        forum = Forum.objects.create(
            space=ctx.space, kind=Forum.Kind.DISCUSSION, created_by=actor, position=last + 1,
            leader=actor if is_trainer else None, **values,
        )
    return forum_info(ctx, forum)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def update_forum(actor: Any, forum_id: Any, *, reason: str = "", **changes: Any) -> ForumInfo:
    """
    Change a forum's rules: its leader or staff (only staff name the leader; the announcements and Q&A forums are
    never archived). Logged as ``FORUM_RULES`` with each change's old and new value, so the course team sees who
    changed what.
    """
    ctx, forum = access.reader_of_forum(actor, forum_id)
    is_leader = forum.leader_id is not None and forum.leader_id == ctx.user_id
    if not (ctx.can_manage or is_leader):
        raise forbidden(_("Only the forum's leader and the course's staff may change this forum."))
    unknown = sorted(set(changes) - set(_FIELDS))
    if unknown:
        raise CommunitiesError("unknown_field", _("This cannot be changed."), 400, field=unknown[0])
    if not isinstance(reason, str) or len(reason) > 500:
        raise CommunitiesError("invalid_value", _("A reason has at most 500 characters."), 400, field="reason")
    cleaners = {
        "title": _title, "description": _description, "posting": _posting,
        "read_only": lambda value: _flag(value, "read_only"), "archived": lambda value: _flag(value, "archived"),
        "slow_mode_seconds": _slow_mode, "closes_at": _closes_at,
    }
    values = {name: cleaners[name](value) for name, value in changes.items() if name != "leader"}
    if "leader" in changes:
        if not ctx.can_manage:
            raise forbidden(_("Only the course's staff may name a forum's leader."))
        values["leader"] = _leader(ctx, changes["leader"])
    if forum.kind in (Forum.Kind.ANNOUNCEMENTS, Forum.Kind.QA) and values.get("archived"):
        raise CommunitiesError("forum_required", _("Every community keeps this forum."), 409, field="archived")
    details = {}
    for name, value in values.items():
        old = getattr(forum, name)
        if name == "leader":  # by user id: the log must not keep a retired person's username
            old_id = old.pk if old is not None else None
            new_id = value.pk if value is not None else None
            if old_id != new_id:
                details["leader_id"] = [old_id, new_id]
        elif old != value:
            details[name] = [_jsonable(old), _jsonable(value)]
        setattr(forum, name, value)
    if details:
        with transaction.atomic():
            forum.save(update_fields=[name for name in values])
            ModerationAction.objects.create(
                space=ctx.space, actor=actor, action=ModerationAction.Action.FORUM_RULES, reason=reason.strip(),
                details={"forum_id": forum.pk, "changes": details},
            )
    return forum_info(ctx, forum)
