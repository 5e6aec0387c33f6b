"""Reads for the home dashboard (issue 5 §1) and the leaders' figures (§5).

Everything comes from the summary tables, in the user's scope, through the metrics of
``metrics.py``:

* a user whose scope is a region (province, city, county and leader accounts; the superuser on
  the province) reads that region's ``DimensionPeriodSummary`` rows, its children's "all" rows
  and the region's ``RegionPeriodSummary`` rows of the year — four small indexed queries;
* anybody else (a department, an enterprise), or a period whose dimension summaries have not
  been built yet, reads the facts in scope (``selectors.facts_visible_to``), one grouped query
  per chart.

Never the monthly reports.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.db.models import Count, Exists, FloatField, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.translation import gettext

from keyprojects.accounts import policy
from keyprojects.core.money import format_month
from keyprojects.dispatch import rules
from keyprojects.dispatch.choices import WarningKind
from keyprojects.dispatch.models import ProjectWarning, ReportingPeriod
from keyprojects.projects.choices import Category, Level, Stage
from keyprojects.projects.industries import SECTION_CHOICES
from keyprojects.regions.models import Region

from . import metrics
from .models import DimensionPeriodSummary, ProjectPeriodFact, RegionPeriodSummary
from .selectors import (
    AGGREGATES,
    LEVEL_FLAGS,
    Figures,
    _figures,
    dimension_summaries_for,
    facts_visible_to,
    summaries_for,
    summary_figures,
)
from .services_dashboard import REPORTS_IN

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CHART_DIMENSIONS = ("level", "category", "industry", "stage")
TOP_N = 5
ZERO = Decimal(0)

# Lazy labels, made text in the request's language when a group is built (_group, _warning_counts).
LABELS: dict[str, dict[str, StrOrPromise]] = {
    "level": dict(Level.choices),
    "category": dict(Category.choices),
    "industry": dict(SECTION_CHOICES),
    "stage": dict(Stage.choices),
    "warning": dict(WarningKind.choices),
}
# the project list's query parameter for each dimension (projects/filters.py)
LIST_PARAMS = {"level": "level", "category": "category", "industry": "industry_section", "stage": "stage", "region": "region"}
ORDER = {
    "level": [k for k, _ in Level.choices],
    "category": [k for k, _ in Category.choices],
    "industry": [k for k, _ in SECTION_CHOICES],
    "stage": [k for k, _ in Stage.choices],
    "warning": [k for k, _ in WarningKind.choices],
}

# Colour bands of the county grid: percentage points against 序时进度 (metrics.ahead_points).
BANDS = (
    (Decimal(0), "ahead"),  # at or ahead of 序时进度
    (Decimal(-5), "slight"),  # behind by less than 5 points
    (Decimal(-10), "behind"),  # behind by 5-10 points
)
FAR = "far"  # behind by 10 points or more
NO_PLAN = "none"  # no annual plan: no rate


def band_of(points: Decimal | None) -> str:
    if points is None:
        return NO_PLAN
    for floor, name in BANDS:
        if points >= floor:
            return name
    return FAR


def project_list_url(**params: Any) -> str:
    query = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{reverse('projects:list')}?{urlencode(query)}" if query else reverse("projects:list")


def period_list_url(period: Any, **params: Any) -> str:
    """The project list of ``period``'s month (``projects.filters.ProjectListFilter``: the
    projects with a fact of the month, filtered by the fact's stage, lists, region …) with
    ``params``: what a figure of that month counted, whatever the projects are now."""
    return project_list_url(**params, year=period.year, period=period.label)


def lagging_projects_url(region_code: str, period: Any, *, own: bool = False) -> str:
    """Where a region's name leads a leader (dashboard, rankings, board, bulletin): the region's
    projects behind 序时进度 at ``period``, most behind first, with their 责任单位, 包保领导,
    annual plan, 累计完成 and lag (the project list, figures from the fact table). ``own``: the
    region's own projects only (the board's 市本级 row), not its counties'."""
    return project_list_url(region=region_code, own="1" if own else None, year=period.year, period=period.label, lag="behind", sort="lag")


