"""The meetings' event tables move into the one audit log without losing a row, and back."""

import datetime

import pytest
from django.utils import timezone

from portal.audit import entries_for
from portal.models import LogEntry
from tests.factories import UserFactory
from tests.schema_migrations import migrate, newest_schema_afterwards  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("newest_schema_afterwards")

BEFORE = [("meetings", "0001_initial")]
AFTER = [("meetings", "0003_remove_event_tables")]

# What the meeting history read as before (the labels of the former event table).
OLD_LABELS = {
    "create": "创建会议",
    "chair": "确定主持人",
    "convene": "发出会议通知",
    "answer": "答复参会",
    "agenda_approve": "批准议程",
    "hold": "会议召开",
    "minutes_approve": "批准纪要",
}


def _seed_old_events(apps, director, deputy, agency_user):
    JointMeeting = apps.get_model("meetings", "JointMeeting")
    AgendaItem = apps.get_model("meetings", "AgendaItem")
    Minutes = apps.get_model("meetings", "Minutes")
    ActionItem = apps.get_model("meetings", "ActionItem")
    MeetingEvent = apps.get_model("meetings", "MeetingEvent")
    ActionItemEvent = apps.get_model("meetings", "ActionItemEvent")
    meeting = JointMeeting.objects.create(
        kind="regular",
        year=2026,
        quarter=3,
        title="2026年第3季度联席工作例会",
        status="closed",
        period_start=datetime.date(2026, 4, 1),
        period_end=datetime.date(2026, 6, 30),
    )
    agenda_item = AgendaItem.objects.create(meeting=meeting, source="staff", title="研究展会维权", status="accepted")
    minutes = Minutes.objects.create(meeting=meeting, created_by_id=director.pk, status="approved")
    item = ActionItem.objects.create(
        meeting=meeting,
        minutes=minutes,
        agenda_item=agenda_item,
        title="编制出口环节侵权风险提示",
        assignee_user_id=agency_user.pk,
        due_date=datetime.date(2026, 9, 30),
        created_by_id=director.pk,
        status="done",
    )
    start = timezone.make_aware(datetime.datetime(2026, 7, 1, 9, 0))
    meeting_rows = [
        (director, "create", "", "planned", ""),
        (None, "chair", "", "", "按轮值顺序由 王副主任 主持"),
        (director, "convene", "planned", "convened", ""),
        (agency_user, "answer", "", "", "省商务厅（陈静）: 参加"),
        (deputy, "agenda_approve", "", "", "议程共 1 项"),
        (deputy, "hold", "convened", "held", ""),
        (deputy, "minutes_approve", "held", "closed", "第 1 版"),
    ]
    item_rows = [
        (director, "", "open", "会议议定"),
        (agency_user, "open", "open", "已起草初稿"),
        (agency_user, "open", "done", "风险提示已印发"),
        (director, "done", "open", "需补充海关数据"),
        (director, "open", "cancelled", "并入下季度工作"),
    ]
    for minute, (actor, action, before, after, note) in enumerate(meeting_rows):
        row = MeetingEvent.objects.create(
            meeting=meeting,
            actor_id=actor.pk if actor else None,
            action=action,
            from_status=before,
            to_status=after,
            note=note,
        )
        MeetingEvent.objects.filter(pk=row.pk).update(at=start + datetime.timedelta(hours=minute))
    for day, (actor, before, after, note) in enumerate(item_rows, start=1):
        row = ActionItemEvent.objects.create(
            item=item, actor_id=actor.pk, from_status=before, to_status=after, note=note
        )
        ActionItemEvent.objects.filter(pk=row.pk).update(at=start + datetime.timedelta(days=day))
    return meeting.pk, item.pk


def _old_lines(apps):
    MeetingEvent = apps.get_model("meetings", "MeetingEvent")
    ActionItemEvent = apps.get_model("meetings", "ActionItemEvent")
    meeting_lines = [
        (e.meeting_id, e.actor_id, e.at, e.action, e.from_status, e.to_status, e.note)
        for e in MeetingEvent.objects.order_by("at", "pk")
    ]
    item_lines = [
        (e.item_id, e.actor_id, e.at, e.from_status, e.to_status, e.note)
        for e in ActionItemEvent.objects.order_by("at", "pk")
    ]
    return meeting_lines, item_lines


def test_every_event_row_becomes_one_audit_entry_with_the_same_timeline_and_back():
    old = migrate(BEFORE)
    director, deputy, agency_user = UserFactory(), UserFactory(), UserFactory()
    meeting_pk, item_pk = _seed_old_events(old, director, deputy, agency_user)
    meeting_lines, item_lines = _old_lines(old)
    assert (len(meeting_lines), len(item_lines)) == (7, 5)

    migrate(AFTER)

    from meetings.models import ActionItem, JointMeeting

    meeting, item = JointMeeting.objects.get(pk=meeting_pk), ActionItem.objects.get(pk=item_pk)
    assert LogEntry.objects.filter(action_type__startswith="meetings.").count() == 12
    own = list(entries_for(meeting))
    assert [
        (
            e.object_id,
            e.actor_id,
            e.created,
            e.action_type.removeprefix("meetings.meeting."),
            e.from_status,
            e.to_status,
            e.note,
        )
        for e in own
    ] == meeting_lines
    assert [e.action_label for e in own] == [OLD_LABELS[line[3]] for line in meeting_lines]
    assert own[2].status_change == "筹备中 → 已发通知"
    item_entries = list(entries_for(item))
    assert [(e.object_id, e.actor_id, e.created, e.from_status, e.to_status, e.note) for e in item_entries] == (
        item_lines
    )
    assert [e.action_type for e in item_entries] == [
        "meetings.action_item.created",
        "meetings.action_item.progress",
        "meetings.action_item.done",
        "meetings.action_item.reopened",
        "meetings.action_item.cancelled",
    ]
    assert item_entries[2].status_change == "办理中 → 已完成"
    # The meeting's history includes its action item's entries.
    assert entries_for(meeting, with_scope=True).count() == 12

    apps = migrate(BEFORE)
    assert _old_lines(apps) == (
        [(meeting_pk, *line[1:]) for line in meeting_lines],
        [(item_pk, *line[1:]) for line in item_lines],
    )
    assert not LogEntry.objects.filter(action_type__startswith="meetings.").exists()
