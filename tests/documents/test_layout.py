"""The layout of every document kind, measured in the PDF as an official measures a printed page,
against GB/T 9704-2012 (templates/pdf/base.html): A4, the 156 x 225 mm text block 37 mm from the
top and 28 mm from the binding edge, 22 lines of 28 characters at a 10.45 mm pitch, justified 仿宋
body, the 文件 header (issuer, number, red rule), a balanced title, the addressee flush left, the
signing block with the seal, page numbers and the 版记 on an even last page.

Each document is issued through its service, as staff issue it, and rendered through the same path
as the render task (documents.services.render_context + documents.pdf.render_document). Character
boxes, rules and colours are read with PyMuPDF. Tolerances: ±1 mm for margins and positions (the
standard's ±1 mm for the margins), ±0.3 mm for the line pitch.

The letter, minutes and report kinds have their own formats (信函格式, 纪要格式, 报告); here they are
measured for what all kinds share, their own headers in tests/documents/test_layout_formats.py.
With LAYOUT_PDF_DIR set, the PDFs measured are written there, one per kind."""

import itertools
import os
import re
from dataclasses import dataclass, field

import pymupdf
import pytest

from applications import services as application_services
from documents import pdf
from documents.models import Document
from documents.services import render_context
from documents.templatetags import document_layout
from meetings import services as meeting_services
from tests.documents.case_documents import CASE_KINDS, issue_case_documents
from tests.meetings.conftest import approved_agenda, convened, deputy_post, soon  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

MM = 72 / 25.4  # PDF points per millimetre
PAGE = (210.0, 297.0)
TOP, BOTTOM = 37.0, 262.0  # the text block's top and bottom edges (37 + 225)
BINDING, OUTER = 28.0, 26.0  # 订口 and the outer margin
PITCH = 10.45  # line pitch: (225 - 3号 character) / 21
CHAR = 156 / 28  # one body character, 5.57 mm
FOUR_CHARS = 4 * CHAR
TOL = 1.0
RED = (0xE6, 0x00, 0x12)

FILE_KINDS = {  # the kinds in the ordinary 文件 format, with its red header
    Document.Kind.RECEIPT,
    Document.Kind.ACCEPTANCE_NOTICE,
    Document.Kind.CORRECTION_NOTICE,
    Document.Kind.DECLINE_NOTICE,
    Document.Kind.TERMINATION_NOTICE,
    Document.Kind.GUIDANCE_OPINION,
    Document.Kind.CASE_FILE,
}
OWN_FORMAT_KINDS = set(Document.Kind) - FILE_KINDS


@dataclass
class Line:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    font: str
    color: int
    chars: list

    @property
    def compact(self):
        return "".join(self.text.split())


@dataclass
class Page:
    number: int  # from 1
    lines: list
    drawings: list
    red_images: list = field(default_factory=list)  # rectangles of images drawn mostly in red

    @property
    def left(self):
        """The text block's left edge: the binding margin on odd pages, the outer one on even."""
        return BINDING if self.number % 2 else OUTER

    @property
    def right(self):
        return self.left + 156


