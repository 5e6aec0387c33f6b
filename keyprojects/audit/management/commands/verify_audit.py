"""``manage.py verify_audit``: walk the hash chain; exit code 1 on any problem (reliability.md 22)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from keyprojects.audit.models import AuditEvent
from keyprojects.audit.selectors import verify_chain


class Command(BaseCommand):
    help = "校验审计日志哈希链，发现篡改时以退出码 1 结束"

    def handle(self, *args: Any, **opts: Any) -> None:
        problems = 0
        for p in verify_chain():
            problems += 1
            self.stdout.write(f"PROBLEM: event {p.id}: {p.problem}")
        if problems:
            raise CommandError(f"{problems} problem(s) found: the audit log has been tampered with", returncode=1)
        self.stdout.write(f"OK: {AuditEvent.objects.count()} events, chain intact")
