"""Every figure of the statistics page, the work report and the API, for one period.

`figures(period)` answers in six queries whatever the number of cases: the one-row figures
(applications, returns, cases, consultations, opinions, the experts' counts, satisfaction) in
one query of side-by-side aggregates, each over the index range of its own date column; the
trend (each measure grouped by quarter over the 8 quarters' range); the dimensions (the
multi-tick answers counted per tick, one pass with grouping sets); the letters by agency; the
experts' load; the latest comments. Each figure is a conditional aggregate in the database
(Count with a filter, percentile_cont for the medians and 90th percentiles), and durations in
working days are subtractions of `WorkingDayNumber`s read by the local date of each
timestamp. No case is loaded into Python; a period's cases are counted from the cases alone
(a case keeps what the figures need from its application and its first opinion).

The shape of the answer is the shared interface of the statistics page, the work report's
snapshot and the API: plain JSON-serialisable dicts.
"""

import datetime

from django.db import connection
from django.db.models import Avg, Count, F, FilteredRelation, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.choices import (
    ApplicantCategory,
    DisputeLevel,
    DisputeType,
    OpponentType,
    RightType,
    TechnicalField,
)
from applications.countries import country_name
from applications.models import Application, Feedback
from cases.models import AssistanceLetter, Case, LetterRecipient
from cases.selectors import late_opinion
from consultations.models import Consultation
from experts.models import Expert, ExpertAssignment, ExpertInvitation, ExpertOpinion
from portal.models import LogEntry, PartnerAgency
from reporting import regions
from reporting.periods import Period
from reporting.sql import (
    BucketOf,
    PercentileCont,
    PercentilesCont,
    aggregate_together,
    count_by_dimension,
    local_day,
    percentiles_list,
    working_days,
)

# The dimensions of the cases opened in a period, in the order the page shows them.
DIMENSIONS = {
    "country": gettext_lazy("国家/地区"),
    "right_type": gettext_lazy("权利类别"),
    "dispute_type": gettext_lazy("纠纷类型"),
    "technical_field": gettext_lazy("技术领域"),
    "opponent_type": gettext_lazy("纠纷对象类型"),
    "level": gettext_lazy("纠纷级别"),
    "applicant_category": gettext_lazy("申请人类别"),
    "region": gettext_lazy("申请人所在地区"),
    "service_point": gettext_lazy("服务工作站"),
}
# The key of the cases that came straight to the center, in the service-point dimension.
NO_SERVICE_POINT = "center"

TRENDS = 8
COMMENTS = 20
LOAD_TOP = 10

CS = Case.Status
AS = Application.Status
ENDED = (CS.CLOSED, CS.TERMINATED)
LETTER_SENT = (AssistanceLetter.Status.SIGNED, AssistanceLetter.Status.SETTLED)


def _between(field, start, end):
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def _scoped(queryset, path, service_point_ids):
    if service_point_ids is None:
        return queryset
    return queryset.filter(**{f"{path}__in": service_point_ids})


def _share(part, whole):
    return round(part / whole, 4) if whole else None


def _round(value, digits=2):
    return None if value is None else round(float(value), digits)


def _timing(row, prefix):
    count = row[f"{prefix}_count"]
    on_time = row[f"{prefix}_on_time"]
    median, p90 = percentiles_list(row[f"{prefix}_percentiles"], 2)
    return {
        "count": count,
        "median": _round(median),
        "p90": _round(p90),
        "on_time": on_time,
        "on_time_share": _share(on_time, count),
    }


def _timing_aggregates(prefix, scope, duration, on_time):
    return {
        f"{prefix}_count": Count("pk", filter=scope),
        f"{prefix}_on_time": Count("pk", filter=scope & on_time),
        f"{prefix}_percentiles": PercentilesCont(duration, (0.5, 0.9), filter=scope),
    }


def _rows(pairs, label):
    """[{"key", "label", "count"}] sorted by count desc, then key."""
    rows = [{"key": str(key), "label": str(label(key)), "count": count} for key, count in pairs]
    rows.sort(key=lambda row: (-row["count"], row["key"]))
    return rows


# --- the figures -----------------------------------------------------------------------------


