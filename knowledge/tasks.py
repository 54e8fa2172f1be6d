"""Periodic work of the knowledge platform (called by celery beat; see portal/celery.py)."""

from celery import shared_task
from django.db import OperationalError

from knowledge.services import subscriptions

RETRY = {
    "autoretry_for": (OperationalError, ConnectionError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 5,
}


@shared_task(**RETRY)
def send_weekly_digest():
    """Weekly (Monday morning): each active subscription gets one e-mail with the warnings and
    laws published since its last digest that match its choices. Idempotent: a subscription sent
    its digest this week is skipped, so a retry or a second delivery sends nothing more."""
    return {"sent": subscriptions.digest_send()}
