"""Benchmark: signed guidance opinions per hour through a real Celery worker, and that worker's memory.

A worker process as production runs it (`celery -A portal worker -Q documents --concurrency 1`, the
prefork pool: one parent and one child that does the work), on PostgreSQL and Redis that you start,
works through a queue of signed 3-page guidance opinions (GB/T 9704 layout with the seal, PAdES with
an RFC 3161 timestamp from the development TSA started here, B-LT validation data and a B-LTA
document timestamp), each stored with its SHA-256 like any document. Printed:

- documents per hour from the measured wall time (the first task queued to the last document
  ready), and the seconds per document;
- the peak resident set of the worker's child (VmHWM from /proc, the kernel's own high-water
  mark, for every child the pool had) and of its parent, and the child's resident set after the
  warm-up and at the end (growth: caches must stay bounded);
- baselines measured in the same run, in this process, before and after the worker's run: one
  signed opinion rendered and signed here (no queue, no database), and a one-page Latin document
  through the same WeasyPrint; the worker's seconds per document are printed as ratios to them;
- the machine: cores, load average before and after.

Targets (issue: Rendering): >= 6,000 signed 3-page documents per hour per worker process, and
<= 250 MiB peak RSS per worker process.

Run (PostgreSQL and Redis of your own; the database named here is created and dropped):
  .venv/bin/python tests/bench/bench_render_throughput.py \\
      --database-url postgres://portal@127.0.0.1:55474/postgres --redis-url redis://127.0.0.1:56474/0 \\
      [--documents 300]
Not collected by pytest.
"""

import argparse
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TARGET_PER_HOUR = 6000
TARGET_MIB = 250
POLL_SECONDS = 0.1


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def load_average():
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def kib_field(pid, field):
    """A field of /proc/<pid>/status in MiB (VmHWM: peak resident set; VmRSS: now), or None."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def environment(args, workdir, database):
    parts = urlsplit(args.database_url)
    redis_parts = urlsplit(args.redis_url)
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://127.0.0.1:8000",
        "DATABASE_URL": urlunsplit(parts._replace(path=f"/{database}")),
        "REDIS_URL": urlunsplit(redis_parts._replace(path=redis_parts.path or "/0")),
        "MEDIA_ROOT": str(workdir / "media"),
        "STATIC_ROOT": str(workdir / "static"),
        "SIGNING_CERT_PATH": str(workdir / "signing.p12"),
        "SIGNING_CERT_PASSWORD": secrets.token_urlsafe(12),
        "TSA_URL": f"http://127.0.0.1:{free_port()}/",
        "LOG_LEVEL": "WARNING",
        # The system checks (admin, URLs) are not what is measured here; skipped as Celery allows.
        "CELERY_SKIP_CHECKS": "1",
        "PYTHONPATH": str(ROOT),
    }


def run(env, *command):
    subprocess.run([sys.executable, *command], env=env, cwd=ROOT, check=True)


def wait_for_port(url, process, seconds=60):
    parts = urlsplit(url)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args} stopped with {process.returncode}")
        try:
            with socket.create_connection((parts.hostname, parts.port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing answered at {url}")


def seed(director_email):
    """The center's demonstration seal and a director who signs the opinions."""
    from django.contrib.auth.models import Group
    from django.core.files.base import ContentFile

    from demo.seal import demo_seal_svg
    from portal.models import SiteConfiguration, User
    from portal.roles import Role

    config = SiteConfiguration.get()
    config = SiteConfiguration.objects.get(pk=config.pk)
    config.seal.save("demo-seal.svg", ContentFile(demo_seal_svg(config.issuing_body).encode()), save=False)
    config.save()
    director = User.objects.create_user(email=director_email, password=secrets.token_urlsafe(16), full_name="赵建国")
    director.groups.add(*(Group.objects.get_or_create(name=role)[0] for role in (Role.DIRECTOR, Role.STAFF)))
    return director


