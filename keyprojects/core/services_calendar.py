"""Writes to the working-day calendar's overrides (:mod:`keyprojects.core.workdays`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from keyprojects.accounts import policy
from keyprojects.audit.services import audit_record

from .errors import NotFound, PermissionDenied, ValidationFailed
from .models import CalendarOverride


@transaction.atomic
def calendar_override_set(*, user: Any, day: dt.date, kind: str, name: str = "", request: Any = None) -> CalendarOverride:
    """Record (or change) ``day`` as a holiday or a make-up working day."""
    if not policy.can_edit_calendar(user):
        raise PermissionDenied()
    obj = CalendarOverride.objects.filter(day=day).first()
    old = {"kind": obj.kind, "name": obj.name} if obj else {}
    obj = obj or CalendarOverride(day=day)
    obj.kind, obj.name = kind, name
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc
    obj.save()
    changes = {"day": str(day), "old": old, "kind": kind, "name": name}
    audit_record(action="calendar.override_set", user=user, request=request, obj=obj, changes=changes)
    return obj


@transaction.atomic
def calendar_override_delete(*, user: Any, day: dt.date, request: Any = None) -> None:
    """Remove the override of ``day`` (the official calendar applies again)."""
    if not policy.can_edit_calendar(user):
        raise PermissionDenied()
    obj = CalendarOverride.objects.filter(day=day).first()
    if obj is None:
        raise NotFound()
    audit_record(action="calendar.override_delete", user=user, request=request, obj=obj, changes={"day": str(day), "kind": obj.kind})
    obj.delete()
