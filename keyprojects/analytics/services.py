"""Refreshing the summary tables from reports (never per request).

``facts_refresh`` rebuilds one row per project for a period; ``summaries_refresh`` rolls the
facts up county → city → province. Rows of frozen regions (a closed month) are left alone.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q, QuerySet

from keyprojects.dispatch import rules
from keyprojects.projects.models import Project

from . import metrics
from .models import RegionPeriodSummary

if TYPE_CHECKING:
    from .selectors import Figures

COUNTED = rules.COUNTED  # reports whose figures count ("已报"): the counting rule of dispatch.rules
ZERO = Decimal(0)


def facts_refresh(*, period: Any, projects: QuerySet[Project] | None = None) -> int:
    """(A name kept for callers and tests of one period; live code calls ``analytics.refresh``.)
    Rebuild the facts (and warnings) of ``period`` for ``projects`` (default: all) that are
    not frozen: the refresh action's first two steps (``refresh.rebuild_facts``)."""
    from .refresh import rebuild_facts

    return rebuild_facts(periods=[period], projects=projects)[0]


def facts_refresh_project(*, project: Project, from_period: Any) -> None:
    """After a change to one project: ``refresh.refresh_after`` from ``from_period`` on."""
    from .refresh import refresh_after

    refresh_after(project_ids=[project.pk], from_period=from_period)


@transaction.atomic
def summaries_refresh(*, period: Any, freeze_region: Any = None, include_frozen: bool = False) -> int:
    """Roll the facts of ``period`` up to every county, city and the province. Frozen rows are
    left alone, except after a correction approved after the close (``include_frozen``: they are
    rebuilt and stay frozen)."""
    frozen = set(RegionPeriodSummary.objects.filter(period=period, frozen=True).values_list("region_id", flat=True))
    refrozen: set[str] = set()
    if include_frozen:
        refrozen, frozen = frozen, set()
    # The one grouped scan of the period's facts (``services_dashboard.fact_groups``), shared
    # with the dimension summaries. Each group adds to every distinct code it names, its
    # (county, city, province) codes: a city-level project's region_code is its city_code,
    # counted once.
    from .selectors import AGGREGATES
    from .services_dashboard import GROUP_KEYS, dimension_summaries_refresh, fact_groups

    fields = [name[4:] for name in (*AGGREGATES, "agg_reports_in")]  # (agg_projects → projects, …)
    n_keys = len(GROUP_KEYS)
    groups: dict[str, dict[str, Any]] = {}
    rows_read = fact_groups(period)
    for row in rows_read:
        sums = [0 if v is None else v for v in row[n_keys:]]
        for code in {c for c in row[:3] if c}:
            acc = groups.get(code)
            if acc is None:
                groups[code] = dict(zip(fields, sums, strict=True))
            else:
                groups[code] = {n: acc[n] + v for n, v in zip(fields, sums, strict=True)}
    from keyprojects.regions.models import Region

    known = set(Region.objects.filter(code__in=list(groups)).values_list("code", flat=True))
    RegionPeriodSummary.objects.filter(period=period).exclude(region_id__in=frozen).delete()
    freeze_codes: set[str] = set()
    if freeze_region is not None:
        in_region = (
            Q(province_code=freeze_region.code)
            if freeze_region.level == "province"
            else Q(city_code=freeze_region.code) | Q(code=freeze_region.code)
        )
        freeze_codes = set(Region.objects.filter(in_region).values_list("code", flat=True))
    rows = [
        RegionPeriodSummary(
            period=period, region_id=code, frozen=code in freeze_codes or code in refrozen, **{k: v or 0 for k, v in vals.items()}
        )
        for code, vals in groups.items()
        if code in known and code not in frozen
    ]
    RegionPeriodSummary.objects.bulk_create(rows, batch_size=1000)
    dimension_summaries_refresh(period=period, groups=rows_read)  # the home dashboard's breakdowns, from the same scan
    return len(rows)


def region_metrics(summary: RegionPeriodSummary | Figures, month: int) -> dict[str, Any]:
    """The displayed figures of one region summary (or of the same sums taken from the facts:
    ``selectors.own_figures``), through the one set of metric definitions."""
    rate = metrics.completion_rate(summary.invested_ytd, summary.annual_plan)
    return {
        "completion_rate": rate,
        "ahead_points": metrics.ahead_points(rate, month),
        "progress_index": metrics.progress_index(summary.invested_ytd, summary.planned_ytd),
        "start_rate": metrics.start_rate(summary.started_new, summary.planned_new),
        "completion_production_rate": metrics.completion_production_rate(summary.completed, summary.planned_completions),
        "on_time_rate": metrics.on_time_rate(summary.reports_on_time, summary.reports_due),
    }


def warnings_compute(*, period: Any, projects: QuerySet[Project] | None = None) -> int:
    """Recompute the warnings (and facts) of ``period`` for ``projects`` (default: all) that are
    not frozen (``refresh.rebuild_facts``); returns the number of warnings."""
    from .refresh import rebuild_facts

    return rebuild_facts(periods=[period], projects=projects)[1]
