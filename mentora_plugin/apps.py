"""
The ``mentora`` app: what every Mentora domain shares.

Kept light on purpose: edx-django-utils imports this module while the LMS settings are still loading.
"""
from django.apps import AppConfig

_PROJECTS = ("lms.djangoapp", "cms.djangoapp")
_SETTINGS = {
    "common": {"relative_path": "settings.common"},
    "production": {"relative_path": "settings.production"},
    "test": {"relative_path": "settings.test"},
}


class MentoraConfig(AppConfig):
    """Plugin settings, the REST API root (schema and docs), shared templates, static files and translations."""

    name = "mentora_plugin"
    label = "mentora"
    verbose_name = "Mentora"
    default_auto_field = "django.db.models.BigAutoField"

    plugin_app = {
        "url_config": {
            project: {"namespace": "mentora", "regex": r"^", "relative_path": "urls"}
            for project in _PROJECTS
        },
        "settings_config": {project: dict(_SETTINGS) for project in _PROJECTS},
    }
