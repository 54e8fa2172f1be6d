"""HTML to PDF with WeasyPrint, laid out after GB/T 9704-2012 (templates/pdf/base.html).

Fonts come from the system: the Fandol family (仿宋, 楷体, 黑体, 宋体; scripts/lib.sh installs it) and
Debian's Noto CJK for characters outside GB 2312; WeasyPrint embeds and subsets them, so text stays
selectable and searchable.

Two things the standard asks that CSS alone cannot say are done here:
- Justified Chinese: WeasyPrint justifies by widening spaces, and Chinese text has none; a justified line
  with Chinese characters is spread between its characters instead (CSS text-justify: inter-character).
- The 版记 at the foot of the last page, which must be an even page: when the body ends on an odd page,
  the 版记 is taken off that page and laid out alone at the foot of one more (even) page.
"""

import base64
import functools
import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from portal.models import SiteConfiguration

PX_TO_PT = 0.75  # WeasyPrint lays out in CSS pixels (1/96 in); PDF points are 1/72 in.

# Characters that Chinese justification spreads (CJK ideographs, kana, full-width forms, CJK punctuation).
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f]")

_weasyprint_ready = False


@dataclass(frozen=True)
class SealBox:
    """Where the seal image stands: page index (from 0) and its rectangle in PDF points, origin at
    the bottom-left of the page (as PDF signature field rectangles are given)."""

    page_index: int
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int
    seal_box: SealBox | None


# The seal is printed 40 mm wide (templates/pdf/base.html); an SVG seal is rasterised once, for
# print at 300 dpi at that size: drawn in milliseconds per document, where WeasyPrint would
# otherwise draw every path of the SVG again for each one (an electronic seal is an image in any
# case, as in GB/T 38540).
SEAL_PRINT_MM = 40
SEAL_DPI = 300


def seal_data_uri(config):
    """The center's seal (SiteConfiguration.seal) as a PNG data URI, or "" when none is configured."""
    if not config.seal:
        return ""
    try:
        with config.seal.open("rb") as handle:
            data = handle.read()
    except (FileNotFoundError, OSError):
        return ""
    return seal_png_uri(data, config.seal.name.lower().endswith(".svg"))


@functools.lru_cache(maxsize=4)
def seal_png_uri(data, is_svg):
    """`data` (the seal file's bytes) as a PNG data URI, an SVG rasterised with CairoSVG (by
    WeasyPrint's authors; it reads the same SVG subset). Cached per seal file in each process."""
    if is_svg:
        import cairosvg  # imported lazily, like WeasyPrint

        pixels = round(SEAL_PRINT_MM / 25.4 * SEAL_DPI)
        data = cairosvg.svg2png(bytestring=data, output_width=pixels, output_height=pixels, unsafe=False)
    return f"data:image/png;base64,{base64.b64encode(data).decode()}"


def render_html(template, context):
    config = SiteConfiguration.get()
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(template, {"center": config, "seal": seal_data_uri(config), **context})


def _prepare_weasyprint():
    """Import WeasyPrint (lazily: web processes that never render skip the cost) and teach it to
    justify Chinese lines between characters."""
    global _weasyprint_ready
    import weasyprint
    from weasyprint.layout import inline

    if not _weasyprint_ready:
        original = inline.justify_line

        def justify_line(context, line, extra_width):
            text = "".join(box.text for box in _text_boxes(line))
            if extra_width > 0 and _CJK.search(text):
                _spread(line, extra_width / len(text), 0)
            else:
                original(context, line, extra_width)

        inline.justify_line = justify_line
        _cache_image_streams()
        _read_font_files_lazily()
        _weasyprint_ready = True
    return weasyprint


# The PDF streams of the images printed on every document (the seal, static pictures), kept per
# process: WeasyPrint decodes a PNG and encodes it again for the PDF (colour and alpha apart) in every
# document, which cost a tenth of a document's render for the 40 mm seal at 300 dpi. Keyed by the
# image's bytes, so a changed seal is encoded anew; a few entries, a few hundred KiB at most.
IMAGE_STREAMS_KEPT = 8
_image_streams = OrderedDict()
_image_streams_lock = threading.Lock()