def figures(period: Period, *, service_point_ids=None, today: datetime.date | None = None) -> dict:
    """All the figures of `period`, optionally cut to the cases, applications and
    consultations of `service_point_ids` (a workstation and those under it). `today` fixes
    the "now" figures (open, overdue); default the local date."""
    today = today or timezone.localdate()
    if service_point_ids is not None:
        service_point_ids = sorted(set(service_point_ids))
    start, end = period.bounds()
    quarters = period.quarters_back(TRENDS)
    quarter_bounds = [quarter.bounds() for quarter in quarters]
    ctx = {
        "period": period,
        "start": start,
        "end": end,
        "quarters": quarter_bounds,
        "today": today,
        "points": service_point_ids,
    }
    # Every one-row aggregate in one query (each over its own rows and indexes), then the
    # queries that give several rows each.
    rows = aggregate_together(
        {
            **_applications(ctx),
            "returns": _returns_and_withdrawals(ctx),
            **_cases(ctx),
            "consultations": _consultations(ctx),
            "opinions": _opinions(ctx),
            **_experts_counts(ctx),
            "satisfaction": _satisfaction_counts(ctx),
        }
    )
    applications, acceptance, acceptance_overdue = _applications_result(rows, ctx)
    applications.update(rows["returns"])
    cases, first_contact, overdue = _cases_result(rows, ctx)
    consultations = _consultations_result(rows["consultations"], ctx)
    counts = _trend_counts(ctx)
    trends = [
        {
            "label": quarter.label,
            "params": quarter.as_params(),
            **{measure: counts[measure][i] for measure in TREND_MEASURES},
        }
        for i, quarter in enumerate(quarters)
    ]
    return {
        "period": {
            "kind": period.kind,
            "first": period.first.isoformat(),
            "last": period.last.isoformat(),
            "label": period.label,
        },
        "service_point_ids": service_point_ids,
        "applications": applications,
        "cases": cases,
        "consultations": consultations,
        "dimensions": _dimensions(ctx),
        "handling": {
            "acceptance": acceptance,
            "first_contact": first_contact,
            "opinion": _timing(rows["opinions"], "opinion"),
            "overdue_now": {"acceptance": acceptance_overdue, **overdue},
        },
        "letters": _letters(ctx),
        "experts": _experts(ctx, rows),
        "satisfaction": _satisfaction(ctx, rows["satisfaction"]),
        "trends": trends,
    }


def _applications(ctx):
    """Received (first submission) in the period; accepted,
    declined in the period with the acceptance timing; the applications waiting past their
    review deadline now. Three parts, each over the rows of its own index range."""
    start, end, today = ctx["start"], ctx["end"], ctx["today"]
    scoped = _scoped(Application.objects.all(), "service_point_id", ctx["points"])
    received = _first_submitted(scoped.filter(submitted_at__gte=start))
    received_aggregates = {"received": Count("pk", filter=_between("first_submitted", start, end))}
    decided = scoped.filter(_between("decided_at", start, end), status__in=(AS.ACCEPTED, AS.DECLINED))
    everything = Q(pk__isnull=False)
    decided_aggregates = {
        "accepted": Count("pk", filter=Q(status=AS.ACCEPTED)),
        "declined": Count("pk", filter=Q(status=AS.DECLINED)),
        **_timing_aggregates(
            "acceptance",
            everything,
            working_days("submitted_at", "decided_at"),
            Q(review_due__isnull=True) | Q(review_due__gte=local_day("decided_at")),
        ),
    }
    waiting = scoped.filter(status=AS.SUBMITTED, review_due__lt=today)
    return {
        "applications_received": (received, received_aggregates),
        "applications_decided": (decided, decided_aggregates),
        "applications_overdue": (waiting, {"acceptance_overdue": Count("pk")}),
    }


def _first_submitted(applications):
    """Each application with `first_submitted`: the first version's time (a correction
    resubmits and moves submitted_at), or submitted_at for rows entered without versions. A
    join on the unique (application, number) pair, not a subquery per row. The first
    submission is never after submitted_at, so a range on submitted_at from the same start
    holds every row received since then."""
    applications = applications.annotate(first_version=FilteredRelation("versions", condition=Q(versions__number=1)))
    return applications.annotate(first_submitted=Coalesce(F("first_version__submitted_at"), F("submitted_at")))


