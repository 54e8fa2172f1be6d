"""Reading consultations: follow-ups due, an applicant's consultations, and the counts of the
statistics (consultations, applications and cases by channel, workstation and period).

The counts take `scope`: None for everything (the center), or the list of workstation ids a
workstation's staff may see (consultations.permissions.scope_of)."""

import datetime
from dataclasses import dataclass

from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from applications.choices import Channel as ApplicationChannel
from applications.models import Application
from cases.models import Case
from consultations.models import Consultation
from portal.models import ServicePoint
from portal.page_cache import follows_writes, kept_until_written

S = Consultation.Status


# --- Follow-ups -------------------------------------------------------------------------------


def follow_ups_due(queryset=None, *, today: datetime.date | None = None):
    """Open consultations whose follow-up date is today or past, the oldest date first."""
    today = today or timezone.localdate()
    queryset = Consultation.objects.all() if queryset is None else queryset
    return queryset.filter(status=S.OPEN, follow_up_on__lte=today).order_by("follow_up_on", "pk")


def follow_up_state(consultation, *, today: datetime.date | None = None) -> str:
    """ "overdue", "today", "upcoming" for an open consultation with a follow-up date, else ""."""
    if consultation.status != S.OPEN or consultation.follow_up_on is None:
        return ""
    today = today or timezone.localdate()
    if consultation.follow_up_on < today:
        return "overdue"
    if consultation.follow_up_on == today:
        return "today"
    return "upcoming"


# --- An applicant's consultations ---------------------------------------------------------------


def consultations_of_applicant(applicant, queryset=None):
    """The consultations about an applicant: linked to it, or recorded with its credit code before it
    was registered. Newest first."""
    queryset = Consultation.objects.all() if queryset is None else queryset
    match = Q(applicant=applicant)
    if applicant.credit_code:
        match |= Q(applicant__isnull=True, credit_code=applicant.credit_code)
    return queryset.filter(match).select_related("handled_by", "service_point", "application").order_by("-received_at")


# --- Statistics -------------------------------------------------------------------------------


def month_start(year: int, month: int) -> datetime.datetime:
    """The first moment of a month in the portal's time zone; month 13 is January of the next year."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return timezone.make_aware(datetime.datetime(year, month, 1), timezone.get_current_timezone())


def period_bounds(year: int, quarter: int | None = None) -> tuple[datetime.datetime, datetime.datetime]:
    """The first moment of the period and the first moment after it, in the portal's time zone."""
    first_month, months = ((quarter - 1) * 3 + 1, 3) if quarter else (1, 12)
    return month_start(year, first_month), month_start(year, first_month + months)


def period_months(year: int, quarter: int | None = None) -> list[int]:
    return list(range((quarter - 1) * 3 + 1, quarter * 3 + 1)) if quarter else list(range(1, 13))


def month_in_period(field: str, year: int, quarter: int | None = None):
    """The month of a time in the period, in the portal's time zone, by comparing it with the first
    moments of the period's months (worked out once, here). PostgreSQL's EXTRACT(MONTH FROM … AT TIME
    ZONE …) converts each row's time instead: at 50,000 consultations in a year that was two thirds
    of the statistics page's query (103 ms against 33)."""
    months = period_months(year, quarter)
    return models.Case(
        *(models.When(**{f"{field}__lt": month_start(year, month + 1)}, then=month) for month in months[:-1]),
        default=models.Value(months[-1]),
        output_field=models.IntegerField(),
    )


@dataclass
class Row:
    key: str
    label: str
    count: int


def _scoped(queryset, scope, field="service_point_id"):
    if scope is None:
        return queryset
    return queryset.filter(**{f"{field}__in": scope})


def workstations(scope) -> list[tuple[int, str]]:
    """(id, name) of the workstations the counts are split by, in the network's order: one query,
    read once per statistics page (statistics passes it to each count)."""
    return list(_scoped(ServicePoint.objects.all(), scope, "pk").values_list("pk", "name"))


def _point_rows(counts: dict, scope, points=None) -> list[Row]:
    """Rows by workstation, in the network's order; the center (no workstation) first when counted."""
    points = workstations(scope) if points is None else points
    rows = []
    if scope is None:
        rows.append(Row("", _("指导中心（直接受理）"), counts.get(None, 0)))
    rows += [Row(str(pk), name, counts.get(pk, 0)) for pk, name in points]
    return rows


