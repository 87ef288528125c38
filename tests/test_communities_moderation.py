"""
Communities' moderation: reports and their automatic hiding at the space's threshold, the review queue and its
resolution, moderators' actions on threads and posts (each with a reason and an audit row; soft, so restorable, and
keeping ``Thread.reply_count`` right), mutes and suspensions until a date (time moves), and the moderator role.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from mentora_plugin.communities import access, api, forums, moderation, posts
from mentora_plugin.communities.models import (
    ModerationAction,
    Notification,
    Post,
    Report,
    Sanction,
    Space,
    Thread,
)
from mentora_plugin.host import api as host_api
from mentora_plugin.host.data import CourseRoleRecord
from tests.conftest import COURSE, OTHER_COURSE, at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roomy_limits(settings):
    """Writing limits out of the way: these tests post a lot, quickly."""
    roomy = {"posts_per_hour": 1000, "threads_per_day": 1000, "links_per_post": 20}
    settings.MENTORA_COMMUNITIES_LIMITS = roomy
    settings.MENTORA_COMMUNITIES_NEW_MEMBER_LIMITS = roomy
    settings.MENTORA_COMMUNITIES_AUTO_HIDE_REPORTS = 3
    settings.LMS_ROOT_URL = "https://lms.example.com"


@pytest.fixture
def cast(make_user):
    """The people of a course's community: learners, a trainer, staff, an outsider enrolled elsewhere."""
    host_api.record_course(COURSE, at(0), title="Communities 101")
    host_api.record_course(OTHER_COURSE, at(0), title="Other")
    people = {name: make_user(name) for name in (
        "learner", "peer", "third", "fourth", "trainer", "staff", "outsider",
    )}
    for name in ("learner", "peer", "third", "fourth"):
        host_api.record_enrollment(people[name].pk, COURSE, "audit", True, at(0))
    host_api.record_enrollment(people["outsider"].pk, OTHER_COURSE, "audit", True, at(0))
    host_api.grant_trainer_role(COURSE, people["trainer"], granted_by=None)
    host_api.record_course_role(CourseRoleRecord(people["staff"].pk, COURSE.org, COURSE, "staff"), at(0))
    return people


@pytest.fixture
def clock(monkeypatch):
    """Time that tests move: ``clock.move(days=2)``; everything that asks ``timezone.now()`` sees it."""

    class Clock:
        def __init__(self) -> None:
            self.now = timezone.now()

        def move(self, **delta) -> None:
            self.now += timedelta(**delta)

    moving = Clock()
    monkeypatch.setattr(timezone, "now", lambda: moving.now)
    return moving


@pytest.fixture
def forum(cast):
    """A thematic forum of the course's space."""
    return forums.create_forum(cast["staff"], COURSE, title="General")


@pytest.fixture
def thread(cast, forum):
    """A thread by the learner with two replies (peer's and third's)."""
    started = posts.create_thread(cast["learner"], forum.id, title="Hello", body="Opening words")
    posts.reply(cast["peer"], started.id, body="A first reply")
    posts.reply(cast["third"], started.id, body="A second reply")
    return Thread.objects.get(pk=started.id)


def refused(call, *args, **kwargs) -> api.CommunitiesError:
    with pytest.raises(api.CommunitiesError) as error:
        call(*args, **kwargs)
    return error.value


def reply_of(thread: Thread, username: str) -> Post:
    return Post.objects.get(thread=thread, author__username=username, is_opening=False)


def opening(thread: Thread) -> Post:
    return Post.objects.get(thread=thread, is_opening=True)


def visible_replies(thread: Thread) -> int:
    """Replies and comments a learner sees: a comment goes out of sight with the reply it answers."""
    return (Post.objects.filter(thread=thread, is_opening=False, hidden=False, deleted=False)
            .exclude(parent__hidden=True).exclude(parent__deleted=True).count())


# --- reports ----------------------------------------------------------------------------------------------------------


