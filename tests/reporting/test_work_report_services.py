"""The quarterly and annual work report: staff draft it from the period's figures (a job) and write
the commentary; only the director signs it, which numbers it and issues the PDF; the joint meeting
that reviews the period is linked to it and its agencies may download the signed PDF."""

import copy
import datetime
import re

import pytest
from django.core.exceptions import ValidationError

from documents.models import Document
from documents.services import document_render
from portal import jobs
from portal.access import Forbidden
from portal.audit import entries_for
from portal.models import Job, Notification
from portal.transitions import DirectStatusWrite, TransitionNotAllowed
from reporting import services
from reporting.models import WorkReport
from tests.documents.helpers import compact, pdf_text
from tests.meetings.factories import RegularMeetingFactory
from tests.reporting.work_report_figures import COMMENTARY, FIGURES

R = WorkReport.Status


@pytest.fixture(autouse=True)
def known_figures(monkeypatch):
    """The statistics engine answers with the known data set."""
    calls = []

    def figures(period, *, today=None):
        calls.append(period)
        return copy.deepcopy(FIGURES)

    monkeypatch.setattr(services, "compute_figures", figures)
    return calls


@pytest.fixture
def meeting(db):
    """The fourth quarter's regular meeting, which reviews the third quarter."""
    return RegularMeetingFactory(
        year=2026, quarter=4, period_start=datetime.date(2026, 7, 1), period_end=datetime.date(2026, 9, 30)
    )


def drafted(staff):
    report = services.work_report_draft(kind=WorkReport.Kind.QUARTERLY, year=2026, quarter=3, by=staff)
    return services.work_report_refresh_figures(report=report, by=staff)


def written(staff):
    report = drafted(staff)
    return services.work_report_update(report=report, by=staff, **COMMENTARY)


def submitted(staff):
    return services.work_report_submit(report=written(staff), by=staff)


def test_staff_draft_the_quarter_and_the_meeting_that_reviews_it_is_linked(staff, meeting):
    report = services.work_report_draft(kind=WorkReport.Kind.QUARTERLY, year=2026, quarter=3, by=staff)
    assert report.title == "山西省涉外知识产权指导中心2026年第三季度工作报告"
    assert (str(report.period_first), str(report.period_last)) == ("2026-07-01", "2026-09-30")
    assert report.status == R.DRAFT and report.figures == {} and report.number == ""
    assert report.meeting == meeting
    assert list(meeting.work_reports.all()) == [report]
    with pytest.raises(ValidationError, match="已经存在"):
        services.work_report_draft(kind=WorkReport.Kind.QUARTERLY, year=2026, quarter=3, by=staff)


def test_the_annual_report_covers_the_year(staff):
    report = services.work_report_draft(kind=WorkReport.Kind.ANNUAL, year=2025, quarter=2, by=staff)
    assert report.quarter is None and report.title == "山西省涉外知识产权指导中心2025年度工作报告"
    assert (str(report.period_first), str(report.period_last)) == ("2025-01-01", "2025-12-31")


def test_bad_periods_are_refused_with_a_message_per_field(staff):
    with pytest.raises(ValidationError) as error:
        services.work_report_draft(kind=WorkReport.Kind.QUARTERLY, year=2026, quarter=None, by=staff)
    assert "quarter" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.work_report_draft(kind=WorkReport.Kind.QUARTERLY, year=2031, quarter=1, by=staff)
    assert "year" in error.value.message_dict
    assert not WorkReport.objects.exists()


@pytest.mark.parametrize("who", ["agency_user", "applicant", "expert_user"])
def test_only_center_members_draft(request, who):
    with pytest.raises(Forbidden):
        services.work_report_draft(
            kind=WorkReport.Kind.QUARTERLY, year=2026, quarter=3, by=request.getfixturevalue(who)
        )


def test_the_draft_job_computes_and_keeps_the_figures(staff, known_figures):
    report = services.work_report_draft(kind=WorkReport.Kind.QUARTERLY, year=2026, quarter=3, by=staff)
    job = jobs.start(kind="reporting.work_report_draft", label=report.title, params={"report_id": report.pk}, by=staff)
    assert jobs.run(job.pk) == "succeeded"
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result_url == f"/admin/reporting/workreport/{report.pk}/change/"
    report.refresh_from_db()
    assert report.figures["applications"]["received"] == 23 and report.figures_at is not None
    assert known_figures[-1].first.isoformat() == "2026-07-01" and known_figures[-1].last.isoformat() == "2026-09-30"


def test_a_report_is_submitted_only_with_its_figures_and_commentary(staff, director):
    report = services.work_report_draft(kind=WorkReport.Kind.QUARTERLY, year=2026, quarter=3, by=staff)
    with pytest.raises(ValidationError) as error:
        services.work_report_submit(report=report, by=staff)
    assert {"figures", "overview", "achievements", "problems", "next_steps"} <= set(error.value.message_dict)
    report = services.work_report_refresh_figures(report=report, by=staff)
    report = services.work_report_update(report=report, by=staff, **COMMENTARY)
    report = services.work_report_submit(report=report, by=staff, seen_revision=report.revision)
    assert report.status == R.AWAITING_SIGNATURE
    assert Notification.objects.filter(recipient=director, subject__contains=report.title).exists()
    # Frozen while it waits for the director.
    with pytest.raises(TransitionNotAllowed):
        services.work_report_update(report=report, by=staff, **COMMENTARY)
    with pytest.raises(TransitionNotAllowed):
        services.work_report_refresh_figures(report=report, by=staff)


