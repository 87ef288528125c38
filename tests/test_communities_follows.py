"""
Following threads, forums and people, and read marks: idempotent, only what one may read, never a read mark moved
back; outsiders and the suspended are refused, the muted may still follow and read.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from mentora_plugin.communities import follows, posts
from mentora_plugin.communities.models import Follow, Thread, ThreadRead
from tests import test_communities_access as access_tests
from tests.conftest import COURSE
from tests.test_communities_access import OUTSIDERS, forum_of, make_group, refused, sanction

pytestmark = pytest.mark.django_db

# The access tests' people: staff, trainers, learners, outsiders of two courses.
cast = access_tests.cast


@pytest.fixture
def thread(cast):
    return Thread.objects.get(pk=posts.create_thread(cast["learner"], forum_of("qa").pk, title="Q", body="B").id)


class TestFollowThreads:
    def test_follow_and_unfollow_idempotently(self, cast, thread):
        follows.follow_thread(cast["learner2"], thread.pk)
        follows.follow_thread(cast["learner2"], str(thread.pk))
        follow = Follow.objects.get(user=cast["learner2"])
        assert (follow.thread, follow.space.course_key, follow.forum, follow.followed_user) == (
            thread, COURSE, None, None)
        follows.unfollow_thread(cast["learner2"], thread.pk)
        follows.unfollow_thread(cast["learner2"], thread.pk)
        assert not Follow.objects.filter(user=cast["learner2"]).exists()

    def test_only_threads_one_may_read(self, cast, thread):
        Thread.objects.filter(pk=thread.pk).update(private=True)
        assert refused(follows.follow_thread, cast["learner2"], thread.pk).code == "thread_not_found"
        follows.follow_thread(cast["trainer"], thread.pk)
        assert refused(follows.follow_thread, cast["learner2"], 999999).status == 404


class TestFollowForums:
    def test_follow_and_unfollow_idempotently(self, cast):
        qa = forum_of("qa")
        for _ in range(2):
            follows.follow_forum(cast["learner"], qa.pk)
        assert Follow.objects.get(user=cast["learner"]).forum == qa
        follows.unfollow_forum(cast["learner"], qa.pk)
        follows.unfollow_forum(cast["learner"], qa.pk)
        assert not Follow.objects.exists()

    def test_only_forums_one_may_read(self, cast):
        board = make_group(cast, members=("learner",)).board
        follows.follow_forum(cast["learner"], board.pk)
        assert refused(follows.follow_forum, cast["learner2"], board.pk).code == "forum_not_found"


class TestFollowPeople:
    def test_follow_and_unfollow_idempotently(self, cast):
        for _ in range(2):
            follows.follow_user(cast["learner"], COURSE, "trainer")
        follow = Follow.objects.get(user=cast["learner"])
        assert (follow.followed_user, follow.thread, follow.forum) == (cast["trainer"], None, None)
        follows.unfollow_user(cast["learner"], str(COURSE), "trainer")
        follows.unfollow_user(cast["learner"], COURSE, "trainer")
        assert not Follow.objects.exists()

    def test_only_people_of_the_course_and_not_oneself(self, cast):
        for username in ("outsider", "gone", "nobody", ""):
            error = refused(follows.follow_user, cast["learner"], COURSE, username)
            assert (error.code, error.status) == ("person_not_found", 404)
        error = refused(follows.follow_user, cast["learner"], COURSE, "learner")
        assert (error.code, error.status, error.field) == ("self", 400, "username")
        follows.follow_user(cast["learner"], COURSE, "staff")
        follows.follow_user(cast["learner"], COURSE, "platform_staff")


class TestMarkRead:
    def test_read_up_to_the_last_activity_never_back(self, cast, thread):
        follows.mark_read(cast["learner2"], thread.pk)
        assert ThreadRead.objects.get(user=cast["learner2"]).read_at == thread.last_activity_at
        posts.reply(cast["learner"], thread.pk, body="More")
        thread.refresh_from_db()
        follows.mark_read(cast["learner2"], thread.pk, at=thread.last_activity_at - timedelta(hours=1))
        follows.mark_read(cast["learner2"], thread.pk)
        assert ThreadRead.objects.get(user=cast["learner2"]).read_at == thread.last_activity_at
        follows.mark_read(cast["learner2"], thread.pk, at=thread.last_activity_at - timedelta(hours=1))
        assert ThreadRead.objects.get(user=cast["learner2"]).read_at == thread.last_activity_at
        later = timezone.now() + timedelta(minutes=1)
        follows.mark_read(cast["learner2"], thread.pk, at=later)
        assert ThreadRead.objects.get(user=cast["learner2"]).read_at == later
        assert ThreadRead.objects.count() == 1

    def test_a_naive_time_is_400(self, cast, thread):
        error = refused(follows.mark_read, cast["learner2"], thread.pk, at=datetime(2026, 1, 1))
        assert (error.code, error.status, error.field) == ("invalid_date", 400, "at")

    def test_only_threads_one_may_read(self, cast, thread):
        Thread.objects.filter(pk=thread.pk).update(hidden=True)
        assert refused(follows.mark_read, cast["learner2"], thread.pk).status == 404


def calls(cast, thread):
    qa = forum_of("qa")
    return (
        (follows.follow_thread, (thread.pk,)),
        (follows.unfollow_thread, (thread.pk,)),
        (follows.follow_forum, (qa.pk,)),
        (follows.unfollow_forum, (qa.pk,)),
        (follows.follow_user, (COURSE, "learner")),
        (follows.unfollow_user, (COURSE, "learner")),
        (follows.mark_read, (thread.pk,)),
    )


class TestDoors:
    @pytest.mark.parametrize("name", OUTSIDERS)
    def test_outsiders_are_refused(self, cast, thread, name):
        for call, args in calls(cast, thread):
            error = refused(call, cast[name], *args)
            assert (error.code, error.status) == ("not_enrolled", 403), call.__name__
        assert Follow.objects.exclude(user=cast["learner"]).count() == 0 and not ThreadRead.objects.exists()

    def test_the_anonymous_are_refused(self, cast, thread):
        for call, args in calls(cast, thread):
            assert refused(call, None, *args).code == "not_enrolled"

    def test_the_suspended_are_refused(self, cast, thread):
        sanction(cast, "learner2", "suspend")
        for call, args in calls(cast, thread):
            error = refused(call, cast["learner2"], *args)
            assert (error.code, error.status) == ("suspended", 403)

    def test_the_muted_may_follow_and_read(self, cast, thread):
        sanction(cast, "learner2", "mute")
        for call, args in calls(cast, thread):
            call(cast["learner2"], *args)
