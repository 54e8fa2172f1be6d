"""Every event of a guidance opinion becomes an entry of the one audit log: same actor, same time,
same from → to status and note, the opinion's case as its scope, and an action type named after
the step (submitted, approved, returned, signed, reopened). Backwards, those entries become
events again; the old table has no column for a note to the applicant or structured data, so
those parts of entries written after the move do not survive going back."""

from django.db import migrations

# (from_status, to_status) → action type; anything else is a plain transition.
STEPS = {
    ("", "draft"): "cases.opinion.created",
    ("draft", "in_review"): "cases.opinion.submitted",
    ("in_review", "approved"): "cases.opinion.approved",
    ("in_review", "draft"): "cases.opinion.returned",
    ("approved", "signed"): "cases.opinion.signed",
    ("approved", "draft"): "cases.opinion.reopened",
    ("signed", "draft"): "cases.opinion.reopened",
}
TRANSITION = "cases.opinion.transition"
MIGRATED = sorted({*STEPS.values(), TRANSITION})


def _content_type(apps, app_label, model):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label=app_label, model=model)[0]


def _opinion_types(apps):
    """The content type of the opinion: still under documents here, renamed to cases when the
    model moves (cases' migration); a backwards run may meet either."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    return list(ContentType.objects.filter(model="guidanceopinion", app_label__in=["documents", "cases"]))


def forwards(apps, schema_editor):
    OpinionEvent = apps.get_model("documents", "OpinionEvent")
    LogEntry = apps.get_model("portal", "LogEntry")
    if not OpinionEvent.objects.exists():
        return
    opinion_type = _content_type(apps, "documents", "guidanceopinion")
    case_type = _content_type(apps, "cases", "case")
    entries = []
    for event in OpinionEvent.objects.select_related("opinion").order_by("pk").iterator():
        entries.append(
            LogEntry(
                content_type=opinion_type,
                object_id=event.opinion_id,
                scope_content_type=case_type,
                scope_object_id=event.opinion.case_id,
                action_type=STEPS.get((event.from_status, event.to_status), TRANSITION),
                actor_id=event.actor_id,
                created=event.at,
                from_status=event.from_status,
                to_status=event.to_status,
                note=event.note,
                data={},
            )
        )
        if len(entries) >= 1000:
            LogEntry.objects.bulk_create(entries)
            entries = []
    LogEntry.objects.bulk_create(entries)


def backwards(apps, schema_editor):
    OpinionEvent = apps.get_model("documents", "OpinionEvent")
    LogEntry = apps.get_model("portal", "LogEntry")
    types = _opinion_types(apps)
    if not types:
        return
    migrated = LogEntry.objects.filter(content_type__in=types, action_type__in=MIGRATED, to_status__gt="").order_by(
        "created", "pk"
    )
    for entry in migrated.iterator():
        event = OpinionEvent.objects.create(
            opinion_id=entry.object_id,
            actor_id=entry.actor_id,
            from_status=entry.from_status,
            to_status=entry.to_status,
            note=entry.note,
        )
        # `at` is set on creation (auto_now_add); give it the entry's time.
        OpinionEvent.objects.filter(pk=event.pk).update(at=entry.created)
    migrated.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("portal", "0005_audit_log"),
        ("documents", "0007_delete_documentevent"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
