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


@shared_task(**RETRY)
def tell_law_subscribers(law_id, event, by_id=None):
    """Right after a new version of a law, or its repeal, is published: e-mail the subscribers of
    its country. Idempotent: an event already told (recorded in the audit log with the messages)
    is not told again."""
    return {"told": subscriptions.law_subscribers_tell(law_id=law_id, event=event, by_id=by_id)}
