"""What people read: the signers are told an opinion waits, the admin overview lists it, the
read-only opinion shows its recommended responses, the receipt does not claim acceptance, and
documents name people as a reader expects."""

import io

import pytest
from django.core import mail
from django.urls import reverse

from applications import services as application_services
from cases.services import letter_draft, letter_sign, letter_submit
from documents.models import Document, GuidanceOpinion
from documents.services import opinion_review, opinion_sign, opinion_submit
from portal.models import Notification, User
from tests.applications.factories import complete_draft
from tests.documents.factories import make_case, make_opinion
from tests.documents.helpers import compact, pdf_text
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(applicant_org, staff):
    return make_case(applicant_org=applicant_org, by=staff)


@pytest.fixture
def approved(case, staff, director, deputy, django_capture_on_commit_callbacks):
    opinion = make_opinion(case, staff)
    opinion_submit(opinion=opinion, by=staff)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        opinion_review(opinion=opinion, by=staff, approve=True, note="同意，请签发。")
    return opinion


def test_the_director_and_deputies_are_told_an_opinion_awaits_their_signature(approved, staff, director, deputy):
    link = reverse("admin:documents_guidanceopinion_change", args=[approved.pk])
    for signer in (director, deputy):
        notification = Notification.objects.get(recipient=signer)
        assert "待签发" in notification.subject and approved.case.number in notification.subject
        assert notification.link == link
    assert not Notification.objects.filter(recipient=staff, subject__contains="待签发").exists()
    assert sorted(message.to[0] for message in mail.outbox) == sorted([director.email, deputy.email])
    assert approved.case.number in mail.outbox[0].subject


def test_a_returned_draft_tells_nobody_to_sign(case, staff, director):
    opinion = make_opinion(case, staff)
    opinion_submit(opinion=opinion, by=staff)
    opinion_review(opinion=opinion, by=staff, approve=False, note="请补充判例。")
    assert not Notification.objects.filter(recipient=director).exists()


def test_the_admin_overview_lists_the_opinions_waiting_for_signature(client, approved, director):
    client.force_login(director)
    page = client.get(reverse("admin:index")).content.decode()
    start = page.index('data-testid="opinions-awaiting-signature"')
    card = page[start:].split('class="dash-card"')[0]
    assert "待签发指导意见书" in card
    assert reverse("admin:documents_guidanceopinion_change", args=[approved.pk]) in card
    assert approved.case.number in card


def test_the_overview_drops_the_opinion_once_signed(
    client, approved, director, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        opinion_sign(opinion=approved, by=director)
    client.force_login(staff)
    page = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:documents_guidanceopinion_change", args=[approved.pk]) not in page


def test_the_read_only_opinion_shows_its_recommended_responses(client, approved, staff):
    client.force_login(staff)
    page = client.get(reverse("admin:documents_guidanceopinion_change", args=[approved.pk])).content.decode()
    assert "建议应对方式" in page
    assert "协商谈判、无效宣告、应诉抗辩" in page


def test_the_draft_opinion_still_offers_the_responses_to_tick(client, case, staff):
    opinion = make_opinion(case, staff)
    client.force_login(staff)
    page = client.get(reverse("admin:documents_guidanceopinion_change", args=[opinion.pk])).content.decode()
    assert 'name="responses" value="negotiation"' in page and "checked" in page


def test_the_receipt_acknowledges_the_material_without_claiming_acceptance(
    applicant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = application_services.application_submit(application=complete_draft(applicant), by=applicant)
    receipt = Document.objects.get(kind=Document.Kind.RECEIPT, subject_id=application.pk)
    assert receipt.title == "申请材料接收回执"
    assert receipt.get_kind_display() == "申请材料接收回执"
    text = compact(pdf_text(receipt.file.path))
    assert "申请材料接收回执" in text
    assert "受理回执" not in text
    assert "不代表" in text or "是否受理以" in text


def test_a_letter_names_the_handler_and_the_signer_as_a_reader_expects(
    case, staff, director, agency, django_capture_on_commit_callbacks
):
    staff.phone = "0351-7654321"
    staff.save(update_fields=["phone"])
    with django_capture_on_commit_callbacks(execute=True):
        letter = letter_draft(case=case, subject="请协助核实", body="请协助。", agencies=[agency], by=staff)
        letter_submit(letter=letter, by=staff)
        letter_sign(letter=letter, by=director)
    document = Document.objects.get(kind=Document.Kind.ASSISTANCE_LETTER)
    text = compact(pdf_text(document.file.path))
    assert "联系人：李明，联系电话：0351-7654321" in text
    assert "签发人：赵建国（主任）" in text
    assert staff.email not in text and director.email not in text


def test_a_case_file_never_prints_a_login_address_for_a_person(
    case, staff, center_permissions, django_capture_on_commit_callbacks
):
    from cases.services import case_assign
    from documents.services import case_file_export

    nameless = UserFactory(full_name="", email="nameless@center.example", is_staff=True, roles=["staff"])
    case_assign(case=case, handler=nameless, by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        case_file = case_file_export(case=case, by=staff)
    case_file.refresh_from_db()
    assert "nameless@center.example" not in pdf_text(case_file.file.path)


def test_the_demo_people_have_plain_names():
    """The demo accounts are what a new user first sees printed in documents: their names must
    read as names (李明), not carry role tags (李明（工作人员）)."""
    from portal import demo

    demo.seed(io.StringIO())
    names = list(User.objects.values_list("full_name", flat=True))
    assert names and "李明" in names
    assert not [name for name in names if "（" in name or "(" in name]


def test_signed_opinions_print_the_signer_with_the_post(approved, deputy, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        opinion_sign(opinion=approved, by=deputy)
    document = GuidanceOpinion.objects.get(pk=approved.pk).document
    assert "签发人：孙红（副主任）" in compact(pdf_text(document.file.path))