def _applications_result(rows, ctx):
    received, decided = rows["applications_received"], rows["applications_decided"]
    figures = {"received": received["received"], "accepted": decided["accepted"], "declined": decided["declined"]}
    return figures, _timing(decided, "acceptance"), rows["applications_overdue"]["acceptance_overdue"]


def _returns_and_withdrawals(ctx):
    """On the audit log (an application has no 'returned at' column that survives
    the resubmission): returned for correction in the period, each application once; and
    withdrawn after submission."""
    start, end = ctx["start"], ctx["end"]
    entries = LogEntry.objects.filter(
        content_type__app_label=Application._meta.app_label,
        content_type__model=Application._meta.model_name,
        created__gte=start,
        created__lt=end,
    )
    if ctx["points"] is not None:
        entries = entries.filter(
            object_id__in=Application.objects.filter(service_point_id__in=ctx["points"]).values("pk")
        )
    return entries, {
        "returned": Count("object_id", filter=Q(action_type="applications.application.returned"), distinct=True),
        "withdrawn": Count(
            "object_id",
            filter=Q(action_type="applications.application.withdrawn", from_status__in=(AS.SUBMITTED, AS.RETURNED)),
            distinct=True,
        ),
    }


def _cases(ctx):
    """Cases opened, closed, terminated in the period; the first-contact timing;
    open and overdue now and the deadlines passed now. Each part reads the range of its own
    date column (or the open cases), not every case."""
    start, end, today = ctx["start"], ctx["end"], ctx["today"]
    end_of_today = datetime.datetime.combine(
        today + datetime.timedelta(days=1), datetime.time.min, tzinfo=timezone.get_current_timezone()
    )
    scoped = _scoped(Case.objects.all(), "service_point_id", ctx["points"])
    opened = {"opened": Count("*")}
    closed = {
        "closed": Count("pk", filter=Q(status=CS.CLOSED)),
        "terminated": Count("pk", filter=Q(status=CS.TERMINATED)),
    }
    everything = Q(pk__isnull=False)
    first_contact = _timing_aggregates(
        "first_contact",
        everything,
        working_days("opened_at", "first_contacted_at"),
        Q(first_contact_due__isnull=True) | Q(first_contact_due__gte=local_day("first_contacted_at")),
    )
    now = {
        "open_now": Count("pk"),
        "overdue_now": Count("pk", filter=Q(due_date__lt=today)),
        "first_contact_overdue": Count("pk", filter=Q(first_contacted_at__isnull=True, first_contact_due__lt=today)),
        "opinion_overdue": Count("pk", filter=late_opinion(today)),
    }
    return {
        "cases_opened": (scoped.filter(_between("opened_at", start, end)), opened),
        "cases_closed": (scoped.filter(_between("closed_at", start, end)), closed),
        "cases_first_contact": (scoped.filter(_between("first_contacted_at", start, end)), first_contact),
        "cases_now": (scoped.filter(~Q(status__in=ENDED), opened_at__lt=end_of_today), now),
    }


def _cases_result(rows, ctx):
    row = {}
    for name in ("cases_opened", "cases_closed", "cases_first_contact", "cases_now"):
        row.update(rows[name])
    cases = {key: row[key] for key in ("opened", "closed", "terminated", "open_now", "overdue_now")}
    overdue = {"first_contact": row["first_contact_overdue"], "opinion": row["opinion_overdue"]}
    return cases, _timing(row, "first_contact"), overdue


TREND_MEASURES = ("received", "opened", "closed", "consultations")


def _trend_counts(ctx):
    """One query: per measure of the trend, the count in each of the 8 quarters. Each
    measure reads the index range of its own date column over the 8 quarters once, puts each
    row in its quarter (`BucketOf`: one binary search on PostgreSQL) and groups by it; the four grouped
    counts come back together (UNION ALL). Returns {measure: [count per quarter]}."""
    quarters = ctx["quarters"]
    first, last = quarters[0][0], quarters[-1][1]
    points = ctx["points"]

    def by_quarter(queryset, field, measure):
        quarter = BucketOf(F(field), [first, *(q_end for _q_start, q_end in quarters)])
        return (
            queryset.filter(**{f"{field}__gte": first, f"{field}__lt": last})
            .annotate(measure=Value(measure), quarter=quarter)
            .values("measure", "quarter")
            .annotate(n=Count("*"))
            .order_by()
        )

    applications = _first_submitted(_scoped(Application.objects.all(), "service_point_id", points))
    cases = _scoped(Case.objects.all(), "service_point_id", points)
    consultations = _scoped(Consultation.objects.all(), "service_point_id", points)
    grouped = by_quarter(applications.filter(submitted_at__gte=first), "first_submitted", "received").union(
        by_quarter(cases, "opened_at", "opened"),
        by_quarter(cases.filter(status=CS.CLOSED), "closed_at", "closed"),
        by_quarter(consultations, "received_at", "consultations"),
        all=True,
    )
    counts = {measure: [0] * len(quarters) for measure in TREND_MEASURES}
    for row in grouped:
        counts[row["measure"]][row["quarter"]] += row["n"]
    return counts


