"""State changes of joint meetings. Every function runs in a transaction, locks the row it
changes, checks the transition map, saves with update_fields and writes an event row."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cases import selectors as case_selectors
from documents.formatting import chinese_date, person_name
from documents.models import Document
from documents.services import allocate_number, document_request
from meetings import selectors
from meetings.models import (
    ActionItem,
    AgendaItem,
    Invitation,
    JointMeeting,
    Minutes,
    MinutesEntry,
    quarter_bounds,
    quarter_of,
)
from meetings.permissions import (
    can_answer_invitation,
    can_approve_agenda,
    can_approve_minutes,
    can_assign_chair,
    can_cancel,
    can_cancel_action_item,
    can_convene,
    can_create_meeting,
    can_override_chair,
    can_propose_item,
    can_record_attendance,
    can_refresh_agenda,
    can_update_action_item,
    can_write_minutes,
)
from meetings.rotation import chair_for_meeting
from portal.access import Forbidden, require
from portal.audit import log_action
from portal.models import DeputyDirector, PartnerAgency, User
from portal.notifications import notify, users_with_role
from portal.roles import CENTER_ROLES, Role, has_role, is_center_member
from portal.transitions import StaleObject, TransitionNotAllowed, check_fresh, check_transition, transition

S = JointMeeting.Status

AUTO_SOURCES = [
    AgendaItem.Source.STATISTICS,
    AgendaItem.Source.MAJOR_CASES,
    AgendaItem.Source.OVERDUE_CASES,
    AgendaItem.Source.OVERDUE_LETTERS,
    AgendaItem.Source.OPEN_ACTIONS,
]

# Action items that are overdue are reminded again after this many days.
REMINDER_INTERVAL_DAYS = 7


def _labels():
    return dict(S.choices)


def _log(meeting, by, action, *, to_status="", note=""):
    """One entry in the audit log about the meeting (labels in meetings.audit_labels)."""
    log_action(meeting, f"meetings.meeting.{action}", by=by, to_status=to_status, note=note)


def _move(meeting, to_status, by, action, note=""):
    transition(meeting, to_status, by=by, action=f"meetings.meeting.{action}", note=note)


def _lock(meeting):
    return JointMeeting.objects.select_for_update().get(pk=meeting.pk)


ONLY_DIRECTOR = _lazy("只有中心主任可以进行此操作。")


def _refused(message, obj, code):
    """A refusal from the wrong state, naming the state `obj` is in now."""
    now = _("当前状态为“%(state)s”。") % {"state": obj.get_status_display()}
    return TransitionNotAllowed(f"{message}{now}", code=code)


ONLY_CENTER = _lazy("只有指导中心成员可以进行此操作。")
ONLY_CHAIR = _lazy("只有本次会议的主持人可以进行此操作。")


def _meeting_link(meeting):
    return reverse("meetings:detail", args=[meeting.pk])


def _deputy_of(chair):
    """A DeputyDirector from a DeputyDirector or a user; refuses anyone who is not a deputy director."""
    if isinstance(chair, DeputyDirector):
        return chair
    deputy = DeputyDirector.objects.filter(user=chair).first() if chair is not None else None
    if deputy is None:
        raise ValidationError(_("会议主持人必须是中心副主任。"), code="not_deputy")
    return deputy


# --- The series ---------------------------------------------------------------------


def _regular_title(year, quarter):
    return _("%(year)s年第%(quarter)s季度联席工作例会") % {"year": year, "quarter": quarter}


def meeting_create(*, kind, by, year=None, quarter=None, title="", reason="", on=None):
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


def next_quarter(year, quarter):
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


def meeting_plan_regular(*, year, quarter, by=None):
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


def meeting_plan_quarter(*, today=None, by=None):
    """Make sure the current quarter has its regular meeting (a draft). Safe to run twice:
    returns (meeting, created)."""
    today = today or timezone.localdate()
    return meeting_plan_regular(year=today.year, quarter=quarter_of(today), by=by)


def meeting_plan_next_quarter(*, today=None, by=None):
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


def meeting_assign_chair(*, meeting, by, absent=(), chair=None, reason=""):
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


# --- Convening ----------------------------------------------------------------------


def _center_members():
    return User.objects.filter(groups__name__in=list(CENTER_ROLES), is_active=True).distinct()


def _agency_members(agency_id):
    return User.objects.filter(agency_id=agency_id, groups__name=Role.AGENCY, is_active=True).distinct()


def _invitation_recipients(meeting):
    users = []
    for invitation in meeting.invitations.select_related("user", "agency"):
        if invitation.agency_id:
            users.extend(_agency_members(invitation.agency_id))
            if invitation.user_id:
                users.append(invitation.user)
        elif invitation.user_id:
            users.append(invitation.user)
    return users


def meeting_convene(
    *,
    meeting,
    by,
    starts_at,
    ends_at=None,
    location="",
    online_link="",
    proposal_deadline=None,
    absent=(),
    chair=None,
    chair_reason="",
    seen_revision=None,
):
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


def _when_where(meeting):
    local = timezone.localtime(meeting.starts_at)
    when = f"{chinese_date(local.date())} {local:%H:%M}"
    where = meeting.location or ""
    if meeting.online_link:
        where = f"{where} {meeting.online_link}".strip()
    return when, where


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


def invitation_answer(*, invitation, by, answer, representative_name="", representative_title="", note=""):
    """An invitee answers. For an agency, one of its users answers and names the representative."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=invitation.pk)
        require(
            can_answer_invitation(by, invitation),
            _("只能答复本单位的参会邀请。") if invitation.agency_id else _("只能答复本人的参会邀请。"),
        )
        if invitation.meeting.status != S.CONVENED:
            raise _refused(_("会议不在通知阶段，不能再答复。"), invitation.meeting, "answer_closed")
        if answer not in {Invitation.Answer.ACCEPTED, Invitation.Answer.DECLINED}:
            raise ValidationError(_("请选择是否参会。"), code="answer")
        if invitation.agency_id and answer == Invitation.Answer.ACCEPTED and not representative_name.strip():
            raise ValidationError(_("请填写本单位的参会代表。"), code="representative")
        invitation.answer = answer
        invitation.representative_name = representative_name.strip()
        invitation.representative_title = representative_title.strip()
        invitation.answer_note = note.strip()
        invitation.answered_at = timezone.now()
        invitation.answered_by = by
        fields = ["answer", "representative_name", "representative_title", "answer_note", "answered_at", "answered_by"]
        invitation.save(update_fields=fields)
        _log(
            invitation.meeting,
            by,
            "answer",
            note=f"{invitation.invitee_label}: {invitation.get_answer_display()} {invitation.answer_note}".strip(),
        )
    return invitation