def warnings_url(period: ReportingPeriod, **params: Any) -> str:
    query = {"period": period.label, **{k: v for k, v in params.items() if v not in (None, "")}}
    return f"{reverse('dispatch:warnings')}?{urlencode(query)}"


@dataclass(frozen=True)
class Group:
    """One bar, slice, region or project of the dashboard: its figures and where it links to."""

    key: str
    label: str
    figures: Figures
    url: str
    total_investment: Decimal = ZERO
    warned: int = 0
    lagging: int = 0

    @property
    def rate_pct(self) -> Decimal | None:
        return metrics.as_percent(self.figures.completion_rate)

    @property
    def band(self) -> str:
        return band_of(self.figures.ahead_points)

    @property
    def behind(self) -> bool:
        """落后序时进度: the completion rate is below N/12."""
        points = self.figures.ahead_points
        return points is not None and points < 0


@dataclass(frozen=True)
class CurvePoint:
    month: int
    label: str
    invested_month: Decimal
    invested_ytd: Decimal
    planned_ytd: Decimal
    time_plan: Decimal  # annual plan × N/12 (序时进度)
    annual_plan: Decimal
    url: str


@dataclass(frozen=True)
class WarningCount:
    kind: str
    label: str
    count: int
    url: str


@dataclass(frozen=True)
class ReportsIn:
    """A month's reports due and in (已报, ``rules.REPORTED_STATES``) over the figures' projects.
    While some are missing the month's figures carry their projects' cumulative figures forward,
    so a completion rate set against 序时进度 says 落后 where no project is judged lagging
    (``rules.lag_measured``): the pages say so beside it (user trial)."""

    due: int
    reported: int

    @property
    def incomplete(self) -> bool:
        return self.reported < self.due


def reports_in(facts: QuerySet[ProjectPeriodFact]) -> ReportsIn:
    """The reports due and in among ``facts`` (one month's), one aggregate."""
    row = facts.aggregate(due=AGGREGATES["agg_reports_due"], reported=REPORTS_IN)
    return ReportsIn(due=row["due"] or 0, reported=row["reported"] or 0)


def leader_reports_in(*, user: Any, period: ReportingPeriod | None, leader_id: int) -> ReportsIn | None:
    """:func:`reports_in` of one sponsor leader's projects the user can see (as ``leader_figures``)."""
    if period is None:
        return None
    return reports_in(facts_visible_to(user=user, period=period).filter(sponsor_leader_ref=leader_id))


@dataclass
class Dashboard:
    period: ReportingPeriod | None
    periods: list[ReportingPeriod]
    region: Region | None
    totals: Group | None = None
    breakdowns: dict[str, list[Group]] = field(default_factory=dict)
    regions: list[Group] = field(default_factory=list)
    regions_are: str = ""  # "city" | "county" | "" (no children)
    curve: list[CurvePoint] = field(default_factory=list)
    warnings: list[WarningCount] = field(default_factory=list)
    top: list[Group] = field(default_factory=list)
    bottom: list[Group] = field(default_factory=list)
    ranked: str = ""  # "region" | "project"
    source: str = ""  # "summary" | "facts"
    reports: ReportsIn | None = None  # the month's reports due and in, behind the totals
    closed: set[int] = field(default_factory=set)  # the periods closed for the region (a city closes its own)

    @property
    def period_closed(self) -> bool:
        return self.period is not None and self.period.pk in self.closed

    @property
    def time_progress_pct(self) -> Decimal | None:
        return metrics.as_percent(metrics.time_progress(self.period.month)) if self.period else None

    @property
    def warnings_total(self) -> int:
        return sum(w.count for w in self.warnings)


# --- scope and period ----------------------------------------------------------------------


