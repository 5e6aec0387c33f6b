"""Templates ask the permission policy through ``policy`` (never compare ``user.role``).

``{% if policy.can_import %}`` calls :func:`keyprojects.accounts.policy.can_import` with the
request's user; every ``can_*`` / ``is_*`` function of the policy that takes only the user is
available this way, evaluated on first use and remembered for the request.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import policy as _policy


class UserPolicy:
    """The policy bound to one user, for templates: ``policy.can_fill`` → ``can_fill(user)``."""

    def __init__(self, user: Any) -> None:
        self._user = user
        self._cache: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or not name.startswith(("can_", "is_")):
            raise AttributeError(name)
        if name not in self._cache:
            fn = getattr(_policy, name, None)
            if not callable(fn):
                raise AttributeError(name)
            self._cache[name] = fn(self._user)
        return self._cache[name]

    @property
    def review_level(self) -> str | None:
        return _policy.review_level(self._user)


def policy(request: HttpRequest) -> dict[str, Any]:
    return {"policy": UserPolicy(getattr(request, "user", None))}
