"""Periodic work of the knowledge platform (called by celery beat; see portal/celery.py)."""

import datetime

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from knowledge.services import subscriptions
from portal.tasks_util import send_task

RETRY = {
    "autoretry_for": (OperationalError, ConnectionError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 5,
}


@shared_task(**RETRY)
def send_weekly_digest(after_pk=0, now=None):
    """Weekly (Monday morning): each active subscription gets one e-mail with the warnings and
    laws published since its last digest that match its choices. One batch of subscriptions per
    run; the next batch is sent as a new task with the same moment `now`. Idempotent: a
    subscription sent its digest this week is skipped, so a retry or a second delivery sends
    nothing more."""
    moment = datetime.datetime.fromisoformat(now) if now else timezone.now()
    sent, following = subscriptions.digest_send_batch(now=moment, after_pk=after_pk)
    if following is not None:
        send_task(send_weekly_digest, kwargs={"after_pk": following, "now": moment.isoformat()})
    return {"sent": sent, "next": following}


@shared_task(**RETRY)
def tell_law_subscribers(law_id, event, by_id=None):
    """Right after a new version of a law, or its repeal, is published: e-mail the subscribers of
    its country. Idempotent: an event already told (recorded in the audit log with the messages)
    is not told again."""
    return {"told": subscriptions.law_subscribers_tell(law_id=law_id, event=event, by_id=by_id)}
