"""
FULLTEXT indexes for communities' search on MySQL and MariaDB: ``Post.search_text`` (what ``listing.search``
matches) and ``Thread.title`` (what ``listing.similar_questions`` matches while a learner types a question).

Django cannot declare a FULLTEXT index, so the SQL runs here, only when the database is MySQL or MariaDB; SQLite and
other databases search with ``icontains`` and get nothing. Reversible: the reverse drops both indexes.
"""
from django.db import migrations

#: (model, column, index name). InnoDB builds one FULLTEXT index per statement.
_INDEXES = (
    ("Post", "search_text", "mentora_comm_post_fulltext"),
    ("Thread", "title", "mentora_comm_thread_fulltext"),
)


def _create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "mysql":
        return
    quote = schema_editor.quote_name
    for model_name, column, index in _INDEXES:
        table = apps.get_model("mentora_communities", model_name)._meta.db_table
        schema_editor.execute(f"CREATE FULLTEXT INDEX {quote(index)} ON {quote(table)} ({quote(column)})")


def _drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "mysql":
        return
    quote = schema_editor.quote_name
    for model_name, _column, index in _INDEXES:
        table = apps.get_model("mentora_communities", model_name)._meta.db_table
        schema_editor.execute(f"DROP INDEX {quote(index)} ON {quote(table)}")


class Migration(migrations.Migration):

    # MySQL cannot roll DDL back, and Django refuses DDL inside a transaction there.
    atomic = False

    dependencies = [
        ("mentora_communities", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(_create, _drop, elidable=False),
    ]