def red_images(document, page):
    """The rectangles of the page's images whose visible pixels are mostly seal red (the seal is
    printed as an image: a PNG, or an SVG rasterised once)."""
    found = []
    for info in page.get_image_info(xrefs=True):
        xref = info.get("xref")
        if not xref:
            continue
        pixmap = pymupdf.Pixmap(document, xref)
        if pixmap.n < 3:
            continue
        if pixmap.alpha:
            pixmap = pymupdf.Pixmap(pixmap, 0)  # drop alpha
        smask = document.extract_image(xref).get("smask")
        alpha = pymupdf.Pixmap(document, smask).samples if smask else None
        samples, step = pixmap.samples, pixmap.n
        visible = red = 0
        for index in range(0, len(samples), step * 7):  # every 7th pixel is plenty
            if alpha is not None and alpha[index // step] < 128:
                continue
            visible += 1
            r, g, b = samples[index], samples[index + 1], samples[index + 2]
            red += r > 150 and g < 110 and b < 110
        if visible and red / visible > 0.5:
            found.append(pymupdf.Rect(info["bbox"]))
    return found


def read_pages(data):
    pages = []
    with pymupdf.open(stream=data, filetype="pdf") as document:
        assert (round(document[0].rect.width / MM, 1), round(document[0].rect.height / MM, 1)) == PAGE
        for index, page in enumerate(document):
            lines = []
            for block in page.get_text("rawdict")["blocks"]:
                for line in block.get("lines", []):
                    chars = [c for span in line["spans"] for c in span["chars"] if c["c"].strip()]
                    if not chars:
                        continue
                    span = max(line["spans"], key=lambda s: len(s["chars"]))
                    lines.append(
                        Line(
                            text="".join(c["c"] for s in line["spans"] for c in s["chars"]),
                            x0=min(c["bbox"][0] for c in chars) / MM,
                            y0=min(c["bbox"][1] for c in chars) / MM,
                            x1=max(c["bbox"][2] for c in chars) / MM,
                            y1=max(c["bbox"][3] for c in chars) / MM,
                            size=round(span["size"], 1),
                            font=span["font"],
                            color=span["color"],
                            chars=chars,
                        )
                    )
            lines.sort(key=lambda line: (round(line.y0, 1), line.x0))
            pages.append(
                Page(number=index + 1, lines=lines, drawings=page.get_drawings(), red_images=red_images(document, page))
            )
    return pages


def fonts_of(data):
    with pymupdf.open(stream=data, filetype="pdf") as document:
        return {(font[3], font[1]) for page in document for font in page.get_fonts()}


def is_red(color):
    if color is None:
        return False
    r, g, b = (round(v * 255) for v in color[:3])
    return r > 200 and g < 40 and b < 60


def rgb(value):
    return (value >> 16) & 255, (value >> 8) & 255, value & 255


def body_lines(page):
    """3号 lines of the body (16 pt), without the page number."""
    return [line for line in page.lines if line.size == 16.0]


def near(value, target, tolerance=TOL):
    return abs(value - target) <= tolerance


@dataclass
class Issued:
    kind: str
    data: bytes
    pages: list
    rendered: pdf.Rendered
    context: dict


def render(document):
    """Render `document` as the render task does, and read the PDF back."""
    document.refresh_from_db()
    context = render_context(document)
    rendered = pdf.render_document(document.template, context)
    if folder := os.environ.get("LAYOUT_PDF_DIR"):  # to look at them: pdftoppm -r 60 -png …
        with open(os.path.join(folder, f"{document.kind}.pdf"), "wb") as handle:
            handle.write(rendered.pdf)
    return Issued(document.kind, rendered.pdf, read_pages(rendered.pdf), rendered, context)


# Checks. Each raises AssertionError naming the kind and what is off.


def check_block_and_grid(doc):
    for page in doc.pages:
        body = body_lines(page)
        for line in page.lines:
            if "—" in line.text and line.size == 14.0 and line.y0 > BOTTOM:
                continue  # the page number, under the block
            assert line.y0 >= TOP - TOL - (40 if doc.kind in OWN_FORMAT_KINDS else 0), (doc.kind, page.number, line)
            assert line.y1 <= BOTTOM + TOL, (doc.kind, page.number, "text below the block", line)
            assert line.x0 >= page.left - TOL and line.x1 <= page.right + TOL, (doc.kind, page.number, line)
        # Consecutive body lines one pitch apart; a page after the first starts at the block's top.
        for above, below in itertools.pairwise(body):
            gap = below.y0 - above.y0
            if 0.5 < gap < 1.5 * PITCH:
                assert near(gap, PITCH, 0.3), (doc.kind, page.number, "line pitch", round(gap, 2), below.text)
        if page.number > 1 and body and page.lines[0].size == 16.0:
            assert near(page.lines[0].y0, TOP), (doc.kind, page.number, "first line", page.lines[0].y0)


def check_characters_per_line(doc):
    """Lines of full-width characters only that run from edge to edge hold 28 characters (a line
    whose last character had to move down, as a line never starts with a comma, holds 27, spread)."""
    full = []
    for page in doc.pages:
        for line in body_lines(page):
            widths = [(c["bbox"][2] - c["bbox"][0]) / MM for c in line.chars]
            if all(w > 5.0 for w in widths) and near(line.x0, page.left, 0.5) and near(line.x1, page.right):
                full.append(len(line.chars))
    assert full, (doc.kind, "no full line of Chinese text to count")
    assert max(full) == 28 and full.count(28) >= 0.75 * len(full), (doc.kind, "characters per line", full)


def check_justified(doc):
    """A line followed by another line of the same paragraph (one pitch lower, starting at the
    block's left edge) reaches the right edge: most of them, as some end before a long number."""
    inner, reaching = 0, 0
    for page in doc.pages:
        body = [line for line in body_lines(page) if line.font.endswith("FandolFang")]
        for above, below in itertools.pairwise(body):
            if near(below.y0 - above.y0, PITCH, 0.3) and near(below.x0, page.left, 0.3) and above.x1 > page.left + 120:
                inner += 1
                reaching += above.x1 >= page.right - 1.0
    assert inner, (doc.kind, "no paragraph of two lines")
    assert reaching / inner >= 0.9, (doc.kind, f"justified lines {reaching}/{inner}")


def title_lines_of(doc):
    first = doc.pages[0]
    return [line for line in first.lines if line.size == 22.0]


def check_title(doc):
    lines = title_lines_of(doc)
    assert lines, (doc.kind, "no 2号 title")
    centre = (doc.pages[0].left + doc.pages[0].right) / 2
    widths = []
    for line in lines:
        assert "Song" in line.font and "Bold" in line.font, (doc.kind, line.font)
        assert len(line.compact) >= 2, (doc.kind, "a title line of one character", [t.text for t in lines])
        assert near((line.x0 + line.x1) / 2, centre), (doc.kind, "title not centred", line)
        widths.append(line.x1 - line.x0)
    assert document_layout._shape_ok([round(w / 7.76) for w in widths]), (doc.kind, "title shape", widths)


def check_addressee(doc, addressee):
    first = doc.pages[0]
    line = next(line for line in first.lines if line.compact == f"{addressee}：")
    assert near(line.x0, first.left, 0.3), (doc.kind, "addressee not flush left", line.x0)
    title = title_lines_of(doc)[-1]
    assert near(line.y0 - title.y0, 2 * PITCH, 1.5), (doc.kind, "addressee one line under the title")


def check_header(doc):
    """The 文件 header: issuer in red, its top 35 mm under the block's top; the number two lines
    under it; a red rule as wide as the block, 4 mm under the number."""
    first = doc.pages[0]
    issuer = first.lines[0]
    assert issuer.compact == doc.context["center_issuing_body"], (doc.kind, "issuer", issuer.text)
    assert rgb(issuer.color) == RED, (doc.kind, "issuer colour", hex(issuer.color))
    assert near(issuer.y0, TOP + 35), (doc.kind, "issuer top", issuer.y0)
    centre = (first.left + first.right) / 2
    assert near((issuer.x0 + issuer.x1) / 2, centre), (doc.kind, "issuer centred")
    rules = [d for d in first.drawings if is_red(d.get("fill")) and d["rect"].height / MM < 1.0]
    assert len(rules) == 1, (doc.kind, "one red rule", rules)
    rule = rules[0]["rect"]
    assert near(rule.width / MM, 156), (doc.kind, "rule width", rule.width / MM)
    assert near(rule.x0 / MM, first.left), (doc.kind, "rule left", rule.x0 / MM)
    number = doc.context["number"]
    if number:
        line = next(line for line in first.lines if line.compact == number)
        assert near(line.y0 - issuer.y1, 2 * PITCH), (doc.kind, "number two lines under the issuer")
        assert near((line.x0 + line.x1) / 2, centre), (doc.kind, "number centred")
        assert near(rule.y0 / MM - line.y1, 4.0, 0.5), (doc.kind, "rule 4 mm under the number", rule.y0 / MM - line.y1)
    # The title on the grid's eleventh line, two blank lines under the rule: a 22 pt character centred
    # in the line where a 16 pt one would stand at TOP + 10 pitches.
    title = title_lines_of(doc)[0]
    assert near(title.y0, TOP + 10 * PITCH - 3 / MM, 0.5), (doc.kind, "title two lines under the rule", title.y0)


def signing_lines(doc):
    """(page, name line, date line) of the signing block: the last date line with the issuing body's
    name one line above it."""
    date = doc.context["issued_on_cn"]
    body_name = doc.context.get("center_issuing_body")
    found = None
    for page in doc.pages:
        lines = body_lines(page)
        for index, line in enumerate(lines):
            if line.compact == date and index > 0 and near(line.y0 - lines[index - 1].y0, PITCH, 0.5):
                name = lines[index - 1]
                if body_name is None or name.compact == body_name:
                    found = (page, name, line)
    assert found, (doc.kind, "no signing block (name over date)")
    return found


def text_above(page, name):
    """The document's text above the signing block on its page (not the seal's, which is drawn)."""
    return [line for line in page.lines if line.y1 < name.y0 - 1 and line.size >= 10]


def check_signing(doc):
    page, name, date = signing_lines(doc)
    assert near(page.right - date.x1, FOUR_CHARS), (doc.kind, "date 4 characters from the right", page.right - date.x1)
    assert near((name.x0 + name.x1) / 2, (date.x0 + date.x1) / 2), (doc.kind, "name not centred over the date")
    # Never on a page without body text above it.
    assert text_above(page, name), (doc.kind, f"the signing block stands alone on page {page.number}")


def seal_drawings(page):
    drawn = [
        d
        for d in page.drawings
        if (is_red(d.get("fill")) or is_red(d.get("color"))) and d["rect"].height / MM > 2 and d["rect"].width / MM > 2
    ]
    return drawn + [{"rect": rect} for rect in page.red_images if rect.height / MM > 2 and rect.width / MM > 2]


def check_seal(doc):
    page, name, date = signing_lines(doc)
    seal = seal_drawings(page)
    assert seal, (doc.kind, "no seal")
    box = pymupdf.Rect(seal[0]["rect"])
    for drawing in seal[1:]:
        box |= drawing["rect"]
    x0, y0, x1, y1 = (v / MM for v in box)
    assert 35 <= x1 - x0 <= 45 and 35 <= y1 - y0 <= 45, (doc.kind, "seal size", x1 - x0, y1 - y0)
    for line in (name, date):  # pressing on both
        assert x0 < (line.x0 + line.x1) / 2 < x1 and y0 < line.y0 and line.y1 < y1, (doc.kind, "seal off", line)
    assert near((x0 + x1) / 2, (date.x0 + date.x1) / 2), (doc.kind, "seal not centred on the date")
    assert (y0 + y1) / 2 < name.y0 + 3, (doc.kind, "name and date not in the seal's lower half")
    above = max(line.y1 for line in text_above(page, name))
    assert y0 - above <= PITCH, (doc.kind, "seal top more than one line under the body", y0 - above)
    # The box render_document reports for the signature field is where the seal is drawn.
    seal_box = doc.rendered.seal_box
    assert seal_box is not None and seal_box.page_index == page.number - 1, (doc.kind, seal_box)
    height = PAGE[1] * MM
    reported = pymupdf.Rect(seal_box.x0, height - seal_box.y1, seal_box.x1, height - seal_box.y0)
    assert reported.contains(pymupdf.Rect(box.x0 + 1, box.y0 + 1, box.x1 - 1, box.y1 - 1)), (doc.kind, reported, box)


def check_page_numbers(doc, *, first_page=True):
    for page in doc.pages:
        if page.number == 1 and not first_page:
            continue
        numbers = [line for line in page.lines if re.fullmatch(rf"—\s*{page.number}\s*—", line.text.strip())]
        assert len(numbers) == 1, (doc.kind, page.number, "page number")
        number = numbers[0]
        assert number.size == 14.0, (doc.kind, "page number 4号")
        assert near(number.y0, BOTTOM + 7), (doc.kind, page.number, "page number 7 mm under the block", number.y0)
        if page.number % 2:
            assert near(page.right - number.x1, 14 / MM), (doc.kind, page.number, "odd page number right")
        else:
            assert near(number.x0 - page.left, 14 / MM), (doc.kind, page.number, "even page number left")


def check_closing(doc):
    last = doc.pages[-1]
    assert last.number % 2 == 0, (doc.kind, f"the 版记 on odd page {last.number}")
    printed = [line for line in last.lines if line.text.endswith("印发")]
    assert printed, (doc.kind, "no 版记 on the last page")
    assert near(printed[0].y1, BOTTOM - (PITCH - 4.94) / 2, 1.5), (doc.kind, "版记 not at the foot", printed[0].y1)
    for page in doc.pages[:-1]:
        assert not [line for line in page.lines if line.text.endswith("印发")], (doc.kind, "版记 before the last page")
    rules = [d for d in last.drawings if d.get("fill") == (0.0, 0.0, 0.0) and near(d["rect"].width / MM, 156)]
    assert rules and near(max(d["rect"].y1 for d in rules) / MM, BOTTOM, 0.5), (doc.kind, "版记 rules")


def check_fonts(doc):
    fonts = fonts_of(doc.data)
    for name, ext in fonts:
        assert ext != "n/a", (doc.kind, "font not embedded", name)
        assert re.match(r"^[A-Z]{6}\+", name), (doc.kind, "font not subset", name)
    body = [line for page in doc.pages for line in body_lines(page)]
    fang = [line for line in body if line.font.endswith("FandolFang")]
    assert body and len(fang) >= 0.6 * len(body), (doc.kind, "body font", {line.font for line in body})


def check_all(doc, *, addressee=None):
    check_fonts(doc)
    check_block_and_grid(doc)
    check_title(doc)
    check_signing(doc)
    check_seal(doc)
    if addressee:
        check_addressee(doc, addressee)
    if doc.kind in FILE_KINDS:
        check_header(doc)
        check_page_numbers(doc)
        check_closing(doc)
    else:
        check_page_numbers(doc, first_page=False)


# The documents, issued as staff issue them.

LONG_REASON = (
    "申请材料中未提供境外权利人发出的警告函、起诉状或者行政调查通知等证明纠纷存在的材料，"
    "也未说明纠纷所涉产品的出口国家、出口金额和主要客户，无法判断纠纷的性质和影响。"
)


def _with_center(doc):
    from portal.models import SiteConfiguration

    doc.context["center_issuing_body"] = SiteConfiguration.get().issuing_body
    return doc


def test_the_receipt_and_the_notices_on_an_application(submitted, staff, django_capture_on_commit_callbacks):
    application = submitted()
    receipt = _with_center(render(Document.objects.get(kind=Document.Kind.RECEIPT, subject_id=application.pk)))
    check_all(receipt, addressee=application.applicant_name)
    decisions = [
        (Document.Kind.ACCEPTANCE_NOTICE, application_services.application_accept, {"note": ""}),
        (Document.Kind.CORRECTION_NOTICE, application_services.application_return, {"reason": LONG_REASON}),
        (Document.Kind.DECLINE_NOTICE, application_services.application_decline, {"reason": LONG_REASON}),
    ]
    for kind, decide, extra in decisions:
        application = submitted()
        with django_capture_on_commit_callbacks(execute=True):
            decide(application=application, by=staff, **extra)
        notice = _with_center(render(Document.objects.get(kind=kind, subject_id=application.pk)))
        check_all(notice, addressee=application.applicant_name)
        check_justified(notice)
        check_characters_per_line(notice)


@pytest.fixture
def case_documents(applicant_org, staff, director, agency, django_capture_on_commit_callbacks):
    case, _seminar, documents = issue_case_documents(
        applicant_org=applicant_org,
        staff=staff,
        director=director,
        agency=agency,
        capture=django_capture_on_commit_callbacks,
        letter_body=LONG_REASON,
        opinion={"analysis": LONG_REASON * 3, "risks": LONG_REASON},
        analysis=LONG_REASON,
        termination_reason=LONG_REASON,
    )
    return case, documents


def test_the_documents_of_a_case(case_documents):
    """Every kind a case issues, from one case (issuing them all is most of the cost): each kind is
    measured, and the failures of all of them are reported together, each under its kind."""
    case, documents = case_documents
    failures = []
    for kind in [*CASE_KINDS, Document.Kind.CASE_FILE]:
        try:
            doc = _with_center(render(documents[kind]))
            addressee = {
                Document.Kind.GUIDANCE_OPINION: case.applicant_name,
                Document.Kind.TERMINATION_NOTICE: case.applicant_name,
            }.get(kind)
            check_all(doc, addressee=addressee)
            if kind in (Document.Kind.GUIDANCE_OPINION, Document.Kind.TERMINATION_NOTICE):
                check_justified(doc)
                check_characters_per_line(doc)
        except AssertionError as failure:
            failures.append(f"{kind}: {failure}")
    assert failures == [], "\n\n".join(failures)


def test_the_minutes_of_a_joint_meeting(
    approved_agenda,  # noqa: F811 - fixture
    staff,
    deputy,
    django_capture_on_commit_callbacks,
):
    minutes = meeting_services.minutes_start(meeting=approved_agenda, by=staff)
    entry = minutes.entries.first()
    meeting_services.minutes_record(
        minutes=minutes,
        by=staff,
        summary=LONG_REASON,
        entries={entry.pk: {"discussion": LONG_REASON, "decisions": "由省商务厅牵头梳理指引。"}},
    )
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.minutes_approve(minutes=minutes, by=deputy)
    minutes.refresh_from_db()
    check_all(_with_center(render(minutes.document)))


# The checks catch what they are for.


@pytest.fixture
def decline_notice(submitted, staff, django_capture_on_commit_callbacks):
    application = submitted()
    with django_capture_on_commit_callbacks(execute=True):
        application_services.application_decline(application=application, by=staff, reason=LONG_REASON)
    return Document.objects.get(kind=Document.Kind.DECLINE_NOTICE, subject_id=application.pk)


def test_a_missing_seal_fails(decline_notice, monkeypatch):
    monkeypatch.setattr(pdf, "seal_data_uri", lambda config: "")
    doc = _with_center(render(decline_notice))
    assert doc.rendered.seal_box is None
    with pytest.raises(AssertionError, match="no seal"):
        check_seal(doc)


def test_a_single_character_title_line_fails(decline_notice, monkeypatch):
    title = "海外知识产权纠纷应对指导申请不予受理通知书"  # 21 characters: 20 + 1 when filled greedily
    decline_notice.context["title"] = title
    decline_notice.save(update_fields=["context"])
    assert [len(line) for line in document_layout.balanced_title_lines(title)] == [10, 11]
    monkeypatch.setattr(document_layout, "balanced_title_lines", lambda text, max_width=20: [text[:20], text[20:]])
    with pytest.raises(AssertionError, match="one character"):
        check_title(_with_center(render(decline_notice)))


def test_an_orphaned_signing_block_fails(decline_notice, monkeypatch):
    render_html = pdf.render_html

    def signing_on_its_own_page(template, context):
        return render_html(template, context).replace("</head>", "<style>.signing{break-before:page}</style></head>")

    monkeypatch.setattr(pdf, "render_html", signing_on_its_own_page)
    with pytest.raises(AssertionError, match="stands alone"):
        check_signing(_with_center(render(decline_notice)))


def test_the_seal_box_is_where_the_seal_is_drawn(decline_notice):
    doc = _with_center(render(decline_notice))
    check_seal(doc)
    box = doc.rendered.seal_box
    # 40 mm square, its centre on the date's centre.
    assert near((box.x1 - box.x0) / MM, 40, 0.2) and near((box.y1 - box.y0) / MM, 40, 0.2)
    _page, _name, date = signing_lines(doc)
    assert near((box.x0 + box.x1) / 2 / MM, (date.x0 + date.x1) / 2)
