"""Reading and verifying the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from .chain import FIELDS, GENESIS, compute_hash
from .models import AuditEvent

AUDIT_READER_ROLES = {"auditor"}


def can_read_audit_log(user: Any) -> bool:
    """Only audit admins (and a superuser) read the whole log (三权分立, reliability.md 15)."""
    return bool(user and user.is_authenticated and (user.is_superuser or getattr(user, "role", "") in AUDIT_READER_ROLES))


def object_history(*, obj: Any) -> QuerySet[AuditEvent]:
    """The change history of one object; callers have already checked the object is visible."""
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("-id")


@dataclass
class ChainProblem:
    id: int
    problem: str


def verify_chain(batch: int = 5000) -> Iterator[ChainProblem]:
    """Walk the log in id order; yield every row whose hash or link does not match."""
    prev: str | None = None
    last_id = 0
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id").values("id", "prev_hash", "hash", *FIELDS)[:batch])
        if not rows:
            break
        for row in rows:
            if prev is None:
                prev = row["prev_hash"] if row["prev_hash"] else GENESIS  # the oldest kept row (older ones may be purged)
            if row["prev_hash"] != prev:
                yield ChainProblem(row["id"], "link broken: prev_hash does not match the previous row")
            if compute_hash(row["prev_hash"], row) != row["hash"]:
                yield ChainProblem(row["id"], "content changed: hash mismatch")
            prev = row["hash"]
            last_id = row["id"]
