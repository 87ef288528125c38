"""
Award rules: the conditions checked when a rule is made (and by whom); each kind of condition met and not met
(a project's score, sessions attended, a course passed, a trainer's figures); all or any; the events that award
(reviews' REVIEW_RELEASED, booking's BOOKING_COMPLETED, the platform's COURSE_PASSING_STATUS_UPDATED) heard through
the plugin machinery, each delivered twice awarding once; an award revoked stays revoked on a re-delivered event and
comes back on the next qualifying one; progress per condition; the daily trainers' recognition; and reviews
announcing REVIEW_RELEASED once per release, after the commit.
"""
from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from edx_django_utils.plugins.plugin_signals import connect_plugin_receivers
from openedx_events.event_bus.avro.deserializer import deserialize_bytes_to_event_data
from openedx_events.event_bus.avro.serializer import serialize_event_data_to_bytes
from openedx_events.learning.data import CourseData, CoursePassingStatusData
from openedx_events.learning.signals import COURSE_PASSING_STATUS_UPDATED

from mentora_plugin.badges import api, handlers, tasks
from mentora_plugin.badges.apps import EVENT_RECEIVERS
from mentora_plugin.badges.models import AwardRule, BadgeAward
from mentora_plugin.booking.signals import BOOKING_COMPLETED, BookingEventData
from mentora_plugin.host import api as host_api
from mentora_plugin.host.data import CourseRoleRecord
from mentora_plugin.reviews import api as reviews_api
from mentora_plugin.reviews.signals import REVIEW_RELEASED, ReviewReleasedData
from mentora_plugin.settings.common import BEAT_SCHEDULE
from mentora_plugin.trainers import api as trainers_api
from tests import test_reviews_reviewing as reviewing_tests
from tests.conftest import COURSE, OTHER_COURSE, at, user_data
from tests.test_badges_classes import give_level, make_class, refused
from tests.test_reviews_reviewing import TEAM_USAGE, USAGE, config, reviewed, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

# The reviewing tests' media directory and recorded review notifications (autouse).
_media = reviewing_tests._media
sent = reviewing_tests.sent

OTHER_USAGE = OTHER_COURSE.make_usage_key("mentora_project", "elsewhere")
#: The reviewing tests' GOOD scores (what ``reviewed`` gives) earn 25 of the project's 30 points: 83.33 %.
GOOD_PERCENT = 83.33

_bookings = itertools.count(1000)


@pytest.fixture(autouse=True)
def _lms_root(settings):
    settings.LMS_ROOT_URL = "http://127.0.0.1:8000"


@pytest.fixture
def cast(make_user):
    host_api.record_course(COURSE, at(0), title="Badges 101")
    host_api.record_course(OTHER_COURSE, at(0), title="Other course")
    people = {name: make_user(name, first_name=name.capitalize()) for name in (
        "learner", "mate", "trainer", "course_staff", "other_staff", "outsider",
    )}
    people["platform_staff"] = make_user("platform_staff", is_staff=True)
    for name in ("learner", "mate"):
        host_api.record_enrollment(people[name].pk, COURSE, "audit", True, at(0))
    host_api.record_enrollment(people["outsider"].pk, OTHER_COURSE, "audit", True, at(0))
    host_api.grant_trainer_role(COURSE, people["trainer"], granted_by=None)
    give_level(people["trainer"], "advanced")
    for name, course in (("course_staff", COURSE), ("other_staff", OTHER_COURSE)):
        host_api.record_course_role(CourseRoleRecord(user_id=people[name].pk, org=course.org, course_key=str(course),
                                                     role="staff", is_active=True), at(0))
    reviews_api.sync_project(USAGE, COURSE, config(title="Capstone"))
    return people


@pytest.fixture
def badge(cast):
    return make_class(cast["course_staff"], name="Capstone star")


@pytest.fixture
def receivers():
    """Badges' receivers connected as the LMS connects every plugin's at start-up (idempotent)."""
    connect_plugin_receivers("lms.djangoapp")


def rule(actor, badge_class, *conditions, mode="all") -> api.RuleInfo:
    return api.create_rule(actor, badge_class.id, list(conditions), mode)


