"""Trigram indexes for the case list's search and multi-select filters (PostgreSQL only).

The list searches `search_text LIKE '%…%'` and filters `countries LIKE '%|US|%'`; a
pg_trgm GIN index serves both. SQLite (developer runs) has no such index and needs none.
"""

from django.db import migrations

INDEXES = {
    "cases_case_search_trgm": "search_text",
    "cases_case_countries_trgm": "countries",
    "cases_case_dispute_types_trgm": "dispute_types",
    "cases_case_right_types_trgm": "right_types",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON cases_case USING gin ({column} gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_case_handling"),
    ]

    operations = [migrations.RunPython(create, drop)]
