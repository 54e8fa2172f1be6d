from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """An exception to the Monday-to-Friday week: a public holiday on a weekday, or a
    make-up working day (调休) on a weekend. Staff keep these in the admin each year
    when the State Council publishes the holiday arrangements."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是否工作日"), help_text=_("节假日不勾选；周末调休上班的日子勾选。"))
    note = models.CharField(_("说明"), max_length=50, blank=True, help_text=_("例如“春节”“春节调休”。"))

    class Meta:
        verbose_name = _("工作日历例外")
        verbose_name_plural = _("工作日历例外")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.note}"
