"""``manage.py verify_audit``: walk the keyed hash chain and compare it with the anchors kept
outside the database; exit code 1 on any problem (reliability.md 22). When all is well the
current head is anchored (``--no-anchor`` skips that)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from keyprojects.audit.anchors import anchor_file, anchor_write, verify_anchors
from keyprojects.audit.models import AuditEvent
from keyprojects.audit.selectors import verify_chain


class Command(BaseCommand):
    help = "校验审计日志哈希链（HMAC-SM3）和库外锚点，发现篡改时以退出码 1 结束"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-anchor", action="store_true", help="校验通过后不写新锚点")

    def handle(self, *args: Any, **opts: Any) -> None:
        problems = 0
        for p in verify_chain():
            problems += 1
            self.stdout.write(f"PROBLEM: event {p.id}: {p.problem}")
        for a in verify_anchors():
            problems += 1
            self.stdout.write(f"PROBLEM: anchor line {a.line} of {anchor_file()}: {a.problem}")
        if problems:
            raise CommandError(f"{problems} problem(s) found: the audit log has been tampered with", returncode=1)
        self.stdout.write(f"OK: {AuditEvent.objects.count()} events, chain intact")
        if not opts["no_anchor"]:
            a = anchor_write(reason="verify")
            sys.stderr.write(f"anchored: event {a['id']}, {a['count']} events -> {anchor_file()}\n")
