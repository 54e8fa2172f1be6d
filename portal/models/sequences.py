from django.db import models
from django.utils.translation import gettext_lazy as _


class Sequence(models.Model):
    """A gap-free counter per key and year (application numbers, document numbers).

    `portal.sequences.next_value` locks the row, so concurrent callers get distinct
    consecutive values and a rolled-back transaction gives its value back.
    """

    key = models.CharField(_("序列"), max_length=60)
    year = models.PositiveSmallIntegerField(_("年度"))
    last_value = models.PositiveIntegerField(_("当前值"), default=0)

    class Meta:
        verbose_name = _("编号序列")
        verbose_name_plural = _("编号序列")
        constraints = [models.UniqueConstraint(fields=["key", "year"], name="sequence_unique_key_year")]

    def __str__(self):
        return f"{self.key} {self.year}: {self.last_value}"