def _require_meeting_day(meeting, what):
    """Attendance and minutes are records of a meeting that took place: not before its day."""
    if meeting.starts_at is None:
        raise TransitionNotAllowed(_("会议尚未确定时间，不能%(what)s。") % {"what": what}, code="not_yet")
    day = timezone.localdate(meeting.starts_at)
    if day > timezone.localdate():
        raise TransitionNotAllowed(
            _("会议定于 %(day)s 召开，会议当天或之后才能%(what)s。") % {"day": chinese_date(day), "what": what},
            code="not_yet",
        )


def attendance_record(*, invitation, by, attendance, substitute_name=""):
    """On the day, staff record who attended, including substitutes (代为出席)."""
    require(can_record_attendance(by, invitation.meeting), ONLY_CENTER)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=invitation.pk)
        if invitation.meeting.status not in {S.CONVENED, S.HELD}:
            raise _refused(_("只有已通知或已召开的会议可以登记出席情况。"), invitation.meeting, "attendance")
        _require_meeting_day(invitation.meeting, _("登记出席情况"))
        if invitation.meeting.current_minutes() and invitation.meeting.current_minutes().is_frozen:
            raise TransitionNotAllowed(_("会议纪要已批准，出席情况不能再修改。"), code="frozen")
        if attendance == Invitation.Attendance.SUBSTITUTE and not substitute_name.strip():
            raise ValidationError(_("请填写代为出席人的姓名。"), code="substitute")
        invitation.attendance = attendance
        invitation.substitute_name = substitute_name.strip() if attendance == Invitation.Attendance.SUBSTITUTE else ""
        invitation.save(update_fields=["attendance", "substitute_name"])
        _log(
            invitation.meeting,
            by,
            "attendance",
            note=f"{invitation.invitee_label}: {invitation.get_attendance_display()} {invitation.substitute_name}",
        )
    return invitation


