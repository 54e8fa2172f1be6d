"""Rows of the applications app for tests, and small valid files of each accepted type."""

import io
import zipfile

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from applications.choices import EvidenceCategory
from applications.models import Attachment
from applications.selectors import applicant_of
from cases.models import Case
from tests.factories import ApplicationFactory, UserFactory

# A one-page PDF and a 1×1 PNG, small but real enough for libmagic.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG_BYTES = bytes.fromhex(
    "89504E470D0A1A0A0000000D4948445200000001000000010806000000"
    "1F15C4890000000D49444154789C6360000002000154A24F5D0000000049454E44AE426082"
)
JPEG_BYTES = bytes.fromhex("FFD8FFE000104A46494600010100000100010000FFD9")


def ooxml(kind="docx", extra=None):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        package.writestr("_rels/.rels", "<Relationships/>")
        package.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<document/>")
        for name, data in (extra or {}).items():
            package.writestr(name, data)
    return buffer.getvalue()


def plain_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("readme.txt", "hello")
    return buffer.getvalue()


def upload(name="营业执照.pdf", content=PDF_BYTES, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attachment

    application = factory.SubFactory(ApplicationFactory)
    category = EvidenceCategory.STANDING
    file = factory.django.FileField(filename="licence.pdf", data=PDF_BYTES)
    original_name = "营业执照.pdf"
    content_type = "application/pdf"
    size = len(PDF_BYTES)
    sha256 = "0" * 64
    uploaded_by = factory.SubFactory(UserFactory)


def complete_draft(applicant_user, **fields):
    """A complete draft of the user's organisation with its standing proof, ready to submit."""
    application = ApplicationFactory(applicant=applicant_of(applicant_user), created_by=applicant_user, **fields)
    AttachmentFactory(application=application, uploaded_by=applicant_user)
    return application


def close_case(application):
    """Put the application's case straight into 已结案 (the case workflow is tested in tests/cases)."""
    Case.objects.filter(application=application).update(status=Case.Status.CLOSED, closed_at=timezone.now())


def submit_on_the_review_page(client, applicant_user, capture_on_commit):
    """A complete draft submitted as the applicant does it (the review page's button), with the
    after-commit work run; returns the response and the submitted application."""
    application = complete_draft(applicant_user)
    client.force_login(applicant_user)
    with capture_on_commit(execute=True):
        response = client.post(reverse("applications:review", args=[application.pk]), {"revision": 0})
    application.refresh_from_db()
    return response, application