def _choice_rows(counts: dict, choices) -> list[Row]:
    return [Row(value, str(label), counts.get(value, 0)) for value, label in choices]


def _groups(queryset, *fields, **expressions) -> list[dict]:
    """The rows counted per combination of `fields` (and annotated `expressions`), in one query: each
    table is read once, and its counts by one field or another are summed from these groups."""
    if expressions:
        queryset = queryset.annotate(**expressions)
    return list(queryset.order_by().values(*fields, *expressions).annotate(n=Count("pk")))


def _sum_by(groups, field) -> dict:
    totals = {}
    for group in groups:
        totals[group[field]] = totals.get(group[field], 0) + group["n"]
    return totals


def consultation_counts(*, year: int, quarter: int | None = None, scope=None, points=None) -> dict:
    """Consultations received in the period: the total, by channel, by workstation and by month."""
    start, end = period_bounds(year, quarter)
    received = _scoped(Consultation.objects.filter(received_at__gte=start, received_at__lt=end), scope)
    groups = _groups(
        received, "status", "channel", "service_point_id", month=month_in_period("received_at", year, quarter)
    )
    by_month = _sum_by(groups, "month")
    return {
        "total": sum(by_month.values()),
        "converted": _sum_by(groups, "status").get(S.CONVERTED, 0),
        "by_channel": _choice_rows(_sum_by(groups, "channel"), Consultation.Channel.choices),
        "by_service_point": _point_rows(_sum_by(groups, "service_point_id"), scope, points),
        "by_month": [
            Row(str(month), _("%(m)s月") % {"m": month}, by_month.get(month, 0))
            for month in period_months(year, quarter)
        ],
    }


def application_counts(*, year: int, quarter: int | None = None, scope=None, points=None) -> dict:
    """Applications received (submitted for the first time) in the period, by channel and workstation."""
    start, end = period_bounds(year, quarter)
    received = _scoped(Application.objects.filter(submitted_at__gte=start, submitted_at__lt=end), scope)
    groups = _groups(received, "channel", "service_point_id")
    by_channel = _sum_by(groups, "channel")
    return {
        "total": sum(by_channel.values()),
        "by_channel": _choice_rows(by_channel, ApplicationChannel.choices),
        "by_service_point": _point_rows(_sum_by(groups, "service_point_id"), scope, points),
    }


def case_counts(*, year: int, quarter: int | None = None, scope=None, points=None) -> dict:
    """Cases opened (applications accepted) in the period, by the workstation of their application
    (the case's copy of it)."""
    start, end = period_bounds(year, quarter)
    opened = _scoped(Case.objects.filter(opened_at__gte=start, opened_at__lt=end), scope)
    by_point = _sum_by(_groups(opened, "service_point_id"), "service_point_id")
    return {"total": sum(by_point.values()), "by_service_point": _point_rows(by_point, scope, points)}


# Without a shared cache, or while it cannot answer, the statistics page may be a minute late: a
# consultation logged now is counted within a minute. Otherwise at once (kept_until_written).
STATISTICS_SECONDS = 60
# The tables statistics() counts: a write to one of them makes its figures anew.
_COUNTED = (Consultation, Application, Case, ServicePoint)


def statistics(*, year: int, quarter: int | None = None, scope=None) -> dict:
    """Everything the statistics page shows for one year or quarter: a query per table, and one for
    the workstations. Kept per period, scope and language until one of these tables is written to:
    at 50,000 consultations, 40,000 applications and 40,000 cases in a year the counts read 70 to
    120 ms, which a quiet day's visits then never wait for."""
    parts = ("consultations:statistics", get_language(), year, quarter, None if scope is None else sorted(scope))
    return kept_until_written(parts, lambda: _statistics(year, quarter, scope), _COUNTED, STATISTICS_SECONDS)


def statistics_follow_writes() -> bool:
    """Whether a new registration shows in statistics() at once (else within STATISTICS_SECONDS):
    not without a shared cache, nor while it cannot answer."""
    return follows_writes(_COUNTED)


def _statistics(year, quarter, scope):
    points = workstations(scope)
    return {
        "consultations": consultation_counts(year=year, quarter=quarter, scope=scope, points=points),
        "applications": application_counts(year=year, quarter=quarter, scope=scope, points=points),
        "cases": case_counts(year=year, quarter=quarter, scope=scope, points=points),
    }
