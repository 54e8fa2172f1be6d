"""The work report reads its figures from the statistics engine itself (no stand-in): a case opened
in the quarter is counted in the snapshot, which survives the JSON field, and in the report's prose."""

import json

from reporting import report_text, services
from reporting.models import WorkReport
from tests.meetings.factories import aware, make_case


def test_the_snapshot_is_the_engines_figures_of_the_period(staff):
    make_case(opened_at=aware(2026, 8, 3))
    make_case(opened_at=aware(2026, 8, 20))
    make_case(opened_at=aware(2026, 10, 2))  # the next quarter: not counted
    report = services.work_report_draft(kind=WorkReport.Kind.QUARTERLY, year=2026, quarter=3, by=staff)
    report = services.work_report_refresh_figures(report=report, by=staff)
    stored = WorkReport.objects.get(pk=report.pk).figures
    assert stored == json.loads(json.dumps(stored))
    assert stored["period"]["first"] == "2026-07-01" and stored["cases"]["opened"] == 2
    text = "".join(block.get("text", "") for block in report_text.report_blocks(WorkReport.objects.get(pk=report.pk)))
    assert "本季度新立案件2件" in text
    trend = {row["label"]: row["opened"] for row in stored["trends"]}
    assert trend["2026年第3季度"] == 2 and len(stored["trends"]) == 8
