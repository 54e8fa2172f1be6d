"""The staff's case list, its filters and search, the admin index and the case page cost the same
number of queries whatever the page size (5 or 50 rows) and at most ten: every column comes from the
case row or a join, the filters' choices, the deadline windows and the date hierarchy's range from a
one-minute cache, the count from one query. Timings are for tests/bench/bench_admin.py."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.admin.case import CaseAdmin
from cases.models import AssistanceLetter, Case, LetterRecipient
from tests.cases.test_admin import bulk_cases

pytestmark = pytest.mark.usefixtures("made_each_time")

LIST = "/admin/cases/case/"
ROWS = 60

# (label, query string or path, queries once the one-minute caches are warm)
CASE_PAGES = [
    ("plain", "", 8),
    ("handler and agency", "handler={staff}&agency={agency}", 8),
    ("handler", "handler={staff}", 8),
    ("no handler", "handler=none", 8),
    ("agency", "agency={agency}", 8),
    ("status", "status__exact=in_progress", 8),
    ("level", "level__exact=major", 8),
    ("country", "country=US", 8),
    ("dispute type", "dispute_type=infringement", 8),
    ("right type", "right_type=invention", 8),
    ("technical field", "technical_field__exact=mechanical", 8),
    ("overdue", "deadline=overdue", 8),
    ("due soon", "deadline=soon", 8),
    ("first contact overdue", "deadline=overdue_first_contact", 8),
    ("opinion overdue", "deadline=overdue_opinion", 8),
    ("foreign deadline urgent", "foreign_deadline=urgent", 8),
    ("foreign deadline soon", "foreign_deadline=soon", 8),
    ("opened in a period", "opened_from=2020-01-01&opened_to=2030-12-31", 8),
    ("ended in a period", "ended_from=2020-01-01&ended_to=2030-12-31", 8),
    ("opponent type", "opponent_type=competitor", 8),
    ("applicant category", "applicant_category=enterprise", 8),
    ("service point", "service_point=center", 9),
    ("year", "opened_at__year=2026", 8),
    ("sorted by the deadline abroad", "o=7", 8),
    ("Chinese search", "q=批量测试", 8),
]


def warm_queries(client, url):
    client.get(url)  # fills the one-minute caches (choices, windows, the date range)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries), response.content.decode()


@pytest.fixture
def listed(client, staff, director, agency, monkeypatch):
    bulk_cases(ROWS, staff)
    # A letter to the agency on one case (rows only: the list reads them, nothing is rendered).
    (letter,) = AssistanceLetter.objects.bulk_create(
        [
            AssistanceLetter(
                case=Case.objects.first(), status="signed", subject="商请", body="请协助。", drafted_by=staff
            )
        ]
    )
    LetterRecipient.objects.create(letter=letter, agency=agency)
    client.force_login(staff)
    return client


@pytest.mark.parametrize("label,query,expected", CASE_PAGES, ids=[page[0] for page in CASE_PAGES])
def test_case_list_queries_are_few_and_the_same_at_5_and_50_rows(
    listed, staff, agency, monkeypatch, label, query, expected
):
    url = LIST + "?" + query.format(staff=staff.pk, agency=agency.pk)
    counts = {}
    for per_page in (5, 50):
        monkeypatch.setattr(CaseAdmin, "list_per_page", per_page)
        counts[per_page], page = warm_queries(listed, url)
        assert "errornote" not in page and "?e=1" not in page, label  # the filter was understood
        shown = page.count('class="field-number"')
        assert shown == min(per_page, Case.objects.count()) or shown < per_page, label
    assert counts == {5: expected, 50: expected}, label


def test_every_column_of_the_case_list_is_shown_without_a_query_per_row(listed, staff):
    count, page = warm_queries(listed, LIST)
    for column in ("number", "applicant_name", "status_badge", "level_badge", "handler", "deadline_badge"):
        assert page.count(f'class="field-{column}') >= 50, column
    assert page.count('class="field-foreign_deadline_badge') >= 50
    assert count == 8


def test_a_cold_case_list_fills_its_caches_in_a_few_more(listed, django_assert_max_num_queries):
    # Once a minute: the handlers, the agencies, the calendar's two windows and the date range, and
    # the first request's own (the session's second factor, the roles); the steady state is 8.
    with django_assert_max_num_queries(19):
        assert listed.get(LIST + "?handler=none&deadline=soon").status_code == 200


def test_admin_index_queries(listed, django_assert_max_num_queries):
    count, page = warm_queries(listed, "/admin/")
    assert 'id="case-dashboard"' in page and "我的案件" in page
    # The session, user, device and roles, the calendar and delivery warnings, the recent actions,
    # and the user's own cases (list and count); the rest (the dashboard's figures, the navigation
    # with its permissions) is kept a minute.
    assert count == 9


def test_case_page_queries_do_not_grow_with_the_case_list(listed, staff, django_assert_max_num_queries):
    case = Case.objects.order_by("pk").first()
    count, page = warm_queries(listed, f"{LIST}{case.pk}/change/")
    assert case.number in page
    assert count <= 20
