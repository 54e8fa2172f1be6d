"""/healthz for the load balancer: each check, its failure, and what the body never says."""

import os
import secrets
import time

import pytest
from django.db.utils import OperationalError
from django.test import override_settings

from portal import health, workers
from tests.conftest import needs_service

HEALTH_FIRST = "portal.health.HealthCheckMiddleware"


@pytest.fixture(autouse=True)
def fresh_clients(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.REDIS_URL = ""
    health._clients.clear()
    yield
    health._clients.clear()


@pytest.fixture
def redis_url(settings):
    url = os.environ.get("REDIS_URL", "")
    needs_service(url.startswith("redis"), "Redis")
    import redis

    client = redis.Redis.from_url(url)
    client.delete(workers.KEY)
    settings.REDIS_URL = url
    settings.CELERY_TASK_ALWAYS_EAGER = False  # tasks go to workers, whose heartbeats count
    yield url
    client.delete(workers.KEY)


def _middleware_first(settings):
    return [settings.MIDDLEWARE[0], HEALTH_FIRST, *settings.MIDDLEWARE[1:]]


def test_all_checks_pass_without_redis_on_local_disk(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "redis", "worker", "storage"}
    assert all(check["ok"] and check["ms"] >= 0 for check in body["checks"].values())
    # Without Redis tasks run in the web process itself: no worker to wait for.
    assert body["checks"]["worker"]["mode"] == "in-process"
    assert body["checks"]["storage"]["mode"] == "disk"
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_failing_database_answers_503_without_its_message(client, db, monkeypatch):
    def broken():
        raise OperationalError('could not connect to server at "db-7.internal.example" (10.1.2.3), port 5432')

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    database = body["checks"]["database"]
    assert database == {"ok": False, "error": "OperationalError", "ms": database["ms"]}
    assert body["checks"]["storage"]["ok"]
    assert b"internal" not in response.content
    assert b"10.1.2.3" not in response.content


def test_too_little_free_disk_fails_the_storage_check(client, db, settings):
    settings.HEALTH_MIN_FREE_DISK_MB = 10**12
    response = client.get("/healthz")
    assert response.status_code == 503
    storage = response.json()["checks"]["storage"]
    assert storage["ok"] is False
    assert storage["free_mb"] >= 0
    assert str(settings.MEDIA_ROOT).encode() not in response.content


def test_an_unwritable_media_root_fails_the_storage_check(client, db, settings, tmp_path):
    if os.geteuid() == 0:
        # root writes through any mode bits: a file where the folder should be is unwritable for everyone.
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("x")
        settings.MEDIA_ROOT = blocker / "media"
    else:
        settings.MEDIA_ROOT.mkdir(parents=True)
        settings.MEDIA_ROOT.chmod(0o500)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["ok"] is False


def test_it_needs_no_login_second_factor_https_or_known_host(client, db, settings, staff):
    settings.MIDDLEWARE = _middleware_first(settings)
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
    settings.ALLOWED_HOSTS = ["portal.example.cn"]
    # A logged-in staff member without a second factor yet is sent to the code step everywhere else.
    client.force_login(staff)
    response = client.get("/healthz", HTTP_HOST="10.0.3.17")
    assert response.status_code == 200, response.content[:300]
    assert response.json()["status"] == "ok"
    assert "sessionid" not in response.cookies or response.cookies["sessionid"].value == ""
    # Any other page on that address is refused as before.
    assert client.get("/", HTTP_HOST="10.0.3.17").status_code == 400
    assert client.get("/", HTTP_HOST="portal.example.cn").status_code == 301


def test_without_the_middleware_the_url_still_answers_on_a_known_host(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
    assert client.get("/healthz").status_code == 200
    assert client.post("/healthz").status_code in (403, 405)


def test_a_fresh_worker_heartbeat_passes_and_a_stale_one_fails(client, db, settings, redis_url):
    import redis

    settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS = 60
    store = redis.Redis.from_url(redis_url, decode_responses=True)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["ok"] is True
    assert response.json()["checks"]["worker"] == {
        "ok": False,
        "error": "no worker heartbeat within WORKER_HEARTBEAT_MAX_AGE_SECONDS",
        "workers": 0,
        "newest_age_s": None,
        "ms": response.json()["checks"]["worker"]["ms"],
    }

    workers.beat(store, "worker-a@machine-1", now=time.time() - 90)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["newest_age_s"] >= 90

    workers.beat(store, "worker-b@machine-2")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["worker"]["workers"] == 1
    assert b"machine-" not in response.content  # no host names of internal machines


def test_a_worker_beats_once_ready_and_leaves_on_shutdown(settings, redis_url):
    import redis

    store = redis.Redis.from_url(redis_url, decode_responses=True)

    class Sender:
        hostname = f"celery@test-{secrets.token_hex(3)}"

    workers.start_heartbeat(sender=Sender())
    try:
        deadline = time.monotonic() + 5
        while Sender.hostname not in store.hgetall(workers.KEY):
            assert time.monotonic() < deadline, "no heartbeat written"
            time.sleep(0.05)
        assert time.time() - float(store.hget(workers.KEY, Sender.hostname)) < 5
    finally:
        workers.stop_heartbeat()
    assert Sender.hostname not in store.hgetall(workers.KEY)


def test_workers_gone_for_long_are_forgotten(settings, redis_url):
    import redis

    settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS = 60
    store = redis.Redis.from_url(redis_url, decode_responses=True)
    workers.beat(store, "old", now=time.time() - 60 * workers.FORGET_AFTER_AGES - 1)
    workers.beat(store, "new")
    assert set(store.hgetall(workers.KEY)) == {"new"}


def test_redis_down_fails_redis_and_worker(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False  # tasks go to workers, whose heartbeats live in Redis
    response = client.get("/healthz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["redis"]["ok"] is False and checks["redis"]["error"] == "ConnectionError"
    assert checks["worker"]["ok"] is False
    assert checks["redis"]["ms"] < 5000


@pytest.fixture
def s3_bucket():
    endpoint = os.environ.get("TEST_S3_ENDPOINT_URL", "")
    needs_service(endpoint, "the S3-compatible server (TEST_S3_ENDPOINT_URL)")
    import boto3

    name = f"health-{secrets.token_hex(4)}"
    boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    ).create_bucket(Bucket=name)
    return endpoint, name


def _s3_storage(endpoint, bucket):
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "region_name": "us-east-1",
            "access_key": "test",
            "secret_key": "test",
            "addressing_style": "path",
        },
    }


def test_the_bucket_is_checked_when_files_live_in_s3(client, db, settings, s3_bucket):
    endpoint, bucket = s3_bucket
    with override_settings(STORAGES={**settings.STORAGES, "default": _s3_storage(endpoint, bucket)}):
        response = client.get("/healthz")
        assert response.status_code == 200, response.content
        assert response.json()["checks"]["storage"]["mode"] == "s3"

    health._clients.clear()
    with override_settings(STORAGES={**settings.STORAGES, "default": _s3_storage(endpoint, bucket + "-gone")}):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["ok"] is False
    assert bucket.encode() not in response.content
    assert endpoint.encode() not in response.content
