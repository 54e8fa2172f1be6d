"""The portal brought up as production runs it, for breaking its services on purpose.

Like the smoke test (tests/smoke): a fresh PostgreSQL database on the test command's throwaway
server, gunicorn with DEBUG off, celery beat and Celery workers, every one a real process with
settings from environment variables (tests.faults.settings compresses the recovery timings).
Unlike it, the stack owns a Redis server of its own, which the tests stop, start and make refuse
writes; they restart the PostgreSQL server through pg_ctl (FAULT_PG_CTL, FAULT_PG_DATA and, when
the server runs as another user, FAULT_PG_USER: the test command exports them); and mail goes to
a port where nothing listens.

Runs only when FAULT_TEST=1 (scripts/test sets it for its fault step, after the smoke test).
"""

import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest

from tests.smoke.accounts import ACCOUNTS
from tests.smoke.conftest import PASSED_THROUGH, Stack, _admin_connection, _free_port, _wait_for_http

FAULTS = os.environ.get("FAULT_TEST") == "1"
ACCOUNT = {key: email for key, email, _name in ACCOUNTS}
# A throwaway Redis: nothing kept on disk, so a restart also loses what was queued.
REDIS_OPTIONS = ("--save", "", "--appendonly", "no")
VISIBILITY_TIMEOUT = 6  # seconds (production: the task time limit + 60 s)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/faults/" in str(item.fspath):
            item.add_marker(pytest.mark.faults)
            if not FAULTS:
                item.add_marker(pytest.mark.skip(reason="fault tests: run by scripts/test (FAULT_TEST=1)"))


def wait_until(predicate, *, seconds, what, interval=0.25):
    """Poll until `predicate()` is true; return the seconds it took. Fails after `seconds`."""
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < seconds, f"not within {seconds} s: {what}"
        time.sleep(interval)
    return time.monotonic() - started


