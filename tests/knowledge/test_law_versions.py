"""A law amended or repealed is a new version: the old one is marked, both link to each other, and the
country's subscribers are told."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from knowledge.models import Law, Publication, Subscription
from knowledge.services import subscriptions
from knowledge.services.publication import item_publish, item_withdraw, law_new_version, law_repeal
from portal.access import Forbidden
from portal.audit import entries_for
from tests.knowledge.conftest import LawFactory

pytestmark = pytest.mark.django_db
S = Publication.Status


@pytest.fixture
def law():
    return LawFactory(country="DE", title_zh="德国专利法", promulgated_on=datetime.date(1980, 12, 16))


@pytest.fixture
def subscribers():
    now = timezone.now()
    return {
        "de": Subscription.objects.create(email="de@example.cn", countries=["DE"], confirmed_at=now),
        "all": Subscription.objects.create(email="all@example.cn", confirmed_at=now),
        "us": Subscription.objects.create(email="us@example.cn", countries=["US"], confirmed_at=now),
        "unconfirmed": Subscription.objects.create(email="later@example.cn", countries=["DE"]),
    }


def test_a_new_version_is_a_draft_that_replaces_the_old_one(law, staff):
    new = law_new_version(law=law, by=staff, title_zh="德国专利法（2021 年修订）", summary="修订要点")
    assert new.status == S.DRAFT and new.supersedes == law
    assert new.country == "DE" and new.full_text == law.full_text  # copied unless changed
    law.refresh_from_db()
    assert law.superseded_by == new and law.legal_status == Law.LegalStatus.IN_FORCE  # not before publication
    assert entries_for(new).get(action_type="knowledge.law.new_version").data["supersedes"] == law.pk


def test_publishing_the_new_version_marks_the_old_amended_and_tells_subscribers(
    law, staff, subscribers, django_capture_on_commit_callbacks
):
    new = law_new_version(law=law, by=staff, title_zh="德国专利法（2021 年修订）", summary="修订要点")
    with django_capture_on_commit_callbacks(execute=True):
        item_publish(item=new, by=staff)
    law.refresh_from_db()
    new.refresh_from_db()
    assert law.legal_status == Law.LegalStatus.AMENDED and law.status == S.PUBLISHED
    assert new.legal_status == Law.LegalStatus.IN_FORCE and new.status == S.PUBLISHED
    assert law.superseded_by == new and new.supersedes == law
    assert entries_for(law).get(action_type="knowledge.law.amended").data["superseded_by"] == new.pk
    told = sorted(address for message in mail.outbox for address in message.to)
    assert told == ["all@example.cn", "de@example.cn"]
    assert all("德国专利法（2021 年修订）" in message.subject for message in mail.outbox)


def test_both_public_pages_link_to_each_other(law, staff, client):
    new = law_new_version(law=law, by=staff, title_zh="德国专利法（2021 年修订）", summary="修订要点")
    item_publish(item=new, by=staff)
    old_page = client.get(reverse("knowledge:law", args=[law.pk])).content.decode()
    new_page = client.get(reverse("knowledge:law", args=[new.pk])).content.decode()
    assert reverse("knowledge:law", args=[new.pk]) in old_page and "已修订" in old_page
    assert reverse("knowledge:law", args=[law.pk]) in new_page


def test_repeal_marks_the_law_and_tells_subscribers(law, staff, subscribers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        law_repeal(law=law, by=staff, note="被新法取代")
    law.refresh_from_db()
    assert law.legal_status == Law.LegalStatus.REPEALED and law.status == S.PUBLISHED
    assert entries_for(law).get(action_type="knowledge.law.repealed").note == "被新法取代"
    assert sorted(a for m in mail.outbox for a in m.to) == ["all@example.cn", "de@example.cn"]
    with pytest.raises(ValidationError):
        law_repeal(law=law, by=staff)
    with pytest.raises(ValidationError):
        law_new_version(law=law, by=staff, title_zh="不能修订已废止的法律")


def test_subscribers_are_told_through_the_subscriptions_service(law, staff, monkeypatch):
    told = []
    monkeypatch.setattr(subscriptions, "law_version_published", lambda law, by=None: told.append((law.pk, by)))
    new = law_new_version(law=law, by=staff, title_zh="新版本")
    item_publish(item=new, by=staff)
    assert told == [(new.pk, staff)]
    # Withdrawn and published again: not a new version a second time.
    item_withdraw(item=new, by=staff)
    item_publish(item=new, by=staff)
    assert told == [(new.pk, staff)]


def test_only_one_newer_version_and_only_staff(law, staff, agency_user):
    with pytest.raises(Forbidden):
        law_new_version(law=law, by=agency_user, title_zh="x")
    with pytest.raises(Forbidden):
        law_repeal(law=law, by=agency_user)
    law_new_version(law=law, by=staff, title_zh="第一个新版本")
    with pytest.raises(ValidationError) as excinfo:
        law_new_version(law=law, by=staff, title_zh="第二个新版本")
    assert "已有新版本" in str(excinfo.value)


def test_the_admin_records_a_new_version_and_a_repeal(law, staff, client):
    client.force_login(staff)
    page = client.get(reverse("admin:knowledge_law_change", args=[law.pk])).content.decode()
    assert reverse("admin:knowledge_law_new_version", args=[law.pk]) in page
    response = client.post(
        reverse("admin:knowledge_law_new_version", args=[law.pk]),
        {"title_zh": "德国专利法（2021 年修订）", "promulgated_on": "2021-08-10", "summary": "修订要点"},
    )
    new = Law.objects.get(supersedes=law)
    assert response.status_code == 302 and response.url == reverse("admin:knowledge_law_change", args=[new.pk])
    assert new.promulgated_on == datetime.date(2021, 8, 10)
    response = client.post(reverse("admin:knowledge_law_review", args=[new.pk, "publish"]))
    assert response.status_code == 302
    law.refresh_from_db()
    assert law.legal_status == Law.LegalStatus.AMENDED
    # A bad form keeps what was typed and says why.
    other = LawFactory(country="FR")
    response = client.post(reverse("admin:knowledge_law_repeal", args=[other.pk]), {"note": ""})
    assert response.status_code == 400
    response = client.post(reverse("admin:knowledge_law_repeal", args=[other.pk]), {"note": "已失效"})
    other.refresh_from_db()
    assert response.status_code == 302 and other.legal_status == Law.LegalStatus.REPEALED
