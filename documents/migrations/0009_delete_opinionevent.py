from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0008_opinion_events_to_audit_log"),
    ]

    operations = [
        migrations.DeleteModel(
            name="OpinionEvent",
        ),
    ]
