"""The ``mentora_host`` app. Kept light: edx-django-utils imports it while the platform's settings load."""
from django.apps import AppConfig

from mentora_plugin.plugin_config import plugin_app_config

#: The platform's public signals this app keeps its projections from, by receiver name in ``handlers.py``.
EVENT_RECEIVERS = {
    "on_enrollment_changed": "openedx_events.learning.signals.COURSE_ENROLLMENT_CHANGED",
    "on_enrollment_created": "openedx_events.learning.signals.COURSE_ENROLLMENT_CREATED",
    "on_unenrollment_completed": "openedx_events.learning.signals.COURSE_UNENROLLMENT_COMPLETED",
    "on_course_passing_status_updated": "openedx_events.learning.signals.COURSE_PASSING_STATUS_UPDATED",
    "on_course_access_role_added": "openedx_events.learning.signals.COURSE_ACCESS_ROLE_ADDED",
    "on_course_access_role_removed": "openedx_events.learning.signals.COURSE_ACCESS_ROLE_REMOVED",
    "on_course_created": "openedx_events.content_authoring.signals.COURSE_CREATED",
    "on_course_catalog_info_changed": "openedx_events.content_authoring.signals.COURSE_CATALOG_INFO_CHANGED",
}


class HostConfig(AppConfig):
    """Projections of the platform's courses, enrollments, course roles and passing grades; the Mentora trainer role."""

    name = "mentora_plugin.host"
    label = "mentora_host"
    verbose_name = "Mentora: Open edX host"
    default_auto_field = "django.db.models.BigAutoField"

    plugin_app = plugin_app_config(
        "host", regex=r"^api/mentora/v1/", urls="rest_api.v1.urls", receivers=EVENT_RECEIVERS
    )

    def ready(self) -> None:
        """
        Register the permission rules and connect the platform-only hooks (user retirement). A Celery task starts
        with no remembered course roles: the request cache lives per thread, and a worker's thread outlives tasks.
        """
        from celery.signals import task_prerun

        from mentora_plugin.host import api, compat, rules  # noqa: F401  (rules register on import)

        compat.connect_retirement_receivers()
        task_prerun.connect(api.forget_cached_roles, dispatch_uid="mentora.host.forget_cached_roles", weak=False)