def summary_region(user: Any) -> Region | None:
    """The region whose summary rows are exactly the user's scope, if there is one."""
    if policy.is_superuser(user):
        if user.region_id:
            return user.region  # type: ignore[no-any-return]
        provinces = list(Region.objects.filter(level="province", code__in=RegionPeriodSummary.objects.values("region_id"))[:2])
        return provinces[0] if len(provinces) == 1 else None
    return policy.scope_region(user)


def periods_with_facts(*, region: Region | None) -> list[ReportingPeriod]:
    """Periods (newest first) that have figures for ``region`` (or any facts), open or closed."""
    if region is not None:
        has = Exists(RegionPeriodSummary.objects.filter(period=OuterRef("pk"), region_id=region.code))
    else:
        has = Exists(ProjectPeriodFact.objects.filter(period=OuterRef("pk")))
    return list(ReportingPeriod.objects.filter(has).order_by("-year", "-month"))


def choose_period(periods: list[ReportingPeriod], label: str | None) -> ReportingPeriod | None:
    if label:
        for p in periods:
            if p.label == label:
                return p
    return periods[0] if periods else None


# --- the dashboard -------------------------------------------------------------------------


def dashboard_for(*, user: Any, period_label: str | None = None) -> Dashboard:
    region = summary_region(user)
    periods = periods_with_facts(region=region)
    period = choose_period(periods, period_label)
    from .services_assessment import periods_closed_for  # (the closures as the rankings and the bulletin say them)

    board = Dashboard(period=period, periods=periods, region=region, closed=periods_closed_for(periods, region))
    if period is None:
        return board
    own: list[DimensionPeriodSummary] = []
    if region is not None:
        own = list(dimension_summaries_for(user).filter(period=period, region_id=region.code).exclude(dimension="leader"))
    if own:
        assert region is not None
        _from_summaries(board, user, region, period, own)
    else:
        _from_facts(board, user, period)
    board.curve, reports = _curve(user, region, period)
    if board.source == "summary":  # (the facts' path counted its own)
        board.reports = reports
    _rank(board, user, period)
    return board


def _group(dimension: str, key: str, figures: Figures, period: ReportingPeriod, **extra: Any) -> Group:
    label = str(LABELS.get(dimension, {}).get(key, key or gettext("未填")))
    url = period_list_url(period, **{LIST_PARAMS[dimension]: key}) if dimension in LIST_PARAMS and key else ""
    return Group(key=key, label=label, figures=figures, url=url, **extra)


def _ordered(dimension: str, groups: Iterable[Group]) -> list[Group]:
    order = {k: i for i, k in enumerate(ORDER.get(dimension, []))}
    return sorted(groups, key=lambda g: (order.get(g.key, len(order)), g.key))


def _from_summaries(board: Dashboard, user: Any, region: Region, period: ReportingPeriod, own: list[DimensionPeriodSummary]) -> None:
    board.source = "summary"
    month = period.month
    by_dim: dict[str, list[DimensionPeriodSummary]] = {}
    for row in own:
        by_dim.setdefault(row.dimension, []).append(row)
    total = by_dim.get("all", [None])[0]
    if total is not None:
        board.totals = Group(
            key="",
            label=region.name,
            figures=summary_figures(total, key="total", month=month),
            url=period_list_url(period),
            total_investment=total.total_investment,
            warned=total.warned,
            lagging=total.lagging,
        )
    for dimension in CHART_DIMENSIONS:
        rows = by_dim.get(dimension, [])
        board.breakdowns[dimension] = _ordered(
            dimension, (_group(dimension, r.key, summary_figures(r, key=r.key, month=month), period) for r in rows)
        )
    board.warnings = _warning_counts(period, {r.key: r.projects for r in by_dim.get("warning", [])})
    children = (
        dimension_summaries_for(user)
        .filter(period=period, dimension="all", region__parent_id=region.code)
        .select_related("region")
        .order_by("region_id")
    )
    board.regions = [
        Group(
            key=row.region_id,
            label=row.region.name,
            figures=summary_figures(row, key=row.region_id, month=month),
            url=lagging_projects_url(row.region_id, period),
            total_investment=row.total_investment,
            warned=row.warned,
            lagging=row.lagging,
        )
        for row in children
    ]
    board.regions_are = "city" if region.level == "province" else ("county" if region.level == "city" else "")


