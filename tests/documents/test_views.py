"""Public verification, downloads by role and the documents admin."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import GuidanceOpinion
from cases.opinions.services import opinion_reopen, opinion_review, opinion_sign, opinion_submit
from documents.models import Document
from documents.services import document_revoke
from tests.documents.factories import make_case, make_opinion

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(applicant_org, staff, director, applicant, django_capture_on_commit_callbacks):
    case = make_case(applicant_org=applicant_org, by=staff)
    opinion = make_opinion(case, staff)
    opinion_submit(opinion=opinion, by=staff)
    opinion_review(opinion=opinion, by=staff, approve=True)
    with django_capture_on_commit_callbacks(execute=True):
        opinion_sign(opinion=opinion, by=director)
    opinion.refresh_from_db()
    return opinion.document


def _upload(client, data, code=""):
    return client.post(
        reverse("documents:verify"),
        {"code": code, "file": SimpleUploadedFile("doc.pdf", data, content_type="application/pdf")},
    )


def test_the_verification_page_accepts_the_genuine_file(client, signed):
    response = _upload(client, signed.file.read())
    assert response.status_code == 200
    page = response.content.decode()
    assert "核验通过" in page
    assert signed.number in page and signed.sha256 in page
    assert "现行有效" in page


def test_one_changed_byte_is_rejected(client, signed):
    data = bytearray(signed.file.read())
    data[len(data) // 2] ^= 0x01
    page = _upload(client, bytes(data)).content.decode()
    assert "核验未通过" in page
    assert signed.number not in page


def test_a_genuine_file_with_another_documents_code_is_rejected(client, signed, staff):
    from django.contrib.contenttypes.models import ContentType

    other = Document.objects.create(
        kind=Document.Kind.RECEIPT,
        title="回执",
        template="pdf/receipt.html",
        subject_type=ContentType.objects.get_for_model(staff),
        subject_id=staff.pk,
        status=Document.Status.READY,
        sha256="0" * 64,
    )
    page = _upload(client, signed.file.read(), code=other.verification_code).content.decode()
    assert "核验未通过" in page
    assert "该文件与您输入的验证码所对应的文书不一致。" in page


def test_the_code_page_shows_public_facts_and_no_confidential_content(client, signed):
    response = client.get(reverse("documents:verify_code", args=[signed.verification_code]))
    page = response.content.decode()
    assert response.status_code == 200
    assert signed.number in page
    assert "海外知识产权纠纷应对行政指导意见书" in page
    assert "山西省涉外知识产权指导中心" in page
    assert signed.sha256 in page
    assert f"{signed.issued_on.year}年{signed.issued_on.month}月{signed.issued_on.day}日" in page
    # No content, no addressee.
    assert "山西晋成精密机械有限公司" not in page
    assert "Acme" not in page


def test_codes_are_accepted_in_lower_case_and_unknown_codes_are_404(client, signed):
    response = client.get(reverse("documents:verify_code", args=[signed.verification_code.lower()]))
    assert response.status_code == 302
    assert client.get(reverse("documents:verify_code", args=["ABCDEFGHJK"])).status_code == 404


def test_entering_a_code_leads_to_its_page(client, signed):
    response = client.post(reverse("documents:verify"), {"code": signed.verification_code.lower()})
    assert response.status_code == 302
    assert response.url == reverse("documents:verify_code", args=[signed.verification_code])


def test_an_empty_or_malformed_request_is_explained(client):
    page = client.post(reverse("documents:verify"), {"code": ""}).content.decode()
    assert "请输入验证码，或上传要核验的 PDF 文件。" in page
    page = client.post(reverse("documents:verify"), {"code": "<b>x</b>"}).content.decode()
    assert "验证码应为 10 位字母和数字" in page
    assert "<b>x</b>" not in page


def test_revoked_and_superseded_documents_say_so(client, signed, director):
    document_revoke(document=signed, by=director, reason="误发")
    page = client.get(reverse("documents:verify_code", args=[signed.verification_code])).content.decode()
    assert "已撤销" in page
    assert "误发" not in page  # the reason stays internal
    upload = _upload(client, signed.file.read()).content.decode()
    assert "核验通过" in upload and "已撤销" in upload


def test_a_superseded_document_points_to_its_successor(
    client, signed, staff, director, django_capture_on_commit_callbacks
):
    opinion = GuidanceOpinion.objects.get(document=signed)
    opinion_reopen(opinion=opinion, by=director, reason="更正")
    opinion_submit(opinion=opinion, by=staff)
    opinion_review(opinion=opinion, by=staff, approve=True)
    with django_capture_on_commit_callbacks(execute=True):
        opinion_sign(opinion=opinion, by=director)
    opinion.refresh_from_db()
    page = client.get(reverse("documents:verify_code", args=[signed.verification_code])).content.decode()
    assert "已被取代" in page
    assert opinion.document.number in page


def test_downloads_by_role(client, signed, applicant, other_applicant, agency_user, staff):
    url = reverse("documents:download", args=[signed.pk])
    client.force_login(applicant)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == signed.file.read()
    for outsider in (other_applicant, agency_user):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.force_login(staff)
    assert client.get(url).status_code == 200


def test_the_document_list_in_the_admin_has_a_fixed_query_count(client, staff, django_assert_max_num_queries):
    from django.contrib.contenttypes.models import ContentType

    def add(n):
        Document.objects.create(
            kind=Document.Kind.RECEIPT,
            title=f"t{n}",
            template="pdf/receipt.html",
            subject_type=ContentType.objects.get_for_model(staff),
            subject_id=staff.pk,
            status=Document.Status.FAILED if n % 2 else Document.Status.PENDING,
            last_error="KeyError: x",
        )

    client.force_login(staff)
    add(1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("admin:documents_document_changelist"))
    for n in range(2, 16):
        add(n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("admin:documents_document_changelist"))
    assert response.status_code == 200
    assert "KeyError: x" in response.content.decode()


def test_the_document_list_snippet_shows_what_the_applicant_may_download(rf, signed, applicant, other_applicant):
    from django.template.loader import render_to_string

    from documents.permissions import documents_for_subject

    opinion = GuidanceOpinion.objects.get(document=signed)
    html = render_to_string("documents/_document_list.html", {"documents": documents_for_subject(applicant, opinion)})
    assert signed.number in html and signed.verification_code in html
    assert reverse("documents:download", args=[signed.pk]) in html
    html = render_to_string(
        "documents/_document_list.html", {"documents": documents_for_subject(other_applicant, opinion)}
    )
    assert signed.number not in html and "暂无文书" in html
