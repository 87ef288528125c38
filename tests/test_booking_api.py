"""The booking API: availability, slots through the database, and the life of a booking."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mentora_plugin.booking import api
from mentora_plugin.booking.data import WeeklyRule
from mentora_plugin.booking.models import Booking, Session
from mentora_plugin.host import api as host_api
from tests.conftest import COURSE, at

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def next_weekday(weekday: int, weeks_ahead: int = 1) -> date:
    """A date on ``weekday`` at least a week ahead, so minimum notice and windows never get in the way."""
    today = timezone.now().astimezone(PARIS).date()
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks_ahead)


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


@pytest.fixture
def cast(make_user):
    people = {name: make_user(name) for name in ("trainer", "ann", "bob", "cyd", "staff", "outsider")}
    host_api.record_course(COURSE, at(0), title="Mentoring 101")
    for name in ("ann", "bob", "cyd"):
        host_api.record_enrollment(people[name].pk, COURSE, "audit", True, at(0))
    host_api.grant_trainer_role(COURSE, people["trainer"], granted_by=None)
    api.set_calendar(people["trainer"], time_zone="Europe/Paris")
    api.set_weekly_rules(people["trainer"], [WeeklyRule(0, time(9), time(12)), WeeklyRule(2, time(14), time(17))])
    return people


@pytest.fixture
def one_to_one(cast):
    return api.create_session_type(
        cast["trainer"], COURSE, title="Project review", duration_minutes=60, slot_interval_minutes=30,
        buffer_after_minutes=15, window_days=60, minimum_notice_minutes=60,
    )


class TestAvailability:
    def test_rules_are_validated_and_replace_the_old_ones(self, cast):
        with pytest.raises(api.BookingError) as error:
            api.set_weekly_rules(cast["trainer"], [WeeklyRule(0, time(9), time(12)), WeeklyRule(0, time(11), time(13))])
        assert error.value.code == "invalid_rules"
        with pytest.raises(api.BookingError):
            api.set_weekly_rules(cast["trainer"], [WeeklyRule(7, time(9), time(12))])
        assert len(api.get_calendar(cast["trainer"]).rules) == 2  # unchanged by the refused calls
        api.set_weekly_rules(cast["trainer"], [WeeklyRule(4, time(8), time(10))])
        assert api.get_calendar(cast["trainer"]).rules == [WeeklyRule(4, time(8), time(10))]

    def test_unknown_zone_is_refused(self, cast):
        with pytest.raises(api.BookingError) as error:
            api.set_calendar(cast["trainer"], time_zone="Mars/Olympus")
        assert error.value.code == "invalid_time_zone"
        assert api.get_calendar(cast["trainer"]).time_zone == "Europe/Paris"

    def test_only_trainers_of_the_course_offer_sessions(self, cast):
        with pytest.raises(api.BookingError) as error:
            api.create_session_type(cast["ann"], COURSE, title="Nope", duration_minutes=30)
        assert (error.value.code, error.value.status) == ("permission_denied", 403)

    def test_bad_session_type_fields(self, cast):
        with pytest.raises(api.BookingError) as error:
            api.create_session_type(cast["trainer"], COURSE, title="Too long", duration_minutes=10_000)
        assert error.value.code == "invalid_session_type"
        assert api.list_session_types(course_key=COURSE) == []


class TestSlots:
    def test_free_slots_in_the_viewers_zone_with_few_queries(self, cast, one_to_one):
        monday = next_weekday(0)
        with CaptureQueriesContext(connection) as queries:
            found = api.get_free_slots(one_to_one.id, monday, monday + timedelta(days=6), "America/New_York")
        assert len(queries) <= 5
        starts = [slot.start for slot in found]
        assert starts[0] == paris(monday, 9).astimezone(ZoneInfo("America/New_York"))
        assert starts[0].tzinfo.key == "America/New_York"
        # Monday 09:00-12:00 with 60-minute sessions every 30 minutes: 09:00, 09:30, 10:00, 10:30, 11:00.
        assert [slot.start.astimezone(PARIS).hour * 60 + slot.start.astimezone(PARIS).minute
                for slot in found if slot.start.astimezone(PARIS).date() == monday] == [540, 570, 600, 630, 660]

    def test_a_booked_session_and_its_buffer_leave_the_slots(self, cast, one_to_one):
        monday = next_weekday(0)
        api.book(cast["ann"], one_to_one.id, paris(monday, 10, 30))
        left = [slot.start.astimezone(PARIS).strftime("%H:%M") for slot in
                api.get_free_slots(one_to_one.id, monday, monday, "Europe/Paris")]
        # 10:30-11:30 is taken, and 15 minutes after it. A 09:00 session with its own 15 minutes after ends at 10:15:
        # free. 09:30 would run into 10:30 once its buffer is added; nothing fits after 11:45 before noon.
        assert left == ["09:00"]

    def test_explain_says_why(self, cast, one_to_one):
        monday = next_weekday(0)
        assert api.explain_slot(one_to_one.id, paris(monday, 9)).code == "ok"
        assert api.explain_slot(one_to_one.id, paris(monday, 13)).code == "not_available"
        assert api.explain_slot(one_to_one.id, timezone.now() + timedelta(minutes=5)).bookable is False

    def test_bad_ranges(self, cast, one_to_one):
        monday = next_weekday(0)
        for args, code in [
            ((monday, monday - timedelta(days=1), "UTC"), "invalid_range"),
            ((monday, monday + timedelta(days=200), "UTC"), "invalid_range"),
            ((monday, monday, "Nowhere/Land"), "invalid_time_zone"),
        ]:
            with pytest.raises(api.BookingError) as error:
                api.get_free_slots(one_to_one.id, *args)
            assert error.value.code == code


class TestBooking:
    def test_book_confirms_and_blocks_the_time(self, cast, one_to_one):
        monday = next_weekday(0)
        booking = api.book(cast["ann"], one_to_one.id, paris(monday, 9), goal="Review my portfolio")
        assert (booking.status, booking.goal) == ("confirmed", "Review my portfolio")
        assert booking.trainer_id == cast["trainer"].pk
        with pytest.raises(api.BookingError) as error:
            api.book(cast["bob"], one_to_one.id, paris(monday, 9, 30))
        assert (error.value.code, error.value.reason) == ("slot_unavailable", "overlaps")
        assert Session.objects.count() == 1

    def test_only_enrolled_learners_book(self, cast, one_to_one):
        with pytest.raises(api.BookingError) as error:
            api.book(cast["outsider"], one_to_one.id, paris(next_weekday(0), 9))
        assert error.value.code == "not_enrolled"
        assert not Booking.objects.exists()

    def test_idempotency_key(self, cast, one_to_one):
        monday = next_weekday(0)
        first = api.book(cast["ann"], one_to_one.id, paris(monday, 9), idempotency_key="k-1")
        again = api.book(cast["ann"], one_to_one.id, paris(monday, 9), idempotency_key="k-1")
        assert first.id == again.id and Booking.objects.count() == 1
        with pytest.raises(api.BookingError) as error:
            api.book(cast["ann"], one_to_one.id, paris(monday, 11), idempotency_key="k-1")
        assert error.value.code == "idempotency_conflict"

    def test_group_sessions_fill_their_seats(self, cast):
        group = api.create_session_type(cast["trainer"], COURSE, title="Clinic", duration_minutes=60, capacity=2)
        monday = next_weekday(0)
        first = api.book(cast["ann"], group.id, paris(monday, 9))
        second = api.book(cast["bob"], group.id, paris(monday, 9))
        assert first.session_id == second.session_id
        with pytest.raises(api.BookingError) as error:
            api.book(cast["cyd"], group.id, paris(monday, 9))
        assert error.value.code in ("session_full", "slot_unavailable")
        assert Booking.objects.filter(status="confirmed").count() == 2

    def test_approval_then_confirm_or_expire(self, cast):
        asked = api.create_session_type(cast["trainer"], COURSE, title="Interview", duration_minutes=30,
                                        requires_approval=True, approval_expiry_hours=1)
        monday = next_weekday(0)
        booking = api.book(cast["ann"], asked.id, paris(monday, 9))
        assert booking.status == "requested" and booking.expires_at
        with pytest.raises(api.BookingError):
            api.confirm_booking(booking.id, cast["ann"])  # the learner cannot approve their own request
        assert api.confirm_booking(booking.id, cast["trainer"]).status == "confirmed"
        other = api.book(cast["bob"], asked.id, paris(monday, 10))
        assert api.expire_requests(now=timezone.now() + timedelta(hours=2)) == 1
        assert Booking.objects.get(pk=other.id).status == "expired"
        assert api.explain_slot(asked.id, paris(monday, 10)).bookable  # the expired request freed the time


class TestChanges:
    def test_learner_cancels_before_the_cutoff_and_the_time_frees(self, cast, one_to_one):
        monday = next_weekday(0)
        booking = api.book(cast["ann"], one_to_one.id, paris(monday, 9))
        with pytest.raises(api.BookingError) as error:
            api.cancel_booking(booking.id, cast["bob"])
        assert error.value.status == 403
        cancelled = api.cancel_booking(booking.id, cast["ann"], "Ill")
        assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "Ill")
        assert Session.objects.get().status == "cancelled"
        assert api.book(cast["bob"], one_to_one.id, paris(monday, 9)).status == "confirmed"

    def test_cutoff_binds_the_learner_but_the_trainer_may_override(self, cast, one_to_one):
        soon = api.create_session_type(cast["trainer"], COURSE, title="Soon", duration_minutes=30,
                                       minimum_notice_minutes=0, cancellation_cutoff_hours=24 * 30, window_days=60)
        booking = api.book(cast["ann"], soon.id, paris(next_weekday(0), 9))
        with pytest.raises(api.BookingError) as error:
            api.cancel_booking(booking.id, cast["ann"])
        assert error.value.code == "cutoff_passed"
        with pytest.raises(api.BookingError):
            api.cancel_booking(booking.id, cast["trainer"])
        assert api.cancel_booking(booking.id, cast["trainer"], "Emergency", override_cutoff=True).status == "cancelled"

    def test_reschedule_moves_the_session_and_bumps_its_sequence(self, cast, one_to_one):
        monday = next_weekday(0)
        booking = api.book(cast["ann"], one_to_one.id, paris(monday, 9))
        moved = api.reschedule_booking(booking.id, cast["ann"], paris(monday, 10, 30))
        assert moved.start == paris(monday, 10, 30) and moved.sequence == 1 and moved.reschedule_count == 1
        assert moved.session_uid == booking.session_uid  # the same calendar event, moved
        with pytest.raises(api.BookingError) as error:
            api.reschedule_booking(booking.id, cast["ann"], paris(monday, 13))
        assert (error.value.code, error.value.reason) == ("slot_unavailable", "not_available")

    def test_completion_only_after_the_start(self, cast, one_to_one):
        booking = api.book(cast["ann"], one_to_one.id, paris(next_weekday(0), 9))
        with pytest.raises(api.BookingError) as error:
            api.complete_booking(booking.id, cast["trainer"])
        assert error.value.code == "not_started"
        Session.objects.update(start=timezone.now() - timedelta(hours=2), end=timezone.now() - timedelta(hours=1))
        assert api.complete_booking(booking.id, cast["trainer"], "no_show_learner").status == "no_show_learner"

    def test_someone_elses_booking_is_not_found(self, cast, one_to_one):
        booking = api.book(cast["ann"], one_to_one.id, paris(next_weekday(0), 9))
        with pytest.raises(api.BookingError) as error:
            api.get_booking(booking.id, cast["bob"])
        assert error.value.status == 404
        assert api.get_booking(booking.id, cast["trainer"]).id == booking.id
        assert [b.id for b in api.list_bookings(cast["ann"], upcoming=True)] == [booking.id]
        assert [b.id for b in api.list_bookings(cast["trainer"], as_trainer=True)] == [booking.id]


class TestRetirement:
    def test_the_platforms_retirement_signal_erases_booking_data(self, cast, one_to_one):
        from mentora_plugin.booking.feed import get_or_create_feed_url
        from mentora_plugin.booking.models import AvailabilityRule, CalendarFeed, SessionType
        from mentora_plugin.host import compat

        monday = next_weekday(0)
        kept = api.book(cast["bob"], one_to_one.id, paris(monday, 11))
        api.book(cast["ann"], one_to_one.id, paris(monday, 9))
        get_or_create_feed_url(cast["ann"])
        signal = compat.get_retirement_signals()["USER_RETIRE_LMS_MISC"]

        signal.send(sender=None, user=cast["ann"])

        assert not Booking.objects.filter(learner=cast["ann"]).exists()
        assert not CalendarFeed.objects.filter(user=cast["ann"]).exists()
        assert Session.objects.filter(status="cancelled").count() == 1  # ann's session freed the trainer's time
        assert Booking.objects.get(pk=kept.id).status == "confirmed"  # others keep theirs

        signal.send(sender=None, user=cast["trainer"])

        assert not AvailabilityRule.objects.exists()
        assert not SessionType.objects.filter(is_active=True).exists()
        assert api.get_calendar(cast["trainer"]).time_zone == "UTC"
        assert Booking.objects.get(pk=kept.id).status == "confirmed"  # the learner's record stays


def test_a_replayed_booking_says_it_is_not_new(cast, one_to_one):
    first = api.book(cast["ann"], one_to_one.id, paris(next_weekday(0), 9), idempotency_key="again")
    replay = api.book(cast["ann"], one_to_one.id, paris(next_weekday(0), 9), idempotency_key="again")
    assert (first.created, replay.created, replay.id) == (True, False, first.id)
