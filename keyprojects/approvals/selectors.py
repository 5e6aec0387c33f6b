"""Reads of 审批事项: timing on the working-day calendar, the departments' 红黄码, the department
ranking and the before/after comparison of one item (issue 14). Every count of working days
goes through :mod:`keyprojects.core.workdays`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from keyprojects.analytics import metrics
from keyprojects.core.workdays import WorkCalendar

from .choices import DONE_LATE, YELLOW_SHARE, ApprovalStatus, Code
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

    @property
    def label(self) -> str:
        """What the 红黄码 column and its export say: the code's own label (红码/黄码/绿码, the
        filter's words, :class:`~.choices.Code`), except an item completed late (green, as it no
        longer runs), which reads 超期办结."""
        if self.code == Code.GREEN and self.overdue:
            return str(DONE_LATE)
        return str(Code(self.code).label)


def elapsed(*, status: str, start: dt.date | None, completed_on: dt.date | None, asof: dt.date, cal: WorkCalendar) -> int | None:
    """Working days an approval has run by ``asof``: from 受理 (申报) to 办结 when it was completed
    by then, else to ``asof``; ``None`` when it had not started by then (or never applies)."""
    if start is None or start > asof or status not in (ApprovalStatus.IN_PROGRESS, ApprovalStatus.DONE):
        return None
    end = completed_on if status == ApprovalStatus.DONE and completed_on and completed_on <= asof else asof
    return cal.working_days_between(start, end)


def open_at(*, status: str, start: dt.date | None, completed_on: dt.date | None, asof: dt.date) -> bool:
    """Whether the approval was being handled on ``asof`` (started, not yet completed)."""
    if start is None or start > asof:
        return False
    return status == ApprovalStatus.IN_PROGRESS or (status == ApprovalStatus.DONE and completed_on is not None and completed_on > asof)


def timing(approval: ProjectApproval, cal: WorkCalendar, today: dt.date) -> Timing:
    limit = int(approval.item.legal_limit_days)
    start, status, done = approval.start_on, approval.status, approval.completed_on
    days = elapsed(status=status, start=start, completed_on=done, asof=today, cal=cal)
    if days is None:
        return Timing(days=None, limit=limit, overdue=False, code=Code.GREEN, open=False)
    is_open = open_at(status=status, start=start, completed_on=done, asof=today)
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
    department: str  # who handles the items (ProjectApproval.department: the Chinese, the row's key)
    open: int = 0
    overdue_open: int = 0
    near_limit: int = 0
    done: int = 0
    done_late: int = 0
    durations: list[int] = field(default_factory=list)
    label: str = ""  # the department as the page names it (ProjectApproval.display_department)

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
    def average_days(self) -> Decimal | None:
        return metrics.average_days(self.durations)


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
        row = rows.setdefault(a.department, DepartmentRow(a.department, label=a.display_department))
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
    average_days: Decimal | None


def compare_periods(user: Any, *, item: ApprovalItem, before: tuple[dt.date, dt.date], after: tuple[dt.date, dt.date]) -> dict[str, Any]:
    """Average working days of ``item`` for the approvals completed in each period (the 沾化
    kind of claim, "从五个月缩短至一个月以内", measured): ``{"before", "after", "change_pct"}``."""
    figures = []
    for start, end in (before, after):
        qs = approvals_visible(user).filter(item=item, status=ApprovalStatus.DONE, completed_on__gte=start, completed_on__lte=end)
        days = [a.timing.days for a in with_timing(qs) if a.timing.days is not None]  # type: ignore[attr-defined]
        figures.append(PeriodFigure(start, end, len(days), metrics.average_days(days)))
    b, a = figures
    change = None
    if b.average_days and a.average_days is not None:
        change = float(round((a.average_days - b.average_days) / b.average_days * 100, 1))
    return {"before": b, "after": a, "change_pct": change}


# --- the open gap of the 四张清单 (dashboard tiles) ----------------------------------------------


@dataclass
class GapCell:
    """The open gap of one factor (in a region, or in all the user sees) and its drill-down."""

    kind: str
    label: str
    measure: str
    gap: Decimal
    needs: int
    url: str


@dataclass
class GapRow:
    code: str
    name: str
    by_kind: dict[str, GapCell]

    @property
    def cells(self) -> list[GapCell | None]:
        """One per factor, in the order of the 四张清单 (None where nothing is open)."""
        from .choices import FactorKind

        return [self.by_kind.get(k) for k in FactorKind.values]


@dataclass
class GapBoard:
    """The dashboard's tiles: per factor, and per child region (cities for a province user,
    counties otherwise) per factor. ``rows_are``: "city" or "county"."""

    factors: list[GapCell]
    rows: list[GapRow]
    rows_are: str

    @property
    def any(self) -> bool:
        return any(c.needs for c in self.factors)


def open_gap(user: Any) -> GapBoard:
    """The open gap (需求 − 已保障 of the needs 待保障/保障中) the user sees, per factor and per
    child region, in one grouped query; each figure links to the filtered list of needs."""
    from urllib.parse import urlencode

    from django.db.models import Count, F, OuterRef, Subquery, Sum
    from django.urls import reverse

    from keyprojects.accounts import policy
    from keyprojects.regions.models import Region

    from .choices import OPEN_NEED_STATUSES, UNIT_OF, FactorKind
    from .models import FactorNeed

    region = policy.scope_region(user)
    rows_are = "city" if region is None or region.level == "province" else "county"
    column = "project__city_code" if rows_are == "city" else "project__region_id"
    names = Region.objects.filter(code=OuterRef("code")).values("name")[:1]
    grouped = (
        FactorNeed.objects.visible_to(user)
        .filter(status__in=OPEN_NEED_STATUSES)
        .values(code=F(column), k=F("kind"))
        .annotate(q=Sum("quantity"), s=Sum("secured"), n=Count("id"), name=Subquery(names))
        .order_by("code", "k")
    )
    base = reverse("approvals:needs")

    def cell(kind: str, gap: Decimal, n: int, code: str = "") -> GapCell:
        query = {"kind": kind, "status": "open", **({"region": code} if code else {})}
        return GapCell(kind, str(FactorKind(kind).label), UNIT_OF[kind], gap, n, f"{base}?{urlencode(query)}")

    totals: dict[str, list[Any]] = {k: [Decimal(0), 0] for k in FactorKind.values}
    rows: dict[str, GapRow] = {}
    for g in grouped:
        gap = (g["q"] or Decimal(0)) - (g["s"] or Decimal(0))
        totals[g["k"]][0] += gap
        totals[g["k"]][1] += g["n"]
        code = g["code"] or ""
        row = rows.setdefault(code, GapRow(code, g["name"] or code, {}))
        row.by_kind[g["k"]] = cell(g["k"], gap, g["n"], code)
    factors = [cell(k, gap, n) for k, (gap, n) in totals.items()]
    return GapBoard(factors=factors, rows=sorted(rows.values(), key=lambda r: r.code), rows_are=rows_are)
