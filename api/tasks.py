from celery import shared_task

from api.audit import prune_calls


@shared_task
def prune_api_calls():
    """Daily: drop the API call records past their retention (idempotent)."""
    return prune_calls()
