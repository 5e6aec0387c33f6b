"""问题事项 of a project: each function owns its transaction, checks scope and
writes its audit record (split from ``services``, the monthly reports' workflow)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from keyprojects.accounts import policy
from keyprojects.audit.services import audit_record
from keyprojects.core.errors import NotFound, ValidationFailed
from keyprojects.core.models import save_versioned
from keyprojects.projects.models import Project

from .choices import ProblemStatus
from .models import MonthlyReport, ProblemItem


@transaction.atomic
def problem_create(
    *,
    user: Any,
    project: Project,
    description: str,
    responsible_unit: Any = None,
    due_date: dt.date | None = None,
    report: MonthlyReport | None = None,
    request: Any = None,
) -> ProblemItem:
    if not Project.objects.editable_by(user).filter(pk=project.pk).exists() or policy.is_read_only(user):
        raise NotFound()
    if not (description or "").strip():
        raise ValidationFailed(extra={"fields": {"description": [gettext_noop("请填写问题描述")]}})
    item = ProblemItem(
        project=project,
        report=report,
        description=description.strip(),
        responsible_unit=responsible_unit,
        due_date=due_date,
        created_by=user,
    )
    try:
        item.full_clean(exclude=["created_by"])
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc
    item.save()
    audit_record(action="create", user=user, request=request, obj=item, changes={"description": [None, item.description]})
    return item


@transaction.atomic
def problem_set_status(
    *, user: Any, problem: ProblemItem, status: str, resolution: str = "", expected_version: int | None = None, request: Any = None
) -> ProblemItem:
    if not ProblemItem.objects.editable_by(user).filter(pk=problem.pk).exists():
        raise NotFound()
    if status not in ProblemStatus.values:
        raise ValidationFailed(extra={"fields": {"status": [gettext_noop("状态无效")]}})
    if status == ProblemStatus.SOLVED and not (resolution or "").strip():
        raise ValidationFailed(extra={"fields": {"resolution": ["标记已解决须填写办理结果"]}})
    old = problem.status
    problem.status = status
    problem.resolution = (resolution or problem.resolution or "").strip()
    problem.solved_at = timezone.now() if status == ProblemStatus.SOLVED else None
    save_versioned(
        problem,
        expected_version=problem.version if expected_version is None else expected_version,
        fields=["status", "resolution", "solved_at"],
    )
    audit_record(action="update", user=user, request=request, obj=problem, changes={"status": [old, status]}, message=problem.resolution)
    return problem
