"""Shared abstract models."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from .errors import ConflictError


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """Optimistic locking: every write goes through :func:`save_versioned`."""

    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        abstract = True


def save_versioned(obj: VersionedModel, *, expected_version: int, fields: list[str]) -> None:
    """Write ``fields`` of ``obj`` only if the row still has ``expected_version``.

    ``UPDATE ... WHERE id=? AND version=?`` works the same on SQLite (where
    ``select_for_update`` is a no-op) and PostgreSQL (reliability.md 2).
    """
    from django.utils import timezone

    model = type(obj)
    values: dict[str, Any] = {f: getattr(obj, model._meta.get_field(f).attname) for f in fields}
    # F() + 1, not expected_version + 1: a version the row cannot have (2**31 - 1 from a client)
    # must be a conflict, not an integer overflow in the SET clause of an UPDATE matching nothing.
    values["version"] = F("version") + 1
    values["updated_at"] = timezone.now()
    updated = model._default_manager.filter(pk=obj.pk, version=expected_version).update(**values)
    if updated != 1:
        raise ConflictError()
    obj.version = expected_version + 1
    obj.updated_at = values["updated_at"]


def attname(model: type[models.Model], field: str) -> str:
    """The attribute holding ``field``'s raw value (``region_id`` for ``region``)."""
    return str(getattr(model._meta.get_field(field), "attname", field))


class CalendarOverride(TimeStampedModel):
    """An edit to the official working-day calendar (:mod:`keyprojects.core.workdays`): a public
    holiday or a make-up working day (调休上班) for a year the ``chinese-calendar`` package does
    not know yet, or a correction of a day it knows. An override always wins."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("休息日")
        WORKDAY = "workday", _("工作日")

    day = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=50, blank=True, help_text=_("如：春节、国庆节调休上班"))

    class Meta:
        ordering = ["day"]
        verbose_name = _("工作日历调整")
        verbose_name_plural = _("工作日历调整")

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()
