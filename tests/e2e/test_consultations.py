"""A hotline consultation becomes an application the enterprise completes online: staff log the call in
the admin and turn it into a draft application; the enterprise opens the invitation link of the e-mail,
creates its account, completes the draft and submits it; staff see it submitted in the admin.

Set SCREENSHOT_DIR to keep a 1280 px screenshot of each page."""

import os
import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from applications.models import Application
from consultations.models import Consultation
from tests.applications.factories import PDF_BYTES
from tests.e2e.helpers import login, logout
from tests.factories import make_credit_code

pytestmark = pytest.mark.django_db(transaction=True)

INVITED = "zhaoli@huajin-casting.example.cn"
PASSWORD = "Huajin-casting-2026"


def shot(page, name):
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _only_mail_to(address):
    messages = [message for message in mail.outbox if message.to == [address]]
    assert len(messages) == 1, [message.subject for message in messages]
    return messages[0]


def test_staff_turn_a_hotline_consultation_into_an_application_the_enterprise_submits(
    page, live_server, settings, staff, tmp_path
):
    settings.SITE_URL = live_server.url
    mail.outbox.clear()
    page.set_viewport_size({"width": 1280, "height": 900})
    code = make_credit_code(31337)
    licence = tmp_path / "营业执照.pdf"
    licence.write_bytes(PDF_BYTES)

    # Staff log the call.
    login(page, live_server, staff)
    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_role("link", name="咨询记录", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="咨询与申请统计")).to_be_visible()
    shot(page, "01-admin-index")
    page.get_by_role("link", name="咨询记录", exact=True).click()
    page.locator("#content-main a.addlink").click()
    page.get_by_label("咨询渠道").select_option("hotline")
    page.get_by_label(re.compile(r"^咨询人[:：]?$")).fill("赵丽")
    page.get_by_label("职务").fill("知识产权专员")
    page.get_by_label("联系电话").fill("13603512345")
    page.get_by_label("电子邮箱").fill(INVITED)
    page.get_by_label("单位名称").fill("山西华晋精密铸造有限公司")
    page.get_by_label("统一社会信用代码").fill(code)
    page.locator("#id_countries_from option[value='US']").dblclick()
    page.get_by_label("发明专利", exact=True).check()
    page.get_by_label("相关贸易调查纠纷（如美国 337 调查）").check()
    page.get_by_label("咨询问题").fill(
        "美国 ITC 可能对铸件发起 337 调查，我司作为供应商是否会被列为被申请人？怎样提前准备？"
    )
    page.get_by_label("答复内容").fill("已介绍 337 调查程序，建议提交纠纷应对指导申请。")
    page.get_by_label("用时（分钟）").fill("40")
    shot(page, "02-consultation-add")
    page.get_by_role("button", name="保存", exact=True).click()

    consultation = Consultation.objects.get()
    assert consultation.number.startswith("ZX-") and consultation.countries == ["US"]
    expect(page.locator("#result_list").get_by_role("link", name=consultation.number)).to_be_visible()
    shot(page, "03-consultation-list")

    # ... and turn it into an application.
    page.locator("#result_list").get_by_role("link", name=consultation.number).click()
    expect(page.get_by_test_id("consultation-status")).to_have_text("待跟进")
    shot(page, "04-consultation-change")
    page.get_by_test_id("convert-link").click()
    expect(page.get_by_label("受邀人姓名")).to_have_value("赵丽")
    expect(page.get_by_label("受邀人电子邮箱")).to_have_value(INVITED)
    expect(page.get_by_label("统一社会信用代码")).to_have_value(code)
    page.get_by_label("详细联系地址").fill("山西省太原市晋源区经济开发区 8 号")
    shot(page, "05-convert")
    page.get_by_role("button", name="生成申请草稿并发送邀请").click()
    expect(page.get_by_test_id("converted")).to_contain_text("草稿")
    shot(page, "06-converted")
    application = Application.objects.get()
    assert application.channel == "consultation" and application.applicant.credit_code == code
    logout(page, live_server)

    # The enterprise opens the link of its e-mail and creates its account.
    invitation = _only_mail_to(INVITED)
    (link,) = [url for url in re.findall(r"https?://\S+", invitation.body) if "/invitations/" in url]
    page.goto(link)
    expect(page.get_by_role("heading", name="开通在线办理账号")).to_be_visible()
    shot(page, "07-invitation")
    page.get_by_label("姓名").fill("赵丽")
    page.get_by_label("联系电话").fill("13603512345")
    page.get_by_label("设置密码").fill(PASSWORD)
    page.get_by_label("再次输入密码").fill(PASSWORD)
    page.get_by_role("button", name="开通账号并进入").click()

    # The draft is filled in with what the consultation knew; the enterprise completes and submits it.
    expect(page.get_by_role("heading", name="海外知识产权纠纷应对指导申请书")).to_be_visible()
    expect(page.get_by_label("统一社会信用代码")).to_have_value(code)
    expect(page.get_by_label("美国", exact=True)).to_be_checked()
    expect(page.get_by_label("发明专利", exact=True)).to_be_checked()
    expect(page.get_by_label("纠纷应对指导申请事项")).to_have_value(re.compile(consultation.number))
    shot(page, "08-draft")
    page.get_by_label("竞争对手", exact=True).check()
    page.get_by_label("纠纷对方名称").fill("American Castings Corp.")
    page.get_by_label("机械", exact=True).check()
    page.get_by_label("纠纷影响预估").fill("对美出口铸件年销售额约 3000 万元。")
    page.get_by_label("普通纠纷").check()
    page.get_by_role("button", name="保存并上传材料").click()
    expect(page.get_by_role("heading", name="上传证明材料")).to_be_visible()
    page.get_by_label("材料类别").select_option("standing")
    page.get_by_label("选择文件（可多选）").set_input_files(str(licence))
    page.get_by_role("button", name="上传").click()
    expect(page.get_by_test_id("files-standing")).to_contain_text("营业执照.pdf")
    page.get_by_role("link", name="下一步：检查并提交").click()
    expect(page.get_by_text("内容完整")).to_be_visible()
    page.get_by_test_id("submit-button").click()
    expect(page.get_by_test_id("status")).to_have_text("已提交")
    shot(page, "09-submitted")
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    logout(page, live_server)

    # Staff see it submitted in the admin, and on the consultation.
    login(page, live_server, staff)
    page.goto(f"{live_server.url}/admin/applications/application/")
    row = page.locator("#result_list tr", has_text=application.number)
    expect(row).to_contain_text("已提交")
    shot(page, "10-applications-admin")
    page.goto(f"{live_server.url}/admin/consultations/consultation/{consultation.pk}/change/")
    expect(page.get_by_test_id("consultation-status")).to_have_text("已转为申请")
    expect(page.get_by_test_id("consultation-panel").get_by_test_id("application-link")).to_have_text(
        application.number
    )
    shot(page, "11-consultation-converted")
    page.goto(f"{live_server.url}/admin/consultations/consultationstatistics/")
    expect(page.get_by_test_id("applications-by-channel")).to_contain_text("咨询转申请")
    shot(page, "12-statistics")


