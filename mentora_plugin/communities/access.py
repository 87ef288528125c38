"""
Who may read and write where in a course's space, computed once per call.

Every public function of communities starts here: ``reader`` (or ``reader_of_forum`` / ``_thread`` / ``_post``)
turns a user and a course into a ``Context`` (their doors in the space) or refuses them (403 ``not_enrolled``,
``suspended``); the ``visible_*`` querysets hold the visibility rules (hidden, deleted, private questions, group
boards, archived forums) in ONE place, so listing, search, Q&A and notifications cannot disagree; ``writer`` runs
every writing rule under the writer's locked ``Member`` row, so two requests racing cannot both slip under a limit.

Things not visible to someone are 404 for them, exactly like things that do not exist (no existence leak).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from opaque_keys.edx.keys import CourseKey

from mentora_plugin.communities.common import CommunitiesError, forbidden, not_found
from mentora_plugin.communities.data import PersonRef, SpaceInfo, SpaceSettings, ViewerInfo
from mentora_plugin.communities.models import (
    Forum,
    Group,
    GroupMembership,
    Member,
    Post,
    Sanction,
    Space,
    Thread,
)
from mentora_plugin.db import insert_ignoring_conflicts
from mentora_plugin.host import api as host_api
from mentora_plugin.host.data import CourseRole

__all__ = ["get_space", "get_space_settings", "get_viewer", "update_space_settings"]

#: The titles of the two forums every space is made with, stored in English and translated when shown.
ANNOUNCEMENTS_TITLE = gettext_noop("Announcements")
QA_TITLE = gettext_noop("Questions and answers")
DEFAULT_TITLES = {Forum.Kind.ANNOUNCEMENTS: ANNOUNCEMENTS_TITLE, Forum.Kind.QA: QA_TITLE}

_LINK = re.compile(r"(?:https?://|mailto:|www\.)", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Context:
    """
    One user's doors in one space, computed once per API call (roles are never re-queried in a loop).
    ``muted_until`` is set while an active mute lasts (they may read, not write).
    """

    user: Any
    space: Space
    course_key: CourseKey
    can_moderate: bool
    can_sanction: bool
    can_manage: bool
    can_answer: bool
    can_manage_groups: bool
    can_create_forum: bool
    muted_until: datetime | None

    @property
    def user_id(self) -> int:
        return self.user.pk

    @property
    def has_limits(self) -> bool:
        """Learners write under limits (slow mode, rates, links, duplicates); trainers, moderators, staff do not."""
        return not (self.can_moderate or self.can_answer or self.can_manage)


# --- spaces and readers -----------------------------------------------------------------------------------------------


def _course_key(course_key: Any) -> CourseKey:
    try:
        return host_api.parse_course_key(course_key)
    except host_api.HostError:
        raise CommunitiesError(
            "invalid_course_key", _("This is not a valid course key."), status=400, field="course_key"
        ) from None


def course_path(course_key: Any) -> str:
    """The path of a course's community pages: ``/mentora/communities/<course_key>/``."""
    return f"/mentora/communities/{course_key}/"


def space_for(course_key: Any) -> Space:
    """
    The course's space, made on first use with its announcements forum (only staff start threads there) and its Q&A
    forum. The forums are made in the transaction that inserts the space, so a race makes them once (MariaDB has
    no partial unique index to stop a second pair).
    """
    key = _course_key(course_key)
    space = Space.objects.filter(course_key=key).first()
    if space is not None:
        return space
    try:
        with transaction.atomic():
            space = Space.objects.create(course_key=key)
            Forum.objects.bulk_create([
                Forum(space=space, kind=Forum.Kind.ANNOUNCEMENTS, title=ANNOUNCEMENTS_TITLE,
                      posting=Forum.Posting.LEADERS, position=0),
                Forum(space=space, kind=Forum.Kind.QA, title=QA_TITLE, position=1),
            ])
    except IntegrityError:
        space = Space.objects.get(course_key=key)
    return space


def _refuse_outsider() -> CommunitiesError:
    return forbidden(_("Enrol in this course to take part in its community."), code="not_enrolled")


