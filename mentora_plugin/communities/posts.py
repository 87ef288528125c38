"""
Writing in a space: starting a thread, replying (or commenting on a reply), editing, reacting.

Every write runs ``access.writer`` inside one transaction, under the writer's locked ``Member`` row, so the space's
rules and limits hold under concurrency; the thread's copies (``reply_count``, ``last_activity_at``) change in the
same transaction as the post. Markdown is rendered once, on write, by ``mentora_plugin.text.render_markdown`` (the
only renderer of users' text); an @username of someone who may read the thread becomes a Markdown link to their page
and a ``Mention`` row (the notification task tells them). Notifications leave after commit, through Celery.
"""
from __future__ import annotations

import re
from collections import Counter
from html import unescape
from typing import Any
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from mentora_plugin.communities import access
from mentora_plugin.communities.common import CommunitiesError, forbidden
from mentora_plugin.communities.data import PersonRef, PostInfo, ThreadSummary
from mentora_plugin.communities.models import Follow, Forum, Mention, ModerationAction, Post, Reaction, Thread
from mentora_plugin.db import insert_ignoring_conflicts
from mentora_plugin.text import render_markdown

__all__ = ["create_thread", "edit_post", "react", "reply", "unreact"]

MAX_BODY = 20_000
MAX_TITLE = 200
#: At most this many people are looked up (and told) per post: a list of 500 @names is not a conversation.
MAX_MENTIONS = 20

# Fenced code blocks and inline code spans: an @name there is code, not a mention.
_CODE = re.compile(r"(^|\n)(```|~~~)[^\n]*\n.*?(\n\2[^\n]*(?=\n|$)|$)|(`+)(?:(?!\4).)+?\4", re.DOTALL)
_MENTION = re.compile(r"(?<![\w@./\\\[])@([\w.+-]{1,150})")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~])")


# --- validation and rendering -----------------------------------------------------------------------------------------


def _body(value: Any) -> str:
    if value is not None and not isinstance(value, str):
        raise CommunitiesError("invalid_value", _("Give a text."), 400, field="body")
    # Only blank lines and trailing spaces go: a first line indented four spaces is a Markdown code block.
    body = (value or "").rstrip().lstrip("\r\n")
    if not body.strip():
        raise CommunitiesError("body_required", _("Write something first."), 400, field="body")
    if len(body) > MAX_BODY:
        raise CommunitiesError(
            "body_too_long", _("A post has at most {count} characters.").format(count=MAX_BODY), 400, field="body")
    return body


def _title(value: Any) -> str:
    if value is not None and not isinstance(value, str):
        raise CommunitiesError("invalid_value", _("Give a text."), 400, field="title")
    title = (value or "").strip()
    if not title:
        raise CommunitiesError("title_required", _("Give the discussion a title."), 400, field="title")
    if len(title) > MAX_TITLE:
        raise CommunitiesError(
            "title_too_long", _("A title has at most {count} characters.").format(count=MAX_TITLE), 400, field="title")
    return title


def _outside_code(body: str):
    """The pieces of ``body`` as (text, is_code), so mentions are only read outside code."""
    start = 0
    for match in _CODE.finditer(body):
        if match.start() > start:
            yield body[start:match.start()], False
        yield match.group(0), True
        start = match.end()
    if start < len(body):
        yield body[start:], False


def _mentioned_usernames(body: str) -> list[str]:
    names: list[str] = []
    for piece, is_code in _outside_code(body):
        if is_code:
            continue
        for match in _MENTION.finditer(piece):
            name = match.group(1).rstrip(".")  # "@alice." ends a sentence
            if name and name not in names:
                names.append(name)
    return names[:MAX_MENTIONS]


def _readers_among(ctx: access.Context, thread: Thread, usernames: list[str]) -> dict[str, Any]:
    """The people named in ``usernames`` who may read ``thread`` (a suspended or unenrolled person is not named)."""
    if not usernames:
        return {}
    found = {}
    for user in get_user_model().objects.filter(username__in=usernames, is_active=True):
        try:
            their = access.reader(user, ctx.course_key)
        except CommunitiesError:
            continue
        if access.forum_visible(their, thread.forum) and access.thread_visible(their, thread):
            found[user.username] = user
    return found


def person_path(course_key: Any, username: str) -> str:
    """The page of a person of a course's space."""
    return f"{access.course_path(course_key)}people/{quote(username, safe='')}/"


