"""The .docx rendering jobs move to the kernel (core.GeneratedFile): requests, teams and conflicts
render through them too, and they must not depend on the documents app for it.

The table stays; this migration only takes the model out of this app's state. The kernel's
migration takes it in, renames the table and its indexes and moves the content type.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0007_text_limits"),
    ]
    run_before = [
        ("core", "0002_generated_file"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="GeneratedFile")],
            database_operations=[],
        ),
    ]
