"""The whole path, one person handing over to the next, each hand-over checked on the page of
the person who receives it: the applicant submits → the staff sees the new application; the
staff accepts and drafts an assistance letter → the deputy sees it waiting; the deputy signs →
the agency finds the signed letter in its inbox and downloads it; the staff has the guidance
opinion reviewed and approved → the director is told it waits; the director signs → the
applicant downloads the signed opinion from the case page, and the public verification page
accepts that very file.

The application form and the drafting of the opinion's text are tested in their own browser
tests (test_applications.py, the admin tests); here the draft application and the opinion's
text are prepared by factories and services, every action of the path is taken in the browser."""

import re

import pytest
from playwright.sync_api import expect

from applications.models import Application
from cases.models import AssistanceLetter, Case, GuidanceOpinion
from documents.models import Document
from tests.applications.factories import complete_draft
from tests.documents.factories import make_opinion
from tests.e2e.helpers import login, logout

pytestmark = pytest.mark.django_db(transaction=True)


def _pdf_of(download):
    with open(download.value.path(), "rb") as handle:
        return handle.read()


def test_every_hand_over_reaches_the_next_person(
    page, live_server, applicant, staff, deputy, director, agency, agency_user
):
    base = live_server.url
    draft = complete_draft(applicant, request="美国 337 调查：请求应诉指导")

    # 1. The applicant checks the application and submits it.
    login(page, live_server, applicant)
    page.goto(f"{base}/applications/{draft.pk}/review/")
    page.get_by_test_id("submit-button").click()
    application = Application.objects.get(pk=draft.pk)
    assert application.status == Application.Status.SUBMITTED
    expect(page.get_by_test_id("application-number")).to_have_text(application.number)
    logout(page, live_server)

    # → The staff sees the new application on the overview and in the list, and accepts it.
    login(page, live_server, staff)
    page.goto(f"{base}/admin/")
    new_card = page.locator(".dash-card", has_text="新申请")
    expect(new_card).to_contain_text(application.number)
    page.goto(f"{base}/admin/applications/application/")
    expect(page.locator("#result_list")).to_contain_text(application.number)
    page.locator("#result_list").get_by_role("link", name=application.number).click()
    page.locator("a[data-decision=accept]").click()
    page.get_by_role("button", name="确认受理").click()
    case = Case.objects.get(application=application)

    # The staff takes the case and drafts an assistance letter, sent for signature.
    page.goto(f"{base}/admin/cases/case/{case.pk}/change/")
    page.locator("#id_handler").select_option(str(staff.pk))
    page.get_by_role("button", name="指定承办人").click()
    expect(page.get_by_test_id("case-status")).to_have_text("办理中")
    page.get_by_role("link", name="起草协助办理函").click()
    page.get_by_label(agency.name).check()
    page.get_by_label("事由").fill("商请协助核实美国 337 调查进展")
    page.get_by_label("贸易救济与调查应对信息").check()
    page.get_by_label("正文").fill("请协助了解美国国际贸易委员会对本案的立案情况。")
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_role("button", name="提交签发").click()
    expect(page.get_by_test_id("letter-status")).to_have_text("待签发")
    letter = AssistanceLetter.objects.get(case=case)
    logout(page, live_server)

    # → The deputy sees the letter waiting on the admin overview, opens it and signs it.
    login(page, live_server, deputy)
    page.goto(f"{base}/admin/")
    waiting = page.locator(".dash-card", has_text="待签发函件")
    expect(waiting).to_contain_text("商请协助核实美国 337 调查进展")
    waiting.get_by_role("link", name="商请协助核实美国 337 调查进展").click()
    expect(page.get_by_test_id("letter-status")).to_have_text("待签发")
    page.get_by_role("button", name="签发", exact=True).click()
    expect(page.get_by_test_id("letter-status")).to_have_text("已签发")
    letter.refresh_from_db()
    letter_document = Document.objects.get(kind=Document.Kind.ASSISTANCE_LETTER, subject_id=letter.pk)
    logout(page, live_server)

    # → The agency finds the signed letter in its inbox and downloads the PDF.
    login(page, live_server, agency_user)
    page.goto(f"{base}/cases/agency/")
    expect(page.get_by_role("link", name=letter.number)).to_be_visible()
    page.get_by_role("link", name=letter.number).click()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载函件 PDF").click()
    letter_document.refresh_from_db()
    assert _pdf_of(download) == letter_document.file.open("rb").read()
    logout(page, live_server)

    # The staff submits the drafted opinion for review and, as the case's handler, approves it.
    opinion = make_opinion(Case.objects.get(pk=case.pk), staff)
    login(page, live_server, staff)
    page.goto(f"{base}/admin/cases/guidanceopinion/{opinion.pk}/change/")
    workflow = page.get_by_test_id("opinion-workflow")
    workflow.get_by_role("button", name="提交承办人审核").click()
    expect(page.get_by_test_id("opinion-workflow")).to_contain_text("待承办人审核")
    page.get_by_test_id("opinion-workflow").get_by_label("同意，提交签发").check()
    page.get_by_test_id("opinion-workflow").get_by_role("button", name="提交审核结论").click()
    expect(page.get_by_test_id("opinion-workflow")).to_contain_text("待签发")
    logout(page, live_server)

    # → The director is told that an opinion waits for signature, follows the notice and signs.
    login(page, live_server, director)
    page.goto(f"{base}/notifications/")
    notice = page.get_by_role("link", name=re.compile(f"待签发：行政指导意见书（案件 {case.number}）"))
    expect(notice).to_be_visible()
    notice.click()
    expect(page).to_have_url(re.compile(rf"/admin/cases/guidanceopinion/{opinion.pk}/change/$"))
    page.get_by_test_id("opinion-workflow").get_by_role("button", name="签发").click()
    expect(page.locator(".messagelist")).to_contain_text("已签发")
    opinion = GuidanceOpinion.objects.select_related("document").get(pk=opinion.pk)
    signed = opinion.document
    assert signed.status == Document.Status.READY, signed.last_error
    logout(page, live_server)

    # → The applicant downloads the signed opinion from the case page...
    login(page, live_server, applicant)
    page.goto(f"{base}/applications/{application.pk}/")
    documents = page.get_by_test_id("documents")
    opinion_link = documents.get_by_role("link", name=re.compile(re.escape(signed.number)))
    expect(opinion_link).to_contain_text("行政指导意见书")
    expect(documents).not_to_contain_text(letter.number)  # the letter is the center's and the agency's
    with page.expect_download() as download:
        opinion_link.click()
    data = _pdf_of(download)
    assert data.startswith(b"%PDF-") and data == signed.file.open("rb").read()

    # ... and the public verification page accepts that very file.
    public_context = page.context.browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    public = public_context.new_page()
    public.set_default_timeout(15000)
    public.goto(f"{base}/documents/verify/")
    public.get_by_label("上传 PDF 文件").set_input_files(
        {"name": "意见书.pdf", "mimeType": "application/pdf", "buffer": data}
    )
    public.get_by_role("button", name="核验").click()
    expect(public.get_by_test_id("verify-result")).to_contain_text("核验通过")
    expect(public.get_by_test_id("number")).to_have_text(signed.number)
    public_context.close()
