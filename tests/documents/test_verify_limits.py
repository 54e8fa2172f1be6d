"""The public verification page: a rate limit per client address, and oversized uploads refused unread."""

import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.cache import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from documents import views

pytestmark = pytest.mark.django_db

UNKNOWN_CODE = "ABCDEFGHJK"


def test_lookups_beyond_the_limit_get_a_clear_429(client, settings):
    settings.VERIFY_RATE_LIMIT = 3
    url = reverse("documents:verify_code", args=[UNKNOWN_CODE])
    for _ in range(3):
        assert client.get(url).status_code == 404  # an unknown code, answered
    response = client.get(url)
    assert response.status_code == 429
    page = response.content.decode()
    assert "请求过于频繁" in page and "Too many requests" in page and "0351-12330" in page
    assert int(response["Retry-After"]) > 0


def test_uploads_count_against_the_same_limit(client, settings):
    settings.VERIFY_RATE_LIMIT = 2
    for _ in range(2):
        response = client.post(
            reverse("documents:verify"), {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.7 x", "application/pdf")}
        )
        assert response.status_code == 200
        assert "核验未通过" in response.content.decode()
    response = client.post(
        reverse("documents:verify"), {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.7 x", "application/pdf")}
    )
    assert response.status_code == 429


def test_another_address_is_not_limited(client, settings):
    settings.VERIFY_RATE_LIMIT = 1
    url = reverse("documents:verify_code", args=[UNKNOWN_CODE])
    client.get(url, REMOTE_ADDR="203.0.113.1")
    assert client.get(url, REMOTE_ADDR="203.0.113.1").status_code == 429
    assert client.get(url, REMOTE_ADDR="203.0.113.2").status_code == 404


def test_the_form_page_itself_is_not_counted(client, settings):
    settings.VERIFY_RATE_LIMIT = 1
    for _ in range(3):
        assert client.get(reverse("documents:verify")).status_code == 200


class _UnreadableBody(io.RawIOBase):
    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def test_the_form_shows_the_size_limit(client, settings):
    settings.VERIFY_MAX_UPLOAD_MB = 12
    page = client.get(reverse("documents:verify")).content.decode()
    assert "不超过 12 MB" in page


def test_an_upload_over_the_limit_is_refused_before_it_is_read(settings):
    settings.VERIFY_MAX_UPLOAD_MB = 30
    request = RequestFactory().post(
        reverse("documents:verify"), data=b"", content_type="multipart/form-data; boundary=x"
    )
    request.META["CONTENT_LENGTH"] = str(31 * 1024 * 1024)
    request.META["wsgi.input"] = _UnreadableBody()
    request._stream = _UnreadableBody()
    request.user = AnonymousUser()
    request.session = SessionStore()
    response = views.verify(request)
    assert response.status_code == 413
    page = response.content.decode()
    assert "文件过大（超过 30 MB）" in page
    assert "is-invalid" in page  # the message sits at the file field


def test_an_oversized_file_in_a_normal_body_is_refused_by_its_size(client, settings):
    """A body whose declared length passes (the form's framing allowance) but whose file is over
    the limit: refused by the form, at the file field."""
    settings.VERIFY_MAX_UPLOAD_MB = 1
    data = b"%PDF-1.7 " + b"x" * (1024 * 1024 + 10)
    response = client.post(reverse("documents:verify"), {"file": SimpleUploadedFile("big.pdf", data)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "文件过大（超过 1 MB）" in page and "核验未通过" not in page


def test_an_oversized_upload_through_the_client_is_answered_413(client, settings):
    settings.VERIFY_MAX_UPLOAD_MB = 1
    data = b"%PDF-1.7 " + b"x" * (2 * 1024 * 1024)
    response = client.post(reverse("documents:verify"), {"file": SimpleUploadedFile("big.pdf", data)})
    assert response.status_code == 413
    assert "文件过大（超过 1 MB）" in response.content.decode()
