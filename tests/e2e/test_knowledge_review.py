"""Browser: an agency submits a typical case, staff publish it and a visitor reads it with the agency
credited; staff turn a closed case into a typical case and the published page names no applicant."""

import re

import pytest
from playwright.sync_api import expect

from knowledge.models import TypicalCase
from tests.e2e.helpers import login, logout
from tests.knowledge.test_redaction import CODE, CONTACT, NAME, PHONE, closed_case

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "德国展会外观设计投诉应对"


def test_an_agency_submits_a_case_staff_publish_it_and_a_visitor_reads_it(page, live_server, agency_user, staff):
    login(page, live_server, agency_user)
    page.goto(f"{live_server.url}/knowledge/submissions/")
    expect(page.get_by_role("heading", name="我的报送")).to_be_visible()
    page.get_by_role("link", name="报送典型案例").click()
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("知识产权类型").select_option("patent")
    page.get_by_label("国家/地区").select_option("DE")
    page.get_by_label("程序").select_option("trade_fair")
    page.get_by_label("年份").fill("2025")
    page.get_by_label("基本案情").fill("某企业在汉诺威展会上被指控侵犯外观设计。")
    page.get_by_label("应对措施").fill("当天联系现场律师，提交在先设计证据。")
    page.get_by_label("处理结果").fill("展会方未要求撤展。")
    page.get_by_label("启示").fill("参展前检索目标国外观设计。")
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("已提交指导中心审核")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=TITLE)
    expect(row).to_contain_text("待审核")
    logout(page, live_server)

    item = TypicalCase.objects.get(title=TITLE)
    login(page, live_server, staff)
    page.goto(f"{live_server.url}/admin/knowledge/typicalcase/?status__exact=submitted")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_test_id("item-status")).to_have_text("待审核")
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.get_by_text("发布完成")).to_be_visible()
    expect(page.get_by_test_id("item-status")).to_have_text("已发布")
    logout(page, live_server)

    page.goto(f"{live_server.url}/knowledge/cases/")
    page.get_by_role("link", name=TITLE).click()
    expect(page).to_have_url(re.compile(rf"/knowledge/cases/{item.pk}/$"))
    expect(page.get_by_text("汉诺威展会")).to_be_visible()
    expect(page.get_by_text(agency_user.agency.name)).to_be_visible()

    # The agency sees the outcome in its own list.
    login(page, live_server, agency_user)
    page.goto(f"{live_server.url}/knowledge/submissions/")
    expect(page.get_by_role("row").filter(has_text=TITLE)).to_contain_text("已发布")


def test_staff_turn_a_closed_case_into_a_typical_case_without_the_applicants_name(
    page, live_server, applicant_org, applicant, staff
):
    case = closed_case(applicant_org)
    login(page, live_server, staff)
    page.goto(f"{live_server.url}/admin/knowledge/typicalcase/")
    page.get_by_role("link", name="从已结案案件生成").click()
    page.get_by_label("已结案案件").select_option(str(case.pk))
    page.get_by_role("button", name="确定").click()
    expect(page.get_by_text("已由案件生成典型案例草稿")).to_be_visible()
    replacements = page.get_by_test_id("replacements")
    expect(replacements).to_contain_text(CODE)
    expect(replacements).to_contain_text("[统一社会信用代码已隐去]")
    expect(page.get_by_test_id("no-leaks")).to_be_visible()
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.get_by_test_id("item-status")).to_have_text("已发布")
    logout(page, live_server)

    item = TypicalCase.objects.get(source_case=case)
    page.goto(f"{live_server.url}/knowledge/cases/{item.pk}/")
    expect(page.get_by_role("heading", name=item.title)).to_be_visible()
    text = page.locator("main").inner_text()
    assert "数控机床" in text
    for secret in (NAME, "晋成", CODE, PHONE, CONTACT, case.number, case.application.number):
        assert secret not in text, secret
