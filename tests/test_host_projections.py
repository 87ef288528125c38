"""
The host projections, fed by the real openedx-events signals in every order and repetition the platform produces.
"""
from __future__ import annotations

import itertools
import logging

import attr
import pytest
from opaque_keys.edx.keys import CourseKey
from openedx_events.content_authoring.data import CourseCatalogData, CourseData, CourseScheduleData
from openedx_events.content_authoring.signals import COURSE_CATALOG_INFO_CHANGED, COURSE_CREATED
from openedx_events.learning.data import CourseAccessRoleData
from openedx_events.learning.signals import (
    COURSE_ACCESS_ROLE_ADDED,
    COURSE_ACCESS_ROLE_REMOVED,
    COURSE_ENROLLMENT_CHANGED,
    COURSE_ENROLLMENT_CREATED,
    COURSE_UNENROLLMENT_COMPLETED,
)

from mentora_plugin.host import api
from mentora_plugin.host.data import CourseRole
from mentora_plugin.host.models import Course, CourseAccessRole, Enrollment
from tests.conftest import COURSE, OTHER_COURSE, at, enrollment_data, user_data

pytestmark = pytest.mark.django_db


def enroll(user, time, mode="audit", course=COURSE):
    """What the LMS sends on every enroll and re-enroll: CHANGED, then CREATED, with the same state."""
    data = enrollment_data(user, course, mode=mode, is_active=True)
    COURSE_ENROLLMENT_CHANGED.send_event(time=time, enrollment=data)
    COURSE_ENROLLMENT_CREATED.send_event(time=time, enrollment=data)


def unenroll(user, time, mode="audit", course=COURSE):
    """What the LMS sends on unenroll: CHANGED (inactive), then UNENROLLMENT_COMPLETED."""
    data = enrollment_data(user, course, mode=mode, is_active=False)
    COURSE_ENROLLMENT_CHANGED.send_event(time=time, enrollment=data)
    COURSE_UNENROLLMENT_COMPLETED.send_event(time=time, enrollment=data)


def state(user, course=COURSE):
    row = Enrollment.objects.get(user=user, course_key=course)
    return row.mode, row.is_active


class TestEnrollmentEvents:
    def test_enroll_creates_one_active_enrollment(self, make_user):
        learner = make_user()
        enroll(learner, at(0), mode="verified")
        assert state(learner) == ("verified", True)
        assert Enrollment.objects.count() == 1
        assert api.is_enrolled(learner, COURSE)
        assert not api.is_enrolled(learner, OTHER_COURSE)

    def test_unenroll_then_reenroll(self, make_user):
        learner = make_user()
        enroll(learner, at(0))
        unenroll(learner, at(1))
        assert state(learner) == ("audit", False)
        assert not api.is_enrolled(learner, COURSE)
        enroll(learner, at(2), mode="verified")
        assert state(learner) == ("verified", True)
        assert Enrollment.objects.count() == 1

    def test_unenrollment_completed_deactivates_even_if_the_event_says_active(self, make_user):
        learner = make_user()
        enroll(learner, at(0))
        COURSE_UNENROLLMENT_COMPLETED.send_event(time=at(1), enrollment=enrollment_data(learner, is_active=True))
        assert state(learner) == ("audit", False)

    def test_mode_change(self, make_user):
        learner = make_user()
        enroll(learner, at(0), mode="audit")
        COURSE_ENROLLMENT_CHANGED.send_event(time=at(5), enrollment=enrollment_data(learner, mode="verified"))
        assert state(learner) == ("verified", True)

    def test_replayed_events_change_nothing(self, make_user):
        learner = make_user()
        for _ in range(3):
            enroll(learner, at(0), mode="verified")
        assert Enrollment.objects.count() == 1
        assert state(learner) == ("verified", True)

    @pytest.mark.parametrize(
        "order", list(itertools.permutations(["enroll", "unenroll", "reenroll-verified"])), ids=str
    )
    def test_every_delivery_order_converges_on_the_latest_state(self, make_user, order):
        """Whatever order the event bus delivers them in, the projection ends as the last event says."""
        learner = make_user()
        actions = {
            "enroll": lambda: enroll(learner, at(0), mode="audit"),
            "unenroll": lambda: unenroll(learner, at(1), mode="audit"),
            "reenroll-verified": lambda: enroll(learner, at(2), mode="verified"),
        }
        for name in order:
            actions[name]()
        assert state(learner) == ("verified", True)

    def test_a_late_event_never_overwrites_a_newer_state(self, make_user):
        learner = make_user()
        unenroll(learner, at(10))
        enroll(learner, at(5), mode="verified")  # delivered late
        assert state(learner) == ("audit", False)

    def test_events_for_different_courses_stay_apart(self, make_user):
        learner = make_user()
        enroll(learner, at(0), course=COURSE)
        enroll(learner, at(0), course=OTHER_COURSE, mode="verified")
        unenroll(learner, at(1), course=COURSE)
        assert state(learner, COURSE) == ("audit", False)
        assert state(learner, OTHER_COURSE) == ("verified", True)

    def test_unknown_user_is_recorded_without_failing_the_platform(self, make_user):
        """An enrollment for a user this service has not seen (event bus) is kept and joins them later."""
        ghost = make_user()
        data = enrollment_data(ghost)
        ghost_id = ghost.pk
        ghost.delete()
        COURSE_ENROLLMENT_CREATED.send_event(time=at(0), enrollment=data)
        assert Enrollment.objects.filter(user_id=ghost_id, is_active=True).count() == 1
        assert list(api.get_course_learners(COURSE)) == []


