"""Consultations (咨询): a question answered by the hotline, at the counter, by e-mail, on WeChat or at a
trade fair's desk. Most of a center's work starts here; a consultation that needs the center's guidance
is turned into a draft application that the enterprise completes online."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.choices import DisputeType, RightType
from applications.countries import ALL_COUNTRY_CHOICES, country_name
from portal.fields import ChoiceListField
from portal.transitions import StatusField, StatusModel

TEXT_LIMIT = 10000


class Consultation(StatusModel):
    class Channel(models.TextChoices):
        HOTLINE = "hotline", _("热线电话")
        WALK_IN = "walk_in", _("现场来访")
        EMAIL = "email", _("电子邮件")
        WECHAT = "wechat", _("微信")
        FAIR_DESK = "fair_desk", _("展会服务台")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        OPEN = "open", _("待跟进")
        CLOSED = "closed", _("已办结")
        CONVERTED = "converted", _("已转为申请")

    # The one map of allowed consultation transitions.
    TRANSITIONS = {
        Status.OPEN: {Status.CLOSED, Status.CONVERTED},
        Status.CLOSED: {Status.OPEN, Status.CONVERTED},
        Status.CONVERTED: set(),
    }

    number = models.CharField(_("咨询编号"), max_length=30, unique=True, null=True, blank=True)
    channel = models.CharField(_("咨询渠道"), max_length=20, choices=Channel.choices, db_index=True)
    received_at = models.DateTimeField(_("咨询时间"), default=timezone.now)
    status = StatusField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True, transitions=TRANSITIONS
    )

    # Who asked.
    person_name = models.CharField(_("咨询人"), max_length=100)
    person_title = models.CharField(_("职务"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    wechat = models.CharField(_("微信号"), max_length=60, blank=True)
    # The organisation: a known applicant, or a name (and code) typed for one not yet registered.
    applicant = models.ForeignKey(
        "applications.Applicant",
        verbose_name=_("所属单位（已登记）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    organisation_name = models.CharField(_("单位名称"), max_length=200, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    fair_name = models.CharField(_("展会名称"), max_length=200, blank=True)

    # What it was about.
    countries = ChoiceListField(_("涉及国家/地区"), choices=ALL_COUNTRY_CHOICES)
    right_types = ChoiceListField(_("涉及权利类别"), choices=RightType.choices)
    dispute_types = ChoiceListField(_("涉及纠纷类型"), choices=DisputeType.choices)
    question = models.TextField(_("咨询问题"), max_length=TEXT_LIMIT)
    answer = models.TextField(_("答复内容"), max_length=TEXT_LIMIT, blank=True)
    minutes_spent = models.PositiveSmallIntegerField(_("用时（分钟）"), null=True, blank=True)

    # Follow-up.
    follow_up_on = models.DateField(_("跟进日期"), null=True, blank=True, db_index=True)
    follow_up_note = models.TextField(_("跟进记录"), max_length=TEXT_LIMIT, blank=True)
    follow_up_reminded_on = models.DateField(_("最近提醒日期"), null=True, blank=True)

    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接待人"), on_delete=models.PROTECT, related_name="+"
    )
    service_point = models.ForeignKey(
        "portal.ServicePoint",
        verbose_name=_("服务工作站"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations",
        help_text=_("由工作站接待时填写；中心直接接待的留空。"),
    )
    # Set once: a consultation turned into an application twice still gives one application.
    application = models.OneToOneField(
        "applications.Application",
        verbose_name=_("转成的申请"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultation",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("咨询记录")
        verbose_name_plural = _("咨询记录")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["status", "follow_up_on"]),
            models.Index(fields=["service_point", "-received_at"]),
            # The list's order with the key Django adds to it: the newest page without a sort.
            models.Index(fields=["received_at", "id"], name="consultation_received_id"),
        ]

    def __str__(self):
        return self.number or _("咨询 #%(pk)s") % {"pk": self.pk}

    @property
    def organisation(self):
        return self.applicant.name if self.applicant_id else self.organisation_name

    @property
    def country_names(self):
        return [str(country_name(code)) for code in self.countries]


class ConsultationStatistics(Consultation):
    """No data of its own: the statistics page's entry in the staff workplace's app list."""

    class Meta:
        proxy = True
        verbose_name = _("咨询与申请统计")
        verbose_name_plural = _("咨询与申请统计")
        default_permissions = ()
