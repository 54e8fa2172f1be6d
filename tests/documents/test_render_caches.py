"""What a worker keeps from one document to the next must never show on the wrong document: the
seal's PDF image is kept per process (documents.pdf), keyed by the image's bytes, so a seal changed
in the admin is printed on the very next document; fonts are still embedded as subsets when
WeasyPrint no longer copies each whole font file."""

import base64
import io

import pymupdf
import pytest
from PIL import Image, ImageDraw

from documents import pdf
from tests.documents.helpers import pdf_fonts

pytestmark = pytest.mark.django_db

CONTEXT = {
    "number": "晋知指发〔2026〕7号",
    "title": "海外知识产权纠纷应对行政指导意见书",
    "addressee": "太原晋成精密机械有限公司",
    "application_number": "SQ-2026-000007",
    "case_number": "AJ-2026-000007",
    "submitted_on": "2026年11月2日",
    "issued_on_cn": "2026年11月22日",
    "sections": [
        {"heading": "一、意见", "paragraphs": ["经初步比对，涉案专利独立权利要求中的技术特征未见于申请人产品。"]}
    ],
}


def seal_uri(colour):
    """A transparent PNG seal: a filled disc of `colour`."""
    image = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((10, 10, 190, 190), fill=(*colour, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def seal_colour(data):
    """The colour at the centre of the seal image in the rendered PDF (the page's largest image)."""
    document = pymupdf.open(stream=data, filetype="pdf")
    for page in document:
        images = page.get_image_info(xrefs=True)
        if images:
            largest = max(images, key=lambda info: info["width"] * info["height"])
            pixmap = pymupdf.Pixmap(document, largest["xref"])
            if pixmap.alpha:
                pixmap = pymupdf.Pixmap(pixmap, 0)
            return pixmap.pixel(pixmap.width // 2, pixmap.height // 2)[:3]
    return None


def render_with_seal(monkeypatch, colour):
    monkeypatch.setattr(pdf, "seal_data_uri", lambda config: seal_uri(colour))
    return pdf.render_document("pdf/guidance_opinion.html", CONTEXT)


def test_a_changed_seal_is_printed_on_the_next_document_and_the_kept_one_again_after(monkeypatch):
    red, blue = (230, 0, 18), (0, 40, 200)
    first = render_with_seal(monkeypatch, red)
    second = render_with_seal(monkeypatch, blue)
    third = render_with_seal(monkeypatch, red)
    assert seal_colour(first.pdf) == red
    assert seal_colour(second.pdf) == blue
    assert seal_colour(third.pdf) == red
    # The seal keeps its transparency: its soft mask travels with the kept image.
    document = pymupdf.open(stream=third.pdf, filetype="pdf")
    xref = max(document[third.seal_box.page_index].get_image_info(xrefs=True), key=lambda i: i["width"])["xref"]
    assert document.extract_image(xref).get("smask")


def test_fonts_are_embedded_as_subsets_document_after_document(monkeypatch):
    for _ in range(2):
        rendered = render_with_seal(monkeypatch, (230, 0, 18))
        listing = pdf_fonts(rendered.pdf).splitlines()[2:]  # pdffonts: two header lines, then a font a line
        assert len(listing) >= 4, listing  # 仿宋 body, 黑体 headings, bold 宋体 title and issuer, 宋体 numbers
        # Columns emb, sub and uni: embedded, a subset, with a Unicode map (text stays searchable).
        assert all(line.split()[-5:-2] == ["yes", "yes", "yes"] for line in listing), listing
        assert any("+FandolFang" in line for line in listing), listing


def test_release_memory_runs_after_a_render(monkeypatch):
    render_with_seal(monkeypatch, (230, 0, 18))
    pdf.release_memory()  # glibc's malloc_trim where there is one; never raises
    assert pdf._libc() is None or hasattr(pdf._libc(), "malloc_trim")
