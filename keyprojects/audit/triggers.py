"""Database triggers that make the audit table append-only (reliability.md 22-23).

UPDATE is always refused; DELETE is refused for rows younger than 180 days; TRUNCATE
(PostgreSQL) is refused. Used by migration 0002 and by the test harness, which must lift them
for the flush that ends a transactional (browser) test.
"""

from __future__ import annotations

from typing import Any

SQLITE_INSTALL = [
    """CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;""",
    """CREATE TRIGGER IF NOT EXISTS audit_no_early_delete BEFORE DELETE ON audit_auditevent
       WHEN julianday(OLD.at) > julianday('now', '-180 days')
       BEGIN SELECT RAISE(ABORT, 'audit records are kept at least 180 days'); END;""",
]
SQLITE_UNINSTALL = ["DROP TRIGGER IF EXISTS audit_no_update;", "DROP TRIGGER IF EXISTS audit_no_early_delete;"]

POSTGRES_INSTALL = [
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
    """CREATE OR REPLACE FUNCTION audit_guard_truncate() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE OR REPLACE TRIGGER audit_guard BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_guard();""",
    """CREATE OR REPLACE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_guard_truncate();""",
]
POSTGRES_UNINSTALL = [
    "DROP TRIGGER IF EXISTS audit_guard ON audit_auditevent;",
    "DROP TRIGGER IF EXISTS audit_no_truncate ON audit_auditevent;",
]


def _statements(vendor: str, install: bool) -> list[str]:
    if vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_UNINSTALL
    if vendor == "postgresql":
        return POSTGRES_INSTALL if install else POSTGRES_UNINSTALL
    return []


def install(connection: Any) -> None:
    with connection.cursor() as cur:
        for sql in _statements(connection.vendor, True):
            cur.execute(sql)


def uninstall(connection: Any) -> None:
    with connection.cursor() as cur:
        for sql in _statements(connection.vendor, False):
            cur.execute(sql)
