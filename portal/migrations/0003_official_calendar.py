"""Load the State Council's holidays and make-up working days shipped with chinesecalendar,
so that a new install counts deadlines in working days without any manual step."""

from django.db import migrations


def load_official_calendar(apps, schema_editor):
    from portal.workdays import official_calendar_sync

    official_calendar_sync(model=apps.get_model("portal", "CalendarDay"))


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_calendarday_source")]

    operations = [migrations.RunPython(load_official_calendar, migrations.RunPython.noop)]
