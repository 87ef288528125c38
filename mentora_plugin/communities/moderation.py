"""
Moderation of a course's space: reports and the review queue, moderators' actions on threads and posts, mutes and
suspensions, the moderator role, and the audit log.

- Anyone who may read a post may report it, once (not their own). When the post has been reported by as many people
  as the space's threshold (``Space.auto_hide_reports``, else ``MENTORA_COMMUNITIES_AUTO_HIDE_REPORTS``; 0: never),
  it is hidden until a moderator looks at it (an opening post hides its whole thread), the hiding is logged
  (``AUTO_HIDE``, no actor) and the author is told.
- Moderators resolve a post's open reports: upheld keeps (or makes) it hidden, dismissed shows it again and zeroes
  its count.
- Every action of a moderator gives a reason and writes a ``ModerationAction`` row (who, on what, why, and details
  such as the forums of a move). Hiding and deleting are soft: the text is kept for moderators and for a restore.
- ``Thread.reply_count`` is the number of the thread's visible replies and comments: recounted, under the thread's
  row lock, by every action that hides, deletes or restores a post.
- Mutes (may read, not write) and suspensions (may neither) last until a date and may be lifted early; staff and
  oneself cannot be sanctioned. Staff name the space's moderators.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from mentora_plugin.communities import access, posts
from mentora_plugin.communities.common import CommunitiesError, forbidden, not_found
from mentora_plugin.communities.data import (
    AuditEntry,
    PersonRef,
    PostInfo,
    ReportInfo,
    ReviewItem,
    SanctionInfo,
    ThreadSummary,
)
from mentora_plugin.communities.models import (
    Forum,
    Member,
    ModerationAction,
    Notification,
    Post,
    Reaction,
    Report,
    Sanction,
    Thread,
    ThreadRead,
)
from mentora_plugin.communities.rules import forget_cached_moderators
from mentora_plugin.db import insert_ignoring_conflicts
from mentora_plugin.host import api as host_api
from mentora_plugin.host.data import CourseRole

__all__ = [
    "POST_ACTIONS",
    "THREAD_ACTIONS",
    "audit_log",
    "auto_hide_threshold",
    "lift_sanction",
    "list_sanctions",
    "moderate_post",
    "moderate_thread",
    "recount_replies",
    "report_post",
    "resolve_reports",
    "review_queue",
    "sanction_member",
    "set_moderator",
]

Action = ModerationAction.Action
#: What a moderator may do to a thread, and the flag each action sets (move changes the forum).
THREAD_ACTIONS: dict[str, tuple[str, bool] | None] = {
    "pin": ("pinned", True), "unpin": ("pinned", False),
    "lock": ("locked", True), "unlock": ("locked", False),
    "close": ("closed", True), "reopen": ("closed", False),
    "hide": ("hidden", True), "unhide": ("hidden", False),
    "delete": ("deleted", True), "restore": ("deleted", False),
    "move": None,
}
#: What a moderator may do to a post (the opening post's act on its thread).
POST_ACTIONS: dict[str, tuple[str, bool]] = {
    "hide": ("hidden", True), "unhide": ("hidden", False),
    "delete": ("deleted", True), "restore": ("deleted", False),
}
_LOGGED = {
    "pin": Action.PIN, "unpin": Action.UNPIN, "lock": Action.LOCK, "unlock": Action.UNLOCK,
    "close": Action.CLOSE, "reopen": Action.REOPEN, "hide": Action.HIDE, "unhide": Action.UNHIDE,
    "delete": Action.DELETE, "restore": Action.RESTORE, "move": Action.MOVE,
}
#: Actions the author of the post or thread hears of.
_TOLD = {"hide", "delete", "move"}
MAX_REASON = 500
MAX_NOTE = 500
_MAX_PAGE_SIZE = 200


# --- shared -----------------------------------------------------------------------------------------------------------


def _reason(value: Any, *, required: bool = True) -> str:
    """A moderator's reason: required (400 ``reason_required``), at most 500 characters."""
    if value is not None and not isinstance(value, str):
        raise CommunitiesError("invalid_value", _("Give the reason as a text."), 400, field="reason")
    reason = (value or "").strip()
    if required and not reason:
        raise CommunitiesError("reason_required", _("Say why: a reason is required."), 400, field="reason")
    if len(reason) > MAX_REASON:
        raise CommunitiesError(
            "reason_too_long", _("A reason has at most {count} characters.").format(count=MAX_REASON), 400,
            field="reason")
    return reason