# --- Agenda -------------------------------------------------------------------------


def _auto_items(meeting, today):
    """The items proposed from live work: {source: (title, description, data)} for non-empty ones."""
    items = {}
    stats = selectors.period_statistics(meeting.period_start, meeting.period_end)

    def top(pairs):
        return "、".join(f"{name} {n} 件" for name, n in pairs) or _("无")

    items[AgendaItem.Source.STATISTICS] = (
        _("通报本期工作情况（%(start)s 至 %(end)s）") % {"start": meeting.period_start, "end": meeting.period_end},
        _(
            "新受理案件 %(new)s 件，结案 %(closed)s 件。按国家/地区：%(countries)s；"
            "按权利类别：%(rights)s；按纠纷类型：%(disputes)s。"
        )
        % {
            "new": stats["new_cases"],
            "closed": stats["closed_cases"],
            "countries": top(stats["by_country"]),
            "rights": top(stats["by_right_type"]),
            "disputes": top(stats["by_dispute_type"]),
        },
        stats,
    )
    major = list(selectors.open_major_cases())
    if major:
        items[AgendaItem.Source.MAJOR_CASES] = (
            _("研究在办重大疑难纠纷（%(n)s 件）") % {"n": len(major)},
            "；".join(f"{c.number} {c.application.applicant_name}（{c.get_status_display()}）" for c in major),
            {"cases": [c.number for c in major]},
        )
    overdue = list(case_selectors.overdue_cases(today, opinion_only=True))
    if overdue:
        items[AgendaItem.Source.OVERDUE_CASES] = (
            _("督办逾期未出具指导意见的案件（%(n)s 件）") % {"n": len(overdue)},
            "；".join(f"{c.number} {c.application.applicant_name}" for c in overdue),
            {"cases": [c.number for c in overdue]},
        )
    letters = list(selectors.overdue_letters(today))
    if letters:
        items[AgendaItem.Source.OVERDUE_LETTERS] = (
            _("协调协助单位逾期未回复的协助办理函（%(n)s 件）") % {"n": len(letters)},
            "；".join(
                _("%(agency)s：%(letter)s，应于 %(due)s 前回复")
                % {"agency": r.agency.short_name, "letter": r.letter, "due": r.due_date}
                for r in letters
            ),
            {"letters": [[r.agency.short_name, str(r.letter), r.due_date.isoformat()] for r in letters]},
        )
    actions = list(selectors.open_action_items(before_meeting=meeting))
    if actions:
        items[AgendaItem.Source.OPEN_ACTIONS] = (
            _("检查往期会议议定事项落实情况（%(n)s 项未完成）") % {"n": len(actions)},
            "；".join(
                _("%(title)s（%(who)s，期限 %(due)s%(late)s）")
                % {
                    "title": a.title,
                    "who": a.assignee_label,
                    "due": a.due_date,
                    "late": _("，已逾期") if a.due_date < today else "",
                }
                for a in actions
            ),
            {"action_items": [a.pk for a in actions]},
        )
    return items


def _generate_agenda(meeting, today=None):
    today = today or timezone.localdate()
    wanted = _auto_items(meeting, today)
    existing = {item.auto_key: item for item in meeting.agenda_items.exclude(auto_key="")}
    for position, source in enumerate(AUTO_SOURCES, start=1):
        if source not in wanted:
            if source in existing:
                existing[source].delete()
            continue
        title, description, data = wanted[source]
        AgendaItem.objects.update_or_create(
            meeting=meeting,
            auto_key=source,
            defaults={
                "source": source,
                "title": title,
                "description": description,
                "data": data,
                "position": existing[source].position if source in existing else position,
            },
        )


