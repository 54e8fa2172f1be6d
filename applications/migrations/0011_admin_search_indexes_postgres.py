"""Trigram indexes for the staff's application search (PostgreSQL only): the admin searches the
number, the applicant's name and credit code as filed, and the applicant organisation's, each with
UPPER(…) LIKE '%…%' (Django's icontains), which a pg_trgm GIN index on the same expression serves,
Chinese included, for words of three characters or more. SQLite (developer runs) needs none."""

from django.db import migrations

INDEXES = {
    "applications_application_number_trgm": 'applications_application USING gin ((UPPER("number"::text)) gin_trgm_ops)',
    "applications_application_name_trgm": (
        'applications_application USING gin ((UPPER("applicant_name"::text)) gin_trgm_ops)'
    ),
    "applications_application_credit_trgm": (
        'applications_application USING gin ((UPPER("credit_code"::text)) gin_trgm_ops)'
    ),
    "applications_applicant_name_trgm": 'applications_applicant USING gin ((UPPER("name"::text)) gin_trgm_ops)',
    "applications_applicant_credit_trgm": (
        'applications_applicant USING gin ((UPPER("credit_code"::text)) gin_trgm_ops)'
    ),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0010_statistics_indexes_postgres"),
    ]

    operations = [migrations.RunPython(create, drop)]
