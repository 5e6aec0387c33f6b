"""The approvals' figures of a ranked unit (issue 14), for 比武打擂 and 双考核双评价 schemes
(``analytics.rankings.INDICATORS``): 审批平均用时, 审批超时件数, 要素逾期未保障数.

For a period, counted as of its last day (today for the running month), for the units of a kind
under a root region (``analytics.rankings``: a child region, a department, a function zone):

* 审批平均用时（工作日）: the working days (``selectors.elapsed``, the one calendar) of the
  approvals completed from 1 January of the period's year to that day, averaged by
  ``analytics.metrics.average_days``;
* 审批超时件数: approvals being handled that day past their legal limit, plus approvals completed
  in that window that took longer than the limit (the department board's ``overdue``);
* 要素逾期未保障数: needs still 待保障/保障中 whose 保障时限 has passed by that day.

A department is the approval's handling unit (else the catalogue item's unit) and the need's
owner unit; a region or a zone is the project's.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from keyprojects.analytics import metrics
from keyprojects.core.workdays import WorkCalendar

from .choices import ApprovalStatus
from .models import FactorNeed, ProjectApproval, overdue_needs_q
from .selectors import elapsed, open_at

#: The indicators this module answers, by key (``analytics.rankings.INDICATORS`` lists them).
APPROVAL_INDICATORS = ("approval_avg_days", "approvals_overdue", "needs_overdue")


@dataclass
class ApprovalFigures:
    """One unit's approvals and needs in a period (ids kept to explain a score)."""

    completed: list[tuple[int, int, int]] = field(default_factory=list)  # (approval, project, working days)
    overdue_approvals: list[tuple[int, int]] = field(default_factory=list)  # (approval, project)
    overdue_needs: list[tuple[int, int]] = field(default_factory=list)  # (need, project)

    @property
    def average_days(self) -> Decimal | None:
        return metrics.average_days([d for _, _, d in self.completed])

    def value(self, indicator: str) -> Decimal | None:
        if indicator == "approval_avg_days":
            return self.average_days
        if indicator == "approvals_overdue":
            return Decimal(len(self.overdue_approvals))
        if indicator == "needs_overdue":
            return Decimal(len(self.overdue_needs))
        raise KeyError(indicator)

    def basis(self, indicator: str) -> dict[str, Any]:
        """What an assessment line shows under the value: the approvals or needs and their projects."""
        if indicator == "approval_avg_days":
            return {
                "approvals": [a for a, _, _ in self.completed],
                "days": [d for _, _, d in self.completed],
                "projects": sorted({p for _, p, _ in self.completed}),
                "counted": [],
            }
        rows = self.overdue_approvals if indicator == "approvals_overdue" else self.overdue_needs
        key = "approvals" if indicator == "approvals_overdue" else "needs"
        return {key: [a for a, _ in rows], "projects": sorted({p for _, p in rows}), "counted": sorted({p for _, p in rows})}


def _columns(kind: str, root: Any) -> tuple[Any, Any]:
    """The unit key of an approval and of a need for units of ``kind`` under ``root``."""
    if kind == "region":
        column = F("project__city_code") if root.level == "province" else F("project__region_id")
        return column, column
    if kind == "department":
        return Coalesce("handling_unit_id", "item__department_unit_id"), F("owner_unit_id")
    if kind == "zone":
        return F("project__zone_id"), F("project__zone_id")
    raise ValueError(f"unknown unit kind {kind!r}")


def _scoped(model: Any, user: Any) -> QuerySet[Any]:
    return model.objects.all() if user is None else model.objects.visible_to(user)


def unit_approval_figures(*, period: Any, kind: str, root: Any, user: Any = None) -> dict[str, ApprovalFigures]:
    """:class:`ApprovalFigures` of the units of ``kind`` under ``root`` for ``period``, by unit
    key (a region code, or a unit id as text), for projects ``user`` may see (``None``: all)."""
    from keyprojects.analytics.rankings import root_project_q
    from keyprojects.dispatch.selectors import period_end

    asof = min(period_end(period), timezone.localdate())
    year_start = dt.date(period.year, 1, 1)
    approval_key, need_key = _columns(kind, root)
    out: dict[str, ApprovalFigures] = defaultdict(ApprovalFigures)
    rows = list(
        _scoped(ProjectApproval, user)
        .filter(root_project_q(root, "project__"), status__in=[ApprovalStatus.IN_PROGRESS, ApprovalStatus.DONE])
        .annotate(unit_key=approval_key)
        .order_by("pk")
        .values_list("pk", "project_id", "unit_key", "item__legal_limit_days", "status", "applied_on", "accepted_on", "completed_on")
    )
    starts = [accepted or applied for *_, applied, accepted, _done in rows if accepted or applied]
    cal = WorkCalendar.load(min(starts), asof) if starts else WorkCalendar()
    for pk, pid, key, limit, status, applied, accepted, done in rows:
        start = accepted or applied
        if key in (None, "") or start is None:
            continue
        days = elapsed(status=status, start=start, completed_on=done, asof=asof, cal=cal)
        if days is None:
            continue
        figures = out[str(key)]
        if open_at(status=status, start=start, completed_on=done, asof=asof):
            if days > limit:
                figures.overdue_approvals.append((pk, pid))
        elif done is not None and year_start <= done <= asof:
            figures.completed.append((pk, pid, days))
            if days > limit:
                figures.overdue_approvals.append((pk, pid))
    needs = (
        _scoped(FactorNeed, user)
        .filter(root_project_q(root, "project__"), overdue_needs_q(asof))
        .annotate(unit_key=need_key)
        .order_by("pk")
        .values_list("pk", "project_id", "unit_key")
    )
    for pk, pid, key in needs:
        if key not in (None, ""):
            out[str(key)].overdue_needs.append((pk, pid))
    return dict(out)
