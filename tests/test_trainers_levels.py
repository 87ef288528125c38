"""
Trainers' levels (issue 3, item 3): the figures (``metrics``) and the ladder's recompute (``levels``).

Recompute tests use a small ladder on sessions delivered and the no-show rate, so that each threshold is plain to
read; the default ladder is checked for validity and publication. Time moves through ``now=``. Emails are recorded
at ``notifications.notify`` (the trainers' one door for emails), and the host's ``passed_courses`` is stood in for
by a dict.
"""
from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from opaque_keys.edx.keys import CourseKey

from mentora_plugin.host import api as host_api
from mentora_plugin.trainers import api, levels, metrics, notifications
from mentora_plugin.trainers.models import Dispute, LevelChange, TrainerActivity, TrainerProfile, TrainerRating
from tests.conftest import COURSE, OTHER_COURSE

#: A recent instant, with room after it: the recompute's "now" moves up to 60 days later, staff actions happen at the
#: real now, and the history is ordered by time.
NOW = datetime.now(UTC).replace(microsecond=0) - timedelta(days=90)
LADDER = [
    {"key": "beginner", "criteria": {}},
    {"key": "intermediate", "criteria": {"sessions_delivered": 10}},
    {"key": "advanced", "criteria": {"sessions_delivered": 20, "no_show_rate": 0.1}},
    {"key": "expert", "criteria": {"sessions_delivered": 40, "no_show_rate": 0.05}},
]
_sources = itertools.count(1)


@pytest.fixture(autouse=True)
def _ladder(settings):
    settings.MENTORA_TRAINER_LEVELS = LADDER
    settings.MENTORA_TRAINER_LEVEL_WINDOW_DAYS = 180
    settings.MENTORA_TRAINER_DEMOTION_FLOOR = 0.9
    settings.MENTORA_TRAINER_DEMOTION_GRACE_DAYS = 14
    settings.MENTORA_TRAINER_RATING_PRIOR = {"mean": 4.0, "weight": 10}


@pytest.fixture
def emails(monkeypatch):
    """Every ``notifications.notify`` call: (kind, recipient id, dedupe key, context)."""
    sent = []

    def notify(kind, recipient, dedupe_key, /, **context):  # positional-only: "level_changed" has a "kind" too
        sent.append((kind, recipient.pk, dedupe_key, context))

    monkeypatch.setattr(notifications, "notify", notify)
    return sent


@pytest.fixture
def passed(monkeypatch):
    """The host's passed courses, by learner id (``host_api.passed_courses`` stands in); records each call."""
    courses: dict[int, set[CourseKey]] = {}
    calls = []

    def passed_courses(user_ids):
        calls.append(sorted(user_ids))
        return {user_id: set(courses[user_id]) for user_id in user_ids if user_id in courses}

    monkeypatch.setattr(host_api, "passed_courses", passed_courses, raising=False)
    return courses, calls


@pytest.fixture
def make_trainer(make_user):
    def make(level: str = "beginner", **fields) -> TrainerProfile:
        user = make_user()
        return TrainerProfile.objects.create(
            user=user, status=TrainerProfile.Status.ACTIVE, level=level, activated_at=NOW - timedelta(days=400),
            **fields,
        )

    return make


@pytest.fixture
def staff(make_user):
    return make_user(is_staff=True)


def add_activity(trainer_id: int, count: int = 1, *, kind: str = "session", outcome: str = "delivered",
                 learner_id: int | None = None, course_key=COURSE, at: datetime = NOW - timedelta(days=1),
                 turnaround_seconds: int | None = None) -> list[TrainerActivity]:
    return TrainerActivity.objects.bulk_create(
        TrainerActivity(
            kind=kind, source_id=str(next(_sources)), trainer_id=trainer_id, learner_id=learner_id,
            course_key=course_key or "", outcome=outcome, occurred_at=at, turnaround_seconds=turnaround_seconds,
        )
        for _ in range(count)
    )


def add_rating(trainer_id: int, stars: int, *, at: datetime = NOW - timedelta(days=1), hidden: bool = False):
    activity = add_activity(trainer_id)[0]
    return TrainerRating.objects.create(
        activity=activity, trainer_id=trainer_id, course_key=COURSE, stars=stars, created=at, is_hidden=hidden
    )


def refresh(profile: TrainerProfile) -> TrainerProfile:
    profile.refresh_from_db()
    return profile


def changes(profile: TrainerProfile) -> list[tuple[str, str, str]]:
    return list(LevelChange.objects.filter(profile=profile).order_by("pk").values_list(
        "kind", "from_level", "to_level"
    ))


# --- metrics -------------------------------------------------------------------------------------------------------


