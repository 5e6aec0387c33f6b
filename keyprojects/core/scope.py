"""The one choke point for data scope (architecture.md §4, reliability.md 11).

Every scoped model's QuerySet subclasses :class:`ScopedQuerySet` and implements
``_visible_q(user)`` and ``_editable_q(user)``. Views, API, exports and commands only ever
read through ``Model.objects.visible_to(user)`` and fetch single objects through
:func:`get_for_user`, which answers :class:`~keyprojects.core.errors.NotFound` (404) for
objects outside scope and writes a permission-denial audit event.

Which roles see which rows is not decided here but in the permission policy
(:mod:`keyprojects.accounts.policy`): :func:`scope_q` builds a model's filter from the user's
scope kind (region, unit or enterprise) and home region.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Self, TypeVar

from django.db import models
from django.db.models import Q

from keyprojects.accounts import policy

from .errors import NotFound

NOTHING = Q(pk__in=[])
M = TypeVar("M", bound=models.Model)


def scope_q(
    user: Any,
    *,
    region: Callable[[Any], Q] | None = None,
    unit: Callable[[int], Q] | None = None,
    enterprise: Callable[[int], Q] | None = None,
) -> Q:
    """A scoped model's filter for ``user``: ``region(home)`` for a user scoped by region
    (:func:`policy.scope_region <keyprojects.accounts.policy.scope_region>`, the region whose
    rows and those below it they see), ``unit(unit_id)`` for a unit's staff,
    ``enterprise(enterprise_id)`` for an enterprise contact; nothing for anybody else or a kind
    the model does not give."""
    kind = policy.scope_kind(user)
    if kind == "region" and region is not None:
        return region(policy.scope_region(user))
    if kind == "unit" and unit is not None:
        return unit(user.unit_id)
    if kind == "enterprise" and enterprise is not None:
        return enterprise(user.enterprise_id)
    return NOTHING


def region_rows(prefix: str = "", *, county_field: str = "region_id") -> Callable[[Any], Q]:
    """For :func:`scope_q`: rows of the home region and below, through denormalised
    ``province_code`` / ``city_code`` (:func:`policy.region_rows_q`)."""
    return lambda home: policy.region_rows_q(home, prefix, county_field=county_field)


class ScopedQuerySet(models.QuerySet):
    def _visible_q(self, user: Any) -> Q:  # pragma: no cover - abstract
        raise NotImplementedError

    def _editable_q(self, user: Any) -> Q:
        return self._visible_q(user)

    def visible_to(self, user: Any) -> Self:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if policy.is_superuser(user):
            return self.all()
        return self.filter(self._visible_q(user))

    def editable_by(self, user: Any) -> Self:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if policy.is_superuser(user):
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


def get_or_404(model: type[M], request: Any, pk: Any, *, for_edit: bool = False) -> M:
    """:func:`get_for_user` for a page: an object out of scope is a 404 page with the message."""
    from django.http import Http404

    try:
        return get_for_user(model, user=request.user, pk=pk, for_edit=for_edit, request=request)
    except NotFound as exc:
        raise Http404(exc.message) from None
