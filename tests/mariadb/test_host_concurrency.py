"""
The host projections and the trainer role under real concurrency, on MariaDB.

In production many LMS and Studio processes receive the platform's events and staff actions at the same moment,
over one MySQL database. Each test here starts 32 threads together (a barrier), each with its own connection, and
checks what the design promises: exclusion comes from unique constraints and row locks, so the rows converge on
the platform's latest state, with exactly one row per key, and no database error reaches the caller.
"""
from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from openedx_events.learning.signals import (
    COURSE_ENROLLMENT_CHANGED,
    COURSE_ENROLLMENT_CREATED,
    COURSE_UNENROLLMENT_COMPLETED,
)

from mentora_plugin.host import api
from mentora_plugin.host.data import CourseRole
from mentora_plugin.host.models import Enrollment, TrainerGrant
from tests.conftest import COURSE, OTHER_COURSE, at, enrollment_data
from tests.mariadb.conftest import THREADS

pytestmark = [pytest.mark.mariadb, pytest.mark.django_db(transaction=True)]

User = get_user_model()


def _user(username: str):
    return User.objects.create(username=username, email=f"{username}@example.com")


def _enrollment_state(user_id: int, course_key=COURSE) -> list[tuple[str, bool, object]]:
    """Every row for the user and course (the test asserts there is exactly one), as (mode, is_active, time)."""
    return list(
        Enrollment.objects.filter(user_id=user_id, course_key=course_key).values_list(
            "mode", "is_active", "last_event_at"
        )
    )