def agenda_refresh(*, meeting, by, today=None):
    """Recompute the automatic items from today's figures (before the agenda is approved)."""
    require(can_refresh_agenda(by, meeting), ONLY_CENTER)
    with transaction.atomic():
        meeting = _lock(meeting)
        if meeting.status not in {S.PLANNED, S.CONVENED} or meeting.agenda_approved:
            raise TransitionNotAllowed(_("议程已批准，不能再更新。"), code="agenda_locked")
        _generate_agenda(meeting, today)
        _log(meeting, by, "agenda_refresh")
    return meeting


def agenda_item_propose(*, meeting, by, title, description=""):
    """Center staff or an invited agency propose an item before the deadline."""
    with transaction.atomic():
        meeting = _lock(meeting)
        if not can_propose_item(by, meeting):
            if has_role(by, Role.AGENCY) and by.agency_id:
                raise Forbidden(_("本单位未受邀参加该会议。"))
            raise Forbidden(_("只有指导中心和协助单位可以提出议题。"))
        agency = None if is_center_member(by) else by.agency
        if meeting.status not in {S.PLANNED, S.CONVENED} or meeting.agenda_approved:
            raise TransitionNotAllowed(_("议程已确定，不能再提出议题。"), code="agenda_locked")
        if meeting.proposal_deadline and timezone.now() > meeting.proposal_deadline and agency is not None:
            raise ValidationError(
                _("议题征集已于 %(deadline)s 截止。")
                % {"deadline": timezone.localtime(meeting.proposal_deadline).strftime("%Y-%m-%d %H:%M")},
                code="deadline",
            )
        if not title.strip():
            raise ValidationError(_("请填写议题。"), code="title")
        position = (meeting.agenda_items.aggregate(m=Max("position"))["m"] or 0) + 1
        item = AgendaItem.objects.create(
            meeting=meeting,
            position=position,
            source=AgendaItem.Source.AGENCY if agency else AgendaItem.Source.STAFF,
            title=title.strip(),
            description=description.strip(),
            proposed_by=by,
            proposing_agency=agency,
        )
        _log(meeting, by, "propose", note=item.title)
        if agency is not None and meeting.chair_id:
            notify(
                [meeting.chair.user],
                subject=_("新议题：%(title)s") % {"title": item.title},
                body=_("%(agency)s为%(meeting)s提出议题“%(title)s”，请在审定议程时研究。")
                % {"agency": agency.short_name, "meeting": meeting.title, "title": item.title},
                link=reverse("admin:meetings_jointmeeting_agenda", args=[meeting.pk]),
                email=False,
            )
    return item


