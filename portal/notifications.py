"""Tell people about things: a portal inbox entry and an e-mail.

E-mails leave the request: each is recorded as an EmailDelivery in the transaction of the change
it reports and sent by a Celery task after commit. A mail server that is down, or a broker that
cannot take the task, never turns the user's saved action into an error; the periodic relay
(`relay_pending_emails`) sends what is left, and what fails for good is listed for staff."""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.access import require
from portal.models import EmailDelivery, Notification, User
from portal.roles import Role, is_center_member
from portal.tasks_util import send_task
from portal.transitions import transition

logger = logging.getLogger(__name__)

# Attempts before a message is marked failed for good, and the waits between them (minutes).
EMAIL_MAX_ATTEMPTS = 5
EMAIL_RETRY_MINUTES = (1, 5, 15, 60)
# The task sent after commit normally delivers at once; the relay takes over only after this.
EMAIL_RELAY_AFTER = datetime.timedelta(minutes=2)


def _absolute(link):
    if link.startswith("http"):
        return link
    return f"{settings.SITE_URL}{link}"


def notify(recipients, *, subject, body, link="", email=True):
    """Create an inbox entry for each recipient and e-mail them once the transaction commits.

    `recipients` is an iterable of users; inactive users and duplicates are skipped.
    """
    users = {user.pk: user for user in recipients if user is not None and user.is_active}.values()
    Notification.objects.bulk_create(
        [Notification(recipient=user, subject=subject, body=body, link=link) for user in users]
    )
    if email:
        addresses = sorted({user.email for user in users if user.email})
        if addresses:
            send_email(addresses, subject=subject, body=body, link=link)


def send_email(addresses, *, subject, body, link=""):
    """Record one message per address (so that addresses are not disclosed to each other) in the
    current transaction, and hand each to a task once it commits."""
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string(
            "portal/email/notification.txt", {"body": body, "link": _absolute(link) if link else ""}
        )
    queue_email(addresses, subject=subject, text=text)


def queue_email(addresses, *, subject, text):
    """Record a finished message for each address and send it after commit (see send_email)."""
    relay_at = timezone.now() + EMAIL_RELAY_AFTER
    deliveries = EmailDelivery.objects.bulk_create(
        [
            EmailDelivery(to=address, subject=str(subject)[:300], body=text, next_attempt_at=relay_at)
            for address in addresses
        ]
    )
    ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(lambda: _hand_to_worker(ids))


def _hand_to_worker(ids):
    # A broker that cannot take the task is logged by send_task; the relay sends the message later.
    for pk in ids:
        send_task(deliver_email, [pk])


def email_deliver(*, delivery_id):
    """Send one recorded message; never raises. A failure is recorded with the next attempt's time,
    or as failed for good after EMAIL_MAX_ATTEMPTS. Returns the delivery's status."""
    with transaction.atomic():
        delivery = EmailDelivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.status != EmailDelivery.Status.PENDING:
            return delivery.status if delivery else None
        delivery.attempts += 1
        progress = ("attempts", "last_error", "next_attempt_at", "sent_at")
        try:
            send_mail(delivery.subject, delivery.body, settings.DEFAULT_FROM_EMAIL, [delivery.to], fail_silently=False)
        except Exception as exc:  # any failure of the mail server or its connection
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if delivery.attempts >= EMAIL_MAX_ATTEMPTS:
                delivery.next_attempt_at = None
                logger.error("E-mail %s to %s failed for good: %s", delivery.pk, delivery.to, delivery.last_error)
                transition(
                    delivery,
                    EmailDelivery.Status.FAILED,
                    by=None,
                    action="portal.email.failed",
                    note=delivery.last_error,
                    update_fields=progress,
                )
            else:
                wait = EMAIL_RETRY_MINUTES[min(delivery.attempts, len(EMAIL_RETRY_MINUTES)) - 1]
                delivery.next_attempt_at = timezone.now() + datetime.timedelta(minutes=wait)
                delivery.save(update_fields=progress)
        else:
            delivery.sent_at = timezone.now()
            delivery.last_error = ""
            delivery.next_attempt_at = None
            transition(delivery, EmailDelivery.Status.SENT, by=None, action="portal.email.sent", update_fields=progress)
        return delivery.status


@shared_task(acks_late=True)
def deliver_email(delivery_id):
    """Send one recorded e-mail (idempotent: a sent or failed message is left alone)."""
    return email_deliver(delivery_id=delivery_id)


def email_relay_pending(*, now=None, limit=200):
    """Send the pending messages whose time has come (the periodic relay). Returns how many were tried."""
    now = now or timezone.now()
    due = list(
        EmailDelivery.objects.filter(status=EmailDelivery.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        email_deliver(delivery_id=pk)
    return len(due)


def can_resend_email(user, delivery):
    return is_center_member(user)


def email_resend(*, deliveries, by):
    """Staff send failed messages again (the admin action): back to pending, a fresh round of attempts."""
    require(is_center_member(by), _("只有中心工作人员可以重新发送邮件。"))
    ids = []
    for delivery in deliveries.filter(status=EmailDelivery.Status.FAILED):
        delivery.attempts = 0
        delivery.next_attempt_at = timezone.now() + EMAIL_RELAY_AFTER
        transition(
            delivery,
            EmailDelivery.Status.PENDING,
            by=by,
            permission=can_resend_email,
            action="portal.email.resent",
            update_fields=("attempts", "next_attempt_at"),
        )
        ids.append(delivery.pk)
    transaction.on_commit(lambda: _hand_to_worker(ids))
    return len(ids)


def users_with_role(role):
    return User.objects.filter(groups__name=role, is_active=True)


def notify_staff(*, subject, body, link=""):
    notify(users_with_role(Role.STAFF), subject=subject, body=body, link=link)


def notify_signers(*, subject, body, link=""):
    """Tell the director and the deputy directors (inbox and e-mail) that something awaits their signature."""
    notify(
        User.objects.filter(groups__name__in=[Role.DIRECTOR, Role.DEPUTY], is_active=True).distinct(),
        subject=subject,
        body=body,
        link=link,
    )
