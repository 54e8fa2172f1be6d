"""Load test of the front-end pages under gunicorn, as production runs them.

Given a PostgreSQL server (DATABASE_URL, any database on it: a new one is created beside it) and
Redis (REDIS_URL), it

1. creates a database, migrates it, loads the demo data (seed_demo) and adds accounts for the
   simulated users (one pool per role, their own passwords and authenticator keys);
2. collects static files and starts gunicorn (2 sync workers) with DEBUG off, whitenoise, settings
   from environment variables only, on a free loopback port: the environment of the production
   smoke test (tests/smoke/conftest.py);
3. logs each role's accounts in with locust (tests/bench/locustfile.py), then measures each page
   alone with wrk (as the role's first account, `--users` connections without pause), interleaved
   pair by pair with a baseline (robots.txt: a template, no database) at the same load; then runs
   the mixed scenario of all roles with locust;
4. prints page, requests/s, its ratio to the baseline of its pair, p50, p95 and failures, with the
   machine's figures, then stops gunicorn and drops the database (unless --keep).

    DATABASE_URL=postgres://portal@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python tests/bench/bench_load.py [--users 8] [--seconds 15] [--mixed-users 200]

wrk (Debian's package) is the load generator for the pages alone: written in C, it leaves the
cores to gunicorn and PostgreSQL, where locust, in Python, would take one of the two for itself.
The figures are noisy on a shared machine: the load generators run on the same cores as gunicorn
and PostgreSQL. Compare each page with its baseline rather than across runs.
Not collected by pytest (tests/bench is excluded in pyproject.toml).
"""

import argparse
import contextlib
import csv
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
PASSED_THROUGH = ["PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"]
BASELINE = ("baseline: robots.txt", "", "/robots.txt")
ROLES = ("applicant", "agency", "staff")


def pages(ids):
    """(name, role, url) of each page measured alone; ids come from the database (see _accounts)."""
    return [
        ("home", "", "/"),
        ("knowledge index", "", "/knowledge/"),
        ("laws (list)", "", "/knowledge/laws/"),
        ("law (detail)", "", f"/knowledge/laws/{ids['law']}/"),
        ("typical cases (list)", "", "/knowledge/cases/"),
        ("typical case (detail)", "", f"/knowledge/cases/{ids['typical_case']}/"),
        ("warnings (list)", "", "/knowledge/warnings/"),
        ("warning (detail)", "", f"/knowledge/warnings/{ids['warning']}/"),
        ("institutions (directory)", "", "/knowledge/institutions/"),
        ("institution (detail)", "", f"/knowledge/institutions/{ids['institution']}/"),
        ("service points (directory)", "", "/knowledge/service-points/"),
        ("verification page", "", "/documents/verify/"),
        ("applicant: applications", "applicant", "/applications/"),
        ("applicant: case page", "applicant", f"/applications/{ids['application']}/"),
        ("agency: workspace", "agency", "/cases/agency/"),
        ("agency: letter", "agency", f"/cases/agency/letters/{ids['letter']}/"),
        ("expert: workspace", "expert", "/experts/"),
        ("expert: assignment", "expert", f"/experts/assignments/{ids['assignment']}/"),
    ]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def machine():
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return f"{os.cpu_count()} CPUs ({model}), load average {load}; Python {platform.python_version()}"


