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
from mentora_plugin.booking.models import Booking, Mentorship, Session
from mentora_plugin.host import api as host_api
from tests.conftest import COURSE, at
from tests.mariadb.conftest import THREADS

pytestmark = [pytest.mark.mariadb, pytest.mark.django_db(transaction=True)]

User = get_user_model()
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def _groups_fit_the_trainers_level(settings):
    """
    The trainer here is made by course staff, so the first level's capabilities apply; its default group size (4)
    is below the 5-seat groups these races use.
    """
    settings.MENTORA_TRAINER_CAPABILITIES = {"beginner": {"max_active_mentees": 10, "group_session_size": THREADS}}


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


# --- the waitlist and the mentors under concurrency -----------------------------------------------------------------


def _full_group_with_waitlist(capacity: int = 5):
    """A group session of ``capacity`` seats held by the first learners; every other learner on its waitlist."""
    _trainer, session_type, learners = _setup(capacity=capacity)
    start = datetime.combine(_monday(), time(10), tzinfo=PARIS)
    seats = [api.book(learner, session_type.id, start) for learner in learners[:capacity]]
    waiting = [api.join_waitlist(learner, seats[0].session_id) for learner in learners[capacity:]]
    return session_type, learners, seats, waiting


def _holders(session_id: int) -> int:
    return Booking.objects.filter(session_id=session_id, status__in=Booking.HOLDING).count()


def test_32_learners_join_a_waitlist_each_once(race):
    _trainer, session_type, learners = _setup(capacity=2)
    start = datetime.combine(_monday(), time(10), tzinfo=PARIS)
    seats = [api.book(learner, session_type.id, start) for learner in learners[:2]]

    def join(index: int):
        try:
            return api.join_waitlist(learners[index % 16 + 2], seats[0].session_id).id
        except api.BookingError as error:
            return error.code

    outcome = race(join)  # 32 threads for 16 learners: each joins twice at once

    outcome.assert_no_errors()
    assert sum(isinstance(result, int) for result in outcome.results.values()) == 16
    assert {r for r in outcome.results.values() if not isinstance(r, int)} == {"already_waiting"}
    assert Booking.objects.filter(status="waitlisted").count() == 16
    assert _holders(seats[0].session_id) == 2


def test_cancellations_race_acceptances_never_more_holders_than_seats(race):
    """5 holders cancel while 27 waiting learners keep trying to accept: offers go in order, seats never exceed 5."""
    _type, learners, seats, waiting = _full_group_with_waitlist(capacity=5)
    session_id = seats[0].session_id
    by_learner = {booking.learner_id: booking.id for booking in waiting}

    def work(index: int):
        learner = learners[index]
        if index < 5:
            api.cancel_booking(seats[index].id, learner)
            return "cancelled"
        for _attempt in range(40):
            try:
                return api.accept_offer(by_learner[learner.pk], learner).status
            except api.BookingError as error:
                if error.code != "invalid_state":
                    return error.code
            assert _holders(session_id) <= 5
        return "still_waiting"

    outcome = race(work)

    outcome.assert_no_errors()
    assert _holders(session_id) == 5
    accepted = [index for index, result in outcome.results.items() if result == "confirmed"]
    offered = Booking.objects.filter(session_id=session_id, status="offered").count()
    assert len(accepted) + offered == 5
    # The offers went to the first five in line, in the order they joined.
    first_five = {booking.id for booking in waiting[:5]}
    assert set(
        Booking.objects.filter(session_id=session_id, status__in=("offered", "confirmed"))
        .exclude(pk__in=[seat.id for seat in seats])
        .values_list("pk", flat=True)
    ) == first_five


def test_32_learners_choose_the_same_mentor_with_a_cap_of_5(race, settings):
    settings.MENTORA_TRAINER_CAPABILITIES = {"beginner": {"max_active_mentees": 5}}
    trainer, _session_type, learners = _setup()

    def choose(index: int):
        try:
            return api.choose_mentor(learners[index], COURSE, trainer).id
        except api.BookingError as error:
            return error.code

    outcome = race(choose)

    outcome.assert_no_errors()
    assert sum(isinstance(result, int) for result in outcome.results.values()) == 5
    assert {r for r in outcome.results.values() if not isinstance(r, int)} == {"mentee_cap_reached"}
    assert Mentorship.objects.filter(trainer=trainer, is_active=True).count() == 5
