"""The ``mentora_communities`` app. Kept light: edx-django-utils imports it while the platform's settings load."""
from django.apps import AppConfig

from mentora_plugin.plugin_config import plugin_app_config

#: An unenrollment takes the learner out of every space at once: access is checked against the host's enrollment
#: projection on each request, so nothing has to be heard to close the door (``handlers.py`` only tidies follows).
EVENT_RECEIVERS = {
    "on_enrollment_changed": "openedx_events.learning.signals.COURSE_UNENROLLMENT_COMPLETED",
}


class CommunitiesConfig(AppConfig):
    """Course spaces, forums, threads and posts, priority questions, group projects, moderation, notifications."""

    name = "mentora_plugin.communities"
    label = "mentora_communities"
    verbose_name = "Mentora: communities"
    default_auto_field = "django.db.models.BigAutoField"

    plugin_app = plugin_app_config("communities", receivers=EVENT_RECEIVERS)

    def ready(self) -> None:
        """Register the permission rules and anonymise a retired user's posts."""
        from mentora_plugin.communities import retirement, rules  # noqa: F401  (rules register on import)

        retirement.connect_receivers()