def score(min_percent=80, usage=USAGE) -> dict:
    return {"kind": "project_score", "usage_key": str(usage), "min_percent": min_percent}


def sessions(count=2, **extra) -> dict:
    return {"kind": "sessions_attended", "count": count, **extra}


def held(badge_class, user) -> list[tuple[str, bool]]:
    """The user's awards of the class: (source key, revoked?), oldest first."""
    return [(source, revoked is not None) for source, revoked in BadgeAward.objects.filter(
        badge_class_id=badge_class.id, recipient=user).order_by("pk").values_list("source_key", "revoked_at")]


def attend(learner, trainer, course=COURSE, outcome="delivered") -> int:
    """A session that took place with the learner (the trainers' activity record); returns its booking id."""
    booking_id = next(_bookings)
    trainers_api.record_activity("session", booking_id, trainer, learner, course, datetime.now(UTC), outcome)
    return booking_id


def completed(learner, trainer, booking_id=None, status="completed", course=COURSE) -> BookingEventData:
    when = datetime.now(UTC) - timedelta(hours=1)
    return BookingEventData(
        booking_id=booking_id or next(_bookings), session_id=1, session_uid="uid", learner_id=learner.pk,
        trainer_id=trainer.pk, course_key=course, start=when, end=when + timedelta(minutes=30), status=status,
        sequence=0, actor_id=trainer.pk,
    )


def passing(user, is_passing=True, course=COURSE) -> CoursePassingStatusData:
    return CoursePassingStatusData(is_passing=is_passing, course=CourseData(course_key=course, display_name="C"),
                                   user=user_data(user))


# --- rules and their conditions -------------------------------------------------------------------------------------


