"""Background work of the key enterprises' register."""

from celery import shared_task
from django.db import OperationalError

from enterprises import services
from portal.tasks_util import send_task

RETRY = {
    "autoretry_for": (OperationalError, ConnectionError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 5,
    "acks_late": True,
}


@shared_task(**RETRY)
def deliver_warning(warning_id):
    """E-mail a just-published warning to the liaison officers of the key enterprises it concerns.
    Idempotent: an officer who has the warning (a WarningDelivery row) is not sent it again, so a
    retry, a second delivery of the task or a second publication sends nothing more."""
    return {"sent": services.warning_deliver(warning_id=warning_id)}


def warning_published(sender, item, **kwargs):
    """Receiver of knowledge.signals.item_published for warnings (connected in apps.py): hands the
    work to the task; a broker that cannot take it is logged, never an error for the publisher."""
    send_task(deliver_warning, [item.pk])
