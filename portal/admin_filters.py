"""Admin change lists that answer junk in their query string with the admin's own notice, never a 500.

The admin turns a filter value it cannot use into "IncorrectLookupParameters": the list is shown
again unfiltered with the notice that the filter was not understood (``?e=1``). Two kinds of input
escape that today and reach the database or Python's date arithmetic instead:

- a project filter (``SimpleListFilter``) whose value goes straight into a query, e.g.
  ``?handler=abc`` or ``?agency=99999999999999999999``. ``ValidatedListFilter`` accepts only the
  values the filter itself offers in the sidebar;
- the date hierarchy with an absurd year (``?submitted_at__year=99999999999999999999``), which
  Django reads with ``int()`` and hands to ``datetime()``: ``DateHierarchyGuardMixin`` refuses it.
"""

import datetime

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext as django_gettext

from portal.admin_cells import per_page
from portal.cache import remembered
from portal.fields import ChoiceListField
from portal.form_renderer import escaped


class ValidatedListFilter(admin.SimpleListFilter):
    """A list filter that takes only one of its own choices (``lookups()``) as its value."""

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        value = self.value()
        if value is not None and value not in {str(choice) for choice, _label in self.lookup_choices}:
            raise IncorrectLookupParameters(f"{self.parameter_name}={value[:40]!r} is not one of the filter's choices")


def cached_lookups(key, compute, seconds=60):
    """A filter's choices that may show a minute late (the handlers, the agencies): from the cache,
    else `compute()` (a list of (value, label)) stored for `seconds`."""
    return remembered(key, lambda: [(str(value), str(label)) for value, label in compute()], seconds)


class ChoiceListFilter(ValidatedListFilter):
    """Filter on one tick of a multiple-choice answer (a ChoiceListField, stored as "|a|b|"):
    `field_name` names the field, `options` the ticks offered (or override `lookups`)."""

    field_name = ""
    options = ()

    def lookups(self, request, model_admin):
        return self.options

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{self.field_name}__contains": ChoiceListField.contains(self.value())})
        return queryset


class _GuardedChangeList(ChangeList):
    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except OverflowError as exc:  # a date hierarchy year, month or day too large for a date
            raise IncorrectLookupParameters(exc) from exc


class DateHierarchyGuardMixin:
    """For a ModelAdmin with ``date_hierarchy``: an impossible year, month or day is an incorrect lookup."""

    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        if changelist is ChangeList:
            return _GuardedChangeList
        return type(f"Guarded{changelist.__name__}", (_GuardedChangeList, changelist), {})


# --- Lists of a hundred thousand rows and more ---------------------------------------------------


class ApproximateCountPaginator(Paginator):
    """A paginator that does not count a large table row by row on every page (PostgreSQL).

    The whole list (no filter, no search) is counted from the planner's statistics
    (``pg_class.reltuples``, kept by autovacuum's ANALYZE); a filtered list is counted exactly
    up to ``exact_below`` rows, and beyond that estimated from the plan (``EXPLAIN``): counting
    a few thousand rows of a filter with no index of its own (a two-character search) would cost
    more than the rest of the page. An estimate sets ``approximate``: the page shows "约 N".
    ``exact_below = None`` counts exactly (the statistics page's lists, ApproximateCountMixin).
    Other databases, and small tables, count exactly.
    The reltuples estimate of the unfiltered table is the well-known "LargeTablePaginator"
    (djangosnippets 2593; the PostgreSQL wiki's "Count estimate"); the capped exact count keeps a
    filtered list's small numbers exact, where the plan's guess could be far off."""

    exact_below = 1_000

    approximate = False

    @cached_property
    def count(self):
        queryset = self.object_list
        exact = self.exact_below is None
        if exact or not isinstance(queryset, QuerySet) or connections[queryset.db].vendor != "postgresql":
            return super().count
        if not queryset.query.where and not queryset.query.distinct:
            estimate = table_estimate(queryset.model, queryset.db)
            if estimate > self.exact_below:
                self.approximate = True
                return estimate
        counted, estimate = capped_count(queryset, self.exact_below)
        if estimate is None:
            return counted
        self.approximate = True
        return max(estimate, counted)


