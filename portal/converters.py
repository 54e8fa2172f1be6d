"""Ids in URLs and in submitted data, read safely.

Every primary key is a PostgreSQL bigint (``DEFAULT_AUTO_FIELD`` is ``BigAutoField``). A larger
number in a URL or a form cannot name a row, and handed to the database it fails ("bigint out of
range" on PostgreSQL, an OverflowError on SQLite) instead of simply finding nothing. The ``id`` path
converter refuses such a number, and zero, so the URL does not match and the visitor gets the
404 page; ``parse_int`` reads a number from submitted text and answers None when there is none.

URL patterns use ``<id:pk>`` for every row id (registered when the root URL conf imports this module).
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import register_converter

MAX_ID = 2**63 - 1  # the largest PostgreSQL bigint


def parse_int(value, *, minimum=None, maximum=MAX_ID):
    """The integer written in `value` (a string or a number), or None when it is not one within
    [minimum, maximum]. Never raises on user input."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        if not text or len(text) > 20 or not text.lstrip("+-").isascii() or not text.lstrip("+-").isdigit():
            return None
        number = int(text)
    if minimum is not None and number < minimum:
        return None
    if maximum is not None and number > maximum:
        return None
    return number


def parse_id(value):
    """A row id from submitted text (1 … the largest bigint), or None."""
    return parse_int(value, minimum=1)


def get_by_id_or_404(queryset, value, **filters):
    """The row whose id is written in `value` (a URL part or a posted field); 404 when `value` is no id."""
    pk = parse_id(value)
    if pk is None:
        raise Http404
    return get_object_or_404(queryset, pk=pk, **filters)


class IdConverter:
    """A row id: digits that name a possible primary key (1 … the largest bigint)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value):
        number = parse_id(value)
        if number is None:
            raise ValueError(value)  # the pattern does not match: 404
        return number

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "id")
