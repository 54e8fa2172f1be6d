"""The guidance opinion: drafted, reviewed by the handler, signed by the director or a deputy,
delivered to the applicant; corrected under a new number. Every step is a declared transition
recorded in the case's audit log; a forbidden actor is refused with Forbidden."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from cases.models import Case
from cases.opinions import content
from cases.opinions.models import GuidanceOpinion
from cases.opinions.services import (
    opinion_preview,
    opinion_quote_experts,
    opinion_reopen,
    opinion_review,
    opinion_sign,
    opinion_submit,
    opinion_update,
)
from cases.services import case_public_timeline
from documents.models import Document
from documents.permissions import visible_documents
from portal.access import Forbidden
from portal.audit import entries_for
from portal.models import LogEntry, Notification
from portal.transitions import DirectStatusWrite, StaleObject, TransitionNotAllowed
from tests.documents.factories import make_case, make_opinion
from tests.documents.helpers import compact, pdf_text
from tests.factories import UserFactory, with_status

pytestmark = pytest.mark.django_db
S = GuidanceOpinion.Status


@pytest.fixture
def case(applicant_org, staff, applicant):
    return make_case(applicant_org=applicant_org, by=staff)


@pytest.fixture
def opinion(case, staff):
    return make_opinion(case, staff)


def _approved(opinion, staff):
    opinion_submit(opinion=opinion, by=staff)
    return opinion_review(opinion=opinion, by=staff, approve=True)


def _signed(opinion, staff, signer, capture):
    _approved(opinion, staff)
    with capture(execute=True):
        opinion_sign(opinion=opinion, by=signer)
    opinion.refresh_from_db()
    return opinion


def test_submitting_the_draft_asks_for_review_and_marks_the_case_opinion_drafted(opinion, staff):
    opinion_submit(opinion=opinion, by=staff)
    opinion.refresh_from_db()
    assert opinion.status == S.IN_REVIEW
    assert opinion.case.status == Case.Status.OPINION_DRAFTED
    entry = entries_for(opinion).get(action_type="cases.opinion.submitted")
    assert (entry.actor, entry.from_status, entry.to_status) == (staff, S.DRAFT, S.IN_REVIEW)
    assert entry.status_change == "起草中 → 待承办人审核"
    assert entry.action_label == "提交承办人审核"


def test_a_direct_status_write_fails(opinion):
    with pytest.raises(DirectStatusWrite):
        opinion.status = S.SIGNED
    assert GuidanceOpinion.objects.get(pk=opinion.pk).status == S.DRAFT


def test_a_step_from_the_wrong_state_names_the_state_the_opinion_is_in(opinion, staff, director):
    with pytest.raises(TransitionNotAllowed) as refused:
        opinion_sign(opinion=opinion, by=director)
    assert "当前状态为“起草中”" in refused.value.messages[0]
    _approved(opinion, staff)
    with pytest.raises(TransitionNotAllowed) as refused:
        opinion_review(opinion=opinion, by=staff, approve=True)
    assert "当前状态为“待签发”" in refused.value.messages[0]
    with pytest.raises(TransitionNotAllowed) as refused:
        opinion_update(opinion=opinion, by=staff, data={"risks": "x"})
    assert "待签发" in refused.value.messages[0]


def test_a_draft_missing_its_core_sections_cannot_be_submitted(opinion, staff):
    opinion_update(opinion=opinion, by=staff, data={"analysis": ""})
    with pytest.raises(TransitionNotAllowed, match="分析意见"):
        opinion_submit(opinion=opinion, by=staff)


def test_only_the_handler_reviews_and_a_return_needs_a_note(opinion, staff, center_permissions):
    other = UserFactory(is_staff=True, roles=["staff"])
    opinion_submit(opinion=opinion, by=staff)
    with pytest.raises(Forbidden, match="承办人"):
        opinion_review(opinion=opinion, by=other, approve=True)
    with pytest.raises(TransitionNotAllowed, match="审核意见"):
        opinion_review(opinion=opinion, by=staff, approve=False)
    opinion_review(opinion=opinion, by=staff, approve=False, note="请补充美国判例。")
    opinion.refresh_from_db()
    assert opinion.status == S.DRAFT
    assert opinion.review_note == "请补充美国判例。"
    assert entries_for(opinion).get(action_type="cases.opinion.returned").note == "请补充美国判例。"


def test_outsiders_can_do_nothing_with_an_opinion(opinion, applicant, agency_user):
    for outsider in (applicant, agency_user):
        with pytest.raises(Forbidden):
            opinion_update(opinion=opinion, by=outsider, data={"risks": "x"})
        with pytest.raises(Forbidden):
            opinion_submit(opinion=opinion, by=outsider)
        with pytest.raises(Forbidden):
            opinion_preview(opinion=opinion, by=outsider)
    assert GuidanceOpinion.objects.get(pk=opinion.pk).status == S.DRAFT


def test_staff_cannot_sign(opinion, staff):
    _approved(opinion, staff)
    with pytest.raises(Forbidden, match="主任或副主任"):
        opinion_sign(opinion=opinion, by=staff)
    assert not Document.objects.exists()
    assert GuidanceOpinion.objects.get(pk=opinion.pk).status == S.APPROVED


def test_signing_numbers_signs_delivers_and_moves_the_case(
    opinion, staff, deputy, applicant, applicant_org, other_applicant, django_capture_on_commit_callbacks
):
    colleague = UserFactory(applicant=applicant_org, roles=["applicant"])
    _approved(opinion, staff)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        opinion_sign(opinion=opinion, by=deputy)
    opinion.refresh_from_db()
    document = opinion.document
    assert opinion.status == S.SIGNED
    assert opinion.signed_by == deputy
    assert re.fullmatch(r"晋知指发〔\d{4}〕1号", document.number)
    assert document.status == Document.Status.READY, document.last_error
    assert document.digitally_signed and document.signed_by == deputy and document.signer_title == "副主任"
    assert document.applicant == applicant_org and document.released_to_applicant
    assert opinion.case.status == Case.Status.OPINION_ISSUED

    text = compact(pdf_text(document.file.path))
    assert document.number in text
    assert "电子签名" not in text  # the signer is in the signature field over the seal, not in a printed box
    assert "山西晋成精密机械有限公司：" in text

    assert {m.to[0] for m in mail.outbox} >= {applicant.email, colleague.email}
    assert other_applicant.email not in {m.to[0] for m in mail.outbox}
    assert Notification.objects.filter(recipient=applicant, subject__contains=document.number).exists()
    assert document in visible_documents(applicant)
    assert document not in visible_documents(other_applicant)


def test_the_case_timeline_holds_the_opinion_and_the_applicant_reads_only_public_notes(
    opinion, staff, director, django_capture_on_commit_callbacks
):
    opinion_submit(opinion=opinion, by=staff)
    opinion_review(opinion=opinion, by=staff, approve=False, note="内部：请补充美国判例。")
    _signed(opinion, staff, director, django_capture_on_commit_callbacks)
    case = opinion.case
    staff_view = entries_for(case, with_scope=True)
    steps = [e.action_type for e in staff_view if e.action_type.startswith("cases.opinion.")]
    assert steps == [
        "cases.opinion.created",
        "cases.opinion.submitted",
        "cases.opinion.returned",
        "cases.opinion.submitted",
        "cases.opinion.approved",
        "cases.opinion.signed",
    ]
    assert "内部：请补充美国判例。" in [e.note for e in staff_view]
    shown = [row["text"] for row in case_public_timeline(case)]
    assert "行政指导意见书已出具，请查收。" in shown
    assert not [text for text in shown if "判例" in text]  # the internal review note stays internal
    first = opinion.document

    opinion_reopen(opinion=opinion, by=director, reason="内部：更正法条。")
    _signed(opinion, staff, director, django_capture_on_commit_callbacks)
    shown = [row["text"] for row in case_public_timeline(case)]
    assert shown[-1] == f"行政指导意见书已更正并重新签发（{opinion.document.number}），原文书 {first.number} 已被取代。"
    assert not [text for text in shown if "内部" in text]


def test_staff_cannot_reopen_a_signed_opinion_only_a_signer_can(
    opinion, staff, director, django_capture_on_commit_callbacks
):
    _signed(opinion, staff, director, django_capture_on_commit_callbacks)
    with pytest.raises(Forbidden, match="主任或副主任"):
        opinion_reopen(opinion=opinion, by=staff, reason="更正引用的法条。")
    assert GuidanceOpinion.objects.get(pk=opinion.pk).status == S.SIGNED
    opinion_reopen(opinion=opinion, by=director, reason="更正引用的法条。")
    opinion.refresh_from_db()
    assert opinion.status == S.DRAFT
    entry = entries_for(opinion).get(action_type="cases.opinion.reopened")
    assert (entry.actor, entry.from_status, entry.note) == (director, S.SIGNED, "更正引用的法条。")


def test_an_approved_opinion_may_be_taken_back_by_its_reviewer(opinion, staff, center_permissions):
    other = UserFactory(is_staff=True, roles=["staff"])
    _approved(opinion, staff)
    with pytest.raises(Forbidden):
        opinion_reopen(opinion=opinion, by=other, reason="再补充。")
    opinion_reopen(opinion=opinion, by=staff, reason="再补充。")
    assert GuidanceOpinion.objects.get(pk=opinion.pk).status == S.DRAFT


def test_a_correction_issues_a_new_number_and_supersedes_the_old_version(
    opinion, staff, director, applicant, django_capture_on_commit_callbacks
):
    _signed(opinion, staff, director, django_capture_on_commit_callbacks)
    first = opinion.document
    first_bytes = first.file.read()

    with pytest.raises(TransitionNotAllowed):
        opinion_reopen(opinion=opinion, by=director, reason=" ")
    opinion_reopen(opinion=opinion, by=director, reason="更正引用的法条。")
    opinion_update(opinion=opinion, by=staff, data={"referenced_laws": "美国专利法第 271 条（更正）"})
    _signed(opinion, staff, director, django_capture_on_commit_callbacks)
    second = opinion.document
    first.refresh_from_db()

    assert second.pk != first.pk and second.number != first.number
    assert second.version == first.version + 1
    assert first.superseded_by == second
    assert first.file.read() == first_bytes  # nothing overwritten
    assert "（更正）" in pdf_text(second.file.path)
    assert first in visible_documents(staff)  # staff still download the old version
    assert first not in visible_documents(applicant)
    assert second in visible_documents(applicant)


def test_concurrent_edits_are_refused_not_overwritten(opinion, staff):
    seen = opinion.revision
    opinion_update(opinion=opinion, by=staff, data={"risks": "A"}, seen_revision=seen)
    with pytest.raises(StaleObject):
        opinion_update(opinion=opinion, by=staff, data={"risks": "B"}, seen_revision=seen)
    opinion.refresh_from_db()
    assert opinion.risks == "A"
    assert entries_for(opinion).get(action_type="cases.opinion.edited").data == {"fields": ["risks"]}


def test_signed_opinions_cannot_be_edited(opinion, staff):
    _approved(opinion, staff)
    with pytest.raises(TransitionNotAllowed):
        opinion_update(opinion=opinion, by=staff, data={"risks": "x"})


def test_the_preview_is_marked_unsigned_takes_no_number_and_is_logged(opinion, staff):
    pdf = opinion_preview(opinion=opinion, by=staff)
    text = compact(pdf_text(pdf))
    assert "预览稿" in text
    assert "〔" not in text
    assert not Document.objects.exists()
    assert entries_for(opinion).filter(action_type="cases.opinion.previewed", actor=staff).exists()


EXPERT_ROWS = [
    {
        "kind": "expert",
        "author": "吴志远",
        "submitted_at": None,
        "analysis": "权利要求 1 缺乏新颖性。",
        "recommendations": "提起 IPR。",
        "risks": "",
        "references": "35 U.S.C. 102",
    },
    {
        "kind": "collegial",
        "author": "研讨会",
        "submitted_at": None,
        "analysis": "一致认为可以应诉。",
        "recommendations": "",
        "risks": "费用高。",
        "references": "",
    },
]


def test_quoting_expert_opinions_fills_the_summary(opinion, staff, monkeypatch):
    monkeypatch.setattr(content, "_expert_opinion_sources", [lambda case: EXPERT_ROWS])
    opinion_quote_experts(opinion=opinion, by=staff)
    opinion.refresh_from_db()
    assert "【专家意见】吴志远" in opinion.expert_opinions
    assert "提起 IPR。" in opinion.expert_opinions
    assert "【合议意见】研讨会" in opinion.expert_opinions


def test_quoting_without_expert_opinions_says_so(opinion, staff, monkeypatch):
    monkeypatch.setattr(content, "_expert_opinion_sources", [])
    with pytest.raises(ValidationError, match="暂无"):
        opinion_quote_experts(opinion=opinion, by=staff)


def test_the_expert_pool_offers_its_opinions_without_being_imported(opinion, staff):
    """The pool registers its reader from its AppConfig; the opinion then quotes a real expert opinion."""
    import datetime

    from django.utils import timezone

    from experts import services as expert_services
    from experts.selectors import opinions_for_case
    from tests.experts.factories import expert_with_login

    assert opinions_for_case in content._expert_opinion_sources
    expert = expert_with_login(name="吴志远")
    deadline = timezone.now() + datetime.timedelta(days=3)
    invitation = expert_services.expert_invite(case=opinion.case, expert=expert, by=staff, deadline=deadline)
    assignment = expert_services.invitation_accept(invitation=invitation, by=expert.user)
    expert_services.assignment_declare(assignment=assignment, by=expert.user, no_conflict=True)
    expert_services.opinion_submit(
        assignment=assignment, by=expert.user, analysis="权利要求 1 缺乏新颖性。", recommendations="提起 IPR。"
    )
    opinion_quote_experts(opinion=opinion, by=staff)
    opinion.refresh_from_db()
    assert "【专家意见】吴志远" in opinion.expert_opinions and "提起 IPR。" in opinion.expert_opinions


def test_a_terminated_case_gets_no_opinion(opinion, staff, director):
    from cases.services import case_terminate

    _approved(opinion, staff)
    case_terminate(case=opinion.case, reason="申请人撤回。", by=staff)
    with pytest.raises(TransitionNotAllowed):
        opinion_sign(opinion=opinion, by=director)
    assert not Document.objects.filter(kind=Document.Kind.GUIDANCE_OPINION).exists()


def test_someone_without_a_center_role_cannot_reopen_a_signed_opinion(opinion):
    signed = with_status(opinion, S.SIGNED)
    with pytest.raises(Forbidden):
        opinion_reopen(opinion=signed, by=UserFactory(), reason="更正。")
    assert GuidanceOpinion.objects.get(pk=opinion.pk).status == S.SIGNED
    assert not LogEntry.objects.filter(action_type="cases.opinion.reopened").exists()
