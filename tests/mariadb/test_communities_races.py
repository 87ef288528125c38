"""
Communities under real concurrency, on MariaDB: a learner's racing clicks on "mark as priority" against the weekly
quota, many people replying to one thread at once, and many trainers answering one priority question at once.

Each test starts threads together (a barrier), each on its own connection, each calling ``communities.api`` as the
REST API or the pages would. What must hold: exactly the quota granted, a reply count equal to the replies saved,
one answer recorded; the losers get a clear ``CommunitiesError`` (409), never a database error or a deadlock.
"""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from mentora_plugin.communities import access, api
from mentora_plugin.communities.models import Forum, Post, Thread
from mentora_plugin.host import api as host_api
from mentora_plugin.trainers.models import TrainerActivity
from tests.conftest import COURSE, at
from tests.mariadb.conftest import THREADS
from tests.test_communities_listing import make_thread

pytestmark = [pytest.mark.mariadb, pytest.mark.django_db(transaction=True)]

User = get_user_model()
QUOTA = 3


@pytest.fixture
def qa_forum(settings) -> Forum:
    settings.MENTORA_COMMUNITIES_PRIORITY_WEEKLY_QUOTA = QUOTA
    host_api.record_course(COURSE, at(0), title="Races 101")
    return Forum.objects.get(space=access.space_for(COURSE), kind=Forum.Kind.QA)


def _people(prefix: str, count: int, *, trainer: bool = False) -> list:
    people = []
    for index in range(count):
        person = User.objects.create(username=f"{prefix}{index}", email=f"{prefix}{index}@example.com")
        if trainer:
            host_api.grant_trainer_role(COURSE, person, granted_by=None)
        else:
            host_api.record_enrollment(person.pk, COURSE, "audit", True, at(0))
        people.append(person)
    return people


def _code(call, *args, **kwargs) -> str:
    try:
        call(*args, **kwargs)
        return "ok"
    except api.CommunitiesError as error:
        return error.code


def test_racing_priority_marks_grant_exactly_the_weekly_quota(race, qa_forum):
    learner = _people("learner", 1)[0]
    questions = [make_thread(qa_forum, learner, f"Question {index}") for index in range(THREADS)]

    outcome = race(lambda index: _code(api.mark_priority, learner, questions[index].pk))

    outcome.assert_no_errors()
    results = list(outcome.results.values())
    assert results.count("ok") == QUOTA and results.count("priority_quota_exhausted") == THREADS - QUOTA
    granted = {questions[index].pk for index, result in outcome.results.items() if result == "ok"}
    assert set(Thread.objects.filter(priority=True).values_list("pk", flat=True)) == granted
    assert api.priority_left(learner, COURSE) == 0


def test_one_question_marked_at_once_many_times_is_marked_once(race, qa_forum):
    learner = _people("learner", 1)[0]
    asked = make_thread(qa_forum, learner, "Marked once")

    outcome = race(lambda index: _code(api.mark_priority, learner, asked.pk))

    outcome.assert_no_errors()
    results = list(outcome.results.values())
    assert results.count("ok") == 1 and results.count("already_priority") == THREADS - 1
    assert api.priority_left(learner, COURSE) == QUOTA - 1


def test_concurrent_replies_keep_the_reply_count_exact(race, qa_forum):
    learners = _people("learner", THREADS)
    discussion = Forum.objects.create(space=qa_forum.space, kind=Forum.Kind.DISCUSSION, title="Busy", position=5)
    thread = make_thread(discussion, learners[0], "Everyone answers")

    outcome = race(lambda index: _code(api.reply, learners[index], thread.pk, body=f"My view, number {index}."))

    outcome.assert_no_errors()
    assert list(outcome.results.values()) == ["ok"] * THREADS
    thread.refresh_from_db()
    assert thread.reply_count == THREADS
    assert Post.objects.filter(thread=thread, is_opening=False).count() == THREADS
    assert thread.last_activity_at == Post.objects.filter(thread=thread).order_by("-created").first().created


def test_trainers_answering_one_priority_question_at_once_record_one_answer(race, qa_forum):
    learner = _people("learner", 1)[0]
    trainers = _people("trainer", THREADS, trainer=True)
    asked = make_thread(qa_forum, learner, "Who answers first?")
    api.mark_priority(learner, asked.pk)

    outcome = race(lambda index: _code(api.reply, trainers[index], asked.pk, body=f"Answer {index}."))

    outcome.assert_no_errors()
    assert list(outcome.results.values()) == ["ok"] * THREADS
    asked.refresh_from_db()
    assert asked.state == Thread.State.ANSWERED and asked.reply_count == THREADS
    first = Post.objects.filter(thread=asked, is_opening=False).order_by("created", "pk").first()
    assert asked.answered_by_id == first.author_id
    activity = TrainerActivity.objects.get(kind="answer", source_id=f"communities:{asked.pk}")
    assert activity.trainer_id == asked.answered_by_id