class TestMalformedEvents:
    @pytest.mark.parametrize(
        ("field", "value", "code"),
        [
            ("course_key", "not a course key", "invalid_course_key"),
            ("user_id", -4, "invalid_record"),
            ("user_id", "12", "invalid_record"),
            ("mode", "", "invalid_record"),
            ("mode", "x" * 101, "invalid_record"),
            ("is_active", "yes", "invalid_record"),
        ],
    )
    def test_rejected_logged_and_nothing_changes(self, make_user, caplog, field, value, code):
        learner = make_user()
        enroll(learner, at(0), mode="verified")
        data = enrollment_data(learner, mode="honor")
        if field == "course_key":
            data = attr.evolve(data, course=attr.evolve(data.course, course_key=value))
        elif field == "user_id":
            data = attr.evolve(data, user=attr.evolve(data.user, id=value))
        else:
            data = attr.evolve(data, **{field: value})
        logs = caplog.at_level(logging.ERROR, logger="mentora_plugin.host.handlers")
        with logs, pytest.raises(api.HostError) as error:
            COURSE_ENROLLMENT_CHANGED.send_event(time=at(1), enrollment=data)
        assert error.value.code == code
        assert "COURSE_ENROLLMENT_CHANGED" in caplog.text or "enrollment.changed" in caplog.text
        assert state(learner) == ("verified", True)
        assert Enrollment.objects.count() == 1

    def test_in_production_the_platform_request_is_not_failed(self, make_user, settings):
        """openedx-events swallows receiver errors when failures are not allowed: the platform goes on."""
        learner = make_user()
        data = enrollment_data(learner)
        data = attr.evolve(data, course=attr.evolve(data.course, course_key="garbage"))
        COURSE_ENROLLMENT_CREATED._allow_send_event_failure = False
        try:
            responses = COURSE_ENROLLMENT_CREATED.send_event(time=at(0), enrollment=data)
        finally:
            COURSE_ENROLLMENT_CREATED.allow_send_event_failure()
        errors = [response for _receiver, response in responses if isinstance(response, Exception)]
        assert len(errors) == 1 and isinstance(errors[0], api.InvalidCourseKeyError)
        assert not Enrollment.objects.exists()


def role_data(user, role, course=COURSE, org=None):
    return CourseAccessRoleData(user=user_data(user), org_key=org or course.org, course_key=course, role=role)