def _with_mention_links(body: str, course_key: Any, people: dict[str, Any]) -> str:
    """``body`` with each @username of ``people`` (outside code) made a Markdown link to their page."""
    if not people:
        return body

    def link(match: re.Match) -> str:
        name = match.group(1)
        trailing = ""
        while name.endswith(".") and name not in people:
            name, trailing = name[:-1], trailing + "."
        if name not in people:
            return match.group(0)
        text = _MARKDOWN_SPECIAL.sub(r"\\\1", f"@{name}")
        return f"[{text}](<{person_path(course_key, name)}>){trailing}"

    return "".join(
        piece if is_code else _MENTION.sub(link, piece) for piece, is_code in _outside_code(body)
    )


def _rendered(ctx: access.Context, thread: Thread, title: str, body: str) -> tuple[str, str, list[Any]]:
    """The post's HTML, its plain search text, and the people it mentions who may read it."""
    people = _readers_among(ctx, thread, _mentioned_usernames(body))
    html = str(render_markdown(_with_mention_links(body, ctx.course_key, people)))
    plain = unescape(strip_tags(html))
    search_text = f"{title}\n{plain}" if title else plain
    return html, search_text.strip(), list(people.values())


def _check_links(ctx: access.Context, member: Any, title: str, body: str) -> None:
    """The links limit, for edits (new posts get it from ``access.writer``)."""
    if not ctx.has_limits:
        return
    from django.conf import settings

    limits = (settings.MENTORA_COMMUNITIES_NEW_MEMBER_LIMITS if access.is_new_member(member)
              else settings.MENTORA_COMMUNITIES_LIMITS)
    allowed = limits.get("links_per_post")
    if allowed is not None and access.count_links(f"{title}\n{body}") > allowed:
        raise CommunitiesError(
            "too_many_links", _("A post may hold at most {count} links.").format(count=allowed), 400, field="body")


# --- what callers get -------------------------------------------------------------------------------------------------


def thread_summary(
    ctx: access.Context, thread: Thread, people: dict[int, PersonRef] | None = None, *, unread: bool = False
) -> ThreadSummary:
    """``thread`` as a line of its forum's list (``people`` from ``access.person_refs``)."""
    if people is None:
        people = access.person_refs(ctx, [thread.author_id])
    return ThreadSummary(
        id=thread.pk,
        forum_id=thread.forum_id,
        title=thread.title,
        author=people.get(thread.author_id) if thread.author_id else None,
        created=thread.created,
        last_activity_at=thread.last_activity_at,
        reply_count=thread.reply_count,
        unread=unread,
        pinned=thread.pinned,
        locked=thread.locked,
        closed=thread.closed,
        hidden=thread.hidden and ctx.can_moderate,
        deleted=thread.deleted and ctx.can_moderate,
        is_question=thread.is_question,
        private=thread.private,
        priority=thread.priority,
        state=thread.state,
    )


def may_edit(ctx: access.Context, post: Post, thread: Thread) -> bool:
    """Authors edit their posts while the thread is not locked and they are not muted; moderators edit any."""
    if ctx.can_moderate:
        return True
    return post.author_id == ctx.user_id and not thread.locked and ctx.muted_until is None


def post_info(
    ctx: access.Context,
    post: Post,
    people: dict[int, PersonRef] | None = None,
    *,
    reactions: dict[str, int] | None = None,
    my_reactions: tuple[str, ...] = (),
    comments: tuple[PostInfo, ...] = (),
) -> PostInfo:
    """``post`` as ``ctx``'s user sees it (the Markdown source only for those who may edit it)."""
    if people is None:
        people = access.person_refs(ctx, [post.author_id])
    editable = may_edit(ctx, post, post.thread)
    return PostInfo(
        id=post.pk,
        thread_id=post.thread_id,
        parent_id=post.parent_id,
        author=people.get(post.author_id) if post.author_id else None,
        is_opening=post.is_opening,
        body=post.body if editable else "",
        html=post.html,
        created=post.created,
        edited_at=post.edited_at,
        hidden=post.hidden and ctx.can_moderate,
        deleted=post.deleted and ctx.can_moderate,
        is_answer=post.is_answer,
        report_count=post.report_count if ctx.can_moderate else 0,
        reactions=reactions or {},
        my_reactions=my_reactions,
        comments=comments,
        can_edit=editable,
    )


