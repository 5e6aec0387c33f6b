"""Writes of an enterprise's 一企一策 records: the 包联 liaison, 帮扶措施 and 政策兑现 (issue 15,
item 3). Region staff over the enterprise keep them (:func:`policy.can_keep_enterprise_profile`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db import transaction
from django.utils.translation import gettext_noop

from keyprojects.accounts import policy
from keyprojects.audit.services import audit_record, diff
from keyprojects.core.errors import ConflictError, NotFound, ValidationFailed
from keyprojects.core.models import full_clean, update_versioned

from .models import AssistanceMeasure, EnterpriseLiaison, PolicyGrant
from .services import _decimal, _invalid, _unit

LIAISON_FIELDS = ["official", "title", "phone", "since"]
MEASURE_FIELDS = ["measure", "unit", "by_whom", "taken_on", "result"]
GRANT_FIELDS = ["name", "amount", "granted_on", "unit", "note"]

E = TypeVar("E", AssistanceMeasure, PolicyGrant)


def _check(actor: Any, enterprise: Any) -> None:
    if not policy.can_keep_enterprise_profile(actor, enterprise):
        raise NotFound()


def _only(data: Mapping[str, Any], allowed: list[str]) -> dict[str, Any]:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationFailed(extra={"fields": {k: [gettext_noop("不可设置的字段")] for k in sorted(unknown)}})
    out = dict(data)
    if "unit" in out:
        out["unit"] = _unit(out["unit"], "unit")
    if "amount" in out:
        out["amount"] = _decimal(out["amount"], "amount")
    for k in ("measure", "by_whom", "result", "name", "note", "title", "phone"):
        if k in out and isinstance(out[k], str):
            out[k] = out[k].strip()
    return out


def _clean_profile(obj: Any) -> None:
    full_clean(obj, exclude=["enterprise"])


def _clean_entry(obj: Any) -> None:
    full_clean(obj, exclude=["enterprise", "created_by"])


@transaction.atomic
def liaison_set(
    *, actor: Any, enterprise: Any, data: Mapping[str, Any], expected_version: int | None, request: Any = None
) -> EnterpriseLiaison:
    """Name (or change) the enterprise's 包联 official; a change needs the version the user saw
    (``expected_version`` None: the user saw none named, so a change is a conflict)."""
    _check(actor, enterprise)
    values = _only(data, LIAISON_FIELDS)
    official = values.get("official")
    if official is not None and not hasattr(official, "pk"):
        from keyprojects.accounts.models import User

        official = User.objects.filter(pk=official).first() if str(official).isdigit() else None
    if official is None or not policy.can_be_liaison(official):
        raise _invalid("official", gettext_noop("包联干部须为在岗的政府工作人员"))
    values["official"] = official
    current = EnterpriseLiaison.objects.filter(enterprise=enterprise).first()
    if current is None:
        liaison = EnterpriseLiaison(enterprise=enterprise, **values)
        _clean_profile(liaison)
        liaison.save()
        audit_record(action="liaison.create", user=actor, request=request, obj=liaison, changes={k: str(v) for k, v in values.items()})
        return liaison
    if expected_version is None:
        raise ConflictError()
    changes = diff(*update_versioned(current, values, expected_version=expected_version, clean=_clean_profile))
    audit_record(action="liaison.update", user=actor, request=request, obj=current, changes=changes)
    return current


def _entry_create(
    model: type[E], fields: list[str], action: str, *, actor: Any, enterprise: Any, data: Mapping[str, Any], request: Any
) -> E:
    """An entry of the enterprise's profile (帮扶措施, 政策兑现) by ``actor``, audited as ``action``."""
    _check(actor, enterprise)
    values = _only(data, fields)
    entry = model(enterprise=enterprise, created_by=actor, **values)
    _clean_entry(entry)
    entry.save()
    audit_record(action=action, user=actor, request=request, obj=entry, changes={k: str(v) for k, v in values.items()})
    return entry


@transaction.atomic
def measure_create(*, actor: Any, enterprise: Any, data: Mapping[str, Any], request: Any = None) -> AssistanceMeasure:
    return _entry_create(
        AssistanceMeasure, MEASURE_FIELDS, "assistance.create", actor=actor, enterprise=enterprise, data=data, request=request
    )


@transaction.atomic
def measure_update(
    *, actor: Any, measure: AssistanceMeasure, expected_version: int, data: Mapping[str, Any], request: Any = None
) -> AssistanceMeasure:
    fresh = AssistanceMeasure.objects.editable_by(actor).filter(pk=measure.pk).first()
    if fresh is None:
        raise NotFound()
    values = _only(data, MEASURE_FIELDS)
    changes = diff(*update_versioned(fresh, values, expected_version=expected_version, clean=_clean_entry))
    audit_record(action="assistance.update", user=actor, request=request, obj=fresh, changes=changes)
    return fresh


@transaction.atomic
def policy_grant_create(*, actor: Any, enterprise: Any, data: Mapping[str, Any], request: Any = None) -> PolicyGrant:
    return _entry_create(PolicyGrant, GRANT_FIELDS, "policy_grant.create", actor=actor, enterprise=enterprise, data=data, request=request)
