"""
Priority Q&A: the weekly quota (the platform's or the space's, Monday to Monday UTC), the response target, the
trainers' queue and its filters, assigning, answers noted from real replies (with the trainer's activity and its
turnaround, read back as trainers read it), accepting and withdrawing an answer, escalation once to the course's
staff, and the response figures per trainer.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from mentora_plugin.communities import api, qa
from mentora_plugin.communities.models import Forum, Notification, Post, Space, Thread
from mentora_plugin.trainers.models import TrainerActivity
from tests import test_communities_listing as shared
from tests.conftest import COURSE
from tests.test_communities_listing import forum, make_reply, make_thread, space

pytestmark = pytest.mark.django_db

cast = shared.cast  # the fixture: learners ann and bob, trainer tina, staff sam; olga elsewhere


def question(asker, title="Why does my loop never end?", **flags) -> Thread:
    return make_thread(forum(Forum.Kind.QA), asker, title, **flags)


def code_of(call, *args, **kwargs) -> tuple[int, str]:
    with pytest.raises(api.CommunitiesError) as error:
        call(*args, **kwargs)
    return error.value.status, error.value.code


def test_marking_priority_sets_the_target_and_tells_the_trainers(cast, django_capture_on_commit_callbacks):
    asked = question(cast["ann"])
    Space.objects.filter(course_key=COURSE).update(response_target_hours=48)
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        entry = api.mark_priority(cast["ann"], asked.pk)
    thread = Thread.objects.get(pk=asked.pk)
    assert thread.priority and thread.state == "open" and before <= thread.priority_marked_at <= timezone.now()
    assert thread.due_at == thread.priority_marked_at + timedelta(hours=48)
    assert entry.thread.id == asked.pk and entry.due_at == thread.due_at and not entry.overdue
    assert entry.asked_by.username == "ann"
    told = Notification.objects.filter(kind="priority", thread=thread)
    assert list(told.values_list("recipient__username", flat=True)) == ["tina"]


def test_only_the_asker_marks_only_questions_once(cast):
    asked = question(cast["ann"])
    assert code_of(api.mark_priority, cast["bob"], asked.pk) == (403, "not_asker")
    chat = make_thread(forum(), cast["ann"], "Not a question")
    assert code_of(api.mark_priority, cast["ann"], chat.pk) == (400, "not_a_question")
    api.mark_priority(cast["ann"], asked.pk)
    assert code_of(api.mark_priority, cast["ann"], asked.pk) == (409, "already_priority")
    accepted = question(cast["ann"], "Accepted one", state=Thread.State.ACCEPTED)
    assert code_of(api.mark_priority, cast["ann"], accepted.pk) == (409, "question_accepted")
    hidden_from_ann = question(cast["bob"], "Bob's private", private=True)
    assert code_of(api.mark_priority, cast["ann"], hidden_from_ann.pk) == (404, "thread_not_found")


def test_the_weekly_quota_holds_and_says_until_when(cast, settings):
    settings.MENTORA_COMMUNITIES_PRIORITY_WEEKLY_QUOTA = 2
    questions = [question(cast["ann"], f"Question {index}") for index in range(3)]
    assert api.priority_left(cast["ann"], COURSE) == 2
    api.mark_priority(cast["ann"], questions[0].pk)
    api.mark_priority(cast["ann"], questions[1].pk)
    assert api.priority_left(cast["ann"], COURSE) == 0
    with pytest.raises(api.CommunitiesError) as error:
        api.mark_priority(cast["ann"], questions[2].pk)
    assert (error.value.status, error.value.code) == (409, "priority_quota_exhausted")
    until = error.value.until
    assert until.weekday() == 0 and (until.hour, until.minute) == (0, 0) and until.tzinfo is not None
    assert timedelta(0) < until - timezone.now() <= timedelta(days=7)
    assert not Thread.objects.get(pk=questions[2].pk).priority
    assert api.priority_left(cast["bob"], COURSE) == 2  # per learner


def test_the_space_quota_overrides_and_last_weeks_marks_do_not_count(cast, settings):
    settings.MENTORA_COMMUNITIES_PRIORITY_WEEKLY_QUOTA = 5
    Space.objects.filter(pk=space().pk).update(priority_weekly_quota=1)
    old = question(cast["ann"], "Old", priority=True, priority_marked_at=qa.week_bounds(timezone.now())[0]
                   - timedelta(seconds=1))
    assert old.priority and api.priority_left(cast["ann"], COURSE) == 1
    api.mark_priority(cast["ann"], question(cast["ann"], "New").pk)
    assert code_of(api.mark_priority, cast["ann"], question(cast["ann"], "Newer").pk)[1] == "priority_quota_exhausted"
    Space.objects.filter(course_key=COURSE).update(priority_weekly_quota=0)
    assert api.priority_left(cast["ann"], COURSE) == 0


def test_week_bounds_are_monday_to_monday_utc():
    start, end = qa.week_bounds(datetime(2026, 11, 29, 23, 30, tzinfo=UTC))  # a Sunday night
    assert (start, end) == (datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC))
    assert qa.week_bounds(datetime(2026, 11, 30, 0, 0, tzinfo=UTC))[0] == datetime(2026, 11, 30, tzinfo=UTC)


# --- the queue --------------------------------------------------------------------------------------------------------


def _priority(asker, title, *, due_in_hours, **flags) -> Thread:
    now = timezone.now()
    return question(asker, title, priority=True, priority_marked_at=now - timedelta(hours=1),
                    due_at=now + timedelta(hours=due_in_hours), **flags)


def test_the_queue_due_first_with_filters_for_trainers_only(cast):
    late = _priority(cast["ann"], "Late", due_in_hours=-2)
    _priority(cast["bob"], "Soon", due_in_hours=1, assignee=cast["tina"])
    _priority(cast["bob"], "Later", due_in_hours=20, private=True)
    _priority(cast["ann"], "Answered", due_in_hours=5, state=Thread.State.ANSWERED)
    question(cast["ann"], "Not priority")

    queue = api.question_queue(cast["tina"], COURSE)
    assert [entry.thread.title for entry in queue] == ["Late", "Soon", "Later"]
    assert queue[0].overdue and not queue[1].overdue and queue[1].assignee.username == "tina"
    assert [e.thread.title for e in api.question_queue(cast["tina"], COURSE, mine=True)] == ["Soon"]
    assert [e.thread.title for e in api.question_queue(cast["sam"], COURSE, overdue=True)] == ["Late"]
    assert [e.thread.title for e in api.question_queue(cast["sam"], COURSE, state="answered")] == ["Answered"]
    assert len(api.question_queue(cast["sam"], COURSE, state="all")) == 4
    assert code_of(api.question_queue, cast["ann"], COURSE) == (403, "permission_denied")
    assert code_of(api.question_queue, cast["sam"], COURSE, state="nope") == (400, "invalid_filter")
    assert late.pk == queue[0].thread.id


def test_assigning(cast, make_user, django_capture_on_commit_callbacks):
    asked = _priority(cast["ann"], "Help", due_in_hours=3)
    assert api.assign_question(cast["tina"], asked.pk).assignee.username == "tina"  # a trainer takes it
    other = make_user("trevor")
    from mentora_plugin.host import api as host_api

    host_api.grant_trainer_role(COURSE, other, granted_by=None)
    assert code_of(api.assign_question, cast["tina"], asked.pk, "trevor") == (403, "permission_denied")
    with django_capture_on_commit_callbacks(execute=True):
        assert api.assign_question(cast["sam"], asked.pk, "trevor").assignee.username == "trevor"
    assert Notification.objects.filter(recipient=other, kind="priority", thread=asked).exists()
    assert code_of(api.assign_question, cast["sam"], asked.pk, "bob") == (400, "not_a_trainer")
    assert code_of(api.assign_question, cast["ann"], asked.pk) == (403, "permission_denied")
    Thread.objects.filter(pk=asked.pk).update(state=Thread.State.ACCEPTED)
    assert code_of(api.assign_question, cast["tina"], asked.pk) == (409, "question_accepted")


# --- answers ----------------------------------------------------------------------------------------------------------


def test_a_trainers_reply_answers_records_activity_and_tells_the_asker(cast, django_capture_on_commit_callbacks):
    asked = question(cast["ann"])
    api.mark_priority(cast["ann"], asked.pk)
    marked = Thread.objects.get(pk=asked.pk).priority_marked_at
    Thread.objects.filter(pk=asked.pk).update(priority_marked_at=marked - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        api.reply(cast["bob"], asked.pk, body="Same problem here.")  # a learner's reply answers nothing
    assert Thread.objects.get(pk=asked.pk).state == "open"
    with django_capture_on_commit_callbacks(execute=True):
        answer = api.reply(cast["tina"], asked.pk, body="Your condition never becomes false.")
    thread = Thread.objects.get(pk=asked.pk)
    assert (thread.state, thread.answered_by_id) == ("answered", cast["tina"].pk)
    activity = TrainerActivity.objects.get(kind="answer")
    assert activity.source_id == f"communities:{asked.pk}" and activity.trainer_id == cast["tina"].pk
    assert activity.learner_id == cast["ann"].pk and activity.course_key == COURSE
    assert 2 * 3600 - 5 <= activity.turnaround_seconds <= 2 * 3600 + 60
    told = Notification.objects.filter(recipient=cast["ann"], post_id=answer.id)
    assert list(told.values_list("kind", flat=True)) == ["answer"]  # once, as an answer (not also as a reply)
    with django_capture_on_commit_callbacks(execute=True):
        api.reply(cast["sam"], asked.pk, body="And staff agree.")
    assert Thread.objects.get(pk=asked.pk).answered_by_id == cast["tina"].pk  # the first answer counts
    assert TrainerActivity.objects.filter(kind="answer").count() == 1


def test_an_ordinary_question_answered_records_no_activity(cast, django_capture_on_commit_callbacks):
    asked = question(cast["ann"])
    with django_capture_on_commit_callbacks(execute=True):
        api.reply(cast["tina"], asked.pk, body="Here is how.")
    assert Thread.objects.get(pk=asked.pk).state == "answered"
    assert not TrainerActivity.objects.exists()


def test_accepting_and_moving_and_withdrawing_an_answer(cast):
    asked = question(cast["ann"])
    first = make_reply(asked, cast["tina"], "First answer.")
    second = make_reply(asked, cast["bob"], "Second answer.")
    comment = make_reply(asked, cast["ann"], "A comment.", parent=first)
    opening = Post.objects.get(thread=asked, is_opening=True)
    Thread.objects.filter(pk=asked.pk).update(state=Thread.State.ANSWERED, answered_at=timezone.now())

    assert code_of(api.accept_answer, cast["bob"], first.pk) == (403, "not_asker")
    assert code_of(api.accept_answer, cast["ann"], opening.pk) == (400, "not_a_reply")
    assert code_of(api.accept_answer, cast["ann"], comment.pk) == (400, "not_a_reply")
    api.accept_answer(cast["ann"], first.pk)
    thread = Thread.objects.get(pk=asked.pk)
    assert (thread.state, thread.accepted_post_id) == ("accepted", first.pk)
    api.accept_answer(cast["sam"], second.pk)  # staff may, and it moves
    assert list(Post.objects.filter(is_answer=True).values_list("pk", flat=True)) == [second.pk]
    assert Thread.objects.get(pk=asked.pk).accepted_post_id == second.pk
    assert api.thread_detail(cast["ann"], asked.pk).accepted_post_id == second.pk
    api.unaccept_answer(cast["ann"], asked.pk)
    thread = Thread.objects.get(pk=asked.pk)
    assert (thread.state, thread.accepted_post_id) == ("answered", None)
    assert not Post.objects.filter(is_answer=True).exists()
    assert code_of(api.unaccept_answer, cast["ann"], asked.pk) == (409, "not_accepted")
    chat = make_thread(forum(), cast["ann"], "Chat")
    assert code_of(api.accept_answer, cast["ann"], make_reply(chat, cast["bob"]).pk) == (400, "not_a_question")


# --- escalation and figures -------------------------------------------------------------------------------------------


def test_overdue_questions_escalate_once_to_the_course_staff(cast, django_capture_on_commit_callbacks):
    late = _priority(cast["ann"], "Late", due_in_hours=-1)
    _priority(cast["ann"], "Not yet", due_in_hours=1)
    _priority(cast["bob"], "Late but answered", due_in_hours=-1, state=Thread.State.ANSWERED)
    with django_capture_on_commit_callbacks(execute=True):
        assert qa.escalate_overdue() == 1
    assert Thread.objects.get(pk=late.pk).escalated_at is not None
    assert list(Notification.objects.filter(kind="escalation").values_list(
        "recipient__username", "thread_id")) == [("sam", late.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        assert qa.escalate_overdue() == 0
    assert Notification.objects.filter(kind="escalation").count() == 1
    assert api.question_queue(cast["tina"], COURSE)[0].escalated


def test_response_figures_per_trainer(cast, make_user):
    now = timezone.now()

    def answered(by, minutes, target_hours=24):
        marked = now - timedelta(days=1)
        question(cast["ann"], f"Q{minutes}", priority=True, priority_marked_at=marked,
                 due_at=marked + timedelta(hours=target_hours), state=Thread.State.ANSWERED,
                 answered_by=by, answered_at=marked + timedelta(minutes=minutes))

    answered(cast["tina"], 30)
    answered(cast["tina"], 90)
    answered(cast["tina"], 600, target_hours=2)  # past its target
    answered(cast["sam"], 10)
    question(cast["ann"], "Old", priority=True, priority_marked_at=now - timedelta(days=200),
             state=Thread.State.ANSWERED, answered_by=cast["sam"], answered_at=now - timedelta(days=199))

    figures = {f.trainer.username: f for f in api.response_figures(cast["tina"], COURSE)}
    assert (figures["tina"].answered, figures["tina"].median_seconds, figures["tina"].within_target) == (3, 5400, 2)
    assert (figures["sam"].answered, figures["sam"].median_seconds) == (1, 600)
    assert api.response_figures(cast["sam"], COURSE, days=365)[0].answered in (2, 3)
    assert code_of(api.response_figures, cast["ann"], COURSE) == (403, "permission_denied")
    assert code_of(api.response_figures, cast["sam"], COURSE, days=0) == (400, "invalid_value")
