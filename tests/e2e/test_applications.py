"""An applicant fills the whole form in Chinese, uploads evidence, saves a draft, leaves, comes
back, submits, and sees the number and the receipt PDF."""

import re

import pytest
from playwright.sync_api import expect

from applications.models import Application
from applications.selectors import applicant_of
from tests.applications.factories import PDF_BYTES
from tests.e2e.helpers import login, logout
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_applicant_drafts_leaves_returns_and_submits(page, live_server, applicant, staff, tmp_path):
    licence = tmp_path / "营业执照副本.pdf"
    licence.write_bytes(PDF_BYTES)

    login(page, live_server, applicant)
    expect(page.get_by_role("heading", name="我的申请")).to_be_visible()
    page.get_by_role("button", name="新建申请").click()
    expect(page.get_by_role("heading", name="海外知识产权纠纷应对指导申请书")).to_be_visible()

    # 一、申请人信息 (the organisation's name and code are filled in already)
    page.get_by_label("企业", exact=True).check()
    expect(page.get_by_label("统一社会信用代码")).to_have_value(applicant_of(applicant).credit_code)
    page.get_by_label("联系人", exact=True).fill("王丽")
    page.get_by_label("联系人邮箱").fill("wangli@jincheng.example.cn")
    page.get_by_label("联系电话").fill("0351-7654321转801")
    page.get_by_label("详细联系地址").fill("山西省太原市小店区学府街 101 号")
    # 二、纠纷基本情况
    page.get_by_label("相关贸易调查纠纷（如美国 337 调查）").check()
    page.get_by_label("侵权纠纷", exact=True).check()
    page.get_by_label("发明专利", exact=True).check()
    page.get_by_label("美国", exact=True).check()
    page.get_by_label("其他国家/地区", exact=True).check()
    page.get_by_label("选择其他国家/地区").select_option(["MX"])
    page.get_by_label("竞争对手", exact=True).check()
    page.get_by_label("纠纷对方名称").fill("Precision Motion Systems Inc.")
    page.get_by_label("机械", exact=True).check()
    # 三、申请事项
    story = "美国国际贸易委员会对我司出口的五轴数控机床发起 337 调查，指控侵犯两项美国发明专利，请求应诉指导。"
    page.get_by_label("纠纷应对指导申请事项").fill(story)
    page.get_by_label("纠纷影响预估").fill("对美年出口额约 4200 万元，占总销售额 35%。")
    page.get_by_label("重大/疑难纠纷").check()
    page.get_by_label("其他要求").fill("涉及技术秘密，请专家签署保密承诺。")
    page.get_by_role("button", name="保存并上传材料").click()

    expect(page.get_by_role("heading", name="上传证明材料")).to_be_visible()
    expect(page.get_by_test_id("upload-limits")).to_contain_text("MB")
    page.get_by_label("材料类别").select_option("standing")
    page.get_by_label("选择文件（可多选）").set_input_files(str(licence))
    page.get_by_role("button", name="上传").click()
    expect(page.get_by_test_id("files-standing")).to_contain_text("营业执照副本.pdf")

    # Leave, and come back another day.
    logout(page, live_server)
    login(page, live_server, applicant)
    page.get_by_role("link", name="继续填写").click()
    expect(page.get_by_label("纠纷应对指导申请事项")).to_have_value(story)
    expect(page.get_by_label("美国", exact=True)).to_be_checked()
    expect(page.get_by_label("重大/疑难纠纷")).to_be_checked()

    # The session expires while a sentence is being typed: nothing is lost.
    page.get_by_label("其他要求").fill("涉及技术秘密，请专家签署保密承诺；希望周三下午约谈。")
    page.context.clear_cookies(name="sessionid")
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_label("电子邮箱").fill(applicant.email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_label("纠纷应对指导申请事项")).to_have_value(story)
    page.get_by_role("button", name="恢复这些内容").click()
    expect(page.get_by_label("其他要求")).to_have_value("涉及技术秘密，请专家签署保密承诺；希望周三下午约谈。")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("草稿已保存")).to_be_visible()

    page.get_by_role("link", name="检查并提交").click()
    expect(page.get_by_text("内容完整")).to_be_visible()
    expect(page.get_by_text("墨西哥")).to_be_visible()
    page.get_by_test_id("submit-button").click()

    application = Application.objects.get()
    assert application.status == Application.Status.SUBMITTED
    assert application.other_requests.endswith("希望周三下午约谈。")
    expect(page.get_by_test_id("application-number")).to_have_text(application.number)
    expect(page.get_by_test_id("status")).to_have_text("已提交")
    expect(page.get_by_test_id("timeline")).to_contain_text("申请已提交")

    # The receipt, once the worker has rendered it.
    page.reload()
    receipt_link = page.get_by_test_id("documents").get_by_role("link", name=re.compile("申请材料接收回执"))
    expect(receipt_link).to_be_visible()
    with page.expect_download() as download_info:
        receipt_link.click()
    path = download_info.value.path()
    with open(path, "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    # Submitted: no more editing.
    page.goto(f"{live_server.url}/applications/{application.pk}/edit/")
    expect(page).to_have_url(re.compile(rf"/applications/{application.pk}/$"))
