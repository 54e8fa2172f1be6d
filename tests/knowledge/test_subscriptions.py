"""Subscriptions: double opt-in, the subscription's page, unsubscribing, the weekly digest and word
of a changed law. E-mails are read where the portal records them (EmailDelivery), in the
transaction of the change that sends them."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from knowledge.models import Industry, IPType, Law, Subscription
from knowledge.services import subscriptions as services
from knowledge.tasks import send_weekly_digest, tell_law_subscribers
from portal.celery import app as celery_app
from portal.models import EmailDelivery, OutboxMessage
from tests.knowledge.conftest import LawFactory, WarningFactory

pytestmark = pytest.mark.django_db

# A Monday morning at 08:00 in Shanghai, when the digest runs.
MONDAY = timezone.make_aware(datetime.datetime(2026, 11, 30, 8, 0))


def mails_to(address):
    return list(EmailDelivery.objects.filter(to=address).order_by("pk"))


def links_in(text):
    return re.findall(r"https?://\S+", text)


def subscribe(client, email, **choices):
    data = {"email": email, **choices}
    return client.post(reverse("knowledge:subscribe"), data)


def confirmed(email, *, countries=(), industries=(), ip_types=(), **extra):
    return Subscription.objects.create(
        email=email,
        countries=list(countries),
        industries=list(industries),
        ip_types=list(ip_types),
        confirmed_at=MONDAY - datetime.timedelta(days=30),
        **extra,
    )


def published_before(factory, when, **fields):
    return factory(published_at=when, **fields)


# --- Double opt-in ----------------------------------------------------------------------------


def test_a_visitor_subscribes_and_gets_only_a_confirmation_until_confirming(client):
    response = subscribe(client, "buyer@example.com", countries=["US", "DE"], ip_types=["trademark"])
    assert response.status_code == 200
    assert "请查收确认邮件" in response.content.decode()
    subscription = Subscription.objects.get(email="buyer@example.com")
    assert subscription.countries == ["DE", "US"]
    assert subscription.ip_types == ["trademark"]
    assert subscription.confirmed_at is None
    (confirmation,) = mails_to("buyer@example.com")
    confirm_link = f"http://testserver{reverse('knowledge:subscription_confirm', args=[subscription.token])}"
    assert confirm_link in confirmation.body
    assert "美国" in confirmation.body and "德国" in confirmation.body

    # A matching warning is published, but the address is not confirmed: nothing is sent.
    WarningFactory(country="US", ip_type="trademark", published_at=MONDAY - datetime.timedelta(days=1))
    assert services.digest_send(now=MONDAY) == 0
    law = LawFactory(country="US", ip_type="trademark")
    assert services.law_subscribers_tell(law_id=law.pk, event="new_version") == 0
    assert len(mails_to("buyer@example.com")) == 1


def test_the_confirmation_link_shows_a_button_and_the_button_confirms(client):
    subscribe(client, "buyer@example.com", countries=["US"])
    subscription = Subscription.objects.get(email="buyer@example.com")
    url = reverse("knowledge:subscription_confirm", args=[subscription.token])

    page = client.get(url)
    assert page.status_code == 200
    assert "确认订阅" in page.content.decode()
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None  # a mail scanner opening the link confirms nothing

    response = client.post(url, follow=True)
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None
    assert response.redirect_chain[-1][0] == reverse("knowledge:subscription", args=[subscription.token])
    assert "订阅已确认" in response.content.decode()

    WarningFactory(title="美国商标抢注预警", country="US", published_at=MONDAY - datetime.timedelta(days=1))
    assert services.digest_send(now=MONDAY) == 1
    assert "美国商标抢注预警" in mails_to("buyer@example.com")[-1].body


def test_an_unknown_token_is_404(client):
    for name in ("knowledge:subscription", "knowledge:subscription_confirm", "knowledge:unsubscribe"):
        assert client.get(reverse(name, args=["no-such-token"])).status_code == 404
        assert client.post(reverse(name, args=["no-such-token"])).status_code == 404


def _answer(response):
    """The page without its per-request CSRF tokens."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_subscribing_an_address_again_reveals_nothing_and_a_stranger_cannot_change_a_confirmed_one(client):
    fresh = subscribe(client, "new@example.com", countries=["JP"])
    confirmed("known@example.com", countries=["US"])
    known = subscribe(client, "known@example.com", countries=["JP"])
    assert known.status_code == fresh.status_code == 200
    assert _answer(known) == _answer(fresh).replace("new@example.com", "known@example.com")

    # The confirmed subscription keeps its choices; its owner is mailed the link of its page.
    subscription = Subscription.objects.get(email="known@example.com")
    assert subscription.countries == ["US"]
    assert subscription.confirmed_at is not None
    (message,) = mails_to("known@example.com")
    assert reverse("knowledge:subscription", args=[subscription.token]) in message.body


