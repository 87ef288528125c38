"""The booking REST API: authentication, permissions, each endpoint's happy path, and bad input that changes nothing."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from edx_rest_framework_extensions.auth.jwt.tests.utils import generate_jwt_token, generate_latest_version_payload
from rest_framework.test import APIClient

from mentora_plugin.booking import api
from mentora_plugin.booking.data import WeeklyRule
from mentora_plugin.booking.models import Booking, Session
from mentora_plugin.host import api as host_api
from mentora_plugin.host.data import CourseRoleRecord
from tests.conftest import COURSE, OTHER_COURSE, at, soon_in_paris

pytestmark = pytest.mark.django_db

V1 = "/api/mentora/v1/"
PARIS = ZoneInfo("Europe/Paris")
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture(autouse=True)
def _fresh_throttles(settings):
    settings.MENTORA_API_THROTTLE_RATES = {"user": "10000/minute", "anon": "1000/minute", "write": "10000/minute"}
    cache.clear()
    yield
    cache.clear()


def next_weekday(weekday: int, weeks_ahead: int = 1) -> date:
    today = timezone.now().astimezone(PARIS).date()
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks_ahead)


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


@pytest.fixture
def cast(make_user):
    host_api.record_course(COURSE, at(0), title="Mentoring 101")
    host_api.record_course(OTHER_COURSE, at(0), title="Other")
    people = {
        "trainer": make_user("trainer", first_name="Tara", last_name="Iner"),
        "learner": make_user("learner", first_name="Lea", last_name="Rner"),
        "peer": make_user("peer"),
        "staff": make_user("staff"),
        "stranger": make_user("stranger"),
    }
    for name in ("learner", "peer"):
        host_api.record_enrollment(people[name].pk, COURSE, "verified", True, at(0))
    host_api.record_course_role(CourseRoleRecord(people["staff"].pk, COURSE.org, COURSE, "staff"), at(0))
    host_api.grant_trainer_role(COURSE, people["trainer"], granted_by=people["staff"])
    api.set_calendar(people["trainer"], time_zone="Europe/Paris")
    api.set_weekly_rules(people["trainer"], [WeeklyRule(day, time(9), time(12)) for day in range(7)])
    return people


@pytest.fixture
def session_type(cast):
    return api.create_session_type(
        cast["trainer"], COURSE, title="Project review", duration_minutes=60, slot_interval_minutes=60,
        window_days=60, minimum_notice_minutes=60, cancellation_cutoff_hours=24,
    )


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def book(cast, session_type, day: date, hour: int = 9, who: str = "learner", **headers) -> dict:
    response = client_for(cast[who]).post(
        V1 + "bookings/",
        {"session_type_id": session_type.id, "start": paris(day, hour).isoformat(), "goal": "Review my project"},
        format="json",
        **headers,
    )
    assert response.status_code == 201, response.content
    return response.json()


class TestAuthentication:
    @pytest.mark.parametrize("url", ["bookings/", "me/calendar/", f"courses/{COURSE}/session-types/"])
    def test_anonymous_gets_401(self, cast, url):
        response = APIClient().get(V1 + url)
        assert response.status_code == 401
        assert response.json()["error_code"] == "not_authenticated"

    def test_jwt_with_the_jwt_prefix(self, cast, session_type):
        token = generate_jwt_token(generate_latest_version_payload(cast["learner"]))
        response = APIClient().get(V1 + f"courses/{COURSE}/session-types/", HTTP_AUTHORIZATION=f"JWT {token}")
        assert response.status_code == 200, response.content
        assert [item["title"] for item in response.json()["results"]] == ["Project review"]


class TestSessionTypes:
    def test_anyone_with_a_part_in_the_course_lists_them(self, cast, session_type):
        for who in ("learner", "trainer", "staff"):
            body = client_for(cast[who]).get(V1 + f"courses/{COURSE}/session-types/").json()
            assert body["count"] == 1, who
            item = body["results"][0]
            assert item["trainer_name"] == "Tara Iner" and item["course_key"] == str(COURSE)
            assert item["time_zone"] == "Europe/Paris" and item["is_group"] is False
        response = client_for(cast["stranger"]).get(V1 + f"courses/{COURSE}/session-types/")
        assert response.status_code == 403

    def test_bad_and_unknown_course(self, cast):
        client = client_for(cast["learner"])
        assert client.get(V1 + "courses/not-a-course/session-types/").json()["error_code"] == "invalid_course_key"
        response = client.get(V1 + "courses/course-v1:No+Such+Run/session-types/")
        assert (response.status_code, response.json()["error_code"]) == (404, "course_not_found")

    def test_a_trainer_creates_and_edits_their_own(self, cast):
        client = client_for(cast["trainer"])
        response = client.post(
            V1 + f"courses/{COURSE}/session-types/",
            {"title": "Group Q&A", "duration_minutes": 45, "capacity": 4, "location": "in_person"},
            format="json",
        )
        assert response.status_code == 201, response.content
        created = response.json()
        assert created["is_group"] is True and created["trainer_id"] == cast["trainer"].pk
        response = client.patch(V1 + f"session-types/{created['id']}/", {"title": "Group Q and A"}, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["title"] == "Group Q and A" and response.json()["capacity"] == 4
        seen = client_for(cast["learner"]).get(V1 + f"session-types/{created['id']}/").json()
        assert seen["title"] == "Group Q and A"

    def test_learners_cannot_create_and_others_cannot_edit(self, cast, session_type):
        response = client_for(cast["learner"]).post(
            V1 + f"courses/{COURSE}/session-types/", {"title": "Mine", "duration_minutes": 30}, format="json"
        )
        assert (response.status_code, response.json()["error_code"]) == (403, "permission_denied")
        url = V1 + f"session-types/{session_type.id}/"
        response = client_for(cast["staff"]).patch(url, {"title": "X"}, format="json")
        assert response.status_code == 403
        response = client_for(cast["stranger"]).get(V1 + f"session-types/{session_type.id}/")
        assert (response.status_code, response.json()["error_code"]) == (404, "session_type_not_found")
        assert api.get_session_type(session_type.id).title == "Project review"

    def test_invalid_fields_change_nothing(self, cast, session_type):
        client = client_for(cast["trainer"])
        response = client.post(
            V1 + f"courses/{COURSE}/session-types/", {"title": "Long", "duration_minutes": 5000}, format="json"
        )
        assert (response.status_code, response.json()["error_code"]) == (400, "invalid_session_type")
        response = client.post(V1 + f"courses/{COURSE}/session-types/", {"duration_minutes": "x"}, format="json")
        assert response.status_code == 400 and response.json()["error_code"] == "invalid_input"
        assert set(response.json()["field_errors"]) == {"title", "duration_minutes"}
        response = client.patch(V1 + f"session-types/{session_type.id}/", {"location": "moon"}, format="json")
        assert response.status_code == 400
        assert len(api.list_session_types(course_key=COURSE)) == 1
        assert api.get_session_type(session_type.id).location == "video"


class TestSlots:
    def test_free_slots_in_the_viewers_zone(self, cast, session_type):
        monday = next_weekday(0)
        tokyo_day = paris(monday, 9).astimezone(TOKYO).date()
        response = client_for(cast["learner"]).get(
            V1 + f"session-types/{session_type.id}/slots/",
            {"start": tokyo_day.isoformat(), "end": tokyo_day.isoformat(), "tz": "Asia/Tokyo"},
        )
        assert response.status_code == 200, response.content
        starts = [datetime.fromisoformat(slot["start"]) for slot in response.json()]
        assert paris(monday, 9) in starts
        assert all(slot["start"].endswith("+09:00") for slot in response.json())
        assert response.json()[0]["seats_left"] == 1

    def test_defaults_to_the_next_two_weeks_in_the_trainers_zone(self, cast, session_type):
        response = client_for(cast["learner"]).get(V1 + f"session-types/{session_type.id}/slots/")
        assert response.status_code == 200
        assert 10 <= len(response.json()) <= 14 * 3
        assert all(slot["start"][-6:] in ("+01:00", "+02:00") for slot in response.json())

    @pytest.mark.parametrize(
        ("query", "code"),
        [
            ({"tz": "Mars/Olympus"}, "invalid_time_zone"),
            ({"start": "2026-13-40"}, "invalid_date"),
            ({"start": "2026-03-10", "end": "2026-03-01"}, "invalid_range"),
            ({"start": "2026-01-01", "end": "2026-12-31"}, "invalid_range"),
        ],
    )
    def test_bad_ranges_and_zones_are_400(self, cast, session_type, query, code):
        response = client_for(cast["learner"]).get(V1 + f"session-types/{session_type.id}/slots/", query)
        assert (response.status_code, response.json()["error_code"]) == (400, code)
        assert response.json()["message"]

    def test_strangers_and_unknown_types_get_404(self, cast, session_type):
        response = client_for(cast["stranger"]).get(V1 + f"session-types/{session_type.id}/slots/")
        assert response.status_code == 404
        response = client_for(cast["learner"]).get(V1 + "session-types/999999/slots/")
        assert (response.status_code, response.json()["error_code"]) == (404, "session_type_not_found")

    def test_check_says_why(self, cast, session_type):
        client = client_for(cast["learner"])
        url = V1 + f"session-types/{session_type.id}/slots/check/"
        monday = next_weekday(0)
        ok = client.get(url, {"start": paris(monday, 9).isoformat()}).json()
        assert ok["bookable"] is True and ok["code"] == "ok"
        evening = client.get(url, {"start": paris(monday, 20).isoformat()}).json()
        assert evening["bookable"] is False and evening["code"] == "not_available" and evening["message"]
        far = client.get(url, {"start": paris(monday + timedelta(days=120), 9).isoformat()}).json()
        assert far["code"] == "outside_window"
        past = client.get(url, {"start": "2020-01-06T09:00:00+01:00"}).json()
        assert past["code"] == "in_the_past"

    @pytest.mark.parametrize("start", ["", "tomorrow", "2026-03-30", "2026-03-30T09:00:00", "2026-03-30T25:00+02:00"])
    def test_check_refuses_times_without_offset_or_out_of_range(self, cast, session_type, start):
        response = client_for(cast["learner"]).get(
            V1 + f"session-types/{session_type.id}/slots/check/", {"start": start}
        )
        assert (response.status_code, response.json()["error_code"]) == (400, "invalid_time")


class TestCalendar:
    def test_read_and_replace(self, cast):
        client = client_for(cast["trainer"])
        body = client.get(V1 + "me/calendar/").json()
        assert body["time_zone"] == "Europe/Paris" and len(body["rules"]) == 7
        response = client.put(
            V1 + "me/calendar/",
            {
                "time_zone": "America/Sao_Paulo",
                "max_sessions_per_day": 3,
                "max_sessions_per_week": None,
                "rules": [{"weekday": 1, "start": "08:30", "end": "11:00"}],
            },
            format="json",
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["time_zone"] == "America/Sao_Paulo" and body["max_sessions_per_day"] == 3
        assert body["rules"] == [{"weekday": 1, "start": "08:30", "end": "11:00"}]

    @pytest.mark.parametrize(
        ("payload", "code"),
        [
            ({"time_zone": "Europe/Atlantis"}, "invalid_time_zone"),
            ({"time_zone": "UTC", "rules": [{"weekday": 1, "start": "12:00", "end": "09:00"}]}, "invalid_rules"),
            ({"rules": [{"weekday": 1, "start": "09:00", "end": "12:00"},
                        {"weekday": 1, "start": "11:00", "end": "13:00"}]}, "invalid_rules"),
            ({"rules": [{"weekday": 9, "start": "09:00", "end": "12:00"}]}, "invalid_input"),
            ({"rules": [{"weekday": 1, "start": "25:00", "end": "26:00"}]}, "invalid_input"),
            ({"max_sessions_per_day": 0}, "invalid_input"),
        ],
    )
    def test_bad_input_changes_nothing(self, cast, payload, code):
        response = client_for(cast["trainer"]).put(V1 + "me/calendar/", payload, format="json")
        assert (response.status_code, response.json()["error_code"]) == (400, code)
        calendar = api.get_calendar(cast["trainer"])
        assert calendar.time_zone == "Europe/Paris" and len(calendar.rules) == 7

    def test_overrides(self, cast):
        client = client_for(cast["trainer"])
        day = next_weekday(2)
        response = client.post(V1 + "me/calendar/overrides/", {"date": day.isoformat(), "kind": "unavailable"},
                               format="json")
        assert response.status_code == 201, response.content
        override_id = response.json()["id"]
        response = client.post(
            V1 + "me/calendar/overrides/",
            {"date": day.isoformat(), "kind": "extra", "start": "18:00", "end": "20:00", "note": "Late"},
            format="json",
        )
        assert response.status_code == 201 and response.json()["start"] == "18:00"
        assert len(client.get(V1 + "me/calendar/").json()["overrides"]) == 2
        bad = client.post(V1 + "me/calendar/overrides/", {"date": day.isoformat(), "kind": "extra"}, format="json")
        assert (bad.status_code, bad.json()["error_code"]) == (400, "invalid_override")
        bad = client.post(V1 + "me/calendar/overrides/", {"date": "someday", "kind": "extra"}, format="json")
        assert bad.status_code == 400
        other = client_for(cast["stranger"]).delete(V1 + f"me/calendar/overrides/{override_id}/")
        assert (other.status_code, other.json()["error_code"]) == (404, "override_not_found")
        assert client.delete(V1 + f"me/calendar/overrides/{override_id}/").status_code == 204
        assert len(api.get_calendar(cast["trainer"]).overrides) == 1


class TestBooking:
    def test_book_then_replay_with_the_same_idempotency_key(self, cast, session_type):
        monday = next_weekday(0)
        client = client_for(cast["learner"])
        payload = {"session_type_id": session_type.id, "start": paris(monday, 10).isoformat(), "goal": "Feedback"}
        first = client.post(V1 + "bookings/", payload, format="json", HTTP_IDEMPOTENCY_KEY="abc-123")
        assert first.status_code == 201, first.content
        assert first.json()["status"] == "confirmed" and first.json()["goal"] == "Feedback"
        again = client.post(V1 + "bookings/", payload, format="json", HTTP_IDEMPOTENCY_KEY="abc-123")
        assert again.status_code == 200
        assert again.json()["id"] == first.json()["id"]
        assert Booking.objects.count() == 1
        other = dict(payload, start=paris(monday, 11).isoformat())
        conflict = client.post(V1 + "bookings/", other, format="json", HTTP_IDEMPOTENCY_KEY="abc-123")
        assert (conflict.status_code, conflict.json()["error_code"]) == (409, "idempotency_conflict")

    def test_a_taken_slot_is_409_with_the_reason(self, cast, session_type):
        monday = next_weekday(0)
        book(cast, session_type, monday, 10)
        response = client_for(cast["peer"]).post(
            V1 + "bookings/", {"session_type_id": session_type.id, "start": paris(monday, 10).isoformat()},
            format="json",
        )
        assert response.status_code == 409
        assert response.json()["error_code"] == "slot_unavailable" and response.json()["reason"] == "overlaps"

    @pytest.mark.parametrize(
        ("start", "status", "code"),
        [
            ("later", 400, "invalid_input"),
            ("2026-03-30T09:00:00", 400, "invalid_input"),
            ("2026-02-30T09:00:00+01:00", 400, "invalid_input"),
        ],
    )
    def test_malformed_times(self, cast, session_type, start, status, code):
        response = client_for(cast["learner"]).post(
            V1 + "bookings/", {"session_type_id": session_type.id, "start": start}, format="json"
        )
        assert (response.status_code, response.json()["error_code"]) == (status, code)
        assert "start" in response.json()["field_errors"]
        assert Booking.objects.count() == 0

    def test_outside_the_window_and_outside_hours(self, cast, session_type):
        client = client_for(cast["learner"])
        far = paris(next_weekday(0) + timedelta(days=90), 9)
        response = client.post(V1 + "bookings/", {"session_type_id": session_type.id, "start": far.isoformat()},
                               format="json")
        assert (response.status_code, response.json()["reason"]) == (409, "outside_window")
        night = paris(next_weekday(0), 22)
        response = client.post(V1 + "bookings/", {"session_type_id": session_type.id, "start": night.isoformat()},
                               format="json")
        assert (response.status_code, response.json()["reason"]) == (409, "not_available")
        assert Booking.objects.count() == 0

    def test_only_enrolled_learners_book(self, cast, session_type):
        response = client_for(cast["stranger"]).post(
            V1 + "bookings/",
            {"session_type_id": session_type.id, "start": paris(next_weekday(0), 9).isoformat()},
            format="json",
        )
        assert (response.status_code, response.json()["error_code"]) == (403, "not_enrolled")
        response = client_for(cast["learner"]).post(
            V1 + "bookings/", {"session_type_id": 424242, "start": paris(next_weekday(0), 9).isoformat()},
            format="json",
        )
        assert response.status_code == 404

    def test_someone_elses_booking_is_404_everywhere(self, cast, session_type):
        booking = book(cast, session_type, next_weekday(0))
        peer = client_for(cast["peer"])
        assert peer.get(V1 + f"bookings/{booking['id']}/").status_code == 404
        for action in ("confirm", "decline", "cancel", "complete"):
            response = peer.post(V1 + f"bookings/{booking['id']}/{action}/", {}, format="json")
            assert (response.status_code, response.json()["error_code"]) == (404, "booking_not_found"), action
        response = peer.post(
            V1 + f"bookings/{booking['id']}/reschedule/", {"start": paris(next_weekday(1), 9).isoformat()},
            format="json",
        )
        assert response.status_code == 404
        assert client_for(cast["learner"]).get(V1 + "bookings/424242/").status_code == 404
        assert Booking.objects.get().status == "confirmed"

    def test_both_sides_and_course_staff_see_it(self, cast, session_type):
        booking = book(cast, session_type, next_weekday(0))
        for who in ("learner", "trainer", "staff"):
            response = client_for(cast[who]).get(V1 + f"bookings/{booking['id']}/")
            assert response.status_code == 200, who
            assert response.json()["learner_name"] == "Lea Rner"

    def test_list_by_role_and_time(self, cast, session_type):
        first = book(cast, session_type, next_weekday(0), 9)
        second = book(cast, session_type, next_weekday(1), 10)
        mine = client_for(cast["learner"]).get(V1 + "bookings/?upcoming=true").json()
        assert [item["id"] for item in mine["results"]] == [first["id"], second["id"]]
        theirs = client_for(cast["trainer"]).get(V1 + "bookings/", {"role": "trainer", "course_id": str(COURSE)}).json()
        assert theirs["count"] == 2
        assert client_for(cast["trainer"]).get(V1 + "bookings/").json()["count"] == 0
        assert client_for(cast["learner"]).get(V1 + "bookings/?upcoming=false").json()["count"] == 0
        client_for(cast["learner"]).post(V1 + f"bookings/{first['id']}/cancel/", {}, format="json")
        assert client_for(cast["learner"]).get(V1 + "bookings/?upcoming=false").json()["count"] == 1

    @pytest.mark.parametrize(
        ("query", "code"),
        [
            ("role=boss", "invalid_filter"),
            ("upcoming=maybe", "invalid_filter"),
            ("course_id=nope", "invalid_course_key"),
        ],
    )
    def test_bad_filters(self, cast, query, code):
        response = client_for(cast["learner"]).get(V1 + f"bookings/?{query}")
        assert (response.status_code, response.json()["error_code"]) == (400, code)

    def test_list_costs_the_same_queries_whatever_the_page_size(self, cast, session_type):
        for week in range(1, 4):
            for hour in (9, 10, 11):
                book(cast, session_type, next_weekday(0, week), hour)
        client = client_for(cast["trainer"])
        client.get(V1 + "bookings/?role=trainer&page_size=1")
        counts = []
        for size in (1, 9):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(V1 + f"bookings/?role=trainer&page_size={size}")
            assert len(response.json()["results"]) == size
            counts.append(len(queries))
        assert counts[0] == counts[1]


class TestLifecycle:
    @pytest.fixture
    def approval_type(self, cast):
        return api.create_session_type(
            cast["trainer"], COURSE, title="Career chat", duration_minutes=30, requires_approval=True,
            window_days=60, minimum_notice_minutes=60,
        )

    def test_trainer_confirms_and_declines_requests(self, cast, approval_type):
        first = book(cast, approval_type, next_weekday(0), 9)
        second = book(cast, approval_type, next_weekday(0), 10, who="peer")
        assert first["status"] == "requested"
        learner = client_for(cast["learner"])
        response = learner.post(V1 + f"bookings/{first['id']}/confirm/", format="json")
        assert (response.status_code, response.json()["error_code"]) == (403, "permission_denied")
        trainer = client_for(cast["trainer"])
        assert trainer.post(V1 + f"bookings/{first['id']}/confirm/").json()["status"] == "confirmed"
        declined = trainer.post(V1 + f"bookings/{second['id']}/decline/", {"reason": "Full week"}, format="json")
        assert declined.json()["status"] == "declined" and declined.json()["cancel_reason"] == "Full week"
        again = trainer.post(V1 + f"bookings/{second['id']}/decline/", format="json")
        assert (again.status_code, again.json()["error_code"]) == (409, "invalid_state")

    def test_cancellation_cutoff_with_the_trainers_override(self, cast, session_type):
        start = soon_in_paris()
        api.add_override(cast["trainer"], start.date(), "extra", time(0, 0), time(23, 59))
        response = client_for(cast["learner"]).post(
            V1 + "bookings/", {"session_type_id": session_type.id, "start": start.isoformat()}, format="json"
        )
        assert response.status_code == 201, response.content
        booking_id = response.json()["id"]
        refused = client_for(cast["learner"]).post(V1 + f"bookings/{booking_id}/cancel/", {"reason": "Ill"},
                                                   format="json")
        assert (refused.status_code, refused.json()["error_code"]) == (409, "cutoff_passed")
        cancelled = client_for(cast["trainer"]).post(
            V1 + f"bookings/{booking_id}/cancel/", {"reason": "Ill", "override_cutoff": True}, format="json"
        )
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"

    def test_reschedule(self, cast, session_type):
        booking = book(cast, session_type, next_weekday(0), 9)
        client = client_for(cast["learner"])
        new_start = paris(next_weekday(1), 11)
        response = client.post(V1 + f"bookings/{booking['id']}/reschedule/", {"start": new_start.isoformat()},
                               format="json")
        assert response.status_code == 200, response.content
        assert datetime.fromisoformat(response.json()["start"]) == new_start
        assert response.json()["reschedule_count"] == 1
        bad = client.post(V1 + f"bookings/{booking['id']}/reschedule/", {"start": "2026-99-01T10:00Z"}, format="json")
        assert bad.status_code == 400
        night = client.post(V1 + f"bookings/{booking['id']}/reschedule/",
                            {"start": paris(next_weekday(1), 23).isoformat()}, format="json")
        assert (night.status_code, night.json()["reason"]) == (409, "not_available")
        assert datetime.fromisoformat(client.get(V1 + f"bookings/{booking['id']}/").json()["start"]) == new_start

    def test_complete_only_after_start_and_with_a_known_outcome(self, cast, session_type):
        booking = book(cast, session_type, next_weekday(0), 9)
        trainer = client_for(cast["trainer"])
        early = trainer.post(V1 + f"bookings/{booking['id']}/complete/", {"outcome": "completed"}, format="json")
        assert (early.status_code, early.json()["error_code"]) == (409, "not_started")
        bad = trainer.post(V1 + f"bookings/{booking['id']}/complete/", {"outcome": "great"}, format="json")
        assert bad.status_code == 400
        Session.objects.filter(bookings__id=booking["id"]).update(
            start=timezone.now() - timedelta(hours=2), end=timezone.now() - timedelta(hours=1)
        )
        done = trainer.post(V1 + f"bookings/{booking['id']}/complete/", {"outcome": "no_show_learner"},
                            format="json")
        assert done.status_code == 200 and done.json()["status"] == "no_show_learner"


class TestSchema:
    def test_every_booking_endpoint_is_documented_without_warnings(self, client, capsys):
        response = client.get("/api/mentora/v1/schema/?format=json")
        assert "Warning" not in capsys.readouterr().err, "drf-spectacular could not describe something"
        paths = response.json()["paths"]
        for path in (
            "/api/mentora/v1/courses/{course_id}/session-types/",
            "/api/mentora/v1/session-types/{session_type_id}/slots/",
            "/api/mentora/v1/session-types/{session_type_id}/slots/check/",
            "/api/mentora/v1/me/calendar/",
            "/api/mentora/v1/me/calendar/overrides/{override_id}/",
            "/api/mentora/v1/bookings/",
            "/api/mentora/v1/bookings/{booking_id}/reschedule/",
        ):
            assert path in paths, path
        create = paths["/api/mentora/v1/bookings/"]["post"]
        assert {"200", "201", "400", "409"} <= set(create["responses"])
        assert any(parameter["name"] == "Idempotency-Key" for parameter in create["parameters"])
