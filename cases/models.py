"""A case: an accepted application being handled by the center."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.choices import ApplicantCategory, DisputeLevel, DisputeType, OpponentType, RightType, TechnicalField
from applications.countries import ALL_COUNTRY_CHOICES
from portal.fields import ChoiceListField
from portal.transitions import StatusField, StatusModel

OPEN_STATUSES = ("accepted", "in_progress", "awaiting_input", "opinion_drafted", "opinion_issued", "follow_up")


class Case(StatusModel):
    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("已受理")
        IN_PROGRESS = "in_progress", _("办理中")
        AWAITING_INPUT = "awaiting_input", _("等待协助单位或专家意见")
        OPINION_DRAFTED = "opinion_drafted", _("指导意见已起草")
        OPINION_ISSUED = "opinion_issued", _("指导意见已出具")
        FOLLOW_UP = "follow_up", _("跟踪反馈")
        CLOSED = "closed", _("已结案")
        TERMINATED = "terminated", _("已终止")

    # The one map of a case's steps; `portal.transitions.transition` is the only way along it.
    TRANSITIONS = {
        Status.ACCEPTED: {Status.IN_PROGRESS, Status.TERMINATED},
        Status.IN_PROGRESS: {Status.AWAITING_INPUT, Status.OPINION_DRAFTED, Status.TERMINATED},
        Status.AWAITING_INPUT: {Status.IN_PROGRESS, Status.OPINION_DRAFTED, Status.TERMINATED},
        Status.OPINION_DRAFTED: {Status.IN_PROGRESS, Status.OPINION_ISSUED, Status.TERMINATED},
        Status.OPINION_ISSUED: {Status.FOLLOW_UP, Status.CLOSED, Status.TERMINATED},
        Status.FOLLOW_UP: {Status.CLOSED, Status.TERMINATED},
        Status.CLOSED: set(),
        Status.TERMINATED: set(),
    }

    application = models.OneToOneField(
        "applications.Application", on_delete=models.PROTECT, related_name="case", verbose_name=_("申请")
    )
    number = models.CharField(_("案件编号"), max_length=30, unique=True)
    status = StatusField(
        _("状态"),
        max_length=20,
        choices=Status.choices,
        default=Status.ACCEPTED,
        db_index=True,
        transitions=TRANSITIONS,
    )
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
    assigned_at = models.DateTimeField(_("指定承办人时间"), null=True, blank=True)
    first_contact_due = models.DateField(_("首次联系期限"), null=True, blank=True)
    first_contacted_at = models.DateTimeField(_("首次联系申请人时间"), null=True, blank=True)
    opinion_due = models.DateField(_("出具指导意见期限"), null=True, blank=True)
    # The deadline of the stage the case is in (first contact, then the opinion); empty once
    # the opinion is issued or the case is closed. Kept by the services, indexed for the
    # overdue filter and the reminders.
    due_date = models.DateField(_("当前期限"), null=True, blank=True, db_index=True)
    last_reminded_on = models.DateField(_("最近提醒日期"), null=True, blank=True)
    # While the center waits for the applicant's correction or input, the opinion deadline is
    # paused (due_date empty); on the answer it moves on by the working days that passed.
    input_requested_at = models.DateTimeField(_("等待申请人补充材料自"), null=True, blank=True)
    paused_days = models.PositiveSmallIntegerField(_("期限已暂停的工作日"), default=0)
    regrade_reason = models.TextField(_("调整级别理由"), blank=True)
    termination_reason = models.TextField(_("终止理由"), blank=True)

    # Copied from the application when the case opens (the application is frozen once
    # accepted), so that the list filters and the search hit one indexed table.
    applicant_name = models.CharField(_("申请人"), max_length=200, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    countries = ChoiceListField(_("纠纷国家/地区"), choices=ALL_COUNTRY_CHOICES)
    dispute_types = ChoiceListField(_("涉及纠纷类型"), choices=DisputeType.choices)
    right_types = ChoiceListField(_("涉及权利类别"), choices=RightType.choices)
    technical_field = models.CharField(
        _("纠纷领域"), max_length=20, choices=TechnicalField.choices, blank=True, db_index=True
    )
    # Copied too for the statistics, which then count a period's cases from this table alone:
    # the workstation, the applicant's category and province (applications.regions), the
    # opponents' types; and the time the first opinion was signed (set when it is issued).
    service_point = models.ForeignKey(
        "portal.ServicePoint",
        verbose_name=_("服务工作站"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    applicant_category = models.CharField(_("申请人类别"), max_length=20, choices=ApplicantCategory.choices, blank=True)
    region = models.CharField(_("申请人所在省份代码"), max_length=7, blank=True)
    opponent_types = ChoiceListField(_("纠纷对象类型"), choices=OpponentType.choices)
    opinion_issued_at = models.DateTimeField(_("首次出具指导意见时间"), null=True, blank=True)
    # And the applicant's deadline abroad, which the staff's list shows, filters and sorts by: from
    # this table alone, a list filtered by it counts its rows on one index instead of a join.
    foreign_deadline = models.DateField(_("境外期限"), null=True, blank=True)
    foreign_deadline_what = models.CharField(_("到期事项"), max_length=200, blank=True)
    foreign_deadline_where = models.CharField(_("受理机构或地点"), max_length=200, blank=True)
    urgent = models.BooleanField(_("紧急"), default=False)
    # Upper-cased text searched by the case list: numbers, applicant, credit code, request.
    search_text = models.TextField(_("检索文本"), blank=True, editable=False)

    class Meta:
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["handler", "status"]),
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["status", "-opened_at"]),
            # The list sorted and filtered by the deadline abroad (nulls last, as the column sorts),
            # and the urgent open cases.
            models.Index(fields=["foreign_deadline", "-id"], name="cases_case_foreign_deadline"),
            models.Index(
                fields=["-opened_at"],
                condition=models.Q(urgent=True, status__in=OPEN_STATUSES),
                name="cases_case_open_urgent",
            ),
        ]

    # What __str__ reads: all that a list of other rows needs of the case it names (admin_lists).
    name_fields = ("number",)

    def __str__(self):
        return self.number

    @property
    def is_major(self):
        return self.level == DisputeLevel.MAJOR

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def is_paused(self):
        return self.input_requested_at is not None


class CaseNote(models.Model):
    """An internal note on a case (never shown to the applicant or agencies)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes", verbose_name=_("案件"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )
    text = models.TextField(_("内容"), max_length=5000)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("案件备注")
        verbose_name_plural = _("案件备注")
        ordering = ["-created_at"]
        # The admin list's order (newest first, then the key), read from the index instead of sorting the table.
        indexes = [models.Index(fields=["created_at", "id"], name="cases_note_created_id")]

    def __str__(self):
        return self.text[:30]


