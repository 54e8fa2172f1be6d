"""Every document event becomes an entry of the one audit log, with the same actor, time and
note, the case of its document as its scope, and the render status it records. Backwards, the
entries that came from events become events again (entries of later action types, such as
downloads, stay in the log)."""

from django.db import migrations

ACTIONS = {
    "requested": "documents.document.requested",
    "rendered": "documents.document.rendered",
    "signed": "documents.document.signed",
    "failed": "documents.document.failed",
    "retried": "documents.document.retried",
    "superseded": "documents.document.superseded",
    "revoked": "documents.document.revoked",
}
EVENTS = {action_type: action for action, action_type in ACTIONS.items()}

# The render status each event leaves the document in (superseding and revoking keep it).
TO_STATUS = {
    "requested": "pending",
    "rendered": "ready",
    "signed": "ready",
    "failed": "failed",
    "retried": "pending",
}


def _content_type(apps, app_label, model):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label=app_label, model=model)[0]


def forwards(apps, schema_editor):
    DocumentEvent = apps.get_model("documents", "DocumentEvent")
    LogEntry = apps.get_model("portal", "LogEntry")
    document_type = _content_type(apps, "documents", "document")
    case_type = _content_type(apps, "cases", "case")
    entries = []
    for event in DocumentEvent.objects.select_related("document").order_by("pk").iterator():
        case_id = event.document.case_id
        entries.append(
            LogEntry(
                content_type=document_type,
                object_id=event.document_id,
                scope_content_type=case_type if case_id else None,
                scope_object_id=case_id,
                action_type=ACTIONS.get(event.action, f"documents.document.{event.action}"),
                actor_id=event.actor_id,
                created=event.at,
                to_status=TO_STATUS.get(event.action, ""),
                note=event.note,
                data={},
            )
        )
        if len(entries) >= 1000:
            LogEntry.objects.bulk_create(entries)
            entries = []
    LogEntry.objects.bulk_create(entries)


def backwards(apps, schema_editor):
    DocumentEvent = apps.get_model("documents", "DocumentEvent")
    LogEntry = apps.get_model("portal", "LogEntry")
    document_type = _content_type(apps, "documents", "document")
    migrated = LogEntry.objects.filter(content_type=document_type, action_type__in=list(EVENTS)).order_by(
        "created", "pk"
    )
    for entry in migrated.iterator():
        event = DocumentEvent.objects.create(
            document_id=entry.object_id,
            actor_id=entry.actor_id,
            action=EVENTS[entry.action_type],
            note=entry.note,
        )
        # `at` is set on creation (auto_now_add); give it the entry's time.
        DocumentEvent.objects.filter(pk=event.pk).update(at=entry.created)
    migrated.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("documents", "0005_backfill_document_case"),
        ("portal", "0005_audit_log"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
