"""Reads of a project's 分月计划 (its 12-month plan curve) for the page, the API and the
service that sets it (``services_plans``). The curve itself is ``metrics.plan_curve`` (its own
twelve months, else the configured default spread of the annual plan); a month is frozen by the
one rule ``rules.is_frozen`` (``selectors.is_frozen_in``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from keyprojects.analytics import metrics
from keyprojects.projects.models import Project, ProjectYear

from .models import DispatchConfig, MonthlyPlan, ReportingPeriod
from .selectors import closed_codes_by_period, is_frozen_in

MONTHS = tuple(range(1, 13))


@dataclass(frozen=True)
class PlanMonths:
    """A project's plan curve of one year as it counts now.

    ``annual_plan`` is None when the year has no 年度计划投资 (no row, or 0); ``curve`` the twelve
    months counted (万元); ``own`` whether they are the project's own (all twelve set), else the
    default spread (``default``); ``frozen`` the months whose period is closed for the project
    (their value was counted and stays)."""

    year: int
    annual_plan: Decimal | None
    curve: list[Decimal]
    default: list[Decimal]
    own: bool
    frozen: frozenset[int]

    @property
    def cumulative(self) -> list[Decimal]:
        """累计序时计划 at the end of each month (``metrics.planned_ytd``)."""
        return [metrics.planned_ytd(self.curve, m) for m in MONTHS]

    @property
    def total(self) -> Decimal:
        return sum(self.curve, Decimal(0))


def frozen_months(*, project: Project, year: int) -> frozenset[int]:
    """The months of ``year`` whose figures are frozen for ``project`` (its period closed for the
    whole province or the project's city: ``rules.is_frozen``)."""
    periods = list(ReportingPeriod.objects.filter(year=year))
    closed = closed_codes_by_period([p.pk for p in periods])
    return frozenset(p.month for p in periods if is_frozen_in(p, project, closed.get(p.pk, set())))


def plan_months(*, project: Project, year: int, own: dict[int, Any] | None = None) -> PlanMonths:
    """The plan curve of ``project`` in ``year`` with its frozen months. ``own``: the project's
    stored months (month → planned) when the caller has read them (under its row lock)."""
    if own is None:
        own = dict(MonthlyPlan.objects.filter(project=project, year=year).values_list("month", "planned"))
    plan = ProjectYear.objects.filter(project=project, year=year).values_list("annual_plan", flat=True).first()
    annual = Decimal(plan) if plan else None  # 0 or no row: no annual plan
    weights = DispatchConfig.get().plan_spread
    default = metrics.spread_plan(annual or Decimal(0), weights)
    curve = metrics.plan_curve(annual or Decimal(0), weights, own)
    return PlanMonths(
        year=year,
        annual_plan=annual,
        curve=[Decimal(v) for v in curve],
        default=default,
        own=len(own) == 12,
        frozen=frozen_months(project=project, year=year),
    )
