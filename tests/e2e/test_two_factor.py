"""Browser: a staff member enrols an authenticator from the QR page and logs in with it and with a
recovery code; a director whose second factor is older than the signing window is asked for a fresh
code before signing, and the agency then finds the signed letter in its inbox."""

import base64
import datetime
import time

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django_otp.oath import totp
from playwright.sync_api import expect

from cases import services
from cases.models import AssistanceLetter
from documents.certificates import make_development_pkcs12
from portal.twofactor.core import SESSION_VERIFIED_AT
from tests.cases.factories import draft_letter, in_progress_case
from tests.e2e.a11y import assert_accessible
from tests.e2e.helpers import enter_code, login, logout
from tests.factories import PASSWORD
from tests.twofactor import authenticator_for, next_code

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def signing_certificate(settings, tmp_path):
    blob, _ca = make_development_pkcs12(
        "e2e-pass", not_before=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    )
    path = tmp_path / "center.p12"
    path.write_bytes(blob)
    settings.SIGNING_CERT_PATH = str(path)
    settings.SIGNING_CERT_PASSWORD = "e2e-pass"


def _password(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("电子邮箱").fill(user.email)
    page.get_by_label("密码").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


def test_enrolment_with_the_qr_page_then_login_with_the_app_and_with_a_recovery_code(page, live_server, staff):
    _password(page, live_server, staff)
    expect(page.get_by_role("heading", name="绑定身份验证器")).to_be_visible()
    expect(page.get_by_role("img", name="绑定身份验证器的二维码")).to_be_visible()
    assert page.url.startswith(f"{live_server.url}/accounts/two-factor/setup/")
    assert_accessible(page)

    # The admin stays closed until enrolment is done.
    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", name="绑定身份验证器")).to_be_visible()

    # Type the shown key into "the app": here, compute its code.
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret)
    page.get_by_label("验证码").fill("123456" if totp(key) != 123456 else "654321")
    page.get_by_role("button", name="完成绑定").click()
    expect(page.get_by_text("验证码不正确")).to_be_visible()
    time.sleep(1.1)  # one wrong code: the next try waits a second
    page.get_by_label("验证码").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="完成绑定").click()

    expect(page.get_by_role("heading", name="恢复码")).to_be_visible()
    codes = page.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page)
    expect(page.get_by_role("link", name="下载恢复码（文本文件）")).to_be_visible()
    expect(page.get_by_role("button", name="打印")).to_be_visible()
    page.get_by_role("button", name="我已保存恢复码，继续").click()
    assert page.url == f"{live_server.url}/admin/"
    expect(page.locator("#user-tools")).to_be_visible()
    page.goto(f"{live_server.url}/")
    logout(page, live_server)

    # Next login: password, then the app's code.
    _password(page, live_server, staff)
    expect(page.get_by_role("heading", name="两步验证")).to_be_visible()
    assert_accessible(page)
    enter_code(page, next_code(authenticator_for(staff)))
    assert page.url == f"{live_server.url}/admin/"
    page.goto(f"{live_server.url}/")
    logout(page, live_server)

    # Without the phone: a recovery code, once.
    _password(page, live_server, staff)
    enter_code(page, codes[0])
    assert page.url == f"{live_server.url}/admin/"
    page.goto(f"{live_server.url}/accounts/two-factor/")
    expect(page.get_by_test_id("codes-left")).to_have_text("9")
    assert_accessible(page)
    logout(page, live_server)
    _password(page, live_server, staff)
    enter_code(page, codes[0])
    expect(page.get_by_text("恢复码不正确或已经用过")).to_be_visible()


def test_a_director_signing_after_the_window_gives_a_fresh_code_and_the_agency_sees_the_letter(
    page, live_server, staff, director, agency, agency_user, signing_certificate, settings
):
    settings.SIGNING_FRESH_FACTOR_MINUTES = 5
    letter = draft_letter(in_progress_case(staff), staff, [agency], subject="商请查询境外诉讼记录")
    letter = services.letter_submit(letter=letter, by=staff)

    login(page, live_server, director)
    # Ten minutes later, as far as the session knows.
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies(live_server.url)}
    session = SessionStore(session_key=cookies["sessionid"])
    session[SESSION_VERIFIED_AT] = time.time() - 10 * 60
    session.save()

    page.goto(f"{live_server.url}/admin/cases/assistanceletter/{letter.pk}/change/")
    page.get_by_role("button", name="签发", exact=True).click()
    expect(page.get_by_role("heading", name="再次验证身份")).to_be_visible()
    expect(page.get_by_text("5 分钟内")).to_be_visible()
    assert_accessible(page)
    letter.refresh_from_db()
    assert letter.status == AssistanceLetter.Status.AWAITING_SIGNATURE

    page.get_by_label("验证码").fill(next_code(authenticator_for(director)))
    page.get_by_role("button", name="验证并继续").click()
    expect(page.get_by_test_id("letter-status")).to_have_text("已签发")
    letter.refresh_from_db()
    assert letter.status == AssistanceLetter.Status.SIGNED and letter.number
    logout(page, live_server)

    login(page, live_server, agency_user)
    expect(page.get_by_role("heading", name="协助办理函", level=1)).to_be_visible()
    expect(page.get_by_role("link", name=letter.number)).to_be_visible()
    page.get_by_role("link", name=letter.number).click()
    expect(page.get_by_text("商请查询境外诉讼记录").first).to_be_visible()
