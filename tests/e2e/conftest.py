"""Browser tests: pytest-playwright driving Debian's Chromium against Django's live server."""

import os

import pytest

from tests.browser import launch_args, watch_csp

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# inside one unless told that this is deliberate. Only the test process sets this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return launch_args(browser_type_launch_args)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture(autouse=True)
def _short_timeouts(page):
    page.set_default_timeout(15000)
    return page


@pytest.fixture(autouse=True)
def _no_csp_violations(context):
    """Every browser test fails if the Content Security Policy blocked anything on its pages."""
    violations = watch_csp(context)
    yield
    assert not violations, f"Content Security Policy violations: {violations}"
