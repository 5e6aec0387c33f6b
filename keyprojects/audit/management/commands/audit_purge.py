"""``manage.py audit_purge --older-than-days N``: delete events older than N days.

Refused for N below the retention period (at least 180 days, reliability.md 23); the database
trigger refuses younger deletions as well.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from keyprojects.audit.services import audit_purge
from keyprojects.core.errors import PermissionDenied


class Command(BaseCommand):
    help = "清除早于指定天数的审计日志（不少于180天）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--older-than-days", type=int, required=True, dest="older_than_days", help="清除早于该天数的记录（≥180）")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            n = audit_purge(older_than_days=opts["older_than_days"])
        except PermissionDenied as exc:
            raise CommandError(exc.message, returncode=2) from exc
        self.stdout.write(f"已清除 {n} 条早于 {opts['older_than_days']} 天的审计记录")