def test_subscribing_again_before_confirming_updates_the_choices_and_sends_the_link_again(client):
    subscribe(client, "buyer@example.com", countries=["US"])
    subscribe(client, "Buyer@Example.com", countries=["DE"], industries=["mechanical"])
    subscription = Subscription.objects.get()
    assert subscription.email == "buyer@example.com"
    assert subscription.countries == ["DE"]
    assert subscription.industries == ["mechanical"]
    assert subscription.confirmed_at is None
    _first, second = mails_to("buyer@example.com")
    assert "德国" in second.body and "机械" in second.body


def test_confirmation_mails_to_one_address_are_capped(client):
    for _ in range(services.CONFIRMATION_LIMIT + 2):
        subscribe(client, "victim@example.com", countries=["US"])
    assert len(mails_to("victim@example.com")) == services.CONFIRMATION_LIMIT


def test_the_form_is_throttled_per_network_address(client, settings):
    from knowledge.views import subscriptions as views

    limit = views.SUBSCRIBE_RATE_LIMIT
    for n in range(limit):
        assert subscribe(client, f"a{n}@example.com").status_code == 200
    refused = subscribe(client, "one-more@example.com")
    assert refused.status_code == 429
    assert refused.has_header("Retry-After")
    assert not Subscription.objects.filter(email="one-more@example.com").exists()
    # Reading the form is not counted.
    assert client.get(reverse("knowledge:subscribe")).status_code == 200


def test_bad_input_is_answered_next_to_the_field_and_keeps_the_choices(client):
    response = subscribe(client, "not-an-address", countries=["US", "DE"], ip_types=["patent"])
    assert response.status_code == 200
    page = response.content.decode()
    assert "请填写有效的电子邮箱地址。" in page
    assert 'value="not-an-address"' in page
    assert re.search(r'value="US" id="[^"]+" checked', page)
    assert re.search(r'value="patent" id="[^"]+" checked', page)
    assert not Subscription.objects.exists()
    # An unknown code is refused next to its field, and nothing is stored.
    page = subscribe(client, "ok@example.com", countries=["US", "XX"]).content.decode()
    assert "XX 不在可用的选项中" in page
    assert not Subscription.objects.exists()


def test_a_logged_in_user_subscribes_the_account_address_at_once(client, applicant):
    client.force_login(applicant)
    page = client.get(reverse("knowledge:subscribe")).content.decode()
    assert applicant.email in page
    assert 'name="email"' not in page
    response = client.post(reverse("knowledge:subscribe"), {"email": "someone-else@example.com", "countries": ["US"]})
    subscription = Subscription.objects.get()
    assert subscription.email == applicant.email
    assert subscription.user == applicant
    assert subscription.active
    assert response.url == reverse("knowledge:subscription", args=[subscription.token])
    assert mails_to(applicant.email) == []
    assert not Subscription.objects.filter(email="someone-else@example.com").exists()


# --- The subscription's page and unsubscribing ------------------------------------------------


def test_the_subscription_page_changes_the_choices(client):
    subscription = confirmed("buyer@example.com", countries=["US"])
    url = reverse("knowledge:subscription", args=[subscription.token])
    page = client.get(url)
    assert page.status_code == 200
    assert "美国" in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]
    client.post(url, {"countries": ["JP", "KR"], "ip_types": ["patent"]})
    subscription.refresh_from_db()
    assert subscription.countries == ["JP", "KR"]
    assert subscription.ip_types == ["patent"]


