"""The applicant's own deadline abroad: badged and ordered in the case list, and alerted to the
handler (before acceptance, the center's staff) and the director when it comes close: once within
10 working days, once more within 3, once when it passes, never twice a day."""

import datetime
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import tasks
from applications.models import Application
from applications.selectors import foreign_deadline_state
from applications.services.deadlines import (
    application_foreign_deadlines_alert,
    foreign_deadline_bounds,
    foreign_deadline_level,
)
from cases import services as case_services
from portal.celery import app as celery_app
from portal.models import CalendarDay, EmailDelivery, LogEntry, Notification
from portal.workdays import working_days_between
from tests.cases.factories import make_case
from tests.factories import ApplicationFactory, UserFactory, submitted, with_status

pytestmark = pytest.mark.django_db
D = datetime.date
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(monkeypatch, day):
    moment = datetime.datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return day


@pytest.fixture
def spring_festival(db):
    for offset in range(9):
        CalendarDay.objects.update_or_create(
            date=D(2026, 2, 15) + datetime.timedelta(days=offset), defaults={"is_working_day": False}
        )
    for day in (D(2026, 2, 14), D(2026, 2, 28)):
        CalendarDay.objects.update_or_create(date=day, defaults={"is_working_day": True})


def under_review(**fields):
    return submitted(ApplicationFactory(**fields))


def subjects(user):
    """The foreign-deadline alerts the user received (other notices, such as an assignment, aside)."""
    alerts = Notification.objects.filter(recipient=user, body__contains="到期事项：").order_by("pk")
    return list(alerts.values_list("subject", flat=True))


def test_the_list_bounds_say_what_foreign_deadline_state_says(spring_festival):
    today = D(2026, 2, 10)
    bounds = foreign_deadline_bounds(today)
    for offset in range(-5, 70):
        due = today + datetime.timedelta(days=offset)
        expected = foreign_deadline_state(Application(foreign_deadline=due), today)["level"]
        assert foreign_deadline_level(due, bounds) == expected, due
    assert foreign_deadline_level(None, bounds) is None


def test_before_acceptance_the_staff_and_the_director_hear_once_per_stage(monkeypatch, staff, director):
    colleague = UserFactory(full_name="另一位工作人员", is_staff=True, roles=["staff"])
    application = under_review(
        foreign_deadline=D(2026, 3, 16),
        foreign_deadline_what="337 调查答辩",
        foreign_deadline_where="美国国际贸易委员会",
    )

    at(monkeypatch, D(2026, 2, 27))  # 11 working days left: not yet
    assert application_foreign_deadlines_alert() == {"alert": 0, "final": 0, "passed": 0}

    at(monkeypatch, D(2026, 3, 2))  # 10 working days left
    assert application_foreign_deadlines_alert()["alert"] == 1
    for user in (staff, director, colleague):
        assert len(subjects(user)) == 1
    subject = subjects(director)[0]
    assert application.number in subject and "337 调查答辩" in subject and "还剩 10 个工作日" in subject
    body = Notification.objects.filter(recipient=director, body__contains="到期事项：").get().body
    assert "美国国际贸易委员会" in body
    assert EmailDelivery.objects.filter(to=director.email, subject=subject).exists()
    application.refresh_from_db()
    assert application.foreign_deadline_alerted_on == D(2026, 3, 2)

    assert application_foreign_deadlines_alert()["alert"] == 0  # a second run the same day
    at(monkeypatch, D(2026, 3, 3))
    assert sum(application_foreign_deadlines_alert().values()) == 0  # same stage, next day
    at(monkeypatch, D(2026, 3, 11))  # 3 working days left: the last alert before the day
    assert application_foreign_deadlines_alert()["final"] == 1
    at(monkeypatch, D(2026, 3, 16))  # the day itself: still the final stage, already alerted
    assert sum(application_foreign_deadlines_alert().values()) == 0
    at(monkeypatch, D(2026, 3, 17))  # passed
    assert application_foreign_deadlines_alert()["passed"] == 1
    assert "已于" in subjects(staff)[-1]
    at(monkeypatch, D(2026, 3, 30))
    assert sum(application_foreign_deadlines_alert().values()) == 0
    assert len(subjects(colleague)) == 3
    stages = [
        entry.data["stage"]
        for entry in LogEntry.objects.filter(action_type="applications.application.foreign_deadline_alerted").order_by(
            "pk"
        )
    ]
    assert stages == ["alert", "final", "passed"]


def test_an_open_case_alerts_its_handler_and_the_director_not_all_staff(monkeypatch, staff, director):
    handler = UserFactory(full_name="承办人", is_staff=True, roles=["staff"])
    case = make_case(staff, foreign_deadline=D(2026, 3, 12))
    case_services.case_assign(case=case, handler=handler, by=staff)
    at(monkeypatch, D(2026, 3, 2))
    assert application_foreign_deadlines_alert()["alert"] == 1
    assert len(subjects(handler)) == 1 and len(subjects(director)) == 1
    assert subjects(staff) == []
    note = Notification.objects.filter(recipient=handler, body__contains="到期事项：").get()
    assert note.link == reverse("admin:cases_case_change", args=[case.pk])


