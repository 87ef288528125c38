"""The demo site's own app: the platform's side of the plugin contract."""
from django.apps import AppConfig


class DevsiteConfig(AppConfig):
    """Connects the plugins' signal receivers at start-up, as the LMS's ``plugins`` app does."""

    name = "devsite"
    label = "devsite"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from edx_django_utils.plugins import connect_plugin_receivers

        connect_plugin_receivers("lms.djangoapp")