def table_estimate(model, using="default"):
    """The planner's row count of `model`'s table (-1 when never analysed), read at most once a minute."""

    def read():
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table])
            row = cursor.fetchone()
        return row[0] if row else -1

    return remembered(f"admin:table-estimate:{using}:{model._meta.db_table}", read, 60)


def capped_count(queryset, cap):
    """(the exact number of rows of `queryset` up to cap + 1, the planner's estimate when there are
    more) in one query, with the function of cases/migrations/0012 (PostgreSQL)."""
    query = queryset.order_by().values("pk").query
    try:
        sql, params = query.sql_with_params()
    except EmptyResultSet:  # a condition no row can meet (a day 99999999999999999999): nothing to count
        return 0, None
    with connections[queryset.db].cursor() as cursor:
        literal = cursor.mogrify(sql, params)
        literal = literal.decode() if isinstance(literal, bytes) else literal
        cursor.execute(
            f"SELECT n, CASE WHEN n > %s THEN portal_count_estimate(%s) END "  # noqa: S608 (the ORM's own SQL)
            f"FROM (SELECT count(*) AS n FROM ({sql} LIMIT %s) AS capped) AS counted",
            [cap, literal, *params, cap + 1],
        )
        return cursor.fetchone()


class FastActionCheckboxMixin:
    """The list's action checkbox written straight as HTML (PortalAdminSite gives it to every list):
    Django renders it through the form widget templates, a quarter of a 50-row page's time. Same
    markup, same name, value and label; the label's words translated once per page."""

    @per_page
    def action_checkbox(self):
        # format_html's output, without its machinery (once per row): each value escaped, the
        # label's translated text taken as it is, as format_html takes its format string.
        label = django_gettext("Select this object for an action - {}")

        def checkbox(obj):
            return SafeString(  # each value escaped (SafeString: mark_safe without its check for lazy text)
                f'<input type="checkbox" name="{helpers.ACTION_CHECKBOX_NAME}" value="{escaped(obj.pk)}" '
                f'class="action-select" aria-label="{label.format(escaped(str(obj)))}">'
            )

        return checkbox


class ApproximateCountMixin:
    """For a ModelAdmin of a large table: the paginator above, and ``cl.approximate_count`` for the
    templates (its pagination.html shows "约" before an estimate)."""

    paginator = ApproximateCountPaginator
    # A list the statistics page links to (a period's cut, a workstation's, the open cases) shows
    # exactly as many rows as the figure it came from (reporting.exports.DrillDown).
    exact_count_parameters = ("point_scope", "status__in")
    exact_count_suffixes = ("_from", "_to")

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        paginator = super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)
        if any(name in self.exact_count_parameters or name.endswith(self.exact_count_suffixes) for name in request.GET):
            paginator.exact_below = None
        return paginator

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        changelist.approximate_count = getattr(changelist.paginator, "approximate", False)
        return changelist


