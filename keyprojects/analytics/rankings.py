"""比武打擂: rankings of regions, departments and function zones on one indicator, with the
movement since last month.

Regions are the cities of a province or the counties of a city and read the region summaries;
departments (责任单位) and zones (功能区) group the project facts by ``responsible_unit_ref`` /
the project's zone. Every figure comes from ``metrics.py`` (via ``selectors.Figures``); this
module only orders them.

Ranking rules: the higher value ranks first; equal values share a rank and the next rank skips
(1, 2, 2, 4); a unit whose value is not applicable (``None``, e.g. 开工率 without planned new
projects) ranks after all others. Movement = last month's rank − this month's rank (positive:
moved up), shown only when the unit had a value in both months.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import metrics
from .models import ProjectPeriodFact
from .selectors import AGGREGATES, Figures, _figures, facts_for, region_summaries


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str | Promise
    kind: str  # "rate": a ratio shown as a percentage; "points": percentage points; "days": working days; "count"
    lower_better: bool = False  # ranked lowest first (审批用时, 超时件数)


INDICATORS: dict[str, Indicator] = {
    i.key: i
    for i in (
        Indicator("completion_rate", _("年度投资完成率"), "rate"),
        Indicator("ahead_points", _("超/落后序时进度"), "points"),
        Indicator("start_rate", _("开工率"), "rate"),
        Indicator("completion_production_rate", _("竣工投产率"), "rate"),
        Indicator("on_time_rate", _("按时报送率"), "rate"),
        Indicator("problem_closure_rate", _("问题办结率"), "rate"),
        Indicator("request_on_time_rate", _("诉求按时办结率"), "rate"),
        Indicator("request_satisfaction_rate", _("诉求满意率"), "rate"),
        Indicator("lead_landing_rate", _("招商签约项目落地率"), "rate"),
        Indicator("lead_start_rate", _("招商签约项目开工率"), "rate"),
        Indicator("lead_funds_rate", _("招商资金到位率"), "rate"),
        # from the approvals (keyprojects.approvals.figures)
        Indicator("approval_avg_days", _("审批平均用时（工作日）"), "days", lower_better=True),
        Indicator("approvals_overdue", _("审批超时件数"), "count", lower_better=True),
        Indicator("needs_overdue", _("要素逾期未保障数"), "count", lower_better=True),
        # from 政企合作协议 (keyprojects.partnership.figures)
        Indicator("fulfilment_rate", _("政府承诺履约率"), "rate"),
    )
}
#: The indicators read from 企业诉求 (issue 15), not from the facts.
REQUEST_INDICATORS = frozenset({"request_on_time_rate", "request_satisfaction_rate"})
#: 招商引资 indicators (issue 16), read from the unit's funnel of signed leads
#: (``attraction.selectors.FunnelRow``; the rates are ``metrics.signed_landing_rate``,
#: ``signed_start_rate`` and ``funds_arrival_rate``): indicator → the FunnelRow attribute.
LEAD_INDICATORS: dict[str, str] = {
    "lead_landing_rate": "landing_rate",
    "lead_start_rate": "start_rate",
    "lead_funds_rate": "funds_rate",
}
# The summary columns behind selectors.AGGREGATES (agg_<name>).
AGGREGATES_FIELDS = [k[4:] for k in AGGREGATES]
UNIT_KINDS: dict[str, str | Promise] = {"region": _("区域"), "department": _("责任单位"), "zone": _("功能区")}


@dataclass(frozen=True)
class UnitFigures:
    """One ranked unit: its figures (the metrics of ``selectors.Figures``) and its problems."""

    key: str  # a region code, or a unit id as text
    name: str
    figures: Figures
    problems_raised: int = 0
    problems_solved: int = 0
    # 企业诉求 (issue 15): answered or overdue / answered on time; rated / satisfied
    requests_due: int = 0
    requests_on_time: int = 0
    requests_rated: int = 0
    requests_satisfied: int = 0
    leads: Any = None  # 招商 (issue 16): the unit's funnel (attraction.selectors.FunnelRow), if it has leads
    approvals: Any = None  # approvals.figures.ApprovalFigures (审批用时, 超时件数, 要素逾期)
    fulfilment: Any = None  # partnership.figures.FulfilmentFigures (政府承诺履约率), if it owes commitments

    @property
    def problem_closure_rate(self) -> Decimal | None:
        return metrics.problem_closure_rate(self.problems_solved, self.problems_raised)

    @property
    def request_on_time_rate(self) -> Decimal | None:
        return metrics.request_on_time_rate(self.requests_on_time, self.requests_due)

    @property
    def request_satisfaction_rate(self) -> Decimal | None:
        return metrics.satisfaction_rate(self.requests_satisfied, self.requests_rated)

    def value(self, indicator: str) -> Decimal | None:
        """The unit's value of ``indicator`` (a ratio, or percentage points for ahead_points)."""
        if indicator in ("problem_closure_rate", "request_on_time_rate", "request_satisfaction_rate"):
            return getattr(self, indicator)  # type: ignore[no-any-return]
        if indicator in LEAD_INDICATORS:
            return None if self.leads is None else getattr(self.leads, LEAD_INDICATORS[indicator])  # type: ignore[no-any-return]
        from keyprojects.approvals.figures import APPROVAL_INDICATORS, ApprovalFigures

        if indicator in APPROVAL_INDICATORS:
            return (self.approvals or ApprovalFigures()).value(indicator)
        from keyprojects.partnership.figures import PARTNERSHIP_INDICATORS

        if indicator in PARTNERSHIP_INDICATORS:
            return None if self.fulfilment is None else self.fulfilment.value(indicator)  # type: ignore[no-any-return]
        if indicator not in INDICATORS:
            raise KeyError(indicator)
        value: Decimal | None = getattr(self.figures, indicator)
        return value