def test_window_includes_both_ends_and_nothing_after_now(make_trainer):
    trainer = make_trainer()
    start = NOW - timedelta(days=180)
    add_activity(trainer.user_id, at=start)
    add_activity(trainer.user_id, at=NOW)
    add_activity(trainer.user_id, at=start - timedelta(seconds=1))
    add_activity(trainer.user_id, at=NOW + timedelta(seconds=1))

    figures = metrics.compute_metrics([trainer.user_id], NOW)[trainer.user_id]

    assert figures.sessions_delivered == 2
    assert figures.window_start == start and figures.window_days == 180


def test_window_follows_the_setting_at_call_time(make_trainer, settings):
    trainer = make_trainer()
    add_activity(trainer.user_id, at=NOW - timedelta(days=20))
    settings.MENTORA_TRAINER_LEVEL_WINDOW_DAYS = 10

    assert metrics.compute_metrics([trainer.user_id], NOW)[trainer.user_id].sessions_delivered == 0


def test_bayesian_average_counts_visible_ratings_in_the_window(make_trainer):
    trainer = make_trainer()
    for _ in range(3):
        add_rating(trainer.user_id, 5)
    add_rating(trainer.user_id, 1, hidden=True)
    add_rating(trainer.user_id, 1, at=NOW - timedelta(days=181))

    figures = metrics.compute_metrics([trainer.user_id], NOW)[trainer.user_id]

    assert (figures.rating_count, figures.rating_sum) == (3, 15)
    assert figures.rating_average == pytest.approx((4.0 * 10 + 15) / 13)


def test_few_perfect_ratings_do_not_beat_many_very_good_ones(make_trainer):
    few, many = make_trainer(), make_trainer()
    for _ in range(3):
        add_rating(few.user_id, 5)
    for index in range(200):
        add_rating(many.user_id, 5 if index % 5 else 4)  # 4.8 on average

    figures = metrics.compute_metrics([few.user_id, many.user_id], NOW)

    assert figures[many.user_id].rating_average > figures[few.user_id].rating_average


def test_no_rating_gives_the_prior_mean(make_trainer):
    trainer = make_trainer()
    assert metrics.compute_metrics([trainer.user_id], NOW)[trainer.user_id].rating_average == 4.0


def test_no_show_rate_counts_the_trainers_no_shows_only(make_trainer):
    trainer = make_trainer()
    add_activity(trainer.user_id, 3)
    add_activity(trainer.user_id, 1, outcome="trainer_no_show")
    add_activity(trainer.user_id, 2, outcome="learner_no_show")

    figures = metrics.compute_metrics([trainer.user_id], NOW)[trainer.user_id]

    assert (figures.sessions_delivered, figures.trainer_no_shows) == (3, 1)
    assert figures.no_show_rate == 0.25


def test_no_session_is_a_zero_no_show_rate(make_trainer):
    trainer = make_trainer()
    assert metrics.compute_metrics([trainer.user_id], NOW)[trainer.user_id].no_show_rate == 0.0


def test_review_turnaround_is_the_median_in_hours(make_trainer):
    odd, even, none = make_trainer(), make_trainer(), make_trainer()
    for hours in (1, 3, 10):
        add_activity(odd.user_id, kind="review", turnaround_seconds=hours * 3600)
    add_activity(odd.user_id, kind="review")  # no turnaround known: not counted
    for hours in (2, 4, 6, 100):
        add_activity(even.user_id, kind="review", turnaround_seconds=hours * 3600)
    add_activity(none.user_id, 5)

    figures = metrics.compute_metrics([odd.user_id, even.user_id, none.user_id], NOW)

    assert figures[odd.user_id].review_turnaround_hours == 3
    assert figures[odd.user_id].reviews_released == 3
    assert figures[even.user_id].review_turnaround_hours == 5
    assert figures[none.user_id].review_turnaround_hours is None


def test_answer_response_time_is_the_median_of_answers_to_priority_questions(make_trainer):
    quick, slow, silent = make_trainer(), make_trainer(), make_trainer()
    for hours in (1, 2, 9):
        add_activity(quick.user_id, kind="answer", turnaround_seconds=hours * 3600)
    add_activity(quick.user_id, kind="review", turnaround_seconds=100 * 3600)  # reviews are another figure
    add_activity(slow.user_id, kind="answer", turnaround_seconds=30 * 3600)
    add_activity(silent.user_id, 2)

    figures = metrics.compute_metrics([quick.user_id, slow.user_id, silent.user_id], NOW)

    assert (figures[quick.user_id].answer_response_hours, figures[quick.user_id].answers_given) == (2, 3)
    assert figures[quick.user_id].review_turnaround_hours == 100
    assert figures[slow.user_id].answer_response_hours == 30
    assert figures[silent.user_id].answer_response_hours is None
    assert levels.meets(figures[quick.user_id], {"answer_response_hours": 24})
    assert not levels.meets(figures[slow.user_id], {"answer_response_hours": 24})
    assert levels.meets(figures[silent.user_id], {"answer_response_hours": 24}), "nobody is held back for none"


