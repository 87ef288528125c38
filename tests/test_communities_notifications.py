"""
Communities' notifications: who a new post concerns (each once, by the most specific kind, never the actor, never
someone who cannot read it), preferences, idempotence under retries, the in-app list, and the email digest (once
per period, in the recipient's language).

The LMS's preferences API cannot run here, so ``compat.get_user_preference`` answers what each test says.
"""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import formats, timezone, translation

from mentora_plugin.communities import api, notifications, posts, tasks
from mentora_plugin.communities.models import Notification, NotificationPreference, Post, Space
from mentora_plugin.host import api as host_api
from tests import test_communities_moderation as moderation_tests
from tests.conftest import COURSE, at
from tests.test_communities_moderation import refused

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

# The moderation tests' fixtures: the people of the course, roomy writing limits, a movable clock.
_roomy_limits = moderation_tests._roomy_limits
cast = moderation_tests.cast
clock = moderation_tests.clock


@pytest.fixture
def forum(cast):
    return api.create_forum(cast["staff"], COURSE, title="General")


def kinds_of(post_id: int) -> dict[str, str]:
    """Who was told of a post, and how: {username: kind}."""
    return dict(Notification.objects.filter(post_id=post_id).values_list("recipient__username", "kind"))


def space_id() -> int:
    return Space.objects.get(course_key=COURSE).pk


# --- who is told ------------------------------------------------------------------------------------------------------


class TestPostCreated:
    def test_a_reply_tells_the_author_followers_and_the_mentioned_each_once(self, cast, forum, committed):
        started = committed(posts.create_thread, cast["learner"], forum.id, title="Bridges", body="How?")
        committed(api.follow_thread, cast["third"], started.id)
        committed(api.follow_user, cast["fourth"], COURSE, "peer")
        committed(api.follow_user, cast["learner"], COURSE, "peer")  # also the thread's author: told as such
        answer = committed(posts.reply, cast["peer"], started.id, body="Like this, @third and @trainer")
        assert kinds_of(answer.id) == {
            "learner": "reply", "third": "mention", "trainer": "mention", "fourth": "followed_user",
        }
        row = Notification.objects.get(post_id=answer.id, recipient=cast["learner"])
        assert (row.actor_id, row.thread_id, row.space.course_key) == (cast["peer"].pk, started.id, COURSE)
        # A comment tells the reply's author; the thread's followers (the asker, the replier) hear of it too.
        comment = committed(posts.reply, cast["third"], started.id, body="Thanks", parent_id=answer.id)
        assert kinds_of(comment.id) == {"peer": "reply", "learner": "followed_thread"}

    def test_a_new_thread_tells_the_forums_followers_not_its_author(self, cast, forum, committed):
        committed(api.follow_forum, cast["peer"], forum.id)
        committed(api.follow_forum, cast["learner"], forum.id)
        started = committed(posts.create_thread, cast["learner"], forum.id, title="News", body="Read this")
        opening = Post.objects.get(thread_id=started.id, is_opening=True)
        assert kinds_of(opening.pk) == {"peer": "followed_forum"}

    def test_a_retried_task_tells_once(self, cast, forum, committed):
        started = committed(posts.create_thread, cast["learner"], forum.id, title="Bridges", body="How?")
        answer = committed(posts.reply, cast["peer"], started.id, body="So")
        assert notifications.post_created(answer.id) == 0
        assert tasks.notify_post_created.delay(str(answer.id)).get() == 0
        assert Notification.objects.filter(post_id=answer.id).count() == 1

    def test_only_people_who_can_still_read_it_are_told(self, cast, forum, committed):
        qa = next(item for item in api.list_forums(cast["staff"], COURSE) if item.kind == "qa")
        committed(api.follow_forum, cast["peer"], qa.id)
        committed(api.follow_forum, cast["trainer"], qa.id)
        private = committed(posts.create_thread, cast["learner"], qa.id, title="My grade", body="Why?", private=True)
        assert kinds_of(Post.objects.get(thread_id=private.id, is_opening=True).pk) == {"trainer": "followed_forum"}
        # A group board: a follower of the author outside the group hears nothing.
        group = api.create_group(cast["trainer"], COURSE, name="Alpha", members=["learner", "third"])
        committed(api.follow_user, cast["fourth"], COURSE, "learner")
        committed(api.follow_user, cast["third"], COURSE, "learner")
        board = committed(posts.create_thread, cast["learner"], group.board_forum_id, title="Plan", body="Go")
        assert kinds_of(Post.objects.get(thread_id=board.id, is_opening=True).pk) == {"third": "followed_user"}
        # Someone who left the course since following is not told.
        open_thread = committed(posts.create_thread, cast["learner"], forum.id, title="Open", body="All welcome")
        committed(api.follow_thread, cast["peer"], open_thread.id)
        host_api.record_enrollment(cast["peer"].pk, COURSE, "audit", False, at(10))
        answer = committed(posts.reply, cast["third"], open_thread.id, body="Hello")
        assert kinds_of(answer.id) == {"learner": "reply"}

    def test_in_app_preferences_choose_the_next_kind_or_none(self, cast, forum, committed):
        started = committed(posts.create_thread, cast["learner"], forum.id, title="Bridges", body="How?")
        committed(api.follow_thread, cast["third"], started.id)
        everything_but_replies = [kind for kind in Notification.Kind.values if kind != "reply"]
        api.set_preferences(cast["learner"], in_app=everything_but_replies)
        api.set_preferences(cast["third"], in_app=[])
        answer = committed(posts.reply, cast["peer"], started.id, body="So")
        assert kinds_of(answer.id) == {"learner": "followed_thread"}  # their own thread, which they follow


