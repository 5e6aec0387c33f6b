"""Backup → drop → restore drill (issue 12 §3) on the suite's own kind of database: SQLite when
the suite runs on SQLite, PostgreSQL (a database of its own, dropped afterwards) when it runs on
PostgreSQL. Everything runs as an operator would: ``manage.py`` under production settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)

FACTS = """
import json, django
django.setup()
from keyprojects.core.backup import table_rows, audit_head
print(json.dumps({"rows": table_rows(), "audit": audit_head()}))
"""

WRITE = """
import django
django.setup()
from keyprojects.audit.services import audit_record
from keyprojects.core.testing import ProjectFactory
for i in range(3):
    p = ProjectFactory(name=f"备份演练项目{i}", region_id="370102", plan=(2026, 100 + i, "county"))
    audit_record(action="update", obj=p, username="drill", changes={"note": ["", "备份演练"]})
    audit_record(action="view", obj=p, username="drill")
"""


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def python(env: dict[str, str], code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


@pytest.fixture
def database(tmp_path):
    """(DATABASE_URL, drop) for a database of this test's own, of the suite's kind."""
    if connection.vendor == "sqlite":
        path = tmp_path / "kp.sqlite3"

        def drop_sqlite() -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

        yield f"sqlite:///{path}", drop_sqlite
        return
    import psycopg

    params = connection.settings_dict
    name = f"kp_backup_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = {"host": params["HOST"] or None, "port": params["PORT"] or None, "user": params["USER"], "password": params["PASSWORD"] or None}

    def sql(statement: str) -> None:
        with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
            conn.execute(statement)

    def drop_pg() -> None:
        sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    sql(f'CREATE DATABASE "{name}"')
    auth = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
    try:
        yield (
            f"postgres://{auth}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{name}",
            lambda: (drop_pg(), sql(f'CREATE DATABASE "{name}"')),
        )
    finally:
        drop_pg()


def test_backup_drop_restore(tmp_path, database):
    url, drop = database
    var = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        SECRET_KEY="test-only-" + "k" * 50,
        ALLOWED_HOSTS="kp.example.gov.cn",
        DATABASE_URL=url,
        KEYPROJECTS_VAR_DIR=str(var),
    )
    proc = manage(env, "migrate", "-v", "0")
    assert proc.returncode == 0, proc.stderr[-3000:]
    python(env, WRITE)
    photo = var / "media" / "photos" / "2026" / "现场.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\xff\xd8\xff\xe0 photo bytes")
    before = json.loads(python(env, FACTS))
    assert before["audit"]["count"] >= 6 and before["rows"]["projects_project"] == 3

    out = tmp_path / "backup"
    proc = manage(env, "backup", "--output", str(out))
    assert proc.returncode == 0, proc.stderr[-3000:]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rows"] == before["rows"] and manifest["audit"] == before["audit"]
    assert {f["path"] for f in manifest["files"]} == {manifest["database"]["file"], "media/photos/2026/现场.jpg"}
    assert manifest["versions"]["django"] and manifest["migrations"]["audit"]

    # A restore onto the live database is refused without --force.
    proc = manage(env, "restore", str(out))
    assert proc.returncode != 0 and "--force" in proc.stderr

    drop()  # the disaster: database and uploaded files gone
    import shutil

    shutil.rmtree(var / "media")
    proc = manage(env, "restore", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert "chain intact" in proc.stdout and "same as the backup" in proc.stdout
    after = json.loads(python(env, FACTS))
    assert after == before
    assert photo.read_bytes() == b"\xff\xd8\xff\xe0 photo bytes"
    assert manage(env, "verify_audit").returncode == 0

    # A damaged backup is refused before anything is touched.
    db_file = out / manifest["database"]["file"]
    data = bytearray(db_file.read_bytes())
    data[-100] ^= 0xFF
    db_file.write_bytes(bytes(data))
    proc = manage(env, "restore", str(out), "--force")
    assert proc.returncode != 0 and "校验和不符" in proc.stderr
    assert json.loads(python(env, FACTS)) == before
