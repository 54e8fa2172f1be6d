"""Signed-in pages kept until a table they read is written to.

The applicant's case page, the agency's and the expert's workspaces and every admin page (through
portal.admin_site) are read far more often than anything on them changes, yet each is a dozen
queries and a large template. `viewer_page` keeps the
page a signed-in person was last shown and serves it again for as long as nothing it was made from
has changed:

- While a kept view runs, every SELECT it sends is read for the tables it names (FROM and JOIN):
  those are the page's tables. A value a view takes from the cache instead names its table with
  `depends_on`.
- Every INSERT, UPDATE, DELETE or TRUNCATE, from any process (web, worker, a management command)
  and by any path (a model's save, a queryset's update, raw SQL), gives its table a new version in
  the shared cache, after its transaction commits. An UPDATE or DELETE of no row changes nothing.
- A kept page is served only while each of its tables still has the version it was made at, and
  for `PAGE_SECONDS` at most (what a page says of the time, "3 days left", stays that fresh).

A page made while one of its tables was written to is not kept (their versions are read before
the view and again after it; for a view this process has not yet seen, any write at all counts).
The person's row is part of the page's key and their groups and permissions are among its tables,
so a changed role, agency or password is never served an old page. The view's own access check
runs inside the kept view, so its tables are the page's tables too: a revoked access invalidates
the page. Writes are recognised by the statement's first word: a write inside a WITH query would
go unseen (the portal sends none).

Without a shared cache (no REDIS_URL: the local cache of one process), kept pages still follow the
writes of that process; a worker in another process would go unseen, so `PAGE_CACHE` is off by
default there.
"""

import contextvars
import hashlib
import logging
import re
import secrets
from functools import wraps

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection as default_connection
from django.db.backends.signals import connection_created
from django.utils.translation import get_language

from portal.cache import keepable, kept, store_without_cookies, with_fresh_csrf

logger = logging.getLogger(__name__)

PAGE_SECONDS = 60
PAGE_KEY = "portal:viewer-page:{digest}"
TABLE_VERSION_KEY = "portal:table-version:{table}"
# Moves with every committed write to any table.
ANY_WRITE_KEY = "portal:table-version:*"

_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+"?(\w+)"?', re.IGNORECASE)
_READ = re.compile(r'\b(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)
# TRUNCATE [TABLE] [ONLY] a, b [RESTART IDENTITY] [CASCADE]: several tables, comma-separated.
_TRUNCATE_OPTIONS = re.compile(r"\s+(?:RESTART|CONTINUE|CASCADE|RESTRICT)\b", re.IGNORECASE)
_TRUNCATE_PREFIX = re.compile(r"^\s*(?:TABLE\s+)?(?:ONLY\s+)?", re.IGNORECASE)

_tables_read = contextvars.ContextVar("page_cache_tables_read", default=None)


# --- Versions of tables ----------------------------------------------------------------------------
def _version_keys(tables):
    return {table: TABLE_VERSION_KEY.format(table=table) for table in tables}


def bump_tables(tables):
    """Give each table a new version (and the global one): every page made from them is old."""
    token = secrets.token_hex(8)
    values = dict.fromkeys(_version_keys(tables).values(), token)
    values[ANY_WRITE_KEY] = token
    try:
        cache.set_many(values, None)
    except Exception:  # the cache is down: kept pages cannot be reached either (see portal.cache)
        logger.warning("Cache unavailable: versions of %s not moved", ", ".join(sorted(tables)), exc_info=True)


def _written_tables(sql):
    match = _WRITE.match(sql)
    if match is None:
        return ()
    if sql.lstrip()[:8].upper() == "TRUNCATE":
        names = _TRUNCATE_OPTIONS.split(sql.lstrip()[8:], maxsplit=1)[0]
        names = _TRUNCATE_PREFIX.sub("", names)
        return tuple(name.strip().strip('"') for name in names.rstrip("; ").split(",") if name.strip())
    return (match.group(1),)


class TableWrites:
    """An execute wrapper on every database connection: reads are noted for the kept view being
    made, writes move their tables' versions.

    A write moves the version at once, which the writing transaction itself relies on (a page it
    reads back must not be an older copy: tests run inside one transaction), and again after the
    commit, when other connections can see it. An UPDATE or DELETE that touched no row changed
    nothing ("mark my notifications read" when none are unread) and moves nothing."""

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        reading = _tables_read.get()
        if reading is not None and sql.lstrip()[:4].upper() in ("SELE", "WITH"):
            reading.update(_READ.findall(sql))
        tables = _written_tables(sql)
        if tables and (context["cursor"].rowcount != 0 or sql.lstrip()[:1].upper() in ("I", "T")):
            bump_tables(tables)
            connection = context["connection"]
            if connection.in_atomic_block:
                _after_commit(connection).update(tables)
        return result


def _after_commit(connection):
    """The tables to move once the connection's transaction commits: one callback per transaction,
    found again as long as it is still registered (a rollback drops it, and its tables with it)."""
    pending = getattr(connection, "_page_cache_pending", None)
    if pending is None or not any(entry[1] is pending for entry in connection.run_on_commit):
        pending = _PendingTables()
        connection._page_cache_pending = pending
        connection.on_commit(pending)
    return pending


class _PendingTables(set):
    def __call__(self):
        bump_tables(self)


_table_writes = TableWrites()


def watch_connection(sender, connection, **kwargs):
    if _table_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_table_writes)


