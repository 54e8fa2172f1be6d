"""What a Celery worker does besides its tasks: its heartbeat, for /healthz (portal.health) on every
web machine; the time each document render takes (portal_document_render_seconds, portal.metrics);
its own /metrics port when WORKER_METRICS_PORT is set; and, once started, what it loaded kept out of
the garbage collector's full walks (portal.startup), as the web processes do.

Each Celery worker, once ready, writes its hostname and the time to one Redis hash every
HEARTBEAT_SECONDS from a thread of its main process; a worker stopped cleanly removes its entry,
one that dies leaves it to age. /healthz counts the workers whose entry is newer than
WORKER_HEARTBEAT_MAX_AGE_SECONDS and fails when there are none. Entries far older than that (a
machine taken away) are dropped by the next worker's write.

Only this module and portal.health know the key. Nothing here runs in a web process.
"""

import logging
import os
import threading
import time

from celery.signals import task_postrun, task_prerun, worker_process_init, worker_ready, worker_shutdown

from portal.startup import freeze_startup_objects

logger = logging.getLogger(__name__)

KEY = "portal:worker-heartbeats"
HEARTBEAT_SECONDS = 30
# An entry this many times the allowed age is a worker gone for good: removed, not counted.
FORGET_AFTER_AGES = 10

# The task that renders, signs and stores a document (documents.tasks); timed from start to end.
RENDER_TASK = "documents.tasks.render_document"

_stop = threading.Event()
_state = {}
_render_started = {}


def _redis():
    import redis
    from django.conf import settings

    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)


def beat(client, hostname, now=None):
    """Record one heartbeat of `hostname`, and forget workers gone for long."""
    from django.conf import settings

    now = time.time() if now is None else now
    client.hset(KEY, hostname, f"{now:.3f}")
    forget_before = now - FORGET_AFTER_AGES * settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS
    stale = [name for name, at in client.hgetall(KEY).items() if float(at) < forget_before]
    if stale:
        client.hdel(KEY, *stale)


def read(client, now=None):
    """The age in seconds of each worker's last heartbeat, newest first."""
    now = time.time() if now is None else now
    return sorted(now - float(at) for at in client.hgetall(KEY).values())


def _run(hostname):
    client = _redis()
    while True:
        try:
            beat(client, hostname)
        except Exception:  # a Redis outage must not end the heartbeat: the next beat tries again
            logger.warning("worker heartbeat not written", exc_info=True)
        if _stop.wait(HEARTBEAT_SECONDS):
            return


@worker_process_init.connect  # each process of a prefork pool, once forked
@worker_ready.connect  # the main process (with -P solo, the one that runs the tasks)
def freeze_what_the_worker_loaded(**kwargs):
    """A full collection in a worker walked everything Django, WeasyPrint and pyHanko loaded, a
    quarter of a second inside whichever render triggered it."""
    freeze_startup_objects()


@worker_ready.connect
def start_heartbeat(sender=None, **kwargs):
    from django.conf import settings

    port = os.environ.get("WORKER_METRICS_PORT", "")
    if port:
        from portal.metrics import start_worker_metrics_server

        start_worker_metrics_server(port)
    if not settings.REDIS_URL:
        return
    hostname = getattr(sender, "hostname", None) or "worker"
    _state["hostname"] = hostname
    _stop.clear()
    thread = threading.Thread(target=_run, args=(hostname,), name="portal-heartbeat", daemon=True)
    thread.start()
    _state["thread"] = thread


@worker_shutdown.connect
def stop_heartbeat(sender=None, **kwargs):
    thread = _state.pop("thread", None)
    if thread is None:
        return
    _stop.set()
    thread.join(timeout=5)
    try:
        _redis().hdel(KEY, _state.pop("hostname"))
    except Exception:
        logger.warning("worker heartbeat not removed", exc_info=True)


@task_prerun.connect
def _render_started_at(sender=None, task_id=None, **kwargs):
    if getattr(sender, "name", None) == RENDER_TASK:
        _render_started[task_id] = time.perf_counter()


@task_postrun.connect
def _render_ended(sender=None, task_id=None, state=None, **kwargs):
    started = _render_started.pop(task_id, None)
    if started is None:
        return
    from portal.metrics import DOCUMENT_RENDER_SECONDS

    DOCUMENT_RENDER_SECONDS.labels(outcome=(state or "unknown").lower()).observe(time.perf_counter() - started)
