"""The working-day calendar: Monday to Friday, corrected by the CalendarDay exceptions
(public holidays, and the weekend make-up days of 调休).

The State Council's yearly arrangements come from the maintained `chinesecalendar` library:
a data migration loads them on install and a daily task (portal.tasks) loads the years a
library upgrade brings. Days that staff entered or edited in the admin always win.
"""

import contextlib
import datetime
import threading

from chinese_calendar import constants as official
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from portal.models import CalendarDay, WorkingDayNumber

# The first year loaded from the library: deadlines are never counted further back.
OFFICIAL_FIRST_YEAR = 2024
# The working-day numbers start here: statistics never look further back.
NUMBERS_FIRST_YEAR = 2015
# ...and reach this many years past the current one (deadlines and due dates lie ahead).
NUMBERS_YEARS_AHEAD = 2
# From this month on, staff are warned when next year's calendar is still missing.
WARN_FROM_MONTH = 11

# The library's short names, as the State Council's notices write them.
_FESTIVAL_NAMES = {"清明": "清明节", "端午": "端午节", "中秋": "中秋节"}


def _exceptions_between(start, end):
    return dict(CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_working_day"))


def is_working_day(day, exceptions=None):
    if exceptions is None:
        exceptions = _exceptions_between(day, day)
    if day in exceptions:
        return exceptions[day]
    return day.weekday() < 5


def add_working_days(start, days):
    """The date `days` working days after `start` (start itself not counted).

    Reads the exceptions for a generous window in one query; a long holiday plus
    weekends never stretches `days` working days beyond three times as many calendar days
    plus a month.
    """
    if isinstance(start, datetime.datetime):
        start = start.date()
    window_end = start + datetime.timedelta(days=days * 3 + 31)
    exceptions = _exceptions_between(start, window_end)
    day = start
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day, exceptions):
            remaining -= 1
    return day


def working_days_between(start, end):
    """Working days after `start` up to and including `end` (0 when end <= start);
    negative when end is before start, so that 'overdue by N working days' reads naturally."""
    if isinstance(start, datetime.datetime):
        start = start.date()
    if isinstance(end, datetime.datetime):
        end = end.date()
    if end == start:
        return 0
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    exceptions = _exceptions_between(start, end)
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day, exceptions):
            count += 1
    return sign * count


# --- the official calendar ----------------------------------------------------------------


def _festival(english_name):
    try:
        chinese = official.Holiday(english_name).chinese
    except ValueError:
        return english_name
    return _FESTIVAL_NAMES.get(chinese, chinese)


def official_exceptions(first_year=OFFICIAL_FIRST_YEAR):
    """{date: (is_working_day, note)}: the holidays and make-up working days that the
    installed chinesecalendar publishes, from `first_year` on."""
    days = {}
    for day, name in official.holidays.items():
        if day.year >= first_year:
            days[day] = (False, _festival(name))
    for day, name in official.workdays.items():
        if day.year >= first_year:
            days[day] = (True, f"{_festival(name)}调休")
    return days


def official_calendar_sync(*, by=None, model=CalendarDay, first_year=OFFICIAL_FIRST_YEAR):
    """Bring the calendar up to date with the installed library. Safe to run any number of
    times. Days entered or edited by staff (source "manual") are never touched; days loaded
    earlier that the library has since corrected or withdrawn are updated or removed.

    `model` lets the data migration pass its historical model. Returns the counts.
    """
    wanted = official_exceptions(first_year)
    counts = {"created": 0, "updated": 0, "removed": 0}
    with transaction.atomic():
        existing = {row.date: row for row in model.objects.select_for_update().filter(date__year__gte=first_year)}
        created, updated, removed = [], [], []
        for day, (working, note) in sorted(wanted.items()):
            row = existing.get(day)
            if row is None:
                created.append(model(date=day, is_working_day=working, note=note, source="official"))
            elif row.source == "official" and (row.is_working_day, row.note) != (working, note):
                row.is_working_day, row.note = working, note
                updated.append(row)
        official_years = {day.year for day in wanted}
        for day, row in existing.items():
            if row.source == "official" and day not in wanted and day.year in official_years:
                removed.append(row.pk)
        model.objects.bulk_create(created)
        model.objects.bulk_update(updated, ["is_working_day", "note"])
        model.objects.filter(pk__in=removed).delete()
        counts.update(created=len(created), updated=len(updated), removed=len(removed))
        if model is CalendarDay:
            # The working-day numbers follow the calendar, and always reach two years ahead (the
            # daily task extends them each new year).
            working_day_numbers_follow_calendar()
    return counts


def missing_calendar_years(today=None):
    """The years whose holiday arrangements are missing and that deadlines will soon need:
    this year, and from November on next year too. A year counts as present once it has
    any exception (every year has at least New Year's Day)."""
    today = today or timezone.localdate()
    years = [today.year]
    if today.month >= WARN_FROM_MONTH:
        years.append(today.year + 1)
    present = {day.year for day in CalendarDay.objects.filter(date__year__in=years).dates("date", "year")}
    return [year for year in years if year not in present]


# --- working-day numbers -------------------------------------------------------------------


def _numbers_cover(day, number_model=WorkingDayNumber):
    return number_model.objects.filter(date__gte=day).exists()


