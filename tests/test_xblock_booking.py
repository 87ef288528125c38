"""
The "Mentora booking" block in xblock-sdk's workbench runtime: its view, its JSON handlers (which call the booking
API and keep its codes and messages), who may use it, and Studio editing.
"""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import webob
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey
from workbench.runtime import WorkbenchRuntime
from workbench.runtime_util import reset_global_state
from workbench.scenarios import get_scenarios

from mentora_plugin.booking import api
from mentora_plugin.booking.data import WeeklyRule
from mentora_plugin.booking.models import Booking
from mentora_plugin.host import api as host_api
from mentora_xblocks.booking import BookingXBlock
from tests.conftest import at, soon_in_paris

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
DEMO_COURSE = CourseKey.from_string("course-v1:MentoraDemo+MENT101+2026")
OTHER_COURSE = CourseKey.from_string("course-v1:MentoraDemo+OTHER+2026")
BLOCK_XML = f'<mentora_booking fallback_course_key="{DEMO_COURSE}"/>'
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(scope="module", autouse=True)
def assembled_assets():
    subprocess.run([sys.executable, str(ROOT / "scripts" / "assemble_assets.py")], check=True, cwd=ROOT)


@pytest.fixture(autouse=True)
def workbench_settings(settings):
    if not hasattr(settings, "WORKBENCH"):
        settings.WORKBENCH = {"reset_state_on_restart": False, "services": {}}


@pytest.fixture
def cast(make_user):
    host_api.record_course(DEMO_COURSE, at(0), title="Mentoring in Practice")
    host_api.record_course(OTHER_COURSE, at(0), title="Other")
    people = {
        "learner": make_user("alice", first_name="Alice", last_name="Martin"),
        "peer": make_user("bruno"),
        "trainer": make_user("tariq", first_name="Tariq", last_name="Benali"),
        "outsider": make_user("olga"),
        "staff": make_user("sofia"),
    }
    for name in ("learner", "peer"):
        host_api.record_enrollment(people[name].pk, DEMO_COURSE, "verified", True, at(0))
    host_api.record_enrollment(people["learner"].pk, OTHER_COURSE, "verified", True, at(0))
    host_api.grant_trainer_role(DEMO_COURSE, people["trainer"], granted_by=None)
    host_api.grant_trainer_role(OTHER_COURSE, people["trainer"], granted_by=None)
    api.set_calendar(people["trainer"], time_zone="Europe/Paris")
    api.set_weekly_rules(people["trainer"], [WeeklyRule(day, time(9), time(12)) for day in range(7)])
    people["review"] = api.create_session_type(
        people["trainer"], DEMO_COURSE, title="Project review", duration_minutes=60, slot_interval_minutes=60,
        minimum_notice_minutes=60, window_days=30,
    )
    people["chat"] = api.create_session_type(
        people["trainer"], DEMO_COURSE, title="Career chat", duration_minutes=30, window_days=30,
    )
    people["elsewhere"] = api.create_session_type(
        people["trainer"], OTHER_COURSE, title="Elsewhere", duration_minutes=30, window_days=30,
    )
    return people


def workbench_block(student_id: str, xml: str = BLOCK_XML) -> BookingXBlock:
    runtime = WorkbenchRuntime(student_id)
    runtime.id_generator.set_scenario("mentora-booking-tests")
    return runtime.get_block(runtime.parse_xml_string(xml))


def render(block: BookingXBlock) -> str:
    return block.runtime.render(block, "student_view").body_html()


def call(block: BookingXBlock, handler: str, data=None, raw: bytes | None = None) -> tuple[int, dict]:
    body = raw if raw is not None else json.dumps(data or {}).encode()
    request = webob.Request.blank("/", method="POST", body=body, content_type="application/json")
    response = block.runtime.handle(block, handler, request)
    return response.status_code, json.loads(response.body)


def next_monday(weeks_ahead: int = 1) -> date:
    today = timezone.now().astimezone(PARIS).date()
    return today + timedelta(days=(0 - today.weekday()) % 7 + 7 * weeks_ahead)


