"""Set the case of documents issued before documents carried it, from their subjects, and
deliver the minutes of concluded seminars to the experts who attended them."""

from django.db import migrations

# subject model -> how to reach its case id
SUBJECTS = [
    ("cases", "case", "id"),
    ("cases", "assistanceletter", "case_id"),
    ("cases", "upwardreport", "case_id"),
    ("documents", "guidanceopinion", "case_id"),
    ("experts", "seminar", "case_id"),
]


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Document = apps.get_model("documents", "Document")
    for app_label, model_name, case_field in SUBJECTS:
        content_type = ContentType.objects.filter(app_label=app_label, model=model_name).first()
        if content_type is None:
            continue
        model = apps.get_model(app_label, model_name)
        subject_ids = Document.objects.filter(subject_type=content_type, case__isnull=True).values_list(
            "subject_id", flat=True
        )
        cases = dict(model.objects.filter(pk__in=list(subject_ids)).values_list("pk", case_field))
        for document in Document.objects.filter(subject_type=content_type, case__isnull=True).only("subject_id"):
            case_id = cases.get(document.subject_id)
            if case_id:
                Document.objects.filter(pk=document.pk).update(case_id=case_id)

    Seminar = apps.get_model("experts", "Seminar")
    SeminarInvitee = apps.get_model("experts", "SeminarInvitee")
    for seminar in Seminar.objects.filter(minutes__isnull=False):
        users = SeminarInvitee.objects.filter(
            seminar=seminar, kind="expert", attended=True, expert__user__isnull=False
        ).values_list("expert__user_id", flat=True)
        document = Document.objects.get(pk=seminar.minutes_id)
        document.recipients.add(*users)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("cases", "0004_search_indexes_postgres"),
        ("experts", "0003_pool_matching_opinions_seminars"),
        ("documents", "0004_document_case_recipients"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
