"""Hash chain of the audit log.

A keyed event (``key_id`` set) carries ``hash = HMAC-SM3(key, prev_hash || canonical JSON of the
row, key id included)``: without the key, nobody can recompute a valid chain after editing or
deleting rows. Events written before keys existed (empty ``key_id``) carry the plain
``SM3(prev_hash || canonical JSON)`` of :func:`compute_hash`; they are accepted only before the
first keyed event. SHA-256 replaces SM3 where OpenSSL lacks it.
"""

from __future__ import annotations

import hashlib
import hmac
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


def _digest_name() -> str:
    try:
        hashlib.new("sm3")
    except ValueError:  # pragma: no cover - OpenSSL without SM3
        return "sha256"
    return "sm3"


DIGEST = _digest_name()


def canonical(values: dict[str, Any], *, key_id: str = "") -> str:
    payload = {k: values[k] for k in FIELDS}
    at = payload["at"]
    payload["at"] = at.isoformat(timespec="microseconds") if hasattr(at, "isoformat") else str(at)
    if key_id:
        payload["key_id"] = key_id
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def compute_hash(prev_hash: str, values: dict[str, Any]) -> str:
    """The unkeyed hash of events written before the HMAC keys (legacy rows)."""
    h = hashlib.new(DIGEST)
    h.update(prev_hash.encode("ascii"))
    h.update(canonical(values).encode("utf-8"))
    return str(h.hexdigest())


def compute_mac(prev_hash: str, values: dict[str, Any], *, key: bytes, key_id: str) -> str:
    """The keyed hash of an event (HMAC-SM3)."""
    mac = hmac.new(key, digestmod=DIGEST)
    mac.update(prev_hash.encode("ascii"))
    mac.update(canonical(values, key_id=key_id).encode("utf-8"))
    return mac.hexdigest()


def mac_text(text: str, *, key: bytes) -> str:
    return hmac.new(key, text.encode("utf-8"), digestmod=DIGEST).hexdigest()
