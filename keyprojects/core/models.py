"""Shared abstract models."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
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


def full_clean(obj: models.Model, exclude: list[str] | None = None) -> None:
    """``obj.full_clean``, its errors as :class:`~keyprojects.core.errors.ValidationFailed` (400)."""
    from django.core.exceptions import ValidationError

    from .errors import ValidationFailed

    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc


def update_versioned(
    obj: VersionedModel, values: dict[str, Any], *, expected_version: int, clean: Callable[[Any], None]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Set ``values`` on ``obj``, ``clean`` it and :func:`save_versioned` those fields; the raw
    values before and after (for ``audit.services.diff``)."""
    model = type(obj)
    fields = list(values)
    before = {f: getattr(obj, attname(model, f)) for f in fields}
    for f, v in values.items():
        setattr(obj, f, v)
    clean(obj)
    save_versioned(obj, expected_version=expected_version, fields=fields)
    return before, {f: getattr(obj, attname(model, f)) for f in fields}


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


class JobStatus(models.TextChoices):
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class Job(TimeStampedModel):
    """A long operation run in the background from a page (:mod:`keyprojects.core.jobs`): who
    started it and when, how far it got (phase, done/total, percent), and how it ended. One
    running job per (kind, key): a second start is refused (a partial unique index)."""

    kind = models.CharField(_("类型"), max_length=32)
    key = models.CharField(_("对象"), max_length=64, help_text=_("同一类型、同一对象同时只能有一个进行中的任务"))
    title = models.CharField(_("任务"), max_length=200)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    status = models.CharField(_("状态"), max_length=8, choices=JobStatus.choices, default=JobStatus.RUNNING)
    phase = models.CharField(_("阶段"), max_length=32, blank=True)
    done = models.PositiveBigIntegerField(_("已完成"), default=0)
    total = models.PositiveBigIntegerField(_("总数"), default=0)
    percent = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        indexes = [models.Index(fields=["kind", "key"], name="core_job_kind_key")]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], condition=Q(status="running"), name="core_job_one_running"),
            models.CheckConstraint(condition=Q(percent__lte=100), name="core_job_percent_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_status_display()}）"

    @property
    def running(self) -> bool:
        return self.status == JobStatus.RUNNING
