"""Content Security Policy: every HTML page forbids inline scripts, and no template needs them."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from applications.selectors import applicant_of
from tests.cases.factories import make_case
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db
TEMPLATES = Path(settings.BASE_DIR) / "templates"


def policy(response):
    """The response's policy as {directive: [sources]}."""
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{response.request['PATH_INFO']} has no Content-Security-Policy header"
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_strict(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    directives = policy(response)
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]


def test_public_pages_carry_the_policy(client):
    assert_strict(client.get(reverse("portal:home")))
    assert_strict(client.get(reverse("login")))


def test_the_applicant_form_carries_the_policy(client, applicant):
    draft = ApplicationFactory(applicant=applicant_of(applicant), created_by=applicant)
    client.force_login(applicant)
    assert_strict(client.get(reverse("applications:edit", args=[draft.pk])))


def test_admin_index_and_case_page_carry_the_policy(client, staff):
    case = make_case(staff)
    client.force_login(staff)
    assert_strict(client.get(reverse("admin:index")))
    assert_strict(client.get(reverse("admin:cases_case_change", args=[case.pk])))


SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
HANDLER = re.compile(r"""<[a-z][^>]*?\son[a-z]+\s*=""", re.IGNORECASE | re.DOTALL)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def inline_script_problems(text):
    problems = []
    for match in SCRIPT_TAG.finditer(text):
        attributes = match.group(1)
        if re.search(r"\bsrc\s*=", attributes, re.IGNORECASE):
            continue
        if re.search(r"""\btype\s*=\s*["']application/json["']""", attributes, re.IGNORECASE):
            continue
        problems.append(f"inline script {match.group(0)}")
    problems += [f"event handler {m.group(0)[-60:]}" for m in HANDLER.finditer(text)]
    problems += [f"javascript: URL {m.group(0)}" for m in JS_URL.finditer(text)]
    return problems


def test_the_scanner_finds_what_the_policy_blocks():
    assert inline_script_problems("<script>alert(1)</script>")
    assert inline_script_problems('<select name="x" onchange="this.form.submit()">')
    assert inline_script_problems('<a href="javascript:void(0)">')
    assert not inline_script_problems('<script src="/static/js/a.js"></script>')
    assert not inline_script_problems('<script type="application/json" id="d">{}</script>')
    assert not inline_script_problems('<select name="x" data-submit-on-change>')


def test_no_template_has_inline_scripts_or_event_handlers():
    found = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        problems = inline_script_problems(path.read_text(encoding="utf-8"))
        if problems:
            found[str(path.relative_to(TEMPLATES))] = problems
    assert not found, f"inline JavaScript is blocked by the Content Security Policy: {found}"
