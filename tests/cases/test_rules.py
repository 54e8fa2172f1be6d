"""The rules every case service keeps: statuses change only along the declared maps, every step
is on the audit log, a refused step names the state the object is in now, a forbidden actor
gets one clear refusal, and each role reads only its part of the history."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import AssistanceLetter, Case, ExtensionRequest, UpwardReport
from cases.selectors import agency_letter_history, overdue_cases
from portal.access import Forbidden
from portal.audit import entries_for
from portal.transitions import DirectStatusWrite, TransitionNotAllowed
from reporting.periods import Period
from reporting.selectors import figures
from tests.cases.factories import draft_letter, in_progress_case, make_case, refresh, signed_letter
from tests.factories import TINY_PDF, with_status

S = Case.Status
L = AssistanceLetter.Status


def test_a_direct_status_write_fails_for_every_model_of_the_app(staff, director, agency, agency_user):
    case = in_progress_case(staff)
    letter = signed_letter(case, staff, director, [agency])
    extension = services.extension_request(
        recipient=letter.recipients.get(),
        by=agency_user,
        requested_until=timezone.localdate() + datetime.timedelta(days=60),
        reason="需向海外分支机构核实",
    )
    report = services.report_draft(
        case=services.case_regrade(case=case, level="major", reason="涉及全省龙头企业", by=staff),
        recipient=UpwardReport.Recipient.PROVINCIAL,
        by=staff,
    )
    for obj, status in (
        (refresh(case), S.CLOSED),
        (letter, L.SETTLED),
        (extension, ExtensionRequest.Status.GRANTED),
        (report, UpwardReport.Status.SENT),
    ):
        before = type(obj).objects.get(pk=obj.pk).status
        with pytest.raises(DirectStatusWrite):
            obj.status = status
        assert type(obj).objects.get(pk=obj.pk).status == before


def test_every_status_of_the_app_has_a_declared_map():
    for model in (Case, AssistanceLetter, ExtensionRequest, UpwardReport):
        field = model._meta.get_field("status")
        assert set(field.transitions) == set(model.Status.values), model


def test_assigning_an_accepted_case_is_the_declared_step_to_in_progress_on_the_log(staff, director):
    case = make_case(staff)
    case = services.case_assign(case=case, handler=staff, by=director)
    entry = entries_for(case).last()
    assert (entry.action_type, entry.from_status, entry.to_status, entry.actor) == (
        "cases.case.assigned",
        S.ACCEPTED,
        S.IN_PROGRESS,
        director,
    )
    assert entry.public_note == "工作人员正在办理您的案件。"
    # A later change of handler is on the log too, without a change of status.
    services.case_assign(case=case, handler=director, by=director)
    entry = entries_for(case).last()
    assert (entry.action_type, entry.from_status, entry.to_status) == ("cases.case.assigned", "", "")
    assert "改为" in entry.note


def test_every_step_of_a_letter_is_a_transition_on_the_log(staff, director, deputy, agency, agency_user):
    case = in_progress_case(staff)
    letter = draft_letter(case, staff, [agency])
    services.letter_submit(letter=letter, by=staff)
    services.letter_return(letter=letter, by=deputy, reason="请写明期限")
    services.letter_submit(letter=letter, by=staff)
    services.letter_sign(letter=letter, by=director)
    services.recipient_answer(recipient=letter.recipients.get(), by=agency_user, answer="已查询")
    steps = [
        (e.action_type, e.from_status, e.to_status, e.actor) for e in entries_for(letter).order_by("created", "pk")
    ]
    assert steps == [
        ("cases.letter.drafted", "", L.DRAFT, staff),
        ("cases.letter.submitted", L.DRAFT, L.AWAITING_SIGNATURE, staff),
        ("cases.letter.returned", L.AWAITING_SIGNATURE, L.DRAFT, deputy),
        ("cases.letter.submitted", L.DRAFT, L.AWAITING_SIGNATURE, staff),
        ("cases.letter.signed", L.AWAITING_SIGNATURE, L.SIGNED, director),
        ("cases.letter.settled", L.SIGNED, L.SETTLED, agency_user),
    ]
    # The letter's steps are part of the case's history.
    case_history = {e.action_type for e in entries_for(case, with_scope=True)}
    assert {"cases.letter.signed", "cases.recipient.answered", "cases.case.awaiting_input"} <= case_history


def test_a_step_from_the_wrong_state_names_the_state_the_object_is_in_now(staff, director, agency):
    case = in_progress_case(staff)
    letter = draft_letter(case, staff, [agency])
    services.letter_withdraw(letter=letter, by=staff)
    with pytest.raises(TransitionNotAllowed, match="当前状态为“已撤回”"):
        services.letter_submit(letter=letter, by=staff)
    closed = with_status(make_case(staff), S.CLOSED)
    with pytest.raises(TransitionNotAllowed, match="当前状态为“已结案”"):
        services.case_transition(case=closed, to_status=S.IN_PROGRESS, by=staff)
    with pytest.raises(TransitionNotAllowed, match="已结案"):
        services.case_assign(case=closed, handler=staff, by=staff)


def test_a_forbidden_actor_is_refused_with_forbidden_and_nothing_changes(
    staff, director, agency, agency_user, other_agency_user, applicant
):
    case = in_progress_case(staff)
    for call in (
        lambda: services.case_transition(case=case, to_status=S.OPINION_DRAFTED, by=agency_user),
        lambda: services.case_assign(case=case, handler=staff, by=applicant),
        lambda: services.case_add_note(case=case, text="x", by=agency_user),
        lambda: services.letter_draft(case=case, subject="s", body="b", agencies=[agency], by=applicant),
    ):
        with pytest.raises(Forbidden, match="指导中心工作人员"):
            call()
    letter = draft_letter(case, staff, [agency])
    services.letter_submit(letter=letter, by=staff)
    with pytest.raises(Forbidden, match="主任或副主任"):
        services.letter_sign(letter=letter, by=staff)
    assert refresh(letter).status == L.AWAITING_SIGNATURE
    services.letter_sign(letter=letter, by=director)
    with pytest.raises(Forbidden, match="主送单位"):
        services.recipient_answer(recipient=letter.recipients.get(), by=other_agency_user, answer="冒名回函")
    assert refresh(letter.recipients.get()).answered_at is None
    assert refresh(case).status == S.AWAITING_INPUT


def test_a_forbidden_action_on_a_visible_letter_is_a_403_page_with_the_message(client, staff, agency):
    case = in_progress_case(staff)
    letter = draft_letter(case, staff, [agency])
    services.letter_submit(letter=letter, by=staff)
    client.force_login(staff)
    response = client.post(reverse("admin:cases_assistanceletter_act", args=[letter.pk]), {"action": "return"})
    assert response.status_code == 403
    assert "只有中心主任或副主任可以签发或退回协助办理函。" in response.content.decode()
    assert refresh(letter).status == L.AWAITING_SIGNATURE


def test_a_wrong_id_is_404_for_the_agency_and_staff_views(client, staff, director, agency, other_agency_user):
    case = in_progress_case(staff)
    letter = signed_letter(case, staff, director, [agency])
    client.force_login(other_agency_user)
    assert client.get(reverse("cases:agency_letter", args=[letter.pk])).status_code == 404
    assert client.post(reverse("cases:agency_acknowledge", args=[letter.pk])).status_code == 404
    client.force_login(staff)
    assert client.post(reverse("admin:cases_upwardreport_act", args=[999999]), {"action": "send"}).status_code == 404


def test_each_role_reads_only_its_part_of_the_history(
    client, staff, director, deputy, agency, other_agency, agency_user, other_agency_user, applicant, applicant_org
):
    case = in_progress_case(staff, applicant=applicant_org)
    services.case_add_note(case=case, text="内部：对方律所与专家甲有利益冲突", by=staff)
    letter = draft_letter(case, staff, [agency, other_agency])
    services.letter_submit(letter=letter, by=staff)
    services.letter_return(letter=letter, by=deputy, reason="内部：措辞需再斟酌")
    services.letter_submit(letter=letter, by=staff)
    services.letter_sign(letter=letter, by=director)
    mine, theirs = letter.recipients.get(agency=agency), letter.recipients.get(agency=other_agency)
    services.recipient_acknowledge(recipient=mine, by=agency_user)
    services.recipient_answer(recipient=theirs, by=other_agency_user, answer="海关备案已核查")

    # The agency: the signing and its own acknowledgement, never the center's drafting rounds
    # nor another agency's answer.
    history = agency_letter_history(mine)
    labels = [item["label"] for item in history]
    assert labels == ["签发协助办理函", "协助单位签收"]
    client.force_login(agency_user)
    page = client.get(reverse("cases:agency_letter", args=[letter.pk])).content.decode()
    assert "协助单位签收" in page and "签发协助办理函" in page
    assert "措辞需再斟酌" not in page and "海关备案已核查" not in page and "协助单位回函" not in page

    # The applicant: public notes only.
    public = [item["text"] for item in services.case_public_timeline(case)]
    assert "已商请协助单位或专家提供协助，等待反馈。" in public
    assert not any("内部" in text for text in public)
    client.force_login(applicant)
    page = client.get(reverse("applications:detail", args=[case.application_id])).content.decode()
    assert "利益冲突" not in page and "措辞需再斟酌" not in page

    # Staff: everything, internal notes included, on the case page.
    client.force_login(staff)
    page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert "措辞需再斟酌" in page and "协助单位回函" in page and "添加内部备注" in page


def test_downloading_an_answer_attachment_is_on_the_log(client, staff, director, agency, agency_user):
    case = in_progress_case(staff)
    letter = signed_letter(case, staff, director, [agency])
    services.recipient_answer(
        recipient=letter.recipients.get(),
        by=agency_user,
        answer="附查询结果",
        files=[SimpleUploadedFile("结果.pdf", TINY_PDF, content_type="application/pdf")],
    )
    attachment = letter.recipients.get().attachments.get()
    client.force_login(staff)
    assert client.get(reverse("cases:answer_attachment", args=[attachment.pk])).status_code == 200
    entry = entries_for(attachment).get()
    assert (entry.action_type, entry.actor, entry.data) == ("cases.attachment.downloaded", staff, {"file": "结果.pdf"})
    assert entry in entries_for(case, with_scope=True)


def test_overdue_cases_is_the_one_answer_for_the_dashboard_and_the_agenda(staff):
    today = timezone.localdate()
    past = today - datetime.timedelta(days=3)
    future = today + datetime.timedelta(days=30)

    def case_with(status=S.IN_PROGRESS, **fields):
        case = with_status(make_case(staff), status)
        Case.objects.filter(pk=case.pk).update(**fields)
        return case

    contact_late = case_with(first_contact_due=past, due_date=past, opinion_due=future)
    opinion_late = case_with(first_contacted_at=timezone.now(), due_date=past, opinion_due=past)
    paused = case_with(input_requested_at=timezone.now(), due_date=None, opinion_due=past)
    issued = case_with(S.OPINION_ISSUED, due_date=None, opinion_due=past)
    in_time = case_with(due_date=future, opinion_due=future)

    waiting_for_agency = case_with(S.AWAITING_INPUT, first_contacted_at=timezone.now(), due_date=past, opinion_due=past)

    current = set(overdue_cases(today))
    assert contact_late in current and opinion_late in current and waiting_for_agency in current
    assert not current & {paused, issued, in_time}
    late = {opinion_late, waiting_for_agency}
    assert set(overdue_cases(today, opinion_only=True)) == late


def test_the_list_filter_and_the_statistics_count_late_opinions_as_the_agenda_does(client, director):
    """Waiting for an agency does not stop the opinion's deadline; waiting for the applicant does."""
    today = timezone.localdate()
    past = today - datetime.timedelta(days=3)

    def case_with(status=S.IN_PROGRESS, **fields):
        case = with_status(make_case(director), status)
        Case.objects.filter(pk=case.pk).update(first_contacted_at=timezone.now(), **fields)
        return case

    late = {
        case_with(due_date=past, opinion_due=past),
        case_with(S.AWAITING_INPUT, due_date=past, opinion_due=past),
    }
    case_with(input_requested_at=timezone.now(), due_date=None, opinion_due=past)  # paused: not late
    assert set(overdue_cases(today, opinion_only=True)) == late

    client.force_login(director)
    listed = client.get(reverse("admin:cases_case_changelist"), {"deadline": "overdue_opinion"}).context["cl"]
    assert set(listed.queryset) == late
    quarter = Period.quarter(today.year, (today.month - 1) // 3 + 1)
    assert figures(quarter, today=today)["handling"]["overdue_now"]["opinion"] == len(late)
