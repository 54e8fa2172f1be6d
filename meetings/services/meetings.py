"""The series of joint meetings: planning each quarter's regular meeting, ad-hoc meetings,
the chair by rotation (or named by the director), convening and cancelling."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.formatting import chinese_date
from meetings.models import (
    Invitation,
    JointMeeting,
    quarter_bounds,
    quarter_of,
)
from meetings.permissions import (
    can_assign_chair,
    can_cancel,
    can_convene,
    can_create_meeting,
    can_override_chair,
)
from meetings.rotation import chair_for_meeting
from meetings.services._common import (
    ONLY_CENTER,
    S,
    _center_members,
    _deputy_of,
    _invitation_recipients,
    _labels,
    _lock,
    _log,
    _meeting_link,
    _move,
    _refused,
    _when_where,
)
from meetings.services.agenda import _generate_agenda
from portal.access import require
from portal.models import DeputyDirector, PartnerAgency, User
from portal.notifications import notify, users_with_role
from portal.roles import Role
from portal.transitions import (
    check_fresh,
    check_transition,
)


def _regular_title(year, quarter):
    return _("%(year)s年第%(quarter)s季度联席工作例会") % {"year": year, "quarter": quarter}


def meeting_create(
    *,
    kind: str,
    by: User | None,
    year: int | None = None,
    quarter: int | None = None,
    title: str = "",
    reason: str = "",
    on: datetime.date | None = None,
) -> JointMeeting:
    """Create a meeting as a draft (筹备中).

    A regular meeting belongs to a quarter and reviews the previous quarter; there is at
    most one per quarter (refused otherwise). An ad-hoc meeting belongs to the quarter of
    `on` (default today), reviews the current quarter so far, and needs a reason.
    """
    # The periodic planning task acts as the system (by=None).
    require(by is None or can_create_meeting(by), ONLY_CENTER)
    today = on or timezone.localdate()
    with transaction.atomic():
        if kind == JointMeeting.Kind.REGULAR:
            if not year or not quarter:
                raise ValidationError(_("季度例会须指定年度和季度。"), code="quarter")
            existing = (
                JointMeeting.objects.select_for_update()
                .filter(kind=kind, year=year, quarter=quarter)
                .exclude(status=S.CANCELLED)
            )
            if existing.exists():
                raise ValidationError(
                    _("%(year)s年第%(quarter)s季度已有季度例会，不能重复创建。") % {"year": year, "quarter": quarter},
                    code="duplicate",
                )
            previous_year, previous_quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
            period_start, period_end = quarter_bounds(previous_year, previous_quarter)
            title = title or _regular_title(year, quarter)
        else:
            if not reason.strip():
                raise ValidationError(_("临时会议须写明召开事由。"), code="reason")
            year, quarter = today.year, quarter_of(today)
            period_start, _last = quarter_bounds(year, quarter)
            period_end = today
            title = title or _("%(date)s临时联席会议") % {"date": chinese_date(today)}
        try:
            with transaction.atomic():
                meeting = JointMeeting.objects.create(
                    kind=kind,
                    year=year,
                    quarter=quarter,
                    title=title,
                    reason=reason,
                    period_start=period_start,
                    period_end=period_end,
                )
        except IntegrityError as exc:
            raise ValidationError(_("该季度已有一次季度例会。"), code="duplicate") from exc
        _log(meeting, by, "create", to_status=meeting.status, note=reason)
    return meeting


# The next quarter's meeting is planned at the latest this many days before the quarter starts.
NEXT_MEETING_LEAD_DAYS = 30


def next_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter + 1) if quarter < 4 else (year + 1, 1)


def _regular_meeting(year, quarter):
    return (
        JointMeeting.objects.filter(kind=JointMeeting.Kind.REGULAR, year=year, quarter=quarter)
        .exclude(status=S.CANCELLED)
        .first()
    )


def _plan_chair(meeting, by):
    """Give a planned meeting its chair by the rotation, so that everyone can see who chairs
    next. Left empty when no deputy is in post on the planned day (the director names one
    when convening); recomputed when the meeting is convened."""
    if meeting.status != S.PLANNED or not meeting.chair_by_rotation:
        return
    try:
        with transaction.atomic():
            _assign_chair(meeting, by)
    except ValidationError:
        pass


def meeting_plan_regular(*, year: int, quarter: int, by: User | None = None) -> tuple[JointMeeting, bool]:
    """Make sure a quarter has its regular meeting: a draft (筹备中) with its chair by the
    rotation, and the director asked to convene it. Safe to run twice: returns (meeting, created)."""
    existing = _regular_meeting(year, quarter)
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            meeting = meeting_create(kind=JointMeeting.Kind.REGULAR, year=year, quarter=quarter, by=by)
            _plan_chair(meeting, by)
            chair = _("按轮值由 %(name)s 主持。") % {"name": meeting.chair.user} if meeting.chair_id else ""
            notify(
                users_with_role(Role.DIRECTOR),
                subject=_("请召集%(title)s") % {"title": meeting.title},
                body=_("%(title)s已列入计划（筹备中）。%(chair)s请确定会议时间、地点并发出通知。")
                % {"title": meeting.title, "chair": chair},
                link=reverse("admin:meetings_jointmeeting_change", args=[meeting.pk]),
            )
        return meeting, True
    except ValidationError:
        # Another run created it between our check and our insert.
        return _regular_meeting(year, quarter), False


def meeting_plan_quarter(*, today: datetime.date | None = None, by: User | None = None) -> tuple[JointMeeting, bool]:
    """Make sure the current quarter has its regular meeting (a draft). Safe to run twice:
    returns (meeting, created)."""
    today = today or timezone.localdate()
    return meeting_plan_regular(year=today.year, quarter=quarter_of(today), by=by)


def meeting_plan_next_quarter(
    *, today: datetime.date | None = None, by: User | None = None
) -> tuple[JointMeeting | None, bool]:
    """Plan the next quarter's regular meeting once this quarter's has been convened, and at
    the latest NEXT_MEETING_LEAD_DAYS days before the next quarter starts, so that the
    calendar always shows the next meeting. Returns (meeting or None, created)."""
    today = today or timezone.localdate()
    year, quarter = next_quarter(today.year, quarter_of(today))
    first_day, _last = quarter_bounds(year, quarter)
    current = _regular_meeting(today.year, quarter_of(today))
    convened = current is not None and current.status in {S.CONVENED, S.HELD, S.CLOSED}
    if not convened and today < first_day - datetime.timedelta(days=NEXT_MEETING_LEAD_DAYS):
        return None, False
    return meeting_plan_regular(year=year, quarter=quarter, by=by)


def _plan_after_convening(meeting, by):
    """Convening a quarter's meeting puts the next quarter's on the calendar, with its chair
    recomputed: this meeting's chair (and any deputy skipped) moves the rotation on."""
    if meeting.kind != JointMeeting.Kind.REGULAR:
        return
    year, quarter = next_quarter(meeting.year, meeting.quarter)
    following, created = meeting_plan_regular(year=year, quarter=quarter, by=by)
    if not created and following.status == S.PLANNED:
        following = _lock(following)
        _plan_chair(following, by)