class TestNotify:
    def test_skips_the_actor_and_the_unwanted_and_is_idempotent_by_key(self, cast, clock):
        api.get_space(cast["staff"], COURSE)
        api.set_preferences(cast["third"], in_app=["reply"])
        ids = [cast["learner"].pk, cast["peer"].pk, cast["third"].pk, None, cast["outsider"].pk]
        made = notifications.notify(ids, "moderation", space_id=space_id(), actor_id=cast["peer"].pk, key="k:1")
        assert made == 1 and list(Notification.objects.values_list("recipient__username", flat=True)) == ["learner"]
        assert notifications.notify(ids, "moderation", space_id=space_id(), actor_id=cast["peer"].pk, key="k:1") == 0
        api.sanction_member(cast["staff"], COURSE, "fourth", "suspend", clock.now + timedelta(days=1), "Abuse")
        assert notifications.notify([cast["fourth"].pk], "group", space_id=space_id(), key="k:2") == 0
        with pytest.raises(ValueError):
            notifications.notify([cast["learner"].pk], "gossip", space_id=space_id(), key="k:3")
        long_key = "x" * 200
        assert notifications.notify([cast["learner"].pk], "group", space_id=space_id(), key=long_key) == 1
        assert notifications.notify([cast["learner"].pk], "group", space_id=space_id(), key=long_key) == 0


class TestList:
    def test_list_count_and_mark_read(self, cast, forum, committed):
        started = committed(posts.create_thread, cast["learner"], forum.id, title="Bridges", body="How?")
        first = committed(posts.reply, cast["peer"], started.id, body="One")
        committed(posts.reply, cast["third"], started.id, body="Two")
        items = api.list_notifications(cast["learner"])
        assert [item.kind for item in items] == ["reply", "reply"]
        assert api.unread_notification_count(cast["learner"]) == 2
        oldest = items[-1]
        assert (oldest.post_id, oldest.thread_title, oldest.actor.username, oldest.read) == (
            first.id, "Bridges", "peer", False)
        assert oldest.url.endswith(f"/threads/{started.id}/#post-{first.id}") and str(COURSE) in oldest.url
        assert api.mark_notifications_read(cast["peer"], [oldest.id]) == 0  # not theirs
        assert api.mark_notifications_read(cast["learner"], [oldest.id]) == 1
        assert [item.id for item in api.list_notifications(cast["learner"], unread_only=True)] == [items[0].id]
        assert api.mark_notifications_read(cast["learner"]) == 1 and api.unread_notification_count(cast["learner"]) == 0
        assert len(api.list_notifications(cast["learner"], page=2, page_size=1)) == 1

    def test_leaving_the_course_or_a_hidden_thread_takes_them_off_the_list(self, cast, forum, committed):
        started = committed(posts.create_thread, cast["learner"], forum.id, title="Bridges", body="How?")
        committed(posts.reply, cast["peer"], started.id, body="One")
        other = committed(posts.create_thread, cast["learner"], forum.id, title="Tunnels", body="And?")
        committed(posts.reply, cast["peer"], other.id, body="Two")
        assert api.unread_notification_count(cast["learner"]) == 2
        api.moderate_thread(cast["staff"], other.id, "hide", reason="Off topic")
        assert [item.thread_title for item in api.list_notifications(cast["learner"])] == ["Bridges"]
        host_api.record_enrollment(cast["learner"].pk, COURSE, "audit", False, at(10))
        assert api.list_notifications(cast["learner"]) == [] and api.unread_notification_count(cast["learner"]) == 0


