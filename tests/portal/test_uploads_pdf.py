"""PDFs with active content (scripts, launch actions, embedded files, XFA) are refused by the
one upload checker, wherever they are hidden; ordinary PDFs pass."""

import pytest
from django.core.exceptions import ValidationError

from portal.uploads import PDF, check_upload, check_uploads
from tests.applications.factories import PDF_BYTES, upload
from tests.portal import pdf_samples

ACTIVE = "PDF 含有脚本或嵌入文件等活动内容，出于安全原因不予接收"


@pytest.mark.parametrize(
    "make",
    [
        pdf_samples.pdf_with_javascript,
        pdf_samples.pdf_with_attachment,
        pdf_samples.pdf_with_launch_link,
        pdf_samples.pdf_with_xfa,
        pdf_samples.pdf_in_object_stream,
        pdf_samples.broken_pdf_with_escaped_script_name,
    ],
    ids=lambda make: make.__name__,
)
def test_a_pdf_with_active_content_is_refused_with_a_clear_message(make):
    with pytest.raises(ValidationError) as error:
        check_upload(upload("律师函.pdf", make()))
    message = error.value.messages[0]
    assert message.startswith("“律师函.pdf”：") and ACTIVE in message
    assert "/" not in message.removeprefix("“律师函.pdf”：")  # no PDF names or MIME types shown


@pytest.mark.parametrize(
    "content",
    [
        PDF_BYTES,
        pdf_samples.plain_pdf(),
        pdf_samples.pdf_in_object_stream(action=b"<</S/GoTo/D[3 0 R/Fit]>>"),
        pdf_samples.pdf_with_name_like_bytes_in_stream_data(),
    ],
    ids=["hand-written", "pypdf", "object-stream-goto", "name-like-bytes-in-stream-data"],
)
def test_ordinary_pdfs_pass(content):
    checked = check_upload(upload("说明书.pdf", content))
    assert checked.content_type == PDF and checked.name == "说明书.pdf"


def test_a_document_rendered_by_the_portal_passes():
    """What the center itself issues (WeasyPrint) must be accepted back, e.g. as evidence."""
    weasyprint = pytest.importorskip("weasyprint")
    content = weasyprint.HTML(
        string="<h1>行政指导意见书</h1><p>正文</p><a href='https://example.cn'>链接</a>"
    ).write_pdf()
    assert check_upload(upload("意见书.pdf", content)).content_type == PDF


def test_the_same_check_applies_to_every_batch_upload():
    with pytest.raises(ValidationError, match=ACTIVE):
        check_uploads([upload("a.pdf", PDF_BYTES), upload("b.pdf", pdf_samples.pdf_with_attachment())], max_count=5)