class AssistanceLetter(StatusModel):
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

    TRANSITIONS = {
        Status.DRAFT: {Status.AWAITING_SIGNATURE, Status.WITHDRAWN},
        Status.AWAITING_SIGNATURE: {Status.SIGNED, Status.DRAFT, Status.WITHDRAWN},
        Status.SIGNED: {Status.SETTLED},
        Status.SETTLED: set(),
        Status.WITHDRAWN: set(),
    }

    class Help(models.TextChoices):
        NOMINATE_EXPERTS = "experts", _("推荐指导专家")
        OVERSEAS_INFO = "overseas_info", _("查询境外信息")
        CUSTOMS_RECORDATION = "customs", _("知识产权海关备案核查")
        TRADE_REMEDY = "trade_remedy", _("贸易救济与调查应对信息")
        MEDIATION = "mediation", _("商事调解与仲裁")
        OTHER = "other", _("其他")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="letters", verbose_name=_("案件"))
    status = StatusField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True, transitions=TRANSITIONS
    )
    subject = models.CharField(_("事由"), max_length=200)
    help_kinds = ChoiceListField(_("请求协助事项"), choices=Help.choices)
    body = models.TextField(_("正文"))
    share_contact = models.BooleanField(
        _("向协助单位提供申请人联系方式"),
        default=False,
        help_text=_("不勾选时，协助单位看不到申请人的联系人和联系方式。"),
    )
    agencies = models.ManyToManyField(
        "portal.PartnerAgency", through="LetterRecipient", related_name="letters", verbose_name=_("主送协助单位")
    )
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
    settled_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("协助办理函")
        verbose_name_plural = _("协助办理函")
        ordering = ["-created_at"]
        indexes = [
            # The case list's agency filter goes from an agency's recipients to their letters' cases:
            # with this index and LetterRecipient's, on indexes alone.
            models.Index(fields=["id", "case"], name="cases_letter_id_case"),
            # The admin list's order (newest first, then the key), read from the index instead of sorting the table.
            models.Index(fields=["created_at", "id"], name="cases_letter_created_id"),
        ]

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
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("回函人"),
    )
    answer = models.TextField(_("回函内容"), blank=True, max_length=10000)
    information_found = models.TextField(_("查询到的信息"), blank=True, max_length=10000)
    last_reminded_on = models.DateField(_("最近提醒日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("协助单位办理情况")
        verbose_name_plural = _("协助单位办理情况")
        constraints = [models.UniqueConstraint(fields=["letter", "agency"], name="letter_recipient_unique_agency")]
        indexes = [models.Index(fields=["agency", "letter"], name="cases_recipient_agency_letter")]

    def __str__(self):
        return f"{self.letter} → {self.agency}"

    @property
    def is_answered(self):
        return self.answered_at is not None


def answer_upload_path(instance, filename):
    return f"letter-answers/{instance.recipient_id}/{uuid.uuid4().hex}"


class AnswerAttachment(models.Model):
    """A file an agency attached to its answer (回函附件)."""

    recipient = models.ForeignKey(
        LetterRecipient, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("回函")
    )
    file = models.FileField(_("文件"), upload_to=answer_upload_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("回函附件")
        verbose_name_plural = _("回函附件")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class ExtensionRequest(StatusModel):
    """An agency asks for more time to answer a letter; staff grant or refuse it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        GRANTED = "granted", _("已同意")
        REFUSED = "refused", _("未同意")

    TRANSITIONS = {
        Status.PENDING: {Status.GRANTED, Status.REFUSED},
        Status.GRANTED: set(),
        Status.REFUSED: set(),
    }

    recipient = models.ForeignKey(
        LetterRecipient, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("协助单位办理情况")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    requested_until = models.DateField(_("申请延期至"))
    reason = models.TextField(_("延期理由"), max_length=2000)
    status = StatusField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING, transitions=TRANSITIONS
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审核人"),
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.CharField(_("审核意见"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.recipient.agency} → {self.requested_until}"


class UpwardReport(StatusModel):
    """报告: a major or difficult case reported to the higher authority (上行文). Staff draft it
    in the center's voice; the director or a deputy director signs it (签发), which gives the
    number and issues the PDF under the signer's name (签发人)."""

    class Recipient(models.TextChoices):
        PROVINCIAL = "provincial", _("省知识产权局（省级主管部门）")
        NATIONAL = "national", _("国家海外知识产权纠纷应对指导中心")
        MUNICIPAL = "municipal", _("市级主管部门")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        AWAITING_SIGNATURE = "awaiting_signature", _("待签发")
        SENT = "sent", _("已签发报送")
        ANSWERED = "answered", _("已回复")

    TRANSITIONS = {
        Status.DRAFT: {Status.AWAITING_SIGNATURE},
        Status.AWAITING_SIGNATURE: {Status.SENT, Status.DRAFT},
        Status.SENT: {Status.ANSWERED},
        Status.ANSWERED: set(),
    }

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="upward_reports", verbose_name=_("案件"))
    recipient = models.CharField(_("报送对象"), max_length=20, choices=Recipient.choices)
    title = models.CharField(_("标题"), max_length=200)
    summary = models.TextField(_("报告正文"), max_length=10000)
    status = StatusField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True, transitions=TRANSITIONS
    )
    number = models.CharField(_("文号"), max_length=60, blank=True)
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
    sent_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("报送人"),
    )
    answered_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    answer = models.TextField(_("上级回复"), blank=True, max_length=10000)
    revision = models.PositiveIntegerField(_("修订号"), default=0)

    class Meta:
        verbose_name = _("重大纠纷情况报告")
        verbose_name_plural = _("重大纠纷情况报告")
        ordering = ["-created_at"]

    def __str__(self):
        return self.number or self.title


# The guidance opinion is case work; its model lives in cases/opinions/ and belongs to this app.
from cases.opinions.models import GuidanceOpinion, ResponseOption  # noqa: E402, F401
