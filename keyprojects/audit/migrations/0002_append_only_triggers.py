"""Make the audit table append-only in the database itself (reliability.md 22-23).

UPDATE is always refused; DELETE is refused for rows younger than 180 days.
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;""",
    """CREATE TRIGGER audit_no_early_delete BEFORE DELETE ON audit_auditevent
       WHEN julianday(OLD.at) > julianday('now', '-180 days')
       BEGIN SELECT RAISE(ABORT, 'audit records are kept at least 180 days'); END;""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_no_update;", "DROP TRIGGER IF EXISTS audit_no_early_delete;"]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION audit_guard() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE' THEN
           RAISE EXCEPTION 'audit log is append-only';
         END IF;
         IF TG_OP = 'DELETE' AND OLD.at > now() - interval '180 days' THEN
           RAISE EXCEPTION 'audit records are kept at least 180 days';
         END IF;
         RETURN OLD;
       END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER audit_guard BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_guard();""",
    """CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_guard_truncate();""",
]
POSTGRES_TRUNCATE_FN = """CREATE OR REPLACE FUNCTION audit_guard_truncate() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql;"""
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS audit_guard ON audit_auditevent;",
    "DROP TRIGGER IF EXISTS audit_no_truncate ON audit_auditevent;",
    "DROP FUNCTION IF EXISTS audit_guard();",
    "DROP FUNCTION IF EXISTS audit_guard_truncate();",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = SQLITE
    elif vendor == "postgresql":
        statements = [POSTGRES_TRUNCATE_FN, *POSTGRES]
    else:  # pragma: no cover
        return
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in SQLITE_DROP if vendor == "sqlite" else POSTGRES_DROP if vendor == "postgresql" else []:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
