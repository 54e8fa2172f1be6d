"""The upward report hands over twice, each checked on the receiver's page: the staff drafts the
report on a major case and submits it → the director is told it waits, opens it and signs it → the
staff finds it signed on the case page, with its number and the signed PDF issued in the director's
name."""

import io
import re

import pytest
from playwright.sync_api import expect
from pyhanko.pdf_utils.reader import PdfFileReader

from applications.choices import DisputeLevel
from cases.models import UpwardReport
from documents.models import Document
from tests.documents.factories import make_case
from tests.e2e.helpers import login, logout

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_staff_drafts_the_director_signs_and_the_staff_finds_the_signed_report(
    page, live_server, applicant_org, staff, director
):
    base = live_server.url
    case = make_case(applicant_org=applicant_org, by=staff, level=DisputeLevel.MAJOR)

    # The staff drafts the report from the case page and submits it for signature.
    login(page, live_server, staff)
    page.goto(f"{base}/admin/cases/case/{case.pk}/change/")
    page.get_by_role("button", name="起草情况报告").click()
    expect(page.get_by_test_id("report-status")).to_have_text("草稿")
    page.get_by_role("button", name="提交签发").click()
    expect(page.get_by_test_id("report-status")).to_have_text("待签发")
    report = UpwardReport.objects.get(case=case)
    logout(page, live_server)

    # → The director is told the report waits, follows the notice and signs it.
    login(page, live_server, director)
    page.goto(f"{base}/notifications/")
    notice = page.get_by_role("link", name=re.compile(re.escape(f"待签发：{report.title}")))
    expect(notice).to_be_visible()
    notice.click()
    expect(page.get_by_test_id("report-status")).to_have_text("待签发")
    page.get_by_role("button", name="签发并报送（生成文号和 PDF）").click()
    expect(page.get_by_test_id("report-status")).to_have_text("已签发报送")
    logout(page, live_server)

    # → The staff finds the report signed on the case page, with its number, and the signed PDF.
    report.refresh_from_db()
    document = Document.objects.get(kind=Document.Kind.UPWARD_REPORT, subject_id=report.pk)
    assert document.status == Document.Status.READY, document.last_error
    login(page, live_server, staff)
    page.goto(f"{base}/admin/cases/case/{case.pk}/change/")
    listed = page.get_by_role("link", name=report.number, exact=True)
    expect(listed).to_be_visible()
    listed.click()
    expect(page.get_by_test_id("report-status")).to_have_text("已签发报送")
    expect(page.get_by_role("link", name=re.compile(re.escape(document.number)))).to_be_visible()
    with document.file.open("rb") as handle:
        names = [str(s.sig_object.get("/Name")) for s in PdfFileReader(io.BytesIO(handle.read())).embedded_signatures]
    assert any(name.startswith(director.full_name) for name in names), names
