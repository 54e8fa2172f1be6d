"""The public knowledge platform (信息交流机制): what the partner agencies send and the center publishes.

Laws and policies by country (in versions), country guides and official fees, typical cases, early
warnings, the directory of service institutions, and training sessions, salons and trade fairs with
their registrations. Every piece of content goes through the same review: an agency submits it (or
staff draft it), staff publish it, return it with a reason or decline it; only published content is
visible to the public.
"""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from applications.choices import TechnicalField
from applications.countries import ALL_COUNTRY_CHOICES, country_name
from portal.transitions import StatusField, StatusModel


class IPType(models.TextChoices):
    PATENT = "patent", _("专利")
    TRADEMARK = "trademark", _("商标")
    GI = "gi", _("地理标志")
    COPYRIGHT = "copyright", _("版权")
    TRADE_SECRET = "trade_secret", _("商业秘密")
    UNFAIR_COMPETITION = "unfair_competition", _("不正当竞争")
    GENERAL = "general", _("综合")


# Industries are the technical fields of the application form, so that a subscriber's industry
# and a case's field mean the same thing.
Industry = TechnicalField


def new_token():
    return secrets.token_urlsafe(24)


class Publication(StatusModel):
    """What every published item shares: the review states and who sent it.

    An agency user submits (提交) an item; staff publish it as is or after editing, return it with
    a reason (the agency may correct and submit again) or decline it. Staff may also draft and
    publish directly. A published item may be withdrawn and published again."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        RETURNED = "returned", _("已退回修改")
        DECLINED = "declined", _("不予采用")
        PUBLISHED = "published", _("已发布")
        WITHDRAWN = "withdrawn", _("已撤回发布")

    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED, Status.PUBLISHED},
        Status.SUBMITTED: {Status.PUBLISHED, Status.RETURNED, Status.DECLINED},
        Status.RETURNED: {Status.SUBMITTED},
        Status.DECLINED: set(),
        Status.PUBLISHED: {Status.WITHDRAWN},
        Status.WITHDRAWN: {Status.PUBLISHED},
    }

    status = StatusField(
        _("状态"),
        max_length=20,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
        transitions=TRANSITIONS,
    )
    agency = models.ForeignKey(
        "portal.PartnerAgency",
        verbose_name=_("报送单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    review_reason = models.TextField(_("退回或不予采用的理由"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    revision = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        abstract = True

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED


class Law(Publication):
    """A law, regulation, judicial interpretation, rule, normative document or policy of one country.

    An amendment or a repeal is a new version that points at the one it replaces (`supersedes`);
    the replaced version keeps its text and is marked amended or repealed."""

    class DocType(models.TextChoices):
        LAW = "law", _("法律")
        REGULATION = "regulation", _("行政法规")
        JUDICIAL_INTERPRETATION = "judicial_interpretation", _("司法解释")
        RULE = "rule", _("部门规章")
        NORMATIVE = "normative", _("规范性文件")
        POLICY = "policy", _("政策")

    class LegalStatus(models.TextChoices):
        IN_FORCE = "in_force", _("现行有效")
        AMENDED = "amended", _("已修订")
        REPEALED = "repealed", _("已废止")

    country = models.CharField(_("国家/地区"), max_length=2, choices=ALL_COUNTRY_CHOICES, db_index=True)
    ip_type = models.CharField(_("知识产权类型"), max_length=20, choices=IPType.choices, db_index=True)
    doc_type = models.CharField(_("文件类型"), max_length=30, choices=DocType.choices, db_index=True)
    title_zh = models.CharField(_("中文名称"), max_length=300)
    title_original = models.CharField(_("原文名称"), max_length=300, blank=True)
    issuing_body = models.CharField(_("发布机关"), max_length=200, blank=True)
    promulgated_on = models.DateField(_("发布日期"), null=True, blank=True)
    effective_on = models.DateField(_("施行日期"), null=True, blank=True)
    legal_status = models.CharField(
        _("效力状态"), max_length=20, choices=LegalStatus.choices, default=LegalStatus.IN_FORCE, db_index=True
    )
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("取代的版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    summary = models.TextField(_("摘要"), blank=True)
    full_text = models.TextField(_("全文"), blank=True)
    attachment = models.FileField(_("附件"), upload_to="knowledge/laws/", blank=True)
    source_url = models.URLField(_("来源链接"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("法律法规")
        verbose_name_plural = _("法律法规")
        ordering = ["-promulgated_on", "-id"]
        indexes = [models.Index(fields=["status", "country", "-published_at"])]

    def __str__(self):
        return self.title_zh

    def get_absolute_url(self):
        return reverse("knowledge:law", args=[self.pk])

    @property
    def country_label(self):
        return country_name(self.country)


class CountryGuide(models.Model):
    """The center's guide to one country or region (国别指南): how disputes run there, where to look."""

    country = models.CharField(_("国家/地区"), max_length=2, choices=ALL_COUNTRY_CHOICES, unique=True)
    overview = models.TextField(_("概况"))
    enforcement = models.TextField(_("维权途径"), blank=True)
    tips = models.TextField(_("应对提示"), blank=True)
    source_url = models.URLField(_("参考链接"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("国别指南")
        verbose_name_plural = _("国别指南")
        ordering = ["country"]

    def __str__(self):
        return str(country_name(self.country))


class OfficialFee(models.Model):
    """One official fee of a country's IP office (官费), with the date it was checked."""

    country = models.CharField(_("国家/地区"), max_length=2, choices=ALL_COUNTRY_CHOICES, db_index=True)
    ip_type = models.CharField(_("知识产权类型"), max_length=20, choices=IPType.choices)
    item = models.CharField(_("收费项目"), max_length=200)
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("币种"), max_length=3, help_text=_("ISO 4217 代码，如 USD、EUR"))
    as_of = models.DateField(_("核对日期"))
    source_url = models.URLField(_("来源链接"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("官方费用")
        verbose_name_plural = _("官方费用")
        ordering = ["country", "ip_type", "item"]

    def __str__(self):
        return f"{country_name(self.country)} {self.item}"


class TypicalCase(Publication):
    """An anonymised typical case (典型案例): facts, response, outcome, lessons."""

    class Forum(models.TextChoices):
        COURT = "court", _("法院诉讼")
        ITC_337 = "itc_337", _("美国 337 调查")
        CUSTOMS = "customs", _("海关扣押")
        TRADE_FAIR = "trade_fair", _("展会投诉")
        OPPOSITION = "opposition", _("异议/无效程序")
        OTHER = "other", _("其他")

    class Consent(models.TextChoices):
        NOT_NEEDED = "not_needed", _("无需征求")
        REQUESTED = "requested", _("已征求，待答复")
        GIVEN = "given", _("申请人同意公开")
        REFUSED = "refused", _("申请人不同意公开")

    title = models.CharField(_("标题"), max_length=200)
    ip_type = models.CharField(_("知识产权类型"), max_length=20, choices=IPType.choices, db_index=True)
    country = models.CharField(_("国家/地区"), max_length=2, choices=ALL_COUNTRY_CHOICES, db_index=True)
    industry = models.CharField(_("行业"), max_length=20, choices=Industry.choices, blank=True, db_index=True)
    forum = models.CharField(_("程序"), max_length=20, choices=Forum.choices, db_index=True)
    year = models.PositiveSmallIntegerField(_("年份"), null=True, blank=True)
    facts = models.TextField(_("基本案情"))
    response = models.TextField(_("应对措施"))
    outcome = models.TextField(_("处理结果"))
    lessons = models.TextField(_("启示"))
    # The closed case a typical case was drafted from; never shown to the public.
    source_case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("来源案件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="typical_cases",
    )
    consent = models.CharField(_("申请人同意"), max_length=20, choices=Consent.choices, default=Consent.NOT_NEEDED)
    consent_token = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("典型案例")
        verbose_name_plural = _("典型案例")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "country", "-published_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("knowledge:case", args=[self.pk])


class Warning(Publication):
    """An early warning (预警信息): an industry or country risk report, a trademark-squatting alert
    (抢注预警) or a change in the law."""

    class Kind(models.TextChoices):
        INDUSTRY = "industry", _("产业风险报告")
        COUNTRY = "country", _("国别风险提示")
        SQUATTING = "squatting", _("商标抢注预警")
        LEGAL_CHANGE = "legal_change", _("法律变化")

    class Risk(models.TextChoices):
        HIGH = "high", _("高")
        MEDIUM = "medium", _("中")
        LOW = "low", _("低")

    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices, db_index=True)
    risk_level = models.CharField(_("风险等级"), max_length=10, choices=Risk.choices, default=Risk.MEDIUM)
    title = models.CharField(_("标题"), max_length=200)
    country = models.CharField(_("国家/地区"), max_length=2, choices=ALL_COUNTRY_CHOICES, db_index=True)
    industry = models.CharField(_("行业"), max_length=20, choices=Industry.choices, blank=True, db_index=True)
    ip_type = models.CharField(_("知识产权类型"), max_length=20, choices=IPType.choices, db_index=True)
    issued_on = models.DateField(_("发布日期"))
    body = models.TextField(_("内容"))
    # Trademark squatting: the squatted mark, the filing abroad and the deadline to oppose it.
    mark = models.CharField(_("被抢注商标"), max_length=200, blank=True)
    filing_number = models.CharField(_("申请号"), max_length=60, blank=True)
    filing_date = models.DateField(_("申请日"), null=True, blank=True)
    opposition_deadline = models.DateField(_("异议截止日"), null=True, blank=True)
    # A change in the law points at the law (version) it is about.
    law = models.ForeignKey(
        Law, verbose_name=_("相关法律"), null=True, blank=True, on_delete=models.SET_NULL, related_name="warnings"
    )

    class Meta:
        verbose_name = _("预警信息")
        verbose_name_plural = _("预警信息")
        ordering = ["-issued_on", "-id"]
        indexes = [
            models.Index(fields=["status", "country", "-issued_on"]),
            # The admin list's order: many warnings share a date.
            models.Index(fields=["issued_on", "id"], name="warning_issued_id"),
        ]

    # What __str__ reads: all that a list of other rows needs of this one (portal.admin_lists).
    name_fields = ("title",)

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("knowledge:warning", args=[self.pk])


class ServiceInstitution(Publication):
    """A vetted service institution (海外维权协助机构 / 服务机构) in the directory.

    A domestic institution may be paired with an overseas one (the "1+1" pairing): the domestic
    one takes the enterprise's instructions, the overseas one acts in the target country."""

    class Scope(models.TextChoices):
        DOMESTIC = "domestic", _("境内")
        OVERSEAS = "overseas", _("境外")

    serial = models.PositiveIntegerField(_("序号"), null=True, blank=True)
    name = models.CharField(_("机构名称"), max_length=200)
    nature = models.CharField(_("机构性质"), max_length=100, blank=True)
    head = models.CharField(_("负责人"), max_length=50, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    scope = models.CharField(_("境内/境外"), max_length=10, choices=Scope.choices, default=Scope.DOMESTIC)
    region = models.CharField(_("所在地区"), max_length=100, blank=True, help_text=_("如：许昌市、禹州市、美国加州"))
    country = models.CharField(
        _("所在国家/地区"), max_length=2, choices=ALL_COUNTRY_CHOICES, blank=True, help_text=_("境外机构填写")
    )
    services = models.TextField(_("服务内容"), blank=True)
    countries_covered = models.JSONField(_("服务国家/地区"), default=list, blank=True)
    languages = models.CharField(_("工作语言"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    website = models.URLField(_("网站"), blank=True)
    partner = models.ForeignKey(
        "self",
        verbose_name=_("“1+1”结对机构"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    listed_in = models.CharField(
        _("入选名单"), max_length=200, blank=True, help_text=_("如：第一批海外维权协助机构名单")
    )

    class Meta:
        verbose_name = _("服务机构")
        verbose_name_plural = _("服务机构")
        ordering = ["scope", "serial", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("knowledge:institution", args=[self.pk])


class Event(Publication):
    """A training session, a salon or support at a trade fair (培训、沙龙、展会服务)."""

    class Kind(models.TextChoices):
        TRAINING = "training", _("培训")
        SALON = "salon", _("沙龙")
        TRADE_FAIR = "trade_fair", _("展会服务")

    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices, db_index=True)
    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("简介"))
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    ends_at = models.DateTimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=200)
    online_link = models.URLField(_("线上参加链接"), blank=True)
    capacity = models.PositiveIntegerField(_("名额"), null=True, blank=True, help_text=_("不填表示不限"))
    registration_closes_at = models.DateTimeField(_("报名截止时间"), null=True, blank=True)
    trainer = models.CharField(_("主讲人"), max_length=200, blank=True)
    country = models.CharField(_("国家/地区"), max_length=2, choices=ALL_COUNTRY_CHOICES, blank=True)
    industry = models.CharField(_("行业"), max_length=20, choices=Industry.choices, blank=True, db_index=True)
    # A trade fair: what the center does before, during and after it.
    pre_fair_briefing = models.TextField(_("展前培训与风险排查"), blank=True)
    desk_location = models.CharField(_("现场服务站位置"), max_length=200, blank=True)
    desk_hours = models.CharField(_("现场服务时间"), max_length=200, blank=True)
    post_fair_follow_up = models.TextField(_("展后跟踪"), blank=True)

    class Meta:
        verbose_name = _("培训与展会")
        verbose_name_plural = _("培训与展会")
        ordering = ["-starts_at"]

    # What __str__ reads: all that a list of other rows needs of this one (portal.admin_lists).
    name_fields = ("title",)

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("knowledge:event", args=[self.pk])


class EventMaterial(models.Model):
    """A handout or the slides of a session, published after it."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="materials", verbose_name=_("活动"))
    title = models.CharField(_("名称"), max_length=200)
    file = models.FileField(_("文件"), upload_to="knowledge/materials/")
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("活动资料")
        verbose_name_plural = _("活动资料")
        ordering = ["created_at"]

    def __str__(self):
        return self.title


class Registration(StatusModel):
    """One enterprise's registration for an event."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("已报名")
        CANCELLED = "cancelled", _("已取消")
        ATTENDED = "attended", _("已参加")
        ABSENT = "absent", _("未到场")

    TRANSITIONS = {
        Status.REGISTERED: {Status.CANCELLED, Status.ATTENDED, Status.ABSENT},
        Status.CANCELLED: {Status.REGISTERED},
        Status.ATTENDED: {Status.ABSENT},
        Status.ABSENT: {Status.ATTENDED},
    }

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("活动"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.CharField(_("单位名称"), max_length=200)
    contact_name = models.CharField(_("联系人"), max_length=50)
    email = models.EmailField(_("电子邮箱"))
    phone = models.CharField(_("联系电话"), max_length=40)
    attendees = models.PositiveSmallIntegerField(_("参加人数"), default=1)
    status = StatusField(
        _("状态"),
        max_length=20,
        choices=Status.choices,
        default=Status.REGISTERED,
        db_index=True,
        transitions=TRANSITIONS,
    )
    # The link in the confirmation e-mail lets the registrant see and cancel without an account.
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~models.Q(status="cancelled"),
                name="knowledge_registration_once_per_email",
            )
        ]

    def __str__(self):
        return f"{self.organisation} · {self.event}"


class FairHelpRequest(StatusModel):
    """An exhibitor's request for help at the on-site service desk of a trade fair (展会现场求助)."""

    class Status(models.TextChoices):
        NEW = "new", _("待处理")
        HANDLED = "handled", _("已答复")
        ESCALATED = "escalated", _("已转为申请")

    TRANSITIONS = {
        Status.NEW: {Status.HANDLED, Status.ESCALATED},
        Status.HANDLED: {Status.ESCALATED},
        Status.ESCALATED: set(),
    }

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="help_requests", verbose_name=_("展会"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.CharField(_("参展单位"), max_length=200)
    contact_name = models.CharField(_("联系人"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=40)
    email = models.EmailField(_("电子邮箱"), blank=True)
    booth = models.CharField(_("展位号"), max_length=40, blank=True)
    question = models.TextField(_("遇到的问题"))
    urgent = models.BooleanField(_("紧急（如已被投诉、展品被要求撤展）"), default=False)
    status = StatusField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True, transitions=TRANSITIONS
    )
    answer = models.TextField(_("答复"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("转为的申请"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("展会现场求助")
        verbose_name_plural = _("展会现场求助")
        ordering = ["-created_at"]
        # The admin list's order (newest first, then the key), read from the index instead of sorting the table.
        indexes = [models.Index(fields=["created_at", "id"], name="fair_help_created_id")]

    def __str__(self):
        return f"{self.organisation} · {self.event}"


class Subscription(models.Model):
    """A subscription to new warnings and laws, by country, industry and IP type (weekly digest).

    Double opt-in: nothing is sent until the address is confirmed through the link e-mailed to it.
    Empty lists mean "all"."""

    email = models.EmailField(_("电子邮箱"), unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    countries = models.JSONField(_("国家/地区"), default=list, blank=True)
    industries = models.JSONField(_("行业"), default=list, blank=True)
    ip_types = models.JSONField(_("知识产权类型"), default=list, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("订阅时间"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("退订时间"), null=True, blank=True)
    last_sent_at = models.DateTimeField(_("上次推送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("订阅")
        verbose_name_plural = _("订阅")
        ordering = ["-created_at"]

    def __str__(self):
        return self.email

    @property
    def active(self):
        return self.confirmed_at is not None and self.unsubscribed_at is None


class SearchEntry(models.Model):
    """One published item as the search sees it: its text cut into terms, with the facets.

    Kept by `knowledge.search.index_item` whenever an item is published, edited or withdrawn. Chinese
    has no spaces, so `terms` holds every character and every pair of adjacent characters (and
    each Latin word or number) of the title and text: a query's pairs are then found wherever its
    characters stand together. On PostgreSQL the same terms also fill a GIN-indexed tsvector."""

    class Section(models.TextChoices):
        LAW = "law", _("法律法规")
        CASE = "case", _("典型案例")
        WARNING = "warning", _("预警信息")
        INSTITUTION = "institution", _("服务机构")
        EVENT = "event", _("培训与展会")

    section = models.CharField(_("栏目"), max_length=20, choices=Section.choices, db_index=True)
    object_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=300)
    text = models.TextField()
    country = models.CharField(max_length=2, blank=True, db_index=True)
    ip_type = models.CharField(max_length=20, blank=True, db_index=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)
    terms = models.TextField(blank=True)
    title_terms = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["section", "object_id"], name="knowledge_search_entry_once")]

    def __str__(self):
        return self.title
