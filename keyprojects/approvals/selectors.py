"""Reads of 审批事项: timing on the working-day calendar, the departments' 红黄码, the department
ranking and the before/after comparison of one item (issue 14). Every count of working days
goes through :mod:`keyprojects.core.workdays`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from keyprojects.core.workdays import WorkCalendar

from .choices import YELLOW_SHARE, ApprovalStatus, Code
from .models import ApprovalItem, ProjectApproval


def approvals_visible(user: Any) -> QuerySet[ProjectApproval]:
    return ProjectApproval.objects.visible_to(user).select_related(
        "project", "project__region", "item", "item__department_unit", "handling_unit"
    )


def catalogue() -> QuerySet[ApprovalItem]:
    return ApprovalItem.objects.filter(is_active=True).select_related("department_unit")


@dataclass
class Timing:
    """One approval's figures on a given day: working days used, the legal limit, overdue, code."""

    days: int | None
    limit: int
    overdue: bool
    code: str
    open: bool

    @property
    def remaining(self) -> int | None:
        return None if self.days is None else self.limit - self.days


def timing(approval: ProjectApproval, cal: WorkCalendar, today: dt.date) -> Timing:
    limit = int(approval.item.legal_limit_days)
    start = approval.start_on
    status = approval.status
    is_open = status == ApprovalStatus.IN_PROGRESS
    if start is None or status not in (ApprovalStatus.IN_PROGRESS, ApprovalStatus.DONE):
        return Timing(days=None, limit=limit, overdue=False, code=Code.GREEN, open=False)
    end = approval.completed_on if status == ApprovalStatus.DONE and approval.completed_on else today
    days = cal.working_days_between(start, end)
    overdue = days > limit
    code = Code.GREEN
    if is_open and overdue:
        code = Code.RED
    elif is_open and days >= YELLOW_SHARE * limit:
        code = Code.YELLOW
    return Timing(days=days, limit=limit, overdue=overdue, code=code, open=is_open)


def with_timing(approvals: Iterable[ProjectApproval], today: dt.date | None = None) -> list[ProjectApproval]:
    """``approvals`` with ``.timing`` set, the calendar's overrides loaded once."""
    today = today or timezone.localdate()
    rows = list(approvals)
    starts = [a.start_on for a in rows if a.start_on]
    cal = WorkCalendar.load(min(starts), today) if starts else WorkCalendar()
    for a in rows:
        a.timing = timing(a, cal, today)  # type: ignore[attr-defined]
    return rows


@dataclass
class DepartmentRow:
    department: str
    open: int = 0
    overdue_open: int = 0
    near_limit: int = 0
    done: int = 0
    done_late: int = 0
    durations: list[int] = field(default_factory=list)

    @property
    def code(self) -> str:
        if self.overdue_open:
            return Code.RED
        if self.near_limit:
            return Code.YELLOW
        return Code.GREEN

    @property
    def code_label(self) -> str:
        return str(Code(self.code).label)

    @property
    def overdue(self) -> int:
        """Overdue count for the ranking: open items past the limit and items finished late."""
        return self.overdue_open + self.done_late

    @property
    def average_days(self) -> float | None:
        return round(sum(self.durations) / len(self.durations), 1) if self.durations else None


def department_board(
    user: Any, *, today: dt.date | None = None, start: dt.date | None = None, end: dt.date | None = None
) -> list[DepartmentRow]:
    """Per department: open, overdue and near-limit items (the 红黄码 of today) and the average
    working days of the items completed between ``start`` and ``end`` (all completed items
    without bounds). Ranked by average duration (fastest first), then overdue count."""
    today = today or timezone.localdate()
    qs = approvals_visible(user).filter(status__in=[ApprovalStatus.IN_PROGRESS, ApprovalStatus.DONE])
    rows: dict[str, DepartmentRow] = {}
    for a in with_timing(qs, today):
        t = a.timing  # type: ignore[attr-defined]
        row = rows.setdefault(a.department, DepartmentRow(a.department))
        if t.open:
            row.open += 1
            row.overdue_open += t.code == Code.RED
            row.near_limit += t.code == Code.YELLOW
            continue
        done_on = a.completed_on or today
        if (start and done_on < start) or (end and done_on > end):
            continue
        row.done += 1
        row.done_late += t.overdue
        row.durations.append(t.days)
    big = float("inf")
    return sorted(rows.values(), key=lambda r: (r.average_days if r.average_days is not None else big, r.overdue, r.department))


@dataclass
class PeriodFigure:
    start: dt.date
    end: dt.date
    count: int
    average_days: float | None


def compare_periods(user: Any, *, item: ApprovalItem, before: tuple[dt.date, dt.date], after: tuple[dt.date, dt.date]) -> dict[str, Any]:
    """Average working days of ``item`` for the approvals completed in each period (the 沾化
    kind of claim, "从五个月缩短至一个月以内", measured): ``{"before", "after", "change_pct"}``."""
    figures = []
    for start, end in (before, after):
        qs = approvals_visible(user).filter(item=item, status=ApprovalStatus.DONE, completed_on__gte=start, completed_on__lte=end)
        days = [a.timing.days for a in with_timing(qs) if a.timing.days is not None]  # type: ignore[attr-defined]
        figures.append(PeriodFigure(start, end, len(days), round(sum(days) / len(days), 1) if days else None))
    b, a = figures
    change = None
    if b.average_days and a.average_days is not None:
        change = round((a.average_days - b.average_days) / b.average_days * 100, 1)
    return {"before": b, "after": a, "change_pct": change}
