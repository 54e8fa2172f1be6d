"""Django's cache as an optimisation, never a dependency.

The cache is Redis in production. When Redis is down or refuses commands, a read is a miss and a
write is skipped, with a warning in the log: the caller falls back to the database and the
visitor never sees a 500 because of the cache.
"""

import hashlib
import logging
import re
import threading
import time
from collections import OrderedDict
from functools import wraps
from http.cookies import SimpleCookie
from typing import NamedTuple

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.utils.translation import get_language

logger = logging.getLogger(__name__)


def cache_get(key, default=None):
    """The cached value, or `default` when it is missing or the cache cannot be reached."""
    try:
        return cache.get(key, default)
    except Exception:  # any failure of the cache server or its connection
        logger.warning("Cache unavailable: reading %s from the source instead", key, exc_info=True)
        return default


def cache_set(key, value, timeout):
    """Store a value; True if it was stored, False when the cache cannot be reached."""
    try:
        cache.set(key, value, timeout)
    except Exception:
        logger.warning("Cache unavailable: %s not stored", key, exc_info=True)
        return False
    return True


def cache_delete(key):
    """Forget a value (and this process's copy of it: `remembered`); True if the cache answered,
    False when it cannot be reached."""
    _near.drop(key)
    try:
        cache.delete(key)
    except Exception:
        logger.warning("Cache unavailable: %s not cleared", key, exc_info=True)
        return False
    return True


# --- Values kept a while, with a copy in the process ------------------------------------------------
# An admin list read five to eight such values from Redis (its navigation, its filters' choices and
# panel, the table's estimate): a round trip of 0.2 to 0.5 ms each, some 7 % of the page. Each is now
# also kept in the process that read it, until the very moment it leaves the shared cache: no copy
# is older than its timeout allows, and a process asks Redis once per value and timeout.
NEAR_ENTRIES = 2_000
# Text held in copies at most. A filter panel is up to 150,000 characters; the panels of every admin
# list and the first choice of each of its filters came to 4 million (tests/bench/bench_admin_lists.py),
# and at that bound a walk through them all read most panels back from Redis. Three times that: at
# most 24 MB of a web process, at two bytes a character (Chinese text).
NEAR_CHARS = 12_000_000
_OTHER_SIZE = 2_000  # what a copy that is not text (a list of choices, the navigation) is counted as


class _Until(NamedTuple):
    """A value as the shared cache holds it: with the moment (time.time()) it expires there."""

    moment: float
    value: object


class _NearCopies:
    def __init__(self):
        self.copies = OrderedDict()  # key -> (_Until, size), the oldest first: the first to go when full
        self.chars = 0
        self.lock = threading.Lock()

    def get(self, key, now):
        found = self.copies.get(key)
        if found is None or found[0].moment <= now:
            return None
        return found[0]

    def put(self, key, until):
        size = len(until.value) if isinstance(until.value, str) else _OTHER_SIZE
        with self.lock:
            old = self.copies.pop(key, None)
            if old is not None:
                self.chars -= old[1]
            self.copies[key] = (until, size)
            self.chars += size
            while len(self.copies) > NEAR_ENTRIES or self.chars > NEAR_CHARS:
                _key, (_until, dropped) = self.copies.popitem(last=False)
                self.chars -= dropped

    def drop(self, key):
        with self.lock:
            old = self.copies.pop(key, None)
            if old is not None:
                self.chars -= old[1]

    def clear(self):
        with self.lock:
            self.copies.clear()
            self.chars = 0


_near = _NearCopies()


def remembered(key, compute, timeout, *, instead=None):
    """`compute()`'s value, kept `timeout` seconds in the shared cache under `key` and, until the same
    moment, in this process: for a value that may be `timeout` late, which nobody deletes before its
    time from another process (this one's `cache_delete` drops its copy). Callers must not change
    the value: the next caller in the process gets the same object. Where the value has run out,
    `instead()` may answer for it, neither computed nor kept (None: compute it)."""
    now = time.time()
    found = _near.get(key, now)
    if found is None:
        found = cache_get(key)
        if not isinstance(found, _Until) or found.moment <= now:
            if instead is not None and (answer := instead()) is not None:
                return answer
            found = _Until(now + timeout, compute())
            cache_set(key, found, timeout)
        _near.put(key, found)
    return found.value


def clear_cache():
    """Empty the shared cache and this process's copies of it (what the tests start from)."""
    cache.clear()
    _near.clear()


def kept(parts, make, timeout):
    """`make()`'s value, kept `timeout` seconds under a digest of `parts`: everything the value
    follows from (a piece of HTML: the language, the choices it shows, the page it is on)."""
    key = "portal:kept:" + hashlib.sha256(repr(parts).encode()).hexdigest()[:40]
    return remembered(key, make, timeout)


# --- Whole pages for anonymous visitors -----------------------------------------------------------
PAGE_KEY = "portal:page:{digest}"
CSRF_COOKIE = settings.CSRF_COOKIE_NAME
_CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
# Versions of published content that public pages show, registered by the apps that publish it
# (the base layer imports none of them): a publish moves a version, and every page keyed on it is new.
_public_versions = []


def register_public_version(version):
    """`version()` returns a value that changes whenever content shown on public pages changes."""
    if version not in _public_versions:
        _public_versions.append(version)


def public_version():
    return "|".join(str(version()) for version in _public_versions)


def store_without_cookies(key, response, timeout, value=None):
    """Keep a response (or `value`, which holds it) without the cookies set for the visitor it was
    made for (a CSRF cookie set by a view's own csrf_protect): each visitor gets their own when it
    is served."""
    cookies = response.cookies
    response.cookies = SimpleCookie()
    try:
        cache_set(key, response if value is None else value, timeout)
    finally:
        response.cookies = cookies


def keepable(response):
    """A complete page that sets no cookie of its visitor's own (the CSRF cookie is renewed per visitor)."""
    return response.status_code == 200 and not response.streaming and not set(response.cookies) - {CSRF_COOKIE}


def with_fresh_csrf(request, content):
    """A kept page's content with the CSRF tokens of its forms made the current visitor's."""
    if b"csrfmiddlewaretoken" not in content:
        return content
    token = get_token(request)
    return _CSRF_INPUT.sub(lambda m: m.group(1) + token + m.group(2), content.decode()).encode()


def anonymous_page(view=None, *, timeout=60):
    """Keep a public GET page's response for anonymous visitors, for `timeout` seconds at most
    (what such a page shows of the center's settings may be that late) and only until something
    is published (`public_version`). Signed-in users and pages carrying a message are rendered
    each time. The stored copy carries the CSRF token of the visitor it was made for; each visitor
    gets it with their own."""

    def decorate(view_func):
        @wraps(view_func)
        def wrapped(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD") or request.user.is_authenticated or get_messages(request):
                return view_func(request, *args, **kwargs)
            raw = "|".join([public_version(), get_language() or "", request.get_full_path()])
            key = PAGE_KEY.format(digest=hashlib.sha256(raw.encode()).hexdigest()[:40])
            stored = cache_get(key)
            if stored is not None:
                stored.content = with_fresh_csrf(request, stored.content)
                return stored
            response = view_func(request, *args, **kwargs)
            if not keepable(response):
                return response
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if not get_messages(request):
                store_without_cookies(key, response, timeout)
            return response

        return wrapped

    if view is not None:
        return decorate(view)
    return decorate
