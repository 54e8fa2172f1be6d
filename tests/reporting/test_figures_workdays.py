"""The working-day numbers: number(b) − number(a) is working_days_between(a, b), across the
2026 National Day holiday (1–7 October) and its make-up days (Sunday 20 September, Saturday
10 October); staff's calendar edits renumber the table."""

import datetime

import pytest

from portal.models import CalendarDay, WorkingDayNumber
from portal.workdays import (
    NUMBERS_FIRST_YEAR,
    official_calendar_sync,
    working_day_numbers_ensure,
    working_day_numbers_rebuild,
    working_days_between,
)

pytestmark = pytest.mark.django_db


def number(day):
    return WorkingDayNumber.objects.get(date=day).number


def test_the_migration_fills_the_table_from_2015_to_two_years_ahead():
    first = WorkingDayNumber.objects.order_by("date").first()
    last = WorkingDayNumber.objects.order_by("-date").first()
    assert first.date == datetime.date(NUMBERS_FIRST_YEAR, 1, 1)
    assert last.date >= datetime.date(datetime.date.today().year + 2, 12, 31)
    # Dense: one row per day.
    assert WorkingDayNumber.objects.count() == (last.date - first.date).days + 1
    # 1 January 2015 was a Thursday; the table knows no calendar exceptions before 2024.
    assert (first.number, first.is_working_day) == (1, True)


def test_subtraction_equals_working_days_between_across_national_day():
    start = datetime.date(2026, 9, 1)
    days = [start + datetime.timedelta(days=i) for i in range(61)]  # 1 September – 31 October
    numbers = dict(WorkingDayNumber.objects.filter(date__in=days).values_list("date", "number"))
    for a in days[::3]:
        for b in days:
            if b >= a:
                assert numbers[b] - numbers[a] == working_days_between(a, b), (a, b)


def test_known_values_around_the_holiday():
    # 30 September (Wed) → 8 October (Thu): 1–7 October are off, so one working day.
    assert number(datetime.date(2026, 10, 8)) - number(datetime.date(2026, 9, 30)) == 1
    # The make-up Saturday 10 October works; Sunday 20 September too.
    assert WorkingDayNumber.objects.get(date=datetime.date(2026, 10, 10)).is_working_day
    assert WorkingDayNumber.objects.get(date=datetime.date(2026, 9, 20)).is_working_day
    assert not WorkingDayNumber.objects.get(date=datetime.date(2026, 10, 5)).is_working_day
    # 9 October (Fri) → 12 October (Mon): Saturday 10th works, so two working days.
    assert number(datetime.date(2026, 10, 12)) - number(datetime.date(2026, 10, 9)) == 2


def test_a_day_staff_add_renumbers_the_following_dates():
    before = number(datetime.date(2026, 12, 31)) - number(datetime.date(2026, 12, 1))
    day = CalendarDay.objects.create(date=datetime.date(2026, 12, 15), is_working_day=False, note="测试假日")
    assert number(datetime.date(2026, 12, 31)) - number(datetime.date(2026, 12, 1)) == before - 1
    assert not WorkingDayNumber.objects.get(date=datetime.date(2026, 12, 15)).is_working_day
    day.delete()
    assert number(datetime.date(2026, 12, 31)) - number(datetime.date(2026, 12, 1)) == before


def _table():
    return list(WorkingDayNumber.objects.order_by("date").values_list("date", "number", "is_working_day"))


def test_days_added_moved_and_deleted_leave_the_numbers_a_rebuild_gives(monkeypatch, django_assert_max_num_queries):
    """Each change moves the numbers from the changed day on, without a rebuild; the table then
    reads exactly as a rebuild writes it, a day moved to another date included."""
    from portal import workdays

    rebuilds = []
    monkeypatch.setattr(workdays, "working_day_numbers_rebuild", lambda *a, **k: rebuilds.append(a))
    with django_assert_max_num_queries(8):
        holiday = CalendarDay.objects.create(date=datetime.date(2026, 12, 15), is_working_day=False, note="测试假日")
    CalendarDay.objects.create(date=datetime.date(2027, 1, 9), is_working_day=True, note="测试调休")  # a Saturday
    holiday.date = datetime.date(2025, 12, 16)  # moved: both dates change
    holiday.save()
    CalendarDay.objects.filter(date=datetime.date(2026, 10, 5)).delete()  # a day of the National Day holiday
    assert rebuilds == []
    followed = _table()
    monkeypatch.undo()

    working_day_numbers_rebuild()
    assert followed == _table()
    assert not WorkingDayNumber.objects.get(date=datetime.date(2025, 12, 16)).is_working_day
    assert WorkingDayNumber.objects.get(date=datetime.date(2026, 12, 15)).is_working_day
    assert WorkingDayNumber.objects.get(date=datetime.date(2027, 1, 9)).is_working_day
    assert WorkingDayNumber.objects.get(date=datetime.date(2026, 10, 5)).is_working_day


def test_an_incomplete_table_is_rebuilt_when_a_day_changes():
    complete = _table()
    WorkingDayNumber.objects.filter(date__year=2020).delete()
    CalendarDay.objects.create(date=datetime.date(2026, 12, 15), is_working_day=False, note="测试假日")
    CalendarDay.objects.filter(date=datetime.date(2026, 12, 15)).delete()
    assert _table() == complete


def test_ensure_extends_the_table_when_a_later_date_is_needed():
    far = datetime.date(datetime.date.today().year + 5, 6, 30)
    assert working_day_numbers_ensure(far) is True
    assert WorkingDayNumber.objects.filter(date=datetime.date(far.year, 12, 31)).exists()
    assert working_day_numbers_ensure(far) is False
    # A rebuild never shortens what is there.
    working_day_numbers_rebuild(NUMBERS_FIRST_YEAR, datetime.date.today().year)
    assert WorkingDayNumber.objects.filter(date=datetime.date(far.year, 12, 31)).exists()


def test_the_official_sync_rebuilds_after_changing_rows():
    CalendarDay.objects.filter(date=datetime.date(2026, 10, 5), source="official").delete()
    assert WorkingDayNumber.objects.get(date=datetime.date(2026, 10, 5)).is_working_day  # the receiver ran
    counts = official_calendar_sync()
    assert counts["created"] == 1
    assert not WorkingDayNumber.objects.get(date=datetime.date(2026, 10, 5)).is_working_day
