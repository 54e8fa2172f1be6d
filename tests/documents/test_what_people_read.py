"""What people read: the receipt does not claim acceptance, and documents name people as a
reader expects."""

import io

import pytest

from applications import services as application_services
from cases.services import letter_draft, letter_sign, letter_submit
from documents.models import Document
from portal.models import User
from tests.applications.factories import complete_draft
from tests.documents.factories import make_case
from tests.documents.helpers import compact, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(applicant_org, staff):
    return make_case(applicant_org=applicant_org, by=staff)


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
    assert "电子签名" not in text  # the signature is a real signature field over the seal, not a printed box
    assert staff.email not in text and director.email not in text


def test_the_demo_people_have_plain_names():
    """The demo accounts are what a new user first sees printed in documents: their names must
    read as names (李明), not carry role tags (李明（工作人员）)."""
    from portal import demo

    demo.seed(io.StringIO())
    names = list(User.objects.values_list("full_name", flat=True))
    assert names and "李明" in names
    assert not [name for name in names if "（" in name or "(" in name]
