"""The link between a user and the applicant organisation it acts for moves from portal's User
(a foreign key from the base layer into applications) to applications.ApplicantAccount.
Every existing link is copied; portal's migration 0006 then removes User.applicant."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_links(apps, schema_editor):
    User = apps.get_model("portal", "User")
    ApplicantAccount = apps.get_model("applications", "ApplicantAccount")
    ApplicantAccount.objects.bulk_create(
        [
            ApplicantAccount(user_id=user_id, applicant_id=applicant_id)
            for user_id, applicant_id in User.objects.filter(applicant__isnull=False).values_list("pk", "applicant_id")
        ]
    )


def restore_links(apps, schema_editor):
    User = apps.get_model("portal", "User")
    ApplicantAccount = apps.get_model("applications", "ApplicantAccount")
    for user_id, applicant_id in ApplicantAccount.objects.values_list("user_id", "applicant_id"):
        User.objects.filter(pk=user_id).update(applicant_id=applicant_id)


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0005_backfill_deadlines"),
        ("portal", "0005_audit_log"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ApplicantAccount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="加入时间")),
                (
                    "applicant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="accounts",
                        to="applications.applicant",
                        verbose_name="申请人单位",
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="applicant_account",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="用户",
                    ),
                ),
            ],
            options={"verbose_name": "申请人单位账号", "verbose_name_plural": "申请人单位账号"},
        ),
        migrations.RunPython(copy_links, restore_links),
    ]
