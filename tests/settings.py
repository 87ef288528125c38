"""
Test settings: the demo site's settings (which load Mentora through edx-django-utils, as the LMS does), on an
in-memory SQLite database, then the plugins' ``test`` settings, as ``lms/envs/test.py`` applies them.
"""
import os
import tempfile

from edx_django_utils.plugins import add_plugins

from devsite.settings import *  # noqa: F403

# A file, not ":memory:": the browser tests' live server answers from its own threads, and with an in-memory
# database Django makes them all share the test's one connection, which SQLite does not allow concurrently.
_TEST_DB = os.path.join(tempfile.gettempdir(), f"mentora-tests-{os.getpid()}.sqlite3")
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": _TEST_DB,
        "OPTIONS": {"timeout": 20},
        "TEST": {"NAME": _TEST_DB},
    }
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "mentora-tests"}}
DEBUG = False
# Uploads made by tests land in a directory of their own, never in the demo's.
MEDIA_ROOT = tempfile.mkdtemp(prefix="mentora-test-media-")

add_plugins(__name__, "lms.djangoapp", "test")
