"""The seven event tables moved into the one audit log, tested on a copy of the demo data.

The demo data is loaded at the newest schema, then every app is migrated back to before its events
moved: the backwards migrations put the history into the old tables, which gives a copy of the demo
data as the old code kept it. Migrating forward (the real upgrade) must keep every row: the same count,
each row's author and time; and migrating back again must give the same old rows.
"""

import io

import pytest
from django.db import connection

from portal.models import LogEntry
from tests.schema_migrations import migrate, migrate_to_newest, newest_schema_afterwards  # noqa: F401 (a fixture)

BEFORE_THE_AUDIT_LOG = [
    ("applications", "0006_applicantaccount"),
    ("documents", "0005_backfill_document_case"),
    ("cases", "0005_opinion_deadline_pause"),
    ("experts", "0004_unavailability_conflict_until"),
    ("meetings", "0001_initial"),
]
OLD_EVENT_TABLES = [
    "applications_applicationevent",
    "cases_caseevent",
    "documents_documentevent",
    "documents_opinionevent",
    "experts_expertevent",
    "meetings_meetingevent",
    "meetings_actionitemevent",
]


def _timelines():
    rows = LogEntry.objects.values_list(
        "content_type__app_label",
        "content_type__model",
        "object_id",
        "scope_object_id",
        "action_type",
        "actor_id",
        "created",
        "from_status",
        "to_status",
        "note",
        "public_note",
    )
    return sorted(rows, key=lambda row: tuple(str(value) for value in row))


def _count(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 (table names are the constants above)
        return cursor.fetchone()[0]


def _old_rows(table):
    """Every row of an old event table, without its id."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return sorted(tuple(sorted((k, str(v)) for k, v in row.items() if k != "id")) for row in rows)


def _who_and_when(rows):
    """(actor, time) of each old row: what every entry must keep whatever else it carries."""
    return sorted((dict(row)["actor_id"], dict(row)["at"][:19]) for row in rows)


@pytest.mark.usefixtures("newest_schema_afterwards")
def test_the_demo_datas_history_moves_between_the_old_tables_and_the_audit_log_without_loss():
    """A copy of the demo data is put in the old tables (backwards), moved into the audit log
    (forwards, the real upgrade), then back: no row is lost, every entry keeps its author and time,
    and the old rows come back as they were. (Each app's own test moves rows it wrote in the old
    tables forward and back: tests/*/test_*audit_migration.py.)"""
    from demo.seed import seed_all

    seed_all(io.StringIO())

    migrate(BEFORE_THE_AUDIT_LOG)
    old = {table: _old_rows(table) for table in OLD_EVENT_TABLES}
    assert all(old.values()), {table: len(rows) for table, rows in old.items()}
    not_moved = _count("portal_logentry")  # downloads, e-mails, draft saves: no old table had them

    migrate_to_newest()
    upgraded = _timelines()
    assert len(upgraded) == sum(len(rows) for rows in old.values()) + not_moved
    kept = {(str(row[5]), str(row[6])[:19]) for row in upgraded}
    assert [when for rows in old.values() for when in _who_and_when(rows) if when not in kept] == []

    migrate(BEFORE_THE_AUDIT_LOG)
    assert {table: _old_rows(table) for table in OLD_EVENT_TABLES} == old
