"""Private files (issue 11): the SQLite database file is made 0600 when a connection opens it; media
uploads get FILE_UPLOAD_PERMISSIONS / FILE_UPLOAD_DIRECTORY_PERMISSIONS (0600/0700, settings).
SQLite creates its -wal and -shm files with the database file's mode."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def make_private(path: str | os.PathLike[str]) -> None:
    p = Path(path)
    try:
        p.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if p.exists() and (p.stat().st_mode & 0o077):
            p.chmod(0o600)
    except OSError:  # pragma: no cover - a read-only or foreign-owned file: leave it
        pass


def _on_connect(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return
    make_private(name)


def connect_private_sqlite() -> None:
    from django.db.backends.signals import connection_created

    connection_created.connect(_on_connect, dispatch_uid="keyprojects.core.files.private_sqlite")
