"""
Mentora's default settings, for every environment.

Each default is set only when the operator has not set the name already, so the order in which the platform
applies its YAML overrides and the plugins' settings never matters. Code reads settings at call time
(``django.conf.settings``), never at import time.
"""
from typing import Any

#: Every Mentora setting with its default. The README documents each of them.
DEFAULTS: dict[str, Any] = {
    # Platform course roles (from the COURSE_ACCESS_ROLE_* events) that also make their holders Mentora trainers
    # of the course. Empty: only course staff's explicit grants make trainers.
    "MENTORA_TRAINER_ROLES_FROM_PLATFORM": [],
    # REST API throttling, per authenticated user (DRF rate syntax).
    "MENTORA_API_THROTTLE_RATES": {"user": "120/minute", "anon": "30/minute", "write": "30/minute"},
    # Page size of the REST API lists, and the most a client may ask for with ?page_size=.
    "MENTORA_API_PAGE_SIZE": 20,
    "MENTORA_API_MAX_PAGE_SIZE": 100,
    # mentora_sync: where the platform's REST APIs live and the OAuth2 client that may read them.
    "MENTORA_PLATFORM_API_URL": "http://localhost:18000",
    "MENTORA_PLATFORM_OAUTH_CLIENT_ID": "",
    "MENTORA_PLATFORM_OAUTH_CLIENT_SECRET": "",
    "MENTORA_SYNC_PAGE_SIZE": 1000,
    "MENTORA_SYNC_TIMEOUT_SECONDS": 30,
    # mentora_sync: the username of the OAuth2 client's service user (global staff). The course list API returns
    # only the courses visible to the user it is asked about, and to an anonymous user when none is given.
    "MENTORA_PLATFORM_SERVICE_USERNAME": "",
    # mentora_sync: retries of transient platform errors (connection errors, 429, 5xx) and the exponential backoff
    # factor in seconds between them (urllib3's Retry: factor * 2 ** (retry - 1), at most 60 s; honours Retry-After).
    "MENTORA_SYNC_MAX_RETRIES": 5,
    "MENTORA_SYNC_BACKOFF_SECONDS": 1.0,
}

#: Apps the REST API documentation needs (drf-spectacular templates, self-hosted Swagger UI files).
REQUIRED_APPS = ("drf_spectacular", "drf_spectacular_sidecar")

#: The object-permission backend that ``rules`` needs; the LMS already lists it, the demo and tests may not.
RULES_BACKEND = "rules.permissions.ObjectPermissionBackend"


def set_default(settings: Any, name: str, value: Any) -> None:
    """Set ``name`` on the settings module unless the operator already did."""
    if not hasattr(settings, name):
        setattr(settings, name, value)


def plugin_settings(settings: Any) -> None:
    """Inject Mentora's defaults into the platform's settings module."""
    for name, value in DEFAULTS.items():
        set_default(settings, name, value)

    installed = list(getattr(settings, "INSTALLED_APPS", []))
    missing = [app for app in REQUIRED_APPS if app not in installed]
    if missing:
        settings.INSTALLED_APPS = [*installed, *missing]

    backends = list(getattr(settings, "AUTHENTICATION_BACKENDS", ["django.contrib.auth.backends.ModelBackend"]))
    if RULES_BACKEND not in backends:
        settings.AUTHENTICATION_BACKENDS = [RULES_BACKEND, *backends]
