"""Move the meetings' two event tables into the one audit log, row for row.

Every MeetingEvent becomes an entry about its meeting with the action type
"meetings.meeting.<action>"; every ActionItemEvent an entry about its action item, scoped to
the item's meeting, with the action type read from its change (created, done, reopened,
cancelled, or progress when the status stayed). Actor, time, from/to status and note are kept.
Backwards, the entries of those two kinds become event rows again.
"""

from django.db import migrations

MEETING_PREFIX = "meetings.meeting."
ITEM_PREFIX = "meetings.action_item."


def item_action(from_status, to_status):
    if not from_status:
        return "created"
    if from_status == to_status:
        return "progress"
    return {"done": "done", "cancelled": "cancelled", "open": "reopened"}.get(to_status, "transition")


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("portal", "LogEntry")
    JointMeeting = apps.get_model("meetings", "JointMeeting")
    ActionItem = apps.get_model("meetings", "ActionItem")
    MeetingEvent = apps.get_model("meetings", "MeetingEvent")
    ActionItemEvent = apps.get_model("meetings", "ActionItemEvent")
    meeting_type = ContentType.objects.get_for_model(JointMeeting)
    item_type = ContentType.objects.get_for_model(ActionItem)

    entries = [
        LogEntry(
            content_type=meeting_type,
            object_id=event.meeting_id,
            action_type=MEETING_PREFIX + event.action,
            actor_id=event.actor_id,
            created=event.at,
            from_status=event.from_status,
            to_status=event.to_status,
            note=event.note,
        )
        for event in MeetingEvent.objects.order_by("at", "pk")
    ]
    entries += [
        LogEntry(
            content_type=item_type,
            object_id=event.item_id,
            scope_content_type=meeting_type,
            scope_object_id=event.item.meeting_id,
            action_type=ITEM_PREFIX + item_action(event.from_status, event.to_status),
            actor_id=event.actor_id,
            created=event.at,
            from_status=event.from_status,
            to_status=event.to_status,
            note=event.note,
        )
        for event in ActionItemEvent.objects.select_related("item").order_by("at", "pk")
    ]
    LogEntry.objects.bulk_create(entries, batch_size=500)
    MeetingEvent.objects.all().delete()
    ActionItemEvent.objects.all().delete()


def _restore_time(model, row, at):
    # `at` is filled on insert (auto_now_add): put the recorded time back afterwards.
    model.objects.filter(pk=row.pk).update(at=at)


def backwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("portal", "LogEntry")
    JointMeeting = apps.get_model("meetings", "JointMeeting")
    ActionItem = apps.get_model("meetings", "ActionItem")
    MeetingEvent = apps.get_model("meetings", "MeetingEvent")
    ActionItemEvent = apps.get_model("meetings", "ActionItemEvent")
    meeting_type = ContentType.objects.get_for_model(JointMeeting)
    item_type = ContentType.objects.get_for_model(ActionItem)

    meeting_entries = LogEntry.objects.filter(content_type=meeting_type, action_type__startswith=MEETING_PREFIX)
    for entry in meeting_entries.order_by("created", "pk"):
        row = MeetingEvent.objects.create(
            meeting_id=entry.object_id,
            actor_id=entry.actor_id,
            action=entry.action_type[len(MEETING_PREFIX) :],
            from_status=entry.from_status,
            to_status=entry.to_status,
            note=entry.note,
        )
        _restore_time(MeetingEvent, row, entry.created)
    item_entries = LogEntry.objects.filter(content_type=item_type, action_type__startswith=ITEM_PREFIX)
    for entry in item_entries.order_by("created", "pk"):
        row = ActionItemEvent.objects.create(
            item_id=entry.object_id,
            actor_id=entry.actor_id,
            from_status=entry.from_status,
            to_status=entry.to_status,
            note=entry.note,
        )
        _restore_time(ActionItemEvent, row, entry.created)
    meeting_entries.delete()
    item_entries.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("meetings", "0001_initial"),
        ("portal", "0005_audit_log"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
