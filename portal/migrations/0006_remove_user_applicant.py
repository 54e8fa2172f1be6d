"""The base layer no longer points into applications: the user's organisation is kept by
applications.ApplicantAccount (filled from this column by applications' migration 0006)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0006_outbox"),
        ("applications", "0006_applicantaccount"),
    ]

    operations = [
        migrations.RemoveField(model_name="user", name="applicant"),
    ]
