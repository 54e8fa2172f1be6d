"""The public library: what a visitor sees on each page, what stays hidden, the caching headers."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from knowledge import caching
from knowledge.models import CountryGuide, IPType, Law, OfficialFee, ServiceInstitution, TypicalCase, Warning
from knowledge.templatetags.knowledge_text import rich_text
from portal.models import SiteConfiguration
from tests.knowledge.conftest import (
    EventFactory,
    InstitutionFactory,
    LawFactory,
    TypicalCaseFactory,
    WarningFactory,
)

pytestmark = pytest.mark.django_db

NOT_PUBLIC = [
    Law.Status.DRAFT,
    Law.Status.SUBMITTED,
    Law.Status.RETURNED,
    Law.Status.DECLINED,
    Law.Status.WITHDRAWN,
]


def text(response):
    return response.content.decode()


# --- The front page ------------------------------------------------------------------------------


def test_front_page_shows_sections_newest_items_events_and_national_platforms(client):
    LawFactory(title_zh="德国专利法")
    WarningFactory(title="美国商标抢注预警", kind=Warning.Kind.SQUATTING)
    TypicalCaseFactory(title="某企业应诉337调查案")
    EventFactory(title="海外展会知识产权培训")
    EventFactory(title="去年的沙龙", starts_at=timezone.now() - datetime.timedelta(days=30))
    LawFactory(title_zh="尚未发布的法律", status=Law.Status.SUBMITTED)

    page = text(client.get(reverse("knowledge:index")))

    assert 'action="/knowledge/search/"' in page
    for name in ("knowledge:laws", "knowledge:countries", "knowledge:cases", "knowledge:warnings"):
        assert f'href="{reverse(name)}"' in page
    assert "德国专利法" in page and "美国商标抢注预警" in page and "某企业应诉337调查案" in page
    assert "海外展会知识产权培训" in page
    assert "去年的沙龙" not in page
    assert "尚未发布的法律" not in page
    assert "https://www.worldip.cn/" in page and "ipwq.cn" in page


# --- Laws ----------------------------------------------------------------------------------------


def test_law_list_filters_by_country_type_status_and_year(client):
    us = LawFactory(title_zh="美国专利法", country="US", ip_type=IPType.PATENT)
    de = LawFactory(
        title_zh="德国商标法",
        country="DE",
        ip_type=IPType.TRADEMARK,
        doc_type=Law.DocType.REGULATION,
        legal_status=Law.LegalStatus.REPEALED,
        promulgated_on=datetime.date(2019, 1, 1),
    )
    url = reverse("knowledge:laws")

    page = text(client.get(url))
    assert us.title_zh in page and de.title_zh in page

    for query in (
        {"country": "DE"},
        {"ip_type": "trademark"},
        {"doc_type": "regulation"},
        {"legal_status": "repealed"},
        {"year": "2019"},
    ):
        page = text(client.get(url, query))
        assert de.title_zh in page, query
        assert us.title_zh not in page, query


def test_law_list_reports_a_bad_filter_value_and_keeps_the_rest(client):
    LawFactory(title_zh="美国专利法", country="US")
    LawFactory(title_zh="德国专利法", country="DE")
    response = client.get(reverse("knowledge:laws"), {"country": "DE", "doc_type": "<script>"})
    page = text(response)
    assert response.status_code == 200
    assert "德国专利法" in page and "美国专利法" not in page
    assert 'data-testid="field-error"' in page
    assert "<script>" not in page.split('data-testid="filter-form"')[1].split("</form>")[0]


def test_law_list_search_box_searches_within_the_section_and_filters(client, indexed):
    machine = LawFactory(title_zh="数控机床主轴出口管制条例", country="DE", doc_type=Law.DocType.REGULATION)
    other = LawFactory(title_zh="数控机床进口规则", country="US", doc_type=Law.DocType.RULE)
    case = TypicalCaseFactory(title="数控机床专利纠纷")
    indexed(machine, other, case)

    page = text(client.get(reverse("knowledge:laws"), {"q": "数控机床", "country": "DE"}))
    assert "<mark>数控机床</mark>主轴出口管制条例" in page
    assert "数控机床进口规则" not in page
    assert "数控机床专利纠纷" not in page  # another section

    page = text(client.get(reverse("knowledge:laws"), {"q": "数控机床", "doc_type": "rule"}))
    assert "进口规则" in page and "主轴出口管制条例" not in page


def test_law_detail_shows_both_titles_facts_and_safe_text(client):
    law = LawFactory(
        title_zh="美国专利法",
        title_original="Patent Act",
        issuing_body="United States Congress",
        summary="关于专利的基本法律。",
        full_text='<p>第一条</p><script>alert("x")</script><a href="javascript:alert(1)">点我</a>',
        source_url="https://www.uspto.gov/",
    )
    law.attachment.save("patent-act.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    page = text(client.get(law.get_absolute_url()))
    assert "美国专利法" in page and "Patent Act" in page and "United States Congress" in page
    assert "2023-05-01" in page and "2023-06-01" in page
    assert "现行有效" in page and "<p>关于专利的基本法律。</p>" in page
    assert "<p>第一条</p>" in page
    assert 'alert("x")' not in page and "javascript:" not in page
    assert "https://www.uspto.gov/" in page
    attachment_url = reverse("knowledge:law_attachment", args=[law.pk])
    assert attachment_url in page
    response = client.get(attachment_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"


def test_law_versions_link_both_ways(client):
    v1 = LawFactory(title_zh="商标法（2013年）", legal_status=Law.LegalStatus.AMENDED)
    v2 = LawFactory(title_zh="商标法（2019年）", supersedes=v1, legal_status=Law.LegalStatus.AMENDED)
    v3 = LawFactory(title_zh="商标法（2023年）", supersedes=v2)

    old = text(client.get(v1.get_absolute_url()))
    assert v2.get_absolute_url() in old and v3.get_absolute_url() in old
    assert 'data-testid="superseded-notice"' in old

    middle = text(client.get(v2.get_absolute_url()))
    assert v1.get_absolute_url() in middle and v3.get_absolute_url() in middle

    newest = text(client.get(v3.get_absolute_url()))
    assert v1.get_absolute_url() in newest and v2.get_absolute_url() in newest
    assert 'data-testid="superseded-notice"' not in newest


def test_an_unpublished_version_is_not_linked(client):
    v1 = LawFactory(title_zh="专利法旧版", legal_status=Law.LegalStatus.AMENDED)
    draft = LawFactory(title_zh="专利法修订草稿", supersedes=v1, status=Law.Status.SUBMITTED)
    page = text(client.get(v1.get_absolute_url()))
    assert draft.get_absolute_url() not in page


@pytest.mark.parametrize("status", NOT_PUBLIC)
def test_items_not_published_are_404(client, status):
    law = LawFactory(status=status)
    law.attachment.save("a.pdf", ContentFile(b"%PDF-1.4"), save=True)
    case = TypicalCaseFactory(status=status)
    warning = WarningFactory(status=status)
    institution = InstitutionFactory(status=status)
    for url in (
        law.get_absolute_url(),
        reverse("knowledge:law_attachment", args=[law.pk]),
        case.get_absolute_url(),
        warning.get_absolute_url(),
        institution.get_absolute_url(),
    ):
        assert client.get(url).status_code == 404, url
    listing = text(client.get(reverse("knowledge:laws")))
    assert law.title_zh not in listing


def test_a_law_without_attachment_has_none_to_download(client):
    law = LawFactory()
    assert client.get(reverse("knowledge:law_attachment", args=[law.pk])).status_code == 404


# --- Countries -----------------------------------------------------------------------------------


def test_country_list_counts_content(client):
    LawFactory(country="DE")
    LawFactory(country="DE")
    TypicalCaseFactory(country="DE")
    LawFactory(country="JP", status=Law.Status.SUBMITTED)
    page = text(client.get(reverse("knowledge:countries")))
    assert reverse("knowledge:country", args=["DE"]) in page
    assert "法律法规 2 · 典型案例 1 · 预警 0" in page
    assert reverse("knowledge:country", args=["JP"]) not in page


def test_country_page_gathers_laws_guide_fees_warnings_and_cases(client):
    in_force = LawFactory(country="DE", title_zh="德国专利法")
    repealed = LawFactory(country="DE", title_zh="德国旧实用新型法", legal_status=Law.LegalStatus.REPEALED)
    LawFactory(country="US", title_zh="美国专利法")
    CountryGuide.objects.create(country="DE", overview="德国是欧洲专利诉讼最集中的国家。", tips="注意禁令风险。")
    OfficialFee.objects.create(
        country="DE",
        ip_type=IPType.PATENT,
        item="发明专利申请费",
        amount="40.00",
        currency="EUR",
        as_of=datetime.date(2026, 1, 15),
    )
    WarningFactory(country="DE", title="德国展会禁令风险提示")
    TypicalCaseFactory(country="DE", title="德国专利侵权诉讼案")

    page = text(client.get(reverse("knowledge:country", args=["DE"])))
    assert "德国" in page
    assert in_force.title_zh in page and repealed.title_zh not in page and "美国专利法" not in page
    assert "德国是欧洲专利诉讼最集中的国家。" in page and "注意禁令风险。" in page
    assert "发明专利申请费" in page and "40.00" in page and "EUR" in page and "2026-01-15" in page
    assert "德国展会禁令风险提示" in page and "德国专利侵权诉讼案" in page
    assert "https://www.worldip.cn/" in page


def test_unknown_country_is_404(client):
    assert client.get(reverse("knowledge:country", args=["XX"])).status_code == 404
    assert client.get("/knowledge/countries/germany/").status_code == 404


# --- Cases ---------------------------------------------------------------------------------------


def test_case_list_filters(client):
    patent = TypicalCaseFactory(title="专利案", ip_type=IPType.PATENT, forum=TypicalCase.Forum.ITC_337)
    mark = TypicalCaseFactory(
        title="商标案", ip_type=IPType.TRADEMARK, country="DE", industry="mechanical", forum="customs"
    )
    url = reverse("knowledge:cases")
    for query in ({"ip_type": "trademark"}, {"country": "DE"}, {"industry": "mechanical"}, {"forum": "customs"}):
        page = text(client.get(url, query))
        assert mark.title in page and patent.title not in page, query


def test_case_detail_shows_the_four_parts_and_no_internal_data(client):
    case = TypicalCaseFactory(
        title="某企业在美应诉案",
        facts="基本案情内容",
        response="应对措施内容",
        outcome="处理结果内容",
        lessons="启示内容",
        consent=TypicalCase.Consent.GIVEN,
        consent_token="secret-consent-token",
        review_reason="内部审核意见",
    )
    page = text(client.get(case.get_absolute_url()))
    for part in ("基本案情内容", "应对措施内容", "处理结果内容", "启示内容"):
        assert part in page
    assert "secret-consent-token" not in page
    assert "内部审核意见" not in page
    assert "申请人同意" not in page and "来源案件" not in page
    assert 'href="/cases/' not in page


# --- Warnings ------------------------------------------------------------------------------------


def test_warning_list_filters(client):
    high = WarningFactory(title="高风险预警", risk_level="high", kind="industry", country="US")
    low = WarningFactory(title="低风险预警", risk_level="low", kind="legal_change", country="DE")
    url = reverse("knowledge:warnings")
    for query, shown, hidden in (
        ({"risk_level": "low"}, low, high),
        ({"kind": "industry"}, high, low),
        ({"country": "DE"}, low, high),
    ):
        page = text(client.get(url, query))
        assert shown.title in page and hidden.title not in page, query


def test_squatting_alert_shows_mark_filing_and_days_left(client):
    deadline = timezone.localdate() + datetime.timedelta(days=12)
    warning = WarningFactory(
        kind=Warning.Kind.SQUATTING,
        title="“许继”商标在巴西被抢注",
        country="BR",
        mark="XJ 许继",
        filing_number="BR 928374651",
        filing_date=datetime.date(2026, 9, 1),
        opposition_deadline=deadline,
    )
    page = text(client.get(warning.get_absolute_url()))
    assert "XJ 许继" in page and "BR 928374651" in page and "2026-09-01" in page
    assert deadline.strftime("%Y-%m-%d") in page
    assert "还剩 12 天" in page
    assert "高风险" in page


# --- Institutions --------------------------------------------------------------------------------


def test_institution_list_has_the_notice_columns_and_filters(client):
    domestic = InstitutionFactory(
        name="河南某知识产权代理有限公司", nature="专利代理机构", head="李四", address="许昌市建安大道1号"
    )
    overseas = InstitutionFactory(
        name="Smith & Partners LLP",
        scope=ServiceInstitution.Scope.OVERSEAS,
        region="美国加州",
        country="US",
        countries_covered=["US", "CA"],
    )
    url = reverse("knowledge:institutions")
    page = text(client.get(url))
    for column in ("序号", "机构名称", "机构性质", "负责人", "地址"):
        assert f">{column}</th>" in page
    for value in ("河南某知识产权代理有限公司", "专利代理机构", "李四", "许昌市建安大道1号"):
        assert value in page

    page = text(client.get(url, {"scope": "overseas"}))
    assert "Smith &amp; Partners LLP" in page and domestic.name not in page
    page = text(client.get(url, {"region": "美国加州"}))
    assert "Smith &amp; Partners LLP" in page and domestic.name not in page
    page = text(client.get(url, {"country": "CA"}))
    assert "Smith &amp; Partners LLP" in page and domestic.name not in page
    assert overseas.pk


def test_institution_text_filter_uses_the_search(client, indexed):
    lawyer = InstitutionFactory(name="许昌律师事务所", services="海外商标异议、337调查应诉")
    agent = InstitutionFactory(name="禹州专利代理所", services="专利申请")
    indexed(lawyer, agent)
    page = text(client.get(reverse("knowledge:institutions"), {"q": "337"}))
    assert "许昌律师事务所" in page and "禹州专利代理所" not in page


def test_institution_partner_is_linked_both_ways(client):
    domestic = InstitutionFactory(name="许昌某代理机构")
    overseas = InstitutionFactory(name="美国某律所", scope=ServiceInstitution.Scope.OVERSEAS, partner=domestic)
    assert overseas.get_absolute_url() in text(client.get(domestic.get_absolute_url()))
    assert domestic.get_absolute_url() in text(client.get(overseas.get_absolute_url()))


def test_institution_detail_shows_services_countries_languages_contacts(client):
    institution = InstitutionFactory(
        services="海外商标维权",
        countries_covered=["US", "DE"],
        languages="中文、英文、德文",
        phone="0374-1234567",
        email="ip@example.cn",
        website="https://ip.example.cn/",
    )
    page = text(client.get(institution.get_absolute_url()))
    for part in (
        "海外商标维权",
        "美国、德国",
        "中文、英文、德文",
        "0374-1234567",
        "ip@example.cn",
        "https://ip.example.cn/",
    ):
        assert part in page


# --- Query counts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["knowledge:index", "knowledge:laws", "knowledge:cases", "knowledge:warnings", "knowledge:institutions",
     "knowledge:countries"],
)  # fmt: skip
def test_list_pages_stay_within_eight_queries(client, django_assert_max_num_queries, name):
    for i in range(25):
        LawFactory(country=["US", "DE", "JP"][i % 3])
        TypicalCaseFactory()
        WarningFactory()
        InstitutionFactory(partner=None)
    EventFactory()
    SiteConfiguration.get()  # the configuration row exists on any running site
    with django_assert_max_num_queries(8):
        response = client.get(reverse(name))
    assert response.status_code == 200


def test_country_page_stays_within_eight_queries(client, django_assert_max_num_queries):
    for _ in range(10):
        LawFactory(country="DE")
        WarningFactory(country="DE")
        TypicalCaseFactory(country="DE")
    SiteConfiguration.get()
    with django_assert_max_num_queries(8):
        assert client.get(reverse("knowledge:country", args=["DE"])).status_code == 200


# --- Text rendering ------------------------------------------------------------------------------


def test_rich_text_removes_scripts_handlers_and_javascript_links():
    html = str(
        rich_text(
            '<p onclick="steal()">正文<script>alert(1)</script><img src=x onerror="alert(2)">'
            '<a href="javascript:alert(3)">坏链接</a><a href="https://example.cn/">好链接</a></p>'
        )
    )
    assert "<script" not in html and "alert" not in html
    assert "onerror" not in html and "onclick" not in html and "<img" not in html
    assert "javascript:" not in html
    assert '<a href="https://example.cn/" rel="noopener noreferrer nofollow">好链接</a>' in html


def test_rich_text_turns_plain_text_into_escaped_paragraphs():
    html = str(rich_text("第一段\n第二行\n\n第二段 <不是标签> & 3 < 4"))
    assert html.startswith("<p>第一段<br>第二行</p>")
    assert "<p>第二段 &lt;不是标签&gt; &amp; 3 &lt; 4</p>" in html


# --- Caching -------------------------------------------------------------------------------------


def test_public_page_sends_etag_and_answers_304(client):
    LawFactory()
    url = reverse("knowledge:laws")
    first = client.get(url)
    etag = first.headers["ETag"]
    assert etag and first.headers["Last-Modified"]
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304
    since = client.get(url, headers={"if-modified-since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    other_query = client.get(url, {"country": "DE"}, headers={"if-none-match": etag})
    assert other_query.status_code == 200


def test_a_publish_changes_the_etag_and_the_server_copy(client):
    url = reverse("knowledge:laws")
    first = client.get(url)
    LawFactory(title_zh="刚刚发布的法律")
    # Without a change of version the anonymous visitor gets the server's copy.
    assert "刚刚发布的法律" not in text(client.get(url))
    caching.content_changed()
    fresh = client.get(url, headers={"if-none-match": first.headers["ETag"]})
    assert fresh.status_code == 200
    assert fresh.headers["ETag"] != first.headers["ETag"]
    assert "刚刚发布的法律" in text(fresh)


def test_the_server_copy_is_anonymous_only(client, applicant):
    url = reverse("knowledge:laws")
    client.get(url)
    LawFactory(title_zh="登录用户看到的新法律")
    client.force_login(applicant)
    assert "登录用户看到的新法律" in text(client.get(url))


def test_a_cached_page_carries_the_current_visitors_csrf_token(client):
    from django.test import Client

    url = reverse("knowledge:index")
    client.get(url)
    other = Client(enforce_csrf_checks=True)
    response = other.get(url)
    token = response.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    switched = other.post(reverse("set_language"), {"language": "en", "next": url, "csrfmiddlewaretoken": token})
    assert switched.status_code == 302


def test_a_page_is_not_cached_when_the_cache_is_down(client, monkeypatch):
    monkeypatch.setattr(caching, "cache_get", lambda key, default=None: default)
    monkeypatch.setattr(caching, "cache_set", lambda key, value, timeout: False)
    url = reverse("knowledge:laws")
    client.get(url)
    LawFactory(title_zh="缓存不可用时发布的法律")
    assert "缓存不可用时发布的法律" in text(client.get(url))


def test_publishing_through_the_review_shows_the_item_and_withdrawing_hides_it(
    client, staff, django_capture_on_commit_callbacks
):
    from knowledge.services.publication import item_publish, item_withdraw

    law = LawFactory(title_zh="审核后发布的数控机床法", status=Law.Status.SUBMITTED, published_at=None)
    url = reverse("knowledge:laws")
    before = client.get(url)
    assert client.get(law.get_absolute_url()).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        item_publish(item=law, by=staff)
    after = client.get(url, headers={"if-none-match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert "审核后发布的数控机床法" in text(after)
    assert client.get(law.get_absolute_url()).status_code == 200
    assert "<mark>数控机床</mark>" in text(client.get(reverse("knowledge:search"), {"q": "数控机床"}))

    law.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        item_withdraw(item=law, by=staff, reason="内容有误")
    assert "审核后发布的数控机床法" not in text(client.get(url))
    assert client.get(law.get_absolute_url()).status_code == 404
    assert "没有找到匹配的内容" in text(client.get(reverse("knowledge:search"), {"q": "数控机床"}))


@pytest.mark.parametrize("name", ["knowledge:law", "knowledge:case", "knowledge:warning", "knowledge:institution"])
def test_an_id_beyond_any_row_is_404(client, name):
    url = reverse(name, args=[1]).replace("/1/", f"/{2**64}/")
    assert client.get(url).status_code == 404


def test_search_page_and_lists_survive_odd_page_numbers(client, indexed):
    indexed(LawFactory(title_zh="商标法"))
    for url, query in (
        (reverse("knowledge:search"), {"q": "商标", "page": "999999999999999999999"}),
        (reverse("knowledge:laws"), {"page": "-3"}),
        (reverse("knowledge:laws"), {"q": "商标", "page": "abc"}),
    ):
        assert client.get(url, query).status_code == 200
