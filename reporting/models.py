"""The center's quarterly and annual work reports (季度/年度工作报告).

A report is drafted from the period's figures (`reporting.selectors.figures`, kept as a
snapshot so that the signed text never moves), staff write the commentary, the director reviews
and signs it (签发), which numbers it and issues the PDF in the center's layout. The regular joint
meeting that reviews the period links to it, and it is filed with that meeting's minutes."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.transitions import StatusField, StatusModel
from reporting.periods import Period

QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}


class WorkReport(StatusModel):
    class Kind(models.TextChoices):
        QUARTERLY = "quarterly", _("季度工作报告")
        ANNUAL = "annual", _("年度工作报告")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        AWAITING_SIGNATURE = "awaiting_signature", _("待签发")
        SIGNED = "signed", _("已签发")

    TRANSITIONS = {
        Status.DRAFT: {Status.AWAITING_SIGNATURE},
        Status.AWAITING_SIGNATURE: {Status.SIGNED, Status.DRAFT},
        Status.SIGNED: set(),
    }

    kind = models.CharField(_("报告类型"), max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(
        _("季度"), null=True, blank=True, choices=[(q, _("第%(q)s季度") % {"q": q}) for q in range(1, 5)]
    )
    period_first = models.DateField(_("期间起"))
    period_last = models.DateField(_("期间止"))
    title = models.CharField(_("标题"), max_length=200)
    status = StatusField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True, transitions=TRANSITIONS
    )
    # The figures of the period as the statistics engine gave them when last computed.
    figures = models.JSONField(_("统计数据"), default=dict, blank=True)
    figures_at = models.DateTimeField(_("数据统计时间"), null=True, blank=True)
    # The staff's commentary, the parts such a report has.
    overview = models.TextField(_("工作概述"), blank=True, max_length=6000)
    achievements = models.TextField(_("主要成效"), blank=True, max_length=6000)
    problems = models.TextField(_("存在问题"), blank=True, max_length=6000)
    next_steps = models.TextField(_("下一步工作"), blank=True, max_length=6000)
    number = models.CharField(_("文号"), max_length=60, blank=True)
    meeting = models.ForeignKey(
        "meetings.JointMeeting",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_reports",
        verbose_name=_("审议的联席例会"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("起草人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("签发人"),
    )
    signed_at = models.DateTimeField(_("签发时间"), null=True, blank=True)
    document = models.ForeignKey(
        "documents.Document",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("报告文书"),
    )
    revision = models.PositiveIntegerField(_("修订号"), default=0)

    class Meta:
        verbose_name = _("工作报告")
        verbose_name_plural = _("工作报告")
        ordering = ["-period_last", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "quarter"], condition=Q(kind="quarterly"), name="work_report_one_per_quarter"
            ),
            models.UniqueConstraint(fields=["year"], condition=Q(kind="annual"), name="work_report_one_per_year"),
            models.CheckConstraint(
                condition=(Q(kind="quarterly") & Q(quarter__gte=1, quarter__lte=4))
                | (Q(kind="annual") & Q(quarter__isnull=True)),
                name="work_report_quarter_matches_kind",
            ),
        ]

    def __str__(self):
        return self.number or self.title

    @property
    def period(self) -> Period:
        if self.kind == self.Kind.ANNUAL:
            return Period.year(self.year)
        return Period.quarter(self.year, self.quarter)

    @property
    def period_name(self) -> str:
        """2026年第三季度 / 2026年度, as the title writes it."""
        if self.kind == self.Kind.ANNUAL:
            return _("%(year)s年度") % {"year": self.year}
        return _("%(year)s年第%(q)s季度") % {"year": self.year, "q": QUARTER_NAMES[self.quarter]}
