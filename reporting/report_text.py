"""What a work report prints: its figures as prose and tables, the staff's commentary as
paragraphs and headings, in the order and numbering of GB/T 9704 (一、… then （一）…). Used by the PDF
and by the admin's preview, which shows the figures as the PDF will print them."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from documents.formatting import chinese_date, person_name
from portal.models import SiteConfiguration, User
from reporting import selectors
from reporting.models import WorkReport

ORDINALS = "一二三四五六七八九十"
# Characters of the 2号 (22 pt) title on one line of the 156 mm text block.
TITLE_LINE_CHARS = 19


def _n(value) -> str:
    """A working-day figure: 3 or 3.5, '—' when there is none."""
    if value is None:
        return "—"
    value = round(float(value), 1)
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def _share(value) -> str:
    """A share (0..1) as a percentage: 92.3%."""
    if value is None:
        return "—"
    return f"{round(float(value) * 100, 1):g}%"


def _top(rows, count=3, unit=None) -> str:
    unit = unit or _("件")
    return "、".join(f"{row.get('label') or row.get('key')}（{row.get('count', 0)}{unit}）" for row in rows[:count])


def _paragraphs(text: str) -> list[dict]:
    """Commentary lines as paragraphs; a line like （一）… is a level-2 heading."""
    blocks = []
    for line in (text or "").splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        heading = line.startswith("（") and "）" in line[:5] and len(line) <= 30 and not line.endswith("。")
        blocks.append({"type": "h2" if heading else "p", "text": line})
    return blocks


# The report prints the case categories, not the workstations (those are the center's own business).
REPORTED_DIMENSIONS = {key: label for key, label in selectors.DIMENSIONS.items() if key != "service_point"}


def figure_blocks(figures: dict, *, period_word: str, as_of: str) -> list[dict]:
    """The figures as the report writes them: prose with tables, level-2 headings （一）…."""
    blocks = []
    tables = 0

    def heading(text):
        blocks.append({"type": "h2", "text": f"（{ORDINALS[sum(b['type'] == 'h2' for b in blocks)]}）{text}"})

    def table(caption, columns, rows, widths, text_columns=1):
        nonlocal tables
        tables += 1
        blocks.append(
            {
                "type": "table",
                "caption": _("表%(n)s %(caption)s") % {"n": tables, "caption": caption},
                "columns": [str(column) for column in columns],
                "rows": rows,
                "widths": widths,
                "text_columns": text_columns,
            }
        )

    apps = figures.get("applications", {})
    consult = figures.get("consultations", {})
    heading(_("申请受理情况"))
    text = _(
        "%(period)s共收到海外知识产权纠纷应对指导申请%(received)s件，受理%(accepted)s件，退回补正%(returned)s件，"
        "不予受理%(declined)s件，申请人撤回%(withdrawn)s件。"
    ) % {
        "period": period_word,
        **{k: apps.get(k, 0) for k in ("received", "accepted", "returned", "declined", "withdrawn")},
    }
    if consult.get("total"):
        text += _("接待咨询%(total)s次") % {"total": consult["total"]}
        channels = _top(consult.get("by_channel", []), 4, _("次"))
        text += (_("，其中%(channels)s") % {"channels": channels} if channels else "") + "。"
    blocks.append({"type": "p", "text": text})

    cases = figures.get("cases", {})
    heading(_("案件办理情况"))
    blocks.append(
        {
            "type": "p",
            "text": _(
                "%(period)s新立案件%(opened)s件，结案%(closed)s件，终止办理%(terminated)s件。截至%(as_of)s，"
                "在办案件%(open_now)s件，其中超过办理期限%(overdue_now)s件。"
            )
            % {
                "period": period_word,
                "as_of": as_of,
                **{k: cases.get(k, 0) for k in ("opened", "closed", "terminated", "open_now", "overdue_now")},
            },
        }
    )
    dimensions = figures.get("dimensions", {})
    rows = [
        [str(label), _top(dimensions.get(key, []), 3)]
        for key, label in REPORTED_DIMENSIONS.items()
        if dimensions.get(key)
    ]
    if rows:
        main = [
            _("%(dimension)s以%(top)s为主") % {"dimension": label, "top": _top(dimensions[key], 2)}
            for key, label in list(REPORTED_DIMENSIONS.items())[:3]
            if dimensions.get(key)
        ]
        if main:
            blocks.append({"type": "p", "text": _("从新立案件看，") + "；".join(main) + "。"})
        table(_("新立案件分类情况（前三位）"), [_("分类"), _("主要分布")], rows, [24, 76], text_columns=2)

    handling = figures.get("handling", {})
    stages = [
        ("acceptance", _("受理审查")),
        ("first_contact", _("首次联系申请人")),
        ("opinion", _("出具指导意见")),
    ]
    timed = [(key, label, handling.get(key) or {}) for key, label in stages]
    if any(t.get("count") for _k, _l, t in timed):
        heading(_("办理时效"))
        parts = [
            _("%(stage)s用时中位数%(median)s个工作日，按期率%(share)s")
            % {"stage": label, "median": _n(t.get("median")), "share": _share(t.get("on_time_share"))}
            for _key, label, t in timed
            if t.get("count")
        ]
        overdue = handling.get("overdue_now", {})
        text = _("%(period)s") % {"period": period_word} + "；".join(parts) + "。"
        text += _("截至%(as_of)s，受理审查逾期%(a)s件，首次联系逾期%(f)s件，指导意见逾期%(o)s件。") % {
            "as_of": as_of,
            "a": overdue.get("acceptance", 0),
            "f": overdue.get("first_contact", 0),
            "o": overdue.get("opinion", 0),
        }
        blocks.append({"type": "p", "text": text})
        table(
            _("办理时效（工作日）"),
            [_("环节"), _("件数"), _("中位数"), _("90%分位"), _("按期"), _("按期率")],
            [
                [
                    str(label),
                    t.get("count", 0),
                    _n(t.get("median")),
                    _n(t.get("p90")),
                    t.get("on_time", 0),
                    _share(t.get("on_time_share")),
                ]
                for _key, label, t in timed
            ],
            [28, 12, 15, 15, 12, 18],
        )

    letters = figures.get("letters", [])
    heading(_("协助单位办理情况"))
    sent = sum(row.get("sent", 0) for row in letters)
    if sent or any(row.get("overdue") for row in letters):
        blocks.append(
            {
                "type": "p",
                "text": _(
                    "%(period)s向协助单位发出协助办理函%(sent)s件次，已签收%(ack)s件次，已回复%(answered)s件次；"
                    "截至%(as_of)s，逾期未回复%(overdue)s件次。"
                )
                % {
                    "period": period_word,
                    "sent": sent,
                    "ack": sum(row.get("acknowledged", 0) for row in letters),
                    "answered": sum(row.get("answered", 0) for row in letters),
                    "overdue": sum(row.get("overdue", 0) for row in letters),
                    "as_of": as_of,
                },
            }
        )
        table(
            _("协助办理函办理情况"),
            [_("协助单位"), _("发函"), _("签收"), _("回复"), _("回复用时中位数"), _("逾期")],
            [
                [
                    row.get("agency", ""),
                    row.get("sent", 0),
                    row.get("acknowledged", 0),
                    row.get("answered", 0),
                    _n(row.get("median_response_days")),
                    row.get("overdue", 0),
                ]
                for row in letters
                if row.get("sent") or row.get("overdue")
            ],
            [34, 11, 11, 11, 22, 11],
        )
    else:
        blocks.append({"type": "p", "text": _("%(period)s未向协助单位发出协助办理函。") % {"period": period_word}})

    experts = figures.get("experts", {})
    heading(_("专家参与情况"))
    blocks.append(
        {
            "type": "p",
            "text": _(
                "%(period)s邀请指导专家%(invited)s人次，专家接受%(accepted)s人次、谢绝%(declined)s人次，接受率%(rate)s；"
                "专家出具意见%(opinions)s份。"
            )
            % {
                "period": period_word,
                "invited": experts.get("invited", 0),
                "accepted": experts.get("accepted", 0),
                "declined": experts.get("declined", 0),
                "rate": _share(experts.get("acceptance_rate")),
                "opinions": experts.get("opinions", 0),
            },
        }
    )

    satisfaction = figures.get("satisfaction", {})
    heading(_("服务满意度"))
    if satisfaction.get("count"):
        averages = satisfaction.get("averages", {})
        blocks.append(
            {
                "type": "p",
                "text": _(
                    "%(period)s收到申请人满意度评价%(count)s份（满分5分），总体满意度平均%(s)s分，"
                    "办理及时性平均%(t)s分，指导意见实用性平均%(u)s分。"
                )
                % {
                    "period": period_word,
                    "count": satisfaction["count"],
                    "s": _n(averages.get("satisfaction")),
                    "t": _n(averages.get("timeliness")),
                    "u": _n(averages.get("usefulness")),
                },
            }
        )
    else:
        blocks.append({"type": "p", "text": _("%(period)s未收到申请人满意度评价。") % {"period": period_word}})

    trends = figures.get("trends", [])
    if trends:
        heading(_("近八个季度趋势"))
        table(
            _("近八个季度主要数据"),
            [_("季度"), _("收到申请"), _("新立案件"), _("结案"), _("咨询")],
            [
                [
                    row.get("label", ""),
                    row.get("received", 0),
                    row.get("opened", 0),
                    row.get("closed", 0),
                    row.get("consultations", 0),
                ]
                for row in trends
            ],
            [32, 17, 17, 17, 17],
        )
    return blocks


def report_addressee() -> str:
    """主送: the provincial IP office, the center's higher authority."""
    return _("%(region)s知识产权局") % {"region": SiteConfiguration.get().region}


