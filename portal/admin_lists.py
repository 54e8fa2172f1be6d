"""Admin change lists that cost the same few queries whatever the table's size and the page's.

A change list already pays for the session, the user, the second factor, the permissions and the
header (eight queries) before its own two: the page's count and its rows. Whatever else it asks the
database for comes from here instead:

- ``FastListMixin``: no COUNT(*) over the whole of a large table on every page: the planner's
  estimate of an unfiltered list, a filtered one counted up to a thousand rows ("约 N" beyond:
  portal.admin_filters.ApproximateCountPaginator), and never a second count ("of 100,000 in all");
- filters whose choices come from the table (the agencies that occur, the countries present, the
  status codes seen) read them once a minute from the cache, per scope of user, instead of on
  every page: ``cached_filter(...)`` wraps Django's field filters, ``CachedLookupsMixin`` a
  ``SimpleListFilter``. A value that appeared in the last minute shows in the sidebar a minute
  later (at most one filter's choices are read afresh on a page: see _cached);
- ``year_filter(field)``: the years, as the date hierarchy offered them, without its two queries
  (the first and last date, then every distinct year: a scan of the whole table);
- of a list naming three related rows or more (an action item's meeting, agency and person), the
  names read by a subquery each instead of joins, which PostgreSQL would plan afresh on every page
  (portal.expressions.RelatedColumn; _related_read_apart says when).

And ``row_url(view, key)`` for a column of links: the URL reversed once, not once per row
(``row_urls(view)``: the same as a function of the key, for a column made once per page;
``row_uuid_urls(view)`` for a key that is a UUID).
"""

import datetime
import functools
import hashlib
import uuid

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db import models
from django.db.models import Aggregate, CharField, Func, IntegerField, Subquery, Value
from django.db.models.query import ModelIterable, QuerySet
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.admin_filters import ApproximateCountMixin, ValidatedListFilter
from portal.cache import cache_get, cache_set, remembered
from portal.expressions import RelatedColumn
from portal.fields import ChoiceListField
from portal.list_rows import ListRowsIterable, with_rows_read_apart

CHOICES_SECONDS = 60
CHOICES_LAST_SECONDS = 15 * 60  # the last choices read, for a page that has read others afresh
# The kinds of column a list leaves out unless a column is named after it (LeanChangeList): long
# texts, data, and lists of choices (each parsed from its text for every row).
LONG_COLUMNS = (models.TextField, models.JSONField, models.BinaryField, ChoiceListField)
FIRST_YEAR = 2015
# From this many related rows a list joins for their names, it reads them apart (_related_read_apart).
READ_APART_FROM = 3


# Stands for a row's key in a URL reversed once; a number, so that an <int:…> converter takes it.
_KEY = 987654320123
# The same for a key that is a UUID (a <uuid:…> converter): a job's.
_UUID_KEY = uuid.UUID(int=_KEY)


@functools.lru_cache(maxsize=256)
def _reversed(viewname, stand_ins, prefix, urlconf):
    return reverse(viewname, args=stand_ins, urlconf=urlconf)


def row_url(viewname, *keys):
    """reverse(viewname, args=keys) for whole-number keys, as a list's column of links asks it once
    per row: Django's reverse walks the URL patterns each time (a tenth of a 100-row list)."""
    return row_urls(viewname, len(keys))(*keys)


def row_urls(viewname, keys=1):
    """row_url for one view, as a function of the row's keys: the pattern looked up once (a column
    made once per page, portal.admin_cells.per_page)."""
    pattern = _reversed(viewname, tuple(_KEY + index for index in range(keys)), get_script_prefix(), get_urlconf())
    if keys == 1:
        placeholder = str(_KEY)
        return lambda key: pattern.replace(placeholder, str(int(key)), 1)

    def url(*values):
        made = pattern
        for index, key in enumerate(values):
            made = made.replace(str(_KEY + index), str(int(key)), 1)
        return made

    return url