def working_day_numbers_rebuild(
    first_year=NUMBERS_FIRST_YEAR, last_year=None, *, calendar_model=CalendarDay, number_model=WorkingDayNumber
):
    """Fill `WorkingDayNumber` with every date from 1 January `first_year` to 31 December
    `last_year` (default: this year + 2, or further if the table already reaches further),
    numbered by the working days from the first date up to and including each date — the
    rule of `is_working_day`. One transaction, bulk: a few thousand rows.

    Working days after `a` up to and including `b` are then number(b) − number(a), which is
    `working_days_between(a, b)`. The models can be passed in for the data migration."""
    if last_year is None:
        last_year = timezone.localdate().year + NUMBERS_YEARS_AHEAD
    with transaction.atomic():
        latest = number_model.objects.order_by("-date").values_list("date", flat=True).first()
        if latest is not None and latest.year > last_year:
            last_year = latest.year
        first, last = datetime.date(first_year, 1, 1), datetime.date(last_year, 12, 31)
        exceptions = dict(
            calendar_model.objects.filter(date__gte=first, date__lte=last).values_list("date", "is_working_day")
        )
        rows = []
        number = 0
        day = first
        one = datetime.timedelta(days=1)
        while day <= last:
            working = is_working_day(day, exceptions)
            number += working
            rows.append(number_model(date=day, number=number, is_working_day=working))
            day += one
        number_model.objects.all().delete()
        number_model.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


# More changed days than this are written by a rebuild: one pass over every row then costs less
# than moving the rest of the table once for each.
_MOST_DAYS_MOVED_ONE_BY_ONE = 20


def working_day_numbers_follow_calendar():
    """Put the numbers in step with the calendar after days were added, edited or deleted.

    A day whose status changed moves the number of every date from it on by one, up or down. The
    dates whose stored status differs from the calendar's are found in one pass, and each moves
    the rest of the table in one UPDATE: a day edited in the admin costs a few queries instead of
    writing every row again (about 5,000 rows, 0.2–0.5 s). The table is rebuilt when it does not
    hold every date from its first year to two years ahead, or when many days changed."""
    first = datetime.date(NUMBERS_FIRST_YEAR, 1, 1)
    last_year = timezone.localdate().year + NUMBERS_YEARS_AHEAD
    with transaction.atomic():
        # The first row stands for the table: a second change waits here until this one is done,
        # then reads the numbers as it left them.
        WorkingDayNumber.objects.select_for_update().filter(date=first).first()
        stored = list(WorkingDayNumber.objects.order_by("date").values_list("date", "is_working_day"))
        whole = (
            stored
            and stored[0][0] == first
            and stored[-1][0] >= datetime.date(last_year, 12, 31)
            and len(stored) == (stored[-1][0] - first).days + 1
        )
        if not whole:
            working_day_numbers_rebuild(first.year, last_year)
            return
        exceptions = _exceptions_between(first, stored[-1][0])
        changed = [(day, not was) for day, was in stored if is_working_day(day, exceptions) != was]
        if len(changed) > _MOST_DAYS_MOVED_ONE_BY_ONE:
            working_day_numbers_rebuild(first.year, last_year)
            return
        # In date order, so that no number goes below zero on the way.
        for day, working in changed:
            WorkingDayNumber.objects.filter(date__gte=day).update(number=F("number") + (1 if working else -1))
        for working in (True, False):
            days = [day for day, now in changed if now is working]
            if days:
                WorkingDayNumber.objects.filter(date__in=days).update(is_working_day=working)


def working_day_numbers_ensure(day, *, calendar_model=CalendarDay, number_model=WorkingDayNumber):
    """Make the numbers reach `day` (a date far ahead asked by a deadline or a period);
    rebuilds when the table is empty or ends before it. Returns True when it rebuilt."""
    if number_model.objects.filter(date__lte=datetime.date(NUMBERS_FIRST_YEAR, 1, 1)).exists() and _numbers_cover(
        day, number_model
    ):
        return False
    last_year = max(day.year, timezone.localdate().year + NUMBERS_YEARS_AHEAD)
    working_day_numbers_rebuild(NUMBERS_FIRST_YEAR, last_year, calendar_model=calendar_model, number_model=number_model)
    return True


# Set inside renumbering_once(): whether a calendar day changed meanwhile.
_deferred = threading.local()


@contextlib.contextmanager
def renumbering_once():
    """Calendar days saved or deleted inside renumber the table once, at the end, instead of once
    each: deleting a year's days one signal at a time rebuilt the whole table for every day."""
    if getattr(_deferred, "changed", None) is not None:  # inside another: that one renumbers
        yield
        return
    _deferred.changed = False
    try:
        yield
        changed = _deferred.changed
    finally:
        _deferred.changed = None
    if changed:
        working_day_numbers_follow_calendar()


def calendar_day_changed(sender, instance=None, **kwargs):
    """post_save / post_delete of a CalendarDay (staff edit days in the admin): renumber.
    Raw saves (fixture loading) are left alone; the loader rebuilds once at the end."""
    if kwargs.get("raw"):
        return
    if getattr(_deferred, "changed", None) is not None:
        _deferred.changed = True
        return
    working_day_numbers_follow_calendar()


def numbers_after_migrate(sender, using="default", **kwargs):
    """After migrate or flush (the test runner's transactional tests empty every table):
    fill the numbers if the table is empty or ends too early."""
    working_day_numbers_ensure(datetime.date(timezone.localdate().year + NUMBERS_YEARS_AHEAD, 12, 31))
