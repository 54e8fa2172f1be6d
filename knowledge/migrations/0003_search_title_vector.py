"""A small tsvector of each search entry's title terms, to rank results by, on PostgreSQL only.

Ranking on the whole vector would read every matching item's full text terms (a law's full text
gives thousands); the title's terms order the results the same way (see knowledge.search). It is
filled by knowledge.search with the other vector; `manage.py rebuild_search_index` fills it for
entries written before this migration.
"""

from django.db import migrations

FORWARD = ["ALTER TABLE knowledge_searchentry ADD COLUMN IF NOT EXISTS title_vector tsvector"]
BACKWARD = ["ALTER TABLE knowledge_searchentry DROP COLUMN IF EXISTS title_vector"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0002_search_vector")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
