"""Writes to 审批事项 (issue 14): which items apply to a project, and each item's progress.
Views, API, the demo seeder and commands all call these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
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

from .choices import ApprovalStatus
from .models import ApprovalItem, ProjectApproval

#: Fields of one approval a form or API may write.
APPROVAL_FIELDS = ["status", "applied_on", "accepted_on", "completed_on", "approval_number", "note", "handling_unit"]
#: What a department handling the item may not change (who handles it is the region's call).
DEPARTMENT_DENIED = frozenset({"handling_unit"})


def writable_fields(user: Any, approval: ProjectApproval | None = None) -> list[str]:
    if approval is not None and not policy.can_record_approvals(user, approval.project):
        return [f for f in APPROVAL_FIELDS if f not in DEPARTMENT_DENIED]
    return list(APPROVAL_FIELDS)


def _full_clean(obj: ProjectApproval) -> None:
    try:
        obj.full_clean(exclude=["project", "item"])
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc


@transaction.atomic
def approval_items_set(*, user: Any, project: Project, item_ids: Iterable[int], request: Any = None) -> list[ProjectApproval]:
    """Which catalogue items apply to ``project``: a chosen item gets a row (未申报); an item no
    longer chosen that has not started becomes 不需办理 (its history stays); a chosen 不需办理
    item comes back as 未申报."""
    if not policy.can_record_approvals(user, project):
        raise PermissionDenied()
    wanted = {int(i) for i in item_ids}
    items = {i.pk: i for i in ApprovalItem.objects.filter(pk__in=wanted, is_active=True)}
    if set(items) != wanted:
        raise ValidationFailed(extra={"fields": {"items": [gettext_noop("审批事项不存在或已停用")]}})
    existing = {a.item_id: a for a in ProjectApproval.objects.filter(project=project)}
    changes: dict[str, list[str]] = {"added": [], "not_needed": [], "restored": []}
    for item_id, item in items.items():
        a = existing.get(item_id)
        if a is None:
            ProjectApproval.objects.create(project=project, item=item, handling_unit=item.department_unit)
            changes["added"].append(item.name)
        elif a.status == ApprovalStatus.NOT_NEEDED:
            a.status = ApprovalStatus.NOT_APPLIED
            save_versioned(a, expected_version=a.version, fields=["status"])
            changes["restored"].append(item.name)
    for item_id, a in existing.items():
        if item_id not in wanted and a.status == ApprovalStatus.NOT_APPLIED:
            a.status = ApprovalStatus.NOT_NEEDED
            save_versioned(a, expected_version=a.version, fields=["status"])
            changes["not_needed"].append(a.item.name)
    if any(changes.values()):
        audit_record(action="approval.items_set", user=user, request=request, obj=project, changes=changes)
        warnings_changed(project_ids=[project.pk])
    return list(ProjectApproval.objects.filter(project=project).select_related("item"))


@transaction.atomic
def approval_update(
    *, user: Any, approval: ProjectApproval, expected_version: int, data: dict[str, Any], request: Any = None
) -> ProjectApproval:
    """Record an item's progress (status, dates, 批复文号); optimistic lock on ``expected_version``."""
    fresh = ProjectApproval.objects.select_related("project", "item").filter(pk=approval.pk).first()
    if fresh is None:
        raise NotFound()
    if not policy.can_work_approval(user, fresh):
        raise PermissionDenied()
    allowed = writable_fields(user, fresh)
    unknown = set(data) - set(APPROVAL_FIELDS)
    if unknown:
        raise ValidationFailed(extra={"fields": {k: [gettext_noop("不可修改的字段")] for k in sorted(unknown)}})
    denied = set(data) - set(allowed)
    if denied:
        raise PermissionDenied(extra={"fields": sorted(denied)})
    fields = list(data)
    old = {f: getattr(fresh, attname(ProjectApproval, f)) for f in fields}
    for f, value in data.items():
        if f == "handling_unit" and value is not None and not isinstance(value, Unit):
            value = Unit.objects.filter(pk=value).first()
            if value is None:
                raise ValidationFailed(extra={"fields": {"handling_unit": [gettext_noop("办理单位不存在")]}})
        setattr(fresh, f, value)
    _full_clean(fresh)
    new = {f: getattr(fresh, attname(ProjectApproval, f)) for f in fields}
    save_versioned(fresh, expected_version=expected_version, fields=fields)
    audit_record(action="approval.update", user=user, request=request, obj=fresh, changes=diff(old, new))
    warnings_changed(project_ids=[fresh.project_id])
    return fresh


def warnings_changed(*, project_ids: Iterable[int]) -> None:
    """After a write that can raise or clear 审批超时 / 要素保障逾期: the refresh action
    (``analytics.refresh.refresh_after``) for those projects from the running month on (the
    month of today, else the latest one before it; closed months are never touched)."""
    from django.db.models import Q
    from django.utils import timezone

    from keyprojects.analytics.refresh import refresh_after
    from keyprojects.dispatch.models import ReportingPeriod

    today = timezone.localdate()
    started = Q(year__lt=today.year) | Q(year=today.year, month__lte=today.month)
    period = ReportingPeriod.objects.filter(started).order_by("-year", "-month").first()
    if period is not None:
        refresh_after(project_ids=project_ids, from_period=period)


def parse_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed(extra={"fields": {"date": [gettext_noop("日期格式应为 YYYY-MM-DD")]}}) from None
