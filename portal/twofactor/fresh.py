"""A fresh second factor before signing: one check used by every signing view.

`require_fresh_factor(request)` returns None when the user entered a code within
SIGNING_FRESH_FACTOR_MINUTES; otherwise it returns the page asking for a code, carrying the
request's form fields along. Once the code is right, the browser is sent back to the same address
with the same method and fields (HTTP 307), so the signing goes ahead with nothing lost.
"""

from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from portal.twofactor.core import factor_is_fresh, fresh_factor_minutes, has_device
from portal.twofactor.forms import CodeForm

PREFIX = "twofactor"
_OWN_FIELDS = {"csrfmiddlewaretoken"}


def safe_url(request, candidate, default=None):
    """`candidate` if it is a path on this site, else `default`."""
    if (
        candidate
        and candidate.startswith("/")
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return default


def carried_fields(request):
    """The request's own form fields, as (name, value) pairs, to send again after the code."""
    if request.method != "POST":
        return []
    return [
        (name, value)
        for name in request.POST
        if name not in _OWN_FIELDS and not name.startswith(f"{PREFIX}-")
        for value in request.POST.getlist(name)
    ]


def confirm_page(request, *, form, target, method, carried, back):
    return TemplateResponse(
        request,
        "portal/twofactor/confirm.html",
        {
            "form": form,
            "target": target,
            "method": method,
            "carried": carried,
            "back": back,
            "minutes": fresh_factor_minutes(),
            "action": reverse("twofactor:confirm"),
        },
    )


def require_fresh_factor(request):
    """None if a second factor was entered recently enough to sign; else the response to return."""
    if factor_is_fresh(request):
        return None
    target = request.get_full_path()
    back = safe_url(request, request.META.get("HTTP_REFERER"), default=reverse("portal:landing"))
    if not has_device(request.user):
        return HttpResponseRedirect(f"{reverse('twofactor:setup')}?{urlencode({'next': back})}")
    return confirm_page(
        request,
        form=CodeForm(user=request.user, prefix=PREFIX),
        target=target,
        method="POST" if request.method == "POST" else "GET",
        carried=carried_fields(request),
        back=back,
    )
