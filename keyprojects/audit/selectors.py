"""Reading and verifying the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from keyprojects.accounts import policy

from . import keys
from .chain import FIELDS, GENESIS, compute_hash, compute_mac
from .models import AuditEvent


def can_read_audit_log(user: Any) -> bool:
    """Only audit admins (and a superuser) read the whole log (三权分立, reliability.md 15)."""
    return policy.can_read_audit(user)


def object_history(*, obj: Any) -> QuerySet[AuditEvent]:
    """The change history of one object; callers have already checked the object is visible."""
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("-id")


@dataclass
class ChainProblem:
    id: int
    problem: str


def verify_chain(batch: int = 5000) -> Iterator[ChainProblem]:
    """Walk the log in id order; yield every row whose hash or link does not match.

    Keyed rows are checked with the HMAC key they name; an unkeyed (legacy) row is accepted only
    before the first keyed row, so rewriting the log without the key is always found."""
    ring = keys.keyring()
    prev: str | None = None
    last_id = 0
    keyed_seen = False
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id").values("id", "prev_hash", "hash", "key_id", *FIELDS)[:batch])
        if not rows:
            break
        for row in rows:
            if prev is None:
                prev = row["prev_hash"] if row["prev_hash"] else GENESIS  # the oldest kept row (older ones may be purged)
            if row["prev_hash"] != prev:
                yield ChainProblem(row["id"], "link broken: prev_hash does not match the previous row")
            if row["key_id"]:
                keyed_seen = True
                key = ring.key(row["key_id"])
                if key is None:
                    yield ChainProblem(row["id"], f"signed with unknown key {row['key_id']!r}")
                elif compute_mac(row["prev_hash"], row, key=key, key_id=row["key_id"]) != row["hash"]:
                    yield ChainProblem(row["id"], "content changed: hash mismatch")
            elif keyed_seen:
                yield ChainProblem(row["id"], "unkeyed row after keyed rows: rewritten without the key")
            elif compute_hash(row["prev_hash"], row) != row["hash"]:
                yield ChainProblem(row["id"], "content changed: hash mismatch")
            prev = row["hash"]
            last_id = row["id"]


def search_events(
    *,
    action: str = "",
    username: str = "",
    object_type: str = "",
    start: Any = None,
    end: Any = None,
    text: str = "",
) -> QuerySet[AuditEvent]:
    """The log filtered for the audit page and its export; ``start``/``end`` are aware datetimes
    (``end`` exclusive). Callers have checked :func:`can_read_audit_log`."""
    qs = AuditEvent.objects.all()
    if action:
        qs = qs.filter(action=action)
    if username:
        qs = qs.filter(actor_username__icontains=username)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if start is not None:
        qs = qs.filter(at__gte=start)
    if end is not None:
        qs = qs.filter(at__lt=end)
    if text:
        qs = qs.filter(
            Q(object_repr__icontains=text) | Q(message__icontains=text) | Q(object_id=text) | Q(ip=text) | Q(actor_username__icontains=text)
        )
    return qs.order_by("-id")


def distinct_values(field: str) -> list[str]:
    """Values present in the log for a filter drop-down (``action`` or ``object_type``)."""
    if field not in ("action", "object_type"):
        raise ValueError(field)
    return [v for v in AuditEvent.objects.order_by(field).values_list(field, flat=True).distinct() if v]
