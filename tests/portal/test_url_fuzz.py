"""Bad input gets a clear answer, never a 500.

The URL patterns are read from the URL conf itself (the admin's included), so a new URL is covered
without editing this file:

- every path parameter of every pattern gets malformed values (letters, negative, zero, a number
  too large for any id, a NUL byte, a lone hyphen, spaces, a decimal, a very long string), with GET
  and with a POST of junk form data, anonymously and by the roles that get past the door;
- every admin change list gets junk in each of its list filters' query parameters, in its date
  hierarchy and in the common parameters (page, ordering, search …);
- from each role's own start pages, links are followed two levels deep; each page reached gets junk
  in the query parameters its view reads and junk in every field of every form it shows (once per
  submit button, so that each branch of the view runs).

Any answer of 500 fails; the message lists every failing request with the exception and the line of
the project's code it came through. The world is the demo data: its users hold every role and own the
applications, cases, letters, meetings, seminars and documents, so the requests reach past the access
checks. Integer overflow only shows on PostgreSQL; the README's test command runs this file there.

To stay quick, the work is shared out: a value the URL conf already refuses is asked once; the
center's three roles take turns on the admin, one request each.
"""

import inspect
import re
import traceback
from html.parser import HTMLParser
from itertools import cycle
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404

from portal.models import User
from tests.demo_data import demo_data, demo_data_once  # noqa: F401 (fixtures: the demo data, seeded once)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_data")]

# Path segments, percent-encoded as a browser sends them.
MALFORMED_SEGMENTS = ["abc", "-1", "0", "99999999999999999999", "%00", "-", "%20-%20", "1.5", "x" * 300]
# Values for query parameters and form fields.
JUNK_VALUES = ["abc", "99999999999999999999", "-1", "99999-01-01", "0000-00-00", "\x00", " ", "x" * 300]
# Keys that views commonly read from a form; posted with junk to every URL.
COMMON_FORM_KEYS = ["revision", "seen_revision", "action", "decision", "ids", "next", "pk", "id", "invitee", "page"]
ADMIN_QUERY_KEYS = ["p", "o", "e", "_to_field", "_popup", "_changelist_filters", "all", "_facets"]
ODD_SEARCHES = ["%", "_", "\\", "' OR 1=1 --", "\x00", "ä" * 500]

ROLE_EMAILS = {
    "anonymous": None,
    "applicant": "applicant@demo.cn",
    "staff": "staff@demo.cn",
    "director": "director@demo.cn",
    "deputy": "deputy@demo.cn",
    "agency": "agency@demo.cn",
    "expert": "expert@demo.cn",
}
ROLES = list(ROLE_EMAILS)
CENTER_ROLES = ["staff", "director", "deputy"]
ADMIN_SAVE_VARIANTS = {"_addanother", "_continue", "_saveasnew", "_export-item"}
NOT_FOLLOWED = ("logout", "/download/", ".ics", "/delete/", "answer-files", "/files/", "-files/", "-materials/")


# --------------------------------------------------------------------------- the URL conf


def _regex_to_template(regex):
    """A regex route as a template with {name} for each named group (nested groups included)."""
    out, i = [], 0
    regex = regex.removeprefix("^").removesuffix("$").removesuffix("\\Z")
    while i < len(regex):
        if regex.startswith("(?P<", i):
            name_end = regex.index(">", i)
            depth, j = 1, name_end + 1
            while depth:
                if regex[j] == "\\":
                    j += 2
                    continue
                depth += {"(": 1, ")": -1}.get(regex[j], 0)
                j += 1
            out.append("{" + regex[i + 4 : name_end] + "}")
            i = j
        elif regex[i] == "\\":
            out.append(regex[i + 1])
            i += 2
        else:
            out.append(regex[i])
            i += 1
    return "".join(out)


