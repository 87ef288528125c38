"""
Reading a space: a forum's page of threads, a thread with its posts, search, and the similar questions suggested
while a learner types a new one.

Every call reads a FIXED number of queries, whatever the size of the forum, the thread or the result: the forum page
is the call benchmarked against ``openedx-forum`` on 100,000 posts. What the viewer may see comes from
``access.visible_threads`` / ``access.visible_posts`` (one place for the rules); this module only orders, filters,
pages and shapes.

- ``forum_page`` walks the index ``mentora_comm_thread_page`` (forum, deleted, pinned, last activity) in order and
  stops after ``page_size + 1`` rows: no COUNT over the forum (``has_next`` comes from the extra row); the viewer's
  read mark rides along as a correlated subquery on the unique (user, thread) row, so unread costs no extra query.
- ``search`` and ``similar_questions`` use the FULLTEXT indexes of migration 0002 on MySQL/MariaDB (MATCH ... AGAINST
  in boolean mode, the user's text reduced to plain words: no operator of theirs ever reaches the parser), and
  ``icontains`` on each word elsewhere (SQLite: the demo and the fast tests).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    Lookup,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils.translation import gettext as _

from mentora_plugin.communities import access
from mentora_plugin.communities.common import CommunitiesError, not_found
from mentora_plugin.communities.data import (
    PostInfo,
    SearchHit,
    SimilarQuestion,
    ThreadDetail,
    ThreadPage,
    ThreadSummary,
)
from mentora_plugin.communities.models import Follow, Forum, Post, Reaction, Thread, ThreadRead
from mentora_plugin.db import insert_ignoring_conflicts

__all__ = ["SearchResults", "forum_page", "search", "similar_questions", "thread_detail", "unread_counts"]

SHOW_FILTERS = ("all", "unread", "following", "unanswered")
MAX_PAGE_SIZE = 100
#: Words a search keeps (more are ignored: a pasted paragraph must not become a 300-term query).
MAX_QUERY_WORDS = 12
#: InnoDB indexes words of ``innodb_ft_min_token_size`` (3) to ``innodb_ft_max_token_size`` (84) characters.
_FT_MIN_WORD, _FT_MAX_WORD = 3, 84
_EXCERPT_BEFORE, _EXCERPT_LENGTH = 60, 220
_WORD = re.compile(r"\w+", re.UNICODE)


def _word_set(words: str) -> frozenset[str]:
    """A set of words written as one string (lists of words read best as words)."""
    return frozenset(words.split())


#: InnoDB's default full-text stopwords: a required ``+word*`` on one of them matches nothing, so they are left out
#: of the boolean query (and searched with LIKE if nothing else is left).
_INNODB_STOPWORDS = _word_set(
    "a about an are as at be by com de en for from how i in is it la of on or that the this to was what when where "
    "who will with und www"
)

#: Words that say nothing of a question's subject, in English and French: similar questions ignore them.
STOP_WORDS = _word_set(
    # English
    "a about above after again against all also am an and any are as at be because been before being below between "
    "both but by can could did do does doing done down during each few for from further get gets got had has have "
    "having he her here hers him his how i if in into is it its itself just me more most my no nor not now of off "
    "on once only or other our ours out over own same she should so some such than that the their theirs them then "
    "there these they this those through to too under until up very was we were what when where which while who "
    "whom why will with would you your yours anyone someone something anything please help question questions "
    "thanks thank hello hi way use using need know work works"
    # French
    " au aux avec ce ces cet cette ceci cela ça dans de des du elle elles en et est être eu il ils je la le les leur "
    "leurs lui ma mais me même mes moi mon ne nos notre nous on ou où par pas pour qu que quel quelle quelles quels "
    "qui sa sans se ses si son sont sur ta te tes toi ton tu un une vos votre vous été avoir ai as avons avez ont "
    "suis es sommes êtes fait faire faut peut peux pouvez comment pourquoi quand quoi combien est-ce y a-t-il "
    "bonjour merci svp question questions aide aider besoin sais savoir ya"
)


@dataclass(frozen=True)
class SearchResults:
    """One page of a search: the matching threads, best first, each with its best post's excerpt."""

    hits: tuple[SearchHit, ...]
    page: int
    has_next: bool


