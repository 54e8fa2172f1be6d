"""A case keeps what the statistics counted through its application (the workstation, the
applicant's category and province, the opponents' types) and the time its first opinion was
signed, so that a period's figures read the cases alone. Filled here for the cases there are;
the services keep them from now on. On PostgreSQL the covering index of the opened cases
gains the new columns and the issued opinions get their own."""

import django.db.models.deletion
from django.db import migrations, models

import portal.fields
from applications.regions import province_key_sql

OPENED_INDEX = "cases_case_stats_opened"
OPENED_BEFORE = (
    "cases_case (opened_at) INCLUDE (id, status, closed_at, first_contacted_at, first_contact_due, opinion_due, "
    "due_date, paused_days, application_id, level, technical_field, countries, right_types, dispute_types)"
)
OPENED_AFTER = (
    "cases_case (opened_at) INCLUDE (id, status, closed_at, first_contacted_at, first_contact_due, opinion_due, "
    "due_date, paused_days, application_id, level, technical_field, countries, right_types, dispute_types, "
    "service_point_id, applicant_category, region, opponent_types)"
)
ISSUED_INDEX = "cases_case_stats_opinion_issued"
ISSUED = (
    "cases_case (opinion_issued_at) INCLUDE (id, opened_at, paused_days, opinion_due, service_point_id) "
    "WHERE opinion_issued_at IS NOT NULL"
)


def backfill(connection):
    """Copy the application's fields and the first signed opinion's time onto every case.
    Set-based: one UPDATE for the copies, one for the opinions. Also used by the statistics
    benchmark after it writes its rows."""
    region = province_key_sql("a.credit_code", "a.id_type", "a.id_number")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE cases_case c SET service_point_id = a.service_point_id, "  # noqa: S608 (constants only)
                "applicant_category = a.applicant_category, opponent_types = a.opponent_types, "
                f"region = {region} FROM applications_application a WHERE a.id = c.application_id"
            )
            cursor.execute(
                "UPDATE cases_case c SET opinion_issued_at = o.first FROM (SELECT case_id, min(signed_at) AS first "
                "FROM documents_guidanceopinion WHERE signed_at IS NOT NULL GROUP BY case_id) o WHERE o.case_id = c.id"
            )
        else:
            one = "SELECT {} FROM applications_application a WHERE a.id = cases_case.application_id"
            cursor.execute(
                f"UPDATE cases_case SET service_point_id = ({one.format('a.service_point_id')}), "  # noqa: S608
                f"applicant_category = COALESCE(({one.format('a.applicant_category')}), ''), "
                f"opponent_types = COALESCE(({one.format('a.opponent_types')}), ''), "
                f"region = COALESCE(({one.format(region)}), 'unknown')"
            )
            cursor.execute(
                "UPDATE cases_case SET opinion_issued_at = (SELECT min(o.signed_at) FROM documents_guidanceopinion o "
                "WHERE o.case_id = cases_case.id AND o.signed_at IS NOT NULL)"
            )


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    backfill(connection)
    if connection.vendor == "postgresql":
        # The copied workstation's foreign key checks are deferred to the commit; an index
        # cannot be built on a table with checks pending, so they run now.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute(f"DROP INDEX IF EXISTS {OPENED_INDEX}")
        schema_editor.execute(f"CREATE INDEX {OPENED_INDEX} ON {OPENED_AFTER}")
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {ISSUED_INDEX} ON {ISSUED}")


def backwards(apps, schema_editor):
    # The copies go with their columns; only the indexes need putting back.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {ISSUED_INDEX}")
        schema_editor.execute(f"DROP INDEX IF EXISTS {OPENED_INDEX}")
        schema_editor.execute(f"CREATE INDEX {OPENED_INDEX} ON {OPENED_BEFORE}")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_statistics_indexes_postgres"),
        ("portal", "0011_job_result_data"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="applicant_category",
            field=models.CharField(
                blank=True,
                choices=[
                    ("enterprise", "企业"),
                    ("sole_trader", "个体工商户"),
                    ("individual", "个人"),
                    ("association", "社会团体"),
                    ("research", "科研院所"),
                    ("other", "其他"),
                ],
                max_length=20,
                verbose_name="申请人类别",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="opinion_issued_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="首次出具指导意见时间"),
        ),
        migrations.AddField(
            model_name="case",
            name="opponent_types",
            field=portal.fields.ChoiceListField(
                blank=True,
                choices=[
                    ("competitor", "竞争对手"),
                    ("npe", "非专利实施实体（NPE）"),
                    ("university", "高校或研究机构"),
                    ("individual", "个人"),
                    ("other", "其他"),
                ],
                default=list,
                max_length=500,
                verbose_name="纠纷对象类型",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="region",
            field=models.CharField(blank=True, max_length=7, verbose_name="申请人所在省份代码"),
        ),
        migrations.AddField(
            model_name="case",
            name="service_point",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="portal.servicepoint",
                verbose_name="服务工作站",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