def paris(day: date, hour: int) -> str:
    return datetime.combine(day, time(hour), tzinfo=PARIS).isoformat()


class TestView:
    def test_learner_gets_the_form_with_labels_and_a_live_region(self, cast):
        block = workbench_block(str(cast["learner"].pk))
        fragment = block.runtime.render(block, "student_view")
        html = fragment.body_html()
        assert 'data-status="ok"' in html and "Book a mentoring session" in html
        assert 'role="status"' in html and "<label for=" in html
        urls = [resource.data for resource in fragment.resources if resource.kind == "url"]
        assert any(url.endswith("/public/xblocks/booking.js") for url in urls)
        assert any(url.endswith("/public/xblocks/booking.css") for url in urls)
        assert "MentoraBookingXBlock" in html  # the runtime wrapper names the init function
        assert BookingXBlock.open_local_resource("public/xblocks/booking.js").read().startswith(b"/*")

    def test_instructions_are_plain_text(self, cast):
        text = "Bring &lt;b&gt;your code&lt;/b&gt;"
        xml = f'<mentora_booking instructions="{text}" fallback_course_key="{DEMO_COURSE}"/>'
        html = render(workbench_block(str(cast["learner"].pk), xml))
        assert "&lt;b&gt;your code&lt;/b&gt;" in html and "<b>" not in html

    @pytest.mark.parametrize(
        ("who", "status"), [("outsider", "no_access"), ("nobody", "anonymous")]
    )
    def test_who_cannot_book_is_told_why(self, cast, who, status):
        student = "student_1" if who == "nobody" else str(cast[who].pk)
        html = render(workbench_block(student))
        assert f'data-status="{status}"' in html and "mentora-booking__choose" not in html

    def test_unknown_course(self, cast):
        xml = '<mentora_booking fallback_course_key="course-v1:No+Such+Course"/>'
        assert 'data-status="unknown_course"' in render(workbench_block(str(cast["learner"].pk), xml))


