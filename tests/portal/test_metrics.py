"""/metrics for Prometheus: who may read it, and the figures it carries."""

import os
import re
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from portal import metrics
from tests.conftest import needs_service

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def no_redis(settings):
    settings.REDIS_URL = ""
    settings.METRICS_TOKEN = ""


def _value(text, name, **labels):
    selector = ",".join(f'{key}="{value}"' for key, value in labels.items())
    pattern = re.escape(name) + (r"\{" + re.escape(selector) + r"\}" if labels else "") + r" (\S+)"
    found = re.search(pattern, text)
    return float(found.group(1)) if found else None


def test_loopback_reads_request_latency_without_a_token(client, db):
    client.get("/")
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in text
    assert "# TYPE portal_celery_queue_length gauge" in text


def test_others_get_nothing_without_a_token(client, db):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404


def test_behind_a_proxy_the_client_counts_not_the_proxy(client, db, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 404


def test_with_a_token_only_its_bearer_reads(client, db, settings):
    settings.METRICS_TOKEN = "s3cret-scrape-token-0123456789"
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    response = client.get(
        "/metrics", REMOTE_ADDR="198.51.100.4", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token-0123456789"
    )
    assert response.status_code == 200
    assert b"django_http_requests_total_by_method" in response.content


def test_queue_lengths_are_read_from_redis_at_scrape_time(client, db, settings):
    url = os.environ.get("REDIS_URL", "")
    needs_service(url.startswith("redis"), "Redis")
    import redis

    store = redis.Redis.from_url(url)
    keys = ["documents", "default", "default\x06\x163"]
    store.delete(*keys)
    settings.REDIS_URL = url
    try:
        store.rpush("documents", "a", "b", "c")
        store.rpush("default\x06\x163", "x")
        text = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
        assert _value(text, "portal_celery_queue_length", queue="documents") == 3
        assert _value(text, "portal_celery_queue_length", queue="default") == 1
        store.lpop("documents")
        text = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
        assert _value(text, "portal_celery_queue_length", queue="documents") == 2
    finally:
        store.delete(*keys)


def test_redis_down_leaves_the_queues_out_but_answers(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    assert _value(response.content.decode(), "portal_celery_queue_length", queue="documents") is None


def _render_count(text, outcome="success"):
    return _value(text, "portal_document_render_seconds_count", outcome=outcome) or 0


def _render_task_runs(task_id, state):
    from celery.signals import task_postrun, task_prerun

    from documents.tasks import render_document

    task_prerun.send(sender=render_document, task_id=task_id, task=render_document, args=(1,), kwargs={})
    task_postrun.send(sender=render_document, task_id=task_id, task=render_document, state=state, retval=None)


def test_each_run_of_the_render_task_is_timed_by_outcome():
    before = metrics.exposition().decode()
    _render_task_runs("t-1", "SUCCESS")
    _render_task_runs("t-2", "FAILURE")
    after = metrics.exposition().decode()
    assert _render_count(after) == _render_count(before) + 1
    assert _render_count(after, "failure") == _render_count(before, "failure") + 1


def test_other_tasks_are_not_timed_as_renders():
    from celery.signals import task_postrun, task_prerun

    from documents.tasks import requeue_stuck_documents

    before = metrics.exposition().decode()
    task_prerun.send(sender=requeue_stuck_documents, task_id="t-3", task=requeue_stuck_documents)
    task_postrun.send(sender=requeue_stuck_documents, task_id="t-3", task=requeue_stuck_documents, state="SUCCESS")
    assert _render_count(metrics.exposition().decode()) == _render_count(before)


def test_the_worker_serves_its_render_times_on_its_own_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    _render_task_runs("t-4", "SUCCESS")
    metrics.start_worker_metrics_server(port)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    assert _render_count(text) >= 1


OBSERVE = """
from celery.signals import task_postrun, task_prerun
from documents.tasks import render_document
task_prerun.send(sender=render_document, task_id="t", task=render_document)
task_postrun.send(sender=render_document, task_id="t", task=render_document, state="SUCCESS")
"""
READ = """
from portal import metrics
print(metrics.exposition().decode())
"""


def test_several_processes_add_up_in_multiprocess_mode(tmp_path):
    """Two processes (gunicorn workers, Celery pool processes) render; a third answers the scrape."""
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "portal.test_settings",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    setup = "import django; django.setup()\n"
    for _ in range(2):
        subprocess.run([sys.executable, "-c", setup + OBSERVE], env=env, cwd=ROOT, check=True, timeout=120)
    result = subprocess.run(
        [sys.executable, "-c", setup + READ], env=env, cwd=ROOT, check=True, timeout=120, capture_output=True, text=True
    )
    assert _render_count(result.stdout) == 2
