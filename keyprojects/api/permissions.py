"""API permissions. Scope itself lives in the models' ``visible_to``/``editable_by`` (core.scope);
this only keeps read-only roles (leader, 三权分立 administrators) away from every write."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop
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


class PolicyGate:
    """A viewset of an app that only some users may see: after authentication, ``allowed(user)``
    (a function of the policy module) or a 403 saying ``refusal`` (政企合作, 泉城好品, 双50): a source
    string of the catalogue (``gettext_noop``), answered as written like every API message and said
    in the active language where a page shows it (``core.errors.shown``)."""

    refusal = gettext_noop("没有权限")

    def allowed(self, user: Any) -> bool:
        raise NotImplementedError

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        from keyprojects.core.errors import PermissionDenied

        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if not self.allowed(request.user):
            raise PermissionDenied(self.refusal)
