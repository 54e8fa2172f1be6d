"""The quarterly work report hands over three times, each checked on the receiver's page: staff draft
last quarter's report in the admin (the figures are computed by a background job whose page leads to
the report), write the commentary and submit it → the director is told it waits, opens it and signs
it (with the second factor of the login) → an agency invited to the joint meeting that reviews the
quarter opens the meeting page and downloads the signed PDF from the agenda item on the past quarter."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from meetings import services as meeting_services
from reporting.models import WorkReport
from tests.documents.helpers import compact, pdf_text
from tests.e2e.helpers import login, logout
from tests.meetings.factories import DeputyDirectorFactory

pytestmark = pytest.mark.django_db(transaction=True)

COMMENTARY = {
    "工作概述": "本季度，我中心扎实做好海外知识产权纠纷受理和指导工作。",
    "主要成效": "首次联系全部按期完成，企业反映良好。",
    "存在问题": "个别协助办理函回复超期。",
    "下一步工作": "一是完善催办机制；二是扩充小语种专家。",
}


@pytest.fixture
def meeting(director, deputy, agency, agency_user):
    """This quarter's regular meeting (it reviews last quarter), convened, its agenda approved."""
    DeputyDirectorFactory(user=deputy, rotation_order=1, joined_on=datetime.date(2020, 1, 1))
    meeting, _created = meeting_services.meeting_plan_quarter()
    meeting = meeting_services.meeting_convene(
        meeting=meeting,
        by=director,
        starts_at=(timezone.now() + datetime.timedelta(days=10)).replace(hour=9, minute=30, second=0, microsecond=0),
        location="指导中心第一会议室",
    )
    return meeting_services.agenda_approve(
        meeting=meeting, by=deputy, order=list(meeting.agenda_items.values_list("pk", flat=True))
    )


def test_staff_draft_the_director_signs_and_an_agency_downloads_it_from_the_meeting(
    page, live_server, staff, director, agency_user, meeting
):
    base = live_server.url

    # Staff draft last quarter's report: the job computes its figures and leads to the report.
    login(page, live_server, staff)
    page.goto(f"{base}/admin/reporting/workreport/")
    page.get_by_role("button", name="起草报告").click()
    expect(page).to_have_url(re.compile(r"/jobs/[0-9a-f-]{36}/$"))
    expect(page.get_by_test_id("job-done")).to_be_visible()
    page.get_by_test_id("job-result").click()
    expect(page.get_by_test_id("work-report-status")).to_have_text("草稿")
    report = WorkReport.objects.get()
    assert (report.period_first, report.period_last) == (meeting.period_start, meeting.period_end)
    expect(page.get_by_text("本季度共收到海外知识产权纠纷应对指导申请0件")).to_be_visible()
    for label, text in COMMENTARY.items():
        page.get_by_label(label).fill(text)
    page.get_by_role("button", name="保存并继续编辑").click()
    expect(page.get_by_label("工作概述")).to_have_value(COMMENTARY["工作概述"])
    page.get_by_role("button", name="提交主任审签").click()
    expect(page.get_by_test_id("work-report-status")).to_have_text("待签发")
    expect(page.get_by_role("button", name="签发（生成文号和 PDF）")).to_have_count(0)
    logout(page, live_server)

    # → The director is told the report waits, follows the notice and signs it.
    login(page, live_server, director)
    page.goto(f"{base}/notifications/")
    notice = page.get_by_role("link", name=re.compile(re.escape(f"待签发：{report.title}")))
    expect(notice).to_be_visible()
    notice.click()
    expect(page.get_by_test_id("work-report-status")).to_have_text("待签发")
    page.get_by_role("button", name="签发（生成文号和 PDF）").click()
    expect(page.get_by_test_id("work-report-status")).to_have_text("已签发")
    report.refresh_from_db()
    expect(page.get_by_test_id("work-report-number")).to_have_text(report.number)
    logout(page, live_server)

    # → An invited agency opens the meeting page and downloads the signed report from the agenda item.
    login(page, live_server, agency_user)
    page.goto(f"{base}/meetings/{meeting.pk}/")
    link = page.get_by_test_id("meeting-work-reports").get_by_role("link", name=re.compile(re.escape(report.number)))
    expect(link).to_be_visible()
    with page.expect_download() as download:
        link.click()
    text = compact(pdf_text(download.value.path()))
    for expected in (
        report.title,
        report.number,
        "签发人：" + director.full_name,
        COMMENTARY["存在问题"],
        "特此报告。",
    ):
        assert compact(expected) in text, expected