def test_distinct_learners_over_delivered_activity_of_any_kind(make_trainer, make_user):
    trainer = make_trainer()
    first, second, third, absent = (make_user() for _ in range(4))
    add_activity(trainer.user_id, 3, learner_id=first.pk)
    add_activity(trainer.user_id, 1, learner_id=second.pk)
    add_activity(trainer.user_id, 1, kind="review", learner_id=third.pk, turnaround_seconds=60)
    add_activity(trainer.user_id, 1, outcome="learner_no_show", learner_id=absent.pk)

    assert metrics.compute_metrics([trainer.user_id], NOW)[trainer.user_id].distinct_learners == 3


def test_upheld_complaints_in_the_window(make_trainer, make_user):
    trainer, other = make_trainer(), make_trainer()
    learner = make_user()

    def dispute(reported, *, upheld=True, against_trainer=True, resolved_at=NOW - timedelta(days=2)):
        Dispute.objects.create(
            reporter=learner, reported_id=reported, against_trainer=against_trainer, description="x",
            status=Dispute.Status.RESOLVED, upheld=upheld, resolved_at=resolved_at,
        )

    dispute(trainer.user_id)
    dispute(trainer.user_id)
    dispute(trainer.user_id, upheld=False)
    dispute(trainer.user_id, against_trainer=False)
    dispute(trainer.user_id, resolved_at=NOW - timedelta(days=200))
    dispute(other.user_id)

    figures = metrics.compute_metrics([trainer.user_id, other.user_id], NOW)

    assert figures[trainer.user_id].upheld_complaints == 2
    assert figures[other.user_id].upheld_complaints == 1


def test_learner_success_is_the_share_of_learner_course_pairs_passed(make_trainer, make_user, passed):
    courses, calls = passed
    trainer, idle = make_trainer(), make_trainer()
    ann, bob = make_user(), make_user()
    add_activity(trainer.user_id, 2, learner_id=ann.pk, course_key=COURSE)
    add_activity(trainer.user_id, 1, learner_id=ann.pk, course_key=OTHER_COURSE)
    add_activity(trainer.user_id, 1, learner_id=bob.pk, course_key=COURSE)
    add_activity(trainer.user_id, 1, outcome="learner_no_show", learner_id=bob.pk, course_key=OTHER_COURSE)
    add_activity(trainer.user_id, 1, learner_id=bob.pk, course_key=None)  # no course: no pair
    courses[ann.pk] = {COURSE}
    courses[bob.pk] = {OTHER_COURSE}  # passed, but never mentored there (a no-show is no mentoring)

    figures = metrics.compute_metrics([trainer.user_id, idle.user_id], NOW)

    assert (figures[trainer.user_id].learner_pairs, figures[trainer.user_id].learner_pairs_passed) == (3, 1)
    assert figures[trainer.user_id].learner_success == pytest.approx(1 / 3)
    assert figures[idle.user_id].learner_success == 0.0
    assert calls == [sorted([ann.pk, bob.pk])], "the host is asked once for every learner of the batch"


def test_learner_success_from_the_hosts_passing_grades(make_trainer, make_user):
    trainer = make_trainer()
    ann, bob = make_user(), make_user()
    add_activity(trainer.user_id, 1, learner_id=ann.pk, course_key=COURSE)
    add_activity(trainer.user_id, 1, learner_id=bob.pk, course_key=COURSE)
    host_api.record_passing_status(ann.pk, COURSE, True, NOW)
    host_api.record_passing_status(bob.pk, COURSE, True, NOW - timedelta(days=1))
    host_api.record_passing_status(bob.pk, COURSE, False, NOW)  # fell below the pass mark again

    assert metrics.compute_metrics([trainer.user_id], NOW)[trainer.user_id].learner_success == 0.5


def test_snapshot_is_json_serialisable_with_the_window(make_trainer):
    import json

    trainer = make_trainer()
    add_activity(trainer.user_id, kind="review", turnaround_seconds=7200)
    snapshot = metrics.compute_metrics([trainer.user_id], NOW)[trainer.user_id].as_snapshot()

    assert json.loads(json.dumps(snapshot)) == snapshot
    assert snapshot["computed_at"] == NOW.isoformat()
    assert snapshot["window_days"] == 180
    assert snapshot["review_turnaround_hours"] == 2


