"""Invitations: the invitee's answer and, on the day, who attended."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.models import Invitation
from meetings.permissions import (
    can_answer_invitation,
    can_record_attendance,
)
from meetings.services._common import (
    ONLY_CENTER,
    S,
    _log,
    _refused,
    _require_meeting_day,
)
from portal.access import require
from portal.models import User
from portal.transitions import TransitionNotAllowed


def invitation_answer(
    *,
    invitation: Invitation,
    by: User,
    answer: str,
    representative_name: str = "",
    representative_title: str = "",
    note: str = "",
) -> Invitation:
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


def attendance_record(*, invitation: Invitation, by: User, attendance: str, substitute_name: str = "") -> Invitation:
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
