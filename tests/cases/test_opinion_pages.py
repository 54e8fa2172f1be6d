"""What people read about a guidance opinion: the signers are told it waits, the admin overview
lists it, the read-only opinion shows its recommended responses, the signed PDF names the signer
with the post, and the case file names people, never login addresses."""

import pytest
from django.core import mail
from django.urls import reverse

from cases.models import GuidanceOpinion
from cases.opinions.services import opinion_review, opinion_sign, opinion_submit
from portal.models import Notification
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
    link = reverse("admin:cases_guidanceopinion_change", args=[approved.pk])
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
    assert reverse("admin:cases_guidanceopinion_change", args=[approved.pk]) in card
    assert approved.case.number in card


def test_the_overview_drops_the_opinion_once_signed(
    client, approved, director, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        opinion_sign(opinion=approved, by=director)
    client.force_login(staff)
    page = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:cases_guidanceopinion_change", args=[approved.pk]) not in page


def test_the_read_only_opinion_shows_its_recommended_responses(client, approved, staff):
    client.force_login(staff)
    page = client.get(reverse("admin:cases_guidanceopinion_change", args=[approved.pk])).content.decode()
    assert "建议应对方式" in page
    assert "协商谈判、无效宣告、应诉抗辩" in page


def test_the_draft_opinion_still_offers_the_responses_to_tick(client, case, staff):
    opinion = make_opinion(case, staff)
    client.force_login(staff)
    page = client.get(reverse("admin:cases_guidanceopinion_change", args=[opinion.pk])).content.decode()
    assert 'name="responses" value="negotiation"' in page and "checked" in page


def test_a_case_file_never_prints_a_login_address_for_a_person(
    case, staff, center_permissions, django_capture_on_commit_callbacks
):
    from cases.opinions.services import case_file_export
    from cases.services import case_assign

    nameless = UserFactory(full_name="", email="nameless@center.example", is_staff=True, roles=["staff"])
    case_assign(case=case, handler=nameless, by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        case_file = case_file_export(case=case, by=staff)
    case_file.refresh_from_db()
    assert "nameless@center.example" not in pdf_text(case_file.file.path)


def test_signed_opinions_name_the_signer_with_the_post(approved, deputy, django_capture_on_commit_callbacks):
    """A 行政指导意见书 prints the issuing body, the date and the seal (no 签发人 line, which only
    upward documents carry); the signer and post are named in the digital signature over the seal."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    with django_capture_on_commit_callbacks(execute=True):
        opinion_sign(opinion=approved, by=deputy)
    document = GuidanceOpinion.objects.get(pk=approved.pk).document
    with document.file.open("rb") as handle:
        signatures = PdfFileReader(handle, strict=False).embedded_signatures
        names = [str(signature.sig_object.get("/Name")) for signature in signatures]
    assert "孙红（副主任）" in names
    assert "签发人" not in compact(pdf_text(document.file.path))
