"""Mentora's settings for the platform's own test runs: the defaults, with Celery work run in-process."""
from typing import Any

from mentora_plugin.settings import common


def plugin_settings(settings: Any) -> None:
    """Apply the common defaults; tests run Celery tasks eagerly unless a suite asks for a real broker."""
    common.plugin_settings(settings)
    common.set_default(settings, "CELERY_TASK_ALWAYS_EAGER", True)
