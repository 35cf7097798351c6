"""Trigram indexes for the search boxes on PostgreSQL.

The case list, the cases API (``q``) and the catalogue search match each word anywhere in
``search_text`` (``LIKE '%word%'``). A GIN index of the text's trigrams (``pg_trgm``) answers
those patterns without reading every row, and changes nothing in what matches. SQLite keeps
the plain scan (there is no such index type there).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

INDEXES = (
    ("case_search_trgm_idx", "cases_case"),
    ("application_search_trgm_idx", "catalog_application"),
)


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_text gin_trgm_ops)"
        )


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_journal_kinds_held_and_resumed"),
        ("catalog", "0005_fill_application_search_text"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