def agenda_approve(*, meeting, by, order, seen_revision=None):
    """The chair orders and approves the agenda, and the agenda goes out by e-mail.

    `order` lists the ids of the items to put on the agenda, in their order; the other
    items are recorded as not taken up.
    """
    with transaction.atomic():
        meeting = _lock(meeting)
        check_fresh(meeting, seen_revision)
        require(can_approve_agenda(by, meeting), ONLY_CHAIR)
        if meeting.status != S.CONVENED or meeting.agenda_approved:
            raise _refused(_("只有已发通知、议程尚未批准的会议可以批准议程。"), meeting, "agenda")
        items = {item.pk: item for item in meeting.agenda_items.all()}
        order = [int(pk) for pk in order]
        if not order:
            raise ValidationError(_("议程至少要有一项议题。"), code="empty")
        unknown = [pk for pk in order if pk not in items]
        if unknown or len(set(order)) != len(order):
            raise ValidationError(_("议程中有不属于本次会议的议题。"), code="unknown")
        for position, pk in enumerate(order, start=1):
            item = items.pop(pk)
            item.position = position
            transition(
                item,
                AgendaItem.Status.ACCEPTED,
                by=by,
                action="meetings.agenda_item.accepted",
                scope=meeting,
                update_fields=("position",),
            )
        for position, item in enumerate(items.values(), start=len(order) + 1):
            item.position = position
            transition(
                item,
                AgendaItem.Status.DEFERRED,
                by=by,
                action="meetings.agenda_item.deferred",
                scope=meeting,
                update_fields=("position",),
            )
        meeting.agenda_approved_at = timezone.now()
        meeting.agenda_approved_by = by
        meeting.revision += 1
        meeting.save(update_fields=["agenda_approved_at", "agenda_approved_by", "revision"])
        _log(meeting, by, "agenda_approve", note=_("议程共 %(n)s 项") % {"n": len(order)})
        agenda = "\n".join(
            f"{i}. {item.title}"
            for i, item in enumerate(meeting.agenda_items.filter(status=AgendaItem.Status.ACCEPTED), start=1)
        )
        when, where = _when_where(meeting)
        notify(
            _invitation_recipients(meeting),
            subject=_("会议议程：%(title)s") % {"title": meeting.title},
            body=_("%(title)s（%(when)s，%(where)s）议程如下：\n%(agenda)s")
            % {"title": meeting.title, "when": when, "where": where, "agenda": agenda},
            link=_meeting_link(meeting),
        )
    return meeting


def meeting_cancel(*, meeting, by, reason):
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


# --- Minutes ------------------------------------------------------------------------


def minutes_start(*, meeting, by):
    """Start the minutes once the agenda is approved; the meeting counts as held."""
    require(can_write_minutes(by, meeting), ONLY_CENTER)
    with transaction.atomic():
        meeting = _lock(meeting)
        draft = meeting.minutes.filter(status=Minutes.Status.DRAFT).first()
        if draft:
            return draft
        if meeting.minutes.exists():
            raise TransitionNotAllowed(_("会议纪要已批准；如需更正，请生成新版本。"), code="frozen")
        if not meeting.agenda_approved:
            raise TransitionNotAllowed(_("议程尚未批准，不能记录会议纪要。"), code="agenda")
        _require_meeting_day(meeting, _("记录会议纪要"))
        if meeting.status == S.CONVENED:
            _move(meeting, S.HELD, by, "hold")
        if meeting.status != S.HELD:
            raise _refused(_("只有已召开的会议可以记录纪要。"), meeting, "not_held")
        minutes = Minutes.objects.create(meeting=meeting, version=1, created_by=by)
        for item in meeting.agenda_items.filter(status=AgendaItem.Status.ACCEPTED):
            MinutesEntry.objects.create(minutes=minutes, agenda_item=item, position=item.position)
        _log(meeting, by, "minutes_start")
    return minutes


def _lock_draft(minutes):
    minutes = Minutes.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=minutes.pk)
    if minutes.is_frozen:
        raise TransitionNotAllowed(_("会议纪要已批准，不能再修改；如需更正，请生成新版本。"), code="frozen")
    return minutes


def minutes_record(*, minutes, by, summary=None, entries=None, seen_revision=None):
    """Write the minutes: the overall summary and, per agenda item, discussion and decisions.

    `entries` maps an entry id to {"discussion": ..., "decisions": ...}.
    """
    require(can_write_minutes(by, minutes.meeting), ONLY_CENTER)
    with transaction.atomic():
        minutes = _lock_draft(minutes)
        check_fresh(minutes, seen_revision)
        fields = ["revision"]
        if summary is not None:
            minutes.summary = summary
            fields.append("summary")
        for entry in minutes.entries.all():
            values = (entries or {}).get(entry.pk)
            if values is None:
                continue
            entry.discussion = values.get("discussion", entry.discussion)
            entry.decisions = values.get("decisions", entry.decisions)
            entry.save(update_fields=["discussion", "decisions"])
        minutes.revision += 1
        minutes.save(update_fields=fields)
    return minutes


