"""The agency workspace and the permission matrix: each role against each object and view."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import services
from cases.models import AnswerAttachment
from cases.permissions import visible_cases, visible_letters, visible_recipients
from experts.models import ExpertNomination
from tests.cases.factories import draft_letter, in_progress_case, refresh, signed_letter
from tests.factories import TINY_PDF


@pytest.fixture
def letter(staff, director, agency):
    case = in_progress_case(staff)
    return signed_letter(case, staff, director, [agency], subject="商请核查海关备案")


def test_inbox_lists_only_signed_letters_to_the_users_agency(
    client, staff, director, agency, other_agency, agency_user, letter, django_assert_max_num_queries
):
    case = letter.case
    draft_letter(case, staff, [agency], subject="尚未签发的草稿")
    signed_letter(case, staff, director, [other_agency], subject="发给海关的函")
    client.force_login(agency_user)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("cases:agency_inbox")).content.decode()
    assert "<h1" in page and "协助办理函" in page
    assert "商请核查海关备案" in page
    assert "尚未签发的草稿" not in page and "发给海关的函" not in page


def test_letter_page_shows_the_summary_without_contact_details(client, agency_user, letter):
    client.force_login(agency_user)
    page = client.get(reverse("cases:agency_letter", args=[letter.pk])).content.decode()
    application = letter.case.application
    assert letter.case.applicant_name in page and "发明专利" in page and "美国" in page
    assert application.contact_phone not in page and application.contact_email not in page


def test_letter_page_shows_contact_details_when_the_letter_shares_them(client, staff, director, agency, agency_user):
    case = in_progress_case(staff)
    shared = signed_letter(case, staff, director, [agency], share_contact=True)
    client.force_login(agency_user)
    page = client.get(reverse("cases:agency_letter", args=[shared.pk])).content.decode()
    assert case.application.contact_phone in page


def test_acknowledge_then_answer_with_files_and_nominated_experts(client, agency_user, staff, letter):
    client.force_login(agency_user)
    client.post(reverse("cases:agency_acknowledge", args=[letter.pk]))
    recipient = letter.recipients.get()
    assert refresh(recipient).acknowledged_by == agency_user
    page = client.get(reverse("cases:agency_letter", args=[letter.pk])).content.decode()
    assert "陈静" in page and "签收" in page
    upload = SimpleUploadedFile("备案查询结果.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post(
        reverse("cases:agency_answer", args=[letter.pk]),
        {
            "answer": "经核查，申请人商标已在海关总署备案。",
            "information_found": "备案号 T2026-0001",
            "files": [upload],
            "nom-TOTAL_FORMS": "2",
            "nom-INITIAL_FORMS": "0",
            "nom-0-name": "周明",
            "nom-0-organisation": "山西某律师事务所",
            "nom-0-title": "律师",
            "nom-1-name": "",
        },
    )
    assert response.status_code == 302
    recipient = refresh(recipient)
    assert recipient.answer.startswith("经核查") and recipient.answered_by == agency_user
    attachment = AnswerAttachment.objects.get()
    assert attachment.original_name == "备案查询结果.pdf" and attachment.size == len(b"%PDF-1.4 test")
    assert ExpertNomination.objects.get().name == "周明"
    assert refresh(letter).status == "settled"
    client.force_login(staff)
    case_page = client.get(reverse("admin:cases_case_change", args=[letter.case_id])).content.decode()
    assert "经核查，申请人商标已在海关总署备案。" in case_page and "备案查询结果.pdf" in case_page
    download = client.get(reverse("cases:answer_attachment", args=[attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 test"


def test_answer_errors_keep_what_was_typed(client, agency_user, letter):
    client.force_login(agency_user)
    response = client.post(
        reverse("cases:agency_answer", args=[letter.pk]),
        {
            "answer": "",
            "information_found": "已查到的境外信息",
            "nom-TOTAL_FORMS": "1",
            "nom-INITIAL_FORMS": "0",
            "nom-0-name": "",
            "nom-0-organisation": "某大学",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "回函未提交" in body and "已查到的境外信息" in body and "某大学" in body
    assert refresh(letter.recipients.get()).answered_at is None


def test_a_forged_form_count_is_refused_without_building_thousands_of_forms(client, agency_user, letter):
    client.force_login(agency_user)
    response = client.post(
        reverse("cases:agency_answer", args=[letter.pk]),
        {"answer": "见附件", "nom-TOTAL_FORMS": "100000", "nom-INITIAL_FORMS": "0"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "回函未提交" in body and "见附件" in body
    form_indexes = {int(index) for index in re.findall(r'name="nom-(\d+)-', body)}
    assert form_indexes and max(form_indexes) < 10  # the formset's own limit, not the forged count
    assert refresh(letter.recipients.get()).answered_at is None


def test_extension_request_from_the_workspace(client, agency_user, letter):
    client.force_login(agency_user)
    recipient = letter.recipients.get()
    later = recipient.due_date + datetime.timedelta(days=5)
    response = client.post(
        reverse("cases:agency_extension", args=[letter.pk]), {"requested_until": later.isoformat(), "reason": ""}
    )
    assert response.status_code == 400
    client.post(
        reverse("cases:agency_extension", args=[letter.pk]),
        {"requested_until": later.isoformat(), "reason": "需向驻外使馆核实"},
    )
    assert recipient.extensions.get().reason == "需向驻外使馆核实"


# ------------------------------------------------------------------ the permission matrix


AGENCY_VIEWS = ["cases:agency_letter", "cases:agency_acknowledge", "cases:agency_answer", "cases:agency_extension"]


@pytest.mark.parametrize("view", AGENCY_VIEWS)
@pytest.mark.parametrize("who", ["other_agency_user", "applicant", "expert_user", "staff"])
def test_only_the_addressed_agency_reaches_its_letter(client, request, letter, view, who):
    client.force_login(request.getfixturevalue(who))
    method = client.get if view == "cases:agency_letter" else client.post
    assert method(reverse(view, args=[letter.pk])).status_code == 404


def test_unsigned_letter_is_hidden_from_its_agency(client, staff, agency, agency_user):
    case = in_progress_case(staff)
    draft = draft_letter(case, staff, [agency])
    client.force_login(agency_user)
    assert client.get(reverse("cases:agency_letter", args=[draft.pk])).status_code == 404


@pytest.mark.parametrize("who", ["applicant", "expert_user", "staff", "director"])
def test_inbox_is_for_agency_users_only(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("cases:agency_inbox")).status_code == 404


def test_anonymous_users_are_sent_to_login(client, letter):
    for url in [reverse("cases:agency_inbox"), reverse("cases:agency_letter", args=[letter.pk])]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_answer_attachments_of_another_agency_are_404(client, agency_user, other_agency_user, applicant, letter):
    services.recipient_answer(
        recipient=letter.recipients.get(),
        by=agency_user,
        answer="附件见后",
        files=[SimpleUploadedFile("a.pdf", TINY_PDF, content_type="application/pdf")],
    )
    attachment = AnswerAttachment.objects.get()
    url = reverse("cases:answer_attachment", args=[attachment.pk])
    for user in [other_agency_user, applicant]:
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(agency_user)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("who", ["applicant", "agency_user", "expert_user"])
def test_admin_case_pages_are_closed_to_non_center_users(client, request, letter, who):
    client.force_login(request.getfixturevalue(who))
    for url in [
        reverse("admin:cases_case_changelist"),
        reverse("admin:cases_case_change", args=[letter.case_id]),
        reverse("admin:cases_assistanceletter_change", args=[letter.pk]),
    ]:
        assert client.get(url).status_code in {302, 404}, url


def test_a_wrong_case_id_in_the_admin_is_404(client, staff):
    client.force_login(staff)
    assert client.get(reverse("admin:cases_case_change", args=[999999])).status_code == 404
    assert client.post(reverse("admin:cases_case_transition", args=[999999])).status_code == 404


def test_querysets_by_role(staff, applicant, agency_user, other_agency_user, expert_user, letter):
    case = letter.case
    assert visible_cases(staff).filter(pk=case.pk).exists()
    assert visible_cases(agency_user).filter(pk=case.pk).exists()
    assert not visible_cases(other_agency_user).exists()
    assert not visible_cases(expert_user).exists()
    assert not visible_cases(applicant).exists()  # another organisation's case
    assert visible_letters(agency_user).get() == letter
    assert not visible_letters(other_agency_user).exists()
    assert visible_recipients(agency_user).count() == 1
    assert not visible_recipients(other_agency_user).exists()


def test_the_letter_pdf_is_for_its_agencies_only(
    client, staff, director, agency, agency_user, other_agency_user, applicant, django_capture_on_commit_callbacks
):
    from documents.models import Document

    case = in_progress_case(staff)
    with django_capture_on_commit_callbacks(execute=True):
        signed_letter(case, staff, director, [agency])
    document = Document.objects.get(kind=Document.Kind.ASSISTANCE_LETTER)
    url = reverse("documents:download", args=[document.pk])
    client.force_login(agency_user)
    assert client.get(url).status_code == 200
    for user in [other_agency_user, applicant]:
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_answer_refuses_an_executable_renamed_pdf(client, agency_user, letter):
    client.force_login(agency_user)
    upload = SimpleUploadedFile("查询结果.pdf", b"MZ\x90\x00" + bytes(200), content_type="application/pdf")
    response = client.post(
        reverse("cases:agency_answer", args=[letter.pk]),
        {"answer": "见附件", "files": [upload], "nom-TOTAL_FORMS": "0", "nom-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 400 and "这个文件不是 PDF，而是可执行程序" in response.content.decode()
    assert not AnswerAttachment.objects.exists()