def display_value(indicator: str, value: Decimal | None) -> Decimal | None:
    """The value as shown and as scored: a percentage for ratios, other kinds as they are."""
    if value is None or INDICATORS[indicator].kind != "rate":
        return value
    return metrics.as_percent(value)


@dataclass(frozen=True)
class RankRow:
    unit: UnitFigures
    indicator: str
    value: Decimal | None
    rank: int
    previous_rank: int | None = None
    movement: int | None = None

    @property
    def display(self) -> Decimal | None:
        return display_value(self.indicator, self.value)

    @property
    def down(self) -> int | None:
        """How many places the unit dropped (for "↓n"), else None."""
        return -self.movement if self.movement is not None and self.movement < 0 else None


@dataclass(frozen=True)
class Ranking:
    period: Any
    previous_period: Any
    kind: str
    root: Any
    indicator: Indicator
    rows: list[RankRow] = field(default_factory=list)


def rank_values(values: Mapping[str, Decimal | None]) -> dict[str, int]:
    """Competition ranks (1, 2, 2, 4) by value, highest first; ``None`` ranks after all values."""
    present = sorted((v for v in values.values() if v is not None), reverse=True)
    first: dict[Decimal, int] = {}
    for i, v in enumerate(present, start=1):
        first.setdefault(v, i)
    last = len(present) + 1
    return {k: (first[v] if v is not None else last) for k, v in values.items()}


# --- scope and grouping --------------------------------------------------------------------


def period_end_moment(period: Any) -> dt.datetime:
    """The first instant after ``period`` (local midnight of the next month's first day)."""
    ny, nm = (period.year + 1, 1) if period.month == 12 else (period.year, period.month + 1)
    return dt.datetime(ny, nm, 1, tzinfo=ZoneInfo(settings.TIME_ZONE))


def previous_period(period: Any) -> Any:
    from keyprojects.dispatch.models import ReportingPeriod

    year, month = (period.year - 1, 12) if period.month == 1 else (period.year, period.month - 1)
    return ReportingPeriod.objects.filter(year=year, month=month).first()


def root_facts(*, period: Any, root: Any, user: Any = None) -> QuerySet[ProjectPeriodFact]:
    """The facts of ``period`` for projects inside ``root`` (a province, a city or a county) that
    ``user`` may see (``None``: a system read, every fact)."""
    qs = facts_for(user).filter(period=period)
    if root.level == "province":
        return qs.filter(province_code=root.code)
    if root.level == "city":
        return qs.filter(city_code=root.code)
    return qs.filter(region_code=root.code)


