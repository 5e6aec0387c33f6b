"""Reads of the summary tables, always within the user's scope, with the metrics of
``metrics.py`` applied (issue 3 §6: a project, a region, a unit, a level, a category, an
industry)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from keyprojects.projects.models import Project

from . import metrics
from .models import DimensionPeriodSummary, ProjectPeriodFact, RegionPeriodSummary

DIMENSIONS = {
    "region": "region_code",
    "city": "city_code",
    "unit": "responsible_unit_ref",
    "leader": "sponsor_leader_ref",
    "category": "category",
    "industry": "industry_section",
    "nature": "nature",
    "stage": "stage",
}
LEVEL_FLAGS = {"province": "on_province_list", "city": "on_city_list", "county": "on_county_list"}


@dataclass(frozen=True)
class Figures:
    """One group's sums and the metrics defined on them."""

    key: Any
    projects: int
    annual_plan: Decimal
    planned_ytd: Decimal
    invested_month: Decimal
    invested_ytd: Decimal
    planned_new: int
    started_new: int
    planned_completions: int
    completed: int
    reports_due: int
    reports_on_time: int
    month: int

    @property
    def completion_rate(self) -> Decimal | None:
        return metrics.completion_rate(self.invested_ytd, self.annual_plan)

    @property
    def ahead_points(self) -> Decimal | None:
        return metrics.ahead_points(self.completion_rate, self.month)

    @property
    def schedule_phrase(self) -> str:
        return metrics.schedule_phrase(self.ahead_points)

    @property
    def progress_index(self) -> Decimal | None:
        return metrics.progress_index(self.invested_ytd, self.planned_ytd)

    @property
    def start_rate(self) -> Decimal | None:
        return metrics.start_rate(self.started_new, self.planned_new)

    @property
    def completion_production_rate(self) -> Decimal | None:
        return metrics.completion_production_rate(self.completed, self.planned_completions)

    @property
    def on_time_rate(self) -> Decimal | None:
        return metrics.on_time_rate(self.reports_on_time, self.reports_due)


AGGREGATES = {
    "agg_projects": Count("id"),
    "agg_annual_plan": Sum("annual_plan"),
    "agg_planned_ytd": Sum("planned_ytd"),
    "agg_invested_month": Sum("invested_month"),
    "agg_invested_ytd": Sum("invested_ytd"),
    "agg_planned_new": Count("id", filter=Q(planned_new=True)),
    "agg_started_new": Count("id", filter=Q(planned_new=True, started=True)),
    "agg_planned_completions": Count("id", filter=Q(planned_completion=True)),
    "agg_completed": Count("id", filter=Q(planned_completion=True, completed=True)),
    "agg_reports_due": Count("id", filter=Q(report_due=True)),
    "agg_reports_on_time": Count("id", filter=Q(report_due=True, report_on_time=True)),
}


def _figures(key: Any, row: dict[str, Any], month: int) -> Figures:
    z = Decimal(0)
    return Figures(
        key=key,
        projects=row["agg_projects"] or 0,
        annual_plan=row["agg_annual_plan"] or z,
        planned_ytd=row["agg_planned_ytd"] or z,
        invested_month=row["agg_invested_month"] or z,
        invested_ytd=row["agg_invested_ytd"] or z,
        planned_new=row["agg_planned_new"] or 0,
        started_new=row["agg_started_new"] or 0,
        planned_completions=row["agg_planned_completions"] or 0,
        completed=row["agg_completed"] or 0,
        reports_due=row["agg_reports_due"] or 0,
        reports_on_time=row["agg_reports_on_time"] or 0,
        month=month,
    )


def facts_for(user: Any) -> QuerySet[ProjectPeriodFact]:
    """Facts through ``user``'s scope (``visible_to``); every fact for ``user=None``, a system
    read (a command, a stored assessment snapshot)."""
    return ProjectPeriodFact.objects.all() if user is None else ProjectPeriodFact.objects.visible_to(user)


def summaries_for(user: Any) -> QuerySet[RegionPeriodSummary]:
    """Region roll-ups through ``user``'s scope; all of them for ``user=None`` (a system read)."""
    return RegionPeriodSummary.objects.all() if user is None else RegionPeriodSummary.objects.visible_to(user)


def dimension_summaries_for(user: Any) -> QuerySet[DimensionPeriodSummary]:
    """Dimension roll-ups through ``user``'s scope; all of them for ``user=None``."""
    return DimensionPeriodSummary.objects.all() if user is None else DimensionPeriodSummary.objects.visible_to(user)


def facts_visible_to(*, user: Any, period: Any) -> QuerySet[ProjectPeriodFact]:
    """Facts of ``period`` for projects in ``user``'s scope (the registry's choke point)."""
    return ProjectPeriodFact.objects.visible_to(user).filter(period=period)


def totals(*, user: Any, period: Any, level: str | None = None) -> Figures:
    qs = facts_visible_to(user=user, period=period)
    if level:
        qs = qs.filter(**{LEVEL_FLAGS[level]: True})
    return _figures("total", qs.aggregate(**AGGREGATES), period.month)


def own_figures(*, user: Any, period: Any, region: Any) -> Figures:
    """The sums of the facts of ``region``'s own projects (市本级, 省本级: the project's region is
    ``region`` itself, not one of its counties): a board's 本级 row, which has no summary."""
    qs = facts_visible_to(user=user, period=period).filter(region_code=region.code)
    return _figures("own", qs.aggregate(**AGGREGATES), period.month)


def breakdown(*, user: Any, period: Any, dimension: str, level: str | None = None) -> list[Figures]:
    """Sums and metrics grouped by ``dimension`` (see DIMENSIONS, or "level")."""
    qs = facts_visible_to(user=user, period=period)
    if level:
        qs = qs.filter(**{LEVEL_FLAGS[level]: True})
    if dimension == "level":
        return [_figures(lvl, qs.filter(**{flag: True}).aggregate(**AGGREGATES), period.month) for lvl, flag in LEVEL_FLAGS.items()]
    column = DIMENSIONS[dimension]
    rows = qs.values(column).annotate(**AGGREGATES).order_by(column)
    return [_figures(row[column], row, period.month) for row in rows]


def project_figures(*, project: Project, period: Any) -> Figures | None:
    fact = ProjectPeriodFact.objects.filter(project=project, period=period).first()
    if fact is None:
        return None
    from .rollup import fact_measures  # what one fact adds to every sum (the summaries' rule)

    measures = fact_measures({f.attname: getattr(fact, f.attname) for f in ProjectPeriodFact._meta.concrete_fields})
    return _figures(project.pk, {f"agg_{k}": v for k, v in measures.items()}, period.month)


def region_summaries(*, period: Any, parent_code: str, user: Any = None) -> QuerySet[RegionPeriodSummary]:
    """The rolled-up rows of the regions directly under ``parent_code`` (cities of a province,
    counties of a city) that ``user`` may see (all for None)."""
    return summaries_for(user).filter(period=period, region__parent_id=parent_code).select_related("region").order_by("region_id")


def summary_figures(row: Any, *, key: Any, month: int) -> Figures:
    """The ``Figures`` of one summary-table row (``RegionPeriodSummary`` or
    ``DimensionPeriodSummary``): same sums, same metrics as ``totals``/``breakdown``."""
    return _figures(
        key,
        {
            f"agg_{name}": getattr(row, name, 0)
            for name in (
                "projects",
                "annual_plan",
                "planned_ytd",
                "invested_month",
                "invested_ytd",
                "planned_new",
                "started_new",
                "planned_completions",
                "completed",
                "reports_due",
                "reports_on_time",
            )
        },
        month,
    )
