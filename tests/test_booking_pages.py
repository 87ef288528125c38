"""The trainers' pages: availability (zone, weekly hours, dates, session types) and sessions, with bad input."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from mentora_plugin.booking import api
from mentora_plugin.booking.data import WeeklyRule
from mentora_plugin.booking.models import Session
from mentora_plugin.host import api as host_api
from tests.conftest import COURSE, at

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
AVAILABILITY = "/mentora/booking/availability/"
SESSIONS = "/mentora/booking/sessions/"


@pytest.fixture
def cast(make_user):
    host_api.record_course(COURSE, at(0), title="Mentoring 101")
    people = {
        "trainer": make_user("trainer"),
        "learner": make_user("learner", first_name="Lea", last_name="Rner"),
        "other": make_user("other"),
    }
    host_api.record_enrollment(people["learner"].pk, COURSE, "verified", True, at(0))
    host_api.grant_trainer_role(COURSE, people["trainer"], granted_by=None)
    api.set_calendar(people["trainer"], time_zone="Europe/Paris")
    api.set_weekly_rules(people["trainer"], [WeeklyRule(day, time(9), time(12)) for day in range(7)])
    return people


@pytest.fixture
def trainer_client(client, cast):
    client.force_login(cast["trainer"])
    return client


def monday(weeks: int = 1) -> date:
    today = timezone.now().astimezone(PARIS).date()
    return today + timedelta(days=(0 - today.weekday()) % 7 + 7 * weeks)


def test_urls_have_names():
    assert reverse("mentora-booking:availability") == AVAILABILITY
    assert reverse("mentora-booking:sessions") == SESSIONS


def test_pages_need_a_signed_in_user(client):
    for url in (AVAILABILITY, SESSIONS):
        response = client.get(url)
        assert response.status_code == 302 and f"next={url}" in response["Location"]


class TestAvailability:
    def test_page_shows_zone_rules_and_course_forms(self, trainer_client):
        page = trainer_client.get(AVAILABILITY).content.decode()
        assert "Your weekly hours are in Europe/Paris." in page
        assert "New session type in Mentoring 101" in page
        assert page.count('value="remove_rule"') == 7

    def test_zone_from_the_menu_or_typed(self, trainer_client, cast):
        response = trainer_client.post(AVAILABILITY, {"action": "calendar", "calendar-time_zone": "Asia/Tokyo",
                                                      "calendar-max_sessions_per_day": "4"})
        assert response.status_code == 302
        assert api.get_calendar(cast["trainer"]).time_zone == "Asia/Tokyo"
        trainer_client.post(AVAILABILITY, {"action": "calendar", "calendar-time_zone": "",
                                           "calendar-other_time_zone": "America/Halifax"})
        calendar = api.get_calendar(cast["trainer"])
        assert calendar.time_zone == "America/Halifax" and calendar.max_sessions_per_day is None

    def test_unknown_zone_is_shown_next_to_the_field_and_nothing_is_saved(self, trainer_client, cast):
        response = trainer_client.post(AVAILABILITY, {"action": "calendar", "calendar-time_zone": "",
                                                      "calendar-other_time_zone": "Mars/Olympus",
                                                      "calendar-max_sessions_per_day": "2"})
        assert response.status_code == 400
        page = response.content.decode()
        assert 'id="id_calendar-other_time_zone-error"' in page and "is not a known time zone" in page
        assert 'aria-invalid="true"' in page
        calendar = api.get_calendar(cast["trainer"])
        assert calendar.time_zone == "Europe/Paris" and calendar.max_sessions_per_day is None

    def test_add_and_remove_windows(self, trainer_client, cast):
        api.set_weekly_rules(cast["trainer"], [])
        response = trainer_client.post(AVAILABILITY, {"action": "add_rule", "rule-weekday": "2",
                                                      "rule-start": "14:00", "rule-end": "17:30"})
        assert response.status_code == 302
        assert api.get_calendar(cast["trainer"]).rules == [WeeklyRule(2, time(14), time(17, 30))]
        bad = trainer_client.post(AVAILABILITY, {"action": "add_rule", "rule-weekday": "2",
                                                 "rule-start": "17:00", "rule-end": "18:00"})
        assert bad.status_code == 400 and "overlap" in bad.content.decode()
        bad = trainer_client.post(AVAILABILITY, {"action": "add_rule", "rule-weekday": "2",
                                                 "rule-start": "25:00", "rule-end": "18:00"})
        assert bad.status_code == 400 and 'id="id_rule-start-error"' in bad.content.decode()
        assert len(api.get_calendar(cast["trainer"]).rules) == 1
        trainer_client.post(AVAILABILITY, {"action": "remove_rule", "index": "0"})
        assert api.get_calendar(cast["trainer"]).rules == []

    def test_day_off_and_extra_hours(self, trainer_client, cast):
        day = monday().isoformat()
        assert trainer_client.post(AVAILABILITY, {"action": "add_override", "override-date": day,
                                                  "override-kind": "unavailable"}).status_code == 302
        bad = trainer_client.post(AVAILABILITY, {"action": "add_override", "override-date": day,
                                                 "override-kind": "extra"})
        assert bad.status_code == 400 and "Extra hours need a start and an end." in bad.content.decode()
        overrides = api.get_calendar(cast["trainer"]).overrides
        assert len(overrides) == 1
        stranger = trainer_client.post(AVAILABILITY, {"action": "remove_override", "override_id": "99999"})
        assert stranger.status_code == 302
        trainer_client.post(AVAILABILITY, {"action": "remove_override", "override_id": str(overrides[0].id)})
        assert api.get_calendar(cast["trainer"]).overrides == []

    def test_create_and_edit_a_session_type(self, trainer_client, cast):
        prefix = "new-course-v1-TestOrg-T101-2026"
        fields = {"title": "Code review", "duration_minutes": "45", "capacity": "1", "location": "video",
                  "buffer_before_minutes": "0", "buffer_after_minutes": "10", "minimum_notice_minutes": "60",
                  "window_days": "30", "slot_interval_minutes": "15", "cancellation_cutoff_hours": "12",
                  "is_active": "on"}
        response = trainer_client.post(AVAILABILITY, {"action": "create_type", "course_id": str(COURSE),
                                                      **{f"{prefix}-{k}": v for k, v in fields.items()}})
        assert response.status_code == 302, response.content.decode()[:2000]
        [created] = api.list_session_types(trainer=cast["trainer"])
        assert (created.title, created.duration_minutes, created.buffer_after_minutes) == ("Code review", 45, 10)
        edit = {f"type-{created.id}-{k}": v for k, v in dict(fields, title="Deep code review").items()}
        trainer_client.post(AVAILABILITY, {"action": "edit_type", "session_type_id": str(created.id), **edit})
        assert api.get_session_type(created.id).title == "Deep code review"
        edit[f"type-{created.id}-duration_minutes"] = "9999"
        bad = trainer_client.post(AVAILABILITY, {"action": "edit_type", "session_type_id": str(created.id), **edit})
        assert bad.status_code == 400 and f'id="id_type-{created.id}-duration_minutes-error"' in bad.content.decode()
        assert api.get_session_type(created.id).duration_minutes == 45

    def test_no_session_type_in_a_course_one_does_not_train(self, client, cast):
        client.force_login(cast["learner"])
        page = client.get(AVAILABILITY).content.decode()
        assert "You are not a trainer in any course yet" in page
        client.post(AVAILABILITY, {"action": "create_type", "course_id": str(COURSE),
                                   "new-course-v1-TestOrg-T101-2026-title": "Sneaky"})
        assert api.list_session_types(course_key=COURSE) == []


class TestSessions:
    @pytest.fixture
    def booking(self, cast):
        session_type = api.create_session_type(cast["trainer"], COURSE, title="Review", duration_minutes=60,
                                               requires_approval=True, window_days=30)
        start = datetime.combine(monday(), time(9), tzinfo=PARIS)
        return api.book(cast["learner"], session_type.id, start, goal="Ship my portfolio")

    def test_lists_upcoming_with_the_goal_and_confirms(self, trainer_client, booking):
        page = trainer_client.get(SESSIONS).content.decode()
        assert "Lea Rner" in page and "Ship my portfolio" in page and 'value="confirm"' in page
        assert "Times are in Europe/Paris." in page
        response = trainer_client.post(SESSIONS, {"action": "confirm", "booking_id": booking.id}, follow=True)
        assert "is confirmed" in response.content.decode()
        assert api.get_booking(booking.id, _learner(booking)).status == "confirmed"

    def test_decline_and_cancel(self, trainer_client, booking, cast):
        trainer_client.post(SESSIONS, {"action": "decline", "booking_id": booking.id, "reason": "Busy"})
        assert api.get_booking(booking.id, cast["trainer"]).status == "declined"
        response = trainer_client.post(SESSIONS, {"action": "cancel", "booking_id": booking.id}, follow=True)
        assert "that cannot be done now" in response.content.decode()

    def test_complete_after_the_session_and_no_show(self, trainer_client, booking, cast):
        api.confirm_booking(booking.id, cast["trainer"])
        early = trainer_client.post(SESSIONS, {"action": "complete", "booking_id": booking.id,
                                               "outcome": "completed"}, follow=True)
        assert "only once it has started" in early.content.decode()
        Session.objects.filter(pk=booking.session_id).update(start=timezone.now() - timedelta(hours=2),
                                                             end=timezone.now() - timedelta(hours=1))
        trainer_client.post(SESSIONS, {"action": "complete", "booking_id": booking.id, "outcome": "no_show_learner"})
        assert api.get_booking(booking.id, cast["trainer"]).status == "no_show_learner"

    def test_someone_elses_booking_is_refused(self, client, booking, cast):
        client.force_login(cast["other"])
        response = client.post(SESSIONS, {"action": "cancel", "booking_id": booking.id}, follow=True)
        assert "No such booking." in response.content.decode()
        response = client.post(SESSIONS, {"action": "confirm", "booking_id": "nope"}, follow=True)
        assert "No such booking." in response.content.decode()
        assert api.get_booking(booking.id, cast["trainer"]).status == "requested"


def _learner(booking):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=booking.learner_id)


def test_course_home_lists_session_types_and_links_trainers_to_their_pages(client, cast):
    api.create_session_type(cast["trainer"], COURSE, title="Code review", duration_minutes=45)
    home = f"/mentora/courses/{COURSE}/"
    client.force_login(cast["learner"])
    page = client.get(home).content.decode()
    assert "Book a mentor" in page and "Code review with trainer (45 min)" in page
    assert AVAILABILITY not in page
    client.force_login(cast["trainer"])
    page = client.get(home).content.decode()
    assert f'href="{AVAILABILITY}"' in page and f'href="{SESSIONS}"' in page


class TestSessionRecordOnThePage:
    @pytest.fixture
    def booking(self, cast):
        session_type = api.create_session_type(cast["trainer"], COURSE, title="Review", duration_minutes=60,
                                               window_days=60)
        return api.book(cast["learner"], session_type.id,
                        datetime.combine(monday(), time(9), tzinfo=PARIS))

    def test_notes_are_saved_and_shown_escaped(self, trainer_client, cast, booking):
        response = trainer_client.post(SESSIONS, {
            "action": "notes", "booking_id": booking.id,
            "shared_notes": "**Plan** <script>alert(1)</script>", "private_notes": "Keep an eye on <b>pace</b>",
        })
        assert response.status_code == 302
        page = trainer_client.get(SESSIONS).content.decode()
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "Keep an eye on &lt;b&gt;pace&lt;/b&gt;" in page
        record = api.get_session_record(booking.id, cast["trainer"])
        assert record.private_notes == "Keep an eye on <b>pace</b>"

    def test_another_trainers_booking_is_refused(self, client, cast, booking):
        client.force_login(cast["other"])
        client.post(SESSIONS, {"action": "notes", "booking_id": booking.id, "shared_notes": "x"})
        assert api.get_session_record(booking.id, cast["trainer"]).shared_notes == ""

    def test_history_ratings_and_mentees(self, trainer_client, cast, booking):
        api.update_notes(booking.id, cast["trainer"], private_notes="Private remark")
        Session.objects.update(start=timezone.now() - timedelta(hours=2), end=timezone.now() - timedelta(hours=1))
        api.complete_booking(booking.id, cast["trainer"])
        api.rate_booking(booking.id, cast["learner"], 4, "Clear & <useful>")
        api.choose_mentor(cast["learner"], COURSE, cast["trainer"])
        page = trainer_client.get(SESSIONS + f"?learner={cast['learner'].pk}").content.decode()
        assert f'data-history-id="{booking.id}"' in page
        assert "4 out of 5" in page and "Clear &amp; &lt;useful&gt;" in page
        assert "Private remark" in page
        # 3: the first level's max_active_mentees (a trainer made by course staff).
        assert "Your mentees" in page and "Lea Rner" in page and "of at most 3" in page
