"""The statistics page as each role sees it, its period form, charts and exports, on figures in the
shape of reporting.selectors.figures (a fixed set, so that the layout is checked apart from the
counting, which tests/reporting/test_figures*.py checks)."""

import copy
import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from portal.models import ServicePoint
from portal.roles import Role
from reporting import views_statistics
from reporting.charts import bar_chart, trend_chart
from reporting.permissions import can_view_statistics, statistics_scope
from tests.factories import UserFactory
from tests.reporting.test_figures import data  # noqa: F401 (the hand-counted data set, as a fixture)


def row(key, label, count):
    return {"key": key, "label": label, "count": count}


def timing(count, median, p90, on_time):
    return {
        "count": count,
        "median": median,
        "p90": p90,
        "on_time": on_time,
        "on_time_share": on_time / count if count else None,
    }


FIGURES = {
    "period": {"kind": "quarter", "first": "2026-07-01", "last": "2026-09-30", "label": "2026年第3季度"},
    "service_point_ids": None,
    "applications": {"received": 17, "accepted": 11, "returned": 3, "declined": 2, "withdrawn": 1},
    "cases": {"opened": 11, "closed": 4, "terminated": 1, "open_now": 23, "overdue_now": 2},
    "consultations": {"total": 41, "by_channel": [row("phone", "电话", 25), row("visit", "来访", 16)]},
    "dimensions": {
        "country": [row("US", "美国", 7), row("DE", "德国", 3), row("JP", "日本", 2)],
        "right_type": [row("invention", "发明专利", 8), row("trademark", "商标", 4)],
        "dispute_type": [row("infringement", "侵权纠纷", 9)],
        "technical_field": [row("mechanical", "机械", 6)],
        "opponent_type": [row("competitor", "竞争对手", 10)],
        "level": [row("ordinary", "一般", 9), row("major", "重大/疑难", 2)],
        "applicant_category": [row("enterprise", "企业", 11)],
        "region": [row("411000", "许昌市", 11)],
        "service_point": [row("", "指导中心直接受理", 8)],
    },
    "handling": {
        "acceptance": timing(13, 3.0, 5.0, 12),
        "first_contact": timing(11, 1.0, 2.0, 11),
        "opinion": timing(5, 14.5, 19.0, 4),
        "overdue_now": {"acceptance": 1, "first_contact": 0, "opinion": 2},
    },
    "letters": [
        {
            "agency_id": 1,
            "agency": "省商务厅",
            "sent": 5,
            "acknowledged": 4,
            "answered": 3,
            "median_response_days": 6.0,
            "overdue": 1,
        }
    ],
    "experts": {
        "invited": 6,
        "accepted": 4,
        "declined": 2,
        "acceptance_rate": 4 / 6,
        "opinions": 3,
        "load": [{"expert_id": 1, "name": "吴志远", "active": 2, "opinions": 1}],
    },
    "satisfaction": {
        "count": 3,
        "averages": {"satisfaction": 4.67, "timeliness": 4.0, "usefulness": 4.33},
        "comments": [
            {
                "application_id": 1,
                "number": "SQ-2026-0007",
                "submitted_at": "2026-08-02T10:00:00+08:00",
                "satisfaction": 5,
                "comment": '=HYPERLINK("x") 很及时，谢谢！',
            }
        ],
    },
    "trends": [
        {
            "label": f"{2024 + (q + 3) // 4}年第{(q + 3) % 4 + 1}季度",
            "params": {"period": "quarter", "year": str(2024 + (q + 3) // 4), "quarter": str((q + 3) % 4 + 1)},
            "received": 10 + q,
            "opened": 5 + q,
            "closed": 3 + q,
            "consultations": 20 + q,
        }
        for q in range(8)
    ],
}


@pytest.fixture
def figures(monkeypatch):
    """The page reads the real figures (reporting.selectors); `calls` records each call's period and cut."""
    calls = []
    real = views_statistics._figures

    def spy(period, service_point_ids):
        calls.append((period, service_point_ids))
        return real(period, service_point_ids)

    monkeypatch.setattr(views_statistics, "_figures", spy)
    return calls


@pytest.fixture
def fixed_figures(monkeypatch):
    """The page reads FIGURES (for the layout: every section, link, chart and export cell)."""
    calls = []

    def fake(period, service_point_ids):
        calls.append((period, service_point_ids))
        return copy.deepcopy(FIGURES)

    monkeypatch.setattr(views_statistics, "_figures", fake)
    return calls


@pytest.fixture
def agency_figures(monkeypatch):
    calls = []

    def fake(period, agency_id):
        calls.append((period, agency_id))
        return {
            **FIGURES["letters"][0],
            "agency_id": agency_id,
            "letters": [
                {
                    "letter_id": 9,
                    "number": "晋知援函〔2026〕3号",
                    "subject": "商请查询境外诉讼记录",
                    "signed_at": "2026-07-03T09:00:00+08:00",
                    "due_date": "2026-07-17",
                    "acknowledged_at": "2026-07-04T09:00:00+08:00",
                    "answered_at": None,
                }
            ],
        }

    monkeypatch.setattr(views_statistics, "_agency_figures", fake)
    return calls


@pytest.fixture
def points(db):
    city = ServicePoint.objects.create(name="许昌市工作站", level="city", region="许昌市", address="许昌")
    park = ServicePoint.objects.create(name="经开区工作站", level="park", region="经开区", address="许昌", parent=city)
    other = ServicePoint.objects.create(name="长葛市工作站", level="district", region="长葛市", address="长葛")
    return city, park, other


@pytest.fixture
def workstation_user(points, center_permissions):
    return UserFactory(full_name="周平", is_staff=True, service_point=points[0], roles=[Role.SERVICE_POINT])


URL = "/statistics/"
Q3 = "?period=quarter&year=2026&quarter=3"


# --- who may open it ----------------------------------------------------------------------
def test_center_members_may_open_it(staff, director, deputy, client, figures):
    for user in (staff, director, deputy):
        assert can_view_statistics(user)
        client.force_login(user)
        response = client.get(URL + Q3)
        assert response.status_code == 200
        assert "2026年第3季度" in response.content.decode()


def test_others_get_404_and_visitors_log_in(client, applicant, expert_user, figures):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for user in (applicant, expert_user):
        assert statistics_scope(user) is None
        client.force_login(user)
        assert client.get(URL).status_code == 404
        assert client.get(reverse("reporting:statistics_export") + Q3 + "&table=cases&format=csv").status_code == 404
        assert client.get(reverse("reporting:agency_statistics")).status_code == 404
    assert figures == []


def test_center_staff_need_their_second_factor(client, staff, figures):
    client.force_login(staff, second_factor=False)
    response = client.get(URL)
    assert response.status_code == 302 and "/two-factor/" in response["Location"]
    assert figures == []


def test_a_workstation_sees_only_its_own_scope(client, workstation_user, points, figures):
    city, park, other = points
    client.force_login(workstation_user)
    response = client.get(URL + Q3)
    assert response.status_code == 200
    assert sorted(figures[-1][1]) == sorted([city.pk, park.pk])
    html = response.content.decode()
    assert "长葛市工作站" not in html  # another workstation is not even offered
    assert "全部（含中心直接受理）" not in html
    # A sub-workstation of its own may be chosen; another one may not, and nothing is counted then.
    client.get(URL + Q3 + f"&service_point={park.pk}")
    assert figures[-1][1] == [park.pk]
    calls = len(figures)
    response = client.get(URL + Q3 + f"&service_point={other.pk}")
    assert response.status_code == 400
    assert "请选择列表中的服务工作站" in response.content.decode()
    assert len(figures) == calls
    # The drill-down links carry the cut, so the admin list (itself scoped) counts the same rows.
    assert f"point_scope={city.pk}" in html


def test_the_center_cuts_by_any_active_workstation(client, director, points, figures):
    other = points[2]
    client.force_login(director)
    client.get(URL + Q3)
    assert figures[-1][1] is None
    response = client.get(URL + Q3 + f"&service_point={other.pk}")
    assert figures[-1][1] == [other.pk]
    assert "长葛市工作站及下级工作站" in response.content.decode()


def test_an_agency_sees_only_its_own_letters(client, agency_user, agency, agency_figures, figures):
    client.force_login(agency_user)
    response = client.get(URL + Q3)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("reporting:agency_statistics"))
    response = client.get(response["Location"])
    assert response.status_code == 200
    assert agency_figures[-1][1] == agency.pk
    html = response.content.decode()
    assert "晋知援函〔2026〕3号" in html
    assert "/admin/" not in html  # no drill-down into the center's lists
    assert figures == []
    export = client.get(reverse("reporting:statistics_export") + Q3 + "&table=agency_letters&format=csv")
    assert export.status_code == 200
    assert "商请查询境外诉讼记录" in export.content.decode("utf-8-sig")
    assert client.get(reverse("reporting:statistics_export") + Q3 + "&table=cases&format=csv").status_code == 400


# --- the period form ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?period=custom&start=2026-09-30&end=2026-07-01", "end", "结束日期不能早于开始日期"),
        ("?period=week", "period", "未知的统计期间类型"),
        ("?period=year&year=20x6", "year", "不是整数"),
        ("?period=year&year=1999", "year", "应在 2000 到 2100 之间"),
        ("?period=custom&start=2026-02-30&end=2026-03-01", "start", "日期“2026-02-30”无效"),
        ("?period=quarter&year=2026&quarter=7", "quarter", "应在 1 到 4 之间"),
    ],
)
def test_bad_periods_are_shown_at_their_field(client, director, figures, query, field, message):
    client.force_login(director)
    response = client.get(URL + query)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="err-{field}"' in html
    assert message in html
    assert figures == []
    for value in [part.split("=", 1)[1] for part in query[1:].split("&")]:
        assert f'value="{value}"' in html  # what was entered is kept


