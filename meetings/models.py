"""Joint meetings (联席例会): the quarterly series and ad-hoc meetings, their chair,
invitations and attendance, agenda, minutes (in versions) and action items."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.transitions import StatusField, StatusModel


def quarter_of(day):
    return (day.month - 1) // 3 + 1


def quarter_bounds(year, quarter):
    """First and last day of a quarter."""
    first = datetime.date(year, 3 * (quarter - 1) + 1, 1)
    if quarter == 4:
        last = datetime.date(year, 12, 31)
    else:
        last = datetime.date(year, 3 * quarter + 1, 1) - datetime.timedelta(days=1)
    return first, last


class JointMeeting(StatusModel):
    class Kind(models.TextChoices):
        REGULAR = "regular", _("季度例会")
        AD_HOC = "ad_hoc", _("临时会议")

    class Status(models.TextChoices):
        PLANNED = "planned", _("筹备中")
        CONVENED = "convened", _("已发通知")
        HELD = "held", _("已召开（纪要起草中）")
        CLOSED = "closed", _("纪要已批准")
        CANCELLED = "cancelled", _("已取消")

    TRANSITIONS = {
        Status.PLANNED: {Status.CONVENED, Status.CANCELLED},
        Status.CONVENED: {Status.HELD, Status.CANCELLED},
        Status.HELD: {Status.CLOSED},
        Status.CLOSED: set(),
        Status.CANCELLED: set(),
    }

    kind = models.CharField(_("会议类型"), max_length=10, choices=Kind.choices, default=Kind.REGULAR)
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"), choices=[(q, f"Q{q}") for q in range(1, 5)])
    title = models.CharField(_("会议名称"), max_length=200)
    reason = models.TextField(_("召开事由"), blank=True, help_text=_("临时会议须写明需要研究的紧急事项。"))
    status = StatusField(
        _("状态"),
        max_length=20,
        choices=Status.choices,
        default=Status.PLANNED,
        db_index=True,
        transitions=TRANSITIONS,
    )

    starts_at = models.DateTimeField(_("开始时间"), null=True, blank=True, db_index=True)
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    location = models.CharField(_("地点"), max_length=200, blank=True)
    online_link = models.URLField(_("线上会议链接"), blank=True)
    proposal_deadline = models.DateTimeField(_("议题征集截止时间"), null=True, blank=True)
    # The period whose work the meeting reviews (new cases, closed cases…).
    period_start = models.DateField(_("回顾期间起"))
    period_end = models.DateField(_("回顾期间止"))

    chair = models.ForeignKey(
        "portal.DeputyDirector",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chaired_meetings",
        verbose_name=_("主持人"),
    )
    chair_by_rotation = models.BooleanField(_("按轮值顺序主持"), default=True)
    chair_override_reason = models.CharField(_("主任指定主持人的理由"), max_length=300, blank=True)
    skipped_deputies = models.ManyToManyField(
        "portal.DeputyDirector",
        blank=True,
        related_name="skipped_meetings",
        verbose_name=_("因不在岗或缺席而跳过的副主任"),
    )

    agenda_approved_at = models.DateTimeField(_("议程批准时间"), null=True, blank=True)
    agenda_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("议程批准人"),
    )
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("召集人"),
    )
    convened_at = models.DateTimeField(_("通知时间"), null=True, blank=True)
    revision = models.PositiveIntegerField(_("修订号"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("联席例会")
        verbose_name_plural = _("联席例会")
        ordering = ["-year", "-quarter", "-starts_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "quarter"],
                condition=Q(kind="regular") & ~Q(status="cancelled"),
                name="meeting_one_regular_per_quarter",
                violation_error_message=_("该季度已有一次季度例会。"),
            ),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="meeting_quarter_1_to_4"),
        ]

    # What __str__ reads: all that a list of other rows needs of this one (portal.admin_lists).
    name_fields = ("title",)

    def __str__(self):
        return self.title

    @property
    def agenda_approved(self):
        return self.agenda_approved_at is not None

    @property
    def date(self):
        """The meeting's day (planned day for a draft: the middle of its quarter)."""
        if self.starts_at:
            return timezone.localdate(self.starts_at)
        first, _last = quarter_bounds(self.year, self.quarter)
        return first + datetime.timedelta(days=45)

    def current_minutes(self):
        """The approved minutes in force, else the draft being written."""
        versions = list(self.minutes.all())
        approved = [m for m in versions if m.status == Minutes.Status.APPROVED]
        if approved:
            return approved[-1]
        drafts = [m for m in versions if m.status == Minutes.Status.DRAFT]
        return drafts[-1] if drafts else None


