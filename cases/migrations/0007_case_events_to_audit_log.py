"""The case work log (CaseEvent) moves into the one audit log (portal.LogEntry).

Every row becomes one entry about its case, scoped to the case, with the same actor, time,
from/to status, note and note for the applicant. The action type follows from the row: the
opening (no previous status), a step of the case map (from one status to another) or a record
of work without a change of status. The row's id is kept in the entry's data, so going back
recreates every row exactly; entries written since by the case services (about the case, its
letters, answers, extension requests, upward reports and notes) go back as rows of their case.
"""

from django.db import migrations

OPENED = "cases.case.opened"
TRANSITION = "cases.case.transition"
RECORDED = "cases.case.recorded"
# The action types the case services write (the case's own work log, nothing of other apps).
PREFIXES = (
    "cases.case.",
    "cases.note.",
    "cases.letter.",
    "cases.recipient.",
    "cases.attachment.",
    "cases.extension.",
    "cases.report.",
)
BATCH = 500


def action_type(event):
    if event.to_status and not event.from_status:
        return OPENED
    if event.to_status and event.from_status and event.to_status != event.from_status:
        return TRANSITION
    return RECORDED


def forwards(apps, schema_editor):
    CaseEvent = apps.get_model("cases", "CaseEvent")
    LogEntry = apps.get_model("portal", "LogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    case_type = ContentType.objects.get_or_create(app_label="cases", model="case")[0]
    entries = []
    for event in CaseEvent.objects.order_by("at", "pk").iterator():
        entries.append(
            LogEntry(
                content_type=case_type,
                object_id=event.case_id,
                scope_content_type=case_type,
                scope_object_id=event.case_id,
                action_type=action_type(event),
                actor_id=event.actor_id,
                created=event.at,
                from_status=event.from_status,
                to_status=event.to_status,
                note=event.note,
                public_note=event.public_note,
                data={"case_event": event.pk},
            )
        )
        if len(entries) >= BATCH:
            LogEntry.objects.bulk_create(entries)
            entries = []
    LogEntry.objects.bulk_create(entries)


def _case_id(entry, case_type_id, models_by_type, apps):
    """The case an entry belongs to: its scope, or the case it is about."""
    if entry.scope_content_type_id == case_type_id and entry.scope_object_id:
        return entry.scope_object_id
    if entry.content_type_id == case_type_id:
        return entry.object_id
    model = models_by_type.get(entry.content_type_id)
    if model in {"assistanceletter", "upwardreport", "casenote"}:
        row = apps.get_model("cases", model).objects.filter(pk=entry.object_id).values("case_id").first()
        return row and row["case_id"]
    return None


def backwards(apps, schema_editor):
    CaseEvent = apps.get_model("cases", "CaseEvent")
    Case = apps.get_model("cases", "Case")
    LogEntry = apps.get_model("portal", "LogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    case_type = ContentType.objects.filter(app_label="cases", model="case").first()
    if case_type is None:
        return
    models_by_type = {ct.pk: ct.model for ct in ContentType.objects.filter(app_label="cases")}
    existing_cases = set(Case.objects.values_list("pk", flat=True))
    events, times, converted = [], [], []
    for entry in LogEntry.objects.filter(action_type__startswith="cases.").order_by("created", "pk").iterator():
        if not entry.action_type.startswith(PREFIXES):
            continue
        legacy = (entry.data or {}).get("case_event")
        case_id = _case_id(entry, case_type.pk, models_by_type, apps)
        if case_id not in existing_cases:
            continue
        about_case = entry.content_type_id == case_type.pk
        events.append(
            CaseEvent(
                pk=legacy,
                case_id=case_id,
                actor_id=entry.actor_id,
                from_status=entry.from_status if about_case else "",
                to_status=entry.to_status if about_case else "",
                note=entry.note if legacy or entry.note else entry.action_type,
                public_note=entry.public_note,
            )
        )
        times.append(entry.created)
        converted.append(entry.pk)
    created = CaseEvent.objects.bulk_create(events, batch_size=BATCH)
    # `at` is auto_now_add: bulk_create set it to now; put back the recorded times.
    for event, at in zip(created, times, strict=True):
        CaseEvent.objects.filter(pk=event.pk).update(at=at)
    for start in range(0, len(converted), BATCH):
        LogEntry.objects.filter(pk__in=converted[start : start + BATCH]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("portal", "0005_audit_log"),
        ("cases", "0006_guidanceopinion"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