def _require_moderator(ctx: access.Context) -> None:
    if not ctx.can_moderate:
        raise forbidden(_("Only the community's moderators may do this."))
    if ctx.muted_until is not None:  # a muted moderator does not moderate either until the mute ends
        raise forbidden(_("You are muted in this course's community: you cannot moderate until it ends."),
                        code="muted", until=ctx.muted_until)


def _log(ctx: access.Context, action: str, *, actor: Any = None, thread_id: int | None = None,
         post_id: int | None = None, target_user_id: int | None = None, reason: str = "",
         details: dict | None = None) -> ModerationAction:
    return ModerationAction.objects.create(
        space=ctx.space, actor=actor, action=action, thread_id=thread_id, post_id=post_id,
        target_user_id=target_user_id, reason=reason, details=details or {},
    )


def auto_hide_threshold(space: Any) -> int:
    """How many reports hide a post in ``space`` (its own setting, else the platform's; 0: never)."""
    if space.auto_hide_reports is not None:
        return space.auto_hide_reports
    return int(getattr(settings, "MENTORA_COMMUNITIES_AUTO_HIDE_REPORTS", 0) or 0)


def recount_replies(thread_id: int) -> int:
    """
    Set ``Thread.reply_count`` to its visible replies and comments (not hidden, not deleted, not the opening post).
    Call inside the transaction that changed a post, with the thread's row locked.
    """
    count = (
        Post.objects.filter(thread_id=thread_id, is_opening=False, hidden=False, deleted=False)
        .exclude(parent__hidden=True).exclude(parent__deleted=True).count()
    )
    Thread.objects.filter(pk=thread_id).update(reply_count=count)
    return count


def _tell_author(ctx: access.Context, author_id: int | None, *, thread_id: int, post_id: int | None,
                 actor_id: int | None, key: str) -> None:
    """Tell the author a moderator (or the reports) acted on their post, once the transaction commits."""
    if author_id is None:
        return
    from mentora_plugin.communities import notifications

    space_id = ctx.space.pk
    transaction.on_commit(lambda: notifications.notify(
        [author_id], Notification.Kind.MODERATION, space_id=space_id, thread_id=thread_id, post_id=post_id,
        actor_id=actor_id, key=key,
    ))


def _summary(ctx: access.Context, thread: Thread) -> ThreadSummary:
    """``thread`` as ``ctx``'s user sees it in a list (``posts.thread_summary``; unread from their read mark)."""
    read_at = ThreadRead.objects.filter(user_id=ctx.user_id, thread=thread).values_list("read_at", flat=True).first()
    return posts.thread_summary(ctx, thread, unread=read_at is None or read_at < thread.last_activity_at)


def _post_infos(ctx: access.Context, items: list[Post]) -> list[PostInfo]:
    """``items`` as ``ctx``'s user sees them (``posts.post_info``), without their comments, in constant queries."""
    ids = [post.pk for post in items]
    people = access.person_refs(ctx, {post.author_id for post in items if post.author_id})
    counts: dict[int, dict[str, int]] = {}
    for post_id, kind, count in (
        Reaction.objects.filter(post_id__in=ids).values_list("post_id", "kind").annotate(count=Count("pk"))
        .order_by()
    ):
        counts.setdefault(post_id, {})[kind] = count
    mine: dict[int, list[str]] = {}
    for post_id, kind in Reaction.objects.filter(post_id__in=ids, user_id=ctx.user_id).values_list("post_id", "kind"):
        mine.setdefault(post_id, []).append(kind)
    return [
        posts.post_info(ctx, post, people, reactions=counts.get(post.pk, {}),
                        my_reactions=tuple(sorted(mine.get(post.pk, []))))
        for post in items
    ]


def _report_info(report: Report, people: dict[int, PersonRef], *, show_reporter: bool) -> ReportInfo:
    return ReportInfo(
        id=report.pk, post_id=report.post_id, reason=report.reason, note=report.note,
        reporter=people.get(report.reporter_id) if show_reporter and report.reporter_id else None,
        created=report.created, resolved_at=report.resolved_at, resolution=report.resolution,
    )


# --- reports ----------------------------------------------------------------------------------------------------------