def _warning_counts(period: ReportingPeriod, counts: dict[str, int]) -> list[WarningCount]:
    return [
        WarningCount(kind=k, label=str(LABELS["warning"][k]), count=counts[k], url=warnings_url(period, kind=k))
        for k in ORDER["warning"]
        if counts.get(k)
    ]


def _from_facts(board: Dashboard, user: Any, period: ReportingPeriod) -> None:
    """The same figures from the facts in scope (small scopes, or summaries not built yet)."""
    board.source = "facts"
    month = period.month
    facts = facts_visible_to(user=user, period=period)
    # (project, kind) pairs of the scope's warnings: one query for the counts by kind, the
    # projects with any warning and the lagging projects
    pairs = list(ProjectWarning.objects.visible_to(user).filter(period=period).order_by().values_list("project_id", "kind"))
    by_kind: dict[str, int] = {}
    for _pid, kind in pairs:
        by_kind[kind] = by_kind.get(kind, 0) + 1
    total = facts.aggregate(**AGGREGATES, agg_total_investment=Sum("project__total_investment"), agg_reports_in=REPORTS_IN)
    board.reports = ReportsIn(due=total["agg_reports_due"] or 0, reported=total["agg_reports_in"] or 0)
    board.totals = Group(
        key="",
        label=board.region.name if board.region else "",
        figures=_figures("total", total, month),
        url=period_list_url(period),
        total_investment=total["agg_total_investment"] or ZERO,
        warned=len({pid for pid, _kind in pairs}),
        lagging=by_kind.get("behind_schedule", 0),
    )
    # level, category, industry and stage from one grouped scan
    flags = [flag for _, flag in LEVEL_FLAGS.items()]
    columns = {"category": "category", "industry": "industry_section", "stage": "stage"}
    sums: dict[tuple[str, str], dict[str, Any]] = {}

    def add(key: tuple[str, str], row: dict[str, Any]) -> None:
        acc = sums.setdefault(key, dict.fromkeys(AGGREGATES, 0))
        for k in AGGREGATES:
            acc[k] = acc[k] + (row[k] or 0)

    for row in facts.values(*flags, *columns.values()).annotate(**AGGREGATES).order_by():
        for level, flag in LEVEL_FLAGS.items():
            if row[flag]:
                add(("level", level), row)
        for dimension, column in columns.items():
            add((dimension, row[column]), row)
    for dimension in CHART_DIMENSIONS:
        board.breakdowns[dimension] = _ordered(
            dimension,
            (_group(dimension, key, _figures(key, acc, month), period) for (dim, key), acc in sums.items() if dim == dimension),
        )
    board.warnings = _warning_counts(period, by_kind)
    # children: the counties of a city, the cities of a province, else the cities (or, all in
    # one city, the counties) of the user's projects
    region = board.region
    if region is not None and region.level == "county":
        return
    rows: list[dict[str, Any]] = [dict(r) for r in facts.values("city_code", "region_code").annotate(**AGGREGATES).order_by()]
    cities = {r["city_code"] for r in rows}
    level = "city" if (region is None and len(cities) > 1) or (region is not None and region.level == "province") else "county"
    column = "city_code" if level == "city" else "region_code"
    grouped: dict[str, dict[str, Any]] = {}
    for r in rows:
        if level == "county" and r["region_code"] == r["city_code"]:
            continue  # a city-level project is in no county
        acc = grouped.setdefault(r[column], dict.fromkeys(AGGREGATES, 0))
        for k in AGGREGATES:
            acc[k] = acc[k] + (r[k] or 0)
    names = dict(Region.objects.filter(code__in=list(grouped)).values_list("code", "name"))
    board.regions = [
        Group(
            key=code,
            label=names.get(code, code),
            figures=_figures(code, acc, month),
            url=lagging_projects_url(code, period),
        )
        for code, acc in sorted(grouped.items())
        if code
    ]
    board.regions_are = level


