"""A published warning reaches the liaison officers of the key enterprises it concerns, once each."""

import re

import pytest
from django.core import mail
from django.db import transaction

from enterprises import services
from enterprises.models import WarningDelivery
from enterprises.tasks import deliver_warning
from knowledge.services.publication import item_publish, item_staff_save, item_withdraw
from portal.audit import LogEntry
from tests.enterprises.conftest import KeyEnterpriseFactory, OfficerFactory, draft_warning

pytestmark = pytest.mark.django_db

OFFICER = "zhangmin@ruifeng-hair.example.cn"


def mails_to(address):
    return [message for message in mail.outbox if message.to == [address]]


def publish(warning, by, capture):
    with capture(execute=True):
        return item_publish(item=warning, by=by)


def test_publishing_a_warning_for_its_market_mails_the_officer_its_title_risk_country_summary_and_link(
    enterprise, staff, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://ipportal.example.cn"
    warning = draft_warning(
        title="美国假发产品外观设计专利维权预警",
        country="US",
        risk_level="high",
        body="<p>近期美国某公司就<b>蕾丝假发</b>外观设计向多家中国卖家发起诉讼，涉及亚马逊店铺冻结。</p>"
        + "详情" * 200,
    )
    publish(warning, staff, django_capture_on_commit_callbacks)

    (message,) = mails_to(OFFICER)
    assert message.subject == "【预警信息】美国假发产品外观设计专利维权预警（风险等级：高）"
    assert "张敏，您好" in message.body
    assert "许昌瑞丰发制品有限公司" in message.body
    assert "国家/地区：美国" in message.body
    assert "与贵单位相关：出口市场：美国" in message.body
    assert "近期美国某公司就蕾丝假发外观设计" in message.body  # tags removed
    assert "<b>" not in message.body
    summary = re.search(r"摘要：(.*)", message.body).group(1)
    assert len(summary) <= services.SUMMARY_LENGTH
    assert f"https://ipportal.example.cn/knowledge/warnings/{warning.pk}/" in message.body
    delivery = WarningDelivery.objects.get()
    assert (delivery.warning, delivery.officer.email, delivery.reason) == (warning, OFFICER, "出口市场：美国")
    entry = LogEntry.objects.get(action_type="enterprises.warning.sent")
    assert entry.object_id == enterprise.pk
    assert entry.data == {"warning": warning.pk, "officers": [delivery.officer_id]}


def test_each_officer_gets_a_warning_once_however_often_it_is_published_saved_or_the_task_run(
    enterprise, staff, django_capture_on_commit_callbacks
):
    warning = publish(draft_warning(country="NG"), staff, django_capture_on_commit_callbacks)
    assert len(mails_to(OFFICER)) == 1

    # Saved again by staff, withdrawn and published again, the task delivered twice.
    with django_capture_on_commit_callbacks(execute=True):
        warning.body = "更新后的内容"
        item_staff_save(item=warning, by=staff, changed=["body"])
    with django_capture_on_commit_callbacks(execute=True):
        warning = item_withdraw(item=warning, by=staff)
    warning.refresh_from_db()
    publish(warning, staff, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver_warning.delay(warning.pk).get() == {"sent": 0}
        assert services.warning_deliver(warning_id=warning.pk) == 0

    assert len(mails_to(OFFICER)) == 1
    assert WarningDelivery.objects.count() == 1
    assert LogEntry.objects.filter(action_type="enterprises.warning.sent").count() == 1


def test_an_officer_appointed_later_gets_the_warning_on_the_next_publication_and_the_first_one_nothing_more(
    enterprise, staff, django_capture_on_commit_callbacks
):
    warning = draft_warning(country="US")
    publish(warning, staff, django_capture_on_commit_callbacks)
    services.liaison_officer_add(enterprise=enterprise, by=staff, name="李强", email="liqiang@ruifeng-hair.example.cn")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.warning_deliver(warning_id=warning.pk) == 1
    assert len(mails_to(OFFICER)) == 1
    assert len(mails_to("liqiang@ruifeng-hair.example.cn")) == 1


def test_only_active_officers_of_active_enterprises_that_match_are_sent_it(
    enterprise, other_enterprise, staff, django_capture_on_commit_callbacks
):
    retired = OfficerFactory(enterprise=enterprise, email="old@ruifeng-hair.example.cn", active=False)
    OfficerFactory(enterprise=other_enterprise, email="jp-only@ceramics.example.cn")  # markets: JP
    struck_off = KeyEnterpriseFactory(markets=["US"], active=False)
    OfficerFactory(enterprise=struck_off, email="gone@example.cn")
    by_industry = KeyEnterpriseFactory(markets=["KR"], industries=["electrical"])
    OfficerFactory(enterprise=by_industry, email="power@xuji-demo.example.cn")

    warning = draft_warning(country="US", industry="electrical")
    publish(warning, staff, django_capture_on_commit_callbacks)

    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([OFFICER, "power@xuji-demo.example.cn"])
    assert not mails_to(retired.email)
    assert WarningDelivery.objects.get(officer__email="power@xuji-demo.example.cn").reason == "所属行业：电学"


def test_a_publication_rolled_back_sends_nothing(enterprise, staff, django_capture_on_commit_callbacks):
    warning = draft_warning(country="US")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        try:
            with transaction.atomic():
                item_publish(item=warning, by=staff)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not mail.outbox
    assert not WarningDelivery.objects.exists()


def test_an_unpublished_warning_is_sent_to_no_one(enterprise, staff):
    warning = draft_warning(country="US")
    assert services.warning_deliver(warning_id=warning.pk) == 0
    assert services.warning_deliver(warning_id=999999) == 0
    assert not WarningDelivery.objects.exists()


def test_publishing_another_kind_of_item_sends_no_warning(enterprise, staff, django_capture_on_commit_callbacks):
    from tests.knowledge.conftest import TypicalCaseFactory

    case = TypicalCaseFactory(status="draft", published_at=None, country="US")
    with django_capture_on_commit_callbacks(execute=True):
        item_publish(item=case, by=staff)
    assert not mails_to(OFFICER)
