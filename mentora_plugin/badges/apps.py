"""The ``mentora_badges`` app. Kept light: edx-django-utils imports it while the platform's settings load."""
from django.apps import AppConfig

from mentora_plugin.plugin_config import plugin_app_config

#: The events that can make someone meet a badge's rule, by receiver name in ``handlers.py``. Named by their import
#: path, so that badges never import booking (which it may not depend on) to hear it.
EVENT_RECEIVERS = {
    "on_review_released": "mentora_plugin.reviews.signals.REVIEW_RELEASED",
    "on_booking_completed": "mentora_plugin.booking.signals.BOOKING_COMPLETED",
    "on_course_passing_status_updated": "openedx_events.learning.signals.COURSE_PASSING_STATUS_UPDATED",
}


class BadgesConfig(AppConfig):
    """Badge classes, awards, their Open Badges outputs, and portfolios."""

    name = "mentora_plugin.badges"
    label = "mentora_badges"
    verbose_name = "Mentora: badges"
    default_auto_field = "django.db.models.BigAutoField"

    plugin_app = plugin_app_config("badges", receivers=EVENT_RECEIVERS)

    def ready(self) -> None:
        """Register the permission rules and erase a retired user's awards."""
        from mentora_plugin.badges import retirement, rules  # noqa: F401  (rules register on import)

        retirement.connect_receivers()
