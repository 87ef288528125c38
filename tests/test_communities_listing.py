"""
A forum's page and a thread's page: order (pinned first, then last activity), authors, reply counts, the unread
flag, the filters, pages without a COUNT, what learners and moderators see, and a fixed number of queries whatever
the size of the forum or the thread.

The data is built with the models (what posting leaves behind), so that reading is tested alone; the shared
helpers (``cast``, ``make_thread``, ``make_reply``) serve the search and Q&A tests too.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from edx_django_utils.cache import RequestCache

from mentora_plugin.communities import access, api
from mentora_plugin.communities.models import (
    Follow,
    Forum,
    Group,
    GroupMembership,
    Post,
    Reaction,
    Thread,
    ThreadRead,
)
from mentora_plugin.host import api as host_api
from mentora_plugin.host.data import CourseRoleRecord
from tests.conftest import COURSE, OTHER_COURSE, at

pytestmark = pytest.mark.django_db


# --- data, shared with the search and Q&A tests -----------------------------------------------------------------------


@pytest.fixture
def cast(make_user):
    """Learners ann and bob, trainer tina, course staff sam in COURSE; olga only in OTHER_COURSE."""
    host_api.record_course(COURSE, at(0), title="Communities 101")
    host_api.record_course(OTHER_COURSE, at(0), title="Other course")
    people = {name: make_user(name, first_name=name.capitalize()) for name in ("ann", "bob", "tina", "sam", "olga")}
    for name in ("ann", "bob"):
        host_api.record_enrollment(people[name].pk, COURSE, "audit", True, at(0))
    host_api.record_enrollment(people["olga"].pk, OTHER_COURSE, "audit", True, at(0))
    host_api.grant_trainer_role(COURSE, people["tina"], granted_by=None)
    host_api.record_course_role(CourseRoleRecord(user_id=people["sam"].pk, org=COURSE.org, course_key=str(COURSE),
                                                 role="staff", is_active=True), at(0))
    return people


def space():
    return access.space_for(COURSE)


def forum(kind=Forum.Kind.DISCUSSION, title="Python help", course=COURSE) -> Forum:
    target = access.space_for(course)
    if kind in (Forum.Kind.QA, Forum.Kind.ANNOUNCEMENTS):
        return Forum.objects.get(space=target, kind=kind)
    return Forum.objects.create(space=target, kind=kind, title=title, position=5)


def make_thread(where: Forum, author, title="A thread", body="Its opening post.", *, minutes_ago=0,
                replies=0, **flags) -> Thread:
    """A thread and its opening post as ``posts.create_thread`` leaves them (``flags``: pinned, hidden, ...)."""
    when = timezone.now() - timedelta(minutes=minutes_ago)
    if where.kind == Forum.Kind.QA:
        flags.setdefault("is_question", True)
        flags.setdefault("state", Thread.State.OPEN)
    thread = Thread.objects.create(forum=where, author=author, title=title, created=when, last_activity_at=when,
                                   reply_count=replies, **flags)
    Post.objects.create(thread=thread, author=author, is_opening=True, body=body, html=f"<p>{body}</p>",
                        search_text=f"{title}\n{body}", created=when)
    return thread


def make_reply(thread: Thread, author, body="A reply.", *, parent=None, **flags) -> Post:
    """A reply (or a comment on ``parent``) as ``posts.reply`` leaves it: the thread's count and activity bumped."""
    now = timezone.now()
    post = Post.objects.create(thread=thread, parent=parent, author=author, body=body, html=f"<p>{body}</p>",
                               search_text=body, created=now, **flags)
    Thread.objects.filter(pk=thread.pk).update(reply_count=thread.reply_count + 1, last_activity_at=now)
    thread.refresh_from_db()
    return post


def titles(page) -> list[str]:
    return [line.title for line in page.threads]


# --- the forum's page -------------------------------------------------------------------------------------------------