def action_item_create(*, minutes, agenda_item, by, title, due_date, assignee_agency=None, assignee_user=None):
    """A decision creates an action item for an agency or a person, while the minutes are a draft."""
    require(can_write_minutes(by, minutes.meeting), ONLY_CENTER)
    with transaction.atomic():
        minutes = _lock_draft(minutes)
        if agenda_item.meeting_id != minutes.meeting_id or agenda_item.status != AgendaItem.Status.ACCEPTED:
            raise ValidationError(_("议定事项须对应本次会议议程中的议题。"), code="agenda_item")
        if (assignee_agency is None) == (assignee_user is None):
            raise ValidationError(_("请指定一个责任单位或一名责任人（二者选一）。"), code="assignee")
        if not title.strip():
            raise ValidationError(_("请填写任务内容。"), code="title")
        if due_date is None:
            raise ValidationError(_("请填写完成期限。"), code="due_date")
        item = ActionItem.objects.create(
            meeting=minutes.meeting,
            minutes=minutes,
            agenda_item=agenda_item,
            title=title.strip(),
            assignee_agency=assignee_agency,
            assignee_user=assignee_user,
            due_date=due_date,
            created_by=by,
        )
        log_action(
            item,
            "meetings.action_item.created",
            by=by,
            scope=item.meeting,
            to_status=item.status,
            note=_("会议议定"),
        )
    return item


def _minutes_context(minutes, number):
    meeting = minutes.meeting
    invitations = list(meeting.invitations.select_related("agency", "user"))
    present, absent = [], []
    for inv in invitations:
        label = inv.invitee_label
        if inv.attendance == Invitation.Attendance.PRESENT:
            present.append(label)
        elif inv.attendance == Invitation.Attendance.SUBSTITUTE:
            present.append(_("%(who)s（%(sub)s代）") % {"who": label, "sub": inv.substitute_name})
        elif inv.attendance == Invitation.Attendance.ABSENT:
            absent.append(label)
    entries = []
    for entry in minutes.entries.select_related("agenda_item"):
        actions = [
            {"title": a.title, "assignee": a.assignee_label, "due": chinese_date(a.due_date)}
            for a in ActionItem.objects.filter(meeting=meeting, agenda_item=entry.agenda_item).select_related(
                "assignee_agency", "assignee_user"
            )
            if a.status != ActionItem.Status.CANCELLED
        ]
        entries.append(
            {
                "title": entry.agenda_item.title,
                "discussion": entry.discussion,
                "decisions": entry.decisions,
                "actions": actions,
            }
        )
    when, where = _when_where(meeting)
    return {
        "title": _("%(title)s纪要") % {"title": meeting.title},
        "number": number,
        "meeting_title": meeting.title,
        "when": when,
        "where": where,
        "convener": person_name(meeting.convened_by),
        "chair": person_name(meeting.chair.user) if meeting.chair_id else "",
        "chair_note": "" if meeting.chair_by_rotation else meeting.chair_override_reason,
        "present": present,
        "absent": absent,
        "summary": minutes.summary,
        "entries": entries,
        "version": minutes.version,
        "correction_reason": minutes.correction_reason,
        "issued_on": chinese_date(timezone.localdate()),
        "agencies": [inv.agency.name for inv in invitations if inv.agency_id],
    }


