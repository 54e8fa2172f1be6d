"""The application's status history (ApplicationEvent) moves into the one audit log (portal.LogEntry).

Every row becomes one entry about its application with the same actor, time and from/to status.
The row's note (a return or decline reason, a withdrawal reason, "补正后重新提交") was always shown
to the applicant on its timeline, so it becomes the entry's note for the applicant. The action
type follows from the new status. The row's id is kept in the entry's data, so going back
recreates every row exactly; status entries written since by the services go back as rows too.
"""

from django.db import migrations

ACTIONS = {
    "draft": "applications.application.created",
    "submitted": "applications.application.submitted",
    "returned": "applications.application.returned",
    "accepted": "applications.application.accepted",
    "declined": "applications.application.declined",
    "withdrawn": "applications.application.withdrawn",
}
TRANSITION = "applications.application.transition"
BATCH = 500


def action_type(event):
    if event.to_status == "draft" and event.from_status:
        return TRANSITION
    return ACTIONS.get(event.to_status, TRANSITION)


def forwards(apps, schema_editor):
    ApplicationEvent = apps.get_model("applications", "ApplicationEvent")
    LogEntry = apps.get_model("portal", "LogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    application_type = ContentType.objects.get_or_create(app_label="applications", model="application")[0]
    entries = []
    for event in ApplicationEvent.objects.order_by("at", "pk").iterator():
        entries.append(
            LogEntry(
                content_type=application_type,
                object_id=event.application_id,
                action_type=action_type(event),
                actor_id=event.actor_id,
                created=event.at,
                from_status=event.from_status,
                to_status=event.to_status,
                public_note=event.note,
                data={"application_event": event.pk},
            )
        )
        if len(entries) >= BATCH:
            LogEntry.objects.bulk_create(entries)
            entries = []
    LogEntry.objects.bulk_create(entries)


def backwards(apps, schema_editor):
    ApplicationEvent = apps.get_model("applications", "ApplicationEvent")
    Application = apps.get_model("applications", "Application")
    LogEntry = apps.get_model("portal", "LogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    application_type = ContentType.objects.filter(app_label="applications", model="application").first()
    if application_type is None:
        return
    existing = set(Application.objects.values_list("pk", flat=True))
    events, times, converted = [], [], []
    status_entries = LogEntry.objects.filter(content_type=application_type).exclude(to_status="")
    for entry in status_entries.order_by("created", "pk").iterator():
        if entry.object_id not in existing:
            continue
        events.append(
            ApplicationEvent(
                pk=(entry.data or {}).get("application_event"),
                application_id=entry.object_id,
                actor_id=entry.actor_id,
                from_status=entry.from_status,
                to_status=entry.to_status,
                note=entry.public_note or entry.note,
            )
        )
        times.append(entry.created)
        converted.append(entry.pk)
    created = ApplicationEvent.objects.bulk_create(events, batch_size=BATCH)
    # `at` is auto_now_add: bulk_create set it to now; put back the recorded times.
    for event, at in zip(created, times, strict=True):
        ApplicationEvent.objects.filter(pk=event.pk).update(at=at)
    for start in range(0, len(converted), BATCH):
        LogEntry.objects.filter(pk__in=converted[start : start + BATCH]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("portal", "0005_audit_log"),
        ("applications", "0006_applicantaccount"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
