import datetime
from importlib import import_module
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as global_apps
from django.urls import reverse
from django.utils import timezone

from portal import tasks
from portal.celery import app as celery_app
from portal.demo import seed_calendar
from portal.models import CalendarDay
from portal.workdays import (
    add_working_days,
    missing_calendar_years,
    official_calendar_sync,
    renumbering_once,
    working_days_between,
)

D = datetime.date


@pytest.fixture
def calendar_2026(db):
    seed_calendar()


def test_plain_week_skips_the_weekend(db):
    # Friday 2026-11-20 + 1 working day = Monday 2026-11-23
    assert add_working_days(D(2026, 11, 20), 1) == D(2026, 11, 23)


def test_spring_festival_and_its_make_up_days(calendar_2026):
    # Friday 13 Feb 2026; Saturday 14 Feb is a make-up working day, 15–23 Feb are holidays.
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)
    # 3 working days from 14 Feb: 24, 25, 26 Feb
    assert add_working_days(D(2026, 2, 14), 3) == D(2026, 2, 26)
    # Saturday 28 Feb is worked: 26 Feb + 2 = 27 Feb, 28 Feb
    assert add_working_days(D(2026, 2, 26), 2) == D(2026, 2, 28)


def test_working_days_between_counts_backwards_as_negative(calendar_2026):
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 24)) == 2
    assert working_days_between(D(2026, 2, 24), D(2026, 2, 13)) == -2
    assert working_days_between(D(2026, 2, 24), D(2026, 2, 24)) == 0


# --- the official calendar (chinesecalendar) ----------------------------------------------


def _at(monkeypatch, year, month, day):
    moment = datetime.datetime(year, month, day, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_the_migration_loads_the_state_councils_arrangements(db):
    with renumbering_once():  # one renumbering, not one per deleted day
        CalendarDay.objects.all().delete()
    migration = import_module("portal.migrations.0003_official_calendar")
    migration.load_official_calendar(global_apps, None)
    festival = CalendarDay.objects.get(date=D(2026, 2, 16))
    assert (festival.is_working_day, festival.note, festival.source) == (False, "春节", "official")
    make_up = CalendarDay.objects.get(date=D(2026, 2, 14))
    assert (make_up.is_working_day, make_up.note) == (True, "春节调休")
    assert CalendarDay.objects.get(date=D(2026, 4, 5)).note == "清明节"
    # A deadline across the Spring Festival now skips it without anybody entering a day.
    assert add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)


def test_the_sync_never_overwrites_what_staff_entered_and_repairs_its_own_rows(db):
    with renumbering_once():  # one renumbering, not one per deleted day
        CalendarDay.objects.all().delete()
    official_calendar_sync()
    # Staff decided the center works on 7 October 2026 and closes on 9 October.
    CalendarDay.objects.filter(date=D(2026, 10, 7)).update(is_working_day=True, note="值班", source="manual")
    CalendarDay.objects.create(date=D(2026, 10, 9), is_working_day=False, note="中心调休", source="manual")
    # A library row tampered with, and one the library no longer lists.
    CalendarDay.objects.filter(date=D(2026, 5, 1)).update(is_working_day=True)
    CalendarDay.objects.create(date=D(2026, 3, 3), is_working_day=False, note="旧安排", source="official")

    counts = official_calendar_sync()

    assert counts == {"created": 0, "updated": 1, "removed": 1}
    assert CalendarDay.objects.get(date=D(2026, 10, 7)).is_working_day is True
    assert CalendarDay.objects.get(date=D(2026, 10, 9)).note == "中心调休"
    assert CalendarDay.objects.get(date=D(2026, 5, 1)).is_working_day is False
    assert not CalendarDay.objects.filter(date=D(2026, 3, 3)).exists()
    assert add_working_days(D(2026, 10, 6), 1) == D(2026, 10, 7)


