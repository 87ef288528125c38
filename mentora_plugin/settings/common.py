"""
Mentora's default settings, for every environment.

Each default is set only when the operator has not set the name already, so the order in which the platform
applies its YAML overrides and the plugins' settings never matters. Code reads settings at call time
(``django.conf.settings``), never at import time.
"""
from datetime import timedelta
from typing import Any

#: Every Mentora setting with its default, annotated for the platform's settings report (code-annotations).
DEFAULTS: dict[str, Any] = {
    # .. setting_name: MENTORA_TRAINER_ROLES_FROM_PLATFORM
    # .. setting_default: []
    # .. setting_description: Platform course roles (from the COURSE_ACCESS_ROLE_* events, e.g. "staff",
    #   "instructor") whose holders are also Mentora trainers of the course. Empty: only explicit grants by course
    #   staff make trainers.
    "MENTORA_TRAINER_ROLES_FROM_PLATFORM": [],
    # .. setting_name: MENTORA_API_THROTTLE_RATES
    # .. setting_default: {"user": "120/minute", "anon": "30/minute", "write": "30/minute"}
    # .. setting_description: Rates of the Mentora REST API, in DRF's rate syntax: every request of a signed-in
    #   user ("user"), their writes on top of that ("write"), and requests without a user, per IP ("anon").
    "MENTORA_API_THROTTLE_RATES": {"user": "120/minute", "anon": "30/minute", "write": "30/minute"},
    # .. setting_name: MENTORA_API_PAGE_SIZE
    # .. setting_default: 20
    # .. setting_description: Page size of the Mentora REST API lists when the client does not ask for one.
    "MENTORA_API_PAGE_SIZE": 20,
    # .. setting_name: MENTORA_API_MAX_PAGE_SIZE
    # .. setting_default: 100
    # .. setting_description: The largest page a client may ask for with ?page_size=.
    "MENTORA_API_MAX_PAGE_SIZE": 100,
    # .. setting_name: MENTORA_PLATFORM_API_URL
    # .. setting_default: "http://localhost:18000"
    # .. setting_description: Base URL of the LMS whose REST APIs mentora_sync reads (and whose OAuth2 token
    #   endpoint it calls).
    "MENTORA_PLATFORM_API_URL": "http://localhost:18000",
    # .. setting_name: MENTORA_PLATFORM_OAUTH_CLIENT_ID
    # .. setting_default: ""
    # .. setting_description: OAuth2 client (client-credentials grant, with staff rights) that mentora_sync uses.
    "MENTORA_PLATFORM_OAUTH_CLIENT_ID": "",
    # .. setting_name: MENTORA_PLATFORM_OAUTH_CLIENT_SECRET
    # .. setting_default: ""
    # .. setting_description: The secret of MENTORA_PLATFORM_OAUTH_CLIENT_ID.
    # .. setting_warning: Keep it out of version control; set it from the operator's secrets.
    "MENTORA_PLATFORM_OAUTH_CLIENT_SECRET": "",
    # .. setting_name: MENTORA_SYNC_PAGE_SIZE
    # .. setting_default: 100
    # .. setting_description: How many rows mentora_sync asks the platform for per page. The LMS's enrollment list
    #   serves at most 100 per page whatever is asked, and throttles staff to 120 requests a minute.
    "MENTORA_SYNC_PAGE_SIZE": 100,
    # .. setting_name: MENTORA_SYNC_TIMEOUT_SECONDS
    # .. setting_default: 30
    # .. setting_description: HTTP timeout of each mentora_sync request to the platform.
    "MENTORA_SYNC_TIMEOUT_SECONDS": 30,
    # .. setting_name: MENTORA_PLATFORM_SERVICE_USERNAME
    # .. setting_default: ""
    # .. setting_description: Username of the user behind MENTORA_PLATFORM_OAUTH_CLIENT_ID (global staff).
    #   mentora_sync asks the platform's course list for the courses this user can see; left empty, the platform
    #   lists only the courses an anonymous visitor can see.
    "MENTORA_PLATFORM_SERVICE_USERNAME": "",
    # .. setting_name: MENTORA_SYNC_MAX_RETRIES
    # .. setting_default: 5
    # .. setting_description: How many times mentora_sync retries a request that failed transiently (connection
    #   error, HTTP 429, 500, 502, 503, 504) before it stops; a later run with --resume continues from that page.
    "MENTORA_SYNC_MAX_RETRIES": 5,
    # .. setting_name: MENTORA_SYNC_BACKOFF_SECONDS
    # .. setting_default: 1.0
    # .. setting_description: Backoff factor between those retries (urllib3's Retry: factor * 2 ** (retry - 1)
    #   seconds, at most 120); a Retry-After header from the platform's throttling is honoured instead.
    "MENTORA_SYNC_BACKOFF_SECONDS": 1.0,
    # .. setting_name: MENTORA_BOOKING_REMINDER_OFFSETS
    # .. setting_default: [1440, 60]
    # .. setting_description: When booking reminders go out, in minutes before a confirmed session starts (the
    #   default: 24 hours and 1 hour before). The periodic task mentora_plugin.booking.tasks.send_due_reminders
    #   (Celery beat) sends each reminder once, to the learner (and to the trainer of a 1:1 session); when several
    #   are due at once (the beat was down), only the one closest to the start goes out. Empty: no reminders.
    "MENTORA_BOOKING_REMINDER_OFFSETS": [1440, 60],
    # .. setting_name: MENTORA_BOOKING_EMAIL_FROM
    # .. setting_default: None
    # .. setting_description: The sender of booking emails (confirmations, changes, cancellations, reminders).
    #   None: the platform's DEFAULT_FROM_EMAIL.
    "MENTORA_BOOKING_EMAIL_FROM": None,
    # .. setting_name: MENTORA_CALENDAR_FEED_MAX_EVENTS
    # .. setting_default: 500
    # .. setting_description: The most sessions a user's calendar feed (/mentora/calendar/<token>.ics) lists: the
    #   next ones by start time.
    "MENTORA_CALENDAR_FEED_MAX_EVENTS": 500,
    # .. setting_name: MENTORA_BOOKING_WAITLIST_OFFER_HOURS
    # .. setting_default: 12
    # .. setting_description: How long a seat freed in a full group session is held for the first learner of its
    #   waitlist (status "offered") before it lapses and goes to the next one; never past the session's start. The
    #   periodic task mentora_plugin.booking.tasks.expire_booking_requests (Celery beat) lapses the offers.
    "MENTORA_BOOKING_WAITLIST_OFFER_HOURS": 12,
    # .. setting_name: MENTORA_BOOKING_DEFAULT_MENTEE_CAP
    # .. setting_default: 10
    # .. setting_description: How many learners one trainer may mentor at once, across all their courses (chosen by
    #   learners or assigned by staff), read through mentora_plugin.booking.api.mentee_cap -- the hook the trainers'
    #   levels will replace with the cap their capabilities grant.
    "MENTORA_BOOKING_DEFAULT_MENTEE_CAP": 10,
}

