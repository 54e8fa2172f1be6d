"""The agenda: items proposed from live work, proposals of the center and the agencies, and
the chair's approval."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import selectors as case_selectors
from documents.formatting import chinese_date
from meetings import selectors
from meetings.models import AgendaItem, JointMeeting
from meetings.permissions import (
    can_approve_agenda,
    can_propose_item,
    can_refresh_agenda,
)
from meetings.services._common import (
    ONLY_CENTER,
    ONLY_CHAIR,
    S,
    _invitation_recipients,
    _lock,
    _log,
    _meeting_link,
    _refused,
    _when_where,
)
from portal.access import Forbidden, require
from portal.models import User
from portal.notifications import notify
from portal.roles import Role, has_role, is_center_member
from portal.transitions import TransitionNotAllowed, check_fresh, transition

AUTO_SOURCES = [
    AgendaItem.Source.STATISTICS,
    AgendaItem.Source.MAJOR_CASES,
    AgendaItem.Source.OVERDUE_CASES,
    AgendaItem.Source.OVERDUE_LETTERS,
    AgendaItem.Source.OPEN_ACTIONS,
]


def _auto_items(meeting, today):
    """The items proposed from live work: {source: (title, description, data)} for non-empty ones."""
    items = {}
    stats = selectors.period_statistics(meeting.period_start, meeting.period_end)

    def top(pairs):
        return "、".join(f"{name} {n} 件" for name, n in pairs) or _("无")

    items[AgendaItem.Source.STATISTICS] = (
        _("通报本期工作情况（%(start)s至%(end)s）")
        % {"start": chinese_date(meeting.period_start), "end": chinese_date(meeting.period_end)},
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
            _("研究在办重大疑难纠纷（%(n)s件）") % {"n": len(major)},
            "；".join(f"{c.number} {c.application.applicant_name}（{c.get_status_display()}）" for c in major),
            {"cases": [c.number for c in major]},
        )
    overdue = list(case_selectors.overdue_cases(today, opinion_only=True))
    if overdue:
        items[AgendaItem.Source.OVERDUE_CASES] = (
            _("督办逾期未出具指导意见的案件（%(n)s件）") % {"n": len(overdue)},
            "；".join(f"{c.number} {c.application.applicant_name}" for c in overdue),
            {"cases": [c.number for c in overdue]},
        )
    letters = list(case_selectors.overdue_letter_answers(today))
    if letters:
        items[AgendaItem.Source.OVERDUE_LETTERS] = (
            _("协调协助单位逾期未回复的协助办理函（%(n)s件）") % {"n": len(letters)},
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
            _("检查往期会议议定事项落实情况（%(n)s项未完成）") % {"n": len(actions)},
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


def agenda_refresh(*, meeting: JointMeeting, by: User, today: datetime.date | None = None) -> JointMeeting:
    """Recompute the automatic items from today's figures (before the agenda is approved)."""
    require(can_refresh_agenda(by, meeting), ONLY_CENTER)
    with transaction.atomic():
        meeting = _lock(meeting)
        if meeting.status not in {S.PLANNED, S.CONVENED} or meeting.agenda_approved:
            raise TransitionNotAllowed(_("议程已批准，不能再更新。"), code="agenda_locked")
        _generate_agenda(meeting, today)
        _log(meeting, by, "agenda_refresh")
    return meeting


def agenda_item_propose(*, meeting: JointMeeting, by: User, title: str, description: str = "") -> AgendaItem:
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


def agenda_approve(
    *, meeting: JointMeeting, by: User, order: Iterable[int | str], seen_revision: int | str | None = None
) -> JointMeeting:
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
