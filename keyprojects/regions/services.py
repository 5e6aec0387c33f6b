"""Writes for regions and units."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from keyprojects.audit.services import audit_record

from .data import Division, upsert_divisions
from .models import Region, Unit


@transaction.atomic
def regions_load(*, divisions: Sequence[Division], user: Any = None) -> dict[str, int]:
    """Insert or update divisions (see :func:`keyprojects.regions.data.upsert_divisions`)."""
    result = upsert_divisions(Region, divisions)
    audit_record(action="regions_load", user=user, object_type="regions.region", changes=result)
    return result


@transaction.atomic
def unit_create(*, user: Any, name: str, kind: str, region: Region, short_name: str = "") -> Unit:
    unit = Unit(name=name, kind=kind, region=region, short_name=short_name)
    unit.full_clean()
    unit.save()
    audit_record(action="create", user=user, obj=unit, changes={"name": [None, name], "kind": [None, kind]})
    return unit
