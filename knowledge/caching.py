"""The public pages of the knowledge platform are cacheable, and a publish invalidates them.

One number, the content version, stands for "everything published as of now": `content_changed()`
moves it forward whenever an item is published, edited or withdrawn (the publishing services call
it). A public page (`@public_page`) then

- sends an ETag made of that version, the language, the visitor (anonymous or which user), the
  page's address with its query, and the day (pages show "days remaining"), and a Last-Modified of
  the moment the content last changed; a conditional GET that still matches gets 304 Not Modified;
- for anonymous visitors, is kept in the server's cache under that ETag for a few minutes, so that
  the next visitor of the same page gets it without a database query; a publish changes the
  version, so no visitor ever sees a page from before it.

The version lives in Django's cache (portal.cache: Redis in production). When the cache cannot be
reached every request gets a fresh version: pages are then simply not cached, never stale.
A cached page carries the CSRF tokens of the visitor it was rendered for (the language switcher is
a form); they are replaced with the current visitor's before it is sent.
"""

from __future__ import annotations

import datetime
import hashlib
import time
from functools import wraps

from django.contrib.messages import get_messages
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import get_language

from portal.cache import cache_get, cache_set, with_fresh_csrf

VERSION_KEY = "knowledge:content-version"
PAGE_KEY = "knowledge:page:{etag}"
PAGE_TIMEOUT = 300


def _now_ms():
    return int(time.time() * 1000)


def content_version():
    """The current content version: milliseconds since the epoch of the last change (or of the
    moment the cache first needed one)."""
    version = cache_get(VERSION_KEY)
    if version is None:
        version = _now_ms()
        cache_set(VERSION_KEY, version, None)
    return version


def content_changed():
    """Something published changed: every public page's ETag and server copy are out of date."""
    old = cache_get(VERSION_KEY) or 0
    version = max(_now_ms(), old + 1)
    cache_set(VERSION_KEY, version, None)
    return version


def last_modified():
    return datetime.datetime.fromtimestamp(content_version() / 1000, tz=datetime.UTC)


def _page_etag(request, version, bucket):
    user = request.user
    who = f"u{user.pk}" if user.is_authenticated else "anon"
    raw = "|".join([str(version), get_language() or "", who, request.get_full_path(), str(bucket)])
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'


def _has_messages(request):
    # Loading the messages does not mark them read; only showing them does.
    return len(get_messages(request)) > 0


def public_page(view=None, *, bucket_seconds=86400):
    """Make a public GET page cacheable (see the module's note).

    `bucket_seconds`: how long a page may stay the same when nothing is published (its text
    depends on the clock: "days remaining", upcoming events); the ETag changes with each bucket.
    """

    def decorate(view_func):
        @wraps(view_func)
        def wrapped(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                return view_func(request, *args, **kwargs)
            version = content_version()
            now = time.time()
            bucket = int(now // bucket_seconds)
            etag = _page_etag(request, version, bucket)
            changed_at = int(max(version // 1000, bucket * bucket_seconds))

            not_modified = get_conditional_response(request, etag=etag, last_modified=changed_at)
            if not_modified is not None:
                _headers(not_modified, etag, changed_at)
                return not_modified

            anonymous = not request.user.is_authenticated
            use_cache = anonymous and not _has_messages(request)
            key = PAGE_KEY.format(etag=etag.strip('"'))
            if use_cache:
                stored = cache_get(key)
                if stored is not None:
                    response = stored
                    response.content = with_fresh_csrf(request, response.content)
                    _headers(response, etag, changed_at)
                    return response

            response = view_func(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming:
                return response
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            _headers(response, etag, changed_at)
            if use_cache and not _has_messages(request):
                cache_set(key, response, PAGE_TIMEOUT)
            return response

        return wrapped

    if view is not None:
        return decorate(view)
    return decorate


def _headers(response, etag, changed_at):
    response.headers["ETag"] = etag
    response.headers["Last-Modified"] = http_date(changed_at)
    # Browsers keep the page but ask each time (a 304 is cheap); shared caches do not keep it,
    # since it carries the visitor's CSRF token.
    patch_cache_control(response, private=True, no_cache=True, max_age=0)