class TestReports:
    def test_reporting_checks_the_reason_the_author_and_once_per_person(self, cast, thread):
        target = reply_of(thread, "peer")
        assert refused(api.report_post, cast["peer"], target.pk, "spam").code == "own_post"
        error = refused(api.report_post, cast["learner"], target.pk, "boring")
        assert (error.code, error.status, error.field) == ("invalid_reason", 400, "reason")
        report = api.report_post(cast["learner"], target.pk, "spam", " buy now links ")
        assert (report.post_id, report.reason, report.note, report.reporter.username) == (
            target.pk, "spam", "buy now links", "learner")
        again = refused(api.report_post, cast["learner"], target.pk, "abuse")
        assert (again.code, again.status) == ("already_reported", 409)
        assert Post.objects.get(pk=target.pk).report_count == 1
        assert refused(api.report_post, cast["outsider"], target.pk, "spam").code == "not_enrolled"

    def test_the_spaces_threshold_hides_the_post_logs_it_and_tells_the_author(
        self, cast, thread, django_capture_on_commit_callbacks
    ):
        api.update_space_settings(cast["staff"], COURSE, auto_hide_reports=2)
        target = reply_of(thread, "peer")
        api.report_post(cast["learner"], target.pk, "abuse")
        assert not Post.objects.get(pk=target.pk).hidden  # one report of two
        with django_capture_on_commit_callbacks(execute=True):
            api.report_post(cast["third"], target.pk, "abuse", "rude")
        hidden = Post.objects.get(pk=target.pk)
        assert hidden.hidden and hidden.report_count == 2 and hidden.body == "A first reply"
        assert Thread.objects.get(pk=thread.pk).reply_count == 1 == visible_replies(thread)
        log = ModerationAction.objects.get(action="auto_hide")
        assert (log.actor_id, log.post_id, log.target_user_id) == (None, target.pk, cast["peer"].pk)
        assert log.details == {"reports": 2, "threshold": 2}
        told = Notification.objects.get(recipient=cast["peer"])
        assert (told.kind, told.post_id) == ("moderation", target.pk)
        # Learners no longer see it (404, as if absent); moderators do, flagged.
        assert refused(access.reader_of_post, cast["fourth"], target.pk).status == 404
        assert refused(api.report_post, cast["fourth"], target.pk, "spam").code == "post_not_found"
        (item,) = api.review_queue(cast["trainer"], COURSE)
        assert item.post.id == target.pk and item.post.hidden and item.post.report_count == 2
        assert [report.reporter.username for report in item.reports] == ["learner", "third"]
        assert item.thread_title == "Hello" and item.forum_id == thread.forum_id

    def test_the_platform_setting_applies_without_an_override_and_zero_never_hides(self, cast, thread, settings):
        target = reply_of(thread, "peer")
        for name in ("learner", "third"):
            api.report_post(cast[name], target.pk, "spam")
        assert not Post.objects.get(pk=target.pk).hidden
        api.report_post(cast["fourth"], target.pk, "spam")  # the third report: the setting says 3
        assert Post.objects.get(pk=target.pk).hidden
        api.update_space_settings(cast["staff"], COURSE, auto_hide_reports=0)
        other = reply_of(thread, "third")
        for name in ("learner", "peer", "fourth"):
            api.report_post(cast[name], other.pk, "spam")
        assert not Post.objects.get(pk=other.pk).hidden
        assert moderation.auto_hide_threshold(Space.objects.get()) == 0

    def test_an_opening_post_at_the_threshold_hides_its_whole_thread(self, cast, thread):
        api.update_space_settings(cast["staff"], COURSE, auto_hide_reports=1)
        api.report_post(cast["peer"], opening(thread).pk, "off_topic")
        assert Thread.objects.get(pk=thread.pk).hidden
        assert refused(access.reader_of_thread, cast["third"], thread.pk).status == 404
        assert access.reader_of_thread(cast["staff"], thread.pk)[1].hidden
        (item,) = api.review_queue(cast["staff"], COURSE)
        assert item.post.is_opening and item.thread_id == thread.pk

    def test_resolving_dismissed_shows_it_again_upheld_keeps_it_hidden(self, cast, thread):
        api.update_space_settings(cast["staff"], COURSE, auto_hide_reports=2)
        first, second = reply_of(thread, "peer"), reply_of(thread, "third")
        for post in (first, second):
            for name in ("learner", "fourth"):
                api.report_post(cast[name], post.pk, "spam")
        assert Thread.objects.get(pk=thread.pk).reply_count == 0
        assert refused(api.resolve_reports, cast["learner"], first.pk, "dismissed").status == 404  # hidden to them
        assert refused(api.resolve_reports, cast["staff"], first.pk, "ignored").code == "invalid_resolution"
        api.resolve_reports(cast["trainer"], first.pk, "dismissed", "Fair criticism, not abuse")
        shown = Post.objects.get(pk=first.pk)
        assert not shown.hidden and shown.report_count == 0
        assert set(Report.objects.filter(post=first).values_list("resolution", flat=True)) == {"dismissed"}
        api.resolve_reports(cast["staff"], second.pk, "upheld", "Advertising")
        assert Post.objects.get(pk=second.pk).hidden
        assert Thread.objects.get(pk=thread.pk).reply_count == 1 == visible_replies(thread)
        assert api.review_queue(cast["staff"], COURSE)[0].post.id == second.pk  # hidden: still in the queue
        assert refused(api.resolve_reports, cast["staff"], first.pk, "upheld").code == "nothing_to_resolve"
        logs = ModerationAction.objects.filter(action="resolve_report").order_by("pk")
        assert [(log.actor_id, log.details["resolution"], log.reason) for log in logs] == [
            (cast["trainer"].pk, "dismissed", "Fair criticism, not abuse"), (cast["staff"].pk, "upheld", "Advertising"),
        ]
        assert refused(api.review_queue, cast["learner"], COURSE).status == 403


