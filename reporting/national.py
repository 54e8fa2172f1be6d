"""The national platform export (信息报送) as XLSX or JSON.

Both writers read the same records (reporting.records.case_records) and the same column list
(reporting.records.FIELDS, documented there as a table).

XLSX (openpyxl, write-only mode, streamed row by row): a sheet 案件信息 (one row per case, the
columns of FIELDS, list values joined with "|"), a sheet 典型案例 (the period's published typical
cases), and a sheet 字段说明 documenting every column.

JSON: one object,

    {"schema": "ipportal.national-export", "schema_version": 1,
     "period": {"kind", "first", "last", "label"}, "generated_at": ISO 8601,
     "center": {"name", "issuing_body"}, "fields": [{"key", "label", "description"}],
     "cases": [record, ...], "typical_cases": [typical case, ...]}

where list fields (countries, right types, …) are JSON arrays and dates YYYY-MM-DD or null."""

import io
import json

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from portal.models import SiteConfiguration
from reporting.periods import Period
from reporting.records import FIELD_KEYS, FIELDS, TYPICAL_CASE_FIELDS, case_records, typical_cases

SCHEMA = "ipportal.national-export"
SCHEMA_VERSION = 1
FORMATS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "json": ("application/json", "json"),
}
LIST_KEYS = {"countries", "right_types", "dispute_types", "opponent_types"}


def center():
    config = SiteConfiguration.get()
    return {"name": config.center_name, "issuing_body": config.issuing_body}


def file_name(period: Period, fmt: str) -> str:
    return f"national-export-{period.first.isoformat()}-{period.last.isoformat()}.{FORMATS[fmt][1]}"


def write_xlsx(period: Period, *, service_point_ids=None, progress=None) -> bytes:
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def header(sheet, labels):
        cells = []
        for label in labels:
            cell = WriteOnlyCell(sheet, value=str(label))
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)

    cases = workbook.create_sheet("案件信息")
    header(cases, [label for _key, label, _d in FIELDS])
    for record in case_records(period, service_point_ids=service_point_ids, progress=progress):
        cases.append(["|".join(record[key]) if key in LIST_KEYS else record[key] for key in FIELD_KEYS])

    typical = workbook.create_sheet("典型案例")
    header(typical, [label for _key, label, _d in TYPICAL_CASE_FIELDS])
    for row in typical_cases(period):
        typical.append([row[key] for key, _label, _d in TYPICAL_CASE_FIELDS])

    documentation = workbook.create_sheet("字段说明")
    header(documentation, ["工作表", "字段", "列名", "说明"])
    for key, label, description in FIELDS:
        documentation.append(["案件信息", key, str(label), str(description)])
    for key, label, description in TYPICAL_CASE_FIELDS:
        documentation.append(["典型案例", key, str(label), str(description)])
    documentation.append([])
    documentation.append(["期间", period.label, f"{period.first.isoformat()} 至 {period.last.isoformat()}", ""])
    documentation.append(["生成时间", timezone.localtime().isoformat(timespec="seconds"), "", ""])

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_json(period: Period, *, service_point_ids=None, progress=None) -> bytes:
    """The envelope, with the cases streamed into it one record at a time."""
    head = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "period": {
            "kind": period.kind,
            "first": period.first.isoformat(),
            "last": period.last.isoformat(),
            "label": str(period.label),
        },
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "center": center(),
        "fields": [{"key": k, "label": str(label), "description": str(d)} for k, label, d in FIELDS],
        "typical_case_fields": [
            {"key": k, "label": str(label), "description": str(d)} for k, label, d in TYPICAL_CASE_FIELDS
        ],
    }
    out = io.StringIO()
    out.write(json.dumps(head, ensure_ascii=False)[:-1])
    out.write(', "cases": [')
    encode = json.JSONEncoder(ensure_ascii=False).encode
    for index, record in enumerate(case_records(period, service_point_ids=service_point_ids, progress=progress)):
        if index:
            out.write(", ")
        out.write(encode(record))
    out.write('], "typical_cases": ')
    out.write(json.dumps(typical_cases(period), ensure_ascii=False))
    out.write("}")
    return out.getvalue().encode()


WRITERS = {"xlsx": write_xlsx, "json": write_json}
