"""
Ratings of trainers: booking's ratings arriving through ``BOOKING_RATED``, rating other interactions (only a real
one, once), the trainer's answers, moderation, the totals that search sorts by (Bayesian: many 4.8s beat three
5s), what learners and moderators see, and the REST API and page forms over them.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from mentora_plugin.booking.signals import BOOKING_RATED, RatingEventData
from mentora_plugin.trainers import activity, levels, profiles, ratings
from mentora_plugin.trainers.common import TrainersError, bayesian_average, rating_prior
from mentora_plugin.trainers.models import TrainerActivity, TrainerProfile, TrainerRating
from tests.conftest import COURSE

pytestmark = pytest.mark.django_db

V1 = "/api/mentora/v1/trainers/"


@pytest.fixture(autouse=True)
def _throttles(settings):
    settings.MENTORA_API_THROTTLE_RATES = {"user": "10000/minute", "anon": "1000/minute", "write": "10000/minute"}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cast(make_user):
    people = {
        "trainer": make_user("tara", first_name="Tara", last_name="Iner"),
        "other_trainer": make_user("otto", first_name="Otto"),
        "learner": make_user("lea", first_name="Lea", last_name="Rner"),
        "peer": make_user("pete", first_name="Pete"),
        "staff": make_user("staff", is_staff=True),
    }
    for name in ("trainer", "other_trainer"):
        profiles.update_profile(people[name], headline=f"{name} headline")
        levels.start_first_level(people[name])
    return people


_sources = iter(range(1, 1_000_000))


def interaction(trainer, learner, kind="review", outcome="delivered", days_ago=1) -> TrainerActivity:
    return activity.record_activity(kind, f"src-{next(_sources)}", trainer, learner, COURSE,
                                    timezone.now() - timedelta(days=days_ago), outcome)


def send_rating(booking_id, trainer, learner, stars, comment=""):
    BOOKING_RATED.send_event(rating=RatingEventData(
        booking_id=booking_id, trainer_id=trainer.pk, learner_id=learner.pk, course_key=COURSE, stars=stars,
        comment=comment,
    ))


def totals(user) -> tuple[int, int, float]:
    profile = TrainerProfile.objects.get(user=user)
    return profile.rating_count, profile.rating_sum, profile.rating_score


def error_of(call, *args, **kwargs) -> tuple[str, int]:
    with pytest.raises(TrainersError) as raised:
        call(*args, **kwargs)
    return raised.value.code, raised.value.status


def api_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- sessions, rated in booking -------------------------------------------------------------------------------------


class TestSessionRatings:
    def test_the_event_records_the_rating_and_the_latest_stars_win(self, cast):
        trainer, learner = cast["trainer"], cast["learner"]
        activity.record_activity("session", 41, trainer, learner, COURSE, timezone.now(), "delivered")
        send_rating(41, trainer, learner, 3, "Good")
        rating = TrainerRating.objects.get()
        assert (rating.stars, rating.comment, rating.learner_id) == (3, "Good", learner.pk)
        assert rating.activity.source_id == "41" and rating.activity.kind == "session"
        assert totals(trainer) == (1, 3, pytest.approx(bayesian_average(3, 1, *rating_prior())))

        send_rating(41, trainer, learner, 5, "Great after all")
        send_rating(41, trainer, learner, 5, "Great after all")  # delivered twice: no change
        rating.refresh_from_db()
        assert (rating.stars, rating.comment) == (5, "Great after all")
        assert TrainerRating.objects.count() == 1 and totals(trainer)[:2] == (1, 5)

    def test_a_rating_before_its_completion_records_the_session(self, cast):
        trainer, learner = cast["trainer"], cast["learner"]
        send_rating(77, trainer, learner, 4)
        session = TrainerActivity.objects.get(kind="session", source_id="77")
        assert (session.trainer_id, session.learner_id, session.outcome) == (trainer.pk, learner.pk, "delivered")
        assert TrainerRating.objects.get().activity_id == session.pk
        # The completion event arrives later and corrects the time; the rating stays.
        later = timezone.now() + timedelta(hours=1)
        activity.record_activity("session", 77, trainer, learner, COURSE, later, "delivered")
        assert TrainerRating.objects.get().activity.occurred_at == later

    def test_a_hidden_session_rating_stays_hidden_when_changed(self, cast):
        trainer, learner = cast["trainer"], cast["learner"]
        send_rating(5, trainer, learner, 1, "Rude words")
        rating = TrainerRating.objects.get()
        ratings.hide_rating(cast["staff"], rating.pk, "Abusive")
        send_rating(5, trainer, learner, 2, "Still rude")
        rating.refresh_from_db()
        assert rating.is_hidden and rating.stars == 2
        assert totals(trainer) == (0, 0, 0.0)

    def test_sessions_are_not_rated_here(self, cast):
        session = activity.record_activity("session", 9, cast["trainer"], cast["learner"], COURSE, timezone.now())
        code, status = error_of(ratings.rate_trainer, cast["learner"], session.pk, 5)
        assert (code, status) == ("rated_in_booking", 409)
        assert ratings.rateable_activities(cast["learner"]) == []


# --- other interactions ---------------------------------------------------------------------------------------------


class TestRateTrainer:
    def test_rate_once_per_interaction(self, cast):
        trainer, learner = cast["trainer"], cast["learner"]
        first, second = interaction(trainer, learner, days_ago=2), interaction(trainer, learner, kind="answer")
        assert [item.id for item in ratings.rateable_activities(learner)] == [second.pk, first.pk]  # latest first
        rating = ratings.rate_trainer(learner, first.pk, 4, "Clear *and* kind")
        assert (rating.stars, rating.learner_name, rating.activity_kind) == (4, "Lea Rner", "review")
        assert "<em>and</em>" in rating.comment_html
        assert error_of(ratings.rate_trainer, learner, first.pk, 5) == ("already_rated", 409)
        assert [item.id for item in ratings.rateable_activities(learner)] == [second.pk]
        assert [item.id for item in ratings.rateable_activities(learner, trainer=cast["other_trainer"])] == []
        assert totals(trainer)[:2] == (1, 4)

    def test_without_a_real_interaction_it_is_refused(self, cast):
        trainer, learner, peer = cast["trainer"], cast["learner"], cast["peer"]
        someone_elses = interaction(trainer, peer)
        no_show = interaction(trainer, learner, outcome="trainer_no_show")
        learner_absent = interaction(trainer, learner, outcome="learner_no_show")
        for activity_id in (someone_elses.pk, no_show.pk, learner_absent.pk, 999_999, "1", None):
            assert error_of(ratings.rate_trainer, learner, activity_id, 5) == ("activity_not_found", 404)
        assert not TrainerRating.objects.exists()
        assert ratings.rateable_activities(learner) == []

    @pytest.mark.parametrize("stars", [0, 6, "5", True, 4.5, None])
    def test_stars_are_whole_numbers_from_one_to_five(self, cast, stars):
        found = interaction(cast["trainer"], cast["learner"])
        assert error_of(ratings.rate_trainer, cast["learner"], found.pk, stars) == ("invalid_stars", 400)
        assert not TrainerRating.objects.exists()

    def test_comment_length(self, cast):
        found = interaction(cast["trainer"], cast["learner"])
        assert error_of(ratings.rate_trainer, cast["learner"], found.pk, 5, "x" * 2001) == ("comment_too_long", 400)
        assert ratings.rate_trainer(cast["learner"], found.pk, 5, "x" * 2000).comment == "x" * 2000

    def test_an_interaction_outside_any_course(self, cast):
        found = TrainerActivity.objects.create(kind="answer", source_id="forum-1", trainer=cast["trainer"],
                                               learner=cast["learner"], course_key=None, occurred_at=timezone.now())
        rating = ratings.rate_trainer(cast["learner"], found.pk, 4)
        assert rating.course_key is None and TrainerRating.objects.get().course_key is None

    def test_a_learner_who_left_shows_as_a_learner(self, cast):
        found = interaction(cast["trainer"], cast["learner"])
        ratings.rate_trainer(cast["learner"], found.pk, 5)
        cast["learner"].delete()
        assert [item.learner_name for item in ratings.list_ratings(cast["trainer"])] == ["A learner"]


# --- answers and moderation -----------------------------------------------------------------------------------------


class TestAnswersAndModeration:
    @pytest.fixture
    def rating(self, cast):
        return ratings.rate_trainer(cast["learner"], interaction(cast["trainer"], cast["learner"]).pk, 2, "Meh")

    def test_the_trainer_answers_changes_and_removes(self, cast, rating):
        answered = ratings.respond_to_rating(cast["trainer"], rating.id, "Thanks, **noted**.")
        assert answered.response == "Thanks, **noted**." and "<strong>noted</strong>" in answered.response_html
        assert answered.responded_at is not None
        assert ratings.respond_to_rating(cast["trainer"], rating.id, "Changed").response == "Changed"
        removed = ratings.respond_to_rating(cast["trainer"], rating.id, "   ")
        assert removed.response == "" and removed.responded_at is None

    def test_only_the_rated_trainer_answers(self, cast, rating):
        for who in (cast["other_trainer"], cast["learner"], cast["staff"]):
            assert error_of(ratings.respond_to_rating, who, rating.id, "Hi") == ("rating_not_found", 404)
        assert error_of(ratings.respond_to_rating, cast["trainer"], rating.id, "x" * 2001)[0] == "response_too_long"
        assert TrainerRating.objects.get().response == ""

    def test_hide_and_show(self, cast, rating):
        staff, trainer = cast["staff"], cast["trainer"]
        other = ratings.rate_trainer(cast["peer"], interaction(trainer, cast["peer"]).pk, 5)
        assert totals(trainer)[:2] == (2, 7)
        assert error_of(ratings.hide_rating, cast["trainer"], rating.id, "Mine")[1] == 403
        assert error_of(ratings.hide_rating, staff, rating.id, "  ") == ("reason_required", 400)
        assert error_of(ratings.hide_rating, staff, 999_999, "Why") == ("rating_not_found", 404)
        assert not TrainerRating.objects.get(pk=rating.id).is_hidden

        hidden = ratings.hide_rating(staff, rating.id, "Insults")
        assert hidden.is_hidden and hidden.moderation_reason == "Insults" and hidden.moderated_by_id == staff.pk
        count, stars_sum, score = totals(trainer)
        assert (count, stars_sum) == (1, 5) and score == pytest.approx(bayesian_average(5, 1, *rating_prior()))
        assert [item.id for item in ratings.list_ratings(trainer, cast["learner"])] == [other.id]
        assert [item.id for item in ratings.list_ratings(trainer)] == [other.id]
        seen_by_staff = {item.id: item.is_hidden for item in ratings.list_ratings(trainer, staff)}
        assert seen_by_staff == {rating.id: True, other.id: False}
        summary = ratings.rating_summary(trainer)
        assert (summary.count, summary.average, summary.distribution[2], summary.distribution[5]) == (1, 5.0, 0, 1)

        assert error_of(ratings.unhide_rating, staff, rating.id, "") == ("reason_required", 400)
        shown = ratings.unhide_rating(staff, rating.id, "Appeal accepted")
        assert not shown.is_hidden and shown.moderation_reason == "Appeal accepted"
        assert totals(trainer)[:2] == (2, 7)

    def test_summary(self, cast, rating):
        for stars in (5, 5, 4):
            ratings.rate_trainer(cast["peer"], interaction(cast["trainer"], cast["peer"]).pk, stars)
        summary = ratings.rating_summary(cast["trainer"])
        assert summary.count == 4 and summary.average == 4.0
        assert summary.distribution == {1: 0, 2: 1, 3: 0, 4: 1, 5: 2}
        assert summary.bayesian == pytest.approx(bayesian_average(16, 4, *rating_prior()), abs=0.01)
        assert ratings.rating_summary(cast["other_trainer"]) == ratings.RatingSummary(
            0, None, 0.0, {1: 0, 2: 0, 3: 0, 4: 0, 5: 0})

    def test_newest_first(self, cast, rating):
        later = ratings.rate_trainer(cast["peer"], interaction(cast["trainer"], cast["peer"]).pk, 5)
        assert [item.id for item in ratings.list_ratings(cast["trainer"])] == [later.id, rating.id]


# --- what ratings do to search --------------------------------------------------------------------------------------


def test_many_good_ratings_outrank_a_few_perfect_ones(cast, make_user):
    """Three 5-star ratings rank below two hundred ratings averaging 4.8 (the Bayesian score)."""
    few, many = cast["trainer"], cast["other_trainer"]
    for booking_id in range(3):
        send_rating(booking_id, few, make_user(), 5)
    learner = cast["learner"]
    for booking_id in range(1000, 1200):  # 160 fives and 40 fours: 4.8 on average
        send_rating(booking_id, many, learner, 5 if booking_id % 5 else 4)
    assert totals(few)[:2] == (3, 15) and totals(many)[:2] == (200, 960)
    found = profiles.search_trainers()
    assert [item.username for item in found] == ["otto", "tara"]
    assert found[1].rating_average == 5.0 and found[0].rating_average == 4.8
    assert found[0].rating_score > found[1].rating_score


def test_hidden_ratings_do_not_count_in_search(cast):
    trainer = cast["trainer"]
    bad = ratings.rate_trainer(cast["learner"], interaction(trainer, cast["learner"]).pk, 1, "Spam")
    ratings.rate_trainer(cast["peer"], interaction(cast["other_trainer"], cast["peer"]).pk, 3)
    assert [item.username for item in profiles.search_trainers()] == ["otto", "tara"]
    ratings.hide_rating(cast["staff"], bad.id, "Spam")
    assert [item.username for item in profiles.search_trainers()] == ["otto", "tara"]  # no rating: score 0
    assert profiles.search_trainers(min_rating=1).count() == 1


def test_xss_in_comments_is_inert(cast, client):
    trainer = cast["trainer"]
    comment = "<script>alert('x')</script> <img src=x onerror=alert(1)> [click](javascript:alert(2))"
    rating = ratings.rate_trainer(cast["learner"], interaction(trainer, cast["learner"]).pk, 4, comment)
    ratings.respond_to_rating(trainer, rating.id, "<iframe src='https://evil.example'></iframe>")
    stored = ratings.list_ratings(trainer)[0]
    for html in (stored.comment_html, stored.response_html):
        assert "<script" not in html and "<img" not in html and "<iframe" not in html and "href" not in html
    client.force_login(cast["peer"])
    page = client.get("/mentora/trainers/profile/tara/").content.decode()
    assert "&lt;script&gt;alert" in page and "<script>alert" not in page and "<iframe" not in page


# --- REST -----------------------------------------------------------------------------------------------------------


class TestRest:
    def test_rate_and_rateable(self, cast):
        found = interaction(cast["trainer"], cast["learner"])
        client = api_client(cast["learner"])
        rateable = client.get(V1 + "ratings/rateable/").json()
        assert [item["id"] for item in rateable["results"]] == [found.pk]
        assert rateable["results"][0]["trainer_username"] == "tara"
        assert client.get(V1 + "ratings/rateable/", {"trainer": "otto"}).json()["results"] == []
        created = client.post(V1 + "ratings/", {"activity_id": found.pk, "stars": 5, "comment": "Yes"}, format="json")
        assert created.status_code == 201 and created.json()["learner_name"] == "Lea Rner"
        assert "is_hidden" not in created.json()
        again = client.post(V1 + "ratings/", {"activity_id": found.pk, "stars": 5}, format="json")
        assert (again.status_code, again.json()["error_code"]) == (409, "already_rated")
        peer = api_client(cast["peer"]).post(V1 + "ratings/", {"activity_id": found.pk, "stars": 5}, format="json")
        assert (peer.status_code, peer.json()["error_code"]) == (404, "activity_not_found")
        bad = client.post(V1 + "ratings/", {"activity_id": interaction(cast["trainer"], cast["learner"]).pk,
                                           "stars": 7}, format="json")
        assert bad.json()["error_code"] == "invalid_stars"

    def test_answer_and_moderate(self, cast):
        rating = ratings.rate_trainer(cast["learner"], interaction(cast["trainer"], cast["learner"]).pk, 1, "Bad")
        answered = api_client(cast["trainer"]).post(V1 + f"ratings/{rating.id}/response/", {"text": "Sorry"},
                                                    format="json")
        assert answered.status_code == 200 and answered.json()["response"] == "Sorry"
        assert api_client(cast["peer"]).post(V1 + f"ratings/{rating.id}/response/", {"text": "x"},
                                             format="json").status_code == 404
        assert api_client(cast["learner"]).post(V1 + f"ratings/{rating.id}/hide/", {"reason": "x"},
                                                format="json").status_code == 403
        staff = api_client(cast["staff"])
        missing = staff.post(V1 + f"ratings/{rating.id}/hide/", {}, format="json")
        assert (missing.status_code, missing.json()["error_code"]) == (400, "reason_required")
        hidden = staff.post(V1 + f"ratings/{rating.id}/hide/", {"reason": "Abuse"}, format="json")
        assert hidden.json()["is_hidden"] is True and hidden.json()["moderation_reason"] == "Abuse"
        assert api_client(cast["peer"]).get(V1 + "profiles/tara/ratings/").json()["count"] == 0
        staff_view = staff.get(V1 + "profiles/tara/ratings/").json()
        assert staff_view["count"] == 1 and staff_view["results"][0]["is_hidden"] is True
        shown = staff.post(V1 + f"ratings/{rating.id}/unhide/", {"reason": "Reviewed"}, format="json")
        assert shown.json()["is_hidden"] is False
        assert api_client(cast["peer"]).get(V1 + "profiles/tara/").json()["rating"]["count"] == 1

    def test_ratings_list_costs_the_same_for_any_page_size(self, cast, make_user):
        trainer = cast["trainer"]
        for booking_id in range(2):
            send_rating(booking_id, trainer, make_user(), 4, "ok")
        client = api_client(cast["peer"])
        client.get(V1 + "profiles/tara/")  # the requester's permissions are cached on their first request
        with CaptureQueriesContext(connection) as few:
            response = client.get(V1 + "profiles/tara/ratings/", {"page_size": 10})
        assert len(response.json()["results"]) == 2
        for booking_id in range(2, 12):
            send_rating(booking_id, trainer, make_user(), 5, "great")
        with CaptureQueriesContext(connection) as many:
            response = client.get(V1 + "profiles/tara/ratings/", {"page_size": 10})
        assert len(response.json()["results"]) == 10 and response.json()["count"] == 12
        assert len(many) == len(few)

    def test_ratings_of_a_profile_that_is_not_public(self, cast, make_user):
        applicant = make_user("appl")
        profiles.update_profile(applicant, headline="Soon")
        assert api_client(cast["learner"]).get(V1 + "profiles/appl/ratings/").status_code == 404


# --- the profile page's forms ---------------------------------------------------------------------------------------


class TestPage:
    URL = "/mentora/trainers/profile/tara/"

    def test_a_learner_rates_from_the_profile(self, cast, client):
        found = interaction(cast["trainer"], cast["learner"])
        client.force_login(cast["learner"])
        page = client.get(self.URL).content.decode()
        assert "Rate your interactions with Tara Iner" in page and f'name="rate-{found.pk}-stars"' in page
        refused = client.post(self.URL, {"action": "rate", "target": found.pk, f"rate-{found.pk}-comment": "Hm"})
        assert refused.status_code == 400 and f'id="id_rate-{found.pk}-stars-error"' in refused.content.decode()
        assert not TrainerRating.objects.exists()
        done = client.post(self.URL, {"action": "rate", "target": found.pk, f"rate-{found.pk}-stars": "5",
                                      f"rate-{found.pk}-comment": "Superb"})
        assert done.status_code == 302
        page = client.get(self.URL).content.decode()
        assert "Superb" in page and "Rate your interactions" not in page

    def test_another_learners_interaction_cannot_be_rated_from_the_page(self, cast, client):
        found = interaction(cast["trainer"], cast["peer"])
        client.force_login(cast["learner"])
        response = client.post(self.URL, {"action": "rate", "target": found.pk, f"rate-{found.pk}-stars": "5"})
        assert response.status_code == 302 and not TrainerRating.objects.exists()

    def test_the_trainer_answers_and_staff_moderate(self, cast, client):
        rating = ratings.rate_trainer(cast["learner"], interaction(cast["trainer"], cast["learner"]).pk, 2, "Slow")
        client.force_login(cast["trainer"])
        page = client.get(self.URL).content.decode()
        assert f'name="respond-{rating.id}-text"' in page and "Hide this rating" not in page
        assert client.post(self.URL, {"action": "respond", "target": rating.id,
                                      f"respond-{rating.id}-text": "Working on it"}).status_code == 302
        assert "Working on it" in client.get(self.URL).content.decode()

        client.force_login(cast["staff"])
        refused = client.post(self.URL, {"action": "hide", "target": rating.id, f"moderate-{rating.id}-reason": ""})
        assert refused.status_code == 400 and "Give the reason" in refused.content.decode()
        assert not TrainerRating.objects.get().is_hidden
        assert client.post(self.URL, {"action": "hide", "target": rating.id,
                                      f"moderate-{rating.id}-reason": "Off-topic"}).status_code == 302
        assert "Hidden from learners." in client.get(self.URL).content.decode()
        client.force_login(cast["learner"])
        assert "Slow" not in client.get(self.URL).content.decode()
