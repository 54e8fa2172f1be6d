"""Stored text of the knowledge platform, shown safely.

`rich_text`: text that holds HTML (a law's full text as the agency sent it) is cleaned with nh3 (the
Rust sanitiser ammonia) down to a few structural tags, links only to http(s)/mailto and marked
rel="noopener noreferrer nofollow"; plain text (most of what is typed in a form) is escaped and
its blank lines become paragraphs, its single line breaks <br>.
"""

import re

import nh3
from django import template
from django.utils import timezone
from django.utils.html import linebreaks
from django.utils.safestring import SafeString

from applications.countries import country_name

register = template.Library()

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a",
    "table", "thead", "tbody", "tr", "th", "td", "h3", "h4", "blockquote",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel=LINK_REL,
    strip_comments=True,
)


def clean_html(value):
    """The HTML with everything but the allowed tags, attributes and link schemes removed."""
    return _cleaner.clean(value or "")


@register.filter
def rich_text(value):
    """Stored text as safe HTML: cleaned when it holds tags, paragraphs of escaped text otherwise."""
    value = str(value or "")
    if not value.strip():
        return ""
    if _TAG.search(value):
        # nh3's output holds only the allowed tags, with escaped text between them.
        return SafeString(clean_html(value))
    # linebreaks escapes the text itself (autoescape=True) and adds only <p> and <br>.
    return SafeString(linebreaks(value, autoescape=True))


@register.filter
def days_until(value):
    """Whole days from today to a date (negative when it has passed)."""
    if not value:
        return None
    return (value - timezone.localdate()).days


@register.filter
def country_label(code):
    """A country's name from its code (a dictionary look-up; the model's get_…_display rebuilds
    the whole list of countries on every call)."""
    return country_name(code) if code else ""
