"""The register of key export enterprises (重点出口企业) and their IP liaison officers (知识产权联络员),
as the Shanxi notice of 2023 and the Xuchang notice of 2022 ask: the center watches their markets, sends
them the warnings that concern them and sees their consultations, applications and training in one place."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.countries import ALL_COUNTRY_CHOICES
from knowledge.models import Industry
from portal.fields import ChoiceListField
from portal.validators import validate_credit_code

TEXT_LIMIT = 10000


class KeyEnterprise(models.Model):
    name = models.CharField(_("企业名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code])
    # Linked when the enterprise has registered (or been registered) as an applicant.
    applicant = models.OneToOneField(
        "applications.Applicant",
        verbose_name=_("平台申请人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="key_enterprise",
    )
    industries = ChoiceListField(_("所属行业"), choices=Industry.choices)
    products = models.CharField(_("主要出口产品"), max_length=300, blank=True)
    markets = ChoiceListField(_("主要出口市场"), choices=ALL_COUNTRY_CHOICES)
    brands_abroad = models.TextField(
        _("境外品牌和商标"), max_length=TEXT_LIMIT, blank=True, help_text=_("每行一项：商标、注册国家/地区、注册号。")
    )
    patents_abroad = models.TextField(_("境外专利布局"), max_length=TEXT_LIMIT, blank=True)
    annual_exports = models.CharField(_("年出口额"), max_length=60, blank=True)
    service_point = models.ForeignKey(
        "portal.ServicePoint",
        verbose_name=_("服务工作站"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="key_enterprises",
    )
    listed_on = models.DateField(_("列入名录日期"))
    active = models.BooleanField(_("在册"), default=True)
    note = models.TextField(_("备注"), max_length=TEXT_LIMIT, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("重点出口企业")
        verbose_name_plural = _("重点出口企业")
        ordering = ["name"]
        # The admin list's order (by name, then the key), read from the index instead of sorting the table.
        indexes = [models.Index(fields=["name", "id"], name="key_enterprise_name_id")]

    # What __str__ reads: all that a list of other rows needs of this one (portal.admin_lists).
    name_fields = ("name",)

    def __str__(self):
        return self.name


class LiaisonOfficer(models.Model):
    """The enterprise's IP liaison officer: receives the warnings that match its markets or industry."""

    enterprise = models.ForeignKey(
        KeyEnterprise, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="liaison_officers"
    )
    name = models.CharField(_("姓名"), max_length=100)
    title = models.CharField(_("职务"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    email = models.EmailField(_("电子邮箱"))
    active = models.BooleanField(_("在任"), default=True)
    appointed_on = models.DateField(_("任职日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("知识产权联络员")
        verbose_name_plural = _("知识产权联络员")
        ordering = ["enterprise", "-active", "name"]

    def __str__(self):
        return f"{self.name}（{self.enterprise}）"


class WarningDelivery(models.Model):
    """One warning sent to one liaison officer: each is sent once, however often the warning is saved."""

    warning = models.ForeignKey(
        "knowledge.Warning", verbose_name=_("预警"), on_delete=models.CASCADE, related_name="liaison_deliveries"
    )
    officer = models.ForeignKey(
        LiaisonOfficer, verbose_name=_("联络员"), on_delete=models.CASCADE, related_name="warning_deliveries"
    )
    reason = models.CharField(_("匹配原因"), max_length=200)
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("预警推送记录")
        verbose_name_plural = _("预警推送记录")
        ordering = ["-sent_at"]
        # The admin list's order (newest first, then the key), read from the index instead of sorting the table.
        indexes = [models.Index(fields=["sent_at", "id"], name="warning_delivery_sent_id")]
        constraints = [models.UniqueConstraint(fields=["warning", "officer"], name="warning_delivery_once")]

    def __str__(self):
        return f"{self.warning} → {self.officer}"
