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


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://ipguide.example.cn", True),
        ("http://127.0.0.1:8000", True),  # the run command's own address
        ("http://localhost:8001", True),
        ("http://testserver", True),
        ("http://ipguide.example.cn", False),
        ("http://192.0.2.10:8000", False),
        ("", False),
        ("ipguide.example.cn", False),
    ],
)
def test_documents_are_issued_only_under_https_or_a_developers_own_address(settings, url, allowed):
    from django.core.exceptions import ValidationError

    from documents.verification import check_public_address, public_address_problem

    settings.SITE_URL = url
    assert (public_address_problem() is None) is allowed
    if allowed:
        check_public_address()
    else:
        with pytest.raises(ValidationError, match="不是 https 地址，文书上的二维码和核验链接将指向它"):
            check_public_address()


def test_the_run_command_serves_the_address_it_prints_in_documents():
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / "scripts" / "run").read_text()
    assert 'export SITE_URL="http://$HOST:$PORT"' in script
    assert 'runserver "$HOST:$PORT"' in script
