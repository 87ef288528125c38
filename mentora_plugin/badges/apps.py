"""The ``mentora_badges`` app. Kept light: edx-django-utils imports it while the platform's settings load."""
from django.apps import AppConfig

_PROJECTS = ("lms.djangoapp", "cms.djangoapp")


class BadgesConfig(AppConfig):
    """Badge classes, awards, their Open Badges outputs, and portfolios."""

    name = "mentora_plugin.badges"
    label = "mentora_badges"
    verbose_name = "Mentora: badges"
    default_auto_field = "django.db.models.BigAutoField"

    plugin_app = {
        "url_config": {
            project: {"namespace": "mentora-badges", "regex": r"^", "relative_path": "urls"}
            for project in _PROJECTS
        },
    }

    def ready(self) -> None:
        """Register the permission rules and erase a retired user's awards."""
        from mentora_plugin.badges import retirement, rules  # noqa: F401  (rules register on import)

        retirement.connect_receivers()
