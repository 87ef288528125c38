"""
Test settings: the demo site's settings (which load Mentora through edx-django-utils, as the LMS does), on an
in-memory SQLite database, then the plugins' ``test`` settings, as ``lms/envs/test.py`` applies them.
"""
from edx_django_utils.plugins import add_plugins

from devsite.settings import *  # noqa: F403

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "mentora-tests"}}
DEBUG = False

add_plugins(__name__, "lms.djangoapp", "test")
