"""The demo's work report: last quarter's, signed by the director and linked to this quarter's meeting."""

import io

import pytest
from django.utils import timezone

from documents.models import Document
from meetings import demo as meetings_demo
from portal import demo as portal_demo
from reporting import demo
from reporting.models import WorkReport


@pytest.mark.django_db
def test_the_demo_signs_last_quarters_report_and_runs_twice():
    out = io.StringIO()
    portal_demo.seed(out)
    meetings_demo.seed(out)
    demo.seed(out)
    demo.seed(out)
    report = WorkReport.objects.get()
    today = timezone.localdate()
    assert report.status == WorkReport.Status.SIGNED and report.signed_by.email == "director@demo.cn"
    assert report.period_last < today and (today - report.period_last).days <= 92
    assert report.meeting is not None and report.meeting.period_end == report.period_last
    assert report.document.kind == Document.Kind.WORK_REPORT and report.document.number == report.number
    assert "kept the report" in out.getvalue()
