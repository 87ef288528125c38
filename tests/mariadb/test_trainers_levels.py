"""
Trainers' levels on MariaDB: the recompute's aggregates run there (MariaDB has no ``FILTER`` clause: Django writes
``CASE WHEN`` instead), and a recompute racing a staff override on the same trainer never loses the override.

What makes the race safe is the profile row lock: the recompute locks its batch's profiles (one ``SELECT ... FOR
UPDATE``) before it reads their level, and an override locks its trainer's profile before it writes. Whichever
comes second sees the first one's result: either the override lands on top of a promotion, or the recompute finds
the level locked and only refreshes the figures. Without the lock, a recompute that read "beginner, unlocked" just
before the override committed would write its promotion over it.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from mentora_plugin.trainers import levels, metrics, notifications
from mentora_plugin.trainers.models import LevelChange, TrainerActivity, TrainerProfile, TrainerRating
from tests.conftest import COURSE

pytestmark = [pytest.mark.mariadb, pytest.mark.django_db(transaction=True)]

User = get_user_model()
LADDER = [
    {"key": "beginner", "criteria": {}},
    {"key": "intermediate", "criteria": {"sessions_delivered": 10}},
    {"key": "advanced", "criteria": {"sessions_delivered": 20, "distinct_learners": 3, "no_show_rate": 0.1}},
    {"key": "expert", "criteria": {"sessions_delivered": 40, "distinct_learners": 5, "no_show_rate": 0.05}},
]
ROUNDS = 8


@pytest.fixture(autouse=True)
def _ladder(settings, monkeypatch):
    settings.MENTORA_TRAINER_LEVELS = LADDER
    settings.MENTORA_TRAINER_DEMOTION_FLOOR = 0.9
    settings.MENTORA_TRAINER_DEMOTION_GRACE_DAYS = 14
    # The emails are the notifications' business (and their own tests'); here only the levels are raced.
    monkeypatch.setattr(notifications, "notify", lambda kind, recipient, dedupe_key, /, **context: None)


def _trainer(name: str, level: str = "beginner", sessions: int = 0, learners: tuple = (), **fields) -> TrainerProfile:
    user = User.objects.create(username=name)
    profile = TrainerProfile.objects.create(user=user, status=TrainerProfile.Status.ACTIVE, level=level, **fields)
    when = timezone.now() - timedelta(days=1)
    TrainerActivity.objects.bulk_create(
        TrainerActivity(
            kind="session", source_id=f"{name}-{index}", trainer=user,
            learner=learners[index % len(learners)] if learners else None, course_key=COURSE, occurred_at=when,
        )
        for index in range(sessions)
    )
    return profile


def test_recompute_decides_on_mariadb():
    learners = [User.objects.create(username=f"learner{index}") for index in range(5)]
    climber = _trainer("climber", sessions=45, learners=tuple(learners))
    narrow = _trainer("narrow", sessions=45, learners=tuple(learners[:2]))  # 2 learners: intermediate only
    slipping = _trainer("slipping", "intermediate", sessions=5)
    late = _trainer("late", "advanced", sessions=12, level_warning_at=timezone.now() - timedelta(days=15))
    TrainerActivity.objects.create(
        kind="session", source_id="climber-absent", trainer=climber.user, course_key=COURSE,
        occurred_at=timezone.now() - timedelta(days=2), outcome=TrainerActivity.Outcome.TRAINER_NO_SHOW,
    )
    rated = TrainerActivity.objects.filter(trainer=climber.user).first()
    TrainerRating.objects.create(activity=rated, trainer=climber.user, stars=5, created=timezone.now())

    summary = levels.recompute_levels()

    assert (summary.trainers, summary.promoted, summary.warned, summary.demoted) == (4, 2, 1, 1)
    figures = metrics.compute_metrics([climber.user_id, narrow.user_id], timezone.now())
    assert figures[climber.user_id].distinct_learners == 5 and figures[narrow.user_id].distinct_learners == 2
    assert figures[climber.user_id].no_show_rate == pytest.approx(1 / 46)
    assert (figures[climber.user_id].rating_count, figures[climber.user_id].rating_sum) == (1, 5)
    levels_now = dict(TrainerProfile.objects.values_list("user__username", "level"))
    assert levels_now == {"climber": "expert", "narrow": "intermediate", "slipping": "intermediate",
                          "late": "intermediate"}
    assert TrainerProfile.objects.get(pk=slipping.pk).level_warning_at is not None
    assert TrainerProfile.objects.get(pk=late.pk).level_warning_at is None
    assert LevelChange.objects.count() == 4


def test_a_recompute_racing_an_override_never_loses_it(race):
    staff = User.objects.create(username="staff", is_staff=True)
    for round_number in range(ROUNDS):
        trainer = _trainer(f"trainer{round_number}", sessions=45)  # the recompute would make them intermediate

        def work(index: int, trainer_id: int = trainer.user_id, round_number: int = round_number):
            if index == 0:
                levels.override_level(trainer_id, "beginner", staff, f"Held back, round {round_number}")
                return "override"
            return levels.recompute_levels([trainer_id])

        outcome = race(work, threads=6)

        outcome.assert_no_errors()
        profile = TrainerProfile.objects.get(pk=trainer.pk)
        assert (profile.level, profile.level_locked) == ("beginner", True), f"round {round_number}"
        assert profile.level_lock_reason == f"Held back, round {round_number}"
        kinds = list(LevelChange.objects.filter(profile=profile).order_by("pk").values_list("kind", flat=True))
        assert kinds[-1] == "override" and kinds.count("override") == 1
        assert kinds in (["override"], ["promotion", "override"]), "at most one promotion, always before"
        assert profile.metrics["sessions_delivered"] == 45, "a locked level still gets fresh figures"


def test_concurrent_recomputes_promote_once(race):
    trainers = [_trainer(f"busy{index}", sessions=12) for index in range(20)]

    outcome = race(lambda index: levels.recompute_levels(), threads=4)

    outcome.assert_no_errors()
    assert sum(summary.promoted for summary in outcome.results.values()) == 20
    assert LevelChange.objects.filter(kind="promotion").count() == 20
    assert set(TrainerProfile.objects.filter(pk__in=[t.pk for t in trainers]).values_list("level", flat=True)) == {
        "intermediate"
    }