def _opinions(ctx):
    """Case opened → first opinion signed (less the days the deadline was paused), for the
    cases whose first opinion was signed in the period: the case keeps that time
    (`opinion_issued_at`), so this reads the range of one indexed column of the cases."""
    start, end = ctx["start"], ctx["end"]
    queryset = _scoped(Case.objects.all(), "service_point_id", ctx["points"])
    queryset = queryset.filter(_between("opinion_issued_at", start, end))
    everything = Q(pk__isnull=False)
    return queryset, _timing_aggregates(
        "opinion",
        everything,
        working_days("opened_at", "opinion_issued_at") - F("paused_days"),
        Q(opinion_due__isnull=True) | Q(opinion_due__gte=local_day("opinion_issued_at")),
    )


def _consultations(ctx):
    """Consultations in the period by channel."""
    start, end = ctx["start"], ctx["end"]
    queryset = _scoped(Consultation.objects.all(), "service_point_id", ctx["points"]).filter(
        _between("received_at", start, end)
    )
    aggregates = {"total": Count("*")}
    for channel in Consultation.Channel:
        aggregates[f"channel_{channel.value}"] = Count("pk", filter=Q(channel=channel.value))
    return queryset, aggregates


def _consultations_result(row, ctx):
    labels = dict(Consultation.Channel.choices)
    by_channel = _rows(
        [(channel, row[f"channel_{channel}"]) for channel in labels if row[f"channel_{channel}"]],
        lambda key: labels[key],
    )
    return {"total": row["total"], "by_channel": by_channel}


def _dimensions(ctx):
    """One query: the cases opened in the period by each dimension; a multi-tick answer counts
    once per tick."""
    start, end = ctx["start"], ctx["end"]
    queryset = _scoped(Case.objects.all(), "service_point_id", ctx["points"])
    base = queryset.filter(_between("opened_at", start, end)).values(
        d_country=F("countries"),
        d_right_type=F("right_types"),
        d_dispute_type=F("dispute_types"),
        d_technical_field=F("technical_field"),
        d_opponent_type=F("opponent_types"),
        d_level=F("level"),
        d_applicant_category=F("applicant_category"),
        d_region=F("region"),
        d_service_point=F("service_point_id"),
        d_service_point_name=F("service_point__name"),
    )
    counted = count_by_dimension(
        base,
        {
            "d_country": "multi",
            "d_right_type": "multi",
            "d_dispute_type": "multi",
            "d_technical_field": "single",
            "d_opponent_type": "multi",
            "d_level": "single",
            "d_applicant_category": "single",
            "d_region": "single",
            "d_service_point": ("labelled", "d_service_point_name"),
        },
    )
    choice_labels = {
        "right_type": dict(RightType.choices),
        "dispute_type": dict(DisputeType.choices),
        "technical_field": dict(TechnicalField.choices),
        "opponent_type": dict(OpponentType.choices),
        "level": dict(DisputeLevel.choices),
        "applicant_category": dict(ApplicantCategory.choices),
    }
    not_given = _("未填写")
    result = {}
    for dimension in DIMENSIONS:
        found = counted[f"d_{dimension}"]
        if dimension == "service_point":
            names = {}
            pairs = []
            for key, label, count in found:
                key = NO_SERVICE_POINT if key in (None, "") else str(key)
                names[key] = label or _("指导中心直接受理")
                pairs.append((key, count))
            result[dimension] = _rows(pairs, names.__getitem__)
            continue
        pairs = [("" if key is None else key, count) for key, _label, count in found]
        if dimension == "country":
            label = country_name
        elif dimension == "region":
            label = regions.province_label
        else:
            labels = choice_labels[dimension]

            def label(key, labels=labels):
                return labels.get(key, key) if key else not_given

        result[dimension] = _rows(pairs, label)
    return result


