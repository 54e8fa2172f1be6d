"""The statistics page's tables, as the page shows them and as they are exported (CSV, XLSX).

`statistics_tables(figures, links)` turns the figures (reporting.selectors.figures, see its shape)
into named tables; each number carries the link to the admin list of the rows behind it
(`DrillDown`), which the page renders and the exports leave out. One definition for both, so an
export holds exactly the numbers on the page."""

import csv
import dataclasses
import io
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from cases.models import OPEN_STATUSES
from reporting import selectors

# The case list's parameter for each dimension (cases/admin/filters.py and the field filters).
CASE_DIMENSION_PARAMS = {
    "country": "country",
    "right_type": "right_type",
    "dispute_type": "dispute_type",
    "technical_field": "technical_field__exact",
    "opponent_type": "opponent_type",
    "level": "level__exact",
    "applicant_category": "applicant_category",
    "region": "region",
    "service_point": "service_point",
}
# The answers with several ticks (a case counts once per tick).
MULTI_TICK_DIMENSIONS = {"country", "right_type", "dispute_type", "opponent_type"}
# Not linked yet: the case list has no filter by the applicant's province.
UNLINKED_DIMENSIONS = {"region"}

FORMATS = ("csv", "xlsx")


class ExportError(ValueError):
    """An unknown table or format: the export answers 400 with this message."""


@dataclasses.dataclass
class Cell:
    value: object
    url: str | None = None

    @property
    def is_number(self):
        """A number, or the dash of a number not available: set right-aligned."""
        return (isinstance(self.value, (int, float)) and not isinstance(self.value, bool)) or self.value == "—"


@dataclasses.dataclass
class Table:
    name: str
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    note: str = ""

    @property
    def columns(self):
        """(header, numeric) per column: a column of numbers is set right-aligned, its header too."""
        return [
            (header, index > 0 and all(row[index].is_number for row in self.rows if index < len(row)))
            for index, header in enumerate(self.headers)
        ]

    def plain_rows(self):
        return [[cell.value for cell in row] for row in self.rows]


class DrillDown:
    """The admin list behind each figure, for one period and one workstation cut.

    `service_point_id` is the cut (the workstation and those under it: the lists' `point_scope`);
    the figures and the lists apply the same rule, so a list shows as many rows as the figure says."""

    def __init__(self, period, service_point_id=None, *, enabled=True):
        self.period = period
        self.service_point_id = service_point_id
        self.enabled = enabled

    def _url(self, name, params):
        return self._build(name, params) if self.enabled else None

    def _build(self, name, params):
        if self.service_point_id is not None:
            params = {**params, "point_scope": str(self.service_point_id)}
        return f"{reverse(name)}?{urlencode(params)}"

    def _days(self, prefix):
        if self.period is None:
            return {}
        return {f"{prefix}_from": self.period.first.isoformat(), f"{prefix}_to": self.period.last.isoformat()}

    # --- cases -------------------------------------------------------------------------------
    def cases_opened(self, **params):
        return self._url("admin:cases_case_changelist", {**self._days("opened"), **params})

    def cases_ended(self, status):
        return self._url("admin:cases_case_changelist", {**self._days("ended"), "status__exact": status})

    def cases_open_now(self):
        return self._url("admin:cases_case_changelist", {"status__in": ",".join(OPEN_STATUSES)})

    def cases_overdue_now(self, stage="overdue"):
        return self._url("admin:cases_case_changelist", {"deadline": stage})

    def dimension(self, key, value):
        param = CASE_DIMENSION_PARAMS.get(key)
        if param is None or key in UNLINKED_DIMENSIONS or value in (None, ""):
            return None
        return self.cases_opened(**{param: str(value)})

    # --- applications ------------------------------------------------------------------------
    def applications(self, figure):
        if figure == "received":
            return self._url("admin:applications_application_changelist", self._days("received"))
        if figure in ("accepted", "declined"):
            return self._url(
                "admin:applications_application_changelist", {**self._days("decided"), "status__exact": figure}
            )
        if figure in ("returned", "withdrawn"):
            return self._url("admin:applications_application_changelist", self._days(figure))
        return None

    def applications_overdue_now(self):
        return self._url("admin:applications_application_changelist", {"deadline": "overdue"})

    # --- consultations, letters ----------------------------------------------------------------
    def consultations(self, channel=None):
        params = self._days("received")
        if channel:
            params["channel__exact"] = channel
        return self._url("admin:consultations_consultation_changelist", params)

    def letters(self, agency_id, reply=None):
        # Overdue is now, whenever the letter was signed; the others are of the letters signed in the period.
        days = {} if reply == "overdue" else self._days("signed")
        params = {**days, "recipients__agency__id__exact": str(agency_id)}
        if reply:
            params["reply"] = reply
        return self._url("admin:cases_assistanceletter_changelist", params)


