"""
The plugin contract, checked with edx-django-utils' own loader, as the LMS (``lms.djangoapp``) and Studio
(``cms.djangoapp``) use it.
"""
from __future__ import annotations

import subprocess
import sys
import types
from importlib import metadata

import pytest
from django.urls import resolve, reverse
from edx_django_utils.plugins import add_plugins, get_plugin_apps, get_plugin_url_patterns
from edx_django_utils.plugins.plugin_signals import connect_plugin_receivers
from openedx_events.learning.signals import COURSE_ENROLLMENT_CREATED

from mentora_plugin.host import handlers
from mentora_plugin.settings.common import DEFAULTS

PROJECTS = ["lms.djangoapp", "cms.djangoapp"]
MENTORA_APPS = {
    "mentora_plugin.apps.MentoraConfig",
    "mentora_plugin.host.apps.HostConfig",
    "mentora_plugin.booking.apps.BookingConfig",
    "mentora_plugin.trainers.apps.TrainersConfig",
    "mentora_plugin.reviews.apps.ReviewsConfig",
    "mentora_plugin.badges.apps.BadgesConfig",
    "mentora_plugin.communities.apps.CommunitiesConfig",
}


@pytest.mark.parametrize("project", PROJECTS)
def test_every_mentora_app_is_found_through_the_entry_points(project):
    assert set(get_plugin_apps(project)) >= MENTORA_APPS


def test_the_distribution_declares_its_entry_points():
    entry_points = metadata.distribution("mentora").entry_points
    by_group = {(entry.group, entry.name): entry.value for entry in entry_points}
    for project in PROJECTS:
        assert by_group[(project, "mentora")] == "mentora_plugin.apps:MentoraConfig"
        assert by_group[(project, "mentora_host")] == "mentora_plugin.host.apps:HostConfig"
        assert by_group[(project, "mentora_trainers")] == "mentora_plugin.trainers.apps:TrainersConfig"
        assert by_group[(project, "mentora_reviews")] == "mentora_plugin.reviews.apps:ReviewsConfig"
        assert by_group[(project, "mentora_badges")] == "mentora_plugin.badges.apps:BadgesConfig"
        assert by_group[(project, "mentora_communities")] == "mentora_plugin.communities.apps:CommunitiesConfig"
    assert by_group[("xblock.v1", "mentora_project")] == "mentora_xblocks.project:ProjectXBlock"
    assert by_group[("xblock.v1", "mentora_community")] == "mentora_xblocks.community:CommunityXBlock"
    assert ("openedx.course_tab", "mentora") in by_group


def _settings_module(**values) -> types.ModuleType:
    module = types.ModuleType(f"fake_settings_{id(values)}")
    module.INSTALLED_APPS = ["django.contrib.auth"]
    module.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
    for name, value in values.items():
        setattr(module, name, value)
    sys.modules[module.__name__] = module
    return module


@pytest.mark.parametrize("project", PROJECTS)
@pytest.mark.parametrize("settings_type", ["common", "production", "test"])
def test_plugin_settings_fill_defaults_and_respect_operator_overrides(project, settings_type):
    module = _settings_module(MENTORA_API_PAGE_SIZE=50)
    add_plugins(module.__name__, project, settings_type)
    assert module.MENTORA_API_PAGE_SIZE == 50
    for name, value in DEFAULTS.items():
        if name != "MENTORA_API_PAGE_SIZE":
            assert getattr(module, name) == value
    assert {"drf_spectacular", "drf_spectacular_sidecar"} <= set(module.INSTALLED_APPS)
    assert module.AUTHENTICATION_BACKENDS[0] == "rules.permissions.ObjectPermissionBackend"
    assert getattr(module, "CELERY_TASK_ALWAYS_EAGER", False) is (settings_type == "test")


def test_settings_applied_twice_change_nothing():
    module = _settings_module()
    add_plugins(module.__name__, "lms.djangoapp", "common")
    snapshot = (list(module.INSTALLED_APPS), list(module.AUTHENTICATION_BACKENDS))
    add_plugins(module.__name__, "lms.djangoapp", "production")
    assert snapshot == (module.INSTALLED_APPS, module.AUTHENTICATION_BACKENDS)


