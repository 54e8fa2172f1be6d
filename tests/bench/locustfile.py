"""Load-test scenario: each role logs in and walks its main pages, in realistic proportions.

    .venv/bin/locust -f tests/bench/locustfile.py --host http://127.0.0.1:8000 --headless -u 20 -r 20 -t 60s

Against the demo data (`manage.py seed_demo`): the accounts are the demo's, with the demo password and
the demo authenticator key. tests/bench/bench_load.py runs it against a production-mode gunicorn and
hands it accounts of its own in a JSON file (BENCH_ACCOUNTS, see there), one pool per role.

Visitors (no account) are most of the traffic; applicants, partner agencies, experts and the center's
staff each walk their own pages. A logged-in account's session is shared by the simulated users that
draw the same account, and kept in BENCH_SESSIONS (a JSON file) between runs: an authenticator code
is accepted once per 30-second step, so an account logs in once, not once per run.

BENCH_LOGIN_ONLY=1 ends the run as soon as every user has logged in.
BENCH_PAGE=<name> (with BENCH_PAGE_ROLE and BENCH_PAGE_URL) turns the scenario into one page requested
without pause by every user of class OnePage, for the requests/s of that page alone.

Statistics are reset when every simulated user has logged in, so that figures count page requests only.
"""

import hashlib
import hmac
import itertools
import json
import os
import random
import re
import struct
import threading
import time
from binascii import unhexlify
from http.cookiejar import Cookie, DefaultCookiePolicy

import gevent
from gevent.event import Event
from gevent.lock import Semaphore
from locust import between, constant, events, task
from locust.contrib.fasthttp import FastHttpUser

DEMO_PASSWORD = "demo-pass-2026"
# The demo authenticator key (portal/twofactor/demo.py, published in the README), as hex.
DEMO_TOTP_KEY_HEX = "1918e9ba6f513057446463a922464e6af1adf3be"
DEMO_ACCOUNTS = {
    "applicant": [{"email": "applicant@demo.cn", "password": DEMO_PASSWORD}],
    "agency": [{"email": "agency@demo.cn", "password": DEMO_PASSWORD, "totp_key": DEMO_TOTP_KEY_HEX}],
    "expert": [{"email": "expert@demo.cn", "password": DEMO_PASSWORD}],
    "staff": [{"email": "staff@demo.cn", "password": DEMO_PASSWORD, "totp_key": DEMO_TOTP_KEY_HEX}],
}


def _load_accounts():
    path = os.environ.get("BENCH_ACCOUNTS")
    if not path:
        return DEMO_ACCOUNTS
    with open(path) as handle:
        return json.load(handle)


ACCOUNTS = _load_accounts()
_next_account = {role: itertools.cycle(pool) for role, pool in ACCOUNTS.items()}


