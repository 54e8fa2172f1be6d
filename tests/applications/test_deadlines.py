"""The review deadline (受理审查时限) and the correction deadline (补正材料时限): counted in
working days, stored on the application, shown to staff and applicant, reminded, and a missed
correction closed by staff with the decline notice."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applications import services, tasks
from applications.models import Application
from documents.models import Document
from portal.access import Forbidden
from portal.celery import app as celery_app
from portal.models import CalendarDay, Notification, SiteConfiguration
from portal.transitions import TransitionNotAllowed
from tests.applications.factories import complete_draft

D = datetime.date
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def spring_festival_2026(db):
    """春节 2026: 15–23 February off; Saturdays 14 and 28 February are make-up working days."""
    for offset in range(9):
        CalendarDay.objects.update_or_create(
            date=D(2026, 2, 15) + datetime.timedelta(days=offset), defaults={"is_working_day": False}
        )
    for day in (D(2026, 2, 14), D(2026, 2, 28)):
        CalendarDay.objects.update_or_create(date=day, defaults={"is_working_day": True})
    config = SiteConfiguration.get()
    config.acceptance_days = 5
    config.correction_days = 10
    config.save()


def at(monkeypatch, year, month, day, hour=10):
    moment = datetime.datetime(year, month, day, hour, tzinfo=SHANGHAI)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


def submit(applicant):
    return services.application_submit(application=complete_draft(applicant), by=applicant)


def test_the_review_deadline_runs_in_working_days_from_submission_and_the_applicant_sees_it(
    client, applicant, monkeypatch
):
    at(monkeypatch, 2026, 2, 12)  # Thursday before the Spring Festival
    application = submit(applicant)
    # Fri 13 (1), Sat 14 make-up day (2), 15–23 off, Tue 24 (3), Wed 25 (4), Thu 26 (5)
    assert application.review_due == D(2026, 2, 26)
    client.force_login(applicant)
    page = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert 'data-testid="review-due"' in page and "2026年2月26日" in page


def test_staff_list_shows_the_review_deadline_and_filters_overdue_and_soon(client, applicant, staff, monkeypatch):
    at(monkeypatch, 2026, 3, 2)  # Monday: due Monday 9 March
    overdue = submit(applicant)
    at(monkeypatch, 2026, 3, 6)  # Friday: due Friday 13 March
    soon = submit(applicant)
    at(monkeypatch, 2026, 3, 11)  # Wednesday: due Wednesday 18 March
    later = submit(applicant)
    client.force_login(staff)
    changelist = reverse("admin:applications_application_changelist")

    page = client.get(changelist).content.decode()
    assert "受理审查 2026-03-09" in page and "已逾期" in page
    assert "受理审查 2026-03-13" in page and "即将到期" in page

    page = client.get(changelist, {"deadline": "overdue"}).content.decode()
    assert overdue.number in page and soon.number not in page and later.number not in page
    page = client.get(changelist, {"deadline": "soon"}).content.decode()
    assert soon.number in page and overdue.number not in page and later.number not in page


def test_staff_are_reminded_of_reviews_due_soon_or_overdue_once_a_day(applicant, staff, monkeypatch):
    at(monkeypatch, 2026, 3, 2)
    application = submit(applicant)  # due Monday 9 March
    at(monkeypatch, 2026, 3, 4)  # Wednesday: not yet within two working days
    assert services.application_deadlines_remind()["review"] == 0
    at(monkeypatch, 2026, 3, 5)  # Thursday: due within two working days
    assert services.application_deadlines_remind()["review"] == 1
    assert Notification.objects.filter(recipient=staff, subject__contains="将于 2026年3月9日 到期").exists()
    assert services.application_deadlines_remind()["review"] == 0  # second run the same day
    at(monkeypatch, 2026, 3, 11)  # Wednesday: 2 working days overdue
    assert tasks.send_deadline_reminders.apply().get(disable_sync_subtasks=False)["review"] == 1
    assert Notification.objects.filter(
        recipient=staff, subject=f"申请 {application.number} 受理审查已逾期 2 个工作日"
    ).exists()
    scheduled = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert "applications.tasks.send_deadline_reminders" in scheduled


def test_the_correction_deadline_is_stored_on_return_and_shown_in_the_notice_and_page(
    client, applicant, staff, monkeypatch
):
    at(monkeypatch, 2026, 2, 10)
    application = submit(applicant)
    at(monkeypatch, 2026, 2, 11)  # Wednesday
    application = services.application_return(application=application, by=staff, reason="请补充营业执照副本")
    # 12, 13, 14 (make-up), 24, 25, 26, 27, 28 (make-up), Mar 2, Mar 3
    assert application.correction_due == D(2026, 3, 3)
    notice = Document.objects.get(kind=Document.Kind.CORRECTION_NOTICE)
    assert notice.context["due_on"] == "2026年3月3日"
    told = Notification.objects.get(recipient=applicant, subject__contains="需要补正")
    assert "请于 2026年3月3日 前修改后重新提交" in told.body
    client.force_login(applicant)
    page = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert 'data-testid="correction-due"' in page and "2026年3月3日" in page


def test_the_applicant_is_reminded_two_working_days_before_the_correction_deadline(
    applicant, staff, monkeypatch, django_capture_on_commit_callbacks
):
    at(monkeypatch, 2026, 3, 2)
    application = submit(applicant)
    application = services.application_return(application=application, by=staff, reason="请补充证据")
    assert application.correction_due == D(2026, 3, 16)  # Monday
    at(monkeypatch, 2026, 3, 11)  # Wednesday: three working days left
    assert services.application_deadlines_remind()["correction"] == 0
    mail.outbox.clear()
    at(monkeypatch, 2026, 3, 12)  # Thursday: two working days left
    with django_capture_on_commit_callbacks(execute=True):
        assert services.application_deadlines_remind()["correction"] == 1
    assert Notification.objects.filter(recipient=applicant, subject__contains="2026年3月16日").exists()
    reminded = {address for m in mail.outbox if "2026年3月16日" in m.subject for address in m.to}
    assert applicant.email in reminded
    at(monkeypatch, 2026, 3, 13)
    assert services.application_deadlines_remind()["correction"] == 0  # once only


def test_a_missed_correction_is_proposed_to_staff_and_closed_on_their_confirmation_with_the_decline_notice(
    client, applicant, staff, monkeypatch
):
    at(monkeypatch, 2026, 3, 2)
    application = submit(applicant)
    application = services.application_return(application=application, by=staff, reason="请补充证据")
    at(monkeypatch, 2026, 3, 16)  # the last day: not yet lapsed
    with pytest.raises(TransitionNotAllowed, match="尚未届满"):
        services.application_close_lapsed(application=application, by=staff)
    assert services.application_deadlines_remind()["lapsed"] == 0

    at(monkeypatch, 2026, 3, 17)
    assert services.application_deadlines_remind()["lapsed"] == 1
    assert Notification.objects.filter(recipient=staff, subject__contains="逾期未补正").exists()
    assert services.application_deadlines_remind()["lapsed"] == 0  # proposed once

    client.force_login(staff)
    changelist = reverse("admin:applications_application_changelist")
    assert application.number in client.get(changelist, {"deadline": "lapsed"}).content.decode()
    response = client.post(
        changelist, {"action": "close_lapsed_selected", "_selected_action": [application.pk]}, follow=True
    )
    assert "已关闭 1 份逾期未补正的申请" in response.content.decode()

    application.refresh_from_db()
    assert application.status == Application.Status.DECLINED
    assert application.decision_reason.startswith("逾期未补正")
    notice = Document.objects.get(kind=Document.Kind.DECLINE_NOTICE)
    assert "逾期未补正" in notice.context["reason"] and notice.released_to_applicant
    assert Notification.objects.filter(recipient=applicant, subject__contains="不予受理").exists()


def test_a_returned_application_cannot_be_declined_while_the_applicant_may_still_correct_it(
    applicant, staff, monkeypatch
):
    at(monkeypatch, 2026, 3, 2)
    application = services.application_return(application=submit(applicant), by=staff, reason="补充")
    with pytest.raises(TransitionNotAllowed):
        services.application_decline(application=application, by=staff, reason="不符合条件")
    with pytest.raises(TransitionNotAllowed, match="尚未届满"):
        services.application_close_lapsed(application=application, by=staff)
    with pytest.raises(Forbidden, match="只有指导中心工作人员"):
        services.application_close_lapsed(application=application, by=applicant)


def test_resubmission_starts_a_new_review_deadline_and_ends_the_correction_deadline(applicant, staff, monkeypatch):
    at(monkeypatch, 2026, 3, 2)
    application = services.application_return(application=submit(applicant), by=staff, reason="补充")
    at(monkeypatch, 2026, 3, 10)  # Tuesday
    application = services.application_submit(application=application, by=applicant)
    assert application.review_due == D(2026, 3, 17)
    assert application.correction_due is None
