"""The staff's application list, its filters and search cost the same number of queries whatever
the page size (5 or 50 rows), and at most ten once the one-minute caches (the deadline windows, the
workstations) are warm. Timings are for tests/bench/bench_admin.py."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.admin.applications import ApplicationAdmin
from applications.models import Application
from tests.factories import ApplicationFactory, submitted

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("made_each_time")]
LIST = "/admin/applications/application/"
ROWS = 60

PAGES = [
    ("plain", "", 8),
    ("submitted", "status__exact=submitted", 8),
    ("review overdue", "deadline=overdue", 8),
    ("deadline abroad", "foreign_deadline=alert", 8),
    ("urgent", "urgent__exact=1", 8),
    ("channel", "channel__exact=online", 8),
    ("service point", "service_point=none", 8),
    ("country", "country=US", 8),
    ("dispute type", "dispute_type=infringement", 8),
    ("received in a period", "received_from=2020-01-01&received_to=2030-12-31", 8),
    ("decided in a period", "decided_from=2020-01-01&decided_to=2030-12-31", 8),
    ("year", "submitted_at__year=2026", 8),
    ("search", "q=SQ", 8),
]


@pytest.fixture
def listed(client, staff):
    first = submitted(ApplicationFactory(countries=["US"], foreign_deadline=None))
    fields = {
        field.attname: getattr(first, field.attname)
        for field in Application._meta.concrete_fields
        if not field.primary_key and field.attname != "number"
    }
    Application.objects.bulk_create([Application(**{**fields, "number": f"SQ-L-{i:05d}"}) for i in range(ROWS - 1)])
    client.force_login(staff)
    return client


def warm_queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries), response.content.decode()


@pytest.mark.parametrize("label,query,expected", PAGES, ids=[page[0] for page in PAGES])
def test_application_list_queries_are_few_and_the_same_at_5_and_50_rows(listed, monkeypatch, label, query, expected):
    counts = {}
    for per_page in (5, 50):
        monkeypatch.setattr(ApplicationAdmin, "list_per_page", per_page)
        counts[per_page], page = warm_queries(listed, f"{LIST}?{query}")
        assert "errornote" not in page and "?e=1" not in page, label  # the filter was understood
    assert counts == {5: expected, 50: expected}, label


def test_the_plain_list_shows_a_full_page(listed, monkeypatch):
    monkeypatch.setattr(ApplicationAdmin, "list_per_page", 50)
    _count, page = warm_queries(listed, LIST)
    assert page.count('class="action-select"') == 50
    assert page.count("SQ-L-") >= 49
