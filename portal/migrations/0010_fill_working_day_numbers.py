"""Numbers every date from 2015 to two years ahead by its working days, from the calendar
loaded by 0003 (the statistics' working-day durations are subtractions of these numbers)."""

from django.db import migrations


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

    operations = [migrations.RunPython(fill, empty)]
