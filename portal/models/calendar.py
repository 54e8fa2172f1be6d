from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """An exception to the Monday-to-Friday week: a public holiday, or a make-up working day
    (调休) on a weekend.

    The State Council's arrangements arrive by themselves from the `chinesecalendar` library
    (see portal.workdays.official_calendar_sync); staff add or correct days in the admin, and a
    day staff entered or edited is never overwritten by the library.
    """

    class Source(models.TextChoices):
        OFFICIAL = "official", _("国务院办公厅放假安排")
        MANUAL = "manual", _("工作人员维护")

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是否工作日"), help_text=_("节假日不勾选；周末调休上班的日子勾选。"))
    note = models.CharField(_("说明"), max_length=50, blank=True, help_text=_("例如“春节”“春节调休”。"))
    source = models.CharField(
        _("来源"),
        max_length=10,
        choices=Source.choices,
        default=Source.MANUAL,
        help_text=_("工作人员维护的日子不会被自动更新覆盖。"),
    )

    class Meta:
        verbose_name = _("工作日历例外")
        verbose_name_plural = _("工作日历例外")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.note}"


class WorkingDayNumber(models.Model):
    """Every date of the years the portal counts in, with the number of working days from the
    first of them up to and including that date.

    Working days between two dates are then one subtraction, which the database can do for a
    year of cases at once (the statistics' medians); `portal.workdays` stays the answer for one
    date. Rebuilt from the calendar and its exceptions whenever they change."""

    date = models.DateField(_("日期"), primary_key=True)
    number = models.PositiveIntegerField(_("工作日序号"))
    is_working_day = models.BooleanField(_("是否工作日"))

    class Meta:
        verbose_name = _("工作日序号")
        verbose_name_plural = _("工作日序号")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.number}"
