"""The three-level service network: city, district and industrial-park workstations (工作站) that take
consultations and applications near the enterprises and forward them to the center.

A workstation's staff see only the applicants, applications and cases of their workstation and of the
workstations under it; the rule lives in `ServicePoint.scope_ids` and each app's permissions.py."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServicePoint(models.Model):
    class Level(models.TextChoices):
        CITY = "city", _("市级工作站")
        DISTRICT = "district", _("县（区）级工作站")
        PARK = "park", _("园区工作站")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级工作站"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    region = models.CharField(_("所在区域"), max_length=60, help_text=_("例如：许昌市、魏都区、许昌经济技术开发区。"))
    address = models.CharField(_("地址"), max_length=200)
    hotline = models.CharField(_("咨询电话"), max_length=40, blank=True)
    email = models.EmailField(_("联系邮箱"), blank=True)
    office_hours = models.CharField(_("服务时间"), max_length=100, blank=True)
    host_organisation = models.CharField(
        _("依托单位"), max_length=100, blank=True, help_text=_("例如：区市场监督管理局、园区管委会。")
    )
    active = models.BooleanField(_("在用"), default=True)
    display_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(_("设立时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("服务工作站")
        verbose_name_plural = _("服务工作站")
        ordering = ["display_order", "name"]

    # What __str__ reads: all that a list of other rows needs of this one (portal.admin_lists).
    name_fields = ("name",)

    def __str__(self):
        return self.name

    @classmethod
    def scope_ids(cls, point_id):
        """The ids a workstation's staff may act on: the workstation and those under it (three levels)."""
        if point_id is None:
            return []
        below = models.Q(pk=point_id) | models.Q(parent_id=point_id) | models.Q(parent__parent_id=point_id)
        return list(cls.objects.filter(below).values_list("pk", flat=True))