def _route_template(pattern):
    route = getattr(pattern, "_route", None)
    if route is not None:
        return re.sub(r"<(?:[^>:]+:)?([^>]+)>", r"{\1}", str(route))
    regex = getattr(pattern, "_regex", None)
    if regex is not None:
        return _regex_to_template(regex)
    return ""  # a language prefix: the default language has none


def url_patterns(patterns=None, prefix="/"):
    """(template, URLPattern) for every endpoint of the URL conf, recursively."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        template = prefix + _route_template(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry.url_patterns, template)
        elif isinstance(entry, URLPattern):
            yield template, entry


def _params(template):
    return re.findall(r"{(\w+)}", template)


def _fill(template, values):
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


def _resolves_to(path, pattern):
    try:
        return resolve(urlsplit(path).path).func is pattern.callback
    except (Resolver404, ValueError):
        return False


def _admin_model(pattern):
    """The model behind an admin URL name such as cases_case_transition."""
    for model in admin.site._registry:
        if (pattern.name or "").startswith(f"{model._meta.app_label}_{model._meta.model_name}_"):
            return model
    return None


def _first_pk(model):
    pk = model._default_manager.order_by("pk").values_list("pk", flat=True).first() if model else None
    return None if pk is None else str(pk)


def _view_reads(func):
    """Names of the query and form parameters that a view's source reads."""
    while hasattr(func, "__wrapped__"):
        func = func.__wrapped__
    try:
        source = inspect.getsource(func)
    except (OSError, TypeError):
        return set()
    return set(re.findall(r"request\.(?:GET|POST)(?:\.get\(|\.getlist\(|\[)\s*[\"'](\w+)[\"']", source))