def test_a_custom_period_reads_the_dates(client, director, figures):
    client.force_login(director)
    response = client.get(URL + "?period=custom&start=2026-07-15&end=2026-08-14")
    assert response.status_code == 200
    period = figures[-1][0]
    assert (period.first.isoformat(), period.last.isoformat()) == ("2026-07-15", "2026-08-14")
    assert 'value="2026-07-15"' in response.content.decode()


# --- the page -------------------------------------------------------------------------------
def test_the_page_shows_every_section_with_links_behind_the_numbers(client, director, fixed_figures):
    client.force_login(director)
    html = client.get(URL + Q3).content.decode()
    case_list = reverse("admin:cases_case_changelist")
    assert f'href="{case_list}?opened_from=2026-07-01&amp;opened_to=2026-09-30">11</a>' in html
    assert f"{case_list}?opened_from=2026-07-01&amp;opened_to=2026-09-30&amp;country=US" in html
    assert f"{case_list}?opened_from=2026-07-01&amp;opened_to=2026-09-30&amp;right_type=invention" in html
    application_list = reverse("admin:applications_application_changelist")
    assert f'href="{application_list}?received_from=2026-07-01&amp;received_to=2026-09-30">17</a>' in html
    consultation_list = reverse("admin:consultations_consultation_changelist")
    assert f"{consultation_list}?received_from=2026-07-01&amp;received_to=2026-09-30&amp;channel__exact=phone" in html
    letter_list = reverse("admin:cases_assistanceletter_changelist")
    assert f"{letter_list}?signed_from=2026-07-01&amp;signed_to=2026-09-30&amp;recipients__agency__id__exact=1" in html
    for text in (
        "办理时限",
        "14.5",
        "80.0",
        "省商务厅",
        "吴志远",
        "4.67",
        "很及时",
        "近 8 个季度趋势",
        "2026年第3季度",
    ):
        assert text in html
    # Charts: inline SVG with a title and the figures in words; no script, no style attribute.
    assert html.count("<svg") >= 10
    assert "<title" in html and "美国 7；德国 3；日本 2" in html
    assert "<script>" not in html and " style=" not in html
    # Each quarter of the trend opens the page for that quarter.
    assert "?period=quarter&amp;year=2025&amp;quarter=1" in html


