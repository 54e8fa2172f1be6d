"""The RSS and Atom feeds of each section, the sitemap and robots.txt: published items only, valid
XML, absolute links."""

import datetime

import pytest
from defusedxml import ElementTree as ET
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from knowledge.models import Law
from tests.knowledge.conftest import EventFactory, InstitutionFactory, LawFactory, TypicalCaseFactory, WarningFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SECTIONS = {
    "laws": (LawFactory, "title_zh"),
    "cases": (TypicalCaseFactory, "title"),
    "warnings": (WarningFactory, "title"),
    "events": (EventFactory, "title"),
}
HIDDEN = (Law.Status.DRAFT, Law.Status.SUBMITTED, Law.Status.RETURNED, Law.Status.DECLINED, Law.Status.WITHDRAWN)


def _published_and_hidden(section):
    factory, title_field = SECTIONS[section]
    shown = factory(**{title_field: f"公开的{section}条目"})
    hidden = [factory(status=status, **{title_field: f"未公开的{section}条目{status}"}) for status in HIDDEN]
    return shown, hidden, title_field


@pytest.mark.parametrize("section", list(SECTIONS))
def test_the_rss_feed_lists_only_published_items(client, section):
    shown, hidden, title_field = _published_and_hidden(section)
    response = client.get(reverse("knowledge:feed_rss", args=[section]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    channel = root.find("channel")
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == [getattr(shown, title_field)]
    assert items[0].findtext("link") == f"http://testserver{shown.get_absolute_url()}"
    assert items[0].findtext("pubDate")
    assert channel.findtext("link").startswith("http://testserver/knowledge/")
    for item in hidden:
        assert getattr(item, title_field).encode() not in response.content


@pytest.mark.parametrize("section", list(SECTIONS))
def test_the_atom_feed_lists_only_published_items(client, section):
    shown, _hidden, title_field = _published_and_hidden(section)
    response = client.get(reverse("knowledge:feed_atom", args=[section]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [getattr(shown, title_field)]
    links = [link.get("href") for link in entries[0].findall(f"{ATOM}link")]
    assert f"http://testserver{shown.get_absolute_url()}" in links
    assert entries[0].findtext(f"{ATOM}updated")


def test_the_feed_is_newest_first_and_text_is_not_markup(client):
    now = timezone.now()
    WarningFactory(title="较早的预警", published_at=now - datetime.timedelta(days=3))
    WarningFactory(
        title="最新的预警", body="<script>alert(1)</script>风险提示", published_at=now - datetime.timedelta(days=1)
    )
    response = client.get(reverse("knowledge:feed_rss", args=["warnings"]))
    channel = ET.fromstring(response.content).find("channel")
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == ["最新的预警", "较早的预警"]
    description = items[0].findtext("description")
    # What a reader gets as HTML is the text, escaped (nh3 already cleans what is submitted).
    assert "<script>" not in description
    assert "风险提示" in description
    assert "风险等级" in description


def test_an_unknown_section_has_no_feed(client):
    assert client.get("/knowledge/feeds/institutions/rss/").status_code == 404
    assert client.get("/knowledge/feeds/nothing/atom/").status_code == 404


def test_the_feeds_are_linked_from_page_heads_and_the_subscribe_page(client):
    snippet = render_to_string("knowledge/subscriptions/_feed_links.html", {"section": "warnings"})
    assert f'href="{reverse("knowledge:feed_rss", args=["warnings"])}"' in snippet
    assert f'href="{reverse("knowledge:feed_atom", args=["warnings"])}"' in snippet
    assert 'type="application/atom+xml"' in snippet
    every = render_to_string("knowledge/subscriptions/_feed_links.html")
    for section in SECTIONS:
        assert reverse("knowledge:feed_rss", args=[section]) in every

    page = client.get(reverse("knowledge:subscribe")).content.decode()
    head = page.split("</head>")[0]
    body = page.split("</head>")[1]
    assert '<link rel="alternate" type="application/rss+xml"' in head
    for section in SECTIONS:
        assert reverse("knowledge:feed_rss", args=[section]) in head
        assert reverse("knowledge:feed_atom", args=[section]) in body


def sitemap_entries(client, site="http://testserver"):
    """Every address the sitemap lists, with its lastmod: the index, then each section's pages."""
    index = client.get(reverse("knowledge:sitemap"))
    assert index.status_code == 200
    root = ET.fromstring(index.content)
    assert root.tag == f"{SITEMAP}sitemapindex"
    entries = {}
    for sitemap in root:
        location = sitemap.findtext(f"{SITEMAP}loc")
        assert location.startswith(f"{site}/knowledge/sitemap-")
        page = client.get(location.removeprefix(site))
        assert page.status_code == 200
        for url in ET.fromstring(page.content):
            entries[url.findtext(f"{SITEMAP}loc")] = url.findtext(f"{SITEMAP}lastmod")
    return entries


def test_the_sitemap_lists_public_pages_and_published_items_only(client):
    law = LawFactory()
    case = TypicalCaseFactory()
    warning = WarningFactory()
    institution = InstitutionFactory()
    event = EventFactory()
    hidden = [
        LawFactory(status=Law.Status.SUBMITTED, published_at=None),
        TypicalCaseFactory(status=Law.Status.RETURNED, published_at=None),
        WarningFactory(status=Law.Status.WITHDRAWN),
        InstitutionFactory(status=Law.Status.DECLINED, published_at=None),
        EventFactory(status=Law.Status.DRAFT, published_at=None),
    ]
    entries = sitemap_entries(client)
    for item in (law, case, warning, institution, event):
        location = f"http://testserver{item.get_absolute_url()}"
        assert location in entries
        assert entries[location] == timezone.localtime(item.updated_at).date().isoformat()
    for item in hidden:
        assert f"http://testserver{item.get_absolute_url()}" not in entries
    for name in ("knowledge:index", "knowledge:laws", "knowledge:cases", "knowledge:warnings", "knowledge:events"):
        assert f"http://testserver{reverse(name)}" in entries
    assert f"http://testserver{reverse('knowledge:country', args=['US'])}" in entries
    # The subscription pages of the token are not listed.
    assert not any("/subscription/" in location for location in entries)


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert f"Sitemap: http://testserver{reverse('knowledge:sitemap')}" in text.splitlines()
    assert "Disallow: /admin/" in text.splitlines()
    assert "Disallow: /knowledge/subscription/" in text.splitlines()


def test_the_sitemap_uses_the_public_address_not_the_request_host(client, settings):
    settings.SITE_URL = "https://ip.example.cn"
    law = LawFactory()
    entries = sitemap_entries(client, site="https://ip.example.cn")
    assert f"https://ip.example.cn{law.get_absolute_url()}" in entries
    assert not any("testserver" in location for location in entries)
    feed = client.get(reverse("knowledge:feed_rss", args=["laws"]))
    assert f"https://ip.example.cn{law.get_absolute_url()}".encode() in feed.content


def test_feeds_are_cacheable_and_a_publish_shows_at_once(client):
    from knowledge.caching import content_changed

    WarningFactory(title="第一条预警")
    url = reverse("knowledge:feed_rss", args=["warnings"])
    first = client.get(url)
    assert first.has_header("ETag") and first.has_header("Last-Modified")
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    WarningFactory(title="第二条预警")
    content_changed()  # what the publishing services do
    second = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert "第二条预警" in second.content.decode()
    sitemap = client.get(reverse("knowledge:sitemap"))
    assert sitemap.has_header("ETag")


def test_a_long_section_is_cut_into_pages(client, monkeypatch):
    from knowledge.sitemaps import ItemsSitemap

    monkeypatch.setattr(ItemsSitemap, "limit", 2)
    laws = [LawFactory() for _ in range(5)]
    index = ET.fromstring(client.get(reverse("knowledge:sitemap")).content)
    locations = [sitemap.findtext(f"{SITEMAP}loc") for sitemap in index]
    laws_pages = [location for location in locations if "sitemap-laws.xml" in location]
    assert laws_pages == [
        "http://testserver/knowledge/sitemap-laws.xml",
        "http://testserver/knowledge/sitemap-laws.xml?p=2",
        "http://testserver/knowledge/sitemap-laws.xml?p=3",
    ]
    entries = sitemap_entries(client)
    for law in laws:
        assert f"http://testserver{law.get_absolute_url()}" in entries
    assert client.get("/knowledge/sitemap-laws.xml?p=4").status_code == 404
    assert client.get("/knowledge/sitemap-nothing.xml").status_code == 404
