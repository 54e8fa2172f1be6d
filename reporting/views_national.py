"""The national platform export page (信息报送): pick a period, start an XLSX or JSON export as a
long job (its page shows the progress and the file), see the recent exports and the period's
typical cases. For the center (staff, the director, deputies); anyone else gets a 404."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal import jobs
from portal.models import Job
from reporting.national import FORMATS
from reporting.national_registration import KIND
from reporting.periods import KINDS, Period, PeriodError
from reporting.permissions import CENTER, statistics_scope
from reporting.records import handled_in, typical_cases

RECENT = 10
QUARTERS = [(str(q), str(q)) for q in range(1, 5)]
MONTHS = [(str(m), str(m)) for m in range(1, 13)]


def _require_center(user):
    scope = statistics_scope(user)
    if scope is None or scope.kind != CENTER:
        raise Http404


def _read_period(params):
    """(period, errors): the period of `params`, or the messages per field."""
    try:
        return Period.from_params(params), {}
    except PeriodError as error:
        return None, error.errors


@login_required
@require_http_methods(["GET", "POST"])
def national(request):
    _require_center(request.user)
    params = request.POST if request.method == "POST" else request.GET
    period, errors = _read_period(params)
    fmt = params.get("format", "")
    if request.method == "POST":
        if fmt not in FORMATS:
            errors["format"] = _("请选择 XLSX 或 JSON。")
        if not errors:
            job = jobs.start(
                kind=KIND,
                label=_("信息报送导出（%(period)s，%(format)s）") % {"period": period.label, "format": fmt.upper()},
                params={**period.as_params(), "format": fmt},
                by=request.user,
            )
            return redirect(reverse("jobs:detail", args=[job.pk]))
    shown = period or Period.current_quarter()
    context = {
        "values": {name: params.get(name, "") for name in ("period", "year", "quarter", "month", "start", "end")},
        "errors": errors,
        "period": period,
        "kinds": list(KINDS.items()),
        "quarters": QUARTERS,
        "months": MONTHS,
        "case_count": handled_in(shown).count() if period else None,
        "typical_cases": typical_cases(shown) if period else [],
        "recent": Job.objects.filter(kind=KIND).select_related("created_by").order_by("-created_at")[:RECENT],
    }
    return render(request, "reporting/national.html", context, status=400 if errors else 200)
