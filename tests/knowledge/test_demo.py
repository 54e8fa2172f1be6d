"""The knowledge platform's demo data: enough of each section to look real, the 17 institutions of
the Xuchang notice of 2022 exactly as published, versions linked, a review queue that is not empty,
and a second run that changes nothing."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from knowledge import demo
from knowledge.models import (
    CountryGuide,
    Event,
    EventMaterial,
    Law,
    OfficialFee,
    Registration,
    SearchEntry,
    ServiceInstitution,
    TypicalCase,
    Warning,
)
from knowledge.search import search

PUBLISHED = Law.Status.PUBLISHED
MODELS = [Law, CountryGuide, OfficialFee, TypicalCase, Warning, ServiceInstitution, Event, EventMaterial, Registration]
COUNTRIES = {"US", "DE", "FR", "GB", "JP", "KR", "IN", "BR"}


@pytest.fixture
def seeded(db):
    from portal import demo as portal_demo

    out = io.StringIO()
    portal_demo.seed(out)
    demo.seed(out)
    return out


def _counts():
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts["SearchEntry"] = SearchEntry.objects.count()
    counts["statuses"] = sorted(
        (model.__name__, status)
        for model in (Law, TypicalCase, Warning, ServiceInstitution, Event)
        for status in model.objects.values_list("status", flat=True)
    )
    return counts


def test_seeding_twice_gives_the_same_rows(seeded):
    before = _counts()
    partners = dict(ServiceInstitution.objects.values_list("name", "partner__name"))
    demo.seed(io.StringIO())
    assert _counts() == before
    assert dict(ServiceInstitution.objects.values_list("name", "partner__name")) == partners


def test_each_section_has_enough_to_look_real(seeded):
    laws = Law.objects.filter(status=PUBLISHED)
    assert laws.count() >= 30
    assert set(laws.values_list("country", flat=True)) >= COUNTRIES
    assert set(laws.values_list("doc_type", flat=True)) == set(Law.DocType.values)
    assert all(law.title_original and law.issuing_body and law.summary and law.source_url for law in laws)
    assert all(url.startswith("https://") for url in laws.values_list("source_url", flat=True))
    assert set(CountryGuide.objects.values_list("country", flat=True)) >= COUNTRIES
    fees = OfficialFee.objects.all()
    assert {"patent", "trademark"} <= set(fees.values_list("ip_type", flat=True))
    assert len(set(fees.values_list("country", flat=True))) >= 4
    assert all(fee.currency and fee.as_of and "示例" in fee.item for fee in fees)

    cases = TypicalCase.objects.filter(status=PUBLISHED)
    assert cases.count() >= 15
    assert {"patent", "trademark", "gi", "copyright", "trade_secret", "unfair_competition"} <= set(
        cases.values_list("ip_type", flat=True)
    )
    assert {"court", "itc_337", "customs", "trade_fair", "opposition"} <= set(cases.values_list("forum", flat=True))
    assert all("某" in case.title for case in cases)

    warnings = Warning.objects.filter(status=PUBLISHED)
    assert warnings.count() >= 10
    today = timezone.localdate()
    squatting = warnings.filter(kind=Warning.Kind.SQUATTING)
    assert squatting.count() >= 3
    for alert in squatting:
        assert alert.mark and alert.filing_number and alert.filing_date < today < alert.opposition_deadline
    # A legal change points at the new version of an amended law.
    change = warnings.filter(kind=Warning.Kind.LEGAL_CHANGE, law__supersedes__isnull=False).first()
    assert change is not None and change.law.supersedes.legal_status == Law.LegalStatus.AMENDED

    events = Event.objects.filter(status=PUBLISHED)
    now = timezone.now()
    training = events.exclude(kind=Event.Kind.TRADE_FAIR)
    assert training.count() >= 3
    past = training.filter(ends_at__lt=now)
    assert past.exists() and EventMaterial.objects.filter(event__in=past).exists()
    upcoming = training.filter(starts_at__gt=now, capacity__isnull=False)
    assert upcoming.count() >= 2
    assert Registration.objects.filter(event__in=upcoming, status="registered").count() >= 2
    fair = events.get(kind=Event.Kind.TRADE_FAIR)
    assert fair.ends_at > now
    assert fair.pre_fair_briefing and fair.desk_location and fair.desk_hours and fair.post_fair_follow_up


def test_the_seventeen_institutions_are_as_published(seeded):
    with demo.XUCHANG_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 17
    listed = ServiceInstitution.objects.filter(listed_in="第一批海外维权协助机构名单").order_by("serial")
    assert [(i.serial, i.name, i.nature, i.head, i.address) for i in listed] == [
        (int(r["序号"]), r["机构名称"], r["机构性质"], r["负责人"], r["地址"]) for r in rows
    ]
    assert listed.get(serial=1).name == "许昌宗诚知识产权代理有限公司"
    assert listed.get(serial=17).address == "禹州市浅井镇陈桐村6组"
    assert all(i.status == PUBLISHED and i.scope == "domestic" for i in listed)
    assert set(listed.filter(serial__gte=14).values_list("region", flat=True)) == {"禹州市"}
    assert set(listed.filter(serial__lt=14).values_list("region", flat=True)) == {"许昌市"}


def test_overseas_institutions_are_marked_demo_and_paired_both_ways(seeded):
    overseas = ServiceInstitution.objects.filter(scope="overseas")
    assert overseas.count() >= 3
    for institution in overseas:
        assert institution.name.startswith("（演示）") and institution.country and institution.countries_covered
        assert institution.partner.scope == "domestic"
        assert institution.partner.partner == institution


def test_versions_are_linked(seeded):
    amended = Law.objects.filter(legal_status=Law.LegalStatus.AMENDED)
    repealed = Law.objects.filter(legal_status=Law.LegalStatus.REPEALED)
    assert amended.count() >= 2 and repealed.count() >= 1
    for old in [*amended, *repealed]:
        new = old.superseded_by
        assert new.legal_status == Law.LegalStatus.IN_FORCE and new.country == old.country
    patg = Law.objects.get(title_zh__startswith="《德国专利法》（经2021年")
    assert patg.supersedes.title_zh == "《德国专利法》（2021年修订前文本）"
    assert str(patg.effective_on) == "2021-08-18"


def test_credits_and_the_review_queue(seeded):
    credited = Law.objects.filter(status=PUBLISHED, agency__isnull=False)
    assert credited.exists() and TypicalCase.objects.filter(status=PUBLISHED, agency__code="sxcommerce").exists()
    submitted = Law.objects.get(status=Law.Status.SUBMITTED)
    assert submitted.submitted_by.email == "agency@demo.cn" and submitted.agency == submitted.submitted_by.agency
    returned = TypicalCase.objects.get(status=TypicalCase.Status.RETURNED)
    assert returned.submitted_by.email == "agency@demo.cn" and returned.review_reason
    # Neither is in the public search.
    indexed = set(SearchEntry.objects.values_list("title", flat=True))
    assert submitted.title_zh not in indexed and returned.title not in indexed


def test_the_search_finds_the_demo_content_in_chinese(seeded):
    assert SearchEntry.objects.count() == sum(
        model.objects.filter(status=PUBLISHED).count()
        for model in (Law, TypicalCase, Warning, ServiceInstitution, Event)
    )
    titles = [hit.title for hit in search("数控机床").hits]
    assert "某数控机床企业应对美国 337 调查并与申请人和解" in titles
    assert search("337").total >= 3
    assert search("禹州").total == 4


def test_the_home_page_leads_a_visitor_into_the_platform(seeded, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        response = client.get(reverse("portal:home"))
    page = response.content.decode()
    home = page[page.index('data-testid="knowledge-home"') :]
    latest = Warning.objects.filter(status=PUBLISHED).order_by("-issued_on", "-id").first()
    assert latest.title in home and latest.get_absolute_url() in home
    assert f"· {latest.get_country_display()} · {latest.issued_on:%Y-%m-%d}" in home
    for name in ["laws", "countries", "cases", "warnings", "institutions", "events", "subscribe"]:
        assert f'href="{reverse(f"knowledge:{name}")}"' in home
    assert f'action="{reverse("knowledge:search")}"' in home and 'name="q"' in home
    assert 'href="https://www.worldip.cn/"' in home and 'href="https://www.ipwq.cn/"' in home
    count = Law.objects.filter(status=PUBLISHED).count()
    assert f"{count} 部" in home
    # The main navigation leads everyone to the platform.
    assert f'href="{reverse("knowledge:index")}"' in page[: page.index('id="main"')]


def test_an_agency_user_finds_the_submissions_in_the_navigation(seeded, client):
    from portal.models import User

    user = User.objects.get(email="agency@demo.cn")
    client.force_login(user)
    page = client.get(reverse("knowledge:laws")).content.decode()
    assert f'href="{reverse("knowledge:agency_submissions")}"' in page