def root_project_q(root: Any, prefix: str) -> Q:
    """Projects inside ``root`` (a province, a city or a county), through ``prefix``."""
    column = {"province": "province_code", "city": "city_code"}.get(root.level, "region_id")
    return Q(**{f"{prefix}{column}": root.code})


def group_column(kind: str, root: Any) -> str:
    """The fact column a unit of ``kind`` is: a child region of ``root``, a unit, a zone."""
    if kind == "region":
        return "city_code" if root.level == "province" else "region_code"
    if kind == "department":
        return "responsible_unit_ref"
    if kind == "zone":
        return "project__zone_id"
    raise ValueError(f"unknown unit kind {kind!r}")


def _problem_column(kind: str, root: Any) -> Any:
    if kind == "region":
        return F("project__city_code") if root.level == "province" else F("project__region_id")
    if kind == "department":
        # the unit answerable for the problem, else the project's responsible unit
        return Coalesce("responsible_unit_id", "project__responsible_unit_id")
    return F("project__zone_id")


def _problems(*, period: Any, kind: str, root: Any) -> QuerySet[Any]:
    """Problems raised by the end of ``period`` in ``root``, with their unit key and whether
    they were solved by the end of the period (``solved_in_time``)."""
    from keyprojects.dispatch.models import ProblemItem

    end = period_end_moment(period)
    solved = ExpressionWrapper(Q(status="solved", solved_at__lt=end), output_field=BooleanField())
    return ProblemItem.objects.filter(root_project_q(root, "project__"), created_at__lt=end).annotate(
        unit_key=_problem_column(kind, root), solved_in_time=solved
    )


def problem_items(*, period: Any, kind: str, root: Any) -> dict[str, list[tuple[int, int, bool]]]:
    """Problems raised by the end of ``period`` in ``root``, by unit key: (problem id, project
    id, solved by the end of the period)."""
    out: dict[str, list[tuple[int, int, bool]]] = defaultdict(list)
    rows = _problems(period=period, kind=kind, root=root).order_by("pk").values_list("pk", "project_id", "unit_key", "solved_in_time")
    for pk, pid, key, solved in rows:
        if key is None or key == "":
            continue
        out[str(key)].append((pk, pid, bool(solved)))
    return out


def problem_counts(*, period: Any, kind: str, root: Any) -> dict[str, tuple[int, int]]:
    """(raised, solved) of :func:`problem_items` per unit key: what a ranking needs, read as two
    columns without an order (grouping in SQL would make SQLite walk every project in region
    order to save a sort; an order by id sorts a province's tens of thousands of problems)."""
    raised: Counter[str] = Counter()
    solved: Counter[str] = Counter()
    for key, in_time in _problems(period=period, kind=kind, root=root).order_by().values_list("unit_key", "solved_in_time"):
        if key is None or key == "":
            continue
        raised[str(key)] += 1
        solved[str(key)] += bool(in_time)
    return {key: (n, solved[key]) for key, n in raised.items()}


def _names(kind: str, keys: list[str]) -> dict[str, str]:
    if kind == "region":
        from keyprojects.regions.models import Region

        return dict(Region.objects.filter(code__in=keys).values_list("code", "name"))
    from keyprojects.regions.models import Unit

    return {str(pk): name for pk, name in Unit.objects.filter(pk__in=[int(k) for k in keys]).values_list("pk", "name")}