def test_metrics_take_a_fixed_number_of_queries(make_trainer, make_user, passed):
    learner = make_user()

    def count(trainers: int) -> int:
        ids = []
        for _ in range(trainers):
            trainer = make_trainer()
            add_activity(trainer.user_id, 2, learner_id=learner.pk)
            add_rating(trainer.user_id, 5)
            ids.append(trainer.user_id)
        with CaptureQueriesContext(connection) as queries:
            metrics.compute_metrics(ids, NOW)
        return len(queries)

    assert count(3) == count(30) == 5


# --- the ladder ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("ladder, message", [
    ([{"key": "a", "criteria": {}}, {"key": "a", "criteria": {"sessions_delivered": 1}}], "used twice"),
    ([{"key": "a", "criteria": {"sessions_delivered": 1}}], "first level"),
    ([{"key": "a", "criteria": {}}, {"key": "b", "criteria": {"hugs": 3}}], "unknown criterion"),
    ([{"key": "a", "criteria": {}}, {"key": "b", "criteria": {"no_show_rate": -1}}], "number >= 0"),
    ([{"criteria": {}}], "key"),
])
def test_an_invalid_ladder_is_refused_clearly(settings, ladder, message):
    settings.MENTORA_TRAINER_LEVELS = ladder
    with pytest.raises(ImproperlyConfigured, match=message):
        levels.recompute_levels()


def test_an_invalid_floor_is_refused(settings):
    settings.MENTORA_TRAINER_DEMOTION_FLOOR = 1.5
    with pytest.raises(ImproperlyConfigured, match="DEMOTION_FLOOR"):
        levels.ladder()


def test_the_default_ladder_is_valid_and_published(settings):
    from mentora_plugin.settings.common import DEFAULTS

    settings.MENTORA_TRAINER_LEVELS = DEFAULTS["MENTORA_TRAINER_LEVELS"]
    settings.MENTORA_TRAINER_CAPABILITIES = DEFAULTS["MENTORA_TRAINER_CAPABILITIES"]

    published = api.ladder()

    assert [level.key for level in published] == ["beginner", "intermediate", "advanced", "expert"]
    assert published[0].criteria == ()
    expert = {criterion.key: criterion for criterion in published[3].criteria}
    assert expert["sessions_delivered"].threshold == 120 and expert["sessions_delivered"].floor == 108
    assert expert["no_show_rate"].kind == "max" and expert["no_show_rate"].floor == pytest.approx(0.04 / 0.9)
    assert expert["rating_average"].label == "Average rating (Bayesian)"
    assert published[3].capabilities["review_applications"] is True
    assert published[0].capabilities["max_active_mentees"] == 3


def test_meets_minimums_and_maximums_with_the_floor(make_trainer):
    trainer = make_trainer()
    add_activity(trainer.user_id, 9)
    add_activity(trainer.user_id, 1, outcome="trainer_no_show")  # no-show rate 0.1
    figures = metrics.compute_metrics([trainer.user_id], NOW)[trainer.user_id]

    assert not levels.meets(figures, {"sessions_delivered": 10})
    assert levels.meets(figures, {"sessions_delivered": 10}, floor=0.9)  # 9 >= 10 * 0.9
    assert not levels.meets(figures, {"sessions_delivered": 11}, floor=0.9)
    assert not levels.meets(figures, {"no_show_rate": 0.095})
    assert levels.meets(figures, {"no_show_rate": 0.095}, floor=0.9)  # 0.1 <= 0.095 / 0.9
    assert not levels.meets(figures, {"no_show_rate": 0.08}, floor=0.9)
    assert levels.meets(figures, {"review_turnaround_hours": 1}), "no review released meets a turnaround maximum"
    assert levels.meets(figures, {"upheld_complaints": 0})


# --- recompute: promotion, warning, band, demotion -------------------------------------------------------------------


def test_promotion_is_immediate_logged_and_emailed(make_trainer, emails):
    trainer = make_trainer()
    add_activity(trainer.user_id, 10)

    summary = levels.recompute_levels(now=NOW)

    assert summary == levels.RecomputeSummary(trainers=1, promoted=1, batches=1)
    assert refresh(trainer).level == "intermediate"
    assert trainer.level_computed_at == NOW and trainer.metrics["sessions_delivered"] == 10
    change = LevelChange.objects.get(profile=trainer)
    assert (change.kind, change.from_level, change.to_level) == ("promotion", "beginner", "intermediate")
    assert change.at == NOW
    assert change.snapshot["sessions_delivered"] == 10
    assert change.snapshot["thresholds"] == {"sessions_delivered": 10}
    assert emails == [("level_changed", trainer.user_id, f"level-changed:{trainer.pk}:{NOW.isoformat()}",
                       {"from_level": "beginner", "to_level": "intermediate", "kind": "promotion"})]


def test_promotion_skips_levels_to_the_highest_met(make_trainer, emails):
    trainer = make_trainer()
    add_activity(trainer.user_id, 40)

    levels.recompute_levels(now=NOW)

    assert refresh(trainer).level == "expert"
    assert changes(trainer) == [("promotion", "beginner", "expert")]