def test_pinned_first_then_by_last_activity_with_author_count_and_unread(cast):
    python = forum()
    old = make_thread(python, cast["ann"], "Old", minutes_ago=300)
    make_thread(python, cast["bob"], "Recent", minutes_ago=10)
    make_thread(python, cast["tina"], "Rules", minutes_ago=900, pinned=True)
    revived = make_thread(python, cast["bob"], "Revived", minutes_ago=600)
    make_reply(revived, cast["ann"])  # its activity is now
    ThreadRead.objects.create(user=cast["ann"], thread=old, read_at=timezone.now())

    page = api.forum_page(cast["ann"], python.pk)

    assert titles(page) == ["Rules", "Revived", "Recent", "Old"]
    lines = {line.title: line for line in page.threads}
    assert lines["Revived"].reply_count == 1 and lines["Revived"].author.username == "bob"
    assert lines["Rules"].pinned and lines["Rules"].author.role == "trainer"
    assert lines["Old"].unread is False and lines["Recent"].unread is True  # read / never read
    assert page.page == 1 and page.has_next is False


def test_a_thread_active_since_it_was_read_is_unread_again(cast):
    python = forum()
    thread = make_thread(python, cast["bob"], "Busy", minutes_ago=60)
    ThreadRead.objects.create(user=cast["ann"], thread=thread, read_at=timezone.now() - timedelta(minutes=30))
    assert api.forum_page(cast["ann"], python.pk).threads[0].unread is False
    make_reply(thread, cast["bob"])
    assert api.forum_page(cast["ann"], python.pk).threads[0].unread is True


def _page_queries(user, forum_id, **kwargs) -> tuple[int, object]:
    RequestCache.clear_all_namespaces()  # each measured call as a fresh request: roles not remembered
    with CaptureQueriesContext(connection) as queries:
        page = api.forum_page(user, forum_id, **kwargs)
    return len(queries), page


def test_the_page_costs_the_same_queries_for_5_and_60_threads(cast):
    small, large = forum(title="Small"), forum(title="Large")
    authors = [cast["ann"], cast["bob"], cast["tina"], cast["sam"]]
    for index in range(5):
        make_thread(small, authors[index % 4], f"Small {index}", minutes_ago=index)
    for index in range(60):
        make_thread(large, authors[index % 4], f"Large {index}", minutes_ago=index)
    ThreadRead.objects.create(user=cast["ann"], thread=Thread.objects.get(title="Large 3"), read_at=timezone.now())

    few, small_page = _page_queries(cast["ann"], small.pk)
    many, large_page = _page_queries(cast["ann"], large.pk)

    assert few == many, f"{few} queries for 5 threads, {many} for 60"
    assert many <= 12
    assert len(small_page.threads) == 5 and not small_page.has_next
    assert len(large_page.threads) == 20 and large_page.has_next
    assert [line.unread for line in large_page.threads[:5]] == [True, True, True, False, True]


def test_pages_follow_each_other_without_gaps(cast):
    python = forum()
    for index in range(45):
        make_thread(python, cast["bob"], f"T{index:02d}", minutes_ago=index)
    pages = [api.forum_page(cast["ann"], python.pk, page=number) for number in (1, 2, 3)]
    assert [page.has_next for page in pages] == [True, True, False]
    seen = [title for page in pages for title in titles(page)]
    assert seen == [f"T{index:02d}" for index in range(45)]
    assert api.forum_page(cast["ann"], python.pk, page=4).threads == ()


@pytest.mark.parametrize("kwargs, code", [
    ({"show": "everything"}, "invalid_filter"), ({"page": 0}, "invalid_page"), ({"page": "x"}, "invalid_page"),
    ({"page_size": 0}, "invalid_page_size"), ({"page_size": 101}, "invalid_page_size"),
])
def test_bad_page_requests_are_400(cast, kwargs, code):
    with pytest.raises(api.CommunitiesError) as error:
        api.forum_page(cast["ann"], forum().pk, **kwargs)
    assert (error.value.status, error.value.code) == (400, code)


