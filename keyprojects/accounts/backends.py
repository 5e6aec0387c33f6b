"""Authentication with lockout after repeated failures (username + IP), reliability.md 17."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from .services import login_is_locked


class LockoutModelBackend(ModelBackend):
    def authenticate(self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any) -> Any:
        if username and login_is_locked(username=username, request=request):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
