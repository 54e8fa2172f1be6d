"""Layout helpers for official documents (templates/pdf): the title broken into balanced lines.

GB/T 9704-2012 7.3.1: a title that needs more than one line "回行时，要做到词意完整，排列对称，长短适宜，
间距恰当，标题排列应当使用梯形或菱形". Here: as few lines as the text block allows, lengths as even as
possible, shaped as a regular trapezoid (each line at least as long as the one above: the short line on
top, never the long line first) or, for three or more lines, a diamond (the middle line longest); a break
never splits a number, a Latin word or a common two-character word, never leaves punctuation at the
start of a line or an opening bracket at its end, and never leaves a character alone on a line.
"""

import itertools
import math
import re

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()

# A 2号 (22 pt) title in a 156 mm (442 pt) text block: 20 characters a line.
TITLE_CHARS_PER_LINE = 20

# Width of a character in the title's em: half-width for digits, Latin and ASCII punctuation.
_HALF = re.compile(r"[\x20-\x7e]")
# Never at the start of a line / at the end of a line (GB/T 15834 and the usual 避头尾 rules).
_NO_START = set("，。、；：？！）》」』】〕”’％‰·…—")
_NO_END = set("（《「『【〔“‘")
# Breaking after these reads naturally (a phrase ends): 关于…的 / …和… / …与… / …及….
_GOOD_AFTER = set("的于和与及对在")
# Common words in document titles that a break must not split.
_WORDS = (  # noqa: SIM905 - a line of words reads better than a list of quoted strings
    "关于 海外 知识 产权 知识产权 纠纷 应对 指导 行政 意见 意见书 申请 材料 接收 回执 受理 不予 通知 通知书 补正 终止 "
    "办理 协助 会议 纪要 专家 研讨 研讨会 联席 例会 情况 通报 报告 重大 案卷 案件 中心 涉外 山西 山西省 商请 核实 "
    "维权 援助 工作 有关 事项 请示 函复"
).split()


def _width(text):
    return sum(0.5 if _HALF.match(char) else 1 for char in text)


def _forbidden_breaks(text):
    """Positions i (a break before text[i]) that would split a word, a number or a Latin run,
    or leave punctuation where it must not stand."""
    forbidden = set()
    for i in range(1, len(text)):
        before, after = text[i - 1], text[i]
        if after in _NO_START or before in _NO_END:
            forbidden.add(i)
        if _HALF.match(before) and _HALF.match(after) and not (before == " " or after == " "):
            forbidden.add(i)
    for word in sorted(_WORDS, key=len, reverse=True):
        for match in re.finditer(re.escape(word), text):
            forbidden.update(range(match.start() + 1, match.end()))
    return forbidden


def _shape_ok(widths):
    """A regular trapezoid (non-decreasing downwards) or, for three or more lines, a diamond
    (rising to a longest line, then falling)."""
    if all(a <= b for a, b in itertools.pairwise(widths)):
        return True
    if len(widths) < 3:
        return False
    top = widths.index(max(widths))
    rising = all(a <= b for a, b in itertools.pairwise(widths[: top + 1]))
    falling = all(a >= b for a, b in itertools.pairwise(widths[top:]))
    return rising and falling and 0 < top < len(widths) - 1


def _splits(n, count, lo, hi):
    """Every way of cutting range(n) into `count` pieces, each piece's length in [lo, hi]."""
    if count == 1:
        if lo <= n <= hi:
            yield ()
        return
    for first in range(lo, min(hi, n - lo * (count - 1)) + 1):
        for rest in _splits(n - first, count - 1, lo, hi):
            yield (first, *(first + cut for cut in rest))


def balanced_title_lines(title, max_width=TITLE_CHARS_PER_LINE):
    """`title` as a list of lines for a centred title block (see the module's docstring)."""
    title = " ".join(str(title).split())
    if _width(title) <= max_width:
        return [title] if title else []
    forbidden = _forbidden_breaks(title)
    count = math.ceil(_width(title) / max_width)
    while count <= len(title):
        best = None
        ideal = _width(title) / count
        slack = max(2, math.ceil(ideal * 0.35))
        for cuts in _splits(len(title), count, max(2, math.floor(ideal) - slack), math.ceil(ideal) + slack):
            if any(cut in forbidden for cut in cuts):
                continue
            bounds = (0, *cuts, len(title))
            lines = [title[a:b].strip() for a, b in itertools.pairwise(bounds)]
            widths = [_width(line) for line in lines]
            if max(widths) > max_width or min(widths) < 2 or not _shape_ok(widths):
                continue
            # Even lengths first; then a natural phrase end; then the trapezoid over the diamond.
            score = sum((w - ideal) ** 2 for w in widths)
            score -= 0.6 * sum(1 for cut in cuts if title[cut - 1] in _GOOD_AFTER)
            score += 0.1 * (widths != sorted(widths))
            if best is None or score < best[0]:
                best = (score, lines)
        if best is not None:
            return best[1]
        count += 1
    return [title]


@register.filter
def title_lines(title):
    """The title broken into balanced lines: {% for line in title|title_lines %}."""
    return balanced_title_lines(title)


@register.simple_tag
def document_title(title):
    """The 2号 title of a document, centred, one block line per balanced line."""
    lines = balanced_title_lines(title)
    if not lines:
        return ""
    return format_html(
        '<h1 class="title">{}</h1>',
        format_html_join("", '<span class="title-line">{}</span>', ((line,) for line in lines)),
    )
