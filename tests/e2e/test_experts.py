"""Browser: staff match and invite an expert; the expert accepts, declares no conflict and
submits an opinion; staff see the opinion on the case."""

import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from experts import services
from portal.roles import Role
from tests.e2e.helpers import login, logout
from tests.experts.factories import ExpertFactory, expert_with_login, make_case

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_invite_expert_accepts_declares_and_submits_an_opinion(page, live_server, staff):
    case = make_case(countries=["US"], opponent_name="Acme Robotics Inc.", request="美国竞争对手指控我司数控机床侵权。")
    expert = expert_with_login(name="吴志远", countries=["US"], jurisdictions=["US"])
    ExpertFactory(name="李其次", countries=["GB"])

    login(page, live_server, staff)
    page.goto(f"{live_server.url}/experts/center/cases/{case.pk}/")
    page.get_by_role("button", name="匹配专家").click()
    rows = page.get_by_test_id("rank-row")
    expect(rows.first).to_contain_text("吴志远")
    expect(rows.first).to_contain_text("美国执业 +5")
    page.get_by_label("吴志远").check()
    page.get_by_role("button", name="邀请所选专家").click()
    expect(page.get_by_role("alert").filter(has_text="已邀请：吴志远")).to_be_visible()
    logout(page, live_server)

    login(page, live_server, expert.user)
    expect(page).to_have_url(re.compile(r"/experts/$"))
    expect(page.get_by_role("heading", name="专家工作台")).to_be_visible()
    page.get_by_role("link", name=f"案件 {case.number} 咨询邀请").click()
    page.get_by_role("button", name="接受邀请").click()
    expect(page.get_by_role("heading", name="利益冲突声明")).to_be_visible()
    expect(page.get_by_text("美国竞争对手指控我司数控机床侵权。")).to_have_count(0)
    page.get_by_label("本人与本案申请人及纠纷对方不存在利益冲突").check()
    page.get_by_role("button", name="提交声明").click()
    expect(page.get_by_text("美国竞争对手指控我司数控机床侵权。")).to_be_visible()
    expect(page.get_by_text("zhangsan@example.cn")).to_have_count(0)
    page.get_by_label("案情分析").fill("对方专利权利要求 1 的技术特征与我司产品存在差异。")
    page.get_by_label("应对建议").fill("建议委托美国律师出具不侵权意见，并评估提起 IPR 的可行性。")
    page.get_by_label("风险提示").fill("如败诉可能面临排除令。")
    page.get_by_role("button", name="提交意见").click()
    expect(page.get_by_text("专家意见已提交")).to_be_visible()
    logout(page, live_server)

    login(page, live_server, staff)
    page.goto(f"{live_server.url}/experts/center/cases/{case.pk}/")
    opinion = page.get_by_test_id("opinion")
    expect(opinion).to_contain_text("吴志远")
    expect(opinion).to_contain_text("建议委托美国律师出具不侵权意见")
    # The work log: who did what, with the status labels people know.
    history = page.get_by_test_id("history-entry")
    expect(history.filter(has_text="邀请专家")).to_contain_text("李明")
    expect(history.filter(has_text="接受邀请")).to_contain_text("吴志远")
    expect(history.filter(has_text="接受邀请")).to_contain_text("待答复 → 已接受")
    expect(history.filter(has_text="提交专家意见")).to_contain_text("承办中 → 已提交意见")


def test_another_expert_cannot_answer_an_invitation(page, live_server, staff):
    """A member of staff who also sits in the pool opens a colleague's invitation: the refusal says why."""
    case = make_case()
    expert = expert_with_login(name="吴志远")
    invitation = services.expert_invite(
        case=case, expert=expert, by=staff, deadline=timezone.now() + timezone.timedelta(days=3)
    )
    staff.groups.add(Group.objects.get_or_create(name=Role.EXPERT)[0])
    login(page, live_server, staff)
    page.goto(f"{live_server.url}/experts/invitations/{invitation.pk}/")
    page.get_by_role("button", name="接受邀请").click()
    expect(page.get_by_text("只有受邀专家本人可以答复此邀请。")).to_be_visible()
    invitation.refresh_from_db()
    assert invitation.status == invitation.Status.PENDING


def test_select_all_on_the_expert_export_page_works_under_the_content_security_policy(page, live_server, staff):
    ExpertFactory(name="李其次", countries=["GB"])
    login(page, live_server, staff)
    page.goto(f"{live_server.url}/admin/experts/expert/export/")
    toggle = page.locator("input.select-toggle")
    fields = page.locator(".selectable-field-export-row:visible input[type=checkbox]")
    expect(fields.first).to_be_checked()
    toggle.uncheck()
    expect(fields.first).not_to_be_checked()
    toggle.check()
    expect(fields.first).to_be_checked()