def test_unsubscribing_stops_every_mail(client):
    subscription = confirmed("buyer@example.com", countries=["US"])
    url = reverse("knowledge:unsubscribe", args=[subscription.token])
    assert "确认退订" in client.get(url).content.decode()
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is None

    response = client.post(url, follow=True)
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is not None
    assert "您已退订" in response.content.decode()

    WarningFactory(country="US", published_at=MONDAY - datetime.timedelta(days=1))
    assert services.digest_send(now=MONDAY) == 0
    assert services.law_subscribers_tell(law_id=LawFactory(country="US").pk, event="new_version") == 0
    assert mails_to("buyer@example.com") == []


def test_one_click_unsubscribe_works_without_a_session_or_csrf_cookie():
    subscription = confirmed("buyer@example.com")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("knowledge:unsubscribe", args=[subscription.token]), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code in (200, 302)
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is not None


def test_an_old_confirmation_link_does_not_revive_an_unsubscribed_address(client):
    subscription = confirmed("buyer@example.com")
    services.subscription_unsubscribe(subscription=subscription)
    client.post(reverse("knowledge:subscription_confirm", args=[subscription.token]))
    subscription.refresh_from_db()
    assert not subscription.active


def test_subscribing_an_unsubscribed_address_asks_for_confirmation_again(client):
    subscription = confirmed("buyer@example.com")
    services.subscription_unsubscribe(subscription=subscription)
    subscribe(client, "buyer@example.com", countries=["US"])
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None and subscription.unsubscribed_at is None
    assert "subscription/" in mails_to("buyer@example.com")[-1].body


def test_the_subscription_page_resubscribes_after_unsubscribing(client):
    subscription = confirmed("buyer@example.com")
    services.subscription_unsubscribe(subscription=subscription)
    url = reverse("knowledge:subscription", args=[subscription.token])
    assert "您已于" in client.get(url).content.decode()
    client.post(url, {"countries": ["US"]})
    subscription.refresh_from_db()
    assert subscription.active


# --- The weekly digest ------------------------------------------------------------------------


def test_the_digest_matches_each_subscriptions_countries_ip_types_and_industries():
    day = MONDAY - datetime.timedelta(days=2)
    us_trademark = WarningFactory(title="美国商标预警", country="US", ip_type="trademark", published_at=day)
    us_patent_mech = WarningFactory(
        title="美国机械专利预警", country="US", ip_type="patent", industry=Industry.MECHANICAL, published_at=day
    )
    de_patent_chem = WarningFactory(
        title="德国化学专利预警", country="DE", ip_type="patent", industry=Industry.CHEMISTRY, published_at=day
    )
    us_general = WarningFactory(title="美国综合风险提示", country="US", ip_type=IPType.GENERAL, published_at=day)
    de_law = LawFactory(title_zh="德国专利法修正案", country="DE", ip_type="patent", published_at=day)

    everything = confirmed("all@example.com")
    us_only = confirmed("us@example.com", countries=["US"])
    patents = confirmed("patent@example.com", ip_types=["patent"])
    mechanical = confirmed("mech@example.com", industries=[Industry.MECHANICAL])
    japan = confirmed("jp@example.com", countries=["JP"])

    assert services.digest_send(now=MONDAY) == 4

    every_title = {us_trademark.title, us_patent_mech.title, de_patent_chem.title, us_general.title, de_law.title_zh}

    def titles(subscription):
        (message,) = mails_to(subscription.email)
        return {title for title in every_title if title in message.body}

    assert titles(everything) == every_title
    assert titles(us_only) == {us_trademark.title, us_patent_mech.title, us_general.title}
    # The general type (综合) concerns every IP type.
    assert titles(patents) == {us_patent_mech.title, de_patent_chem.title, us_general.title, de_law.title_zh}
    # A warning of another industry is left out; warnings without an industry and laws are not.
    assert titles(mechanical) == {us_trademark.title, us_patent_mech.title, us_general.title, de_law.title_zh}
    assert mails_to(japan.email) == []


