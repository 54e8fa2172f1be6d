"""The admin's navigation sidebar, kept.

Every admin page lists in its sidebar each model the person may see, some fifty rows of links,
rendered again on every page. What that HTML follows from is small: the person's list of models
(itself kept a minute, portal.admin_site), the language, and which of those links the page is
under (marked "current"). The HTML is kept under those: never out of date (a change to the
person's models makes another key), so for a quarter of an hour, which only lets a sidebar nobody
asks for leave the cache.
"""

from urllib.parse import quote

from django.template import Library
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from portal.cache import kept

register = Library()

NAV_SECONDS = 15 * 60


def _current_links(app_list, path):
    """The app and model links the page is under, as app_list.html tests them (`url in path|urlencode`)."""
    path = quote(path, safe="/")
    urls = [app["app_url"] for app in app_list]
    urls += [model["admin_url"] for app in app_list for model in app["models"] if model.get("admin_url")]
    return [url for url in urls if url in path]


def _shown(app_list):
    """What app_list.html shows of each app and model."""
    return [
        (
            app["app_label"],
            app["app_url"],
            str(app["name"]),
            [
                (
                    model["object_name"],
                    str(model["name"]),
                    model.get("admin_url"),
                    model.get("add_url"),
                    model.get("view_only"),
                )
                for model in app["models"]
            ],
        )
        for app in app_list
    ]


@register.simple_tag(takes_context=True)
def portal_nav_app_list(context, app_list):
    """admin/app_list.html for the sidebar, as Django's nav_sidebar.html includes it."""
    request = context["request"]

    def make():
        return get_template("admin/app_list.html").render(
            {"app_list": app_list, "show_changelinks": False, "request": request}
        )

    parts = ("admin-nav", get_language(), _shown(app_list), _current_links(app_list, request.path))
    return mark_safe(kept(parts, make, NAV_SECONDS))  # noqa: S308 - the admin's own template, rendered above