def totp(key_hex, step, digits=6):
    """RFC 6238 code of a key (hex, as django-otp keeps it) for one 30-second step (HMAC-SHA1)."""
    digest = hmac.new(unhexlify(key_hex), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


class LoopbackCookies(DefaultCookiePolicy):
    """Production cookies are Secure; over plain http to loopback (as browsers treat 127.0.0.1 as a
    secure context) they are sent all the same."""

    def return_ok_secure(self, cookie, request):
        return True


class Sessions:
    """Logged-in cookies per account, shared by the users of the run and kept between runs."""

    def __init__(self):
        self.path = os.environ.get("BENCH_SESSIONS")
        self.cookies = {}
        self.locks = {}
        self.file_lock = threading.Lock()
        if self.path and os.path.exists(self.path):
            with open(self.path) as handle:
                self.cookies = json.load(handle)

    def lock(self, email):
        return self.locks.setdefault(email, Semaphore())

    def store(self, email, cookies):
        self.cookies[email] = cookies
        if self.path:
            with self.file_lock, open(self.path, "w") as handle:
                json.dump(self.cookies, handle)

    def forget(self, email):
        self.cookies.pop(email, None)


SESSIONS = Sessions()
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Ready:
    """Every user logs in first; the statistics restart once all have, and only then do the page
    requests begin."""

    started = 0
    event = Event()

    @classmethod
    def arrived(cls, environment):
        cls.started += 1
        target = getattr(environment.runner, "target_user_count", None) or 0
        if cls.started >= target and not cls.event.is_set():
            environment.stats.reset_all()
            cls.event.set()
            if os.environ.get("BENCH_LOGIN_ONLY"):
                # Only logging the accounts in (their sessions kept for the runs that follow).
                gevent.spawn_later(0.1, environment.runner.quit)
        cls.event.wait(timeout=120)


@events.test_start.add_listener
def _reset_ready(environment, **kwargs):
    Ready.started = 0
    Ready.event.clear()


class PortalUser(FastHttpUser):
    abstract = True
    role = None
    # Hard to keep realistic pauses and measure throughput at once: the bench (OnePage) has none;
    # the mixed scenario has short ones, as people clicking through their pages.
    wait_time = between(0.5, 2)

    def on_start(self):
        self.client.cookiejar.set_policy(LoopbackCookies())
        if self.role:
            self.account = next(_next_account[self.role])
            self.log_in()
        self.discover()
        Ready.arrived(self.environment)

    # --- logging in -----------------------------------------------------------------------
    def _jar_cookies(self):
        return {cookie.name: cookie.value for cookie in self.client.cookiejar}

    def _set_cookies(self, cookies):
        for name, value in cookies.items():
            self.client.cookiejar.set_cookie(
                Cookie(0, name, value, None, False, "", False, False, "/", True, False, None, False, None, None, {})
            )

    def _form_token(self, html):
        match = _CSRF.search(html)
        return match.group(1) if match else ""

    def log_in(self):
        email = self.account["email"]
        with SESSIONS.lock(email):
            cookies = SESSIONS.cookies.get(email)
            if cookies:
                self._set_cookies(cookies)
                response = self.client.get("/me/", name="login: session check", allow_redirects=False)
                if response.status_code == 302 and "/accounts/" not in response.headers.get("Location", ""):
                    return
                self.client.cookiejar.clear()
                SESSIONS.forget(email)
            self._log_in_with_password()
            SESSIONS.store(email, self._jar_cookies())

    def _log_in_with_password(self):
        page = self.client.get("/accounts/login/", name="login: form")
        response = self.client.post(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": self._form_token(page.text),
                "username": self.account["email"],
                "password": self.account["password"],
            },
            name="login: password",
        )
        key = self.account.get("totp_key")
        for _attempt in range(4):
            if "/accounts/two-factor/verify/" not in (response.url or ""):
                break
            if not key:
                raise RuntimeError(f"{self.account['email']} needs a second factor and the scenario has no key")
            # A step is accepted once per device: another account's run may just have used this one.
            step = int(time.time()) // 30 + _attempt
            if _attempt:
                time.sleep(max(0.0, step * 30 - time.time()) + 0.5)
            response = self.client.post(
                response.url,
                data={"csrfmiddlewaretoken": self._form_token(response.text), "code": totp(key, step)},
                name="login: second factor",
            )
        if "/accounts/login/" in (response.url or "") or "/two-factor/" in (response.url or ""):
            raise RuntimeError(f"could not log in as {self.account['email']}: ended at {response.url}")

    # --- the pages -----------------------------------------------------------------------
    def discover(self):
        """Find the ids of this role's detail pages from its list pages, as a person clicks through."""

    def get(self, url, name=None):
        with self.client.get(url, name=name or url, catch_response=True, allow_redirects=False) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} at {url}")


def _links(html, pattern):
    return sorted(set(re.findall(pattern, html)))