def test_highest_level_needs_every_criterion(make_trainer, emails):
    trainer = make_trainer()
    add_activity(trainer.user_id, 40)
    add_activity(trainer.user_id, 3, outcome="trainer_no_show")  # 3/43 = 0.07: advanced (0.1), not expert (0.05)

    levels.recompute_levels(now=NOW)

    assert refresh(trainer).level == "advanced"


def test_a_second_recompute_changes_nothing(make_trainer, emails):
    trainer = make_trainer()
    add_activity(trainer.user_id, 10)
    levels.recompute_levels(now=NOW)

    summary = levels.recompute_levels(now=NOW + timedelta(hours=1))

    assert summary.unchanged == 1 and summary.promoted == 0
    assert len(changes(trainer)) == 1 and len(emails) == 1


def test_figures_inside_the_band_keep_the_level_without_warning(make_trainer, emails):
    trainer = make_trainer("intermediate")
    add_activity(trainer.user_id, 9)  # below 10, above 10 * 0.9

    summary = levels.recompute_levels(now=NOW)

    assert summary.unchanged == 1
    assert refresh(trainer).level == "intermediate" and trainer.level_warning_at is None
    assert changes(trainer) == [] and emails == []


def test_below_the_band_warns_first(make_trainer, emails):
    trainer = make_trainer("intermediate")
    add_activity(trainer.user_id, 8)

    summary = levels.recompute_levels(now=NOW)

    assert summary.warned == 1
    assert refresh(trainer).level == "intermediate"
    assert trainer.level_warning_at == NOW
    change = LevelChange.objects.get(profile=trainer)
    assert (change.kind, change.from_level, change.to_level) == ("warning", "intermediate", "intermediate")
    assert change.snapshot["unmet"] == ["sessions_delivered"] and change.snapshot["floor"] == 0.9
    deadline = (NOW + timedelta(days=14)).isoformat()
    assert emails == [("level_warning", trainer.user_id, f"level-warning:{trainer.pk}:{NOW.isoformat()}",
                       {"level": "intermediate", "deadline": deadline})]


def test_demotion_only_after_the_grace_period(make_trainer, emails):
    trainer = make_trainer("expert")
    add_activity(trainer.user_id, 25)  # below 40 * 0.9; advanced (20) is fully met
    levels.recompute_levels(now=NOW)
    assert refresh(trainer).level_warning_at == NOW

    waiting = levels.recompute_levels(now=NOW + timedelta(days=13, hours=23))
    assert waiting.unchanged == 1 and refresh(trainer).level == "expert"
    assert len(emails) == 1, "no second warning while one is pending"

    summary = levels.recompute_levels(now=NOW + timedelta(days=14))

    assert summary.demoted == 1
    assert refresh(trainer).level == "advanced" and trainer.level_warning_at is None
    assert changes(trainer) == [("warning", "expert", "expert"), ("demotion", "expert", "advanced")]
    demotion = LevelChange.objects.get(profile=trainer, kind="demotion")
    assert demotion.snapshot["thresholds"] == {"sessions_delivered": 20, "no_show_rate": 0.1}
    assert demotion.snapshot["unmet"] == ["sessions_delivered"]
    assert emails[-1][0] == "level_changed"
    assert emails[-1][3] == {"from_level": "expert", "to_level": "advanced", "kind": "demotion"}


def test_demotion_goes_to_the_highest_level_fully_met(make_trainer, emails):
    trainer = make_trainer("expert", level_warning_at=NOW - timedelta(days=30))
    add_activity(trainer.user_id, 5)

    levels.recompute_levels(now=NOW)

    assert refresh(trainer).level == "beginner"


def test_back_above_the_floor_lifts_the_warning(make_trainer, emails):
    trainer = make_trainer("intermediate")
    add_activity(trainer.user_id, 8)
    levels.recompute_levels(now=NOW)
    add_activity(trainer.user_id, 1)  # 9: inside the band again

    summary = levels.recompute_levels(now=NOW + timedelta(days=3))

    assert summary.cleared == 1
    assert refresh(trainer).level == "intermediate" and trainer.level_warning_at is None
    assert changes(trainer) == [("warning", "intermediate", "intermediate"),
                                ("warning_cleared", "intermediate", "intermediate")]
    # and a later dip starts a new warning, with a new grace period
    TrainerActivity.objects.filter(trainer_id=trainer.user_id).first().delete()
    levels.recompute_levels(now=NOW + timedelta(days=20))
    assert refresh(trainer).level_warning_at == NOW + timedelta(days=20) and trainer.level == "intermediate"


