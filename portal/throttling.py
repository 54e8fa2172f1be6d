"""Who is asking, and how often: the client address, a per-address rate limit, login throttling.

One function says which address a request comes from, for the login throttle (django-axes) and
the rate limit of the public pages alike. Behind a reverse proxy, every request arrives from the
proxy; the client's address is then in the X-Forwarded-For header that the proxy appends to. That
header is trusted only when TRUSTED_PROXY_COUNT says how many proxies stand in front of the
portal: anyone can send the header, so without that setting it is ignored.
"""

import ipaddress
import logging
import time

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum

logger = logging.getLogger(__name__)


def _valid_address(value):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request):
    """The client's IP address.

    With TRUSTED_PROXY_COUNT = 0 (the default) that is the connection's own address. With N
    trusted proxies, each appends the address it received the request from to X-Forwarded-For,
    so the client is the N-th entry from the right; entries further left were written by the
    client itself and are never believed. A header that is missing or shorter than N (a request
    that did not pass through all the proxies) falls back to the connection's address.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            address = _valid_address(forwarded[-proxies])
            if address:
                return address
    return _valid_address(remote) or remote


class RateLimited(Exception):
    """The client has used up its requests for this window."""

    def __init__(self, retry_after):
        super().__init__(retry_after)
        self.retry_after = retry_after


def rate_limit(request, scope, *, limit, window):
    """Count one request of `scope` from the client's address; raise RateLimited beyond `limit`
    requests in the current `window` seconds. The count lives in Django's cache (Redis in
    production, so every web process shares it).

    When the cache cannot be reached the request is let through, with a warning in the log: the
    limit only slows down guessing (the codes are far too many to enumerate in one outage), and
    failing closed would take the public page down with the cache."""
    now = int(time.time())
    bucket = now // window
    key = f"ratelimit:{scope}:{client_address(request)}:{bucket}"
    try:
        cache.add(key, 0, timeout=window + 5)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=window + 5)
            count = 1
    except Exception:  # the cache server or its connection failed: fail open
        logger.warning("Rate limit %s not counted: cache unavailable", scope, exc_info=True)
        return
    if count > limit:
        raise RateLimited(retry_after=(bucket + 1) * window - now)


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler with two limits within the cool-off time.

    AXES_FAILURE_LIMIT failures for one account from one address lock that pair; and
    AXES_ADDRESS_FAILURE_LIMIT failures from one address, over any number of accounts, lock the
    address (someone trying one password on many accounts). AXES_LOCKOUT_PARAMETERS lists the pair
    first and the address second; axes compares one number with AXES_FAILURE_LIMIT, so the
    address count is shifted to reach that number exactly when it reaches its own limit.
    """

    def get_failures(self, request, credentials=None):
        pair, address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        return max(pair, address - (settings.AXES_ADDRESS_FAILURE_LIMIT - settings.AXES_FAILURE_LIMIT))

    def reset_user_attempts(self, request, credentials=None):
        """A successful login clears the failures of that account from that address only: logging
        in to one's own account must not wipe out the failures counted against the address."""
        username = get_client_username(request, credentials)
        count, _deleted = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).delete()
        return count
