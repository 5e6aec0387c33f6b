"""Request context helpers (client IP) shared by audit and login security."""

from __future__ import annotations

from typing import Any


def client_ip(request: Any) -> str:
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", "") or "")
