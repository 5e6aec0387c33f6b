"""Refreshing the summary tables from reports (never per request).

``facts_refresh`` rebuilds one row per project for a period; ``summaries_refresh`` rolls the
facts up county → city → province. Rows of frozen regions (a closed month) are left alone.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum

from keyprojects.projects.models import Project, ProjectYear

from . import metrics
from .models import ProjectPeriodFact, RegionPeriodSummary

COUNTED = ("submitted", "approved")  # reports whose figures count ("已报")
ZERO = Decimal(0)


def _unfrozen(projects: QuerySet[Project], period: Any) -> QuerySet[Project]:
    from keyprojects.dispatch.selectors import closed_region_codes

    frozen = closed_region_codes(period)
    if period.status == "closed":
        return projects.none()
    if frozen:
        projects = projects.exclude(Q(city_code__in=frozen) | Q(province_code__in=frozen))
    return projects


@transaction.atomic
def facts_refresh(*, period: Any, projects: QuerySet[Project] | None = None) -> int:
    """Rebuild the facts of ``period`` for ``projects`` (default: all) that are not frozen."""
    from keyprojects.dispatch.models import DispatchConfig, MonthlyPlan, MonthlyReport
    from keyprojects.dispatch.selectors import DUE_STAGES, period_end
    from keyprojects.dispatch.selectors import report_state as state_of

    base = _unfrozen(projects if projects is not None else Project.objects.all(), period)
    year, month = period.year, period.month
    end = period_end(period)
    years = {
        py["project_id"]: py
        for py in ProjectYear.objects.filter(year=year, project__in=base.values("pk")).values(
            "project_id", "annual_plan", "on_province_list", "on_city_list", "on_county_list"
        )
    }
    reported = MonthlyReport.objects.filter(project__in=base.values("pk"), status__in=COUNTED)
    ytd = dict(
        reported.filter(period__year=year, period__month__lte=month)
        .values("project_id")
        .annotate(s=Sum("invested_month"))
        .values_list("project_id", "s")
    )
    to_date = dict(
        reported.filter(Q(period__year__lt=year) | Q(period__year=year, period__month__lte=month))
        .values("project_id")
        .annotate(s=Sum("invested_month"))
        .values_list("project_id", "s")
    )
    this_month = {
        r.project_id: r
        for r in MonthlyReport.objects.filter(period=period, project__in=base.values("pk")).only(
            "project_id", "status", "invested_month", "is_late", "no_activity", "period_id"
        )
    }
    own_plans: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for pid, m, amount in MonthlyPlan.objects.filter(year=year, project__in=base.values("pk")).values_list(
        "project_id", "month", "planned"
    ):
        own_plans[pid][m] = amount
    weights = DispatchConfig.get().plan_spread
    total_w = sum(Decimal(w) for w in weights) or Decimal(1)
    share = sum(Decimal(w) for w in weights[:month]) / total_w
    rows = []
    pids = []
    for p in (
        base.filter(pk__in=list(years))
        .values(
            "pk",
            "region_id",
            "city_code",
            "province_code",
            "category",
            "industry_section",
            "nature",
            "stage",
            "responsible_unit_id",
            "sponsor_leader_id",
            "invested_before",
            "planned_start",
            "planned_completion",
            "actual_start",
            "actual_completion",
        )
        .iterator(chunk_size=5000)
    ):
        pid = p["pk"]
        py = years[pid]
        plan = py["annual_plan"] or ZERO
        if own_plans.get(pid):
            curve = own_plans[pid]
            planned = sum((curve.get(m, ZERO) for m in range(1, month + 1)), ZERO)
        else:
            planned = (plan * share).quantize(Decimal("0.0001"))
        rep = this_month.get(pid)
        due = p["stage"] in DUE_STAGES
        counted = rep is not None and rep.status in COUNTED
        month_amount = rep.invested_month if rep is not None and counted else ZERO
        on_time = bool(rep is not None and counted and not rep.is_late)
        state = state_of(report=rep, period=period) if due or rep is not None else ""
        rows.append(
            ProjectPeriodFact(
                period=period,
                project_id=pid,
                region_code=p["region_id"],
                city_code=p["city_code"],
                province_code=p["province_code"],
                on_province_list=py["on_province_list"],
                on_city_list=py["on_city_list"],
                on_county_list=py["on_county_list"],
                category=p["category"],
                industry_section=p["industry_section"],
                nature=p["nature"],
                stage=p["stage"],
                responsible_unit_ref=p["responsible_unit_id"],
                sponsor_leader_ref=p["sponsor_leader_id"],
                annual_plan=plan,
                planned_ytd=planned,
                invested_month=month_amount,
                invested_ytd=ytd.get(pid) or ZERO,
                invested_to_date=(p["invested_before"] or ZERO) + (to_date.get(pid) or ZERO),
                report_state=state,
                report_due=due,
                report_on_time=on_time,
                planned_new=p["nature"] == "new",
                started=bool(p["actual_start"] and p["actual_start"] <= end),
                planned_completion=p["nature"] == "completing" or bool(p["planned_completion"] and p["planned_completion"].year == year),
                completed=bool(p["actual_completion"] and p["actual_completion"] <= end),
            )
        )
        pids.append(pid)
    ProjectPeriodFact.objects.filter(period=period, project__in=base.values("pk")).delete()
    ProjectPeriodFact.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def facts_refresh_project(*, project: Project, from_period: Any) -> None:
    """After an approval or a correction: refresh this project's facts from ``from_period`` on
    (later months carry its cumulative figures), then the summaries of those periods."""
    from keyprojects.dispatch.models import ReportingPeriod

    periods = ReportingPeriod.objects.filter(Q(year__gt=from_period.year) | Q(year=from_period.year, month__gte=from_period.month))
    for period in periods:
        n = facts_refresh(period=period, projects=Project.objects.filter(pk=project.pk))
        if n or ProjectPeriodFact.objects.filter(period=period).exists():
            summaries_refresh(period=period)


@transaction.atomic
def summaries_refresh(*, period: Any, freeze_region: Any = None) -> int:
    """Roll the facts of ``period`` up to every county, city and the province."""
    frozen = set(RegionPeriodSummary.objects.filter(period=period, frozen=True).values_list("region_id", flat=True))
    aggregates = {
        "projects": Count("id"),
        "annual_plan": Sum("annual_plan"),
        "planned_ytd": Sum("planned_ytd"),
        "invested_month": Sum("invested_month"),
        "invested_ytd": Sum("invested_ytd"),
        "planned_new": Count("id", filter=Q(planned_new=True)),
        "started_new": Count("id", filter=Q(planned_new=True, started=True)),
        "planned_completions": Count("id", filter=Q(planned_completion=True)),
        "completed": Count("id", filter=Q(planned_completion=True, completed=True)),
        "reports_due": Count("id", filter=Q(report_due=True)),
        "reports_in": Count("id", filter=Q(report_due=True, report_state__in=["submitted", "approved", "late", "no_activity"])),
        "reports_on_time": Count("id", filter=Q(report_due=True, report_on_time=True)),
    }
    # annotation names must not shadow the fact columns the filters refer to
    prefixed = {f"agg_{k}": v for k, v in aggregates.items()}
    facts = ProjectPeriodFact.objects.filter(period=period)
    groups: dict[str, dict[str, Any]] = {}
    for key in ("region_code", "city_code", "province_code"):
        for raw in facts.exclude(**{key: ""}).values(key).annotate(**prefixed):
            code = raw.pop(key)
            row = {k[4:]: v for k, v in raw.items()}
            groups.setdefault(code, row)  # a city-level project's region_code equals its city_code
            if key != "region_code":
                groups[code] = row
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
        RegionPeriodSummary(period=period, region_id=code, frozen=code in freeze_codes, **{k: v or 0 for k, v in vals.items()})
        for code, vals in groups.items()
        if code in known and code not in frozen
    ]
    RegionPeriodSummary.objects.bulk_create(rows, batch_size=1000)
    from .services_dashboard import dimension_summaries_refresh

    dimension_summaries_refresh(period=period)  # the home dashboard's breakdowns, from the same facts
    return len(rows)


def region_metrics(summary: RegionPeriodSummary, month: int) -> dict[str, Any]:
    """The displayed figures of one region summary, through the one set of metric definitions."""
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
    """Warnings of domain.md §3 / issue 3 from the facts and reports of ``period``."""
    from keyprojects.dispatch.choices import WarningKind
    from keyprojects.dispatch.models import DispatchConfig, MonthlyReport, ProjectWarning, ReportFlag
    from keyprojects.dispatch.selectors import period_end

    config = DispatchConfig.get()
    base = _unfrozen(projects if projects is not None else Project.objects.all(), period)
    facts = ProjectPeriodFact.objects.filter(period=period, project__in=base.values("pk"))
    end = period_end(period)
    out: list[ProjectWarning] = []

    def add(pid: int, kind: str, message: str, value: Decimal | None = None) -> None:
        out.append(ProjectWarning(project_id=pid, period=period, kind=kind, message=message[:300], value=value))

    for f in facts.iterator(chunk_size=5000):
        rate = metrics.completion_rate(f.invested_ytd, f.annual_plan)
        points = metrics.ahead_points(rate, period.month)
        if points is not None and points < -config.behind_points:
            add(f.project_id, WarningKind.BEHIND_SCHEDULE, metrics.schedule_phrase(points), points)
        spi = metrics.progress_index(f.invested_ytd, f.planned_ytd)
        if spi is not None and spi < config.progress_index_floor:
            add(f.project_id, WarningKind.LOW_PROGRESS_INDEX, f"进度指数{spi}，低于{config.progress_index_floor}", spi)
        if f.report_state == "missing":
            add(f.project_id, WarningKind.MISSING_REPORT, f"{period}月报未报送")
        elif f.report_state == "late":
            add(f.project_id, WarningKind.LATE_REPORT, f"{period}月报迟报")
    for p in base.filter(planned_start__lte=end, actual_start__isnull=True, stage__in=["reserve", "preparation"]).values(
        "pk", "planned_start"
    ):
        add(p["pk"], WarningKind.START_OVERDUE, f"计划{p['planned_start']:%Y年%m月}开工，至今未开工")
    n = config.zero_months
    if n and period.month >= n:
        window = MonthlyReport.objects.filter(
            period__year=period.year, period__month__gt=period.month - n, period__month__lte=period.month, status__in=COUNTED
        )
        active = window.filter(invested_month__gt=0).values("project_id")
        reported_all = window.values("project_id").annotate(c=Count("id")).filter(c=n).values("project_id")
        for pid in base.filter(pk__in=reported_all).exclude(pk__in=active).values_list("pk", flat=True):
            add(pid, WarningKind.ZERO_INVESTMENT, f"连续{n}个月完成投资为零")
    flagged = ReportFlag.objects.filter(report__period=period, report__project__in=base.values("pk"), severity="warning").values_list(
        "report__project_id", "message"
    )
    seen: set[int] = set()
    for pid, msg in flagged:
        if pid not in seen:
            add(pid, WarningKind.FLAGGED_FIGURES, msg)
            seen.add(pid)
    ProjectWarning.objects.filter(period=period, project__in=base.values("pk")).delete()
    ProjectWarning.objects.bulk_create(out, batch_size=2000, ignore_conflicts=True)
    return len(out)