def install():
    """Watch every database connection, those already open included (called by PortalConfig)."""
    connection_created.connect(watch_connection, dispatch_uid="portal.page_cache.watch_connection")
    if default_connection.connection is not None:
        watch_connection(None, default_connection)


def depends_on(*models):
    """For a value a kept view takes from the cache, not the database: the page must follow these
    models' tables all the same."""
    reading = _tables_read.get()
    if reading is not None:
        reading.update(model._meta.db_table for model in models)


# --- Values kept until their tables are written to --------------------------------------------------
# How long such a value stays when nothing is written: only so that one nobody reads leaves the cache.
UNWRITTEN_SECONDS = 24 * 3600


def kept_until_written(parts, make, models, timeout):
    """`make()`'s value for `parts` (portal.cache.kept), kept until a table of `models` is written to:
    exact at once after a write, and made again only then, not every `timeout` seconds of a quiet day.
    The key holds the tables' versions, read before the value is made: a write moves them after its
    commit, so a value is never kept under versions newer than what it read. Without a shared cache
    (this process's versions miss another's writes) or when it cannot answer, it is kept `timeout`
    seconds, as `kept` does."""
    depends_on(*models)
    if not settings.SHARED_CACHE:
        return kept(parts, make, timeout)
    tables = [model._meta.db_table for model in models]
    # The first read of a table's version starts it (and finds none).
    versions = _current_versions(tables) or _current_versions(tables)
    if versions is None:
        return kept(parts, make, timeout)
    return kept((*parts, tuple(versions[table] for table in tables)), make, UNWRITTEN_SECONDS)


def follows_writes(models):
    """Whether kept_until_written keys values of these tables on their versions now (a shared cache
    that answers, the versions started): a write then shows at once. Otherwise a value may be
    `timeout` late. Asked before the value is read, it errs towards "late" on the first visit."""
    if not settings.SHARED_CACHE:
        return False
    return _current_versions([model._meta.db_table for model in models]) is not None


# --- Kept pages ------------------------------------------------------------------------------------
class KeptPage:
    def __init__(self, response, versions):
        self.response = response
        self.versions = versions


def _viewer_key(request):
    """The page of this path, as this person in this language would be shown it. The person's own
    row (all but the time of their last login) is part of the key: a new agency or role changes it."""
    user = request.user
    row = [str(getattr(user, field.attname)) for field in user._meta.concrete_fields if field.name != "last_login"]
    raw = "|".join([*row, get_language() or "", request.get_full_path()])
    return PAGE_KEY.format(digest=hashlib.sha256(raw.encode()).hexdigest()[:40])


