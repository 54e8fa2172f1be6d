"""Every admin list counts its rows the way the case list does: the planner's estimate for a large
table ("约 N"), an exact count for a small one; it reads no long column it does not show; and the
audit log reads newest first."""

import re
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.admin_filters import ApproximateCountPaginator
from portal.models import LogEntry, User
from tests.factories import UserFactory

LOG = "/admin/portal/logentry/"
ACCEPTED = "applications.application.accepted"


def _count_shown(page):
    return re.search(r'<p class="paginator">(.*?)</p>', page, re.S).group(1)


def _entries(count, action_type, actor):
    """`count` entries of one action on the actor's own record, a minute apart."""
    start = timezone.now() - timedelta(days=1)
    user_type = ContentType.objects.get_for_model(User)
    LogEntry.objects.bulk_create(
        LogEntry(
            content_type=user_type,
            object_id=actor.pk,
            action_type=action_type,
            actor=actor,
            created=start + timedelta(minutes=index),
            note=f"第{index}条",
        )
        for index in range(count)
    )


@pytest.fixture
def superuser(db):
    return UserFactory(full_name="系统管理员", is_staff=True, is_superuser=True)


def test_every_admin_list_estimates_the_count_of_a_large_table():
    # A list without it counts every row of its table on every page (FastListMixin brings it).
    exact = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not issubclass(model_admin.paginator, ApproximateCountPaginator)
    ]
    assert exact == []


def test_the_audit_log_filtered_by_a_frequent_action_shows_an_estimate_newest_first(
    postgres_only, client, superuser, monkeypatch
):
    _entries(30, ACCEPTED, superuser)
    monkeypatch.setattr(ApproximateCountPaginator, "exact_below", 10)
    client.force_login(superuser)
    page = client.get(LOG, {"action": ACCEPTED}).content.decode()
    paginator = _count_shown(page)
    assert 'data-testid="approximate-count"' in paginator and "约" in paginator
    # The search bar's count of the filtered rows says it is an estimate too.
    assert re.search(r'data-testid="search-result-count">约 \d+ 条结果', page), page
    assert page.index("第29条") < page.index("第28条") < page.index("第0条")


def test_the_audit_log_filtered_by_a_rare_action_is_counted_exactly(client, superuser, monkeypatch):
    _entries(30, ACCEPTED, superuser)
    _entries(3, "cases.case.closed", superuser)
    monkeypatch.setattr(ApproximateCountPaginator, "exact_below", 10)
    client.force_login(superuser)
    page = client.get(LOG, {"action": "cases.case.closed"}).content.decode()
    paginator = _count_shown(page)
    assert "approximate-count" not in paginator and "约" not in paginator
    assert re.search(r"\b3 操作日志", paginator), paginator
    assert re.search(r'data-testid="search-result-count">3 条结果', page), page


def test_the_search_bar_counts_only_a_search_or_a_filter(client, superuser):
    # The whole list's number is in the pagination; beside the search box it would repeat it.
    _entries(3, ACCEPTED, superuser)
    client.force_login(superuser)
    assert "search-result-count" not in client.get(LOG).content.decode()
    searched = client.get(LOG, {"q": "第1条"}).content.decode()
    assert re.search(r'data-testid="search-result-count">1 条结果', searched), searched


def test_a_list_reads_no_long_column_it_does_not_show(client, superuser):
    # The log's list shows each entry's note, not its data nor its note for the applicant: those
    # are long (a JSON document, a text) and read for every row of the page if selected.
    _entries(3, ACCEPTED, superuser)
    client.force_login(superuser)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(LOG).content.decode()
    assert "第2条" in page
    rows_query = next(query["sql"] for query in captured if query["sql"].startswith('SELECT "portal_logentry"."id"'))
    assert '"portal_logentry"."note"' in rows_query
    assert '"portal_logentry"."data"' not in rows_query
    assert '"portal_logentry"."public_note"' not in rows_query
