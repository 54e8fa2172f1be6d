"""One of each document a case produces, issued through the services as staff, the director and the
experts issue them: the tests that read or measure every kind share this path."""

import datetime

from django.utils import timezone

from applications.choices import DisputeLevel
from cases import services as case_services
from cases.opinions.services import case_file_export
from documents.models import Document
from experts import services as expert_services
from experts.models import Seminar, SeminarInvitee
from tests.documents.factories import make_case, make_opinion
from tests.documents.test_case_documents import _sign
from tests.experts.factories import expert_with_login

# Application text as a user types it: no stray spaces, a full address.
TIGHT_APPLICATION = {
    "request": "请求指导应诉。",
    "impact": "影响出口订单。",
    "other_requests": "",
    "contact_address": "山西省太原市小店区学府街1号",
}

CASE_KINDS = (
    Document.Kind.ASSISTANCE_LETTER,
    Document.Kind.GUIDANCE_OPINION,
    Document.Kind.SEMINAR_MINUTES,
    Document.Kind.UPWARD_REPORT,
    Document.Kind.TERMINATION_NOTICE,
)


def issue_case_documents(
    *, applicant_org, staff, director, agency, capture, letter_body, opinion, analysis, termination_reason
):
    """A major case with a signed assistance letter, a signed opinion (`opinion`: its fields), the
    minutes of a seminar one expert attended and one missed (`analysis`), a signed upward report, the
    case file and, last, the termination notice (`termination_reason`). Returns (case, seminar,
    {kind: document} for CASE_KINDS and the case file)."""
    case = make_case(applicant_org=applicant_org, by=staff, level=DisputeLevel.MAJOR, **TIGHT_APPLICATION)
    attended, absent = expert_with_login(name="甲专家"), expert_with_login(name="乙专家")
    with capture(execute=True):
        letter = case_services.letter_draft(
            case=case,
            subject="请协助核实展会情况",
            body=letter_body,
            agencies=[agency],
            share_contact=True,
            by=staff,
        )
        case_services.letter_submit(letter=letter, by=staff)
        case_services.letter_sign(letter=letter, by=director)
        _sign(make_opinion(case, staff, **opinion), staff, director)
        seminar = expert_services.seminar_convene(
            case=case,
            by=staff,
            title="应对专家研讨会",
            starts_at=timezone.now() + datetime.timedelta(days=1),
            location="第一会议室",
            experts=[attended, absent],
        )
        Seminar.objects.filter(pk=seminar.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=2))
        seat = seminar.invitees.get(kind=SeminarInvitee.Kind.EXPERT, expert=attended)
        expert_services.seminar_record_attendance(seminar=seminar, by=staff, present_ids=[seat.pk])
        expert_services.seminar_conclude(
            seminar=seminar, by=staff, analysis=analysis, recommendations="应诉", agreement="一致"
        )
        report = case_services.report_draft(case=case, recipient="national", by=staff)
        case_services.report_submit(report=report, by=staff)
        case_services.report_sign(report=report, by=director)
        case_file = case_file_export(case=case, by=staff)
    with capture(execute=True):
        case_services.case_terminate(case=case, reason=termination_reason, by=staff)
    documents = {kind: Document.objects.get(kind=kind, case=case) for kind in CASE_KINDS}
    documents[Document.Kind.CASE_FILE] = case_file
    return case, Seminar.objects.get(pk=seminar.pk), documents
