"""Database helpers that every Mentora domain shares."""
from django.db import models
from django.db.models.constants import OnConflict


def insert_ignoring_conflicts(row: models.Model) -> None:
    """
    One ``INSERT ... IGNORE`` statement (``INSERT OR IGNORE`` on SQLite, ``ON CONFLICT DO NOTHING`` elsewhere).

    ``get_or_create`` under a row lock deadlocks on MariaDB when two transactions race for the same new row, and
    ``bulk_create(ignore_conflicts=True)`` would do the same as this inside a transaction of its own, which costs two
    more statements on SQLite; a single statement is atomic by itself.
    """
    model = type(row)
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    model._base_manager._insert([row], fields=fields, on_conflict=OnConflict.IGNORE)