# --- moderators' actions ----------------------------------------------------------------------------------------------


class TestThreadActions:
    def test_every_action_needs_a_moderator_and_a_reason_and_is_logged(self, cast, thread):
        assert refused(api.moderate_thread, cast["learner"], thread.pk, "pin", reason="mine").status == 403
        error = refused(api.moderate_thread, cast["trainer"], thread.pk, "pin", reason="  ")
        assert (error.code, error.status, error.field) == ("reason_required", 400, "reason")
        assert refused(api.moderate_thread, cast["trainer"], thread.pk, "explode", reason="x").code == "invalid_action"
        for action, flag, value in (("pin", "pinned", True), ("lock", "locked", True), ("close", "closed", True),
                                    ("unlock", "locked", False), ("reopen", "closed", False)):
            summary = api.moderate_thread(cast["trainer"], thread.pk, action, reason=f"Because {action}")
            assert getattr(summary, flag) is value and getattr(Thread.objects.get(pk=thread.pk), flag) is value
        again = refused(api.moderate_thread, cast["trainer"], thread.pk, "pin", reason="twice")
        assert (again.code, again.status) == ("already_done", 409)
        entries = api.audit_log(cast["staff"], COURSE)
        assert [entry.action for entry in entries] == ["reopen", "unlock", "close", "lock", "pin"]
        assert entries[-1].reason == "Because pin" and entries[-1].actor.username == "trainer"
        assert entries[-1].target_user.username == "learner" and entries[-1].thread_id == thread.pk
        assert refused(api.audit_log, cast["learner"], COURSE).status == 403

    def test_lock_and_close_stop_learners_replying(self, cast, thread):
        api.moderate_thread(cast["staff"], thread.pk, "close", reason="Settled")
        assert refused(posts.reply, cast["peer"], thread.pk, body="One more").code == "thread_closed"
        posts.reply(cast["trainer"], thread.pk, body="Moderators may still reply")
        api.moderate_thread(cast["staff"], thread.pk, "lock", reason="Heated")
        assert refused(posts.reply, cast["peer"], thread.pk, body="Another").code == "thread_locked"

    def test_move_goes_to_another_forum_of_the_space_with_from_and_to_logged(self, cast, thread, forum):
        other = forums.create_forum(cast["staff"], COURSE, title="Off topic")
        outside_space = access.space_for(OTHER_COURSE)
        outside_forum = outside_space.forums.first()
        assert refused(api.moderate_thread, cast["staff"], thread.pk, "move", reason="Tidy").code == "forum_required"
        error = refused(api.moderate_thread, cast["staff"], thread.pk, "move", reason="Tidy", forum_id=outside_forum.pk)
        assert (error.code, error.status) == ("invalid_forum", 400)
        moved = api.moderate_thread(cast["staff"], thread.pk, "move", reason="Belongs there", forum_id=other.id)
        assert moved.forum_id == other.id == Thread.objects.get(pk=thread.pk).forum_id
        log = ModerationAction.objects.get(action="move")
        assert (log.details["from"], log.details["to"]) == (forum.id, other.id)
        assert (log.details["from_title"], log.details["to_title"]) == ("General", "Off topic")
        qa = access.space_for(COURSE).forums.get(kind="qa")
        question = api.moderate_thread(cast["staff"], thread.pk, "move", reason="A question", forum_id=qa.pk)
        assert question.is_question and question.state == "open"

    def test_hide_delete_and_restore_are_soft_and_shown_to_moderators_only(self, cast, thread):
        api.moderate_thread(cast["trainer"], thread.pk, "hide", reason="Wait")
        assert refused(access.reader_of_thread, cast["peer"], thread.pk).status == 404
        api.moderate_thread(cast["trainer"], thread.pk, "unhide", reason="Fine")
        api.moderate_thread(cast["staff"], thread.pk, "delete", reason="Spam")
        assert refused(access.reader_of_thread, cast["learner"], thread.pk).status == 404
        assert opening(thread).body == "Opening words"  # the text is kept
        summary = api.moderate_thread(cast["staff"], thread.pk, "restore", reason="Mistake")
        assert not summary.deleted and access.reader_of_thread(cast["peer"], thread.pk)[1].pk == thread.pk


