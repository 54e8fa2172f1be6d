from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0007_application_events_to_audit_log"),
    ]

    operations = [
        migrations.DeleteModel(name="ApplicationEvent"),
    ]
