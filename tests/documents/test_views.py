"""Public verification, downloads by role, the admin screens and the case file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from documents.models import Document, GuidanceOpinion
from documents.services import document_revoke, opinion_review, opinion_sign, opinion_submit
from tests.documents.factories import make_case, make_opinion
from tests.documents.helpers import compact, pdf_text

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
    from documents.services import opinion_reopen

    opinion = GuidanceOpinion.objects.get(document=signed)
    opinion_reopen(opinion=opinion, by=staff, reason="更正")
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


def test_the_opinion_add_page_preselects_the_case_and_addressee(client, staff, applicant_org):
    case = make_case(applicant_org=applicant_org, by=staff)
    client.force_login(staff)
    page = client.get(reverse("admin:documents_guidanceopinion_add") + f"?case={case.pk}").content.decode()
    assert f'value="{case.pk}"' in page
    assert 'value="山西晋成精密机械有限公司"' in page


def test_authoring_in_the_admin_through_signature(
    client, staff, deputy, applicant_org, django_capture_on_commit_callbacks
):
    case = make_case(applicant_org=applicant_org, by=staff)
    client.force_login(staff)
    response = client.post(
        reverse("admin:documents_guidanceopinion_add") + f"?case={case.pk}",
        {
            "case": case.pk,
            "title": "海外知识产权纠纷应对行政指导意见书",
            "addressee": "",
            "dispute_summary": "对方在德国提起外观设计侵权诉讼。",
            "analysis": "德国外观设计保护范围以整体视觉印象判断。",
            "responses": ["defence", "mediation"],
            "responses_detail": "积极应诉并寻求调解。",
            "risks": "",
            "next_steps": "",
            "expert_opinions": "",
            "referenced_laws": "",
            "service_providers": "",
            "copy_to": "",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    opinion = GuidanceOpinion.objects.get(case=case)
    assert opinion.addressee == "山西晋成精密机械有限公司" and opinion.drafted_by == staff

    change = reverse("admin:documents_guidanceopinion_change", args=[opinion.pk])
    preview = client.get(reverse("admin:documents_guidanceopinion_preview", args=[opinion.pk]))
    assert preview["Content-Type"] == "application/pdf"
    assert "德国外观设计" in compact(pdf_text(preview.content))

    client.post(reverse("admin:documents_guidanceopinion_submit", args=[opinion.pk]))
    client.post(reverse("admin:documents_guidanceopinion_review", args=[opinion.pk]), {"decision": "approve"})
    page = client.get(change).content.decode()
    assert "等待中心主任或副主任签发" in page
    response = client.post(reverse("admin:documents_guidanceopinion_sign", args=[opinion.pk]), follow=True)
    assert "只有中心主任或副主任可以签发文书。" in response.content.decode()

    client.force_login(deputy)
    assert "签发后将取得文号" in client.get(change).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:documents_guidanceopinion_sign", args=[opinion.pk]))
    opinion.refresh_from_db()
    assert opinion.status == GuidanceOpinion.Status.SIGNED
    assert opinion.document.status == Document.Status.READY
    assert opinion.document.number in client.get(change).content.decode()


def test_outsiders_cannot_reach_the_opinion_admin(client, applicant, signed):
    opinion = GuidanceOpinion.objects.get(document=signed)
    client.force_login(applicant)
    response = client.get(reverse("admin:documents_guidanceopinion_preview", args=[opinion.pk]))
    assert response.status_code == 302  # to the admin login


def test_staff_export_the_case_file(client, staff, signed, django_capture_on_commit_callbacks):
    case = GuidanceOpinion.objects.get(document=signed).case
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("documents:case_file", args=[case.pk]), {"next": "https://evil.example/"})
    assert response.status_code == 302 and "evil" not in response.url
    document = Document.objects.get(kind=Document.Kind.CASE_FILE)
    assert document.status == Document.Status.READY, document.last_error
    text = compact(pdf_text(document.file.path))
    for part in ("海外知识产权纠纷应对指导案卷", case.number, "一、申请书", "三、办理经过", signed.number):
        assert part in text
    assert document.created_at <= timezone.now()


def test_agencies_and_applicants_cannot_export_case_files(client, applicant, agency_user, signed):
    case = GuidanceOpinion.objects.get(document=signed).case
    for user in (applicant, agency_user):
        client.force_login(user)
        response = client.post(reverse("documents:case_file", args=[case.pk]))
        assert response.status_code in (302, 404)
        assert not Document.objects.filter(kind=Document.Kind.CASE_FILE).exists()


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
