"""The staff's workplace in the admin: list, filters, search, case page, buttons, dashboard."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from cases import services
from cases.models import AssistanceLetter, Case
from tests.cases.factories import draft_letter, in_progress_case, make_case, refresh, signed_letter
from tests.factories import ApplicantFactory, UserFactory

LIST = "/admin/cases/case/"


def bulk_cases(n, staff):
    """n cases in two queries' worth of rows (no services: list fixtures only)."""
    applicant = ApplicantFactory()
    user = UserFactory(applicant=applicant)
    start = Application.objects.count()
    applications = Application.objects.bulk_create(
        [
            Application(
                applicant=applicant,
                created_by=user,
                status="accepted",
                number=f"SQ-B-{start + i:06d}",
                applicant_name=f"批量测试企业{i}",
                credit_code=applicant.credit_code,
            )
            for i in range(n)
        ]
    )
    now = timezone.now()
    today = timezone.localdate()
    Case.objects.bulk_create(
        [
            Case(
                application=application,
                number=f"AJ-B-{start + i:06d}",
                status=["accepted", "in_progress", "awaiting_input"][i % 3],
                level=["ordinary", "major"][i % 2],
                handler=staff if i % 2 else None,
                opened_at=now - datetime.timedelta(days=i % 40),
                due_date=today + datetime.timedelta(days=(i % 11) - 5),
                applicant_name=application.applicant_name,
                countries=["US"] if i % 2 else ["DE", "JP"],
                dispute_types=["infringement"],
                right_types=["invention"],
                technical_field="mechanical",
                search_text=f"AJ-B-{start + i:06d}\n{application.applicant_name}",
            )
            for i, application in enumerate(applications)
        ]
    )


@pytest.mark.parametrize("n", [10, 500])
def test_case_list_query_count_is_constant_whatever_the_page_size(
    client, staff, agency, n, django_assert_max_num_queries
):
    bulk_cases(n, staff)
    client.force_login(staff)
    # 20 on a first visit (it fills the minute's caches: filter choices, deadline windows, the
    # navigation; tests/cases/test_admin_list_queries.py pins the steady state), the same whatever
    # the page size (one of them the second-factor device).
    with django_assert_max_num_queries(20):
        response = client.get(LIST, {"all": ""} if n > 10 else {})
    assert response.status_code == 200
    assert response.content.decode().count('class="field-number"') == n


def test_list_shows_badges_and_filters_work(client, staff, agency):
    bulk_cases(12, staff)
    client.force_login(staff)
    page = client.get(LIST).content.decode()
    assert "重大/疑难" in page and "已逾期" in page and "即将到期" in page
    for params, expected in [
        ({"status__exact": "accepted"}, 4),
        ({"level__exact": "major"}, 6),
        ({"handler": "none"}, 6),
        ({"handler": str(staff.pk)}, 6),
        ({"country": "JP"}, 6),
        ({"dispute_type": "infringement"}, 12),
        ({"right_type": "design"}, 0),
        ({"technical_field__exact": "mechanical"}, 12),
        ({"deadline": "overdue"}, Case.objects.filter(due_date__lt=timezone.localdate()).count()),
    ]:
        response = client.get(LIST, params)
        assert response.status_code == 200, params
        assert response.content.decode().count('class="field-number"') == expected, params


def test_agency_filter_finds_cases_with_letters_to_that_agency(client, staff, director, agency, other_agency):
    routed = in_progress_case(staff)
    signed_letter(routed, staff, director, [agency])
    make_case(staff)
    client.force_login(staff)
    page = client.get(LIST, {"agency": str(agency.pk)}).content.decode()
    assert routed.number in page and page.count('class="field-number"') == 1


def test_chinese_search_over_applicant_credit_code_number_and_request(client, staff):
    target = make_case(staff, request="美国 337 调查涉及数控机床专利")
    other = make_case(staff, request="德国展会商标投诉")
    client.force_login(staff)
    for term in ["数控机床", target.applicant_name, target.credit_code, target.number, target.application.number]:
        page = client.get(LIST, {"q": term}).content.decode()
        assert target.number in page, term
        assert other.number not in page, term