def test_a_day_edited_in_the_admin_becomes_the_staffs_and_survives_the_daily_task(client, staff, db):
    official_calendar_sync()
    staff.is_superuser = True  # the calendar is kept by whoever has the model permission
    staff.save()
    client.force_login(staff)
    day = CalendarDay.objects.get(date=D(2026, 10, 7))
    response = client.post(
        reverse("admin:portal_calendarday_change", args=[day.pk]),
        {"date": "2026-10-07", "is_working_day": "on", "note": "值班"},
    )
    assert response.status_code == 302
    day.refresh_from_db()
    assert (day.is_working_day, day.source) == (True, "manual")
    result = tasks.sync_official_calendar.apply().get(disable_sync_subtasks=False)
    assert result["created"] == 0
    day.refresh_from_db()
    assert day.is_working_day is True and day.note == "值班"


def test_the_daily_task_is_scheduled_and_idempotent(db):
    scheduled = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert "portal.tasks.sync_official_calendar" in scheduled
    with renumbering_once():  # one renumbering, not one per deleted day
        CalendarDay.objects.all().delete()
    first = tasks.sync_official_calendar.apply().get(disable_sync_subtasks=False)
    assert first["created"] > 100
    assert tasks.sync_official_calendar.apply().get(disable_sync_subtasks=False) == {
        "created": 0,
        "updated": 0,
        "removed": 0,
    }


def test_next_years_calendar_is_asked_for_from_november(db, monkeypatch):
    official_calendar_sync()
    with renumbering_once():  # one renumbering, not one per deleted day
        CalendarDay.objects.filter(date__year=2027).delete()
    assert missing_calendar_years(D(2026, 10, 31)) == []
    assert missing_calendar_years(D(2026, 11, 1)) == [2027]
    CalendarDay.objects.create(date=D(2027, 1, 1), is_working_day=False, note="元旦")
    assert missing_calendar_years(D(2026, 11, 1)) == []
    with renumbering_once():  # one renumbering, not one per deleted day
        CalendarDay.objects.filter(date__year=2026).delete()
    assert missing_calendar_years(D(2026, 3, 1)) == [2026]


def test_staff_see_the_warning_on_the_admin_overview(client, staff, monkeypatch):
    official_calendar_sync()
    with renumbering_once():  # one renumbering, not one per deleted day
        CalendarDay.objects.filter(date__year=2027).delete()
    client.force_login(staff)
    _at(monkeypatch, 2026, 11, 20)
    page = client.get(reverse("admin:index")).content.decode()
    assert 'data-testid="calendar-warning"' in page
    assert "2027 年的节假日和调休安排尚未载入" in page
    CalendarDay.objects.create(date=D(2027, 1, 1), is_working_day=False, note="元旦")
    page = client.get(reverse("admin:index")).content.decode()
    assert 'data-testid="calendar-warning"' not in page


def test_days_deleted_together_in_the_admin_renumber_the_table_once(client, staff, db, monkeypatch):
    from portal import workdays
    from portal.models import WorkingDayNumber

    official_calendar_sync()
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    renumberings = []
    follow = workdays.working_day_numbers_follow_calendar
    monkeypatch.setattr(
        workdays, "working_day_numbers_follow_calendar", lambda *a, **k: renumberings.append(a) or follow(*a, **k)
    )
    national_day = CalendarDay.objects.filter(date__range=(D(2026, 10, 1), D(2026, 10, 7)), is_working_day=False)
    chosen = list(national_day.values_list("pk", flat=True))
    assert len(chosen) == 7
    response = client.post(
        reverse("admin:portal_calendarday_changelist"),
        {"action": "delete_selected", "post": "yes", "_selected_action": chosen},
    )
    assert response.status_code == 302
    assert not national_day.exists()
    assert len(renumberings) == 1
    # The seven days are plain weekdays and weekend days again, numbered as such.
    numbers = WorkingDayNumber.objects.filter(date__range=(D(2026, 10, 1), D(2026, 10, 7))).order_by("date")
    assert [row.is_working_day for row in numbers] == [D(2026, 10, d).weekday() < 5 for d in range(1, 8)]
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 8)) == 6
