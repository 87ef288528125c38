"""
Mentora's settings for production.

The platform applies the operator's YAML before this runs, so defaults only fill in what the operator left out.
"""
from typing import Any

from mentora_plugin.settings import common


def plugin_settings(settings: Any) -> None:
    """Fill in the defaults the operator did not override."""
    common.plugin_settings(settings)
