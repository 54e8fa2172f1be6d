"""A document's QR code leads to the portal's address when it was issued (SITE_URL), also when
it is rendered again later; staff see which documents were issued under another address."""

import pytest
from django.urls import reverse

from documents.models import Document
from documents.services import document_render, document_request
from tests.documents.helpers import compact, pdf_text

pytestmark = pytest.mark.django_db


def _issue(by, capture):
    with capture(execute=True):
        document = document_request(
            kind=Document.Kind.GUIDANCE_OPINION,
            subject=by,
            template="pdf/guidance_opinion.html",
            context={"title": "海外知识产权纠纷应对行政指导意见书", "addressee": "山西晋成精密机械有限公司"},
            title="海外知识产权纠纷应对行政指导意见书",
            by=by,
        )
    document.refresh_from_db()
    return document


def test_the_qr_code_address_is_the_one_at_issue_even_after_the_portal_moves(
    client, staff, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://old.example.cn"
    document = _issue(staff, django_capture_on_commit_callbacks)
    assert document.site_url == "https://old.example.cn"
    assert f"https://old.example.cn{document.verify_path}" in compact(pdf_text(document.file.path))

    settings.SITE_URL = "https://ipguide.example.cn"
    # Rendered again (e.g. after a lost file): still the address printed when it was issued.
    Document.objects.filter(pk=document.pk).update(status=Document.Status.PENDING)
    document = document_render(document_id=document.pk)
    assert f"https://old.example.cn{document.verify_path}" in compact(pdf_text(document.file.path))

    client.force_login(staff)
    listing = client.get(reverse("admin:documents_document_changelist")).content.decode()
    page = client.get(reverse("admin:documents_document_change", args=[document.pk])).content.decode()
    for html in (listing, page):
        assert 'data-testid="issued-elsewhere"' in html
        assert "另一地址：https://old.example.cn（当前为 https://ipguide.example.cn）" in html


def test_a_document_issued_here_is_not_flagged(client, staff, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://ipguide.example.cn"
    document = _issue(staff, django_capture_on_commit_callbacks)
    client.force_login(staff)
    page = client.get(reverse("admin:documents_document_change", args=[document.pk])).content.decode()
    assert 'data-testid="issued-elsewhere"' not in page
    assert "本平台" in page