def unit_figures(
    *,
    period: Any,
    kind: str,
    root: Any,
    user: Any = None,
    requests: bool = False,
    leads: bool = False,
    approvals: bool = False,
    fulfilment: bool = False,
    problems: bool = True,
) -> list[UnitFigures]:
    """The units of ``kind`` under ``root`` with their figures for ``period``, by key; with
    ``problems`` their problems raised and solved (a scan of every problem in ``root``), with
    ``requests`` also their 企业诉求 counts, with ``leads`` their 招商 funnel, with ``approvals``
    their approvals' figures (``approvals.figures``), with ``fulfilment`` their 履约率
    (``partnership.figures``) (each read only when an indicator needs it)."""
    if kind not in UNIT_KINDS:
        raise ValueError(f"unknown unit kind {kind!r}")
    figures: dict[str, Figures] = {}
    if kind == "region":
        for s in region_summaries(period=period, parent_code=root.code, user=user):
            row = {f"agg_{k}": getattr(s, k) for k in AGGREGATES_FIELDS}
            figures[s.region_id] = _figures(s.region_id, row, period.month)
    else:
        column = group_column(kind, root)
        rows = (
            root_facts(period=period, root=root, user=user)
            .exclude(**{f"{column}__isnull": True})
            .values(column)
            .annotate(**AGGREGATES)
            .order_by(column)
        )
        for row in rows:
            key = str(row[column])
            figures[key] = _figures(key, row, period.month)
    from keyprojects.approvals.figures import unit_approval_figures

    by_unit = unit_approval_figures(period=period, kind=kind, root=root, user=user) if approvals else {}
    from keyprojects.partnership.figures import unit_fulfilment_figures

    kept = unit_fulfilment_figures(period=period, kind=kind, root=root, user=user) if fulfilment else {}
    if kind != "region":  # a department that only handles approvals, owns needs or owes commitments is ranked too
        for key in [*by_unit, *kept]:
            figures.setdefault(key, _figures(key, dict.fromkeys(AGGREGATES), period.month))
    problem_figures = problem_counts(period=period, kind=kind, root=root) if problems else {}
    request_figures = request_items(period=period, kind=kind, root=root) if requests else {}
    funnels = lead_funnels(period=period, kind=kind, root=root) if leads else {}
    names = _names(kind, list(figures))
    return [
        UnitFigures(
            key=key,
            name=names.get(key, key),
            figures=figures[key],
            problems_raised=problem_figures.get(key, (0, 0))[0],
            problems_solved=problem_figures.get(key, (0, 0))[1],
            requests_due=request_figures[key].due if key in request_figures else 0,
            requests_on_time=request_figures[key].on_time if key in request_figures else 0,
            requests_rated=request_figures[key].rated if key in request_figures else 0,
            requests_satisfied=request_figures[key].satisfied if key in request_figures else 0,
            leads=funnels.get(key),
            approvals=by_unit.get(key),
            fulfilment=kept.get(key),
        )
        for key in sorted(figures)
    ]


def request_items(*, period: Any, kind: str, root: Any) -> dict[str, Any]:
    """The 企业诉求 counts of each unit key by the end of ``period`` (the engagement app's
    :func:`~keyprojects.engagement.selectors.request_counts`)."""
    from keyprojects.engagement.selectors import request_counts

    return request_counts(root=root, kind=kind, end=period_end_moment(period))


def lead_funnels(*, period: Any, kind: str, root: Any) -> dict[str, Any]:
    """The 招商 funnel of each unit key at the end of ``period`` (the attraction app's
    :func:`~keyprojects.attraction.selectors.unit_funnel`)."""
    from keyprojects.attraction.selectors import unit_funnel

    return unit_funnel(period=period, kind=kind, root=root)


def rank_key(indicator: str, value: Decimal | None) -> Decimal | None:
    """The value ranks are taken on (highest first): negated where lower is better."""
    return None if value is None else (-value if INDICATORS[indicator].lower_better else value)


