"""The client address behind a reverse proxy, and login throttling per account and per address."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from portal.throttling import client_address
from tests.factories import PASSWORD, UserFactory

LOCKED = "登录已暂时锁定"


def _request(remote="10.0.0.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(_request("198.51.100.7", forwarded="203.0.113.5")) == "198.51.100.7"


def test_behind_one_proxy_the_client_is_the_address_the_proxy_appended(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client wrote "1.2.3.4" itself; the proxy appended the address it really came from.
    assert client_address(_request("10.0.0.1", forwarded="1.2.3.4, 203.0.113.5")) == "203.0.113.5"


def test_behind_two_proxies_the_client_is_second_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(_request("10.0.0.2", forwarded="1.2.3.4, 203.0.113.5, 10.0.0.1")) == "203.0.113.5"


@pytest.mark.parametrize("forwarded", [None, "", "not-an-address"])
def test_a_missing_or_malformed_forwarded_header_falls_back_to_the_connection(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(_request("10.0.0.1", forwarded=forwarded)) == "10.0.0.1"


def test_ipv6_clients_are_recognised(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(_request("10.0.0.1", forwarded="2001:db8::1")) == "2001:db8::1"


def _fail(client, email, **extra):
    return client.post(reverse("login"), {"username": email, "password": "wrong-password"}, **extra)


def _log_in(client, user, **extra):
    return client.post(reverse("login"), {"username": user.email, "password": PASSWORD}, **extra)


@pytest.fixture
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    return settings


@pytest.mark.django_db
def test_guesses_spread_over_many_accounts_lock_the_address(client, applicant, limits):
    for n in range(4):
        for _ in range(2):  # 2 guesses per account: far below the per-account limit
            _fail(client, f"victim{n}@example.cn")
    response = _log_in(client, applicant)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()


@pytest.mark.django_db
def test_a_few_mistakes_from_a_shared_address_do_not_lock_it(client, applicant, limits):
    for n in range(7):
        _fail(client, f"colleague{n}@example.cn")
    response = _log_in(client, applicant)
    assert response.status_code == 302  # signed in


@pytest.mark.django_db
def test_logging_in_to_ones_own_account_does_not_clear_the_address_count(client, applicant, limits):
    own = UserFactory(email="own@example.cn")
    for n in range(7):
        _fail(client, f"victim{n}@example.cn")
    assert _log_in(client, own).status_code == 302
    client.logout()
    _fail(client, "victim9@example.cn")
    assert _log_in(client, applicant).status_code == 429


@pytest.mark.django_db
def test_the_per_account_limit_still_holds(client, applicant, limits):
    for _ in range(5):
        _fail(client, applicant.email)
    assert _log_in(client, applicant).status_code == 429


@pytest.mark.django_db
def test_behind_a_proxy_each_client_is_counted_apart(client, applicant, limits):
    limits.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for n in range(8):
        _fail(client, f"victim{n}@example.cn", HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
    assert _log_in(client, applicant, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy).status_code == 429
    # Another client behind the same proxy is not locked out.
    assert _log_in(client, applicant, HTTP_X_FORWARDED_FOR="198.51.100.20", **proxy).status_code == 302


@pytest.mark.django_db
def test_without_a_trusted_proxy_a_forged_header_does_not_escape_the_lock(client, applicant, limits):
    limits.TRUSTED_PROXY_COUNT = 0
    for n in range(8):
        _fail(client, f"victim{n}@example.cn", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert _log_in(client, applicant, HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429