# --- shared shaping ---------------------------------------------------------------------------------------------------


def _with_read_mark(threads: QuerySet[Thread], user_id: int) -> QuerySet[Thread]:
    """Each thread with the viewer's read mark (``my_read_at``), in the same query."""
    read = ThreadRead.objects.filter(thread=OuterRef("pk"), user_id=user_id).values("read_at")[:1]
    return threads.annotate(my_read_at=Subquery(read))


def _is_unread(thread: Thread) -> bool:
    read_at = getattr(thread, "my_read_at", None)
    return read_at is None or read_at < thread.last_activity_at


def summaries(ctx: access.Context, threads: list[Thread]) -> list[ThreadSummary]:
    """Lines for ``threads`` (fetched with ``_with_read_mark``), their authors in constant queries."""
    from mentora_plugin.communities import posts

    people = access.person_refs(ctx, [t.author_id for t in threads])
    return [posts.thread_summary(ctx, thread, people, unread=_is_unread(thread)) for thread in threads]


def unread_counts(user: Any, course_key: Any) -> dict[int, int]:
    """
    How many threads of each forum of the space ``user`` may read are unread for them (never read, or active since):
    ``{forum_id: count}``, forums with none left out. One grouped query whatever the number of forums.
    """
    ctx = access.reader(user, course_key)
    read_since = ThreadRead.objects.filter(
        thread=OuterRef("pk"), user_id=ctx.user_id, read_at__gte=OuterRef("last_activity_at"))
    rows = (
        access.visible_threads(ctx).filter(~Exists(read_since))
        .order_by().values("forum_id").annotate(count=Count("pk"))
    )
    return {row["forum_id"]: row["count"] for row in rows}


def _page_numbers(page: Any, page_size: Any) -> tuple[int, int]:
    try:
        page, page_size = int(page), int(page_size)
    except (TypeError, ValueError):
        raise CommunitiesError("invalid_page", _("Give a page number and a page size."), 400, field="page") from None
    if page < 1:
        raise CommunitiesError("invalid_page", _("Pages count from 1."), 400, field="page")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise CommunitiesError(
            "invalid_page_size",
            _("A page holds from 1 to {count} items.").format(count=MAX_PAGE_SIZE), 400, field="page_size",
        )
    return page, page_size


# --- a forum's page ---------------------------------------------------------------------------------------------------


def forum_page(user: Any, forum_id: Any, *, page: int = 1, page_size: int = 20, show: str = "all") -> ThreadPage:
    """
    One page of a forum's threads as ``user`` sees them: pinned first, then by last activity (newest first), each
    with its author, reply count and unread flag.

    Args:
        show: "all"; "unread" (never read, or active since the viewer last read it); "following" (threads the
            viewer follows); "unanswered" (questions still open, other threads without a reply).

    Returns:
        ``ThreadPage``; ``has_next`` from one extra row, never a COUNT of the forum.

    Raises:
        CommunitiesError: 404 ``forum_not_found`` (absent or not visible), 403 ``not_enrolled`` / ``suspended``,
            400 ``invalid_filter`` / ``invalid_page`` / ``invalid_page_size``.

    Queries: the reader's (forum, roles, sanctions), one for the threads with their read marks, and
    ``person_refs``'s for the authors, whatever the forum's size.
    """
    page, page_size = _page_numbers(page, page_size)
    if show not in SHOW_FILTERS:
        raise CommunitiesError("invalid_filter", _("Unknown filter."), 400, field="show")
    ctx, forum = access.reader_of_forum(user, forum_id)
    threads = _with_read_mark(access.visible_threads(ctx, forum), ctx.user_id)
    if show == "unread":
        threads = threads.filter(Q(my_read_at__isnull=True) | Q(my_read_at__lt=F("last_activity_at")))
    elif show == "following":
        threads = threads.filter(Exists(Follow.objects.filter(user_id=ctx.user_id, thread=OuterRef("pk"))))
    elif show == "unanswered":
        threads = threads.filter(
            Q(is_question=True, state__in=["", Thread.State.OPEN]) | Q(is_question=False, reply_count=0)
        )
    start = (page - 1) * page_size
    # (forum, deleted, pinned, last_activity_at) + the primary key InnoDB appends: the order is the index's.
    rows = list(threads.order_by("-pinned", "-last_activity_at", "-pk")[start:start + page_size + 1])
    return ThreadPage(threads=tuple(summaries(ctx, rows[:page_size])), page=page, has_next=len(rows) > page_size)


