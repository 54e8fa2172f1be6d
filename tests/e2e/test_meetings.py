"""A quarterly joint meeting in the browser: the director convenes the planned meeting, an
agency proposes an item, the chair approves the agenda and records minutes with an action
item, and the agency marks the item done."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from meetings import services
from meetings.models import ActionItem, JointMeeting
from tests.e2e.helpers import login, logout
from tests.meetings.factories import DeputyDirectorFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_quarterly_meeting_from_notice_to_a_finished_action_item(page, live_server, director, deputy, agency_user):
    DeputyDirectorFactory(user=deputy, rotation_order=1, joined_on=datetime.date(2020, 1, 1))
    starts = timezone.localtime(timezone.now() + datetime.timedelta(days=10)).replace(hour=9, minute=30)
    meeting, _created = services.meeting_plan_quarter(today=starts.date())

    # The director convenes the planned meeting from the admin.
    login(page, live_server, director)
    page.goto(f"{live_server.url}/admin/meetings/jointmeeting/{meeting.pk}/change/")
    page.get_by_role("link", name="召集会议").click()
    expect(page.get_by_test_id("proposed-chair")).to_contain_text(deputy.full_name)
    page.locator("#id_starts_at").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_location").fill("指导中心第一会议室")
    page.get_by_role("button", name="召集并发送通知").click()
    expect(page.get_by_text("会议已召集，通知已发送。")).to_be_visible()
    logout(page, live_server)

    # The agency proposes an item from its workspace.
    login(page, live_server, agency_user)
    page.goto(f"{live_server.url}/meetings/")
    page.get_by_role("link", name=meeting.title, exact=True).click()
    page.get_by_role("link", name="提出议题").click()
    page.locator("#id_title").fill("研究展会知识产权快速维权机制")
    page.locator("#id_description").fill("广交会期间本省企业遭遇的展会纠纷较多。")
    page.get_by_role("button", name="提交议题").click()
    expect(page.get_by_text("议题已提交")).to_be_visible()
    expect(page.get_by_text("研究展会知识产权快速维权机制")).to_be_visible()
    logout(page, live_server)

    # The chair approves the agenda, then records the minutes with an action item.
    login(page, live_server, deputy)
    page.goto(f"{live_server.url}/admin/meetings/jointmeeting/{meeting.pk}/change/")
    page.get_by_role("link", name="审定议程").click()
    page.get_by_role("button", name="批准议程并通知").click()
    expect(page.get_by_text("议程已批准并通知各参会单位。")).to_be_visible()
    # The minutes are recorded on the meeting's day or later: the meeting has now taken place.
    JointMeeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=2))
    page.get_by_role("link", name="会议纪要").click()
    page.get_by_role("button", name="开始记录纪要").click()
    page.locator("#id_summary").fill("会议听取了本期工作情况汇报，研究了展会维权问题。")
    page.locator("textarea[name^=decisions_]").last.fill("由省商务厅牵头制定展会快速维权工作指引。")
    page.locator("#id_action-agenda_item").select_option(label="研究展会知识产权快速维权机制")
    page.locator("#id_action-title").fill("制定展会快速维权工作指引")
    page.locator("#id_action-assignee_agency").select_option(label=agency_user.agency.name)
    page.locator("#id_action-due_date").fill((timezone.localdate() + datetime.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="登记议定事项").click()
    expect(page.get_by_text("已登记议定事项。")).to_be_visible()
    expect(page.locator("#id_summary")).to_have_value("会议听取了本期工作情况汇报，研究了展会维权问题。")
    page.get_by_role("button", name="批准纪要").click()
    expect(page.get_by_text("会议纪要已批准")).to_be_visible()
    logout(page, live_server)

    # The agency marks its action item done.
    login(page, live_server, agency_user)
    page.goto(f"{live_server.url}/meetings/actions/")
    expect(page.get_by_role("heading", name="本单位议定事项")).to_be_visible()
    page.get_by_role("link", name="更新 制定展会快速维权工作指引").click()
    page.locator("#id_status").select_option("done")
    page.locator("#id_note").fill("工作指引已印发全省外贸企业。")
    page.get_by_role("button", name="保存办理情况").click()
    expect(page.get_by_text("已更新办理情况。")).to_be_visible()
    expect(page.get_by_role("cell", name="工作指引已印发全省外贸企业。")).to_be_visible()
    # Its history, read from the audit log: registered at the meeting, then done by the agency.
    page.get_by_role("link", name="查看 制定展会快速维权工作指引").click()
    expect(page.get_by_text("登记议定事项（办理中） — 会议议定")).to_be_visible()
    expect(page.get_by_text("办结议定事项（办理中 → 已完成） — 工作指引已印发全省外贸企业。")).to_be_visible()
    logout(page, live_server)

    # The chair reads the meeting's whole history in the admin.
    login(page, live_server, deputy)
    page.goto(f"{live_server.url}/admin/meetings/jointmeeting/{meeting.pk}/change/")
    history = page.get_by_test_id("meeting-history")
    expect(history.get_by_role("row").filter(has_text="发出会议通知")).to_contain_text("筹备中 → 已发通知")
    expect(history.get_by_role("row").filter(has_text="批准纪要")).to_contain_text("已召开（纪要起草中） → 纪要已批准")
    expect(history.get_by_role("row").filter(has_text="办结议定事项")).to_contain_text("工作指引已印发全省外贸企业。")

    meeting.refresh_from_db()
    assert meeting.status == JointMeeting.Status.CLOSED
    assert ActionItem.objects.get().status == ActionItem.Status.DONE
