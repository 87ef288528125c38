"""
Settings of the booking load benchmark (``benchmarks/bench_booking_load.py``): the demo site as the LMS would run it
in production, on MariaDB, behind gunicorn.

The demo site's settings (Mentora loaded through the plugin machinery, Open edX JWTs) with:

- MariaDB on loopback, as ``tests/settings_mariadb.py`` has it (READ COMMITTED, utf8mb4); the database is the
  benchmark's own (``MENTORA_BENCH_DB_NAME``, created and dropped by the script);
- ``DEBUG = False``;
- Mentora's throttles still on the request path, at rates no load here can reach;
- booking emails queued for Celery as in the LMS (an in-memory broker that nobody consumes: the request pays for
  queuing, not for sending), or sent in the request like the demo (``MENTORA_BENCH_NOTIFICATIONS=eager``, to Django's
  in-memory mailbox);
- the URLs of the demo site plus the framework floor (``benchmarks/wsgi_load.py``).
"""
import os

from devsite.settings import *  # noqa: F403

DEBUG = False

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.mysql",
        "NAME": os.environ.get("MENTORA_BENCH_DB_NAME", "test_mentora_bench"),
        "USER": os.environ.get("MENTORA_MARIADB_USER", "mentora"),
        "PASSWORD": os.environ.get("MENTORA_MARIADB_PASSWORD", "mentora"),
        "HOST": os.environ.get("MENTORA_MARIADB_HOST", "127.0.0.1"),
        "PORT": os.environ.get("MENTORA_MARIADB_PORT", "3307"),
        # Django's default (a connection per request) unless the run asks for persistent connections.
        "CONN_MAX_AGE": int(os.environ.get("MENTORA_BENCH_CONN_MAX_AGE", "0")),
        "OPTIONS": {"charset": "utf8mb4", "isolation_level": "read committed"},
    }
}

ROOT_URLCONF = "benchmarks.wsgi_load"
WSGI_APPLICATION = "benchmarks.wsgi_load.application"

# Still computed on every request (a cache read and write each), never reached.
MENTORA_API_THROTTLE_RATES = {"user": "1000000/second", "anon": "1000000/second", "write": "1000000/second"}

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if os.environ.get("MENTORA_BENCH_NOTIFICATIONS", "queued") == "eager":
    CELERY_TASK_ALWAYS_EAGER = True
else:
    CELERY_TASK_ALWAYS_EAGER = False
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_IGNORE_RESULT = True

# With DEBUG off, Django only mails server errors to ADMINS: print them instead, so the run can count them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "mentora_plugin": {"handlers": ["console"], "level": "WARNING"},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
