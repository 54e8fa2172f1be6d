"""Generated documents: every PDF the portal issues, with its number, hash and render status."""

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.choices import choice_label
from portal.roles import SIGNING_ROLES, can_sign
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
        UPWARD_REPORT = "upward_report", _("重大纠纷情况报告")
        CASE_FILE = "case_file", _("案卷")
        WORK_REPORT = "work_report", _("工作报告")

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
    # The portal's public address (SITE_URL) when the document was issued: its QR code and
    # verification link point there. Empty for documents issued before it was recorded.
    site_url = models.CharField(_("签发时的平台地址"), max_length=200, blank=True, editable=False)
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
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "kind"]),
            # The admin list's order (newest first, then the key), read from the index instead of sorting the table.
            models.Index(fields=["created_at", "id"], name="document_created_id"),
            # The few documents not (yet) issued, which staff look for (the list filtered by status):
            # a small index of those alone instead of a scan of every issued one.
            models.Index(
                fields=["status", "created_at", "id"],
                condition=~models.Q(status="ready"),
                name="document_unfinished",
            ),
            # The list filtered by whether the document carries a digital signature, in its order: the
            # rarer answer (no signature where a certificate is configured, a signature where none
            # is) would otherwise walk the whole order index to fill a page.
            models.Index(fields=["digitally_signed", "created_at", "id"], name="document_signed_created"),
        ]

    # What __str__ reads: all that a list of other rows needs of this one (portal.admin_lists).
    name_fields = ("kind", "number")

    def __str__(self):
        return f"{choice_label(self, 'kind')} {self.number}".strip()

    @property
    def is_current(self):
        return self.superseded_by_id is None and self.revoked_at is None

    @property
    def issued_elsewhere(self):
        """Issued under another public address than the portal's current one: its QR code and
        link lead elsewhere (None when the address at issue was not recorded)."""
        if not self.site_url:
            return None
        return self.site_url != settings.SITE_URL

    @property
    def verify_path(self):
        return reverse("documents:verify_code", args=[self.verification_code])


class NumberingRule(models.Model):
    """How documents of one kind are numbered. A 文件 or 函 takes the issuing body's code
    (SiteConfiguration.doc_number_prefix) followed by the code of its form, e.g. 晋知指发〔2026〕25号
    or 晋知指函〔2026〕61号, in one gap-free sequence per resulting prefix and year: kinds sharing a
    form share the sequence. Minutes are numbered 第N期, one series per kind and year. A change
    applies to numbers issued afterwards; numbers already issued stay as they are."""

    class Style(models.TextChoices):
        NUMBER = "number", _("发文字号（机关代字〔年份〕序号号）")
        ISSUE = "issue", _("期号（第N期，每年重新编号）")

    kind = models.CharField(_("文书类型"), max_length=30, choices=Document.Kind.choices, unique=True)
    style = models.CharField(_("编号方式"), max_length=10, choices=Style.choices, default=Style.NUMBER)
    form_code = models.CharField(
        _("文种代字"),
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^\S+$", _("文种代字不能包含空格。"))],
        help_text=_("接在发文机关代字之后，例如“发”“函”“报”；使用同一代字的文书共用一个序号。"),
    )

    class Meta:
        verbose_name = _("文书编号规则")
        verbose_name_plural = _("文书编号规则")
        ordering = ["kind"]

    def __str__(self):
        return choice_label(self, "kind")

    def clean(self):
        if self.style == self.Style.NUMBER and not self.form_code:
            raise ValidationError({"form_code": _("按发文字号编号时须填写文种代字。")})
        if self.style == self.Style.ISSUE:
            self.form_code = ""


# Who may hold a personal signing certificate: the users who can sign (portal.roles.can_sign).
SIGNERS = {"groups__name__in": sorted(role.value for role in SIGNING_ROLES)}


class SignerCertificate(models.Model):
    """Where the center issues personal certificates to its director and deputies: the labels of a
    signer's own key and certificate in the center's PKCS#11 token (SIGNING_PKCS11_*; the PIN stays
    in the environment). While active, the documents this signer issues are signed with them
    instead of the center's key."""

    signer = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="signer_certificate",
        limit_choices_to=SIGNERS,
        verbose_name=_("签发人"),
    )
    key_label = models.CharField(
        _("私钥标签"),
        max_length=100,
        help_text=_("签发人私钥在中心签名密钥设备（PKCS#11 令牌）中的标签。"),
    )
    cert_label = models.CharField(
        _("证书标签"),
        max_length=100,
        blank=True,
        help_text=_("签发人证书在令牌中的标签；留空则与私钥标签相同。"),
    )
    active = models.BooleanField(_("启用"), default=True, help_text=_("停用后，该签发人签发的文书改用中心证书签名。"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("签发人个人证书")
        verbose_name_plural = _("签发人个人证书")
        ordering = ["signer__full_name"]

    def __str__(self):
        return str(self.signer)

    @property
    def labels(self):
        """(key label, certificate label) on the token, as documents.signing.sign_pdf takes them."""
        return (self.key_label, self.cert_label or self.key_label)

    @classmethod
    def labels_for(cls, user):
        """The labels of `user`'s own key and certificate when an active one is configured, else None
        (the center's key signs)."""
        if user is None:
            return None
        found = cls.objects.filter(signer=user, active=True).first()
        return found.labels if found is not None else None

    # Which field a refusal of documents.certificates.check_signer_certificate belongs to.
    _FIELD_FOR_PROBLEM = {
        "key_not_on_token": "key_label",
        "key_mismatch": "cert_label",
        "certificate_not_on_token": "cert_label",
        "certificate_expired": "cert_label",
        "certificate_not_yet_valid": "cert_label",
        "certificate_untrusted": "cert_label",
    }

    def clean(self):
        """An active certificate must be usable now: the signer may sign, the key and the certificate
        are on the token, the certificate is valid, belongs to the key and chains to the center's CA.
        An inactive one is kept as it is (an expired certificate can always be switched off)."""
        from documents.certificates import SigningUnavailable, check_signer_certificate

        if self.signer_id is not None and not can_sign(self.signer):
            raise ValidationError({"signer": _("只有中心主任或副主任可以配置个人签名证书。")})
        if not self.active or not self.key_label:
            return
        try:
            check_signer_certificate(self.key_label, self.cert_label)
        except SigningUnavailable as exc:
            field = self._FIELD_FOR_PROBLEM.get(exc.code)
            if field == "cert_label" and not self.cert_label:
                field = "key_label"  # the certificate label defaults to the key's
            problem = ValidationError(exc.message, code=exc.code)
            raise ValidationError({field: problem} if field else problem) from exc
