"""The guidance opinion: drafted, reviewed by the handler, signed by the director or a deputy,
delivered to the applicant; corrected under a new number."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from cases.models import Case
from documents.models import Document, GuidanceOpinion, OpinionEvent
from documents.permissions import visible_documents
from documents.services import (
    opinion_preview,
    opinion_quote_experts,
    opinion_reopen,
    opinion_review,
    opinion_sign,
    opinion_submit,
    opinion_update,
)
from portal.models import Notification
from portal.transitions import StaleObject, TransitionNotAllowed
from tests.documents.helpers import compact, pdf_text
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(applicant_org, staff, applicant):
    from tests.documents.factories import make_case

    return make_case(applicant_org=applicant_org, by=staff)


@pytest.fixture
def opinion(case, staff):
    from tests.documents.factories import make_opinion

    return make_opinion(case, staff)


def _approved(opinion, staff):
    opinion_submit(opinion=opinion, by=staff)
    return opinion_review(opinion=opinion, by=staff, approve=True)


def test_submitting_the_draft_asks_for_review_and_marks_the_case_opinion_drafted(opinion, staff):
    opinion_submit(opinion=opinion, by=staff)
    opinion.refresh_from_db()
    assert opinion.status == GuidanceOpinion.Status.IN_REVIEW
    assert opinion.case.status == Case.Status.OPINION_DRAFTED
    assert OpinionEvent.objects.filter(opinion=opinion, to_status="in_review", actor=staff).exists()


def test_a_draft_missing_its_core_sections_cannot_be_submitted(opinion, staff):
    opinion_update(opinion=opinion, by=staff, data={"analysis": ""})
    with pytest.raises(TransitionNotAllowed, match="分析意见"):
        opinion_submit(opinion=opinion, by=staff)


def test_only_the_handler_reviews_and_a_return_needs_a_note(opinion, staff, center_permissions):
    other = UserFactory(is_staff=True, roles=["staff"])
    opinion_submit(opinion=opinion, by=staff)
    with pytest.raises(TransitionNotAllowed, match="承办人"):
        opinion_review(opinion=opinion, by=other, approve=True)
    with pytest.raises(TransitionNotAllowed, match="审核意见"):
        opinion_review(opinion=opinion, by=staff, approve=False)
    opinion_review(opinion=opinion, by=staff, approve=False, note="请补充美国判例。")
    opinion.refresh_from_db()
    assert opinion.status == GuidanceOpinion.Status.DRAFT
    assert opinion.review_note == "请补充美国判例。"


def test_staff_cannot_sign(opinion, staff):
    _approved(opinion, staff)
    with pytest.raises(TransitionNotAllowed, match="主任或副主任"):
        opinion_sign(opinion=opinion, by=staff)
    assert not Document.objects.exists()


def test_an_unapproved_opinion_cannot_be_signed(opinion, director):
    with pytest.raises(TransitionNotAllowed):
        opinion_sign(opinion=opinion, by=director)


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
    assert opinion.status == GuidanceOpinion.Status.SIGNED
    assert opinion.signed_by == deputy
    assert re.fullmatch(r"晋知指意〔\d{4}〕1号", document.number)
    assert document.status == Document.Status.READY, document.last_error
    assert document.digitally_signed and document.signed_by == deputy and document.signer_title == "副主任"
    assert document.applicant == applicant_org and document.released_to_applicant
    assert opinion.case.status == Case.Status.OPINION_ISSUED

    text = compact(pdf_text(document.file.path))
    assert document.number in text
    assert "孙红（副主任）" in text
    assert "山西晋成精密机械有限公司：" in text

    assert {m.to[0] for m in mail.outbox} >= {applicant.email, colleague.email}
    assert other_applicant.email not in {m.to[0] for m in mail.outbox}
    assert Notification.objects.filter(recipient=applicant, subject__contains=document.number).exists()
    assert document in visible_documents(applicant)
    assert document not in visible_documents(other_applicant)


def test_a_correction_issues_a_new_number_and_supersedes_the_old_version(
    opinion, staff, director, applicant, django_capture_on_commit_callbacks
):
    _approved(opinion, staff)
    with django_capture_on_commit_callbacks(execute=True):
        opinion_sign(opinion=opinion, by=director)
    opinion.refresh_from_db()
    first = opinion.document
    first_bytes = first.file.read()

    with pytest.raises(TransitionNotAllowed):
        opinion_reopen(opinion=opinion, by=staff, reason=" ")
    opinion_reopen(opinion=opinion, by=staff, reason="更正引用的法条。")
    opinion_update(opinion=opinion, by=staff, data={"referenced_laws": "美国专利法第 271 条（更正）"})
    _approved(opinion, staff)
    with django_capture_on_commit_callbacks(execute=True):
        opinion_sign(opinion=opinion, by=director)
    opinion.refresh_from_db()
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


def test_signed_opinions_cannot_be_edited(opinion, staff):
    _approved(opinion, staff)
    with pytest.raises(TransitionNotAllowed):
        opinion_update(opinion=opinion, by=staff, data={"risks": "x"})


def test_the_preview_is_marked_unsigned_and_takes_no_number(opinion):
    pdf = opinion_preview(opinion=opinion)
    text = compact(pdf_text(pdf))
    assert "预览稿" in text
    assert "〔" not in text
    assert not Document.objects.exists()


def test_quoting_expert_opinions_fills_the_summary(opinion, staff, monkeypatch):
    import documents.opinions as opinions

    rows = [
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
    monkeypatch.setattr(opinions, "expert_opinions_for", lambda case: rows)
    opinion_quote_experts(opinion=opinion, by=staff)
    opinion.refresh_from_db()
    assert "【专家意见】吴志远" in opinion.expert_opinions
    assert "提起 IPR。" in opinion.expert_opinions
    assert "【合议意见】研讨会" in opinion.expert_opinions


def test_quoting_without_expert_opinions_says_so(opinion, staff, monkeypatch):
    import documents.opinions as opinions

    monkeypatch.setattr(opinions, "expert_opinions_for", lambda case: [])
    with pytest.raises(ValidationError, match="暂无"):
        opinion_quote_experts(opinion=opinion, by=staff)


def test_the_expert_module_is_optional(opinion, monkeypatch):
    import builtins

    import documents.opinions as opinions

    real_import = builtins.__import__

    def no_experts(name, *args, **kwargs):
        if name == "experts.selectors":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_experts)
    assert opinions.expert_opinions_for(opinion.case) == []


def test_a_terminated_case_gets_no_opinion(opinion, staff, director):
    from cases.services import case_terminate

    _approved(opinion, staff)
    case_terminate(case=opinion.case, reason="申请人撤回。", by=staff)
    with pytest.raises(TransitionNotAllowed):
        opinion_sign(opinion=opinion, by=director)
    assert not Document.objects.filter(kind=Document.Kind.GUIDANCE_OPINION).exists()
