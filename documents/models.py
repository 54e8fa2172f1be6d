"""Generated documents: every PDF the portal issues, with its number, hash and render status."""

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.fields import ChoiceListField
from portal.history import event_title, status_change
from portal.transitions import StatusField, StatusModel

# Short, unambiguous verification codes (no 0/O, 1/I/L).
VERIFICATION_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_verification_code():
    return "".join(secrets.choice(VERIFICATION_ALPHABET) for _ in range(10))


class Document(StatusModel):
    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("申请材料接收回执")
        ACCEPTANCE_NOTICE = "acceptance_notice", _("受理通知书")
        CORRECTION_NOTICE = "correction_notice", _("补正通知书")
        DECLINE_NOTICE = "decline_notice", _("不予受理通知书")
        TERMINATION_NOTICE = "termination_notice", _("终止通知书")
        ASSISTANCE_LETTER = "assistance_letter", _("协助办理函")
        GUIDANCE_OPINION = "guidance_opinion", _("海外知识产权纠纷应对行政指导意见书")
        SEMINAR_MINUTES = "seminar_minutes", _("专家研讨会纪要")
        MEETING_MINUTES = "meeting_minutes", _("联席例会会议纪要")
        UPWARD_REPORT = "upward_report", _("重大纠纷情况通报")
        CASE_FILE = "case_file", _("案卷")

    class Status(models.TextChoices):
        PENDING = "pending", _("排队生成")
        READY = "ready", _("已生成")
        FAILED = "failed", _("生成失败")

    # The render status. Superseding and revoking change a document's validity
    # (superseded_by, revoked_at), not its render status: those steps keep the status they
    # find, and are declared here as staying in it so that they run through `transition` too.
    TRANSITIONS = {
        # rendered; its render failed (or never finished); queued again when stuck; superseded
        Status.PENDING: {Status.READY, Status.FAILED, Status.PENDING},
        # rendered by an automatic retry after a transient error; staff re-run it; fails again
        # or is superseded by a correction
        Status.FAILED: {Status.READY, Status.PENDING, Status.FAILED},
        # superseded or revoked: the file stays, for staff and the verification page
        Status.READY: {Status.READY},
    }

    kind = models.CharField(_("文书类型"), max_length=30, choices=Kind.choices, db_index=True)
    title = models.CharField(_("标题"), max_length=200)
    number = models.CharField(_("文号"), max_length=60, blank=True, db_index=True)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    template = models.CharField(_("模板"), max_length=100)
    # The data the service gathered, frozen: a re-render gives the same document.
    context = models.JSONField(_("文书数据"), default=dict)

    # The object the document belongs to (application, case, letter, meeting…).
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("对象类型"))
    subject_id = models.PositiveBigIntegerField(_("对象编号"))
    subject = GenericForeignKey("subject_type", "subject_id")
    # The case the document is about, whatever its subject (the case itself, a letter, an
    # opinion, a seminar…), set by the service that issues it. Documents issued on the
    # application before a case existed (receipt, notices) are found through the application.
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("案件"),
    )

    status = StatusField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING, transitions=TRANSITIONS
    )
    last_error = models.TextField(_("最近错误"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("生成次数"), default=0)
    file = models.FileField(_("文件"), upload_to="documents/%Y/", blank=True, max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    pages = models.PositiveSmallIntegerField(_("页数"), default=0)
    verification_code = models.CharField(
        _("验证码"), max_length=12, unique=True, default=new_verification_code, editable=False
    )

    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("签发人"),
    )
    signer_title = models.CharField(_("签发人职务"), max_length=50, blank=True)
    digitally_signed = models.BooleanField(_("已加数字签名"), default=False)
    issued_on = models.DateField(_("成文日期"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supersedes",
        verbose_name=_("被新版本取代"),
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revocation_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)
    # Who may download it besides center staff.
    applicant = models.ForeignKey(
        "applications.Applicant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("送达申请人"),
    )
    released_to_applicant = models.BooleanField(_("已送达申请人"), default=False)
    agencies = models.ManyToManyField(
        "portal.PartnerAgency", blank=True, related_name="documents", verbose_name=_("送达协助单位")
    )
    # People entitled to it by name (e.g. the experts who attended a seminar, for its minutes).
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="received_documents", verbose_name=_("送达人员")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("申请生成人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    rendered_at = models.DateTimeField(_("生成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("文书")
        verbose_name_plural = _("文书")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "kind"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}".strip()

    @property
    def is_current(self):
        return self.superseded_by_id is None and self.revoked_at is None

    @property
    def verify_path(self):
        from django.urls import reverse

        return reverse("documents:verify_code", args=[self.verification_code])


class ResponseOption(models.TextChoices):
    """Recommended responses of a guidance opinion."""

    NEGOTIATION = "negotiation", _("协商谈判")
    LICENCE = "licence", _("许可")
    INVALIDATION = "invalidation", _("无效宣告")
    DEFENCE = "defence", _("应诉抗辩")
    MEDIATION = "mediation", _("调解")
    ARBITRATION = "arbitration", _("仲裁")
    OTHER = "other", _("其他")


class GuidanceOpinion(models.Model):
    """海外知识产权纠纷应对行政指导意见书: drafted by staff in the admin, reviewed by the
    case handler, signed (签发) by the director or a deputy director. Signing issues a
    numbered, digitally signed document delivered to the applicant; a correction after
    signing issues a new version with a new number and supersedes the old one."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("起草中")
        IN_REVIEW = "in_review", _("待承办人审核")
        APPROVED = "approved", _("待签发")
        SIGNED = "signed", _("已签发")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="opinions", verbose_name=_("案件"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    title = models.CharField(_("标题"), max_length=200, default=_("海外知识产权纠纷应对行政指导意见书"))
    addressee = models.CharField(_("主送"), max_length=200, help_text=_("一般为申请人名称，末尾不加冒号。"))
    dispute_summary = models.TextField(_("一、纠纷基本情况"), help_text=_("对纠纷的理解：当事人、经过、争议焦点。"))
    analysis = models.TextField(
        _("二、分析意见（按国家/地区和权利类型）"),
        help_text=_("按纠纷国家/地区和权利类型逐项分析；每段一行，空行分段。"),
    )
    responses = ChoiceListField(_("建议应对方式"), choices=ResponseOption.choices)
    responses_detail = models.TextField(
        _("三、应对建议"), help_text=_("协商、许可、无效、应诉抗辩、调解、仲裁等具体建议。")
    )
    risks = models.TextField(_("四、风险提示"), blank=True)
    next_steps = models.TextField(_("五、下一步工作"), blank=True)
    expert_opinions = models.TextField(
        _("专家意见摘要"), blank=True, help_text=_("可用“引用专家意见”自动填入，再行修改。")
    )
    referenced_laws = models.TextField(_("参考法律法规"), blank=True, help_text=_("每行一项。"))
    service_providers = models.TextField(_("推荐服务机构"), blank=True, help_text=_("每行一项。"))
    copy_to = models.CharField(_("抄送"), max_length=300, blank=True)

    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("起草人")
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)
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
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("当前文书")
    )
    revision = models.PositiveIntegerField(_("修订号"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("行政指导意见书")
        verbose_name_plural = _("行政指导意见书")
        ordering = ["-created_at"]

    def __str__(self):
        if self.document_id and self.document.number:
            return self.document.number
        return f"{self.case} {self.get_status_display()}"

    @property
    def is_editable(self):
        return self.status == self.Status.DRAFT


class OpinionEvent(models.Model):
    opinion = models.ForeignKey(
        GuidanceOpinion, on_delete=models.CASCADE, related_name="events", verbose_name=_("指导意见书")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    from_status = models.CharField(_("原状态"), max_length=20, choices=GuidanceOpinion.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=GuidanceOpinion.Status.choices)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("指导意见书流转记录")
        verbose_name_plural = _("指导意见书流转记录")
        ordering = ["at", "pk"]

    def __str__(self):
        return event_title(self.opinion, status_change(self))
