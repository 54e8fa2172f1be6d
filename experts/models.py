"""The expert pool (专家库), nominations from partner agencies, matching, invitations,
assignments, opinions, and seminars (研讨会) with their collegial opinion (合议意见)."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.choices import DisputeType, RightType, TechnicalField
from applications.countries import ALL_COUNTRY_CHOICES
from portal.choices import choice_label
from portal.fields import ChoiceListField
from portal.transitions import StatusField, StatusModel


class Qualification(models.TextChoices):
    PATENT_ATTORNEY = "patent_attorney", _("专利代理师")
    TRADEMARK_ATTORNEY = "trademark_attorney", _("商标代理人")
    LAWYER = "lawyer", _("执业律师")
    FOREIGN_LAWYER = "foreign_lawyer", _("境外执业律师")
    PROFESSOR = "professor", _("高校教授/研究员")
    ENGINEER = "engineer", _("高级工程师")
    TRADE_EXPERT = "trade_expert", _("贸易救济专家")
    OTHER = "other", _("其他")


class Language(models.TextChoices):
    CHINESE = "zh", _("中文")
    ENGLISH = "en", _("英语")
    GERMAN = "de", _("德语")
    FRENCH = "fr", _("法语")
    JAPANESE = "ja", _("日语")
    KOREAN = "ko", _("韩语")
    RUSSIAN = "ru", _("俄语")
    PORTUGUESE = "pt", _("葡萄牙语")
    SPANISH = "es", _("西班牙语")
    TURKISH = "tr", _("土耳其语")
    ARABIC = "ar", _("阿拉伯语")


class Availability(models.TextChoices):
    AVAILABLE = "available", _("可承接")
    LIMITED = "limited", _("时间有限")
    UNAVAILABLE = "unavailable", _("暂不可承接")


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
    active = models.BooleanField(_("在库"), default=True, help_text=_("取消勾选表示已退出专家库（退休或不再担任）。"))
    created_at = models.DateTimeField(_("入库时间"), auto_now_add=True)

    name_en = models.CharField(_("英文姓名"), max_length=100, blank=True)
    qualifications = ChoiceListField(_("资质"), choices=Qualification.choices)
    jurisdictions = ChoiceListField(
        _("执业法域"),
        choices=ALL_COUNTRY_CHOICES,
        help_text=_("取得律师或专利/商标代理执业资格的国家或地区（含境外律师执业资格）。"),
    )
    right_types = ChoiceListField(_("擅长权利类别"), choices=RightType.choices)
    dispute_types = ChoiceListField(_("擅长纠纷类型"), choices=DisputeType.choices)
    technical_fields = ChoiceListField(_("技术领域"), choices=TechnicalField.choices)
    countries = ChoiceListField(_("熟悉的国家/地区"), choices=ALL_COUNTRY_CHOICES)
    languages = ChoiceListField(_("工作语言"), choices=Language.choices)
    bio = models.TextField(_("个人简介"), max_length=2000, blank=True)
    availability = models.CharField(
        _("可承接状态"), max_length=20, choices=Availability.choices, default=Availability.AVAILABLE
    )
    max_concurrent_cases = models.PositiveSmallIntegerField(_("同时承办案件上限"), default=3)
    retired_on = models.DateField(_("退出日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("专家")
        verbose_name_plural = _("专家库")
        ordering = ["name"]
        indexes = [models.Index(fields=["active", "availability"])]

    # What __str__ reads: all that a list of other rows needs of the expert it names (admin_lists).
    name_fields = ("name", "organisation")

    def __str__(self):
        return f"{self.name}（{self.organisation}）"


class ConflictParty(models.Model):
    """An organisation the expert acts (or has acted) for or against: checked before any invitation."""

    class Relation(models.TextChoices):
        FOR = "for", _("代理/服务过（委托方）")
        AGAINST = "against", _("曾作为对方")
        EMPLOYMENT = "employment", _("任职/兼职")
        OTHER = "other", _("其他关联")

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("专家"))
    name = models.CharField(
        _("单位名称"), max_length=200, help_text=_("中文或英文名称、简称均可，可分行登记多个名称。")
    )
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    relation = models.CharField(_("关系"), max_length=20, choices=Relation.choices, default=Relation.FOR)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    until = models.DateField(
        _("截止日期"), null=True, blank=True, help_text=_("此日之后不再视为利益冲突；不填表示长期有效。")
    )

    class Meta:
        verbose_name = _("利益冲突登记")
        verbose_name_plural = _("利益冲突登记")
        ordering = ["expert", "name"]

    def __str__(self):
        return f"{self.name}（{choice_label(self, 'relation')}）"


class Unavailability(models.Model):
    """A period in which the expert cannot take cases (travel, illness, a trial abroad). Matching
    leaves the expert out when the period overlaps the case's deadline window."""

    expert = models.ForeignKey(
        Expert, on_delete=models.CASCADE, related_name="unavailabilities", verbose_name=_("专家")
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("不可承接期间")
        verbose_name_plural = _("不可承接期间")
        ordering = ["expert", "starts_on"]
        indexes = [models.Index(fields=["expert", "ends_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="expert_unavailability_ends_after_start"
            )
        ]

    def __str__(self):
        return _("%(start)s 至 %(end)s") % {"start": self.starts_on, "end": self.ends_on}

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})