def test_promotion_while_warned_lifts_the_warning(make_trainer, emails):
    trainer = make_trainer("intermediate", level_warning_at=NOW - timedelta(days=1))
    add_activity(trainer.user_id, 20)

    levels.recompute_levels(now=NOW)

    assert refresh(trainer).level == "advanced" and trainer.level_warning_at is None


def test_a_level_no_longer_on_the_ladder_is_replaced(make_trainer, emails):
    trainer = make_trainer("guru")
    add_activity(trainer.user_id, 12)

    levels.recompute_levels(now=NOW)

    assert refresh(trainer).level == "intermediate"
    assert changes(trainer) == [("promotion", "guru", "intermediate")]


def test_only_active_trainers_and_the_ones_asked_for(make_trainer, emails):
    asked, other = make_trainer(), make_trainer()
    suspended = make_trainer()
    TrainerProfile.objects.filter(pk=suspended.pk).update(status=TrainerProfile.Status.SUSPENDED)
    for profile in (asked, other, suspended):
        add_activity(profile.user_id, 10)

    summary = levels.recompute_levels([asked.user_id, suspended.user_id], now=NOW)

    assert summary.trainers == 1
    assert refresh(asked).level == "intermediate"
    assert refresh(other).level == "beginner" and refresh(suspended).level == "beginner"


# --- staff: lock, override, unlock -----------------------------------------------------------------------------------


def test_a_locked_level_only_gets_fresh_figures(make_trainer, staff, emails):
    high, low = make_trainer(), make_trainer("expert")
    add_activity(high.user_id, 40)
    levels.lock_level(high.user_id, staff, "Under review after a complaint")
    levels.lock_level(low.user_id, staff, "Agreed leave")

    summary = levels.recompute_levels(now=NOW + timedelta(days=60))

    assert summary.locked == 2
    assert refresh(high).level == "beginner" and high.metrics["sessions_delivered"] == 40
    assert refresh(low).level == "expert" and low.level_warning_at is None
    assert changes(high) == [("lock", "beginner", "beginner")]
    assert emails == []
    lock = LevelChange.objects.get(profile=high)
    assert (lock.actor_id, lock.reason) == (staff.pk, "Under review after a complaint")
    assert high.level_locked and high.level_lock_reason == "Under review after a complaint"


def test_override_sets_locks_and_logs_the_reason(make_trainer, staff, emails):
    trainer = make_trainer()
    add_activity(trainer.user_id, 40)

    api.override_level(trainer.user, "intermediate", staff, "  Mentors our pilot course  ")

    assert refresh(trainer).level == "intermediate" and trainer.level_locked
    override = LevelChange.objects.get(profile=trainer)
    assert (override.kind, override.from_level, override.to_level) == ("override", "beginner", "intermediate")
    assert (override.actor_id, override.reason) == (staff.pk, "Mentors our pilot course")
    assert override.snapshot["thresholds"] == {"sessions_delivered": 10}
    assert emails[0][0] == "level_changed" and emails[0][3]["kind"] == "override"

    levels.recompute_levels(now=NOW)
    assert refresh(trainer).level == "intermediate", "the recompute does not undo an override"


def test_unlock_hands_the_level_back_to_the_recompute(make_trainer, staff, emails):
    trainer = make_trainer()
    add_activity(trainer.user_id, 40)
    levels.override_level(trainer.user_id, "intermediate", staff, "Pilot")

    levels.unlock_level(trainer.user_id, staff, "Pilot over")
    levels.recompute_levels(now=NOW)

    assert refresh(trainer).level == "expert" and not trainer.level_locked and trainer.level_lock_reason == ""
    assert changes(trainer) == [("override", "beginner", "intermediate"), ("unlock", "intermediate", "intermediate"),
                                ("promotion", "intermediate", "expert")]
    assert LevelChange.objects.get(profile=trainer, kind="unlock").reason == "Pilot over"


def test_unlocking_an_unlocked_level_is_refused(make_trainer, staff):
    trainer = make_trainer()
    with pytest.raises(api.TrainersError) as refused:
        levels.unlock_level(trainer.user_id, staff, "why not")
    assert (refused.value.code, refused.value.status) == ("not_locked", 400)


@pytest.mark.parametrize("action", [
    lambda trainer, actor, reason: levels.lock_level(trainer, actor, reason),
    lambda trainer, actor, reason: levels.unlock_level(trainer, actor, reason),
    lambda trainer, actor, reason: levels.override_level(trainer, "expert", actor, reason),
])
def test_staff_actions_need_a_reason(make_trainer, staff, action):
    trainer = make_trainer(level_locked=True)
    for reason in ("", "   ", None):
        with pytest.raises(api.TrainersError) as refused:
            action(trainer.user_id, staff, reason)
        assert (refused.value.code, refused.value.status) == ("reason_required", 400)
    assert refresh(trainer).level == "beginner" and not LevelChange.objects.exists()


