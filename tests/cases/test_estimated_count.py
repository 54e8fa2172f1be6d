"""Above a threshold the case list shows the planner's estimate of its rows ("约 N") instead of
counting them exactly on every page (PostgreSQL); below it, and on SQLite, the exact number."""

import re

from django.utils import timezone

from cases.models import Case
from portal.admin_filters import ApproximateCountPaginator
from tests.cases.test_admin import bulk_cases

LIST = "/admin/cases/case/"


def _count_shown(page):
    return re.search(r'<p class="paginator">(.*?)</p>', page, re.S).group(1)


def test_a_filtered_list_above_the_threshold_shows_an_estimate(postgres_only, client, staff, monkeypatch):
    bulk_cases(30, staff)
    monkeypatch.setattr(ApproximateCountPaginator, "exact_below", 10)
    client.force_login(staff)
    paginator = _count_shown(client.get(LIST, {"handler": staff.pk}).content.decode())
    assert 'data-testid="approximate-count"' in paginator and "约" in paginator
    assert "showall" not in paginator  # no "show all" of a number nobody counted


def test_below_the_threshold_the_count_is_exact(client, staff, monkeypatch):
    bulk_cases(30, staff)
    monkeypatch.setattr(ApproximateCountPaginator, "exact_below", 1000)
    client.force_login(staff)
    paginator = _count_shown(client.get(LIST, {"handler": staff.pk}).content.decode())
    assert "approximate-count" not in paginator and "约" not in paginator
    assert f"{Case.objects.filter(handler=staff).count()} 案件" in paginator


def test_a_list_the_statistics_page_links_to_is_counted_exactly(postgres_only, client, staff, monkeypatch):
    # reporting.exports.DrillDown promises that the list shows as many rows as the figure.
    bulk_cases(30, staff)
    monkeypatch.setattr(ApproximateCountPaginator, "exact_below", 10)
    client.force_login(staff)
    opened = Case.objects.filter(handler=staff).order_by("opened_at")
    # The days as the filter reads them: in the portal's time zone (late in the UTC day it is the next day).
    first, last = (timezone.localdate(case.opened_at) for case in (opened.first(), opened.last()))
    for params in (
        {"handler": staff.pk, "opened_from": first.isoformat(), "opened_to": last.isoformat()},
        {"handler": staff.pk, "status__in": ",".join(sorted(set(opened.values_list("status", flat=True))))},
    ):
        paginator = _count_shown(client.get(LIST, params).content.decode())
        assert "approximate-count" not in paginator and "约" not in paginator
        assert f"{opened.count()} 案件" in paginator
