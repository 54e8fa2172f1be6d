"""Demo data of joint meetings: the two previous quarters' regular meetings held, with
attendance, minutes (approved, PDF issued) and action items — one done, one overdue at an
agency — and the current quarter's regular meeting planned as a draft for the director
to convene.

Everything goes through the services. Idempotent: a quarter that already has its regular
meeting is left alone."""

import datetime

from django.utils import timezone

from meetings import services
from meetings.models import ActionItem, Invitation, JointMeeting, quarter_bounds, quarter_of
from portal.audit import entries_for
from portal.models import DeputyDirector, PartnerAgency, User


def _previous(year, quarter, steps):
    index = year * 4 + (quarter - 1) - steps
    return index // 4, index % 4 + 1


def _hold(meeting, *, director, staff, starts_at, agencies, plan):
    meeting = services.meeting_convene(
        meeting=meeting,
        by=director,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
        location="指导中心第一会议室（太原市小店区长治路 229 号）",
        proposal_deadline=starts_at - datetime.timedelta(days=3),
    )
    # The meeting lies in the past, so its proposal deadline has passed: staff enter the
    # agencies' proposals on their behalf (the center is not bound by the deadline).
    for code, title in plan["proposals"]:
        services.agenda_item_propose(
            meeting=meeting, by=staff, title=title, description=f"{agencies[code].short_name}提出。"
        )
    chair = meeting.chair.user
    services.agenda_approve(meeting=meeting, by=chair, order=list(meeting.agenda_items.values_list("pk", flat=True)))
    for invitation in meeting.invitations.select_related("agency"):
        if invitation.agency_id:
            substitute = plan["substitutes"].get(invitation.agency.code)
            if substitute:
                services.attendance_record(
                    invitation=invitation,
                    by=staff,
                    attendance=Invitation.Attendance.SUBSTITUTE,
                    substitute_name=substitute,
                )
                continue
        attendance = (
            Invitation.Attendance.ABSENT
            if invitation.agency_id and invitation.agency.code in plan["absent"]
            else Invitation.Attendance.PRESENT
        )
        services.attendance_record(invitation=invitation, by=staff, attendance=attendance)
    minutes = services.minutes_start(meeting=meeting, by=staff)
    entries = list(minutes.entries.select_related("agenda_item"))
    services.minutes_record(
        minutes=minutes,
        by=staff,
        summary=plan["summary"],
        entries={
            entry.pk: {
                "discussion": "与会单位结合本单位职责交流了情况，对相关问题逐一研究。",
                "decisions": plan["decisions"].get(entry.agenda_item.source, "会议听取了汇报，同意相关工作安排。"),
            }
            for entry in entries
        },
    )
    for source, title, code, due_days in plan["actions"]:
        entry = next((e for e in entries if e.agenda_item.source == source), entries[0])
        services.action_item_create(
            minutes=minutes,
            agenda_item=entry.agenda_item,
            by=staff,
            title=title,
            due_date=timezone.localdate(starts_at) + datetime.timedelta(days=due_days),
            assignee_agency=agencies[code],
        )
    services.minutes_approve(minutes=minutes, by=chair)
    return meeting


PLANS = [
    {
        "proposals": [("tycustoms", "通报知识产权海关备案核查情况，研究出口环节侵权风险提示")],
        "substitutes": {"sxfao": "外办涉外处副处长 郭敏"},
        "absent": [],
        "summary": "会议回顾了上季度海外知识产权纠纷应对指导工作，研究了重大纠纷应对和协助单位办理情况。",
        "decisions": {
            "statistics": "各协助单位按季度报送本系统涉外知识产权纠纷信息。",
            "staff": "太原海关会同省商务厅编制出口环节侵权风险提示。",
        },
        "actions": [
            ("statistics", "报送本系统上季度涉外知识产权纠纷信息", "sxipa", 20),
            ("staff", "编制出口环节知识产权侵权风险提示", "tycustoms", 45),
        ],
    },
    {
        "proposals": [("sxcommerce", "研究美国 337 调查应诉企业的联合应对和费用支持")],
        "substitutes": {},
        "absent": ["sxcopyright"],
        "summary": "会议通报了本期案件办理情况，研究了 337 调查联合应对和展会纠纷快速处置。",
        "decisions": {
            "statistics": "继续做好案件统计，下季度起按国家和权利类别分析趋势。",
            "staff": "省商务厅牵头梳理 337 调查应诉企业名单，贸促会提供商事调解渠道。",
        },
        "actions": [
            ("staff", "梳理 337 调查应诉企业名单并提出联合应对建议", "sxcommerce", 30),
            ("staff", "提供境外展会商事调解与仲裁渠道清单", "ccpitsx", 60),
        ],
    },
]


def seed(out):
    director = User.objects.filter(email="director@demo.cn").first()
    staff = User.objects.filter(email="staff@demo.cn").first()
    if director is None or staff is None or not DeputyDirector.objects.exists():
        out.write("Meetings: skipped (the foundation's demo users are missing).")
        return
    agencies = {agency.code: agency for agency in PartnerAgency.objects.all()}
    today = timezone.localdate()
    year, quarter = today.year, quarter_of(today)
    held = 0
    for steps, plan in zip((2, 1), PLANS, strict=True):
        past_year, past_quarter = _previous(year, quarter, steps)
        meeting = (
            JointMeeting.objects.filter(kind="regular", year=past_year, quarter=past_quarter)
            .exclude(status=JointMeeting.Status.CANCELLED)
            .first()
        )
        if meeting is not None and meeting.status != JointMeeting.Status.PLANNED:
            continue  # already held (convening the quarter before plans this one as a draft)
        if meeting is None:
            meeting = services.meeting_create(kind="regular", year=past_year, quarter=past_quarter, by=director)
        first, _last = quarter_bounds(past_year, past_quarter)
        day = first + datetime.timedelta(days=40)
        starts_at = timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 9, 30))
        _hold(meeting, director=director, staff=staff, starts_at=starts_at, agencies=agencies, plan=plan)
        held += 1
    # One action item of the older meeting is done; the other stays open and overdue.
    older_year, older_quarter = _previous(year, quarter, 2)
    first_item = (
        ActionItem.objects.filter(meeting__year=older_year, meeting__quarter=older_quarter, status="open")
        .order_by("pk")
        .first()
    )
    older_items = ActionItem.objects.filter(meeting__year=older_year, meeting__quarter=older_quarter)
    already_done = any(
        entries_for(item).filter(action_type="meetings.action_item.done").exists() for item in older_items
    )
    if first_item and not already_done:
        reporter = User.objects.filter(agency=first_item.assignee_agency, is_active=True).first() or staff
        services.action_item_update(item=first_item, by=reporter, status="done", note="已按期报送本系统纠纷信息 6 条。")
    planned, created = services.meeting_plan_quarter(today=today, by=director)
    out.write(
        f"Meetings: {held} past meetings held with minutes, "
        f"{'created' if created else 'kept'} the planned meeting “{planned.title}”."
    )
