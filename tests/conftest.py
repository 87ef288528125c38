"""Shared fixtures: the platform's events as the LMS sends them, and people."""
from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from celery import current_app
from django.contrib.auth import get_user_model
from django.utils import translation
from edx_django_utils.cache import RequestCache
from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.data import CourseData, CourseEnrollmentData, UserData, UserPersonalData
from openedx_events.tooling import OpenEdxPublicSignal

COURSE = CourseKey.from_string("course-v1:TestOrg+T101+2026")
OTHER_COURSE = CourseKey.from_string("course-v1:TestOrg+T102+2026")

_usernames = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_request_cache():
    """Each test starts as a new request would: nothing remembered from an earlier test's (reused) user ids."""
    RequestCache.clear_all_namespaces()
    yield
    RequestCache.clear_all_namespaces()


@pytest.fixture(autouse=True)
def _english_unless_asked():
    """Each test starts in the default language: a test that switched to French (a page, an email) leaks nothing."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _events_raise():
    """Receiver errors propagate in tests (openedx-events swallows them in production)."""
    for signal in OpenEdxPublicSignal.all_events():
        signal.allow_send_event_failure()
    yield


@pytest.fixture
def eager_celery():
    """
    Run Celery tasks in-process, their errors raised (what the test settings' CELERY_TASK_ALWAYS_EAGER means);
    left as found afterwards. A module wanting it for every test: ``pytest.mark.usefixtures("eager_celery")``.
    """
    conf = current_app.conf
    before = (conf.task_always_eager, conf.task_eager_propagates)
    conf.task_always_eager, conf.task_eager_propagates = True, True
    yield
    conf.task_always_eager, conf.task_eager_propagates = before


@pytest.fixture
def preferences(monkeypatch):
    """The LMS's account preferences, per user id: {user_id: {"pref-lang": "fr", "time_zone": "..."}}."""
    from mentora_plugin.host import compat

    prefs: dict[int, dict[str, str]] = {}
    monkeypatch.setattr(compat, "get_user_preference", lambda user, key: prefs.get(user.pk, {}).get(key))
    return prefs


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a call, then what its commit queues (the tasks), as a worker would."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


@pytest.fixture
def make_user(db):
    def make(username: str | None = None, **fields):
        username = username or f"user{next(_usernames)}"
        return get_user_model().objects.create(username=username, email=f"{username}@example.com", **fields)

    return make


def user_data(user) -> UserData:
    return UserData(
        id=user.pk, is_active=True, pii=UserPersonalData(username=user.username, email=user.email, name="")
    )


def enrollment_data(user, course_key=COURSE, mode="audit", is_active=True) -> CourseEnrollmentData:
    return CourseEnrollmentData(
        user=user_data(user),
        course=CourseData(course_key=course_key, display_name="Test course"),
        mode=mode,
        is_active=is_active,
        creation_date=datetime.now(UTC),
    )


def at(minutes: int) -> datetime:
    """A fixed event time, ``minutes`` after a reference instant."""
    return datetime(2026, 11, 1, 12, 0, tzinfo=UTC) + timedelta(minutes=minutes)


def soon_in_paris(hours: int = 3) -> datetime:
    """
    A whole hour a few hours ahead in Paris whose session (an hour at most) ends the same Paris day: the tests that
    need a booking inside the cancellation cut-off give that day an all-day extra window, at any time of day.
    """
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    start = (timezone.now().astimezone(ZoneInfo("Europe/Paris")) + timedelta(hours=hours)).replace(
        minute=0, second=0, microsecond=0
    )
    return start + timedelta(hours=1) if start.hour == 23 else start
