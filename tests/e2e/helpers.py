"""Steps shared by browser tests.

A step that submits a form waits for the page the answer loads (expect_navigation), not for the
network to stay quiet half a second ("networkidle"), which every login, code and logout paid."""

from tests.factories import PASSWORD
from tests.twofactor import authenticator_for, must_verify, next_code

CODE_STEP = "/accounts/two-factor/verify/"


def login(page, live_server, user, password=PASSWORD):
    """Log in through the real login form; returns the page after the redirect. A user who must use
    a second factor has an authenticator (created if missing), and its current code is entered on
    the code step that follows the password."""
    device = authenticator_for(user) if must_verify(user) else None
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("电子邮箱").fill(user.email)
    page.get_by_label("密码").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    if device is not None and CODE_STEP in page.url:
        enter_code(page, next_code(device))
    return page


def enter_code(page, code):
    page.get_by_label("验证码").fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name="验证", exact=True).click()
    return page


def logout(page, live_server):
    page.goto(f"{live_server.url}/")
    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()
