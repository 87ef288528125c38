"""
Settings of the demo site, built the way the LMS builds its own (``lms/envs/common.py``): a base list of apps,
then every installed plugin app from the ``lms.djangoapp`` entry points, then the plugins' settings.
"""
import importlib.util
import os
from pathlib import Path

import django
from edx_django_utils.plugins import add_plugins, get_plugin_apps

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MENTORA_DEMO_VAR", BASE_DIR / ".cache" / "demo"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("MENTORA_DEMO_SECRET_KEY", "mentora-demo-only-this-key-is-not-secret-at-all")
DEBUG = os.environ.get("MENTORA_DEMO_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "djpyfs",
    "workbench",
    "submissions",  # edx-submissions: the LMS installs it (ORA2 and the grades app use it); the demo does too
    "devsite",
]
# The LMS's way: every app that an installed package declares under the lms.djangoapp entry point.
INSTALLED_APPS.extend(get_plugin_apps("lms.djangoapp"))

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "edx_django_utils.cache.middleware.RequestCacheMiddleware",
    "edx_rest_framework_extensions.auth.jwt.middleware.JwtAuthCookieMiddleware",
    "devsite.middleware.WorkbenchAsSignedInUserMiddleware",
]

ROOT_URLCONF = "devsite.urls"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.i18n",
                "django.template.context_processors.request",
                "django.template.context_processors.static",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("MENTORA_DEMO_DB", str(VAR_DIR / "demo.sqlite3")),
        # BEGIN IMMEDIATE (Django 5.1+): a transaction takes SQLite's write lock when it starts, so concurrent
        # bookings in the demo queue up instead of failing with "database is locked" at their first write.
        "OPTIONS": {"timeout": 20, **({"transaction_mode": "IMMEDIATE"} if django.VERSION >= (5, 1) else {})},
    }
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "mentora-demo"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "/"

# Badges' public Open Badges URLs (in the LMS: LMS_ROOT_URL) and the issuer's name (the LMS's PLATFORM_NAME).
MENTORA_BADGES_BASE_URL = os.environ.get("MENTORA_DEMO_ROOT_URL", "http://127.0.0.1:8000")
PLATFORM_NAME = "Mentora Demo Academy"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
# The workbench translates blocks through Django's catalogs, where an app listed earlier wins a shared msgid
# ("Remove" is "Enlever" in the admin's, "Supprimer" in Mentora's); LOCALE_PATHS come first. In the LMS, blocks use
# the translations they ship (``translations/``) and pages the platform's catalogs then the apps'.
LOCALE_PATHS = [str(Path(importlib.util.find_spec("mentora_plugin").origin).parent / "locale")]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "/static/"
STATIC_ROOT = str(VAR_DIR / "static")
# Uploads (trainers' photos and portfolio evidence): the LMS keeps them in its own storage; the demo serves them.
MEDIA_URL = "/media/"
MEDIA_ROOT = str(VAR_DIR / "media")

# The workbench stores block files through django-pyfs.
DJFS = {"type": "osfs", "directory_root": str(VAR_DIR / "djpyfs"), "url_root": "/static/djpyfs"}
EXCLUDED_XBLOCKS = set()
WORKBENCH = {
    "reset_state_on_restart": False,
    "services": {"fs": "xblock.reference.plugins.FSService", "settings": "workbench.services.SettingsService"},
}

# The demo's emails (booking confirmations, reminders...) are printed where the demo command runs.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = "Mentora demo <mentora@example.com>"

# Celery runs every task in-process in the demo: no broker to start.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True

# Open edX JWTs, as the LMS signs them (symmetric here; the LMS uses its JWK set).
JWT_AUTH = {
    "JWT_ISSUERS": [{"ISSUER": "http://127.0.0.1:8000/oauth2", "AUDIENCE": "mentora-demo", "SECRET_KEY": SECRET_KEY}],
    "JWT_ISSUER": "http://127.0.0.1:8000/oauth2",
    "JWT_AUDIENCE": "mentora-demo",
    "JWT_SECRET_KEY": SECRET_KEY,
    "JWT_ALGORITHM": "HS256",
    "JWT_AUTH_HEADER_PREFIX": "JWT",
    "JWT_VERIFY_AUDIENCE": True,
    "JWT_AUTH_COOKIE": "edx-jwt-cookie",
    "JWT_AUTH_COOKIE_HEADER_PAYLOAD": "edx-jwt-cookie-header-payload",
    "JWT_AUTH_COOKIE_SIGNATURE": "edx-jwt-cookie-signature",
    "JWT_PUBLIC_SIGNING_JWK_SET": None,
}

# No New Relic or other telemetry backend in the demo (edx-django-utils would warn on every start).
OPENEDX_TELEMETRY = []

# Both admin sites (the demo's and the workbench's) register the "admin" namespace.
SILENCED_SYSTEM_CHECKS = ["urls.W005"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"mentora_plugin": {"handlers": ["console"], "level": "INFO"}},
}

# The LMS's way: each plugin's settings for this project and environment.
add_plugins(__name__, "lms.djangoapp", "common")