def _letter_aggregates(start, end, today, prefix=""):
    sent = _between(f"{prefix}letter__signed_at", start, end) & Q(**{f"{prefix}letter__status__in": LETTER_SENT})
    return {
        "sent": Count("pk" if not prefix else prefix.rstrip("_"), filter=sent),
        "acknowledged": Count(
            "pk" if not prefix else prefix.rstrip("_"), filter=sent & Q(**{f"{prefix}acknowledged_at__isnull": False})
        ),
        "answered": Count(
            "pk" if not prefix else prefix.rstrip("_"), filter=sent & Q(**{f"{prefix}answered_at__isnull": False})
        ),
        "median_response_days": PercentileCont(
            working_days(f"{prefix}letter__signed_at", f"{prefix}answered_at"),
            0.5,
            filter=sent & Q(**{f"{prefix}answered_at__isnull": False}),
        ),
        "overdue": Count(
            "pk" if not prefix else prefix.rstrip("_"),
            filter=Q(
                **{
                    f"{prefix}letter__status": AssistanceLetter.Status.SIGNED,
                    f"{prefix}answered_at__isnull": True,
                    f"{prefix}due_date__lt": today,
                }
            ),
        ),
    }


def _agency_row(agency_id, name, row):
    return {
        "agency_id": agency_id,
        "agency": name,
        "sent": row["sent"],
        "acknowledged": row["acknowledged"],
        "answered": row["answered"],
        "median_response_days": _round(row["median_response_days"]),
        "overdue": row["overdue"],
    }


