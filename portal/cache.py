"""Django's cache as an optimisation, never a dependency.

The cache is Redis in production. When Redis is down or refuses commands, a read is a miss and a
write is skipped, with a warning in the log: the caller falls back to the database and the
visitor never sees a 500 because of the cache.
"""

import logging

from django.core.cache import cache

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
    """Forget a value; True if the cache answered, False when it cannot be reached."""
    try:
        cache.delete(key)
    except Exception:
        logger.warning("Cache unavailable: %s not cleared", key, exc_info=True)
        return False
    return True
