"""The guidance opinion of a case. Its table keeps the name it had when the opinion lived with the
documents, so that moving it lost no row."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from documents.models import Document
from portal.choices import choice_label
from portal.fields import ChoiceListField
from portal.transitions import StatusField, StatusModel


class ResponseOption(models.TextChoices):
    """Recommended responses of a guidance opinion."""

    NEGOTIATION = "negotiation", _("协商谈判")
    LICENCE = "licence", _("许可")
    INVALIDATION = "invalidation", _("无效宣告")
    DEFENCE = "defence", _("应诉抗辩")
    MEDIATION = "mediation", _("调解")
    ARBITRATION = "arbitration", _("仲裁")
    OTHER = "other", _("其他")


class GuidanceOpinion(StatusModel):
    """海外知识产权纠纷应对行政指导意见书: drafted by staff in the admin, reviewed by the
    case handler, signed (签发) by the director or a deputy director. Signing issues a
    numbered, digitally signed document delivered to the applicant; a correction after
    signing issues a new version with a new number and supersedes the old one."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("起草中")
        IN_REVIEW = "in_review", _("待承办人审核")
        APPROVED = "approved", _("待签发")
        SIGNED = "signed", _("已签发")

    TRANSITIONS = {
        Status.DRAFT: {Status.IN_REVIEW},  # submitted for the handler's review
        Status.IN_REVIEW: {Status.APPROVED, Status.DRAFT},  # approved for signature, or returned
        Status.APPROVED: {Status.SIGNED, Status.DRAFT},  # signed, or taken back for more work
        Status.SIGNED: {Status.DRAFT},  # reopened for a correction, signed again under a new number
    }

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="opinions", verbose_name=_("案件"))
    status = StatusField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True, transitions=TRANSITIONS
    )
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
        app_label = "cases"
        db_table = "documents_guidanceopinion"
        verbose_name = _("行政指导意见书")
        verbose_name_plural = _("行政指导意见书")
        ordering = ["-created_at"]
        # The admin list's order (newest first, then the key), read from the index instead of sorting the table.
        indexes = [models.Index(fields=["created_at", "id"], name="opinion_created_id")]

    def __str__(self):
        if self.document_id and self.document.number:
            return self.document.number
        return f"{self.case} {choice_label(self, 'status')}"

    @property
    def is_editable(self):
        return self.status == self.Status.DRAFT