class TestHandlers:
    def test_state_lists_the_courses_session_types_and_texts(self, cast):
        status, body = call(workbench_block(str(cast["learner"].pk)), "state")
        assert status == 200 and body["status"] == "ok"
        assert [item["title"] for item in body["session_types"]] == ["Career chat", "Project review"]
        assert body["session_types"][1]["label"] == "Project review with Tariq Benali (60 min)"
        assert body["strings"]["book"] == "Book this time"
        assert body["upcoming"] == [] and body["past"] == []
        assert body["language"] == "en"

    def test_state_says_the_viewers_language_for_dates(self, cast):
        """The script formats dates with it, even on a page whose <html> declares no language (the workbench)."""
        from django.utils import translation

        with translation.override("fr"):
            _, body = call(workbench_block(str(cast["learner"].pk)), "state")
        assert body["language"] == "fr"
        assert body["strings"]["book"] != "Book this time"

    def test_author_narrows_the_offer_and_other_courses_types_never_show(self, cast):
        ids = f"{cast['review'].id}, {cast['elsewhere'].id}"
        xml = f'<mentora_booking session_type_ids="{ids}" fallback_course_key="{DEMO_COURSE}"/>'
        block = workbench_block(str(cast["learner"].pk), xml)
        _, body = call(block, "state")
        assert [item["id"] for item in body["session_types"]] == [cast["review"].id]
        status, refused = call(block, "slots", {"session_type_id": cast["chat"].id, "tz": "UTC"})
        assert (status, refused["error_code"]) == (404, "session_type_not_found")

    def test_slots_in_the_viewers_zone(self, cast):
        status, body = call(
            workbench_block(str(cast["learner"].pk)), "slots",
            {"session_type_id": cast["review"].id, "tz": "America/New_York"},
        )
        assert status == 200 and body["tz"] == "America/New_York"
        assert len(body["slots"]) >= 10
        assert all(slot["start"][-6:] in ("-05:00", "-04:00") for slot in body["slots"])

    @pytest.mark.parametrize("tz", ["Mars/Olympus", "../etc", 42])
    def test_unknown_zone_is_refused(self, cast, tz):
        status, body = call(workbench_block(str(cast["learner"].pk)), "slots",
                            {"session_type_id": cast["review"].id, "tz": tz})
        assert (status, body["error_code"]) == (400, "invalid_time_zone")

    def test_book_replay_cancel(self, cast):
        block = workbench_block(str(cast["learner"].pk))
        start = paris(next_monday(), 10)
        request = {"session_type_id": cast["review"].id, "start": start, "goal": "Finish my thesis plan",
                   "idempotency_key": "k-1"}
        status, body = call(block, "book", request)
        assert status == 200, body
        assert body["booking"]["status"] == "confirmed" and body["booking"]["status_label"] == "Confirmed"
        assert [item["id"] for item in body["upcoming"]] == [body["booking"]["id"]]
        assert body["upcoming"][0]["goal"] == "Finish my thesis plan" and body["upcoming"][0]["can_change"]
        _, again = call(block, "book", request)
        assert again["booking"]["id"] == body["booking"]["id"] and Booking.objects.count() == 1

        status, taken = call(workbench_block(str(cast["peer"].pk)), "book",
                             {"session_type_id": cast["review"].id, "start": start})
        assert (status, taken["error_code"], taken["reason"]) == (409, "slot_unavailable", "overlaps")
        assert taken["message"] == "This time overlaps another session of the trainer."

        status, cancelled = call(block, "cancel", {"booking_id": body["booking"]["id"]})
        assert status == 200 and cancelled["booking"]["status"] == "cancelled"
        assert cancelled["upcoming"] == [] and [item["status"] for item in cancelled["past"]] == ["cancelled"]

    def test_reschedule(self, cast):
        block = workbench_block(str(cast["learner"].pk))
        _, body = call(block, "book", {"session_type_id": cast["review"].id, "start": paris(next_monday(), 9)})
        new_start = paris(next_monday() + timedelta(days=1), 11)
        status, moved = call(block, "reschedule", {"booking_id": body["booking"]["id"], "start": new_start})
        assert status == 200, moved
        assert datetime.fromisoformat(moved["booking"]["start"]) == datetime.fromisoformat(new_start)
        status, refused = call(block, "reschedule",
                               {"booking_id": body["booking"]["id"], "start": paris(next_monday(), 20)})
        assert (status, refused["reason"]) == (409, "not_available")

    def test_cancellation_cutoff_message_reaches_the_learner(self, cast):
        start = soon_in_paris()
        api.add_override(cast["trainer"], start.date(), "extra", time(0, 0), time(23, 59))
        block = workbench_block(str(cast["learner"].pk))
        status, body = call(block, "book", {"session_type_id": cast["review"].id, "start": start.isoformat()})
        assert status == 200, body
        status, refused = call(block, "cancel", {"booking_id": body["booking"]["id"]})
        assert (status, refused["error_code"]) == (409, "cutoff_passed")
        assert "24 hours before the session" in refused["message"]

    def test_someone_elses_booking_is_not_found(self, cast):
        _, body = call(workbench_block(str(cast["learner"].pk)), "book",
                       {"session_type_id": cast["review"].id, "start": paris(next_monday(), 9)})
        peer = workbench_block(str(cast["peer"].pk))
        for handler, extra in (("cancel", {}), ("reschedule", {"start": paris(next_monday(), 11)})):
            status, refused = call(peer, handler, {"booking_id": body["booking"]["id"], **extra})
            assert (status, refused["error_code"]) == (404, "booking_not_found")
        trainer = workbench_block(str(cast["trainer"].pk))  # the trainer sees it, but not as their booking here
        status, _ = call(trainer, "cancel", {"booking_id": body["booking"]["id"]})
        assert status == 404
        assert Booking.objects.get().status == "confirmed"

    @pytest.mark.parametrize(
        ("handler", "data"),
        [
            ("book", {"session_type_id": "x", "start": "2026-01-01T09:00:00+01:00"}),
            ("book", {"session_type_id": 1, "start": "tomorrow"}),
            ("book", {"session_type_id": 1, "start": "2026-03-30T09:00:00"}),
            ("cancel", {"booking_id": "1"}),
            ("reschedule", {"booking_id": True, "start": "2026-03-30T09:00:00Z"}),
        ],
    )
    def test_bad_input_is_4xx_and_books_nothing(self, cast, handler, data):
        if data.get("session_type_id") == 1:
            data = dict(data, session_type_id=cast["review"].id)
        status, body = call(workbench_block(str(cast["learner"].pk)), handler, data)
        assert 400 <= status < 500 and body["error_code"] and body["message"]
        assert Booking.objects.count() == 0

    def test_malformed_json(self, cast):
        status, body = call(workbench_block(str(cast["learner"].pk)), "state", raw=b"{nope")
        assert (status, body["error_code"]) == (400, "malformed_request")

    def test_outsiders_and_anonymous_cannot_book(self, cast):
        request = {"session_type_id": cast["review"].id, "start": paris(next_monday(), 9)}
        status, body = call(workbench_block(str(cast["outsider"].pk)), "book", request)
        assert (status, body["error_code"]) == (403, "no_access")
        status, body = call(workbench_block("student_1"), "book", request)
        assert (status, body["error_code"]) == (401, "anonymous")
        _, state = call(workbench_block("student_1"), "state")
        assert state["status"] == "anonymous" and state["session_types"] == []
        assert Booking.objects.count() == 0