def row_uuid_urls(viewname):
    """row_urls for a view whose one key is a UUID: the URL as a function of the row's key."""
    pattern = _reversed(viewname, (_UUID_KEY,), get_script_prefix(), get_urlconf())
    placeholder = str(_UUID_KEY)
    # A key read from its row is a UUID already; any other is checked to be one (an id in a URL).
    return lambda key: pattern.replace(placeholder, str(key if type(key) is uuid.UUID else uuid.UUID(str(key))), 1)


class FastListMixin(ApproximateCountMixin):
    """For a ModelAdmin: the count of the filtered rows only (the pages need it), never of the
    whole table as well, and estimated where a table is large (ApproximateCountMixin); and only
    the columns the list shows (LeanChangeList): ``list_keep`` names the long ones a column reads
    without being named after them."""

    show_full_result_count = False
    list_keep = ()

    def get_changelist(self, request, **kwargs):
        return _lean(super().get_changelist(request, **kwargs))

    def get_export_queryset(self, request):
        # An export (django-import-export, through the list's ChangeList) writes whole rows: none
        # of the list's deferred columns, which it would otherwise read row by row.
        return super().get_export_queryset(request).defer(None)


class LeanChangeList(ChangeList):
    """A change list that reads only what it shows:

    - of its own rows, all but the long texts, data and lists of choices no column is named after
      (a consultation's question, an audit entry's data, an expert's fields), unless the admin
      keeps them (``list_keep``);
    - of each related row it joins (list_select_related), only the columns its name is made of,
      when the related model says which (``name_fields``, the fields its ``__str__`` reads): a
      case's number instead of its 35 columns, a user's name and e-mail instead of 13.

    A column reading a column left out would cost a query per row; the registry walk
    (tests/portal/test_admin_list_queries.py) counts the queries at 5 and 50 rows and fails then."""

    def get_queryset(self, request, exclude_parameters=None):
        # The joins are read off the query made, not list_select_related alone: Django leaves
        # list_select_related out when the admin's get_queryset joins rows itself.
        qs = super().get_queryset(request, exclude_parameters)
        joined = dict(_joined_paths(self.model, qs.query.select_related))
        deferred = [
            *self._long_columns_not_shown(),
            *(
                f"{path}__{field.name}"
                for path, model in joined.items()
                if (kept := getattr(model, "name_fields", None)) is not None
                for field in model._meta.concrete_fields
                # A key the list joins through to a further row is kept (Django cannot defer it).
                if field.name not in kept and not field.primary_key and f"{path}__{field.name}" not in joined
            ),
        ]
        return qs.defer(*deferred) if deferred else qs

    def get_results(self, request):
        # The page's related rows are read by its own query, column by column (_related_read_apart);
        # an action or an export, which asks get_queryset again, joins them as Django does.
        self.queryset, read_apart = _related_read_apart(self.queryset)
        super().get_results(request)
        # The page's rows, and those alone, made by ListRowsIterable: an action or an export reads
        # the list's queryset too, and gets Django's instances, none shared between rows.
        rows = self.result_list
        if isinstance(rows, QuerySet) and rows._result_cache is None and rows._iterable_class is ModelIterable:
            rows._iterable_class = with_rows_read_apart(read_apart) if read_apart else ListRowsIterable

    def _long_columns_not_shown(self):
        # Read and decoded for every row of the page (a JSON column is parsed), though no cell shows them.
        shown = {name for name in self.list_display if isinstance(name, str)}
        shown.update(self.model_admin.list_keep)
        return [
            field.name
            for field in self.model._meta.concrete_fields
            if isinstance(field, LONG_COLUMNS) and field.name not in shown
        ]


