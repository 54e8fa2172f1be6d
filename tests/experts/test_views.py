"""What each role sees of the expert workflow, and what it may not see (404)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from experts import services
from experts.models import ExpertAssignment, ExpertInvitation, ExpertOpinion
from tests.experts.factories import ExpertFactory, expert_with_login, make_case

pytestmark = pytest.mark.django_db


def soon():
    return timezone.now() + timezone.timedelta(days=3)


@pytest.fixture
def case():
    return make_case(contact_phone="13911112222", contact_email="boss@jincheng.cn", opponent_name="Acme Robotics Inc.")


@pytest.fixture
def expert():
    return expert_with_login(name="吴志远", max_concurrent_cases=10)


def login(client, user):
    client.force_login(user)
    return client


def accepted(case, expert, staff):
    invitation = services.expert_invite(case=case, expert=expert, by=staff, deadline=soon())
    return services.invitation_accept(invitation=invitation, by=expert.user)


def test_workspace_shows_the_heading_and_pending_invitations(client, case, expert, staff):
    services.expert_invite(case=case, expert=expert, by=staff, deadline=soon())
    response = login(client, expert.user).get(reverse("experts:workspace"))
    html = response.content.decode()
    assert "<h1" in html and "专家工作台" in html
    assert f"案件 {case.number} 咨询邀请" in html


def test_workspace_without_a_profile_says_so(client, expert_user):
    response = login(client, expert_user).get(reverse("experts:workspace"))
    assert "尚未关联专家库档案" in response.content.decode()


@pytest.mark.parametrize("fixture", ["applicant", "agency_user", "staff"])
def test_workspace_is_for_experts_only(client, request, fixture):
    user = request.getfixturevalue(fixture)
    assert login(client, user).get(reverse("experts:workspace")).status_code == 404


def test_workspace_queries_do_not_grow_with_cases(client, expert, staff, django_assert_max_num_queries):
    for _ in range(6):
        services.expert_invite(case=make_case(), expert=expert, by=staff, deadline=soon())
    ExpertFactory()  # unrelated
    login(client, expert.user)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("experts:workspace"))
    assert response.content.decode().count("咨询邀请") >= 6


def test_accept_decline_through_the_invitation_page(client, case, expert, staff):
    invitation = services.expert_invite(case=case, expert=expert, by=staff, deadline=soon())
    login(client, expert.user)
    response = client.post(reverse("experts:invitation", args=[invitation.pk]), {"action": "decline", "reason": ""})
    assert response.status_code == 200
    assert "这个字段是必填项" in response.content.decode() or "必填" in response.content.decode()
    response = client.post(reverse("experts:invitation", args=[invitation.pk]), {"action": "accept"})
    assignment = ExpertAssignment.objects.get(invitation=invitation)
    assert response.url == reverse("experts:assignment", args=[assignment.pk])


def test_expert_opening_a_case_not_assigned_gets_404(client, case, expert, staff):
    other = expert_with_login(name="别人")
    assignment = accepted(case, other, staff)
    login(client, expert.user)
    assert client.get(reverse("experts:assignment", args=[assignment.pk])).status_code == 404
    invitation = ExpertInvitation.objects.get(expert=other)
    assert client.get(reverse("experts:invitation", args=[invitation.pk])).status_code == 404


def test_case_details_only_after_declaring_no_conflict(client, case, expert, staff):
    assignment = accepted(case, expert, staff)
    url = reverse("experts:assignment", args=[assignment.pk])
    login(client, expert.user)
    html = client.get(url).content.decode()
    assert "利益冲突声明" in html
    assert case.application.request not in html
    assert "Acme Robotics Inc." in html  # the parties, so the expert can check

    response = client.post(url, {"decision": "none"})
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert case.application.request in html
    assert "13911112222" not in html and "boss@jincheng.cn" not in html
    assert "申请人联系方式及主体资格证明由指导中心掌握" in html


def test_contact_details_show_once_staff_release_them(client, case, expert, staff):
    assignment = accepted(case, expert, staff)
    services.assignment_declare(assignment=assignment, by=expert.user, no_conflict=True)
    login(client, staff).post(reverse("experts:assignment_action", args=[assignment.pk, "release"]))
    client.logout()
    html = login(client, expert.user).get(reverse("experts:assignment", args=[assignment.pk])).content.decode()
    assert "13911112222" in html and "boss@jincheng.cn" in html


def test_declaring_a_conflict_in_the_form_needs_a_reason(client, case, expert, staff):
    assignment = accepted(case, expert, staff)
    login(client, expert.user)
    url = reverse("experts:assignment", args=[assignment.pk])
    response = client.post(url, {"decision": "conflict", "reason": ""})
    assert "请说明利益冲突的情况" in response.content.decode()
    response = client.post(url, {"decision": "conflict", "reason": "曾任对方顾问"})
    assert response.url == reverse("experts:workspace")
    assert client.get(url).status_code == 404  # the expert has left the case


def test_opinion_form_keeps_input_on_error_and_submits_with_attachment(client, case, expert, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    assignment = accepted(case, expert, staff)
    services.assignment_declare(assignment=assignment, by=expert.user, no_conflict=True)
    login(client, expert.user)
    url = reverse("experts:assignment", args=[assignment.pk])
    response = client.post(url, {"analysis": "<b>分析</b>", "recommendations": ""})
    html = response.content.decode()
    assert "&lt;b&gt;分析&lt;/b&gt;" in html  # kept and escaped
    upload = SimpleUploadedFile("检索报告.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post(
        url,
        {
            "analysis": "分析",
            "recommendations": "建议应诉",
            "risks": "赔偿风险",
            "references": "35 U.S.C. 271",
            "files": [upload],
        },
    )
    assert response.status_code == 302
    opinion = ExpertOpinion.objects.get(assignment=assignment)
    assert opinion.attachments.get().original_name == "检索报告.pdf"
    file_url = reverse("experts:opinion_file", args=[opinion.attachments.get().pk])
    assert client.get(file_url).status_code == 200
    client.logout()
    other = expert_with_login(name="旁人")
    assert login(client, other.user).get(file_url).status_code == 404


def test_staff_see_the_opinion_on_the_case_panel_and_in_the_admin(client, case, expert, staff):
    assignment = accepted(case, expert, staff)
    services.assignment_declare(assignment=assignment, by=expert.user, no_conflict=True)
    services.opinion_submit(assignment=assignment, by=expert.user, analysis="分析要点", recommendations="建议应诉要点")
    login(client, staff)
    html = client.get(reverse("experts:case_panel", args=[case.pk])).content.decode()
    assert "建议应诉要点" in html and "吴志远" in html
    other_case = make_case()
    response = client.get(reverse("admin:experts_expertopinion_changelist") + f"?case__id__exact={case.pk}")
    assert response.status_code == 200
    assert "建议应诉要点" in response.content.decode()
    response = client.get(reverse("admin:experts_expertopinion_changelist") + f"?case__id__exact={other_case.pk}")
    assert "建议应诉要点" not in response.content.decode()


@pytest.mark.parametrize("fixture", ["applicant", "agency_user", "expert_user"])
def test_center_pages_are_404_for_other_roles(client, request, case, fixture):
    user = request.getfixturevalue(fixture)
    login(client, user)
    assert client.get(reverse("experts:case_panel", args=[case.pk])).status_code == 404
    assert client.get(reverse("experts:health")).status_code == 404
    assert client.get(reverse("experts:center_index")).status_code == 404
    assert client.post(reverse("experts:match_run", args=[case.pk])).status_code == 404


def test_staff_match_and_invite_from_the_ranking(client, case, staff):
    best = ExpertFactory(name="最佳", countries=["US"], jurisdictions=["US"])
    ExpertFactory(name="其次", countries=["GB"])
    login(client, staff)
    response = client.post(reverse("experts:match_run", args=[case.pk]))
    html = client.get(response.url).content.decode()
    assert html.index("最佳") < html.index("其次")
    assert "美国执业 +5" in html
    deadline = timezone.localtime(soon()).strftime("%Y-%m-%dT%H:%M")
    response = client.post(response.url, {"experts": [best.pk], "deadline": deadline, "message": "请协助"})
    assert response.status_code == 302
    invitation = ExpertInvitation.objects.get(expert=best)
    assert invitation.rank_shown == 1


def test_staff_get_a_message_when_the_slot_was_taken_meanwhile(client, case, staff, director):
    expert = ExpertFactory(name="抢手", max_concurrent_cases=1)
    login(client, staff)
    run_url = client.post(reverse("experts:match_run", args=[case.pk])).url
    services.expert_invite(case=make_case(), expert=expert, by=director, deadline=soon())  # the other staff member
    deadline = timezone.localtime(soon()).strftime("%Y-%m-%dT%H:%M")
    response = client.post(run_url, {"experts": [expert.pk], "deadline": deadline}, follow=True)
    assert "没有空余名额" in response.content.decode()


def test_health_page_shows_load_and_thin_countries(client, staff, django_assert_max_num_queries):
    for _n in range(5):
        ExpertFactory(countries=["US"], technical_fields=["mechanical"])
    login(client, staff)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("experts:health"))
    html = response.content.decode()
    assert "专家库运行情况" in html
    assert "德国：0" in html and "美国：" not in html.split("thin-countries")[1].split("</ul>")[0]


def test_center_index_lists_open_cases_with_counts(client, staff, expert, django_assert_max_num_queries):
    cases = [make_case() for _ in range(5)]
    services.expert_invite(case=cases[0], expert=expert, by=staff, deadline=soon())
    login(client, staff)
    with django_assert_max_num_queries(10):
        html = client.get(reverse("experts:center_index")).content.decode()
    for case in cases:
        assert case.number in html


def test_after_a_decline_the_case_panel_suggests_the_next_expert_and_invites_them(client, case, staff):
    first = expert_with_login(name="甲", countries=["US"], jurisdictions=["US"])
    ExpertFactory(name="乙", countries=["US"])
    run = services.matching_run(case=case, by=staff)
    invitation = services.expert_invite(case=case, expert=first, by=staff, deadline=soon(), matching=run)
    services.invitation_decline(invitation=invitation, by=first.user, reason="出差")
    login(client, staff)
    html = client.get(reverse("experts:case_panel", args=[case.pk])).content.decode()
    assert "建议邀请匹配名单中的下一位：乙" in html
    second = run.ranking[1]["expert_id"]
    deadline = timezone.localtime(soon()).strftime("%Y-%m-%dT%H:%M")
    client.post(reverse("experts:match", args=[run.pk]), {"experts": [second], "deadline": deadline})
    assert ExpertInvitation.objects.get(expert_id=second).rank_shown == 2
    html = client.get(reverse("experts:case_panel", args=[case.pk])).content.decode()
    assert "建议邀请匹配名单中的下一位" not in html


def test_expert_reads_the_evidence_but_not_the_standing_proof_until_released(client, case, expert, staff):
    from django.core.files.base import ContentFile

    from applications.models import Attachment

    def attach(category, name):
        item = Attachment(
            application=case.application,
            category=category,
            original_name=name,
            content_type="application/pdf",
            size=4,
            sha256="0" * 64,
            uploaded_by=case.application.created_by,
        )
        item.file.save(name, ContentFile(b"%PDF"), save=True)
        return item

    letter = attach("legal_papers", "律师函.pdf")
    licence = attach("standing", "营业执照.pdf")
    assignment = accepted(case, expert, staff)
    login(client, expert.user)
    letter_url = reverse("experts:evidence_download", args=[assignment.pk, letter.pk])
    assert client.get(letter_url).status_code == 404  # not before the declaration
    services.assignment_declare(assignment=assignment, by=expert.user, no_conflict=True)
    assert client.get(letter_url).status_code == 200
    licence_url = reverse("experts:evidence_download", args=[assignment.pk, licence.pk])
    assert client.get(licence_url).status_code == 404
    assert "营业执照.pdf" not in client.get(reverse("experts:assignment", args=[assignment.pk])).content.decode()
    services.assignment_release_contact(assignment=assignment, by=staff)
    assert client.get(licence_url).status_code == 200
