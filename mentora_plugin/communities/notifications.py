"""
Communities' notifications: the in-app list of each person and their email digest.

``notify`` is the one door every part of communities uses to tell people something. It is idempotent by recipient
and ``key`` (the table's unique constraint), so that a retried Celery task tells once; it honours each recipient's
in-app preferences, never tells the actor about their own action, and tells only people who may still read the
space (not those unenrolled since, nor the suspended).

``post_created`` (the ``tasks.notify_post_created`` task, queued by ``posts`` once a write commits) works out who a
new post concerns: a reply tells the thread's author, a comment the author of the reply it comments, a mention the
person named, followers of the thread (of the forum for a new thread) and followers of the author hear of it too.
Each person is told once, by the most specific kind they accept, and only when they may read that very post (the
checks of ``access``: a private question, another group's board, a hidden post are out of reach).

``send_digests`` (Celery beat, hourly) emails each person due their digest (daily or weekly since the last one) the
notifications they have not read yet, of the kinds they want by email, in their language and time zone, then marks
them emailed: a second run in the same period sends nothing.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from mentora_plugin import emails
from mentora_plugin.communities.common import CommunitiesError
from mentora_plugin.communities.data import NotificationInfo, PersonRef, PreferenceInfo
from mentora_plugin.communities.models import (
    Follow,
    Mention,
    Notification,
    NotificationPreference,
    Post,
    Space,
)
from mentora_plugin.db import insert_ignoring_conflicts
from mentora_plugin.host import api as host_api

__all__ = [
    "DEFAULT_EMAIL_KINDS",
    "DEFAULT_IN_APP_KINDS",
    "get_preferences",
    "list_notifications",
    "mark_notifications_read",
    "notify",
    "post_created",
    "send_digests",
    "set_preferences",
    "unread_notification_count",
]

log = logging.getLogger(__name__)

Kind = Notification.Kind
#: What people receive in the app until they choose: everything.
DEFAULT_IN_APP_KINDS: frozenset[str] = frozenset(Kind.values)
#: What the digest carries until they choose: what is addressed to them, not the busy "followed" news.
DEFAULT_EMAIL_KINDS: frozenset[str] = frozenset({
    Kind.REPLY, Kind.MENTION, Kind.ANSWER, Kind.PRIORITY, Kind.ESCALATION, Kind.GROUP, Kind.MODERATION,
})
#: The period of each digest frequency.
DIGEST_PERIODS = {
    NotificationPreference.Digest.DAILY: timedelta(days=1),
    NotificationPreference.Digest.WEEKLY: timedelta(days=7),
}
#: A digest run an hour late must not wait a whole extra period: a digest is due this much before its period ends.
DIGEST_TOLERANCE = timedelta(minutes=10)
#: The most notifications one digest lists (the rest are counted, the link leads to them all).
DIGEST_MAX_ITEMS = 50
TEMPLATES = "mentora/communities/email/"
_MAX_PAGE_SIZE = 100


# --- telling ----------------------------------------------------------------------------------------------------------


def notify(
    recipient_ids: Iterable[int | None],
    kind: str,
    *,
    space_id: int,
    thread_id: int | None = None,
    post_id: int | None = None,
    actor_id: int | None = None,
    key: str,
) -> int:
    """
    Tell ``recipient_ids`` about ``kind`` in a space, once per recipient and ``key``.

    Args:
        recipient_ids: who to tell (None entries, e.g. a retired author, are ignored; the actor is skipped).
        kind: a ``Notification.Kind``.
        space_id: the space it happened in.
        thread_id, post_id: what it is about (the in-app line links there).
        actor_id: who did it (never told about their own act).
        key: what makes it unique for a recipient (e.g. ``post:<id>``, ``priority:<thread id>``); hashed past 64
            characters.

    Returns:
        How many notifications this call created (0 when all were made before).

    Raises:
        ValueError: an unknown kind (a programming error).
    """
    if kind not in Kind.values:
        raise ValueError(f"Unknown communities' notification kind {kind!r}")
    wanted = {int(pk) for pk in recipient_ids if pk is not None} - {actor_id}
    if not wanted:
        return 0
    space = Space.objects.filter(pk=space_id).first()
    if space is None:
        return 0
    in_app = _preferred_kinds(wanted, "in_app")
    wanted = {pk for pk in wanted if kind in in_app[pk]}
    users = _active_users(wanted)
    allowed = [user.pk for user in users if _may_read_space(user, space)]
    return _create(allowed, kind, space_id=space_id, thread_id=thread_id, post_id=post_id, actor_id=actor_id,
                   key=key)


def post_created(post_id: int) -> int:
    """
    Tell whom a new post concerns (the body of ``tasks.notify_post_created``; see the module's docstring).

    Returns:
        How many notifications were created (0 when the post is gone, hidden, or everyone was told before).
    """
    post = (
        Post.objects.select_related("thread__forum__space", "parent")
        .filter(pk=post_id).first()
    )
    if post is None or post.hidden or post.deleted or post.thread.hidden or post.thread.deleted:
        return 0
    thread = post.thread
    space = thread.forum.space
    # Who qualifies for which kinds, the most specific first.
    kinds: dict[int, list[str]] = {}

    def add(user_ids: Iterable[int | None], kind: str) -> None:
        for pk in user_ids:
            if pk is not None and pk != post.author_id:
                kinds.setdefault(pk, []).append(kind)

    add(Mention.objects.filter(post=post).values_list("user_id", flat=True), Kind.MENTION)
    if post.parent_id is not None:
        add([post.parent.author_id], Kind.REPLY)
    elif not post.is_opening:
        add([thread.author_id], Kind.REPLY)
    if post.is_opening:
        add(Follow.objects.filter(forum_id=thread.forum_id).values_list("user_id", flat=True), Kind.FOLLOWED_FORUM)
    else:
        add(Follow.objects.filter(thread=thread).values_list("user_id", flat=True), Kind.FOLLOWED_THREAD)
    if post.author_id is not None:
        add(Follow.objects.filter(space=space, followed_user_id=post.author_id).values_list("user_id", flat=True),
            Kind.FOLLOWED_USER)
    if not kinds:
        return 0
    in_app = _preferred_kinds(kinds, "in_app")
    chosen: dict[str, list[int]] = {}
    for user in _active_users(kinds):
        kind = next((kind for kind in kinds[user.pk] if kind in in_app[user.pk]), None)
        if kind is not None and _may_read_post(user, space, post):
            chosen.setdefault(kind, []).append(user.pk)
    created = 0
    for kind, user_ids in chosen.items():
        created += _create(user_ids, kind, space_id=space.pk, thread_id=thread.pk, post_id=post.pk,
                           actor_id=post.author_id, key=f"post:{post.pk}")
    return created


def _create(user_ids: Iterable[int], kind: str, *, space_id: int, thread_id: int | None, post_id: int | None,
            actor_id: int | None, key: str) -> int:
    """Insert the notifications not made yet (the unique (recipient, key) makes a race harmless)."""
    key = _short_key(key)
    user_ids = set(user_ids)
    if not user_ids:
        return 0
    done = set(Notification.objects.filter(recipient_id__in=user_ids, key=key).values_list("recipient_id", flat=True))
    now = timezone.now()
    rows = [
        Notification(recipient_id=pk, kind=kind, space_id=space_id, thread_id=thread_id, post_id=post_id,
                     actor_id=actor_id, key=key, created=now)
        for pk in sorted(user_ids - done)
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _short_key(key: str) -> str:
    key = str(key)
    return key if len(key) <= 64 else hashlib.sha256(key.encode()).hexdigest()


def _active_users(user_ids: Iterable[int]) -> list[Any]:
    return list(get_user_model().objects.filter(pk__in=list(user_ids), is_active=True).order_by("pk"))


def _may_read_space(user: Any, space: Space) -> bool:
    """Whether ``user`` may read the space now (enrolled or a part in the course, and not suspended)."""
    from mentora_plugin.communities import access

    try:
        access.reader(user, space.course_key)
    except CommunitiesError:
        return False
    return True


def _may_read_post(user: Any, space: Space, post: Post) -> bool:
    """Whether ``user`` may read ``post`` now (the space, then the thread and the post as ``access`` shows them)."""
    from mentora_plugin.communities import access

    try:
        ctx = access.reader(user, space.course_key)
    except CommunitiesError:
        return False
    return access.visible_posts(ctx).filter(pk=post.pk, thread__in=access.visible_threads(ctx)).exists()


def _preferred_kinds(user_ids: Iterable[int], channel: str) -> dict[int, frozenset[str]]:
    """Each person's kinds on ``channel`` ("in_app" or "email"): their choice, else the defaults."""
    default = DEFAULT_IN_APP_KINDS if channel == "in_app" else DEFAULT_EMAIL_KINDS
    user_ids = list(user_ids)
    chosen = dict(NotificationPreference.objects.filter(user_id__in=user_ids).values_list("user_id", channel))
    return {pk: default if chosen.get(pk) is None else frozenset(chosen[pk]) for pk in user_ids}


# --- the in-app list --------------------------------------------------------------------------------------------------


def list_notifications(user: Any, *, unread_only: bool = False, page: int = 1,
                       page_size: int = 20) -> list[NotificationInfo]:
    """``user``'s notifications, newest first (one page; ``page`` counts from 1)."""
    if not getattr(user, "is_authenticated", False):
        return []
    page, page_size = _page(page, page_size)
    rows = _reachable(user).select_related("space", "thread", "actor")
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    rows = list(rows.order_by("-created", "-pk")[(page - 1) * page_size:page * page_size])
    return [_info(row) for row in rows]


def unread_notification_count(user: Any) -> int:
    """How many of ``user``'s notifications are unread (the badge on the bell)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return _reachable(user).filter(read_at__isnull=True).count()


def _reachable(user: Any):
    """
    ``user``'s notifications whose thread they may still read (as ``access`` shows it now): someone unenrolled,
    suspended, taken out of a group, or whose thread was since hidden, deleted or archived away, must not keep
    reading its title from their list or their digest. The notice to an author that their own post was moderated
    stays. One check per distinct space (a handful), then one query.
    """
    from mentora_plugin.communities import access

    mine = Notification.objects.filter(recipient=user)
    reachable = Q(pk__in=[])
    for space in Space.objects.filter(pk__in=mine.values("space_id").distinct()):
        try:
            ctx = access.reader(user, space.course_key)
        except CommunitiesError:
            continue
        reachable |= Q(space_id=space.pk) & (
            Q(thread__isnull=True)
            | Q(thread__in=access.visible_threads(ctx))
            | Q(kind=Notification.Kind.MODERATION, thread__author=user)
        )
    return mine.filter(reachable)


def mark_notifications_read(user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark ``user``'s notifications ``ids`` (all when None) read. Returns how many changed (others' ids: none)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        try:
            ids = [pk for pk in (int(pk) for pk in ids) if 0 < pk < 2**63]  # beyond: no such row, and no overflow
        except (TypeError, ValueError) as error:
            raise CommunitiesError("invalid_ids", _("Give notification ids as numbers."), field="ids") from error
        rows = rows.filter(pk__in=ids)
    return rows.update(read_at=timezone.now())


def _page(page: Any, page_size: Any) -> tuple[int, int]:
    try:
        page, page_size = int(page), int(page_size)
    except (TypeError, ValueError) as error:
        raise CommunitiesError("invalid_page", _("Give the page as a number."), field="page") from error
    return max(page, 1), min(max(page_size, 1), _MAX_PAGE_SIZE)


def _person(user: Any) -> PersonRef | None:
    if user is None:
        return None
    return PersonRef(id=user.pk, username=user.username, display_name=host_api.display_name(user), role="")


def _info(row: Notification) -> NotificationInfo:
    course_key = row.space.course_key
    return NotificationInfo(
        id=row.pk,
        kind=row.kind,
        course_key=course_key,
        thread_id=row.thread_id,
        thread_title=row.thread.title if row.thread_id else "",
        post_id=row.post_id,
        actor=_person(row.actor),
        created=row.created,
        read=row.read_at is not None,
        url=_url(course_key, row.thread_id, row.post_id),
    )


def _url(course_key: Any, thread_id: int | None, post_id: int | None) -> str:
    """The page a notification leads to: the thread at the post, else the space."""
    course_id = str(course_key)
    try:
        if thread_id is None:
            return reverse("mentora-communities:space", args=[course_id])
        path = reverse("mentora-communities:thread", args=[course_id, thread_id])
    except NoReverseMatch:
        if thread_id is None:
            return f"/mentora/communities/courses/{course_id}/"
        path = f"/mentora/communities/{course_id}/threads/{thread_id}/"
    return f"{path}#post-{post_id}" if post_id else path


# --- preferences ------------------------------------------------------------------------------------------------------


def get_preferences(user: Any) -> PreferenceInfo:
    """What ``user`` receives in the app and by email, and how often the digest comes (defaults until they choose)."""
    row = NotificationPreference.objects.filter(user_id=host_api._user_id(user)).first()
    return _preference_info(row)


def set_preferences(user: Any, *, in_app: Iterable[str] | None = None, email: Iterable[str] | None = None,
                    digest: str | None = None) -> PreferenceInfo:
    """
    Choose what ``user`` receives (None keeps a choice as it is).

    Raises:
        CommunitiesError: 400 ``invalid_kind`` (field ``in_app`` or ``email``) for a kind that does not exist,
            ``invalid_digest`` (field ``digest``) for a frequency other than never, daily, weekly.
    """
    if not getattr(user, "is_authenticated", False):
        raise CommunitiesError("not_authenticated", _("Sign in to choose your notifications."), status=403)
    changes: dict[str, Any] = {}
    for name, kinds in (("in_app", in_app), ("email", email)):
        if kinds is None:
            continue
        if isinstance(kinds, str):
            kinds = [kinds]
        kinds = sorted({str(kind) for kind in kinds})
        unknown = [kind for kind in kinds if kind not in Kind.values]
        if unknown:
            raise CommunitiesError("invalid_kind", _("Unknown kind of notification: {kinds}.").format(
                kinds=", ".join(unknown)), field=name)
        changes[name] = kinds
    if digest is not None:
        if digest not in NotificationPreference.Digest.values:
            raise CommunitiesError("invalid_digest", _("Choose never, daily or weekly."), field="digest")
        changes["digest"] = digest
    insert_ignoring_conflicts(NotificationPreference(user_id=user.pk))
    if changes:
        NotificationPreference.objects.filter(user_id=user.pk).update(**changes)
    return get_preferences(user)


def _preference_info(row: NotificationPreference | None) -> PreferenceInfo:
    if row is None:
        return PreferenceInfo(in_app=DEFAULT_IN_APP_KINDS, email=DEFAULT_EMAIL_KINDS,
                              digest=NotificationPreference.Digest.DAILY)
    return PreferenceInfo(
        in_app=DEFAULT_IN_APP_KINDS if row.in_app is None else frozenset(row.in_app),
        email=DEFAULT_EMAIL_KINDS if row.email is None else frozenset(row.email),
        digest=row.digest,
    )


# --- the email digest -------------------------------------------------------------------------------------------------


def send_digests(now: datetime | None = None) -> int:
    """
    Email each person whose digest is due (see the module's docstring). Idempotent: what was emailed is marked, and
    a person's digest is not due again before its period has passed.

    Returns:
        How many emails were sent.
    """
    now = now or timezone.now()
    pending = Notification.objects.filter(emailed_at__isnull=True, created__lte=now)
    recipient_ids = sorted(set(pending.values_list("recipient_id", flat=True)))
    sent = 0
    failure: Exception | None = None
    for recipient_id in recipient_ids:
        try:
            sent += _send_digest(recipient_id, now)
        except Exception as error:  # one person's failure must not stop the others' digests
            log.exception("The communities digest of user %s failed", recipient_id)
            failure = failure or error
    if failure is not None:
        raise failure  # the task retries; those sent are marked and not sent again
    return sent


def _send_digest(recipient_id: int, now: datetime) -> int:
    """One person's digest, under the lock of their preference row (a concurrent run waits, then finds it sent)."""
    user = get_user_model().objects.filter(pk=recipient_id, is_active=True).first()
    if user is None:
        return 0
    insert_ignoring_conflicts(NotificationPreference(user_id=recipient_id))
    with transaction.atomic():
        preference = NotificationPreference.objects.select_for_update().get(user_id=recipient_id)
        period = DIGEST_PERIODS.get(preference.digest)
        if period is None:  # never: nothing is ever emailed; leave the rows for a later change of mind
            return 0
        if preference.last_digest_at is not None and now < preference.last_digest_at + period - DIGEST_TOLERANCE:
            return 0
        pending = Notification.objects.filter(recipient_id=recipient_id, emailed_at__isnull=True, created__lte=now)
        wanted = _preference_info(preference).email
        rows = list(
            pending.filter(read_at__isnull=True, kind__in=sorted(wanted))
            .select_related("space", "thread", "actor").order_by("created", "pk")
        )
        reachable = set(_reachable(user).filter(pk__in=[row.pk for row in rows]).values_list("pk", flat=True))
        items = [row for row in rows if row.pk in reachable]
        # Everything pending is dealt with now: read in the app, unwanted by email, or out of reach.
        pending.update(emailed_at=now)
        if not items or not user.email:
            return 0
        message = _compose(user, items)
        preference.last_digest_at = now
        preference.save(update_fields=["last_digest_at"])
        message.send()
    log.info("Sent the communities digest of user %s (%s notifications)", recipient_id, len(items))
    return 1


def _compose(user: Any, rows: list[Notification]) -> EmailMultiAlternatives:
    """The digest email for ``user``, in their language and time zone."""
    with emails.recipient_locale(user) as language:
        items = [
            {
                "kind": row.kind,
                "label": _line(row),
                "course": _course_title(row.space.course_key),
                "date": formats.date_format(timezone.localtime(row.created), "SHORT_DATETIME_FORMAT"),
                "url": host_api.absolute_url(_url(row.space.course_key, row.thread_id, row.post_id)),
            }
            for row in rows[:DIGEST_MAX_ITEMS]
        ]
        values = {
            "name": host_api.display_name(user),
            "items": items,
            "count": len(rows),
            "more": max(len(rows) - DIGEST_MAX_ITEMS, 0),
            "notifications_url": host_api.absolute_url(_notifications_path()),
            "language": language,
        }
        return emails.from_templates(f"{TEMPLATES}digest", values, language=language, to=user.email,
                                     sender_setting="MENTORA_COMMUNITIES_EMAIL_FROM")


def _notifications_path() -> str:
    try:
        return reverse("mentora-communities:notifications")
    except NoReverseMatch:
        return "/mentora/communities/notifications/"


def _course_title(course_key: Any) -> str:
    course = host_api.get_course(course_key)
    return course.title if course else str(course_key)


def _line(row: Notification) -> str:
    """One line of the digest, in the active language."""
    who = host_api.display_name(row.actor) if row.actor_id else _("Someone")
    title = row.thread.title if row.thread_id else ""
    lines = {
        Kind.REPLY: _("{who} replied in “{title}”"),
        Kind.MENTION: _("{who} mentioned you in “{title}”"),
        Kind.FOLLOWED_THREAD: _("{who} posted in “{title}”, a discussion you follow"),
        Kind.FOLLOWED_FORUM: _("{who} started “{title}” in a forum you follow"),
        Kind.FOLLOWED_USER: _("{who}, whom you follow, posted in “{title}”"),
        Kind.ANSWER: _("{who} answered your question “{title}”"),
        Kind.PRIORITY: _("A priority question awaits an answer: “{title}”"),
        Kind.ESCALATION: _("A priority question is past its response target: “{title}”"),
        Kind.GROUP: _("News of your group project: “{title}”") if title else _("News of your group project"),
        Kind.MODERATION: _("A moderator acted on your post in “{title}”"),
    }
    return lines[row.kind].format(who=who, title=title)