def report_post(user: Any, post_id: Any, reason: str, note: str = "") -> ReportInfo:
    """
    Report a post to the moderators (see the module's docstring for the automatic hiding).

    Raises:
        CommunitiesError: 404 ``post_not_found`` (absent or not visible), 400 ``own_post``, ``invalid_reason``
            (field reason), ``note_too_long`` (field note), 409 ``already_reported``.
    """
    ctx, post = access.reader_of_post(user, post_id)
    if post.author_id == ctx.user_id:
        raise CommunitiesError("own_post", _("You cannot report your own post."), 400)
    if reason not in Report.Reason.values:
        raise CommunitiesError("invalid_reason", _("Choose a reason for the report."), 400, field="reason")
    if note is not None and not isinstance(note, str):
        raise CommunitiesError("invalid_value", _("Give the note as a text."), 400, field="note")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise CommunitiesError(
            "note_too_long", _("A note has at most {count} characters.").format(count=MAX_NOTE), 400, field="note")
    threshold = auto_hide_threshold(ctx.space)
    try:
        with transaction.atomic():
            thread = Thread.objects.select_for_update().get(pk=post.thread_id)
            if Report.objects.filter(post=post, reporter_id=ctx.user_id).exists():
                raise CommunitiesError("already_reported", _("You have already reported this post."), 409)
            report = Report.objects.create(post=post, reporter=ctx.user, reason=reason, note=note)
            Post.objects.filter(pk=post.pk).update(report_count=F("report_count") + 1)
            post.refresh_from_db(fields=["report_count", "hidden"])
            hidden_now = post.hidden or (post.is_opening and thread.hidden)
            if threshold and post.report_count >= threshold and not hidden_now:
                if post.is_opening:
                    Thread.objects.filter(pk=thread.pk).update(hidden=True)
                else:
                    Post.objects.filter(pk=post.pk).update(hidden=True)
                    recount_replies(thread.pk)
                log = _log(ctx, Action.AUTO_HIDE, thread_id=thread.pk, post_id=post.pk,
                           target_user_id=post.author_id, details={"reports": post.report_count,
                                                                   "threshold": threshold})
                _tell_author(ctx, post.author_id, thread_id=thread.pk, post_id=post.pk, actor_id=None,
                             key=f"moderation:{log.pk}")
    except IntegrityError:
        raise CommunitiesError("already_reported", _("You have already reported this post."), 409) from None
    me = access.person_refs(ctx, [ctx.user_id])
    return _report_info(report, me, show_reporter=True)


def review_queue(actor: Any, course_key: Any) -> list[ReviewItem]:
    """
    The moderators' queue: posts of the space with open reports, or hidden (by hand or by reports; a hidden
    thread's opening post), oldest report first. Each with its open reports.
    """
    ctx = access.reader(actor, course_key)
    _require_moderator(ctx)
    open_reports = Report.objects.filter(resolved_at__isnull=True)
    found = list(
        Post.objects.filter(thread__forum__in=access.visible_forums(ctx))  # not the boards of others' groups
        .filter(Q(reports__in=open_reports) | Q(hidden=True) | Q(is_opening=True, thread__hidden=True))
        .select_related("thread").distinct().order_by("created", "pk")
    )
    if not found:
        return []
    reports: dict[int, list[Report]] = {}
    for report in open_reports.filter(post_id__in=[post.pk for post in found]).order_by("created", "pk"):
        reports.setdefault(report.post_id, []).append(report)
    people = access.person_refs(ctx, {report.reporter_id for items in reports.values() for report in items})
    infos = _post_infos(ctx, found)
    items = [
        ReviewItem(
            post=info, thread_id=post.thread_id, thread_title=post.thread.title, forum_id=post.thread.forum_id,
            reports=tuple(_report_info(report, people, show_reporter=True) for report in reports.get(post.pk, [])),
            thread_hidden=post.thread.hidden, thread_deleted=post.thread.deleted,
        )
        for post, info in zip(found, infos, strict=True)
    ]
    # Reported posts first (by their first open report), then those hidden by hand.
    items.sort(key=lambda item: (0, item.reports[0].created) if item.reports else (1, item.post.created))
    return items


