"""Periodic work of the expert pool."""

import logging

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from experts import services
from experts.models import ExpertInvitation

logger = logging.getLogger(__name__)

REMIND_WITHIN = timezone.timedelta(hours=48)


@shared_task(
    autoretry_for=(OperationalError, ConnectionError), retry_backoff=True, retry_backoff_max=600, max_retries=5
)
def send_invitation_reminders():
    """Expire invitations past their deadline (staff are told who is next in the ranking) and
    remind experts whose invitation is due within two days. Safe to run twice: an expired
    invitation is skipped and an expert is reminded at most once in 20 hours."""
    now = timezone.now()
    pending = ExpertInvitation.objects.filter(status=ExpertInvitation.Status.PENDING)
    expired = reminded = 0
    for invitation in pending.filter(deadline__lte=now).order_by("deadline"):
        if services.invitation_expire(invitation=invitation) is not None:
            expired += 1
    for invitation in pending.filter(deadline__gt=now, deadline__lte=now + REMIND_WITHIN):
        if services.invitation_remind(invitation=invitation, now=now):
            reminded += 1
    logger.info("Expert invitations: %d expired, %d reminded", expired, reminded)
    return {"expired": expired, "reminded": reminded}
