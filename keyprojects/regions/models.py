"""行政区划 (GB/T 2260) and organisational units (责任单位, 功能区)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from keyprojects.core.models import TimeStampedModel

from .choices import RegionLevel, UnitKind


class Region(models.Model):
    """A GB/T 2260 division. The 6-digit code is the key; ``province_code``/``city_code`` make
    scope checks simple prefix-free equality filters."""

    code = models.CharField(_("区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=16, choices=RegionLevel.choices, db_index=True)
    parent = models.ForeignKey("self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    province_code = models.CharField(_("所属省"), max_length=6, db_index=True)
    city_code = models.CharField(_("所属市"), max_length=6, blank=True, db_index=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        constraints = [
            models.CheckConstraint(condition=models.Q(code__regex=r"^[0-9]{6}$"), name="region_code_6_digits"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def full_name(self) -> str:
        parts = [self.name]
        p = self.parent
        while p is not None:
            parts.insert(0, p.name)
            p = p.parent
        return "".join(parts)


class Unit(TimeStampedModel):
    """A government department (责任单位) or a function zone (功能区) under a region (usually a city)."""

    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=UnitKind.choices, db_index=True)
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="units")
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["region_id", "kind", "name"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="unit_unique_name_per_region")]

    def __str__(self) -> str:
        return self.name