def _related_read_apart(qs):
    """`qs` reading each related row it joins for its name (list_select_related, a model with
    ``name_fields``) by a subquery per column instead, when there are READ_APART_FROM or more; and
    (key, ((annotation, attname), ...)) of each, from which ListRowsIterable makes the related rows.

    PostgreSQL searches the orders in which to join a query's tables anew on every page, and that
    search grows with each table: planning the action items' rows (the meeting, the agency, the
    person and the minutes joined) took 2 ms, four times running them, where one join takes 0.2 ms.
    A subquery is planned alone, and run for the page's rows only (after the sort and the LIMIT).
    With one or two related rows the joins stay: the planner may run a subquery on a small table as
    a scan of the whole table for every row (the API calls' 300 clients: 3 ms more a page)."""
    selected = qs.query.select_related
    if not isinstance(selected, dict):
        return qs, ()
    apart, annotations = [], {}
    for name, further in selected.items():
        field = qs.model._meta.get_field(name)
        related = field.related_model
        kept = getattr(related, "name_fields", None)
        if further or kept is None or not field.many_to_one:
            continue
        columns = []
        for field_name in kept:
            related_field = related._meta.get_field(field_name)
            annotation = f"_apart_{name}_{related_field.attname}"
            annotations[annotation] = RelatedColumn(field.attname, related_field)
            columns.append((annotation, related_field.attname))
        apart.append((name, tuple(columns)))
    if len(apart) < READ_APART_FROM:
        return qs, ()
    qs = qs.annotate(**annotations)
    read_apart = {name for name, _columns in apart}
    qs.query.select_related = {name: further for name, further in selected.items() if name not in read_apart} or False
    return qs, tuple(apart)


def _joined_paths(model, select_related, prefix=""):
    """(path, model) of each related row a query's select_related joins (Django keeps them as a
    nested dict of field names; True, every key, is not walked)."""
    if not isinstance(select_related, dict):
        return []
    found = []
    for name, further in select_related.items():
        related = model._meta.get_field(name).related_model
        path = f"{prefix}{name}"
        found.append((path, related))
        found.extend(_joined_paths(related, further, f"{path}__"))
    return found


@functools.cache
def _lean(changelist):
    if issubclass(changelist, LeanChangeList):
        return changelist
    return type(f"Lean{changelist.__name__}", (LeanChangeList, changelist), {})


def _scope_key(request):
    """Who sees which rows: the choices a filter offers depend on it."""
    user = request.user
    return (
        f"{int(bool(user.is_superuser))}:{getattr(user, 'service_point_id', None)}:"
        f"{getattr(user, 'agency_id', None)}:{int(bool(user.is_staff))}"
    )


class Choices(list):
    """A filter's choices as stored: labels as text, and a digest of them that the filter panel's
    key takes instead of every choice (portal.templatetags.portal_admin_list)."""

    digest = ""


def _as_text(part):
    # A lazy label (a field's choices) is stored as its text: unpickling one builds a lazy object
    # anew, about 0.1 ms each, so that a list of twelve countries took a millisecond to read.
    return str(part) if isinstance(part, Promise) else part


def _stored(choices):
    found = Choices(
        tuple(_as_text(part) for part in choice) if isinstance(choice, list | tuple) else _as_text(choice)
        for choice in choices
    )
    found.digest = hashlib.sha256(repr(list(found)).encode()).hexdigest()[:24]
    return found


def _cached(request, model_admin, name, compute):
    """The filter's choices for this scope of user and language, read at most once a minute, and at
    most one filter's afresh on a page: the choices of a list's filters were read together, so they
    ran out together, and a page read them all at once each minute (three more queries on the API
    calls' list, eleven in all). A page that has read one afresh shows another's that just ran out as
    they were (a few seconds late, kept CHOICES_LAST_SECONDS), and a later page reads it afresh."""
    key = f"admin-choices:{model_admin.model._meta.label}:{name}:{_scope_key(request)}:{get_language()}"

    def the_last_if_one_was_read():
        return cache_get(key + ":last") if request.__dict__.get("_portal_choices_read") else None

    def make():
        request.__dict__["_portal_choices_read"] = True
        choices = _stored(compute())
        cache_set(key + ":last", choices, CHOICES_LAST_SECONDS)
        return choices

    return remembered(key, make, CHOICES_SECONDS, instead=the_last_if_one_was_read)


