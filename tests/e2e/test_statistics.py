"""The director reads the quarter's statistics: the figures and charts, a number followed to the case
list behind it (as many cases there), and the workbook of all tables (the same figures in its cells).

Set SCREENSHOT_DIR to keep a 1280 px screenshot of each page."""

import io
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from reporting.periods import Period
from tests.cases.factories import make_case, signed_letter
from tests.e2e.helpers import login, logout

pytestmark = pytest.mark.django_db(transaction=True)


def shot(page, name):
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_the_director_reads_the_quarter_follows_a_number_and_exports_the_tables(page, live_server, staff, director):
    page.set_viewport_size({"width": 1280, "height": 900})
    make_case(staff, countries=["US", "DE"], right_types=["invention"])
    make_case(staff, countries=["US"], right_types=["trademark"])
    make_case(staff, countries=["JP"], right_types=["invention"], level="major")
    quarter = Period.current_quarter()

    login(page, live_server, director)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="统计分析", exact=True).click()
    expect(page.get_by_role("heading", name="统计分析", level=1)).to_be_visible()
    expect(page.get_by_test_id("stat-heading")).to_contain_text(quarter.label)
    cases = page.locator('table[data-table="cases"]')
    expect(cases.get_by_role("row", name="受理立案")).to_contain_text("3")
    countries = page.locator('table[data-table="dimension_country"]')
    expect(countries.get_by_role("row", name="美国")).to_contain_text("2")
    expect(page.get_by_role("img", name="按国家/地区")).to_be_visible()
    expect(page.get_by_role("img", name="近 8 个季度趋势")).to_be_visible()
    shot(page, "01-statistics")

    # The 2 cases about the United States are the 2 rows of the case list behind the number.
    countries.get_by_role("row", name="美国").get_by_role("link", name="2").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    expect(page.locator("#changelist-filter")).to_contain_text("美国")
    shot(page, "02-case-list")
    page.go_back()

    # The workbook holds one sheet per table, with the figures in its cells.
    with page.expect_download() as download_info:
        page.get_by_test_id("export-all").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    assert book["案件"]["A3"].value == "受理立案" and book["案件"]["B3"].value == 3
    rows = {row[0]: row[1] for row in book["按国家地区"].iter_rows(min_row=3, values_only=True)}
    assert rows == {"美国": 2, "德国": 1, "日本": 1}
    assert book["按纠纷级别"].max_row >= 4


def test_a_wrong_period_is_shown_at_its_field_and_an_agency_reads_its_own_letters(
    page, live_server, staff, director, agency, other_agency, agency_user
):
    page.set_viewport_size({"width": 1280, "height": 900})
    case = make_case(staff, countries=["US"])
    signed_letter(case, staff, director, [agency])
    signed_letter(case, staff, director, [other_agency], subject="商请海关核查备案")

    login(page, live_server, director)
    page.goto(f"{live_server.url}/statistics/")
    page.get_by_label("统计期间", exact=True).select_option("custom")
    page.get_by_label("开始日期").fill("2026-09-30")
    page.get_by_label("结束日期").fill("2026-07-01")
    page.get_by_role("button", name="统计").click()
    expect(page.locator("#err-end")).to_have_text("结束日期不能早于开始日期。")
    expect(page.get_by_label("开始日期")).to_have_value("2026-09-30")
    expect(page.locator('table[data-table="cases"]')).to_have_count(0)
    shot(page, "03-wrong-period")
    logout(page, live_server)

    login(page, live_server, agency_user)
    page.get_by_role("link", name="协助办理统计").click()
    expect(page.get_by_role("heading", name="本单位协助办理统计")).to_be_visible()
    letters = page.locator('table[data-table="agency_letters"]')
    expect(letters.locator("tbody tr")).to_have_count(1)
    expect(letters).to_contain_text("商请推荐美国专利诉讼专家")
    expect(page.get_by_text("商请海关核查备案")).to_have_count(0)
    shot(page, "04-agency")
