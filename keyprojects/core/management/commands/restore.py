"""``manage.py restore DIR [--force]``: restore a ``manage.py backup`` directory, then verify it.

Refuses a database that already has tables, or a non-empty media directory, unless ``--force``.
After restoring, compares every table's row count with the manifest and runs ``verify_audit``;
exit code 1 when either fails.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from keyprojects.core import backup


class Command(BaseCommand):
    help = "从 manage.py backup 的目录恢复数据库和上传文件，然后核对行数并校验审计日志哈希链"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("source", help="备份目录（含 manifest.json）")
        parser.add_argument("--force", action="store_true", help="覆盖已有数据的数据库和上传文件目录")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            result = backup.restore(Path(opts["source"]), force=opts["force"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        self.stdout.write(
            f"restored {manifest['database']['vendor']} backup of {manifest['created_at']} "
            f"(keyprojects {manifest['versions'].get('keyprojects')}, commit {manifest['versions'].get('commit') or '-'}); "
            f"{result.media_files} uploaded files"
        )
        differences = backup.compare_rows(manifest["rows"], result.rows)
        if differences:
            raise CommandError("恢复后的行数与备份不符：" + "；".join(differences[:20]), returncode=1)
        self.stdout.write(f"OK: {len(result.rows)} tables, {sum(result.rows.values())} rows, same as the backup")
        out = io.StringIO()
        try:
            call_command("verify_audit", stdout=out)
        finally:
            self.stdout.write(out.getvalue().rstrip())
