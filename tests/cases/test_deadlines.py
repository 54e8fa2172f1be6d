"""Working-day deadlines (across the Spring Festival and its make-up days) and the daily reminders."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from applications import services as application_services
from applications.models import Message
from applications.selectors import applicant_of, timeline
from cases import services, tasks
from cases.models import Case
from documents.formatting import chinese_date
from portal.access import Forbidden
from portal.models import CalendarDay, Notification, SiteConfiguration
from portal.transitions import TransitionNotAllowed
from portal.workdays import add_working_days
from tests.cases.factories import in_progress_case, make_case, refresh, signed_letter

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def spring_festival_2026(db):
    """春节 2026: 15–23 February off; Saturdays 14 and 28 February are make-up working days."""
    start = datetime.date(2026, 2, 15)
    for offset in range(9):
        CalendarDay.objects.update_or_create(
            date=start + datetime.timedelta(days=offset), defaults={"is_working_day": False, "note": "春节"}
        )
    for day in (datetime.date(2026, 2, 14), datetime.date(2026, 2, 28)):
        CalendarDay.objects.update_or_create(date=day, defaults={"is_working_day": True, "note": "春节调休"})


def at(monkeypatch, year, month, day, hour=10):
    moment = datetime.datetime(year, month, day, hour, tzinfo=SHANGHAI)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


def test_first_contact_deadline_skips_the_holiday_and_counts_the_make_up_saturday(
    staff, spring_festival_2026, monkeypatch
):
    at(monkeypatch, 2026, 2, 12)  # Thursday before the festival
    case = make_case(staff)
    # Fri 13 (1), Sat 14 make-up day (2), 15–23 off, Tue 24 (3)
    assert case.first_contact_due == datetime.date(2026, 2, 24)
    assert case.due_date == datetime.date(2026, 2, 24)


def test_opinion_deadline_is_counted_in_working_days_from_acceptance(staff, spring_festival_2026, monkeypatch):
    config = SiteConfiguration.get()
    config.opinion_days = 10
    config.save()
    at(monkeypatch, 2026, 2, 12)
    case = make_case(staff)
    # 13, 14(make-up), 24, 25, 26, 27, 28(make-up), Mar 2, 3, 4
    assert case.opinion_due == datetime.date(2026, 3, 4)


def test_letter_answer_deadline_uses_the_configured_working_days(
    staff, director, agency, spring_festival_2026, monkeypatch
):
    config = SiteConfiguration.get()
    config.agency_answer_days = 5
    config.save()
    at(monkeypatch, 2026, 2, 11)
    case = in_progress_case(staff)
    letter = signed_letter(case, staff, director, [agency])
    # Thu 12, Fri 13, Sat 14 (make-up), Tue 24, Wed 25
    assert letter.due_date == datetime.date(2026, 2, 25)
    assert letter.recipients.get().due_date == datetime.date(2026, 2, 25)


def test_reminders_go_to_the_handler_then_the_director_and_run_once_a_day(staff, director, monkeypatch):
    config = SiteConfiguration.get()
    config.first_contact_days = 3
    config.escalate_overdue_days = 2
    config.save()
    at(monkeypatch, 2026, 3, 2)  # Monday
    case = in_progress_case(staff)  # first contact due Thu 5 March
    fresh = make_case(staff)  # unassigned: reminders go to all staff
    assert case.due_date == datetime.date(2026, 3, 5)

    mail.outbox.clear()
    at(monkeypatch, 2026, 3, 4)  # due within two working days
    sent = services.deadlines_remind()
    assert sent["handler"] == 2 and sent["director"] == 0
    assert Notification.objects.filter(recipient=staff, subject__contains="将于").count() == 2
    assert services.deadlines_remind()["handler"] == 0  # second run the same day: nothing

    at(monkeypatch, 2026, 3, 10)  # Tuesday: 3 working days overdue (> 2)
    Notification.objects.all().delete()
    result = tasks.send_deadline_reminders.apply().get(disable_sync_subtasks=False)
    assert result["director"] == 2
    assert Notification.objects.filter(recipient=director, subject__contains="已逾期 3 个工作日").count() == 2
    assert refresh(case).last_reminded_on == datetime.date(2026, 3, 10)
    assert fresh.handler is None


def test_late_agencies_are_reminded(staff, director, agency, agency_user, monkeypatch):
    at(monkeypatch, 2026, 3, 2)
    case = in_progress_case(staff)
    services.case_record_contact(case=case, by=staff)
    letter = signed_letter(case, staff, director, [agency], due_date=datetime.date(2026, 3, 5))
    at(monkeypatch, 2026, 3, 9)
    assert services.deadlines_remind()["agency"] == 1
    assert Notification.objects.filter(recipient=agency_user, subject__contains=letter.number).exists()
    assert services.deadlines_remind()["agency"] == 0


def test_closed_cases_have_no_deadline(staff, monkeypatch):
    case = in_progress_case(staff)
    case = services.case_terminate(case=case, reason="申请人撤回", by=staff)
    assert case.due_date is None
    assert not Case.objects.filter(due_date__isnull=False, status="terminated").exists()


# --- the opinion deadline pauses while the case waits for the applicant ----------------------


def test_the_opinion_deadline_pauses_while_waiting_for_the_applicant_and_moves_on_by_the_days_waited(
    staff, applicant, monkeypatch
):
    at(monkeypatch, 2026, 3, 2)  # Monday
    case = in_progress_case(staff, applicant=applicant_of(applicant))
    opinion_due = case.opinion_due
    at(monkeypatch, 2026, 3, 4)  # Wednesday
    case = services.case_request_input(case=case, by=staff, request="请补充美国起诉状的完整译文")
    assert case.is_paused and case.due_date is None and case.first_contacted_at is not None
    question = Message.objects.get(application=case.application)
    assert question.from_center and question.body == "请补充美国起诉状的完整译文"
    assert Notification.objects.filter(recipient=applicant, body="请补充美国起诉状的完整译文").exists()

    at(monkeypatch, 2026, 3, 30)  # long after the original deadline: a paused case is not overdue
    assert services.deadlines_remind()["handler"] == 0

    at(monkeypatch, 2026, 3, 10)  # Tuesday: the applicant answers on the thread
    application_services.message_post(application=case.application, by=applicant, body="译文已上传，请查收")
    case = refresh(case)
    # Thu 5, Fri 6, Mon 9, Tue 10: four working days waited
    assert not case.is_paused and case.paused_days == 4
    assert case.opinion_due == add_working_days(opinion_due, 4)
    assert case.due_date == case.opinion_due
    assert Notification.objects.filter(recipient=staff, subject__contains="申请人已答复").exists()

    # The applicant's timeline shows the pause and its end with the new deadline.
    notes = [step.note for step in timeline(case.application)]
    assert any("办理期限暂停计算" in note for note in notes)
    assert any(f"顺延至 {chinese_date(case.opinion_due)}" in note for note in notes)


def test_staff_ask_for_input_and_record_an_answer_given_by_telephone_in_the_admin(client, staff, monkeypatch):
    at(monkeypatch, 2026, 3, 2)
    case = in_progress_case(staff)
    client.force_login(staff)
    url = reverse("admin:cases_case_input", args=[case.pk])
    client.post(url, {"request": "请补充海关扣留通知", "seen_revision": case.revision})
    page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert 'data-testid="deadline-paused"' in page and "请补充海关扣留通知" in page  # on the staff timeline
    at(monkeypatch, 2026, 3, 3)
    client.force_login(staff)  # a session from "yesterday" has expired
    client.post(url, {"action": "resume", "note": "申请人电话答复"})
    case = refresh(case)
    assert not case.is_paused and case.paused_days == 1
    page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert "期限恢复计算" in page and "期限曾暂停 1 个工作日" in page


def test_a_pause_needs_a_question_a_running_deadline_and_the_right_person_to_end_it(
    staff, other_applicant, monkeypatch
):
    at(monkeypatch, 2026, 3, 2)
    case = in_progress_case(staff)
    with pytest.raises(ValidationError):
        services.case_request_input(case=case, by=staff, request="  ")
    with pytest.raises(TransitionNotAllowed, match="没有在等待"):
        services.case_resume(case=case, by=staff)
    case = services.case_request_input(case=case, by=staff, request="请补充")
    with pytest.raises(TransitionNotAllowed, match="已在等待"):
        services.case_request_input(case=case, by=staff, request="再补充")
    with pytest.raises(Forbidden, match="无权"):
        services.case_resume(case=case, by=other_applicant)
    terminated = services.case_terminate(case=case, reason="申请人撤回", by=staff)
    assert not terminated.is_paused
    with pytest.raises(TransitionNotAllowed):
        services.case_request_input(case=terminated, by=staff, request="请补充")
