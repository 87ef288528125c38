"""
Writing in a space: threads, replies and comments, edits and reactions; every writing rule (mute, suspension,
read-only, closing date, posting rule, locked and closed threads, slow mode, rate limits with the stricter limits of
new members, links, duplicates); Markdown through the one renderer; @mentions of people who may read the thread;
the thread's copies (reply count, last activity); the notification task queued after the commit.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from mentora_plugin.communities import access, forums, posts
from mentora_plugin.communities.models import (
    Follow,
    Forum,
    Member,
    Mention,
    ModerationAction,
    Notification,
    Post,
    Reaction,
    Thread,
)
from mentora_plugin.host import api as host_api
from tests import test_communities_access as access_tests
from tests.conftest import COURSE, at
from tests.test_communities_access import OUTSIDERS, forum_of, refused, sanction

pytestmark = pytest.mark.django_db

# The access tests' people: staff, trainers, learners, outsiders of two courses.
cast = access_tests.cast


@pytest.fixture
def qa(cast):
    return forum_of("qa")


@pytest.fixture
def discussion(cast):
    return Forum.objects.get(pk=forums.create_forum(cast["trainer"], COURSE, title="Python").id)


@pytest.fixture
def question(cast, qa):
    return Thread.objects.get(pk=posts.create_thread(cast["learner"], qa.pk, title="How?", body="How do I?").id)


def back(minutes: float, **lookup) -> None:
    """Move posts (all, or those matching) ``minutes`` into the past, as if time had passed since."""
    for post in Post.objects.filter(**lookup):
        Post.objects.filter(pk=post.pk).update(created=post.created - timedelta(minutes=minutes))


def veteran(cast, name: str) -> None:
    """``name`` joined the space long ago and posted: the ordinary limits apply to them."""
    Member.objects.update_or_create(space=access.space_for(COURSE), user=cast[name],
                                    defaults={"post_count": 5})
    Member.objects.filter(user=cast[name]).update(joined_at=timezone.now() - timedelta(days=30))


# --- threads ----------------------------------------------------------------------------------------------------------


class TestCreateThread:
    def test_a_question_with_its_opening_post(self, cast, qa):
        summary = posts.create_thread(cast["learner"], qa.pk, title=" Loops? ", body="How do **loops** work?")
        assert (summary.title, summary.author.username, summary.is_question, summary.state) == (
            "Loops?", "learner", True, "open")
        assert summary.reply_count == 0 and not summary.unread and not summary.private
        thread = Thread.objects.get(pk=summary.id)
        opening = thread.posts.get()
        assert opening.is_opening and opening.parent is None and opening.author == cast["learner"]
        assert opening.html == "<p>How do <strong>loops</strong> work?</p>\n"
        assert "Loops?" in opening.search_text and "How do loops work?" in opening.search_text
        assert "<" not in opening.search_text
        assert opening.fingerprint == access.fingerprint("Loops?", "How do **loops** work?")
        assert len(opening.fingerprint) == 64
        assert Follow.objects.filter(user=cast["learner"], thread=thread).exists()
        assert Member.objects.get(user=cast["learner"]).post_count == 1

    def test_a_discussion_thread_is_no_question(self, cast, discussion):
        summary = posts.create_thread(cast["learner"], discussion.pk, title="Hi", body="Hello")
        assert not summary.is_question and summary.state == ""

    def test_raw_html_stays_text(self, cast, qa):
        body = "<script>alert(1)</script> [a](javascript:x)"
        summary = posts.create_thread(cast["learner"], qa.pk, title="X", body=body)
        html = Post.objects.get(thread_id=summary.id).html
        assert "<script" not in html and "&lt;script&gt;" in html and "href" not in html

    def test_private_only_in_the_qa_forum(self, cast, qa, discussion):
        assert posts.create_thread(cast["learner"], qa.pk, title="Mine", body="Secret", private=True).private
        error = refused(posts.create_thread, cast["learner"], discussion.pk, title="Mine", body="x", private=True)
        assert (error.code, error.status, error.field) == ("private_only_questions", 400, "private")

    @pytest.mark.parametrize("title, body, code, field", [
        ("", "x", "title_required", "title"),
        ("  ", "x", "title_required", "title"),
        ("x" * 201, "x", "title_too_long", "title"),
        ("X", "", "body_required", "body"),
        ("X", " \n ", "body_required", "body"),
        ("X", "x" * 20_001, "body_too_long", "body"),
    ])
    def test_bad_input(self, cast, qa, title, body, code, field):
        error = refused(posts.create_thread, cast["learner"], qa.pk, title=title, body=body)
        assert (error.code, error.status, error.field) == (code, 400, field)
        assert not Thread.objects.exists()

    def test_the_longest_accepted(self, cast, qa):
        posts.create_thread(cast["learner"], qa.pk, title="x" * 200, body="y" * 20_000)

    def test_announcements_threads_by_staff_only_replies_by_all(self, cast):
        announcements = forum_of("announcements")
        for name in ("learner", "trainer"):
            error = refused(posts.create_thread, cast[name], announcements.pk, title="News", body="Hello")
            assert (error.code, error.status) == ("posting_restricted", 403)
        news = posts.create_thread(cast["staff"], announcements.pk, title="News", body="Exam on Monday")
        posts.create_thread(cast["platform_staff"], announcements.pk, title="More", body="Platform news")
        assert posts.reply(cast["learner"], news.id, body="Thanks!").author.username == "learner"

    def test_the_trainers_posting_rule(self, cast, discussion):
        forums.update_forum(cast["staff"], discussion.pk, posting="trainers")
        error = refused(posts.create_thread, cast["learner"], discussion.pk, title="Q", body="x")
        assert (error.code, error.status) == ("posting_restricted", 403)
        posts.create_thread(cast["beginner"], discussion.pk, title="Tips", body="Read the docs")

    def test_the_leaders_posting_rule(self, cast, discussion):
        forums.update_forum(cast["staff"], discussion.pk, posting="leaders")
        assert refused(posts.create_thread, cast["beginner"], discussion.pk, title="Q", body="x").code == (
            "posting_restricted")
        posts.create_thread(cast["trainer"], discussion.pk, title="From the leader", body="x")  # the leader
        posts.create_thread(cast["staff"], discussion.pk, title="From staff", body="x")

    def test_group_boards_for_their_group(self, cast):
        from tests.test_communities_access import make_group

        board = make_group(cast, members=("learner",)).board
        posts.create_thread(cast["learner"], board.pk, title="Plan", body="Our plan")
        assert refused(posts.create_thread, cast["learner2"], board.pk, title="Plan", body="x").status == 404


# --- replies ----------------------------------------------------------------------------------------------------------


class TestReply:
    def test_a_reply_bumps_the_thread_and_follows_it(self, cast, question):
        before = question.last_activity_at
        info = posts.reply(cast["learner2"], question.pk, body="Like *this*.")
        assert (info.thread_id, info.parent_id, info.is_opening, info.author.username) == (
            question.pk, None, False, "learner2")
        assert info.html == "<p>Like <em>this</em>.</p>\n" and info.body == "Like *this*." and info.can_edit
        question.refresh_from_db()
        assert question.reply_count == 1 and question.last_activity_at > before
        assert question.last_activity_at == Post.objects.get(pk=info.id).created
        assert Follow.objects.filter(user=cast["learner2"], thread=question).exists()
        posts.reply(cast["learner2"], question.pk, body="And another.")
        question.refresh_from_db()
        assert question.reply_count == 2
        assert Follow.objects.filter(user=cast["learner2"], thread=question).count() == 1

    def test_comments_go_on_replies_only(self, cast, question):
        answer = posts.reply(cast["learner2"], question.pk, body="Answer")
        comment = posts.reply(cast["learner"], question.pk, body="Thanks", parent_id=str(answer.id))
        assert comment.parent_id == answer.id
        question.refresh_from_db()
        assert question.reply_count == 2
        opening = question.posts.get(is_opening=True)
        other = posts.create_thread(cast["learner"], forum_of("qa").pk, title="Other", body="Other one")
        elsewhere = posts.reply(cast["learner2"], other.id, body="Elsewhere")
        for parent in (opening.pk, comment.id, elsewhere.id, 999999, "x"):
            error = refused(posts.reply, cast["learner"], question.pk, body="Hmm", parent_id=parent)
            assert (error.code, error.status, error.field) == ("invalid_parent", 400, "parent_id")

    def test_a_trainer_answering_a_question_answers_it(self, cast, question):
        posts.reply(cast["learner2"], question.pk, body="Not me")
        question.refresh_from_db()
        assert question.state == "open"
        posts.reply(cast["trainer"], question.pk, body="Like this")
        question.refresh_from_db()
        assert (question.state, question.answered_by) == ("answered", cast["trainer"])

    def test_the_notification_task_leaves_after_the_commit(self, cast, question, eager_celery,
                                                          django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            info = posts.reply(cast["learner2"], question.pk, body="An answer")
        assert callbacks and not Notification.objects.filter(post_id=info.id).exists()
        for callback in callbacks:
            callback()
        assert Notification.objects.filter(recipient=cast["learner"], post_id=info.id, kind="reply").exists()

    def test_unknown_and_invisible_threads_are_404(self, cast, question):
        Thread.objects.filter(pk=question.pk).update(hidden=True)
        assert refused(posts.reply, cast["learner2"], question.pk, body="x").code == "thread_not_found"
        assert refused(posts.reply, cast["learner2"], 999999, body="x").code == "thread_not_found"
        posts.reply(cast["trainer"], question.pk, body="Moderators still can")


# --- mentions ---------------------------------------------------------------------------------------------------------


class TestMentions:
    def test_people_who_may_read_are_mentioned_and_linked(self, cast, question):
        info = posts.reply(cast["learner2"], question.pk,
                           body="@learner and @trainer, see `@learner3` and @outsider, @nobody, mail a@learner3.")
        post = Post.objects.get(pk=info.id)
        assert set(Mention.objects.filter(post=post).values_list("user__username", flat=True)) == {
            "learner", "trainer"}
        path = f"/mentora/communities/{COURSE}/people/learner/"
        assert f'<a href="{path}" rel="nofollow ugc noopener noreferrer">@learner</a>' in info.html
        assert "<code>@learner3</code>" in info.html and "@outsider" in info.html
        assert "people/outsider" not in info.html and "people/nobody" not in info.html
        assert "people/learner3" not in info.html

    def test_a_private_question_mentions_only_who_may_read_it(self, cast, qa):
        summary = posts.create_thread(cast["learner"], qa.pk, title="Secret", body="@learner2 @trainer help",
                                      private=True)
        mentioned = Mention.objects.filter(post__thread_id=summary.id).values_list("user__username", flat=True)
        assert set(mentioned) == {"trainer"}

    def test_markdown_in_usernames_is_escaped_in_links(self, cast, question, make_user):
        odd = make_user("a_b_c")
        host_api.record_enrollment(odd.pk, COURSE, "audit", True, at(1))
        info = posts.reply(cast["learner2"], question.pk, body="Hi @a_b_c.")
        assert ">@a_b_c</a>." in info.html and "<em>" not in info.html
        assert Mention.objects.filter(user=odd).exists()

    def test_mentions_in_fenced_code_are_code(self, cast, question):
        info = posts.reply(cast["learner2"], question.pk, body="```\n@learner\n```\nend")
        assert not Mention.objects.filter(post_id=info.id).exists() and "people/" not in info.html

    def test_an_indented_first_line_stays_a_code_block(self, cast, question):
        info = posts.reply(cast["learner2"], question.pk, body="\n    for line in lines:\n        print(line)\n\n")
        assert info.html.startswith("<pre><code>for line in lines:")
        assert Post.objects.get(pk=info.id).body == "    for line in lines:\n        print(line)"

    def test_an_edit_updates_mentions(self, cast, question):
        info = posts.reply(cast["learner2"], question.pk, body="@learner")
        posts.edit_post(cast["learner2"], info.id, body="@trainer now")
        assert list(Mention.objects.filter(post_id=info.id).values_list("user__username", flat=True)) == ["trainer"]


# --- writing rules ----------------------------------------------------------------------------------------------------


class TestDoors:
    @pytest.mark.parametrize("name", OUTSIDERS)
    def test_outsiders_write_nothing(self, cast, question, name):
        reply = posts.reply(cast["learner2"], question.pk, body="Reply")
        for call, args, kwargs in (
            (posts.create_thread, (forum_of("qa").pk,), {"title": "X", "body": "Y"}),
            (posts.reply, (question.pk,), {"body": "Y"}),
            (posts.edit_post, (reply.id,), {"body": "Y", "reason": "Because"}),
            (posts.react, (reply.id, "like"), {}),
            (posts.unreact, (reply.id, "like"), {}),
        ):
            error = refused(call, cast[name], *args, **kwargs)
            assert (error.code, error.status) == ("not_enrolled", 403), call.__name__
        assert Post.objects.count() == 2 and not Reaction.objects.exists()

    def test_the_anonymous_write_nothing(self, cast, question):
        from django.contrib.auth.models import AnonymousUser

        assert refused(posts.reply, AnonymousUser(), question.pk, body="x").code == "not_enrolled"
        assert refused(posts.create_thread, None, forum_of("qa").pk, title="x", body="x").code == "not_enrolled"

    def test_the_suspended_write_and_read_nothing(self, cast, question):
        reply = posts.reply(cast["learner2"], question.pk, body="Reply")
        sanction(cast, "learner", "suspend")
        for call, args, kwargs in (
            (posts.create_thread, (forum_of("qa").pk,), {"title": "X", "body": "Y"}),
            (posts.reply, (question.pk,), {"body": "Y"}),
            (posts.edit_post, (question.posts.get(is_opening=True).pk,), {"body": "Y"}),
            (posts.react, (reply.id, "like"), {}),
        ):
            error = refused(call, cast["learner"], *args, **kwargs)
            assert (error.code, error.status) == ("suspended", 403)
            assert error.until is not None

    def test_the_muted_read_but_neither_write_nor_react(self, cast, question):
        reply = posts.reply(cast["learner2"], question.pk, body="Reply")
        mute = sanction(cast, "learner", "mute")
        access.reader_of_thread(cast["learner"], question.pk)
        for call, args, kwargs in (
            (posts.create_thread, (forum_of("qa").pk,), {"title": "X", "body": "Y"}),
            (posts.reply, (question.pk,), {"body": "Y"}),
            (posts.edit_post, (question.posts.get(is_opening=True).pk,), {"body": "Y"}),
            (posts.react, (reply.id, "like"), {}),
            (posts.unreact, (reply.id, "like"), {}),
        ):
            error = refused(call, cast["learner"], *args, **kwargs)
            assert (error.code, error.status, error.until) == ("muted", 403, mute.until), call.__name__

    def test_read_only_forums_for_moderators_and_the_leader(self, cast, discussion):
        thread = posts.create_thread(cast["learner"], discussion.pk, title="T", body="B")
        forums.update_forum(cast["trainer"], discussion.pk, read_only=True)
        for call, args, kwargs in ((posts.create_thread, (discussion.pk,), {"title": "X", "body": "Y"}),
                                   (posts.reply, (thread.id,), {"body": "Y"})):
            error = refused(call, cast["learner"], *args, **kwargs)
            assert (error.code, error.status) == ("forum_read_only", 403)
        posts.reply(cast["trainer"], thread.id, body="The leader")
        posts.reply(cast["staff"], thread.id, body="Staff")

    def test_closed_forums(self, cast, discussion):
        thread = posts.create_thread(cast["learner"], discussion.pk, title="T", body="B")
        Forum.objects.filter(pk=discussion.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
        for name in ("learner", "staff"):
            error = refused(posts.reply, cast[name], thread.id, body="Late")
            assert (error.code, error.status) == ("forum_closed", 409)
        Forum.objects.filter(pk=discussion.pk).update(closes_at=timezone.now() + timedelta(hours=1))
        posts.reply(cast["learner"], thread.id, body="In time")

    def test_locked_threads_for_moderators_only(self, cast, question):
        Thread.objects.filter(pk=question.pk).update(locked=True)
        error = refused(posts.reply, cast["learner2"], question.pk, body="x")
        assert (error.code, error.status) == ("thread_locked", 409)
        opening = question.posts.get(is_opening=True)
        assert refused(posts.edit_post, cast["learner"], opening.pk, body="New").code == "thread_locked"
        posts.reply(cast["trainer"], question.pk, body="A moderator")

    def test_closed_threads_for_moderators_only(self, cast, question):
        Thread.objects.filter(pk=question.pk).update(closed=True)
        error = refused(posts.reply, cast["learner2"], question.pk, body="x")
        assert (error.code, error.status) == ("thread_closed", 409)
        posts.reply(cast["staff"], question.pk, body="Staff")

    def test_slow_mode_for_learners(self, cast, discussion):
        forums.update_forum(cast["trainer"], discussion.pk, slow_mode_seconds=60)
        thread = posts.create_thread(cast["learner"], discussion.pk, title="T", body="B")
        first = Post.objects.get(thread_id=thread.id)
        error = refused(posts.reply, cast["learner"], thread.id, body="Again")
        assert (error.code, error.status) == ("slow_mode", 429)
        assert error.until == first.created + timedelta(seconds=60)
        posts.reply(cast["learner2"], thread.id, body="Someone else")  # per person
        posts.reply(cast["trainer"], thread.id, body="Trainers have no slow mode")
        posts.reply(cast["trainer"], thread.id, body="None at all")
        back(1.5, author=cast["learner"])
        posts.reply(cast["learner"], thread.id, body="Again")

    def test_slow_mode_is_per_forum(self, cast, discussion, qa):
        forums.update_forum(cast["trainer"], discussion.pk, slow_mode_seconds=600)
        posts.create_thread(cast["learner"], discussion.pk, title="T", body="B")
        posts.create_thread(cast["learner"], qa.pk, title="Q", body="Elsewhere")


class TestLimits:
    @pytest.fixture(autouse=True)
    def _small_limits(self, cast, settings):
        settings.MENTORA_COMMUNITIES_LIMITS = {"posts_per_hour": 4, "threads_per_day": 3, "links_per_post": 5}
        settings.MENTORA_COMMUNITIES_NEW_MEMBER_LIMITS = {"posts_per_hour": 2, "threads_per_day": 1,
                                                          "links_per_post": 1}

    def test_new_members_posts_per_hour(self, cast, question):
        posts.reply(cast["learner2"], question.pk, body="One")
        posts.reply(cast["learner2"], question.pk, body="Two")
        error = refused(posts.reply, cast["learner2"], question.pk, body="Three")
        assert (error.code, error.status) == ("rate_limited", 429)
        oldest = Post.objects.filter(author=cast["learner2"]).order_by("created").first()
        assert error.until == oldest.created + timedelta(hours=1)
        back(61, author=cast["learner2"])
        posts.reply(cast["learner2"], question.pk, body="Three")

    def test_older_members_get_the_ordinary_limits(self, cast, question):
        veteran(cast, "learner2")
        for number in range(4):
            posts.reply(cast["learner2"], question.pk, body=f"Reply {number}")
        assert refused(posts.reply, cast["learner2"], question.pk, body="Five").code == "rate_limited"

    def test_a_young_row_is_new_even_after_posting(self, cast, question):
        veteran(cast, "learner2")
        Member.objects.filter(user=cast["learner2"]).update(joined_at=timezone.now() - timedelta(days=2))
        posts.reply(cast["learner2"], question.pk, body="One")
        posts.reply(cast["learner2"], question.pk, body="Two")
        assert refused(posts.reply, cast["learner2"], question.pk, body="Three").code == "rate_limited"

    def test_an_old_row_that_never_posted_is_new(self, cast, question):
        veteran(cast, "learner2")
        Member.objects.filter(user=cast["learner2"]).update(post_count=0)
        assert access.get_viewer(cast["learner2"], COURSE).is_new_member
        posts.reply(cast["learner2"], question.pk, body="One")
        assert not access.get_viewer(cast["learner2"], COURSE).is_new_member

    def test_threads_per_day(self, cast, qa):
        posts.create_thread(cast["learner2"], qa.pk, title="One", body="One")
        error = refused(posts.create_thread, cast["learner2"], qa.pk, title="Two", body="Two")
        assert (error.code, error.status) == ("rate_limited", 429)
        veteran(cast, "learner2")
        back(61, author=cast["learner2"])
        posts.create_thread(cast["learner2"], qa.pk, title="Two", body="Two")
        posts.create_thread(cast["learner2"], qa.pk, title="Three", body="Three")
        assert refused(posts.create_thread, cast["learner2"], qa.pk, title="Four", body="Four").code == (
            "rate_limited")
        back(24 * 60, author=cast["learner2"])
        posts.create_thread(cast["learner2"], qa.pk, title="Four", body="Four")

    def test_links(self, cast, question):
        body = "See https://a.example and http://b.example"
        error = refused(posts.reply, cast["learner2"], question.pk, body=body)
        assert (error.code, error.status, error.field) == ("too_many_links", 400, "body")
        veteran(cast, "learner2")
        posts.reply(cast["learner2"], question.pk, body=body)
        many = " ".join(f"https://x{n}.example" for n in range(6))
        assert refused(posts.reply, cast["learner2"], question.pk, body=many).code == "too_many_links"
        posts.reply(cast["trainer"], question.pk, body=many)  # trainers have no limits

    def test_trainers_and_staff_have_no_limits(self, cast, question):
        for number in range(5):
            posts.reply(cast["trainer"], question.pk, body=f"Answer {number}")
            posts.reply(cast["staff"], question.pk, body="Same text each time")

    def test_duplicates(self, cast, qa, question):
        veteran(cast, "learner2")
        veteran(cast, "learner")
        posts.reply(cast["learner2"], question.pk, body="Buy   cheap  WATCHES")
        other = posts.create_thread(cast["learner"], qa.pk, title="Other", body="Other")
        error = refused(posts.reply, cast["learner2"], other.id, body="buy cheap watches")
        assert (error.code, error.status) == ("duplicate_post", 409)
        posts.reply(cast["learner"], other.id, body="buy cheap watches")  # someone else
        back(25 * 60, author=cast["learner2"])
        posts.reply(cast["learner2"], other.id, body="buy cheap watches")

    def test_no_duplicate_check_when_the_window_is_zero(self, cast, question, settings):
        settings.MENTORA_COMMUNITIES_DUPLICATE_WINDOW_HOURS = 0
        posts.reply(cast["learner2"], question.pk, body="Same")
        posts.reply(cast["learner2"], question.pk, body="Same")

    def test_refused_posts_leave_nothing(self, cast, question):
        Thread.objects.filter(pk=question.pk).update(locked=True)
        refused(posts.reply, cast["learner2"], question.pk, body="x")
        question.refresh_from_db()
        assert question.reply_count == 0 and Post.objects.count() == 1
        assert not Follow.objects.filter(user=cast["learner2"]).exists()


# --- edits ------------------------------------------------------------------------------------------------------------


class TestEdit:
    def test_the_author_edits_the_text_and_the_title(self, cast, question):
        opening = question.posts.get(is_opening=True)
        info = posts.edit_post(cast["learner"], opening.pk, body="How do I **loop**?", title="Loops")
        assert info.html == "<p>How do I <strong>loop</strong>?</p>\n" and info.edited_at is not None
        question.refresh_from_db()
        opening.refresh_from_db()
        assert question.title == "Loops" and opening.edited_by == cast["learner"]
        assert opening.search_text.startswith("Loops") and opening.fingerprint == access.fingerprint(
            "Loops", "How do I **loop**?")
        assert not ModerationAction.objects.exists()

    def test_a_title_only_on_the_opening_post(self, cast, question):
        reply = posts.reply(cast["learner2"], question.pk, body="R")
        error = refused(posts.edit_post, cast["learner2"], reply.id, title="T")
        assert (error.code, error.status, error.field) == ("title_not_editable", 400, "title")

    def test_others_may_not_edit(self, cast, question):
        opening = question.posts.get(is_opening=True)
        error = refused(posts.edit_post, cast["learner2"], opening.pk, body="Mine now")
        assert (error.code, error.status) == ("permission_denied", 403)

    def test_a_moderator_gives_a_reason_logged(self, cast, question):
        opening = question.posts.get(is_opening=True)
        error = refused(posts.edit_post, cast["trainer"], opening.pk, body="Tidied")
        assert (error.code, error.status, error.field) == ("reason_required", 400, "reason")
        info = posts.edit_post(cast["trainer"], opening.pk, body="Tidied", reason="Phone number removed")
        assert info.html == "<p>Tidied</p>\n"
        entry = ModerationAction.objects.get()
        assert (entry.action, entry.actor, entry.post_id, entry.thread_id, entry.target_user, entry.reason) == (
            "edit", cast["trainer"], opening.pk, question.pk, cast["learner"], "Phone number removed")

    def test_the_body_is_given_to_who_may_edit_only(self, cast, question):
        reply = posts.reply(cast["learner2"], question.pk, body="Secret *source*")
        ctx, post = access.reader_of_post(cast["learner"], reply.id)
        seen = posts.post_info(ctx, post)
        assert seen.body == "" and not seen.can_edit and seen.html

    def test_an_edit_keeps_the_links_limit(self, cast, question, settings):
        settings.MENTORA_COMMUNITIES_NEW_MEMBER_LIMITS = {"posts_per_hour": 9, "threads_per_day": 9,
                                                          "links_per_post": 1}
        reply = posts.reply(cast["learner2"], question.pk, body="R")
        error = refused(posts.edit_post, cast["learner2"], reply.id, body="https://a.example https://b.example")
        assert (error.code, error.field) == ("too_many_links", "body")


# --- reactions --------------------------------------------------------------------------------------------------------


class TestReactions:
    def test_react_and_unreact_idempotently(self, cast, question):
        reply = posts.reply(cast["learner2"], question.pk, body="R")
        assert posts.react(cast["learner"], reply.id, "helpful") == {"helpful": 1}
        assert posts.react(cast["learner"], reply.id, "helpful") == {"helpful": 1}
        assert posts.react(cast["trainer"], reply.id, "helpful") == {"helpful": 2}
        assert posts.react(cast["learner2"], reply.id, "like") == {"like": 1, "helpful": 2}  # own post: allowed
        assert posts.unreact(cast["learner"], reply.id, "helpful") == {"like": 1, "helpful": 1}
        assert posts.unreact(cast["learner"], reply.id, "helpful") == {"like": 1, "helpful": 1}

    def test_unknown_kinds(self, cast, question):
        reply = posts.reply(cast["learner2"], question.pk, body="R")
        error = refused(posts.react, cast["learner"], reply.id, "love")
        assert (error.code, error.status, error.field) == ("invalid_reaction", 400, "kind")

    def test_hidden_posts_are_404(self, cast, question):
        reply = posts.reply(cast["learner2"], question.pk, body="R")
        Post.objects.filter(pk=reply.id).update(hidden=True)
        assert refused(posts.react, cast["learner"], reply.id, "like").code == "post_not_found"
