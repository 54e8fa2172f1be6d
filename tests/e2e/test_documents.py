"""A deputy director previews and signs a guidance opinion in the admin; anyone checks the
signed PDF on the public verification page, and a tampered copy is rejected."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import GuidanceOpinion
from cases.opinions.services import opinion_review, opinion_submit
from documents.models import Document
from tests.documents.conftest import CERT_PASSWORD
from tests.documents.factories import make_case, make_opinion
from tests.e2e.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _certificate(settings, tmp_path):
    from documents.certificates import make_development_pkcs12

    blob, _ca = make_development_pkcs12(CERT_PASSWORD)
    path = tmp_path / "center.p12"
    path.write_bytes(blob)
    settings.SIGNING_CERT_PATH = str(path)
    settings.SIGNING_CERT_PASSWORD = CERT_PASSWORD


def test_deputy_signs_and_the_public_verifies_the_pdf(page, live_server, staff, deputy, applicant_org, applicant):
    case = make_case(applicant_org=applicant_org, by=staff)
    opinion = make_opinion(case, staff)
    opinion_submit(opinion=opinion, by=staff)
    opinion_review(opinion=opinion, by=staff, approve=True)

    login(page, live_server, deputy)
    page.goto(f"{live_server.url}/admin/cases/guidanceopinion/{opinion.pk}/change/")
    workflow = page.get_by_test_id("opinion-workflow")
    expect(workflow).to_contain_text("待签发")
    with page.expect_popup() as popup:
        page.get_by_role("link", name="预览 PDF").click()
    popup.value.close()
    workflow.get_by_role("button", name="签发").click()
    expect(page.locator(".messagelist")).to_contain_text("已签发")
    expect(page.get_by_test_id("opinion-workflow")).to_contain_text("晋知指意〔")

    opinion.refresh_from_db()
    document = opinion.document
    assert document.status == Document.Status.READY
    data = document.file.read()

    # The public, not logged in: by code, then by uploading the genuine and a tampered file.
    context = page.context.browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    public = context.new_page()
    public.set_default_timeout(15000)
    public.goto(f"{live_server.url}/documents/verify/")
    public.get_by_label("验证码").fill(document.verification_code.lower())
    public.get_by_role("button", name="核验").click()
    expect(public).to_have_url(re.compile(rf"/documents/verify/{document.verification_code}/$"))
    expect(public.get_by_test_id("number")).to_have_text(document.number)
    expect(public.get_by_test_id("validity")).to_contain_text("现行有效")
    expect(public.get_by_text("山西晋成精密机械有限公司")).to_have_count(0)

    public.get_by_label("上传 PDF 文件").set_input_files(
        {"name": "opinion.pdf", "mimeType": "application/pdf", "buffer": data}
    )
    public.get_by_role("button", name="核验").click()
    expect(public.get_by_test_id("verify-result")).to_contain_text("核验通过")

    tampered = bytearray(data)
    tampered[len(tampered) // 3] ^= 0x20
    public.goto(f"{live_server.url}/documents/verify/")
    public.get_by_label("上传 PDF 文件").set_input_files(
        {"name": "opinion.pdf", "mimeType": "application/pdf", "buffer": bytes(tampered)}
    )
    public.get_by_role("button", name="核验").click()
    expect(public.get_by_test_id("verify-result")).to_contain_text("核验未通过")
    context.close()
    assert GuidanceOpinion.objects.get(pk=opinion.pk).status == GuidanceOpinion.Status.SIGNED
