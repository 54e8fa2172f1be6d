"""A case: an accepted application being handled by the center."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.choices import DisputeLevel


class Case(models.Model):
    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("已受理")
        IN_PROGRESS = "in_progress", _("办理中")
        AWAITING_INPUT = "awaiting_input", _("等待协助单位或专家意见")
        OPINION_DRAFTED = "opinion_drafted", _("指导意见已起草")
        OPINION_ISSUED = "opinion_issued", _("指导意见已出具")
        FOLLOW_UP = "follow_up", _("跟踪反馈")
        CLOSED = "closed", _("已结案")
        TERMINATED = "terminated", _("已终止")

    application = models.OneToOneField(
        "applications.Application", on_delete=models.PROTECT, related_name="case", verbose_name=_("申请")
    )
    number = models.CharField(_("案件编号"), max_length=30, unique=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.ACCEPTED, db_index=True)
    level = models.CharField(
        _("纠纷级别"), max_length=20, choices=DisputeLevel.choices, default=DisputeLevel.ORDINARY, db_index=True
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_cases",
        verbose_name=_("承办人"),
    )
    # Optimistic lock: every service that changes the case bumps it, and a change made
    # from an out-of-date page is refused.
    revision = models.PositiveIntegerField(_("修订号"), default=0)
    opened_at = models.DateTimeField(_("受理时间"), db_index=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["handler", "status"])]

    def __str__(self):
        return self.number

    @property
    def is_major(self):
        return self.level == DisputeLevel.MAJOR


class CaseEvent(models.Model):
    """Every change on a case: who, when, from, to, and a note (internal or for the applicant)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("案件"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    from_status = models.CharField(_("原状态"), max_length=20, choices=Case.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=Case.Status.choices, blank=True)
    note = models.TextField(_("内部备注"), blank=True)
    public_note = models.TextField(_("对申请人的说明"), blank=True)

    class Meta:
        verbose_name = _("案件流转记录")
        verbose_name_plural = _("案件流转记录")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.case} {self.from_status} → {self.to_status}"


class AssistanceLetter(models.Model):
    """协助办理函: the center asks one or more partner agencies for help on a case.

    Drafted by staff, signed (签发) by the director or a deputy director; signing freezes
    the text and gives the letter its official number.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        AWAITING_SIGNATURE = "awaiting_signature", _("待签发")
        SIGNED = "signed", _("已签发")
        SETTLED = "settled", _("已办结")
        WITHDRAWN = "withdrawn", _("已撤回")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="letters", verbose_name=_("案件"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    subject = models.CharField(_("事由"), max_length=200)
    body = models.TextField(_("正文"))
    due_date = models.DateField(_("请于此日前回复"), null=True, blank=True)
    number = models.CharField(_("文号"), max_length=60, blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("起草人")
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("签发人"),
    )
    signed_at = models.DateTimeField(_("签发时间"), null=True, blank=True)
    revision = models.PositiveIntegerField(_("修订号"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("协助办理函")
        verbose_name_plural = _("协助办理函")
        ordering = ["-created_at"]

    def __str__(self):
        return self.number or self.subject


class LetterRecipient(models.Model):
    """One addressed agency of a letter: when it signed for it (签收) and answered (回函)."""

    letter = models.ForeignKey(
        AssistanceLetter, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("协助办理函")
    )
    agency = models.ForeignKey(
        "portal.PartnerAgency", on_delete=models.PROTECT, related_name="letter_receipts", verbose_name=_("协助单位")
    )
    due_date = models.DateField(_("回复期限"), null=True, blank=True, db_index=True)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("签收人"),
    )
    answered_at = models.DateTimeField(_("回函时间"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("协助单位办理情况")
        verbose_name_plural = _("协助单位办理情况")
        constraints = [models.UniqueConstraint(fields=["letter", "agency"], name="letter_recipient_unique_agency")]

    def __str__(self):
        return f"{self.letter} → {self.agency}"
