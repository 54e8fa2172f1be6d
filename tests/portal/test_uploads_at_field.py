"""Every upload form shows a refused file's message at its file field — the field in its error
state (is-invalid, aria-invalid, aria-describedby pointing at the message) — in plain words, and
keeps what the user typed."""

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from applications import services as application_services
from applications.choices import DisputeLevel
from applications.models import Attachment, Message
from applications.selectors import applicant_of
from cases.models import AnswerAttachment
from experts import services as expert_services
from experts.models import ExpertOpinion, Seminar
from tests.applications.factories import PDF_BYTES, complete_draft, upload
from tests.cases.factories import in_progress_case, signed_letter
from tests.experts.factories import expert_with_login, make_case
from tests.factories import ApplicationFactory
from tests.portal import pdf_samples

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(200)
NOT_A_PDF = "这个文件不是 PDF，而是可执行程序"
ACTIVE = "PDF 含有脚本或嵌入文件等活动内容，出于安全原因不予接收"


def field_error(page, field_id):
    """The error text shown for one field, after checking that the field is marked invalid
    and that assistive technology is pointed at the message."""
    tag = re.search(rf'<input[^>]*\bid="{field_id}"[^>]*>', page)
    assert tag, f"no input #{field_id}"
    tag = tag.group(0)
    assert "is-invalid" in tag and 'aria-invalid="true"' in tag
    described = re.search(r'aria-describedby="([^"]*)"', tag).group(1).split()
    assert f"{field_id}_error" in described
    block = re.search(rf'<div id="{field_id}_error" class="invalid-feedback">(.*?)</div>', page, re.S)
    assert block, f"no message for #{field_id}"
    text = html.unescape(re.sub(r"<[^>]+>", "", block.group(1)))
    assert "application/" not in text and "x-dosexec" not in text
    return text


def test_evidence_refusal_shows_at_the_field_and_keeps_the_category_and_good_files(client, applicant):
    draft = ApplicationFactory(applicant=applicant_of(applicant), created_by=applicant)
    client.force_login(applicant)
    response = client.post(
        reverse("applications:evidence", args=[draft.pk]),
        {
            "category": "legal_papers",
            "files": [upload("律师函.pdf", PDF_BYTES), upload("合同.pdf", EXE, "application/pdf")],
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "“合同.pdf”：" + NOT_A_PDF in field_error(page, "id_files")
    assert re.search(r'<option value="legal_papers" selected>', page)
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["律师函.pdf"]


def test_evidence_with_a_script_in_the_pdf_is_refused_at_the_field(client, applicant):
    draft = ApplicationFactory(applicant=applicant_of(applicant), created_by=applicant)
    client.force_login(applicant)
    response = client.post(
        reverse("applications:evidence", args=[draft.pk]),
        {"category": "standing", "files": [upload("营业执照.pdf", pdf_samples.pdf_with_javascript())]},
    )
    assert response.status_code == 400
    assert ACTIVE in field_error(response.content.decode(), "id_files")
    assert not Attachment.objects.exists()


def test_message_attachment_refusal_shows_at_the_field_and_keeps_the_text(client, applicant):
    application = application_services.application_submit(application=complete_draft(applicant), by=applicant)
    client.force_login(applicant)
    response = client.post(
        reverse("applications:message_create", args=[application.pk]),
        {"body": "补充一份委托书，请查收。", "files": [upload("委托书.pdf", pdf_samples.pdf_with_attachment())]},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert ACTIVE in field_error(page, "id_files")
    assert "补充一份委托书，请查收。</textarea>" in page
    assert not Message.objects.exists()


def test_agency_answer_refusal_shows_at_the_field_and_keeps_the_answer(client, staff, director, agency, agency_user):
    letter = signed_letter(in_progress_case(staff), staff, director, [agency])
    client.force_login(agency_user)
    response = client.post(
        reverse("cases:agency_answer", args=[letter.pk]),
        {
            "answer": "经查，该企业在海关有备案记录。",
            "files": [SimpleUploadedFile("查询结果.pdf", EXE, content_type="application/pdf")],
            "nom-TOTAL_FORMS": "0",
            "nom-INITIAL_FORMS": "0",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert NOT_A_PDF in field_error(page, "id_files")
    assert "经查，该企业在海关有备案记录。</textarea>" in page
    assert not AnswerAttachment.objects.exists()


def test_expert_opinion_refusal_shows_at_the_field_and_keeps_the_opinion(client, staff):
    case = make_case()
    expert = expert_with_login(name="吴志远", max_concurrent_cases=10)
    invitation = expert_services.expert_invite(
        case=case, expert=expert, by=staff, deadline=timezone.now() + timezone.timedelta(days=3)
    )
    assignment = expert_services.invitation_accept(invitation=invitation, by=expert.user)
    expert_services.assignment_declare(assignment=assignment, by=expert.user, no_conflict=True)
    client.force_login(expert.user)
    response = client.post(
        reverse("experts:assignment", args=[assignment.pk]),
        {
            "analysis": "对方专利权利要求 1 缺乏新颖性。",
            "recommendations": "建议提出无效宣告请求。",
            "files": [upload("检索报告.pdf", pdf_samples.pdf_with_launch_link())],
        },
    )
    page = response.content.decode()
    assert ACTIVE in field_error(page, "id_files")
    assert "对方专利权利要求 1 缺乏新颖性。</textarea>" in page
    assert not ExpertOpinion.objects.exists()


def test_seminar_material_refusal_shows_at_the_field_and_keeps_the_form(client, staff):
    case = make_case(level=DisputeLevel.MAJOR)
    expert = expert_with_login(name="甲专家")
    client.force_login(staff)
    starts = timezone.localtime(timezone.now() + timezone.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("experts:seminar_new", args=[case.pk]),
        {
            "title": "337 调查应诉研讨会",
            "starts_at": starts,
            "location": "中心三楼会议室",
            "experts": [expert.pk],
            "materials": [upload("案情摘要.pdf", EXE)],
        },
    )
    page = response.content.decode()
    assert NOT_A_PDF in field_error(page, "id_materials")
    assert 'value="337 调查应诉研讨会"' in page and 'value="中心三楼会议室"' in page
    assert not Seminar.objects.exists()
