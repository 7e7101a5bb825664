from django.db import migrations

from core.migration_helpers import move_into_action_log


def forward(apps, schema_editor):
    move_into_action_log(
        apps,
        schema_editor,
        app_label="tasks",
        log_model="TaskLog",
        target_model="Task",
        target_column="task_id",
        prefix="task.",
        data={"department": "department_id", "progress": "progress"},
    )


class Migration(migrations.Migration):
    """The request log moves into the shared action log (core.ActionLog); 0008 drops the old table.
    Backwards the rows stay in the action log."""

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
        ("tasks", "0008_requestfield_allow_negative"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=True)]