# --- a thread ---------------------------------------------------------------------------------------------------------


def thread_detail(user: Any, thread_id: Any, *, mark_read: bool = True) -> ThreadDetail:
    """
    A thread with its opening post, replies and their comments as ``user`` sees them (hidden and deleted posts
    for moderators only, flagged), reaction counts and the viewer's own reactions, the people named, and what the
    Q&A knows of a question. Reading it marks it read (``mark_read=False``: a preview that does not).

    Raises:
        CommunitiesError: 404 ``thread_not_found`` (absent or not visible), 403 ``not_enrolled`` / ``suspended``.

    Queries: fixed whatever the number of posts: the thread, its posts, their reactions (counts and the viewer's
    in one grouped query), the viewer's read mark and follow, the people, the forum's, and the new read mark.
    """
    from mentora_plugin.communities import forums
    from mentora_plugin.communities.posts import post_info, thread_summary

    ctx, thread = access.reader_of_thread(user, thread_id)
    posts = list(access.visible_posts(ctx).filter(thread_id=thread.pk).order_by("created", "pk"))
    opening = next((post for post in posts if post.is_opening), None)
    if opening is None:  # a thread whose opening post the viewer may not see is not theirs to read
        raise not_found("thread")
    ids = [post.pk for post in posts]
    counts: dict[int, dict[str, int]] = {}
    mine: dict[int, list[str]] = {}
    for row in (
        Reaction.objects.filter(post_id__in=ids).values("post_id", "kind")
        .annotate(total=Count("pk"), own=Count("pk", filter=Q(user_id=ctx.user_id))).order_by()
    ):
        counts.setdefault(row["post_id"], {})[row["kind"]] = row["total"]
        if row["own"]:
            mine.setdefault(row["post_id"], []).append(row["kind"])
    marks = Thread.objects.filter(pk=thread.pk).annotate(
        my_read_at=Subquery(
            ThreadRead.objects.filter(thread=OuterRef("pk"), user_id=ctx.user_id).values("read_at")[:1]),
        following=Exists(Follow.objects.filter(thread=OuterRef("pk"), user_id=ctx.user_id)),
    ).values("my_read_at", "following").first() or {}
    thread.my_read_at = marks.get("my_read_at")
    people = access.person_refs(
        ctx, {post.author_id for post in posts} | {thread.author_id, thread.assignee_id}
    )
    may_write_here = access.may_post_in(ctx, thread.forum, new_thread=False)
    may_reply = may_write_here and (ctx.can_moderate or not (thread.locked or thread.closed))

    def info(post: Post, comments: tuple[PostInfo, ...] = ()) -> PostInfo:
        post.thread = thread  # the thread at hand: no query per post
        return post_info(ctx, post, people, reactions=dict(counts.get(post.pk, {})),
                         my_reactions=tuple(sorted(mine.get(post.pk, ()))), comments=comments)

    replies = [post for post in posts if not post.is_opening and post.parent_id is None]
    reply_ids = {post.pk for post in replies}
    comments: dict[int, list[PostInfo]] = {}
    for post in posts:
        if post.parent_id in reply_ids:  # comments of a reply the viewer cannot see are not shown either
            comments.setdefault(post.parent_id, []).append(info(post))
    detail = ThreadDetail(
        thread=thread_summary(ctx, thread, people, unread=_is_unread(thread)),
        forum=forums.forum_info(ctx, thread.forum),
        opening=info(opening),
        replies=tuple(info(post, tuple(comments.get(post.pk, ()))) for post in replies),
        following=bool(marks.get("following")),
        can_reply=may_reply,
        assignee=people.get(thread.assignee_id) if thread.assignee_id else None,
        due_at=thread.due_at,
        answered_at=thread.answered_at,
        escalated_at=thread.escalated_at,
        accepted_post_id=thread.accepted_post_id,
    )
    if mark_read:
        _mark_read(ctx, thread)
    return detail