def _cache_image_streams():
    from weasyprint.images import RasterImage

    original = RasterImage.get_x_object

    def get_x_object(image, interpolate, dpi_ratio):
        source = image.image_data.data
        key = (hashlib.sha256(source).digest(), image.mode, image.format, bool(interpolate), dpi_ratio, image.optimize)
        with _image_streams_lock:
            recipe = _image_streams.get(key)
            if recipe is not None:
                _image_streams.move_to_end(key)
        if recipe is None:
            recipe = _stream_recipe(original(image, interpolate, dpi_ratio))
            with _image_streams_lock:
                _image_streams[key] = recipe
                while len(_image_streams) > IMAGE_STREAMS_KEPT:
                    _image_streams.popitem(last=False)
        return _stream_from(recipe)

    RasterImage.get_x_object = get_x_object


_font_init = threading.local()


class _WholeFontFile:
    """Stands for a font's whole file until something reads it (see _read_font_files_lazily)."""

    def __init__(self, face):
        self.face = face


def _read_font_files_lazily():
    """WeasyPrint copies each font's whole file into Python when a document first uses it, though
    it embeds only the subset it makes from the font's face: the four Fandol faces of an opinion
    are 22 MB copied and dropped for every document (a worker's peak memory, and time). The copy
    is made only if something reads the whole file (a font left unsubset, a variable or colour
    font), as WeasyPrint would have."""
    from weasyprint.pdf import fonts, stream

    original_data = fonts.get_hb_object_data

    def get_hb_object_data(hb_object, ot_color=None, glyph=None):
        if ot_color is None and getattr(_font_init, "active", False):
            return _WholeFontFile(hb_object)
        return original_data(hb_object, ot_color, glyph)

    class Font(fonts.Font):
        def __init__(self, *args, **kwargs):
            _font_init.active = True
            try:
                super().__init__(*args, **kwargs)
            finally:
                _font_init.active = False

        @property
        def file_content(self):
            content = self.__dict__["_file_content"]
            if isinstance(content, _WholeFontFile):
                content = self.__dict__["_file_content"] = original_data(content.face)
            return content

        @file_content.setter
        def file_content(self, content):
            self.__dict__["_file_content"] = content

    fonts.get_hb_object_data = get_hb_object_data
    stream.Font = Font


def _stream_recipe(stream):
    """An image's PDF stream as plain data (its dictionary and bytes; the soft mask's likewise): the
    writer numbers and changes the stream objects of each PDF, so each document gets new ones."""
    import pydyf

    extra = dict(stream.extra)
    mask = extra.pop("SMask", None)
    data = b"".join(pydyf._to_bytes(item) for item in stream.stream)
    return extra, data, _stream_recipe(mask) if isinstance(mask, pydyf.Stream) else None


def _stream_from(recipe):
    import pydyf

    extra, data, mask = recipe
    extra = pydyf.Dictionary(extra)
    if mask is not None:
        extra["SMask"] = _stream_from(mask)
    return pydyf.Stream([data], extra)


def _text_boxes(box):
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        yield box
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        for child in box.children:
            if child.is_in_normal_flow():
                yield from _text_boxes(child)