def _curve(user: Any, region: Region | None, period: ReportingPeriod) -> tuple[list[CurvePoint], ReportsIn | None]:
    """The cumulative months of the period's year up to its month, one query; with a region,
    the month's reports due and in from the same rows (its ``RegionPeriodSummary``)."""
    year, upto = period.year, period.month
    reports: ReportsIn | None = None
    if region is not None:
        summaries = list(
            summaries_for(user)
            .filter(region_id=region.code, period__year=year, period__month__lte=upto)
            .select_related("period")
            .order_by("period__month")
        )
        rows = [(r.period.month, r.invested_month, r.invested_ytd, r.planned_ytd, r.annual_plan) for r in summaries]
        if summaries and summaries[-1].period_id == period.pk:
            reports = ReportsIn(due=summaries[-1].reports_due, reported=summaries[-1].reports_in)
    else:
        scoped = ProjectPeriodFact.objects.visible_to(user).filter(period__year=year, period__month__lte=upto)
        rows = [
            (r["period__month"], r["m"] or ZERO, r["y"] or ZERO, r["p"] or ZERO, r["a"] or ZERO)
            for r in scoped.values("period__month")
            .annotate(m=Sum("invested_month"), y=Sum("invested_ytd"), p=Sum("planned_ytd"), a=Sum("annual_plan"))
            .order_by("period__month")
        ]
    out = []
    for month, invested_month, ytd, planned, annual in rows:
        out.append(
            CurvePoint(
                month=month,
                label=format_month(month),
                invested_month=invested_month,
                invested_ytd=ytd,
                planned_ytd=planned,
                time_plan=(Decimal(annual) * month / 12).quantize(Decimal("0.0001")),
                annual_plan=annual,
                url=project_list_url(year=year, period=f"{year:04d}-{month:02d}"),  # (period_list_url of that month)
            )
        )
    return out, reports


def _rank(board: Dashboard, user: Any, period: ReportingPeriod) -> None:
    """Top and bottom by completion rate: the child regions, or (no children) the projects."""
    rated = [g for g in board.regions if g.figures.completion_rate is not None]
    if len(rated) >= 2:
        rated.sort(key=lambda g: (g.figures.completion_rate, g.key))
        board.ranked = "region"
        board.top = list(reversed(rated[-TOP_N:]))
        board.bottom = rated[:TOP_N]
        return
    # the projects whose figures of the month are reported (dispatch.rules.lag_measured): a
    # project not due to report, or 未报, is listed as such elsewhere, not ranked on carried figures
    facts = facts_visible_to(user=user, period=period).filter(annual_plan__gt=0, report_state__in=sorted(rules.MEASURED_STATES))
    if board.region is not None:  # a superuser's board region (for anybody else it is the scope)
        facts = facts.filter(_region_q(board.region))
    # (as floating point: SQLite keeps whole amounts as integers, and an integer division ranked
    # 58,086 / 60,100 as 0; the rates shown are still the metrics', from the facts' sums)
    rate = Cast("invested_ytd", FloatField()) / Cast("annual_plan", FloatField())
    board.ranked = "project"
    board.top = _projects(facts.annotate(kp_rate=rate).order_by("-kp_rate", "project_id")[:TOP_N], period)
    board.bottom = _projects(facts.annotate(kp_rate=rate).order_by("kp_rate", "project_id")[:TOP_N], period)


def _region_q(region: Region) -> Q:
    if region.level == "province":
        return Q(province_code=region.code)
    if region.level == "city":
        return Q(city_code=region.code)
    return Q(region_code=region.code)


