"""The one choke point for data scope (architecture.md §4, reliability.md 11).

Every scoped model's QuerySet subclasses :class:`ScopedQuerySet` and implements
``_visible_q(user)`` and ``_editable_q(user)``. Views, API, exports and commands only ever
read through ``Model.objects.visible_to(user)`` and fetch single objects through
:func:`get_for_user`, which answers :class:`~keyprojects.core.errors.NotFound` (404) for
objects outside scope and writes a permission-denial audit event.
"""

from __future__ import annotations

from typing import Any, Self, TypeVar

from django.db import models
from django.db.models import Q

from .errors import NotFound

NOTHING = Q(pk__in=[])
M = TypeVar("M", bound=models.Model)


class ScopedQuerySet(models.QuerySet):
    def _visible_q(self, user: Any) -> Q:  # pragma: no cover - abstract
        raise NotImplementedError

    def _editable_q(self, user: Any) -> Q:
        return self._visible_q(user)

    def visible_to(self, user: Any) -> Self:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(self._visible_q(user))

    def editable_by(self, user: Any) -> Self:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(self._editable_q(user))


def get_for_user(model: type[M], *, user: Any, pk: Any, for_edit: bool = False, request: Any = None) -> M:
    """Fetch one scoped object or raise NotFound; a denial of an existing object is audited."""
    manager: Any = model._default_manager
    qs = manager.editable_by(user) if for_edit else manager.visible_to(user)
    try:
        return qs.get(pk=pk)  # type: ignore[no-any-return]
    except (model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        try:
            exists = manager.filter(pk=pk).exists()
        except (ValueError, TypeError):
            exists = False
        if exists:
            from keyprojects.audit.services import audit_record

            audit_record(
                action="permission_denied",
                user=user,
                request=request,
                object_type=model._meta.label_lower,
                object_id=str(pk),
                result="denied",
                message="edit" if for_edit else "view",
            )
        raise NotFound() from None
