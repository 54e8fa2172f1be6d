"""Charts of the statistics page, drawn on the server as inline SVG.

No charting library and no script: the page's Content Security Policy runs only our own static
scripts, and an SVG drawn here prints, exports and reads in a screen reader (a <title> and a <desc>
that says the figures in words) with nothing to load. Colours are SVG presentation attributes."""

import itertools

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

PALETTE = ["#1f5fa8", "#d9822b", "#2e8b57", "#8e44ad", "#c0392b", "#16a085"]
FONT = "system-ui, 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif"
_ids = itertools.count(1)


def _chart_id(prefix):
    return f"{prefix}-{next(_ids)}"


def _short(text, limit):
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _nice_max(value):
    """A round axis maximum at or above `value` (1, 2, 5 × 10ⁿ)."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if value <= step * factor:
                return step * factor
        step *= 10


def bar_chart(rows, *, title, limit=12, width=480):
    """A horizontal bar per row ({"label", "count"}), the largest first, at most `limit` rows
    (the rest summed as “其他”). Returns safe SVG markup, or "" when there is nothing to draw."""
    rows = [row for row in rows if row.get("count")]
    if not rows:
        return ""
    if len(rows) > limit:
        rest = sum(row["count"] for row in rows[limit - 1 :])
        rows = [*rows[: limit - 1], {"label": _("其余合计"), "count": rest}]
    label_width, count_width, bar_height, gap = 130, 40, 20, 8
    height = len(rows) * (bar_height + gap) + gap
    top = max(row["count"] for row in rows)
    plot = width - label_width - count_width
    chart_id = _chart_id("bar")
    summary = "；".join(f"{row['label']} {row['count']}" for row in rows)
    parts = [_open_svg(chart_id, width, height, 14, title, summary)]
    for index, row in enumerate(rows):
        y = gap + index * (bar_height + gap)
        length = max(2, round(plot * row["count"] / top))
        middle = y + bar_height / 2 + 5
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" fill="#333">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" rx="2" fill="{}"/>'
                '<text x="{}" y="{}" fill="#222" font-weight="600">{}</text>',
                label_width - 8,
                middle,
                _short(row["label"], 9),
                label_width,
                y,
                length,
                bar_height,
                PALETTE[0],
                label_width + length + 6,
                middle,
                row["count"],
            )
        )
    return _close_svg(parts)


def _open_svg(chart_id, width, height, font_size, title, summary):
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="stat-chart" role="img" viewBox="0 0 {} {}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" font-family="{}" font-size="{}" aria-labelledby="{}-t {}-d">'
        '<title id="{}-t">{}</title><desc id="{}-d">{}</desc>',
        width,
        height,
        FONT,
        font_size,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        summary,
    )


def _close_svg(parts):
    return format_html_join("", "{}", ((part,) for part in [*parts, SafeString("</svg>")]))


TREND_SERIES = [
    ("received", "收到申请"),
    ("opened", "受理立案"),
    ("closed", "结案"),
    ("consultations", "咨询"),
]


def trend_chart(points, *, title, width=720, height=300):
    """A line per series over the quarters of `points` (the figures' "trends", oldest first), with a
    legend and the values at each point. Returns safe SVG markup, or "" without points."""
    if not points:
        return ""
    series = [(key, _(label)) for key, label in TREND_SERIES]
    left, right, top_margin, bottom = 44, 40, 36, 44
    plot_w, plot_h = width - left - right, height - top_margin - bottom
    # Four grid steps of a round size (1, 2, 5 × 10ⁿ), so that the axis reads in whole numbers.
    peak = 4 * _nice_max(max((point.get(key) or 0) for point in points for key, _label in series) / 4)
    step = plot_w / max(1, len(points) - 1) if len(points) > 1 else 0
    chart_id = _chart_id("trend")

    def x_at(i):
        return left + (i * step if len(points) > 1 else plot_w / 2)

    def y_at(value):
        return top_margin + plot_h - plot_h * (value or 0) / peak

    summary = "；".join(
        f"{point['label']}：" + "，".join(f"{label} {point.get(key) or 0}" for key, label in series) for point in points
    )
    parts = [_open_svg(chart_id, width, height, 12, title, summary)]
    for tick in range(5):
        value = peak * tick / 4
        y = f"{y_at(value):.1f}"
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#e3e6ea"/>'
                '<text x="{}" y="{}" text-anchor="end" fill="#666">{}</text>',
                left,
                y,
                width - right,
                y,
                left - 6,
                f"{y_at(value) + 4:.1f}",
                f"{value:g}",
            )
        )
    for i, point in enumerate(points):
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" fill="#444">{}</text>',
                f"{x_at(i):.1f}",
                height - bottom + 18,
                _quarter_short(point["label"]),
            )
        )
    for n, (key, label) in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        coords = " ".join(f"{x_at(i):.1f},{y_at(point.get(key)):.1f}" for i, point in enumerate(points))
        parts.append(format_html('<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"/>', coords, colour))
        for i, point in enumerate(points):
            parts.append(
                format_html(
                    '<circle cx="{}" cy="{}" r="3.5" fill="{}"/>',
                    f"{x_at(i):.1f}",
                    f"{y_at(point.get(key)):.1f}",
                    colour,
                )
            )
        legend_x = left + n * 130
        parts.append(
            format_html(
                '<rect x="{}" y="8" width="14" height="14" rx="2" fill="{}"/><text x="{}" y="20" fill="#333">{}</text>',
                legend_x,
                colour,
                legend_x + 20,
                label,
            )
        )
    return _close_svg(parts)


def _quarter_short(label):
    """“2025年第1季度” → “2025 Q1” on the axis (the full label is in the table and the description)."""
    text = str(label)
    if "年第" in text and text.endswith("季度"):
        year, quarter = text[:-2].split("年第")
        return f"{year} Q{quarter}"
    return _short(text, 10)
