"""The portal's own error pages, as production serves them (DEBUG off): the portal's layout,
Chinese with an English line, the hotline; the 500 page even without the database."""

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory

from portal import errors
from portal.cache import clear_cache
from portal.models import SiteConfiguration

HOTLINE = "0351-12330"


def _assert_error_page(response, status, chinese, english):
    assert response.status_code == status
    page = response.content.decode()
    assert f'data-status="{status}"' in page
    assert chinese in page and english in page
    assert HOTLINE in page
    # The portal's layout: its stylesheet, its navigation bar and the footer with the center's name.
    assert "bootstrap.min.css" in page and "bg-primary-portal" in page
    assert "山西省涉外知识产权指导中心" in page
    assert "Traceback" not in page
    return page


@pytest.fixture(autouse=True)
def _production_mode(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.portal.error_urls"


@pytest.mark.django_db
def test_unknown_address_gets_the_404_page(client):
    _assert_error_page(client.get("/no-such-page/"), 404, "页面不存在", "Page not found")


@pytest.mark.django_db
def test_the_404_page_keeps_the_signed_in_navigation(client, applicant):
    client.force_login(applicant)
    page = _assert_error_page(client.get("/no-such-page/"), 404, "页面不存在", "Page not found")
    assert "我的申请" in page and applicant.full_name in page


@pytest.mark.django_db
def test_the_404_page_in_english_drops_the_added_english_line(client):
    client.cookies["django_language"] = "en"
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="en">' in page
    assert 'class="h5 text-body-secondary" lang="en"' not in page
    assert HOTLINE in page


@pytest.mark.django_db
def test_forbidden_gets_the_403_page(client):
    _assert_error_page(client.get("/test-errors/403/"), 403, "没有访问权限", "Access denied")


@pytest.mark.django_db
def test_malformed_request_gets_the_400_page(client):
    _assert_error_page(client.get("/test-errors/400/"), 400, "请求无法处理", "Bad request")


@pytest.mark.django_db
def test_a_crash_gets_the_500_page(client):
    client.raise_request_exception = False
    _assert_error_page(client.get("/test-errors/500/"), 500, "服务器出错", "Server error")


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_gets_the_csrf_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "a@example.cn", "password": "x"})
    _assert_error_page(response, 403, "页面已过期，请重新提交", "The page has expired")


@pytest.mark.django_db
def test_a_body_over_the_cap_is_refused_unread(client, settings):
    settings.REQUEST_MAX_BODY_MB = 1
    response = client.post("/accounts/login/", {"username": "a"}, CONTENT_LENGTH=str(2 * 1024 * 1024))
    _assert_error_page(response, 413, "上传的内容过大", "Upload too large")


def test_the_500_page_renders_without_database_or_request_context():
    """No django_db mark: any database query here fails the test."""
    clear_cache()
    response = errors.server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "服务器出错" in page and "Server error" in page and HOTLINE in page
    assert "bootstrap.min.css" in page


def test_the_500_page_uses_the_hotline_staff_set_when_the_cache_has_it():
    cache.set("portal:site-configuration", SiteConfiguration(hotline="0351-99999"))
    try:
        page = errors.server_error(RequestFactory().get("/")).content.decode()
    finally:
        clear_cache()
    assert "0351-99999" in page


def test_the_500_page_falls_back_to_plain_html_when_its_template_fails(monkeypatch):
    def broken(name):
        raise ValueError("Missing staticfiles manifest entry")

    monkeypatch.setattr(errors.loader, "get_template", broken)
    response = errors.server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "服务器出错" in page and "Server error" in page and HOTLINE in page
