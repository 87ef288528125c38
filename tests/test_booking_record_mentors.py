"""The session record (shared and private notes, ratings, history) and the mentor relationship, API and REST."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from mentora_plugin.booking import api, signals, tasks
from mentora_plugin.booking.data import WeeklyRule
from mentora_plugin.booking.models import Booking, Mentorship, SessionRating
from mentora_plugin.host import api as host_api
from mentora_plugin.host.data import CourseRoleRecord
from tests.conftest import COURSE, OTHER_COURSE, at

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
V1 = "/api/mentora/v1/"
SECRET = "Struggles with recursion; maybe anxious"


@pytest.fixture(autouse=True)
def _fresh_throttles(settings):
    settings.MENTORA_API_THROTTLE_RATES = {"user": "10000/minute", "anon": "1000/minute", "write": "10000/minute"}
    cache.clear()
    yield
    cache.clear()


def next_monday(weeks: int = 1) -> date:
    today = timezone.now().astimezone(PARIS).date()
    return today + timedelta(days=(0 - today.weekday()) % 7 + 7 * weeks)


def paris(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=PARIS)


@pytest.fixture
def cast(make_user):
    people = {name: make_user(name) for name in ("trainer", "coach", "ann", "bob", "staff", "outsider")}
    host_api.record_course(COURSE, at(0), title="Mentoring 101")
    host_api.record_course(OTHER_COURSE, at(0), title="Other")
    for name in ("ann", "bob"):
        host_api.record_enrollment(people[name].pk, COURSE, "audit", True, at(0))
        host_api.record_enrollment(people[name].pk, OTHER_COURSE, "audit", True, at(0))
    host_api.record_course_role(CourseRoleRecord(people["staff"].pk, COURSE.org, COURSE, "staff"), at(0))
    for name in ("trainer", "coach"):
        host_api.grant_trainer_role(COURSE, people[name], granted_by=None)
    host_api.grant_trainer_role(OTHER_COURSE, people["trainer"], granted_by=None)
    api.set_calendar(people["trainer"], time_zone="Europe/Paris")
    api.set_weekly_rules(people["trainer"], [WeeklyRule(0, time(9), time(17))])
    return people


@pytest.fixture
def booking(cast):
    session_type = api.create_session_type(
        cast["trainer"], COURSE, title="Review", duration_minutes=60, window_days=60
    )
    return api.book(cast["ann"], session_type.id, paris(next_monday(), 9), goal="Pass the project")


def complete(booking_id: int, trainer) -> None:
    Booking.objects.get(pk=booking_id).session.__class__.objects.update(
        start=timezone.now() - timedelta(hours=2), end=timezone.now() - timedelta(hours=1)
    )
    api.complete_booking(booking_id, trainer)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


class TestNotes:
    def test_shared_and_private_notes_and_who_sees_them(self, cast, booking):
        api.update_notes(booking.id, cast["ann"], shared_notes="# My plan\n<script>x</script>")
        record = api.update_notes(booking.id, cast["trainer"], private_notes=SECRET)
        assert record.private_notes == SECRET and record.shared_notes.startswith("# My plan")
        assert api.get_session_record(booking.id, cast["staff"]).private_notes == SECRET
        mine = api.get_session_record(booking.id, cast["ann"])
        assert mine.private_notes is None and mine.goal == "Pass the project"
        assert SECRET not in repr(api.get_booking(booking.id, cast["ann"]))
        assert SECRET not in repr(api.list_bookings(cast["ann"]))

    def test_refusals(self, cast, booking):
        with pytest.raises(api.BookingError) as error:
            api.update_notes(booking.id, cast["ann"], private_notes="mine")
        assert error.value.code == "permission_denied"
        with pytest.raises(api.BookingError) as error:
            api.update_notes(booking.id, cast["trainer"], shared_notes="x" * (api.NOTES_MAX_LENGTH + 1))
        assert error.value.code == "notes_too_long"
        for who in ("bob", "outsider"):
            with pytest.raises(api.BookingError) as error:
                api.update_notes(booking.id, cast[who], shared_notes="hi")
            assert (error.value.code, error.value.status) == ("booking_not_found", 404)
        assert Booking.objects.get(pk=booking.id).shared_notes == ""

    def test_private_notes_never_in_the_learners_emails(self, cast, booking):
        api.update_notes(booking.id, cast["trainer"], private_notes=SECRET, shared_notes="shared")
        mail.outbox.clear()
        for kind in (tasks.CONFIRMATION, tasks.CANCELLATION):
            new_status = "confirmed" if kind == tasks.CONFIRMATION else "cancelled"
            Booking.objects.filter(pk=booking.id).update(status=new_status)
            tasks.send_booking_notification.delay(booking.id, kind)
        assert mail.outbox
        for message in mail.outbox:
            assert SECRET not in message.body
            assert all(SECRET not in str(content) for content, _mimetype in message.alternatives)


class TestRating:
    def test_rate_once_edit_for_seven_days(self, cast, booking, django_capture_on_commit_callbacks):
        with pytest.raises(api.BookingError) as error:
            api.rate_booking(booking.id, cast["ann"], 5)
        assert (error.value.code, error.value.status) == ("not_completed", 409)
        complete(booking.id, cast["trainer"])
        seen = []

        def receive(sender=None, rating=None, **kwargs):
            seen.append(rating)

        signals.BOOKING_RATED.connect(receive, weak=False)
        try:
            with django_capture_on_commit_callbacks(execute=True):
                rating = api.rate_booking(booking.id, cast["ann"], 4, "Helpful")
                api.rate_booking(booking.id, cast["ann"], 5, "Very helpful")
        finally:
            signals.BOOKING_RATED.disconnect(receive)
        assert rating.stars == 4 and SessionRating.objects.get().stars == 5
        assert [(r.booking_id, r.trainer_id, r.learner_id, r.course_key, r.stars) for r in seen] == [
            (booking.id, cast["trainer"].pk, cast["ann"].pk, COURSE, 4),
            (booking.id, cast["trainer"].pk, cast["ann"].pk, COURSE, 5),
        ]
        assert api.get_booking(booking.id, cast["trainer"]).rating_stars == 5
        SessionRating.objects.update(created=timezone.now() - timedelta(days=8))
        with pytest.raises(api.BookingError) as error:
            api.rate_booking(booking.id, cast["ann"], 1)
        assert error.value.code == "rating_locked"
        assert SessionRating.objects.get().stars == 5

    @pytest.mark.parametrize("stars", [0, 6, -1, True, "5", None])
    def test_stars_out_of_range(self, cast, booking, stars):
        complete(booking.id, cast["trainer"])
        with pytest.raises(api.BookingError) as error:
            api.rate_booking(booking.id, cast["ann"], stars)
        assert error.value.code == "invalid_stars"
        assert not SessionRating.objects.exists()

    def test_only_the_learner_rates(self, cast, booking):
        complete(booking.id, cast["trainer"])
        with pytest.raises(api.BookingError) as error:
            api.rate_booking(booking.id, cast["trainer"], 5)
        assert error.value.code == "permission_denied"
        with pytest.raises(api.BookingError) as error:
            api.rate_booking(booking.id, cast["bob"], 5)
        assert error.value.code == "booking_not_found"
        with pytest.raises(api.BookingError) as error:
            api.rate_booking(booking.id, cast["ann"], 5, "x" * 2001)
        assert error.value.code == "comment_too_long"


class TestHistory:
    def test_every_booking_between_two_people_newest_first(self, cast, booking):
        later = api.book(cast["ann"], booking.session_type_id, paris(next_monday(2), 9))
        api.book(cast["bob"], booking.session_type_id, paris(next_monday(), 11))
        assert [b.id for b in api.session_history(cast["ann"], cast["trainer"])] == [later.id, booking.id]
        response = client_for(cast["trainer"]).get(V1 + f"bookings/history/?learner_id={cast['ann'].pk}")
        assert [b["id"] for b in response.json()["results"]] == [later.id, booking.id]
        response = client_for(cast["ann"]).get(V1 + f"bookings/history/?trainer_id={cast['trainer'].pk}")
        assert [b["id"] for b in response.json()["results"]] == [later.id, booking.id]
        assert client_for(cast["ann"]).get(V1 + "bookings/history/").status_code == 400
        assert client_for(cast["ann"]).get(V1 + "bookings/history/?trainer_id=x").status_code == 400


class TestRecordREST:
    def test_notes_rating_and_privacy(self, cast, booking):
        url = V1 + f"bookings/{booking.id}/record/"
        trainer = client_for(cast["trainer"])
        response = trainer.patch(url, {"private_notes": SECRET, "shared_notes": "ok"}, format="json")
        assert response.status_code == 200 and response.json()["private_notes"] == SECRET
        learner = client_for(cast["ann"])
        record = learner.get(url).json()
        assert "private_notes" not in record and record["shared_notes"] == "ok"
        for path in (f"bookings/{booking.id}/", "bookings/", f"bookings/{booking.id}/record/"):
            assert SECRET not in learner.get(V1 + path).content.decode()
        response = learner.patch(url, {"private_notes": "x"}, format="json")
        assert (response.status_code, response.json()["error_code"]) == (403, "permission_denied")
        response = learner.patch(url, {"shared_notes": "x" * 20001}, format="json")
        assert (response.status_code, response.json()["error_code"]) == (400, "notes_too_long")
        assert client_for(cast["bob"]).get(url).status_code == 404
        assert client_for(cast["bob"]).patch(url, {"shared_notes": "x"}, format="json").status_code == 404

    def test_rating(self, cast, booking):
        url = V1 + f"bookings/{booking.id}/rating/"
        learner = client_for(cast["ann"])
        response = learner.put(url, {"stars": 5}, format="json")
        assert (response.status_code, response.json()["error_code"]) == (409, "not_completed")
        complete(booking.id, cast["trainer"])
        response = learner.put(url, {"stars": 9}, format="json")
        assert (response.status_code, response.json()["error_code"]) == (400, "invalid_stars")
        response = learner.put(url, {"stars": "many"}, format="json")
        assert response.status_code == 400
        response = learner.put(url, {"stars": 4, "comment": "Good"}, format="json")
        assert response.status_code == 200 and response.json()["stars"] == 4
        assert client_for(cast["bob"]).put(url, {"stars": 1}, format="json").status_code == 404
        assert learner.get(V1 + f"bookings/{booking.id}/record/").json()["rating"]["comment"] == "Good"


class TestMentors:
    def test_choose_switch_and_end(self, cast):
        first = api.choose_mentor(cast["ann"], COURSE, cast["trainer"])
        assert first.is_active and first.assigned_by_id is None
        assert api.choose_mentor(cast["ann"], COURSE, cast["trainer"]).id == first.id  # the same, once
        switched = api.choose_mentor(cast["ann"], COURSE, cast["coach"])
        assert api.get_mentor(cast["ann"], COURSE).trainer_id == cast["coach"].pk
        assert Mentorship.objects.get(pk=first.id).ended_at is not None
        assert api.list_mentees(cast["trainer"]) == []
        assert [m.learner_id for m in api.list_mentees(cast["coach"])] == [cast["ann"].pk]
        api.end_mentorship(switched.id, cast["ann"])
        assert api.get_mentor(cast["ann"], COURSE) is None
        with pytest.raises(api.BookingError) as error:
            api.end_mentorship(switched.id, cast["ann"])
        assert error.value.code == "invalid_state"

    def test_the_cap_counts_across_courses_through_one_hook(self, cast, settings):
        # The trainer was made by course staff: the first level's capabilities apply.
        settings.MENTORA_TRAINER_CAPABILITIES = {"beginner": {"max_active_mentees": 2}}
        assert api.mentee_cap(cast["trainer"]) == 2
        api.choose_mentor(cast["ann"], COURSE, cast["trainer"])
        api.choose_mentor(cast["ann"], OTHER_COURSE, cast["trainer"])
        with pytest.raises(api.BookingError) as error:
            api.choose_mentor(cast["bob"], COURSE, cast["trainer"])
        assert (error.value.code, error.value.status) == ("mentee_cap_reached", 409)
        with pytest.raises(api.BookingError) as error:
            api.assign_mentor(cast["staff"], COURSE, cast["bob"], cast["trainer"])
        assert error.value.code == "mentee_cap_reached"
        options = {o.trainer_id: o for o in api.list_mentor_options(COURSE)}
        assert (options[cast["trainer"].pk].has_room, options[cast["coach"].pk].has_room) == (False, True)

    @pytest.mark.parametrize(
        "learner, trainer, code",
        [("outsider", "trainer", "not_enrolled"), ("ann", "bob", "not_a_trainer"), ("ann", "staff", "not_a_trainer")],
    )
    def test_only_enrolled_learners_and_the_courses_trainers(self, cast, learner, trainer, code):
        with pytest.raises(api.BookingError) as error:
            api.choose_mentor(cast[learner], COURSE, cast[trainer])
        assert error.value.code == code
        assert not Mentorship.objects.exists()

    def test_staff_assign_and_end(self, cast):
        with pytest.raises(api.BookingError) as error:
            api.assign_mentor(cast["ann"], COURSE, cast["bob"], cast["trainer"])
        assert error.value.code == "permission_denied"
        assigned = api.assign_mentor(cast["staff"], COURSE, cast["bob"], cast["trainer"])
        assert assigned.assigned_by_id == cast["staff"].pk
        with pytest.raises(api.BookingError) as error:
            api.end_mentorship(assigned.id, cast["outsider"])
        assert error.value.code == "mentorship_not_found"
        assert api.end_mentorship(assigned.id, cast["staff"]).ended_at is not None

    def test_rest(self, cast):
        url = V1 + f"courses/{COURSE}/mentor/"
        learner = client_for(cast["ann"])
        assert learner.get(url).json() == {"mentor": None}
        options = learner.get(V1 + f"courses/{COURSE}/mentors/").json()
        assert {o["trainer_id"] for o in options} == {cast["trainer"].pk, cast["coach"].pk}
        response = learner.put(url, {"trainer_id": cast["trainer"].pk}, format="json")
        assert response.status_code == 200 and response.json()["mentor"]["trainer_id"] == cast["trainer"].pk
        response = learner.put(url, {"trainer_id": cast["bob"].pk}, format="json")
        assert (response.status_code, response.json()["error_code"]) == (400, "not_a_trainer")
        response = learner.put(url, {"trainer_id": "x"}, format="json")
        assert response.status_code == 400
        mentees = client_for(cast["trainer"]).get(V1 + "me/mentees/").json()["results"]
        assert [m["learner_id"] for m in mentees] == [cast["ann"].pk]
        assert learner.delete(url).status_code == 204
        assert learner.delete(url).status_code == 404
        staff = client_for(cast["staff"])
        response = staff.post(V1 + f"courses/{COURSE}/mentorships/",
                              {"learner_id": cast["bob"].pk, "trainer_id": cast["coach"].pk}, format="json")
        assert response.status_code == 201
        mentorship_id = response.json()["id"]
        assert [m["id"] for m in staff.get(V1 + f"courses/{COURSE}/mentorships/").json()["results"]] == [
            mentorship_id
        ]
        response = learner.post(V1 + f"courses/{COURSE}/mentorships/",
                                {"learner_id": cast["bob"].pk, "trainer_id": cast["coach"].pk}, format="json")
        assert response.status_code == 403
        assert learner.get(V1 + f"courses/{COURSE}/mentorships/").status_code == 403
        assert learner.post(V1 + f"mentorships/{mentorship_id}/end/").status_code == 404
        assert client_for(cast["bob"]).post(V1 + f"mentorships/{mentorship_id}/end/").status_code == 200


class TestWaitlistREST:
    def test_join_accept_leave(self, cast):
        session_type = api.create_session_type(
            cast["trainer"], COURSE, title="Clinic", duration_minutes=60, capacity=2, window_days=60,
            cancellation_cutoff_hours=0,
        )
        start = paris(next_monday(), 9)
        first = api.book(cast["ann"], session_type.id, start)
        api.book(cast["bob"], session_type.id, start)
        host_api.record_enrollment(cast["outsider"].pk, COURSE, "audit", True, at(0))
        outsider = client_for(cast["outsider"])
        monday = next_monday().isoformat()
        full = outsider.get(V1 + f"session-types/{session_type.id}/full-sessions/?start={monday}&end={monday}")
        assert [s["session_id"] for s in full.json()] == [first.session_id]
        response = outsider.post(V1 + f"sessions/{first.session_id}/waitlist/")
        assert response.status_code == 201 and response.json()["status"] == "waitlisted"
        waiting_id = response.json()["id"]
        response = outsider.post(V1 + f"sessions/{first.session_id}/waitlist/")
        assert (response.status_code, response.json()["error_code"]) == (409, "already_waiting")
        assert client_for(cast["ann"]).post(V1 + f"bookings/{waiting_id}/accept/").status_code == 404
        response = outsider.post(V1 + f"bookings/{waiting_id}/accept/")
        assert (response.status_code, response.json()["error_code"]) == (409, "invalid_state")
        api.cancel_booking(first.id, cast["ann"])
        response = outsider.post(V1 + f"bookings/{waiting_id}/accept/")
        assert response.status_code == 200 and response.json()["status"] == "confirmed"
        response = outsider.post(V1 + f"bookings/{waiting_id}/leave-waitlist/")
        assert response.status_code == 409

    def test_schema_documents_the_new_endpoints(self, client, capsys):
        paths = client.get("/api/mentora/v1/schema/?format=json").json()["paths"]
        assert "Warning" not in capsys.readouterr().err
        for path in (
            "sessions/{session_id}/waitlist/",
            "bookings/{booking_id}/accept/",
            "bookings/{booking_id}/leave-waitlist/",
            "bookings/{booking_id}/record/",
            "bookings/{booking_id}/rating/",
            "bookings/history/",
            "courses/{course_id}/mentor/",
            "courses/{course_id}/mentors/",
            "courses/{course_id}/mentorships/",
            "mentorships/{mentorship_id}/end/",
            "me/mentees/",
            "session-types/{session_type_id}/full-sessions/",
        ):
            assert "/api/mentora/v1/" + path in paths, path


class TestRetirement:
    def test_retiring_erases_mentorships_notes_and_ratings(self, cast, booking):
        from mentora_plugin.booking.retirement import retire_user

        api.update_notes(booking.id, cast["trainer"], private_notes=SECRET)
        api.choose_mentor(cast["bob"], COURSE, cast["trainer"])
        api.choose_mentor(cast["ann"], COURSE, cast["coach"])
        retire_user(cast["trainer"])
        assert Booking.objects.get(pk=booking.id).private_notes == ""
        assert api.get_mentor(cast["bob"], COURSE) is None
        retire_user(cast["ann"])
        assert not Mentorship.objects.filter(learner=cast["ann"]).exists()
        assert not Booking.objects.filter(learner=cast["ann"]).exists()
