"""A backup is its owner's only, whatever the umask of the shell it was started from: README's first
backup runs as root from a login shell (umask 0022), which left the database dump, with every
password hash and personal datum in it, readable by every local user."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def test_backup_is_readable_by_its_owner_only(tmp_path):
    # The tables the manifest reads; the rest of the schema does not matter to file modes.
    db = tmp_path / "kp.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE audit_auditevent (id INTEGER PRIMARY KEY, hash TEXT)")
        conn.execute("CREATE TABLE django_migrations (id INTEGER PRIMARY KEY, app TEXT, name TEXT)")
        conn.execute("INSERT INTO audit_auditevent (hash) VALUES ('h1')")
    var = tmp_path / "var"
    photo = var / "media" / "photos" / "site.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\xff\xd8photo")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        SECRET_KEY="test-only-" + "k" * 50,
        ALLOWED_HOSTS="kp.example.gov.cn",
        DATABASE_URL=f"sqlite:///{db}",
        KEYPROJECTS_VAR_DIR=str(var),
    )
    output = tmp_path / "backups" / "first"
    cmd = [sys.executable, "manage.py", "backup", "--output", str(output)]
    proc = subprocess.run(cmd, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120, umask=0o022)
    assert proc.returncode == 0, proc.stderr[-3000:]

    def mode(path: Path) -> str:
        return oct(stat.S_IMODE(path.stat().st_mode))

    assert mode(output) == "0o700"
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    written = sorted([entry["path"] for entry in manifest["files"]] + ["manifest.json"])
    assert written == ["database.sqlite3", "manifest.json", "media/photos/site.jpg"]
    assert {name: mode(output / name) for name in written} == dict.fromkeys(written, "0o600")