class TestValidation:
    @pytest.mark.parametrize("conditions, code", [
        ("project_score", "invalid_conditions"),
        ([], "invalid_conditions"),
        ([{"kind": "course_passed"}] * 11, "invalid_conditions"),
        (["course_passed"], "invalid_condition"),
        ([{"kind": "charisma"}], "invalid_condition_kind"),
        ([{"kind": "course_passed", "grade": "A"}], "unknown_condition_field"),
        ([score(101)], "invalid_min_percent"),
        ([score("80")], "invalid_min_percent"),
        ([score(True)], "invalid_min_percent"),
        ([score(usage=COURSE.make_usage_key("mentora_project", "nowhere"))], "invalid_project"),
        ([{"kind": "project_score", "usage_key": "not a key", "min_percent": 50}], "invalid_project"),
        ([score(usage=OTHER_USAGE)], "course_mismatch"),
        ([sessions(0)], "invalid_count"),
        ([sessions(1.5)], "invalid_count"),
        ([sessions(True)], "invalid_count"),
        ([sessions(2, course_key=str(OTHER_COURSE))], "course_mismatch"),
        ([sessions(2, course_key="nonsense")], "invalid_course_key"),
        ([{"kind": "course_passed", "course_key": str(OTHER_COURSE)}], "course_mismatch"),
        ([{"kind": "trainer_metric", "metric": "rating_average", "min": 4.8}], "learner_condition_required"),
    ])
    def test_a_course_badges_conditions(self, cast, badge, conditions, code):
        reviews_api.sync_project(OTHER_USAGE, OTHER_COURSE, config(title="Elsewhere"))
        error = refused(api.create_rule, cast["course_staff"], badge.id, conditions)
        assert (error.code, error.status, error.field) == (code, 400, "conditions")
        assert not AwardRule.objects.exists()

    def test_the_refusal_names_the_condition(self, cast, badge):
        error = refused(api.create_rule, cast["course_staff"], badge.id, [score(), sessions(-1)])
        assert str(error).startswith("Condition 2:")

    @pytest.mark.parametrize("condition, code", [
        ({"kind": "course_passed", "course_key": str(COURSE)}, "trainer_condition_required"),
        ({"kind": "trainer_metric", "metric": "charm", "min": 1}, "invalid_metric"),
        ({"kind": "trainer_metric", "metric": "rating_average"}, "invalid_threshold"),
        ({"kind": "trainer_metric", "metric": "rating_average", "min": 4, "max": 5}, "invalid_threshold"),
        ({"kind": "trainer_metric", "metric": "rating_count", "min": -1}, "invalid_threshold"),
        ({"kind": "trainer_metric", "metric": "rating_count", "min": float("nan")}, "invalid_threshold"),
    ])
    def test_a_trainers_badges_conditions(self, cast, condition, code):
        mentors = make_class(cast["platform_staff"], course_key=None, for_trainers=True, name="Great mentor")
        assert refused(api.create_rule, cast["platform_staff"], mentors.id, [condition]).code == code

    def test_a_platform_badge_names_the_course_it_needs_to_be_passed(self, cast):
        platform = make_class(cast["platform_staff"], course_key=None, name="Graduate")
        assert refused(api.create_rule, cast["platform_staff"], platform.id, [{"kind": "course_passed"}]).code == (
            "course_required")
        made = rule(cast["platform_staff"], platform, {"kind": "course_passed", "course_key": str(OTHER_COURSE)},
                    sessions(3))
        assert made.conditions == ({"kind": "course_passed", "course_key": str(OTHER_COURSE)},
                                   {"kind": "sessions_attended", "count": 3})
        assert made.labels == ("Pass the course “Other course”", "Attend 3 sessions")

    def test_conditions_are_normalised_to_the_class_course(self, cast, badge):
        made = rule(cast["course_staff"], badge, score(80.5), sessions(1), {"kind": "course_passed"}, mode="any")
        assert made.conditions == (
            {"kind": "project_score", "usage_key": str(USAGE), "min_percent": 80.5},
            {"kind": "sessions_attended", "count": 1, "course_key": str(COURSE)},
            {"kind": "course_passed", "course_key": str(COURSE)},
        )
        assert made.labels == ("Score at least 80.5 % on “Capstone”", "Attend 1 session",
                               "Pass the course “Badges 101”")
        assert (made.mode, made.is_active, made.created_by_id) == ("any", True, cast["course_staff"].pk)
        assert refused(api.create_rule, cast["course_staff"], badge.id, [score()], "most").code == "invalid_mode"

    @pytest.mark.parametrize("who", ["trainer", "learner", "other_staff", "outsider"])
    def test_only_the_class_managers_make_rules(self, cast, badge, who):
        error = refused(api.create_rule, cast[who], badge.id, [score()])
        assert (error.code, error.status) == ("permission_denied", 403)

    def test_trainers_badges_rules_are_platform_staffs(self, cast):
        mentors = make_class(cast["platform_staff"], for_trainers=True, name="Course mentor")  # of COURSE
        condition = {"kind": "trainer_metric", "metric": "rating_count", "min": 25}
        assert refused(api.create_rule, cast["course_staff"], mentors.id, [condition]).status == 403
        assert rule(cast["platform_staff"], mentors, condition).labels == ("Ratings received: at least 25",)

    def test_update_deactivate_and_list(self, cast, badge):
        made = rule(cast["course_staff"], badge, score())
        assert refused(api.update_rule, cast["trainer"], made.id, mode="any").status == 403
        changed = api.update_rule(cast["course_staff"], made.id, conditions=[score(90), sessions(2)], mode="any")
        assert (changed.mode, [c["kind"] for c in changed.conditions]) == ("any", ["project_score",
                                                                                  "sessions_attended"])
        assert refused(api.update_rule, cast["course_staff"], made.id, conditions=[]).code == "invalid_conditions"
        assert api.list_rules(badge.id) == [api.update_rule(cast["course_staff"], made.id)]
        assert api.deactivate_rule(cast["course_staff"], made.id).is_active is False
        assert api.deactivate_rule(cast["course_staff"], made.id).is_active is False  # again: nothing changes
        assert api.list_rules(badge.id) == []
        assert [item.id for item in api.list_rules(badge.id, include_inactive=True)] == [made.id]
        assert refused(api.deactivate_rule, cast["course_staff"], 999999).code == "rule_not_found"

    def test_an_archived_class_takes_no_rule(self, cast, badge):
        api.archive_badge_class(cast["course_staff"], badge.id)
        assert refused(api.create_rule, cast["course_staff"], badge.id, [score()]).code == "badge_class_archived"