def resolve_reports(actor: Any, post_id: Any, resolution: str, reason: str = "") -> None:
    """
    Resolve a post's open reports: ``upheld`` keeps the post hidden (hides it if it was not), ``dismissed`` shows it
    again and zeroes its report count. Logged (``RESOLVE_REPORT``).

    Raises:
        CommunitiesError: 404 ``post_not_found``, 403 not a moderator, 400 ``invalid_resolution``, 409
            ``nothing_to_resolve`` (no open report and not hidden).
    """
    ctx, post = access.reader_of_post(actor, post_id)
    _require_moderator(ctx)
    if resolution not in Report.Resolution.values:
        raise CommunitiesError("invalid_resolution", _("Uphold or dismiss the reports."), 400, field="resolution")
    reason = _reason(reason, required=False)
    now = timezone.now()
    with transaction.atomic():
        thread = Thread.objects.select_for_update().get(pk=post.thread_id)
        post = Post.objects.get(pk=post.pk)
        open_reports = Report.objects.filter(post=post, resolved_at__isnull=True)
        count = open_reports.count()
        hidden = thread.hidden if post.is_opening else post.hidden
        if not count and not hidden:
            raise CommunitiesError("nothing_to_resolve", _("This post has no open report."), 409)
        open_reports.update(resolved_at=now, resolved_by=ctx.user, resolution=resolution)
        upheld = resolution == Report.Resolution.UPHELD
        if post.is_opening:
            Thread.objects.filter(pk=thread.pk).update(hidden=upheld)
            if not upheld:
                Post.objects.filter(pk=post.pk).update(report_count=0)
        else:
            changes: dict[str, Any] = {"hidden": upheld}
            if not upheld:
                changes["report_count"] = 0
            Post.objects.filter(pk=post.pk).update(**changes)
            recount_replies(thread.pk)
        _log(ctx, Action.RESOLVE_REPORT, actor=ctx.user, thread_id=thread.pk, post_id=post.pk,
             target_user_id=post.author_id, reason=reason, details={"resolution": resolution, "reports": count})
        if upheld and not hidden:
            _tell_author(ctx, post.author_id, thread_id=thread.pk, post_id=post.pk, actor_id=ctx.user_id,
                         key=f"moderation:resolve:{post.pk}:{int(now.timestamp())}")


# --- actions on threads and posts -------------------------------------------------------------------------------------


def moderate_thread(actor: Any, thread_id: Any, action: str, *, reason: str,
                    forum_id: Any = None) -> ThreadSummary:
    """
    A moderator's action on a thread: pin unpin lock unlock close reopen move hide unhide delete restore, with a
    reason, logged. ``move`` takes ``forum_id``, another forum of the same space (not a group board; a private
    question stays in the Q&A; moving into the Q&A makes the thread a question).

    Raises:
        CommunitiesError: 404 ``thread_not_found``, 403 not a moderator, 400 ``invalid_action``, ``reason_required``,
            ``forum_required``, ``invalid_forum``, 409 ``already_done`` (nothing would change),
            ``private_question``.
    """
    ctx, thread = access.reader_of_thread(actor, thread_id)
    _require_moderator(ctx)
    if action not in THREAD_ACTIONS:
        raise CommunitiesError("invalid_action", _("This action does not exist."), 400, field="action")
    reason = _reason(reason)
    with transaction.atomic():
        thread = Thread.objects.select_for_update().select_related("forum").get(pk=thread.pk)
        details: dict[str, Any] = {}
        if action == "move":
            details = _move(ctx, thread, forum_id)
        else:
            flag, value = THREAD_ACTIONS[action]
            if getattr(thread, flag) == value:
                raise CommunitiesError("already_done", _("Nothing to change: it is so already."), 409)
            setattr(thread, flag, value)
            thread.save(update_fields=[flag])
        log = _log(ctx, _LOGGED[action], actor=ctx.user, thread_id=thread.pk, target_user_id=thread.author_id,
                   reason=reason, details=details)
        if action in _TOLD:
            _tell_author(ctx, thread.author_id, thread_id=thread.pk, post_id=None, actor_id=ctx.user_id,
                         key=f"moderation:{log.pk}")
    return _summary(ctx, thread)