def period_word(report: WorkReport) -> str:
    """How the figures' prose names the report's period: 本季度 or 本年度."""
    return _("本年度") if report.kind == WorkReport.Kind.ANNUAL else _("本季度")


def report_blocks(report: WorkReport, *, as_of: datetime.date | None = None) -> list[dict]:
    """The whole body: the opening, 一、工作概述, 二、主要工作数据 (figures), 三、主要成效,
    四、存在问题, 五、下一步工作."""
    as_of = as_of or (timezone.localdate(report.figures_at) if report.figures_at else timezone.localdate())
    blocks = [
        {
            "type": "p",
            "text": _("现将我中心%(period)s（%(first)s至%(last)s）工作情况报告如下。")
            % {
                "period": report.period_name,
                "first": chinese_date(report.period_first),
                "last": chinese_date(report.period_last),
            },
        }
    ]
    sections = [
        (_("工作概述"), _paragraphs(report.overview)),
        (
            _("主要工作数据"),
            figure_blocks(report.figures or {}, period_word=period_word(report), as_of=chinese_date(as_of)),
        ),
        (_("主要成效"), _paragraphs(report.achievements)),
        (_("存在问题"), _paragraphs(report.problems)),
        (_("下一步工作"), _paragraphs(report.next_steps)),
    ]
    for index, (title, content) in enumerate(sections):
        blocks.append({"type": "h1", "text": f"{ORDINALS[index]}、{title}"})
        blocks.extend(content)
    return blocks


def report_context(report: WorkReport, *, number: str, signer: User) -> dict:
    """What the report's PDF prints, frozen at signature."""
    center = SiteConfiguration.get().center_name
    rest = report.title[len(center) :] if report.title.startswith(center) else ""
    return {
        "title": report.title,
        # The issuing body on the first line, the period and the kind on the second (a name is
        # never broken across lines), when each fits on a line of the 2号 title.
        "title_lines": [center, rest]
        if rest and len(center) <= TITLE_LINE_CHARS and len(rest) <= TITLE_LINE_CHARS
        else [],
        "number": number,
        "addressee": report_addressee(),
        "blocks": report_blocks(report),
        "signer": person_name(signer),
        "period_label": report.period_name,
    }