# --- writing ----------------------------------------------------------------------------------------------------------


def _notify_after_commit(post_id: int) -> None:
    def send() -> None:
        from mentora_plugin.communities import tasks

        tasks.notify_post_created.delay(str(post_id))

    transaction.on_commit(send)


def _follow(ctx: access.Context, thread: Thread) -> None:
    if not Follow.objects.filter(user_id=ctx.user_id, thread=thread).exists():
        insert_ignoring_conflicts(Follow(user_id=ctx.user_id, space=ctx.space, thread=thread))


def create_thread(author: Any, forum_id: Any, *, title: str, body: str, private: bool = False) -> ThreadSummary:
    """
    Start a thread in a forum (a question in the Q&A forum, where it may be ``private``: seen by its asker, the
    trainers and moderators only). The author follows it. Every writing rule applies (``access.writer``).
    """
    ctx, forum = access.reader_of_forum(author, forum_id)
    title, body = _title(title), _body(body)
    if not isinstance(private, bool):
        raise CommunitiesError("invalid_value", _("Give true or false."), 400, field="private")
    is_question = forum.kind == Forum.Kind.QA
    if private and not is_question:
        raise CommunitiesError(
            "private_only_questions", _("Only questions may be private."), 400, field="private")
    access.ensure_member(ctx)
    with transaction.atomic():
        member = access.writer(ctx, forum, body=body, title=title)
        now = timezone.now()
        thread = Thread.objects.create(
            forum=forum, author=author, title=title, created=now, last_activity_at=now, is_question=is_question,
            private=private, state=Thread.State.OPEN if is_question else "",
        )
        html, search_text, mentioned = _rendered(ctx, thread, title, body)
        post = Post.objects.create(
            thread=thread, author=author, is_opening=True, body=body, html=html, search_text=search_text,
            fingerprint=access.fingerprint(title, body), created=now,
        )
        Mention.objects.bulk_create([Mention(post=post, user=user) for user in mentioned])
        Follow.objects.create(user=author, space=ctx.space, thread=thread)
        member.post_count = F("post_count") + 1
        member.save(update_fields=["post_count"])
        _notify_after_commit(post.pk)
    return thread_summary(ctx, thread)


def reply(author: Any, thread_id: Any, *, body: str, parent_id: Any = None) -> PostInfo:
    """
    Reply in a thread, or comment on one of its replies (``parent_id``: a visible reply of the same thread, not the
    opening post, not a comment). Bumps the thread's activity and reply count; the author follows the thread; the
    Q&A notes an answer (``qa.note_reply``) in the same transaction.
    """
    ctx, thread = access.reader_of_thread(author, thread_id)
    body = _body(body)
    parent = None
    if parent_id not in (None, ""):
        pk = access._pk(parent_id)
        replies = Post.objects.filter(thread=thread, is_opening=False, parent__isnull=True)
        parent = replies.filter(pk=pk).first() if pk else None
        if parent is None or not access.post_visible(ctx, parent):
            raise CommunitiesError(
                "invalid_parent", _("You can only comment on a reply of this discussion."), 400, field="parent_id")
    access.ensure_member(ctx)
    with transaction.atomic():
        access.lock_member(ctx)  # the Member row first, then the thread: the order every writer takes
        thread = Thread.objects.select_for_update().select_related("forum").get(pk=thread.pk)
        member = access.writer(ctx, thread.forum, thread=thread, body=body)
        now = timezone.now()
        html, search_text, mentioned = _rendered(ctx, thread, "", body)
        post = Post.objects.create(
            thread=thread, parent=parent, author=author, body=body, html=html, search_text=search_text,
            fingerprint=access.fingerprint("", body), created=now,
        )
        Mention.objects.bulk_create([Mention(post=post, user=user) for user in mentioned])
        Thread.objects.filter(pk=thread.pk).update(reply_count=F("reply_count") + 1, last_activity_at=now)
        thread.reply_count += 1
        thread.last_activity_at = now
        member.post_count = F("post_count") + 1
        member.save(update_fields=["post_count"])
        from mentora_plugin.communities import qa

        qa.note_reply(ctx, thread, post)
        _notify_after_commit(post.pk)
    _follow(ctx, thread)
    post.thread = thread
    return post_info(ctx, post)