@pytest.mark.parametrize("project", PROJECTS)
def test_plugin_urls_mount_the_api_and_the_pages(project):
    patterns = get_plugin_url_patterns(project)
    namespaces = {pattern.namespace for pattern in patterns}
    assert {"mentora", "mentora-host", "mentora-booking", "mentora-trainers", "mentora-reviews",
            "mentora-badges", "mentora-communities"} <= namespaces


def test_mounted_urls_resolve():
    assert reverse("mentora:api-schema") == "/api/mentora/v1/schema/"
    assert reverse("mentora:api-docs") == "/api/mentora/v1/docs/"
    home = reverse("mentora:course-home", kwargs={"course_id": "course-v1:A+B+C"})
    assert home == "/mentora/courses/course-v1:A+B+C/"
    match = resolve("/api/mentora/v1/courses/course-v1:A+B+C/trainers/")
    assert match.namespace == "mentora-host" and match.url_name == "course-trainers"


def test_receivers_are_connected_by_the_plugin_machinery():
    connect_plugin_receivers("lms.djangoapp")  # what the LMS's plugins app does at start-up; idempotent
    refs = [entry[1] for entry in COURSE_ENROLLMENT_CREATED.receivers]  # (key, receiver[, is_async]) by Django version
    connected = [ref() if callable(ref) and not hasattr(ref, "__code__") else ref for ref in refs]
    assert handlers.on_enrollment_created in connected


def test_trainers_hear_bookings_through_the_plugin_machinery_without_importing_booking():
    """Trainers' receivers name booking's signals by path (apps.EVENT_RECEIVERS); the machinery connects them."""
    from mentora_plugin.booking.signals import BOOKING_COMPLETED, BOOKING_RATED
    from mentora_plugin.trainers import handlers as trainers_handlers

    connect_plugin_receivers("lms.djangoapp")
    for signal, receiver in ((BOOKING_COMPLETED, trainers_handlers.on_booking_completed),
                             (BOOKING_RATED, trainers_handlers.on_booking_rated)):
        refs = [entry[1] for entry in signal.receivers]
        connected = [ref() if callable(ref) and not hasattr(ref, "__code__") else ref for ref in refs]
        assert receiver in connected


def test_apps_modules_import_without_django_settings():
    """edx-django-utils imports apps.py while the platform's settings are still loading: keep them light."""
    code = (
        "import mentora_plugin.apps, mentora_plugin.host.apps, mentora_plugin.booking.apps, "
        "mentora_plugin.trainers.apps, mentora_plugin.reviews.apps, mentora_plugin.badges.apps, "
        "mentora_plugin.communities.apps; print('ok')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"}, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_periodic_tasks_join_the_platforms_beat_schedule_without_overriding_the_operator():
    from datetime import timedelta

    tuned = {"task": "mentora_plugin.booking.tasks.send_due_reminders", "schedule": timedelta(minutes=1)}
    module = _settings_module(CELERY_BEAT_SCHEDULE={"platform-task": {"task": "x"}, "mentora-booking-reminders": tuned})
    add_plugins(module.__name__, "lms.djangoapp", "common")
    assert module.CELERY_BEAT_SCHEDULE["platform-task"] == {"task": "x"}
    assert module.CELERY_BEAT_SCHEDULE["mentora-booking-reminders"] is tuned
    assert module.CELERY_BEAT_SCHEDULE["mentora-booking-expire-requests"]["task"].endswith("expire_booking_requests")


def _views(patterns):
    from django.urls import URLPattern, URLResolver

    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            yield entry.callback


@pytest.mark.parametrize("project", PROJECTS)
def test_every_view_runs_outside_the_request_transaction(project):
    """
    The LMS sets ATOMIC_REQUESTS; Mentora's views keep their own short transactions (as tested), so every view the
    plugin machinery mounts is marked non-atomic: the attribute Django's handler reads before wrapping a view.
    """
    views = list(_views(get_plugin_url_patterns(project)))
    mentora = [view for view in views if (getattr(view, "view_class", None) or view).__module__.startswith("mentora")]
    assert len(mentora) > 150  # every domain's pages and REST API were walked
    atomic = [view for view in mentora if "default" not in getattr(view, "_non_atomic_requests", set())]
    assert atomic == []