def test_links_to_other_pages_appear_only_when_they_exist(client, director, fixed_figures, monkeypatch):
    monkeypatch.setattr(views_statistics, "_optional_link", lambda name: None)
    client.force_login(director)
    html = client.get(URL + Q3).content.decode()
    assert "向国家平台报送" not in html and "季度和年度工作报告" not in html
    monkeypatch.setattr(views_statistics, "_optional_link", lambda name: f"/somewhere/{name}/")
    html = client.get(URL + Q3).content.decode()
    assert "/somewhere/reporting:national/" in html
    assert "/somewhere/admin:reporting_workreport_changelist/" in html


def test_charts_escape_labels_and_say_the_figures():
    svg = str(bar_chart([row("x", "<b>A&B</b>", 3), row("y", "零", 0)], title="T<"))
    assert "&lt;b&gt;A&amp;B&lt;/b&gt;" in svg and "<b>" not in svg
    assert 'role="img"' in svg and "<title" in svg and "T&lt;" in svg
    assert "零" not in svg  # an empty bar is left out
    assert bar_chart([], title="t") == ""
    trend = str(trend_chart(FIGURES["trends"], title="趋势"))
    assert trend.count("<polyline") == 4 and "2026 Q3" in trend


# --- exports --------------------------------------------------------------------------------
EXPORT = "/statistics/export/"