def edit_post(actor: Any, post_id: Any, *, body: str | None = None, title: str | None = None,
              reason: str = "") -> PostInfo:
    """
    Change a post's text (and, for an opening post, its thread's title). Its author while the thread is not locked,
    or a moderator; a moderator changing someone else's post gives a reason, logged as ``EDIT``.
    """
    ctx, post = access.reader_of_post(actor, post_id)
    thread = post.thread
    own = post.author_id is not None and post.author_id == ctx.user_id
    if not own and not ctx.can_moderate:
        raise forbidden(_("You may only edit your own posts."))
    if ctx.muted_until is not None:  # muted: no writing, a moderator's edits included
        raise forbidden(_("You are muted in this course's community."), code="muted", until=ctx.muted_until)
    if not ctx.can_moderate and thread.locked:
        raise CommunitiesError("thread_locked", _("This discussion is locked."), 409)
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not own and not reason:
        raise CommunitiesError(
            "reason_required", _("Say why you change someone else's post."), 400, field="reason")
    if len(reason) > 500:
        raise CommunitiesError("invalid_value", _("A reason has at most 500 characters."), 400, field="reason")
    if title is not None and not post.is_opening:
        raise CommunitiesError("title_not_editable", _("Only a discussion's first post has a title."), 400,
                               field="title")
    new_body = _body(body) if body is not None else post.body
    new_title = _title(title) if title is not None else thread.title
    if new_body == post.body and new_title == thread.title:
        return post_info(ctx, post)
    access.ensure_member(ctx)
    with transaction.atomic():
        member = access.lock_member(ctx)
        _check_links(ctx, member, new_title if post.is_opening else "", new_body)
        html, search_text, mentioned = _rendered(ctx, thread, new_title if post.is_opening else "", new_body)
        now = timezone.now()
        post.body, post.html, post.search_text = new_body, html, search_text
        post.fingerprint = access.fingerprint(new_title if post.is_opening else "", new_body)
        post.edited_at, post.edited_by = now, actor
        post.save(update_fields=["body", "html", "search_text", "fingerprint", "edited_at", "edited_by"])
        keep = {user.pk for user in mentioned}
        Mention.objects.filter(post=post).exclude(user_id__in=keep).delete()
        known = set(Mention.objects.filter(post=post).values_list("user_id", flat=True))
        Mention.objects.bulk_create([Mention(post=post, user=user) for user in mentioned if user.pk not in known])
        if post.is_opening and new_title != thread.title:
            thread.title = new_title
            Thread.objects.filter(pk=thread.pk).update(title=new_title)
        if not own:
            ModerationAction.objects.create(
                space=ctx.space, actor=actor, action=ModerationAction.Action.EDIT, thread=thread, post=post,
                target_user_id=post.author_id, reason=reason,
            )
    return post_info(ctx, post)


def _reaction_kind(kind: Any) -> str:
    if kind not in Reaction.Kind.values:
        raise CommunitiesError("invalid_reaction", _("Choose one of the reactions offered."), 400, field="kind")
    return kind


def _counts(post: Post) -> dict[str, int]:
    counts = Counter(dict(Reaction.objects.filter(post=post).values("kind").annotate(n=Count("pk")).values_list(
        "kind", "n")))
    return {kind: counts[kind] for kind in Reaction.Kind.values if counts[kind]}


def _reacting(user: Any, post_id: Any, kind: Any) -> tuple[access.Context, Post, str]:
    ctx, post = access.reader_of_post(user, post_id)
    kind = _reaction_kind(kind)
    if ctx.muted_until is not None:
        raise forbidden(_("You are muted in this course's community."), code="muted", until=ctx.muted_until)
    return ctx, post, kind


def react(user: Any, post_id: Any, kind: str) -> dict[str, int]:
    """Add ``user``'s reaction of ``kind`` to a post (idempotent); returns the post's counts by kind."""
    ctx, post, kind = _reacting(user, post_id, kind)
    if not Reaction.objects.filter(post=post, user_id=ctx.user_id, kind=kind).exists():
        insert_ignoring_conflicts(Reaction(post=post, user_id=ctx.user_id, kind=kind))
    return _counts(post)


def unreact(user: Any, post_id: Any, kind: str) -> dict[str, int]:
    """Take back ``user``'s reaction of ``kind`` (idempotent); returns the post's counts by kind."""
    ctx, post, kind = _reacting(user, post_id, kind)
    Reaction.objects.filter(post=post, user_id=ctx.user_id, kind=kind).delete()
    return _counts(post)
