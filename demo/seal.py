"""A demonstration seal for the demo data and the tests: a round red seal (ring, five-pointed star,
the center's name on the upper arc) marked 演示专用 in its lower half, drawn here so that no real
seal is ever copied or imitated. Centres configure their own seal image in the admin."""

import functools
import math
from pathlib import Path
from xml.sax.saxutils import escape

from django.core.files.base import ContentFile

SEAL_RED = "#e60012"
DEMO_MARK = "演示专用"
# Where scripts/lib.sh installs the Fandol fonts, and where Debian's TeX Live keeps them.
SEAL_FONT_PATHS = (
    Path("/usr/local/share/fonts/fandol/FandolSong-Bold.otf"),
    Path("/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/FandolSong-Bold.otf"),
)


@functools.cache
def _glyph_font():
    """The bold Song font's glyph outlines (fontTools, which WeasyPrint already needs), so that the
    seal's characters are drawn as shapes: a seal is a picture, and its letters must not mix into
    the text that readers copy or search. None when the font is not installed (letters as text)."""
    path = next((path for path in SEAL_FONT_PATHS if path.exists()), None)
    if path is None:
        return None
    from fontTools.ttLib import TTFont

    return TTFont(path)


def _glyph(char, x, y, size, rotate=0.0):
    """`char` as an SVG path centred on (x, y), `size` units tall, turned by `rotate` degrees; or
    as SVG text when the font is missing."""
    font = _glyph_font()
    if font is None:
        return (
            f'<text x="{x:.2f}" y="{y:.2f}" transform="rotate({rotate:.2f} {x:.2f} {y:.2f})" '
            f'text-anchor="middle" dominant-baseline="central" font-size="{size}">{escape(char)}</text>'
        )
    from fontTools.pens.svgPathPen import SVGPathPen

    glyph_set = font.getGlyphSet()
    name = font.getBestCmap().get(ord(char))
    if name is None:
        return ""
    pen = SVGPathPen(glyph_set)
    glyph_set[name].draw(pen)
    units = font["head"].unitsPerEm
    scale = size / units
    advance = glyph_set[name].width
    # Font units have y upwards; the em box's centre is at (advance / 2, 0.38 em) for these fonts
    # (ascender 0.88, descender -0.12).
    return (
        f'<path transform="translate({x:.2f} {y:.2f}) rotate({rotate:.2f}) scale({scale:.5f} {-scale:.5f}) '
        f'translate({-advance / 2:.1f} {-0.38 * units:.1f})" d="{pen.getCommands()}"/>'
    )


def _star(cx, cy, outer, inner):
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = math.radians(-90 + 36 * i)
        points.append(f"{cx + radius * math.cos(angle):.2f},{cy + radius * math.sin(angle):.2f}")
    return " ".join(points)


def demo_seal_svg(name):
    """The seal as SVG text, 40 x 40 mm. The name runs clockwise over the upper arc, each character
    upright towards the centre, as on a round official seal."""
    size, centre = 200, 100
    chars = list(name) or ["演", "示"]
    # The name spans up to 240 degrees around the top, centred on it.
    span = min(240.0, 19.0 * len(chars))
    step = span / max(len(chars) - 1, 1) if len(chars) > 1 else 0
    font = 22 if len(chars) <= 12 else max(14, 22 - (len(chars) - 12))
    radius = 72
    letters = []
    for index, char in enumerate(chars):
        angle = -span / 2 + step * index if len(chars) > 1 else 0.0
        rad = math.radians(angle - 90)
        x, y = centre + radius * math.cos(rad), centre + radius * math.sin(rad)
        letters.append(_glyph(char, x, y, font, angle))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="40mm" height="40mm" viewBox="0 0 {size} {size}">'
        f'<g fill="{SEAL_RED}" stroke="none" opacity="0.8" '
        'font-family="FandolSong, Noto Serif CJK SC, serif" font-weight="bold">'
        f'<circle cx="{centre}" cy="{centre}" r="94" fill="none" stroke="{SEAL_RED}" stroke-width="6"/>'
        f'<polygon points="{_star(centre, centre, 30, 12)}"/>'
        f"{''.join(letters)}"
        + "".join(_glyph(char, centre + 20 * (i - 1.5), 145, 20) for i, char in enumerate(DEMO_MARK))
        + "</g></svg>\n"
    )


def seed(out):
    """Give the center the demonstration seal unless it has a seal already."""
    from portal.models import SiteConfiguration

    config = SiteConfiguration.get()
    config = SiteConfiguration.objects.get(pk=config.pk)
    if config.seal:
        return
    config.seal.save("demo-seal.svg", ContentFile(demo_seal_svg(config.issuing_body).encode()), save=False)
    config.save()
    out.write("Demo seal drawn for the center (marked 演示专用).\n")