def _letters(ctx):
    """One query: per active partner agency, the letters signed in the period addressed to
    it, acknowledged and answered of those, the median working days to the answer; and its
    letters unanswered past their due date now. The recipients of those letters only (the
    period's signed letters, by their index, and the unanswered ones past due) are grouped by
    agency once, and every active agency is joined to its group (no letters: zeros)."""
    start, end, today = ctx["start"], ctx["end"], ctx["today"]
    aggregates = _letter_aggregates(start, end, today)
    receipts = LetterRecipient.objects.filter(
        Q(letter__signed_at__gte=start, letter__signed_at__lt=end, letter__status__in=LETTER_SENT)
        | Q(letter__status=AssistanceLetter.Status.SIGNED, answered_at__isnull=True, due_date__lt=today)
    )
    if ctx["points"] is not None:
        receipts = receipts.filter(letter__case__service_point_id__in=ctx["points"])
    grouped_sql, params = receipts.order_by().values("agency_id").annotate(**aggregates).query.sql_with_params()
    agency = connection.ops.quote_name(PartnerAgency._meta.db_table)
    names = list(aggregates)
    counts = ", ".join(f"g.{name}" if name == "median_response_days" else f"COALESCE(g.{name}, 0)" for name in names)
    sql = (
        f"SELECT pa.id, pa.short_name, pa.name, {counts} FROM {agency} pa "  # noqa: S608 (own identifiers)
        f"LEFT JOIN ({grouped_sql}) g ON g.agency_id = pa.id WHERE pa.active"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    rows = []
    for pk, short_name, name, *values in found:
        rows.append(_agency_row(pk, short_name or name, dict(zip(names, values, strict=True))))
    rows.sort(key=lambda row: (-row["sent"], row["agency"], row["agency_id"]))
    return rows


def agency_letter_figures(period: Period, agency_id, *, today: datetime.date | None = None) -> dict:
    """The agency's own row of the letters' figures, and its letters signed in the period
    (for its read-only view). Two queries."""
    today = today or timezone.localdate()
    start, end = period.bounds()
    receipts = LetterRecipient.objects.filter(agency_id=agency_id)
    row = receipts.aggregate(**_letter_aggregates(start, end, today))
    agency = PartnerAgency.objects.filter(pk=agency_id).values_list("short_name", "name").first() or ("", "")
    figures = _agency_row(agency_id, agency[0] or agency[1], row)
    letters = (
        receipts.filter(letter__signed_at__gte=start, letter__signed_at__lt=end, letter__status__in=LETTER_SENT)
        .order_by("-letter__signed_at", "-pk")
        .values(
            "letter_id",
            "letter__number",
            "letter__subject",
            "letter__signed_at",
            "due_date",
            "acknowledged_at",
            "answered_at",
        )
    )
    figures["letters"] = [
        {
            "letter_id": letter["letter_id"],
            "number": letter["letter__number"],
            "subject": letter["letter__subject"],
            "signed_at": _iso(letter["letter__signed_at"]),
            "due_date": _iso(letter["due_date"]),
            "acknowledged_at": _iso(letter["acknowledged_at"]),
            "answered_at": _iso(letter["answered_at"]),
        }
        for letter in letters
    ]
    return figures


def _iso(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def _experts_counts(ctx):
    """Invitations sent in the period and their answers; opinions submitted in the period."""
    start, end = ctx["start"], ctx["end"]
    points = ctx["points"]
    invitations = _scoped(ExpertInvitation.objects.all(), "case__service_point_id", points)
    opinions = _scoped(ExpertOpinion.objects.all(), "assignment__case__service_point_id", points)
    return {
        "invitations": (
            invitations.filter(_between("invited_at", start, end)),
            {
                "invited": Count("pk"),
                "accepted": Count("pk", filter=Q(status=ExpertInvitation.Status.ACCEPTED)),
                "declined": Count("pk", filter=Q(status=ExpertInvitation.Status.DECLINED)),
            },
        ),
        "expert_opinions": (opinions.filter(_between("submitted_at", start, end)), {"count": Count("pk")}),
    }


def _experts(ctx, rows):
    """The counts of `_experts_counts`, and one query: the ten experts with the most active
    assignments now.

    The acceptance rate is accepted ÷ (accepted + declined): of the invitations answered."""
    start, end = ctx["start"], ctx["end"]
    points = ctx["points"]
    row = rows["invitations"]
    opinion_count = rows["expert_opinions"]["count"]
    active = Q(assignments__status__in=ExpertAssignment.OPEN_STATUSES)
    submitted = _between("opinions__submitted_at", start, end)
    if points is not None:
        active &= Q(assignments__case__service_point_id__in=points)
        submitted &= Q(opinions__assignment__case__service_point_id__in=points)
    load = (
        Expert.objects.annotate(
            active_now=Count("assignments", filter=active, distinct=True),
            period_opinions=Count("opinions", filter=submitted, distinct=True),
        )
        .filter(Q(active_now__gt=0) | Q(period_opinions__gt=0))
        .order_by("-active_now", "-period_opinions", "name", "pk")
        .values("pk", "name", "active_now", "period_opinions")[:LOAD_TOP]
    )
    return {
        "invited": row["invited"],
        "accepted": row["accepted"],
        "declined": row["declined"],
        "acceptance_rate": _share(row["accepted"], row["accepted"] + row["declined"]),
        "opinions": opinion_count,
        "load": [
            {"expert_id": e["pk"], "name": e["name"], "active": e["active_now"], "opinions": e["period_opinions"]}
            for e in load
        ],
    }


def _feedback(ctx):
    start, end = ctx["start"], ctx["end"]
    return _scoped(Feedback.objects.all(), "application__service_point_id", ctx["points"]).filter(
        _between("submitted_at", start, end)
    )


def _satisfaction_counts(ctx):
    """The feedback given in the period: count and the average of each question."""
    return _feedback(ctx), {
        "count": Count("pk"),
        "satisfaction": Avg("satisfaction"),
        "timeliness": Avg("timeliness"),
        "usefulness": Avg("usefulness"),
    }


def _satisfaction(ctx, row):
    """The counts of `_satisfaction_counts`, and one query: the latest non-empty comments."""
    feedback = _feedback(ctx)
    comments = (
        feedback.exclude(comment="")
        .order_by("-submitted_at", "-pk")
        .values("application_id", "application__number", "submitted_at", "satisfaction", "comment")[:COMMENTS]
    )
    return {
        "count": row["count"],
        "averages": {key: _round(row[key]) for key in ("satisfaction", "timeliness", "usefulness")},
        "comments": [
            {
                "application_id": c["application_id"],
                "number": c["application__number"] or "",
                "submitted_at": _iso(c["submitted_at"]),
                "satisfaction": c["satisfaction"],
                "comment": c["comment"],
            }
            for c in comments
        ],
    }