class PeriodsFromRangeQuerySet(QuerySet):
    """The date hierarchy's years (months, days) from the first and the last date of the whole
    table, read with one MIN/MAX on an index at most once a minute, instead of a DISTINCT over every
    listed row (a second at a million rows): each period between the first and the last is offered,
    one without rows of the filtered list included (it opens an empty list)."""

    def aggregate(self, *args, **kwargs):
        first, last = kwargs.get("first"), kwargs.get("last")
        if not args and len(kwargs) == 2 and isinstance(first, Min) and isinstance(last, Max):
            field_name = first.source_expressions[0].name
            if last.source_expressions[0].name == field_name:
                return dict(zip(("first", "last"), self._range(field_name), strict=True))
        return super().aggregate(*args, **kwargs)

    def _range(self, field_name):
        def read():
            found = self.model._default_manager.using(self.db).aggregate(first=Min(field_name), last=Max(field_name))
            return found["first"], found["last"]

        return remembered(f"admin:date-range:{self.db}:{self.model._meta.db_table}:{field_name}", read, 60)

    def _periods(self, field_name, kind, convert):
        first, last = self._range(field_name)
        if first is None or last is None or kind not in ("year", "month", "day"):
            return None
        first, last = convert(first), convert(last)
        periods, day = [], datetime.date(first.year, 1 if kind == "year" else first.month, 1)
        if kind == "day":
            day = first
        while day <= last:
            periods.append(day)
            if kind == "year":
                day = datetime.date(day.year + 1, 1, 1)
            elif kind == "month":
                day = datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)
            else:
                day += datetime.timedelta(days=1)
        return periods

    def dates(self, field_name, kind, order="ASC"):
        periods = self._periods(field_name, kind, lambda value: value)
        if periods is None:
            return super().dates(field_name, kind, order)
        return periods if order == "ASC" else periods[::-1]

    def datetimes(self, field_name, kind, order="ASC", tzinfo=None):
        zone = tzinfo or timezone.get_current_timezone()
        periods = self._periods(field_name, kind, lambda value: timezone.localtime(value, zone).date())
        if periods is None:
            return super().datetimes(field_name, kind, order, tzinfo)
        moments = [datetime.datetime(day.year, day.month, day.day, tzinfo=zone) for day in periods]
        return moments if order == "ASC" else moments[::-1]


def with_periods_from_range(queryset):
    """`queryset` as a PeriodsFromRangeQuerySet (for a ModelAdmin's get_queryset with a date hierarchy)."""
    queryset = queryset.all()
    queryset.__class__ = type(
        "PeriodsFromRange" + type(queryset).__name__, (PeriodsFromRangeQuerySet, type(queryset)), {}
    )
    return queryset


class DateRangeFilter(admin.ListFilter):
    """`<prefix>_from` and `<prefix>_to` (YYYY-MM-DD, both days included, either may be left out),
    read together so that one row must fall in the whole range. Shown in the sidebar only while in
    use (the statistics page's links set it); a date that is not a date is the admin's own notice."""

    prefix = ""
    template = "admin/filter.html"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.bounds = {}
        for name in self.expected_parameters():
            if name not in params:
                continue
            raw = params.pop(name)
            raw = raw[-1] if isinstance(raw, list) else raw
            try:
                self.bounds[name] = datetime.date.fromisoformat(raw.strip())
            except ValueError:
                raise IncorrectLookupParameters(f"{name}={raw[:20]!r} is not a date") from None

    def expected_parameters(self):
        return [f"{self.prefix}_from", f"{self.prefix}_to"]

    def has_output(self):
        return bool(self.bounds)

    def choices(self, changelist):
        first, last = (self.bounds.get(name) for name in self.expected_parameters())
        yield {
            "selected": False,
            "query_string": changelist.get_query_string(remove=self.expected_parameters()),
            "display": _("全部"),
        }
        yield {
            "selected": True,
            "query_string": changelist.get_query_string(),
            "display": f"{first.isoformat() if first else '…'} — {last.isoformat() if last else '…'}",
        }

    def queryset(self, request, queryset):
        if not self.bounds:
            return queryset
        first, last = (self.bounds.get(name) for name in self.expected_parameters())
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz) if first else None
        end = None
        if last:
            end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        return self.filter_range(queryset, start, end)

    def filter_range(self, queryset, start, end):
        return queryset.filter(self.between(self.field_name, start, end))

    @staticmethod
    def between(field, start, end):
        q = Q()
        if start is not None:
            q &= Q(**{f"{field}__gte": start})
        if end is not None:
            q &= Q(**{f"{field}__lt": end})
        return q