def _projects(facts: QuerySet[ProjectPeriodFact], period: ReportingPeriod) -> list[Group]:
    out = []
    for fact in facts.select_related("project"):
        row = {f"agg_{k}": getattr(fact, k) for k in ("annual_plan", "planned_ytd", "invested_month", "invested_ytd")}
        row.update(
            agg_projects=1,
            agg_planned_new=int(fact.planned_new),
            agg_started_new=int(fact.planned_new and fact.started),
            agg_planned_completions=int(fact.planned_completion),
            agg_completed=int(fact.planned_completion and fact.completed),
            agg_reports_due=int(fact.report_due),
            agg_reports_on_time=int(fact.report_due and fact.report_on_time),
        )
        out.append(
            Group(
                key=str(fact.project_id),
                label=fact.project.name,
                figures=_figures(fact.project_id, row, period.month),
                url=reverse("projects:detail", args=[fact.project_id]),
            )
        )
    return out


# --- leaders (市级领导分线作战) ---------------------------------------------------------------


@dataclass(frozen=True)
class LeaderFigures:
    figures: Figures
    total_investment: Decimal
    warned: int
    lagging: int

    @property
    def rate_pct(self) -> Decimal | None:
        return metrics.as_percent(self.figures.completion_rate)

    @property
    def band(self) -> str:
        return band_of(self.figures.ahead_points)


def leaders_total(figures: Iterable[LeaderFigures], period: ReportingPeriod) -> LeaderFigures:
    """The 合计 of some leaders' figures: their sums, and the metrics of ``Figures`` on those sums
    (a project has one sponsor leader, so nothing is counted twice)."""
    rows = list(figures)
    sums = {name: sum((getattr(f.figures, name[len("agg_") :]) for f in rows), 0) for name in AGGREGATES}
    return LeaderFigures(
        _figures("total", sums, period.month),
        sum((f.total_investment for f in rows), ZERO),
        sum(f.warned for f in rows),
        sum(f.lagging for f in rows),
    )


def leader_figures(*, user: Any, period: ReportingPeriod | None, leader_id: int | None = None) -> dict[int, LeaderFigures]:
    """Each sponsor leader's figures for ``period`` over the projects the user can see: sums,
    completion rate against 序时进度, projects with warnings and lagging projects."""
    if period is None:
        return {}
    region = summary_region(user)
    if region is not None:
        summaries = dimension_summaries_for(user).filter(period=period, region_id=region.code, dimension="leader")
        if leader_id is not None:
            summaries = summaries.filter(key=str(leader_id))
        found = {
            int(r.key): LeaderFigures(summary_figures(r, key=int(r.key), month=period.month), r.total_investment, r.warned, r.lagging)
            for r in summaries
        }
        if found or dimension_summaries_for(user).filter(period=period, region_id=region.code).exists():
            return found
    facts = facts_visible_to(user=user, period=period).exclude(sponsor_leader_ref=None)
    warnings = ProjectWarning.objects.visible_to(user).filter(period=period).exclude(project__sponsor_leader=None)
    if leader_id is not None:
        facts = facts.filter(sponsor_leader_ref=leader_id)
        warnings = warnings.filter(project__sponsor_leader_id=leader_id)
    counts: dict[Any, dict[str, Any]] = {
        r["project__sponsor_leader_id"]: dict(r)
        for r in warnings.order_by()
        .values("project__sponsor_leader_id")
        .annotate(w=Count("project_id", distinct=True), lag=Count("id", filter=Q(kind="behind_schedule")))
    }
    out: dict[int, LeaderFigures] = {}
    grouped: list[dict[str, Any]] = [
        dict(r) for r in facts.values("sponsor_leader_ref").annotate(**AGGREGATES, agg_total=Sum("project__total_investment")).order_by()
    ]
    for row in grouped:
        key = int(row["sponsor_leader_ref"])
        c = counts.get(key, {})
        out[key] = LeaderFigures(_figures(key, row, period.month), row["agg_total"] or ZERO, c.get("w", 0), c.get("lag", 0))
    return out
