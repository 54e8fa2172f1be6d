"""E-mail leaves the request: a mail server or broker that fails never turns a saved action into
an error; the relay sends what was left, and what fails for good is shown to staff."""

import datetime
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from applications.models import Application
from portal.models import EmailDelivery
from portal.notifications import EMAIL_MAX_ATTEMPTS, deliver_email, email_deliver, email_relay_pending
from tests.applications.factories import submit_on_the_review_page

REFUSING = "tests.portal.test_email_delivery.RefusingBackend"


class RefusingBackend(BaseEmailBackend):
    """A mail server that has gone away."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.mark.django_db
def test_a_mail_server_that_is_down_does_not_fail_the_submission(
    client, applicant, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = REFUSING
    response, application = submit_on_the_review_page(client, applicant, django_capture_on_commit_callbacks)

    assert response.status_code == 302 and response.url == reverse("applications:detail", args=[application.pk])
    assert application.status == Application.Status.SUBMITTED and application.number
    waiting = EmailDelivery.objects.filter(to=applicant.email)
    assert waiting.exists()
    assert all(d.status == "pending" and d.attempts == 1 and "SMTPServerDisconnected" in d.last_error for d in waiting)

    # The mail server is back: the relay sends the messages once their retry time has come.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    assert email_relay_pending(now=timezone.now()) == 0  # not before the retry time
    email_relay_pending(now=timezone.now() + datetime.timedelta(minutes=2))
    assert {d.status for d in EmailDelivery.objects.all()} == {"sent"}
    assert application.number in " ".join(message.subject + message.body for message in mail.outbox)
    assert all(len(message.to) == 1 for message in mail.outbox)  # nobody sees another's address


@pytest.mark.django_db
def test_a_broker_that_is_down_does_not_fail_the_submission_and_the_relay_sends_later(
    client, applicant, django_capture_on_commit_callbacks
):
    with mock.patch.object(deliver_email, "apply_async", side_effect=BrokerUnavailable("Connection refused")):
        response, application = submit_on_the_review_page(client, applicant, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and application.status == Application.Status.SUBMITTED
    mail.outbox.clear()
    assert set(EmailDelivery.objects.values_list("status", "attempts")) == {("pending", 0)}

    email_relay_pending(now=timezone.now() + datetime.timedelta(minutes=3))
    assert set(EmailDelivery.objects.values_list("status", flat=True)) == {"sent"}
    assert {message.to[0] for message in mail.outbox} >= {applicant.email}


@pytest.mark.django_db
def test_a_message_that_keeps_failing_is_shown_to_staff_who_send_it_again(
    client, staff, settings, django_capture_on_commit_callbacks
):
    delivery = EmailDelivery.objects.create(to="someone@example.cn", subject="受理通知", body="…")
    settings.EMAIL_BACKEND = REFUSING
    for _ in range(EMAIL_MAX_ATTEMPTS):
        email_deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == EMAIL_MAX_ATTEMPTS
    assert email_deliver(delivery_id=delivery.pk) == "failed"  # left alone, not tried a sixth time

    client.force_login(staff)
    overview = client.get(reverse("admin:index")).content.decode()
    assert "1 封邮件多次发送失败" in overview and "/admin/portal/emaildelivery/?status=failed" in overview
    page = client.get(reverse("admin:portal_emaildelivery_changelist") + "?status=failed").content.decode()
    assert "someone@example.cn" in page and "发送失败" in page

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:portal_emaildelivery_changelist"),
            {"action": "resend", "_selected_action": [delivery.pk]},
            follow=True,
        )
    assert "已重新安排发送 1 封邮件" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 1
    assert mail.outbox[-1].to == ["someone@example.cn"]
    assert "封邮件多次发送失败" not in client.get(reverse("admin:index")).content.decode()


@pytest.mark.django_db
def test_a_password_reset_while_the_mail_server_is_down_is_sent_later(
    client, applicant, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = REFUSING
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": applicant.email})
    assert response.status_code == 302
    delivery = EmailDelivery.objects.get(to=applicant.email)
    assert delivery.status == "pending" and "/accounts/reset/" in delivery.body

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    email_relay_pending(now=timezone.now() + datetime.timedelta(minutes=2))
    assert "/accounts/reset/" in mail.outbox[-1].body and mail.outbox[-1].to == [applicant.email]