def reader(user: Any, course_key: Any) -> Context:
    """
    ``user``'s context in the course's space. Refuses (403) anonymous users and anyone without a part in the course
    (``not_enrolled``: also those unenrolled since), and the suspended (``suspended``, with ``until``).
    """
    key = _course_key(course_key)
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        raise _refuse_outsider()
    if not user.has_perm("mentora_communities.view_space", key):
        raise _refuse_outsider()
    space = space_for(key)
    now = timezone.now()
    muted_until = None
    for kind, until in Sanction.objects.filter(
        space=space, user=user, lifted_at__isnull=True, until__gt=now
    ).values_list("kind", "until"):
        if kind == Sanction.Kind.SUSPEND:
            raise forbidden(
                _("You are suspended from this course's community until {until}.").format(
                    until=_when(user, until)),
                code="suspended", until=until,
            )
        muted_until = max(muted_until, until) if muted_until else until
    roles = host_api.get_course_roles(user, key)
    is_staff = bool({CourseRole.STAFF, CourseRole.INSTRUCTOR} & roles) or user.is_staff or user.is_superuser
    is_trainer = CourseRole.TRAINER in roles
    if is_staff:
        can_moderate = can_sanction = True
    else:
        can_moderate = user.has_perm("mentora_communities.moderate_space", key)
        can_sanction = user.has_perm("mentora_communities.sanction_member", key)
    return Context(
        user=user,
        space=space,
        course_key=key,
        can_moderate=can_moderate,
        can_sanction=can_sanction,
        can_manage=is_staff or user.has_perm("mentora_communities.manage_space", key),
        can_answer=is_staff or is_trainer or user.has_perm("mentora_communities.answer_question", key),
        can_manage_groups=is_staff or is_trainer or user.has_perm("mentora_communities.manage_groups", key),
        can_create_forum=is_staff or (is_trainer and user.has_perm("mentora_communities.create_forum", key)),
        muted_until=muted_until,
    )


def _pk(value: Any) -> int | None:
    """An id from a caller (an int or its string); None when it cannot be one (a 404 then, not a 500)."""
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _may_see_group_board(ctx: Context, forum: Forum) -> bool:
    """Group boards: their members, their supervisor, staff (course or platform)."""
    if ctx.can_manage:
        return True
    return Group.objects.filter(board=forum).filter(
        Q(supervisor_id=ctx.user_id) | Q(memberships__user_id=ctx.user_id)
    ).exists()


def forum_visible(ctx: Context, forum: Forum) -> bool:
    """Whether ``ctx``'s user may read ``forum`` (a forum of ``ctx.space``)."""
    if forum.space_id != ctx.space.pk:
        return False
    if forum.archived and not ctx.can_moderate and forum.kind != Forum.Kind.GROUP:  # as ``visible_forums``
        return False
    if forum.kind == Forum.Kind.GROUP:
        return _may_see_group_board(ctx, forum)
    return True


def thread_visible(ctx: Context, thread: Thread) -> bool:
    """Whether ``ctx``'s user may read ``thread`` (its forum already checked)."""
    if ctx.can_moderate:
        return True
    if thread.hidden or thread.deleted:
        return False
    return not thread.private or thread.author_id == ctx.user_id or ctx.can_answer


def post_visible(ctx: Context, post: Post) -> bool:
    """Whether ``ctx``'s user may read ``post`` (its thread already checked); a comment goes with its reply."""
    if ctx.can_moderate:
        return True
    if post.hidden or post.deleted:
        return False
    return post.parent_id is None or Post.objects.filter(pk=post.parent_id, hidden=False, deleted=False).exists()


def reader_of_forum(user: Any, forum_id: Any) -> tuple[Context, Forum]:
    """The context and forum ``forum_id``; 404 ``forum_not_found`` when absent or not visible to ``user``."""
    pk = _pk(forum_id)
    forum = Forum.objects.select_related("space").filter(pk=pk).first() if pk else None
    if forum is None:
        raise not_found("forum")
    ctx = reader(user, forum.space.course_key)
    if not forum_visible(ctx, forum):
        raise not_found("forum")
    return ctx, forum


