"""Periodic work of applications (called by celery beat; see portal/celery.py)."""

from celery import shared_task
from django.db import OperationalError

from applications import services
from applications.services.deadlines import application_foreign_deadlines_alert


@shared_task(
    autoretry_for=(OperationalError, OSError, ConnectionError), retry_backoff=True, retry_backoff_max=600, max_retries=5
)
def send_deadline_reminders():
    """Daily: review deadlines to staff, correction deadlines to applicants, lapsed corrections
    proposed for closing. Idempotent: each application records the day it was reminded."""
    return services.application_deadlines_remind()


@shared_task(
    autoretry_for=(OperationalError, OSError, ConnectionError), retry_backoff=True, retry_backoff_max=600, max_retries=5
)
def send_foreign_deadline_alerts():
    """Daily: alert the handler (or, before acceptance, the center's staff) and the director when an
    applicant's deadline abroad comes within 10 working days, again within 3, and once it passes.
    Idempotent: each application records the day of its last alert."""
    return application_foreign_deadlines_alert()