def test_without_a_handler_the_staff_hear(monkeypatch, staff, director):
    make_case(staff, foreign_deadline=D(2026, 3, 12))
    at(monkeypatch, D(2026, 3, 2))
    application_foreign_deadlines_alert()
    assert len(subjects(staff)) == 1


def test_drafts_ended_cases_and_decided_applications_are_left_alone(monkeypatch, staff, director):
    ApplicationFactory(foreign_deadline=D(2026, 3, 5))  # a draft nobody filed yet
    with_status(under_review(foreign_deadline=D(2026, 3, 5)), "declined")
    ended = make_case(staff, foreign_deadline=D(2026, 3, 5))
    type(ended).objects.filter(pk=ended.pk).update(closed_at=timezone.now(), status="closed")
    under_review(foreign_deadline=D(2026, 4, 30))  # far away
    under_review()  # no deadline abroad
    at(monkeypatch, D(2026, 3, 2))
    assert sum(application_foreign_deadlines_alert().values()) == 0
    assert not Notification.objects.filter(body__contains="到期事项：").exists()


def test_a_moved_deadline_is_alerted_again_when_it_comes_close(monkeypatch, staff, director):
    application = under_review(foreign_deadline=D(2026, 3, 16))
    at(monkeypatch, D(2026, 3, 2))
    assert application_foreign_deadlines_alert()["alert"] == 1
    Application.objects.filter(pk=application.pk).update(foreign_deadline=D(2026, 3, 31))
    at(monkeypatch, D(2026, 3, 3))
    assert sum(application_foreign_deadlines_alert().values()) == 0  # now far again
    at(monkeypatch, D(2026, 3, 17))
    assert working_days_between(D(2026, 3, 17), D(2026, 3, 31)) == 10
    assert application_foreign_deadlines_alert()["alert"] == 1


def test_the_daily_task_runs_the_alerts_and_is_scheduled(monkeypatch, staff, director):
    under_review(foreign_deadline=D(2026, 3, 5))
    at(monkeypatch, D(2026, 3, 2))
    assert tasks.send_foreign_deadline_alerts.delay().get(disable_sync_subtasks=False)["final"] == 1
    assert tasks.send_foreign_deadline_alerts.delay().get(disable_sync_subtasks=False)["final"] == 0
    scheduled = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert "applications.tasks.send_foreign_deadline_alerts" in scheduled


def _numbers_in_order(page, numbers):
    positions = {number: page.index(number) for number in numbers}
    return sorted(numbers, key=positions.get)


def test_the_case_list_badges_orders_and_filters_by_the_deadline_abroad(monkeypatch, client, staff):
    close = make_case(staff, foreign_deadline=D(2026, 3, 10), foreign_deadline_what="商标异议")
    passed = make_case(staff, foreign_deadline=D(2026, 2, 20))
    far = make_case(staff, foreign_deadline=D(2026, 6, 30))
    marked = make_case(staff, urgent=True)
    none = make_case(staff)
    at(monkeypatch, D(2026, 3, 2))
    client.force_login(staff)
    url = reverse("admin:cases_case_changelist")

    page = client.get(url).content.decode()
    rows = {
        case.number: re.search(rf"{case.number}.*?</tr>", page, re.S).group(0)
        for case in (close, passed, far, none, marked)
    }
    assert "2026-03-10" in rows[close.number] and "紧急" in rows[close.number]
    assert "已届满" in rows[passed.number]
    assert "2026-06-30" in rows[far.number] and "紧急" not in rows[far.number]
    assert "紧急" in rows[marked.number]
    assert "紧急" not in rows[none.number]

    # ordered by it, nearest first, those without one last
    header = re.search(r'class="[^"]*column-foreign_deadline_badge.*?href="(\?o=[^"]+)"', page, re.S).group(1)
    ordered = client.get(url + header.replace("&amp;", "&")).content.decode()
    order = _numbers_in_order(ordered, [close.number, passed.number, far.number, none.number])
    assert order == [passed.number, close.number, far.number, none.number]

    urgent = client.get(f"{url}?foreign_deadline=urgent").content.decode()
    assert close.number in urgent and passed.number in urgent and marked.number in urgent
    assert far.number not in urgent and none.number not in urgent
    assert client.get(f"{url}?foreign_deadline=nonsense").status_code in (200, 302)
    assert none.number in client.get(f"{url}?foreign_deadline=none").content.decode()


def test_the_case_page_shows_the_deadline_abroad(monkeypatch, client, staff):
    case = make_case(staff, foreign_deadline=D(2026, 3, 10), foreign_deadline_what="337 调查答辩")
    at(monkeypatch, D(2026, 3, 2))
    client.force_login(staff)
    page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    snippet = re.search(r'data-testid="foreign-deadline">(.*?)</span>(.*?)·', page, re.S)
    assert "2026-03-10" in snippet.group(1) and "337 调查答辩" in snippet.group(1)
    assert "紧急" in snippet.group(2)