def reader_of_thread(user: Any, thread_id: Any) -> tuple[Context, Thread]:
    """The context and thread ``thread_id`` (its forum fetched with it); 404 ``thread_not_found`` otherwise."""
    pk = _pk(thread_id)
    thread = Thread.objects.select_related("forum", "forum__space").filter(pk=pk).first() if pk else None
    if thread is None:
        raise not_found("thread")
    ctx = reader(user, thread.forum.space.course_key)
    if not forum_visible(ctx, thread.forum) or not thread_visible(ctx, thread):
        raise not_found("thread")
    return ctx, thread


def reader_of_post(user: Any, post_id: Any) -> tuple[Context, Post]:
    """The context and post ``post_id`` (its thread and forum fetched with it); 404 ``post_not_found`` otherwise."""
    pk = _pk(post_id)
    post = (
        Post.objects.select_related("thread", "thread__forum", "thread__forum__space").filter(pk=pk).first()
        if pk else None
    )
    if post is None:
        raise not_found("post")
    ctx = reader(user, post.thread.forum.space.course_key)
    thread = post.thread
    if not (forum_visible(ctx, thread.forum) and thread_visible(ctx, thread) and post_visible(ctx, post)):
        raise not_found("post")
    return ctx, post


# --- what a reader sees -----------------------------------------------------------------------------------------------


def visible_forums(ctx: Context) -> QuerySet[Forum]:
    """
    The forums of the space ``ctx``'s user may read: group boards of their groups only; archived forums for
    moderators, and an archived group's board for its group still (its record; archived forums take no posts).
    """
    forums = Forum.objects.filter(space=ctx.space)
    if not ctx.can_moderate:
        forums = forums.filter(Q(archived=False) | Q(kind=Forum.Kind.GROUP))
    if not ctx.can_manage:
        mine = Group.objects.filter(board=OuterRef("pk")).filter(
            Q(supervisor_id=ctx.user_id)
            | Q(Exists(GroupMembership.objects.filter(group=OuterRef("pk"), user_id=ctx.user_id)))
        )
        forums = forums.filter(~Q(kind=Forum.Kind.GROUP) | Q(Exists(mine)))
    return forums


def _thread_rules(ctx: Context, prefix: str = "") -> Q:
    """The thread visibility rules as a Q (``prefix`` "thread__" when filtering posts)."""
    if ctx.can_moderate:
        return Q()
    rules = Q(**{f"{prefix}hidden": False, f"{prefix}deleted": False})
    if not ctx.can_answer:
        rules &= Q(**{f"{prefix}private": False}) | Q(**{f"{prefix}author_id": ctx.user_id})
    return rules


def visible_threads(ctx: Context, forum: Forum | None = None) -> QuerySet[Thread]:
    """The threads ``ctx``'s user may read in ``forum`` (already checked visible), or in the whole space if None."""
    if forum is not None:
        threads = Thread.objects.filter(forum=forum)
    else:
        threads = Thread.objects.filter(forum__in=visible_forums(ctx))
    return threads.filter(_thread_rules(ctx))


def _when(user: Any, moment: datetime) -> str:
    """A refusal's end as its reader's clock shows it, with the zone named (REST clients show the message as is)."""
    zone = host_api.get_user_time_zone(user)
    return f"{timezone.localtime(moment, zone):%Y-%m-%d %H:%M} ({zone.key})"


def visible_posts(ctx: Context) -> QuerySet[Post]:
    """The posts of the space ``ctx``'s user may read (filter further by thread)."""
    posts = Post.objects.filter(thread__forum__in=visible_forums(ctx)).filter(_thread_rules(ctx, "thread__"))
    if not ctx.can_moderate:
        # A comment goes with the reply it answers: hiding or deleting a reply takes its comments out of sight.
        posts = posts.filter(hidden=False, deleted=False).exclude(parent__hidden=True).exclude(parent__deleted=True)
    return posts


# --- writing ----------------------------------------------------------------------------------------------------------


