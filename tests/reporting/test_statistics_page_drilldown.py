"""Every number of the statistics page links to the admin list of the rows behind it, and that list
shows exactly as many rows as the figure: the case list (by period, state and each dimension), the
application list, the consultation list and the assistance letters by agency; also for a
workstation's cut and for a workstation's own staff."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from applications.services import decisions
from cases.models import Case
from consultations.models import Consultation
from portal.models import ServicePoint
from portal.roles import Role
from tests.cases.factories import make_case, signed_letter
from tests.factories import ApplicationFactory, UserFactory, submitted

URL = "/statistics/"


@pytest.fixture
def points(db):
    city = ServicePoint.objects.create(name="许昌市工作站", level="city", region="许昌市", address="许昌")
    park = ServicePoint.objects.create(name="经开区工作站", level="park", region="经开区", address="许昌", parent=city)
    other = ServicePoint.objects.create(name="长葛市工作站", level="district", region="长葛市", address="长葛")
    return city, park, other


@pytest.fixture
def known_data(staff, director, agency, other_agency, points):
    """This quarter's rows (and some from before it, which no figure of this quarter counts)."""
    city, park, other = points
    now = timezone.now()
    long_ago = now - datetime.timedelta(days=200)
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)

    us = make_case(staff, countries=["US", "DE"], right_types=["invention", "trademark"], service_point=city)
    make_case(staff, countries=["US"], opponent_types=["npe"], service_point=park)
    make_case(staff, countries=["JP"], applicant_category="research", service_point=other)
    make_case(staff, countries=["VN"], level="major")
    old = make_case(staff, countries=["US"])
    Case.objects.filter(pk=old.pk).update(opened_at=long_ago)
    # Decided this quarter (accepted cases' applications), one closed, one terminated, deadlines passed.
    for case in Case.objects.exclude(pk=old.pk).select_related("application"):
        type(case.application).objects.filter(pk=case.application_id).update(decided_at=now)
    closed = make_case(staff, countries=["FR"])
    Case.objects.filter(pk=closed.pk).update(status="closed", closed_at=now, due_date=None)
    ended = make_case(staff, countries=["FR"], service_point=city)
    Case.objects.filter(pk=ended.pk).update(status="terminated", closed_at=now, due_date=None)
    Case.objects.filter(pk=us.pk).update(due_date=yesterday, first_contact_due=yesterday)
    # Applications: two only submitted (one past its review deadline), one returned, one declined.
    waiting = submitted(ApplicationFactory(service_point=city))
    type(waiting).objects.filter(pk=waiting.pk).update(review_due=yesterday)
    submitted(ApplicationFactory())
    decisions.application_return(application=submitted(ApplicationFactory()), by=staff, reason="请补充证据。")
    decisions.application_decline(application=submitted(ApplicationFactory()), by=staff, reason="不属于受理范围。")
    # Consultations: three this quarter (two channels, one at a workstation), one long ago.
    for channel, point in [("hotline", None), ("hotline", city), ("visit", None), ("visit", None)]:
        Consultation.objects.create(
            channel=channel, person_name="赵丽", question="如何应对？", service_point=point, handled_by=staff
        )
    Consultation.objects.filter(pk=Consultation.objects.order_by("pk").last().pk).update(received_at=long_ago)
    # Letters: two signed to the agency (one acknowledged and answered), one to the other agency.
    first = signed_letter(us, staff, director, [agency])
    signed_letter(us, staff, director, [agency, other_agency])
    first.recipients.filter(agency=agency).update(acknowledged_at=now, answered_at=now)
    return {"city": city, "park": park, "other": other}


def linked_cells(response):
    """(table, row label, figure, url) of every linked number on the page."""
    return [
        (name, row[0].value, cell.value, cell.url)
        for name, table in response.context["tables"].items()
        for row in table.rows
        for cell in row[1:]
        if cell.url
    ]


def list_count(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    changelist = response.context["cl"]
    assert "e=1" not in response.get("Location", ""), url
    return changelist.result_count


def check_every_link(client, page):
    cells = linked_cells(page)
    for table, label, figure, url in cells:
        assert list_count(client, url) == figure, (table, label, url)
    return cells


def kinds(cells):
    return {urlsplit(url).path for _t, _l, _f, url in cells}


def test_every_number_links_to_a_list_of_as_many_rows(client, director, known_data):
    client.force_login(director)
    page = client.get(URL)
    assert page.status_code == 200
    cells = check_every_link(client, page)
    # Each kind of list is linked, and the figures are not all zero.
    assert kinds(cells) == {
        "/admin/cases/case/",
        "/admin/applications/application/",
        "/admin/consultations/consultation/",
        "/admin/cases/assistanceletter/",
    }
    figures = page.context["figures"]
    assert figures["cases"]["opened"] == 6
    assert figures["applications"]["returned"] == 1
    assert figures["consultations"]["total"] == 3
    by_country = {row["key"]: row["count"] for row in figures["dimensions"]["country"]}
    assert by_country["US"] == 2 and by_country["VN"] == 1
    assert any(t == "dimension_country" and f == 2 for t, _l, f, _u in cells)
    assert any(t == "dimension_country" and label == "越南" for t, label, _f, _u in cells)
    assert any(t == "letters" and f == 2 for t, _l, f, _u in cells)


@pytest.mark.parametrize(
    ("table", "label", "expected"),
    [
        ("cases", "受理立案", 6),
        ("cases", "结案", 1),
        ("cases", "终止", 1),
        ("cases", "目前逾期", 1),
        ("applications", "退回补正", 1),
        ("applications", "不予受理", 1),
        ("consultations", "合计", 3),
        ("handling", "提交至受理决定", 1),
        ("handling", "受理至首次联系", 1),
    ],
)
def test_each_kind_of_figure_counts_the_list(client, director, known_data, table, label, expected):
    client.force_login(director)
    page = client.get(URL)
    matches = [(figure, url) for t, row_label, figure, url in linked_cells(page) if (t, row_label) == (table, label)]
    assert matches, (table, label)
    figure, url = matches[-1]
    assert figure == expected
    assert list_count(client, url) == expected


def test_a_workstation_cut_links_to_the_same_cut(client, director, known_data):
    city = known_data["city"]
    client.force_login(director)
    page = client.get(URL + f"?service_point={city.pk}")
    cells = check_every_link(client, page)
    assert all(f"point_scope={city.pk}" in url for _t, _l, _f, url in cells)
    assert page.context["figures"]["cases"]["opened"] == 3  # city, its park, and the terminated one


def test_a_workstations_staff_follow_their_links_in_their_own_lists(client, center_permissions, known_data):
    user = UserFactory(is_staff=True, service_point=known_data["city"], roles=[Role.SERVICE_POINT])
    client.force_login(user)
    page = client.get(URL)
    assert page.status_code == 200
    assert page.context["figures"]["service_point_ids"] == sorted([known_data["city"].pk, known_data["park"].pk])
    cells = linked_cells(page)
    case_cells = [c for c in cells if urlsplit(c[3]).path == "/admin/cases/case/"]
    assert case_cells
    for table, label, figure, url in case_cells:
        assert list_count(client, url) == figure, (table, label, url)


def test_a_date_that_is_not_a_date_is_the_admins_notice(client, director, db):
    client.force_login(director)
    response = client.get("/admin/cases/case/?opened_from=2026-13-01")
    assert response.status_code == 302 and "e=1" in response["Location"]
