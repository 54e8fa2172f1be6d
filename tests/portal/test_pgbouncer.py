"""The portal behind PgBouncer in transaction pooling, as several machines would run it.

A real pgbouncer (the test command's TEST_PGBOUNCER) in pool_mode=transaction on loopback, in front of
the test PostgreSQL. Each transaction may then run on another server connection: nothing may outlive
one. Django's QuerySet.iterator() reads through a server-side cursor declared WITH HOLD and fetched
chunk by chunk, each fetch its own transaction: behind the pooler a fetch that lands on another
server connection finds no cursor. DATABASE_POOLER=pgbouncer turns server-side cursors off
(DISABLE_SERVER_SIDE_CURSORS), which is what makes the same code work; the last test shows the same
iterator failing without it.

The portal's own SQL holds nothing across transactions otherwise: no advisory locks, no LISTEN, no
session SET (knowledge.search uses SET LOCAL), psycopg2 prepares no statements, and the `-c jit=off`
startup option is not sent behind the pooler (set it on the database instead).
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import needs_service

ROOT = Path(__file__).resolve().parents[2]
ROWS = 3000

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def pgbouncer():
    yield from _pgbouncer("extra_float_digits")


@pytest.fixture
def lenient_pgbouncer():
    """One that also ignores the `options` startup parameter (which carries `-c jit=off` when
    DATABASE_POOLER is unset), so that a process without DATABASE_POOLER gets as far as its queries."""
    yield from _pgbouncer("extra_float_digits, options")


def _pgbouncer(ignored):
    """A pgbouncer in transaction pooling in front of the test database; yields its DATABASE_URL."""
    binary = os.environ.get("TEST_PGBOUNCER", "") or shutil.which("pgbouncer") or ""
    needs_service(connection.vendor == "postgresql", "PostgreSQL")
    needs_service(binary and Path(binary).exists(), "pgbouncer (TEST_PGBOUNCER)")
    server = connection.settings_dict
    port = _free_port()
    workdir = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    user = server["USER"] or "portal"
    (workdir / "users.txt").write_text(f'"{user}" "{server["PASSWORD"] or ""}"\n')
    (workdir / "pgbouncer.ini").write_text(
        f"""[databases]
* = host={server["HOST"] or "127.0.0.1"} port={server["PORT"] or 5432}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {workdir / "users.txt"}
pool_mode = transaction
default_pool_size = 4
max_client_conn = 50
server_round_robin = 0
ignore_startup_parameters = {ignored}
logfile = {workdir / "pgbouncer.log"}
pidfile = {workdir / "pgbouncer.pid"}
"""
    )
    command = [binary, str(workdir / "pgbouncer.ini")]
    if os.geteuid() == 0:  # pgbouncer refuses to run as root
        shutil.chown(workdir, "postgres")
        for path in workdir.iterdir():
            shutil.chown(path, "postgres")
        command = ["runuser", "-u", "postgres", "--", *command]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert process.poll() is None, process.stdout.read().decode()
            assert time.monotonic() < deadline, "pgbouncer did not start"
            time.sleep(0.1)
    password = f":{server['PASSWORD']}" if server["PASSWORD"] else ""
    try:
        yield f"postgres://{user}{password}@127.0.0.1:{port}/{server['NAME']}", workdir
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def _run(database_url, script, *, pooler):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "1",
        "DATABASE_URL": database_url,
        "DATABASE_POOLER": "pgbouncer" if pooler else "",
    }
    return subprocess.run(
        [sys.executable, *script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )


# Reads ROWS rows with .iterator() while another client takes the server connection the first fetch
# used (PgBouncer hands out the most recently used idle server connection first), as any busy pool would.
ITERATE = """
import django
django.setup()
import psycopg2
from django.conf import settings
from django.db import connection
from portal.models import User

rows = User.objects.filter(email__startswith="pooled-").order_by("pk").values_list("email", flat=True)
chunks = rows.iterator(chunk_size=500)
seen = [next(chunks)]
settings_dict = connection.settings_dict
other = psycopg2.connect(
    host=settings_dict["HOST"], port=settings_dict["PORT"], dbname=settings_dict["NAME"], user=settings_dict["USER"]
)
with other.cursor() as cursor:
    cursor.execute("SELECT 1")  # opens a transaction: holds a server connection until it ends
    seen.extend(chunks)
other.rollback()
print("server-side cursors", "off" if settings_dict.get("DISABLE_SERVER_SIDE_CURSORS") else "on")
print("rows", len(seen), len(set(seen)))
"""

NATIONAL_EXPORT = """
import django
django.setup()
import datetime
from reporting.periods import Period
from reporting.records import case_records

records = list(case_records(Period.year(datetime.date.today().year)))
print("records", len(records), sorted(record["case_number"] for record in records)[:1])
"""


@pytest.fixture
def many_users(db):
    from portal.models import User

    User.objects.bulk_create(
        [User(email=f"pooled-{index:05d}@example.cn", full_name=f"用户{index}") for index in range(ROWS)]
    )


def test_the_portal_runs_behind_pgbouncer_in_transaction_pooling(pgbouncer, many_users, staff):
    database_url, _workdir = pgbouncer

    check = _run(database_url, ["manage.py", "check", "--database", "default"], pooler=True)
    assert check.returncode == 0, check.stderr
    migrations = _run(database_url, ["manage.py", "migrate", "--check", "--no-input"], pooler=True)
    assert migrations.returncode == 0, migrations.stdout + migrations.stderr

    iterated = _run(database_url, ["-c", ITERATE], pooler=True)
    assert iterated.returncode == 0, iterated.stderr
    assert "server-side cursors off" in iterated.stdout
    assert f"rows {ROWS} {ROWS}" in iterated.stdout


def test_the_national_export_streams_its_rows_through_pgbouncer(pgbouncer, staff):
    from tests.cases.factories import make_case

    numbers = sorted(make_case(staff).number for _ in range(3))
    database_url, _workdir = pgbouncer
    exported = _run(database_url, ["-c", NATIONAL_EXPORT], pooler=True)
    assert exported.returncode == 0, exported.stderr
    assert f"records 3 {numbers[:1]!r}" in exported.stdout


def test_without_database_pooler_the_iterator_fails_behind_pgbouncer(lenient_pgbouncer, many_users):
    """The setting is what makes it work: the same read, with server-side cursors left on."""
    database_url, _workdir = lenient_pgbouncer
    iterated = _run(database_url, ["-c", ITERATE], pooler=False)
    assert iterated.returncode != 0, iterated.stdout
    assert "does not exist" in iterated.stderr, iterated.stderr[-2000:]
    assert "_django_curs_" in iterated.stderr
