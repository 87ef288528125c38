"""The ``mentora_reviews`` app. Kept light: edx-django-utils imports it while the platform's settings load."""
from django.apps import AppConfig

from mentora_plugin.plugin_config import plugin_app_config


class ReviewsConfig(AppConfig):
    """Projects, submissions, reviews, grades and the gallery."""

    name = "mentora_plugin.reviews"
    label = "mentora_reviews"
    verbose_name = "Mentora: project reviews"
    default_auto_field = "django.db.models.BigAutoField"

    plugin_app = plugin_app_config("reviews")

    def ready(self) -> None:
        """Register the permission rules and erase a retired user's review data."""
        from mentora_plugin.reviews import retirement, rules  # noqa: F401  (rules register on import)

        retirement.connect_receivers()
