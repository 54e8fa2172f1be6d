"""The expert pool (专家库), nominations from partner agencies, and seminars (研讨会)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Expert(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expert_profile",
        verbose_name=_("登录账号"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    organisation = models.CharField(_("工作单位"), max_length=200)
    title = models.CharField(_("职称/职务"), max_length=100, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    active = models.BooleanField(_("在库"), default=True)
    created_at = models.DateTimeField(_("入库时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("专家")
        verbose_name_plural = _("专家库")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}（{self.organisation}）"


class ExpertNomination(models.Model):
    """An expert put forward by a partner agency in its answer to an assistance letter;
    staff approve it into the pool or decline it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已入库")
        DECLINED = "declined", _("未入库")

    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expert_nominations",
        verbose_name=_("案件"),
    )
    agency = models.ForeignKey(
        "portal.PartnerAgency", on_delete=models.PROTECT, related_name="expert_nominations", verbose_name=_("推荐单位")
    )
    letter_recipient = models.ForeignKey(
        "cases.LetterRecipient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nominations",
        verbose_name=_("所回复的协助办理函"),
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("推荐人")
    )
    name = models.CharField(_("姓名"), max_length=50)
    organisation = models.CharField(_("工作单位"), max_length=200)
    title = models.CharField(_("职称/职务"), max_length=100, blank=True)
    expertise = models.TextField(_("专业领域与经验"), blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    expert = models.ForeignKey(
        Expert, null=True, blank=True, on_delete=models.PROTECT, related_name="nominations", verbose_name=_("入库专家")
    )
    created_at = models.DateTimeField(_("推荐时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("专家推荐")
        verbose_name_plural = _("专家推荐")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name}（{self.agency}）"


class Seminar(models.Model):
    """专家研讨会 for a major or difficult case."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("筹备中")
        CONVENED = "convened", _("已通知")
        HELD = "held", _("已召开")
        CONCLUDED = "concluded", _("已形成合议意见")
        CANCELLED = "cancelled", _("已取消")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="seminars", verbose_name=_("案件"))
    title = models.CharField(_("会议名称"), max_length=200)
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    location = models.CharField(_("地点"), max_length=200, blank=True)
    online_link = models.URLField(_("线上会议链接"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("召集人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("专家研讨会")
        verbose_name_plural = _("专家研讨会")
        ordering = ["-starts_at"]

    def __str__(self):
        return self.title