def test_staff_actions_need_the_permission(make_trainer, make_user):
    trainer, someone = make_trainer(), make_user()
    with pytest.raises(api.TrainersError) as refused:
        levels.override_level(trainer.user_id, "expert", someone, "I say so")
    assert (refused.value.code, refused.value.status) == ("permission_denied", 403)
    with pytest.raises(api.TrainersError) as refused:
        levels.recompute_trainer(trainer.user_id, actor=someone)
    assert refused.value.status == 403
    assert refresh(trainer).level == "beginner"


def test_override_to_an_unknown_level_is_refused(make_trainer, staff):
    trainer = make_trainer()
    with pytest.raises(api.TrainersError) as refused:
        levels.override_level(trainer.user_id, "grandmaster", staff, "Deserved")
    assert (refused.value.code, refused.value.status) == ("unknown_level", 400)


def test_staff_actions_on_someone_not_an_active_trainer(make_user, make_trainer, staff):
    nobody = make_user()
    applicant = make_trainer()
    TrainerProfile.objects.filter(pk=applicant.pk).update(status=TrainerProfile.Status.APPLICANT)
    for user in (nobody, applicant.user):
        with pytest.raises(api.TrainersError) as refused:
            levels.lock_level(user, staff, "Because")
        assert (refused.value.code, refused.value.status) == ("trainer_not_found", 404)
    assert not TrainerProfile.objects.filter(user=nobody).exists(), "no profile is created on the way"
    with pytest.raises(api.TrainersError) as refused:
        levels.recompute_trainer(nobody, actor=staff)
    assert refused.value.status == 404


def test_recompute_trainer_on_demand(make_trainer, staff, emails):
    trainer, other = make_trainer(), make_trainer()
    add_activity(trainer.user_id, 10)
    add_activity(other.user_id, 10)

    summary = levels.recompute_trainer(trainer.user, actor=staff)

    assert summary.trainers == 1 and summary.promoted == 1
    assert refresh(trainer).level == "intermediate" and refresh(other).level == "beginner"


# --- the audit trail -------------------------------------------------------------------------------------------------


def test_every_change_is_logged_with_its_figures(make_trainer, staff, emails):
    trainer = make_trainer()
    add_activity(trainer.user_id, 20)
    levels.recompute_levels(now=NOW)  # promotion to advanced
    TrainerActivity.objects.filter(pk__in=list(
        TrainerActivity.objects.filter(trainer_id=trainer.user_id).values_list("pk", flat=True)[:5]
    )).delete()  # 15 left: below 20 * 0.9
    levels.recompute_levels(now=NOW + timedelta(days=1))  # warning
    levels.recompute_levels(now=NOW + timedelta(days=15))  # demotion to intermediate
    levels.lock_level(trainer.user_id, staff, "Investigation")
    levels.override_level(trainer.user_id, "advanced", staff, "Investigation closed")

    history = api.level_history(trainer.user)

    assert [entry.kind for entry in history] == ["override", "lock", "demotion", "warning", "promotion"]
    for entry in history:
        assert "sessions_delivered" in entry.metrics and "computed_at" in entry.metrics
    promotion, warning, demotion = history[4], history[3], history[2]
    assert promotion.metrics["sessions_delivered"] == 20 and promotion.thresholds["sessions_delivered"] == 20
    assert warning.metrics["sessions_delivered"] == 15 and warning.unmet == ("sessions_delivered",)
    assert demotion.to_level == "intermediate" and demotion.thresholds == {"sessions_delivered": 10}
    assert demotion.to_level_name == "Intermediate" and demotion.kind_label == "Demotion"
    assert history[0].actor_id == staff.pk and history[0].actor_name == staff.username
    assert history[0].reason == "Investigation closed" and history[4].actor_id is None


def test_history_of_someone_without_a_profile_is_empty(make_user):
    assert levels.level_history(make_user()) == []


# --- standing --------------------------------------------------------------------------------------------------------


def test_standing_criterion_by_criterion(make_trainer, emails):
    trainer = make_trainer("intermediate", probation_until=NOW + timedelta(days=3))
    add_activity(trainer.user_id, 9)
    add_activity(trainer.user_id, 1, outcome="trainer_no_show")

    standing = api.trainer_standing(trainer.user, now=NOW)

    assert (standing.level, standing.level_name, standing.rank) == ("intermediate", "Intermediate", 1)
    assert (standing.next_level, standing.next_level_name) == ("advanced", "Advanced")
    assert standing.on_probation and standing.probation_until == NOW + timedelta(days=3)
    assert not standing.locked and standing.warning_deadline is None
    sessions, no_shows = standing.criteria
    assert (sessions.key, sessions.label, sessions.kind, sessions.value) == (
        "sessions_delivered", "Sessions delivered", "min", 9)
    assert (sessions.threshold, sessions.floor, sessions.next_threshold) == (10, 9, 20)
    assert (sessions.met_current, sessions.above_floor, sessions.met_next) == (False, True, False)
    assert (no_shows.key, no_shows.kind, no_shows.value) == ("no_show_rate", "max", 0.1)
    assert (no_shows.threshold, no_shows.floor, no_shows.next_threshold) == (None, None, 0.1)
    assert (no_shows.met_current, no_shows.above_floor, no_shows.met_next) == (None, None, True)


