"""The kernel takes over the .docx rendering jobs from the documents app (documents 0008 lets go of
them): the same table, renamed from documents_generatedfile to core_generatedfile, with its rows,
and the same content type (moved to this app, so admin permissions and the admin log keep
pointing at it). Its indexes and unique constraint take this app's names.

On a new database the documents app's migrations create the table first and this one renames it,
so every database ends in the same shape.
"""


import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def content_type_to(app_label: str, other: str):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        types = ContentType.objects.using(schema_editor.connection.alias)
        if not types.filter(app_label=app_label, model="generatedfile").exists():
            types.filter(app_label=other, model="generatedfile").update(app_label=app_label)

    return move


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
        ("documents", "0007_text_limits"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="GeneratedFile",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("object_id", models.PositiveBigIntegerField()),
                        ("kind", models.CharField(max_length=30, verbose_name="kind")),
                        ("version", models.CharField(max_length=64, verbose_name="version")),
                        ("status", models.CharField(choices=[("queued", "Queued"), ("rendering", "Rendering"), ("ready", "Ready"), ("failed", "Failed")], default="queued", max_length=10, verbose_name="status")),
                        ("file", models.FileField(blank=True, max_length=200, upload_to="generated/%Y/%m/", verbose_name="file")),
                        ("problems", models.JSONField(blank=True, default=list, verbose_name="layout problems")),
                        ("error", models.TextField(blank=True, verbose_name="error")),
                        ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="attempts")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="created")),
                        ("claimed_at", models.DateTimeField(blank=True, null=True, verbose_name="last claimed by a worker")),
                        ("queued_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="last queued")),
                        ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="finished")),
                        ("seconds", models.FloatField(blank=True, null=True, verbose_name="rendering time (s)")),
                        ("content_type", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="contenttypes.contenttype")),
                    ],
                    options={
                        "verbose_name": "generated file",
                        "verbose_name_plural": "generated files",
                        "ordering": ["-created_at", "-pk"],
                        "db_table": "documents_generatedfile",
                        "indexes": [
                            models.Index(fields=["content_type", "object_id", "kind", "-created_at"], name="documents_g_content_3091cf_idx"),
                            models.Index(condition=models.Q(("status__in", ["queued", "rendering"])), fields=["status"], name="documents_genfile_busy"),
                        ],
                        "constraints": [
                            models.UniqueConstraint(fields=("content_type", "object_id", "kind", "version"), name="documents_generatedfile_one_per_version"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        # The table, its indexes and its constraint take this app's names.
        migrations.AlterModelTable(name="generatedfile", table=None),
        migrations.RenameIndex(model_name="generatedfile", new_name="core_genfile_latest", old_name="documents_g_content_3091cf_idx"),
        migrations.RenameIndex(model_name="generatedfile", new_name="core_genfile_busy", old_name="documents_genfile_busy"),
        migrations.RemoveConstraint(model_name="generatedfile", name="documents_generatedfile_one_per_version"),
        migrations.AddConstraint(
            model_name="generatedfile",
            constraint=models.UniqueConstraint(fields=("content_type", "object_id", "kind", "version"), name="core_generatedfile_one_per_version"),
        ),
        migrations.RunPython(content_type_to("core", "documents"), content_type_to("documents", "core")),
    ]
