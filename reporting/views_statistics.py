"""The statistics page, its exports and the partner agency's read-only page of its own letters.

Thin: the period form reads the input, reporting.selectors computes the figures, reporting.exports
lays them out as tables (with the drill-down links), reporting.charts draws them, and
reporting.permissions decides who sees what."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from reporting import charts, exports, selectors
from reporting.forms import PeriodForm
from reporting.permissions import AGENCY, CENTER, SERVICE_POINT, statistics_scope


def _figures(period, service_point_ids):
    return selectors.figures(period, service_point_ids=service_point_ids)


def _agency_figures(period, agency_id):
    return selectors.agency_letter_figures(period, agency_id)


def _scope_or_404(request, *kinds):
    """The user's statistics scope if it is one of `kinds`; an anonymous visitor logs in first."""
    if not request.user.is_authenticated:
        return None
    scope = statistics_scope(request.user)
    if scope is None or scope.kind not in kinds:
        raise Http404
    return scope


def _optional_link(name):
    """A link to a page another part of the portal provides, when it exists."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def statistics(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    scope = statistics_scope(request.user)
    if scope is not None and scope.kind == AGENCY:
        query = f"?{request.GET.urlencode()}" if request.GET else ""
        return redirect(reverse("reporting:agency_statistics") + query)
    scope = _scope_or_404(request, CENTER, SERVICE_POINT)
    form = PeriodForm(request.GET, scope=scope)
    context = {"form": form, "scope": scope, "tables": None}
    status = 200
    if form.is_valid():
        period = form.period_value
        figures = _figures(period, form.service_point_ids)
        point_id = form.service_point_choice.pk if form.service_point_choice else None
        tables = exports.statistics_tables(figures, exports.DrillDown(period, point_id))
        cut = form.cut_params()
        context.update(
            figures=figures,
            period=period,
            tables=tables,
            dimension_tables=[tables[name] for name in tables if name.startswith("dimension_")],
            dimension_charts={
                name: charts.bar_chart(figures["dimensions"][name.removeprefix("dimension_")], title=tables[name].title)
                for name in tables
                if name.startswith("dimension_")
            },
            letters_chart=charts.bar_chart(
                [{"label": row["agency"], "count": row["sent"]} for row in figures["letters"]],
                title=_("协助办理函发函数（按协助单位）"),
            ),
            trend_chart=charts.trend_chart(figures["trends"], title=_("近 8 个季度趋势")),
            cut_query=urlencode(cut),
            trend_links=[
                (point["label"], _page_url({**point["params"], **_cut_only(cut)})) for point in figures["trends"]
            ],
            overview_cards=_overview_cards(tables),
            heading=_heading(period, form),
        )
    else:
        status = 400
    context.update(
        national_url=_optional_link("reporting:national") if scope.kind == CENTER else None,
        work_reports_url=_optional_link("admin:reporting_workreport_changelist") if scope.kind == CENTER else None,
    )
    return render(request, "reporting/statistics.html", context, status=status)


def _overview_cards(tables):
    """The four figures at the top of the page, each linking where its table cell links."""
    first = {name: tables[name].rows for name in ("applications", "cases")}
    return [
        (_("收到申请"), first["applications"][0][1].value, first["applications"][0][1].url),
        (_("受理立案"), first["cases"][0][1].value, first["cases"][0][1].url),
        (_("咨询"), tables["consultations"].rows[-1][1].value, tables["consultations"].rows[-1][1].url),
        (_("目前逾期案件"), first["cases"][4][1].value, first["cases"][4][1].url),
    ]


def _page_url(params):
    return f"{reverse('reporting:statistics')}?{urlencode(params)}"


def _cut_only(cut):
    return {"service_point": cut["service_point"]} if "service_point" in cut else {}


def _heading(period, form):
    if form.service_point_choice is not None:
        return _("%(period)s · %(point)s及下级工作站") % {
            "period": period.label,
            "point": form.service_point_choice.name,
        }
    return period.label


def statistics_export(request):
    """One table (`table=<name>`) as CSV or XLSX (`format=`), or every table as one XLSX
    (`table=all`), for the period and cut of the page."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    scope = _scope_or_404(request, CENTER, SERVICE_POINT, AGENCY)
    form = PeriodForm(request.GET, scope=scope)
    if scope.kind == AGENCY:
        form.fields.pop("service_point")
    if not form.is_valid():
        messages = [str(m) for errors in form.errors.values() for m in errors]
        return HttpResponseBadRequest(
            _("统计期间有误：") + " ".join(messages), content_type="text/plain; charset=utf-8"
        )
    period = form.period_value
    if scope.kind == AGENCY:
        tables = exports.agency_tables(_agency_figures(period, scope.agency_id))
        heading = period.label
    else:
        point_id = form.service_point_choice.pk if form.service_point_choice else None
        figures = _figures(period, form.service_point_ids)
        tables = exports.statistics_tables(figures, exports.DrillDown(period, point_id, enabled=False))
        heading = _heading(period, form)
    name = request.GET.get("table", "")
    fmt = request.GET.get("format", "")
    try:
        exports.check_request(tables, name, fmt)
    except exports.ExportError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    stamp = f"{period.first:%Y%m%d}-{period.last:%Y%m%d}"
    if fmt == "csv":
        response = HttpResponse(exports.to_csv(tables[name], heading), content_type="text/csv; charset=utf-8")
    else:
        chosen = list(tables.values()) if name == "all" else [tables[name]]
        response = HttpResponse(
            exports.to_xlsx(chosen, heading),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="statistics-{name}-{stamp}.{fmt}"'
    return response


def agency_statistics(request):
    """A partner agency's own letters in the period: sent to it, acknowledged, answered, overdue."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    scope = _scope_or_404(request, AGENCY)
    form = PeriodForm(request.GET, scope=scope)
    form.fields.pop("service_point")
    context = {"form": form, "scope": scope, "tables": None, "today": timezone.localdate()}
    status = 200
    if form.is_valid():
        period = form.period_value
        figures = _agency_figures(period, scope.agency_id)
        context.update(
            period=period,
            figures=figures,
            tables=exports.agency_tables(figures),
            cut_query=urlencode(form.cut_params()),
            heading=period.label,
        )
    else:
        status = 400
    return render(request, "reporting/statistics_agency.html", context, status=status)