class _Page(HTMLParser):
    """A page's links, and each form's action, method and fields (submit buttons apart)."""

    def __init__(self, html):
        super().__init__()
        self.links, self.forms = [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            self.forms.append({"action": attrs.get("action") or "", "method": attrs.get("method") or "get"})
            self.forms[-1].update(fields={}, buttons=[])
        elif tag in {"input", "select", "textarea", "button"} and self.forms and attrs.get("name"):
            form = self.forms[-1]
            if tag == "button" or attrs.get("type") == "submit":
                form["buttons"].append((attrs["name"], attrs.get("value") or ""))
            elif attrs.get("type") != "file":
                form["fields"][attrs["name"]] = attrs.get("value") or ""


# --------------------------------------------------------------------------- requests


def _where(response):
    """The exception and the innermost line of the project's own code that it passed through."""
    exc = getattr(response, "exc_info", None)
    if not exc:
        return ""
    frames = traceback.extract_tb(exc[2])
    frame = ([f for f in frames if "site-packages" not in f.filename] or frames)[-1]
    return f" — {exc[0].__name__}: {str(exc[1])[:120]} at {Path(frame.filename).name}:{frame.lineno}"


class Fuzzer:
    def __init__(self):
        self.clients, self.failures, self.requests = {}, [], 0
        for role, email in ROLE_EMAILS.items():
            self.clients[role] = Client(raise_request_exception=False)
            if email:
                self.clients[role].force_login(User.objects.get(email=email))
        self.center_turn = cycle(CENTER_ROLES)

    def center_role(self):
        return next(self.center_turn)

    def request(self, role, method, path, data=None):
        self.requests += 1
        client = self.clients[role]
        response = client.get(path, data or {}) if method == "GET" else client.post(path, data or {})
        if response.status_code >= 500:
            query = f"?{urlencode(data, doseq=True)[:160]}" if data and method == "GET" else ""
            body = f" data={str(data)[:160]}" if data and method == "POST" else ""
            where = _where(response)
            self.failures.append(f"{response.status_code} {method} {path[:120]}{query} as {role}{body}{where}")
        return response

    def assert_no_failures(self):
        failures = sorted(set(self.failures))
        assert not failures, f"{len(failures)} of {self.requests} requests answered 500:\n" + "\n".join(failures)


@pytest.fixture
def fuzzer():
    return Fuzzer()


# --------------------------------------------------------------------------- the tests


def test_the_walk_covers_the_whole_url_conf():
    walked = {(template, pattern.name) for template, pattern in url_patterns()}
    for expected in [
        ("/admin/documents/document/{object_id}/change/", "documents_document_change"),
        ("/admin/cases/case/{pk}/transition/", "cases_case_transition"),
        ("/admin/{app_label}/", "app_list"),
        ("/documents/verify/{code}/", "verify_code"),
        ("/applications/{pk}/evidence/{attachment_pk}/download/", "attachment_download"),
        ("/experts/seminar-materials/{pk}/", "seminar_material"),
    ]:
        assert expected in walked
    assert len(walked) > 250


def test_malformed_path_values_never_give_500(fuzzer):
    """Each path parameter of each pattern with each malformed value, the other parameters naming a
    real row where the admin tells which model it is. A value the URL conf refuses is asked once
    (anonymously: the answer is the same 404 for all). One that reaches a front-end view is asked with
    GET by every role and with a junk POST by one of them in turn. In the admin, where anonymous
    visitors are sent to the login page whatever the value, the center's roles take turns, with GET
    and a junk POST alternately."""
    junk_form = dict.fromkeys(COMMON_FORM_KEYS, "abc")
    methods, front_roles = cycle(["GET", "POST"]), cycle(ROLES)
    for template, pattern in url_patterns():
        params = _params(template)
        in_admin = template.startswith("/admin/")
        real = _first_pk(_admin_model(pattern)) if in_admin else None
        if in_admin and params:
            fuzzer.request("anonymous", "GET", _fill(template, dict.fromkeys(params, "abc")))
        for name in params:
            for value in MALFORMED_SEGMENTS:
                path = _fill(template, {**dict.fromkeys(params, real or "1"), name: value})
                if not _resolves_to(path, pattern):
                    fuzzer.request("anonymous", "GET", path)
                elif in_admin:
                    fuzzer.request(fuzzer.center_role(), next(methods), path, junk_form)
                else:
                    for role in ROLES:
                        fuzzer.request(role, "GET", path)
                    fuzzer.request(next(front_roles), "POST", path, junk_form)
    fuzzer.assert_no_failures()


def _changelist_parameters(model_admin, user):
    request = RequestFactory().get("/")
    request.user = user
    changelist = model_admin.get_changelist_instance(request)
    names = set()
    for spec in changelist.filter_specs:
        names.update(spec.expected_parameters())
    if model_admin.date_hierarchy:
        names.update(f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day"))
    return sorted(names)


def test_admin_list_filters_and_query_parameters_never_give_500(fuzzer):
    """Each change list: each filter's parameter with letters and with a number too large for any id
    (date parameters also with impossible dates), the date hierarchy with absurd years, months and
    days, the common parameters (page, ordering …) with junk in turn, and searches with odd text."""
    staff = User.objects.get(email=ROLE_EMAILS["staff"])
    rotating, common_keys = cycle(JUNK_VALUES), cycle(ADMIN_QUERY_KEYS)
    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        filters = _changelist_parameters(model_admin, staff)
        for name in filters:
            values = ["abc", "99999999999999999999"]
            if re.search(r"__(gte|lt|lte|gt|year|month|day)$", name):
                values += ["99999-01-01", "0000-00-00", "-1"]
            for value in values:
                fuzzer.request(fuzzer.center_role(), "GET", url, {name: value})
        for _turn in range(3):
            fuzzer.request(fuzzer.center_role(), "GET", url, {next(common_keys): next(rotating)})
        if model_admin.search_fields:
            fuzzer.request(fuzzer.center_role(), "GET", url, {"q": next(rotating)})
    # Every odd search on the lists people search most.
    for name in ["applications_application", "cases_case", "experts_expert", "documents_document"]:
        for query in ODD_SEARCHES:
            fuzzer.request(fuzzer.center_role(), "GET", reverse(f"admin:{name}_changelist"), {"q": query})
    fuzzer.assert_no_failures()


def _crawl(fuzzer, role, done):
    """{route: (path, response)} of the pages a role reaches from its start pages, two links deep;
    one page per route, and an admin route only for the first center role that reaches it (`done`).
    The response is None for a page not fetched (downloads, logout: NOT_FOLLOWED)."""
    start = [template for template, _ in url_patterns() if not _params(template)]
    frontier = [path for path in start if role in CENTER_ROLES or not path.startswith("/admin/")]
    found = {}
    for _depth in range(3):
        next_frontier = []
        for path in frontier:
            try:
                route = resolve(path).route
            except Resolver404:
                continue
            if route in found or (path.startswith("/admin/") and route in done):
                continue
            found[route] = (path, None)
            if path.startswith("/admin/"):
                done.add(route)
            if any(word in path for word in NOT_FOLLOWED):
                continue
            response = fuzzer.request(role, "GET", path)
            found[route] = (path, response)
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                for href in _Page(response.content.decode(errors="replace")).links:
                    parts = urlsplit(href)
                    if not parts.netloc and parts.path.startswith("/") and not parts.path.startswith("/static/"):
                        next_frontier.append(parts.path)
        frontier = next_frontier
    return found


def test_pages_each_role_reaches_answer_junk_query_and_form_data_without_500(fuzzer):
    """On each page a role reaches: junk in the query parameters its view reads; then junk in every
    field of each form on the page, once per submit button: letters, a number too large for any id,
    and on the front end in turn a negative number, an impossible date, a NUL byte, a long string."""
    done = set()
    third = cycle(["-1", "99999-01-01", "\x00", "x" * 300])
    reached = {}
    for role in ROLES:
        found = _crawl(fuzzer, role, done)
        reached[role] = sum(1 for _path, response in found.values() if response and response.status_code == 200)
        for path, response in found.values():
            reads = _view_reads(resolve(path).func)
            for name in reads:
                for value in JUNK_VALUES[:2]:
                    fuzzer.request(role, "GET", path, {name: value})
            # The forms are read from the page as the crawl fetched it.
            if response is None or response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            for form in _Page(response.content.decode(errors="replace")).forms:
                action = urlsplit(form["action"]).path or path
                if form["method"].lower() != "post" or "logout" in action or "/i18n/" in action:
                    continue
                fields = {name for name in [*form["fields"], *reads] if name != "csrfmiddlewaretoken"}
                # The admin's own save buttons differ only in where they go next: one is enough.
                buttons = [b for b in form["buttons"] if b[0] not in ADMIN_SAVE_VARIANTS] or [None]
                junk_values = ["abc", "99999999999999999999"]
                if not action.startswith("/admin/"):
                    junk_values.append(next(third))
                for junk in junk_values:
                    for button in buttons:
                        data = dict.fromkeys(fields, junk)
                        # A huge form count would only make the page render a thousand empty forms.
                        data.update({k: v for k, v in form["fields"].items() if k.endswith("TOTAL_FORMS")})
                        if button:
                            data[button[0]] = button[1]
                        fuzzer.request(role, "POST", action, data)
    # The crawl reached each role's own pages: a role whose login had failed would reach only the
    # public pages, and the test would pass on them alone.
    assert reached["staff"] > 150, reached
    assert all(count > reached["anonymous"] for role, count in reached.items() if role != "anonymous"), reached
    fuzzer.assert_no_failures()


def test_the_reported_cases_get_a_clear_answer(fuzzer):
    """What a visitor sees for the inputs that used to answer 500."""
    from cases.models import Case

    anonymous, staff = fuzzer.clients["anonymous"], fuzzer.clients["staff"]
    assert anonymous.get("/documents/verify/-/").status_code == 404
    assert anonymous.get("/documents/verify/99999999999999999999/").status_code == 404  # no such code
    assert staff.get("/cases/agency/letters/99999999999999999999/").status_code == 404
    assert staff.get("/admin/cases/case/abc/change/").status_code == 404
    for query in ["handler=abc", "agency=99999999999999999999", "opened_at__year=99999999999999999999"]:
        response = staff.get(f"/admin/cases/case/?{query}")
        assert (response.status_code, response["Location"]) == (302, "/admin/cases/case/?e=1")
    case = Case.objects.filter(status__in=["accepted", "in_progress"]).order_by("pk").first() or Case.objects.first()
    response = staff.post(
        f"/admin/cases/case/{case.pk}/transition/", {"to_status": "closed", "seen_revision": "abc"}, follow=True
    )
    assert response.status_code == 200
    assert "该记录已被他人修改" in response.content.decode()


# --------------------------------------------------------------------------- the API
API_QUERY_KEYS = [
    "period",
    "year",
    "quarter",
    "month",
    "start",
    "end",
    "service_point",
    "dimension",
    "type",
    "country",
    "page",
    "page_size",
    "ordering",
    "level",
    "right_type",
    "dispute_type",
    "opponent_type",
    "technical_field",
    "applicant_category",
    "channel",
    "format",
]
API_JUNK_BODIES = [
    b"",
    b"not json",
    b"[]",
    b"null",
    b'{"person_name": null, "question": 5}',
    b'{"countries": "US", "right_types": [[]], "received_at": "99999-01-01"}',
    b'{"person_name": "' + b"x" * 300 + b'", "question": "\\u0000", "credit_code": "99999999999999999999"}',
    b'{"channel": "carrier-pigeon", "email": "@", "person_name": "a", "question": "b"}',
]


def test_the_api_answers_junk_with_a_json_error_never_500(db):
    """Every API URL of the URL conf, with a token that holds every scope: each path parameter with
    each malformed value, junk in every query parameter the API reads, junk JSON bodies to every
    URL. Each answer is below 500; an answer of an API view that refuses is a JSON body."""
    from api.models import Scope
    from tests.api.factories import issue_token
    from tests.factories import UserFactory

    staff = UserFactory(roles=["staff"], is_staff=True)
    key, _token = issue_token(*Scope.values, acts_as=staff, rate=1_000_000)
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {key}")
    failures, requests = [], 0

    def ask(method, path, query=None, body=None):
        nonlocal requests
        requests += 1
        if method == "GET":
            response = client.get(path, query or {})
        else:
            response = client.post(path, body, content_type="application/json")
        api_view = response.status_code >= 400 and response.get("Content-Type", "").startswith("text/html")
        try:
            # The documentation page is HTML by nature; every other API view answers JSON.
            api_view = api_view and resolve(urlsplit(path).path).url_name not in ("docs", None)
            api_view = api_view and resolve(urlsplit(path).path).namespace == "api"
        except Resolver404:
            api_view = False
        if response.status_code >= 500 or api_view:
            failures.append(
                f"{response.status_code} {method} {path[:120]} {query or ''}{body or ''}"[:300] + _where(response)
            )

    templates = [template for template, _pattern in url_patterns() if template.startswith("/api/")]
    assert {"/api/v1/cases/", "/api/v1/consultations/", "/api/v1/documents/verify/{code}/"} <= set(templates)
    for template in templates:
        params = _params(template)
        for value in MALFORMED_SEGMENTS if params else [None]:
            path = _fill(template, dict.fromkeys(params, value)) if params else template
            ask("GET", path)
            for body in API_JUNK_BODIES:
                ask("POST", path, body=body)
        if params:
            continue
        for name in API_QUERY_KEYS:
            for junk in JUNK_VALUES:
                ask("GET", template, {name: junk})
    assert not failures, f"{len(failures)} of {requests} API requests failed:\n" + "\n".join(sorted(set(failures)))
