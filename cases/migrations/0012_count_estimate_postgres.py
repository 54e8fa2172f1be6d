"""The planner's row estimate of a query, as a SQL function (PostgreSQL only), so that a staff list
counts a filtered set exactly up to a cap and estimates it beyond, in one query
(portal.admin_filters.ApproximateCountPaginator). The function is the PostgreSQL wiki's
"Count estimate". SQLite (developer runs) counts exactly and needs none."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION portal_count_estimate(query text) RETURNS bigint AS $$
DECLARE
    plan jsonb;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
    RETURN (plan -> 0 -> 'Plan' ->> 'Plan Rows')::bigint;
END;
$$ LANGUAGE plpgsql VOLATILE STRICT
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS portal_count_estimate(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_statistics_copies"),
    ]

    operations = [migrations.RunPython(create, drop)]