def meeting_assign_chair(
    *,
    meeting: JointMeeting,
    by: User,
    absent: Iterable[DeputyDirector | User] = (),
    chair: DeputyDirector | User | None = None,
    reason: str = "",
) -> JointMeeting:
    """Settle the chair: by the rotation (see meetings.rotation), skipping `absent` deputies,
    or — the director only — a named deputy for this one meeting, with a reason."""
    require(can_assign_chair(by, meeting), ONLY_CENTER)
    with transaction.atomic():
        meeting = _lock(meeting)
        if meeting.status not in {S.PLANNED, S.CONVENED}:
            raise _refused(_("会议已召开，不能再更换主持人。"), meeting, "chair_locked")
        _assign_chair(meeting, by, absent=absent, chair=chair, reason=reason)
    return meeting


def _assign_chair(meeting, by, *, absent=(), chair=None, reason=""):
    absent = [_deputy_of(d) for d in absent]
    if chair is not None:
        deputy = _deputy_of(chair)
        require(by is not None and can_override_chair(by, meeting), _("只有中心主任可以指定主持人。"))
        if not deputy.active or not deputy.serves_on(meeting.date):
            raise ValidationError(
                _("%(name)s 在会议当日不在岗，不能主持会议。") % {"name": deputy.user}, code="not_serving"
            )
        if not reason.strip():
            raise ValidationError(_("主任指定主持人须写明理由。"), code="reason")
        meeting.chair = deputy
        meeting.chair_by_rotation = False
        meeting.chair_override_reason = reason.strip()
        skipped = []
        note = _("主任指定 %(name)s 主持：%(reason)s") % {"name": deputy.user, "reason": reason.strip()}
    else:
        deputy, skipped = chair_for_meeting(meeting, unavailable=absent)
        meeting.chair = deputy
        meeting.chair_by_rotation = True
        meeting.chair_override_reason = ""
        note = _("按轮值顺序由 %(name)s 主持") % {"name": deputy.user}
        if skipped:
            note += _("（跳过：%(names)s）") % {"names": "、".join(str(d.user) for d in skipped)}
    meeting.revision += 1
    meeting.save(update_fields=["chair", "chair_by_rotation", "chair_override_reason", "revision"])
    meeting.skipped_deputies.set(skipped)
    _log(meeting, by, "chair", note=note)


