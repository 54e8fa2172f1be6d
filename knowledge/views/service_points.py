"""The public directory of the service network's workstations (服务工作站): the active ones, grouped
by region and, within a region, by level (city, district or county, park), with address, hotline and
hours. No map: an address list.

The center edits workstations in the admin (portal), which sits below the knowledge platform and does
not move its content version (knowledge.caching). Its ETag is made of the rows it shows (one small
query), the language and the visitor: a browser that still has the page gets 304 Not Modified, and an
anonymous visitor gets the page rendered for that ETag from the server's cache; an edit is visible at
the next request."""

import hashlib
from itertools import groupby

from django.shortcuts import render
from django.urls import path
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from portal.cache import cache_get, store_without_cookies, with_fresh_csrf
from portal.models import ServicePoint

LEVEL_ORDER = {level: index for index, level in enumerate(ServicePoint.Level.values)}
FIELDS = ("pk", "name", "level", "parent__name", "region", "address", "hotline", "email", "office_hours")


def active_service_points():
    """The active workstations as the directory shows them: top level first, then by the center's order."""
    rows = list(ServicePoint.objects.filter(active=True).values(*FIELDS))
    labels = dict(ServicePoint.Level.choices)
    for row in rows:
        row["level_label"] = labels.get(row["level"], row["level"])
    rows.sort(key=lambda row: (LEVEL_ORDER.get(row["level"], 99), row["name"]))
    return rows


def grouped_by_region(rows):
    """[(region, [rows by level])], regions in the order their first (highest-level) workstation comes."""
    order = {}
    for row in rows:
        order.setdefault(row["region"], len(order))
    ordered = sorted(rows, key=lambda row: (order[row["region"]], LEVEL_ORDER.get(row["level"], 99), row["name"]))
    return [(region, list(items)) for region, items in groupby(ordered, key=lambda row: row["region"])]


def _etag(request, rows):
    user = request.user
    who = f"u{user.pk}" if user.is_authenticated else "anon"
    raw = repr((get_language() or "", who, [sorted(row.items()) for row in rows]))
    return '"sp-' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'


@require_safe
def service_point_list(request):
    rows = active_service_points()
    etag = _etag(request, rows)
    response = get_conditional_response(request, etag=etag)
    # The rendered page is kept under its ETag for anonymous visitors (nothing personal on it but
    # the CSRF token, made each visitor's own): the rows are read every time, so an edit still
    # shows at the next request.
    key = f"knowledge:service-points:{etag.strip(chr(34))}"
    anonymous = not request.user.is_authenticated
    if response is None and anonymous:
        response = cache_get(key)
        if response is not None:
            response.content = with_fresh_csrf(request, response.content)
    if response is None:
        response = render(
            request,
            "knowledge/service_points.html",
            {
                "regions": grouped_by_region(rows),
                "count": len(rows),
                "levels": ServicePoint.Level.choices,
                "knowledge_section": "institutions",
            },
        )
        if anonymous:
            store_without_cookies(key, response, 300)
    response.headers["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True, max_age=0)
    return response


urlpatterns = [
    path("service-points/", service_point_list, name="service_points"),
]
