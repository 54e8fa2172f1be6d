"""An index for the staff's case list filtered by handler (PostgreSQL only): the list is ordered by
the opening time, newest first, so that a handler's first page walks that handler's cases in
order instead of every case of the table filtered one by one (seconds at a million cases, with
the agency's letters on top). SQLite (developer runs) needs none."""

from django.db import migrations

INDEXES = {
    "cases_case_handler_opened": "cases_case (handler_id, opened_at DESC, id DESC)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0012_count_estimate_postgres"),
    ]

    operations = [migrations.RunPython(create, drop)]
