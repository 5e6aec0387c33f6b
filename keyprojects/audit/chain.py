"""Hash chain: ``hash = SM3(prev_hash || canonical JSON of the row)`` (SHA-256 where OpenSSL lacks SM3)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS = "0" * 64
FIELDS = (
    "at",
    "actor_id",
    "actor_username",
    "actor_role",
    "actor_region",
    "ip",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "result",
    "message",
)


def _hasher() -> Any:
    try:
        return hashlib.new("sm3")
    except ValueError:  # pragma: no cover - OpenSSL without SM3
        return hashlib.sha256()


def canonical(values: dict[str, Any]) -> str:
    payload = {k: values[k] for k in FIELDS}
    at = payload["at"]
    payload["at"] = at.isoformat(timespec="microseconds") if hasattr(at, "isoformat") else str(at)
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def compute_hash(prev_hash: str, values: dict[str, Any]) -> str:
    h = _hasher()
    h.update(prev_hash.encode("ascii"))
    h.update(canonical(values).encode("utf-8"))
    return str(h.hexdigest())
