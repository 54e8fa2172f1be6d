"""Tell people about things: a portal inbox entry and an e-mail, sent after commit."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from portal.models import Notification, User
from portal.roles import Role


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
            transaction.on_commit(lambda: send_email(addresses, subject=subject, body=body, link=link))


def send_email(addresses, *, subject, body, link=""):
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string(
            "portal/email/notification.txt", {"body": body, "link": _absolute(link) if link else ""}
        )
    # One message per recipient so that addresses are not disclosed to each other.
    for address in addresses:
        send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)


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
