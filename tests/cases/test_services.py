"""Case workflow services: every transition and every refusal."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from cases import services
from cases.models import AssistanceLetter, Case, ExtensionRequest, UpwardReport
from documents.models import Document
from experts.models import ExpertNomination
from portal.access import Forbidden
from portal.audit import LogEntry, entries_for
from portal.models import Notification
from portal.transitions import StaleObject, TransitionNotAllowed
from tests.cases.factories import draft_letter, in_progress_case, make_case, refresh, signed_letter
from tests.factories import with_status

S = Case.Status


@pytest.fixture
def case(staff):
    return make_case(staff)


def test_case_open_copies_the_application_and_sets_working_day_deadlines(staff):
    case = make_case(staff, countries=["US", "DE"], request="关于 337 调查的应对")
    assert case.status == S.ACCEPTED
    assert case.number.startswith("AJ-")
    assert case.countries == ["US", "DE"]
    assert case.first_contact_due is not None and case.opinion_due > case.first_contact_due
    assert case.due_date == case.first_contact_due
    assert "337 调查" in case.search_text
    entry = entries_for(case).get()
    assert (entry.action_type, entry.to_status) == ("cases.case.opened", S.ACCEPTED)


def test_case_open_copies_the_deadline_abroad_that_the_case_list_shows_and_filters_by(staff):
    due = datetime.date(2027, 3, 1)
    case = make_case(
        staff,
        foreign_deadline=due,
        foreign_deadline_what="337 调查答辩",
        foreign_deadline_where="美国国际贸易委员会",
        urgent=True,
    )
    copied = (case.foreign_deadline, case.foreign_deadline_what, case.foreign_deadline_where, case.urgent)
    assert copied == (due, "337 调查答辩", "美国国际贸易委员会", True)


def test_the_migration_fills_the_copies_of_the_cases_there_are(staff):
    import importlib

    from django.db import connection

    due = datetime.date(2027, 3, 1)
    case = make_case(staff, foreign_deadline=due, foreign_deadline_what="商标异议", urgent=True)
    Case.objects.filter(pk=case.pk).update(foreign_deadline=None, foreign_deadline_what="", urgent=False)
    importlib.import_module("cases.migrations.0014_foreign_deadline_copies").backfill(connection)
    case.refresh_from_db()
    assert (case.foreign_deadline, case.foreign_deadline_what, case.urgent) == (due, "商标异议", True)


ALLOWED = [(src, dst) for src, targets in services.CASE_TRANSITIONS.items() for dst in sorted(targets)]
REFUSED = [(src, dst) for src in S.values for dst in S.values if dst not in services.CASE_TRANSITIONS[src]]


def _put_in(case, status):
    return with_status(case, status)


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_every_allowed_transition_changes_status_and_writes_an_event(staff, case, source, target):
    case = services.case_assign(case=case, handler=staff, by=staff)
    case = _put_in(case, source)
    result = services.case_transition(case=case, to_status=target, by=staff, note="内部说明 x")
    assert result.status == target
    event = entries_for(case).last()
    assert (event.from_status, event.to_status, event.actor) == (source, target, staff)
    assert event.note == "内部说明 x"
    assert event.public_note  # applicant-friendly words, never the internal note
    assert "内部说明" not in event.public_note


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_every_other_transition_is_refused_without_change(staff, case, source, target):
    case = _put_in(case, source)
    events = LogEntry.objects.count()
    with pytest.raises(TransitionNotAllowed) as refused:
        services.case_transition(case=case, to_status=target, by=staff, note="理由")
    # The message names the state the case is in now.
    assert str(S(source).label) in " ".join(refused.value.messages)
    assert refresh(case).status == source
    assert LogEntry.objects.count() == events


def test_in_progress_needs_a_handler(staff, case):
    with pytest.raises(TransitionNotAllowed, match="承办人"):
        services.case_transition(case=case, to_status=S.IN_PROGRESS, by=staff)
    assert refresh(case).status == S.ACCEPTED


def test_second_staff_acting_from_an_old_page_is_refused(staff, director, case):
    seen = case.revision
    services.case_assign(case=case, handler=staff, by=staff, seen_revision=seen)
    with pytest.raises(StaleObject, match="已被他人修改"):
        services.case_transition(case=case, to_status=S.TERMINATED, by=director, note="重复", seen_revision=seen)
    assert refresh(case).status == S.IN_PROGRESS


def test_assign_moves_an_accepted_case_to_in_progress_and_tells_the_handler(staff, director, case):
    case = services.case_assign(case=case, handler=staff, by=director)
    assert case.status == S.IN_PROGRESS
    assert case.handler == staff
    assert Notification.objects.filter(recipient=staff, subject__contains=case.number).exists()


def test_assign_refuses_a_non_center_handler(staff, agency_user, case):
    with pytest.raises(ValidationError):
        services.case_assign(case=case, handler=agency_user, by=staff)


def test_first_contact_moves_the_deadline_to_the_opinion(staff, case):
    case = services.case_assign(case=case, handler=staff, by=staff)
    assert case.due_date == case.first_contact_due
    case = services.case_record_contact(case=case, by=staff)
    assert case.due_date == case.opinion_due
    with pytest.raises(TransitionNotAllowed):
        services.case_record_contact(case=case, by=staff)


def test_terminate_needs_a_reason_and_issues_the_notice_to_the_applicant(
    staff, case, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError, match="终止理由"):
        services.case_transition(case=case, to_status=S.TERMINATED, by=staff, note=" ")
    with django_capture_on_commit_callbacks(execute=True):
        services.case_terminate(case=case, reason="申请人已与对方和解", by=staff)
    case = refresh(case)
    assert case.status == S.TERMINATED and case.closed_at and case.due_date is None
    notice = Document.objects.get(kind=Document.Kind.TERMINATION_NOTICE)
    assert notice.released_to_applicant and notice.applicant_id == case.application.applicant_id
    assert notice.status == Document.Status.READY
    assert notice.context["reason"] == "申请人已与对方和解"


def test_regrade_with_reason_flags_the_case(staff, director, case):
    with pytest.raises(ValidationError):
        services.case_regrade(case=case, level="major", reason="", by=staff)
    case = services.case_regrade(case=case, level="major", reason="涉及全省装备制造业", by=staff)
    assert case.is_major
    assert "涉及全省装备制造业" in entries_for(case).last().note
    assert Notification.objects.filter(recipient=director).exists()


def test_notes_are_internal(staff, case):
    services.case_add_note(case=case, text="申请人电话未接通", by=staff)
    assert case.notes.get().author == staff
    assert all("未接通" not in item["text"] for item in services.case_public_timeline(case))


# ------------------------------------------------------------------ letters


def test_letter_needs_agencies_subject_and_body(staff, case):
    with pytest.raises(ValidationError) as info:
        services.letter_draft(case=case, subject="", body="", agencies=[], by=staff)
    assert set(info.value.message_dict) == {"subject", "body", "agencies"}


def test_staff_cannot_sign_a_letter(staff, case, agency):
    letter = draft_letter(case, staff, [agency])
    services.letter_submit(letter=letter, by=staff)
    with pytest.raises(Forbidden, match="主任或副主任"):
        services.letter_sign(letter=letter, by=staff)
    letter = refresh(letter)
    assert letter.status == AssistanceLetter.Status.AWAITING_SIGNATURE and not letter.number


def test_a_draft_cannot_be_signed_before_submission(staff, deputy, case, agency):
    letter = draft_letter(case, staff, [agency])
    with pytest.raises(TransitionNotAllowed):
        services.letter_sign(letter=letter, by=deputy)


def test_deputy_signs_freezes_numbers_queues_pdf_and_notifies_agencies(
    staff, deputy, agency, other_agency, agency_user, other_agency_user, django_capture_on_commit_callbacks
):
    case = in_progress_case(staff)
    letter = draft_letter(case, staff, [agency, other_agency])
    services.letter_submit(letter=letter, by=staff)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        letter = services.letter_sign(letter=letter, by=deputy)
    assert letter.status == AssistanceLetter.Status.SIGNED
    assert letter.number.endswith("号") and "〔" in letter.number
    assert letter.signed_by == deputy and letter.due_date
    assert set(letter.recipients.values_list("due_date", flat=True)) == {letter.due_date}
    document = Document.objects.get(kind=Document.Kind.ASSISTANCE_LETTER)
    assert document.number == letter.number and document.signed_by == deputy
    assert document.status == Document.Status.READY, document.last_error
    assert set(document.agencies.all()) == {agency, other_agency}
    assert document.context["addressees"].count("、") == 1
    assert refresh(case).status == S.AWAITING_INPUT
    assert {m.to[0] for m in mail.outbox} >= {agency_user.email, other_agency_user.email}
    with pytest.raises(TransitionNotAllowed):
        services.letter_update(letter=letter, subject="改", body="改", agencies=[agency], by=staff)


def test_letter_hides_applicant_contact_unless_shared(staff, director, agency):
    case = in_progress_case(staff)
    hidden = signed_letter(case, staff, director, [agency])
    shared = signed_letter(case, staff, director, [agency], share_contact=True)
    docs = {d.subject_id: d.context for d in Document.objects.filter(kind=Document.Kind.ASSISTANCE_LETTER)}
    assert docs[hidden.pk]["contact"] == {}
    assert docs[shared.pk]["contact"]["phone"] == "13912345678"


def test_acknowledge_and_answer_settle_the_letter_when_all_have_answered(
    staff, director, agency, other_agency, agency_user, other_agency_user
):
    case = in_progress_case(staff)
    letter = signed_letter(case, staff, director, [agency, other_agency])
    mine = letter.recipients.get(agency=agency)
    theirs = letter.recipients.get(agency=other_agency)
    with pytest.raises(Forbidden, match="主送单位"):
        services.recipient_acknowledge(recipient=mine, by=other_agency_user)
    services.recipient_acknowledge(recipient=mine, by=agency_user)
    mine = refresh(mine)
    assert mine.acknowledged_by == agency_user and mine.acknowledged_at
    services.recipient_answer(
        recipient=mine,
        by=agency_user,
        answer="推荐两位专家。",
        nominations=[{"name": "周律师", "organisation": "某律师事务所"}, {"name": ""}],
    )
    assert refresh(letter).status == AssistanceLetter.Status.SIGNED
    nomination = ExpertNomination.objects.get()
    assert (nomination.case, nomination.letter_recipient, nomination.agency) == (case, mine, agency)
    with pytest.raises(TransitionNotAllowed):
        services.recipient_answer(recipient=mine, by=agency_user, answer="再答一次")
    services.recipient_answer(recipient=theirs, by=other_agency_user, answer="已核查海关备案。")
    letter = refresh(letter)
    assert letter.status == AssistanceLetter.Status.SETTLED and letter.settled_at
    assert Notification.objects.filter(recipient=staff, subject__contains="已回函").count() == 2


def test_answer_needs_text_and_an_unsigned_letter_cannot_be_answered(staff, agency, agency_user):
    case = in_progress_case(staff)
    letter = draft_letter(case, staff, [agency])
    recipient = letter.recipients.get()
    with pytest.raises(TransitionNotAllowed):
        services.recipient_answer(recipient=recipient, by=agency_user, answer="提前作答")
    with pytest.raises(ValidationError):
        services.recipient_answer(recipient=recipient, by=agency_user, answer="  ")


def test_extension_request_and_grant_move_the_deadline(staff, director, agency, agency_user):
    case = in_progress_case(staff)
    letter = signed_letter(case, staff, director, [agency])
    recipient = letter.recipients.get()
    with pytest.raises(ValidationError):
        services.extension_request(recipient=recipient, by=agency_user, requested_until=recipient.due_date, reason="x")
    later = recipient.due_date + datetime.timedelta(days=10)
    extension = services.extension_request(
        recipient=recipient, by=agency_user, requested_until=later, reason="需境外核实"
    )
    with pytest.raises(TransitionNotAllowed):
        services.extension_request(recipient=recipient, by=agency_user, requested_until=later, reason="again")
    services.extension_decide(extension=extension, grant=True, by=staff)
    assert refresh(recipient).due_date == later
    assert refresh(extension).status == ExtensionRequest.Status.GRANTED
    with pytest.raises(TransitionNotAllowed):
        services.extension_decide(extension=extension, grant=False, by=staff)


def test_letter_return_and_withdraw(staff, deputy, case, agency):
    letter = draft_letter(case, staff, [agency])
    services.letter_submit(letter=letter, by=staff)
    with pytest.raises(Forbidden, match="主任或副主任"):
        services.letter_return(letter=letter, by=staff)
    services.letter_return(letter=letter, by=deputy, reason="请补充期限")
    assert refresh(letter).status == AssistanceLetter.Status.DRAFT
    services.letter_withdraw(letter=letter, by=staff)
    assert refresh(letter).status == AssistanceLetter.Status.WITHDRAWN


# ------------------------------------------------------------------ upward reports


def test_upward_report_only_for_major_cases_then_signed_and_answered(staff, director, agency):
    case = in_progress_case(staff)
    with pytest.raises(TransitionNotAllowed):
        services.report_draft(case=case, recipient="national", by=staff)
    services.case_regrade(case=case, level="major", reason="涉案金额巨大", by=staff)
    signed_letter(case, staff, director, [agency])
    report = services.report_draft(case=case, recipient="national", by=staff)
    assert case.applicant_name in report.summary and "涉案金额巨大" in report.summary
    assert agency.short_name in report.summary
    report = services.report_submit(report=report, by=staff)
    assert report.status == UpwardReport.Status.AWAITING_SIGNATURE
    report = services.report_sign(report=report, by=director)
    assert report.status == UpwardReport.Status.SENT and report.number
    assert report.signed_by == director
    assert Document.objects.filter(kind=Document.Kind.UPWARD_REPORT, number=report.number).exists()
    with pytest.raises(ValidationError):
        services.report_record_answer(report=report, answer="", by=staff)
    report = services.report_record_answer(report=report, answer="已阅，请持续跟踪。", by=staff)
    assert report.status == UpwardReport.Status.ANSWERED
    with pytest.raises(TransitionNotAllowed):
        services.report_sign(report=report, by=director)


def test_public_timeline_has_no_internal_notes(staff, case):
    services.case_assign(case=case, handler=staff, by=staff)
    services.case_transition(case=case, to_status=S.AWAITING_INPUT, by=staff, note="等商务厅，内部")
    texts = [item["text"] for item in services.case_public_timeline(case)]
    assert texts[0] == "工作人员正在办理您的案件。"
    assert all("内部" not in text for text in texts)
