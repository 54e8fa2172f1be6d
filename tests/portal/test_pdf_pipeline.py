"""The PDF pipeline, proved with the application receipt (申请材料接收回执)."""

import io

import pytest
from pypdf import PdfReader

from applications.selectors import applicant_of
from applications.services import application_submit
from documents.models import Document
from documents.services import document_render, document_retry
from tests.factories import ApplicationFactory, AttachmentFactory


def pdf_text(document):
    with document.file.open("rb") as handle:
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


@pytest.fixture
def submitted_application(applicant, django_capture_on_commit_callbacks):
    application = ApplicationFactory(applicant=applicant_of(applicant), created_by=applicant)
    AttachmentFactory(application=application)
    with django_capture_on_commit_callbacks(execute=True):
        application_submit(application=application, by=applicant)
    application.refresh_from_db()
    return application


def test_submitting_renders_a_receipt_with_the_center_number_applicant_and_date(submitted_application):
    receipt = Document.objects.get(kind=Document.Kind.RECEIPT, subject_id=submitted_application.pk)
    assert receipt.status == Document.Status.READY
    assert len(receipt.sha256) == 64
    text = pdf_text(receipt)
    assert "山西省涉外知识产权指导中心" in text
    assert submitted_application.number in text
    assert submitted_application.applicant_name in text
    day = submitted_application.submitted_at.astimezone().date()
    assert f"{day.year}年" in text


def test_the_receipt_embeds_a_cjk_font(submitted_application):
    receipt = Document.objects.get(kind=Document.Kind.RECEIPT, subject_id=submitted_application.pk)
    with receipt.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()
            fonts.add(str(descriptor.get("/BaseFont")))
    # The body's 仿宋 face (Fandol), subset: a six-letter tag before the name.
    assert any(name.endswith("+FandolFang") for name in fonts), fonts


def test_a_failed_render_is_recorded_and_a_retry_renders_it_once(
    applicant, staff, django_capture_on_commit_callbacks, monkeypatch
):
    import documents.services as services

    application = ApplicationFactory(applicant=applicant_of(applicant), created_by=applicant)
    AttachmentFactory(application=application)

    def broken(template, context):
        raise ValueError("模板数据有误")

    monkeypatch.setattr(services, "render_document", broken)
    with django_capture_on_commit_callbacks(execute=True):
        application_submit(application=application, by=applicant)
    receipt = Document.objects.get(kind=Document.Kind.RECEIPT, subject_id=application.pk)
    assert receipt.status == Document.Status.FAILED
    assert "模板数据有误" in receipt.last_error

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        document_retry(document=receipt, by=staff)
    receipt.refresh_from_db()
    assert receipt.status == Document.Status.READY
    assert receipt.last_error == ""
    assert Document.objects.filter(kind=Document.Kind.RECEIPT, subject_id=application.pk).count() == 1


def test_rendering_twice_keeps_one_file(submitted_application):
    receipt = Document.objects.get(kind=Document.Kind.RECEIPT, subject_id=submitted_application.pk)
    first = (receipt.file.name, receipt.sha256)
    document_render(document_id=receipt.pk)
    receipt.refresh_from_db()
    assert (receipt.file.name, receipt.sha256) == first
