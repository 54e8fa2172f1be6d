"""What the portal's home page shows of the knowledge platform.

The home page belongs to the base layer, which never imports the knowledge app; its template loads
this tag library instead, so the platform's latest warnings, upcoming sessions and section counts
reach the page without the base layer knowing the app: `{% knowledge_home as platform %}`."""

from django import template

from applications.countries import country_name
from knowledge import selectors

register = template.Library()

LATEST_WARNINGS = 4
UPCOMING_EVENTS = 2


@register.simple_tag
def knowledge_home():
    """The latest published warnings, the next sessions and the number of items in each section
    (six queries)."""
    warnings = list(selectors.published_warnings().order_by("-issued_on", "-id")[:LATEST_WARNINGS])
    for warning in warnings:
        # A dictionary look-up: get_country_display hashes every label of the long country list.
        warning.country_label = country_name(warning.country)
    return {
        "warnings": warnings,
        "events": list(selectors.upcoming_events(limit=UPCOMING_EVENTS)),
        "counts": selectors.section_counts(),
    }