def test_csv_export_has_a_bom_and_the_figures(client, director, fixed_figures):
    client.force_login(director)
    response = client.get(EXPORT + Q3 + "&table=dimension_country&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1] == ["国家/地区", "受理案件数"]
    assert rows[2:] == [["美国", "7"], ["德国", "3"], ["日本", "2"]]
    comments = client.get(EXPORT + Q3 + "&table=comments&format=csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in comments  # a formula typed by an applicant stays text


def test_xlsx_export_of_one_table_and_of_all(client, director, fixed_figures):
    client.force_login(director)
    response = client.get(EXPORT + Q3 + "&table=cases&format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in r] for r in sheet.iter_rows(min_row=3)]
    assert values == [["受理立案", 11], ["结案", 4], ["终止", 1], ["目前在办", 23], ["目前逾期", 2]]
    book = load_workbook(io.BytesIO(client.get(EXPORT + Q3 + "&table=all&format=xlsx").content))
    assert len(book.sheetnames) >= 18
    assert book["申请"]["B3"].value == 17


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("&table=nothing&format=csv", "未知的表格"),
        ("&table=cases&format=pdf", "未知的导出格式"),
        ("&table=all&format=csv", "只能导出为 XLSX"),
        ("&table=cases", "未知的导出格式"),
    ],
)
def test_bad_export_requests_get_400(client, director, fixed_figures, query, message):
    client.force_login(director)
    response = client.get(EXPORT + Q3 + query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_bad_period_in_an_export_is_400(client, director, figures):
    client.force_login(director)
    response = client.get(EXPORT + "?period=custom&start=2026-09-01&end=2026-01-01&table=cases&format=csv")
    assert response.status_code == 400
    assert "结束日期不能早于开始日期" in response.content.decode()


def test_the_menu_and_the_admin_index_link_to_it(client, director, agency_user, applicant, workstation_user):
    client.force_login(director)
    assert 'href="/statistics/"' in client.get("/").content.decode()
    assert 'data-testid="statistics-link"' in client.get("/admin/").content.decode()
    client.force_login(workstation_user)
    assert 'href="/statistics/"' in client.get("/").content.decode()
    client.force_login(agency_user)
    home = client.get("/").content.decode()
    assert 'href="/statistics/agency/"' in home and 'href="/statistics/"' not in home
    client.force_login(applicant)
    assert "/statistics/" not in client.get("/").content.decode()


# --- the page's queries ---------------------------------------------------------------------
def test_the_page_on_real_figures_reads_at_most_fifteen_queries(client, director, data, django_assert_max_num_queries):  # noqa: F811
    """The figures' five queries and the page's own (session, user, second factor, roles, the
    workstations of the form, the menu's notifications): nothing per row."""
    client.force_login(director)
    client.get(URL + Q3)  # the first request of a client also stores its session
    with django_assert_max_num_queries(15):
        response = client.get(URL + "?period=year&year=2026")
    assert response.status_code == 200
    with django_assert_max_num_queries(15):
        response = client.get(URL + f"?period=year&year=2026&service_point={data['sp1'].pk}")
    assert response.status_code == 200
