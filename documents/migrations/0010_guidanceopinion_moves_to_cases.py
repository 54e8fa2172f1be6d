"""The guidance opinion is case work: the model leaves the documents app's state here and joins
the cases app's (cases 0006), keeping its table, documents_guidanceopinion, and every row."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0009_delete_opinionevent"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="GuidanceOpinion")],
            database_operations=[],
        ),
    ]