# --- each condition, all or any -------------------------------------------------------------------------------------


class TestConditions:
    def test_project_score_met_with_the_reviewed_work_as_evidence(self, cast, badge):
        rule(cast["course_staff"], badge, score(80))
        assert api.evaluate_for(cast["learner"], course_key=COURSE, reason_key="test:1") == []  # nothing reviewed
        work = submit(cast["learner"])
        reviewed(cast["trainer"], work)
        [award] = api.evaluate_for(cast["learner"], course_key=COURSE, reason_key="test:2")
        assert (award.recipient_id, award.issued_by_id, award.status) == (cast["learner"].pk, None, "active")
        assert award.source_key.endswith(":test:2") and award.source_key.startswith("rule:")
        [evidence] = award.evidence
        assert evidence.url == f"http://127.0.0.1:8000/mentora/reviews/submissions/{work}/"
        assert evidence.name == "Reviewed project: Capstone"

    def test_project_score_below_the_minimum_or_not_approved(self, cast, badge):
        rule(cast["course_staff"], badge, score(90))
        work = submit(cast["learner"])
        reviewed(cast["trainer"], work)  # 83.33 %
        assert api.evaluate_for(cast["learner"], course_key=COURSE, reason_key="r") == []
        mate_work = submit(cast["mate"])
        reviewed(cast["trainer"], mate_work, "changes_requested", feedback="Add an example.")
        assert api.evaluate_for(cast["mate"], course_key=COURSE, reason_key="r") == []
        assert not BadgeAward.objects.exists()

    def test_sessions_attended_counts_sessions_that_took_place_in_the_course(self, cast, badge):
        rule(cast["course_staff"], badge, sessions(2))
        attend(cast["learner"], cast["trainer"])
        attend(cast["learner"], cast["trainer"], outcome="learner_no_show")
        attend(cast["learner"], cast["trainer"], course=OTHER_COURSE)
        attend(cast["mate"], cast["trainer"])
        assert api.evaluate_for(cast["learner"], course_key=COURSE, reason_key="r1") == []
        attend(cast["learner"], cast["trainer"])
        assert len(api.evaluate_for(cast["learner"], course_key=COURSE, reason_key="r2")) == 1

    def test_course_passed(self, cast, badge):
        rule(cast["course_staff"], badge, {"kind": "course_passed"})
        host_api.record_passing_status(cast["learner"].pk, COURSE, False, at(1))
        assert api.evaluate_for(cast["learner"], course_key=COURSE, reason_key="p1") == []
        host_api.record_passing_status(cast["learner"].pk, COURSE, True, at(2))
        assert len(api.evaluate_for(cast["learner"], course_key=COURSE, reason_key="p2")) == 1

    @pytest.mark.parametrize("mode, awarded", [("all", False), ("any", True)])
    def test_all_or_any(self, cast, badge, mode, awarded):
        rule(cast["course_staff"], badge, score(80), {"kind": "course_passed"}, mode=mode)
        host_api.record_passing_status(cast["learner"].pk, COURSE, True, at(1))  # passed, no project reviewed
        assert bool(api.evaluate_for(cast["learner"], course_key=COURSE, reason_key="x")) is awarded
        if not awarded:  # with the project reviewed as well, "all" holds
            reviewed(cast["trainer"], submit(cast["learner"]))
            assert len(api.evaluate_for(cast["learner"], course_key=COURSE, reason_key="y")) == 1

    def test_only_learners_of_the_course_active_rules_and_classes(self, cast, badge):
        made = rule(cast["course_staff"], badge, {"kind": "course_passed"})
        host_api.record_passing_status(cast["outsider"].pk, COURSE, True, at(1))  # passes but is not enrolled
        assert api.evaluate_for(cast["outsider"], course_key=COURSE, reason_key="x") == []
        host_api.record_passing_status(cast["learner"].pk, COURSE, True, at(1))
        assert api.evaluate_for(cast["learner"], course_key=OTHER_COURSE, reason_key="x") == []  # another course
        api.deactivate_rule(cast["course_staff"], made.id)
        assert api.evaluate_for(cast["learner"], course_key=COURSE, reason_key="x") == []
        assert not BadgeAward.objects.exists()

    def test_a_platform_badge_counts_sessions_in_every_course(self, cast):
        platform = make_class(cast["platform_staff"], course_key=None, name="Regular")
        rule(cast["platform_staff"], platform, sessions(2))
        attend(cast["outsider"], cast["trainer"], course=OTHER_COURSE)
        attend(cast["outsider"], cast["trainer"], course=COURSE)
        [award] = api.evaluate_for(cast["outsider"], course_key=OTHER_COURSE, reason_key="x")
        assert award.badge_class.id == platform.id


