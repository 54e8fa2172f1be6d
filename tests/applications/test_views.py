"""The applicant's pages, by what the user sees; access by role (404 for others)."""

import pytest
from django.urls import reverse

from applications import services
from applications.models import Application, Attachment, Feedback, Message
from applications.selectors import applicant_of
from cases.models import Case
from documents.models import Document
from portal.audit import log_action
from tests.applications.factories import PDF_BYTES, AttachmentFactory, close_case, complete_draft, upload
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db
S = Application.Status


def form_post(application, **overrides):
    data = {
        "revision": application.revision,
        "applicant_category": "enterprise",
        "applicant_name": application.applicant_name,
        "credit_code": application.credit_code,
        "contact_name": "王丽",
        "contact_email": "wangli@example.cn",
        "contact_phone": "13812345678",
        "contact_address": "山西省太原市小店区学府街 101 号",
        "dispute_types": ["trade_investigation"],
        "right_types": ["invention", "utility_model"],
        "countries": ["US"],
        "opponent_types": ["competitor"],
        "technical_fields": ["mechanical"],
        "request": "美国 ITC 对我司发起 337 调查。",
        "impact": "涉及出口额 3000 万元。",
        "level": "major",
        "next": "stay",
    }
    data.update(overrides)
    return data


@pytest.fixture
def draft(applicant):
    return ApplicationFactory(applicant=applicant_of(applicant), created_by=applicant)


def test_mine_lists_the_organisation_s_applications_only(client, applicant, other_applicant):
    mine = ApplicationFactory(applicant=applicant_of(applicant), request="我方的申请")
    ApplicationFactory(applicant=applicant_of(other_applicant), request="别人家的申请")
    client.force_login(applicant)
    response = client.get(reverse("applications:mine"))
    content = response.content.decode()
    assert "<h1" in content and "我的申请" in content
    assert "我方的申请" in content and "别人家的申请" not in content
    assert reverse("applications:edit", args=[mine.pk]) in content


def test_mine_query_count_is_flat(client, applicant, django_assert_max_num_queries):
    for _ in range(15):
        ApplicationFactory(applicant=applicant_of(applicant))
    client.force_login(applicant)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("applications:mine"))
    assert response.content.decode().count('data-testid="application-row"') == 15


def test_new_creates_a_draft_and_opens_the_form(client, applicant):
    client.force_login(applicant)
    response = client.post(reverse("applications:new"))
    application = Application.objects.get()
    assert response.url == reverse("applications:edit", args=[application.pk])
    page = client.get(response.url).content.decode()
    for label in [
        "申请人类别",
        "统一社会信用代码",
        "涉及纠纷类型",
        "相关贸易调查纠纷",
        "集成电路布图设计",
        "澳大利亚",
        "非专利实施实体",
        "医药生物",
        "重大/疑难纠纷",
        "其他要求",
    ]:
        assert label in page
    assert "对某一产业有较大影响" in page  # help text explains 重大/疑难


def test_saving_a_draft_keeps_the_answers(client, applicant, draft):
    client.force_login(applicant)
    response = client.post(reverse("applications:edit", args=[draft.pk]), form_post(draft))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.right_types == ["invention", "utility_model"]
    assert draft.level == "major"