class Invitation(models.Model):
    """One invitee: a partner agency (which names its representative) or a center member."""

    class Answer(models.TextChoices):
        PENDING = "pending", _("未答复")
        ACCEPTED = "accepted", _("参加")
        DECLINED = "declined", _("不参加")

    class Attendance(models.TextChoices):
        UNKNOWN = "unknown", _("未记录")
        PRESENT = "present", _("出席")
        SUBSTITUTE = "substitute", _("委托他人代为出席")
        ABSENT = "absent", _("缺席")

    meeting = models.ForeignKey(
        JointMeeting, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("会议")
    )
    agency = models.ForeignKey(
        "portal.PartnerAgency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_invitations",
        verbose_name=_("协助单位"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_invitations",
        verbose_name=_("受邀人"),
        help_text=_("中心成员；协助单位则为其指定的参会代表（平台用户）。"),
    )
    representative_name = models.CharField(_("参会代表"), max_length=100, blank=True)
    representative_title = models.CharField(_("代表职务"), max_length=100, blank=True)
    answer = models.CharField(_("答复"), max_length=10, choices=Answer.choices, default=Answer.PENDING)
    answer_note = models.CharField(_("答复说明"), max_length=300, blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("答复人"),
    )
    attendance = models.CharField(_("出席情况"), max_length=12, choices=Attendance.choices, default=Attendance.UNKNOWN)
    substitute_name = models.CharField(_("代为出席人"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("参会邀请")
        verbose_name_plural = _("参会邀请")
        ordering = ["agency__display_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "agency"], condition=Q(agency__isnull=False), name="invitation_one_per_agency"
            ),
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=Q(agency__isnull=True),
                name="invitation_one_per_center_member",
            ),
            models.CheckConstraint(
                condition=Q(agency__isnull=False) | Q(user__isnull=False), name="invitation_agency_or_user"
            ),
        ]

    def __str__(self):
        return str(self.agency or self.user)

    @property
    def invitee_label(self):
        if self.agency_id:
            rep = self.representative_name or (self.user.full_name if self.user_id else "")
            return f"{self.agency.short_name}（{rep}）" if rep else self.agency.short_name
        return str(self.user)


class AgendaItem(StatusModel):
    class Source(models.TextChoices):
        STATISTICS = "statistics", _("本期统计")
        MAJOR_CASES = "major_cases", _("在办重大疑难纠纷")
        OVERDUE_CASES = "overdue_cases", _("逾期案件")
        OVERDUE_LETTERS = "overdue_letters", _("协助单位逾期未复函")
        OPEN_ACTIONS = "open_actions", _("往期会议未完成事项")
        STAFF = "staff", _("中心提出")
        AGENCY = "agency", _("协助单位提出")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待定")
        ACCEPTED = "accepted", _("列入议程")
        DEFERRED = "deferred", _("未列入议程")

    # The chair decides once, when approving the agenda; an approved agenda does not change.
    TRANSITIONS = {
        Status.PROPOSED: {Status.ACCEPTED, Status.DEFERRED},
        Status.ACCEPTED: set(),
        Status.DEFERRED: set(),
    }

    meeting = models.ForeignKey(
        JointMeeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("会议")
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    # Automatic items carry a key so that regenerating the agenda updates them in place.
    auto_key = models.CharField(_("自动议题标识"), max_length=40, blank=True)
    title = models.CharField(_("议题"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)
    status = StatusField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PROPOSED, transitions=TRANSITIONS
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("提出人"),
    )
    proposing_agency = models.ForeignKey(
        "portal.PartnerAgency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("提出单位"),
    )
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "auto_key"], condition=~Q(auto_key=""), name="agenda_item_unique_auto_key"
            )
        ]

    def __str__(self):
        return self.title