# --- runs inside a subprocess with the portal's settings -----------------------------------------
def _accounts(count, out_path):
    """Accounts for the simulated users, cloned from the demo's, and the ids of the detail pages."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from applications.models import ApplicantAccount, Application
    from cases.models import LetterRecipient
    from experts.models import ExpertAssignment
    from knowledge.models import Law, ServiceInstitution, TypicalCase, Warning
    from portal.models import User

    password = secrets.token_urlsafe(16)
    hashed = make_password(password)
    accounts = {role: [] for role in ROLES}
    for role in ROLES:
        model = User.objects.get(email=f"{role}@demo.cn")
        groups = list(model.groups.all())
        organisation = ApplicantAccount.objects.get(user=model).applicant if role == "applicant" else None
        for n in range(count):
            user = User.objects.create(
                email=f"bench-{role}{n}@example.cn",
                full_name=f"{model.full_name}{n}",
                password=hashed,
                is_staff=model.is_staff,
                agency=model.agency,
            )
            user.groups.add(*groups)
            entry = {"email": user.email, "password": password}
            if organisation is not None:
                ApplicantAccount.objects.create(user=user, applicant=organisation)
            if TOTPDevice.objects.filter(user=model, confirmed=True).exists():
                key = secrets.token_hex(20)
                TOTPDevice.objects.create(user=user, name="authenticator", key=key, confirmed=True)
                entry["totp_key"] = key
            accounts[role].append(entry)
    # The expert's workspace shows the cases assigned to one expert: the demo's, shared by every
    # simulated expert (no second factor: experts may opt in, the demo's has not).
    expert = User.objects.get(email="expert@demo.cn")
    expert.password = hashed
    expert.save(update_fields=["password"])
    accounts["expert"] = [{"email": expert.email, "password": password}]

    demo_applicant = User.objects.get(email="applicant@demo.cn")
    demo_agency = User.objects.get(email="agency@demo.cn")
    # The applicant's case page: its organisation's case with the longest history.
    application = max(
        Application.objects.filter(applicant__accounts__user=demo_applicant, case__isnull=False),
        key=lambda a: a.messages.count() + a.attachments.count(),
    )
    ids = {
        "application": application.pk,
        "letter": LetterRecipient.objects.filter(agency=demo_agency.agency).order_by("pk").first().letter_id,
        "assignment": ExpertAssignment.objects.filter(expert__user=expert).order_by("pk").first().pk,
        "law": Law.objects.filter(status="published").order_by("pk").first().pk,
        "typical_case": TypicalCase.objects.filter(status="published").order_by("pk").first().pk,
        "warning": Warning.objects.filter(status="published").order_by("pk").first().pk,
        "institution": ServiceInstitution.objects.filter(status="published").order_by("pk").first().pk,
    }
    Path(out_path).write_text(json.dumps({"accounts": accounts, "ids": ids}))


# --- the run ---------------------------------------------------------------------------------------
class Stack:
    def __init__(self, workdir, env):
        self.workdir = workdir
        self.env = env
        self.processes = {}
        self.logs = {}

    def run(self, *args, env=None, timeout=1800):
        result = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env or self.env, capture_output=True, text=True, timeout=timeout
        )
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
        return result

    def start(self, name, *args):
        log = open(self.workdir / f"{name}.log", "w")  # noqa: SIM115 - closed in stop()
        self.logs[name] = log
        self.processes[name] = subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log_text(self, name):
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

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
            return True
        except OSError:
            time.sleep(0.3)
    return False


def _admin_connection(database_url):
    import psycopg2

    connection = psycopg2.connect(urlunsplit(urlsplit(database_url)._replace(path="/postgres")))
    connection.autocommit = True
    return connection


def locust(stack, url, classes, users, seconds, csv_prefix, extra_env=None):
    """One headless locust run; the rows of its statistics by name."""
    env = {**stack.locust_env, **(extra_env or {})}
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--host",
        url,
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--csv",
        str(csv_prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
        *classes,
    ]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=seconds + 300)
    if result.returncode != 0:
        raise SystemExit(f"locust failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
    with open(f"{csv_prefix}_stats.csv") as handle:
        return {row["Name"]: row for row in csv.DictReader(handle)}


def _number(text):
    try:
        return float(text)
    except (TypeError, ValueError):  # "N/A": no request of that name in the run
        return 0.0


def _figures(row):
    count = int(row["Request Count"])
    return {
        "rps": _number(row["Requests/s"]),
        "p50": _number(row["50%"]),
        "p95": _number(row["95%"]),
        "failures": int(row["Failure Count"]),
        "count": count,
    }


# wrk reports what locust cannot at this rate without taking a core of its own: the requests, the
# errors and the latency percentiles, written by this script when the run is done.
WRK_REPORT = """
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("REPORT %d %d %d %d %d %d\\n", summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout, latency:percentile(50), latency:percentile(95)))
end
"""


def _cookie_header(stack, role):
    """The Cookie header of the first account of a role, logged in by locust (see main)."""
    if not role:
        return None
    sessions = json.loads((stack.workdir / "sessions.json").read_text())
    cookies = sessions[stack.accounts[role][0]["email"]]
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _check_page(url, cookie):
    """The page answers 200 to this session: a redirect to the login page would be measured as a page."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310 - loopback
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def one_page(stack, url, name, role, page_url, users, seconds, tag):
    """`users` connections requesting the page without pause for `seconds`, with wrk."""
    cookie = _cookie_header(stack, role)
    status = _check_page(url + page_url, cookie)
    if status != 200:
        raise SystemExit(f"{name} ({page_url}) answered {status}, not 200: nothing to measure")
    script = stack.workdir / "wrk-report.lua"
    script.write_text(WRK_REPORT)
    command = ["wrk", "-t", "2", "-c", str(users), "-d", f"{seconds}s", "-s", str(script), url + page_url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    (stack.workdir / f"wrk-{tag}.txt").write_text(result.stdout + result.stderr)
    line = next((line for line in result.stdout.splitlines() if line.startswith("REPORT ")), None)
    if result.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    requests, duration_us, bad_status, socket_errors, p50_us, p95_us = (int(value) for value in line.split()[1:])
    return {
        "rps": requests / (duration_us / 1e6),
        "p50": p50_us / 1000,
        "p95": p95_us / 1000,
        "failures": bad_status + socket_errors,
        "count": requests,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=8, help="wrk's connections for each page alone (8)")
    parser.add_argument("--seconds", type=int, default=15, help="seconds each page alone is measured (15)")
    parser.add_argument("--mixed-users", type=int, default=200, help="simulated users in the mixed scenario (200)")
    parser.add_argument("--mixed-seconds", type=int, default=60, help="seconds of the mixed scenario (60)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    parser.add_argument("--only", nargs="*", help="measure only the pages whose name contains one of these words")
    parser.add_argument("--no-mixed", action="store_true", help="skip the mixed scenario")
    parser.add_argument("--keep", action="store_true", help="keep the database (its name is printed)")
    parser.add_argument("--database", help="use this already prepared database (from an earlier --keep)")
    parser.add_argument(
        "--static-root", help="collect static files here, or use them as they are when already collected there"
    )
    args = parser.parse_args()

    if shutil.which("wrk") is None:
        raise SystemExit("wrk measures each page alone: apt-get install wrk (Debian's package).")
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres") or not redis_url.startswith("redis"):
        raise SystemExit("DATABASE_URL must name a PostgreSQL server and REDIS_URL a Redis server.")

    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    database = args.database or f"bench_load_{secrets.token_hex(4)}"
    admin = _admin_connection(database_url)
    if not args.database:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{database}"')
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": url.replace("http://", "https://", 1),
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": urlunsplit(urlsplit(database_url)._replace(path=f"/{database}")),
            "REDIS_URL": redis_url,
            "MEDIA_ROOT": str(workdir / "media"),
            "STATIC_ROOT": args.static_root or str(workdir / "static"),
            "SIGNING_CERT_PATH": str(workdir / "signing.p12"),
            "SIGNING_CERT_PASSWORD": secrets.token_urlsafe(12),
            "SIGNING_ALLOW_NO_TIMESTAMP": "1",
            "PYTHONPATH": str(ROOT),
        }
    )
    stack = Stack(workdir, env)
    scenario_path = workdir / "scenario.json"
    kept_scenario = Path(tempfile.gettempdir()) / f"{database}.scenario.json"
    stack.locust_env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ} | {
        "BENCH_ACCOUNTS": str(workdir / "accounts.json"),
        "BENCH_SESSIONS": str(workdir / "sessions.json"),
    }
    started = time.monotonic()
    try:
        import redis

        redis.Redis.from_url(redis_url).flushdb()
        password = f"--password={env['SIGNING_CERT_PASSWORD']}"
        stack.run("manage.py", "make_dev_certificate", "--output", env["SIGNING_CERT_PATH"], password)
        if not args.database:
            stack.run("manage.py", "migrate", "--noinput", "-v0")
            # The demo's accounts have a published password: seed_demo runs only with DEBUG on.
            stack.run("manage.py", "seed_demo", env={**env, "DEBUG": "1"})
            stack.run(__file__, "--accounts", str(max(args.users, 4)), str(scenario_path))
            # A kept database's scenario (accounts and page ids) is kept beside it, for --database.
            kept_scenario.write_text(scenario_path.read_text())
        else:
            scenario_path.write_text(kept_scenario.read_text())
        scenario = json.loads(scenario_path.read_text())
        stack.accounts = scenario["accounts"]
        (workdir / "accounts.json").write_text(json.dumps(scenario["accounts"]))
        if not (Path(env["STATIC_ROOT"]) / "staticfiles.json").exists():
            stack.run("manage.py", "collectstatic", "--noinput", "-v0")
        print(f"Prepared in {time.monotonic() - started:.0f} s (database {database}); {machine()}", flush=True)

        stack.start(
            "gunicorn",
            "-m",
            "gunicorn",
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--access-logfile",
            "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
        )
        if not _wait_for_http(url + "/robots.txt", stack.processes["gunicorn"]):
            raise SystemExit(stack.log_text("gunicorn"))

        selected = pages(scenario["ids"])
        if args.only:
            selected = [page for page in selected if any(word in page[0] for word in args.only)]
        # Warm up: each worker imports its templates and fills its caches.
        for _name, _role, page_url in [BASELINE, *selected]:
            for _ in range(4):
                with contextlib.suppress(urllib.error.HTTPError):
                    urllib.request.urlopen(url + page_url, timeout=30).read()  # noqa: S310

        # Each role's accounts log in once (a password hash and a second factor take a while on a
        # busy machine); the runs that follow reuse their sessions.
        for role in ("applicant", "agency", "expert", "staff"):
            locust(
                stack,
                url,
                ["OnePage"],
                args.users,
                600,
                workdir / f"locust-login-{role}",
                {"BENCH_LOGIN_ONLY": "1", "BENCH_PAGE": "landing", "BENCH_PAGE_ROLE": role, "BENCH_PAGE_URL": "/me/"},
            )

        print(f"\nEach page alone: wrk, {args.users} connections without pause for {args.seconds} s, after the")
        print("baseline (robots.txt, a template without a query) at the same load; gunicorn", end=" ")
        print(f"{args.workers} sync workers.")
        print("Signed-in pages as the role's first account (one session for every connection).\n")
        header = f"{'page':30} {'req/s':>7} {'×base':>6} {'p50 ms':>7} {'p95 ms':>7} {'fail':>5} {'base req/s':>10}"
        print(header)
        print("-" * len(header))
        results = []
        for index, (name, role, page_url) in enumerate(selected):
            base = one_page(stack, url, *BASELINE[:1], "", BASELINE[2], args.users, args.seconds, f"b{index}")
            figures = one_page(stack, url, name, role, page_url, args.users, args.seconds, f"p{index}")
            results.append((name, figures, base))
            print(
                f"{name:30} {figures['rps']:7.0f} {figures['rps'] / base['rps']:6.2f} {figures['p50']:7.0f} "
                f"{figures['p95']:7.0f} {figures['failures']:5d} {base['rps']:10.0f}",
                flush=True,
            )

        if not args.no_mixed:
            rows = locust(
                stack,
                url,
                ["Visitor", "Applicant", "AgencyUser", "Expert", "CenterStaff"],
                args.mixed_users,
                args.mixed_seconds,
                workdir / "locust-mixed",
            )
            total = _figures(rows["Aggregated"])
            print(
                f"\nMixed scenario, all roles ({args.mixed_users} users, pauses of 0.5–2 s, {args.mixed_seconds} s): "
                f"{total['rps']:.0f} requests/s, p50 {total['p50']:.0f} ms, p95 {total['p95']:.0f} ms, "
                f"{total['failures']} failures of {total['count']}"
            )
            print(f"\n{'request':40} {'count':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'fail':>5}")
            for name, row in sorted(rows.items()):
                if name == "Aggregated":
                    continue
                figures = _figures(row)
                print(
                    f"{name[:40]:40} {figures['count']:6d} {figures['rps']:7.1f} {figures['p50']:7.0f} "
                    f"{figures['p95']:7.0f} {figures['failures']:5d}"
                )
        print(f"\n{machine()}")
        errors = stack.log_text("gunicorn").count("Internal Server Error")
        if errors:
            print(f"gunicorn logged {errors} server errors: see {workdir / 'gunicorn.log'}")
    finally:
        stack.stop()
        if args.keep or args.database:
            print(f"Database kept: {database} (again: --database {database})")
        else:
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--accounts":
        sys.path.insert(0, str(ROOT))
        _accounts(int(sys.argv[2]), sys.argv[3])
    else:
        main()
