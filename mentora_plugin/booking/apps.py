"""The ``mentora_booking`` app. Kept light: edx-django-utils imports it while the platform's settings load."""
from django.apps import AppConfig

from mentora_plugin.plugin_config import plugin_app_config


class BookingConfig(AppConfig):
    """Availability, slots, sessions and bookings."""

    name = "mentora_plugin.booking"
    label = "mentora_booking"
    verbose_name = "Mentora: booking"
    default_auto_field = "django.db.models.BigAutoField"

    plugin_app = plugin_app_config("booking")

    def ready(self) -> None:
        """Register the permission rules; send emails on booking events; erase a retired user's booking data."""
        from mentora_plugin.booking import notifications, retirement, rules  # noqa: F401

        notifications.connect_receivers()
        retirement.connect_receivers()