def test_the_digest_leaves_out_unpublished_and_old_items():
    day = MONDAY - datetime.timedelta(days=2)
    WarningFactory(title="草稿预警", status=Law.Status.SUBMITTED, published_at=None)
    WarningFactory(title="已撤回预警", status=Law.Status.WITHDRAWN, published_at=day)
    WarningFactory(title="上月预警", published_at=MONDAY - datetime.timedelta(days=30))
    WarningFactory(title="本周预警", published_at=day)
    subscription = confirmed("all@example.com")
    services.digest_send(now=MONDAY)
    (message,) = mails_to(subscription.email)
    assert "本周预警" in message.body
    for title in ("草稿预警", "已撤回预警", "上月预警"):
        assert title not in message.body


def test_the_digest_has_absolute_links_the_risk_level_and_the_unsubscribe_link():
    warning = WarningFactory(
        title="美国商标抢注预警",
        country="US",
        risk_level="high",
        kind="squatting",
        opposition_deadline=datetime.date(2026, 12, 30),
        published_at=MONDAY - datetime.timedelta(days=1),
    )
    law = LawFactory(title_zh="美国专利法", country="US", published_at=MONDAY - datetime.timedelta(days=1))
    subscription = confirmed("buyer@example.com", countries=["US"])
    services.digest_send(now=MONDAY)
    (message,) = mails_to(subscription.email)
    assert "1 条预警" in message.subject and "1 部法律法规" in message.subject
    links = links_in(message.body)
    assert f"http://testserver{warning.get_absolute_url()}" in links
    assert f"http://testserver{law.get_absolute_url()}" in links
    assert f"http://testserver{reverse('knowledge:unsubscribe', args=[subscription.token])}" in links
    assert f"http://testserver{reverse('knowledge:subscription', args=[subscription.token])}" in links
    assert "风险等级：高" in message.body
    assert "美国" in message.body
    assert "2026-12-30" in message.body


def test_the_digest_lists_the_highest_risk_first():
    day = MONDAY - datetime.timedelta(days=2)
    WarningFactory(title="低风险提示", risk_level="low", published_at=day + datetime.timedelta(hours=2))
    WarningFactory(title="高风险预警", risk_level="high", published_at=day)
    WarningFactory(title="中风险提示", risk_level="medium", published_at=day + datetime.timedelta(hours=1))
    subscription = confirmed("buyer@example.com")
    services.digest_send(now=MONDAY)
    (message,) = mails_to(subscription.email)
    assert message.body.index("高风险预警") < message.body.index("中风险提示") < message.body.index("低风险提示")


def test_the_digest_is_sent_once_a_week_and_then_covers_only_what_is_new():
    WarningFactory(title="第一周预警", published_at=MONDAY - datetime.timedelta(days=1))
    subscription = confirmed("buyer@example.com")
    assert services.digest_send(now=MONDAY) == 1
    # A second run the same week (a retry, a second delivery, a manual run) sends nothing.
    WarningFactory(title="周二预警", published_at=MONDAY + datetime.timedelta(days=1))
    assert services.digest_send(now=MONDAY + datetime.timedelta(hours=1)) == 0
    assert services.digest_send(now=MONDAY + datetime.timedelta(days=3)) == 0
    assert len(mails_to(subscription.email)) == 1
    subscription.refresh_from_db()
    assert subscription.last_sent_at == MONDAY

    next_monday = MONDAY + datetime.timedelta(days=7)
    assert services.digest_send(now=next_monday) == 1
    _first, second = mails_to(subscription.email)
    assert "周二预警" in second.body
    assert "第一周预警" not in second.body


def test_nothing_is_sent_when_nothing_new_matches():
    WarningFactory(country="DE", published_at=MONDAY - datetime.timedelta(days=1))
    subscription = confirmed("buyer@example.com", countries=["US"])
    assert services.digest_send(now=MONDAY) == 0
    assert mails_to(subscription.email) == []
    subscription.refresh_from_db()
    assert subscription.last_sent_at is None


