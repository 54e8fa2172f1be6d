"""The services of a joint meeting, from planning to the last action item."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from documents.formatting import chinese_date
from documents.models import Document
from meetings import services, tasks
from meetings.models import ActionItem, AgendaItem, Invitation, JointMeeting, Minutes, MinutesEntry
from portal.access import Forbidden
from portal.audit import entries_for
from portal.transitions import StaleObject, TransitionNotAllowed
from tests.meetings.conftest import travel_to_meeting_day
from tests.meetings.factories import RegularMeetingFactory


def test_two_regular_meetings_for_one_quarter_are_refused(director):
    services.meeting_create(kind=JointMeeting.Kind.REGULAR, year=2026, quarter=2, by=director)
    with pytest.raises(ValidationError, match="已有季度例会"):
        services.meeting_create(kind=JointMeeting.Kind.REGULAR, year=2026, quarter=2, by=director)
    with pytest.raises(IntegrityError):
        RegularMeetingFactory(year=2026, quarter=2)


def test_a_cancelled_regular_meeting_frees_its_quarter(director):
    meeting = services.meeting_create(kind=JointMeeting.Kind.REGULAR, year=2026, quarter=2, by=director)
    services.meeting_cancel(meeting=meeting, by=director, reason="与全省会议冲突，改期另行通知")
    again = services.meeting_create(kind=JointMeeting.Kind.REGULAR, year=2026, quarter=2, by=director)
    assert again.pk != meeting.pk


def test_the_regular_meeting_reviews_the_previous_quarter(director):
    meeting = services.meeting_create(kind=JointMeeting.Kind.REGULAR, year=2027, quarter=1, by=director)
    assert (meeting.period_start, meeting.period_end) == (datetime.date(2026, 10, 1), datetime.date(2026, 12, 31))
    assert meeting.title == "2027年第1季度联席工作例会"


def test_an_ad_hoc_meeting_needs_a_reason(director):
    with pytest.raises(ValidationError, match="事由"):
        services.meeting_create(kind=JointMeeting.Kind.AD_HOC, by=director, reason=" ")


def test_the_quarterly_task_is_idempotent(db):
    first = tasks.plan_quarterly_meetings()
    second = tasks.plan_quarterly_meetings()
    assert first["created"] is True and second["created"] is False
    assert first["meeting"] == second["meeting"]
    today = timezone.localdate()
    meeting = JointMeeting.objects.get(pk=first["meeting"])  # within 30 days of a new quarter, its meeting too
    assert (meeting.year, meeting.status, meeting.kind) == (today.year, "planned", "regular")


def test_the_director_hears_of_the_planned_meeting_once(director):
    services.meeting_plan_quarter(today=datetime.date(2026, 4, 2))
    services.meeting_plan_quarter(today=datetime.date(2026, 4, 3))
    assert director.notifications.filter(subject__startswith="请召集").count() == 1


def test_planning_a_quarter_that_has_its_meeting_creates_nothing(director):
    meeting, created = services.meeting_plan_quarter(today=datetime.date(2026, 4, 2))
    again, created_again = services.meeting_plan_quarter(today=datetime.date(2026, 6, 30))
    assert created and not created_again and again == meeting
    assert JointMeeting.objects.count() == 1


def test_convening_invites_everyone_proposes_the_agenda_and_sends_the_notice(convened, agency, deputy, director):
    assert convened.status == JointMeeting.Status.CONVENED
    assert convened.chair.user == deputy and convened.chair_by_rotation
    agencies = set(convened.invitations.filter(agency__isnull=False).values_list("agency__code", flat=True))
    assert agencies == {"commerce", "customs"}
    members = set(convened.invitations.filter(agency__isnull=True).values_list("user__email", flat=True))
    assert {deputy.email, director.email} <= members
    assert convened.agenda_items.filter(source=AgendaItem.Source.STATISTICS).exists()
    notices = [m for m in mail.outbox if m.subject.startswith("会议通知")]
    recipients = {m.to[0] for m in notices}
    assert deputy.email in recipients and director.email in recipients
    assert any("指导中心第一会议室" in m.body for m in notices)
    assert convened.proposal_deadline < convened.starts_at


def test_only_the_director_convenes(deputy_post, staff, soon):
    starts, year, quarter = soon
    meeting = services.meeting_create(kind=JointMeeting.Kind.REGULAR, year=year, quarter=quarter, by=staff)
    with pytest.raises(Forbidden, match="只有中心主任可以召集会议"):
        services.meeting_convene(meeting=meeting, by=staff, starts_at=starts, location="会议室")


def test_a_regular_meeting_must_be_held_in_its_quarter(director, deputy_post):
    meeting = services.meeting_create(kind=JointMeeting.Kind.REGULAR, year=2026, quarter=1, by=director)
    with pytest.raises(ValidationError, match="第1季度"):
        services.meeting_convene(
            meeting=meeting, by=director, starts_at=timezone.now().replace(year=2026, month=5), location="会议室"
        )


def test_a_stale_convene_form_is_refused(director, deputy_post, soon):
    starts, year, quarter = soon
    meeting = services.meeting_create(kind=JointMeeting.Kind.REGULAR, year=year, quarter=quarter, by=director)
    with pytest.raises(StaleObject):
        services.meeting_convene(meeting=meeting, by=director, starts_at=starts, location="会议室", seen_revision=7)


def test_an_agency_answers_and_names_its_representative(convened, agency_user, other_agency_user):
    invitation = convened.invitations.get(agency=agency_user.agency)
    with pytest.raises(ValidationError, match="参会代表"):
        services.invitation_answer(invitation=invitation, by=agency_user, answer="accepted")
    services.invitation_answer(
        invitation=invitation,
        by=agency_user,
        answer="accepted",
        representative_name="陈静",
        representative_title="处长",
    )
    invitation.refresh_from_db()
    assert invitation.answer == "accepted" and invitation.representative_name == "陈静"
    with pytest.raises(Forbidden, match="只能答复本单位的参会邀请"):
        services.invitation_answer(invitation=invitation, by=other_agency_user, answer="declined")


def test_attendance_with_a_substitute(convened, staff, agency, monkeypatch):
    invitation = convened.invitations.get(agency=agency)
    travel_to_meeting_day(monkeypatch, convened)
    with pytest.raises(ValidationError, match="代为出席人"):
        services.attendance_record(invitation=invitation, by=staff, attendance="substitute")
    services.attendance_record(invitation=invitation, by=staff, attendance="substitute", substitute_name="王副处长")
    invitation.refresh_from_db()
    assert invitation.attendance == Invitation.Attendance.SUBSTITUTE and invitation.substitute_name == "王副处长"


def test_agencies_propose_items_before_the_deadline_only(convened, agency_user):
    item = services.agenda_item_propose(meeting=convened, by=agency_user, title="协调海关备案核查", description="")
    assert item.source == AgendaItem.Source.AGENCY and item.proposing_agency == agency_user.agency
    JointMeeting.objects.filter(pk=convened.pk).update(proposal_deadline=timezone.now() - datetime.timedelta(hours=1))
    with pytest.raises(ValidationError, match="截止"):
        services.agenda_item_propose(meeting=convened, by=agency_user, title="迟到的议题")


def test_an_agency_not_invited_cannot_propose(convened, db):
    from portal.roles import Role
    from tests.factories import PartnerAgencyFactory, UserFactory

    outsider = UserFactory(agency=PartnerAgencyFactory(active=False), roles=[Role.AGENCY])
    with pytest.raises(Forbidden, match="本单位未受邀参加该会议"):
        services.agenda_item_propose(meeting=convened, by=outsider, title="x")


def test_only_the_chair_approves_the_agenda_and_it_goes_out_by_email(
    convened, director, deputy, agency_user, django_capture_on_commit_callbacks
):
    proposal = services.agenda_item_propose(meeting=convened, by=agency_user, title="研究展会快速维权", description="")
    stats = convened.agenda_items.get(auto_key="statistics")
    with pytest.raises(Forbidden, match="只有本次会议的主持人"):
        services.agenda_approve(meeting=convened, by=director, order=[stats.pk])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.agenda_approve(meeting=convened, by=deputy, order=[proposal.pk, stats.pk])
    proposal.refresh_from_db()
    stats.refresh_from_db()
    assert (proposal.position, proposal.status) == (1, "accepted")
    assert (stats.position, stats.status) == (2, "accepted")
    agenda_mails = [m for m in mail.outbox if m.subject.startswith("会议议程")]
    assert agenda_mails and "1. 研究展会快速维权" in agenda_mails[0].body
    assert agency_user.email in {m.to[0] for m in agenda_mails}
    with pytest.raises(TransitionNotAllowed):
        services.agenda_item_propose(meeting=convened, by=agency_user, title="太晚了")


def _minutes_with_action(meeting, staff, deputy, agency, due=None):
    minutes = services.minutes_start(meeting=meeting, by=staff)
    entry = minutes.entries.first()
    services.minutes_record(
        minutes=minutes,
        by=staff,
        summary="会议听取了本期工作情况汇报。",
        entries={entry.pk: {"discussion": "各单位交流了情况。", "decisions": "由省商务厅牵头梳理 337 调查应对指引。"}},
    )
    item = services.action_item_create(
        minutes=minutes,
        agenda_item=entry.agenda_item,
        by=staff,
        title="梳理 337 调查应对指引",
        due_date=due or timezone.localdate() + datetime.timedelta(days=30),
        assignee_agency=agency,
    )
    return minutes, item


def test_minutes_approved_by_the_chair_are_frozen_and_issued_as_a_pdf(
    approved_agenda, staff, deputy, agency, agency_user, django_capture_on_commit_callbacks
):
    meeting = approved_agenda
    minutes, _item = _minutes_with_action(meeting, staff, deputy, agency)
    meeting.refresh_from_db()
    assert meeting.status == JointMeeting.Status.HELD
    with pytest.raises(Forbidden, match="只有本次会议的主持人"):
        services.minutes_approve(minutes=minutes, by=staff)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.minutes_approve(minutes=minutes, by=deputy)
    minutes.refresh_from_db()
    meeting.refresh_from_db()
    assert minutes.status == Minutes.Status.APPROVED and meeting.status == JointMeeting.Status.CLOSED
    document = minutes.document
    document.refresh_from_db()
    assert document.kind == Document.Kind.MEETING_MINUTES
    assert document.number == "第1期"
    assert document.status == Document.Status.READY, document.last_error
    assert set(document.agencies.values_list("code", flat=True)) == {"commerce", "customs"}
    subjects = {(m.subject, m.to[0]) for m in mail.outbox}
    assert any(s.startswith("会议纪要") and to == agency_user.email for s, to in subjects)
    assert any(s.startswith("会议议定事项") and to == agency_user.email for s, to in subjects)

    # Frozen: neither the service nor a direct save may change it.
    entry = minutes.entries.first()
    with pytest.raises(TransitionNotAllowed):
        services.minutes_record(minutes=minutes, by=staff, summary="改一下")
    with pytest.raises(TransitionNotAllowed):
        services.action_item_create(
            minutes=minutes,
            agenda_item=entry.agenda_item,
            by=staff,
            title="x",
            due_date=timezone.localdate(),
            assignee_agency=agency,
        )
    entry.decisions = "悄悄改掉"
    with pytest.raises(ValidationError):
        entry.save()
    minutes.summary = "悄悄改掉"
    with pytest.raises(ValidationError):
        minutes.save()
    assert MinutesEntry.objects.get(pk=entry.pk).decisions.startswith("由省商务厅")


def test_a_correction_is_a_new_version_that_supersedes_the_old(
    approved_agenda, staff, deputy, agency, django_capture_on_commit_callbacks
):
    minutes, _item = _minutes_with_action(approved_agenda, staff, deputy, agency)
    services.minutes_approve(minutes=minutes, by=deputy)
    with pytest.raises(ValidationError, match="理由"):
        services.minutes_correct(minutes=minutes, by=staff, reason="")
    correction = services.minutes_correct(minutes=minutes, by=staff, reason="第一项议定事项责任单位表述有误")
    assert correction.version == 2 and correction.status == Minutes.Status.DRAFT
    entry = correction.entries.first()
    services.minutes_record(minutes=correction, by=staff, entries={entry.pk: {"decisions": "由省商务厅会同海关梳理。"}})
    services.minutes_approve(minutes=correction, by=deputy)
    minutes.refresh_from_db()
    correction.refresh_from_db()
    assert minutes.status == Minutes.Status.SUPERSEDED and correction.status == Minutes.Status.APPROVED
    assert correction.document.number == minutes.document.number
    assert correction.document.version == 2
    assert Document.objects.get(pk=minutes.document_id).superseded_by_id == correction.document_id
    assert approved_agenda.current_minutes() == correction


def test_action_items_need_exactly_one_assignee(approved_agenda, staff, deputy, agency):
    minutes = services.minutes_start(meeting=approved_agenda, by=staff)
    item = minutes.entries.first().agenda_item
    with pytest.raises(ValidationError, match="二者选一"):
        services.action_item_create(
            minutes=minutes,
            agenda_item=item,
            by=staff,
            title="x",
            due_date=timezone.localdate(),
            assignee_agency=agency,
            assignee_user=deputy,
        )


def test_the_assigned_agency_updates_its_item_and_no_other_agency_can(
    approved_agenda, staff, deputy, agency, agency_user, other_agency_user
):
    minutes, item = _minutes_with_action(approved_agenda, staff, deputy, agency)
    with pytest.raises(TransitionNotAllowed):
        services.action_item_update(item=item, by=agency_user, status="done", note="已完成")
    services.minutes_approve(minutes=minutes, by=deputy)
    with pytest.raises(Forbidden, match="只能更新本单位或本人的议定事项"):
        services.action_item_update(item=item, by=other_agency_user, status="done", note="我来完成")
    with pytest.raises(ValidationError, match="完成情况"):
        services.action_item_update(item=item, by=agency_user, status="done", note="")
    with pytest.raises(Forbidden, match="只有指导中心成员"):
        services.action_item_update(item=item, by=agency_user, status="cancelled", note="不做了")
    services.action_item_update(item=item, by=agency_user, status="done", note="指引已印发", seen_revision=0)
    item.refresh_from_db()
    assert item.status == ActionItem.Status.DONE and item.completed_at and item.progress_note == "指引已印发"
    assert [(e.action_type, e.actor, e.to_status) for e in entries_for(item)] == [
        ("meetings.action_item.created", staff, "open"),
        ("meetings.action_item.done", agency_user, "done"),
    ]
    with pytest.raises(StaleObject):
        services.action_item_update(item=item, by=agency_user, status="open", note="重新打开", seen_revision=0)


def test_overdue_items_are_reminded_once_and_come_back_on_the_next_agenda(
    approved_agenda, staff, deputy, director, agency, agency_user, django_capture_on_commit_callbacks
):
    minutes, item = _minutes_with_action(
        approved_agenda, staff, deputy, agency, due=timezone.localdate() - datetime.timedelta(days=3)
    )
    services.minutes_approve(minutes=minutes, by=deputy)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_action_item_reminders() == {"reminded": 1}
        assert tasks.send_action_item_reminders() == {"reminded": 0}
    reminders = [m for m in mail.outbox if m.subject.startswith("议定事项已逾期")]
    assert [m.to[0] for m in reminders] == [agency_user.email]
    item.refresh_from_db()
    assert item.last_reminded_on == timezone.localdate()

    next_meeting = services.meeting_create(
        kind=JointMeeting.Kind.AD_HOC, by=director, reason="督办", on=timezone.localdate()
    )
    services.meeting_convene(
        meeting=next_meeting, by=director, starts_at=timezone.now() + datetime.timedelta(days=3), location="会议室"
    )
    carried = next_meeting.agenda_items.get(auto_key="open_actions")
    assert "梳理 337 调查应对指引" in carried.description and "已逾期" in carried.description
    assert carried.data["action_items"] == [item.pk]


def test_attendance_and_minutes_wait_for_the_meeting_day(convened, staff, deputy, agency, monkeypatch):
    invitation = convened.invitations.get(agency=agency)
    day = chinese_date(timezone.localdate(convened.starts_at))
    with pytest.raises(TransitionNotAllowed, match=f"会议定于 {day} 召开，会议当天或之后才能登记出席情况"):
        services.attendance_record(invitation=invitation, by=staff, attendance="present")
    order = list(convened.agenda_items.values_list("pk", flat=True))
    services.agenda_approve(meeting=convened, by=deputy, order=order)
    with pytest.raises(TransitionNotAllowed, match="会议当天或之后才能记录会议纪要"):
        services.minutes_start(meeting=convened, by=staff)
    convened.refresh_from_db()
    assert convened.status == JointMeeting.Status.CONVENED and not convened.minutes.exists()

    travel_to_meeting_day(monkeypatch, convened, hours=-1)  # the morning of the meeting day
    services.attendance_record(invitation=invitation, by=staff, attendance="present")
    assert services.minutes_start(meeting=convened, by=staff).meeting.status == JointMeeting.Status.HELD


def test_convening_a_quarter_puts_the_next_quarters_meeting_with_its_chair_on_the_calendar(
    client, director, deputy_post, second_deputy, staff, agency_user
):
    meeting, _created = services.meeting_plan_regular(year=2026, quarter=3, by=director)
    assert meeting.chair == deputy_post  # planned with its chair by the rotation
    services.meeting_convene(
        meeting=meeting,
        by=director,
        starts_at=timezone.make_aware(datetime.datetime(2026, 8, 12, 9, 30)),
        location="会议室",
        absent=[deputy_post],
    )
    following = JointMeeting.objects.get(kind="regular", year=2026, quarter=4)
    assert following.status == JointMeeting.Status.PLANNED
    # deputy_post was skipped at Q3 and keeps the turn: the rotation gives them Q4.
    assert following.chair == deputy_post

    client.force_login(staff)
    page = client.get("/meetings/").content.decode()
    assert following.title in page and "2026年第4季度（日期待定）" in page and str(deputy_post.user) in page
    client.force_login(agency_user)
    assert following.title not in client.get("/meetings/").content.decode()


def test_the_daily_task_plans_the_next_quarter_at_the_latest_30_days_before_it_starts(director, deputy_post):
    services.meeting_plan_quarter(today=datetime.date(2026, 8, 15), by=director)  # Q3, not convened
    assert services.meeting_plan_next_quarter(today=datetime.date(2026, 8, 31)) == (None, False)
    following, created = services.meeting_plan_next_quarter(today=datetime.date(2026, 9, 1))
    assert created and (following.year, following.quarter) == (2026, 4) and following.chair == deputy_post
    assert services.meeting_plan_next_quarter(today=datetime.date(2026, 9, 2)) == (following, False)
    # Over the turn of the year: Q1 of next year.
    following, created = services.meeting_plan_next_quarter(today=datetime.date(2026, 12, 2))
    assert created and (following.year, following.quarter) == (2027, 1)
    result = tasks.plan_quarterly_meetings.apply().get(disable_sync_subtasks=False)
    assert {"meeting", "created", "next_meeting", "next_created"} <= set(result)
