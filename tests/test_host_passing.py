"""
The course-passing projection: the platform's COURSE_PASSING_STATUS_UPDATED, sent as the LMS sends it, kept per
learner and course whatever the order and repetition of delivery; the reads levels and badges use; retirement.
"""
from __future__ import annotations

import itertools

import attr
import pytest
from django.contrib.admin.sites import site
from django.db import connection
from django.test.utils import CaptureQueriesContext
from edx_django_utils.plugins.plugin_signals import connect_plugin_receivers
from openedx_events.learning.data import CourseData, CoursePassingStatusData
from openedx_events.learning.signals import COURSE_PASSING_STATUS_UPDATED

from mentora_plugin.host import api, compat, handlers
from mentora_plugin.host.apps import EVENT_RECEIVERS
from mentora_plugin.host.models import CoursePassingStatus
from tests.conftest import COURSE, OTHER_COURSE, at, user_data

pytestmark = pytest.mark.django_db


def passing_data(user, is_passing: bool, course=COURSE) -> CoursePassingStatusData:
    return CoursePassingStatusData(
        is_passing=is_passing, course=CourseData(course_key=course, display_name="Test course"), user=user_data(user)
    )


def send(user, is_passing: bool, time, course=COURSE) -> None:
    """What the LMS's grades app sends when a learner's grade crosses the pass mark."""
    COURSE_PASSING_STATUS_UPDATED.send_event(time=time, course_passing_status=passing_data(user, is_passing, course))


def row(user, course=COURSE) -> tuple[bool, object]:
    found = CoursePassingStatus.objects.get(user=user, course_key=course)
    return found.is_passing, found.last_event_at


class TestEvents:
    def test_passing_then_failing_then_passing(self, make_user):
        learner = make_user()
        assert not api.has_passed(learner, COURSE)
        send(learner, True, at(0))
        assert api.has_passed(learner, COURSE) and row(learner) == (True, at(0))
        send(learner, False, at(5))
        assert not api.has_passed(learner, COURSE) and row(learner) == (False, at(5))
        send(learner, True, at(9))
        assert api.has_passed(learner.pk, str(COURSE))
        assert CoursePassingStatus.objects.count() == 1

    def test_a_late_event_never_undoes_a_newer_one(self, make_user):
        learner = make_user()
        send(learner, False, at(10))
        send(learner, True, at(3))  # delivered late by the event bus
        assert row(learner) == (False, at(10))
        send(learner, False, at(10))  # a replay of the newest changes nothing
        assert row(learner) == (False, at(10))

    @pytest.mark.parametrize("order", list(itertools.permutations(range(4))))
    def test_every_order_of_delivery_converges(self, make_user, order):
        learner = make_user()
        events = [(True, at(1)), (False, at(2)), (True, at(3)), (True, at(3))]
        for index in order:
            send(learner, *events[index])
        for index in order:  # and a full replay
            send(learner, *events[index])
        assert row(learner) == (True, at(3))

    def test_the_user_need_not_exist_here_yet(self, make_user):
        learner = make_user()
        ghost = attr.evolve(passing_data(learner, True), user=attr.evolve(user_data(learner), id=learner.pk + 1000))
        COURSE_PASSING_STATUS_UPDATED.send_event(time=at(0), course_passing_status=ghost)
        assert CoursePassingStatus.objects.filter(user_id=learner.pk + 1000, is_passing=True).exists()

    def test_a_verdict_that_is_not_a_boolean_is_refused_and_changes_nothing(self, make_user):
        learner = make_user()
        send(learner, True, at(0))
        odd = attr.evolve(passing_data(learner, True), is_passing="maybe")
        with pytest.raises(api.InvalidRecordError):
            COURSE_PASSING_STATUS_UPDATED.send_event(time=at(1), course_passing_status=odd)
        assert row(learner) == (True, at(0))

    def test_a_malformed_event_is_refused_and_nothing_changes(self, make_user, caplog):
        learner = make_user()
        send(learner, True, at(0))
        bad = attr.evolve(passing_data(learner, True), user=attr.evolve(user_data(learner), id=0))
        with pytest.raises(api.InvalidRecordError):
            COURSE_PASSING_STATUS_UPDATED.send_event(time=at(1), course_passing_status=bad)
        assert CoursePassingStatus.objects.count() == 1
        assert "rejected a malformed" in caplog.text

    def test_api_validates_its_input(self, make_user):
        learner = make_user()
        with pytest.raises(api.InvalidRecordError):
            api.record_passing_status(learner.pk, COURSE, "yes", at(0))
        with pytest.raises(api.InvalidCourseKeyError):
            api.record_passing_status(learner.pk, "not a key", True, at(0))
        with pytest.raises(api.InvalidRecordError):
            api.record_passing_status(learner.pk, COURSE, True, at(0).replace(tzinfo=None))
        assert not CoursePassingStatus.objects.exists()


class TestReads:
    def test_passed_courses_of_many_learners(self, make_user):
        first, second, third = make_user(), make_user(), make_user()
        api.record_passing_status(first.pk, COURSE, True, at(0))
        api.record_passing_status(first.pk, OTHER_COURSE, True, at(0))
        api.record_passing_status(second.pk, COURSE, False, at(0))
        assert api.passed_courses([first.pk, second.pk, third.pk]) == {
            first.pk: {COURSE, OTHER_COURSE}, second.pk: set(), third.pk: set(),
        }
        assert api.passed_courses([]) == {}

    def test_one_query_per_thousand_ids(self, make_user):
        learner = make_user()
        api.record_passing_status(learner.pk, COURSE, True, at(0))
        ids = [learner.pk, *range(100_000, 102_500)]
        with CaptureQueriesContext(connection) as queries:
            answer = api.passed_courses(ids)
        assert len(queries) == 3  # 2,501 ids: three chunks
        assert answer[learner.pk] == {COURSE} and len(answer) == 2501

    def test_anonymous_has_passed_nothing(self):
        from django.contrib.auth.models import AnonymousUser

        assert api.has_passed(AnonymousUser(), COURSE) is False
        assert api.has_passed(None, COURSE) is False


class TestBoundaries:
    def test_retirement_erases_the_users_statuses_only(self, make_user):
        leaving, staying = make_user(), make_user()
        for person in (leaving, staying):
            api.record_passing_status(person.pk, COURSE, True, at(0))
        compat.get_retirement_signals()["USER_RETIRE_LMS_CRITICAL"].send(sender=None, user=leaving)
        assert not CoursePassingStatus.objects.filter(user_id=leaving.pk).exists()
        assert api.has_passed(staying, COURSE)

    def test_the_receiver_is_connected_through_the_plugin_machinery(self):
        assert EVENT_RECEIVERS["on_course_passing_status_updated"] == (
            "openedx_events.learning.signals.COURSE_PASSING_STATUS_UPDATED"
        )
        connect_plugin_receivers("lms.djangoapp")  # what the LMS's plugins app does at start-up; idempotent
        refs = [entry[1] for entry in COURSE_PASSING_STATUS_UPDATED.receivers]
        connected = [ref() if callable(ref) and not hasattr(ref, "__code__") else ref for ref in refs]
        assert handlers.on_course_passing_status_updated in connected

    def test_the_model_is_annotated_and_read_only_in_the_admin(self, rf, make_user):
        assert ".. pii_retirement: local_api" in CoursePassingStatus.__doc__
        model_admin = site._registry[CoursePassingStatus]
        request = rf.get("/")
        request.user = make_user(is_staff=True, is_superuser=True)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