def _n(value, url=None):
    return Cell(value if value is not None else "—", url)


def _share(value):
    return Cell(round(value * 100, 1) if value is not None else "—")


def _days(value, digits=1):
    return Cell(round(value, digits) if value is not None else "—")


def statistics_tables(figures, links: DrillDown) -> dict[str, Table]:
    """Every table of the full statistics page, in page order."""
    tables = {}
    apps = figures["applications"]
    tables["applications"] = Table(
        "applications",
        _("申请"),
        [_("项目"), _("数量")],
        [
            [Cell(label), _n(apps.get(key), links.applications(key))]
            for key, label in [
                ("received", _("收到申请")),
                ("accepted", _("受理")),
                ("returned", _("退回补正")),
                ("declined", _("不予受理")),
                ("withdrawn", _("撤回")),
            ]
        ],
    )
    cases = figures["cases"]
    tables["cases"] = Table(
        "cases",
        _("案件"),
        [_("项目"), _("数量")],
        [
            [Cell(_("受理立案")), _n(cases.get("opened"), links.cases_opened())],
            [Cell(_("结案")), _n(cases.get("closed"), links.cases_ended("closed"))],
            [Cell(_("终止")), _n(cases.get("terminated"), links.cases_ended("terminated"))],
            [Cell(_("目前在办")), _n(cases.get("open_now"), links.cases_open_now())],
            [Cell(_("目前逾期")), _n(cases.get("overdue_now"), links.cases_overdue_now())],
        ],
    )
    consultations = figures["consultations"]
    tables["consultations"] = Table(
        "consultations",
        _("咨询（按渠道）"),
        [_("渠道"), _("数量")],
        [
            *[
                [Cell(row["label"]), _n(row["count"], links.consultations(row["key"]))]
                for row in consultations["by_channel"]
            ],
            [Cell(_("合计")), _n(consultations.get("total"), links.consultations())],
        ],
    )
    for key, rows in figures["dimensions"].items():
        label = selectors.DIMENSIONS.get(key, key)
        tables[f"dimension_{key}"] = Table(
            f"dimension_{key}",
            _("按%(dimension)s") % {"dimension": label},
            [str(label), _("受理案件数")],
            [[Cell(row["label"]), _n(row["count"], links.dimension(key, row["key"]))] for row in rows],
            note=_("一件案件勾选多项时，每项各计一次。") if key in MULTI_TICK_DIMENSIONS else "",
        )
    handling = figures["handling"]
    overdue = handling.get("overdue_now", {})
    stage_links = {
        "acceptance": links.applications_overdue_now(),
        "first_contact": links.cases_overdue_now("overdue_first_contact"),
        "opinion": links.cases_overdue_now("overdue_opinion"),
    }
    tables["handling"] = Table(
        "handling",
        _("办理时限（工作日）"),
        [_("环节"), _("件数"), _("中位数"), _("90% 分位"), _("按期件数"), _("按期率（%）"), _("目前逾期")],
        [
            [
                Cell(label),
                _n(handling[key]["count"]),
                _days(handling[key]["median"]),
                _days(handling[key]["p90"]),
                _n(handling[key]["on_time"]),
                _share(handling[key]["on_time_share"]),
                _n(overdue.get(key), stage_links[key]),
            ]
            for key, label in [
                ("acceptance", _("提交至受理决定")),
                ("first_contact", _("受理至首次联系")),
                ("opinion", _("受理至出具指导意见")),
            ]
            if key in handling
        ],
    )
    tables["letters"] = letters_table(figures["letters"], links)
    experts = figures["experts"]
    tables["experts"] = Table(
        "experts",
        _("专家"),
        [_("项目"), _("数值")],
        [
            [Cell(_("邀请")), _n(experts.get("invited"))],
            [Cell(_("接受")), _n(experts.get("accepted"))],
            [Cell(_("谢绝")), _n(experts.get("declined"))],
            [Cell(_("接受率（%）")), _share(experts.get("acceptance_rate"))],
            [Cell(_("出具专家意见")), _n(experts.get("opinions"))],
        ],
    )
    tables["expert_load"] = Table(
        "expert_load",
        _("专家工作量（在办最多的 10 位）"),
        [_("专家"), _("在办"), _("本期意见")],
        [[Cell(row["name"]), _n(row["active"]), _n(row["opinions"])] for row in experts.get("load", [])],
    )
    satisfaction = figures["satisfaction"]
    averages = satisfaction.get("averages", {})
    tables["satisfaction"] = Table(
        "satisfaction",
        _("满意度（平均分，满分 5 分）"),
        [_("问题"), _("平均分")],
        [
            [Cell(_("评价份数")), _n(satisfaction.get("count"))],
            [Cell(_("总体满意度")), _days(averages.get("satisfaction"), 2)],
            [Cell(_("办理及时性")), _days(averages.get("timeliness"), 2)],
            [Cell(_("指导意见的实用性")), _days(averages.get("usefulness"), 2)],
        ],
    )
    tables["comments"] = Table(
        "comments",
        _("意见和建议"),
        [_("申请编号"), _("评价时间"), _("总体满意度"), _("意见和建议")],
        [
            [Cell(row["number"]), Cell(row["submitted_at"][:10]), _n(row["satisfaction"]), Cell(row["comment"])]
            for row in satisfaction.get("comments", [])
        ],
    )
    tables["trends"] = Table(
        "trends",
        _("近 8 个季度趋势"),
        [_("季度"), _("收到申请"), _("受理立案"), _("结案"), _("咨询")],
        [
            [
                Cell(point["label"]),
                _n(point.get("received")),
                _n(point.get("opened")),
                _n(point.get("closed")),
                _n(point.get("consultations")),
            ]
            for point in figures["trends"]
        ],
    )
    return tables


