"""Keeps the working-day numbers in step with the calendar: a day staff add, edit or delete
in the admin renumbers the table, and after migrate or flush the table is filled if empty."""

from django.apps import apps
from django.db.models.signals import post_delete, post_migrate, post_save

from portal.models import CalendarDay
from portal.workdays import calendar_day_changed, numbers_after_migrate

post_save.connect(calendar_day_changed, sender=CalendarDay, dispatch_uid="portal.calendar_day_saved")
post_delete.connect(calendar_day_changed, sender=CalendarDay, dispatch_uid="portal.calendar_day_deleted")
post_migrate.connect(
    numbers_after_migrate, sender=apps.get_app_config("portal"), dispatch_uid="portal.working_day_numbers"
)
