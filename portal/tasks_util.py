"""Enqueue Celery work only once the surrounding transaction has committed.

A task sent before commit can run before its rows exist (or after they were rolled
back). Services therefore never call `.delay()` themselves; they call `enqueue`.

Sending happens after the commit, so the change is saved whatever the broker does. A broker
that is down or refuses the message (Redis stopped, unreachable, out of memory or read-only)
must not turn that saved change into an error page: the failure is logged and the task is
not sent. What catches up with it is the state the change left behind: documents stay
"pending" and the periodic sweeper (documents.tasks.requeue_stuck_documents) queues their
render again after DOCUMENT_STUCK_MINUTES; e-mail is recorded and relayed by its own
periodic task.
"""

import logging
from functools import partial

from django.db import transaction
from kombu.exceptions import OperationalError

try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is installed wherever the broker is Redis
    RedisError = OperationalError

logger = logging.getLogger(__name__)

# What a broker that cannot take a message raises: kombu wraps connection failures in its
# OperationalError; the Redis client's own errors and socket errors can come through as they are.
BROKER_ERRORS = (OperationalError, RedisError, ConnectionError, OSError)


def send_task(task, args=(), kwargs=None):
    """Send `task` now; False (and a warning in the log) when the broker cannot take it."""
    try:
        task.apply_async(args=args, kwargs=kwargs or {})
    except BROKER_ERRORS:
        logger.warning("Broker unavailable: %s%r not queued", task.name, tuple(args), exc_info=True)
        return False
    return True


def enqueue(task, *args, **kwargs):
    transaction.on_commit(partial(send_task, task, args, kwargs))
