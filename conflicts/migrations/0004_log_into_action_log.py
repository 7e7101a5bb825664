from django.db import migrations

from core.migration_helpers import move_into_action_log


def forward(apps, schema_editor):
    move_into_action_log(
        apps,
        schema_editor,
        app_label="conflicts",
        log_model="ConflictLog",
        target_model="Conflict",
        target_column="conflict_id",
        prefix="conflict.",
        comment_column="text",
        reason=False,
        data={"department": "department_id"},
    )


class Migration(migrations.Migration):
    """The conflict log moves into the shared action log (core.ActionLog); 0005 drops the old table.
    Backwards the rows stay in the action log."""

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
        ("conflicts", "0003_alter_conflict_decision_alter_conflict_proposal_and_more"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=True)]