def letters_table(rows, links: DrillDown, *, with_agency=True) -> Table:
    headers = [_("协助单位"), _("发函"), _("已签收"), _("已回函"), _("回复用时中位数（工作日）"), _("逾期未回")]
    return Table(
        "letters",
        _("协助办理函（按协助单位）"),
        headers,
        [
            [
                Cell(row["agency"]),
                _n(row["sent"], links.letters(row["agency_id"])),
                _n(row["acknowledged"], links.letters(row["agency_id"], "acknowledged")),
                _n(row["answered"], links.letters(row["agency_id"], "answered")),
                _days(row["median_response_days"]),
                _n(row["overdue"], links.letters(row["agency_id"], "overdue")),
            ]
            for row in rows
        ],
    )


def agency_tables(figures) -> dict[str, Table]:
    """The agency's own page: its row and its letters (no links: the agency has no admin)."""
    links = DrillDown(None, enabled=False)
    summary = letters_table([figures], links)
    letters = Table(
        "agency_letters",
        _("本单位收到的协助办理函"),
        [_("文号"), _("事由"), _("签发时间"), _("回复期限"), _("签收时间"), _("回函时间")],
        [
            [
                Cell(row.get("number") or "—"),
                Cell(row.get("subject") or ""),
                Cell((row.get("signed_at") or "")[:10] or "—"),
                Cell(row.get("due_date") or "—"),
                Cell((row.get("acknowledged_at") or "")[:10] or "—"),
                Cell((row.get("answered_at") or "")[:10] or "—"),
            ]
            for row in figures.get("letters", [])
        ],
    )
    return {"letters": summary, "agency_letters": letters}


# --- files ---------------------------------------------------------------------------------
def check_request(tables, name, fmt):
    """Raise ExportError unless `name` is a table (or "all" for XLSX) and `fmt` a format."""
    if fmt not in FORMATS:
        raise ExportError(_("未知的导出格式“%(fmt)s”，可选：csv、xlsx。") % {"fmt": str(fmt)[:20]})
    if name == "all":
        if fmt != "xlsx":
            raise ExportError(_("全部表格只能导出为 XLSX（每个表格一个工作表）。"))
        return
    if name not in tables:
        raise ExportError(
            _("未知的表格“%(name)s”，可选：%(names)s。") % {"name": str(name)[:40], "names": "、".join(tables)}
        )


def to_csv(table: Table, heading: str) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens the Chinese text right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f"{table.title} · {heading}"])
    writer.writerow(table.headers)
    writer.writerows([[_safe_cell(value) for value in row] for row in table.plain_rows()])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(tables: list[Table], heading: str) -> bytes:
    """One sheet per table: a title row, the headers in bold, then the rows (numbers as numbers)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    used = set()
    for table in tables:
        title = _sheet_title(table.title, used)
        sheet = book.create_sheet(title)
        sheet.append([f"{table.title} · {heading}"])
        sheet["A1"].font = Font(bold=True, size=12)
        sheet.append(table.headers)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.plain_rows():
            sheet.append([_safe_cell(value) for value in row])
        sheet.column_dimensions["A"].width = 28
        for letter in "BCDEFG":
            sheet.column_dimensions[letter].width = 16
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title, used):
    # Excel: at most 31 characters, none of []:*?/\ ; unique in the book.
    clean = "".join(ch for ch in str(title) if ch not in "[]:*?/\\")[:28] or "Sheet"
    candidate, n = clean, 2
    while candidate in used:
        candidate = f"{clean[:26]}-{n}"
        n += 1
    used.add(candidate)
    return candidate


def _safe_cell(value):
    # A text cell starting with = + - @ would be read as a formula by a spreadsheet (comments are
    # typed by applicants): keep it text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
