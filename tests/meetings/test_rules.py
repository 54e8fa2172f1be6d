"""The rules every meeting change follows: declared transitions only, one refusal (Forbidden)
with a clear message, a message naming the state the object is in now, and a history that
each role reads from the audit log."""

import re

import pytest
from django.urls import reverse

from meetings import services
from meetings.models import ActionItem, AgendaItem, JointMeeting, Minutes
from portal.access import Forbidden
from portal.audit import entries_for
from portal.models import LogEntry
from portal.transitions import DirectStatusWrite, TransitionNotAllowed
from tests.factories import with_status
from tests.meetings.factories import RegularMeetingFactory


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_direct_status_write_fails_for_every_meeting_model(issued):
    meeting = JointMeeting.objects.get(pk=issued.meeting_id)
    with pytest.raises(DirectStatusWrite):
        meeting.status = JointMeeting.Status.CANCELLED
    item = AgendaItem.objects.filter(meeting=meeting).first()
    with pytest.raises(DirectStatusWrite):
        item.status = AgendaItem.Status.PROPOSED
    minutes = Minutes.objects.get(meeting=meeting)
    with pytest.raises(DirectStatusWrite):
        minutes.status = Minutes.Status.DRAFT
    with pytest.raises(DirectStatusWrite):
        issued.status = ActionItem.Status.DONE
    assert JointMeeting.objects.get(pk=meeting.pk).status == JointMeeting.Status.CLOSED
    assert ActionItem.objects.get(pk=issued.pk).status == ActionItem.Status.OPEN


def test_cancelling_a_held_meeting_is_refused_naming_its_state(director, db):
    meeting = with_status(RegularMeetingFactory(), JointMeeting.Status.HELD)
    with pytest.raises(TransitionNotAllowed, match="当前状态为“已召开（纪要起草中）”"):
        services.meeting_cancel(meeting=meeting, by=director, reason="改期")
    assert not entries_for(meeting).exists()


def test_approving_the_agenda_of_a_cancelled_meeting_names_its_state(convened, deputy, director):
    stale = JointMeeting.objects.get(pk=convened.pk)
    services.meeting_cancel(meeting=convened, by=director, reason="与全省会议冲突")
    with pytest.raises(TransitionNotAllowed, match="当前状态为“已取消”"):
        services.agenda_approve(meeting=stale, by=deputy, order=[convened.agenda_items.first().pk])


def test_only_the_invited_member_answers_a_personal_invitation(convened, deputy, staff):
    invitation = convened.invitations.get(agency__isnull=True, user=deputy)
    with pytest.raises(Forbidden, match="只能答复本人的参会邀请"):
        services.invitation_answer(invitation=invitation, by=staff, answer="declined")
    services.invitation_answer(invitation=invitation, by=deputy, answer="accepted")
    invitation.refresh_from_db()
    assert invitation.answer == "accepted"


def test_only_the_director_cancels_and_the_refusal_changes_nothing(convened, staff):
    with pytest.raises(Forbidden, match="只有中心主任可以取消会议"):
        services.meeting_cancel(meeting=convened, by=staff, reason="x")
    assert JointMeeting.objects.get(pk=convened.pk).status == JointMeeting.Status.CONVENED


def test_an_agency_cannot_write_the_minutes(approved_agenda, agency_user):
    with pytest.raises(Forbidden, match="只有指导中心成员"):
        services.minutes_start(meeting=approved_agenda, by=agency_user)
    assert not approved_agenda.minutes.exists()


def test_the_agency_reads_its_action_items_history(client, issued, agency_user, staff):
    services.action_item_update(item=issued, by=agency_user, status="open", note="已起草初稿")
    services.action_item_update(item=issued, by=agency_user, status="done", note="指引已印发")
    client.force_login(agency_user)
    page = _text(client.get(reverse("meetings:action_update", args=[issued.pk])).content.decode())
    assert f"{staff}：登记议定事项（办理中） — 会议议定" in page
    assert f"{agency_user}：更新办理情况（办理中） — 已起草初稿" in page
    assert f"{agency_user}：办结议定事项（办理中 → 已完成） — 指引已印发" in page


def test_the_meeting_history_in_the_admin_shows_every_step_with_labels(client, issued, director, deputy):
    client.force_login(director)
    page = _text(client.get(reverse("admin:meetings_jointmeeting_change", args=[issued.meeting_id])).content.decode())
    for line in (
        "发出会议通知 筹备中 → 已发通知",
        "批准议程",
        "列入议程 待定 → 列入议程",
        "会议召开 已发通知 → 已召开（纪要起草中）",
        "登记议定事项 办理中 会议议定",
        "纪要版本批准 起草中 → 已批准",
        "批准纪要 已召开（纪要起草中） → 纪要已批准",
    ):
        assert line in page, line
    assert "meetings.meeting" not in page


def test_every_action_type_the_meetings_write_has_a_label(issued, agency_user, staff, director, convened):
    from meetings.audit_labels import LABELS

    services.action_item_update(item=issued, by=agency_user, status="open", note="进行中")
    services.action_item_update(item=issued, by=agency_user, status="done", note="已办结")
    services.action_item_update(item=issued, by=staff, status="open", note="需补充")
    services.action_item_update(item=issued, by=staff, status="cancelled", note="并入下季度")
    minutes = Minutes.objects.get(meeting_id=issued.meeting_id)
    correction = services.minutes_correct(minutes=minutes, by=staff, reason="更正出席名单")
    services.minutes_approve(minutes=correction, by=JointMeeting.objects.get(pk=issued.meeting_id).chair.user)
    ad_hoc = services.meeting_create(kind=JointMeeting.Kind.AD_HOC, by=director, reason="337 调查紧急应对")
    services.meeting_cancel(meeting=ad_hoc, by=director, reason="已在例会研究")
    written = set(LogEntry.objects.filter(action_type__startswith="meetings.").values_list("action_type", flat=True))
    assert written - set(LABELS) == set()
    assert {
        "meetings.meeting.minutes_correct",
        "meetings.minutes.superseded",
        "meetings.action_item.cancelled",
        "meetings.action_item.reopened",
        "meetings.meeting.cancel",
    } <= written
