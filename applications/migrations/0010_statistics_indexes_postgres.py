"""Indexes for the statistics (PostgreSQL only): applications submitted or decided in a period
counted from the index alone (covering columns) instead of the wide application rows, and the
applicant's columns the cases' dimensions read. SQLite (developer runs) needs none of them."""

from django.db import migrations

INDEXES = {
    # Received in a period or a quarter of the trend.
    "applications_application_stats_submitted": (
        "applications_application (submitted_at) INCLUDE (id, decided_at, status, review_due, service_point_id)"
    ),
    # Accepted or declined in a period, with the acceptance timing.
    "applications_application_stats_decided": (
        "applications_application (decided_at) INCLUDE (id, submitted_at, status, review_due, service_point_id) "
        "WHERE decided_at IS NOT NULL"
    ),
    # The dimensions of the cases that come from the application.
    "applications_application_stats_dimensions": (
        "applications_application (id) INCLUDE (opponent_types, applicant_category, credit_code, id_type, "
        "id_number, service_point_id)"
    ),
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
        ("applications", "0009_every_way_in"),
    ]

    operations = [migrations.RunPython(create, drop)]