class Browser:
    """A minimal HTTP client with its own cookie store: the session and CSRF cookies are Secure,
    which Python's cookie jar keeps from plain http, while browsers send them to loopback."""

    def __init__(self, url):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port
        self.cookies = {}
        self.responses = []

    def request(self, method, path, data=None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        headers = {"Host": f"{self.host}:{self.port}", "Accept-Language": "zh-hans"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{self.host}:{self.port}{path}"
        started = time.monotonic()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        connection.close()
        self.responses.append((method, path, response.status, time.monotonic() - started))
        return response.status, response.headers.get("Location", ""), text

    def get(self, path):
        return self.request("GET", path)

    def post_form(self, path, data):
        """GET the page, then POST `data` with the page's CSRF token."""
        status, _location, page = self.get(path)
        assert status == 200, f"GET {path} answered {status}"
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.request("POST", path, {"csrfmiddlewaretoken": token, **data})

    def log_in(self, email, password):
        status, location, _page = self.post_form("/accounts/login/", {"username": email, "password": password})
        assert status == 302, f"login of {email} answered {status}"
        return location

    def server_errors(self):
        return [entry for entry in self.responses if entry[2] >= 500]


class FaultStack(Stack):
    """The production-mode portal of the fault tests and the controls to break its services."""

    def __init__(self, workdir):
        super().__init__(workdir)
        self.trace = workdir / "trace.log"
        self.media = workdir / "media"
        self.redis = None
        self.redis_port = _free_port()
        self.workers = 0
        self.killed = set()
        self.worker = None  # the worker kept running between scenarios

    def ensure_worker(self):
        if self.worker is None or self.processes[self.worker].poll() is not None:
            self.worker = self.start_worker()
        return self.worker

    def supervise_workers(self):
        """What a process supervisor (systemd, Kubernetes) does: start a worker again in place of each
        one that exited on its own. Returns the names of those that had exited."""
        exited = [
            name
            for name, process in self.processes.items()
            if name.startswith("worker-") and name not in self.killed and process.poll() is not None
        ]
        for name in exited:
            self.killed.add(name)  # accounted for: it does not fail assert_running
            replacement = self.start_worker()
            if name == self.worker:
                self.worker = replacement
        return exited

    # --- Redis ---------------------------------------------------------------------------
    def start_redis(self, *extra):
        log = open(self.workdir / "redis.log", "a")  # noqa: SIM115 - closed with the process
        command = [shutil.which("redis-server"), "--bind", "127.0.0.1", "--port", str(self.redis_port)]
        self.redis = subprocess.Popen(
            [*command, *REDIS_OPTIONS, *extra],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.redis_log = log
        wait_until(lambda: self.redis_cli("ping") == "PONG", seconds=20, what="Redis answers")

    def stop_redis(self):
        if self.redis is not None and self.redis.poll() is None:
            self.redis.terminate()
            self.redis.wait(timeout=20)
            self.redis_log.close()
        self.redis = None

    def redis_cli(self, *args):
        result = subprocess.run(
            ["redis-cli", "-p", str(self.redis_port), *args], capture_output=True, text=True, timeout=20
        )
        return result.stdout.strip()

    # --- PostgreSQL ----------------------------------------------------------------------
    def restart_postgres(self):
        data = os.environ["FAULT_PG_DATA"]
        # The server's log goes to a file: a server writing to this process's pipe would keep it open.
        command = [os.environ["FAULT_PG_CTL"], "-D", data, "-l", f"{data}/server.log", "-m", "fast", "-w", "restart"]
        if os.environ.get("FAULT_PG_USER"):
            command = ["runuser", "-u", os.environ["FAULT_PG_USER"], "--", *command]
        result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=120)
        assert result.returncode == 0, result.stderr

    def sql(self, query, params=()):
        """Rows of a query on the portal's database (connecting afresh: the server may restart)."""
        import psycopg2

        deadline = time.monotonic() + 60
        while True:
            try:
                connection = psycopg2.connect(self.env["DATABASE_URL"])
                break
            except psycopg2.OperationalError:
                assert time.monotonic() < deadline, "PostgreSQL did not come back"
                time.sleep(0.3)
        try:
            with connection, connection.cursor() as cursor:
                cursor.execute(query, params)
                return cursor.fetchall()
        finally:
            connection.close()

    # --- processes -------------------------------------------------------------------------
    def action(self, step, *args):
        """Run a step of tests.faults.actions in the portal's environment; its JSON result."""
        result = self.run("-m", "tests.faults.actions", step, *map(str, args))
        return json.loads(result.stdout.strip().splitlines()[-1])

    def start_worker(self):
        self.workers += 1
        name = f"worker-{self.workers}"
        self.start(
            name,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "-Q",
            "documents,default",
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "-n",
            f"{name}@%h",
        )
        return name

    def pool_pids(self, name):
        """The worker's own process and its pool processes (the group it leads)."""
        leader = self.processes[name].pid
        result = subprocess.run(["pgrep", "-g", str(leader)], capture_output=True, text=True)
        return {int(pid) for pid in result.stdout.split()} | {leader}

    def kill(self, name):
        """kill -9 the whole process group: the worker and its pool process, as a machine dies."""
        process = self.processes[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)
        self.killed.add(name)

    def assert_running(self):
        for name, process in self.processes.items():
            if name not in self.killed:
                log = self.log_text(name)[-3000:]
                assert process.poll() is None, f"{name} exited with {process.returncode}:\n{log}"

    def traced(self, task="documents.tasks.render_document"):
        """(time, pid, event, argument) for each start and end of `task` in any worker so far."""
        if not self.trace.exists():
            return []
        entries = []
        for line in self.trace.read_text().splitlines():
            stamp, pid, event, name, *args = line.split(" ")
            if name == task:
                entries.append((float(stamp), int(pid), event, args[0] if args else ""))
        return entries

    # --- what the tests check ----------------------------------------------------------------
    def documents(self, ids):
        rows = self.sql(
            "SELECT id, status, file, sha256, last_error FROM documents_document WHERE id = ANY(%s) ORDER BY id",
            (list(ids),),
        )
        return {row[0]: {"status": row[1], "file": row[2], "sha256": row[3], "error": row[4]} for row in rows}

    def all_ready(self, ids):
        documents = self.documents(ids)
        return len(documents) == len(ids) and all(doc["status"] == "ready" for doc in documents.values())

    def media_files(self):
        return {path.relative_to(self.media).as_posix() for path in self.media.rglob("*") if path.is_file()}

    def referenced_files(self):
        names = set()
        for table in ("documents_document", "applications_attachment"):
            names |= {row[0] for row in self.sql(f"SELECT file FROM {table} WHERE file <> ''")}  # noqa: S608
        return names

    def assert_done_exactly_once(self, ids):
        """Every document rendered, one file each, its bytes those recorded; then the orphan
        sweep removes what interrupted renders left, and nothing unreferenced remains.
        Returns the number of orphan files the sweep removed."""
        documents = self.documents(ids)
        assert len(documents) == len(ids), "a requested document is missing"
        for pk, doc in documents.items():
            assert doc["status"] == "ready", f"document {pk} is {doc['status']}: {doc['error']}"
            data = (self.media / doc["file"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == doc["sha256"], f"document {pk}: file and hash differ"
        files = [doc["file"] for doc in documents.values()]
        assert len(set(files)) == len(files), "two documents share a file"
        removed = self.action("sweep-orphans")
        assert not set(removed) & set(files)
        unreferenced = {name for name in self.media_files() if name not in self.referenced_files()}
        assert not unreferenced, f"orphan files left: {sorted(unreferenced)}"
        return len(removed)

    def assert_no_server_error(self):
        log = self.log_text("gunicorn")
        assert "Internal Server Error" not in log, log[-4000:]


@pytest.fixture(scope="session")
def faults(tmp_path_factory, request):
    if not FAULTS:
        pytest.skip("fault tests: run by scripts/test (FAULT_TEST=1)")
    database_url = os.environ.get("DATABASE_URL", "")
    assert database_url.startswith("postgres"), "the fault tests need DATABASE_URL pointing at PostgreSQL"
    assert os.environ.get("FAULT_PG_CTL") and os.environ.get("FAULT_PG_DATA"), "FAULT_PG_CTL and FAULT_PG_DATA"

    workdir = tmp_path_factory.mktemp("faults")
    (workdir / "static").mkdir()
    stack = FaultStack(workdir)
    started = time.monotonic()
    database = f"faults_{os.getpid()}"
    admin = _admin_connection(database_url)
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{database}"')
        cursor.execute(f'CREATE DATABASE "{database}"')
    admin.close()
    port = _free_port()
    stack.url = f"http://127.0.0.1:{port}"
    stack.env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    stack.env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.faults.settings",
            "DEBUG": "0",
            "SECRET_KEY": "faults-" + "x" * 60,
            "ALLOWED_HOSTS": "127.0.0.1",
            # Production refuses a plain-http SITE_URL. It only makes links and QR codes (nothing here
            # follows them), so the https form of the loopback address stands in for the public one.
            "SITE_URL": stack.url.replace("http://", "https://", 1),
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": urlunsplit(urlsplit(database_url)._replace(path=f"/{database}")),
            "DB_CONN_MAX_AGE": "60",
            "REDIS_URL": f"redis://127.0.0.1:{stack.redis_port}/0",
            # Mail goes to a port where nothing listens: every send is refused.
            "EMAIL_URL": f"smtp://127.0.0.1:{_free_port()}",
            "MEDIA_ROOT": str(stack.media),
            "STATIC_ROOT": str(workdir / "static"),
            "SIGNING_CERT_PATH": str(workdir / "signing.p12"),
            "SIGNING_CERT_PASSWORD": "faults-certificate",
            # Production issues no document without a time-stamping authority: the development one.
            "TSA_URL": f"http://127.0.0.1:{_free_port()}/",
            "SMOKE_PASSWORD": stack.password,
            "SMOKE_TOTP_KEY": stack.totp_key,
            "FAULT_TRACE_FILE": str(stack.trace),
            "FAULT_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        }
    )
    try:
        stack.start_redis()
        certificate = ["--output", stack.env["SIGNING_CERT_PATH"], "--password", stack.env["SIGNING_CERT_PASSWORD"]]
        stack.start("certificate", "manage.py", "make_dev_certificate", *certificate)  # alongside the migration
        stack.run("manage.py", "migrate", "--noinput", "-v0")
        assert stack.processes.pop("certificate").wait(timeout=120) == 0, stack.log_text("certificate")
        stack.logs.pop("certificate").close()
        stack.start("tsa", "-m", "documents.dev_tsa", "--port", str(urlsplit(stack.env["TSA_URL"]).port))
        assert _wait_for_http(stack.env["TSA_URL"], stack.processes["tsa"]), stack.log_text("tsa")
        stack.run("-m", "tests.smoke.accounts")
        stack.start("gunicorn", "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2")
        stack.start(
            "beat", "-m", "celery", "-A", "portal", "beat", "--schedule", str(workdir / "beat-schedule"), "-l", "INFO"
        )
        assert _wait_for_http(stack.url + "/", stack.processes["gunicorn"]), stack.log_text("gunicorn")
        print(f"\nFault stack up in {time.monotonic() - started:.1f} s at {stack.url}")
        yield stack
    finally:
        stack.stop()
        stack.stop_redis()
        if request.session.testsfailed:
            for name in stack.processes:
                print(f"----- {name} log (last lines) -----\n{stack.log_text(name)[-2000:]}")
        admin = _admin_connection(database_url)
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.close()


def pytest_configure(config):
    config.addinivalue_line("markers", "faults: drives real processes and breaks their services (FAULT_TEST=1)")
