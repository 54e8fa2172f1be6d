"""The portal's error pages: 400, 403, 404, 413, 429, 500 and the CSRF failure.

Every page is in the portal's layout, in the visitor's language with an English line for Chinese
readers, and names the hotline. The 4xx pages render like any page; if that fails (the error came
from the database, say), they fall back to the 500 page. The 500 page needs nothing but its
template: no request context, no database, only the site settings when the cache still has them.
"""

import logging
import math

from django.core.cache import cache
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from portal.access import Forbidden
from portal.models import SiteConfiguration
from portal.models.site import SITE_CONFIGURATION_CACHE_KEY

logger = logging.getLogger(__name__)

# The last resort, when even the 500 template cannot be rendered (a missing static file manifest,
# a broken template): plain HTML in both languages.
FALLBACK_500 = """<!DOCTYPE html>
<html lang="zh-Hans"><head><meta charset="utf-8"><title>服务器出错 Server error</title></head>
<body><h1>服务器出错</h1><p lang="en">Server error</p>
<p>服务器在处理您的请求时出错，错误已记录。请稍后再试。服务热线 {hotline}</p>
<p lang="en">Something went wrong on our side; the error has been logged. Please try again later.
Hotline {hotline}</p><p><a href="/">返回首页 Home</a></p></body></html>"""


def _center_without_database():
    """The site settings from the cache, else their defaults: never a database query."""
    try:
        config = cache.get(SITE_CONFIGURATION_CACHE_KEY)
    except Exception:  # the cache server may be what failed
        logger.warning("Site settings unavailable from the cache for the error page", exc_info=True)
        config = None
    return config if config is not None else SiteConfiguration()


def server_error_response():
    center = _center_without_database()
    try:
        body = loader.get_template("500.html").render({"center": center})
    except Exception:
        logger.exception("The 500 page could not be rendered; sending the plain fallback")
        body = FALLBACK_500.format(hotline=center.hotline)
    return HttpResponseServerError(body)


def _render(request, template_name, status, context=None):
    try:
        return render(request, template_name, context, status=status)
    except Exception:
        logger.exception("Error page %s could not be rendered", template_name)
        response = server_error_response()
        response.status_code = status
        return response


@requires_csrf_token
def bad_request(request, exception=None):
    return _render(request, "400.html", 400)


@requires_csrf_token
def permission_denied(request, exception=None):
    """403: a page the user may not see, or an action refused with a reason (portal.access.Forbidden),
    which the page then states."""
    reason = exception.message if isinstance(exception, Forbidden) else None
    return _render(request, "403.html", 403, {"reason": reason})


# API clients read JSON, also when the address itself is wrong.
API_PREFIX = "/api/"


@requires_csrf_token
def page_not_found(request, exception=None):
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": _("未找到。请检查地址，接口说明见 /api/v1/docs/。")}, status=404)
    return _render(request, "404.html", 404)


@requires_csrf_token
def server_error(request):
    return server_error_response()


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the form was sent without a valid token (an old page, cookies blocked)."""
    logger.warning("CSRF failure on %s: %s", request.path, reason)
    return _render(request, "403_csrf.html", 403)


def request_too_large(request):
    return _render(request, "413.html", 413)


def too_many_requests(request, retry_after):
    """The rate limit is used up; the visitor learns for how long."""
    response = _render(request, "429.html", 429, {"retry_minutes": max(1, math.ceil(retry_after / 60))})
    response["Retry-After"] = str(int(retry_after))
    return response