def meeting_convene(
    *,
    meeting: JointMeeting,
    by: User,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime | None = None,
    location: str = "",
    online_link: str = "",
    proposal_deadline: datetime.datetime | None = None,
    absent: Iterable[DeputyDirector | User] = (),
    chair: DeputyDirector | User | None = None,
    chair_reason: str = "",
    seen_revision: int | str | None = None,
) -> JointMeeting:
    """The director convenes a planned meeting: date and place, the chair, the invitations,
    the agenda proposed from live work, and the notice by e-mail."""
    require(can_convene(by, meeting), _("只有中心主任可以召集会议。"))
    with transaction.atomic():
        meeting = _lock(meeting)
        check_fresh(meeting, seen_revision)
        check_transition(JointMeeting.TRANSITIONS, meeting.status, S.CONVENED, labels=_labels())
        if not (location or "").strip() and not online_link:
            raise ValidationError(_("请填写会议地点或线上会议链接。"), code="place")
        day = timezone.localdate(starts_at)
        if meeting.kind == JointMeeting.Kind.REGULAR and (day.year, quarter_of(day)) != (meeting.year, meeting.quarter):
            raise ValidationError(
                _("季度例会的日期须在%(year)s年第%(quarter)s季度内。")
                % {"year": meeting.year, "quarter": meeting.quarter},
                code="date",
            )
        if ends_at and ends_at <= starts_at:
            raise ValidationError(_("结束时间须晚于开始时间。"), code="ends_at")
        if proposal_deadline is None:
            proposal_deadline = starts_at - datetime.timedelta(days=2)
        if proposal_deadline >= starts_at:
            raise ValidationError(_("议题征集截止时间须早于会议开始时间。"), code="deadline")
        meeting.starts_at = starts_at
        meeting.ends_at = ends_at
        meeting.location = (location or "").strip()
        meeting.online_link = online_link or ""
        meeting.proposal_deadline = proposal_deadline
        meeting.convened_by = by
        meeting.convened_at = timezone.now()
        meeting.save(
            update_fields=[
                "starts_at",
                "ends_at",
                "location",
                "online_link",
                "proposal_deadline",
                "convened_by",
                "convened_at",
            ]
        )
        _assign_chair(meeting, by, absent=absent, chair=chair, reason=chair_reason)
        _invite(meeting)
        _generate_agenda(meeting)
        _move(meeting, S.CONVENED, by, "convene")
        _send_notice(meeting)
        _plan_after_convening(meeting, by)
    return meeting


def _invite(meeting):
    for agency in PartnerAgency.objects.filter(active=True):
        Invitation.objects.get_or_create(meeting=meeting, agency=agency)
    for user in _center_members():
        Invitation.objects.get_or_create(meeting=meeting, agency=None, user=user)


def _send_notice(meeting):
    when, where = _when_where(meeting)
    deadline = timezone.localtime(meeting.proposal_deadline).strftime("%Y-%m-%d %H:%M")
    body = _(
        "%(title)s定于 %(when)s 召开，地点：%(where)s。主持人：%(chair)s。"
        "请各单位于 %(deadline)s 前答复是否参会并确定参会代表；如有需要提交会议研究的议题，请在此前提出。"
    ) % {"title": meeting.title, "when": when, "where": where, "chair": meeting.chair.user, "deadline": deadline}
    notify(
        _invitation_recipients(meeting),
        subject=_("会议通知：%(title)s") % {"title": meeting.title},
        body=body,
        link=_meeting_link(meeting),
    )


def meeting_cancel(*, meeting: JointMeeting, by: User, reason: str) -> JointMeeting:
    require(can_cancel(by, meeting), _("只有中心主任可以取消会议。"))
    with transaction.atomic():
        meeting = _lock(meeting)
        if not reason.strip():
            raise ValidationError(_("请写明取消理由。"), code="reason")
        was_convened = meeting.status == S.CONVENED
        _move(meeting, S.CANCELLED, by, "cancel", note=reason)
        if was_convened:
            notify(
                _invitation_recipients(meeting),
                subject=_("会议取消：%(title)s") % {"title": meeting.title},
                body=reason,
                link="",
            )
    return meeting
