"""
Receivers of the platform's openedx-events signals, which keep the host projections current.

edx-django-utils connects them (``plugin_app["signals_config"]`` in ``apps.py``) as the LMS and Studio connect
every plugin's receivers. Each receiver checks the shape of the event, then records the state it carries as of the
event's time, so that the platform's CHANGED-then-CREATED pairs, re-deliveries and late events all converge.

A malformed event is logged and raises ``InvalidRecordError``/``InvalidCourseKeyError``; openedx-events logs and
swallows receiver errors in production, so the platform's request never fails because of Mentora, and nothing
stored changes.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.utils import timezone

from mentora_plugin.host import api
from mentora_plugin.host.data import CourseRoleRecord

log = logging.getLogger(__name__)


def _event_time(kwargs: dict) -> datetime:
    """The time the platform stamped on the event; now, for a sender that did not stamp one."""
    metadata = kwargs.get("metadata")
    return getattr(metadata, "time", None) or timezone.now()


def _field(value: Any, *path: str) -> Any:
    for name in path:
        value = getattr(value, name, None)
    return value


def _rejecting(handler):
    """Log a malformed event with its type before the error reaches openedx-events."""

    def receiver(*args, **kwargs):
        try:
            return handler(**kwargs)
        except api.HostError as error:
            event_type = _field(kwargs.get("metadata"), "event_type") or getattr(kwargs.get("signal"), "event_type", "")
            log.error("Mentora rejected a malformed %s event (%s): %s", event_type, error.code, error)
            raise

    receiver.__name__ = handler.__name__
    receiver.__doc__ = handler.__doc__
    return receiver


def _record_enrollment(enrollment: Any, kwargs: dict, *, is_active: bool | None = None) -> None:
    api.record_enrollment(
        user_id=_field(enrollment, "user", "id"),
        course_key=_field(enrollment, "course", "course_key"),
        mode=_field(enrollment, "mode"),
        is_active=_field(enrollment, "is_active") if is_active is None else is_active,
        event_time=_event_time(kwargs),
    )


@_rejecting
def on_enrollment_created(enrollment=None, **kwargs) -> None:
    """COURSE_ENROLLMENT_CREATED: sent after CHANGED on every enroll and re-enroll; carries the full state."""
    _record_enrollment(enrollment, kwargs)


@_rejecting
def on_enrollment_changed(enrollment=None, **kwargs) -> None:
    """COURSE_ENROLLMENT_CHANGED: mode changes, (re-)activation and deactivation."""
    _record_enrollment(enrollment, kwargs)


@_rejecting
def on_unenrollment_completed(enrollment=None, **kwargs) -> None:
    """COURSE_UNENROLLMENT_COMPLETED: the learner left the course, whatever ``is_active`` the event carries."""
    _record_enrollment(enrollment, kwargs, is_active=False)


def _record_role(role_data: Any, kwargs: dict, *, is_active: bool) -> None:
    api.record_course_role(
        CourseRoleRecord(
            user_id=_field(role_data, "user", "id"),
            org=_field(role_data, "org_key") or "",
            course_key=_field(role_data, "course_key") or None,
            role=_field(role_data, "role"),
            is_active=is_active,
        ),
        _event_time(kwargs),
    )


@_rejecting
def on_course_access_role_added(course_access_role_data=None, **kwargs) -> None:
    """COURSE_ACCESS_ROLE_ADDED: a course or organisation role was given."""
    _record_role(course_access_role_data, kwargs, is_active=True)


@_rejecting
def on_course_access_role_removed(course_access_role_data=None, **kwargs) -> None:
    """COURSE_ACCESS_ROLE_REMOVED: a course or organisation role was taken away."""
    _record_role(course_access_role_data, kwargs, is_active=False)


@_rejecting
def on_course_created(course=None, **kwargs) -> None:
    """COURSE_CREATED (Studio): only the key; the title comes with the catalog information."""
    api.record_course(_field(course, "course_key"), _event_time(kwargs))


@_rejecting
def on_course_catalog_info_changed(catalog_info=None, **kwargs) -> None:
    """COURSE_CATALOG_INFO_CHANGED (Studio, on publish): the title and the schedule."""
    api.record_course(
        _field(catalog_info, "course_key"),
        _event_time(kwargs),
        title=_field(catalog_info, "name"),
        start=_field(catalog_info, "schedule_data", "start"),
        end=_field(catalog_info, "schedule_data", "end"),
    )


@_rejecting
def on_course_passing_status_updated(course_passing_status=None, **kwargs) -> None:
    """COURSE_PASSING_STATUS_UPDATED (LMS grades): a learner's grade crossed the course's pass mark, either way."""
    api.record_passing_status(
        user_id=_field(course_passing_status, "user", "id"),
        course_key=_field(course_passing_status, "course", "course_key"),
        is_passing=_field(course_passing_status, "is_passing"),
        event_time=_event_time(kwargs),
    )
