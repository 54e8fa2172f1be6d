"""Metrics for Prometheus.

/metrics (web): django-prometheus's request latency, counts and database figures, plus the length
of each Celery queue read from Redis at scrape time. It answers a scraper presenting METRICS_TOKEN
(`Authorization: Bearer …`); with no token set, only requests from loopback (the client address as
portal.throttling reads it, so behind a proxy with TRUSTED_PROXY_COUNT the proxy's own address does
not count). Anyone else gets a 404.

Several processes: gunicorn's workers and Celery's pool processes each keep their own figures. With
PROMETHEUS_MULTIPROC_DIR set (an empty directory per machine and role, emptied before start), every
process writes its figures there and whichever process answers a scrape adds them all up
(prometheus_client's multiprocess mode). Without it, a scrape sees only the process that answers.

The worker renders documents, so the render-time histogram lives in worker processes: a worker
started with WORKER_METRICS_PORT serves its own /metrics on that port (all interfaces of the worker
machine, no token: firewall it to the Prometheus server), from its main process, adding up its pool
processes' figures through PROMETHEUS_MULTIPROC_DIR.
"""

import hmac
import ipaddress
import logging
import os

import prometheus_client
from django.conf import settings
from django.http import Http404, HttpResponse
from prometheus_client import CollectorRegistry, Histogram, multiprocess
from prometheus_client.core import GaugeMetricFamily

from portal.throttling import client_address

logger = logging.getLogger(__name__)

# The queues the workers read (CELERY_TASK_ROUTES, CELERY_TASK_DEFAULT_QUEUE).
QUEUES = ("default", "documents")
# kombu's Redis transport keeps a queue's tasks of priority 3, 6 and 9 in lists of their own.
_PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")

# Observed by portal.workers around each run of the render task (render, sign, store), by its outcome:
# success, failure, retry (a render waiting for the documents it lists).
DOCUMENT_RENDER_SECONDS = Histogram(
    "portal_document_render_seconds",
    "Time to render, sign and store one document, by outcome.",
    ["outcome"],
    buckets=(0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.5, 5.0, 10.0, 30.0, 60.0),
)


class QueueLengthCollector:
    """portal_celery_queue_length{queue=…}: the tasks waiting in each Celery queue, read at scrape time."""

    def collect(self):
        family = GaugeMetricFamily("portal_celery_queue_length", "Tasks waiting in the Celery queue.", labels=["queue"])
        if settings.REDIS_URL:
            import redis

            try:
                client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
                with client.pipeline(transaction=False) as pipe:
                    for queue in QUEUES:
                        for suffix in _PRIORITY_SUFFIXES:
                            pipe.llen(queue + suffix)
                    lengths = pipe.execute()
                client.close()
            except Exception:  # Redis down: no queue figures in this scrape (absent, not zero)
                logger.warning("queue lengths not read", exc_info=True)
            else:
                per = len(_PRIORITY_SUFFIXES)
                for index, queue in enumerate(QUEUES):
                    family.add_metric([queue], sum(lengths[index * per : (index + 1) * per]))
        yield family


_QUEUE_REGISTRY = CollectorRegistry(auto_describe=False)
_QUEUE_REGISTRY.register(QueueLengthCollector())


def _multiprocess():
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def exposition():
    """The text every scrape of this process gets: its (or all its siblings') figures and the queues."""
    if _multiprocess():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = prometheus_client.REGISTRY
    return prometheus_client.generate_latest(registry) + prometheus_client.generate_latest(_QUEUE_REGISTRY)


def _authorised(request):
    token = settings.METRICS_TOKEN
    if token:
        given = request.META.get("HTTP_AUTHORIZATION", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    try:
        return ipaddress.ip_address(client_address(request) or "").is_loopback
    except ValueError:
        return False


def metrics(request):
    if not _authorised(request):
        raise Http404
    return HttpResponse(exposition(), content_type=prometheus_client.CONTENT_TYPE_LATEST)


def start_worker_metrics_server(port):
    """The worker's own /metrics on `port` (render times), from its main process (portal.heartbeat
    calls this once the worker is ready, when WORKER_METRICS_PORT is set)."""
    if _multiprocess():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = prometheus_client.REGISTRY
    prometheus_client.start_http_server(int(port), registry=registry)
    logger.info("worker metrics served on port %s", port)
