"""Assertions shared by the API tests."""

from __future__ import annotations

from typing import Any


def error_of(response: Any, status: int, code: str) -> dict[str, Any]:
    """Assert ``response`` is the uniform error body with ``status``/``code``; return its ``extra``."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = response.json()
    assert set(body) == {"code", "message", "extra"}, body
    assert body["code"] == code, body
    assert body["message"], body
    return body["extra"]  # type: ignore[no-any-return]


def fields_of(response: Any) -> dict[str, list[str]]:
    """The field messages of a 400 ``invalid`` answer."""
    return error_of(response, 400, "invalid").get("fields", {})  # type: ignore[no-any-return]
