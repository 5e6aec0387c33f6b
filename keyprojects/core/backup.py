"""Backup and restore of the database and the uploaded files (issue 12 §3).

A backup is one directory::

    manifest.json        versions, migrations, row counts, audit chain head, SHA-256 of every file
    database.sqlite3     SQLite: a consistent copy taken with SQLite's online backup API
    database.pgdump      PostgreSQL: ``pg_dump -Fc`` (custom format, for ``pg_restore``)
    media/...            the uploaded files (``MEDIA_ROOT``, site photos)

Both are taken while the application runs: SQLite's backup API copies a consistent snapshot
page by page; ``pg_dump`` reads one snapshot. Files uploaded during the backup may be missing
from it, never half-written (each is copied whole and then checksummed).

:func:`restore` first checks every checksum, refuses a database that already holds tables
(unless ``force``), restores the database and the files, compares the row counts with the
manifest and walks the audit hash chain. A backup restores onto the same kind of database it
was taken from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

MANIFEST = "manifest.json"
FORMAT = 1
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
MEDIA_DIR = "media"


class BackupError(Exception):
    """A backup or restore that cannot proceed; the message says why, in Chinese."""


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    rows: dict[str, int] = field(default_factory=dict)
    media_files: int = 0


# ---- helpers -----------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _db() -> dict[str, Any]:
    return settings.DATABASES[DEFAULT_DB_ALIAS]


def _vendor() -> str:
    return connections[DEFAULT_DB_ALIAS].vendor  # "sqlite" or "postgresql"


def _pg_env() -> dict[str, str]:
    db = _db()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD"), ("PGDATABASE", "NAME")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = str(db["OPTIONS"]["sslmode"])
    return env


def _run(cmd: list[str]) -> str:
    if shutil.which(cmd[0]) is None:
        raise BackupError(f"找不到 {cmd[0]}：请安装 PostgreSQL 客户端（Debian：apt-get install postgresql-client）")
    proc = subprocess.run(cmd, env=_pg_env(), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise BackupError(f"{cmd[0]} 失败（退出码 {proc.returncode}）：{proc.stderr.strip()[-2000:]}")
    return proc.stdout


def app_version() -> dict[str, Any]:
    root = Path(settings.BASE_DIR)
    version: dict[str, Any] = {}
    try:
        version["keyprojects"] = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        version["keyprojects"] = None
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10, check=False)
        version["commit"] = commit.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        version["commit"] = None
    if version["commit"] is None and (root / "VERSION").exists():  # an installed release archive
        version["commit"] = (root / "VERSION").read_text(encoding="utf-8").strip() or None
    version.update(django=django.get_version(), python=platform.python_version())
    return version


def table_rows() -> dict[str, int]:
    """Row count of every table, for comparing a restore with its backup."""
    conn = connections[DEFAULT_DB_ALIAS]
    qn = conn.ops.quote_name
    with conn.cursor() as cursor:
        names = sorted(conn.introspection.table_names(cursor, include_views=False))
        rows = {}
        for name in names:
            cursor.execute(f"SELECT COUNT(*) FROM {qn(name)}")
            rows[name] = int(cursor.fetchone()[0])
    return rows


def applied_migrations() -> dict[str, str]:
    from django.db.migrations.recorder import MigrationRecorder

    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connections[DEFAULT_DB_ALIAS]).applied_migrations():
        if name > latest.get(app, ""):
            latest[app] = name
    return dict(sorted(latest.items()))


def audit_head() -> dict[str, Any]:
    from keyprojects.audit.models import AuditEvent

    head = AuditEvent.objects.order_by("-id").values("id", "hash").first()
    return {"count": AuditEvent.objects.count(), "head_id": head and head["id"], "head_hash": head and head["hash"]}


def _sqlite_facts(db: sqlite3.Connection) -> tuple[dict[str, int], dict[str, Any], dict[str, str]]:
    """Row counts, audit head and migrations of a SQLite copy (same table list as Django's introspection)."""
    names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'sqlite_sequence'")]
    rows = {name: int(db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]) for name in sorted(names)}
    head = db.execute("SELECT id, hash FROM audit_auditevent ORDER BY id DESC LIMIT 1").fetchone()
    audit = {"count": rows.get("audit_auditevent", 0), "head_id": head and head[0], "head_hash": head and head[1]}
    migrations: dict[str, str] = {}
    for app, name in db.execute("SELECT app, name FROM django_migrations"):
        if name > migrations.get(app, ""):
            migrations[app] = name
    return rows, audit, dict(sorted(migrations.items()))


def _database_server() -> str:
    conn = connections[DEFAULT_DB_ALIAS]
    if conn.vendor == "sqlite":
        return sqlite3.sqlite_version
    with conn.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return str(cursor.fetchone()[0])


def _database_has_tables() -> bool:
    conn = connections[DEFAULT_DB_ALIAS]
    with conn.cursor() as cursor:
        return bool(conn.introspection.table_names(cursor, include_views=False))


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


# ---- backup ------------------------------------------------------------------------------------


