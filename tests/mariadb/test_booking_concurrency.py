"""
Booking under real concurrency, on MariaDB: 32 learners racing for the same trainer never double-book them.

Each test starts 32 threads together (a barrier), each on its own connection, each a learner calling
``api.book`` as the REST API or the block would. What must hold (issue "Mentoring booking", item 4): a trainer never
has two overlapping requested or confirmed sessions, buffers included, and a group session never exceeds its seats.
Losers get a clear ``BookingError``, never a database error.
"""
from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from mentora_plugin.booking import api
from mentora_plugin.booking.data import WeeklyRule
from mentora_plugin.booking.models import Booking, Session
from mentora_plugin.host import api as host_api
from tests.conftest import COURSE, at
from tests.mariadb.conftest import THREADS

pytestmark = [pytest.mark.mariadb, pytest.mark.django_db(transaction=True)]

User = get_user_model()
PARIS = ZoneInfo("Europe/Paris")


def _monday() -> date:
    today = timezone.now().astimezone(PARIS).date()
    return today + timedelta(days=(0 - today.weekday()) % 7 + 7)


def _setup(capacity: int = 1, buffer_after: int = 0):
    trainer = User.objects.create(username="trainer")
    host_api.record_course(COURSE, at(0), title="Race")
    host_api.grant_trainer_role(COURSE, trainer, granted_by=None)
    api.set_calendar(trainer, time_zone="Europe/Paris")
    api.set_weekly_rules(trainer, [WeeklyRule(0, time(8), time(20))])
    session_type = api.create_session_type(
        trainer, COURSE, title="Race", duration_minutes=60, slot_interval_minutes=15, capacity=capacity,
        buffer_after_minutes=buffer_after, window_days=60,
    )
    learners = [User.objects.create(username=f"learner{index}") for index in range(THREADS)]
    for learner in learners:
        host_api.record_enrollment(learner.pk, COURSE, "audit", True, at(0))
    return trainer, session_type, learners


def _attempt(session_type_id: int, learner, start: datetime):
    try:
        return api.book(learner, session_type_id, start).id
    except api.BookingError as error:
        return error.code


def _holding_sessions():
    return list(
        Session.objects.filter(status=Session.Status.SCHEDULED, bookings__status__in=Booking.HOLDING)
        .distinct()
        .values_list("blocked_start", "blocked_end")
    )


def test_32_learners_for_the_same_slot_one_wins(race):
    _trainer, session_type, learners = _setup()
    start = datetime.combine(_monday(), time(10), tzinfo=PARIS)

    outcome = race(lambda index: _attempt(session_type.id, learners[index], start))

    outcome.assert_no_errors()
    winners = [result for result in outcome.results.values() if isinstance(result, int)]
    assert len(winners) == 1
    assert {result for result in outcome.results.values() if not isinstance(result, int)} == {"slot_unavailable"}
    assert Booking.objects.filter(status__in=Booking.HOLDING).count() == 1
    assert Session.objects.count() == 1


def test_32_learners_for_overlapping_but_different_slots_never_overlap(race):
    """Starts every 15 minutes for 60-minute sessions with a 15-minute buffer: neighbours all collide."""
    _trainer, session_type, learners = _setup(buffer_after=15)
    first = datetime.combine(_monday(), time(8), tzinfo=PARIS)

    starts = [first + timedelta(minutes=15 * (index % 24)) for index in range(THREADS)]
    outcome = race(lambda index: _attempt(session_type.id, learners[index], starts[index]))

    outcome.assert_no_errors()
    periods = sorted(_holding_sessions())
    assert periods, "someone must have booked"
    for (_start, earlier_end), (later_start, _end) in itertools.pairwise(periods):
        assert earlier_end <= later_start, f"overlap: {periods}"
    # 08:00-20:00 holds at most 9 sessions of 60 + 15 minutes; the race must not squeeze in more.
    assert len(periods) <= 9


def test_32_learners_for_a_group_session_of_5_seats(race):
    _trainer, session_type, learners = _setup(capacity=5)
    start = datetime.combine(_monday(), time(10), tzinfo=PARIS)

    outcome = race(lambda index: _attempt(session_type.id, learners[index], start))

    outcome.assert_no_errors()
    assert sum(isinstance(result, int) for result in outcome.results.values()) == 5
    assert Session.objects.count() == 1
    assert Booking.objects.filter(status__in=Booking.HOLDING).count() == 5


def test_a_retried_request_with_one_idempotency_key_books_once(race):
    _trainer, session_type, learners = _setup()
    start = datetime.combine(_monday(), time(10), tzinfo=PARIS)
    learner = learners[0]

    outcome = race(lambda index: api.book(learner, session_type.id, start, idempotency_key="retry-me").id)

    outcome.assert_no_errors()
    assert len(set(outcome.results.values())) == 1
    assert Booking.objects.count() == 1