class TestPreferences:
    def test_defaults_then_choices_checked(self, cast):
        defaults = api.get_preferences(cast["learner"])
        assert defaults.in_app == frozenset(Notification.Kind.values) and defaults.digest == "daily"
        assert "reply" in defaults.email and "followed_forum" not in defaults.email
        chosen = api.set_preferences(cast["learner"], in_app=["reply", "mention"], email=["mention"], digest="weekly")
        assert (chosen.in_app, chosen.email, chosen.digest) == (frozenset({"reply", "mention"}), frozenset({"mention"}),
                                                                "weekly")
        error = refused(api.set_preferences, cast["learner"], email=["reply", "gossip"])
        assert (error.code, error.status, error.field) == ("invalid_kind", 400, "email")
        assert refused(api.set_preferences, cast["learner"], digest="hourly").field == "digest"
        assert api.set_preferences(cast["learner"], digest="never").in_app == frozenset({"reply", "mention"})


# --- the digest -------------------------------------------------------------------------------------------------------


class TestDigest:
    def test_once_per_period_in_the_recipients_language(self, cast, forum, committed, preferences, clock, settings):
        settings.LMS_ROOT_URL = "https://lms.example.com"
        preferences[cast["peer"].pk] = {"pref-lang": "fr", "time_zone": "Europe/Paris"}
        started = committed(posts.create_thread, cast["learner"], forum.id, title="Bridges", body="How?")
        committed(posts.reply, cast["peer"], started.id, body="Like this")
        committed(posts.reply, cast["learner"], started.id, body="Thanks, @peer")
        assert api.send_digests() == 2
        english, french = sorted(mail.outbox, key=lambda message: message.to[0])
        assert english.to == ["learner@example.com"] and english.extra_headers["Content-Language"] == "en"
        assert english.subject == "1 new notification in your course communities"
        assert "peer replied in “Bridges”" in english.body and "Communities 101" in english.body
        assert f"https://lms.example.com/mentora/communities/{COURSE}/threads/{started.id}/" in english.body
        assert english.alternatives[0][1] == "text/html" and "Bridges" in english.alternatives[0][0]
        assert french.to == ["peer@example.com"] and french.extra_headers["Content-Language"] == "fr"
        mention = Notification.objects.get(recipient=cast["peer"])
        with translation.override("fr"), timezone.override(ZoneInfo("Europe/Paris")):
            when = formats.date_format(timezone.localtime(mention.created), "SHORT_DATETIME_FORMAT")
        assert when in french.body and "Bridges" in french.body
        # The same period: nothing again, even with something new.
        assert api.send_digests() == 0
        committed(posts.reply, cast["peer"], started.id, body="Another idea")
        clock.move(hours=5)
        assert api.send_digests() == 0 and len(mail.outbox) == 2
        clock.move(days=1)
        assert api.send_digests() == 1 and mail.outbox[-1].to == ["learner@example.com"]
        assert "1 new notification" in mail.outbox[-1].subject
        assert not Notification.objects.filter(emailed_at__isnull=True).exists()

    def test_what_the_digest_carries_follows_the_preferences(self, cast, forum, committed, clock):
        started = committed(posts.create_thread, cast["learner"], forum.id, title="Bridges", body="How?")
        committed(api.follow_thread, cast["third"], started.id)
        committed(api.follow_thread, cast["fourth"], started.id)
        api.set_preferences(cast["fourth"], digest="weekly", email=["followed_thread"])
        api.set_preferences(cast["learner"], digest="never")
        committed(posts.reply, cast["peer"], started.id, body="One")
        # third: followed_thread is not emailed by default; fourth: weekly; learner: never.
        assert api.send_digests() == 1 and [message.to for message in mail.outbox] == [["fourth@example.com"]]
        committed(posts.reply, cast["peer"], started.id, body="Two")
        clock.move(days=2)
        assert api.send_digests() == 0  # fourth's week is not over
        clock.move(days=5)
        assert api.send_digests() == 1 and mail.outbox[-1].to == ["fourth@example.com"]
        # Read in the app already: not emailed.
        committed(posts.reply, cast["peer"], started.id, body="Three")
        api.mark_notifications_read(cast["fourth"])
        clock.move(days=8)
        assert api.send_digests() == 0 and len(mail.outbox) == 2
        assert NotificationPreference.objects.get(user=cast["learner"]).last_digest_at is None