def test_an_invalid_save_keeps_every_typed_character_and_shows_errors_next_to_fields(client, applicant, draft):
    client.force_login(applicant)
    long_story = "我们在德国杜塞尔多夫展会上被指控侵犯实用新型。" * 200
    response = client.post(
        reverse("applications:edit", args=[draft.pk]),
        form_post(draft, request=long_story, contact_phone="0351-abc", foreign_deadline="2026-02-30"),
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="error-summary"' in content
    assert "电话号码不能包含字母" in content and 'href="#div_id_foreign_deadline"' in content
    assert long_story in content  # still on screen
    assert 'value="0351-abc"' in content and 'value="2026-02-30"' in content
    draft.refresh_from_db()
    assert draft.request == long_story  # the valid part was saved
    assert draft.contact_phone != "0351-abc"


def test_html_typed_into_the_form_is_shown_as_text(client, applicant, draft):
    client.force_login(applicant)
    script = "<script>alert('x')</script><b>粗体</b>"
    client.post(reverse("applications:edit", args=[draft.pk]), form_post(draft, request=script, opponent_name=script))
    AttachmentFactory(application=draft, uploaded_by=applicant)
    content = client.get(reverse("applications:review", args=[draft.pk])).content.decode()
    assert "<script>alert" not in content
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in content


def test_a_stale_save_is_refused_and_the_text_stays(client, applicant, draft):
    client.force_login(applicant)
    client.post(reverse("applications:edit", args=[draft.pk]), form_post(draft, request="第一个标签页"))
    response = client.post(reverse("applications:edit", args=[draft.pk]), form_post(draft, request="第二个标签页"))
    assert response.status_code == 409
    assert "第二个标签页" in response.content.decode()
    draft.refresh_from_db()
    assert draft.request == "第一个标签页"


def test_autosave_returns_the_new_revision(client, applicant, draft):
    client.force_login(applicant)
    response = client.post(reverse("applications:autosave", args=[draft.pk]), form_post(draft, request="自动保存"))
    assert response.json()["ok"] is True
    draft.refresh_from_db()
    assert draft.request == "自动保存" and response.json()["revision"] == draft.revision


def test_autosave_after_the_session_expired_says_so(client, draft):
    response = client.post(reverse("applications:autosave", args=[draft.pk]), form_post(draft))
    assert response.status_code == 401 and response.json()["login"] is True


def test_evidence_page_states_the_limits_and_accepts_several_files(client, applicant, draft, settings):
    settings.EVIDENCE_MAX_FILE_MB = 7
    settings.EVIDENCE_MAX_TOTAL_MB = 33
    client.force_login(applicant)
    url = reverse("applications:evidence", args=[draft.pk])
    page = client.get(url).content.decode()
    assert "7 MB" in page and "33 MB" in page
    response = client.post(
        url, {"category": "standing", "files": [upload("营业执照.pdf"), upload("法人身份证.png", _png())]}
    )
    assert response.status_code == 302
    assert sorted(Attachment.objects.values_list("original_name", flat=True)) == ["法人身份证.png", "营业执照.pdf"]


def _png():
    from tests.applications.factories import PNG_BYTES

    return PNG_BYTES


def test_a_forged_upload_gets_a_clear_message_and_the_good_files_are_kept(client, applicant, draft):
    client.force_login(applicant)
    response = client.post(
        reverse("applications:evidence", args=[draft.pk]),
        {"category": "legal_papers", "files": [upload("律师函.pdf"), upload("病毒.pdf", b"MZ\x90\x00" * 100)]},
    )
    content = response.content.decode()
    assert response.status_code == 400
    assert "“病毒.pdf”：这个文件不是 PDF" in content
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["律师函.pdf"]


def test_review_lists_what_is_missing_and_disables_submit(client, applicant, draft):
    client.force_login(applicant)
    Application.objects.filter(pk=draft.pk).update(request="", dispute_types=["other"])
    content = client.get(reverse("applications:review", args=[draft.pk])).content.decode()
    assert 'data-testid="review-problems"' in content
    assert "主体资格证明" in content and "纠纷应对指导申请事项" in content and "其他纠纷类型" in content
    assert "disabled" in content.split('data-testid="submit-button"')[0].rsplit("<button", 1)[1]


def test_submit_then_a_second_click_lands_on_the_same_application(
    client, applicant, django_capture_on_commit_callbacks
):
    application = complete_draft(applicant)
    client.force_login(applicant)
    url = reverse("applications:review", args=[application.pk])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"revision": application.revision})
    second = client.post(url, {"revision": application.revision})
    application.refresh_from_db()
    assert first.url == second.url == reverse("applications:detail", args=[application.pk])
    assert Application.objects.exclude(number=None).count() == 1
    page = client.get(first.url).content.decode()
    assert application.number in page
    receipt = Document.objects.get(kind=Document.Kind.RECEIPT)
    assert reverse("documents:download", args=[receipt.pk]) in page
    # and the applicant can no longer edit
    assert client.get(reverse("applications:edit", args=[application.pk])).url == first.url


