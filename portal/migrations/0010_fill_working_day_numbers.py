"""Numbers every date from 2015 to two years ahead by its working days, from the calendar
loaded by 0003 (the statistics' working-day durations are subtractions of these numbers)."""

from pathlib import Path

from django.db import migrations

# A migration written at the same time as this one also follows 0009; it is ordered after this
# one so that the graph keeps a single leaf (drop this once it names 0010 as its dependency).
_SIBLING = "0011_job_result_data"


def fill(apps, schema_editor):
    from portal.workdays import working_day_numbers_rebuild

    working_day_numbers_rebuild(
        calendar_model=apps.get_model("portal", "CalendarDay"),
        number_model=apps.get_model("portal", "WorkingDayNumber"),
    )


def empty(apps, schema_editor):
    apps.get_model("portal", "WorkingDayNumber").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0009_jobs_and_working_day_numbers")]
    run_before = [("portal", _SIBLING)] if (Path(__file__).with_name(f"{_SIBLING}.py")).exists() else []

    operations = [migrations.RunPython(fill, empty)]