def minutes_approve(*, minutes, by, seen_revision=None):
    """The chair approves the minutes: they are frozen, the PDF is produced and sent to
    attendees and agencies, and assignees hear of their action items."""
    with transaction.atomic():
        minutes = _lock_draft(minutes)
        check_fresh(minutes, seen_revision)
        meeting = _lock(minutes.meeting)
        require(can_approve_minutes(by, minutes), ONLY_CHAIR)
        previous = meeting.minutes.filter(status=Minutes.Status.APPROVED).select_related("document").first()
        if previous and previous.document and previous.document.number:
            number = previous.document.number
        else:
            number = allocate_number(Document.Kind.MEETING_MINUTES)
        minutes.approved_by = by
        minutes.approved_at = timezone.now()
        agencies = list(PartnerAgency.objects.filter(meeting_invitations__meeting=meeting).distinct())
        context = _minutes_context(minutes, number)
        document = document_request(
            kind=Document.Kind.MEETING_MINUTES,
            subject=meeting,
            template="pdf/meeting_minutes.html",
            context=context,
            title=context["title"],
            by=by,
            number=number,
            agencies=agencies,
        )
        if minutes.version > 1:
            Document.objects.filter(pk=document.pk).update(version=minutes.version)
        minutes.document = document
        transition(
            minutes,
            Minutes.Status.APPROVED,
            by=by,
            action="meetings.minutes.approved",
            scope=meeting,
            note=_("第 %(v)s 版") % {"v": minutes.version},
            update_fields=("approved_by", "approved_at", "document"),
        )
        if previous:
            transition(
                previous,
                Minutes.Status.SUPERSEDED,
                by=by,
                action="meetings.minutes.superseded",
                scope=meeting,
                note=_("被第 %(v)s 版取代") % {"v": minutes.version},
            )
            if previous.document_id:
                Document.objects.filter(pk=previous.document_id).update(superseded_by=document)
        if meeting.status == S.HELD:
            _move(meeting, S.CLOSED, by, "minutes_approve", note=_("第 %(v)s 版") % {"v": minutes.version})
        else:
            _log(meeting, by, "minutes_approve", note=_("更正版第 %(v)s 版") % {"v": minutes.version})
        link = _meeting_link(meeting)
        attendees = [
            inv.user
            for inv in meeting.invitations.select_related("user")
            if inv.user_id and inv.attendance in {Invitation.Attendance.PRESENT, Invitation.Attendance.SUBSTITUTE}
        ]
        agency_users = User.objects.filter(agency__in=agencies, groups__name=Role.AGENCY, is_active=True).distinct()
        notify(
            [*attendees, *agency_users],
            subject=_("会议纪要：%(title)s") % {"title": meeting.title},
            body=_("%(title)s会议纪要（%(number)s，第 %(v)s 版）已经主持人批准，可在平台查看和下载。")
            % {"title": meeting.title, "number": number, "v": minutes.version},
            link=link,
        )
        for item in minutes.action_items.select_related("assignee_agency", "assignee_user"):
            _notify_assignees(
                item,
                subject=_("会议议定事项：%(title)s") % {"title": item.title},
                body=_("%(meeting)s议定：%(title)s，请于 %(due)s 前完成并在平台更新办理情况。")
                % {"meeting": meeting.title, "title": item.title, "due": item.due_date},
            )
    return minutes


def minutes_correct(*, minutes, by, reason):
    """A correction of approved minutes is a new draft version; the approved one stays in
    force until the correction is approved."""
    require(can_write_minutes(by, minutes.meeting), ONLY_CENTER)
    with transaction.atomic():
        minutes = Minutes.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=minutes.pk)
        if minutes.status != Minutes.Status.APPROVED:
            raise _refused(_("只有已批准的纪要可以更正。"), minutes, "correct")
        if minutes.meeting.minutes.filter(status=Minutes.Status.DRAFT).exists():
            raise TransitionNotAllowed(_("已有一个更正版本在起草中。"), code="draft_exists")
        if not reason.strip():
            raise ValidationError(_("请写明更正理由。"), code="reason")
        latest = minutes.meeting.minutes.aggregate(v=Max("version"))["v"]
        correction = Minutes.objects.create(
            meeting=minutes.meeting,
            version=latest + 1,
            summary=minutes.summary,
            correction_reason=reason.strip(),
            created_by=by,
        )
        for entry in minutes.entries.all():
            MinutesEntry.objects.create(
                minutes=correction,
                agenda_item_id=entry.agenda_item_id,
                position=entry.position,
                discussion=entry.discussion,
                decisions=entry.decisions,
            )
        _log(minutes.meeting, by, "minutes_correct", note=reason.strip())
    return correction


# --- Action items -------------------------------------------------------------------


def _assignee_users(item):
    if item.assignee_user_id:
        return [item.assignee_user]
    return list(_agency_members(item.assignee_agency_id))


