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


def outside_request_transactions(patterns: list) -> list:
    """
    Mark every view of ``patterns`` (and of what they include) ``transaction.non_atomic_requests``, and return them.

    The LMS runs each request in a transaction (``ATOMIC_REQUESTS``). Mentora's views hold their own transactions,
    as short as the rows they lock; inside the request's, a row Mentora inserts before locking it (``INSERT IGNORE``
    then ``SELECT ... FOR UPDATE``, see ``insert_ignoring_conflicts``) would keep its shared lock until the request
    ends, and two racing requests would deadlock on MySQL. Run as they are tested: without the request's transaction.
    Each plugin URL module passes its ``urlpatterns`` through this.
    """
    from django.db import transaction
    from django.urls import URLPattern, URLResolver

    for entry in patterns:
        if isinstance(entry, URLResolver):
            outside_request_transactions(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            transaction.non_atomic_requests(entry.callback)
    return patterns
