"""Settings for the test suite: production settings with the test conveniences below.

The test command sets DATABASE_URL and REDIS_URL for the throwaway PostgreSQL and Redis;
without them (a developer's quick run) tests use SQLite.
"""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SITE_URL", "http://testserver")

from portal.settings import *  # noqa: F403

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