def opinion_rows(director, count, first_number):
    """`count` guidance opinions waiting for their render, as document_request records them
    (numbered, signed by the director), with the bench's 3-page text."""
    from bench_documents import OPINION_SECTIONS, opinion_context
    from django.utils import timezone

    from documents.models import Document

    frozen = {
        key: value
        for key, value in opinion_context(OPINION_SECTIONS).items()
        if key not in ("number", "verification_code", "verification_url", "qr_code", "issued_on_cn", "signed")
    }
    documents = [
        Document(
            kind=Document.Kind.GUIDANCE_OPINION,
            title=frozen["title"],
            number=f"晋知指发〔2026〕{first_number + n}号",
            template="pdf/guidance_opinion.html",
            context=frozen,
            subject=director,
            signed_by=director,
            signer_title="主任",
            issued_on=timezone.localdate(),
            site_url="https://127.0.0.1:8000",
            created_by=director,
        )
        for n in range(count)
    ]
    return [document.pk for document in Document.objects.bulk_create(documents)]


def wait_until_done(ids, watch, timeout):
    """Poll until every document in `ids` is ready or failed; `watch()` samples the worker's
    memory meanwhile. Returns (seconds since the call, ready, failed)."""
    from django.db import connection

    from documents.models import Document

    start = time.perf_counter()
    while True:
        watch()
        rows = Document.objects.filter(pk__in=ids).values_list("status", flat=True)
        statuses = list(rows)
        ready = statuses.count(Document.Status.READY)
        failed = statuses.count(Document.Status.FAILED)
        if ready + failed == len(ids):
            return time.perf_counter() - start, ready, failed
        if time.perf_counter() - start > timeout:
            raise SystemExit(f"timed out: {ready} ready, {failed} failed of {len(ids)}")
        connection.close()  # a fresh snapshot each poll, and no transaction held open
        time.sleep(POLL_SECONDS)


class WorkerMemory:
    """Peak resident sets of the worker's parent and of each child it ever had (VmHWM, read while
    the process lives)."""

    def __init__(self, parent_pid):
        import psutil

        self.parent = psutil.Process(parent_pid)
        self.children = {}  # pid -> peak MiB
        self.parent_peak = 0.0

    def __call__(self):
        self.parent_peak = max(self.parent_peak, kib_field(self.parent.pid, "VmHWM") or 0)
        for child in self.parent.children():
            peak = kib_field(child.pid, "VmHWM")
            if peak is not None:
                self.children[child.pid] = max(self.children.get(child.pid, 0), peak)

    def child_now(self):
        children = self.parent.children()
        return kib_field(children[0].pid, "VmRSS") if children else None


def in_process_baselines(repeat):
    """(median seconds of rendering and signing one opinion here, median seconds of a one-page
    Latin document through the same WeasyPrint): the same machine's speed at this moment."""
    from bench_documents import BASELINE_HTML, OPINION_SECTIONS, opinion_context, render_and_sign
    from weasyprint import HTML

    context = opinion_context(OPINION_SECTIONS)
    opinion, latin = [], []
    for _ in range(repeat):  # interleaved, pair by pair
        start = time.perf_counter()
        render_and_sign("pdf/guidance_opinion.html", context)
        opinion.append(time.perf_counter() - start)
        start = time.perf_counter()
        HTML(string=BASELINE_HTML).write_pdf()
        latin.append(time.perf_counter() - start)
    return statistics.median(opinion), statistics.median(latin)