def _mark_read(ctx: access.Context, thread: Thread) -> None:
    """
    ``follows.mark_read`` for a thread already read and checked here (its read mark fetched with it): one or two
    statements instead of checking the reader again. Never moves a mark back (a late request changes nothing).
    """
    read_at = thread.last_activity_at
    if thread.my_read_at is not None:
        if thread.my_read_at < read_at:
            ThreadRead.objects.filter(user_id=ctx.user_id, thread_id=thread.pk, read_at__lt=read_at).update(
                read_at=read_at)
        return
    insert_ignoring_conflicts(ThreadRead(user_id=ctx.user_id, thread_id=thread.pk, read_at=read_at))
    # A concurrent first read may have inserted an older mark: bring it forward (a no-op otherwise).
    ThreadRead.objects.filter(user_id=ctx.user_id, thread_id=thread.pk, read_at__lt=read_at).update(read_at=read_at)


# --- search -----------------------------------------------------------------------------------------------------------


class _Matches(Lookup):
    """``MATCH (column) AGAINST (%s IN BOOLEAN MODE)`` as a WHERE condition (MySQL/MariaDB only)."""

    lookup_name = "mentora_fulltext"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"MATCH ({lhs}) AGAINST ({rhs} IN BOOLEAN MODE)", [*lhs_params, *rhs_params]


class _Relevance(Func):
    """The relevance MySQL/MariaDB gives a row for a boolean full-text query (the same MATCH, computed once)."""

    output_field = FloatField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        column, query = self.source_expressions
        column_sql, column_params = compiler.compile(column)
        query_sql, query_params = compiler.compile(query)
        return f"MATCH ({column_sql}) AGAINST ({query_sql} IN BOOLEAN MODE)", [*column_params, *query_params]


def _fulltext() -> bool:
    return connection.vendor == "mysql"


def words_of(text: str) -> list[str]:
    """
    The words of what someone typed, lowercased, each once, in order: letters, digits and underscores only, so
    quotes, parentheses, ``@``, ``-``, ``+``, ``*``, ``<``, ``>`` and ``~`` (the boolean full-text operators) are
    separators and never operators.
    """
    seen: dict[str, None] = {}
    for word in _WORD.findall((text or "").casefold()):
        seen.setdefault(word[:_FT_MAX_WORD], None)
    return list(seen)[:MAX_QUERY_WORDS]


def _boolean_query(words: list[str], *, required: bool) -> str:
    """
    A boolean-mode query of plain words: ``+word*`` each (all required, as prefixes) for search, ``word*`` (any,
    more shared words rank higher) for similar questions. Words InnoDB does not index are left out.
    """
    prefix = "+" if required else ""
    return " ".join(
        f"{prefix}{word}*" for word in words if len(word) >= _FT_MIN_WORD and word not in _INNODB_STOPWORDS
    )