def _move(ctx: access.Context, thread: Thread, forum_id: Any) -> dict[str, Any]:
    """Move ``thread`` (locked) to another forum of the space; returns the log's details (from and to)."""
    if forum_id in (None, ""):
        raise CommunitiesError("forum_required", _("Choose the forum to move it to."), 400, field="forum_id")
    pk = access._pk(forum_id)
    target = Forum.objects.filter(pk=pk, space=ctx.space).first() if pk else None
    source = thread.forum
    if target is None or target.kind == Forum.Kind.GROUP or source.kind == Forum.Kind.GROUP or target.archived:
        raise CommunitiesError("invalid_forum", _("Choose another forum of this community."), 400, field="forum_id")
    if target.pk == source.pk:
        raise CommunitiesError("already_done", _("Nothing to change: it is so already."), 409)
    changes = ["forum"]
    if target.kind == Forum.Kind.QA and not thread.is_question:
        thread.is_question = True
        thread.state = thread.state or Thread.State.OPEN
        changes += ["is_question", "state"]
    elif source.kind == Forum.Kind.QA and target.kind != Forum.Kind.QA:
        if thread.private:
            raise CommunitiesError(
                "private_question", _("A private question stays in the questions and answers."), 409,
                field="forum_id")
        thread.is_question = False
        thread.priority = False
        changes += ["is_question", "priority"]
    thread.forum = target
    thread.save(update_fields=changes)
    return {"from": source.pk, "to": target.pk, "from_title": access.forum_title(source),
            "to_title": access.forum_title(target)}


def moderate_post(actor: Any, post_id: Any, action: str, *, reason: str = "") -> PostInfo:
    """
    Hide, unhide, delete or restore a post, with a reason, logged; the text is kept. The opening post acts on its
    whole thread. The author may delete their own post without being a moderator (a thread of theirs only while it
    has no visible reply).

    Raises:
        CommunitiesError: 404 ``post_not_found``, 403 not allowed, 400 ``invalid_action``, ``reason_required``,
            409 ``already_done``, ``thread_has_replies``.
    """
    ctx, post = access.reader_of_post(actor, post_id)
    if action not in POST_ACTIONS:
        raise CommunitiesError("invalid_action", _("This action does not exist."), 400, field="action")
    own_delete = action == "delete" and post.author_id == ctx.user_id and not ctx.can_moderate
    if not own_delete:
        _require_moderator(ctx)
    reason = _reason(reason, required=not own_delete)
    flag, value = POST_ACTIONS[action]
    with transaction.atomic():
        thread = Thread.objects.select_for_update().get(pk=post.thread_id)
        post = Post.objects.select_related("thread").get(pk=post.pk)
        if post.is_opening:
            if own_delete and thread.reply_count:
                raise CommunitiesError(
                    "thread_has_replies", _("Others replied to this discussion: ask a moderator to remove it."), 409)
            if getattr(thread, flag) == value:
                raise CommunitiesError("already_done", _("Nothing to change: it is so already."), 409)
            Thread.objects.filter(pk=thread.pk).update(**{flag: value})
            setattr(post.thread, flag, value)
        else:
            if getattr(post, flag) == value:
                raise CommunitiesError("already_done", _("Nothing to change: it is so already."), 409)
            Post.objects.filter(pk=post.pk).update(**{flag: value})
            setattr(post, flag, value)
            post.thread.reply_count = recount_replies(thread.pk)
            if value and post.is_answer:  # an accepted answer taken out of sight is no longer the answer
                _withdraw_accepted_answer(thread, post)
        log = _log(ctx, _LOGGED[action], actor=ctx.user, thread_id=thread.pk, post_id=post.pk,
                   target_user_id=post.author_id, reason=reason,
                   details={"by_author": True} if own_delete else {})
        if action in _TOLD and not own_delete:
            _tell_author(ctx, post.author_id, thread_id=thread.pk, post_id=post.pk, actor_id=ctx.user_id,
                         key=f"moderation:{log.pk}")
    return _post_infos(ctx, [post])[0]


def _withdraw_accepted_answer(thread: Thread, post: Post) -> None:
    """The question goes back to answered (a trainer answered) or open; the asker may accept another reply."""
    state = Thread.State.ANSWERED if thread.answered_at else Thread.State.OPEN
    Post.objects.filter(pk=post.pk).update(is_answer=False)
    Thread.objects.filter(pk=thread.pk).update(accepted_post=None, state=state)
    post.is_answer = False
    post.thread.accepted_post_id, post.thread.state = None, state


# --- sanctions and roles ----------------------------------------------------------------------------------------------


