"""API permissions. Scope itself lives in the models' ``visible_to``/``editable_by`` (core.scope);
this only keeps read-only roles (leader, 三权分立 administrators) away from every write."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission

from keyprojects.accounts import policy


class ReadOnlyRolesCannotWrite(BasePermission):
    """Leaders, system/security administrators and auditors may read but never write business
    data (reliability.md 15). Checked before any object is looked up, so a 403 here says nothing
    about whether the object exists."""

    message = "没有执行该操作的权限"

    def has_permission(self, request: Any, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        user = request.user
        return bool(user and user.is_authenticated and not policy.is_read_only(user))
