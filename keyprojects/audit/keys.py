"""The audit log's HMAC keys, kept outside the database (issue 11, reliability.md 22).

Where the keys come from, first match wins:

1. ``AUDIT_HMAC_KEY`` in the environment: ``id:secret[,id:secret…]``; the first entry signs new
   events, the others only verify older ones (a rotation prepends a new entry). A bare secret
   without ``id:`` gets the id ``env``.
2. The key file ``KEYPROJECTS_AUDIT_KEY_FILE`` (environment ``AUDIT_HMAC_KEY_FILE``, default
   ``var/audit-keys.json``, mode 0600): ``{"current": "k2", "keys": {"k1": "<hex>", "k2": "<hex>"}}``.
   It is created with one random key on first use; ``manage.py audit_rotate_key`` adds a key.

Each event stores the id of the key that signed it, so rotated keys keep older events verifiable.
Losing the keys means older events can no longer be verified: back the key file (or the
environment value) up apart from the database.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

ENV_KEY = "AUDIT_HMAC_KEY"
_lock = threading.Lock()
_cache: dict[str, object] = {}


@dataclass(frozen=True)
class KeyRing:
    current: str
    keys: dict[str, bytes]
    source: str  # "env" or the key file's path

    def key(self, key_id: str) -> bytes | None:
        return self.keys.get(key_id)


def key_file() -> Path:
    return Path(getattr(settings, "KEYPROJECTS_AUDIT_KEY_FILE", None) or Path(settings.VAR_DIR) / "audit-keys.json")


def _parse_env(value: str) -> KeyRing:
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        key_id, sep, secret = part.partition(":")
        if not sep:
            key_id, secret = "env", part
        keys[key_id.strip()] = secret.strip().encode("utf-8")
        order.append(key_id.strip())
    if not order:
        raise ValueError(f"{ENV_KEY} is empty")
    return KeyRing(current=order[0], keys=keys, source="env")


def _write_file(path: Path, data: dict[str, object], *, exclusive: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    tmp = path if exclusive else path.with_suffix(".tmp")
    fd = os.open(tmp, flags, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())
    if not exclusive:
        os.replace(tmp, path)


def new_key_id(existing: set[str]) -> str:
    n = len(existing) + 1
    while f"k{n}" in existing:
        n += 1
    return f"k{n}"


def _load_file(path: Path) -> KeyRing:
    try:
        stat = path.stat()
    except FileNotFoundError:
        with contextlib.suppress(FileExistsError):  # another process created it first
            _write_file(path, {"current": "k1", "keys": {"k1": secrets.token_hex(32)}}, exclusive=True)
        stat = path.stat()
    stamp = (str(path), stat.st_mtime_ns, stat.st_size)
    if _cache.get("stamp") == stamp:
        return _cache["ring"]  # type: ignore[return-value]
    data = json.loads(path.read_text(encoding="utf-8"))
    keys = {str(k): bytes.fromhex(v) for k, v in data["keys"].items()}
    ring = KeyRing(current=str(data["current"]), keys=keys, source=str(path))
    if ring.current not in keys:
        raise ValueError(f"{path}: current key {ring.current!r} missing")
    _cache["stamp"], _cache["ring"] = stamp, ring
    return ring


def keyring() -> KeyRing:
    env = os.environ.get(ENV_KEY, "").strip()
    if env:
        return _parse_env(env)
    with _lock:
        return _load_file(key_file())


def rotate() -> tuple[str, str]:
    """Add a new key and make it current. Returns ``(key_id, where)``.

    With the key file, the file is rewritten (old keys kept). With ``AUDIT_HMAC_KEY`` the
    environment cannot be changed from here: raises ``RuntimeError`` carrying the new
    ``id:secret`` entry the operator must put first in the variable."""
    env = os.environ.get(ENV_KEY, "").strip()
    if env:
        ring = _parse_env(env)
        key_id = new_key_id(set(ring.keys))
        raise RuntimeError(f"{key_id}:{secrets.token_hex(32)}")
    with _lock:
        path = key_file()
        ring = _load_file(path)
        key_id = new_key_id(set(ring.keys))
        keys = {k: v.hex() for k, v in ring.keys.items()}
        keys[key_id] = secrets.token_hex(32)
        _write_file(path, {"current": key_id, "keys": keys}, exclusive=False)
        _cache.clear()
    return key_id, str(path)