def ranking(*, period: Any, kind: str, root: Any, indicator: str, user: Any = None) -> Ranking:
    """Units of ``kind`` under ``root`` ranked on ``indicator`` for ``period``, with the
    movement since the month before."""
    if indicator not in INDICATORS:
        raise ValueError(f"unknown indicator {indicator!r}")
    from keyprojects.approvals.figures import APPROVAL_INDICATORS
    from keyprojects.partnership.figures import PARTNERSHIP_INDICATORS

    loads = {
        "requests": indicator in REQUEST_INDICATORS,
        "leads": indicator in LEAD_INDICATORS,
        "approvals": indicator in APPROVAL_INDICATORS,
        "fulfilment": indicator in PARTNERSHIP_INDICATORS,
        "problems": indicator == "problem_closure_rate",
    }
    units = unit_figures(period=period, kind=kind, root=root, user=user, **loads)
    values = {u.key: u.value(indicator) for u in units}
    ranks = rank_values({k: rank_key(indicator, v) for k, v in values.items()})
    prev = previous_period(period)
    prev_ranks: dict[str, int] = {}
    prev_values: dict[str, Decimal | None] = {}
    if prev is not None:
        prev_units = unit_figures(period=prev, kind=kind, root=root, user=user, **loads)
        prev_values = {u.key: u.value(indicator) for u in prev_units}
        prev_ranks = rank_values({k: rank_key(indicator, v) for k, v in prev_values.items()})
    rows = []
    for u in units:
        before = prev_ranks.get(u.key) if prev_values.get(u.key) is not None else None
        now = values[u.key]
        rows.append(
            RankRow(
                unit=u,
                indicator=indicator,
                value=now,
                rank=ranks[u.key],
                previous_rank=before,
                movement=(before - ranks[u.key]) if before is not None and now is not None else None,
            )
        )
    rows.sort(key=lambda r: (r.rank, r.unit.key))
    return Ranking(period=period, previous_period=prev, kind=kind, root=root, indicator=INDICATORS[indicator], rows=rows)


@dataclass(frozen=True)
class RankingTableRow:
    """One line of the 比武打擂 table (page and export): the ranked unit and its figures."""

    row: RankRow
    f: Figures
    completion_pct: Decimal | None  # 完成率 as a percentage
    schedule: str  # the 序时进度 phrase
    points: Decimal | None  # percentage points ahead of (+) or behind (−) 序时进度


@dataclass(frozen=True)
class RankingTable:
    """What the 比武打擂 page shows for one period, range, unit kind and indicator; the page and
    its xlsx export both read this."""

    ranking: Ranking
    rows: list[RankingTableRow]
    unit_label: str | Promise  # the header of the unit column
    frozen: bool  # the period is closed for the range (the figures no longer change)

    @property
    def period(self) -> Any:
        return self.ranking.period

    @property
    def root(self) -> Any:
        return self.ranking.root

    @property
    def indicator(self) -> Indicator:
        return self.ranking.indicator


def unit_label(kind: str, root: Any) -> str | Promise:
    """The unit column's header: the child regions of ``root``, or the unit kind."""
    if kind == "region":
        return _("市") if root.level == "province" else _("县（市、区）")
    return UNIT_KINDS[kind]


def ranking_table(*, period: Any, kind: str, root: Any, indicator: str, user: Any = None) -> RankingTable:
    """The 比武打擂 table: :func:`ranking` with each row's figures, 完成率 and 序时进度."""
    from .services_assessment import period_closed_for

    result = ranking(period=period, kind=kind, root=root, indicator=indicator, user=user)
    rows = [
        RankingTableRow(
            row=r,
            f=r.unit.figures,
            completion_pct=metrics.as_percent(r.unit.figures.completion_rate),
            schedule=metrics.schedule_phrase(r.unit.figures.ahead_points),
            points=r.unit.figures.ahead_points,
        )
        for r in result.rows
    ]
    return RankingTable(
        ranking=result,
        rows=rows,
        unit_label=unit_label(kind, root),
        frozen=period_closed_for(period=period, region=root),
    )


def unit_fact_groups(*, period: Any, kind: str, root: Any, user: Any = None) -> dict[str, list[dict[str, Any]]]:
    """The facts behind each unit's figures (for the explanation of a score), by unit key."""
    column = group_column(kind, root)
    qs = root_facts(period=period, root=root, user=user).exclude(**{f"{column}__isnull": True})
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in qs.order_by("project_id").values(
        column,
        "project_id",
        "annual_plan",
        "invested_ytd",
        "planned_new",
        "started",
        "planned_completion",
        "completed",
        "report_due",
        "report_on_time",
    ):
        out[str(row.pop(column))].append(row)
    return out