def test_standing_shows_the_warning_deadline_and_the_top(make_trainer, emails):
    trainer = make_trainer("expert")
    add_activity(trainer.user_id, 30)
    levels.recompute_levels(now=NOW)

    standing = levels.trainer_standing(trainer.user_id, now=NOW)

    assert standing.warning_at == NOW and standing.warning_deadline == NOW + timedelta(days=14)
    assert standing.next_level is None and standing.next_level_name is None
    assert [criterion.next_threshold for criterion in standing.criteria] == [None, None]
    assert standing.criteria[0].above_floor is False


def test_no_standing_for_someone_not_an_active_trainer(make_user):
    assert levels.trainer_standing(make_user()) is None


# --- batches and queries --------------------------------------------------------------------------------------------


def _recompute_queries(make_trainer, make_user, trainers: int) -> int:
    learner = make_user()
    for _ in range(trainers):
        trainer = make_trainer()
        add_activity(trainer.user_id, 10, learner_id=learner.pk)
        add_activity(trainer.user_id, 1, kind="review", learner_id=learner.pk, turnaround_seconds=3600)
        add_rating(trainer.user_id, 4)
    with CaptureQueriesContext(connection) as queries:
        summary = levels.recompute_levels(now=NOW)
    assert summary.promoted == trainers and summary.batches == 1
    TrainerProfile.objects.update(status=TrainerProfile.Status.SUSPENDED)  # out of the next run
    return len(queries)


def test_recompute_queries_do_not_grow_with_the_trainers(make_trainer, make_user, emails, passed):
    few = _recompute_queries(make_trainer, make_user, 5)
    many = _recompute_queries(make_trainer, make_user, 40)

    assert few == many
    assert few <= 15


def test_steady_state_queries_do_not_grow_with_the_trainers(make_trainer, make_user, emails, passed):
    def steady(trainers: int) -> int:
        for _ in range(trainers):
            add_activity(make_trainer().user_id, 3)
        with CaptureQueriesContext(connection) as queries:
            summary = levels.recompute_levels(now=NOW)
        assert summary.unchanged == trainers
        TrainerProfile.objects.update(status=TrainerProfile.Status.SUSPENDED)
        return len(queries)

    assert steady(5) == steady(40)


def test_recompute_runs_in_batches(make_trainer, monkeypatch, emails):
    monkeypatch.setattr(levels, "BATCH_SIZE", 2)
    trainers = [make_trainer() for _ in range(5)]
    for trainer in trainers:
        add_activity(trainer.user_id, 10)

    summary = levels.recompute_levels(now=NOW)

    assert summary.batches == 3 and summary.promoted == 5
    assert all(refresh(trainer).level == "intermediate" for trainer in trainers)


# --- the command and the first level ---------------------------------------------------------------------------------


def test_command_recomputes_the_trainers_named(make_trainer, emails, capsys):
    named, other = make_trainer(), make_trainer()
    add_activity(named.user_id, 10)
    add_activity(other.user_id, 10)

    call_command("mentora_recompute_levels", "--trainer", named.user.username)

    assert refresh(named).level == "intermediate" and refresh(other).level == "beginner"
    assert "Recomputed 1 trainers in 1 batches" in capsys.readouterr().out


def test_command_refuses_an_unknown_username(db):
    with pytest.raises(CommandError, match="nobody_here"):
        call_command("mentora_recompute_levels", "--trainer", "nobody_here")


def test_command_recomputes_everyone_by_default(make_trainer, emails, capsys):
    for _ in range(3):
        add_activity(make_trainer().user_id, 10)

    call_command("mentora_recompute_levels")

    assert "3 promoted" in capsys.readouterr().out


def test_start_first_level_puts_a_new_trainer_on_probation(make_user, settings):
    settings.MENTORA_TRAINER_PROBATION_DAYS = 30
    user = make_user()

    levels.start_first_level(user)

    profile = TrainerProfile.objects.get(user=user)
    assert (profile.status, profile.level) == (TrainerProfile.Status.ACTIVE, "beginner")
    assert profile.probation_until - profile.activated_at == timedelta(days=30)
    assert changes(profile) == [("initial", "", "beginner")]