#: Apps the REST API documentation needs (drf-spectacular templates, self-hosted Swagger UI files).
REQUIRED_APPS = ("drf_spectacular", "drf_spectacular_sidecar")

#: The object-permission backend that ``rules`` needs; the LMS already lists it, the demo and tests may not.
RULES_BACKEND = "rules.permissions.ObjectPermissionBackend"


def set_default(settings: Any, name: str, value: Any) -> None:
    """Set ``name`` on the settings module unless the operator already did."""
    if not hasattr(settings, name):
        setattr(settings, name, value)


#: Mentora's periodic tasks. Celery beat runs them where the operator runs a beat process for the LMS's app.
BEAT_SCHEDULE = {
    "mentora-booking-reminders": {
        "task": "mentora_plugin.booking.tasks.send_due_reminders",
        "schedule": timedelta(minutes=5),
    },
    "mentora-booking-expire-requests": {
        "task": "mentora_plugin.booking.tasks.expire_booking_requests",
        "schedule": timedelta(minutes=15),
    },
}


def plugin_settings(settings: Any) -> None:
    """Inject Mentora's defaults into the platform's settings module."""
    for name, value in DEFAULTS.items():
        set_default(settings, name, value)

    # Add Mentora's periodic tasks to the platform's schedule, without replacing an entry the operator tuned.
    schedule = dict(getattr(settings, "CELERY_BEAT_SCHEDULE", None) or {})
    for name, entry in BEAT_SCHEDULE.items():
        schedule.setdefault(name, entry)
    settings.CELERY_BEAT_SCHEDULE = schedule

    installed = list(getattr(settings, "INSTALLED_APPS", []))
    missing = [app for app in REQUIRED_APPS if app not in installed]
    if missing:
        settings.INSTALLED_APPS = [*installed, *missing]

    backends = list(getattr(settings, "AUTHENTICATION_BACKENDS", ["django.contrib.auth.backends.ModelBackend"]))
    if RULES_BACKEND not in backends:
        settings.AUTHENTICATION_BACKENDS = [RULES_BACKEND, *backends]