def test_detail_timeline_shows_public_notes_in_plain_words_never_internal_notes(client, applicant, staff):
    application = services.application_submit(application=complete_draft(applicant), by=applicant)
    services.application_accept(application=application, by=staff)
    case = Case.objects.get()
    Case.objects.filter(pk=case.pk).update(status="awaiting_input")
    log_action(
        case,
        "cases.case.awaiting_input",
        scope=case,
        by=staff,
        from_status="in_progress",
        to_status="awaiting_input",
        note="内部：对方律所与专家甲有利益冲突",
        public_note="已商请省商务厅协助查询境外信息。",
    )
    client.force_login(applicant)
    content = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert "申请已提交" in content and "申请已受理" in content
    assert "正在征求协助单位或专家意见" in content
    assert "已商请省商务厅协助查询境外信息。" in content
    assert "利益冲突" not in content


def test_a_returned_application_shows_the_reason_and_can_be_edited(client, applicant, staff):
    application = services.application_submit(application=complete_draft(applicant), by=applicant)
    services.application_return(application=application, by=staff, reason="请补充 <b>商标注册证</b>")
    client.force_login(applicant)
    content = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert "请补充 &lt;b&gt;商标注册证&lt;/b&gt;" in content
    assert client.get(reverse("applications:edit", args=[application.pk])).status_code == 200


def test_message_with_attachment_and_reply(client, applicant, staff):
    application = services.application_submit(application=complete_draft(applicant), by=applicant)
    client.force_login(applicant)
    response = client.post(
        reverse("applications:message_create", args=[application.pk]),
        {"body": "附上 ITC 立案公告", "files": [upload("立案公告.pdf")]},
    )
    assert response.status_code == 302
    item = Message.objects.get().files.get()
    client.force_login(staff)
    client.post(reverse("applications:message_create", args=[application.pk]), {"body": "已收到，谢谢。"})
    client.force_login(applicant)
    content = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert "已收到，谢谢。" in content and "指导中心" in content
    download = client.get(reverse("applications:message_file_download", args=[application.pk, item.pk]))
    assert b"".join(download.streaming_content) == PDF_BYTES


def test_a_rejected_message_attachment_keeps_the_typed_text(client, applicant):
    application = services.application_submit(application=complete_draft(applicant), by=applicant)
    client.force_login(applicant)
    response = client.post(
        reverse("applications:message_create", args=[application.pk]),
        {"body": "很长的一段说明文字", "files": [upload("x.pdf", b"MZ" * 100)]},
    )
    assert response.status_code == 400
    assert "很长的一段说明文字" in response.content.decode()


def test_feedback_form_appears_once_the_case_is_closed(client, applicant, staff):
    application = services.application_submit(application=complete_draft(applicant), by=applicant)
    services.application_accept(application=application, by=staff)
    client.force_login(applicant)
    url = reverse("applications:detail", args=[application.pk])
    assert "满意度评价" not in client.get(url).content.decode()
    close_case(application)
    assert "提交评价" in client.get(url).content.decode()
    response = client.post(
        reverse("applications:feedback_create", args=[application.pk]),
        {"satisfaction": 5, "timeliness": 5, "usefulness": 4, "outcome": "对方撤回 337 申诉", "comment": "专业"},
    )
    assert response.status_code == 302
    assert Feedback.objects.get().usefulness == 4
    assert 'data-testid="feedback-given"' in client.get(url).content.decode()


