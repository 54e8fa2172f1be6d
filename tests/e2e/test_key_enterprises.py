"""Browser: staff register a key export enterprise with its IP liaison officer in the admin; a warning
about one of its markets is published through the admin's review; the liaison officer receives it by
e-mail (to the officer's address, the warning's title in the subject, the public link in the text),
follows the link and reads the warning; the enterprise's page lists the warning sent. Set
SCREENSHOT_DIR to keep a 1280 px screenshot of each page."""

import os
import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from enterprises.models import KeyEnterprise, LiaisonOfficer, WarningDelivery
from knowledge.models import Warning
from tests.e2e.helpers import login, logout
from tests.factories import make_credit_code
from tests.knowledge.conftest import WarningFactory

pytestmark = pytest.mark.django_db(transaction=True)

ENTERPRISE = "许昌瑞丰发制品有限公司"
OFFICER = "zhangmin@ruifeng-hair.example.cn"
TITLE = "尼日利亚假发商标抢注预警"


def shot(page, name):
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_staff_register_an_enterprise_and_its_officer_receives_a_warning_about_its_market(
    page, live_server, settings, staff
):
    settings.SITE_URL = live_server.url
    mail.outbox.clear()
    page.set_viewport_size({"width": 1280, "height": 900})
    code = make_credit_code(900001)

    # Staff register the enterprise with its liaison officer.
    login(page, live_server, staff)
    page.goto(f"{live_server.url}/admin/enterprises/keyenterprise/add/")
    page.get_by_label("企业名称").fill(ENTERPRISE)
    page.get_by_label("统一社会信用代码").fill(code)
    page.get_by_label("列入名录日期").fill("2026-06-01")
    page.get_by_role("checkbox", name="其他", exact=True).check()  # industry: wigs are none of the form's fields
    page.get_by_label("主要出口产品").fill("蕾丝假发、接发")
    page.get_by_label("美国", exact=True).check()
    page.get_by_label("尼日利亚", exact=True).check()
    page.get_by_label("境外品牌和商标").fill("RUIFENG HAIR，美国，第 7123456 号")
    page.locator('input[name="liaison_officers-0-name"]').fill("张敏")
    page.locator('input[name="liaison_officers-0-title"]').fill("法务部经理")
    page.locator('input[name="liaison_officers-0-email"]').fill(OFFICER)
    shot(page, "enterprise-add")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("成功")
    row = page.get_by_role("row").filter(has_text=ENTERPRISE)
    expect(row).to_contain_text("美国、尼日利亚")
    expect(row).to_contain_text("张敏")
    shot(page, "enterprise-list")
    enterprise = KeyEnterprise.objects.get(credit_code=code)
    assert LiaisonOfficer.objects.get(enterprise=enterprise).email == OFFICER

    # A partner agency's warning about Nigeria waits for review; staff publish it in the admin.
    warning = WarningFactory(
        status=Warning.Status.DRAFT,
        published_at=None,
        title=TITLE,
        kind=Warning.Kind.SQUATTING,
        country="NG",
        risk_level=Warning.Risk.HIGH,
        body="监测发现，拉各斯一家贸易公司在第 26 类（假发）申请注册与许昌某发制品企业相同的商标，异议期 60 日。",
    )
    page.goto(f"{live_server.url}/admin/knowledge/warning/{warning.pk}/change/")
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.get_by_test_id("item-status")).to_have_text("已发布")
    assert mail.outbox, "no e-mail sent"

    # The officer receives the warning once, at the officer's own address.
    to_officer = [message for message in mail.outbox if message.to == [OFFICER]]
    assert len(to_officer) == 1, [message.subject for message in mail.outbox]
    message = to_officer[0]
    assert message.subject == f"【预警信息】{TITLE}（风险等级：高）"
    assert "国家/地区：尼日利亚" in message.body
    (link,) = re.findall(r"https?://\S+/knowledge/warnings/\d+/", message.body)
    assert link == f"{live_server.url}/knowledge/warnings/{warning.pk}/"

    # The enterprise's page lists what was sent.
    page.goto(f"{live_server.url}/admin/enterprises/keyenterprise/{enterprise.pk}/change/")
    sent = page.get_by_test_id("enterprise-warnings")
    expect(sent).to_contain_text(TITLE)
    expect(sent).to_contain_text("出口市场：尼日利亚")
    shot(page, "enterprise-page")
    logout(page, live_server)

    # The officer follows the link (no account needed) and reads the warning.
    page.goto(link)
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.get_by_text("第 26 类（假发）")).to_be_visible()
    shot(page, "warning-public")

    # Publishing it again (withdrawn, then published) sends the officer nothing more.
    login(page, live_server, staff)
    page.goto(f"{live_server.url}/admin/knowledge/warning/{warning.pk}/review/withdraw/")
    page.get_by_role("button", name=re.compile("撤回")).click()
    expect(page.get_by_test_id("item-status")).to_have_text("已撤回发布")
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.get_by_test_id("item-status")).to_have_text("已发布")
    assert len([message for message in mail.outbox if message.to == [OFFICER]]) == 1
    assert WarningDelivery.objects.filter(warning=warning).count() == 1


def test_a_workstation_reads_its_own_enterprises_and_meets_404_for_another(page, live_server):
    from portal.models import ServicePoint
    from tests.enterprises.conftest import KeyEnterpriseFactory, OfficerFactory, workstation_user

    page.set_viewport_size({"width": 1280, "height": 900})
    district = ServicePoint.objects.create(
        name="长葛市工作站", level=ServicePoint.Level.DISTRICT, region="长葛市", address="长葛市葛天大道 210 号"
    )
    other = ServicePoint.objects.create(
        name="禹州市工作站", level=ServicePoint.Level.DISTRICT, region="禹州市", address="禹州市药城路 56 号"
    )
    ours = KeyEnterpriseFactory(name="长葛德威汽车零部件有限公司", markets=["DE", "MX"], service_point=district)
    OfficerFactory(enterprise=ours, name="赵凯")
    theirs = KeyEnterpriseFactory(name="禹州钧华陶瓷出口有限公司", markets=["JP"], service_point=other)

    login(page, live_server, workstation_user(district, "长葛站工作人员"))
    page.goto(f"{live_server.url}/admin/enterprises/keyenterprise/")
    expect(page.get_by_role("row").filter(has_text=ours.name)).to_contain_text("赵凯")
    expect(page.get_by_text(theirs.name)).to_have_count(0)
    page.get_by_role("link", name=ours.name).click()
    expect(page.get_by_test_id("enterprise-record")).to_be_visible()
    expect(page.get_by_role("button", name="保存", exact=True)).to_have_count(0)  # read-only
    shot(page, "enterprise-page-workstation")

    response = page.goto(f"{live_server.url}/admin/enterprises/keyenterprise/{theirs.pk}/change/")
    assert response.status == 404
