"""The sitemap for search engines (django.contrib.sitemaps): the platform's public pages and every
published item, with the time it last changed. Addresses use the portal's public address
(SITE_URL), not the host a request came in by."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from knowledge.feeds import HOME_PAGES, SECTION_PAGES, first_url
from knowledge.models import Event, Law, ServiceInstitution, TypicalCase, Warning
from knowledge.selectors import countries_with_content, published


class _PublicSitemap(Sitemap):
    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class PagesSitemap(_PublicSitemap):
    """The platform's own pages: its home, each section's list and the subscription page."""

    changefreq = "daily"
    priority = 0.8

    def items(self):
        paths = [first_url(HOME_PAGES)]
        paths += [first_url(names) for names in SECTION_PAGES.values()]
        paths += [first_url(("knowledge:countries",)), first_url(("knowledge:search",)), reverse("knowledge:subscribe")]
        seen = set()
        return [p for p in paths if p and not (p in seen or seen.add(p))]

    def location(self, item):
        return item


class ItemsSitemap(_PublicSitemap):
    """The published items of one model, with `updated_at` as the last change."""

    changefreq = "weekly"
    priority = 0.6

    def __init__(self, model):
        self.model = model

    def items(self):
        return published(self.model).only("pk", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class CountriesSitemap(_PublicSitemap):
    """The page of each country or region with published content or a guide."""

    changefreq = "weekly"
    priority = 0.7

    def items(self):
        return [summary.code for summary in countries_with_content()]

    def location(self, code):
        return reverse("knowledge:country", args=[code])


sitemaps = {
    "pages": PagesSitemap(),
    "countries": CountriesSitemap(),
    "laws": ItemsSitemap(Law),
    "cases": ItemsSitemap(TypicalCase),
    "warnings": ItemsSitemap(Warning),
    "institutions": ItemsSitemap(ServiceInstitution),
    "events": ItemsSitemap(Event),
}