def test_the_filters(cast):
    python = forum()
    read = make_thread(python, cast["bob"], "Read", minutes_ago=5)
    followed = make_thread(python, cast["bob"], "Followed", minutes_ago=4)
    answered = make_thread(python, cast["bob"], "Answered", minutes_ago=30)
    make_reply(answered, cast["tina"])
    ThreadRead.objects.create(user=cast["ann"], thread=read, read_at=timezone.now())
    Follow.objects.create(user=cast["ann"], space=space(), thread=followed)

    assert titles(api.forum_page(cast["ann"], python.pk, show="unread")) == ["Answered", "Followed"]
    assert titles(api.forum_page(cast["ann"], python.pk, show="following")) == ["Followed"]
    assert titles(api.forum_page(cast["ann"], python.pk, show="unanswered")) == ["Followed", "Read"]

    qa = forum(Forum.Kind.QA)
    make_thread(qa, cast["ann"], "Open question", minutes_ago=3)
    make_thread(qa, cast["ann"], "Answered question", minutes_ago=2, state=Thread.State.ANSWERED, replies=1)
    make_thread(qa, cast["ann"], "Commented question", minutes_ago=1, replies=2)  # learners chatting: still open
    assert titles(api.forum_page(cast["ann"], qa.pk, show="unanswered")) == ["Commented question", "Open question"]


def test_learners_never_see_hidden_deleted_or_others_private_questions_moderators_do(cast):
    python, qa = forum(), forum(Forum.Kind.QA)
    make_thread(python, cast["bob"], "Fine")
    make_thread(python, cast["bob"], "Hidden", hidden=True)
    make_thread(python, cast["bob"], "Deleted", deleted=True)
    make_thread(qa, cast["bob"], "Bob's private", private=True)
    make_thread(qa, cast["ann"], "Ann's private", private=True)

    assert titles(api.forum_page(cast["ann"], python.pk)) == ["Fine"]
    assert titles(api.forum_page(cast["ann"], qa.pk)) == ["Ann's private"]
    for moderator in ("tina", "sam"):
        lines = {line.title: line for line in api.forum_page(cast[moderator], python.pk).threads}
        assert set(lines) == {"Fine", "Hidden", "Deleted"}
        assert lines["Hidden"].hidden and lines["Deleted"].deleted and not lines["Fine"].hidden
        assert set(titles(api.forum_page(cast[moderator], qa.pk))) == {"Bob's private", "Ann's private"}


def test_outsiders_and_other_groups_boards(cast, make_user):
    python = forum()
    with pytest.raises(api.CommunitiesError) as error:
        api.forum_page(cast["olga"], python.pk)
    assert (error.value.status, error.value.code) == (403, "not_enrolled")
    board = forum(Forum.Kind.GROUP, title="Team A board")
    group = Group.objects.create(space=space(), name="Team A", board=board)
    GroupMembership.objects.create(group=group, user=cast["bob"])
    make_thread(board, cast["bob"], "Our plan")
    assert titles(api.forum_page(cast["bob"], board.pk)) == ["Our plan"]
    with pytest.raises(api.CommunitiesError) as error:
        api.forum_page(cast["ann"], board.pk)
    assert (error.value.status, error.value.code) == (404, "forum_not_found")
    with pytest.raises(api.CommunitiesError) as error:
        api.forum_page(cast["ann"], 999999)
    assert error.value.status == 404


# --- a thread ---------------------------------------------------------------------------------------------------------


def test_thread_detail_posts_comments_reactions_and_read_mark(cast):
    python = forum()
    thread = make_thread(python, cast["bob"], "Loops", "How do **loops** work?", minutes_ago=30)
    first = make_reply(thread, cast["tina"], "Like this.")
    comment = make_reply(thread, cast["bob"], "Thanks!", parent=first)
    second = make_reply(thread, cast["ann"], "Or like that.")
    Reaction.objects.create(post=first, user=cast["ann"], kind="helpful")
    Reaction.objects.create(post=first, user=cast["bob"], kind="helpful")
    Reaction.objects.create(post=first, user=cast["bob"], kind="thanks")

    detail = api.thread_detail(cast["ann"], thread.pk)

    assert detail.thread.title == "Loops" and detail.thread.unread is True and detail.thread.reply_count == 3
    assert detail.opening.author.username == "bob" and detail.opening.is_opening
    assert detail.opening.body == "" and not detail.opening.can_edit  # someone else's post: no source
    assert [reply.id for reply in detail.replies] == [first.pk, second.pk]
    assert [c.id for c in detail.replies[0].comments] == [comment.pk]
    assert detail.replies[0].reactions == {"helpful": 2, "thanks": 1}
    assert detail.replies[0].my_reactions == ("helpful",)
    assert detail.replies[1].can_edit and detail.replies[1].body == "Or like that."  # her own
    assert detail.can_reply and detail.forum.id == python.pk and detail.following is False
    assert ThreadRead.objects.get(user=cast["ann"], thread=thread).read_at == Thread.objects.get(
        pk=thread.pk).last_activity_at
    assert api.thread_detail(cast["ann"], thread.pk).thread.unread is False
    assert api.forum_page(cast["ann"], python.pk).threads[0].unread is False


