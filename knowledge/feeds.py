"""RSS 2.0 and Atom feeds of each section of the platform (django.contrib.syndication).

One feed per section: laws, typical cases, warnings, training and fairs; published items only, the
newest first. Links are absolute with the portal's public address (SITE_URL), as in its e-mails, so
that a feed read through a proxy points at the public site. An item's text is rendered by a
template with autoescaping: a reader that shows the description as HTML shows the text, never
markup that came with it."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import NoReverseMatch, reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext_lazy as _

from applications.countries import country_name
from knowledge.models import Event, Law, TypicalCase, Warning
from knowledge.selectors import published
from portal.models import SiteConfiguration

FEED_LENGTH = 30

SECTIONS = {
    "laws": _("法律法规"),
    "cases": _("典型案例"),
    "warnings": _("预警信息"),
    "events": _("培训与展会"),
}

MODELS = {"laws": Law, "cases": TypicalCase, "warnings": Warning, "events": Event}

# The list page of each section, by the names it may have; the first that exists is used.
SECTION_PAGES = {
    "laws": ("knowledge:laws", "knowledge:law_list"),
    "cases": ("knowledge:cases", "knowledge:case_list"),
    "warnings": ("knowledge:warnings", "knowledge:warning_list"),
    "events": ("knowledge:events", "knowledge:event_list"),
    "institutions": ("knowledge:institutions", "knowledge:institution_list"),
}
HOME_PAGES = ("knowledge:index", "knowledge:home", "knowledge:library")


def first_url(names, *, default=None):
    """The path of the first URL name that exists (pages of the platform are named by their own
    modules; a feed or the sitemap only links to them)."""
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return default


def absolute(path):
    return path if path.startswith("http") else f"{settings.SITE_URL}{path}"


class RssSectionFeed(Feed):
    feed_type = Rss201rev2Feed
    language = "zh-CN"
    description_template = "knowledge/subscriptions/feed_item.html"

    def get_object(self, request, section):
        return section

    def title(self, section):
        return f"{SiteConfiguration.get().center_name} · {SECTIONS[section]}"

    def description(self, section):
        return _("%(center)s知识平台新发布的%(section)s") % {
            "center": SiteConfiguration.get().center_name,
            "section": SECTIONS[section],
        }

    def link(self, section):
        return absolute(
            first_url(SECTION_PAGES[section], default=first_url(HOME_PAGES, default=reverse("knowledge:subscribe")))
        )

    def items(self, section):
        return published(MODELS[section]).select_related("agency").order_by("-published_at", "-pk")[:FEED_LENGTH]

    def item_title(self, item):
        if isinstance(item, Law):
            return item.title_zh
        return item.title

    def item_link(self, item):
        return absolute(item.get_absolute_url())

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        if item.agency_id:
            return item.agency.name
        return SiteConfiguration.get().center_name

    def item_categories(self, item):
        categories = []
        if getattr(item, "country", ""):
            categories.append(str(country_name(item.country)))
        if getattr(item, "ip_type", ""):
            categories.append(str(item.get_ip_type_display()))
        if isinstance(item, Warning):
            categories.append(str(item.get_kind_display()))
        if isinstance(item, Event):
            categories.append(str(item.get_kind_display()))
        return categories

    def get_context_data(self, **kwargs):
        return {"item": kwargs.get("item"), "section": kwargs.get("obj")}


class AtomSectionFeed(RssSectionFeed):
    feed_type = Atom1Feed

    def subtitle(self, section):
        return self.description(section)
