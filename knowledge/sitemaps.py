"""The sitemap for search engines (django.contrib.sitemaps): the platform's public pages and every
published item, with the time it last changed. Addresses use the portal's public address
(SITE_URL), not the host a request came in by.

/knowledge/sitemap.xml is an index of one sitemap per section, each cut into pages of
ITEMS_PER_PAGE: with ten thousand laws one page would take seconds to build every time a
publish invalidates the cached copy."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem
from django.template.response import TemplateResponse
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


_STAND_IN = 987654321
ITEMS_PER_PAGE = 2000


class ItemsSitemap(_PublicSitemap):
    """The published items of one model, with `updated_at` as the last change."""

    changefreq = "weekly"
    priority = 0.6
    limit = ITEMS_PER_PAGE

    def __init__(self, model):
        self.model = model
        self._path = None

    def items(self):
        return published(self.model).only("pk", "updated_at").order_by("pk")

    def location(self, item):
        # The model's own get_absolute_url, resolved once with a stand-in id: resolving the URL
        # for each of ten thousand items took most of the sitemap's time.
        if self._path is None:
            self._path = self.model(pk=_STAND_IN).get_absolute_url().split(str(_STAND_IN))
        before, after = self._path
        return f"{before}{item.pk}{after}"

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        return published(self.model).order_by("-updated_at").values_list("updated_at", flat=True).first()


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


def sitemap_index(request):
    """The index of the sections' sitemaps and their pages (Django's own index view names the
    host of the request; this one names the public address)."""
    entries = []
    for section, site in sitemaps.items():
        url = f"{settings.SITE_URL}{reverse('knowledge:sitemap_section', kwargs={'section': section})}"
        lastmod = site.get_latest_lastmod()
        entries.append(SitemapIndexItem(url, lastmod))
        entries += [SitemapIndexItem(f"{url}?p={page}", lastmod) for page in range(2, site.paginator.num_pages + 1)]
    return TemplateResponse(request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml")
