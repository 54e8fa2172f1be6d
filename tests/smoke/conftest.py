"""The portal as production runs it, brought up for the smoke test and torn down afterwards.

A fresh PostgreSQL database on the test command's throwaway server, static files collected into a
temporary folder, gunicorn with DEBUG off and settings from environment variables only, a real
Celery worker (queues documents and default) and celery beat on the test command's Redis, files in a
bucket on the test command's S3-compatible server (moto), JSON logs, Prometheus figures added up
over each process group (multiprocess mode) and a worker serving its own.

The scale-out test adds a second gunicorn on another port and a second worker under another name
(`scale_out`), on the same PostgreSQL, Redis and bucket.

Runs only when SMOKE_TEST=1 (scripts/test sets it for its smoke step, after the unit and browser
tests), with DATABASE_URL pointing at PostgreSQL and REDIS_URL at Redis.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.browser import launch_args, watch_csp

ROOT = Path(__file__).resolve().parents[2]
SMOKE = os.environ.get("SMOKE_TEST") == "1"
# Only what a production host would have: nothing from the test settings of this process.
PASSED_THROUGH = ["PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Stack:
    """The running production-mode portal: its address, environment, processes and logs."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.processes = {}
        self.logs = {}
        self.web = {}
        self.worker_metrics = {}
        self.password = secrets.token_urlsafe(16)
        # The authenticator key of the accounts that must use a second factor (hex, as django-otp keeps it).
        self.totp_key = secrets.token_hex(20)

    def run(self, *args, timeout=600, unset=()):
        """A one-off command (manage.py …), to its end; it must succeed. Its output."""
        return self.finish(self.begin(*args, unset=unset), timeout=timeout)

    def begin(self, *args, unset=()):
        """A one-off command started, for finish() to wait for: two independent commands then run
        side by side."""
        env = {name: value for name, value in self.env.items() if name not in unset}
        process = subprocess.Popen(
            [sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        process.command = args
        return process

    @staticmethod
    def finish(process, timeout=600):
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        finally:
            if process.poll() is None:
                process.kill()
        assert process.returncode == 0, f"{' '.join(process.command)} failed:\n{stdout}\n{stderr}"
        return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)

    def start(self, name, *args, env=None):
        log = open(self.workdir / f"{name}.log", "w")  # noqa: SIM115 - closed in stop()
        self.logs[name] = log
        self.processes[name] = subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def _metrics_dir(self, name):
        """An empty folder of its own for each process group's Prometheus figures (multiprocess mode)."""
        folder = self.workdir / f"prometheus-{name}"
        folder.mkdir()
        return {"PROMETHEUS_MULTIPROC_DIR": str(folder)}

    def start_web(self, name, port):
        """gunicorn with two workers on `port`, as each web machine runs it; its address."""
        self.start(
            name,
            "-m",
            "gunicorn",
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            env=self._metrics_dir(name),
        )
        url = f"http://127.0.0.1:{port}"
        self.web[name] = url
        return url

    def start_worker(self, name, hostname):
        """A Celery worker named `hostname` on both queues, serving its figures on a port of its own."""
        metrics_port = _free_port()
        self.start(
            name,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "-n",
            hostname,
            "-Q",
            "documents,default",
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            env={**self._metrics_dir(name), "WORKER_METRICS_PORT": str(metrics_port)},
        )
        self.worker_metrics[name] = f"http://127.0.0.1:{metrics_port}/metrics"

    def log_text(self, name):
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def assert_running(self):
        for name, process in self.processes.items():
            assert process.poll() is None, f"{name} exited with {process.returncode}:\n{self.log_text(name)[-3000:]}"

    def stop(self):
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for name, process in self.processes.items():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            self.logs[name].close()


def _wait_for_http(url, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - a loopback address we built
                return True
        except urllib.error.HTTPError:
            return True  # the server answers
        except OSError:
            time.sleep(0.3)
    return False


S3_KEY, S3_SECRET = "smoke-access-key", "smoke-secret-key"


def _s3_client(endpoint):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=S3_KEY,
        aws_secret_access_key=S3_SECRET,
    )


def _admin_connection(database_url):
    import psycopg2

    parts = urlsplit(database_url)
    connection = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    connection.autocommit = True
    return connection


@pytest.fixture(scope="session")
def production(tmp_path_factory):
    if not SMOKE:
        pytest.skip("production smoke test: run by scripts/test (bash scripts/test tests/smoke)")
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    assert database_url.startswith("postgres"), "the smoke test needs DATABASE_URL pointing at PostgreSQL"
    assert redis_url.startswith("redis"), "the smoke test needs REDIS_URL pointing at Redis"
    s3_endpoint = os.environ.get("TEST_S3_ENDPOINT_URL", "")
    assert s3_endpoint.startswith("http"), "the smoke test needs TEST_S3_ENDPOINT_URL (an S3-compatible server)"

    workdir = tmp_path_factory.mktemp("production")
    stack = Stack(workdir)
    started = time.monotonic()

    # A fresh database beside the one the unit tests used, and a Redis database of its own.
    database = f"smoke_{secrets.token_hex(4)}"
    admin = _admin_connection(database_url)
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{database}"')
    redis_parts = urlsplit(redis_url)
    # Uploaded and issued files live in a bucket of their own on the test command's S3-compatible server.
    stack.bucket = f"smoke-{secrets.token_hex(4)}"
    stack.s3 = _s3_client(s3_endpoint)
    stack.s3.create_bucket(Bucket=stack.bucket)
    stack.metrics_token = secrets.token_urlsafe(32)
    port = _free_port()
    stack.url = f"http://127.0.0.1:{port}"
    stack.env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    stack.env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "ALLOWED_HOSTS": "127.0.0.1",
            # Production refuses a plain-http SITE_URL. It only makes links and QR codes (nothing here
            # follows them), so the https form of the loopback address stands in for the public one.
            "SITE_URL": stack.url.replace("http://", "https://", 1),
            # Loopback has no TLS to redirect to. The session and CSRF cookies stay Secure: browsers
            # treat http://127.0.0.1 as a secure context and keep such cookies there.
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": urlunsplit(urlsplit(database_url)._replace(path=f"/{database}")),
            "REDIS_URL": urlunsplit(redis_parts._replace(path="/1")),
            "MEDIA_ROOT": str(workdir / "media"),
            "S3_BUCKET": stack.bucket,
            "S3_ENDPOINT_URL": s3_endpoint,
            "S3_ACCESS_KEY_ID": S3_KEY,
            "S3_SECRET_ACCESS_KEY": S3_SECRET,
            "S3_REGION": "us-east-1",
            "METRICS_TOKEN": stack.metrics_token,
            "LOG_FORMAT": "json",
            "STATIC_ROOT": str(workdir / "static"),
            "SIGNING_CERT_PATH": str(workdir / "signing.p12"),
            "SIGNING_CERT_PASSWORD": secrets.token_urlsafe(12),
            # Production issues no document without a time-stamping authority: the development one.
            "TSA_URL": f"http://127.0.0.1:{_free_port()}/",
            "SMOKE_PASSWORD": stack.password,
            "SMOKE_TOTP_KEY": stack.totp_key,
            "PYTHONPATH": str(ROOT),
        }
    )
    try:
        import redis

        redis.Redis.from_url(stack.env["REDIS_URL"]).flushdb()
        # As a build step runs it (README): without the secret key and the host names, which a build
        # does not have; settings.py gives such source-only commands a throwaway key. It needs no
        # database, so it runs beside the migrations (each mostly one core's work).
        static = stack.begin("manage.py", "collectstatic", "--noinput", "-v0", unset={"SECRET_KEY", "ALLOWED_HOSTS"})
        try:
            stack.run("manage.py", "migrate", "--noinput", "-v0")
        finally:
            stack.finish(static)
        stack.run(
            "manage.py",
            "make_dev_certificate",
            "--output",
            stack.env["SIGNING_CERT_PATH"],
            # One argument: a random password may start with "-", which would read as an option.
            f"--password={stack.env['SIGNING_CERT_PASSWORD']}",
        )
        stack.start("tsa", "-m", "documents.dev_tsa", "--port", str(urlsplit(stack.env["TSA_URL"]).port))
        assert _wait_for_http(stack.env["TSA_URL"], stack.processes["tsa"]), stack.log_text("tsa")
        stack.run("-m", "tests.smoke.accounts")
        stack.start_web("gunicorn", port)
        stack.start_worker("worker", "worker-a@%h")
        stack.start(
            "beat", "-m", "celery", "-A", "portal", "beat", "--schedule", str(workdir / "beat-schedule"), "-l", "INFO"
        )
        assert _wait_for_http(stack.url + "/", stack.processes["gunicorn"]), stack.log_text("gunicorn")
        stack.assert_running()
        print(f"Production stack up in {time.monotonic() - started:.1f} s at {stack.url}")
        yield stack
        stack.assert_running()
        for name in stack.web:
            assert "Internal Server Error" not in stack.log_text(name), stack.log_text(name)[-5000:]
    finally:
        stack.stop()
        for name in stack.processes:
            print(f"----- {name} log (last lines) -----\n{stack.log_text(name)[-2000:]}")
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def server_errors(page):
    """Every response the browser receives, from the page and from its requests: none may be a 5xx.
    Nor may the Content Security Policy block anything on the pages."""
    failures = []
    csp_violations = watch_csp(page.context)

    def listen(response):
        if response.status >= 500:
            failures.append(f"{response.status} {response.request.method} {response.url}")

    page.context.on("response", listen)
    page.set_default_timeout(20000)
    yield failures
    assert not failures, f"server errors: {failures}"
    assert not csp_violations, f"Content Security Policy violations: {csp_violations}"


@pytest.fixture(scope="session")
def scale_out(production):
    """A second web process (gunicorn on another port) and a second worker under another name, as a
    second machine would run them: same PostgreSQL, Redis and bucket, nothing else shared. Stopped
    with the rest of the stack."""
    production.url_b = production.start_web("gunicorn-b", _free_port())
    production.start_worker("worker-b", "worker-b@%h")
    assert _wait_for_http(production.url_b + "/", production.processes["gunicorn-b"]), production.log_text("gunicorn-b")
    production.assert_running()
    return production


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return launch_args(browser_type_launch_args)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai", "accept_downloads": True}