def test_a_workstation_logs_a_walk_in_for_its_registered_enterprise_and_sees_only_its_own(page, live_server, staff):
    from applications.models import Applicant
    from consultations import services
    from portal.models import ServicePoint
    from portal.roles import Role
    from tests.factories import ApplicantFactory, UserFactory

    park = ServicePoint.objects.create(
        name="许昌经开区园区工作站",
        level=ServicePoint.Level.PARK,
        region="许昌经济技术开发区",
        address="长村张大道 2 号",
    )
    worker = UserFactory(full_name="周敏", is_staff=True, service_point=park, roles=[Role.SERVICE_POINT])
    ours = ApplicantFactory(name="许昌远东传动轴股份有限公司", service_point=park)
    ApplicantFactory(name="许昌另一家传动公司")
    center_one = services.consultation_log(
        data={"channel": "hotline", "person_name": "中心来电人", "question": "中心接待的咨询"}, by=staff
    )
    page.set_viewport_size({"width": 1280, "height": 900})

    login(page, live_server, worker)
    page.goto(f"{live_server.url}/admin/consultations/consultation/add/")
    page.get_by_label("咨询渠道").select_option("walk_in")
    page.get_by_label(re.compile(r"^咨询人[:：]?$")).fill("高峰")
    page.locator(".field-applicant .select2-selection").click()
    page.locator(".select2-search__field").fill("传动")
    options = page.locator(".select2-results__option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("许昌远东传动轴股份有限公司")
    shot(page, "20-workstation-applicant-search")
    options.first.click()
    page.get_by_label("咨询问题").fill("美国客户称我司传动轴侵犯其专利，是否需要回应？")
    page.get_by_role("button", name="保存", exact=True).click()
    consultation = Consultation.objects.get(person_name="高峰")
    assert consultation.applicant == Applicant.objects.get(pk=ours.pk) and consultation.service_point == park
    results = page.locator("#result_list")
    expect(results).to_contain_text("许昌远东传动轴股份有限公司")
    expect(results).not_to_contain_text("中心来电人")
    shot(page, "21-workstation-list")
    response = page.goto(f"{live_server.url}/admin/consultations/consultation/{center_one.pk}/change/")
    assert response.status == 404
