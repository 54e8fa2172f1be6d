"""The minutes (会议纪要), in versions: start, record, approve (the PDF goes out) and correct."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents.formatting import chinese_date, name_with_post, person_name
from documents.models import Document
from documents.services import allocate_number, document_request, document_supersede, signer_title_for
from meetings.models import (
    ActionItem,
    AgendaItem,
    Invitation,
    JointMeeting,
    Minutes,
    MinutesEntry,
)
from meetings.permissions import (
    can_approve_minutes,
    can_write_minutes,
)
from meetings.services._common import (
    ONLY_CENTER,
    ONLY_CHAIR,
    S,
    _lock,
    _lock_draft,
    _log,
    _meeting_link,
    _move,
    _notify_assignees,
    _refused,
    _require_meeting_day,
    _when_where,
)
from portal.access import require
from portal.models import PartnerAgency, SiteConfiguration, User
from portal.notifications import notify
from portal.roles import Role, can_sign
from portal.transitions import TransitionNotAllowed, check_fresh, transition


def minutes_start(*, meeting: JointMeeting, by: User) -> Minutes:
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


def minutes_record(
    *,
    minutes: Minutes,
    by: User,
    summary: str | None = None,
    entries: Mapping[int, Mapping[str, str]] | None = None,
    seen_revision: int | str | None = None,
) -> Minutes:
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


# The red header of the joint meeting's minutes (纪要格式): the meeting's standing name plus 纪要.
MINUTES_MASTHEAD = gettext_lazy("海外知识产权纠纷应对指导联席会议纪要")


def chinese_ordinal(n):
    """一, 二, … 十, 十一, … 二十一 … 九十九: the numbers of level-1 headings (一、)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, units = divmod(n, 10)
    return f"{digits[tens] if tens > 1 else ''}十{digits[units] if units else ''}"


def _person(user):
    """A person in the minutes' lists: the name with the post where one is known (孙红（副主任）)."""
    return name_with_post(person_name(user), str(signer_title_for(user)))


def _attendance(invitations):
    """出席 (member agencies and the center's leaders present), 请假 (excused beforehand), 缺席
    (absent without notice) and 列席 (the center's other staff present)."""
    present, excused, absent, observers = [], [], [], []
    for inv in invitations:
        # A person by name alone (never the login e-mail); an agency with its representative.
        label = inv.invitee_label if inv.agency_id else _person(inv.user)
        leader = inv.agency_id or can_sign(inv.user)
        if inv.attendance == Invitation.Attendance.PRESENT:
            (present if leader else observers).append(label)
        elif inv.attendance == Invitation.Attendance.SUBSTITUTE:
            present.append(_("%(who)s（%(sub)s代）") % {"who": label, "sub": inv.substitute_name})
        elif inv.attendance == Invitation.Attendance.ABSENT:
            (excused if inv.answer == Invitation.Answer.DECLINED else absent).append(label)
    return present, excused, absent, observers


def _minutes_context(minutes, number):
    meeting = minutes.meeting
    invitations = list(meeting.invitations.select_related("agency", "user"))
    present, excused, absent, observers = _attendance(invitations)
    entries = []
    for position, entry in enumerate(minutes.entries.select_related("agenda_item"), start=1):
        actions = [
            {
                "title": a.title,
                "assignee": person_name(a.assignee_user) if a.assignee_user_id else a.assignee_label,
                "due": chinese_date(a.due_date),
            }
            for a in ActionItem.objects.filter(meeting=meeting, agenda_item=entry.agenda_item).select_related(
                "assignee_agency", "assignee_user"
            )
            if a.status != ActionItem.Status.CANCELLED
        ]
        entries.append(
            {
                "ordinal": chinese_ordinal(position),
                "title": entry.agenda_item.title,
                "discussion": entry.discussion,
                "decisions": entry.decisions,
                "actions": actions,
            }
        )
    when, where = _when_where(meeting)
    config = SiteConfiguration.get()
    return {
        "masthead": str(MINUTES_MASTHEAD),
        "title": _("%(title)s纪要") % {"title": meeting.title},
        "number": number,
        "meeting_title": meeting.title,
        "when": when,
        "where": where,
        "convener": person_name(meeting.convened_by),
        "chair": person_name(meeting.chair.user) if meeting.chair_id else "",
        "chair_note": "" if meeting.chair_by_rotation else meeting.chair_override_reason,
        "present": present,
        "excused": excused,
        "absent": absent,
        "observers": observers,
        "summary": minutes.summary,
        "entries": entries,
        "version": minutes.version,
        "correction_reason": minutes.correction_reason,
        "issued_on": chinese_date(timezone.localdate()),
        "issuer": config.center_name,
        "agencies": [inv.agency.name for inv in invitations if inv.agency_id],
    }


def minutes_approve(*, minutes: Minutes, by: User, seen_revision: int | str | None = None) -> Minutes:
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
            version=minutes.version,
        )
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
            if previous.document_id and previous.document.superseded_by_id is None:
                document_supersede(old=previous.document, new=document, by=by, reason=_("会议纪要更正后重新印发。"))
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


def minutes_correct(*, minutes: Minutes, by: User, reason: str) -> Minutes:
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
