"""
Following threads, forums and people of a space (what notifications tell about), and read marks (what listings show
as unread). Every call is idempotent: following twice follows once, unfollowing what one does not follow is fine.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora_plugin.communities import access
from mentora_plugin.communities.common import CommunitiesError, not_found
from mentora_plugin.communities.models import Follow, ThreadRead
from mentora_plugin.db import insert_ignoring_conflicts

__all__ = [
    "follow_forum",
    "follow_thread",
    "follow_user",
    "is_following_user",
    "mark_read",
    "unfollow_forum",
    "unfollow_thread",
    "unfollow_user",
]


def follow_thread(user: Any, thread_id: Any) -> None:
    """Follow a thread ``user`` may read (404 otherwise): its new posts are notified."""
    ctx, thread = access.reader_of_thread(user, thread_id)
    if not Follow.objects.filter(user_id=ctx.user_id, thread=thread).exists():
        insert_ignoring_conflicts(Follow(user_id=ctx.user_id, space=ctx.space, thread=thread))


def unfollow_thread(user: Any, thread_id: Any) -> None:
    """Stop following a thread."""
    ctx, thread = access.reader_of_thread(user, thread_id)
    Follow.objects.filter(user_id=ctx.user_id, thread=thread).delete()


def follow_forum(user: Any, forum_id: Any) -> None:
    """Follow a forum ``user`` may read (404 otherwise): its new threads are notified."""
    ctx, forum = access.reader_of_forum(user, forum_id)
    if not Follow.objects.filter(user_id=ctx.user_id, forum=forum).exists():
        insert_ignoring_conflicts(Follow(user_id=ctx.user_id, space=ctx.space, forum=forum))


def unfollow_forum(user: Any, forum_id: Any) -> None:
    """Stop following a forum."""
    ctx, forum = access.reader_of_forum(user, forum_id)
    Follow.objects.filter(user_id=ctx.user_id, forum=forum).delete()


def _person(ctx: access.Context, username: Any) -> Any:
    """Someone with a part in the course (404 ``person_not_found`` otherwise: no leak of who exists elsewhere)."""
    if not isinstance(username, str) or not username:
        raise not_found("person")
    person = get_user_model().objects.filter(username=username, is_active=True).first()
    if person is None or not person.has_perm("mentora_communities.view_space", ctx.course_key):
        raise not_found("person")
    return person


def follow_user(user: Any, course_key: Any, username: str) -> None:
    """Follow a person of the course's space: their new posts there are notified. Not oneself (400 ``self``)."""
    ctx = access.reader(user, course_key)
    person = _person(ctx, username)
    if person.pk == ctx.user_id:
        raise CommunitiesError("self", _("You cannot follow yourself."), 400, field="username")
    if not Follow.objects.filter(user_id=ctx.user_id, space=ctx.space, followed_user=person).exists():
        insert_ignoring_conflicts(Follow(user_id=ctx.user_id, space=ctx.space, followed_user=person))


def unfollow_user(user: Any, course_key: Any, username: str) -> None:
    """Stop following a person in the course's space (also someone who since left the course)."""
    ctx = access.reader(user, course_key)
    if not isinstance(username, str) or not username:
        raise not_found("person")
    Follow.objects.filter(user_id=ctx.user_id, space=ctx.space, followed_user__username=username).delete()


def is_following_user(user: Any, course_key: Any, username: str) -> bool:
    """
    Whether ``user`` follows the person ``username`` in the course's space (the person page's follow button shows
    it). Someone unknown is not followed: False, not a 404, because the caller already decided what to show.
    """
    ctx = access.reader(user, course_key)
    if not isinstance(username, str) or not username:
        return False
    return Follow.objects.filter(user_id=ctx.user_id, space=ctx.space, followed_user__username=username).exists()


def mark_read(user: Any, thread_id: Any, at: datetime | None = None) -> None:
    """
    Mark a thread read up to its last activity (or up to ``at``, when the page was shown): never moves a read mark
    back, so a late request cannot make read posts unread again.
    """
    ctx, thread = access.reader_of_thread(user, thread_id)
    if at is not None and (not isinstance(at, datetime) or timezone.is_naive(at)):
        raise CommunitiesError("invalid_date", _("Give a date with its time zone."), 400, field="at")
    read_at = at or thread.last_activity_at
    updated = ThreadRead.objects.filter(user_id=ctx.user_id, thread=thread, read_at__lt=read_at).update(
        read_at=read_at)
    if not updated and not ThreadRead.objects.filter(user_id=ctx.user_id, thread=thread).exists():
        insert_ignoring_conflicts(ThreadRead(user_id=ctx.user_id, thread=thread, read_at=read_at))
        ThreadRead.objects.filter(user_id=ctx.user_id, thread=thread, read_at__lt=read_at).update(read_at=read_at)
