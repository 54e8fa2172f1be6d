"""Give applications already waiting for review or correction their deadlines, counted in
working days from their submission or return, as the services now store them."""

from django.db import migrations
from django.utils import timezone


def backfill(apps, schema_editor):
    from portal.workdays import add_working_days

    Application = apps.get_model("applications", "Application")
    config = apps.get_model("portal", "SiteConfiguration").objects.filter(pk=1).first()
    acceptance_days = config.acceptance_days if config else 5
    correction_days = config.correction_days if config else 10
    for application in Application.objects.filter(status="submitted", review_due__isnull=True).exclude(
        submitted_at=None
    ):
        application.review_due = add_working_days(timezone.localdate(application.submitted_at), acceptance_days)
        application.save(update_fields=["review_due"])
    for application in Application.objects.filter(status="returned", correction_due__isnull=True).exclude(
        decided_at=None
    ):
        application.correction_due = add_working_days(timezone.localdate(application.decided_at), correction_days)
        application.save(update_fields=["correction_due"])


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0004_deadlines"),
        ("portal", "0003_official_calendar"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