class TestPostActions:
    def test_reply_count_follows_hide_delete_restore(self, cast, thread):
        first, second = reply_of(thread, "peer"), reply_of(thread, "third")
        comment = posts.reply(cast["learner"], thread.pk, body="A comment", parent_id=first.pk)
        assert Thread.objects.get(pk=thread.pk).reply_count == 3
        steps = [
            (first.pk, "hide", 1), (second.pk, "delete", 0), (first.pk, "delete", 0), (comment.id, "hide", 0),
            (first.pk, "unhide", 0), (first.pk, "restore", 1), (second.pk, "restore", 2), (comment.id, "unhide", 3),
        ]
        for post_id, action, count in steps:
            info = api.moderate_post(cast["trainer"], post_id, action, reason=f"step {action}")
            assert Thread.objects.get(pk=thread.pk).reply_count == count == visible_replies(thread), (post_id, action)
            assert info.id == post_id
        assert Post.objects.get(pk=second.pk).body == "A second reply"
        assert ModerationAction.objects.filter(post_id__isnull=False).count() == len(steps)

    def test_a_moderator_sees_the_flags_the_others_get_404(self, cast, thread):
        target = reply_of(thread, "peer")
        info = api.moderate_post(cast["staff"], target.pk, "hide", reason="Check")
        assert info.hidden and info.body == "A first reply"
        assert refused(api.moderate_post, cast["staff"], target.pk, "hide", reason="Again").code == "already_done"
        assert refused(api.moderate_post, cast["third"], target.pk, "unhide", reason="Mine?").status == 404
        assert refused(api.moderate_post, cast["third"], reply_of(thread, "peer").pk, "hide", reason="x").status == 404
        visible = reply_of(thread, "third")
        assert refused(api.moderate_post, cast["peer"], visible.pk, "hide", reason="I dislike it").status == 403

    def test_the_author_deletes_their_own_post_without_a_reason_but_cannot_hide_it(self, cast, thread):
        mine = reply_of(thread, "peer")
        assert refused(api.moderate_post, cast["peer"], mine.pk, "hide", reason="").status == 403
        info = api.moderate_post(cast["peer"], mine.pk, "delete")
        assert info.id == mine.pk and Post.objects.get(pk=mine.pk).deleted
        log = ModerationAction.objects.get(action="delete")
        assert log.actor_id == cast["peer"].pk and log.details == {"by_author": True}
        assert Thread.objects.get(pk=thread.pk).reply_count == 1
        # A thread others replied to is not the author's alone to remove.
        error = refused(api.moderate_post, cast["learner"], opening(thread).pk, "delete")
        assert (error.code, error.status) == ("thread_has_replies", 409)

    def test_the_opening_post_acts_on_its_thread(self, cast, thread):
        api.moderate_post(cast["staff"], opening(thread).pk, "delete", reason="Off-topic thread")
        refreshed = Thread.objects.get(pk=thread.pk)
        assert refreshed.deleted and not opening(thread).deleted and refreshed.reply_count == 2
        api.moderate_post(cast["staff"], opening(thread).pk, "restore", reason="On second thoughts")
        assert not Thread.objects.get(pk=thread.pk).deleted


# --- sanctions --------------------------------------------------------------------------------------------------------