def _person_in_course(ctx: access.Context, username: Any) -> Any:
    """The user named ``username`` who has a part in the course (404 ``user_not_found`` otherwise)."""
    if not isinstance(username, str) or not username.strip():
        raise CommunitiesError("username_required", _("Name the person."), 400, field="username")
    user = get_user_model().objects.filter(username=username.strip(), is_active=True).first()
    if user is None or not user.has_perm("mentora_communities.view_space", ctx.course_key):
        raise not_found("user", _("Nobody of this course has this username."))
    return user


def _is_staff(user: Any, course_key: Any) -> bool:
    roles = host_api.get_course_roles(user, course_key)
    return bool({CourseRole.STAFF, CourseRole.INSTRUCTOR} & roles) or user.is_staff or user.is_superuser


def _until(value: Any) -> datetime:
    if isinstance(value, str):
        value = parse_datetime(value.strip())
    if not isinstance(value, datetime):
        raise CommunitiesError("invalid_until", _("Give the end as a date and time."), 400, field="until")
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_current_timezone())
    if value <= timezone.now():
        raise CommunitiesError("invalid_until", _("The end must be in the future."), 400, field="until")
    return value


def _sanction_info(ctx: access.Context, sanction: Sanction, people: dict[int, PersonRef],
                   now: datetime) -> SanctionInfo:
    return SanctionInfo(
        id=sanction.pk, user=people.get(sanction.user_id), kind=sanction.kind, until=sanction.until,
        reason=sanction.reason, created_by=people.get(sanction.created_by_id) if sanction.created_by_id else None,
        created=sanction.created, lifted_at=sanction.lifted_at,
        active=sanction.lifted_at is None and sanction.until > now,
    )


def sanction_member(actor: Any, course_key: Any, username: Any, kind: str, until: Any, reason: str) -> SanctionInfo:
    """
    Mute (may read, not write) or suspend (neither) someone of the course in its space until ``until``. Logged.

    Raises:
        CommunitiesError: 403 not allowed (``sanction_member``), 400 ``invalid_kind``, ``invalid_until`` (not in
            the future), ``reason_required``, ``cannot_sanction_self``, ``cannot_sanction_staff``, 404
            ``user_not_found``.
    """
    ctx = access.reader(actor, course_key)
    if not ctx.can_sanction:
        raise forbidden(_("Only the community's moderators may mute or suspend someone."))
    if kind not in Sanction.Kind.values:
        raise CommunitiesError("invalid_kind", _("Choose mute or suspend."), 400, field="kind")
    until = _until(until)
    reason = _reason(reason)
    target = _person_in_course(ctx, username)
    if target.pk == ctx.user_id:
        raise CommunitiesError("cannot_sanction_self", _("You cannot sanction yourself."), 400, field="username")
    if _is_staff(target, ctx.course_key):
        raise CommunitiesError("cannot_sanction_staff", _("The course's staff cannot be sanctioned."), 400,
                               field="username")
    if not ctx.can_manage and target.has_perm("mentora_communities.moderate_space", ctx.course_key):
        raise CommunitiesError("cannot_sanction_moderator",
                               _("Only the course's staff may sanction a trainer or a moderator."), 403,
                               field="username")
    with transaction.atomic():
        sanction = Sanction.objects.create(space=ctx.space, user=target, kind=kind, until=until, reason=reason,
                                           created_by=ctx.user)
        log = _log(ctx, Action.MUTE if kind == Sanction.Kind.MUTE else Action.SUSPEND, actor=ctx.user,
                   target_user_id=target.pk, reason=reason,
                   details={"sanction_id": sanction.pk, "kind": kind, "until": until.isoformat()})
        if kind == Sanction.Kind.MUTE:
            _tell_author(ctx, target.pk, thread_id=None, post_id=None, actor_id=ctx.user_id,
                         key=f"moderation:{log.pk}")
    people = access.person_refs(ctx, [target.pk, ctx.user_id])
    return _sanction_info(ctx, sanction, people, timezone.now())


