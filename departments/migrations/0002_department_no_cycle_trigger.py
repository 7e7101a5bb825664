"""On PostgreSQL, refuse a department tree with a cycle in the database itself.

The model's clean() gives admins a readable form error; this trigger stops any
other writer (a script, a bulk update) from making a department its own
ancestor. SQLite has no recursive queries in triggers, so there the check
constraint against a direct self-parent and clean() are what guard it.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION departments_department_no_cycle() RETURNS trigger AS $$
BEGIN
  IF NEW.parent_id IS NOT NULL AND EXISTS (
    WITH RECURSIVE up(id, parent_id) AS (
      SELECT id, parent_id FROM departments_department WHERE id = NEW.parent_id
      UNION
      SELECT d.id, d.parent_id FROM departments_department d JOIN up ON d.id = up.parent_id
    )
    SELECT 1 FROM up WHERE id = NEW.id
  ) THEN
    RAISE EXCEPTION 'department % cannot be its own ancestor', NEW.id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'departments_department_no_cycle';
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER departments_department_no_cycle
  BEFORE INSERT OR UPDATE OF parent_id ON departments_department
  FOR EACH ROW EXECUTE FUNCTION departments_department_no_cycle();
"""

DROP = """
DROP TRIGGER IF EXISTS departments_department_no_cycle ON departments_department;
DROP FUNCTION IF EXISTS departments_department_no_cycle();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("departments", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
