"""The warning kinds of 审批事项 and 四张清单 (issue 14): 审批超时 and 要素保障逾期.

They are computed by the one refresh action (``analytics.refresh``), like every other warning:
``refresh._load`` calls :func:`load` once per chunk of projects, ``refresh._warnings`` calls
:func:`project_warnings` per project and period, as of the period's last day (today for the
running month). The conditions are the approval pages' own (``selectors.elapsed``/``open_at``
over the one working-day calendar, ``core.workdays``):

* 审批超时 (``approval_overdue``): an approval being handled on that day has used more working
  days than its legal limit; the value is the largest excess, the 责任单位 the handling
  department(s).
* 要素保障逾期 (``need_overdue``): a need still 待保障/保障中 whose 保障时限 has passed; the value
  is the number of such needs, the 责任单位 their owner unit(s). A need's status has no history:
  a month recomputed later sees today's status (closed months are never recomputed).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q

from keyprojects.core.workdays import WorkCalendar
from keyprojects.dispatch import warning_text as text

from .choices import OPEN_NEED_STATUSES, UNIT_OF, ApprovalStatus, FactorKind
from .models import need_overdue
from .selectors import elapsed, open_at

APPROVAL_OVERDUE = "approval_overdue"
NEED_OVERDUE = "need_overdue"


@dataclass(frozen=True, slots=True)
class _Approval:
    name: str
    limit: int
    department: str
    status: str
    start: dt.date | None
    completed_on: dt.date | None


@dataclass(frozen=True, slots=True)
class _Need:
    status: str
    kind: str
    gap: Decimal
    due_on: dt.date
    owner: str


@dataclass
class Inputs:
    """The approvals and open needs of some projects, and the calendar to count them on."""

    approvals: dict[int, list[_Approval]] = field(default_factory=dict)
    needs: dict[int, list[_Need]] = field(default_factory=dict)
    calendar: WorkCalendar = field(default_factory=WorkCalendar)


def load(within: Q, *, prefix: str = "") -> Inputs:
    """The approvals that started and the open needs with a 保障时限 of the projects matched by
    ``within`` (a filter on ``project_id``), in two queries, plus the calendar's overrides."""
    from .models import FactorNeed, ProjectApproval

    out = Inputs()
    approvals: dict[int, list[_Approval]] = defaultdict(list)
    starts: list[dt.date] = []
    rows = (
        ProjectApproval.objects.filter(within, status__in=[ApprovalStatus.IN_PROGRESS, ApprovalStatus.DONE])
        .order_by("project_id", "item__order", "item_id")
        .values_list(
            "project_id",
            "item__name",
            "item__legal_limit_days",
            "handling_unit__name",
            "item__department_unit__name",
            "item__department_name",
            "status",
            "applied_on",
            "accepted_on",
            "completed_on",
        )
    )
    for pid, name, limit, handler, dept_unit, dept, status, applied, accepted, done in rows:
        start = accepted or applied
        if start is None:
            continue
        starts.append(start)
        approvals[pid].append(_Approval(name, int(limit), handler or dept_unit or dept, status, start, done))
    needs: dict[int, list[_Need]] = defaultdict(list)
    for pid, status, kind, quantity, secured, due, owner in (
        FactorNeed.objects.filter(within, status__in=OPEN_NEED_STATUSES, due_on__isnull=False)
        .order_by("project_id", "due_on", "id")
        .values_list("project_id", "status", "kind", "quantity", "secured", "due_on", "owner_unit__name")
    ):
        needs[pid].append(_Need(status, kind, max(quantity - secured, Decimal(0)), due, owner or ""))
    out.approvals, out.needs = dict(approvals), dict(needs)
    if starts:
        out.calendar = WorkCalendar.load(min(starts), None)
    return out


@functools.cache
def _kind_labels() -> dict[str, str]:
    """The factor kinds' labels in Chinese (what is stored), whatever the language of the request
    that runs the refresh: the catalogue's source strings."""
    from django.utils import translation

    with translation.override("zh-hans"):
        return {kind: str(label) for kind, label in FactorKind.choices}


def _units(names: list[str]) -> str:
    return "、".join(dict.fromkeys(n for n in names if n))


def project_warnings(pid: int, inputs: Inputs, asof: dt.date) -> list[tuple[str, str, Any, str]]:
    """(kind, message, value, 责任单位) of one project's approval and need warnings on ``asof``."""
    if pid not in inputs.approvals and pid not in inputs.needs:  # most projects (the refresh asks per project and period)
        return []
    out: list[tuple[str, str, Any, str]] = []
    late: list[tuple[_Approval, int]] = []
    for a in inputs.approvals.get(pid, ()):
        if not open_at(status=a.status, start=a.start, completed_on=a.completed_on, asof=asof):
            continue
        days = elapsed(status=a.status, start=a.start, completed_on=a.completed_on, asof=asof, cal=inputs.calendar)
        if days is not None and days > a.limit:
            late.append((a, days))
    if late:
        message = text.SEPARATOR.join(
            text.APPROVAL_OVERDUE.zh(name=a.name, days=d, limit=a.limit, department=a.department) for a, d in late
        )
        out.append((APPROVAL_OVERDUE, message, max(d - a.limit for a, d in late), _units([a.department for a, _ in late])))
    overdue = [n for n in inputs.needs.get(pid, ()) if need_overdue(status=n.status, due_on=n.due_on, asof=asof)]
    if overdue:
        labels = _kind_labels()
        message = text.SEPARATOR.join(
            (text.NEED_OVERDUE_OWNED if n.owner else text.NEED_OVERDUE).zh(
                kind=labels[n.kind], gap=f"{n.gap.normalize():,f}", unit=UNIT_OF[n.kind], due=f"{n.due_on:%Y-%m-%d}", owner=n.owner
            )
            for n in overdue
        )
        out.append((NEED_OVERDUE, message, len(overdue), _units([n.owner for n in overdue])))
    return out