def test_bulk_assign_sets_the_handler_and_moves_to_in_progress(client, staff, director):
    cases = [make_case(staff), make_case(staff)]
    client.force_login(director)
    ids = [str(c.pk) for c in cases]
    page = client.post(LIST, {"action": "assign_handler", "_selected_action": ids})
    assert "指定承办人" in page.content.decode()
    client.post(LIST, {"action": "assign_handler", "_selected_action": ids, "apply": "1", "handler": staff.pk})
    assert {(c.handler, c.status) for c in Case.objects.all()} == {(staff, "in_progress")}


def test_case_page_shows_application_timeline_letters_notes_documents_and_allowed_buttons(
    client, staff, director, agency, agency_user
):
    case = in_progress_case(staff)
    letter = signed_letter(case, staff, director, [agency])
    services.recipient_answer(recipient=letter.recipients.get(), by=agency_user, answer="已推荐专家两名")
    services.case_add_note(case=case, text="已电话联系申请人法务", by=staff)
    client.force_login(staff)
    page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert case.application.request in page
    assert "已推荐专家两名" in page and "已电话联系申请人法务" in page
    assert letter.number in page
    assert f"/admin/cases/guidanceopinion/add/?case={case.pk}" in page
    assert "起草指导意见" in page
    assert reverse("experts:case_panel", args=[case.pk]) in page
    assert reverse("cases:case_file", args=[case.pk]) in page
    case = refresh(case)  # awaiting input now
    allowed = services.CASE_TRANSITIONS[case.status] - {"terminated"}
    for status in Case.Status:
        shown = f'value="{status.value}"' in page
        assert shown == (status in allowed), status
    assert "终止案件" in page


def test_transition_button_and_stale_page_message(client, staff, director):
    case = in_progress_case(staff)
    url = reverse("admin:cases_case_transition", args=[case.pk])
    client.force_login(staff)
    seen = case.revision
    response = client.post(url, {"to_status": "awaiting_input", "seen_revision": seen}, follow=True)
    assert "等待协助单位或专家意见" in response.content.decode()
    assert refresh(case).status == "awaiting_input"
    client.force_login(director)
    response = client.post(url, {"to_status": "opinion_drafted", "seen_revision": seen}, follow=True)
    assert "已被他人修改" in response.content.decode()
    assert refresh(case).status == "awaiting_input"


def test_refused_transition_shows_a_message_and_changes_nothing(client, staff):
    case = make_case(staff)
    client.force_login(staff)
    response = client.post(
        reverse("admin:cases_case_transition", args=[case.pk]),
        {"to_status": "closed", "seen_revision": case.revision},
        follow=True,
    )
    assert "不能变更为" in response.content.decode()
    assert refresh(case).status == "accepted"


def test_terminate_form_keeps_input_and_requires_a_reason(client, staff):
    case = make_case(staff)
    client.force_login(staff)
    url = reverse("admin:cases_case_terminate", args=[case.pk])
    response = client.post(url, {"reason": "", "public_note": "告知文字保留", "seen_revision": case.revision})
    body = response.content.decode()
    assert "请改正" in body and "告知文字保留" in body
    client.post(url, {"reason": "申请人撤回申请", "seen_revision": case.revision})
    assert refresh(case).status == "terminated"


def test_letter_draft_form_and_signing_refused_for_staff(client, staff, deputy, agency, other_agency):
    case = in_progress_case(staff)
    client.force_login(staff)
    url = reverse("admin:cases_case_letter", args=[case.pk])
    response = client.post(url, {"subject": "查询境外信息", "body": ""})
    assert "请改正" in response.content.decode() and "查询境外信息" in response.content.decode()
    response = client.post(
        url,
        {
            "subject": "查询境外信息",
            "body": "请查询对方诉讼记录",
            "agencies": [agency.pk, other_agency.pk],
            "help_kinds": ["overseas_info"],
        },
    )
    letter = AssistanceLetter.objects.get()
    assert response.status_code == 302
    act = reverse("admin:cases_assistanceletter_act", args=[letter.pk])
    client.post(act, {"action": "submit", "seen_revision": letter.revision})
    page = client.get(reverse("admin:cases_assistanceletter_change", args=[letter.pk])).content.decode()
    assert "等待中心主任或副主任签发" in page
    response = client.post(act, {"action": "sign", "seen_revision": refresh(letter).revision}, follow=True)
    assert "只有中心主任或副主任" in response.content.decode()
    assert refresh(letter).status == "awaiting_signature"
    client.force_login(deputy)
    client.post(act, {"action": "sign", "seen_revision": refresh(letter).revision})
    assert refresh(letter).status == "signed"


