"""portal.date_display shows every date, time and date-time as Django's formats.localize of
timezone.template_localtime would, in both languages and any time zone."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import formats, timezone, translation
from django.utils.dateformat import DateFormat, TimeFormat

from portal.date_display import DateDisplay, formatted

UTC = datetime.UTC
VALUES = [
    datetime.datetime(2026, 1, 1, 0, 0, tzinfo=UTC),  # midnight in UTC, morning in Shanghai
    datetime.datetime(2026, 2, 16, 4, 0, tzinfo=UTC),  # noon in Shanghai ("noon" in English)
    datetime.datetime(2026, 9, 30, 16, 0, tzinfo=UTC),  # midnight in Shanghai
    datetime.datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),  # a new year in Shanghai
    datetime.datetime(2026, 5, 3, 7, 5, 9, tzinfo=ZoneInfo("America/New_York")),
    datetime.datetime(2026, 7, 4, 13, 30),  # naive
    datetime.date(2026, 3, 8),
    datetime.date(1999, 12, 31),
    datetime.time(0, 0),
    datetime.time(12, 0),
    datetime.time(23, 7, 5),
]
# Every format character Django knows, and escaped text among them.
EVERY_CHARACTER = r"a A b c d D e E f F g G h H i I j l L m M n N o O P r s S t T U u w W y Y z Z \Y\e\a\r年"
DATE_CHARACTERS = r"b c d D E F I j l L m M n N o r S t U w W y Y z \d\a\y 年n月j日"
TIME_CHARACTERS = r"a A e f g G h H i O P s T u Z \h"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "America/Los_Angeles"])
def test_each_value_is_shown_as_django_shows_it(language, zone):
    with translation.override(language), timezone.override(ZoneInfo(zone)):
        display = DateDisplay()
        for value in VALUES:
            assert display(value) == formats.localize(timezone.template_localtime(value)), value


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_format_character_as_django(language):
    with translation.override(language):
        for value in VALUES:
            if isinstance(value, datetime.datetime):
                assert formatted(value, EVERY_CHARACTER) == DateFormat(value).format(EVERY_CHARACTER)
            elif isinstance(value, datetime.date):
                assert formatted(value, DATE_CHARACTERS) == DateFormat(value).format(DATE_CHARACTERS)
            else:
                assert formatted(value, TIME_CHARACTERS, TimeFormat) == TimeFormat(value).format(TIME_CHARACTERS)


# Formats of numbers only, which are written without a DateFormat.
DATE_NUMBER_FORMATS = [r"Y年n月j日", "d.m.Y", "j", "Y", "y"]
NUMBER_FORMATS = [r"Y年n月j日 H:i", "Y-m-d H:i:s", r"y/n/j G:i \Y", "s", "{Y}-{{m}}", *DATE_NUMBER_FORMATS]
TIME_NUMBER_FORMATS = ["H:i", "G:i:s", r"H\h i"]


def test_formats_of_numbers_only_as_django():
    for value in VALUES:
        if isinstance(value, datetime.datetime):
            for format_string in NUMBER_FORMATS:
                assert formatted(value, format_string) == DateFormat(value).format(format_string), format_string
        elif isinstance(value, datetime.date):
            for format_string in DATE_NUMBER_FORMATS:
                assert formatted(value, format_string) == DateFormat(value).format(format_string), format_string
        else:
            for format_string in TIME_NUMBER_FORMATS:
                assert formatted(value, format_string, TimeFormat) == TimeFormat(value).format(format_string)
    with pytest.raises(TypeError, match="time-related format specifiers"):
        formatted(datetime.date(2026, 3, 8), "Y-m-d H:i")


def test_a_time_format_for_a_date_is_djangos_error():
    with pytest.raises(TypeError, match="time-related format specifiers"):
        formatted(datetime.date(2026, 3, 8), "Y H:i")


def test_a_value_that_is_not_a_date_is_localized_as_django_does():
    with translation.override("en"):
        display = DateDisplay()
        assert display(1234567) == formats.localize(1234567)
        assert display("text") == "text"
