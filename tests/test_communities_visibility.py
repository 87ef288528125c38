"""
What a second reader of communities found, kept fixed: the review queue, the audit log, notifications and the digest
show only what their reader may still read; comments go out of sight with their reply; an accepted answer taken out
of sight stops being the answer; learners made moderators cannot sanction trainers; a suspension's end is given
in the member's zone.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from mentora_plugin.communities import api, posts
from mentora_plugin.communities.models import Forum, NotificationPreference, Post, Thread
from mentora_plugin.host import api as host_api
from tests import test_communities_moderation as moderation_tests
from tests.conftest import COURSE
from tests.test_communities_moderation import refused

pytestmark = pytest.mark.django_db

_roomy_limits = moderation_tests._roomy_limits
cast = moderation_tests.cast
clock = moderation_tests.clock


@pytest.fixture
def second_trainer(cast, make_user):
    other = make_user("trainer2")
    host_api.grant_trainer_role(COURSE, other, granted_by=None)
    return other


@pytest.fixture
def board(cast):
    """A group of learner and peer supervised by trainer, and a thread on its private board."""
    group = api.create_group(cast["trainer"], COURSE, name="Secret", members=["learner", "peer"])
    started = posts.create_thread(cast["learner"], group.board_forum_id, title="Our private plan", body="Plan")
    return group, started


def test_the_review_queue_and_audit_log_keep_other_groups_boards_out(cast, board, second_trainer):
    _group, started = board
    reply = posts.reply(cast["learner"], started.id, body="another secret reply")
    api.report_post(cast["peer"], reply.id, "spam")
    api.moderate_thread(cast["trainer"], started.id, "pin", reason="Keep it on top")
    assert [item.thread_title for item in api.review_queue(cast["trainer"], COURSE)] == ["Our private plan"]
    assert [item.thread_title for item in api.review_queue(cast["staff"], COURSE)] == ["Our private plan"]
    assert api.review_queue(second_trainer, COURSE) == []
    assert [entry.thread_id for entry in api.audit_log(second_trainer, COURSE)] == []
    assert [entry.thread_id for entry in api.audit_log(cast["staff"], COURSE)] == [started.id]


def test_notifications_and_the_digest_follow_what_the_reader_may_still_read(
        cast, board, clock, django_capture_on_commit_callbacks):
    group, started = board
    with django_capture_on_commit_callbacks(execute=True):
        posts.reply(cast["learner"], started.id, body="Look @peer")
    assert [item.thread_title for item in api.list_notifications(cast["peer"])] == ["Our private plan"]
    api.set_group_members(cast["trainer"], group.id, ["learner"])
    assert api.list_notifications(cast["peer"]) == [] and api.unread_notification_count(cast["peer"]) == 0

    forum = api.create_forum(cast["staff"], COURSE, title="General")
    with django_capture_on_commit_callbacks(execute=True):
        doxx = posts.create_thread(cast["third"], forum.id, title="Doxxing someone at 12 Main St", body="@fourth")
    api.moderate_thread(cast["staff"], doxx.id, "delete", reason="Private information")
    assert api.list_notifications(cast["fourth"]) == []
    NotificationPreference.objects.filter(user=cast["fourth"]).delete()
    clock.move(days=2)
    api.send_digests()
    assert not [message for message in mail.outbox if "12 Main St" in message.body]


def test_the_author_still_hears_that_reports_hid_their_thread(cast, settings, django_capture_on_commit_callbacks):
    settings.MENTORA_COMMUNITIES_AUTO_HIDE_REPORTS = 2
    forum = api.create_forum(cast["staff"], COURSE, title="General")
    started = posts.create_thread(cast["learner"], forum.id, title="Buy my course", body="Cheap")
    opening = Post.objects.get(thread_id=started.id, is_opening=True)
    with django_capture_on_commit_callbacks(execute=True):
        api.report_post(cast["peer"], opening.pk, "spam")
        api.report_post(cast["third"], opening.pk, "spam")
    assert Thread.objects.get(pk=started.id).hidden
    assert [item.kind for item in api.list_notifications(cast["learner"])] == ["moderation"]


@pytest.mark.django_db(transaction=True)  # MariaDB's FULLTEXT index sees committed rows only
def test_comments_leave_with_their_hidden_reply(cast):
    forum = api.create_forum(cast["staff"], COURSE, title="General")
    started = posts.create_thread(cast["learner"], forum.id, title="Fish", body="Tell me about fish")
    reply = posts.reply(cast["peer"], started.id, body="Salmon")
    posts.reply(cast["third"], started.id, body="zebrafish are lovely", parent_id=reply.id)
    assert api.search(cast["fourth"], COURSE, "zebrafish").hits
    api.moderate_post(cast["trainer"], reply.id, "hide", reason="Off topic")
    assert not api.search(cast["fourth"], COURSE, "zebrafish").hits
    assert api.search(cast["staff"], COURSE, "zebrafish").hits  # moderators still find it
    comment = Post.objects.get(parent_id=reply.id)
    assert refused(api.react, cast["fourth"], comment.pk, "like").status == 404  # no door to it either
    assert Thread.objects.get(pk=started.id).reply_count == 0
    assert api.forum_page(cast["fourth"], forum.id).threads[0].reply_count == 0


def test_an_accepted_answer_taken_out_of_sight_is_no_longer_the_answer(cast):
    qa = Forum.objects.get(space__course_key=COURSE, kind=Forum.Kind.QA) if api.get_space(
        cast["learner"], COURSE) else None
    question = posts.create_thread(cast["learner"], qa.pk, title="Loops?", body="How do loops work?")
    answer = posts.reply(cast["trainer"], question.id, body="Like this")
    api.accept_answer(cast["learner"], answer.id)
    assert Thread.objects.get(pk=question.id).state == "accepted"
    api.moderate_post(cast["staff"], answer.id, "delete", reason="Wrong and misleading")
    thread = Thread.objects.get(pk=question.id)
    assert (thread.state, thread.accepted_post_id) == ("answered", None)
    assert not Post.objects.get(pk=answer.id).is_answer


def test_a_learner_moderator_cannot_sanction_a_trainer(cast, clock):
    api.set_moderator(cast["staff"], COURSE, "peer", True, "Helpful")
    error = refused(api.sanction_member, cast["peer"], COURSE, "trainer", "suspend",
                    clock.now + timedelta(days=1), "Rude")
    assert (error.code, error.status) == ("cannot_sanction_moderator", 403)


def test_a_suspension_says_when_it_ends_in_the_members_zone(cast, clock, monkeypatch):
    from mentora_plugin.host import compat

    monkeypatch.setattr(compat, "get_user_preference",
                        lambda user, key: "Europe/Paris" if key == "time_zone" else None)
    until = clock.now.replace(year=clock.now.year + 1, month=1, day=15, hour=9, minute=0, second=0, microsecond=0)
    api.sanction_member(cast["staff"], COURSE, "peer", "suspend", until, "Abuse")
    error = refused(api.get_space, cast["peer"], COURSE)
    assert error.code == "suspended" and error.until == until
    assert f"{until.year}-01-15 10:00 (Europe/Paris)" in str(error)


def test_unread_counts_per_forum_in_one_query(cast, django_assert_num_queries):
    first = api.create_forum(cast["staff"], COURSE, title="First")
    second = api.create_forum(cast["staff"], COURSE, title="Second")
    read = posts.create_thread(cast["learner"], first.id, title="Read", body="Seen")
    posts.create_thread(cast["learner"], first.id, title="New", body="Not seen")
    posts.create_thread(cast["peer"], second.id, title="Other", body="Not seen either")
    api.mark_read(cast["third"], read.id)
    assert api.unread_counts(cast["third"], COURSE) == {first.id: 1, second.id: 1}
    posts.reply(cast["peer"], read.id, body="News")  # active since they read it: unread again
    assert api.unread_counts(cast["third"], COURSE)[first.id] == 2


def test_the_space_page_costs_the_same_whatever_the_number_of_forums(cast):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from edx_django_utils.cache import RequestCache

    client = Client()
    client.force_login(cast["learner"])
    page = reverse("mentora-communities:space", args=[str(COURSE)])

    def cost() -> int:
        RequestCache.clear_all_namespaces()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
        return len(queries)

    api.create_forum(cast["staff"], COURSE, title="Forum 0")
    few = cost()
    for index in range(1, 11):
        forum = api.create_forum(cast["staff"], COURSE, title=f"Forum {index}")
        posts.create_thread(cast["peer"], forum.id, title=f"Thread {index}", body="Hello")
    assert cost() == few


def test_an_archived_groups_board_stays_readable_by_its_group(cast):
    group = api.create_group(cast["trainer"], COURSE, name="Alpha", members=["learner"])
    started = posts.create_thread(cast["learner"], group.board_forum_id, title="Our plan", body="Plan")
    api.update_group(cast["trainer"], group.id, archived=True)
    assert [thread.id for thread in api.forum_page(cast["learner"], group.board_forum_id).threads] == [started.id]
    assert refused(posts.reply, cast["learner"], started.id, body="More").status == 409  # archived: no posts
    assert refused(api.forum_page, cast["peer"], group.board_forum_id).status == 404  # not their group