def check_sample(ids):
    """Pages, signature and timestamp of the first and last document the worker made."""
    from documents.models import Document
    from documents.signature_check import center_trust_roots, check_signature, timestamp_trust_roots

    lines = []
    for document in Document.objects.filter(pk__in=[ids[0], ids[-1]]):
        with document.file.open("rb") as handle:
            data = handle.read()
        check = check_signature(data, trust_roots=center_trust_roots(), timestamp_roots=timestamp_trust_roots())
        lines.append(
            f"  {document.number}: {document.pages} pages, {len(data) / 1024:.0f} KiB, signature {check.state}, "
            f"by the center {check.by_center}, time from {check.time_source}, "
            f"archive timestamp {check.archive_timestamp}"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL server (its maintenance database)")
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--baseline-repeat", type=int, default=5)
    parser.add_argument(
        "--worker-option", action="append", default=[], help="passed to `celery worker` (e.g. --max-tasks-per-child=50)"
    )
    args = parser.parse_args()

    import psycopg2
    import redis

    database = f"bench_render_{secrets.token_hex(4)}"
    admin = psycopg2.connect(args.database_url)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{database}"')
    workdir = Path(tempfile.mkdtemp(prefix="bench-render-"))
    env = environment(args, workdir, database)
    processes = []
    try:
        redis.Redis.from_url(env["REDIS_URL"]).flushdb()
        run(env, "manage.py", "migrate", "--noinput", "--skip-checks", "-v0")
        run(
            env,
            "manage.py",
            "make_dev_certificate",
            "--output",
            env["SIGNING_CERT_PATH"],
            f"--password={env['SIGNING_CERT_PASSWORD']}",
            "--skip-checks",
        )
        tsa = subprocess.Popen(
            [sys.executable, "-m", "documents.dev_tsa", "--port", str(urlsplit(env["TSA_URL"]).port)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        processes.append(tsa)
        wait_for_port(env["TSA_URL"], tsa)

        sys.path.insert(0, str(Path(__file__).resolve().parent))
        os.environ.update(env)
        import django

        django.setup()
        import logging

        logging.getLogger("weasyprint").setLevel(logging.WARNING)
        from documents.tasks import render_document

        director = seed(f"director-{secrets.token_hex(3)}@example.cn")
        warm_up = opinion_rows(director, 1, 1)
        ids = opinion_rows(director, args.documents, 2)

        print(f"Machine: {os.cpu_count()} cores; load average {load_average()}", flush=True)
        opinion_before, latin_before = in_process_baselines(args.baseline_repeat)

        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "-Q",
                "documents",
                "--concurrency",
                "1",
                "--pool",
                "prefork",
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
                *args.worker_option,
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(workdir / "worker.log", "w"),  # noqa: SIM115 (closed with the process)
        )
        processes.append(worker)
        memory = WorkerMemory(worker.pid)

        # The first document warms the child up (fonts, WeasyPrint, pyHanko, the key, the TSA
        # connection): a worker pays that once, not per document.
        render_document.delay(warm_up[0])
        warm_seconds, _ready, _failed = wait_until_done(warm_up, memory, timeout=300)
        after_warm_up = memory.child_now()
        print(
            f"Worker up and warmed by its first document in {warm_seconds:.1f} s; "
            f"child RSS then {after_warm_up:.0f} MiB",
            flush=True,
        )

        start = time.perf_counter()
        for pk in ids:
            render_document.delay(pk)
        _seconds, ready, failed = wait_until_done(ids, memory, timeout=args.documents * 30)
        wall = time.perf_counter() - start  # from before the first task was queued
        at_end = memory.child_now()
        memory()
        opinion_after, latin_after = in_process_baselines(args.baseline_repeat)

        per_document = wall / args.documents
        per_hour = 3600 / per_document
        opinion = statistics.median([opinion_before, opinion_after])
        latin = statistics.median([latin_before, latin_after])
        child_peak = max(memory.children.values()) if memory.children else float("nan")
        print(f"Load average after: {load_average()}")
        print(
            f"Worker (prefork, concurrency 1): {ready} signed opinions ready, {failed} failed, in {wall:.1f} s: "
            f"{per_hour:,.0f} documents/hour ({per_document:.3f} s each); target >= {TARGET_PER_HOUR:,}/hour: "
            f"{'met' if per_hour >= TARGET_PER_HOUR and not failed else 'NOT met'}"
        )
        print(
            f"Baselines in this process (median of {args.baseline_repeat}, before {opinion_before:.3f} s / after "
            f"{opinion_after:.3f} s): render and sign one opinion {opinion:.3f} s, one Latin page {latin:.3f} s; "
            f"worker seconds per document = {per_document / opinion:.2f} x the in-process opinion, "
            f"{per_document / latin:.1f} x the Latin page"
        )
        print(
            f"Worker memory: child peak RSS {child_peak:.0f} MiB over {len(memory.children)} child process(es) "
            f"(target <= {TARGET_MIB} MiB: {'met' if child_peak <= TARGET_MIB else 'NOT met'}); child RSS after "
            f"warm-up {after_warm_up:.0f} MiB, after {args.documents} documents "
            f"{at_end if at_end is not None else float('nan'):.0f} MiB; parent peak {memory.parent_peak:.0f} MiB"
        )
        print("Sample of the output:\n" + check_sample(ids))
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    main()