class TestSanctions:
    def test_a_suspended_member_neither_reads_nor_posts_until_the_date(self, cast, thread, clock):
        until = clock.now + timedelta(days=2)
        sanction = api.sanction_member(cast["staff"], COURSE, "peer", "suspend", until, "Repeated insults")
        assert (sanction.kind, sanction.user.username, sanction.active, sanction.created_by.username) == (
            "suspend", "peer", True, "staff")
        error = refused(access.reader, cast["peer"], COURSE)
        assert (error.code, error.status, error.until) == ("suspended", 403, until)
        assert refused(posts.reply, cast["peer"], thread.pk, body="Let me in").code == "suspended"
        assert refused(api.get_space, cast["peer"], COURSE).code == "suspended"
        clock.move(days=2, seconds=1)
        assert access.reader(cast["peer"], COURSE).space.course_key == COURSE
        posts.reply(cast["peer"], thread.pk, body="Back again")
        assert api.list_sanctions(cast["staff"], COURSE) == []
        assert [item.active for item in api.list_sanctions(cast["staff"], COURSE, active_only=False)] == [False]

    def test_a_muted_member_reads_but_does_not_write_until_lifted(self, cast, thread, clock):
        sanction = api.sanction_member(cast["staff"], COURSE, "third", "mute",
                                       (clock.now + timedelta(days=7)).isoformat(), "Cool down")
        ctx = access.reader(cast["third"], COURSE)
        assert ctx.muted_until == sanction.until and access.reader_of_thread(cast["third"], thread.pk)
        error = refused(posts.reply, cast["third"], thread.pk, body="Can I?")
        assert (error.code, error.status, error.until) == ("muted", 403, sanction.until)
        assert refused(api.lift_sanction, cast["staff"], sanction.id, "").code == "reason_required"
        lifted = api.lift_sanction(cast["staff"], sanction.id, "Apologised")
        assert lifted.lifted_at is not None and not lifted.active
        posts.reply(cast["third"], thread.pk, body="Thank you")
        assert refused(api.lift_sanction, cast["staff"], sanction.id, "Again").code == "sanction_not_active"
        log = ModerationAction.objects.get(action="lift")
        assert (log.target_user_id, log.reason, log.details["sanction_id"]) == (cast["third"].pk, "Apologised",
                                                                                  sanction.id)
        mute = ModerationAction.objects.get(action="mute")
        assert mute.details["kind"] == "mute" and mute.reason == "Cool down"

    def test_who_may_be_sanctioned_by_whom_and_until_when(self, cast, clock):
        later = clock.now + timedelta(days=1)
        assert refused(api.sanction_member, cast["learner"], COURSE, "peer", "mute", later, "x").status == 403
        assert refused(api.sanction_member, cast["trainer"], COURSE, "peer", "mute", later, "x").status == 403
        error = refused(api.sanction_member, cast["staff"], COURSE, "staff", "mute", later, "x")
        assert (error.code, error.status) == ("cannot_sanction_self", 400)
        host_api.record_course_role(CourseRoleRecord(cast["fourth"].pk, COURSE.org, COURSE, "staff"), at(1))
        error = refused(api.sanction_member, cast["staff"], COURSE, "fourth", "suspend", later, "x")
        assert (error.code, error.status) == ("cannot_sanction_staff", 400)
        past = clock.now - timedelta(minutes=1)
        assert refused(api.sanction_member, cast["staff"], COURSE, "peer", "mute", past, "x").code == "invalid_until"
        assert refused(api.sanction_member, cast["staff"], COURSE, "peer", "ban", later, "x").code == "invalid_kind"
        assert refused(api.sanction_member, cast["staff"], COURSE, "peer", "mute", later, " ").code == (
            "reason_required")
        assert refused(api.sanction_member, cast["staff"], COURSE, "outsider", "mute", later, "x").status == 404
        assert Sanction.objects.count() == 0


class TestModeratorRole:
    def test_staff_name_a_moderator_who_then_moderates_and_sanctions(self, cast, thread, clock):
        target = reply_of(thread, "third")
        assert refused(api.moderate_post, cast["peer"], target.pk, "hide", reason="x").status == 403
        assert refused(api.set_moderator, cast["trainer"], COURSE, "peer", True, "Helpful").status == 403
        assert refused(api.set_moderator, cast["staff"], COURSE, "peer", True, "").code == "reason_required"
        api.set_moderator(cast["staff"], COURSE, "peer", True, "Helpful and calm")
        api.moderate_post(cast["peer"], target.pk, "hide", reason="Rude")
        api.sanction_member(cast["peer"], COURSE, "fourth", "mute", clock.now + timedelta(hours=1), "Spam")
        # Trainers moderate too: only staff sanction them, not a learner made moderator.
        error = refused(api.sanction_member, cast["peer"], COURSE, "trainer", "mute", clock.now + timedelta(hours=1),
                        "Rude too")
        assert (error.code, error.status) == ("cannot_sanction_moderator", 403)
        api.sanction_member(cast["staff"], COURSE, "trainer", "mute", clock.now + timedelta(hours=1), "Rude too")
        # A muted moderator does not moderate.
        assert refused(api.moderate_post, cast["trainer"], target.pk, "unhide", reason="x").code == "muted"
        api.set_moderator(cast["staff"], COURSE, "peer", False, "Term over")
        assert refused(api.moderate_post, cast["peer"], target.pk, "unhide", reason="x").status == 404
        roles = ModerationAction.objects.filter(action="role").order_by("pk")
        assert [(row.target_user_id, row.details["is_moderator"]) for row in roles] == [
            (cast["peer"].pk, True), (cast["peer"].pk, False)]
