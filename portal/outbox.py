"""The transactional outbox: Celery work that must follow a state change.

A service that changes state and needs work done afterwards (render a document, …) records
that work in the same database transaction as the change:

    with transaction.atomic():
        ...change rows...
        outbox.enqueue("documents.tasks.render_document", document.pk)

The change and its work commit or roll back together. Right after commit the message is handed
to Celery; if the broker is down or refuses it (Redis stopped, read-only, out of memory) the
request is answered normally and the message waits in the table, where the periodic relay
(`relay_pending`, every 30 s from celery beat) hands it over once the broker takes messages
again. A broker outage therefore delays work and loses none.

Every task sent this way must be idempotent: a message is handed over at least once, and may be
handed over twice (the relay and the after-commit hand-over racing, a broker that took the message
but answered with an error). A message the broker accepted and then lost (a Redis restarted
without persistence) is not the outbox's to catch: the state left behind is, e.g. the sweeper
that queues again documents still pending after DOCUMENT_STUCK_MINUTES.
"""

import datetime
import json
import logging
from functools import partial
from importlib import import_module

from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from portal.models import OutboxMessage
from portal.tasks_util import BROKER_ERRORS

logger = logging.getLogger(__name__)

# The after-commit hand-over normally relays a message at once; the relay takes only messages
# older than this, so that the two rarely send the same message.
RELAY_AFTER = datetime.timedelta(seconds=10)
# Relayed messages are kept this long (to see what was sent and when), then removed by the relay.
KEEP_RELAYED = datetime.timedelta(days=7)


class UnknownTask(LookupError):
    """The name does not point at a Celery task."""


def _task(name):
    module, _dot, attribute = name.rpartition(".")
    try:
        task = getattr(import_module(module), attribute)
    except (ImportError, AttributeError, ValueError) as exc:
        raise UnknownTask(name) from exc
    if not hasattr(task, "apply_async"):
        raise UnknownTask(name)
    return task


def enqueue(task, *args):
    """Record `task(*args)` in the current transaction and hand it to Celery once it commits.

    `task` is a task's dotted name ("documents.tasks.render_document") or the task itself;
    the arguments must be JSON values (ids, not objects). Outside a transaction the message is
    saved and handed over at once. Returns the OutboxMessage."""
    name = task if isinstance(task, str) else task.name
    _task(name)  # a wrong name fails here, in the caller's transaction, not later in the relay
    json.dumps(args)  # and so do arguments that cannot travel
    message = OutboxMessage.objects.create(task=name, args=list(args))
    transaction.on_commit(partial(_hand_over, message.pk, name, list(args)))
    return message


def _error_text(exc):
    return f"{type(exc).__name__}: {exc}"[:2000]


def _send(pk, name, args):
    """Hand one message to the broker and record the outcome on its row. True when sent.
    Raises nothing for a broker that cannot take it (recorded on the row instead)."""
    try:
        _task(name).apply_async(args=args)
    except BROKER_ERRORS as exc:
        logger.warning("Broker unavailable: %s%r waits in the outbox (message %s)", name, tuple(args), pk)
        OutboxMessage.objects.filter(pk=pk).update(attempts=F("attempts") + 1, last_error=_error_text(exc))
        return False
    OutboxMessage.objects.filter(pk=pk).update(relayed_at=timezone.now(), attempts=F("attempts") + 1, last_error="")
    return True


def _hand_over(pk, name, args):
    """After commit, in the process that made the change: never raises, so that a saved change is
    never answered with an error. Whatever is not recorded as relayed is sent by the relay."""
    try:
        _send(pk, name, args)
    except DatabaseError:
        # Sent (or not), but the row could not be updated: the relay may send it again.
        logger.warning("Outbox message %s: hand-over not recorded", pk, exc_info=True)
    except Exception:  # a saved change must not turn into an error page
        logger.exception("Outbox message %s: hand-over failed; the relay sends it", pk)


def relay_pending(*, now=None, limit=500):
    """Hand to Celery the messages not yet relayed (the periodic relay). Stops at the first
    message the broker refuses (the next run tries again); a message whose task no longer exists
    is recorded with its error and skipped. Safe to run twice at once: rows being relayed are
    locked and skipped. Returns (relayed, waiting)."""
    now = now or timezone.now()
    relayed = 0
    with transaction.atomic():
        due = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(relayed_at__isnull=True, created_at__lte=now - RELAY_AFTER)
            .order_by("created_at")[:limit]
        )
        for message in due:
            try:
                sent = _send(message.pk, message.task, message.args)
            except UnknownTask as exc:
                logger.error("Outbox message %s names no task: %s", message.pk, message.task)
                OutboxMessage.objects.filter(pk=message.pk).update(
                    attempts=F("attempts") + 1, last_error=_error_text(exc)
                )
                continue
            if not sent:
                break
            relayed += 1
    if relayed:
        logger.info("Outbox relay: %d message(s) handed to the broker", relayed)
    OutboxMessage.objects.filter(relayed_at__lt=now - KEEP_RELAYED).delete()
    waiting = OutboxMessage.objects.filter(relayed_at__isnull=True).count()
    return relayed, waiting