# --- events -----------------------------------------------------------------------------------------------------------


class TestEvents:
    def test_receivers_are_connected_by_path_through_the_plugin_machinery(self, receivers):
        assert EVENT_RECEIVERS["on_booking_completed"] == "mentora_plugin.booking.signals.BOOKING_COMPLETED"
        for signal, receiver in ((REVIEW_RELEASED, handlers.on_review_released),
                                 (BOOKING_COMPLETED, handlers.on_booking_completed),
                                 (COURSE_PASSING_STATUS_UPDATED, handlers.on_course_passing_status_updated)):
            refs = [entry[1] for entry in signal.receivers]
            connected = [ref() if callable(ref) and not hasattr(ref, "__code__") else ref for ref in refs]
            assert receiver in connected

    def test_a_release_awards_each_team_member_once_however_often_delivered(
        self, cast, badge, receivers, django_capture_on_commit_callbacks
    ):
        reviews_api.sync_project(TEAM_USAGE, COURSE, config(title="Group work", team_mode=True))
        reviews_api.create_team(cast["course_staff"], TEAM_USAGE, "Blue", [cast["learner"], cast["mate"]])
        rule(cast["course_staff"], badge, score(80, usage=TEAM_USAGE))
        received = []
        REVIEW_RELEASED.connect(lambda **kwargs: received.append(kwargs["review"]), weak=False,
                                dispatch_uid="test.badges.released")
        try:
            with django_capture_on_commit_callbacks(execute=True):
                released = reviewed(cast["trainer"], submit(cast["mate"], usage=TEAM_USAGE))
            [event] = received
            REVIEW_RELEASED.send_event(review=event)  # delivered again
        finally:
            REVIEW_RELEASED.disconnect(dispatch_uid="test.badges.released")
        source = f"rule:{AwardRule.objects.get().pk}:review:{released.id}"
        for person in ("learner", "mate"):
            assert held(badge, cast[person]) == [(source, False)]

    def test_a_revoked_award_stays_revoked_on_a_redelivered_event_and_returns_on_the_next(
        self, cast, badge, receivers
    ):
        made = rule(cast["course_staff"], badge, sessions(2))
        first, second = completed(cast["learner"], cast["trainer"]), completed(cast["learner"], cast["trainer"])
        BOOKING_COMPLETED.send_event(booking=first)
        assert held(badge, cast["learner"]) == []
        BOOKING_COMPLETED.send_event(booking=second)
        BOOKING_COMPLETED.send_event(booking=second)
        assert held(badge, cast["learner"]) == [(f"rule:{made.id}:booking:{second.booking_id}", False)]
        [award] = api.awards_of(cast["learner"])
        api.revoke_award(cast["course_staff"], award.id, "Sessions were mis-recorded.")
        BOOKING_COMPLETED.send_event(booking=second)  # the same event again: the revocation holds
        BOOKING_COMPLETED.send_event(booking=completed(cast["learner"], cast["trainer"], status="no_show_learner"))
        assert held(badge, cast["learner"]) == [(f"rule:{made.id}:booking:{second.booking_id}", True)]
        third = completed(cast["learner"], cast["trainer"])
        BOOKING_COMPLETED.send_event(booking=third)  # the next session that took place
        assert held(badge, cast["learner"]) == [(f"rule:{made.id}:booking:{second.booking_id}", True),
                                                (f"rule:{made.id}:booking:{third.booking_id}", False)]
        assert trainers_api.count_learner_activities(cast["learner"], "session", COURSE) == 3

    def test_a_passing_grade_awards_once(self, cast, badge, receivers):
        rule(cast["course_staff"], badge, {"kind": "course_passed"})
        COURSE_PASSING_STATUS_UPDATED.send_event(course_passing_status=passing(cast["learner"], False))
        assert held(badge, cast["learner"]) == []
        for _ in range(2):
            COURSE_PASSING_STATUS_UPDATED.send_event(course_passing_status=passing(cast["learner"]))
        assert [revoked for _source, revoked in held(badge, cast["learner"])] == [False]
        assert host_api.has_passed(cast["learner"], COURSE)

    def test_events_no_rule_cares_about_queue_nothing(self, cast, badge, receivers, monkeypatch):
        queued = []
        monkeypatch.setattr(tasks.evaluate_badge_rules, "delay", lambda *args: queued.append(args))
        rule(cast["course_staff"], badge, {"kind": "course_passed"})
        BOOKING_COMPLETED.send_event(booking=completed(cast["learner"], cast["trainer"]))
        assert queued == []
        COURSE_PASSING_STATUS_UPDATED.send_event(course_passing_status=passing(cast["learner"]))
        assert [(user_id, kinds) for user_id, _course, _reason, kinds in queued] == [(cast["learner"].pk,
                                                                                      ["course_passed"])]


