"""Steps shared by browser tests."""

from tests.factories import PASSWORD


def login(page, live_server, user, password=PASSWORD):
    """Log in through the real login form; returns the page after the redirect."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("电子邮箱").fill(user.email)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")
    return page


def logout(page, live_server):
    page.goto(f"{live_server.url}/")
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state("networkidle")