def _get_many(keys):
    try:
        return cache.get_many(keys)
    except Exception:  # any failure of the cache server: render the page (see portal.cache)
        logger.warning("Cache unavailable: page rendered", exc_info=True)
        return None


def _current_versions(tables):
    """{table: version} for these tables and the global one; None when the cache cannot answer or
    a version is missing (evicted, or never written): then nothing is kept."""
    keys = _version_keys(tables)
    found = _get_many([*keys.values(), ANY_WRITE_KEY])
    if found is None:
        return None
    missing = [key for key in [*keys.values(), ANY_WRITE_KEY] if key not in found]
    if missing:
        # Start them, without overwriting a version written meanwhile; the next visit keeps the page.
        try:
            for key in missing:
                cache.add(key, secrets.token_hex(8), None)
        except Exception:
            logger.warning("Cache unavailable: table versions not started", exc_info=True)
        return None
    versions = {table: found[key] for table, key in keys.items()}
    versions["*"] = found[ANY_WRITE_KEY]
    return versions


def _still_current(kept, found):
    """Every table of the kept page still has the version it was made at. `found` holds the
    versions read with the page; those of tables this process did not expect are read now."""
    keys = _version_keys(table for table in kept.versions if table != "*")
    unread = [key for key in keys.values() if key not in found]
    if unread:
        more = _get_many(unread)
        if more is None:
            return False
        found = {**found, **more}
    return all(found.get(key) == kept.versions[table] for table, key in keys.items())


def _person_tables():
    """What a person may see, their groups and permissions, often read before the view. (Their own
    row is in the page's key: another person's login, which writes the time of it, does not make
    every page old.)"""
    user_model = get_user_model()
    group_model = user_model.groups.field.related_model
    return {
        user_model.groups.through._meta.db_table,
        user_model.user_permissions.through._meta.db_table,
        group_model.permissions.through._meta.db_table,
    }


def _unchanged_while_made(before, after):
    """No table the page was made from was written to while it was being made: the page shows one
    state of them. Tables whose versions were not read before (a view's first pages in this
    process) are vouched for by the global version: no write at all meanwhile."""
    tables = [table for table in after if table != "*"]
    if all(before.get(table) is not None for table in tables):
        return all(before[table] == after[table] for table in tables)
    return before["*"] is not None and before["*"] == after["*"]


# The tables each kept view's pages were made from, as this process has seen them: read with the
# page in one round trip to the cache.
_tables_of_view = {}


def viewer_page(view_func):
    """Keep a signed-in person's GET page until a table it was made from changes (see above).
    Anonymous visitors, other methods and pages carrying a message are rendered each time."""
    view_id = f"{view_func.__module__}.{view_func.__qualname__}"

    @wraps(view_func)
    def wrapped(request, *args, **kwargs):
        if (
            not settings.PAGE_CACHE
            or request.method != "GET"
            or not request.user.is_authenticated
            or get_messages(request)
        ):
            return view_func(request, *args, **kwargs)
        key = _viewer_key(request)
        expected = _version_keys(_tables_of_view.get(view_id, ()))
        found = _get_many([key, ANY_WRITE_KEY, *expected.values()]) or {}
        kept = found.get(key)
        if kept is not None and _still_current(kept, found):
            response = kept.response
            response.content = with_fresh_csrf(request, response.content)
            return response

        before = {table: found.get(version_key) for table, version_key in expected.items()}
        before["*"] = found.get(ANY_WRITE_KEY)
        tables = set(_person_tables())
        token = _tables_read.set(tables)
        try:
            response = view_func(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
        finally:
            _tables_read.reset(token)
        _tables_of_view[view_id] = _tables_of_view.get(view_id, set()) | tables
        if not keepable(response) or get_messages(request):
            return response
        versions = _current_versions(tables)
        if versions is not None and _unchanged_while_made(before, versions):
            store_without_cookies(key, response, PAGE_SECONDS, value=KeptPage(response, versions))
        return response

    return wrapped