def backup(output: Path) -> dict[str, Any]:
    """Write a backup into ``output`` (created; must not hold anything yet). Returns the manifest."""
    output = Path(output)
    if output.exists() and any(output.iterdir()):
        raise BackupError(f"目标目录 {output} 不为空：每次备份请使用新的目录")
    output.mkdir(parents=True, exist_ok=True)
    # The dump holds password hashes and personal data: the backup directory is its owner's only,
    # whatever the umask of the shell it was started from (the systemd unit has 0077, root's shell 0022).
    output.chmod(0o700)
    vendor = _vendor()
    started = dt.datetime.now(dt.UTC)
    tools: dict[str, str] = {}
    if vendor == "sqlite":
        db_file = output / SQLITE_FILE
        conn = connections[DEFAULT_DB_ALIAS]
        conn.ensure_connection()
        dest = sqlite3.connect(db_file)
        try:
            with dest:
                conn.connection.backup(dest)  # online backup API: a consistent snapshot
            rows, head, migrations = _sqlite_facts(dest)  # counted in the copy itself
        finally:
            dest.close()
    elif vendor == "postgresql":
        db_file = output / PG_FILE
        tools["pg_dump"] = _run(["pg_dump", "--version"]).strip()
        # Count in the very snapshot pg_dump copies, so a busy server gives matching numbers.
        with transaction.atomic():
            with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            rows, head, migrations = table_rows(), audit_head(), applied_migrations()
            _run(["pg_dump", "-Fc", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", "-f", str(db_file)])
    else:
        raise BackupError(f"不支持的数据库：{vendor}")
    files = [db_file]
    media = _media_root()
    if media.is_dir():
        for src in sorted(p for p in media.rglob("*") if p.is_file() and not p.is_symlink()):
            dest_file = output / MEDIA_DIR / src.relative_to(media)
            dest_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            shutil.copy2(src, dest_file)
            files.append(dest_file)
    manifest = {
        "format": FORMAT,
        "created_at": started.isoformat(),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(),
        "versions": {**app_version(), "database_server": _database_server(), **tools},
        "database": {"vendor": vendor, "file": db_file.name},
        "migrations": migrations,
        "rows": rows,
        "audit": head,
        "files": [{"path": f.relative_to(output).as_posix(), "size": f.stat().st_size, "sha256": sha256_file(f)} for f in files],
    }
    (output / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for path in [*files, output / MANIFEST]:
        path.chmod(0o600)
    return manifest


# ---- restore -----------------------------------------------------------------------------------


def read_manifest(source: Path) -> dict[str, Any]:
    path = Path(source) / MANIFEST
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupError(f"{source} 不是备份目录：缺少 {MANIFEST}") from exc
    except (OSError, ValueError) as exc:
        raise BackupError(f"无法读取 {path}：{exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式 {manifest.get('format')!r} 不受支持（本版本为 {FORMAT}）")
    return manifest


def verify_files(source: Path, manifest: dict[str, Any]) -> None:
    bad = []
    for entry in manifest["files"]:
        path = Path(source) / entry["path"]
        if not path.is_file():
            bad.append(f"{entry['path']}（缺失）")
        elif path.stat().st_size != entry["size"] or sha256_file(path) != entry["sha256"]:
            bad.append(f"{entry['path']}（校验和不符）")
    if bad:
        raise BackupError("备份已损坏，未做任何恢复：" + "，".join(bad[:10]))


def restore(source: Path, *, force: bool = False) -> RestoreResult:
    """Restore ``source`` onto the configured database and ``MEDIA_ROOT``."""
    source = Path(source)
    manifest = read_manifest(source)
    verify_files(source, manifest)
    vendor = _vendor()
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(f"这是 {manifest['database']['vendor']} 数据库的备份，不能恢复到 {vendor} 数据库")
    media = _media_root()
    media_busy = media.is_dir() and any(media.iterdir())
    if not force and (_database_has_tables() or media_busy):
        where = "数据库已有数据表" if _database_has_tables() else f"上传文件目录 {media} 不为空"
        raise BackupError(f"{where}：恢复会覆盖现有数据，已拒绝。确认覆盖请加 --force")
    db_file = source / manifest["database"]["file"]
    conn = connections[DEFAULT_DB_ALIAS]
    if vendor == "sqlite":
        conn.ensure_connection()
        src = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
        try:
            src.backup(conn.connection)  # replaces the whole database, in one step
        finally:
            src.close()
        conn.close()
    else:
        if force:
            with conn.cursor() as cursor:
                cursor.execute("DROP SCHEMA IF EXISTS public CASCADE")
                cursor.execute("CREATE SCHEMA public")
        conn.close()
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                "-d",
                str(_db()["NAME"]),
                str(db_file),
            ]
        )
    # Files: replace the media directory with the backup's.
    if media.exists():
        shutil.rmtree(media)
    media.mkdir(parents=True, exist_ok=True)
    count = 0
    backup_media = source / MEDIA_DIR
    if backup_media.is_dir():
        for entry in manifest["files"]:
            if entry["path"].startswith(MEDIA_DIR + "/"):
                dest = media / entry["path"][len(MEDIA_DIR) + 1 :]
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source / entry["path"], dest)
                count += 1
    return RestoreResult(manifest=manifest, rows=table_rows(), media_files=count)


def compare_rows(expected: dict[str, int], actual: dict[str, int]) -> list[str]:
    """Tables whose row count differs from the backup's (a restore must give them back exactly)."""
    return [
        f"{name}: 备份 {expected.get(name)} 行，恢复后 {actual.get(name)} 行"
        for name in sorted(set(expected) | set(actual))
        if expected.get(name) != actual.get(name)
    ]