class CachedLookupsMixin:
    """For a SimpleListFilter whose lookups() reads the database: the choices, a minute late.
    Wraps the lookups() each subclass defines (so it may stand anywhere among the bases)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("lookups")
        if own is None or getattr(own, "cached_choices", False):
            return

        def lookups(self, request, model_admin):
            name = f"{cls.__module__}.{cls.__qualname__}:{self.parameter_name}"
            choices = _cached(request, model_admin, name, lambda: own(self, request, model_admin))
            self.choices_digest = choices.digest
            return choices

        lookups.cached_choices = True
        cls.lookups = lookups


class _CachedFieldChoices:
    """For one of Django's filters of a relation: its field_choices(), a minute late."""

    cache_name = ""

    def field_choices(self, field, request, model_admin):
        choices = _cached(
            request,
            model_admin,
            f"{self.cache_name}:{self.field_path}",
            lambda: super(_CachedFieldChoices, self).field_choices(field, request, model_admin),
        )
        self.choices_digest = choices.digest
        return choices


class CachedRelatedFieldListFilter(_CachedFieldChoices, admin.RelatedFieldListFilter):
    cache_name = "related"


class CachedRelatedOnlyFieldListFilter(_CachedFieldChoices, admin.RelatedOnlyFieldListFilter):
    cache_name = "related-only"


class CachedAllValuesFieldListFilter(admin.AllValuesFieldListFilter):
    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        values = self.lookup_choices  # a lazy query: read only when the cache has no copy
        self.lookup_choices = _cached(request, model_admin, f"values:{field_path}", lambda: list(values))
        self.choices_digest = self.lookup_choices.digest


def cached_filter(field_path, *, only_related=False):
    """A list_filter entry for a field whose choices come from the table, read a minute late:
    a foreign key (all targets, or with only_related those in use) or a plain field (the values seen)."""
    return (field_path, CachedRelatedOnlyFieldListFilter if only_related else CachedFieldListFilter)


class CachedFieldListFilter(admin.FieldListFilter):
    """Becomes the cached filter that fits the field: the admin instantiates the class named in
    list_filter (which its checks require to be a FieldListFilter), so the choice is made here."""

    def __new__(cls, field, request, params, model, model_admin, field_path):
        kind = CachedRelatedFieldListFilter if field.is_relation else CachedAllValuesFieldListFilter
        return kind(field, request, params, model, model_admin, field_path)


YEAR = _("年度")


def year_filter(field_name, title=YEAR, first_year=FIRST_YEAR):
    """A list filter on the year of a date or date-time field, with the years from first_year to
    this one as its choices (no query); the filter itself is a range, which the field's index serves."""

    class YearFilter(ValidatedListFilter):
        parameter_name = f"{field_name}_year"

        def lookups(self, request, model_admin):
            this_year = timezone.localdate().year
            return [(str(year), str(year)) for year in range(this_year, first_year - 1, -1)]

        def queryset(self, request, queryset):
            if not self.value():
                return queryset
            year = int(self.value())
            field = queryset.model._meta.get_field(field_name)
            first, after = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
            if field.get_internal_type() == "DateTimeField":
                zone = timezone.get_current_timezone()
                first = datetime.datetime.combine(first, datetime.time(), tzinfo=zone)
                after = datetime.datetime.combine(after, datetime.time(), tzinfo=zone)
            return queryset.filter(**{f"{field_name}__gte": first, f"{field_name}__lt": after})

    YearFilter.title = title
    YearFilter.__name__ = YearFilter.__qualname__ = f"{field_name.title().replace('_', '')}YearFilter"
    return YearFilter


class JoinedText(Aggregate):
    """The values of a text column joined by a separator, in one column of the rows' own query:
    STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite. For a list column that would otherwise need a
    query per row (or a prefetch: one more query per page)."""

    function = "STRING_AGG"
    output_field = CharField()

    def __init__(self, expression, separator="、", **extra):
        super().__init__(expression, Value(separator), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


class JSONArrayLength(Func):
    """The number of items of a JSON array column, in the rows' own query: for a list column that
    shows how many, without reading every row's array (PostgreSQL's jsonb_array_length, SQLite's
    json_array_length)."""

    function = "jsonb_array_length"
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="json_array_length", **extra_context)


def joined_subquery(queryset, group_field, text_field, separator="、"):
    """A Subquery of `queryset` (filtered on OuterRef already) giving its `text_field` values joined,
    sorted by that field."""
    rows = queryset.order_by(text_field).values(group_field)
    return Subquery(rows.annotate(joined=JoinedText(text_field, separator)).values("joined")[:1])
