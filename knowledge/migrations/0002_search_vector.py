"""The search's tsvector column and its GIN index, on PostgreSQL only.

The column is filled by knowledge.search from the terms it has already cut (a tsvector literal,
weight A for the title's terms, B for the rest), never by PostgreSQL's text parser, which knows no
Chinese words. SQLite (the run command) searches the `terms` column instead and gets no column.
"""

from django.db import migrations

FORWARD = [
    "ALTER TABLE knowledge_searchentry ADD COLUMN IF NOT EXISTS search_vector tsvector",
    "CREATE INDEX IF NOT EXISTS knowledge_searchentry_vector_gin ON knowledge_searchentry USING gin (search_vector)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS knowledge_searchentry_vector_gin",
    "ALTER TABLE knowledge_searchentry DROP COLUMN IF EXISTS search_vector",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
