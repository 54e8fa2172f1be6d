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
    expect(page.get_by_test_id("opinion-workflow")).to_contain_text("晋知指发〔")

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


def test_a_download_is_in_the_staff_history_and_only_a_signer_revokes(
    page, live_server, staff, director, applicant_org, applicant
):
    from documents.services import document_request

    case = make_case(applicant_org=applicant_org, by=staff)
    document = document_request(
        kind=Document.Kind.ACCEPTANCE_NOTICE,
        subject=case,
        template="pdf/guidance_opinion.html",
        context={"title": "受理通知书", "addressee": applicant_org.name},
        title="受理通知书",
        by=staff,
        number="晋知指受〔2026〕5号",
        applicant=applicant_org,
        released=True,
        case=case,
    )
    document.refresh_from_db()
    assert document.status == Document.Status.READY, document.last_error

    # The applicant downloads the notice from the page of its application.
    login(page, live_server, applicant)
    page.goto(f"{live_server.url}/applications/{case.application_id}/")
    with page.expect_download() as download:
        page.get_by_test_id("documents").get_by_role("link", name=re.compile("受理通知书")).click()
    assert download.value.suggested_filename.endswith(".pdf")

    # Staff read who downloaded it, from where; staff may not revoke it: the page says why.
    staff_context = page.context.browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    staff_page = staff_context.new_page()
    login(staff_page, live_server, staff)
    staff_page.goto(f"{live_server.url}/admin/documents/document/{document.pk}/change/")
    history = staff_page.get_by_test_id("document-history")
    expect(history).to_contain_text("申请生成")
    expect(history).to_contain_text("下载文书")
    expect(history).to_contain_text(str(applicant))
    expect(history).to_contain_text("127.0.0.1")
    expect(staff_page.get_by_role("link", name="撤销文书")).to_have_count(0)
    response = staff_page.goto(f"{live_server.url}/admin/documents/document/{document.pk}/revoke/")
    assert response.status == 403
    expect(staff_page.get_by_text("只有主任或副主任可以撤销文书。")).to_be_visible()
    staff_context.close()

    # The director revokes it; the public verification page says so.
    director_context = page.context.browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    director_page = director_context.new_page()
    login(director_page, live_server, director)
    director_page.goto(f"{live_server.url}/admin/documents/document/{document.pk}/change/")
    director_page.get_by_role("link", name="撤销文书").click()
    director_page.get_by_label("撤销原因").fill("误发，已重新出具")
    director_page.get_by_role("button", name="确认撤销").click()
    expect(director_page.locator(".messagelist")).to_contain_text("已撤销")
    expect(director_page.get_by_test_id("document-history")).to_contain_text("误发，已重新出具")
    director_context.close()

    page.goto(f"{live_server.url}/documents/verify/{document.verification_code}/")
    expect(page.get_by_test_id("validity")).to_contain_text("已撤销")
