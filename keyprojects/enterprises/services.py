"""Writes for enterprises."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_noop

from keyprojects.accounts import policy
from keyprojects.accounts.policy import region_in_scope
from keyprojects.audit.services import audit_record, diff
from keyprojects.core.errors import NotFound, PermissionDenied, ValidationFailed
from keyprojects.core.models import attname, full_clean, save_versioned

from .models import Enterprise, EnterpriseContact

ENTERPRISE_FIELDS = ["name", "uscc", "region", "industry_section", "industry_division", "address", "legal_representative"]


def _clean(ent: Enterprise) -> None:
    try:
        ent.full_clean()
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc


@transaction.atomic
def enterprise_create(*, user: Any, data: dict[str, Any], contacts: list[dict[str, Any]] = (), request: Any = None) -> Enterprise:  # type: ignore[assignment]
    if not policy.can_create_enterprise(user):
        raise PermissionDenied()
    values = {k: v for k, v in data.items() if k in ENTERPRISE_FIELDS}
    values.update(policy.enterprise_placement(user))
    if values.get("region") is None or not region_in_scope(user, values["region"]):
        raise ValidationFailed(extra={"fields": {"region": [gettext_noop("所在区划超出您的管辖范围")]}})
    ent = Enterprise(**values)
    _clean(ent)
    try:
        with transaction.atomic():
            ent.save()
    except IntegrityError as exc:
        raise ValidationFailed(extra={"fields": {"uscc": [gettext_noop("该统一社会信用代码已登记")]}}) from exc
    for c in contacts:
        contact = EnterpriseContact(enterprise=ent, **{k: c[k] for k in ("name", "title", "phone", "email") if k in c})
        full_clean(contact, exclude=["enterprise"])  # the model's rules (电话: core.validators.validate_phone)
        contact.save()
    audit_record(
        action="create",
        user=user,
        request=request,
        obj=ent,
        changes=diff({}, {f: getattr(ent, attname(Enterprise, f)) for f in ENTERPRISE_FIELDS}),
    )
    return ent


@transaction.atomic
def enterprise_update(*, user: Any, enterprise: Enterprise, expected_version: int, data: dict[str, Any], request: Any = None) -> Enterprise:
    if not Enterprise.objects.editable_by(user).filter(pk=enterprise.pk).exists():
        raise NotFound()
    allowed = policy.enterprise_writable_fields(user, [f for f in ENTERPRISE_FIELDS if f in data])
    attn = {f: attname(Enterprise, f) for f in ENTERPRISE_FIELDS}
    before = {f: getattr(enterprise, attn[f]) for f in ENTERPRISE_FIELDS}
    for f in allowed:
        setattr(enterprise, f, data[f])
    if "region" in allowed and not region_in_scope(user, enterprise.region):
        raise ValidationFailed(extra={"fields": {"region": [gettext_noop("所在区划超出您的管辖范围")]}})
    _clean(enterprise)
    after = {f: getattr(enterprise, attn[f]) for f in ENTERPRISE_FIELDS}
    changed = [f for f in ENTERPRISE_FIELDS if before[f] != after[f]]
    try:
        with transaction.atomic():
            save_versioned(enterprise, expected_version=expected_version, fields=changed)
    except IntegrityError as exc:
        raise ValidationFailed(extra={"fields": {"uscc": [gettext_noop("该统一社会信用代码已登记")]}}) from exc
    if changed:
        audit_record(
            action="update",
            user=user,
            request=request,
            obj=enterprise,
            changes=diff({f: before[f] for f in changed}, {f: after[f] for f in changed}),
        )
    return enterprise
