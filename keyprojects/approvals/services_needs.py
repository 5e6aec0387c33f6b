"""Writes to the 四张清单 (factor needs, issue 14)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_noop

from keyprojects.accounts import policy
from keyprojects.audit.services import audit_record, diff
from keyprojects.core.errors import NotFound, PermissionDenied, ValidationFailed
from keyprojects.core.models import attname, save_versioned
from keyprojects.projects.models import Project
from keyprojects.regions.models import Unit

from .models import FactorNeed
from .services import warnings_changed

#: Fields a form or API may write on a need (``level`` moves only through escalation).
NEED_FIELDS = [
    "kind",
    "subtype",
    "quantity",
    "secured",
    "financial_guidance",
    "owner_unit",
    "due_on",
    "status",
    "description",
    "resolution",
]
#: What an owner unit may change on its own need.
OWNER_FIELDS = ["secured", "financial_guidance", "status", "resolution"]


def need_writable_fields(user: Any, need: FactorNeed | None = None) -> list[str]:
    if user is not None and need is not None and not policy.can_record_needs(user, need.project):
        return list(OWNER_FIELDS)
    return list(NEED_FIELDS)


def _coerce(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    for f in ("quantity", "secured"):
        if f in out and out[f] is not None and not isinstance(out[f], Decimal):
            try:
                out[f] = Decimal(str(out[f]))
            except (InvalidOperation, ValueError):
                raise ValidationFailed(extra={"fields": {f: [gettext_noop("请输入数字")]}}) from None
    if "owner_unit" in out and out["owner_unit"] is not None and not isinstance(out["owner_unit"], Unit):
        unit = Unit.objects.filter(pk=out["owner_unit"]).first() if str(out["owner_unit"]).isdigit() else None
        if unit is None:
            raise ValidationFailed(extra={"fields": {"owner_unit": [gettext_noop("责任单位不存在")]}})
        out["owner_unit"] = unit
    return out


def _full_clean(need: FactorNeed) -> None:
    try:
        need.full_clean(exclude=["project"])
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc


@transaction.atomic
def factor_need_create(*, user: Any, project: Project, data: dict[str, Any], request: Any = None, refresh: bool = True) -> FactorNeed:
    """Record a need. ``user`` None is the command line (``import_factor_lists``), acting for
    the system; ``refresh=False`` leaves the warnings to the caller (an import refreshes once)."""
    if user is not None and not policy.can_record_needs(user, project):
        raise PermissionDenied()
    unknown = set(data) - set(NEED_FIELDS)
    if unknown:
        raise ValidationFailed(extra={"fields": {k: [gettext_noop("不可设置的字段")] for k in sorted(unknown)}})
    need = FactorNeed(project=project, **_coerce(data))
    _full_clean(need)
    need.save()
    audit_record(
        action="factor_need.create", user=user, request=request, obj=need, changes={k: str(v) for k, v in data.items()},
        username="" if user is not None else "manage.py",
    )  # fmt: skip
    if refresh:
        warnings_changed(project_ids=[project.pk])
    return need


@transaction.atomic
def factor_need_update(
    *, user: Any, need: FactorNeed, expected_version: int, data: dict[str, Any], request: Any = None, refresh: bool = True
) -> FactorNeed:
    """Update a need (optimistic lock on ``expected_version``); ``user`` and ``refresh`` as for
    :func:`factor_need_create`."""
    fresh = FactorNeed.objects.select_related("project").filter(pk=need.pk).first()
    if fresh is None:
        raise NotFound()
    if user is not None and not policy.can_work_need(user, fresh):
        raise PermissionDenied()
    unknown = set(data) - set(NEED_FIELDS)
    if unknown:
        raise ValidationFailed(extra={"fields": {k: [gettext_noop("不可修改的字段")] for k in sorted(unknown)}})
    denied = set(data) - set(need_writable_fields(user, fresh))
    if denied:
        raise PermissionDenied(extra={"fields": sorted(denied)})
    fields = list(data)
    old = {f: getattr(fresh, attname(FactorNeed, f)) for f in fields}
    for f, v in _coerce(data).items():
        setattr(fresh, f, v)
    _full_clean(fresh)
    new = {f: getattr(fresh, attname(FactorNeed, f)) for f in fields}
    save_versioned(fresh, expected_version=expected_version, fields=fields)
    audit_record(
        action="factor_need.update", user=user, request=request, obj=fresh, changes=diff(old, new),
        username="" if user is not None else "manage.py",
    )  # fmt: skip
    if refresh:
        warnings_changed(project_ids=[fresh.project_id])
    return fresh
