"""The waitlist of full group sessions: joining, offers that hold a seat, accepting, lapsing, leaving."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from mentora_plugin.booking import api, signals
from mentora_plugin.booking.data import WeeklyRule
from mentora_plugin.booking.models import Booking, Session
from mentora_plugin.host import api as host_api
from tests.conftest import COURSE, at

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
LEARNERS = ("ann", "bob", "cyd", "dan", "eve")


def next_monday() -> date:
    today = timezone.now().astimezone(PARIS).date()
    return today + timedelta(days=(0 - today.weekday()) % 7 + 7)


def paris(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=PARIS)


@pytest.fixture
def cast(make_user):
    people = {name: make_user(name) for name in ("trainer", *LEARNERS, "outsider")}
    host_api.record_course(COURSE, at(0), title="Mentoring 101")
    for name in LEARNERS:
        host_api.record_enrollment(people[name].pk, COURSE, "audit", True, at(0))
    host_api.grant_trainer_role(COURSE, people["trainer"], granted_by=None)
    api.set_calendar(people["trainer"], time_zone="Europe/Paris")
    api.set_weekly_rules(people["trainer"], [WeeklyRule(0, time(9), time(17))])
    return people


def group_type(cast, **fields):
    return api.create_session_type(
        cast["trainer"], COURSE, title="Clinic", duration_minutes=60, capacity=2, window_days=60,
        cancellation_cutoff_hours=0, **fields,
    )


@pytest.fixture
def full(cast):
    """A group session of 2 seats, taken by ann and bob."""
    session_type = group_type(cast)
    start = paris(next_monday(), 9)
    ann = api.book(cast["ann"], session_type.id, start)
    bob = api.book(cast["bob"], session_type.id, start)
    return session_type, ann, bob


def status(booking_id: int) -> str:
    return Booking.objects.get(pk=booking_id).status


def holders(session_id: int) -> int:
    return Booking.objects.filter(session_id=session_id, status__in=Booking.HOLDING).count()


class TestJoining:
    def test_join_a_full_session_in_order(self, cast, full):
        _type, ann, _bob = full
        cyd = api.join_waitlist(cast["cyd"], ann.session_id)
        dan = api.join_waitlist(cast["dan"], ann.session_id)
        assert (cyd.status, dan.status) == ("waitlisted", "waitlisted")
        assert holders(ann.session_id) == 2  # waiting holds no seat

    @pytest.mark.parametrize(
        "who, code, http",
        [("ann", "already_booked", 409), ("outsider", "not_enrolled", 403), ("trainer", "not_enrolled", 403)],
    )
    def test_refusals(self, cast, full, who, code, http):
        with pytest.raises(api.BookingError) as error:
            api.join_waitlist(cast[who], full[1].session_id)
        assert (error.value.code, error.value.status) == (code, http)

    def test_twice_is_already_waiting(self, cast, full):
        api.join_waitlist(cast["cyd"], full[1].session_id)
        with pytest.raises(api.BookingError) as error:
            api.join_waitlist(cast["cyd"], full[1].session_id)
        assert error.value.code == "already_waiting"
        assert Booking.objects.filter(learner=cast["cyd"]).count() == 1

    def test_not_full_not_group_unknown(self, cast):
        session_type = group_type(cast)
        ann = api.book(cast["ann"], session_type.id, paris(next_monday(), 9))
        with pytest.raises(api.BookingError) as error:
            api.join_waitlist(cast["bob"], ann.session_id)
        assert error.value.code == "not_full"
        one = api.create_session_type(cast["trainer"], COURSE, title="1:1", duration_minutes=60, window_days=60)
        solo = api.book(cast["ann"], one.id, paris(next_monday(), 14))
        with pytest.raises(api.BookingError) as error:
            api.join_waitlist(cast["bob"], solo.session_id)
        assert error.value.code == "not_group"
        with pytest.raises(api.BookingError) as error:
            api.join_waitlist(cast["bob"], 999_999)
        assert (error.value.code, error.value.status) == ("session_not_found", 404)

    def test_a_started_session_is_closed(self, cast, full):
        Session.objects.update(start=timezone.now() - timedelta(minutes=5))
        with pytest.raises(api.BookingError) as error:
            api.join_waitlist(cast["cyd"], full[1].session_id)
        assert error.value.code == "session_closed"

    def test_full_sessions_are_listed(self, cast, full):
        session_type, ann, _bob = full
        monday = next_monday()
        found = api.list_full_sessions(session_type.id, monday, monday, "Asia/Tokyo")
        assert [(slot.session_id, slot.seats_left) for slot in found] == [(ann.session_id, 0)]
        assert found[0].start.tzinfo.key == "Asia/Tokyo"


class TestOffers:
    def test_a_cancellation_offers_the_seat_to_the_first_in_line(self, cast, full, settings):
        settings.MENTORA_BOOKING_WAITLIST_OFFER_HOURS = 3
        session_type, ann, _bob = full
        cyd = api.join_waitlist(cast["cyd"], ann.session_id)
        dan = api.join_waitlist(cast["dan"], ann.session_id)
        before = timezone.now()
        api.cancel_booking(ann.id, cast["ann"])
        offered = Booking.objects.get(pk=cyd.id)
        assert offered.status == "offered" and status(dan.id) == "waitlisted"
        assert before + timedelta(hours=3) <= offered.expires_at <= timezone.now() + timedelta(hours=3)
        # The offered seat counts against the capacity: nobody else can take it.
        assert holders(ann.session_id) == 2
        with pytest.raises(api.BookingError):
            api.book(cast["eve"], session_type.id, paris(next_monday(), 9))
        assert api.explain_slot(session_type.id, paris(next_monday(), 9)).code == "session_full"
        accepted = api.accept_offer(cyd.id, cast["cyd"])
        assert accepted.status == "confirmed" and accepted.expires_at is None
        assert holders(ann.session_id) == 2

    def test_an_offer_never_outlasts_the_session_start(self, cast, full, settings):
        settings.MENTORA_BOOKING_WAITLIST_OFFER_HOURS = 24 * 365
        cyd = api.join_waitlist(cast["cyd"], full[1].session_id)
        api.cancel_booking(full[2].id, cast["bob"])
        assert Booking.objects.get(pk=cyd.id).expires_at == Session.objects.get().start

    def test_a_lapsed_offer_passes_to_the_next(self, cast, full):
        _type, ann, _bob = full
        cyd = api.join_waitlist(cast["cyd"], ann.session_id)
        dan = api.join_waitlist(cast["dan"], ann.session_id)
        api.cancel_booking(ann.id, cast["ann"])
        assert api.expire_requests(now=timezone.now() + timedelta(hours=13)) == 1
        assert (status(cyd.id), status(dan.id)) == ("expired", "offered")
        assert holders(ann.session_id) == 2

    def test_accepting_too_late_says_so_and_passes_the_seat_on(self, cast, full):
        _type, ann, _bob = full
        cyd = api.join_waitlist(cast["cyd"], ann.session_id)
        dan = api.join_waitlist(cast["dan"], ann.session_id)
        api.cancel_booking(ann.id, cast["ann"])
        Booking.objects.filter(pk=cyd.id).update(expires_at=timezone.now() - timedelta(seconds=1))
        with pytest.raises(api.BookingError) as error:
            api.accept_offer(cyd.id, cast["cyd"])
        assert (error.value.code, error.value.status) == ("offer_expired", 409)
        assert (status(cyd.id), status(dan.id)) == ("expired", "offered")

    def test_turning_an_offer_down_and_leaving(self, cast, full):
        _type, ann, _bob = full
        cyd = api.join_waitlist(cast["cyd"], ann.session_id)
        dan = api.join_waitlist(cast["dan"], ann.session_id)
        assert api.leave_waitlist(dan.id, cast["dan"]).status == "cancelled"
        eve = api.join_waitlist(cast["eve"], ann.session_id)
        api.cancel_booking(ann.id, cast["ann"])
        assert api.leave_waitlist(cyd.id, cast["cyd"]).status == "cancelled"
        assert status(eve.id) == "offered"
        with pytest.raises(api.BookingError) as error:
            api.leave_waitlist(cyd.id, cast["cyd"])
        assert error.value.code == "invalid_state"

    def test_only_the_learner_accepts_and_only_an_offer(self, cast, full):
        cyd = api.join_waitlist(cast["cyd"], full[1].session_id)
        with pytest.raises(api.BookingError) as error:
            api.accept_offer(cyd.id, cast["cyd"])
        assert error.value.code == "invalid_state"
        api.cancel_booking(full[2].id, cast["bob"])
        for who in ("trainer", "dan"):
            with pytest.raises(api.BookingError) as error:
                api.accept_offer(cyd.id, cast[who])
            assert error.value.code == "permission_denied"
        with pytest.raises(api.BookingError) as error:
            api.accept_offer(999_999, cast["cyd"])
        assert error.value.code == "booking_not_found"

    def test_an_offer_is_not_cancelled_or_rescheduled_like_a_booking(self, cast, full):
        cyd = api.join_waitlist(cast["cyd"], full[1].session_id)
        api.cancel_booking(full[2].id, cast["bob"])
        for call in (
            lambda: api.cancel_booking(cyd.id, cast["cyd"]),
            lambda: api.reschedule_booking(cyd.id, cast["cyd"], paris(next_monday(), 14)),
        ):
            with pytest.raises(api.BookingError) as error:
                call()
            assert error.value.code == "invalid_state"

    def test_accepting_needs_approval_when_the_type_does(self, cast):
        session_type = group_type(cast, requires_approval=True)
        start = paris(next_monday(), 9)
        ann = api.book(cast["ann"], session_type.id, start)
        api.book(cast["bob"], session_type.id, start)
        cyd = api.join_waitlist(cast["cyd"], ann.session_id)
        api.decline_booking(ann.id, cast["trainer"])
        accepted = api.accept_offer(cyd.id, cast["cyd"])
        assert accepted.status == "requested" and accepted.expires_at

    def test_an_offered_seat_is_held_like_a_booking(self, cast, full):
        _type, ann, bob = full
        cyd = api.join_waitlist(cast["cyd"], ann.session_id)
        dan = api.join_waitlist(cast["dan"], ann.session_id)
        api.cancel_booking(ann.id, cast["ann"])
        assert status(cyd.id) == "offered"
        with pytest.raises(api.BookingError) as error:
            api.book(cast["cyd"], full[0].id, paris(next_monday(), 9))
        assert error.value.code in ("already_booked", "slot_unavailable")
        assert status(dan.id) == "waitlisted" and holders(bob.session_id) == 2

    def test_the_waitlist_closes_when_the_session_starts(self, cast, full):
        cyd = api.join_waitlist(cast["cyd"], full[1].session_id)
        Session.objects.update(start=timezone.now() - timedelta(minutes=1))
        api.expire_requests()
        assert status(cyd.id) == "expired"

    def test_waiting_bookings_are_upcoming_for_the_learner(self, cast, full):
        cyd = api.join_waitlist(cast["cyd"], full[1].session_id)
        assert [b.id for b in api.list_bookings(cast["cyd"], upcoming=True)] == [cyd.id]


class TestEventsAndEmails:
    def test_events_and_the_offer_email_once(self, cast, full, django_capture_on_commit_callbacks):
        _type, ann, _bob = full
        seen = []

        def receiver_for(signal):
            def receive(sender=None, booking=None, **kwargs):
                seen.append((signal.event_type.split(".")[-2], booking.status))

            return receive

        receivers = [
            (signal, receiver_for(signal))
            for signal in (signals.BOOKING_WAITLISTED, signals.BOOKING_OFFERED, signals.BOOKING_CONFIRMED)
        ]
        for signal, receiver in receivers:
            signal.connect(receiver, weak=False)
        try:
            with django_capture_on_commit_callbacks(execute=True):
                cyd = api.join_waitlist(cast["cyd"], ann.session_id)
            mail.outbox.clear()
            with django_capture_on_commit_callbacks(execute=True):
                api.cancel_booking(ann.id, cast["ann"])
            offers = [m for m in mail.outbox if m.subject.startswith("A seat is free for you")]
            assert [m.to for m in offers] == [["cyd@example.com"]]
            assert "Accept before" in offers[0].body
            assert not any(a for a in offers[0].attachments)  # no invitation before the seat is taken
            with django_capture_on_commit_callbacks(execute=True):
                api.accept_offer(cyd.id, cast["cyd"])
        finally:
            for signal, receiver in receivers:
                signal.disconnect(receiver)
        assert ("waitlisted", "waitlisted") in seen and ("offered", "offered") in seen
        assert ("confirmed", "confirmed") in seen
        from mentora_plugin.booking import tasks

        mail.outbox.clear()
        assert tasks.send_booking_notification.delay(cyd.id, tasks.OFFER).get() == 0  # confirmed now: not again
        assert mail.outbox == []


def test_a_learner_busy_elsewhere_keeps_their_place_and_the_next_is_offered(cast, full, make_user):
    _type, ann, _bob = full
    other = make_user("other_trainer")
    host_api.grant_trainer_role(COURSE, other, granted_by=None)
    api.set_calendar(other, time_zone="Europe/Paris")
    api.set_weekly_rules(other, [WeeklyRule(0, time(9), time(17))])
    solo = api.create_session_type(other, COURSE, title="Solo", duration_minutes=60, window_days=60)
    cyd = api.join_waitlist(cast["cyd"], ann.session_id)
    dan = api.join_waitlist(cast["dan"], ann.session_id)
    api.book(cast["cyd"], solo.id, paris(next_monday(), 9))  # cyd is busy at 09:00 now
    api.cancel_booking(ann.id, cast["ann"])
    assert (status(cyd.id), status(dan.id)) == ("waitlisted", "offered")
