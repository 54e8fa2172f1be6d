from celery import shared_task

from cases import services


@shared_task(autoretry_for=(OSError, ConnectionError), retry_backoff=True, retry_backoff_max=600, max_retries=5)
def send_deadline_reminders():
    """Daily (celery beat): reminders of due and overdue cases and late agency answers.
    Idempotent: rows reminded today are skipped."""
    return services.deadlines_remind()