def test_a_preview_does_not_mark_read(cast):
    thread = make_thread(forum(), cast["bob"])
    api.thread_detail(cast["ann"], thread.pk, mark_read=False)
    assert not ThreadRead.objects.filter(user=cast["ann"]).exists()


def test_hidden_replies_reach_moderators_only_flagged(cast):
    thread = make_thread(forum(), cast["bob"])
    shown = make_reply(thread, cast["ann"], "Fine.")
    hidden = make_reply(thread, cast["ann"], "Rude.", hidden=True, report_count=3)
    make_reply(thread, cast["bob"], "A comment under the rude one.", parent=hidden)

    learner = api.thread_detail(cast["bob"], thread.pk)
    assert [reply.id for reply in learner.replies] == [shown.pk]
    moderator = api.thread_detail(cast["tina"], thread.pk)
    replies = {reply.id: reply for reply in moderator.replies}
    assert replies[hidden.pk].hidden and replies[hidden.pk].report_count == 3 and len(replies[hidden.pk].comments) == 1
    assert replies[hidden.pk].body == "Rude."  # moderators may edit, so they get the source


def test_locked_threads_cannot_be_replied_to_by_learners(cast):
    thread = make_thread(forum(), cast["bob"], locked=True)
    assert api.thread_detail(cast["ann"], thread.pk).can_reply is False
    assert api.thread_detail(cast["tina"], thread.pk).can_reply is True


def test_hidden_threads_and_others_private_questions_are_404(cast):
    hidden = make_thread(forum(), cast["bob"], hidden=True)
    private = make_thread(forum(Forum.Kind.QA), cast["bob"], "Secret", private=True)
    for thread in (hidden, private):
        with pytest.raises(api.CommunitiesError) as error:
            api.thread_detail(cast["ann"], thread.pk)
        assert (error.value.status, error.value.code) == (404, "thread_not_found")
    assert api.thread_detail(cast["bob"], private.pk).thread.private
    assert api.thread_detail(cast["tina"], private.pk).thread.title == "Secret"


def _detail_queries(user, thread_id) -> int:
    RequestCache.clear_all_namespaces()
    with CaptureQueriesContext(connection) as queries:
        api.thread_detail(user, thread_id)
    return len(queries)


def test_thread_detail_costs_the_same_queries_for_3_and_30_posts(cast):
    python = forum()
    people = [cast["ann"], cast["bob"], cast["tina"], cast["sam"]]
    short, long = make_thread(python, cast["bob"], "Short"), make_thread(python, cast["bob"], "Long")
    for thread, count in ((short, 3), (long, 30)):
        replies = [make_reply(thread, people[index % 4], f"Reply {index}") for index in range(count)]
        for index, reply in enumerate(replies):
            make_reply(thread, people[(index + 1) % 4], f"Comment {index}", parent=reply)
            Reaction.objects.create(post=reply, user=people[(index + 2) % 4], kind="like")
    ThreadRead.objects.create(user=cast["ann"], thread=short, read_at=at(0))
    ThreadRead.objects.create(user=cast["ann"], thread=long, read_at=at(0))
    few, many = _detail_queries(cast["ann"], short.pk), _detail_queries(cast["ann"], long.pk)
    assert few == many, f"{few} queries for 3 replies, {many} for 30"
