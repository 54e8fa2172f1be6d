"""Periodic work of applications (called by celery beat; see portal/celery.py)."""

from celery import shared_task
from django.db import OperationalError

from applications import services


@shared_task(
    autoretry_for=(OperationalError, OSError, ConnectionError), retry_backoff=True, retry_backoff_max=600, max_retries=5
)
def send_deadline_reminders():
    """Daily: review deadlines to staff, correction deadlines to applicants, lapsed corrections
    proposed for closing. Idempotent: each application records the day it was reminded."""
    return services.application_deadlines_remind()
