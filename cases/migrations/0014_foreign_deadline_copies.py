"""A case keeps the applicant's deadline abroad too (the date, what falls due, where, and the
urgent mark), copied from its application like the statistics' copies of 0011: the staff's list
shows, filters and sorts by it from the case table alone. Filled here for the cases there are;
opening a case copies it from now on (the application is read-only once accepted).

Indexes for the sort and the filters that used to join the application: the deadline abroad, the
urgent open cases, and (PostgreSQL) a trigram index for the opponents' types, like the other
multiple-choice answers of 0004."""

from django.db import migrations, models

COPIED = ("foreign_deadline", "foreign_deadline_what", "foreign_deadline_where", "urgent")
OPEN_STATUSES = ("accepted", "in_progress", "awaiting_input", "opinion_drafted", "opinion_issued", "follow_up")
OPPONENT_INDEX = "cases_case_opponent_types_trgm"


def backfill(connection):
    """Copy the four fields from each case's application in one UPDATE (also used by the benchmarks
    after they write their rows)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            assignments = ", ".join(f"{name} = a.{name}" for name in COPIED)
            cursor.execute(
                f"UPDATE cases_case c SET {assignments} "  # noqa: S608 (constants only)
                "FROM applications_application a WHERE a.id = c.application_id"
            )
        else:
            one = "(SELECT a.{0} FROM applications_application a WHERE a.id = cases_case.application_id)"
            assignments = ", ".join(f"{name} = {one.format(name)}" for name in COPIED)
            cursor.execute(f"UPDATE cases_case SET {assignments}")  # noqa: S608 (constants only)


def forwards(apps, schema_editor):
    backfill(schema_editor.connection)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {OPPONENT_INDEX} ON cases_case USING gin (opponent_types gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    # The copies go with their columns; only the trigram index needs dropping.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {OPPONENT_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0011_admin_search_indexes_postgres"),
        ("cases", "0013_case_list_indexes_postgres"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="foreign_deadline",
            field=models.DateField(blank=True, null=True, verbose_name="境外期限"),
        ),
        migrations.AddField(
            model_name="case",
            name="foreign_deadline_what",
            field=models.CharField(blank=True, max_length=200, verbose_name="到期事项"),
        ),
        migrations.AddField(
            model_name="case",
            name="foreign_deadline_where",
            field=models.CharField(blank=True, max_length=200, verbose_name="受理机构或地点"),
        ),
        migrations.AddField(
            model_name="case",
            name="urgent",
            field=models.BooleanField(default=False, verbose_name="紧急"),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["foreign_deadline", "-id"], name="cases_case_foreign_deadline"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(status__in=OPEN_STATUSES, urgent=True),
                fields=["-opened_at"],
                name="cases_case_open_urgent",
            ),
        ),
    ]