def test_the_task_sends_the_digest_and_beat_runs_it_on_monday_at_eight():
    WarningFactory(published_at=timezone.now() - datetime.timedelta(hours=1))
    confirmed("buyer@example.com")
    assert send_weekly_digest.apply().get(disable_sync_subtasks=False) == {"sent": 1, "next": None}
    assert send_weekly_digest.apply().get(disable_sync_subtasks=False) == {"sent": 0, "next": None}
    (entry,) = [e for e in celery_app.conf.beat_schedule.values() if e["task"] == "knowledge.tasks.send_weekly_digest"]
    schedule = entry["schedule"]
    assert schedule.hour == {8} and schedule.minute == {0} and schedule.day_of_week == {1}


def test_the_task_sends_many_subscriptions_in_batches_of_tasks(monkeypatch):
    monkeypatch.setattr(services, "DIGEST_BATCH", 2)
    WarningFactory(title="美国预警", published_at=timezone.now() - datetime.timedelta(hours=1))
    subscriptions = [confirmed(f"s{n}@example.com") for n in range(5)]
    # Eager here: each next batch runs as its own task at once, with the same moment.
    first = send_weekly_digest.apply().get(disable_sync_subtasks=False)
    assert first == {"sent": 2, "next": subscriptions[1].pk}
    for subscription in subscriptions:
        assert len(mails_to(subscription.email)) == 1
    assert send_weekly_digest.apply().get(disable_sync_subtasks=False)["sent"] == 0


