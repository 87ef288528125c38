"""
The calendar feed: a secret, revocable per-user URL of upcoming sessions that calendar apps subscribe to.

Sessions and bookings are made directly with the models (these tests are about the feed, not about how bookings are
made).
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from mentora_plugin.booking import feed
from mentora_plugin.booking.models import Booking, CalendarFeed, Session, SessionType, TrainerCalendar
from mentora_plugin.host import api as host_api
from tests.conftest import COURSE, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    host_api.record_course(COURSE, at(0), title="Mentoring 101")
    return {
        name: make_user(name, first_name=name.title(), last_name="Example")
        for name in ("trainer", "other_trainer", "ann", "bob")
    }


def session_type_of(trainer, **fields) -> SessionType:
    calendar, _ = TrainerCalendar.objects.get_or_create(trainer=trainer, defaults={"time_zone": "Europe/Paris"})
    fields = {"title": "Project review", "location": SessionType.Location.IN_PERSON,
              "location_detail": "Room 4, 1 rue de Rivoli, Paris", **fields}
    return SessionType.objects.create(calendar=calendar, course_key=COURSE, duration_minutes=60, **fields)


def make_session(session_type, days: float, *, capacity=1, status=Session.Status.SCHEDULED) -> Session:
    start = (timezone.now() + timedelta(days=days)).replace(microsecond=0)
    end = start + timedelta(minutes=session_type.duration_minutes)
    return Session.objects.create(
        calendar=session_type.calendar, session_type=session_type, course_key=COURSE, start=start, end=end,
        blocked_start=start, blocked_end=end, capacity=capacity, status=status,
    )


def book(session, learner, status=Booking.Status.CONFIRMED) -> Booking:
    return Booking.objects.create(session=session, learner=learner, status=status)


def fetch(client, url: str):
    return client.get(url.replace("http://testserver", ""))


def events_of(response) -> dict[str, object]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    assert calendar.get("METHOD") is None  # a published feed, not an invitation
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def sessions(people):
    review = session_type_of(people["trainer"])
    group = session_type_of(people["trainer"], title="Group clinic", capacity=5)
    elsewhere = session_type_of(people["other_trainer"], title="Other trainer's review")
    made = {
        "ann_confirmed": make_session(review, 2),
        "ann_requested": make_session(review, 3),
        "ann_cancelled": make_session(review, 4),
        "ann_past": make_session(review, -2),
        "group": make_session(group, 5, capacity=5),
        "bob_only": make_session(review, 6),
        "session_cancelled": make_session(review, 7, status=Session.Status.CANCELLED),
        "ann_elsewhere": make_session(elsewhere, 8),
    }
    book(made["ann_confirmed"], people["ann"])
    book(made["ann_requested"], people["ann"], Booking.Status.REQUESTED)
    book(made["ann_cancelled"], people["ann"], Booking.Status.CANCELLED)
    book(made["ann_past"], people["ann"])
    book(made["group"], people["ann"])
    book(made["group"], people["bob"])
    book(made["bob_only"], people["bob"])
    book(made["session_cancelled"], people["ann"], Booking.Status.CANCELLED)
    book(made["ann_elsewhere"], people["ann"])
    return made


def uid(session) -> str:
    return f"{session.uid}@mentora"


def test_a_learner_feed_lists_only_their_upcoming_sessions(client, people, sessions):
    url = feed.get_or_create_feed_url(people["ann"])

    response = fetch(client, url)
    events = events_of(response)

    expected = ["ann_confirmed", "ann_requested", "group", "ann_elsewhere"]
    assert set(events) == {uid(sessions[name]) for name in expected}
    confirmed = events[uid(sessions["ann_confirmed"])]
    assert str(confirmed["STATUS"]) == "CONFIRMED"
    assert confirmed["SEQUENCE"] == 0
    assert str(confirmed["SUMMARY"]) == "Project review with Trainer Example"
    assert str(confirmed["LOCATION"]) == "Room 4, 1 rue de Rivoli, Paris"
    assert "URL" not in confirmed  # an address, not a link
    assert confirmed.decoded("DTSTART") == sessions["ann_confirmed"].start
    assert str(events[uid(sessions["ann_requested"])]["STATUS"]) == "TENTATIVE"
    # In the group session Ann sees herself, not the other learners.
    group = events[uid(sessions["group"])]
    attendees = group["ATTENDEE"] if isinstance(group["ATTENDEE"], list) else [group["ATTENDEE"]]
    assert [str(attendee) for attendee in attendees] == ["mailto:ann@example.com"]
    assert str(group["ORGANIZER"]) == "mailto:trainer@example.com"
    assert response["Cache-Control"] == "private, max-age=300"


def test_a_trainer_feed_lists_the_sessions_they_train(client, people, sessions):
    events = events_of(fetch(client, feed.get_or_create_feed_url(people["trainer"])))

    expected = ["ann_confirmed", "ann_requested", "group", "bob_only"]
    assert set(events) == {uid(sessions[name]) for name in expected}
    group = events[uid(sessions["group"])]
    attendees = sorted(str(attendee) for attendee in group["ATTENDEE"])
    assert attendees == ["mailto:ann@example.com", "mailto:bob@example.com"]
    assert str(group["SUMMARY"]) == "Group clinic, 2 learners"
    assert str(events[uid(sessions["bob_only"])]["SUMMARY"]) == "Project review with Bob Example"


def test_the_url_is_stable_and_absolute_with_a_request(client, people, rf):
    first = feed.get_or_create_feed_url(people["ann"])
    assert first == feed.get_or_create_feed_url(people["ann"].pk)
    assert first.startswith("/mentora/calendar/") and first.endswith(".ics")
    assert feed.get_or_create_feed_url(people["ann"], rf.get("/")) == f"http://testserver{first}"
    assert CalendarFeed.objects.count() == 1
    token = CalendarFeed.objects.get().token
    assert len(token) >= 43  # 256 random bits
    assert token != feed.get_or_create_feed_url(people["bob"]).split("/")[-1][:-4]


def test_unknown_tokens_and_other_methods_are_refused(client, people, sessions):
    url = feed.get_or_create_feed_url(people["ann"])
    assert client.get("/mentora/calendar/not-a-token.ics").status_code == 404
    assert client.get(f"/mentora/calendar/{'x' * 200}.ics").status_code == 404
    assert client.post(url).status_code == 405
    assert client.head(url).status_code == 200


def test_revoking_makes_the_old_url_404_and_a_new_one_work(client, people, sessions):
    old = feed.get_or_create_feed_url(people["ann"])
    assert fetch(client, old).status_code == 200

    assert feed.revoke_feed(people["ann"]) is True
    assert feed.revoke_feed(people["ann"]) is False  # nothing live left to revoke
    assert fetch(client, old).status_code == 404

    new = feed.get_or_create_feed_url(people["ann"])
    assert new != old
    assert fetch(client, old).status_code == 404
    assert uid(sessions["ann_confirmed"]) in events_of(fetch(client, new))


def test_a_deactivated_or_retired_users_feed_is_gone(client, people, sessions):
    url = feed.get_or_create_feed_url(people["ann"])
    people["ann"].is_active = False
    people["ann"].save()
    assert fetch(client, url).status_code == 404
    feed.delete_feed(people["ann"])
    assert not CalendarFeed.objects.exists()


def test_the_feed_costs_the_same_queries_for_many_sessions(client, people):
    review = session_type_of(people["trainer"])
    url = feed.get_or_create_feed_url(people["trainer"])
    book(make_session(review, 1), people["ann"])
    with CaptureQueriesContext(connection) as few:
        assert len(events_of(fetch(client, url))) == 1
    for day in range(2, 12):
        book(make_session(review, day), people["ann" if day % 2 else "bob"])
    with CaptureQueriesContext(connection) as many:
        assert len(events_of(fetch(client, url))) == 11
    assert len(many) == len(few)


def test_the_calendar_page_shows_the_link_and_replaces_it(client, django_user_model):
    """The page people use to subscribe: the link works until replaced, then only the new one does."""
    person = django_user_model.objects.create(username="subscriber")
    client.force_login(person)
    page = client.get("/mentora/booking/calendar/").content.decode()
    old = page.split('value="')[1].split('"')[0]
    assert old.startswith("http://testserver/mentora/calendar/") and old.endswith(".ics")
    assert client.get(old.removeprefix("http://testserver")).status_code == 200
    assert client.post("/mentora/booking/calendar/").status_code == 302
    new = client.get("/mentora/booking/calendar/").content.decode().split('value="')[1].split('"')[0]
    assert new != old
    assert client.get(old.removeprefix("http://testserver")).status_code == 404
    assert client.get(new.removeprefix("http://testserver")).status_code == 200
