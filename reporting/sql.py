"""The SQL pieces the statistics need and the ORM does not have: percentiles, the
working-day number of a date, and counting each tick of a multi-tick answer.

PostgreSQL is the database the figures are made for; SQLite (development only) gets
equivalents that give the same numbers."""

import json
import re

from django.db import connection as default_connection
from django.db.models import Aggregate, Field, FloatField, Func, IntegerField, Value
from django.db.models.functions import TruncDate

from portal.models import WorkingDayNumber

# --- percentiles ---------------------------------------------------------------------------


class _SQLitePercentile:
    """percentile_cont for SQLite: the same linear interpolation as PostgreSQL's."""

    def __init__(self):
        self.values = []
        self.fraction = 0.5

    def step(self, value, fraction):
        self.fraction = fraction
        if value is not None:
            self.values.append(value)

    def finalize(self):
        return interpolate(sorted(self.values), self.fraction)


def interpolate(ordered, fraction):
    """The value at `fraction` of the sorted list, linearly interpolated between the two
    nearest ranks (PostgreSQL's percentile_cont)."""
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return float(ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower))


SQLITE_PERCENTILE = "reporting_percentile_cont"


class PercentileCont(Aggregate):
    """`percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)`, with FILTER when given
    one: the median is `PercentileCont(expr, 0.5)`, the 90th percentile `PercentileCont(expr, 0.9)`."""

    function = "percentile_cont"
    name = "PercentileCont"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction, **extra):
        fraction = float(fraction)
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be between 0 and 1")
        super().__init__(expression, fraction=repr(fraction), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        connection.ensure_connection()
        connection.connection.create_aggregate(SQLITE_PERCENTILE, 2, _SQLitePercentile)
        clone = self.copy()
        clone.function = SQLITE_PERCENTILE
        clone.template = "%(function)s(%(expressions)s, %(fraction)s)"
        return clone.as_sql(compiler, connection, **extra_context)


class _SQLitePercentiles(_SQLitePercentile):
    def step(self, value, fractions):
        super().step(value, fractions)

    def finalize(self):
        ordered = sorted(self.values)
        return json.dumps([interpolate(ordered, fraction) for fraction in json.loads(self.fraction)])


class _Values(Field):
    """A result passed through as the driver gives it (PostgreSQL's float8[] is a list)."""


class PercentilesCont(Aggregate):
    """Several percentiles of one expression in one pass over the rows:
    `percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY expression)`. The expression is
    computed once per row whatever the number of fractions. Returns a list of floats (or
    Nones), read with `percentiles_list`."""

    function = "percentile_cont"
    name = "PercentilesCont"
    output_field = _Values()
    template = "%(function)s(ARRAY[%(fractions)s]) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fractions, **extra):
        fractions = [float(f) for f in fractions]
        if not fractions or not all(0 <= f <= 1 for f in fractions):
            raise ValueError("fractions must be between 0 and 1")
        super().__init__(expression, fractions=", ".join(repr(f) for f in fractions), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        connection.ensure_connection()
        connection.connection.create_aggregate(SQLITE_PERCENTILES, 2, _SQLitePercentiles)
        clone = self.copy()
        clone.function = SQLITE_PERCENTILES
        clone.template = "%(function)s(%(expressions)s, '[%(fractions)s]')"
        return clone.as_sql(compiler, connection, **extra_context)


SQLITE_PERCENTILES = "reporting_percentiles_cont"


def percentiles_list(value, count):
    """The list PercentilesCont gave: [None] * count over no rows."""
    if value is None:
        return [None] * count
    if isinstance(value, str):
        value = json.loads(value)
    return [None if v is None else float(v) for v in value]


# --- working days --------------------------------------------------------------------------


class WorkingDayNumberOf(Func):
    """The working-day number of a date (portal.models.WorkingDayNumber): the difference of
    two is the working days after the first up to and including the second. NULL for a date
    the table does not reach."""

    output_field = IntegerField()
    template = "(SELECT wdn.number FROM %(table)s wdn WHERE wdn.date = %(expressions)s)"
    arity = 1

    def as_sql(self, compiler, connection, **extra_context):
        table = connection.ops.quote_name(WorkingDayNumber._meta.db_table)
        return super().as_sql(compiler, connection, table=table, **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        # A lookup per row (a correlated subquery: an index probe for each of a year's rows)
        # cost more than the aggregate itself. Instead the whole table is read once per query
        # into an array (an uncorrelated subquery: PostgreSQL runs it once, a few thousand
        # rows) and each date picks its number by position. The table is dense (one row per
        # date, `working_day_numbers_rebuild`), so position = days since its first date; a
        # date outside it gives NULL, as the lookup did.
        table = connection.ops.quote_name(WorkingDayNumber._meta.db_table)
        template = (
            f"(SELECT array_agg(wdn.number ORDER BY wdn.date) FROM {table} wdn)"  # noqa: S608
            f"[(%(expressions)s) - (SELECT min(wdn.date) FROM {table} wdn) + 1]"
        )
        return super().as_sql(compiler, connection, template=template, **extra_context)


def local_day(field):
    """The date of a timestamp in the portal's time zone (Asia/Shanghai)."""
    return TruncDate(field)


def working_days(start_field, end_field, *, start_is_date=False, end_is_date=False):
    """Working days from the local date of `start_field` to that of `end_field`."""
    start = start_field if start_is_date else local_day(start_field)
    end = end_field if end_is_date else local_day(end_field)
    return WorkingDayNumberOf(end) - WorkingDayNumberOf(start)


# --- multi-tick answers --------------------------------------------------------------------

_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


def _ticks_sql(vendor, column):
    """FROM-clause items that give one row `tick` per tick of a "|a|b|" column."""
    if vendor == "postgresql":
        return f"unnest(string_to_array(trim(both '|' from base.{column}), '|')) AS t(tick)"
    # SQLite: turn "|a|b|" into the JSON array ["a","b"] and walk it with json_each.
    return f"""json_each('["' || replace(trim(base.{column}, '|'), '|', '","') || '"]') AS t"""


def count_by_dimension(queryset, dimensions, *, connection=default_connection):
    """Count the rows of `queryset` (a .values() queryset whose columns are named by
    `dimensions`) per value of each dimension, in ONE query: a UNION ALL over the queryset's
    SQL. `dimensions` maps a column alias to "multi" (a "|a|b|" answer: counted once per
    tick), "single" (one value), or ("labelled", label_alias) (one value whose label is
    another column). Returns {alias: [(key, label_or_None, count), ...]}."""
    base_sql, params = queryset.order_by().query.sql_with_params()
    vendor = connection.vendor
    columns = []
    for alias, kind in dimensions.items():
        # The aliases are the caller's own identifiers, never user input: checked all the same.
        for identifier in (alias, kind[1] if isinstance(kind, tuple) else alias):
            if not _IDENTIFIER.fullmatch(identifier):
                raise ValueError(f"not a column alias: {identifier!r}")
            if identifier not in columns:
                columns.append(identifier)
    if vendor == "postgresql":
        # One pass over the rows: every dimension is a grouping set of the same GROUP BY (the
        # labelled one with its label), and GROUPING() tells which set a result row belongs to.
        # A dimension then reads only its own few rows.
        sets = ", ".join(
            f"({alias}, {kind[1]})" if isinstance(kind, tuple) else f"({alias})" for alias, kind in dimensions.items()
        )
        flags = ", ".join(f"GROUPING({alias}) AS g_{alias}" for alias in dimensions)
        listed = ", ".join(columns)
        source = (
            f"SELECT {listed}, {flags}, COUNT(*) AS n FROM ({base_sql}) base "  # noqa: S608
            f"GROUP BY GROUPING SETS ({sets})"
        )

        def rows_of(alias):
            return f"(SELECT * FROM grouped WHERE g_{alias} = 0)"  # noqa: S608

    else:
        source = base_sql

        def rows_of(alias):
            return "(SELECT *, 1 AS n FROM grouped)"

    parts = []
    for alias, kind in dimensions.items():
        name = f"'{alias}'"
        rows = rows_of(alias)
        if kind == "multi":
            # Sum by the whole answer first (a few hundred distinct combinations), then split
            # only those: far fewer rows to unnest than one per case.
            tick = "t.tick" if vendor == "postgresql" else "t.value"
            parts.append(
                f"SELECT {name} AS dim, {tick} AS key, NULL AS label, SUM(base.n) AS n "  # noqa: S608
                f"FROM (SELECT {alias}, SUM(n) AS n FROM {rows} r GROUP BY {alias}) base, "
                f"{_ticks_sql(vendor, alias)} WHERE {tick} <> '' GROUP BY {tick}"
            )
        elif kind == "single":
            parts.append(
                f"SELECT {name} AS dim, CAST(base.{alias} AS TEXT) AS key, NULL AS label, SUM(base.n) AS n "  # noqa: S608
                f"FROM {rows} base GROUP BY base.{alias}"
            )
        else:
            label = kind[1]
            parts.append(
                f"SELECT {name} AS dim, CAST(base.{alias} AS TEXT) AS key, base.{label} AS label, "  # noqa: S608
                f"SUM(base.n) AS n FROM {rows} base GROUP BY base.{alias}, base.{label}"
            )
    sql = f"WITH grouped AS ({source}) " + " UNION ALL ".join(parts)
    result = {alias: [] for alias in dimensions}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for dim, key, label, count in cursor.fetchall():
            result[dim].append((key, label, int(count)))
    return result


# --- several aggregates in one query --------------------------------------------------------


def aggregate_together(parts, *, connection=default_connection):
    """Run several `queryset.aggregate(**aggregates)` as ONE query: each part stays its own
    aggregate over its own rows (its own WHERE, its own indexes), and the one-row results are
    put side by side (`SELECT * FROM (…) p0 CROSS JOIN (…) p1 …`). One round trip instead of
    one per part. `parts` maps a name to (queryset, {alias: aggregate}); returns
    {name: {alias: value}} with the values as the database driver gives them."""
    selects = []
    params = []
    for i, (queryset, aggregates) in enumerate(parts.values()):
        # Grouped by a constant: no GROUP BY at all, so exactly one row even over no rows.
        one_row = queryset.order_by().annotate(_one=Value(1)).values("_one").annotate(**aggregates).values(*aggregates)
        sql, part_params = one_row.query.sql_with_params()
        selects.append(f"({sql}) p{i}")
        params.extend(part_params)
    sql = "SELECT * FROM " + " CROSS JOIN ".join(selects)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        values = iter(cursor.fetchone())
    return {name: {alias: next(values) for alias in aggregates} for name, (_qs, aggregates) in parts.items()}


# --- buckets of consecutive ranges -----------------------------------------------------------


class BucketOf(Func):
    """The index (0-based) of the range [bounds[i], bounds[i + 1]) that holds the timestamp
    expression, for ascending aware datetimes `bounds`; on PostgreSQL one `width_bucket` (a binary search) instead of a
    comparison per range. The caller keeps the rows within [bounds[0], bounds[-1])."""

    output_field = IntegerField()
    arity = 1

    def __init__(self, expression, bounds, **extra):
        self.bounds = list(bounds)
        if len(self.bounds) < 2 or self.bounds != sorted(self.bounds):
            raise ValueError("bounds must be at least two, ascending")
        super().__init__(expression, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        # Elsewhere (SQLite): the ranges in order, the first upper bound the row is under.
        (expression,) = self.get_source_expressions()
        sql, params = compiler.compile(expression)
        whens = " ".join(f"WHEN {sql} < %s THEN {i}" for i in range(len(self.bounds) - 1))
        values = []
        for bound in self.bounds[1:]:
            values.extend([*params, connection.ops.adapt_datetimefield_value(bound)])
        return f"(CASE {whens} END)", values

    def as_postgresql(self, compiler, connection, **extra_context):
        (expression,) = self.get_source_expressions()
        sql, params = compiler.compile(expression)
        placeholders = ", ".join(["%s"] * len(self.bounds))
        return f"(width_bucket({sql}, ARRAY[{placeholders}]::timestamptz[]) - 1)", [*params, *self.bounds]