class TestCourseRoleEvents:
    def test_added_then_removed(self, make_user):
        staff = make_user()
        COURSE_ACCESS_ROLE_ADDED.send_event(time=at(0), course_access_role_data=role_data(staff, "staff"))
        assert api.get_course_roles(staff, COURSE) == {CourseRole.STAFF}
        COURSE_ACCESS_ROLE_REMOVED.send_event(time=at(1), course_access_role_data=role_data(staff, "staff"))
        assert api.get_course_roles(staff, COURSE) == frozenset()
        assert CourseAccessRole.objects.get().is_active is False

    def test_a_late_added_event_cannot_resurrect_a_removed_role(self, make_user):
        staff = make_user()
        COURSE_ACCESS_ROLE_REMOVED.send_event(time=at(5), course_access_role_data=role_data(staff, "instructor"))
        COURSE_ACCESS_ROLE_ADDED.send_event(time=at(1), course_access_role_data=role_data(staff, "instructor"))
        assert api.get_course_roles(staff, COURSE) == frozenset()

    def test_organisation_wide_role_applies_to_every_course_of_the_org(self, make_user):
        staff = make_user()
        data = CourseAccessRoleData(user=user_data(staff), org_key=COURSE.org, course_key=None, role="instructor")
        COURSE_ACCESS_ROLE_ADDED.send_event(time=at(0), course_access_role_data=data)
        assert api.get_course_role(staff, COURSE) == CourseRole.INSTRUCTOR
        assert api.get_course_role(staff, OTHER_COURSE) == CourseRole.INSTRUCTOR
        other_org = CourseKey.from_string("course-v1:ElseWhere+E1+2026")
        assert api.get_course_role(staff, other_org) is None

    def test_org_that_does_not_match_the_course_is_rejected(self, make_user):
        staff = make_user()
        with pytest.raises(api.InvalidRecordError):
            COURSE_ACCESS_ROLE_ADDED.send_event(
                time=at(0), course_access_role_data=role_data(staff, "staff", org="SomeoneElse")
            )
        assert not CourseAccessRole.objects.exists()

    def test_platform_roles_can_make_trainers_by_setting(self, make_user, settings):
        staff = make_user()
        COURSE_ACCESS_ROLE_ADDED.send_event(time=at(0), course_access_role_data=role_data(staff, "staff"))
        assert CourseRole.TRAINER not in api.get_course_roles(staff, COURSE)
        settings.MENTORA_TRAINER_ROLES_FROM_PLATFORM = ["staff", "instructor"]
        api.forget_cached_roles()
        assert api.get_course_roles(staff, COURSE) == {CourseRole.STAFF, CourseRole.TRAINER}
        assert list(api.get_course_trainers(COURSE)) == [staff]


class TestCourseEvents:
    def test_created_then_catalog_info(self):
        COURSE_CREATED.send_event(time=at(0), course=CourseData(course_key=COURSE))
        assert api.get_course(COURSE).title == str(COURSE)
        COURSE_CATALOG_INFO_CHANGED.send_event(
            time=at(1),
            catalog_info=CourseCatalogData(
                course_key=COURSE, name="Mentoring 101", schedule_data=CourseScheduleData(start=at(60), pacing="self")
            ),
        )
        course = api.get_course(COURSE)
        assert (course.title, course.org, course.start) == ("Mentoring 101", "TestOrg", at(60))

    def test_catalog_info_before_created_keeps_the_title(self):
        """Studio's two events may arrive in either order through the event bus."""
        COURSE_CATALOG_INFO_CHANGED.send_event(
            time=at(1),
            catalog_info=CourseCatalogData(
                course_key=COURSE, name="Mentoring 101", schedule_data=CourseScheduleData(start=at(60), pacing="self")
            ),
        )
        COURSE_CREATED.send_event(time=at(0), course=CourseData(course_key=COURSE))
        assert api.get_course(COURSE).title == "Mentoring 101"
        assert Course.objects.count() == 1


class TestQueryBudget:
    """The LMS pays for every receiver inside its enrollment request: at most three statements per event."""

    def test_each_enrollment_event_costs_at_most_three_queries(self, make_user):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        learner = make_user()
        sends = [
            lambda: COURSE_ENROLLMENT_CHANGED.send_event(time=at(0), enrollment=enrollment_data(learner)),
            lambda: COURSE_ENROLLMENT_CREATED.send_event(time=at(0), enrollment=enrollment_data(learner)),
            lambda: COURSE_ENROLLMENT_CHANGED.send_event(
                time=at(1), enrollment=enrollment_data(learner, mode="verified")
            ),
            lambda: COURSE_UNENROLLMENT_COMPLETED.send_event(time=at(2), enrollment=enrollment_data(learner)),
            lambda: COURSE_ENROLLMENT_CREATED.send_event(time=at(-5), enrollment=enrollment_data(learner)),
        ]
        counts = []
        for send in sends:
            with CaptureQueriesContext(connection) as queries:
                send()
            counts.append(len(queries))
        assert counts == [3, 1, 1, 1, 3]
        assert state(learner) == ("audit", False)
