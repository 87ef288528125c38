"""
The ``plugin_app`` dictionaries of Mentora's Django apps (edx-django-utils' plugin contract), built in one place.

Imported by each ``apps.py`` while the platform's settings are still loading: nothing here imports Django.
"""
from __future__ import annotations

#: The services that load Mentora's apps: the LMS and Studio share the tables and hear the same events.
PROJECTS = ("lms.djangoapp", "cms.djangoapp")


def plugin_app_config(
    app: str,
    *,
    regex: str = r"^",
    urls: str = "urls",
    receivers: dict[str, str] | None = None,
) -> dict:
    """
    The ``plugin_app`` of the app ``mentora_<app>``: its URLs (namespace ``mentora-<app>``, module ``urls`` relative
    to the app, mounted at ``regex``) and, when given, the receivers in its ``handlers.py`` of signals named by
    dotted path (``{receiver function name: signal path}``): naming a signal by its path lets an app hear another
    without importing it, which keeps the dependencies between domains one way.
    """
    config: dict = {
        "url_config": {
            project: {"namespace": f"mentora-{app}", "regex": regex, "relative_path": urls} for project in PROJECTS
        },
    }
    if receivers:
        config["signals_config"] = {
            project: {
                "relative_path": "handlers",
                "receivers": [
                    {"receiver_func_name": receiver, "signal_path": signal, "dispatch_uid": f"mentora.{app}.{receiver}"}
                    for receiver, signal in receivers.items()
                ],
            }
            for project in PROJECTS
        }
    return config
