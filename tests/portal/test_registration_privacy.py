"""Registration never reveals whether an e-mail address already has an account: the same page
either way, and the owner of the address hears about the attempt by e-mail."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from portal.models import User
from tests.portal.test_accounts import REGISTRATION

pytestmark = pytest.mark.django_db


def _register(client, capture, **changes):
    with capture(execute=True):
        response = client.post(reverse("applications:register"), {**REGISTRATION, **changes})
    return response


def _main(response):
    """The page body without the CSRF token, which differs per response."""
    page = response.content.decode()
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    return page.split("<main", 1)[1].split("</main>", 1)[0]


def test_a_known_address_gets_the_same_answer_and_its_owner_an_e_mail(
    client, applicant, django_capture_on_commit_callbacks
):
    applicant.last_login = applicant.date_joined
    applicant.save(update_fields=["last_login"])
    known = _register(client, django_capture_on_commit_callbacks, email=applicant.email.upper())
    owner_mail = list(mail.outbox)
    fresh = _register(client, django_capture_on_commit_callbacks, email="new.person@jincheng.example.cn")

    assert known.status_code == fresh.status_code == 200
    assert _main(known).replace(applicant.email.upper(), "ADDRESS") == _main(fresh).replace(
        "new.person@jincheng.example.cn", "ADDRESS"
    )
    assert "已存在" not in known.content.decode() and "already" not in known.content.decode()

    assert User.objects.filter(email__iexact=applicant.email).count() == 1
    applicant.refresh_from_db()
    assert applicant.check_password("Jincheng-2026-secure") is False  # nothing about the account changed

    assert [message.to for message in owner_mail] == [[applicant.email]]
    body = owner_mail[0].body
    assert "有人刚刚尝试用本邮箱在本平台注册新账号" in body
    assert "请直接登录" in body and reverse("password_reset") in body


def test_an_address_that_never_confirmed_gets_a_fresh_confirmation_link(client, django_capture_on_commit_callbacks):
    _register(client, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    response = _register(client, django_capture_on_commit_callbacks, full_name="另一个人")
    assert response.status_code == 200 and User.objects.count() == 1
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/activate/\S+)", mail.outbox[0].body).group(1)
    assert "账号已启用" in client.get(link, follow=True).content.decode()
    assert User.objects.get().full_name == "王丽"  # the second attempt changed nothing


def test_the_form_never_reports_a_duplicate_address(client, applicant):
    response = client.post(reverse("applications:register"), {**REGISTRATION, "email": applicant.email, "phone": "abc"})
    page = response.content.decode()
    assert "电话号码" in page  # the form came back for the phone number…
    email_input = re.search(r'<input[^>]*name="email"[^>]*>', page).group(0)
    assert "is-invalid" not in email_input  # …and says nothing about the address
    assert "已存在" not in page and "已注册" not in page
