"""A subscriber receives the weekly digest, in the browser: a visitor subscribes to a country,
confirms through the link of the e-mail, staff publish a warning for that country, the weekly task
runs, the subscriber's digest names the warning and links to it and to unsubscribing, and following
that link unsubscribes."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from knowledge.models import Subscription, Warning
from knowledge.services.publication import item_publish
from knowledge.tasks import send_weekly_digest
from tests.e2e.a11y import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)

VISITOR = "buyer@jincheng-machinery.example.cn"


def _only_mail_to(address):
    messages = [message for message in mail.outbox if message.to == [address]]
    assert len(messages) == 1, [message.subject for message in messages]
    return messages[0]


def _link(text, path_part):
    (link,) = [link for link in re.findall(r"https?://\S+", text) if path_part in link]
    return link


def test_a_visitor_subscribes_confirms_receives_the_digest_and_unsubscribes(page, live_server, settings, staff):
    # Links in e-mails point at the portal's public address: here, the live server.
    settings.SITE_URL = live_server.url
    mail.outbox.clear()

    # The visitor subscribes to Germany and sees the feeds offered beside the form.
    page.goto(f"{live_server.url}/knowledge/subscribe/")
    expect(page.get_by_role("heading", name="订阅涉外知识产权资讯")).to_be_visible()
    expect(page.get_by_test_id("feed-list").get_by_role("link", name="RSS").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("电子邮箱").fill(VISITOR)
    page.get_by_label("德国", exact=True).check()
    page.get_by_role("button", name="订阅并发送确认邮件").click()
    expect(page.get_by_role("heading", name="请查收确认邮件")).to_be_visible()

    # Only the confirmation has been sent; the visitor opens its link and confirms.
    confirmation = _only_mail_to(VISITOR)
    page.goto(_link(confirmation.body, "/confirm/"))
    assert_accessible(page)
    page.get_by_role("button", name="确认订阅").click()
    expect(page.get_by_text("订阅已确认")).to_be_visible()
    assert_accessible(page)
    expect(page.get_by_test_id("chosen-countries")).to_have_text("德国")
    assert Subscription.objects.get(email=VISITOR).active

    # Staff publish a warning about Germany (and one about another country).
    issued = timezone.localdate()
    germany = Warning.objects.create(
        kind=Warning.Kind.SQUATTING,
        risk_level=Warning.Risk.HIGH,
        title="德国市场数控机床商标被抢注预警",
        country="DE",
        ip_type="trademark",
        issued_on=issued,
        body="发现德国有公司抢先申请注册本省企业的数控机床商标，请相关企业在异议期内提出异议。",
        mark="JINCHENG",
        opposition_deadline=issued + datetime.timedelta(days=60),
    )
    elsewhere = Warning.objects.create(
        kind=Warning.Kind.COUNTRY,
        title="越南展会知识产权风险提示",
        country="VN",
        ip_type="patent",
        issued_on=issued,
        body="越南展会期间的专利风险提示。",
    )
    item_publish(item=germany, by=staff)
    item_publish(item=elsewhere, by=staff)

    # The weekly task runs: the subscriber gets one digest with the warning about Germany only.
    mail.outbox.clear()
    assert send_weekly_digest.apply().get(disable_sync_subtasks=False)["sent"] == 1
    digest = _only_mail_to(VISITOR)
    assert "德国市场数控机床商标被抢注预警" in digest.body
    assert "风险等级：高" in digest.body
    assert "越南展会知识产权风险提示" not in digest.body
    # A second run the same week sends nothing more.
    assert send_weekly_digest.apply().get(disable_sync_subtasks=False)["sent"] == 0

    # The warning's link opens the published warning.
    page.goto(_link(digest.body, f"/knowledge/warnings/{germany.pk}/"))
    expect(page.get_by_role("heading", name="德国市场数控机床商标被抢注预警")).to_be_visible()

    # The unsubscribe link of the digest unsubscribes, and the subscription's page says so.
    page.goto(_link(digest.body, "/unsubscribe/"))
    page.get_by_role("button", name="确认退订").click()
    expect(page.get_by_text("您已退订，今后不会再收到这些资讯。")).to_be_visible()
    expect(page.get_by_test_id("subscription-state")).to_contain_text("退订")
    assert not Subscription.objects.get(email=VISITOR).active