def _excerpt(text: str, words: list[str]) -> str:
    """Plain text around the first word found (the start otherwise), cut at word boundaries."""
    text = " ".join((text or "").split())
    folded = text.casefold()
    found = [index for index in (folded.find(word) for word in words) if index >= 0]
    start = max(0, min(found) - _EXCERPT_BEFORE) if found else 0
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    end = start + _EXCERPT_LENGTH
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def search(user: Any, course_key: Any, query: str, *, page: int = 1, page_size: int = 20) -> SearchResults:
    """
    The threads of the course's space whose posts hold every word of ``query`` (as word prefixes), most relevant
    first, among what ``user`` may read: hidden, deleted, private questions of others and the boards of groups they
    are not in are never searched (moderators see what they moderate).

    Raises:
        CommunitiesError: 400 ``query_too_short`` (under 2 characters), ``invalid_page``; 403 ``not_enrolled`` /
            ``suspended``; 400 ``invalid_course_key``.

    Queries: the reader's, one grouped query for the page of threads (``has_next`` from an extra row), one for
    the best post of each, one for the threads with read marks, and the authors'.
    """
    text = (query or "").strip()
    if len(text) < 2:
        raise CommunitiesError("query_too_short", _("Type at least 2 characters to search."), 400, field="query")
    page, page_size = _page_numbers(page, page_size)
    ctx = access.reader(user, course_key)
    words = words_of(text)
    if not words:
        return SearchResults(hits=(), page=page, has_next=False)
    posts = access.visible_posts(ctx)
    boolean = _boolean_query(words, required=True) if _fulltext() else ""
    if boolean:
        matched = posts.filter(_Matches(F("search_text"), boolean))
        score: Any = _Relevance(F("search_text"), Value(boolean))
    else:  # other databases, or only words InnoDB does not index: every word, anywhere in the text
        condition = Q()
        for word in words:
            condition &= Q(search_text__icontains=word)
        matched = posts.filter(condition)
        score = Value(1.0, output_field=FloatField())
    start = (page - 1) * page_size
    ranked = list(
        matched.values("thread_id")
        .annotate(best=Max(score), activity=Max("thread__last_activity_at"))
        .order_by("-best", "-activity", "-thread_id")[start:start + page_size + 1]
    )
    thread_ids = [row["thread_id"] for row in ranked[:page_size]]
    if not thread_ids:
        return SearchResults(hits=(), page=page, has_next=False)
    best_post: dict[int, tuple[int, str]] = {}
    for post_id, thread_id, search_text in (
        matched.filter(thread_id__in=thread_ids).annotate(score=score)
        .order_by("thread_id", "-score", "created", "pk").values_list("pk", "thread_id", "search_text")
    ):
        best_post.setdefault(thread_id, (post_id, search_text))
    threads = {t.pk: t for t in _with_read_mark(Thread.objects.filter(pk__in=thread_ids), ctx.user_id)}
    lines = {line.id: line for line in summaries(ctx, list(threads.values()))}
    hits = tuple(
        SearchHit(thread=lines[thread_id], post_id=best_post[thread_id][0],
                  excerpt=_excerpt(best_post[thread_id][1], words))
        for thread_id in thread_ids if thread_id in lines and thread_id in best_post
    )
    return SearchResults(hits=hits, page=page, has_next=len(ranked) > page_size)


def significant_words(text: str) -> list[str]:
    """The words of ``text`` that say what it is about: stop words (English and French) and short words dropped."""
    return [word for word in words_of(text) if len(word) >= _FT_MIN_WORD and word not in STOP_WORDS]


def similar_questions(user: Any, course_key: Any, title: str, *, limit: int = 5) -> list[SimilarQuestion]:
    """
    Questions of the course's Q&A that ``user`` may read and that share significant words with ``title`` (what
    they are typing), the most words shared first, then the most recently active. Hidden and deleted questions are
    never suggested, even to moderators. No significant word: no suggestion.

    Queries: the reader's and one (the title FULLTEXT index on MySQL/MariaDB).
    """
    ctx = access.reader(user, course_key)
    words = significant_words(title)
    limit = max(1, min(int(limit), 20))
    if not words:
        return []
    questions = access.visible_threads(ctx).filter(
        is_question=True, forum__kind=Forum.Kind.QA, hidden=False, deleted=False
    )
    # Ranked by the number of words shared (InnoDB's relevance weighs words by their rarity in the whole table, which
    # would order suggestions differently from one corpus to another); FULLTEXT only narrows the candidates.
    boolean = _boolean_query(words, required=False) if _fulltext() else ""
    if boolean:
        candidates = questions.filter(_Matches(F("title"), boolean))
    else:
        any_word = Q()
        for word in words:
            any_word |= Q(title__icontains=word)
        candidates = questions.filter(any_word)
    shared = sum(
        (Case(When(title__icontains=word, then=Value(1)), default=Value(0), output_field=IntegerField())
         for word in words),
        Value(0, output_field=IntegerField()),
    )
    ranked = candidates.annotate(score=shared)
    rows = ranked.order_by("-score", "-last_activity_at", "-pk").values_list(
        "pk", "forum_id", "title", "state", "reply_count")[:limit]
    return [SimilarQuestion(thread_id=pk, forum_id=forum_id, title=title_, state=state, reply_count=replies)
            for pk, forum_id, title_, state, replies in rows]