def _spread(box, per_character, x_advance):
    """Add `per_character` letter-spacing to every character of the line's text boxes and move the
    boxes after them along (as WeasyPrint's own add_word_spacing does for spaces)."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        box.position_x += x_advance
        if box.text:
            style = box.style.copy()
            spacing = style["letter_spacing"]
            style["letter_spacing"] = (0 if spacing == "normal" else spacing) + per_character
            box.style = style  # the text is drawn from a layout set up again with this style
            extra = per_character * len(box.text)
            box.width += extra
            x_advance += extra
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += x_advance
        before = x_advance
        for child in box.children:
            if child.is_in_normal_flow():
                x_advance = _spread(child, per_character, x_advance)
        box.width += x_advance - before
    else:
        box.translate(x_advance, 0)
    return x_advance


def _footnote_area(page):
    from weasyprint.formatting_structure import boxes

    for child in page._page_box.children:
        if isinstance(child, boxes.FootnoteAreaBox) and child.children:
            return child
    return None


def find_seal_box(document):
    """The seal image's box (id="seal") in WeasyPrint's layout tree, in PDF points."""
    from weasyprint.formatting_structure import boxes

    for index, page in enumerate(document.pages):
        for box in page._page_box.descendants(placeholders=True):
            element = getattr(box, "element", None)
            if (
                isinstance(box, boxes.ReplacedBox)
                and element is not None
                and element.get("id") == "seal"
                and box.element_tag == "img"
            ):
                x, y = box.content_box_x(), box.content_box_y()
                height = page.height * PX_TO_PT
                return SealBox(
                    page_index=index,
                    x0=x * PX_TO_PT,
                    y0=height - (y + box.height) * PX_TO_PT,
                    x1=(x + box.width) * PX_TO_PT,
                    y1=height - y * PX_TO_PT,
                )
    return None


@functools.cache
def _font_config():
    """One WeasyPrint font configuration per process: the fonts are found, loaded and measured once,
    not for every document (which halved the render time and kept a worker's memory flat)."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


LAYOUT_STYLESHEET = settings.BASE_DIR / "templates" / "pdf" / "layout.css"


def _layout_stylesheet(weasyprint, fonts):
    """templates/pdf/layout.css, parsed once per process and file version. WeasyPrint applies it
    with the user origin: below every style of the document itself, so that a kind's own styles
    (信函, 纪要, the report's header) override the common layout without fighting its selectors."""
    stat = LAYOUT_STYLESHEET.stat()
    return _parsed_stylesheet(weasyprint, fonts, str(LAYOUT_STYLESHEET), stat.st_mtime_ns)


@functools.lru_cache(maxsize=2)
def _parsed_stylesheet(weasyprint, fonts, path, mtime_ns):
    return weasyprint.CSS(filename=path, font_config=fonts)


def render_document(template, context):
    """Render `template` (under templates/pdf/) with `context`: the PDF, its page count and where the
    seal stands (for the visible signature field), or no seal box when the document has no seal."""
    weasyprint = _prepare_weasyprint()
    base_url = str(settings.BASE_DIR / "static")
    fonts = _font_config()
    layout = [_layout_stylesheet(weasyprint, fonts)]
    document = weasyprint.HTML(string=render_html(template, context), base_url=base_url).render(
        stylesheets=layout, font_config=fonts
    )
    pages = list(document.pages)
    closing = _footnote_area(pages[-1])
    if closing is not None and len(pages) % 2 == 1:
        # GB/T 9704-2012 7.4: the 版记 stands at the foot of the last page, an even one. The body ended
        # on an odd page: move the 版记 (laid out alone, on an even page) to a page of its own.
        pages[-1]._page_box.children = [child for child in pages[-1]._page_box.children if child is not closing]
        alone = weasyprint.HTML(
            string=render_html(template, {**context, "closing_only": True, "closing_page": len(pages) + 1}),
            base_url=base_url,
        ).render(stylesheets=layout, font_config=fonts)
        pages += alone.pages
        document = document.copy(pages)
    return Rendered(pdf=document.write_pdf(), pages=len(pages), seal_box=find_seal_box(document))


@functools.cache
def _libc():
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def release_memory():
    """Give the memory a render freed back to the system (glibc's malloc_trim; nothing elsewhere):
    without it the C heap of a worker keeps the high-water mark of its largest document (pango,
    HarfBuzz and the PDF buffers), tens of MiB a long-lived worker never uses again."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


def render_pdf(template, context):
    """Render `template` (under templates/pdf/) with `context`; return (pdf_bytes, page_count)."""
    rendered = render_document(template, context)
    return rendered.pdf, rendered.pages
