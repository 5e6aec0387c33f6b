"""Reads of a project's 分月计划 (its 12-month plan curve) for the page, the API and the
service that sets it (``services_plans``). The curve itself is ``metrics.plan_curve`` (its own
twelve months, else the configured default spread of the annual plan); a month is frozen by the
one rule ``rules.is_frozen`` (``selectors.is_frozen_in``). A frozen month counts what the refresh
wrote when it was closed (its fact's 序时计划, ``ProjectPeriodFact.planned_ytd``), not what the
curve says now (the annual plan may have changed since)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from keyprojects.analytics import metrics
from keyprojects.projects.models import Project, ProjectYear

from .models import DispatchConfig, MonthlyPlan, ReportingPeriod
from .selectors import closed_codes_by_period, is_frozen_in

MONTHS = tuple(range(1, 13))
PLACES = Decimal("0.0001")  # as stored (万元 to the yuan)
CHUNK = 2000  # projects per IN (...) query


@dataclass(frozen=True)
class PlanMonths:
    """A project's plan curve of one year as it counts now.

    ``annual_plan`` is None when the year has no 年度计划投资 (no row, or 0); ``curve`` the twelve
    months as they count (万元): a frozen month with a fact its counted value, every other month
    the plan curve's (``base``, ``metrics.plan_curve``: what the refresh measures open months by);
    ``own`` whether the plan curve is the project's own (all twelve set), else the default spread
    (``default``); ``frozen`` the months whose period is closed for the project (their value was
    counted and stays); ``counted_ytd`` the 序时计划 the refresh wrote for the frozen months that
    have a fact (month → planned_ytd)."""

    year: int
    annual_plan: Decimal | None
    curve: list[Decimal]
    default: list[Decimal]
    own: bool
    frozen: frozenset[int]
    base: list[Decimal]
    counted_ytd: dict[int, Decimal] = field(default_factory=dict)

    @property
    def cumulative(self) -> list[Decimal]:
        """累计序时计划 at the end of each month as it counts: a frozen month's as the refresh wrote
        it, an open month's from the plan curve (``metrics.planned_ytd``, as the refresh does)."""
        return [self.counted_ytd[m] if m in self.counted_ytd else metrics.planned_ytd(self.base, m) for m in MONTHS]

    @property
    def total(self) -> Decimal:
        return sum(self.curve, Decimal(0))

    @property
    def closed_total(self) -> Decimal:
        """What the frozen months count together."""
        return sum((self.curve[m - 1] for m in self.frozen), Decimal(0))

    @property
    def closed_over_plan(self) -> bool:
        """The frozen months already count more than the annual plan: no 12 months can add up to
        it (the open months cannot be negative)."""
        return self.annual_plan is not None and self.closed_total > self.annual_plan

    @property
    def moved_by_default(self) -> list[int]:
        """The frozen months whose counted value the default spread would change."""
        return [m for m in sorted(self.frozen) if self.curve[m - 1].quantize(PLACES) != self.default[m - 1].quantize(PLACES)]


def frozen_months(*, project: Project, year: int) -> frozenset[int]:
    """The months of ``year`` whose figures are frozen for ``project`` (its period closed for the
    whole province or the project's city: ``rules.is_frozen``)."""
    periods = list(ReportingPeriod.objects.filter(year=year))
    closed = closed_codes_by_period([p.pk for p in periods])
    return _frozen_in(project, periods, closed)


def _frozen_in(project: Project, periods: list[ReportingPeriod], closed: dict[int, set[str]]) -> frozenset[int]:
    return frozenset(p.month for p in periods if is_frozen_in(p, project, closed.get(p.pk, set())))


