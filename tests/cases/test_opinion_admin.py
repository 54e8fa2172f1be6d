"""The guidance opinion in the admin: authoring through signature, what each role may reach,
refusals as a 403 page with the reason, and the case file export."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import GuidanceOpinion
from cases.opinions.services import opinion_review, opinion_sign, opinion_submit
from documents.models import Document
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


def test_the_opinion_add_page_preselects_the_case_and_addressee(client, staff, applicant_org):
    case = make_case(applicant_org=applicant_org, by=staff)
    client.force_login(staff)
    page = client.get(reverse("admin:cases_guidanceopinion_add") + f"?case={case.pk}").content.decode()
    assert f'value="{case.pk}"' in page
    assert 'value="山西晋成精密机械有限公司"' in page


def test_authoring_in_the_admin_through_signature(
    client, staff, deputy, applicant_org, django_capture_on_commit_callbacks
):
    case = make_case(applicant_org=applicant_org, by=staff)
    client.force_login(staff)
    response = client.post(
        reverse("admin:cases_guidanceopinion_add") + f"?case={case.pk}",
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
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    opinion = GuidanceOpinion.objects.get(case=case)
    assert opinion.addressee == "山西晋成精密机械有限公司" and opinion.drafted_by == staff

    change = reverse("admin:cases_guidanceopinion_change", args=[opinion.pk])
    preview = client.get(reverse("admin:cases_guidanceopinion_preview", args=[opinion.pk]))
    assert preview["Content-Type"] == "application/pdf"
    assert "德国外观设计" in compact(pdf_text(preview.content))

    client.post(reverse("admin:cases_guidanceopinion_submit", args=[opinion.pk]))
    client.post(reverse("admin:cases_guidanceopinion_review", args=[opinion.pk]), {"decision": "approve"})
    page = client.get(change).content.decode()
    assert "等待中心主任或副主任签发" in page
    response = client.post(reverse("admin:cases_guidanceopinion_sign", args=[opinion.pk]))
    assert response.status_code == 403
    assert "只有中心主任或副主任可以签发指导意见书。" in response.content.decode()

    client.force_login(deputy)
    assert "签发后将取得文号" in client.get(change).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:cases_guidanceopinion_sign", args=[opinion.pk]))
    opinion.refresh_from_db()
    assert opinion.status == GuidanceOpinion.Status.SIGNED
    assert opinion.document.status == Document.Status.READY
    assert opinion.document.number in client.get(change).content.decode()


def test_outsiders_cannot_reach_the_opinion_admin(client, applicant, signed):
    opinion = GuidanceOpinion.objects.get(document=signed)
    client.force_login(applicant)
    response = client.get(reverse("admin:cases_guidanceopinion_preview", args=[opinion.pk]))
    assert response.status_code == 302  # to the admin login


def test_staff_export_the_case_file(client, staff, signed, django_capture_on_commit_callbacks):
    case = GuidanceOpinion.objects.get(document=signed).case
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cases:case_file", args=[case.pk]), {"next": "https://evil.example/"})
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
        response = client.post(reverse("cases:case_file", args=[case.pk]))
        assert response.status_code in (302, 404)
        assert not Document.objects.filter(kind=Document.Kind.CASE_FILE).exists()


def test_staff_are_refused_reopening_a_signed_opinion_with_a_403_that_says_why(client, staff, director, signed):
    opinion = GuidanceOpinion.objects.get(document=signed)
    change = reverse("admin:cases_guidanceopinion_change", args=[opinion.pk])
    reopen = reverse("admin:cases_guidanceopinion_reopen", args=[opinion.pk])
    client.force_login(staff)
    assert "重新打开更正" not in client.get(change).content.decode()
    response = client.post(reopen, {"reason": "更正引用的法条。"})
    assert response.status_code == 403
    assert "只有中心主任或副主任可以重新打开已签发的指导意见书。" in response.content.decode()
    assert GuidanceOpinion.objects.get(pk=opinion.pk).status == GuidanceOpinion.Status.SIGNED

    client.force_login(director)
    assert "重新打开更正" in client.get(change).content.decode()
    response = client.post(reopen, {"reason": "更正引用的法条。"}, follow=True)
    assert "已重新打开更正" in response.content.decode()
    assert GuidanceOpinion.objects.get(pk=opinion.pk).status == GuidanceOpinion.Status.DRAFT


def test_a_wrong_id_is_a_404_for_every_opinion_action(client, staff):
    client.force_login(staff)
    for name in ("submit", "review", "sign", "reopen", "quote_experts"):
        assert client.post(reverse(f"admin:cases_guidanceopinion_{name}", args=[999999])).status_code == 404
    assert client.get(reverse("admin:cases_guidanceopinion_preview", args=[999999])).status_code == 404
    assert client.post(reverse("cases:case_file", args=[999999])).status_code == 404


def test_the_opinion_page_shows_its_history_from_the_audit_log(client, staff, signed):
    opinion = GuidanceOpinion.objects.get(document=signed)
    client.force_login(staff)
    page = client.get(reverse("admin:cases_guidanceopinion_change", args=[opinion.pk])).content.decode()
    assert 'data-testid="opinion-history"' in page
    for text in (
        "起草指导意见书",
        "提交承办人审核",
        "审核通过，提交签发",
        "签发指导意见书",
        "待签发 → 已签发",
        signed.number,
    ):
        assert text in page
