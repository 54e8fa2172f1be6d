"""Action items decided at a meeting: registered with the minutes, progress reported by the
assignee, overdue ones reminded."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.models import ActionItem, AgendaItem, Minutes
from meetings.permissions import (
    can_cancel_action_item,
    can_update_action_item,
    can_write_minutes,
)
from meetings.services._common import ONLY_CENTER, _lock_draft, _notify_assignees
from portal.access import require
from portal.audit import log_action
from portal.models import PartnerAgency, User
from portal.transitions import (
    TransitionNotAllowed,
    check_fresh,
    check_transition,
    transition,
)

# Action items that are overdue are reminded again after this many days.
REMINDER_INTERVAL_DAYS = 7


ACTION_ITEM_VERBS = {
    ActionItem.Status.DONE: "meetings.action_item.done",
    ActionItem.Status.CANCELLED: "meetings.action_item.cancelled",
    ActionItem.Status.OPEN: "meetings.action_item.reopened",
}


def action_item_create(
    *,
    minutes: Minutes,
    agenda_item: AgendaItem,
    by: User,
    title: str,
    due_date: datetime.date | None,
    assignee_agency: PartnerAgency | None = None,
    assignee_user: User | None = None,
) -> ActionItem:
    """A decision creates an action item for an agency or a person, while the minutes are a draft."""
    require(can_write_minutes(by, minutes.meeting), ONLY_CENTER)
    with transaction.atomic():
        minutes = _lock_draft(minutes)
        if agenda_item.meeting_id != minutes.meeting_id or agenda_item.status != AgendaItem.Status.ACCEPTED:
            raise ValidationError(_("议定事项须对应本次会议议程中的议题。"), code="agenda_item")
        if (assignee_agency is None) == (assignee_user is None):
            raise ValidationError(_("请指定一个责任单位或一名责任人（二者选一）。"), code="assignee")
        if not title.strip():
            raise ValidationError(_("请填写任务内容。"), code="title")
        if due_date is None:
            raise ValidationError(_("请填写完成期限。"), code="due_date")
        item = ActionItem.objects.create(
            meeting=minutes.meeting,
            minutes=minutes,
            agenda_item=agenda_item,
            title=title.strip(),
            assignee_agency=assignee_agency,
            assignee_user=assignee_user,
            due_date=due_date,
            created_by=by,
        )
        log_action(
            item,
            "meetings.action_item.created",
            by=by,
            scope=item.meeting,
            to_status=item.status,
            note=_("会议议定"),
        )
    return item


def action_item_update(
    *, item: ActionItem, by: User, status: str, note: str = "", seen_revision: int | str | None = None
) -> ActionItem:
    """The assignee (or the center) reports progress: done, reopened, or — the center only — cancelled."""
    require(can_update_action_item(by, item), _("只能更新本单位或本人的议定事项。"))
    with transaction.atomic():
        item = ActionItem.objects.select_for_update().get(pk=item.pk)
        check_fresh(item, seen_revision)
        if not item.minutes.is_frozen:
            raise TransitionNotAllowed(_("会议纪要尚未批准，议定事项还未下达。"), code="not_issued")
        if ActionItem.Status.CANCELLED in {status, item.status}:
            require(can_cancel_action_item(by, item), ONLY_CENTER)
        previous = item.status
        if status == previous:
            if not note.strip():
                raise ValidationError(_("请填写办理情况。"), code="note")
            item.progress_note = note.strip()
            item.revision += 1
            item.save(update_fields=["progress_note", "revision"])
            log_action(
                item,
                "meetings.action_item.progress",
                by=by,
                scope=item.meeting,
                from_status=previous,
                to_status=previous,
                note=note.strip(),
            )
        else:
            check_transition(ActionItem.TRANSITIONS, previous, status, labels=dict(ActionItem.Status.choices))
            if status == ActionItem.Status.DONE and not note.strip():
                raise ValidationError(_("请简要说明完成情况。"), code="note")
            item.completed_at = timezone.now() if status == ActionItem.Status.DONE else None
            if note.strip():
                item.progress_note = note.strip()
            transition(
                item,
                status,
                by=by,
                action=ACTION_ITEM_VERBS[status],
                scope=item.meeting,
                note=note.strip(),
                update_fields=("completed_at", "progress_note"),
            )
    return item


def action_items_remind(*, today: datetime.date | None = None) -> int:
    """Remind the assignees of overdue open action items, at most once every few days.
    Safe to run twice a day. Returns the number of items reminded."""
    today = today or timezone.localdate()
    threshold = today - datetime.timedelta(days=REMINDER_INTERVAL_DAYS)
    due = ActionItem.objects.filter(
        status=ActionItem.Status.OPEN, due_date__lt=today, minutes__status__in=["approved", "superseded"]
    ).exclude(last_reminded_on__gt=threshold)
    reminded = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            item = (
                ActionItem.objects.select_for_update(of=("self",))
                .select_related("meeting", "assignee_agency", "assignee_user")
                .get(pk=pk)
            )
            if item.status != ActionItem.Status.OPEN or (item.last_reminded_on and item.last_reminded_on > threshold):
                continue
            _notify_assignees(
                item,
                subject=_("议定事项已逾期：%(title)s") % {"title": item.title},
                body=_("%(meeting)s议定的“%(title)s”应于 %(due)s 前完成，目前尚未办结。请尽快办理并更新办理情况。")
                % {"meeting": item.meeting.title, "title": item.title, "due": item.due_date},
            )
            item.last_reminded_on = today
            item.save(update_fields=["last_reminded_on"])
            reminded += 1
    return reminded
