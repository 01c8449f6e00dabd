"""Refuse UPDATE on the activity log in the database itself, so that even raw SQL cannot
quietly rewrite history; the hash chain catches whatever gets past this."""

from django.db import migrations

SQLITE_UP = """
CREATE TRIGGER tenancy_activitylog_no_update BEFORE UPDATE ON tenancy_activitylog
BEGIN SELECT RAISE(ABORT, 'the activity log is append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS tenancy_activitylog_no_update;"
POSTGRES_UP = """
CREATE OR REPLACE FUNCTION tenancy_activitylog_refuse_update() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'the activity log is append-only'; END; $$ LANGUAGE plpgsql;
CREATE TRIGGER tenancy_activitylog_no_update BEFORE UPDATE ON tenancy_activitylog
FOR EACH ROW EXECUTE FUNCTION tenancy_activitylog_refuse_update();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS tenancy_activitylog_no_update ON tenancy_activitylog;
DROP FUNCTION IF EXISTS tenancy_activitylog_refuse_update();
"""


def _run(statements: dict[str, str]):
    def apply(apps, schema_editor):
        sql = statements.get(schema_editor.connection.vendor)
        if sql:
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
