"""``manage.py backup --output DIR``: database + uploaded files + manifest (see :mod:`keyprojects.core.backup`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from keyprojects.core import backup


class Command(BaseCommand):
    help = "备份数据库（SQLite 在线备份或 pg_dump -Fc）和上传文件到一个新目录，并写入含版本和 SHA-256 校验和的清单"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", required=True, help="备份目录（新建；已存在时必须为空）")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            manifest = backup.backup(Path(opts["output"]))
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        files = manifest["files"]
        size = sum(f["size"] for f in files)
        self.stdout.write(
            f"OK: backup written to {opts['output']} ({manifest['database']['vendor']}, {len(files)} files, {size / 1e6:.1f} MB, "
            f"{sum(manifest['rows'].values())} rows, audit events {manifest['audit']['count']})"
        )
