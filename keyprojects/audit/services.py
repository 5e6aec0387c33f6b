"""Writing audit events. Every other app calls :func:`audit_record`; nothing else writes the table."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from keyprojects.core.context import client_ip

from . import anchors, keys
from .chain import GENESIS, compute_mac
from .models import AuditEvent

SENSITIVE_KEYS = re.compile(r"pass|token|secret|otp|key", re.I)
_CRLF = str.maketrans({"\r": "\\r", "\n": "\\n"})


def _clean(value: Any) -> Any:
    """JSON-safe, with CR/LF escaped in strings (reliability.md 24)."""
    if isinstance(value, str):
        return value.translate(_CRLF)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, dict):
        return {str(k): ("***" if SENSITIVE_KEYS.search(str(k)) else _clean(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _lock_chain() -> None:
    # SQLite: the IMMEDIATE transaction already serialises writers. PostgreSQL: an advisory lock.
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(727271)")


def audit_record(
    *,
    action: str,
    user: Any = None,
    request: Any = None,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str = "",
    changes: dict[str, Any] | None = None,
    result: str = "success",
    message: str = "",
    username: str = "",
) -> AuditEvent:
    """Append one event. Runs inside the caller's transaction, so it commits or rolls back
    with the business change it describes; call it outside any transaction for events that
    must survive a failed request (failed logins, denials)."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    authed = user is not None and getattr(user, "is_authenticated", False)
    values: dict[str, Any] = {
        "at": timezone.now(),
        "actor_id": user.pk if authed else None,
        "actor_username": (user.get_username() if authed else username)[:150].translate(_CRLF),
        "actor_role": getattr(user, "role", "") if authed else "",
        "actor_region": (getattr(user, "region_id", "") or "") if authed else "",
        "ip": client_ip(request)[:45],
        "action": action,
        "object_type": obj._meta.label_lower if obj is not None else object_type,
        "object_id": str(obj.pk) if obj is not None else str(object_id),
        "object_repr": str(obj)[:200].translate(_CRLF) if obj is not None else "",
        "changes": _clean(changes or {}),
        "result": result,
        "message": _clean(message)[:500],
    }
    ring = keys.keyring()
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
        prev_id, prev = last or (0, GENESIS)
        values["hash"] = compute_mac(prev, values, key=ring.keys[ring.current], key_id=ring.current)
        event = AuditEvent.objects.create(prev_hash=prev, key_id=ring.current, **values)
        if anchors.maybe_anchor(prev_id=prev_id, new_id=event.id):
            transaction.on_commit(lambda: anchors.anchor_quietly("every"))
        return event


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields that changed."""
    return {k: [_clean(old.get(k)), _clean(v)] for k, v in new.items() if old.get(k) != v}


def audit_purge(*, older_than_days: int, user: Any = None) -> int:
    """Delete events older than ``older_than_days``; refuses anything inside the retention period."""
    from django.conf import settings

    from keyprojects.core.errors import PermissionDenied

    retention = max(180, int(getattr(settings, "KEYPROJECTS_AUDIT_RETENTION_DAYS", 180)))
    if older_than_days < retention:
        raise PermissionDenied(f"审计日志至少保留{retention}天，不能清除更近的记录")
    cutoff = timezone.now() - dt.timedelta(days=older_than_days)
    with transaction.atomic():
        n, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
        audit_record(action="audit_purge", user=user, changes={"deleted": n, "older_than_days": older_than_days})
    anchors.anchor_write(reason="purge")  # the row count drops legitimately: anchor the new head
    return n


def audit_rotate_key(*, user: Any = None) -> str:
    """Make a new HMAC key current (key file only); recorded and anchored. Returns the key id.
    With ``AUDIT_HMAC_KEY`` in the environment raises ``RuntimeError`` with the entry to add."""
    key_id, _where = keys.rotate()
    audit_record(action="audit_key_rotate", user=user, username="manage.py" if user is None else "", message=f"审计密钥轮换为 {key_id}")
    anchors.anchor_write(reason="rotate")
    return key_id