class TestScenarioAndStudio:
    def test_scenario_renders_as_the_signed_in_person(self, cast, client):
        reset_global_state()
        assert "mentora_booking.0" in get_scenarios()
        client.force_login(cast["learner"])
        response = client.get("/workbench/scenario/mentora_booking.0/")
        assert response.status_code == 200
        assert 'data-status="ok"' in response.content.decode()

    def test_studio_fields_and_validation(self, cast):
        block = workbench_block(str(cast["staff"].pk))
        html = block.runtime.render(block, "studio_view").body_html()
        for field in ("display_name", "instructions", "session_type_ids", "fallback_course_key"):
            assert f'for="xb-field-edit-{field}"' in html

        def submit(values):
            body = json.dumps({"values": values, "defaults": []}).encode()
            request = webob.Request.blank("/", method="POST", body=body, content_type="application/json")
            return block.runtime.handle(block, "submit_studio_edits", request).status_code

        assert submit({"session_type_ids": "1, two"}) == 400
        assert submit({"fallback_course_key": "nonsense"}) == 400
        assert submit({"session_type_ids": "3, 4", "instructions": "Prepare questions."}) == 200
        assert block.session_type_ids == "3, 4" and block.instructions == "Prepare questions."


class TestWaitlistRecordAndMentor:
    @pytest.fixture
    def full(self, cast, make_user):
        group = api.create_session_type(
            cast["trainer"], DEMO_COURSE, title="Clinic", duration_minutes=60, capacity=2, window_days=30,
            cancellation_cutoff_hours=0,
        )
        start = datetime.combine(next_monday(), time(11), tzinfo=PARIS)
        seats = [api.book(cast["peer"], group.id, start)]
        third = make_user("carla")
        host_api.record_enrollment(third.pk, DEMO_COURSE, "verified", True, at(0))
        seats.append(api.book(third, group.id, start))
        return group, seats

    def test_join_the_waitlist_accept_the_offer(self, cast, full):
        group, seats = full
        block = workbench_block(str(cast["learner"].pk))
        _, slots = call(block, "slots", {"session_type_id": group.id, "tz": "Europe/Paris"})
        assert [s["session_id"] for s in slots["full_sessions"]] == [seats[0].session_id]
        status, body = call(block, "join_waitlist", {"session_id": seats[0].session_id})
        assert status == 200 and body["booking"]["status"] == "waitlisted"
        assert body["upcoming"][0]["can_leave_waitlist"] and not body["upcoming"][0]["can_accept"]
        status, body = call(block, "join_waitlist", {"session_id": seats[0].session_id})
        assert (status, body["error_code"]) == (409, "already_waiting")
        api.cancel_booking(seats[0].id, cast["peer"])
        _, state = call(block, "state")
        offer = state["upcoming"][0]
        assert offer["status"] == "offered" and offer["can_accept"] and offer["offer_expires_at"]
        assert offer["status_label"] == "A seat is held for you"
        status, body = call(block, "accept_offer", {"booking_id": offer["id"]})
        assert status == 200 and body["booking"]["status"] == "confirmed"
        status, body = call(workbench_block(str(cast["peer"].pk)), "accept_offer", {"booking_id": offer["id"]})
        assert (status, body["error_code"]) == (404, "booking_not_found")

    def test_a_session_of_another_course_cannot_be_joined_here(self, cast):
        other = api.create_session_type(cast["trainer"], OTHER_COURSE, title="Away", duration_minutes=30,
                                        capacity=2, window_days=30)
        start = datetime.combine(next_monday(), time(9), tzinfo=PARIS)
        booking = api.book(cast["learner"], other.id, start)
        status, body = call(workbench_block(str(cast["peer"].pk)), "join_waitlist",
                            {"session_id": booking.session_id})
        assert (status, body["error_code"]) == (404, "session_not_found")

    def test_notes_and_rating_without_the_private_notes(self, cast):
        block = workbench_block(str(cast["learner"].pk))
        booking = api.book(cast["learner"], cast["review"].id,
                           datetime.combine(next_monday(), time(10), tzinfo=PARIS))
        api.update_notes(booking.id, cast["trainer"], private_notes="TRAINER-ONLY remark")
        status, body = call(block, "save_notes", {"booking_id": booking.id, "shared_notes": "<b>My</b> notes"})
        assert status == 200 and body["upcoming"][0]["shared_notes"] == "<b>My</b> notes"
        status, body = call(block, "save_notes", {"booking_id": booking.id, "shared_notes": "x" * 20001})
        assert (status, body["error_code"]) == (400, "notes_too_long")
        status, body = call(block, "rate", {"booking_id": booking.id, "stars": 5})
        assert (status, body["error_code"]) == (409, "not_completed")
        from mentora_plugin.booking.models import Session

        Session.objects.update(start=timezone.now() - timedelta(hours=2), end=timezone.now() - timedelta(hours=1))
        api.complete_booking(booking.id, cast["trainer"])
        status, body = call(block, "rate", {"booking_id": booking.id, "stars": 7})
        assert (status, body["error_code"]) == (400, "invalid_stars")
        status, body = call(block, "rate", {"booking_id": booking.id, "stars": 4, "comment": "Useful"})
        assert status == 200 and body["past"][0]["rating_stars"] == 4
        _, state = call(block, "state")
        assert "TRAINER-ONLY" not in json.dumps(state)
        assert "TRAINER-ONLY" not in render(block)
        status, body = call(workbench_block(str(cast["peer"].pk)), "save_notes",
                            {"booking_id": booking.id, "shared_notes": "intrusion"})
        assert (status, body["error_code"]) == (404, "booking_not_found")

    def test_choose_a_mentor(self, cast, settings):
        block = workbench_block(str(cast["learner"].pk))
        _, state = call(block, "state")
        assert state["mentor"] is None and state["can_choose_mentor"]
        assert [o["trainer_id"] for o in state["mentor_options"]] == [cast["trainer"].pk]
        status, body = call(block, "choose_mentor", {"trainer_id": cast["trainer"].pk})
        assert status == 200 and body["mentor"]["name"] == "Tariq Benali"
        settings.MENTORA_TRAINER_CAPABILITIES = {"beginner": {"max_active_mentees": 1}}  # the first level's cap
        status, body = call(workbench_block(str(cast["peer"].pk)), "choose_mentor", {"trainer_id": cast["trainer"].pk})
        assert (status, body["error_code"]) == (409, "mentee_cap_reached")
        _, state = call(workbench_block(str(cast["peer"].pk)), "state")
        assert state["mentor_options"][0]["has_room"] is False
        status, body = call(block, "choose_mentor", {"trainer_id": "x"})
        assert status == 404
