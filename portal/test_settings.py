"""Settings for the test suite: production settings with the test conveniences below.

The test command sets DATABASE_URL and REDIS_URL for the throwaway PostgreSQL and Redis;
without them (a developer's quick run) tests use SQLite.
"""

import os
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SITE_URL", "http://testserver")

# Under pytest-xdist each test process has a Redis database of its own (the smoke test uses 1), so
# that a Celery worker started by one process never takes the tasks another one queued.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _xdist_worker.startswith("gw") and os.environ.get("REDIS_URL"):
    _redis = urlsplit(os.environ["REDIS_URL"])
    os.environ["REDIS_URL"] = urlunsplit(_redis._replace(path=f"/{2 + int(_xdist_worker[2:])}"))

from portal.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; never in production
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run in-process unless a test starts a real worker (tests marked `worker`).
CELERY_TASK_ALWAYS_EAGER = True
# Per-process cache: a shared Redis cache would carry state from one test to the next.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MEDIA_ROOT = Path(os.environ.get("TEST_MEDIA_ROOT", "/tmp/ipportal-test-media"))  # noqa: F405, S108
AXES_ENABLED = True
# Live-server threads end without closing their connections; persistent connections would
# then keep the test database busy at teardown.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# The test command migrates one template database beside its other first steps; each test process's
# database is then a copy of it (CREATE DATABASE … TEMPLATE), and its own migrate finds nothing to do.
if os.environ.get("TEST_DATABASE_TEMPLATE"):
    DATABASES["default"]["TEST"] = {"TEMPLATE": os.environ["TEST_DATABASE_TEMPLATE"]}  # noqa: F405
PAGE_CACHE = True  # every test of a kept page goes through it
# One process (the live servers' threads included): its own writes are all there are.
SHARED_CACHE = True
