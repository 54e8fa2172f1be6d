"""The documents of a case reach every person entitled to them, and only them: one selector
(documents.selectors.case_documents) behind the applicant's case page, the staff's case page
in the admin and the case file's catalogue."""

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.services import receipt_context
from cases.opinions.services import opinion_reopen, opinion_review, opinion_sign, opinion_submit, opinion_update
from cases.services import letter_draft, letter_sign, letter_submit
from documents.models import Document
from documents.selectors import case_documents
from documents.services import document_request
from experts import services as expert_services
from experts.models import Seminar, SeminarInvitee
from tests.documents.factories import make_case, make_opinion
from tests.experts.factories import expert_with_login

pytestmark = pytest.mark.django_db


def _sign(opinion, staff, signer):
    opinion_submit(opinion=opinion, by=staff)
    opinion_review(opinion=opinion, by=staff, approve=True)
    return opinion_sign(opinion=opinion, by=signer)


@pytest.fixture
def record(applicant_org, applicant, staff, director, deputy, agency, django_capture_on_commit_callbacks):
    """A case with a receipt, a signed letter to `agency`, an opinion signed twice (the first
    version superseded) and the minutes of a seminar one expert attended and one missed."""
    case = make_case(applicant_org=applicant_org, by=staff)
    application = case.application
    attended, absent = expert_with_login(name="甲专家"), expert_with_login(name="乙专家")
    with django_capture_on_commit_callbacks(execute=True):
        receipt = document_request(
            kind=Document.Kind.RECEIPT,
            subject=application,
            template="pdf/receipt.html",
            context=receipt_context(application),
            title="申请材料接收回执",
            applicant=applicant_org,
            released=True,
            by=applicant,
        )
        letter = letter_draft(case=case, subject="请协助核实展会情况", body="请协助。", agencies=[agency], by=staff)
        letter_submit(letter=letter, by=staff)
        letter_sign(letter=letter, by=director)

        opinion = make_opinion(case, staff)
        _sign(opinion, staff, director)
        opinion.refresh_from_db()
        first = opinion.document
        opinion_reopen(opinion=opinion, by=director, reason="更正文字")
        opinion_update(opinion=opinion, by=staff, data={"risks": "更正后的风险提示。"})
        _sign(opinion, staff, deputy)
        opinion.refresh_from_db()
        second = opinion.document

        seminar = expert_services.seminar_convene(
            case=case,
            by=staff,
            title="应对专家研讨会",
            starts_at=timezone.now() + timezone.timedelta(days=1),
            location="第一会议室",
            experts=[attended, absent],
        )
        # The meeting took place: its date lies behind us.
        Seminar.objects.filter(pk=seminar.pk).update(starts_at=timezone.now() - timezone.timedelta(hours=2))
        seat = seminar.invitees.get(kind=SeminarInvitee.Kind.EXPERT, expert=attended)
        expert_services.seminar_record_attendance(seminar=seminar, by=staff, present_ids=[seat.pk])
        expert_services.seminar_conclude(
            seminar=seminar, by=staff, analysis="分析", recommendations="应诉", agreement="一致"
        )
        seminar.refresh_from_db()
    for document in (receipt, first, second):
        document.refresh_from_db()
    letter_document = Document.objects.get(kind=Document.Kind.ASSISTANCE_LETTER)
    return {
        "case": case,
        "receipt": receipt,
        "letter": letter_document,
        "first": first,
        "second": second,
        "minutes": seminar.minutes,
        "attended": attended.user,
        "absent": absent.user,
    }


def _kinds(documents):
    return {(document.kind, document.version) for document in documents}


def test_each_person_gets_the_documents_of_the_case_they_are_entitled_to(
    record, applicant, other_applicant, staff, agency_user, other_agency_user
):
    case = record["case"]
    assert record["first"].superseded_by == record["second"]
    assert all(record[name].status == Document.Status.READY for name in ("receipt", "letter", "second", "minutes"))

    assert list(case_documents(applicant, case)) == [record["receipt"], record["second"]]
    assert list(case_documents(applicant, case, include_superseded=True)) == [record["receipt"], record["second"]]
    assert list(case_documents(other_applicant, case)) == []

    assert list(case_documents(agency_user, case)) == [record["letter"]]
    assert list(case_documents(other_agency_user, case)) == []

    assert list(case_documents(record["attended"], case)) == [record["minutes"]]
    assert list(case_documents(record["absent"], case)) == []

    everything = case_documents(staff, case, include_superseded=True)
    assert set(everything) == {
        record["receipt"],
        record["letter"],
        record["first"],
        record["second"],
        record["minutes"],
    }
    assert record["first"] not in case_documents(staff, case)


def test_the_applicant_downloads_the_signed_opinion_from_the_case_page(client, record, applicant):
    case = record["case"]
    client.force_login(applicant)
    page = client.get(reverse("applications:detail", args=[case.application_id])).content.decode()
    assert record["second"].number in page
    assert reverse("documents:download", args=[record["second"].pk]) in page
    assert record["first"].number not in page  # the superseded version is for staff only
    assert record["letter"].number not in page and record["minutes"].number not in page
    response = client.get(reverse("documents:download", args=[record["second"].pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == record["second"].file.open("rb").read()


def test_the_staff_case_page_lists_every_document_and_old_versions(client, record, staff):
    client.force_login(staff)
    page = client.get(reverse("admin:cases_case_change", args=[record["case"].pk])).content.decode()
    for name in ("letter", "first", "second", "minutes"):
        assert record[name].number in page, name
    assert f"已被 {record['second'].number} 取代" in page


def test_the_expert_who_attended_downloads_the_minutes(client, record):
    from experts.models import ExpertAssignment

    expert_user = record["attended"]
    for assignment in ExpertAssignment.objects.filter(
        expert__user=expert_user, status=ExpertAssignment.Status.AWAITING_DECLARATION
    ):
        expert_services.assignment_declare(assignment=assignment, by=expert_user, no_conflict=True)
    seat = SeminarInvitee.objects.get(expert__user=expert_user)
    client.force_login(expert_user)
    page = client.get(reverse("experts:seminar_seat", args=[seat.pk])).content.decode()
    assert record["minutes"].number in page
    assert reverse("documents:download", args=[record["minutes"].pk]) in page
    assert client.get(reverse("documents:download", args=[record["minutes"].pk])).status_code == 200
    client.force_login(record["absent"])
    assert client.get(reverse("documents:download", args=[record["minutes"].pk])).status_code == 404


def test_documents_issued_before_they_carried_their_case_get_it_back(record):
    """The data migration finds the case of older documents through their subjects, and
    delivers the minutes of concluded seminars to the experts who attended."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("documents.migrations.0005_backfill_document_case")
    # The migration runs here with today's models; the guidance opinion has since moved to the
    # cases app (its content type with it), so its documents are left out of this check.
    Document.objects.exclude(kind=Document.Kind.GUIDANCE_OPINION).update(case=None)
    record["minutes"].recipients.clear()
    migration.forwards(apps, None)
    case = record["case"]
    for name in ("letter", "minutes"):
        record[name].refresh_from_db()
        assert record[name].case == case, name
    record["receipt"].refresh_from_db()
    assert record["receipt"].case is None  # found through the application
    assert list(record["minutes"].recipients.all()) == [record["attended"]]
