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

# edx-submissions' migration 0006 (UUID columns to MariaDB's uuid type) also alters submissions_studentitem.uuid,
# a column no release of edx-submissions has, so it fails on a fresh MariaDB ("Unknown column 'uuid'"); an LMS
# database is long past it. The test database runs it converting only the columns that exist, as it was meant to.
def _convert_existing_uuid_columns(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT VERSION()")
        if "mariadb" not in cursor.fetchone()[0].lower():
            return
        for table in ("submissions_submission", "submissions_studentitem", "submissions_score"):
            cursor.execute(
                "SELECT COUNT(*) FROM information_schema.columns"
                " WHERE table_schema = DATABASE() AND table_name = %s AND column_name = 'uuid'",
                [table],
            )
            if cursor.fetchone()[0]:
                cursor.execute(f"ALTER TABLE {table} MODIFY uuid uuid NOT NULL")


def _patch_submissions_uuid_migration() -> None:
    import importlib

    from django.db.migrations import RunPython

    module = importlib.import_module("submissions.migrations.0006_mariadb_uuid_conversion")
    module.Migration.operations = [RunPython(_convert_existing_uuid_columns, RunPython.noop)]


_patch_submissions_uuid_migration()
