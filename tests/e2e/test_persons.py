"""A natural person in the browser: registers with a resident ID (the category first, the
organisation's fields hidden), activates the account from the e-mail, signs in, fills the form with
the check boxes and the deadline abroad, uploads an ID-card scan and submits; staff find the
application in the workbench among the applications of category 个人."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from applications.choices import ApplicantCategory, IdType
from applications.models import Application
from portal.models import User
from tests.applications.factories import PDF_BYTES
from tests.e2e.helpers import login, logout

pytestmark = pytest.mark.django_db(transaction=True)

RESIDENT_ID = "140105198503120026"
PASSWORD = "Xiaoming-2026-secure"
EMAIL = "zhangxiaoming@example.cn"


def test_a_person_registers_with_a_resident_id_and_applies(page, live_server, settings, staff, tmp_path):
    settings.SITE_URL = live_server.url  # links in e-mails point at the live server
    mail.outbox.clear()
    scan = tmp_path / "居民身份证正反面.pdf"
    scan.write_bytes(PDF_BYTES)

    # Registration: the category first; choosing 个人 hides the organisation's fields.
    page.goto(f"{live_server.url}/applications/register/")
    page.get_by_label("个人", exact=True).check()
    expect(page.get_by_label("统一社会信用代码")).to_be_hidden()
    expect(page.get_by_label("证件号码")).to_be_visible()
    page.get_by_label("证件类型").select_option(label="居民身份证")
    page.get_by_label("证件号码").fill("140105198503120027")  # one digit off
    page.get_by_label("姓名").fill("张晓明")
    page.get_by_label("电子邮箱").fill(EMAIL)
    page.get_by_label("联系电话").fill("13903510088")
    page.locator("#id_password1").fill(PASSWORD)
    page.get_by_label("密码确认").fill(PASSWORD)
    page.get_by_role("button", name="注册").click()
    expect(page.locator("#div_id_id_number")).to_contain_text("居民身份证号码校验位不正确")
    expect(page.get_by_label("姓名")).to_have_value("张晓明")  # nothing typed is lost
    expect(page.get_by_label("个人", exact=True)).to_be_checked()
    page.get_by_label("证件号码").fill(RESIDENT_ID)
    page.locator("#id_password1").fill(PASSWORD)
    page.get_by_label("密码确认").fill(PASSWORD)
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_role("heading", name="请确认邮箱")).to_be_visible()

    (message,) = [message for message in mail.outbox if message.to == [EMAIL]]
    link = re.search(r"https?://\S+/accounts/activate/\S+", message.body).group(0)
    page.goto(link)
    expect(page.get_by_text("账号已启用")).to_be_visible()

    # Sign in and apply.
    user = User.objects.get(email=EMAIL)
    login(page, live_server, user, password=PASSWORD)
    expect(page.get_by_role("heading", name="我的申请")).to_be_visible()
    expect(page.get_by_test_id("applicant-identity")).to_contain_text("居民身份证 140***********0026")
    page.get_by_role("button", name="新建申请").click()
    expect(page.get_by_role("heading", name="海外知识产权纠纷应对指导申请书")).to_be_visible()
    expect(page.get_by_label("证件号码")).to_have_value(RESIDENT_ID)
    expect(page.get_by_label("证件号码")).to_be_disabled()
    expect(page.get_by_label("申请人", exact=True)).to_have_value("张晓明")
    page.get_by_label("详细联系地址").fill("山西省太原市迎泽区迎泽大街 1 号")
    page.get_by_label("侵权纠纷", exact=True).check()
    page.get_by_label("工业品外观设计").check()
    page.get_by_label("美国", exact=True).check()
    page.get_by_label("竞争对手", exact=True).check()
    page.locator('input[name="opponent_types"][value="other"]').check()
    page.get_by_label("其他纠纷对象类型").fill("跨境电商平台上的投诉人")
    page.get_by_label("机械", exact=True).check()
    page.locator('input[name="technical_fields"][value="other"]').check()
    page.get_by_label("其他领域说明").fill("发制品")
    page.get_by_label("境外期限").fill("2027-01-15")
    page.get_by_label("到期事项").fill("亚马逊平台申诉")
    page.get_by_label("受理机构或地点").fill("美国亚马逊平台")
    page.get_by_label("紧急").check()
    page.get_by_label("纠纷应对指导申请事项").fill("我的外观设计产品在美国亚马逊被投诉下架，请求指导申诉。")
    page.get_by_label("纠纷影响预估").fill("店铺月销售额约 8 万元。")
    page.get_by_label("普通纠纷").check()
    page.get_by_role("button", name="保存并上传材料").click()

    expect(page.get_by_role("heading", name="上传证明材料")).to_be_visible()
    expect(page.get_by_test_id("standing-hint")).to_contain_text("居民身份证")
    page.get_by_label("材料类别").select_option("standing")
    page.get_by_label("选择文件（可多选）").set_input_files(str(scan))
    page.get_by_role("button", name="上传").click()
    expect(page.get_by_test_id("files-standing")).to_contain_text("居民身份证正反面.pdf")
    page.get_by_role("link", name="下一步：检查并提交").click()

    expect(page.get_by_text("内容完整")).to_be_visible()
    expect(page.locator("#answer-opponent_types + dd")).to_have_text("竞争对手、其他")
    expect(page.locator("#answer-opponent_type_other + dd")).to_have_text("跨境电商平台上的投诉人")
    expect(page.locator("#answer-foreign_deadline + dd")).to_have_text("2027-01-15")
    page.get_by_test_id("submit-button").click()

    application = Application.objects.get()
    assert application.status == Application.Status.SUBMITTED
    assert (application.applicant_category, application.id_type, application.id_number, application.credit_code) == (
        ApplicantCategory.INDIVIDUAL,
        IdType.RESIDENT_ID,
        RESIDENT_ID,
        "",
    )
    assert application.opponent_types == ["competitor", "other"] and application.urgent
    expect(page.get_by_test_id("application-number")).to_have_text(application.number)
    expect(page.get_by_test_id("foreign-deadline")).to_contain_text("2027-01-15")
    logout(page, live_server)

    # Staff find it among the applications of natural persons.
    login(page, live_server, staff)
    page.goto(f"{live_server.url}/admin/applications/application/?applicant_category__exact=individual")
    expect(page.locator("#result_list")).to_contain_text(application.number)
    expect(page.locator("#result_list")).to_contain_text("张晓明")
    expect(page.locator("#changelist-filter")).to_contain_text("个人")
    page.goto(f"{live_server.url}/admin/applications/application/?applicant_category__exact=enterprise")
    expect(page.locator("#changelist")).not_to_contain_text(application.number)