class ExpertNomination(StatusModel):
    """An expert put forward by a partner agency in its answer to an assistance letter;
    staff approve it into the pool or decline it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已入库")
        DECLINED = "declined", _("未入库")

    TRANSITIONS = {
        Status.PENDING: {Status.APPROVED, Status.DECLINED},
        Status.APPROVED: set(),
        Status.DECLINED: set(),
    }

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
    status = StatusField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING, transitions=TRANSITIONS
    )
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


class Seminar(StatusModel):
    """专家研讨会 for a major or difficult case."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("筹备中")
        CONVENED = "convened", _("已通知")
        HELD = "held", _("已召开")
        CONCLUDED = "concluded", _("已形成合议意见")
        CANCELLED = "cancelled", _("已取消")

    TRANSITIONS = {
        Status.PLANNED: {Status.CONVENED, Status.CANCELLED},
        Status.CONVENED: {Status.HELD, Status.CANCELLED},
        Status.HELD: {Status.CONCLUDED},
        Status.CONCLUDED: set(),
        Status.CANCELLED: set(),
    }

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="seminars", verbose_name=_("案件"))
    title = models.CharField(_("会议名称"), max_length=200)
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    location = models.CharField(_("地点"), max_length=200, blank=True)
    online_link = models.URLField(_("线上会议链接"), blank=True)
    status = StatusField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PLANNED, transitions=TRANSITIONS
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("召集人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    agenda = models.TextField(_("议题与材料说明"), blank=True, max_length=5000)
    # The collegial opinion (合议意见) the seminar ends in.
    collegial_analysis = models.TextField(_("合议分析"), blank=True, max_length=10000)
    collegial_recommendations = models.TextField(_("合议应对建议"), blank=True, max_length=10000)
    collegial_risks = models.TextField(_("风险提示"), blank=True, max_length=5000)
    collegial_references = models.TextField(_("参考依据"), blank=True, max_length=5000)
    agreement = models.TextField(_("一致意见"), blank=True, max_length=5000)
    concluded_at = models.DateTimeField(_("形成合议意见时间"), null=True, blank=True)
    minutes = models.ForeignKey(
        "documents.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("会议纪要"),
    )

    class Meta:
        verbose_name = _("专家研讨会")
        verbose_name_plural = _("专家研讨会")
        ordering = ["-starts_at"]

    def __str__(self):
        return self.title


class MatchingRun(models.Model):
    """One ranking shown to staff for a case, frozen as it was shown, and what they chose from it."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="expert_matchings", verbose_name=_("案件")
    )
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    run_at = models.DateTimeField(_("匹配时间"), auto_now_add=True)
    # [{"expert_id", "name", "organisation", "score", "reasons": [...], "load", "capacity"}], best first.
    ranking = models.JSONField(_("推荐排序"), default=list)
    # [{"expert_id", "name", "reason"}]: left out of the ranking (conflict, full, inactive).
    excluded = models.JSONField(_("排除名单"), default=list)
    chosen = models.JSONField(_("选定专家"), default=list)

    class Meta:
        verbose_name = _("专家匹配记录")
        verbose_name_plural = _("专家匹配记录")
        ordering = ["-run_at", "-pk"]

    def __str__(self):
        return f"{self.case} · {self.run_at:%Y-%m-%d %H:%M}"

    def rank_of(self, expert_id):
        for position, row in enumerate(self.ranking, start=1):
            if row["expert_id"] == expert_id:
                return position
        return None


class ExpertInvitation(StatusModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("待答复")
        ACCEPTED = "accepted", _("已接受")
        DECLINED = "declined", _("已谢绝")
        EXPIRED = "expired", _("逾期未答复")
        WITHDRAWN = "withdrawn", _("已撤回")

    TRANSITIONS = {
        Status.PENDING: {Status.ACCEPTED, Status.DECLINED, Status.EXPIRED, Status.WITHDRAWN},
        Status.ACCEPTED: set(),
        Status.DECLINED: set(),
        Status.EXPIRED: set(),
        Status.WITHDRAWN: set(),
    }

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="expert_invitations", verbose_name=_("案件")
    )
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="invitations", verbose_name=_("专家"))
    matching = models.ForeignKey(
        MatchingRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
        verbose_name=_("依据的匹配"),
    )
    rank_shown = models.PositiveSmallIntegerField(_("匹配排名"), null=True, blank=True)
    status = StatusField(
        _("状态"),
        max_length=20,
        choices=Status.choices,
        default=Status.PENDING,
        db_index=True,
        transitions=TRANSITIONS,
    )
    message = models.TextField(_("邀请说明"), blank=True, max_length=2000)
    deadline = models.DateTimeField(_("答复期限"), db_index=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("邀请人")
    )
    invited_at = models.DateTimeField(_("邀请时间"), auto_now_add=True)
    responded_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    decline_reason = models.TextField(_("谢绝理由"), blank=True, max_length=1000)
    reminders_sent = models.PositiveSmallIntegerField(_("已提醒次数"), default=0)
    last_reminded_at = models.DateTimeField(_("最近提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("专家邀请")
        verbose_name_plural = _("专家邀请")
        ordering = ["-invited_at", "-pk"]
        indexes = [
            # The admin list's order (newest first, then the key), read from the index instead of sorting the table.
            models.Index(fields=["invited_at", "id"], name="invitation_invited_id"),
            # An expert's invitations awaiting an answer (the experts' list, matching), counted on the index.
            models.Index(fields=["expert", "status"], name="invitation_expert_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "expert"], condition=models.Q(status="pending"), name="expert_invitation_one_pending"
            )
        ]

    def __str__(self):
        return f"{self.case} → {self.expert.name}"


class ExpertAssignment(StatusModel):
    """An expert working on a case. The expert sees the case only after declaring no conflict."""

    class Status(models.TextChoices):
        AWAITING_DECLARATION = "awaiting_declaration", _("待声明无利益冲突")
        ACTIVE = "active", _("承办中")
        OPINION_SUBMITTED = "opinion_submitted", _("已提交意见")
        CONFLICT = "conflict", _("声明存在利益冲突，已退出")
        WITHDRAWN = "withdrawn", _("已撤销指派")

    OPEN_STATUSES = (Status.AWAITING_DECLARATION, Status.ACTIVE)

    TRANSITIONS = {
        Status.AWAITING_DECLARATION: {Status.ACTIVE, Status.CONFLICT, Status.WITHDRAWN},
        Status.ACTIVE: {Status.OPINION_SUBMITTED, Status.CONFLICT, Status.WITHDRAWN},
        Status.OPINION_SUBMITTED: set(),
        Status.CONFLICT: set(),
        Status.WITHDRAWN: set(),
    }

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="expert_assignments", verbose_name=_("案件")
    )
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("专家"))
    invitation = models.OneToOneField(
        ExpertInvitation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assignment",
        verbose_name=_("邀请"),
    )
    status = StatusField(
        _("状态"),
        max_length=30,
        choices=Status.choices,
        default=Status.AWAITING_DECLARATION,
        db_index=True,
        transitions=TRANSITIONS,
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("指派人")
    )
    assigned_at = models.DateTimeField(_("指派时间"), auto_now_add=True)
    declared_at = models.DateTimeField(_("声明时间"), null=True, blank=True)
    declaration = models.TextField(_("声明内容"), blank=True)
    conflict_reason = models.TextField(_("利益冲突说明"), blank=True)
    contact_released = models.BooleanField(
        _("已向专家提供申请人联系方式"),
        default=False,
        help_text=_("仅在工作人员决定后向专家显示申请人联系人和联系方式。"),
    )
    staff_rating = models.PositiveSmallIntegerField(
        _("工作人员评分"), null=True, blank=True, choices=[(i, str(i)) for i in range(1, 6)]
    )
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("专家指派")
        verbose_name_plural = _("专家指派")
        ordering = ["-assigned_at", "-pk"]
        indexes = [
            # The admin list's order (newest first, then the key), read from the index instead of sorting the table.
            models.Index(fields=["assigned_at", "id"], name="assignment_assigned_id"),
            # An expert's open work (the experts' list, matching), counted on the index.
            models.Index(fields=["expert", "status"], name="assignment_expert_status"),
        ]

    def __str__(self):
        return f"{self.case} · {self.expert.name}"

    @property
    def may_see_case(self):
        return self.status in {self.Status.ACTIVE, self.Status.OPINION_SUBMITTED}


class ExpertOpinion(models.Model):
    """A structured opinion by one expert on one case."""

    assignment = models.OneToOneField(
        ExpertAssignment, on_delete=models.PROTECT, related_name="opinion", verbose_name=_("专家指派")
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="expert_opinions", verbose_name=_("案件")
    )
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="opinions", verbose_name=_("专家"))
    analysis = models.TextField(_("案情分析"), max_length=10000)
    recommendations = models.TextField(_("应对建议"), max_length=10000)
    risks = models.TextField(_("风险提示"), max_length=5000, blank=True)
    references = models.TextField(_("参考依据（法律法规、案例）"), max_length=5000, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"))

    class Meta:
        verbose_name = _("专家意见")
        verbose_name_plural = _("专家意见")
        ordering = ["-submitted_at"]
        # The list's order with the key Django adds to it: the newest page without a sort.
        indexes = [models.Index(fields=["submitted_at", "id"], name="opinion_submitted_id")]

    def __str__(self):
        return f"{self.case} · {self.expert.name}"


def opinion_upload_path(instance, filename):
    return f"expert-opinions/{instance.opinion_id}/{uuid.uuid4().hex}"


class OpinionAttachment(models.Model):
    opinion = models.ForeignKey(
        ExpertOpinion, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("专家意见")
    )
    file = models.FileField(_("文件"), upload_to=opinion_upload_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("意见附件")
        verbose_name_plural = _("意见附件")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class SeminarInvitee(models.Model):
    """Someone invited to a seminar: an expert, an agency representative or a member of staff."""

    class Kind(models.TextChoices):
        EXPERT = "expert", _("专家")
        AGENCY = "agency", _("协助单位代表")
        STAFF = "staff", _("中心工作人员")

    class Response(models.TextChoices):
        PENDING = "pending", _("待确认")
        CONFIRMED = "confirmed", _("确认参加")
        DECLINED = "declined", _("不能参加")

    class Position(models.TextChoices):
        AGREE = "agree", _("同意合议意见")
        DISSENT = "dissent", _("保留不同意见")
        ABSTAIN = "abstain", _("未表态")

    # The audit log's from/to status of a seat are its responses (待确认 → 确认参加).
    AUDIT_STATUS_FIELD = "response"

    seminar = models.ForeignKey("Seminar", on_delete=models.CASCADE, related_name="invitees", verbose_name=_("研讨会"))
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    expert = models.ForeignKey(
        Expert, null=True, blank=True, on_delete=models.PROTECT, related_name="seminar_seats", verbose_name=_("专家")
    )
    agency = models.ForeignKey(
        "portal.PartnerAgency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("协助单位"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("人员"),
    )
    response = models.CharField(_("回复"), max_length=10, choices=Response.choices, default=Response.PENDING)
    responded_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    attended = models.BooleanField(_("出席"), null=True, blank=True)
    view = models.TextField(_("专家发言/观点"), blank=True, max_length=5000)
    view_recorded_at = models.DateTimeField(_("观点记录时间"), null=True, blank=True)
    position = models.CharField(_("对合议意见的态度"), max_length=10, choices=Position.choices, blank=True)
    dissent = models.TextField(_("不同意见"), blank=True, max_length=3000)

    class Meta:
        verbose_name = _("研讨会参会人")
        verbose_name_plural = _("研讨会参会人")
        ordering = ["kind", "pk"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        if self.expert_id:
            return self.expert.name
        if self.agency_id:
            return self.agency.short_name or self.agency.name
        return str(self.user) if self.user_id else "—"


def seminar_material_path(instance, filename):
    return f"seminar-materials/{instance.seminar_id}/{uuid.uuid4().hex}"


class SeminarMaterial(models.Model):
    seminar = models.ForeignKey("Seminar", on_delete=models.CASCADE, related_name="materials", verbose_name=_("研讨会"))
    file = models.FileField(_("文件"), upload_to=seminar_material_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("研讨会材料")
        verbose_name_plural = _("研讨会材料")

    def __str__(self):
        return self.original_name
