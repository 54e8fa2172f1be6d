"""The guidance opinion joins the cases app (it left the documents app's state in documents
0010). Its table keeps its name, documents_guidanceopinion, so no row moves. Its content type is
renamed from documents to cases, so that what points at an opinion through it (its issued
documents, its audit entries, the admin's history, permissions) keeps pointing at it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import portal.fields


def _rename(apps, old_label, new_label):
    ContentType = apps.get_model("contenttypes", "ContentType")
    old = ContentType.objects.filter(app_label=old_label, model="guidanceopinion").first()
    if old is None:
        return
    new = ContentType.objects.filter(app_label=new_label, model="guidanceopinion").first()
    if new is None:
        old.app_label = new_label
        old.save(update_fields=["app_label"])
        return
    # Both exist (content types were created for the new label meanwhile): point every
    # reference at the new one, then drop the old one.
    for app_label, model, fields in (
        ("documents", "Document", ["subject_type"]),
        ("portal", "LogEntry", ["content_type", "scope_content_type"]),
        ("admin", "LogEntry", ["content_type"]),
    ):
        try:
            Model = apps.get_model(app_label, model)
        except LookupError:
            continue
        for field in fields:
            Model._base_manager.filter(**{field: old}).update(**{field: new})
    Permission = apps.get_model("auth", "Permission")
    taken = set(Permission.objects.filter(content_type=new).values_list("codename", flat=True))
    Permission.objects.filter(content_type=old).exclude(codename__in=taken).update(content_type=new)
    old.delete()


def forwards(apps, schema_editor):
    _rename(apps, "documents", "cases")


def backwards(apps, schema_editor):
    _rename(apps, "cases", "documents")


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("cases", "0005_opinion_deadline_pause"),
        ("documents", "0010_guidanceopinion_moves_to_cases"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="GuidanceOpinion",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("draft", "起草中"),
                                    ("in_review", "待承办人审核"),
                                    ("approved", "待签发"),
                                    ("signed", "已签发"),
                                ],
                                db_index=True,
                                default="draft",
                                max_length=20,
                                verbose_name="状态",
                            ),
                        ),
                        (
                            "title",
                            models.CharField(
                                default="海外知识产权纠纷应对行政指导意见书", max_length=200, verbose_name="标题"
                            ),
                        ),
                        (
                            "addressee",
                            models.CharField(
                                help_text="一般为申请人名称，末尾不加冒号。", max_length=200, verbose_name="主送"
                            ),
                        ),
                        (
                            "dispute_summary",
                            models.TextField(
                                help_text="对纠纷的理解：当事人、经过、争议焦点。", verbose_name="一、纠纷基本情况"
                            ),
                        ),
                        (
                            "analysis",
                            models.TextField(
                                help_text="按纠纷国家/地区和权利类型逐项分析；每段一行，空行分段。",
                                verbose_name="二、分析意见（按国家/地区和权利类型）",
                            ),
                        ),
                        (
                            "responses",
                            portal.fields.ChoiceListField(
                                blank=True,
                                choices=[
                                    ("negotiation", "协商谈判"),
                                    ("licence", "许可"),
                                    ("invalidation", "无效宣告"),
                                    ("defence", "应诉抗辩"),
                                    ("mediation", "调解"),
                                    ("arbitration", "仲裁"),
                                    ("other", "其他"),
                                ],
                                default=list,
                                max_length=500,
                                verbose_name="建议应对方式",
                            ),
                        ),
                        (
                            "responses_detail",
                            models.TextField(
                                help_text="协商、许可、无效、应诉抗辩、调解、仲裁等具体建议。",
                                verbose_name="三、应对建议",
                            ),
                        ),
                        ("risks", models.TextField(blank=True, verbose_name="四、风险提示")),
                        ("next_steps", models.TextField(blank=True, verbose_name="五、下一步工作")),
                        (
                            "expert_opinions",
                            models.TextField(
                                blank=True,
                                help_text="可用“引用专家意见”自动填入，再行修改。",
                                verbose_name="专家意见摘要",
                            ),
                        ),
                        (
                            "referenced_laws",
                            models.TextField(blank=True, help_text="每行一项。", verbose_name="参考法律法规"),
                        ),
                        (
                            "service_providers",
                            models.TextField(blank=True, help_text="每行一项。", verbose_name="推荐服务机构"),
                        ),
                        ("copy_to", models.CharField(blank=True, max_length=300, verbose_name="抄送")),
                        ("reviewed_at", models.DateTimeField(blank=True, null=True, verbose_name="审核时间")),
                        ("review_note", models.TextField(blank=True, verbose_name="审核意见")),
                        ("signed_at", models.DateTimeField(blank=True, null=True, verbose_name="签发时间")),
                        ("revision", models.PositiveIntegerField(default=0, verbose_name="修订号")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                        (
                            "case",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="opinions",
                                to="cases.case",
                                verbose_name="案件",
                            ),
                        ),
                        (
                            "document",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="documents.document",
                                verbose_name="当前文书",
                            ),
                        ),
                        (
                            "drafted_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="起草人",
                            ),
                        ),
                        (
                            "reviewed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="审核人",
                            ),
                        ),
                        (
                            "signed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="签发人",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "行政指导意见书",
                        "verbose_name_plural": "行政指导意见书",
                        "ordering": ["-created_at"],
                        "db_table": "documents_guidanceopinion",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
