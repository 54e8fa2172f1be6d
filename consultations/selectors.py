"""Reading consultations: follow-ups due, an applicant's consultations, and the counts of the
statistics (consultations, applications and cases by channel, workstation and period).

The counts take `scope`: None for everything (the center), or the list of workstation ids a
workstation's staff may see (consultations.permissions.scope_of)."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.choices import Channel as ApplicationChannel
from applications.models import Application
from cases.models import Case
from consultations.models import Consultation
from portal.models import ServicePoint

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


def period_bounds(year: int, quarter: int | None = None) -> tuple[datetime.datetime, datetime.datetime]:
    """The first moment of the period and the first moment after it, in the portal's time zone."""
    first_month, months = ((quarter - 1) * 3 + 1, 3) if quarter else (1, 12)
    start = datetime.datetime(year, first_month, 1)
    end_month = first_month + months
    end = datetime.datetime(year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)
    zone = timezone.get_current_timezone()
    return timezone.make_aware(start, zone), timezone.make_aware(end, zone)


def period_months(year: int, quarter: int | None = None) -> list[int]:
    return list(range((quarter - 1) * 3 + 1, quarter * 3 + 1)) if quarter else list(range(1, 13))


@dataclass
class Row:
    key: str
    label: str
    count: int


def _scoped(queryset, scope, field="service_point_id"):
    if scope is None:
        return queryset
    return queryset.filter(**{f"{field}__in": scope})


def _point_rows(counts: dict, scope) -> list[Row]:
    """Rows by workstation, in the network's order; the center (no workstation) first when counted."""
    names = dict(_scoped(ServicePoint.objects.all(), scope, "pk").values_list("pk", "name"))
    rows = []
    if scope is None:
        rows.append(Row("", _("指导中心（直接受理）"), counts.get(None, 0)))
    order = list(_scoped(ServicePoint.objects.all(), scope, "pk").values_list("pk", flat=True))
    rows += [Row(str(pk), names[pk], counts.get(pk, 0)) for pk in order]
    return rows


def _choice_rows(counts: dict, choices) -> list[Row]:
    return [Row(value, str(label), counts.get(value, 0)) for value, label in choices]


def _count_by(queryset, field) -> dict:
    return {row[field]: row["n"] for row in queryset.order_by().values(field).annotate(n=Count("pk"))}


def consultation_counts(*, year: int, quarter: int | None = None, scope=None) -> dict:
    """Consultations received in the period: the total, by channel, by workstation and by month."""
    start, end = period_bounds(year, quarter)
    received = _scoped(Consultation.objects.filter(received_at__gte=start, received_at__lt=end), scope)
    by_month = {
        row["month"]: row["n"]
        for row in received.order_by()
        .annotate(month=ExtractMonth("received_at"))
        .values("month")
        .annotate(n=Count("pk"))
    }
    by_status = _count_by(received, "status")
    return {
        "total": sum(by_month.values()),
        "converted": by_status.get(S.CONVERTED, 0),
        "by_channel": _choice_rows(_count_by(received, "channel"), Consultation.Channel.choices),
        "by_service_point": _point_rows(_count_by(received, "service_point_id"), scope),
        "by_month": [
            Row(str(month), _("%(m)s月") % {"m": month}, by_month.get(month, 0))
            for month in period_months(year, quarter)
        ],
    }


def application_counts(*, year: int, quarter: int | None = None, scope=None) -> dict:
    """Applications received (submitted for the first time) in the period, by channel and workstation."""
    start, end = period_bounds(year, quarter)
    received = _scoped(Application.objects.filter(submitted_at__gte=start, submitted_at__lt=end), scope)
    by_channel = _count_by(received, "channel")
    return {
        "total": sum(by_channel.values()),
        "by_channel": _choice_rows(by_channel, ApplicationChannel.choices),
        "by_service_point": _point_rows(_count_by(received, "service_point_id"), scope),
    }


def case_counts(*, year: int, quarter: int | None = None, scope=None) -> dict:
    """Cases opened (applications accepted) in the period, by the workstation of their application."""
    start, end = period_bounds(year, quarter)
    opened = _scoped(
        Case.objects.filter(opened_at__gte=start, opened_at__lt=end), scope, "application__service_point_id"
    )
    by_point = _count_by(opened, "application__service_point_id")
    return {"total": sum(by_point.values()), "by_service_point": _point_rows(by_point, scope)}


def statistics(*, year: int, quarter: int | None = None, scope=None) -> dict:
    """Everything the statistics page shows for one year or quarter."""
    return {
        "consultations": consultation_counts(year=year, quarter=quarter, scope=scope),
        "applications": application_counts(year=year, quarter=quarter, scope=scope),
        "cases": case_counts(year=year, quarter=quarter, scope=scope),
    }