def ensure_member(ctx: Context) -> None:
    """
    Make ``ctx``'s user's ``Member`` row if it is missing. Call it BEFORE ``transaction.atomic()``: on MariaDB an
    INSERT IGNORE racing a FOR UPDATE of the same new row deadlocks.
    """
    if not Member.objects.filter(space=ctx.space, user_id=ctx.user_id).exists():
        insert_ignoring_conflicts(Member(space=ctx.space, user_id=ctx.user_id, joined_at=timezone.now()))


def lock_member(ctx: Context) -> Member:
    """``ctx``'s user's ``Member`` row, locked until the transaction ends (``ensure_member`` made it)."""
    member = Member.objects.select_for_update().filter(space=ctx.space, user_id=ctx.user_id).first()
    if member is None:  # a caller forgot ensure_member: still correct, only less safe against deadlocks
        insert_ignoring_conflicts(Member(space=ctx.space, user_id=ctx.user_id, joined_at=timezone.now()))
        member = Member.objects.select_for_update().get(space=ctx.space, user_id=ctx.user_id)
    return member


def normalised(text: str) -> str:
    """``text`` as duplicate detection compares it: NFKC, case-folded, whitespace collapsed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text or "").casefold()).strip()


def fingerprint(title: str, body: str) -> str:
    """The sha256 of a post's normalised text (its title counts for an opening post)."""
    text = normalised(f"{title}\n{body}" if title else body)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def count_links(text: str) -> int:
    """How many links ``text`` holds (http(s)://, mailto:, www.)."""
    return len(_LINK.findall(text or ""))


def is_new_member(member: Member | None, now: datetime | None = None) -> bool:
    """Young rows (``MENTORA_COMMUNITIES_NEW_MEMBER_DAYS``) and people who never posted get the stricter limits."""
    if member is None or member.post_count == 0:
        return True
    now = now or timezone.now()
    return member.joined_at > now - timedelta(days=settings.MENTORA_COMMUNITIES_NEW_MEMBER_DAYS)


def may_post_in(ctx: Context, forum: Forum, *, new_thread: bool) -> bool:
    """Whether the forum's own rules (not the person's limits) let ``ctx``'s user write there now."""
    try:
        _forum_rules(ctx, forum, new_thread=new_thread)
    except CommunitiesError:
        return False
    return ctx.muted_until is None


def _forum_rules(ctx: Context, forum: Forum, *, new_thread: bool, now: datetime | None = None) -> None:
    now = now or timezone.now()
    is_leader = forum.leader_id is not None and forum.leader_id == ctx.user_id
    if forum.archived:
        raise CommunitiesError("forum_archived", _("This forum is archived: nobody posts in it any more."), 409)
    if forum.read_only and not (ctx.can_moderate or is_leader):
        raise forbidden(_("This forum is read-only."), code="forum_read_only")
    if forum.closes_at is not None and forum.closes_at <= now:
        raise CommunitiesError("forum_closed", _("This forum is closed to new posts."), 409)
    if new_thread:
        if forum.posting == Forum.Posting.TRAINERS:
            allowed = ctx.can_answer or ctx.can_moderate or is_leader
        elif forum.posting == Forum.Posting.LEADERS:
            allowed = is_leader or ctx.can_manage
        else:
            allowed = True
        if not allowed:
            raise forbidden(_("Only some people may start discussions in this forum."), code="posting_restricted")


