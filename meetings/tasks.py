"""Periodic work of the joint meetings (called by celery beat; see portal/celery.py)."""

from celery import shared_task
from django.db import OperationalError

from meetings import services

RETRY = {
    "autoretry_for": (OperationalError, ConnectionError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 5,
}


@shared_task(**RETRY)
def plan_quarterly_meetings():
    """Make sure the current quarter has its regular meeting as a draft, and the next
    quarter's too once this one is convened or the next quarter is 30 days away. Idempotent:
    a second run (or a second delivery) finds the meetings and creates nothing."""
    meeting, created = services.meeting_plan_quarter()
    following, next_created = services.meeting_plan_next_quarter()
    return {
        "meeting": meeting.pk,
        "created": created,
        "next_meeting": following.pk if following else None,
        "next_created": next_created,
    }


@shared_task(**RETRY)
def send_action_item_reminders():
    """Remind assignees of overdue action items. Idempotent: an item reminded recently is
    not reminded again (ActionItem.last_reminded_on records it)."""
    return {"reminded": services.action_items_remind()}
