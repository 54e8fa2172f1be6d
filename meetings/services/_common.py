"""What the services of joint meetings share: the audit entry, the locked row, the refusals,
and who hears of what."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from documents.formatting import chinese_date, chinese_datetime
from meetings.models import (
    JointMeeting,
    Minutes,
)
from portal.audit import log_action
from portal.models import DeputyDirector, User
from portal.notifications import notify
from portal.roles import CENTER_ROLES, Role
from portal.transitions import TransitionNotAllowed, transition

S = JointMeeting.Status


ONLY_CENTER = _lazy("只有指导中心成员可以进行此操作。")


ONLY_CHAIR = _lazy("只有本次会议的主持人可以进行此操作。")


def _labels():
    return dict(S.choices)


def _refused(message, obj, code):
    """A refusal from the wrong state, naming the state `obj` is in now."""
    now = _("当前状态为“%(state)s”。") % {"state": obj.get_status_display()}
    return TransitionNotAllowed(f"{message}{now}", code=code)


def _log(meeting, by, action, *, to_status="", note=""):
    """One entry in the audit log about the meeting (labels in meetings.audit_labels)."""
    log_action(meeting, f"meetings.meeting.{action}", by=by, to_status=to_status, note=note)


def _move(meeting, to_status, by, action, note=""):
    transition(meeting, to_status, by=by, action=f"meetings.meeting.{action}", note=note)


def _lock(meeting):
    return JointMeeting.objects.select_for_update().get(pk=meeting.pk)


def _lock_draft(minutes):
    minutes = Minutes.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=minutes.pk)
    if minutes.is_frozen:
        raise TransitionNotAllowed(_("会议纪要已批准，不能再修改；如需更正，请生成新版本。"), code="frozen")
    return minutes


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


def _when_where(meeting):
    when = chinese_datetime(meeting.starts_at)
    where = meeting.location or ""
    if meeting.online_link:
        where = f"{where} {meeting.online_link}".strip()
    return when, where


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


def _assignee_users(item):
    if item.assignee_user_id:
        return [item.assignee_user]
    return list(_agency_members(item.assignee_agency_id))


def _notify_assignees(item, *, subject, body):
    link = reverse("meetings:agency_actions") if item.assignee_agency_id else ""
    notify(_assignee_users(item), subject=subject, body=body, link=link)