# --- progress ---------------------------------------------------------------------------------------------------------


class TestProgress:
    def test_each_condition_with_current_target_and_met(self, cast, badge):
        rule(cast["course_staff"], badge, score(80), sessions(2), {"kind": "course_passed"})
        progress = api.badge_progress(cast["learner"], badge.id)
        assert progress == [
            api.ConditionProgress("Score at least 80 % on “Capstone”", None, 80.0, False),
            api.ConditionProgress("Attend 2 sessions", 0.0, 2.0, False),
            api.ConditionProgress("Pass the course “Badges 101”", 0.0, 1.0, False),
        ]
        reviewed(cast["trainer"], submit(cast["learner"]))
        attend(cast["learner"], cast["trainer"])
        host_api.record_passing_status(cast["learner"].pk, COURSE, True, at(1))
        assert [(item.current, item.met) for item in api.badge_progress(cast["learner"], badge.id)] == [
            (GOOD_PERCENT, True), (1.0, False), (1.0, True)]

    def test_no_rules_or_nobody_signed_in(self, cast, badge):
        from django.contrib.auth.models import AnonymousUser

        assert api.badge_progress(cast["learner"], badge.id) == []
        rule(cast["course_staff"], badge, sessions(2))
        assert api.badge_progress(AnonymousUser(), badge.id) == []
        assert refused(api.badge_progress, cast["learner"], 999999).code == "badge_class_not_found"


# --- trainers' recognition --------------------------------------------------------------------------------------------


