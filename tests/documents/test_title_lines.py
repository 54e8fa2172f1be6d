"""Titles broken into balanced lines (GB/T 9704-2012 7.3.1: 梯形或菱形, words whole), never leaving
one character alone; documents.templatetags.document_layout."""

import itertools

import pytest
from django.template import Context, Template

from documents.templatetags.document_layout import TITLE_CHARS_PER_LINE, balanced_title_lines


def widths(lines):
    return [sum(0.5 if ord(c) < 128 else 1 for c in line) for line in lines]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("海外知识产权纠纷应对行政指导意见书", ["海外知识产权纠纷应对行政指导意见书"]),
        # 21 characters: 10 + 11, not 20 + a lone 书.
        ("海外知识产权纠纷应对指导申请不予受理通知书", ["海外知识产权纠纷应对", "指导申请不予受理通知书"]),
        # The short line on top (a regular trapezoid), the break after 的/公司 and not inside a word.
        (
            "关于山西晋成精密机械有限公司海外知识产权重大纠纷情况的报告",
            ["关于山西晋成精密机械有限公司", "海外知识产权重大纠纷情况的报告"],
        ),
    ],
)
def test_known_titles(title, expected):
    assert balanced_title_lines(title) == expected


@pytest.mark.parametrize("length", range(1, 70))
def test_every_length_gives_balanced_lines_without_a_lone_character(length):
    title = ("海外知识产权纠纷应对指导中心关于" * 5)[:length]
    lines = balanced_title_lines(title)
    assert "".join(lines) == title
    sizes = widths(lines)
    assert max(sizes) <= TITLE_CHARS_PER_LINE
    if len(lines) > 1:
        assert min(sizes) >= 2
        # As few lines as fit, lengths within a few characters of each other.
        assert len(lines) == -(-length // TITLE_CHARS_PER_LINE) or max(sizes) - min(sizes) <= 4
        assert max(sizes) - min(sizes) <= 4
        # A regular trapezoid (never the long line first) or a diamond.
        rising = all(a <= b for a, b in itertools.pairwise(sizes))
        top = sizes.index(max(sizes))
        diamond = 0 < top < len(sizes) - 1 and sizes[: top + 1] == sorted(sizes[: top + 1])
        assert rising or diamond, lines


def test_numbers_latin_words_and_punctuation_stay_whole():
    title = "关于商请协助核实美国Acme Robotics Inc.展会侵权指控有关情况并提供境外律师信息的函"
    lines = balanced_title_lines(title)
    assert len(lines) == 3
    for line in lines:
        assert not line.startswith(("，", "。", "）", "〕")), lines
        assert not line.endswith(("（", "〔")), lines
    joined = " ".join(lines)
    assert "Acme" in joined and "Robotics" in joined and "Inc." in joined
    assert "2026" in " ".join(balanced_title_lines("关于2026年第一季度海外知识产权纠纷应对指导工作情况的通报"))


def test_the_template_tag_prints_one_block_line_per_line():
    html = Template("{% load document_layout %}{% document_title t %}").render(
        Context({"t": "海外知识产权纠纷应对指导申请不予受理通知书"})
    )
    assert html == (
        '<h1 class="title"><span class="title-line">海外知识产权纠纷应对</span>'
        '<span class="title-line">指导申请不予受理通知书</span></h1>'
    )
    assert Template("{% load document_layout %}{% document_title t %}").render(Context({"t": "<b>"})) == (
        '<h1 class="title"><span class="title-line">&lt;b&gt;</span></h1>'
    )
