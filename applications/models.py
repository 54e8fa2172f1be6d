"""The application (申请书) exactly as the paper form (附件1 of the Shaoguan Qujiang notice of 2022),
plus its evidence."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.choices import (
    ApplicantCategory,
    Channel,
    DisputeLevel,
    DisputeType,
    EvidenceCategory,
    IdType,
    OpponentType,
    RightType,
    TechnicalField,
)
from applications.countries import ALL_COUNTRY_CHOICES, country_name
from portal.choices import choice_label
from portal.fields import ChoiceListField
from portal.transitions import StatusField, StatusModel
from portal.validators import validate_credit_code

LONG_TEXT_LIMIT = 10000


class Applicant(models.Model):
    """The applicant: an organisation or sole trader identified by its unified social credit code, or a
    natural person (个人) identified by a resident ID or a passport."""

    category = models.CharField(_("申请人类别"), max_length=20, choices=ApplicantCategory.choices)
    category_other = models.CharField(_("其他类别说明"), max_length=100, blank=True)
    name = models.CharField(_("申请人名称"), max_length=200)
    # Empty (NULL) for a natural person; unique otherwise.
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, null=True, blank=True, validators=[validate_credit_code]
    )
    id_type = models.CharField(_("证件类型"), max_length=20, choices=IdType.choices, blank=True)
    id_number = models.CharField(_("证件号码"), max_length=20, blank=True)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    address = models.CharField(_("详细联系地址"), max_length=300, blank=True)
    # The workstation of the service network that helps this applicant (None: the center itself).
    service_point = models.ForeignKey(
        "portal.ServicePoint",
        verbose_name=_("服务工作站"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applicants",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申请人")
        verbose_name_plural = _("申请人")
        ordering = ["name"]
        # The admin list's order (by name, then the key), read from the index instead of sorting the table.
        indexes = [models.Index(fields=["name", "id"], name="applicant_name_id")]
        constraints = [
            models.UniqueConstraint(
                fields=["id_type", "id_number"], condition=~models.Q(id_number=""), name="applicant_id_document_unique"
            )
        ]

    # What __str__ reads: all that a list of other rows needs of this one (portal.admin_lists).
    name_fields = ("name",)

    def __str__(self):
        return self.name

    @property
    def is_person(self):
        return self.category == ApplicantCategory.INDIVIDUAL


class ApplicantAccount(models.Model):
    """The link between a user account and the applicant organisation it acts for.

    An applicant user acts for exactly one organisation; the organisation may have several
    users (colleagues join through a MembershipRequest)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="applicant_account",
        verbose_name=_("用户"),
    )
    applicant = models.ForeignKey(
        Applicant, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("申请人单位")
    )
    created_at = models.DateTimeField(_("加入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申请人单位账号")
        verbose_name_plural = _("申请人单位账号")

    def __str__(self):
        return f"{self.user} → {self.applicant}"


class Application(StatusModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        RETURNED = "returned", _("退回补正")
        ACCEPTED = "accepted", _("已受理")
        DECLINED = "declined", _("不予受理")
        WITHDRAWN = "withdrawn", _("已撤回")

    # The one map of allowed application transitions.
    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED, Status.WITHDRAWN},
        Status.SUBMITTED: {Status.ACCEPTED, Status.RETURNED, Status.DECLINED},
        Status.RETURNED: {Status.SUBMITTED, Status.WITHDRAWN, Status.DECLINED},
        Status.ACCEPTED: set(),
        Status.DECLINED: set(),
        Status.WITHDRAWN: set(),
    }

    applicant = models.ForeignKey(
        Applicant, on_delete=models.PROTECT, related_name="applications", verbose_name=_("申请人单位")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("填报人")
    )
    number = models.CharField(_("申请编号"), max_length=30, unique=True, null=True, blank=True)
    status = StatusField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True, transitions=TRANSITIONS
    )
    # A draft's autosave stamp doubles as an optimistic lock: an edit saved from an
    # older copy of the form is refused instead of overwriting a newer one.
    revision = models.PositiveIntegerField(_("修订号"), default=0)

    # 申请人 (copied from the organisation at submission so the record stays as filed)
    applicant_category = models.CharField(_("申请人类别"), max_length=20, choices=ApplicantCategory.choices, blank=True)
    applicant_category_other = models.CharField(_("其他类别说明"), max_length=100, blank=True)
    applicant_name = models.CharField(_("申请人"), max_length=200, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_email = models.EmailField(_("联系人邮箱"), blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    contact_address = models.CharField(_("详细联系地址"), max_length=300, blank=True)
    # A natural person's ID document, in place of the credit code.
    id_type = models.CharField(_("证件类型"), max_length=20, choices=IdType.choices, blank=True)
    id_number = models.CharField(_("证件号码"), max_length=20, blank=True)

    # 纠纷情况
    dispute_types = ChoiceListField(_("涉及纠纷类型"), choices=DisputeType.choices)
    dispute_type_other = models.CharField(_("其他纠纷类型"), max_length=200, blank=True)
    right_types = ChoiceListField(_("涉及权利类别"), choices=RightType.choices)
    right_type_other = models.CharField(_("其他权利类别"), max_length=200, blank=True)
    countries = ChoiceListField(_("纠纷国家/地区"), choices=ALL_COUNTRY_CHOICES)
    country_other = models.CharField(_("其他国家/地区说明"), max_length=200, blank=True)
    opponent_types = ChoiceListField(_("纠纷对象类型"), choices=OpponentType.choices)
    opponent_type_other = models.CharField(_("其他纠纷对象类型"), max_length=200, blank=True)
    opponent_name = models.CharField(
        _("纠纷对方名称"), max_length=300, blank=True, help_text=_("用于专家利益冲突审查，可填中英文名称。")
    )
    technical_fields = ChoiceListField(_("纠纷领域"), choices=TechnicalField.choices)
    technical_field_other = models.CharField(_("其他领域说明"), max_length=300, blank=True)
    request = models.TextField(_("纠纷应对指导申请事项"), max_length=LONG_TEXT_LIMIT, blank=True)
    impact = models.TextField(_("纠纷影响预估"), max_length=LONG_TEXT_LIMIT, blank=True)
    level = models.CharField(_("纠纷级别"), max_length=20, choices=DisputeLevel.choices, blank=True)
    other_requests = models.TextField(_("其他要求"), max_length=LONG_TEXT_LIMIT, blank=True)

    # The applicant's own deadline abroad (an ITC response date, an opposition deadline): staff lists
    # are ordered by it and its handler and the director are alerted when it comes close.
    foreign_deadline = models.DateField(_("境外期限"), null=True, blank=True, db_index=True)
    foreign_deadline_what = models.CharField(
        _("到期事项"), max_length=200, blank=True, help_text=_("例如：337 调查答辩、商标异议、法院应诉。")
    )
    foreign_deadline_where = models.CharField(
        _("受理机构或地点"), max_length=200, blank=True, help_text=_("例如：美国国际贸易委员会、欧盟知识产权局。")
    )
    urgent = models.BooleanField(_("紧急"), default=False)
    foreign_deadline_alerted_on = models.DateField(_("境外期限最近提醒日期"), null=True, blank=True)

    # How it reached the center, and through which workstation.
    channel = models.CharField(_("申请渠道"), max_length=20, choices=Channel.choices, default=Channel.ONLINE)
    service_point = models.ForeignKey(
        "portal.ServicePoint",
        verbose_name=_("服务工作站"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代为录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A workstation's first check (初审) before it forwards the application to the center.
    first_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("初审人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    first_checked_at = models.DateTimeField(_("初审时间"), null=True, blank=True)
    first_check_note = models.TextField(_("初审意见"), max_length=LONG_TEXT_LIMIT, blank=True)

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(_("受理决定时间"), null=True, blank=True)
    decision_reason = models.TextField(_("退回或不予受理理由"), blank=True)
    # Deadlines in working days (portal.workdays), kept by the services: the review runs from
    # each submission (受理审查时限), the correction from the return (补正材料时限).
    review_due = models.DateField(_("受理审查期限"), null=True, blank=True, db_index=True)
    correction_due = models.DateField(_("补正期限"), null=True, blank=True, db_index=True)
    last_reminded_on = models.DateField(_("最近提醒工作人员日期"), null=True, blank=True)
    correction_reminded_on = models.DateField(_("提醒申请人补正日期"), null=True, blank=True)
    lapse_reported_on = models.DateField(_("逾期未补正提请关闭日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("纠纷应对指导申请")
        verbose_name_plural = _("纠纷应对指导申请")
        ordering = ["-submitted_at", "-created_at"]
        indexes = [
            models.Index(fields=["applicant", "status"]),
            models.Index(fields=["level"]),
            models.Index(fields=["applicant_category"]),
            models.Index(fields=["status", "review_due"]),
        ]

    # What __str__ reads: all that a list of other rows needs of this one (portal.admin_lists).
    name_fields = ("number",)

    def __str__(self):
        return self.number or _("草稿 #%(pk)s") % {"pk": self.pk}

    @property
    def country_names(self):
        return [str(country_name(code)) for code in self.countries]

    @property
    def is_editable_by_applicant(self):
        return self.status in {self.Status.DRAFT, self.Status.RETURNED}


def evidence_upload_path(instance, filename):
    # The stored name is random; the sanitised original name is kept in a column.
    return f"evidence/{instance.application_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("申请")
    )
    category = models.CharField(_("材料类别"), max_length=20, choices=EvidenceCategory.choices)
    file = models.FileField(_("文件"), upload_to=evidence_upload_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    # Set when the file is part of a submission: from then on it is kept as filed.
    submitted_in = models.PositiveSmallIntegerField(_("随第几版提交"), null=True, blank=True)

    class Meta:
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")
        ordering = ["category", "uploaded_at"]

    def __str__(self):
        return self.original_name


class ApplicationVersion(models.Model):
    """What the applicant filed at one submission, frozen, so that corrections (补正) can be compared."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="versions", verbose_name=_("申请")
    )
    number = models.PositiveSmallIntegerField(_("版本"))
    data = models.JSONField(_("申请内容"), default=dict)
    attachments = models.JSONField(_("材料清单"), default=list)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("提交人")
    )
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申请版本")
        verbose_name_plural = _("申请版本")
        ordering = ["application", "number"]
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="application_version_unique")]

    def __str__(self):
        return _("%(application)s 第 %(n)s 版") % {"application": self.application, "n": self.number}


def message_upload_path(instance, filename):
    return f"messages/{instance.message.application_id}/{uuid.uuid4().hex}"


class Message(models.Model):
    """One message in the thread between the applicant and the center about an application."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="messages", verbose_name=_("申请")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发送人")
    )
    from_center = models.BooleanField(_("中心发出"), default=False)
    body = models.TextField(_("内容"), max_length=LONG_TEXT_LIMIT)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("留言")
        verbose_name_plural = _("留言")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.body[:40]


class MessageAttachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="files", verbose_name=_("留言"))
    file = models.FileField(_("文件"), upload_to=message_upload_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("留言附件")
        verbose_name_plural = _("留言附件")

    def __str__(self):
        return self.original_name


class Feedback(models.Model):
    """The applicant's satisfaction and comments once the case has closed."""

    class Satisfaction(models.IntegerChoices):
        VERY_SATISFIED = 5, _("非常满意")
        SATISFIED = 4, _("满意")
        NEUTRAL = 3, _("一般")
        DISSATISFIED = 2, _("不满意")
        VERY_DISSATISFIED = 1, _("非常不满意")

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("申请")
    )
    satisfaction = models.PositiveSmallIntegerField(_("总体满意度"), choices=Satisfaction.choices)
    timeliness = models.PositiveSmallIntegerField(_("办理及时性"), choices=Satisfaction.choices)
    usefulness = models.PositiveSmallIntegerField(_("指导意见的实用性"), choices=Satisfaction.choices)
    outcome = models.TextField(_("纠纷目前的结果"), max_length=LONG_TEXT_LIMIT, blank=True)
    comment = models.TextField(_("意见和建议"), max_length=LONG_TEXT_LIMIT, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("评价人")
    )
    submitted_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("满意度评价")
        verbose_name_plural = _("满意度评价")
        ordering = ["-submitted_at"]

    def __str__(self):
        return f"{self.application} {choice_label(self, 'satisfaction')}"


class MembershipRequest(StatusModel):
    """A user asking to act for an applicant organisation that already has an account.

    An existing member of the organisation or center staff approves it; until then the
    user sees none of the organisation's applications.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已同意")
        REJECTED = "rejected", _("已拒绝")

    TRANSITIONS = {
        Status.PENDING: {Status.APPROVED, Status.REJECTED},
        Status.APPROVED: set(),
        Status.REJECTED: set(),
    }

    applicant = models.ForeignKey(
        Applicant, on_delete=models.CASCADE, related_name="membership_requests", verbose_name=_("申请人单位")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership_requests",
        verbose_name=_("申请加入的用户"),
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    status = StatusField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING, transitions=TRANSITIONS
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审核人"),
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("加入单位申请")
        verbose_name_plural = _("加入单位申请")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "user"],
                condition=models.Q(status="pending"),
                name="membership_one_pending_per_user",
            )
        ]

    def __str__(self):
        return f"{self.user} → {self.applicant}"


class Invitation(models.Model):
    """An e-mail inviting a person to use the portal for an applicant the center or a workstation
    registered (from a consultation, a paper form or an e-mail). Its link creates the person's account
    for that applicant; it works once and expires. Only the token's hash is stored."""

    applicant = models.ForeignKey(
        Applicant, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("申请人")
    )
    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("申请"),
    )
    email = models.EmailField(_("受邀邮箱"))
    full_name = models.CharField(_("受邀人姓名"), max_length=100)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    token_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("邀请人")
    )
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期至"))
    accepted_at = models.DateTimeField(_("接受时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("接受邀请的用户"),
    )

    class Meta:
        verbose_name = _("在线办理邀请")
        verbose_name_plural = _("在线办理邀请")
        ordering = ["-sent_at"]

    def __str__(self):
        return f"{self.full_name} <{self.email}> → {self.applicant}"