def test_the_digest_mail_leaves_after_commit(django_capture_on_commit_callbacks):
    WarningFactory(title="美国预警", published_at=MONDAY - datetime.timedelta(days=1))
    confirmed("buyer@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        services.digest_send(now=MONDAY)
    (message,) = mail.outbox
    assert message.to == ["buyer@example.com"]
    assert "美国预警" in message.body


# --- A law amended or repealed ----------------------------------------------------------------


def test_a_new_law_version_tells_only_that_countrys_subscribers(django_capture_on_commit_callbacks):
    old = LawFactory(title_zh="美国专利法", country="US", ip_type="patent", legal_status=Law.LegalStatus.AMENDED)
    new = LawFactory(
        title_zh="美国专利法（2026年修正）", country="US", ip_type="patent", supersedes=old, summary="宽限期延长"
    )
    us = confirmed("us@example.com", countries=["US"])
    us_patent = confirmed("us-patent@example.com", countries=["US"], ip_types=["patent"])
    us_trademark = confirmed("us-tm@example.com", countries=["US"], ip_types=["trademark"])
    germany = confirmed("de@example.com", countries=["DE"])
    pending = Subscription.objects.create(email="pending@example.com", countries=["US"])

    # Recorded with the publication, told by a task once it commits.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.law_version_published(new) is True
        assert not EmailDelivery.objects.exists()
    for subscription in (us, us_patent):
        (message,) = mails_to(subscription.email)
        assert "美国专利法（2026年修正）" in message.subject
        assert "已修订" in message.body
        assert "宽限期延长" in message.body
        assert f"http://testserver{new.get_absolute_url()}" in links_in(message.body)
        unsubscribe = f"http://testserver{reverse('knowledge:unsubscribe', args=[subscription.token])}"
        assert unsubscribe in links_in(message.body)
    for subscription in (us_trademark, germany, pending):
        assert mails_to(subscription.email) == []


def test_a_repeal_tells_the_subscribers_of_the_country(django_capture_on_commit_callbacks):
    law = LawFactory(title_zh="德国实用新型法", country="DE", legal_status=Law.LegalStatus.REPEALED)
    subscription = confirmed("de@example.com", countries=["DE"])
    with django_capture_on_commit_callbacks(execute=True):
        services.law_version_published(law)
    (message,) = mails_to(subscription.email)
    assert "废止" in message.subject and "德国实用新型法" in message.body


def test_an_unpublished_law_tells_no_one():
    law = LawFactory(status=Law.Status.SUBMITTED, published_at=None, country="US")
    confirmed("us@example.com", countries=["US"])
    assert services.law_version_published(law) is False
    assert not OutboxMessage.objects.filter(task="knowledge.tasks.tell_law_subscribers").exists()
    assert services.law_subscribers_tell(law_id=law.pk, event="new_version") == 0
    assert not EmailDelivery.objects.exists()


def test_a_second_delivery_of_the_task_tells_no_one_again():
    law = LawFactory(country="US")
    subscription = confirmed("us@example.com", countries=["US"])
    assert tell_law_subscribers.apply(args=[law.pk, "new_version"]).get(disable_sync_subtasks=False) == {"told": 1}
    assert tell_law_subscribers.apply(args=[law.pk, "new_version"]).get(disable_sync_subtasks=False) == {"told": 0}
    assert len(mails_to(subscription.email)) == 1
    # Its later repeal is another event, told once too.
    assert services.law_subscribers_tell(law_id=law.pk, event="repealed") == 1
    assert services.law_subscribers_tell(law_id=law.pk, event="repealed") == 0


def test_staff_publishing_an_amendment_or_a_repeal_tells_the_countrys_subscribers(
    staff, django_capture_on_commit_callbacks
):
    from knowledge.services.publication import item_publish, law_new_version, law_repeal

    law = LawFactory(title_zh="德国商标法", country="DE", ip_type="trademark")
    germany = confirmed("de@example.com", countries=["DE"])
    france = confirmed("fr@example.com", countries=["FR"])

    new = law_new_version(law=law, by=staff, title_zh="德国商标法（2026年修正）", summary="异议期改为三个月")
    assert mails_to(germany.email) == []  # a draft version tells no one
    with django_capture_on_commit_callbacks(execute=True):
        item_publish(item=new, by=staff)
    (amended,) = mails_to(germany.email)
    assert "德国商标法（2026年修正）" in amended.subject
    assert f"http://testserver{new.get_absolute_url()}" in links_in(amended.body)
    assert "异议期改为三个月" in amended.body

    with django_capture_on_commit_callbacks(execute=True):
        law_repeal(law=new, by=staff)
    _amended, repealed = mails_to(germany.email)
    assert "废止" in repealed.subject
    assert mails_to(france.email) == []


# --- The staff workplace ------------------------------------------------------------------------


def test_staff_see_subscriptions_without_their_tokens_and_may_unsubscribe_one(client, staff):
    subscription = confirmed("buyer@example.com", countries=["US"], ip_types=["patent"])
    subscription.last_sent_at = MONDAY
    subscription.save()
    client.force_login(staff)
    listing = client.get(reverse("admin:knowledge_subscription_changelist"))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "buyer@example.com" in page and "美国" in page and "专利" in page
    assert subscription.token not in page
    detail = client.get(reverse("admin:knowledge_subscription_change", args=[subscription.pk]))
    assert detail.status_code == 200
    assert subscription.token not in detail.content.decode()

    client.post(
        reverse("admin:knowledge_subscription_changelist"),
        {"action": "unsubscribe", "_selected_action": [subscription.pk]},
    )
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is not None


def test_others_do_not_see_subscriptions_in_the_admin(client, agency_user):
    confirmed("buyer@example.com")
    client.force_login(agency_user)
    response = client.get(reverse("admin:knowledge_subscription_changelist"))
    assert response.status_code in (302, 403)


def test_what_a_subscription_covers_reads_in_the_language_of_the_page():
    """Its labels are translated once per language and kept: a page in English after one in
    Chinese shows English names. A country code outside the list shows as its code; no choice of
    a kind is all of it."""
    from django.utils import translation

    subscription = confirmed("reader@example.com", countries=["US", "XX"], ip_types=["patent"])
    with translation.override("zh-hans"):
        assert services.choice_labels(subscription) == {
            "countries": "美国、XX",
            "industries": "全部",
            "ip_types": "专利",
        }
    with translation.override("en"):
        labels = services.choice_labels(subscription)
    assert labels["countries"].startswith("United States") and labels["countries"].endswith("、XX")
    assert labels["ip_types"] == "Patent" and labels["industries"] == "All"