class TestTrainerRecognition:
    @pytest.fixture
    def mentors(self, cast, settings):
        settings.MENTORA_TRAINER_RATING_PRIOR = {"mean": 4.0, "weight": 1}
        settings.MENTORA_TRAINER_LEVEL_WINDOW_DAYS = 180
        mentors = make_class(cast["platform_staff"], course_key=None, for_trainers=True, name="Top rated")
        rule(cast["platform_staff"], mentors,
             {"kind": "trainer_metric", "metric": "rating_average", "min": 4.8},
             {"kind": "trainer_metric", "metric": "rating_count", "min": 25})
        return mentors

    def rated(self, make_user, cast, stars: int, count: int):
        trainer = make_user()
        host_api.grant_trainer_role(COURSE, trainer, granted_by=None)
        give_level(trainer, "beginner")
        for _ in range(count):
            trainers_api.record_session_rating(next(_bookings), trainer.pk, cast["learner"].pk, COURSE, stars)
        return trainer

    def test_the_daily_task_awards_trainers_who_meet_the_rule_once(self, cast, mentors, make_user):
        star = self.rated(make_user, cast, 5, 25)  # Bayesian (125 + 4) / 26 = 4.96
        few = self.rated(make_user, cast, 5, 24)  # too few ratings
        good = self.rated(make_user, cast, 4, 30)  # (120 + 4) / 31 = 4.0
        assert BEAT_SCHEDULE["mentora-badges-trainer-recognition"] == {
            "task": tasks.award_trainer_badges.name, "schedule": timedelta(days=1)}
        assert tasks.award_trainer_badges.delay().get() == 1
        assert tasks.award_trainer_badges.delay().get() == 0  # run again: nothing more
        assert [len(held(mentors, person)) for person in (star, few, good)] == [1, 0, 0]
        progress = api.badge_progress(few, mentors.id)
        assert [(item.label, item.current, item.target, item.met) for item in progress] == [
            ("Average rating (Bayesian): at least 4.8", pytest.approx(124 / 25), 4.8, True),
            ("Ratings received: at least 25", 24.0, 25.0, False),
        ]

    def test_after_a_revocation_a_later_day_awards_again(self, cast, mentors, make_user):
        star = self.rated(make_user, cast, 5, 25)
        now = datetime.now(UTC)
        assert api.award_trainer_badges(now=now) == 1
        [award] = api.awards_of(star)
        api.revoke_award(cast["platform_staff"], award.id, "Ratings under review.")
        assert api.award_trainer_badges(now=now) == 0  # the same day again: the revocation holds
        assert api.award_trainer_badges(now=now + timedelta(days=1)) == 1
        assert [revoked for _source, revoked in held(mentors, star)] == [True, False]

    def test_a_course_trainers_badge_only_considers_its_course_trainers(self, cast, make_user, settings):
        settings.MENTORA_TRAINER_RATING_PRIOR = {"mean": 4.0, "weight": 1}
        course_mentors = make_class(cast["platform_staff"], course_key=OTHER_COURSE, for_trainers=True, name="Local")
        rule(cast["platform_staff"], course_mentors, {"kind": "trainer_metric", "metric": "rating_count", "min": 1})
        self.rated(make_user, cast, 5, 1)  # a trainer of COURSE only
        assert api.award_trainer_badges() == 0


# --- reviews' event ---------------------------------------------------------------------------------------------------


class TestReviewReleased:
    @pytest.fixture
    def received(self):
        events = []
        REVIEW_RELEASED.connect(lambda **kwargs: events.append(kwargs["review"]), weak=False,
                                dispatch_uid="test.reviews.released")
        yield events
        REVIEW_RELEASED.disconnect(dispatch_uid="test.reviews.released")

    def test_sent_once_per_release_after_the_commit(self, cast, received, django_capture_on_commit_callbacks):
        work = submit(cast["learner"])
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            released = reviewed(cast["trainer"], work)
            assert received == []  # not before the commit
        assert callbacks and len(received) == 1
        event = received[0]
        assert event == ReviewReleasedData(
            review_id=released.id, submission_id=work, usage_key=USAGE, course_key=COURSE,
            learner_ids=[cast["learner"].pk], outcome="approved", points=25.0, points_possible=30,
            released_at=event.released_at,
        )
        assert event.released_at is not None

    def test_a_request_for_changes_is_announced_too_and_a_rollback_never(
        self, cast, received, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            reviewed(cast["trainer"], submit(cast["learner"]), "changes_requested", feedback="More.")
        assert [event.outcome for event in received] == ["changes_requested"]
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            reviewed(cast["trainer"], submit(cast["mate"]))
        assert callbacks and len(received) == 1  # captured, never run: as if the transaction rolled back

    def test_the_event_crosses_the_event_bus(self):
        data = {"review": ReviewReleasedData(
            review_id=1, submission_id=2, usage_key=USAGE, course_key=COURSE, learner_ids=[3, 4],
            outcome="approved", points=25.5, points_possible=30, released_at=datetime(2026, 12, 1, 9, tzinfo=UTC),
        )}
        wire = serialize_event_data_to_bytes(data, REVIEW_RELEASED)
        assert deserialize_bytes_to_event_data(wire, REVIEW_RELEASED) == data
        assert REVIEW_RELEASED.event_type == "org.openedx.mentora.reviews.review.released.v1"