def test_evidence_downloads_for_own_organisation(client, applicant, draft):
    attachment = AttachmentFactory(application=draft, uploaded_by=applicant)
    client.force_login(applicant)
    response = client.get(reverse("applications:attachment_download", args=[draft.pk, attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize("intruder", ["other_applicant", "agency_user", "expert_user"])
def test_other_users_get_404_everywhere(client, request, applicant, intruder):
    application = services.application_submit(application=complete_draft(applicant), by=applicant)
    services.message_post(application=application, by=applicant, body="x", files=[upload("a.pdf")])
    attachment = application.attachments.get()
    message_file = Message.objects.get().files.get()
    client.force_login(request.getfixturevalue(intruder))
    pk = application.pk
    for url in [
        reverse("applications:detail", args=[pk]),
        reverse("applications:edit", args=[pk]),
        reverse("applications:evidence", args=[pk]),
        reverse("applications:review", args=[pk]),
        reverse("applications:attachment_download", args=[pk, attachment.pk]),
        reverse("applications:message_file_download", args=[pk, message_file.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("applications:message_create", args=[pk]), {"body": "x"}).status_code == 404


def test_an_attachment_id_under_another_application_is_404(client, applicant, other_applicant):
    mine = ApplicationFactory(applicant=applicant_of(applicant))
    theirs = AttachmentFactory(application=ApplicationFactory(applicant=applicant_of(other_applicant)))
    client.force_login(applicant)
    assert client.get(reverse("applications:attachment_download", args=[mine.pk, theirs.pk])).status_code == 404


def test_colleagues_of_the_same_organisation_share_applications(client, applicant):
    from portal.roles import Role
    from tests.factories import UserFactory

    colleague = UserFactory(applicant=applicant_of(applicant), roles=[Role.APPLICANT])
    application = complete_draft(applicant)
    client.force_login(colleague)
    assert client.get(reverse("applications:edit", args=[application.pk])).status_code == 200


def test_join_request_and_approval_through_the_pages(client, applicant):
    from tests.factories import UserFactory

    newcomer = UserFactory()
    client.force_login(newcomer)
    page = client.get(reverse("applications:mine"))
    assert "申请加入" in page.content.decode()
    response = client.post(reverse("applications:join"), {"credit_code": applicant_of(applicant).credit_code})
    assert response.status_code == 302
    assert 'data-testid="join-pending"' in client.get(reverse("applications:mine")).content.decode()
    application = ApplicationFactory(applicant=applicant_of(applicant))
    assert client.get(reverse("applications:detail", args=[application.pk])).status_code == 404
    client.force_login(applicant)
    content = client.get(reverse("applications:mine")).content.decode()
    assert newcomer.email in content
    join_request = newcomer.membership_requests.get()
    client.post(reverse("applications:membership_decide", args=[join_request.pk, "approve"]))
    client.force_login(newcomer)
    assert client.get(reverse("applications:edit", args=[application.pk])).status_code == 200


def test_join_with_an_unknown_code_says_so(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.post(reverse("applications:join"), {"credit_code": "91350100M000100Y43"})
    assert response.status_code == 400
    assert "平台上没有这家单位" in response.content.decode()


def test_staff_see_the_detail_page_with_a_link_to_the_workbench(client, applicant, staff):
    application = services.application_submit(application=complete_draft(applicant), by=applicant)
    client.force_login(staff)
    content = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert reverse("admin:applications_application_change", args=[application.pk]) in content


def test_review_of_a_returned_application_shows_what_changed_since_the_last_submission(client, applicant, staff):
    application = services.application_submit(application=complete_draft(applicant), by=applicant)
    services.application_return(application=application, by=staff, reason="请说明损失测算依据")
    client.force_login(applicant)
    url = reverse("applications:review", args=[application.pk])
    assert "尚未作任何修改" in client.get(url).content.decode()
    services.application_save_draft(application=application, data={"impact": "按 2025 年报测算"}, by=applicant)
    content = client.get(url).content.decode()
    assert 'data-testid="changes"' in content and "<ins>按 2025 年报测算</ins>" in content
    assert "请说明损失测算依据" in content


def test_the_form_marks_what_submission_will_require(client, applicant, draft):
    client.force_login(applicant)
    content = client.get(reverse("applications:edit", args=[draft.pk])).content.decode()
    assert content.count("needed-to-submit") == 15
    assert 'data-other-of="dispute_types"' in content


def test_withdrawing_a_draft_from_the_review_page(client, applicant, draft):
    client.force_login(applicant)
    assert "撤回这份申请" in client.get(reverse("applications:review", args=[draft.pk])).content.decode()
    response = client.post(reverse("applications:withdraw", args=[draft.pk]), {"reason": "重复填写"})
    assert response.url == reverse("applications:mine")
    draft.refresh_from_db()
    assert draft.status == S.WITHDRAWN


def test_detail_page_query_count_is_flat(client, applicant, staff, django_assert_max_num_queries):
    application = services.application_submit(application=complete_draft(applicant), by=applicant)
    for n in range(8):
        services.message_post(application=application, by=applicant if n % 2 else staff, body=f"第 {n} 条")
    client.force_login(applicant)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("applications:detail", args=[application.pk]))
    assert response.content.decode().count("第 ") >= 8


@pytest.mark.parametrize("role_user", ["agency_user", "expert_user"])
def test_mine_is_404_for_agency_and_expert_users(client, request, role_user):
    client.force_login(request.getfixturevalue(role_user))
    assert client.get(reverse("applications:mine")).status_code == 404
    assert client.post(reverse("applications:new")).status_code == 404