def writer(ctx: Context, forum: Forum, *, thread: Thread | None = None, body: str = "", title: str = "") -> Member:
    """
    Check that ``ctx``'s user may write ``body`` (and ``title``, for a new thread) in ``forum`` (a reply in
    ``thread`` if given) now, and return their ``Member`` row locked. Call inside ``transaction.atomic()``, after
    ``ensure_member(ctx)`` outside it. Refusals: muted (403), forum rules (archived 409, read-only 403, closed 409,
    posting rule 403), thread locked or closed (409), then for learners: links (400), slow mode (429), rate limits
    (429), duplicates (409).
    """
    now = timezone.now()
    if ctx.muted_until is not None:
        raise forbidden(
            _("You are muted in this course's community until {until}.").format(
                until=_when(ctx.user, ctx.muted_until)),
            code="muted", until=ctx.muted_until,
        )
    _forum_rules(ctx, forum, new_thread=thread is None, now=now)
    if thread is not None and not ctx.can_moderate:
        if thread.locked:
            raise CommunitiesError("thread_locked", _("This discussion is locked."), 409)
        if thread.closed:
            raise CommunitiesError("thread_closed", _("This discussion is closed."), 409)
    member = lock_member(ctx)
    if not ctx.has_limits:
        return member
    limits = (
        settings.MENTORA_COMMUNITIES_NEW_MEMBER_LIMITS if is_new_member(member, now)
        else settings.MENTORA_COMMUNITIES_LIMITS
    )
    links_allowed = limits.get("links_per_post")
    if links_allowed is not None and count_links(f"{title}\n{body}") > links_allowed:
        raise CommunitiesError(
            "too_many_links",
            _("A post may hold at most {count} links.").format(count=links_allowed), 400, field="body",
        )
    mine = Post.objects.filter(author_id=ctx.user_id, thread__forum__space=ctx.space)
    if forum.slow_mode_seconds:
        since = now - timedelta(seconds=forum.slow_mode_seconds)
        last = mine.filter(thread__forum=forum, created__gt=since).order_by("-created").values_list(
            "created", flat=True).first()
        if last is not None:
            until = last + timedelta(seconds=forum.slow_mode_seconds)
            raise CommunitiesError(
                "slow_mode", _("This forum is in slow mode: wait a little before posting again."), 429, until=until)
    per_hour = limits.get("posts_per_hour")
    if per_hour is not None:
        recent = list(mine.filter(created__gt=now - timedelta(hours=1)).order_by("-created").values_list(
            "created", flat=True)[:per_hour])
        if len(recent) >= per_hour:
            raise CommunitiesError(
                "rate_limited", _("You have posted a lot in the last hour: please wait a little."), 429,
                until=recent[-1] + timedelta(hours=1))
    per_day = limits.get("threads_per_day")
    if thread is None and per_day is not None:
        recent = list(mine.filter(is_opening=True, created__gt=now - timedelta(days=1)).order_by(
            "-created").values_list("created", flat=True)[:per_day])
        if len(recent) >= per_day:
            raise CommunitiesError(
                "rate_limited", _("You have started many discussions today: please wait a little."), 429,
                until=recent[-1] + timedelta(days=1))
    window = settings.MENTORA_COMMUNITIES_DUPLICATE_WINDOW_HOURS
    if window and mine.filter(
        fingerprint=fingerprint(title, body), created__gt=now - timedelta(hours=window)
    ).exists():
        raise CommunitiesError("duplicate_post", _("You already posted this text here recently."), 409, field="body")
    return member


# --- people -----------------------------------------------------------------------------------------------------------


def person_refs(ctx: Context, user_ids: Any) -> dict[int, PersonRef]:
    """
    The ``PersonRef`` of each id (missing ids, e.g. retired users, are absent). Constant queries whatever the number
    of people: the users, then who among them is course staff, a trainer, a moderator of the space.
    """
    ids = {int(i) for i in user_ids if i}
    if not ids:
        return {}
    User = get_user_model()
    users = User.objects.filter(pk__in=ids)
    if any(field.name == "profile" and field.is_relation for field in User._meta.get_fields()):
        users = users.select_related("profile")  # the LMS's profile (display names) in the same query
    staff = set(host_api.get_course_staff(ctx.course_key).filter(pk__in=ids).values_list("pk", flat=True))
    trainers = set(host_api.get_course_trainers(ctx.course_key).filter(pk__in=ids).values_list("pk", flat=True))
    moderators = set(Member.objects.filter(space=ctx.space, user_id__in=ids, is_moderator=True).values_list(
        "user_id", flat=True))
    refs = {}
    for user in users:
        if user.pk in staff or user.is_staff:
            role = "staff"
        elif user.pk in trainers:
            role = "trainer"
        elif user.pk in moderators:
            role = "moderator"
        else:
            role = "learner"
        refs[user.pk] = PersonRef(id=user.pk, username=user.username, display_name=host_api.display_name(user),
                                  role=role)
    return refs


def person_ref(ctx: Context, user_id: int | None) -> PersonRef | None:
    """One person's ``PersonRef`` (None for a retired author)."""
    return person_refs(ctx, [user_id]).get(user_id) if user_id else None


