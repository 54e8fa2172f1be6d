"""/healthz: may the load balancer send this machine requests?

Four checks, each with a short timeout, run on every probe: the database (SELECT 1), Redis (PING,
when REDIS_URL is set), a worker's heartbeat (portal.workers; with no REDIS_URL tasks run
in-process and this passes) and the file storage (local disk: MEDIA_ROOT writable with at least
HEALTH_MIN_FREE_DISK_MB free; S3: a HEAD on the bucket). 200 when all pass, 503 when one fails, a
JSON body naming each check with its milliseconds. The body says which check failed and the
exception's class, never its message: messages carry host names, bucket names and addresses.

The probe needs no login, no second factor, no https (SECURE_REDIRECT_EXEMPT) and no host name:
HealthCheckMiddleware, placed first in MIDDLEWARE, answers /healthz before CommonMiddleware checks
the Host header against ALLOWED_HOSTS, since load balancers probe machines by their IP address.
"""

import os
import shutil
import tempfile
import time

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection, transaction
from django.http import HttpResponseNotAllowed, JsonResponse
from django.utils.cache import add_never_cache_headers

from portal import logging as portal_logging
from portal import workers

PATH = "/healthz"
TIMEOUT_SECONDS = 2
DEFAULT_MIN_FREE_DISK_MB = 500

_clients = {}


def _redis():
    import redis

    client = _clients.get("redis")
    if client is None:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
        )
        _clients["redis"] = client
    return client


def check_database():
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # SET LOCAL: ends with this transaction, so it is safe behind PgBouncer's transaction pooling.
            cursor.execute("SET LOCAL statement_timeout = %s", [TIMEOUT_SECONDS * 1000])
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def check_redis():
    if not settings.REDIS_URL:
        return {"mode": "none"}
    _redis().ping()
    return {}


def check_worker():
    if not settings.REDIS_URL or settings.CELERY_TASK_ALWAYS_EAGER:  # tasks run in the web process itself
        return {"mode": "in-process"}
    ages = workers.read(_redis())
    limit = settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS
    fresh = [age for age in ages if age <= limit]
    result = {"workers": len(fresh), "newest_age_s": round(ages[0], 1) if ages else None}
    if not fresh:
        raise CheckFailed("no worker heartbeat within WORKER_HEARTBEAT_MAX_AGE_SECONDS", result)
    return result


def _s3_client(storage):
    """A client with the storage's own credentials and endpoint, but short timeouts and no retries."""
    from botocore.config import Config

    client = _clients.get("s3")
    if client is None:
        quick = Config(connect_timeout=TIMEOUT_SECONDS, read_timeout=TIMEOUT_SECONDS, retries={"max_attempts": 1})
        client = storage._create_session().client(
            "s3",
            region_name=storage.region_name,
            use_ssl=storage.use_ssl,
            endpoint_url=storage.endpoint_url,
            config=storage.client_config.merge(quick),
            verify=storage.verify,
        )
        _clients["s3"] = client
    return client


def check_storage():
    storage = default_storage
    if hasattr(storage, "bucket_name") and hasattr(storage, "_create_session"):
        _s3_client(storage).head_bucket(Bucket=storage.bucket_name)
        return {"mode": "s3"}
    root = storage.location if isinstance(storage, FileSystemStorage) else settings.MEDIA_ROOT
    os.makedirs(root, exist_ok=True)
    # Writable in fact, not only by its mode bits (a read-only mount, a full quota).
    with tempfile.NamedTemporaryFile(dir=root, prefix=".healthz-"):
        pass
    free_mb = shutil.disk_usage(root).free // (1024 * 1024)
    minimum = getattr(settings, "HEALTH_MIN_FREE_DISK_MB", DEFAULT_MIN_FREE_DISK_MB)
    result = {"mode": "disk", "free_mb": free_mb}
    if free_mb < minimum:
        raise CheckFailed("less free disk than HEALTH_MIN_FREE_DISK_MB", result)
    return result


class CheckFailed(Exception):
    def __init__(self, reason, details):
        super().__init__(reason)
        self.reason = reason
        self.details = details


CHECKS = {
    "database": check_database,
    "redis": check_redis,
    "worker": check_worker,
    "storage": check_storage,
}


def run_checks():
    results = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            result = {"ok": True, **check()}
        except CheckFailed as failure:
            result = {"ok": False, "error": failure.reason, **failure.details}
        except Exception as exc:  # any failure of a dependency is an answer, never a 500
            result = {"ok": False, "error": type(exc).__name__}
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = result
    return results


def healthz(request):
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    checks = run_checks()
    healthy = all(result["ok"] for result in checks.values())
    response = JsonResponse({"status": "ok" if healthy else "fail", "checks": checks}, status=200 if healthy else 503)
    add_never_cache_headers(response)
    return response


class HealthCheckMiddleware:
    """Answers /healthz before any other middleware: no Host check (load balancers probe by IP
    address), no https redirect, no session, no login or second factor. Place it first in MIDDLEWARE
    (after django-prometheus's PrometheusBeforeMiddleware, which only times requests).

    Every other request passes on, made known to the log records (portal.logging: their user id),
    and its answer carries the request id the log lines carry (X-Request-ID)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info in (PATH, PATH + "/"):
            return healthz(request)
        portal_logging.remember_request(request)
        response = self.get_response(request)
        fields = portal_logging.current()
        if fields and "request_id" in fields:
            response.headers.setdefault("X-Request-ID", fields["request_id"])
        return response
