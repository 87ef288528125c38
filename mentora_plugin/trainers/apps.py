"""The ``mentora_trainers`` app. Kept light: edx-django-utils imports it while the platform's settings load."""
from django.apps import AppConfig

from mentora_plugin.plugin_config import plugin_app_config

#: Mentora's own events that feed the trainers' figures, by receiver name in ``handlers.py``. They are named by
#: their import path, so that this app never imports the domains that depend on it (booking, reviews, ...).
EVENT_RECEIVERS = {
    "on_booking_completed": "mentora_plugin.booking.signals.BOOKING_COMPLETED",
    "on_booking_rated": "mentora_plugin.booking.signals.BOOKING_RATED",
}


class TrainersConfig(AppConfig):
    """Trainer profiles, applications, levels and capabilities, ratings and disputes."""

    name = "mentora_plugin.trainers"
    label = "mentora_trainers"
    verbose_name = "Mentora: trainers"
    default_auto_field = "django.db.models.BigAutoField"

    plugin_app = plugin_app_config("trainers", receivers=EVENT_RECEIVERS)

    def ready(self) -> None:
        """Register the permission rules and erase a retired user's trainer data."""
        from mentora_plugin.trainers import retirement, rules  # noqa: F401  (rules register on import)

        retirement.connect_receivers()