class Visitor(PortalUser):
    """An anonymous visitor: the home page, the knowledge platform, the directory, the verification page."""

    weight = 70
    details = {}

    def discover(self):
        if not Visitor.details:
            for section, pattern in [
                ("laws", r'href="(/knowledge/laws/\d+/)"'),
                ("cases", r'href="(/knowledge/cases/\d+/)"'),
                ("warnings", r'href="(/knowledge/warnings/\d+/)"'),
                ("institutions", r'href="(/knowledge/institutions/\d+/)"'),
            ]:
                html = self.client.get(f"/knowledge/{section}/", name="discover").text
                Visitor.details[section] = _links(html, pattern) or [f"/knowledge/{section}/"]

    @task(10)
    def home(self):
        self.get("/")

    @task(4)
    def knowledge_index(self):
        self.get("/knowledge/")

    @task(4)
    def laws(self):
        self.get("/knowledge/laws/")

    @task(6)
    def law(self):
        self.get(random.choice(Visitor.details["laws"]), name="/knowledge/laws/<id>/")

    @task(3)
    def cases(self):
        self.get("/knowledge/cases/")

    @task(4)
    def case(self):
        self.get(random.choice(Visitor.details["cases"]), name="/knowledge/cases/<id>/")

    @task(3)
    def warnings(self):
        self.get("/knowledge/warnings/")

    @task(3)
    def warning(self):
        self.get(random.choice(Visitor.details["warnings"]), name="/knowledge/warnings/<id>/")

    @task(2)
    def institutions(self):
        self.get("/knowledge/institutions/")

    @task(2)
    def institution(self):
        self.get(random.choice(Visitor.details["institutions"]), name="/knowledge/institutions/<id>/")

    @task(2)
    def service_points(self):
        self.get("/knowledge/service-points/")

    @task(2)
    def verify(self):
        self.get("/documents/verify/")


class Applicant(PortalUser):
    """An applicant: the list of the organisation's applications and a case's page."""

    role = "applicant"
    weight = 12

    def discover(self):
        html = self.client.get("/applications/", name="discover").text
        self.cases = _links(html, r'href="(/applications/\d+/)"') or ["/applications/"]

    @task(2)
    def mine(self):
        self.get("/applications/")

    @task(5)
    def case(self):
        self.get(random.choice(self.cases), name="/applications/<id>/")

    @task(1)
    def notifications(self):
        self.get("/notifications/")


class AgencyUser(PortalUser):
    """A partner agency's contact: the workspace (letters received) and a letter."""

    role = "agency"
    weight = 6

    def discover(self):
        html = self.client.get("/cases/agency/", name="discover").text
        self.letters = _links(html, r'href="(/cases/agency/letters/\d+/)"') or ["/cases/agency/"]

    @task(3)
    def workspace(self):
        self.get("/cases/agency/")

    @task(3)
    def letter(self):
        self.get(random.choice(self.letters), name="/cases/agency/letters/<id>/")

    @task(1)
    def submissions(self):
        self.get("/knowledge/submissions/")


class Expert(PortalUser):
    """An expert: the workspace (invitations, assigned cases) and an assignment."""

    role = "expert"
    weight = 4

    def discover(self):
        html = self.client.get("/experts/", name="discover").text
        self.assignments = _links(html, r'href="(/experts/assignments/\d+/)"') or ["/experts/"]

    @task(3)
    def workspace(self):
        self.get("/experts/")

    @task(2)
    def assignment(self):
        self.get(random.choice(self.assignments), name="/experts/assignments/<id>/")


class CenterStaff(PortalUser):
    """The center's staff in the admin: the dashboard, the case list and a case."""

    role = "staff"
    weight = 8

    def discover(self):
        html = self.client.get("/admin/cases/case/", name="discover").text
        self.cases = _links(html, r'href="(/admin/cases/case/\d+/change/)"') or ["/admin/cases/case/"]

    @task(2)
    def dashboard(self):
        self.get("/admin/")

    @task(4)
    def case_list(self):
        self.get("/admin/cases/case/")

    @task(3)
    def case(self):
        self.get(random.choice(self.cases), name="/admin/cases/case/<id>/change/")


class OnePage(PortalUser):
    """One page (BENCH_PAGE_URL) requested without pause, as BENCH_PAGE_ROLE (empty: anonymous)."""

    abstract = not os.environ.get("BENCH_PAGE_URL")
    role = os.environ.get("BENCH_PAGE_ROLE") or None
    wait_time = constant(0)
    url = os.environ.get("BENCH_PAGE_URL", "/robots.txt")
    name = os.environ.get("BENCH_PAGE", url)

    @task
    def page(self):
        self.get(self.url, name=self.name)
