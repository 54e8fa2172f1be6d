"""Periodic work of consultations (called by celery beat; see portal/celery.py)."""

from celery import shared_task
from django.db import OperationalError

from consultations import services


@shared_task(
    autoretry_for=(OperationalError, OSError, ConnectionError), retry_backoff=True, retry_backoff_max=600, max_retries=5
)
def send_follow_up_reminders():
    """Daily: each receiving staff member hears of their consultations whose follow-up date has come.
    Idempotent: each consultation records the day it was reminded (follow_up_reminded_on)."""
    return services.consultation_follow_ups_remind()