def test_draft_letter_can_be_edited_but_not_after_submission(client, staff, agency, other_agency):
    case = in_progress_case(staff)
    letter = draft_letter(case, staff, [agency])
    client.force_login(staff)
    url = reverse("admin:cases_assistanceletter_edit", args=[letter.pk])
    data = {"subject": "新事由", "body": "新正文", "agencies": [other_agency.pk], "help_kinds": ["customs"]}
    client.post(url, {**data, "seen_revision": letter.revision})
    letter = refresh(letter)
    assert letter.subject == "新事由" and list(letter.recipients.values_list("agency", flat=True)) == [other_agency.pk]
    services.letter_submit(letter=letter, by=staff)
    response = client.post(url, {**data, "subject": "再改", "seen_revision": refresh(letter).revision})
    assert "只有草稿状态的函件可以修改" in response.content.decode()
    assert refresh(letter).subject == "新事由"


def test_extension_decision_from_the_letter_page(client, staff, director, agency, agency_user):
    case = in_progress_case(staff)
    letter = signed_letter(case, staff, director, [agency])
    recipient = letter.recipients.get()
    later = recipient.due_date + datetime.timedelta(days=7)
    extension = services.extension_request(recipient=recipient, by=agency_user, requested_until=later, reason="需核实")
    client.force_login(staff)
    page = client.get(reverse("admin:cases_assistanceletter_change", args=[letter.pk])).content.decode()
    assert "需核实" in page
    client.post(reverse("admin:cases_assistanceletter_extension", args=[extension.pk]), {"decision": "grant"})
    assert refresh(recipient).due_date == later


def test_upward_report_from_the_case_page(client, staff, director):
    case = in_progress_case(staff, level="major")
    client.force_login(staff)
    page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert "起草情况报告" in page
    response = client.post(reverse("admin:cases_case_report", args=[case.pk]), {"recipient": "provincial"})
    report = case.upward_reports.get()
    assert response.url == reverse("admin:cases_upwardreport_change", args=[report.pk])
    assert client.get(response.url).status_code == 200
    act = reverse("admin:cases_upwardreport_act", args=[report.pk])
    client.post(act, {"action": "submit", "seen_revision": report.revision})
    assert refresh(report).status == "awaiting_signature"
    # Staff prepare the report; they cannot sign it, and the page offers them no button to.
    page = client.get(response.url).content.decode()
    assert "等待中心主任或副主任签发" in page and 'value="sign"' not in page
    client.post(act, {"action": "sign", "seen_revision": refresh(report).revision})
    assert refresh(report).status == "awaiting_signature" and not refresh(report).number
    client.force_login(director)
    assert 'value="sign"' in client.get(response.url).content.decode()
    client.post(act, {"action": "sign", "seen_revision": refresh(report).revision})
    report = refresh(report)
    assert report.status == "sent" and report.signed_by == director and report.number


def test_dashboard_on_the_admin_index(client, staff, director, agency):
    mine = in_progress_case(staff)
    Case.objects.filter(pk=mine.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=3))
    waiting = draft_letter(mine, staff, [agency], subject="待签发的函")
    services.letter_submit(letter=waiting, by=staff)
    client.force_login(staff)
    page = client.get("/admin/").content.decode()
    for heading in ["我的案件", "逾期案件", "待签发函件", "新申请", "待回函的协助办理函"]:
        assert heading in page
    assert mine.number in page and "待签发的函" in page


def test_the_deadline_abroad_the_applicant_gave_shows_on_the_staff_case_list(client, staff):
    # The applicant's answer reaches the staff's list through the case's own copy of it.
    due = timezone.localdate() + datetime.timedelta(days=3)
    case = make_case(staff, foreign_deadline=due, foreign_deadline_what="337 调查答辩", urgent=True)
    make_case(staff)  # no deadline abroad
    client.force_login(staff)
    page = client.get(reverse("admin:cases_case_changelist"), {"foreign_deadline": "urgent"}).content.decode()
    assert case.number in page and page.count('class="action-select"') == 1
    assert f'<span title="337 调查答辩">{due.isoformat()}</span>' in page and "紧急" in page
