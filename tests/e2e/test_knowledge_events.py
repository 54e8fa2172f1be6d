"""Training and trade fairs in the browser: an enterprise registers for a training session, sees
the confirmation, downloads the calendar file and cancels (then registers again); staff see the
list in the admin and record attendance; an exhibitor at a fair asks the on-site desk for help and
staff find the urgent request in the admin."""

import datetime
import re

import icalendar
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from knowledge.models import Event, FairHelpRequest, Registration
from portal.models import EmailDelivery
from tests.e2e.helpers import login, logout
from tests.knowledge.conftest import EventFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_enterprise_registers_downloads_the_calendar_cancels_and_staff_record_attendance(
    page, live_server, applicant, staff
):
    starts = timezone.localtime(timezone.now() + datetime.timedelta(days=14)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    event = EventFactory(
        title="美国337调查应对实务培训",
        capacity=30,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=3),
        place="太原市小店区长治路 229 号三楼会议室",
        trainer="李律师",
    )

    login(page, live_server, applicant)
    page.goto(f"{live_server.url}/knowledge/events/")
    expect(page.get_by_test_id("upcoming-events")).to_contain_text("剩余 30")
    page.get_by_role("link", name="美国337调查应对实务培训").click()
    # The form is filled in from the account and its organisation.
    expect(page.get_by_label("单位名称")).to_have_value("山西晋成精密机械有限公司")
    expect(page.get_by_label("电子邮箱")).to_have_value(applicant.email)
    page.get_by_label("联系电话").fill("0351-7654321")
    page.get_by_label("参加人数").fill("3")
    page.get_by_role("button", name="提交报名").click()

    expect(page.get_by_text(f"报名成功！确认邮件已发送至 {applicant.email}。")).to_be_visible()
    expect(page.get_by_test_id("registration-status")).to_have_text("已报名")
    registration = Registration.objects.get(event=event)
    assert f"/knowledge/events/registration/{registration.token}/" in EmailDelivery.objects.get(to=applicant.email).body

    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载日历文件（.ics）").click()
    ics = icalendar.Calendar.from_ical(download_info.value.path().read_bytes())
    (vevent,) = ics.walk("VEVENT")
    assert str(vevent["summary"]) == "培训：美国337调查应对实务培训"
    assert vevent.decoded("dtstart") == starts
    assert vevent.decoded("dtstart").strftime("%H:%M") == "09:30"

    page.get_by_role("button", name="取消报名").click()
    expect(page.get_by_text("报名已取消，名额已释放。")).to_be_visible()
    expect(page.get_by_test_id("registration-status")).to_have_text("已取消")
    page.get_by_role("link", name="如需参加，可重新报名。").click()
    expect(page.get_by_test_id("places")).to_contain_text("剩余 30")
    page.get_by_label("联系电话").fill("0351-7654321")
    page.get_by_label("参加人数").fill("2")
    page.get_by_role("button", name="提交报名").click()
    expect(page.get_by_test_id("registration-status")).to_have_text("已报名")
    logout(page, live_server)

    # The session has begun: staff see the list and record who came.
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - datetime.timedelta(minutes=20))
    login(page, live_server, staff)
    page.goto(f"{live_server.url}/admin/knowledge/event/{event.pk}/change/")
    expect(page.get_by_test_id("places-taken")).to_contain_text("2 人")
    page.get_by_role("link", name="报名名单与出席登记").click()
    table = page.get_by_test_id("registration-list")
    expect(table).to_contain_text("山西晋成精密机械有限公司")
    expect(table).to_contain_text("已取消")
    page.get_by_label("出席情况：山西晋成精密机械有限公司").select_option("attended")
    page.get_by_role("button", name="保存出席情况").click()
    expect(page.get_by_text("出席情况已保存（1 条）。")).to_be_visible()
    expect(page.get_by_test_id("registration-list").get_by_role("row").filter(has_text="已参加")).to_have_count(1)
    expect(page.get_by_test_id("places-taken")).to_contain_text("已登记出席 2 人")


def test_an_exhibitor_asks_the_fair_desk_for_help_and_staff_see_it_in_the_admin(page, live_server, staff):
    now = timezone.now()
    fair = EventFactory(
        kind=Event.Kind.TRADE_FAIR,
        title="第135届中国进出口商品交易会",
        place="广州琶洲国际会展中心",
        starts_at=now - datetime.timedelta(hours=3),
        ends_at=now + datetime.timedelta(days=2),
        desk_location="A区 1.2 号馆知识产权服务站",
        desk_hours="每日 9:00–18:00",
        pre_fair_briefing="展前已对参展企业的展品进行专利、商标风险排查。",
    )

    page.goto(f"{live_server.url}/knowledge/events/{fair.pk}/")
    expect(page.get_by_test_id("desk-location")).to_have_text("A区 1.2 号馆知识产权服务站")
    page.get_by_label("参展单位").fill("许昌远东传动轴股份有限公司")
    page.get_by_label("联系人").fill("高峰")
    page.get_by_label("联系电话").fill("13912345678")
    page.get_by_label("展位号").fill("1.2B15")
    page.get_by_label("遇到的问题").fill("美国客户在展位上出示律师函，称我司传动轴侵犯其专利，要求撤展。")
    page.get_by_label(re.compile("紧急")).check()
    page.get_by_role("button", name="提交求助").click()
    expect(page.get_by_role("heading", name="您的求助已收到")).to_be_visible()
    expect(page.get_by_text("工作人员将优先处理")).to_be_visible()
    expect(page.get_by_test_id("desk-location")).to_have_text("A区 1.2 号馆知识产权服务站")
    assert FairHelpRequest.objects.get().urgent

    login(page, live_server, staff)
    page.goto(f"{live_server.url}/admin/knowledge/fairhelprequest/")
    row = page.get_by_role("row").filter(has_text="许昌远东传动轴股份有限公司")
    expect(row).to_contain_text("紧急")
    expect(row).to_contain_text("1.2B15")
    expect(row).to_contain_text("待处理")
    row.get_by_role("link", name="许昌远东传动轴股份有限公司").click()
    expect(page.locator("#content")).to_contain_text("要求撤展")
    expect(page.get_by_test_id("escalation-explained")).to_contain_text("本次求助同时记入咨询记录")
    # Staff answer from the request's page; the exhibitor left no address, so the answer is recorded.
    page.get_by_label("答复").fill("请勿签收任何文件，工作人员 10 分钟内到展位。")
    page.get_by_role("button", name="保存答复").click()
    expect(page.get_by_text("已答复。")).to_be_visible()
    expect(page.locator("#content")).to_contain_text("工作人员 10 分钟内到展位")
    assert FairHelpRequest.objects.get().status == FairHelpRequest.Status.HANDLED