def _state(*, year: int, plan: Any, own: dict[int, Any], weights: Any, frozen: frozenset[int], counted: dict[int, Decimal]) -> PlanMonths:
    """The one construction of a :class:`PlanMonths` from what was read (one project or many)."""
    annual = Decimal(plan) if plan else None  # 0 or no row: no annual plan
    default = metrics.spread_plan(annual or Decimal(0), weights)
    base = [Decimal(v) for v in metrics.plan_curve(annual or Decimal(0), weights, own)]
    return PlanMonths(
        year=year,
        annual_plan=annual,
        curve=counted_curve(base, counted),
        default=default,
        own=len(own) == 12,
        frozen=frozen,
        base=base,
        counted_ytd=counted,
    )


def plan_months(*, project: Project, year: int, own: dict[int, Any] | None = None) -> PlanMonths:
    """The plan curve of ``project`` in ``year`` with its frozen months. ``own``: the project's
    stored months (month → planned) when the caller has read them (under its row lock)."""
    if own is None:
        own = dict(MonthlyPlan.objects.filter(project=project, year=year).values_list("month", "planned"))
    plan = ProjectYear.objects.filter(project=project, year=year).values_list("annual_plan", flat=True).first()
    frozen = frozen_months(project=project, year=year)
    counted = counted_ytd(project=project, year=year, months=frozen)
    return _state(year=year, plan=plan, own=own, weights=DispatchConfig.get().plan_spread, frozen=frozen, counted=counted)


def plan_months_of(*, projects: Iterable[Project], year: int) -> dict[int, PlanMonths]:
    """:func:`plan_months` of many projects (project pk → curve) in a fixed number of queries:
    the 分月计划 sheet of a county or a city (``services_plans_bulk``)."""
    from keyprojects.analytics.models import ProjectPeriodFact

    projects = list(projects)
    ids = [p.pk for p in projects]
    own: dict[int, dict[int, Any]] = defaultdict(dict)
    plans: dict[int, Any] = {}
    counted: dict[int, dict[int, Decimal]] = defaultdict(dict)
    periods = list(ReportingPeriod.objects.filter(year=year))
    closed = closed_codes_by_period([p.pk for p in periods])
    frozen = {p.pk: _frozen_in(p, periods, closed) for p in projects}
    for chunk in (ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)):
        for pk, m, v in MonthlyPlan.objects.filter(project_id__in=chunk, year=year).values_list("project_id", "month", "planned"):
            own[pk][m] = v
        plans.update(ProjectYear.objects.filter(project_id__in=chunk, year=year).values_list("project_id", "annual_plan"))
        if any(frozen[pk] for pk in chunk):
            facts = ProjectPeriodFact.objects.filter(project_id__in=chunk, period__year=year)
            for pk, m, v in facts.values_list("project_id", "period__month", "planned_ytd"):
                if m in frozen[pk]:
                    counted[pk][m] = Decimal(v)
    weights = DispatchConfig.get().plan_spread
    return {pk: _state(year=year, plan=plans.get(pk), own=own[pk], weights=weights, frozen=frozen[pk], counted=counted[pk]) for pk in ids}


def counted_ytd(*, project: Project, year: int, months: frozenset[int]) -> dict[int, Decimal]:
    """The 序时计划 the refresh wrote for ``project`` in the ``months`` of ``year`` that have a fact
    (month → ``ProjectPeriodFact.planned_ytd``): for frozen months, what was counted."""
    if not months:
        return {}
    from keyprojects.analytics.models import ProjectPeriodFact

    rows = ProjectPeriodFact.objects.filter(project=project, period__year=year, period__month__in=sorted(months))
    return {m: Decimal(v) for m, v in rows.values_list("period__month", "planned_ytd")}


def counted_curve(base: list[Decimal], counted: dict[int, Decimal]) -> list[Decimal]:
    """The twelve months as they count: a month with a counted 序时计划 is its difference from
    the month before's (as counted, else as the plan curve has it); any other the plan curve's."""
    curve = list(base)
    for m, ytd in counted.items():
        before = counted[m - 1] if m - 1 in counted else metrics.planned_ytd(base, m - 1)
        curve[m - 1] = ytd - before
    return curve