class Minutes(StatusModel):
    """会议纪要, in versions: once approved it is frozen, and a correction is a new version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("起草中")
        APPROVED = "approved", _("已批准")
        SUPERSEDED = "superseded", _("已被更正版本取代")

    # A correction is a new version (a new draft): approving it supersedes the approved one.
    TRANSITIONS = {
        Status.DRAFT: {Status.APPROVED},
        Status.APPROVED: {Status.SUPERSEDED},
        Status.SUPERSEDED: set(),
    }

    meeting = models.ForeignKey(JointMeeting, on_delete=models.PROTECT, related_name="minutes", verbose_name=_("会议"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    status = StatusField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT, transitions=TRANSITIONS
    )
    summary = models.TextField(_("会议概述"), blank=True)
    correction_reason = models.CharField(_("更正理由"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("起草人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("批准人"),
    )
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    document = models.ForeignKey(
        "documents.Document",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("纪要文书"),
    )
    revision = models.PositiveIntegerField(_("修订号"), default=0)

    class Meta:
        verbose_name = _("会议纪要")
        verbose_name_plural = _("会议纪要")
        ordering = ["meeting", "version"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "version"], name="minutes_unique_version"),
            models.UniqueConstraint(
                fields=["meeting"], condition=Q(status="draft"), name="minutes_one_draft_per_meeting"
            ),
        ]

    def __str__(self):
        return _("%(meeting)s 纪要（第 %(version)s 版）") % {"meeting": self.meeting, "version": self.version}

    def save(self, *args, **kwargs):
        # An approved version never changes again except to be marked superseded.
        if self.pk and "update_fields" not in kwargs:
            stored = Minutes.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored and stored != self.Status.DRAFT:
                raise ValidationError(_("会议纪要已批准，不能再修改；如需更正，请生成新版本。"), code="frozen")
        super().save(*args, **kwargs)

    @property
    def is_frozen(self):
        return self.status != self.Status.DRAFT


class MinutesEntry(models.Model):
    """The minutes of one agenda item: the discussion and the decisions."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="entries", verbose_name=_("纪要"))
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("议题"))
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    discussion = models.TextField(_("讨论情况"), blank=True)
    decisions = models.TextField(_("议定事项"), blank=True)

    class Meta:
        verbose_name = _("议题纪要")
        verbose_name_plural = _("议题纪要")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["minutes", "agenda_item"], name="minutes_entry_unique_item"),
        ]

    def __str__(self):
        return str(self.agenda_item)

    def save(self, *args, **kwargs):
        if self.minutes.is_frozen:
            raise ValidationError(_("会议纪要已批准，不能再修改；如需更正，请生成新版本。"), code="frozen")
        super().save(*args, **kwargs)


class ActionItem(StatusModel):
    """A task decided at a meeting, assigned to a partner agency or to a person, with a due date."""

    class Status(models.TextChoices):
        OPEN = "open", _("办理中")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已撤销")

    TRANSITIONS = {
        Status.OPEN: {Status.DONE, Status.CANCELLED},
        Status.DONE: {Status.OPEN},
        Status.CANCELLED: {Status.OPEN},
    }

    meeting = models.ForeignKey(
        JointMeeting, on_delete=models.PROTECT, related_name="action_items", verbose_name=_("会议")
    )
    minutes = models.ForeignKey(
        Minutes, on_delete=models.PROTECT, related_name="action_items", verbose_name=_("形成于纪要")
    )
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.PROTECT, related_name="action_items", verbose_name=_("议题")
    )
    title = models.CharField(_("任务"), max_length=300)
    assignee_agency = models.ForeignKey(
        "portal.PartnerAgency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_actions",
        verbose_name=_("责任单位"),
    )
    assignee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_actions",
        verbose_name=_("责任人"),
    )
    due_date = models.DateField(_("完成期限"), db_index=True)
    status = StatusField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True, transitions=TRANSITIONS
    )
    progress_note = models.TextField(_("办理情况"), blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    last_reminded_on = models.DateField(_("最近提醒日期"), null=True, blank=True)
    revision = models.PositiveIntegerField(_("修订号"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("会议议定事项")
        verbose_name_plural = _("会议议定事项")
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(assignee_agency__isnull=False) & Q(assignee_user__isnull=True))
                | (Q(assignee_agency__isnull=True) & Q(assignee_user__isnull=False)),
                name="action_item_one_assignee",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def assignee_label(self):
        return str(self.assignee_agency or self.assignee_user)

    def is_overdue(self, today=None):
        return self.status == self.Status.OPEN and self.due_date < (today or timezone.localdate())
