"""State changes of joint meetings, one module per entity. Every public service checks who
acts (meetings.permissions), runs in a transaction, locks the row it changes, changes a status
only through a declared transition and writes to the audit log.

Callers import the package: `from meetings import services; services.meeting_convene(...)`.
"""

from meetings.services.action_items import (
    REMINDER_INTERVAL_DAYS,
    action_item_create,
    action_item_update,
    action_items_remind,
)
from meetings.services.agenda import agenda_approve, agenda_item_propose, agenda_refresh
from meetings.services.invitations import attendance_record, invitation_answer
from meetings.services.meetings import (
    NEXT_MEETING_LEAD_DAYS,
    meeting_assign_chair,
    meeting_cancel,
    meeting_convene,
    meeting_create,
    meeting_plan_next_quarter,
    meeting_plan_quarter,
    meeting_plan_regular,
    next_quarter,
)
from meetings.services.minutes import (
    minutes_approve,
    minutes_correct,
    minutes_record,
    minutes_start,
)
from portal.transitions import StaleObject

__all__ = [
    "NEXT_MEETING_LEAD_DAYS",
    "REMINDER_INTERVAL_DAYS",
    "StaleObject",
    "action_item_create",
    "action_item_update",
    "action_items_remind",
    "agenda_approve",
    "agenda_item_propose",
    "agenda_refresh",
    "attendance_record",
    "invitation_answer",
    "meeting_assign_chair",
    "meeting_cancel",
    "meeting_convene",
    "meeting_create",
    "meeting_plan_next_quarter",
    "meeting_plan_quarter",
    "meeting_plan_regular",
    "minutes_approve",
    "minutes_correct",
    "minutes_record",
    "minutes_start",
    "next_quarter",
]
