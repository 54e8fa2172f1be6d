"""The service network in the browser: the center registers a workstation in the admin (a wrong
parent is named at the field first) and a visitor finds it on the public list; a workstation's staff
member reads the cases of their workstation and gets 404 for another workstation's case.

Set SCREENSHOT_DIR to keep a 1280 px screenshot of each page."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portal.groups import grant_service_point_permissions
from portal.models import ServicePoint
from portal.roles import Role
from tests.cases.factories import make_case
from tests.e2e.helpers import login, logout
from tests.factories import ApplicantFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def shot(page, name):
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"service-points-{name}.png"), full_page=True)


@pytest.fixture
def city(db):
    return ServicePoint.objects.create(
        name="许昌市工作站", level="city", region="许昌市", address="许昌市魏都区八一东路市民之家 3 楼"
    )


def test_the_center_registers_a_workstation_and_a_visitor_finds_it(page, live_server, staff, city):
    login(page, live_server, staff)
    page.goto(f"{live_server.url}/admin/portal/servicepoint/add/")
    page.get_by_label("名称").fill("长葛市工作站")
    page.get_by_label("层级").select_option("district")
    page.get_by_label("所在区域").fill("长葛市")
    page.get_by_label("依托单位").fill("长葛市市场监督管理局")
    page.get_by_label("地址").fill("长葛市葛天大道 210 号")
    page.get_by_label("咨询电话").fill("0374-6198820")
    page.get_by_label("服务时间").fill("工作日 8:30–12:00，14:30–17:30")
    page.get_by_role("button", name="保存", exact=True).click()
    # No parent: the error is at the field and what was typed is still there.
    expect(page.locator(".field-parent .errorlist")).to_contain_text("须选择市级工作站作为上级")
    expect(page.get_by_label("地址")).to_have_value("长葛市葛天大道 210 号")
    shot(page, "admin-error")

    page.locator(".field-parent .select2-selection").click()
    page.locator(".select2-search__field").fill("许昌")
    page.locator(".select2-results__option", has_text="许昌市工作站").click()
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("长葛市工作站")
    shot(page, "admin-list")
    logout(page, live_server)

    page.goto(f"{live_server.url}/")
    page.get_by_test_id("home-service-points").click()
    region = page.get_by_test_id("service-point-region").filter(has=page.get_by_role("heading", name="长葛市"))
    card = region.get_by_test_id("service-point").filter(has_text="长葛市工作站")
    expect(card).to_contain_text("长葛市葛天大道 210 号")
    expect(card).to_contain_text("0374-6198820")
    expect(card).to_contain_text("县（区）级工作站")
    expect(card).to_contain_text("隶属 许昌市工作站")
    shot(page, "public-list")


def test_a_workstation_user_reads_its_cases_and_gets_404_for_another_workstations(page, live_server, staff, city):
    weidu = ServicePoint.objects.create(
        name="魏都区工作站", level="district", parent=city, region="魏都区", address="文峰路 89 号"
    )
    jianan = ServicePoint.objects.create(
        name="建安区工作站", level="district", parent=city, region="建安区", address="许由路 168 号"
    )
    own = make_case(staff, applicant=ApplicantFactory(name="许昌瑞贝卡发制品有限公司", service_point=weidu))
    other = make_case(staff, applicant=ApplicantFactory(name="许昌远东传动轴有限公司", service_point=jianan))
    grant_service_point_permissions()
    user = UserFactory(full_name="郭晓燕", is_staff=True, service_point=weidu, roles=[Role.SERVICE_POINT])

    login(page, live_server, user)
    expect(page).to_have_url(f"{live_server.url}/admin/")
    shot(page, "station-admin-index")
    page.goto(f"{live_server.url}/admin/cases/case/")
    expect(page.get_by_role("link", name=own.number)).to_be_visible()
    expect(page.get_by_text(other.number)).to_have_count(0)
    shot(page, "station-case-list")

    page.get_by_role("link", name=own.number).click()
    expect(page.get_by_test_id("case-read-only")).to_contain_text("许昌瑞贝卡发制品有限公司")
    expect(page.get_by_role("button", name="指定承办人")).to_have_count(0)
    shot(page, "station-case-page")

    response = page.goto(f"{live_server.url}/admin/cases/case/{other.pk}/change/")
    assert response.status == 404
    expect(page.get_by_text("许昌远东传动轴有限公司")).to_have_count(0)
    shot(page, "station-other-case-404")


def test_staff_see_the_deadline_abroad_badged_and_ordered_in_the_case_list(page, live_server, staff):
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    close = make_case(
        staff,
        applicant=ApplicantFactory(name="许昌森源电气有限公司"),
        foreign_deadline=today + datetime.timedelta(days=3),
        foreign_deadline_what="337 调查答辩",
        foreign_deadline_where="美国国际贸易委员会",
    )
    far = make_case(staff, foreign_deadline=today + datetime.timedelta(days=120))
    login(page, live_server, staff)
    page.goto(f"{live_server.url}/admin/cases/case/")
    page.get_by_role("link", name="境外期限", exact=True).click()
    rows = page.locator("#result_list tbody tr")
    expect(rows.first).to_contain_text(close.number)
    expect(rows.first.locator(".field-foreign_deadline_badge")).to_contain_text("紧急")
    expect(
        page.locator("#result_list tbody tr", has_text=far.number).locator(".field-foreign_deadline_badge")
    ).not_to_contain_text("紧急")
    shot(page, "staff-case-list-foreign-deadline")
    page.get_by_role("link", name=close.number).click()
    expect(page.get_by_test_id("foreign-deadline")).to_contain_text("337 调查答辩")
    shot(page, "staff-case-page-foreign-deadline")
