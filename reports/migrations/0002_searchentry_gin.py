"""The GIN index on the search vector, on PostgreSQL only (SQLite has no GIN; search there
falls back to icontains). Kept out of Meta.indexes so the model stays portable."""

from django.db import migrations

INDEX = "reports_searchentry_vector_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON reports_searchentry USING gin (vector)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