def lift_sanction(actor: Any, sanction_id: Any, reason: str) -> SanctionInfo:
    """
    End a mute or suspension early (the row stays, with ``lifted_at``). Logged.

    Raises:
        CommunitiesError: 404 ``sanction_not_found``, 403 not allowed, 400 ``reason_required``, 409
            ``sanction_not_active`` (lifted or over already).
    """
    pk = access._pk(sanction_id)
    sanction = Sanction.objects.select_related("space").filter(pk=pk).first() if pk else None
    if sanction is None:
        raise not_found("sanction")
    ctx = access.reader(actor, sanction.space.course_key)
    if not ctx.can_sanction:
        raise not_found("sanction")
    reason = _reason(reason)
    now = timezone.now()
    with transaction.atomic():
        sanction = Sanction.objects.select_for_update().get(pk=sanction.pk)
        if sanction.lifted_at is not None or sanction.until <= now:
            raise CommunitiesError("sanction_not_active", _("This sanction is over already."), 409)
        sanction.lifted_at = now
        sanction.save(update_fields=["lifted_at"])
        _log(ctx, Action.LIFT, actor=ctx.user, target_user_id=sanction.user_id, reason=reason,
             details={"sanction_id": sanction.pk, "kind": sanction.kind})
    people = access.person_refs(ctx, [sanction.user_id, sanction.created_by_id])
    return _sanction_info(ctx, sanction, people, now)


def list_sanctions(actor: Any, course_key: Any, *, active_only: bool = True) -> list[SanctionInfo]:
    """The space's sanctions, newest first (moderators); ``active_only``: those still running."""
    ctx = access.reader(actor, course_key)
    _require_moderator(ctx)
    now = timezone.now()
    rows = Sanction.objects.filter(space=ctx.space)
    if active_only:
        rows = rows.filter(lifted_at__isnull=True, until__gt=now)
    rows = list(rows.order_by("-created", "-pk"))
    people = access.person_refs(ctx, {row.user_id for row in rows} | {row.created_by_id for row in rows})
    return [_sanction_info(ctx, row, people, now) for row in rows]


def audit_log(actor: Any, course_key: Any, *, page: int = 1, page_size: int = 50) -> list[AuditEntry]:
    """The space's moderation log, newest first, one page (moderators)."""
    ctx = access.reader(actor, course_key)
    _require_moderator(ctx)
    try:
        page, page_size = max(int(page), 1), min(max(int(page_size), 1), _MAX_PAGE_SIZE)
    except (TypeError, ValueError):
        raise CommunitiesError("invalid_page", _("Give the page as a number."), 400, field="page") from None
    # Actions on the threads of group boards the moderator may not read stay out of their log.
    rows = list(
        ModerationAction.objects.filter(space=ctx.space)
        .filter(Q(thread__isnull=True) | Q(thread__forum__in=access.visible_forums(ctx)))
        .order_by("-created", "-pk")[(page - 1) * page_size:page * page_size]
    )
    people = access.person_refs(ctx, {row.actor_id for row in rows} | {row.target_user_id for row in rows})
    return [
        AuditEntry(
            id=row.pk, action=row.action, actor=people.get(row.actor_id) if row.actor_id else None,
            thread_id=row.thread_id, post_id=row.post_id,
            target_user=people.get(row.target_user_id) if row.target_user_id else None,
            reason=row.reason, details=dict(row.details or {}), created=row.created,
        )
        for row in rows
    ]


def set_moderator(actor: Any, course_key: Any, username: Any, is_moderator: bool, reason: str) -> None:
    """
    Make someone of the course a moderator of its space, or not any more (staff). Logged (``ROLE``).

    Raises:
        CommunitiesError: 403 not staff, 404 ``user_not_found``, 400 ``reason_required``, ``invalid_value``.
    """
    ctx = access.reader(actor, course_key)
    if not ctx.can_manage:
        raise forbidden(_("Only the course's staff may name moderators."))
    if not isinstance(is_moderator, bool):
        raise CommunitiesError("invalid_value", _("Say yes or no."), 400, field="is_moderator")
    reason = _reason(reason)
    target = _person_in_course(ctx, username)
    if not Member.objects.filter(space=ctx.space, user=target).exists():
        insert_ignoring_conflicts(Member(space=ctx.space, user=target, joined_at=timezone.now()))
    with transaction.atomic():
        member = Member.objects.select_for_update().get(space=ctx.space, user=target)
        if member.is_moderator == is_moderator:
            return
        member.is_moderator = is_moderator
        member.save(update_fields=["is_moderator"])
        forget_cached_moderators()
        _log(ctx, Action.ROLE, actor=ctx.user, target_user_id=target.pk, reason=reason,
             details={"is_moderator": is_moderator})