class TestEnrollmentUpserts:
    @pytest.mark.parametrize("seed", range(3))
    def test_one_enrollment_from_32_threads_keeps_the_latest_event(self, race, seed):
        """
        32 events for the same enrollment, each with its own time, mode and activity, arrive at once.

        Exactly one row must remain, and it must hold the state of the latest event, whichever thread ran it and
        in whatever order the statements interleaved.
        """
        learner = _user(f"learner-{seed}")
        minutes = list(range(THREADS))
        random.Random(seed).shuffle(minutes)  # the latest event is in a different thread each round

        outcome = race(
            lambda index: api.record_enrollment(
                learner.pk, COURSE, f"mode-{minutes[index]}", minutes[index] % 3 != 0, at(minutes[index])
            )
        )

        outcome.assert_no_errors()
        latest = max(minutes)
        assert _enrollment_state(learner.pk) == [(f"mode-{latest}", latest % 3 != 0, at(latest))]

    def test_32_enrollments_with_duplicates_from_32_threads(self, race):
        """
        32 different enrollments (16 learners in 2 courses), each recorded three times by different threads with
        different times, all at once: exactly 32 rows, each with the state of its latest event, and no
        IntegrityError escaping from the insert races.
        """
        learners = [_user(f"learner-{index}") for index in range(THREADS // 2)]
        pairs = [(learner.pk, course) for learner in learners for course in (COURSE, OTHER_COURSE)]
        assert len(pairs) == THREADS
        rng = random.Random(42)
        minutes = rng.sample(range(1000), THREADS * 3)  # one distinct time per event: no ties
        # Thread t records pairs t, t+1 and t+11: every pair is recorded by three threads.
        work = {
            thread: [
                (pairs[(thread + offset) % THREADS], minutes[thread * 3 + position])
                for position, offset in enumerate((0, 1, 11))
            ]
            for thread in range(THREADS)
        }
        for events in work.values():
            rng.shuffle(events)

        def record(thread: int) -> None:
            for (user_id, course), minute in work[thread]:
                api.record_enrollment(user_id, course, f"mode-{minute}", minute % 2 == 0, at(minute))

        outcome = race(record)

        outcome.assert_no_errors()
        latest: dict[tuple, int] = {}
        for events in work.values():
            for pair, minute in events:
                latest[pair] = max(latest.get(pair, -1), minute)
        assert Enrollment.objects.count() == THREADS
        for (user_id, course), minute in latest.items():
            assert _enrollment_state(user_id, course) == [(f"mode-{minute}", minute % 2 == 0, at(minute))], (
                f"user {user_id} in {course}"
            )


def _enroll(user, time, mode):
    """What the LMS sends on every enroll and re-enroll: CHANGED, then CREATED a moment later, same state."""
    data = enrollment_data(user, COURSE, mode=mode, is_active=True)
    COURSE_ENROLLMENT_CHANGED.send_event(time=time, enrollment=data)
    COURSE_ENROLLMENT_CREATED.send_event(time=time + timedelta(milliseconds=1), enrollment=data)


def _unenroll(user, time, mode):
    """What the LMS sends on unenroll: CHANGED (inactive), then UNENROLLMENT_COMPLETED a moment later."""
    data = enrollment_data(user, COURSE, mode=mode, is_active=False)
    COURSE_ENROLLMENT_CHANGED.send_event(time=time, enrollment=data)
    COURSE_UNENROLLMENT_COMPLETED.send_event(time=time + timedelta(milliseconds=1), enrollment=data)


class TestEnrollmentEvents:
    @pytest.mark.parametrize("learner_count", [1, 8])
    def test_changed_then_created_pairs_from_many_threads(self, race, learner_count):
        """
        The real openedx-events signals, through Mentora's receivers: each thread sends one enroll
        (CHANGED + CREATED) or unenroll (CHANGED + UNENROLLMENT_COMPLETED) pair, for one learner (32 pairs racing on
        one row) or eight (4 pairs each). Each learner ends with one row holding their latest action.
        """
        learners = [_user(f"learner-{index}") for index in range(learner_count)]
        rng = random.Random(learner_count)
        minutes = rng.sample(range(1000), THREADS)
        actions = [
            (learners[index % learner_count], minutes[index], rng.choice([_enroll, _enroll, _unenroll]))
            for index in range(THREADS)
        ]

        def act(index: int) -> None:
            learner, minute, action = actions[index]
            action(learner, at(minute), f"mode-{minute}")

        outcome = race(act)

        outcome.assert_no_errors()
        assert Enrollment.objects.count() == learner_count
        for learner in learners:
            minute, action = max((minute, action) for who, minute, action in actions if who == learner)
            expected = (f"mode-{minute}", action is _enroll, at(minute) + timedelta(milliseconds=1))
            assert _enrollment_state(learner.pk) == [expected], learner.username
            assert api.is_enrolled(learner, COURSE) is (action is _enroll)


class TestTrainerRole:
    def test_32_grants_of_the_same_role_make_one_grant(self, race):
        """Staff double-clicking in many tabs: one grant, every call succeeds and reports that same grant."""
        staff, trainer = _user("staff"), _user("trainer")

        outcome = race(
            lambda index: api.grant_trainer_role(COURSE, trainer, granted_by=staff, reason=f"reason-{index}")
        )

        outcome.assert_no_errors()
        grants = list(TrainerGrant.objects.filter(user=trainer, course_key=COURSE))
        assert len(grants) == 1
        grant = grants[0]
        assert (grant.is_active, grant.granted_by_id, grant.revoked_at) == (True, staff.pk, None)
        assert grant.reason in {f"reason-{index}" for index in range(THREADS)}
        assert {info.granted_at for info in outcome.results.values()} == {grant.granted_at}
        assert api.get_course_roles(trainer, COURSE) == {CourseRole.TRAINER}

    @pytest.mark.parametrize("granted_before", [False, True], ids=["from-nothing", "from-a-grant"])
    def test_grants_and_revokes_racing_converge_on_a_valid_grant(self, race, granted_before):
        """
        16 grants and 16 revokes at once. Whichever wins, one row remains and it is coherent: an active grant
        carries no revocation; a revoked one carries the revocation that won. The role answers agree with it, and
        the next grant or revoke works as usual.
        """
        staff, trainer = _user("staff"), _user("trainer")
        if granted_before:
            api.grant_trainer_role(COURSE, trainer, granted_by=staff, reason="initial")

        def act(index: int):
            if index % 2:
                return api.revoke_trainer_role(COURSE, trainer, revoked_by=staff, reason=f"revoke-{index}")
            return api.grant_trainer_role(COURSE, trainer, granted_by=staff, reason=f"grant-{index}")

        outcome = race(act)

        outcome.assert_no_errors()
        grants = list(TrainerGrant.objects.filter(user=trainer, course_key=COURSE))
        assert len(grants) == 1
        grant = grants[0]
        if grant.is_active:
            assert grant.reason.startswith("grant-")
            assert (grant.revoked_by_id, grant.revoked_at, grant.revoke_reason) == (None, None, "")
        else:
            assert grant.revoke_reason.startswith("revoke-")
            assert grant.revoked_by_id == staff.pk and grant.revoked_at is not None
        if granted_before:
            # The grant was active when the race began, so some revoke found it active.
            assert any(result is True for index, result in outcome.results.items() if index % 2)
        assert (CourseRole.TRAINER in api.get_course_roles(trainer, COURSE)) is grant.is_active

        assert api.revoke_trainer_role(COURSE, trainer, revoked_by=staff) is grant.is_active
        assert not TrainerGrant.objects.get(user=trainer, course_key=COURSE).is_active
        api.grant_trainer_role(COURSE, trainer, granted_by=staff, reason="after")
        after = TrainerGrant.objects.get(user=trainer, course_key=COURSE)
        assert (after.is_active, after.reason, after.revoked_at) == (True, "after", None)
