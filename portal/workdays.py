"""The working-day calendar: Monday to Friday, corrected by the CalendarDay exceptions
that staff keep (public holidays, and the weekend make-up days of 调休)."""

import datetime

from portal.models import CalendarDay


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
