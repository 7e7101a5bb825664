from django.db import migrations

from core.migration_helpers import move_into_action_log


def forward(apps, schema_editor):
    move_into_action_log(
        apps,
        schema_editor,
        app_label="teams",
        log_model="TeamLog",
        target_model="Team",
        target_column="team_id",
        prefix="team.",
        acting_for=False,
        reason=False,
    )


class Migration(migrations.Migration):
    """The team log moves into the shared action log (core.ActionLog); 0005 drops the old table.
    Backwards the rows stay in the action log."""

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
        ("teams", "0004_action_item_label"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=True)]
