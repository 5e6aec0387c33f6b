"""Anchors: the head of the audit chain (id, hash, row count) copied outside the database.

Someone with database access but without the anchors can neither delete the newest events nor
rewrite the chain unnoticed: ``verify_audit`` checks that every anchored event still exists with
the anchored hash and that the newest anchor's row count still holds.

An anchor is one JSON line appended to ``KEYPROJECTS_AUDIT_ANCHOR_FILE`` (environment
``AUDIT_ANCHOR_FILE``, default ``var/audit-anchors.jsonl``) and, when
``KEYPROJECTS_AUDIT_ANCHOR_SYSLOG`` is on, one syslog message (facility AUTHPRIV): the syslog
copy is the one to forward to a log host the database administrator cannot reach. Each line
carries an HMAC with the current audit key, so a forged line is reported too.

Anchors are written by ``manage.py anchor_audit``, at the end of every ``verify_audit``, after a
purge or a key rotation, and after every ``KEYPROJECTS_AUDIT_ANCHOR_EVERY`` events (when an event
id crosses a multiple of it; cheap: one small query once per N events).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from . import keys
from .chain import mac_text
from .models import AuditEvent

logger = logging.getLogger("keyprojects.audit.anchor")


def anchor_file() -> Path:
    return Path(getattr(settings, "KEYPROJECTS_AUDIT_ANCHOR_FILE", None) or Path(settings.VAR_DIR) / "audit-anchors.jsonl")


def _payload(a: dict[str, Any]) -> str:
    return f"{a['at']}|{a['id']}|{a['hash']}|{a['count']}"


def head() -> dict[str, Any]:
    """The newest event's id and hash and the number of events up to it."""
    row = AuditEvent.objects.order_by("-id").values("id", "hash").first()
    if row is None:
        return {"id": 0, "hash": "", "count": 0}
    return {"id": row["id"], "hash": row["hash"], "count": AuditEvent.objects.filter(id__lte=row["id"]).count()}


def anchor_write(*, reason: str = "") -> dict[str, Any]:
    """Append the current chain head to the anchor file and syslog; returns the anchor."""
    ring = keys.keyring()
    anchor: dict[str, Any] = {"at": timezone.now().isoformat(timespec="seconds"), **head(), "key_id": ring.current}
    anchor["mac"] = mac_text(_payload(anchor), key=ring.keys[ring.current])
    if reason:
        anchor["reason"] = reason
    line = json.dumps(anchor, sort_keys=True, ensure_ascii=False)
    path = anchor_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    if getattr(settings, "KEYPROJECTS_AUDIT_ANCHOR_SYSLOG", False):
        try:
            import syslog

            syslog.openlog("keyprojects-audit", 0, syslog.LOG_AUTHPRIV)
            syslog.syslog(syslog.LOG_NOTICE, f"audit anchor {line}")
        except (ImportError, OSError):  # pragma: no cover - no syslog on this platform
            logger.warning("audit anchor not sent to syslog")
    logger.info("audit anchor %s", line)
    return anchor


def anchor_quietly(reason: str) -> None:
    """For on_commit hooks inside requests: an anchor that cannot be written is logged, never raised."""
    try:
        anchor_write(reason=reason)
    except Exception:  # a full disk must not fail the user's request
        logger.exception("audit anchor could not be written")


def maybe_anchor(*, prev_id: int, new_id: int) -> bool:
    """Whether an event id crossed a multiple of ``KEYPROJECTS_AUDIT_ANCHOR_EVERY``."""
    every = int(getattr(settings, "KEYPROJECTS_AUDIT_ANCHOR_EVERY", 0) or 0)
    return every > 0 and new_id // every > prev_id // every


def read_anchors() -> Iterator[tuple[int, dict[str, Any] | None]]:
    """(line number, anchor or None when the line is unreadable)."""
    path = anchor_file()
    if not path.exists():
        return
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                a = json.loads(line)
                int(a["id"]), int(a["count"]), str(a["hash"]), str(a["mac"]), str(a["key_id"])
            except (ValueError, KeyError, TypeError):
                yield n, None
                continue
            yield n, a


@dataclass
class AnchorProblem:
    line: int
    problem: str


def verify_anchors() -> Iterator[AnchorProblem]:
    """Compare every anchor with the table; yield what does not match."""
    ring = keys.keyring()
    oldest = AuditEvent.objects.order_by("id").values_list("id", flat=True).first()
    latest: tuple[int, dict[str, Any]] | None = None
    for n, a in read_anchors():
        if a is None:
            yield AnchorProblem(n, "anchor line unreadable")
            continue
        key = ring.key(a["key_id"])
        if key is None:
            yield AnchorProblem(n, f"anchor signed with unknown key {a['key_id']!r}")
            continue
        if mac_text(_payload(a), key=key) != a["mac"]:
            yield AnchorProblem(n, "anchor line changed: MAC mismatch")
            continue
        latest = (n, a)
        if a["id"] == 0:
            continue
        row = AuditEvent.objects.filter(id=a["id"]).values_list("hash", flat=True).first()
        if row is None:
            if oldest is None or a["id"] >= oldest:
                yield AnchorProblem(n, f"event {a['id']} named by the anchor of {a['at']} is missing: events were deleted")
        elif row != a["hash"]:
            yield AnchorProblem(n, f"event {a['id']} differs from the anchor of {a['at']}: the chain was rewritten")
    if latest is not None:
        n, a = latest
        count = AuditEvent.objects.filter(id__lte=a["id"]).count()
        if count != a["count"]:
            yield AnchorProblem(n, f"the newest anchor ({a['at']}) counted {a['count']} events up to {a['id']}, now {count}")
