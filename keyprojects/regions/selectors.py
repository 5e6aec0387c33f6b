"""Reads for regions and units."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Region, Unit


def region_descendant_codes(region: Region) -> QuerySet[Region]:
    if region.level == "province":
        return Region.objects.filter(province_code=region.code)
    if region.level == "city":
        return Region.objects.filter(city_code=region.code)
    return Region.objects.filter(code=region.code)


def regions_in_province(province_code: str | None = None) -> QuerySet[Region]:
    """The regions of ``province_code`` (default the configured province)."""
    from keyprojects.accounts.policy import province_code as configured

    return Region.objects.filter(province_code=province_code or configured())


def units_for_region(region: Region) -> QuerySet[Unit]:
    return Unit.objects.filter(region__in=region_descendant_codes(region), is_active=True)
