"""A workstation enters a paper application with the scanned signed form, checks it and forwards it; the
center accepts it; the applicant, invited by e-mail, sets a password and sees it accepted."""

import os
import re

import pytest
from playwright.sync_api import expect

from applications.models import Application
from portal.models import EmailDelivery, ServicePoint
from portal.roles import Role
from tests.applications.factories import PDF_BYTES, PNG_BYTES
from tests.e2e.helpers import login, logout
from tests.factories import UserFactory, make_credit_code

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("E2E_SCREENSHOTS", "")


def shot(page, name):
    """A full-page screenshot at the browser's 1280 px width, when E2E_SCREENSHOTS names a folder."""
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_a_workstation_enters_forwards_the_center_accepts_and_the_invited_applicant_follows(
    page, live_server, staff, tmp_path
):
    city = ServicePoint.objects.create(
        name="太原市海外知识产权纠纷应对指导工作站", level="city", region="太原市", address="太原市小店区长治路 1 号"
    )
    worker = UserFactory(full_name="周站", is_staff=True, service_point=city, roles=[Role.SERVICE_POINT])
    scan = tmp_path / "申请书扫描件.pdf"
    scan.write_bytes(PDF_BYTES)
    licence = tmp_path / "营业执照.png"
    licence.write_bytes(PNG_BYTES)
    credit_code = make_credit_code(90210)

    # The workstation enters the paper form.
    login(page, live_server, worker)
    page.goto(f"{live_server.url}/admin/applications/application/")
    page.get_by_test_id("enter-application").click()
    shot(page, "01-enter-search")
    page.get_by_label("申请人名称、统一社会信用代码或证件号码").fill(credit_code)
    page.get_by_role("button", name="搜索").click()
    expect(page.locator("#applicant-results")).to_contain_text("没有找到匹配的申请人")
    page.get_by_test_id("new-applicant").click()
    page.get_by_label("纸质申请书", exact=True).check()
    page.get_by_label("签字（盖章）的申请书扫描件").set_input_files(str(scan))
    page.get_by_label("主体资格证明（营业执照、身份证等）").set_input_files(str(licence))
    page.get_by_label("企业", exact=True).check()
    page.get_by_label("申请人", exact=True).fill("太原晋阳精工机械有限公司")
    page.get_by_label("统一社会信用代码").fill(credit_code)
    page.get_by_label("联系人", exact=True).fill("赵六")
    page.get_by_label("联系人邮箱").fill("zhaoliu@jinyang.example.cn")
    page.get_by_label("联系电话").fill("13912345678")
    page.get_by_label("详细联系地址").fill("山西省太原市晋源区晋祠路 88 号")
    page.get_by_label("侵权纠纷", exact=True).check()
    page.get_by_label("发明专利", exact=True).check()
    page.get_by_label("美国", exact=True).check()
    page.get_by_label("竞争对手", exact=True).check()
    page.get_by_label("非专利实施实体（NPE）").check()
    page.get_by_label("机械", exact=True).check()
    page.get_by_label("纠纷应对指导申请事项").fill("美国竞争对手向我司经销商发出律师函，指控数控机床侵犯其发明专利。")
    page.get_by_label("纠纷影响预估").fill("涉及对美出口约 800 万元。")
    page.get_by_label("普通纠纷").check()
    page.get_by_label("邀请申请人在线跟进（发送开通账号的邮件）").check()
    page.get_by_label("受邀人姓名").fill("赵六")
    page.get_by_label("受邀邮箱").fill("zhaoliu@jinyang.example.cn")
    shot(page, "02-enter-form")
    page.get_by_test_id("entry-submit").click()
    expect(page.locator(".messagelist")).to_contain_text("请完成初审后转报指导中心")
    expect(page.locator("#first-check")).to_be_visible()
    shot(page, "03-first-check")

    # The first check: complete and standing verified → forwarded to the center.
    page.get_by_label("材料齐全（申请书各项已填写，签字盖章的申请书已扫描上传）").check()
    page.get_by_label("主体资格已核实（营业执照、身份证等与申请人一致）").check()
    page.get_by_label("初审意见").fill("材料齐全，营业执照已核对原件。")
    page.get_by_test_id("first-check-submit").click()
    expect(page.locator(".messagelist")).to_contain_text("已转报指导中心")
    application = Application.objects.get()
    assert application.status == Application.Status.SUBMITTED and application.service_point == city
    logout(page, live_server)

    # The center accepts it as usual. (Entering the same organisation again as new is refused at the field,
    # naming it, with what was typed kept.)
    login(page, live_server, staff)
    page.goto(f"{live_server.url}/admin/applications/application/enter/")
    page.get_by_label("申请人名称、统一社会信用代码或证件号码").fill(credit_code)
    page.get_by_role("button", name="搜索").click()
    expect(page.locator("#applicant-results")).to_contain_text("太原晋阳精工机械有限公司")
    page.get_by_test_id("new-applicant").click()
    page.get_by_label("企业", exact=True).check()
    page.get_by_label("申请人", exact=True).fill("晋阳精工（重复登记）")
    page.get_by_label("统一社会信用代码").fill(credit_code)
    page.get_by_label("纠纷应对指导申请事项").fill("重复录入的测试内容")
    page.get_by_label("签字（盖章）的申请书扫描件").set_input_files(str(scan))
    page.get_by_test_id("entry-submit").click()
    expect(page.locator("#row_credit_code .errorlist")).to_contain_text("太原晋阳精工机械有限公司")
    expect(page.get_by_label("纠纷应对指导申请事项")).to_have_value("重复录入的测试内容")
    shot(page, "04a-duplicate")
    page.goto(f"{live_server.url}/admin/applications/application/")
    row = page.locator("#result_list tr", has_text=application.number)
    expect(row).to_contain_text("纸质申请书")
    expect(row).to_contain_text("太原市海外知识产权纠纷应对指导工作站")
    shot(page, "04-center-list")
    row.get_by_role("link", name=application.number).click()
    expect(page.locator(".field-first_check_note")).to_contain_text("营业执照已核对原件")
    expect(page.locator(".field-entered_by")).to_contain_text("周站")
    shot(page, "05-center-change")
    page.locator('[data-decision="accept"]').click()
    page.get_by_role("button", name="确认受理").click()
    expect(page.locator(".messagelist")).to_contain_text("已受理 1 份申请")
    logout(page, live_server)

    # The invited applicant opens the link, sets a password and sees the application accepted.
    body = EmailDelivery.objects.filter(to="zhaoliu@jinyang.example.cn").order_by("pk").first().body
    link = re.search(r"https?://\S+/applications/invitations/\S+/", body).group(0)
    page.goto(live_server.url + link[link.index("/applications/") :])
    expect(page.get_by_label("姓名")).to_have_value("赵六")
    page.get_by_label("联系电话").fill("13912345678")
    page.get_by_label("设置密码").fill("Jinyang-Precision-2026")
    page.get_by_label("再次输入密码").fill("Jinyang-Precision-2026")
    shot(page, "06-invitation")
    page.get_by_role("button", name="开通账号并进入").click()
    expect(page.get_by_text(application.number).first).to_be_visible()
    expect(page.get_by_text("已受理").first).to_be_visible()
    shot(page, "07-applicant-detail")

    # The link works once.
    logout(page, live_server)
    page.goto(live_server.url + link[link.index("/applications/") :])
    expect(page.get_by_test_id("invitation-invalid")).to_contain_text("已经使用过")
