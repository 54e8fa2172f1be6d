import datetime

import pytest

from portal.demo import seed_calendar
from portal.workdays import add_working_days, working_days_between

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
