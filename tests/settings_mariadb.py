"""
Settings of the MariaDB suite: the test settings on a real MariaDB server on loopback, which the test command
starts (``scripts/mariadb.sh``). Connection details come from the environment it exports.
"""
import os

from tests.settings import *  # noqa: F403

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.mysql",
        "NAME": os.environ.get("MENTORA_MARIADB_NAME", "mentora"),
        "USER": os.environ.get("MENTORA_MARIADB_USER", "mentora"),
        "PASSWORD": os.environ.get("MENTORA_MARIADB_PASSWORD", "mentora"),
        "HOST": os.environ.get("MENTORA_MARIADB_HOST", "127.0.0.1"),
        "PORT": os.environ.get("MENTORA_MARIADB_PORT", "3307"),
        "OPTIONS": {"charset": "utf8mb4", "isolation_level": "read committed"},
        "TEST": {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
    }
}

# edx-submissions' migration 0006 (a UUID conversion) fails on a fresh MariaDB ("Unknown column 'uuid'"); the LMS's
# database has long been past it. The test database gets edx-submissions' tables from its models instead.
MIGRATION_MODULES = {"submissions": None}
