"""Browser: staff accepts a case, drafts a letter to two agencies, a deputy signs it, an
agency user acknowledges and answers, and the staff sees the answer on the case."""

import datetime

import pytest
from playwright.sync_api import expect

from cases.models import AssistanceLetter, Case
from documents.certificates import make_development_pkcs12
from tests.e2e.helpers import login, logout
from tests.factories import ApplicationFactory, submitted

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def signing_certificate(settings, tmp_path):
    blob, _ca = make_development_pkcs12(
        "e2e-pass", not_before=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    )
    path = tmp_path / "center.p12"
    path.write_bytes(blob)
    settings.SIGNING_CERT_PATH = str(path)
    settings.SIGNING_CERT_PASSWORD = "e2e-pass"


def test_letter_from_acceptance_to_the_agency_answer(
    page, live_server, staff, deputy, agency, other_agency, agency_user, signing_certificate
):
    application = submitted(ApplicationFactory(request="美国 337 调查：请求应诉指导"))

    # Staff accepts the application: the case opens.
    login(page, live_server, staff)
    page.goto(f"{live_server.url}/admin/applications/application/{application.pk}/change/")
    page.locator("a[data-decision=accept]").click()
    page.get_by_role("button", name="确认受理").click()
    case = Case.objects.get(application=application)

    # Staff takes the case and drafts a letter to two agencies.
    page.goto(f"{live_server.url}/admin/cases/case/{case.pk}/change/")
    expect(page.get_by_test_id("case-status")).to_have_text("已受理")
    page.locator("#id_handler").select_option(str(staff.pk))
    page.get_by_role("button", name="指定承办人").click()
    expect(page.get_by_test_id("case-status")).to_have_text("办理中")
    page.get_by_role("link", name="起草协助办理函").click()
    page.get_by_label(agency.name).check()
    page.get_by_label(other_agency.name).check()
    page.get_by_label("事由").fill("商请推荐 337 调查应诉专家")
    page.get_by_label("推荐指导专家").check()
    page.get_by_label("正文").fill("请推荐熟悉美国 ITC 程序的专家。")
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_role("button", name="提交签发").click()
    expect(page.get_by_test_id("letter-status")).to_have_text("待签发")
    letter = AssistanceLetter.objects.get(case=case)
    logout(page, live_server)

    # A deputy director signs it.
    login(page, live_server, deputy)
    page.goto(f"{live_server.url}/admin/cases/assistanceletter/{letter.pk}/change/")
    page.get_by_role("button", name="签发", exact=True).click()
    expect(page.get_by_test_id("letter-status")).to_have_text("已签发")
    letter.refresh_from_db()
    assert letter.number
    logout(page, live_server)

    # The agency user acknowledges and answers.
    login(page, live_server, agency_user)
    expect(page.get_by_role("heading", name="协助办理函", level=1)).to_be_visible()
    page.get_by_role("link", name=letter.number).click()
    page.get_by_role("button", name="签收").click()
    expect(page.get_by_test_id("acknowledged")).to_contain_text(agency_user.full_name)
    page.get_by_label("回函内容").fill("推荐周明律师，其代理过三起 337 调查。")
    page.locator("#id_nom-0-name").fill("周明")
    page.locator("#id_nom-0-organisation").fill("山西某律师事务所")
    page.get_by_role("button", name="提交回函").click()
    expect(page.get_by_test_id("answer")).to_contain_text("推荐周明律师")
    # The agency's history of the letter: its signing, then the agency's own steps.
    history = page.get_by_test_id("letter-history")
    expect(history).to_contain_text("签发协助办理函")
    expect(history).to_contain_text("协助单位签收")
    expect(history).to_contain_text("协助单位回函")
    expect(history).not_to_contain_text("提交签发")
    logout(page, live_server)

    # The staff sees the answer on the case.
    login(page, live_server, staff)
    page.goto(f"{live_server.url}/admin/cases/case/{case.pk}/change/")
    expect(page.get_by_test_id(f"answer-{agency.code}")).to_contain_text("推荐周明律师，其代理过三起 337 调查。")
    expect(page.get_by_test_id("case-status")).to_have_text("等待协助单位或专家意见")