def _notify_assignees(item, *, subject, body):
    link = reverse("meetings:agency_actions") if item.assignee_agency_id else ""
    notify(_assignee_users(item), subject=subject, body=body, link=link)


def action_item_update(*, item, by, status, note="", seen_revision=None):
    """The assignee (or the center) reports progress: done, reopened, or — the center only — cancelled."""
    require(can_update_action_item(by, item), _("只能更新本单位或本人的议定事项。"))
    with transaction.atomic():
        item = ActionItem.objects.select_for_update().get(pk=item.pk)
        check_fresh(item, seen_revision)
        if not item.minutes.is_frozen:
            raise TransitionNotAllowed(_("会议纪要尚未批准，议定事项还未下达。"), code="not_issued")
        if ActionItem.Status.CANCELLED in {status, item.status}:
            require(can_cancel_action_item(by, item), ONLY_CENTER)
        previous = item.status
        if status == previous:
            if not note.strip():
                raise ValidationError(_("请填写办理情况。"), code="note")
            item.progress_note = note.strip()
            item.revision += 1
            item.save(update_fields=["progress_note", "revision"])
            log_action(
                item,
                "meetings.action_item.progress",
                by=by,
                scope=item.meeting,
                from_status=previous,
                to_status=previous,
                note=note.strip(),
            )
        else:
            check_transition(ActionItem.TRANSITIONS, previous, status, labels=dict(ActionItem.Status.choices))
            if status == ActionItem.Status.DONE and not note.strip():
                raise ValidationError(_("请简要说明完成情况。"), code="note")
            item.completed_at = timezone.now() if status == ActionItem.Status.DONE else None
            if note.strip():
                item.progress_note = note.strip()
            transition(
                item,
                status,
                by=by,
                action=ACTION_ITEM_VERBS[status],
                scope=item.meeting,
                note=note.strip(),
                update_fields=("completed_at", "progress_note"),
            )
    return item


ACTION_ITEM_VERBS = {
    ActionItem.Status.DONE: "meetings.action_item.done",
    ActionItem.Status.CANCELLED: "meetings.action_item.cancelled",
    ActionItem.Status.OPEN: "meetings.action_item.reopened",
}


def action_items_remind(*, today=None):
    """Remind the assignees of overdue open action items, at most once every few days.
    Safe to run twice a day. Returns the number of items reminded."""
    today = today or timezone.localdate()
    threshold = today - datetime.timedelta(days=REMINDER_INTERVAL_DAYS)
    due = ActionItem.objects.filter(
        status=ActionItem.Status.OPEN, due_date__lt=today, minutes__status__in=["approved", "superseded"]
    ).exclude(last_reminded_on__gt=threshold)
    reminded = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            item = (
                ActionItem.objects.select_for_update(of=("self",))
                .select_related("meeting", "assignee_agency", "assignee_user")
                .get(pk=pk)
            )
            if item.status != ActionItem.Status.OPEN or (item.last_reminded_on and item.last_reminded_on > threshold):
                continue
            _notify_assignees(
                item,
                subject=_("议定事项已逾期：%(title)s") % {"title": item.title},
                body=_("%(meeting)s议定的“%(title)s”应于 %(due)s 前完成，目前尚未办结。请尽快办理并更新办理情况。")
                % {"meeting": item.meeting.title, "title": item.title, "due": item.due_date},
            )
            item.last_reminded_on = today
            item.save(update_fields=["last_reminded_on"])
            reminded += 1
    return reminded


__all__ = [
    "StaleObject",
    "action_item_create",
    "action_item_update",
    "action_items_remind",
    "agenda_approve",
    "agenda_item_propose",
    "agenda_refresh",
    "attendance_record",
    "invitation_answer",
    "meeting_assign_chair",
    "meeting_cancel",
    "meeting_convene",
    "meeting_create",
    "meeting_plan_quarter",
    "minutes_approve",
    "minutes_correct",
    "minutes_record",
    "minutes_start",
]
