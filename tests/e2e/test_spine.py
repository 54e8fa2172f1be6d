"""The spine: the home page, and each role lands where it belongs after logging in."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_home_page_explains_the_service_and_offers_to_apply(page, live_server):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="海外知识产权纠纷应对指导")).to_be_visible()
    expect(page.get_by_role("link", name="在线申请指导")).to_be_visible()
    expect(page.get_by_text("服务热线").first).to_be_visible()


@pytest.mark.parametrize(
    ("fixture", "landing", "marker"),
    [
        ("applicant", r"/applications/$", "我的申请"),
        ("staff", r"/admin/$", "工作台"),
        ("director", r"/admin/$", "工作台"),
        ("deputy", r"/admin/$", "工作台"),
        ("agency_user", r"/cases/agency/$", "协助办理函"),
        ("expert_user", r"/experts/$", "专家工作台"),
    ],
)
def test_each_role_lands_where_it_works(page, live_server, request, fixture, landing, marker):
    user = request.getfixturevalue(fixture)
    login(page, live_server, user)
    expect(page).to_have_url(re.compile(landing))
    expect(page.get_by_role("heading", name=marker).first).to_be_visible()
