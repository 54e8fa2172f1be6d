"""The public library in the browser: a visitor searches in Chinese, narrows by country and opens
the law; another filters the law library by country and finds it. No login."""

import datetime
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from knowledge.caching import content_changed
from knowledge.models import CountryGuide, IPType, Law, OfficialFee
from knowledge.search import index_item
from tests.knowledge.conftest import LawFactory, TypicalCaseFactory, WarningFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _shot(page, name):
    """A full-page screenshot at the page's width when SCREENSHOT_DIR is set (to look at the pages)."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def library():
    german = LawFactory(
        title_zh="数控机床主轴出口管制条例",
        title_original="Verordnung über die Ausfuhr von Werkzeugmaschinenspindeln",
        country="DE",
        ip_type=IPType.PATENT,
        doc_type=Law.DocType.REGULATION,
        issuing_body="Bundesministerium für Wirtschaft",
        promulgated_on=datetime.date(2022, 3, 1),
        effective_on=datetime.date(2022, 7, 1),
        summary="规定数控机床主轴等关键部件的出口许可。",
        full_text="第一条 为规范数控机床主轴出口，制定本条例。\n\n第二条 本条例所称主轴，是指……",
    )
    american = LawFactory(
        title_zh="数控机床进口安全规则",
        country="US",
        ip_type=IPType.GENERAL,
        doc_type=Law.DocType.RULE,
        summary="进口数控机床的安全认证要求。",
    )
    others = [
        LawFactory(title_zh="德国专利法", title_original="Patentgesetz", country="DE"),
        LawFactory(title_zh="美国专利法", title_original="Patent Act", country="US"),
        TypicalCaseFactory(title="汉诺威展会数控机床外观专利临时禁令案", country="DE", year=2024),
        WarningFactory(title="德国机床行业专利风险提示", country="DE", issued_on=datetime.date(2026, 6, 1)),
    ]
    CountryGuide.objects.create(country="DE", overview="德国是欧洲专利诉讼最集中的国家，展会临时禁令常见。")
    OfficialFee.objects.create(
        country="DE",
        ip_type=IPType.PATENT,
        item="发明专利申请费（电子申请）",
        amount="40.00",
        currency="EUR",
        as_of=datetime.date(2026, 1, 15),
    )
    for item in (german, american, *others):
        index_item(item)
    content_changed()
    return german


def test_a_visitor_searches_in_chinese_narrows_by_country_and_opens_the_law(page, live_server, library):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/knowledge/")
    _shot(page, "knowledge-index")
    expect(page.get_by_role("heading", name="海外知识产权信息平台")).to_be_visible()
    expect(page.get_by_role("link", name="智南针（海外知识产权信息服务平台）")).to_have_attribute(
        "href", "https://www.worldip.cn/"
    )

    page.get_by_label("搜索法律法规、案例、预警和服务机构").fill("数控机床")
    page.get_by_role("button", name="搜索").click()

    hits = page.get_by_test_id("search-hit")
    expect(page.get_by_test_id("result-count")).to_contain_text("共找到 3 条结果")
    expect(hits).to_have_count(3)
    expect(page.locator("mark").first).to_have_text("数控机床")
    _shot(page, "knowledge-search")

    facets = page.get_by_test_id("facets")
    facets.get_by_role("link", name="德国").click()
    expect(page.get_by_test_id("result-count")).to_contain_text("共找到 2 条结果")
    expect(hits).to_have_count(2)
    expect(page.get_by_test_id("search-hits")).not_to_contain_text("数控机床进口安全规则")
    facets.get_by_role("link", name="法律法规").click()
    expect(hits).to_have_count(1)
    _shot(page, "knowledge-search-narrowed")

    hits.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("数控机床主轴出口管制条例")
    expect(page.get_by_text("Verordnung über die Ausfuhr von Werkzeugmaschinenspindeln")).to_be_visible()
    expect(page.get_by_test_id("legal-status")).to_have_text("现行有效")
    expect(page.get_by_test_id("law-full-text")).to_contain_text("第二条 本条例所称主轴")
    _shot(page, "knowledge-law")

    # From the law to its country's page: the guide, the fee table, the warning.
    page.get_by_role("link", name="德国").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("德国")
    expect(page.get_by_test_id("country-guide")).to_contain_text("德国是欧洲专利诉讼最集中的国家")
    expect(page.get_by_test_id("fee-table")).to_contain_text("发明专利申请费（电子申请）")
    expect(page.get_by_test_id("fee-table")).to_contain_text("EUR")
    expect(page.get_by_test_id("country-warnings")).to_contain_text("德国机床行业专利风险提示")
    _shot(page, "knowledge-country")


def test_a_visitor_filters_the_law_library_by_country_and_finds_the_law(page, live_server, library):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/knowledge/laws/")
    expect(page.get_by_test_id("law-row")).to_have_count(4)
    _shot(page, "knowledge-laws")

    page.get_by_label("国家/地区").select_option(label="德国")
    page.get_by_label("文件类型").select_option(label="行政法规")
    page.get_by_role("button", name="筛选").click()

    rows = page.get_by_test_id("law-row")
    expect(rows).to_have_count(1)
    expect(page.get_by_label("国家/地区")).to_have_value("DE")
    rows.get_by_role("link", name="数控机床主轴出口管制条例").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("数控机床主轴出口管制条例")
    expect(page).to_have_url(f"{live_server.url}{library.get_absolute_url()}")

    # The list's own search box searches within the section and the filters.
    page.goto(f"{live_server.url}/knowledge/laws/?country=US")
    page.get_by_label("关键词").fill("数控机床")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_test_id("search-hit")).to_have_count(1)
    expect(page.get_by_test_id("search-hit")).to_contain_text("数控机床进口安全规则")

    # An over-long query is explained next to the box; the page still answers.
    page.get_by_label("关键词").fill("数" * 120)
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_test_id("field-error")).to_contain_text("搜索内容过长")
    expect(page.get_by_label("关键词")).to_have_value("数" * 120)


def test_a_visitor_reads_a_squatting_alert_a_case_and_finds_an_institution_and_its_partner(page, live_server):
    from django.utils import timezone

    from knowledge.models import ServiceInstitution, Warning
    from tests.knowledge.conftest import InstitutionFactory

    deadline = timezone.localdate() + datetime.timedelta(days=20)
    WarningFactory(
        kind=Warning.Kind.SQUATTING,
        title="“钧瓷”相关商标在巴西被抢注",
        country="BR",
        mark="JUNCI 钧瓷",
        filing_number="BR928374651",
        filing_date=datetime.date(2026, 9, 1),
        opposition_deadline=deadline,
        body="巴西国家工业产权局公告一件与禹州钧瓷近似的商标申请，请相关企业在异议期内提出异议。",
    )
    TypicalCaseFactory(
        title="瓷器商标在法国海关被扣押后成功放行",
        country="FR",
        ip_type=IPType.TRADEMARK,
        forum="customs",
        facts="法国海关以涉嫌侵犯商标权为由扣押一批钧瓷。",
        response="企业提交商标注册证和授权链条。",
        outcome="海关放行货物。",
        lessons="出口前在目的国注册商标。",
    )
    domestic = InstitutionFactory(
        serial=1, name="河南许都律师事务所", nature="律师事务所", head="王建国", address="许昌市魏都区文峰路88号"
    )
    overseas = InstitutionFactory(
        serial=1,
        name="Miller & Zhang LLP",
        nature="美国律师事务所",
        scope=ServiceInstitution.Scope.OVERSEAS,
        country="US",
        region="美国加州",
        countries_covered=["US"],
        partner=domestic,
    )
    index_item(domestic)
    index_item(overseas)
    content_changed()
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{live_server.url}/knowledge/warnings/")
    page.get_by_label("类别").select_option(label="商标抢注预警")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_test_id("warning-row")).to_contain_text("异议截止还剩 20 天")
    page.get_by_role("link", name="“钧瓷”相关商标在巴西被抢注").click()
    alert = page.get_by_test_id("squatting-alert")
    expect(alert).to_contain_text("JUNCI 钧瓷")
    expect(alert).to_contain_text("BR928374651")
    expect(page.get_by_test_id("opposition-deadline")).to_contain_text(deadline.strftime("%Y-%m-%d"))
    expect(page.get_by_test_id("opposition-deadline")).to_contain_text("还剩 20 天")
    _shot(page, "knowledge-warning")

    page.goto(f"{live_server.url}/knowledge/cases/?ip_type=trademark")
    page.get_by_role("link", name="瓷器商标在法国海关被扣押后成功放行").click()
    expect(page.get_by_test_id("case-facts")).to_contain_text("法国海关以涉嫌侵犯商标权为由扣押一批钧瓷。")
    _shot(page, "knowledge-case")

    page.goto(f"{live_server.url}/knowledge/institutions/")
    page.get_by_label("关键词").fill("律师事务所")
    page.get_by_label("境内/境外").select_option(label="境内")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_test_id("search-hit")).to_have_count(1)
    _shot(page, "knowledge-institutions")
    page.get_by_test_id("search-hit").get_by_role("link").click()
    expect(page.get_by_test_id("institution-facts")).to_contain_text("许昌市魏都区文峰路88号")
    page.get_by_test_id("partner-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Miller & Zhang LLP")
    expect(page.get_by_test_id("partner-link")).to_have_text("河南许都律师事务所")
    _shot(page, "knowledge-institution")