def test_a_stale_page_cannot_overwrite_the_commentary(staff):
    report = drafted(staff)
    seen = report.revision
    services.work_report_update(report=report, by=staff, **COMMENTARY)
    with pytest.raises(ValidationError, match="旧版本"):
        services.work_report_update(report=report, by=staff, seen_revision=seen, **{**COMMENTARY, "overview": "旧"})
    assert WorkReport.objects.get().overview == COMMENTARY["overview"]


def test_the_status_changes_only_through_the_services(staff):
    report = drafted(staff)
    with pytest.raises(DirectStatusWrite):
        report.status = R.SIGNED


def test_only_the_director_signs_or_returns(staff, deputy, director):
    report = submitted(staff)
    for who in (staff, deputy):
        with pytest.raises(Forbidden, match="中心主任"):
            services.work_report_sign(report=report, by=who)
        with pytest.raises(Forbidden, match="中心主任"):
            services.work_report_return(report=report, by=who, reason="再改改")
    report.refresh_from_db()
    assert report.status == R.AWAITING_SIGNATURE and report.number == ""
    assert not Document.objects.filter(kind=Document.Kind.WORK_REPORT).exists()

    with pytest.raises(ValidationError, match="退回理由"):
        services.work_report_return(report=report, by=director, reason=" ")
    report = services.work_report_return(report=report, by=director, reason="请补充专家工作情况")
    assert report.status == R.DRAFT
    assert Notification.objects.filter(recipient=staff, body="请补充专家工作情况").exists()


def test_signing_numbers_the_report_and_issues_the_pdf(staff, director, meeting, agency, other_agency):
    report = services.work_report_sign(report=submitted(staff), by=director)
    assert report.status == R.SIGNED and report.signed_by == director and report.signed_at is not None
    assert report.number.startswith("晋知指报〔") and report.number.endswith("号")
    document = report.document
    assert document.kind == Document.Kind.WORK_REPORT and document.number == report.number
    assert document.signed_by == director and document.signer_title == "主任"
    assert document.template == "pdf/work_report.html"
    # The meeting is not convened yet: every active agency (each of which it will invite) may read it.
    assert set(document.agencies.all()) == {agency, other_agency}
    assert [e.action_type for e in entries_for(report)] == [
        "reporting.work_report.drafted",
        "reporting.work_report.figures",
        "reporting.work_report.edited",
        "reporting.work_report.submitted",
        "reporting.work_report.signed",
    ]
    with pytest.raises(TransitionNotAllowed):
        services.work_report_sign(report=report, by=director)


def test_the_report_shares_the_reports_number_sequence(staff, director):
    report = services.work_report_sign(report=submitted(staff), by=director)
    number = int(report.number.split("〕")[1].rstrip("号"))
    assert number >= 1
    annual = services.work_report_draft(kind=WorkReport.Kind.ANNUAL, year=2025, by=staff)
    annual = services.work_report_refresh_figures(report=annual, by=staff)
    annual = services.work_report_update(report=annual, by=staff, **COMMENTARY)
    annual = services.work_report_sign(report=services.work_report_submit(report=annual, by=staff), by=director)
    assert annual.number == report.number.replace(f"〕{number}号", f"〕{number + 1}号")


def test_the_pdf_reads_title_number_figures_commentary_and_signer(staff, director, settings):
    report = services.work_report_sign(report=submitted(staff), by=director)
    document = document_render(document_id=report.document_id)
    assert document.status == Document.Status.READY, document.last_error
    # Without white space and page numbers (— 2 —), so that a sentence running over a page reads whole.
    text = re.sub(r"—\d+—", "", compact(pdf_text(document.file.path)))
    for expected in (
        "山西省涉外知识产权指导中心2026年第三季度工作报告",
        report.number,
        "签发人：" + director.full_name,
        "山西省知识产权局：",
        "现将我中心2026年第三季度（2026年7月1日至2026年9月30日）工作情况报告如下。",
        "一、工作概述",
        "二、主要工作数据",
        "本季度共收到海外知识产权纠纷应对指导申请23件，受理17件，退回补正4件，不予受理2件，申请人撤回1件。",
        "接待咨询41次，其中电话（25次）、来访（16次）。",
        "本季度新立案件17件，结案11件，终止办理1件。",
        "在办案件29件，其中超过办理期限3件。",
        "国家/地区以美国（9件）、德国（5件）为主",
        "出具指导意见用时中位数14.5个工作日，按期率81.8%",
        "表2办理时效（工作日）",
        "省商务厅6657.51",  # 发函 6, 签收 6, 回复 5, 7.5 working days, 1 overdue
        "本季度向协助单位发出协助办理函9件次，已签收8件次，已回复7件次",
        "接受率85.7%",
        "总体满意度平均4.6分",
        "2025年第1季度",
        COMMENTARY["overview"],
        "（一）快速响应机制有效运行",
        COMMENTARY["problems"],
        COMMENTARY["next_steps"],
        "特此报告。",
        "山西省涉外知识产权指导中心",
    ):
        assert compact(expected) in text, expected
    # An agency without a sent letter is left out of the letters' table.
    assert "省司法厅" not in text