# --- public API -------------------------------------------------------------------------------------------------------


def forum_title(forum: Forum) -> str:
    """The forum's title, translated for the two forums every space is made with."""
    default = DEFAULT_TITLES.get(forum.kind)
    return _(forum.title) if default and forum.title == default else forum.title


def get_viewer(user: Any, course_key: Any) -> ViewerInfo:
    """What ``user`` may do in the course's space (403 ``not_enrolled`` / ``suspended`` otherwise)."""
    return _viewer(reader(user, course_key))


def _viewer(ctx: Context) -> ViewerInfo:
    from mentora_plugin.communities import qa

    member = Member.objects.filter(space=ctx.space, user_id=ctx.user_id).first()
    priority_left = qa.priority_left_in(ctx)
    return ViewerInfo(
        user_id=ctx.user_id,
        can_moderate=ctx.can_moderate,
        can_sanction=ctx.can_sanction,
        can_manage=ctx.can_manage,
        can_create_forum=ctx.can_create_forum,
        can_answer=ctx.can_answer,
        can_manage_groups=ctx.can_manage_groups,
        is_new_member=ctx.has_limits and is_new_member(member),
        muted_until=ctx.muted_until,
        priority_left=priority_left,
    )


def get_space(user: Any, course_key: Any) -> SpaceInfo:
    """The course's space as ``user`` sees it: the forums they may read (not group boards) and their doors."""
    from mentora_plugin.communities import forums

    ctx = reader(user, course_key)
    course = host_api.get_course(ctx.course_key)
    return SpaceInfo(
        id=ctx.space.pk,
        course_key=ctx.course_key,
        course_title=(course.title if course and course.title else str(ctx.course_key)),
        forums=tuple(forums.forum_infos(ctx)),
        viewer=_viewer(ctx),
    )


def get_space_settings(actor: Any, course_key: Any) -> SpaceSettings:
    """The space's own quota, response target and report threshold with the platform's defaults (staff only)."""
    ctx = reader(actor, course_key)
    if not ctx.can_manage:
        raise forbidden(_("Only the course's staff may change the community's settings."))
    space = Space.objects.get(pk=ctx.space.pk)  # fresh: the context's copy may predate a change in this request
    return SpaceSettings(
        priority_weekly_quota=space.priority_weekly_quota,
        response_target_hours=space.response_target_hours,
        auto_hide_reports=space.auto_hide_reports,
        default_priority_weekly_quota=int(settings.MENTORA_COMMUNITIES_PRIORITY_WEEKLY_QUOTA),
        default_response_target_hours=int(settings.MENTORA_COMMUNITIES_RESPONSE_TARGET_HOURS),
        default_auto_hide_reports=int(getattr(settings, "MENTORA_COMMUNITIES_AUTO_HIDE_REPORTS", 0) or 0),
    )


_SPACE_SETTINGS = ("priority_weekly_quota", "response_target_hours", "auto_hide_reports")
_UNSET: Any = object()


def update_space_settings(
    actor: Any,
    course_key: Any,
    *,
    priority_weekly_quota: int | None = _UNSET,
    response_target_hours: int | None = _UNSET,
    auto_hide_reports: int | None = _UNSET,
) -> None:
    """Set the space's own quota, response target and report threshold (staff; None: the platform default)."""
    ctx = reader(actor, course_key)
    if not ctx.can_manage:
        raise forbidden(_("Only the course's staff may change the community's settings."))
    given = {"priority_weekly_quota": priority_weekly_quota, "response_target_hours": response_target_hours,
             "auto_hide_reports": auto_hide_reports}
    changes = {}
    for name, value in given.items():
        if value is _UNSET:
            continue
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1000):
            raise CommunitiesError("invalid_value", _("Give a whole number between 0 and 1000."), 400, field=name)
        if name == "response_target_hours" and value == 0:
            raise CommunitiesError("invalid_value", _("Give a whole number between 1 and 1000."), 400, field=name)
        changes[name] = value
    if changes:
        Space.objects.filter(pk=ctx.space.pk).update(**changes)
