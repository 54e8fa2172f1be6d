"""LOG_FORMAT=json: one JSON object per line, naming the request or task each line was written in."""

import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

from portal import logging as portal_logging

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import logging
import django
django.setup()
from django.test import Client

logging.getLogger("portal.example").warning("申请 %s 已提交", "SQ-2026-0001")
assert Client().get("/no-such-page/", HTTP_X_REQUEST_ID="req-4f1c2a9b7d").status_code == 404
"""


def _run(tmp_path, **env):
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PYTHONPATH": str(ROOT),
        # As production runs (with DEBUG on, Django's own console handler also prints its lines as text).
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "SITE_URL": "https://portal.example.cn",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "testserver",
        "STATIC_ROOT": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **env,
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return [line for line in result.stderr.splitlines() if line.strip()]


def test_each_log_line_is_a_json_object_with_level_logger_and_message(tmp_path):
    lines = _run(tmp_path, LOG_FORMAT="json")
    records = [json.loads(line) for line in lines]  # every line parses, nothing else is printed

    written = next(record for record in records if record["logger"] == "portal.example")
    assert written["level"] == "WARNING"
    assert written["message"] == "申请 SQ-2026-0001 已提交"
    assert written["time"]
    assert "request_id" not in written  # written outside any request

    not_found = next(record for record in records if record["logger"] == "django.request")
    assert not_found["level"] == "WARNING"
    assert not_found["message"] == "Not Found: /no-such-page/"
    assert not_found["request_id"] == "req-4f1c2a9b7d"
    assert not_found["path"] == "/no-such-page/"


def test_the_text_format_stays_plain_text(tmp_path):
    lines = _run(tmp_path, LOG_FORMAT="text")
    assert "申请 SQ-2026-0001 已提交" in lines
    assert not any(line.startswith("{") for line in lines)


def test_a_request_line_names_the_user_once_loaded(client, applicant, settings, caplog):
    settings.MIDDLEWARE = [settings.MIDDLEWARE[0], "portal.health.HealthCheckMiddleware", *settings.MIDDLEWARE[1:]]
    client.force_login(applicant)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="bad id with spaces")
    assert response.status_code == 404
    record = next(record for record in caplog.records if record.name == "django.request")
    assert record.user_id == applicant.pk
    assert record.path == "/no-such-page/"
    # A request id that is not a plausible token is replaced by a new one, which the answer carries.
    assert record.request_id != "bad id with spaces"
    assert response["X-Request-ID"] == record.request_id


def test_a_task_line_names_the_task():
    class Task:
        name = "documents.tasks.render_document"

    portal_logging._on_task_prerun(task_id="5d6c0f3e", task=Task())
    try:
        record = logging.getLogRecordFactory()("documents", logging.INFO, __file__, 1, "x", (), None)
    finally:
        portal_logging._on_task_postrun()
    assert record.task_id == "5d6c0f3e"
    assert record.task == "documents.tasks.render_document"
