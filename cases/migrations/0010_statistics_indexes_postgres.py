"""Indexes for the statistics (PostgreSQL only): each figure of a period reads a range of one
date column, and the covering columns (INCLUDE) let it count from the index alone instead of
the wide case rows (their search text). SQLite (developer runs) needs none of them."""

from django.db import migrations

INDEXES = {
    # Opened in a period or a quarter of the trend; the dimensions and the opinions' timing.
    "cases_case_stats_opened": (
        "cases_case (opened_at) INCLUDE (id, status, closed_at, first_contacted_at, first_contact_due, opinion_due, "
        "due_date, paused_days, application_id, level, technical_field, countries, right_types, dispute_types)"
    ),
    # Closed or terminated in a period or a quarter of the trend.
    "cases_case_stats_closed": "cases_case (closed_at) INCLUDE (id, status) WHERE closed_at IS NOT NULL",
    # First contacts made in a period, with their timing.
    "cases_case_stats_first_contact": (
        "cases_case (first_contacted_at) INCLUDE (id, opened_at, first_contact_due) WHERE first_contacted_at IS NOT NULL"
    ),
    # Open now and its deadlines passed now.
    "cases_case_stats_open": (
        "cases_case (status) INCLUDE (id, opened_at, due_date, first_contacted_at, first_contact_due, opinion_due)"
    ),
    # Opinions signed in a period; an earlier opinion of the same case.
    "documents_guidanceopinion_stats_signed": "documents_guidanceopinion (signed_at) INCLUDE (id, case_id)",
    "documents_guidanceopinion_stats_case": "documents_guidanceopinion (case_id, signed_at)",
    # Letters signed in a period.
    "cases_assistanceletter_stats_signed": "cases_assistanceletter (signed_at) INCLUDE (id, status, case_id)",
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
        ("cases", "0009_upward_report_signed_by_director"),
    ]

    operations = [migrations.RunPython(create, drop)]
