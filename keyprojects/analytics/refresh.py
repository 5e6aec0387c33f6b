"""The one refresh action: facts → warnings → region and dimension summaries.

Every write that changes a counted figure calls :func:`refresh_after` (submit, approve, return,
correction, import, project edits) or :func:`refresh_periods` (month close, 刷新汇总, the demo
seeder, ``manage.py refresh_figures``). Nothing is computed per request.

* Facts (``ProjectPeriodFact``): one row per project on a list that year and period, built here in
  Python from the project, its year, its own plan curve and its reports through the monthly
  rules (``dispatch.rules``: the counting rule) and the metrics (``analytics.metrics``: 序时计划).
* Warnings (``ProjectWarning``): from the same inputs and the facts.
* Summaries: a whole period is rebuilt by grouped scans (``services.summaries_refresh``); a
  change to a few projects is applied as the difference of their old and new contributions
  (:mod:`analytics.rollup`), so approving one report at 200,000 projects takes milliseconds.
  ``tests/test_figures_agree.py`` checks that the incremental result equals a full rebuild.

Rows of frozen regions (a closed month) are never touched.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from keyprojects.core.money import to_wan
from keyprojects.dispatch import rules
from keyprojects.dispatch import warning_text as text
from keyprojects.projects.choices import year_nature

from . import metrics

ZERO = Decimal(0)
CHUNK = 20000  # projects loaded at once in a whole-period refresh
FEW = 200  # up to this many projects are asked for by id (IN), more by id range
LARGE = 2000  # more projects than this changed at once: rebuild the periods whole
EXCLUDE_MAX = 5000  # handed-over projects left out of a read by id (NOT IN); more are read and replaced


class ProjectRow(NamedTuple):
    """What the facts and warnings read of a project (a tuple: a whole-period refresh holds one
    per project)."""

    pk: int
    region_id: str
    city_code: str
    province_code: str
    category: str
    industry_section: str
    nature: str
    stage: str
    responsible_unit_id: int | None
    sponsor_leader_id: int | None
    invested_before: Decimal | None
    total_investment: Decimal | None
    planned_start: dt.date | None
    planned_completion: dt.date | None
    actual_start: dt.date | None
    actual_completion: dt.date | None


PROJECT_COLUMNS = ProjectRow._fields


@dataclass
class _Inputs:
    """What the facts and warnings of some projects in one year are computed from."""

    projects: dict[int, ProjectRow]
    years: dict[int, dict[str, Any]]  # project -> its ProjectYear values
    own_plans: dict[int, dict[int, Decimal]]  # project -> month -> planned
    reports: dict[int, dict[int, tuple[str, Decimal, bool, bool]]]  # project -> month -> (status, amount, late, no_activity)
    counted_before_year: dict[int, Decimal]  # project -> Σ counted months of earlier years
    flags: dict[tuple[int, int], str] = field(default_factory=dict)  # (project, month) -> first warning message
    approvals: Any = None  # approvals.warnings.Inputs: the approvals and open needs (审批超时, 要素保障逾期)
    moves: dict[int, list[rules.Move]] = field(default_factory=dict)  # project -> its stage changes after the first month's end


@dataclass
class Written:
    """Rows a caller has just written, in this transaction, for projects it *created* there, in the
    form :func:`_load` reads them: the refresh takes them as they are instead of reading them
    back (an import of 15,000 new projects otherwise spent about a tenth of its time reading
    what it had just written; ADR 0010).

    Only projects created in the same transaction belong here, each with every row of theirs
    that :func:`_load` reads (their project row, year rows, reports and the reports' flags): a
    new project has no plan curve, approval, need or earlier report besides these. A project
    the caller changed but did not create is read from the database as always.
    ``dataio/tests/test_refresh_written.py`` checks that these equal what :func:`_load` reads
    back after an import.

    Amounts are kept at 4 places (``to_wan``), the form the database gives back."""

    projects: dict[int, ProjectRow] = field(default_factory=dict)
    years: dict[int, dict[int, dict[str, Any]]] = field(default_factory=dict)  # year → project → YEAR_COLUMNS values
    reports: dict[int, dict[int, dict[int, tuple[str, Decimal, bool, bool]]]] = field(default_factory=dict)
    # year → project → month → (status, invested_month, is_late, no_activity)
    flags: dict[int, dict[tuple[int, int], str]] = field(default_factory=dict)  # year → (project, month) → its first warning flag

    def add_project(self, values: ProjectRow) -> None:
        self.projects[values.pk] = values

    def add_year(self, project_id: int, year: int, annual_plan: Decimal, lists: Sequence[bool], nature: str) -> None:
        """A year row as written: its plan, its list flags (province, city, county) and its
        建设性质 ("" for none stated)."""
        values = (project_id, to_wan(annual_plan), *map(bool, lists), nature or "")
        self.years.setdefault(year, {})[project_id] = dict(zip(YEAR_COLUMNS, values, strict=True))

    def add_report(self, project_id: int, year: int, month: int, status: str, invested_month: Decimal, late: bool, idle: bool) -> None:
        self.reports.setdefault(year, {}).setdefault(project_id, {})[month] = (status, to_wan(invested_month), bool(late), bool(idle))

    def add_flag(self, project_id: int, year: int, month: int, severity: str, message: str) -> None:
        """A flag of the project's report, in the order they are written (the first warning counts)."""
        if severity == "warning":
            self.flags.setdefault(year, {}).setdefault((project_id, month), message)


YEAR_COLUMNS = ("project_id", "annual_plan", "on_province_list", "on_city_list", "on_county_list", "nature")


def _ids_q(ids: Sequence[int], field: str = "project_id") -> Q:
    """A filter on sorted ``ids``: a range when they are many and dense (a whole chunk of the
    table: no thousands of bound values), else ``IN`` (a few projects: the planner then searches
    the project index instead of scanning the period's reports for a range)."""
    if len(ids) > FEW and ids[-1] - ids[0] < 2 * len(ids):
        return Q(**{f"{field}__gte": ids[0], f"{field}__lte": ids[-1]})
    return Q(**{f"{field}__in": list(ids)})


def _load(year: int, months: Sequence[int], projects: Any, written: Written | None = None) -> _Inputs:
    """Load the inputs of ``projects`` (a queryset) for ``year`` in a few queries; those of the
    projects in ``written`` are taken from it, not read back."""
    from keyprojects.approvals import warnings as approval_warnings
    from keyprojects.core.bulk import read_values
    from keyprojects.dispatch.models import MonthlyPlan, MonthlyReport, ReportFlag, ReportingPeriod
    from keyprojects.dispatch.selectors import stage_moves
    from keyprojects.projects.models import ProjectEvent, ProjectYear

    mine: list[int] = []  # the projects of ``written`` in this set
    read = True
    if written is not None and written.projects:
        here = list(projects.values_list("pk", flat=True))
        mine = [pk for pk in here if pk in written.projects]
        if len(mine) == len(here):
            read = False
        elif mine and len(mine) <= EXCLUDE_MAX:
            projects = projects.exclude(pk__in=mine)  # (more: read with the others, then replaced)
    make = ProjectRow._make
    prows = {row[0]: make(row) for row in read_values(projects, *PROJECT_COLUMNS)} if read else {}
    handed = set(mine)
    ids = [pk for pk in prows if pk not in handed] if mine else list(prows)
    years: dict[int, dict[str, Any]] = {}
    own: dict[int, dict[int, Decimal]] = defaultdict(dict)
    reports: dict[int, dict[int, tuple[str, Decimal, bool, bool]]] = defaultdict(dict)
    before: dict[int, Decimal] = {}
    flags: dict[tuple[int, int], str] = {}
    moves: dict[int, list[rules.Move]] = {}
    last = max(months)
    first_end = rules.month_end(year, min(months))  # only a change after a month's end tells a stage of that month
    ids.sort()
    earlier = list(ReportingPeriod.objects.filter(year__lt=year).values_list("pk", flat=True))  # months of earlier years
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        within = _ids_q(chunk)
        for row in read_values(ProjectYear.objects.filter(within, year=year), *YEAR_COLUMNS):
            years[row[0]] = dict(zip(YEAR_COLUMNS, row, strict=True))
        for pid, m, amount in read_values(MonthlyPlan.objects.filter(within, year=year), "project_id", "month", "planned"):
            own[pid][m] = amount
        for pid, m, status, amount, late, idle in read_values(
            MonthlyReport.objects.filter(within, period__year=year, period__month__lte=last),
            "project_id", "period__month", "status", "invested_month", "is_late", "no_activity",
        ):  # fmt: skip
            reports[pid][m] = (status, amount, late, idle)  # (read at the field's 4 places)
        if earlier:  # (a first year on the system has none: no scan of the chunk's reports)
            for pid, s in read_values(
                MonthlyReport.objects.filter(within, period_id__in=earlier, status__in=rules.COUNTED)
                .values("project_id")
                .annotate(s=Sum("invested_month"))
                .order_by(),
                "project_id",
                "s",
            ):
                before[pid] = to_wan(s)
        for pid, m, message in read_values(
            ReportFlag.objects.filter(
                _ids_q(chunk, "report__project_id"), report__period__year=year, report__period__month__in=list(months), severity="warning"
            ).order_by("report_id", "id"),
            "report__project_id", "report__period__month", "message",
        ):  # fmt: skip
            flags.setdefault((pid, m), message)
        # the stage changes (selectors.stage_moves) of the projects changed after the first month's
        # end: only those can have had another stage then (none for ``written``: new, only 创建)
        later = ProjectEvent.objects.filter(within, on_date__gt=first_end).exclude(from_stage="").values("project_id")
        moves.update(stage_moves(later))
    approvals = approval_warnings.Inputs()
    for start in range(0, len(ids), 5000):
        part = approval_warnings.load(_ids_q(ids[start : start + 5000]))
        approvals.approvals.update(part.approvals)
        approvals.needs.update(part.needs)
        approvals.calendar.overrides.update(part.calendar.overrides)
    if mine:
        assert written is not None
        _take_written(written, mine, year, months, prows, years, reports, before, flags)
    return _Inputs(prows, years, dict(own), dict(reports), before, flags, approvals, moves)


def _take_written(
    written: Written,
    mine: list[int],
    year: int,
    months: Sequence[int],
    prows: dict[int, ProjectRow],
    years: dict[int, dict[str, Any]],
    reports: dict[int, dict[int, tuple[str, Decimal, bool, bool]]],
    before: dict[int, Decimal],
    flags: dict[tuple[int, int], str],
) -> None:
    """:func:`_load`'s inputs of the projects ``mine`` from ``written`` (new projects: no plan
    curve, approval or need)."""
    last = max(months)
    new = written.projects
    for pk in mine:
        prows[pk] = new[pk]
    mine_set = set(mine)
    for pk, values in written.years.get(year, {}).items():
        if pk in mine_set:
            years[pk] = values
    for pk, reps in written.reports.get(year, {}).items():
        if pk in mine_set:
            reports[pk] = reps if max(reps) <= last else {mm: rep for mm, rep in reps.items() if mm <= last}
    for earlier_year, by_project in written.reports.items():
        if earlier_year >= year:
            continue
        for pk, reps in by_project.items():
            if pk not in mine_set:
                continue
            counted = [rep[1] for rep in reps.values() if rules.counts(rep[0])]
            if counted:  # (as the database's sum: none without a counted earlier report; summed over the earlier years)
                before[pk] = to_wan(before.get(pk, ZERO) + sum(counted))
    wanted = set(months)
    for (pk, mm), message in written.flags.get(year, {}).items():
        if mm in wanted and pk in mine_set:
            flags[(pk, mm)] = message


@dataclass(frozen=True, slots=True)
class _Month:
    """What every project's fact in one period shares (computed once per period)."""

    period: Any
    month: int
    end: dt.date
    asof: dt.date  # the day the period's time-based warnings look at: its last day, or today
    pk: int  # (the period's, asked once per project otherwise)
    closed: bool
    fill_end: dt.date
    share: Decimal  # the weights' share of the plan due by the month's end (metrics.planned_share)
    label: str
    missing: str = ""  # its 未报 and 迟报 warnings' text (the same for every project: made once)
    late: str = ""


@dataclass(slots=True)
class _Project:
    """One project's values for the year, computed once for all its periods."""

    p: ProjectRow
    py: dict[str, Any] | None
    plan: Decimal
    curve: list[Decimal] | None
    reps: dict[int, tuple[str, Decimal, bool, bool]]
    ytd: list[Decimal]  # official 1-N月累计 at the end of each month 0..12 (rules.running_ytd)
    counted: dict[int, Decimal]
    before: Decimal  # invested before tracking + counted months of earlier years
    nature: str  # the year's 建设性质: its list's, else the project's (projects.choices.year_nature)
    moves: Sequence[rules.Move] = ()  # its stage changes (rules.stage_in_month)


FACT_COLUMNS = (
    "project_id",
    "region_code",
    "city_code",
    "province_code",
    "on_province_list",
    "on_city_list",
    "on_county_list",
    "category",
    "industry_section",
    "nature",
    "stage",
    "responsible_unit_ref",
    "sponsor_leader_ref",
    "total_investment",
    "annual_plan",
    "planned_ytd",
    "invested_month",
    "invested_ytd",
    "invested_to_date",
    "ahead_points",
    "report_state",
    "report_due",
    "report_on_time",
    "planned_new",
    "started",
    "planned_completion",
    "completed",
)  # a fact row's values, in the order :func:`_fact` gives them
_PLANNED_YTD, _INVESTED_YTD, _AHEAD_POINTS, _REPORT_STATE, _STAGE = (
    FACT_COLUMNS.index(c) for c in ("planned_ytd", "invested_ytd", "ahead_points", "report_state", "stage")
)


def fact_dict(row: Sequence[Any]) -> dict[str, Any]:
    """A fact row (:data:`FACT_COLUMNS` order) as column → value."""
    return dict(zip(FACT_COLUMNS, row, strict=True))


def _fact(m: _Month, x: _Project, today: dt.date) -> tuple[Any, ...]:
    """The fact row of one project in one period (values in :data:`FACT_COLUMNS` order): a
    tuple, not a dict — a whole-period refresh makes one per project and period."""
    p, py, month, end = x.p, x.py, m.month, m.end
    assert py is not None
    ytd = x.ytd[month]
    rep = x.reps.get(month)
    status = rep[0] if rep else None
    counted = status is not None and rules.counts(status)
    nature = x.nature
    started, completed, completion = p.actual_start, p.actual_completion, p.planned_completion
    stage = rules.stage_in_month(p.stage, actual_start=started, actual_completion=completed, month_end=end, moves=x.moves)  # (that month's)
    due = rules.due_to_report(stage)
    state = (
        rules.report_state(
            status=status,
            is_late=bool(rep and rep[2]),
            no_activity=bool(rep and rep[3]),
            fill_end=m.fill_end,
            period_closed=m.closed,
            today=today,
        )
        if rules.in_dispatch(due=due, reported=rep is not None)
        else ""
    )
    return (
        p.pk,
        p.region_id,
        p.city_code or "",
        p.province_code,
        py["on_province_list"],
        py["on_city_list"],
        py["on_county_list"],
        p.category or "",
        p.industry_section or "",
        nature or "",
        stage or "",
        p.responsible_unit_id,
        p.sponsor_leader_id,
        p.total_investment or ZERO,  # (read at the field's 4 places)
        x.plan,
        metrics.planned_to_date(x.plan, (), month, x.curve, share=m.share),
        rep[1] if rep and counted else ZERO,
        ytd,
        x.before + ytd,
        metrics.ahead_points(metrics.completion_rate(ytd, x.plan), month),
        state,
        due,
        bool(counted and rep and not rep[2]),
        nature == "new",
        bool(started and started <= end),
        nature == "completing" or bool(completion and completion.year == m.period.year),
        bool(completed and completed <= end),
    )


def _shown_index(spi: Decimal) -> Decimal:
    """A progress index as the warning shows it: two places, cut (not rounded) so that 0.899 reads
    0.89, below a 0.90 floor, never 0.90 (the stored value keeps its 4 places)."""
    return spi.quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def _warnings(m: _Month, x: _Project, fact: tuple[Any, ...] | None, inputs: _Inputs, config: Any) -> list[tuple[str, str, Any, str]]:
    """(kind, message, value, 责任单位) of one project's warnings in one period
    (dispatch.choices.WarningKind; the 责任单位 is blank where it is the project's)."""
    out: list[tuple[str, str, Any]] = []
    p, month = x.p, m.month
    if fact is not None:
        ytd, state, points = fact[_INVESTED_YTD], fact[_REPORT_STATE], fact[_AHEAD_POINTS]
        if rules.lag_measured(state):  # (else 未报, or not due: no lag judged on carried-forward figures)
            if points is not None and points < -config.behind_points:
                out.append(("behind_schedule", metrics.schedule_phrase_zh(points), points))
            spi = metrics.progress_index(ytd, fact[_PLANNED_YTD])
            if spi is not None and spi < config.progress_index_floor:
                floor = config.progress_index_floor
                out.append(("low_progress_index", text.LOW_PROGRESS_INDEX.zh(index=_shown_index(spi), floor=floor), spi))
        if state == "missing":
            out.append(("missing_report", m.missing, None))
        elif state == "late":
            out.append(("late_report", m.late, None))
    # the project's stage and start as they were at the month's end (a later start or completion is not yet known then)
    if fact is not None:
        stage = fact[_STAGE]
    else:
        stage = rules.stage_in_month(
            p.stage, actual_start=p.actual_start, actual_completion=p.actual_completion, month_end=m.end, moves=x.moves
        )
    start = p.planned_start
    if start and start <= m.end and not (p.actual_start and p.actual_start <= m.end) and stage in rules.NOT_STARTED_STAGES:
        out.append(("start_overdue", text.START_OVERDUE.zh(month=f"{start:%Y年%m月}"), None))
    if x.counted and stage in rules.ZERO_RUN_STAGES and rules.zero_run(x.counted, month=month, window=config.zero_months):
        out.append(("zero_investment", text.ZERO_INVESTMENT.zh(months=config.zero_months), None))
    flag = inputs.flags.get((p.pk, month))
    rep = x.reps.get(month)
    if flag and rep is not None and rules.counts(rep[0]):  # (a returned report's or a draft's flags: its figures count nowhere)
        out.append(("flagged_figures", flag, None))
    return [(k, msg, v, "") for k, msg, v in out] + _project_warnings()(p.pk, inputs.approvals, m.asof)


@functools.cache
def _project_warnings() -> Any:
    """``approvals.warnings.project_warnings`` (imported once, not per project and period)."""
    from keyprojects.approvals.warnings import project_warnings

    return project_warnings


def _unfrozen(projects: Any, period: Any) -> Any:
    from keyprojects.dispatch.selectors import closed_region_codes

    if period.is_closed:
        return projects.none()
    frozen = closed_region_codes(period)
    return projects.exclude(Q(city_code__in=frozen) | Q(province_code__in=frozen)) if frozen else projects


Warn = tuple[int, str, str, Any, str]  # (project, kind, message, value, 责任单位)


def _compute(
    periods: Sequence[Any], projects: Any, include_frozen: bool = False, written: Written | None = None
) -> dict[int, tuple[list[tuple[Any, ...]], list[Warn]]]:
    """Facts and warnings of ``projects`` for ``periods`` (all of one year): period pk → (fact rows,
    (project, kind, message, value, 责任单位) warnings). Frozen projects are left out per period.
    ``written``: rows just written for new projects (:class:`Written`), not read back."""
    from keyprojects.dispatch.models import DispatchConfig

    config = DispatchConfig.get()
    weights = config.plan_spread
    today = timezone.localdate()
    year = periods[0].year
    out: dict[int, tuple[list[tuple[Any, ...]], list[Warn]]] = {p.pk: ([], []) for p in periods}
    live = {  # None: every project (no frozen region that month)
        per.pk: None if include_frozen or not _has_frozen(per) else set(_unfrozen(projects, per).values_list("pk", flat=True))
        for per in periods
    }
    inputs = _load(year, [per.month for per in periods], projects, written)
    from keyprojects.dispatch.selectors import period_end

    months = [
        _Month(
            per,
            per.month,
            period_end(per),
            min(period_end(per), today),
            per.pk,
            per.is_closed,
            per.fill_end,
            metrics.planned_share(weights, per.month),
            str(per),
            text.MISSING_REPORT.zh(period=str(per)),
            text.LATE_REPORT.zh(period=str(per)),
        )
        for per in periods
    ]
    for pid, p in inputs.projects.items():
        py = inputs.years.get(pid)
        own = inputs.own_plans.get(pid)
        reps = inputs.reports.get(pid, {})
        counted = {mm: amount for mm, (st, amount, _, _) in reps.items() if rules.counts(st)}
        x = _Project(
            p=p,
            py=py,
            plan=to_wan(py["annual_plan"] or ZERO) if py else ZERO,
            curve=[own[mm] for mm in range(1, 13)] if own and len(own) == 12 else None,
            reps=reps,
            ytd=rules.running_ytd(counted),
            counted=counted,
            before=(p.invested_before or ZERO) + inputs.counted_before_year.get(pid, ZERO),
            nature=year_nature(py["nature"] if py else "", p.nature),
            moves=inputs.moves.get(pid, ()),
        )
        for m in months:
            alive = live[m.pk]
            if alive is not None and pid not in alive:
                continue
            facts, warns = out[m.pk]
            fact = _fact(m, x, today) if py is not None else None
            if fact is not None:
                facts.append(fact)
            for k, msg, v, owner in _warnings(m, x, fact, inputs, config):
                warns.append((pid, k, msg, v, owner))
    return out


def _write(period: Any, project_ids: Iterable[int] | None, facts: list[tuple[Any, ...]], warns: list[Warn]) -> None:
    from keyprojects.dispatch.models import ProjectWarning

    from .models import ProjectPeriodFact

    fq = ProjectPeriodFact.objects.filter(period=period)
    wq = ProjectWarning.objects.filter(period=period)
    if project_ids is not None:
        ids = list(project_ids)
        for start in range(0, len(ids), 5000):
            fq.filter(project_id__in=ids[start : start + 5000]).delete()
            wq.filter(project_id__in=ids[start : start + 5000]).delete()
    else:
        fq.delete()
        wq.delete()
    from keyprojects.core.bulk import bulk_load

    with bulk_load({ProjectPeriodFact: len(facts), ProjectWarning: len(warns)}):  # young tables: indexes built once
        _insert(period, facts, warns)


def _insert(period: Any, facts: list[tuple[Any, ...]], warns: list[Warn]) -> None:
    from keyprojects.core.bulk import BulkWriter
    from keyprojects.dispatch.models import ProjectWarning

    from .models import ProjectPeriodFact

    if facts:
        writer = BulkWriter(ProjectPeriodFact, FACT_COLUMNS, const={"period_id": period.pk})
        writer.add_many(facts)
        writer.finish()
    if warns:
        first: dict[tuple[int, str], tuple[Any, ...]] = {}  # one warning of a kind per project and period: the first
        for pid, k, m, v, owner in warns:
            first.setdefault((pid, k), (pid, k, m[:300], v, owner[:200]))
        now = timezone.now()
        writer = BulkWriter(
            ProjectWarning, ["project_id", "kind", "message", "value", "owner"], const={"period_id": period.pk, "created_at": now}
        )
        writer.add_many(first.values())
        writer.finish()


# --- the action -----------------------------------------------------------------------------


def rebuild_facts(*, periods: Iterable[Any], projects: Any = None, progress: Any = None, written: Written | None = None) -> tuple[int, int]:
    """Rebuild the facts and warnings of ``periods`` for ``projects`` (default: all), leaving
    frozen projects alone; summaries are not touched. Returns (facts, warnings) written.
    ``progress(done, total)``, if given, hears of each chunk of projects computed and each
    period written, counted over all the periods' years (it only grows).
    ``written``: rows the caller has just written for projects it created (:class:`Written`)."""
    from keyprojects.projects.models import Project

    base = projects if projects is not None else Project.objects.all()
    n_facts = n_warnings = 0
    by_year: dict[int, list[Any]] = defaultdict(list)
    for per in periods:
        by_year[per.year].append(per)
    ids = list(base.order_by("pk").values_list("pk", flat=True)) if by_year else []
    # computing a project for a period weighs as much as writing its fact and warnings (measured
    # on an import of 15,000 new projects: 0.6 s each; ADR 0010)
    share = max(1, len(ids))
    steps = sum(2 * len(ps) * share for ps in by_year.values())
    done = 0
    if progress:
        progress(0, steps)
    for year_periods in by_year.values():
        year_periods.sort(key=lambda p: p.month)
        results: dict[int, tuple[list[tuple[Any, ...]], list[Warn]]] = {p.pk: ([], []) for p in year_periods}
        for start in range(0, len(ids), CHUNK):
            chunk = base.filter(_ids_q(ids[start : start + CHUNK], "pk"))
            for pk, (f, w) in _compute(year_periods, chunk, written=written).items():
                results[pk][0].extend(f)
                results[pk][1].extend(w)
            if progress:
                progress(done + min(start + CHUNK, len(ids)) * len(year_periods), steps)
        done += len(ids) * len(year_periods)
        for per in year_periods:
            facts, warns = results[per.pk]
            live = None if projects is None and not _has_frozen(per) else list(_unfrozen(base, per).values_list("pk", flat=True))
            _write(per, live, facts, warns)
            n_facts += len(facts)
            n_warnings += len(warns)
            done += share
            if progress:
                progress(done, steps)
    return n_facts, n_warnings


SUMMARY_SHARE = 0.3  # the summaries of the periods weigh about 0.3 of their facts (measured: ADR 0010)


@transaction.atomic
def refresh_periods(
    *, periods: Iterable[Any], projects: Any = None, freeze_region: Any = None, written: Written | None = None, progress: Any = None
) -> dict[str, int]:
    """Rebuild facts and warnings of whole ``periods`` (for ``projects``, default all unfrozen
    ones), then their region and dimension summaries (always for the whole period).
    ``written``: rows the caller has just written for projects it created (:class:`Written`).
    ``progress(done, total)``, if given, hears of the facts as :func:`rebuild_facts` reports
    them, then of each period summarised (together :data:`SUMMARY_SHARE` of the facts' steps)."""
    from .services import summaries_refresh

    periods = list(periods)
    whole = [0, 0]  # the facts' steps, the summaries' steps

    def facts_progress(done: int, total: int) -> None:
        whole[0], whole[1] = total, max(len(periods), int(total * SUMMARY_SHARE))
        progress(done, total + whole[1])

    n_facts, n_warnings = rebuild_facts(periods=periods, projects=projects, written=written, progress=facts_progress if progress else None)
    n_summaries = 0
    for i, per in enumerate(periods, start=1):
        n_summaries += summaries_refresh(period=per, freeze_region=freeze_region)
        if progress:
            progress(whole[0] + whole[1] * i // len(periods), whole[0] + whole[1])
    return {"facts": n_facts, "warnings": n_warnings, "summaries": n_summaries}


def _has_frozen(period: Any) -> bool:
    from keyprojects.dispatch.selectors import closed_region_codes

    return period.is_closed or bool(closed_region_codes(period))


@transaction.atomic
def refresh_after(
    *,
    project_ids: Iterable[int],
    from_period: Any,
    only_period: bool = False,
    correction: bool = False,
    written: Written | None = None,
    progress: Any = None,
) -> int:
    """After a change to some projects' reports or fields: bring their facts and warnings up to
    date in ``from_period`` and every later period (cumulative figures carry on; just that one
    period with ``only_period``), and apply the difference to the summaries. Returns the number
    of (project, period) facts refreshed. ``correction``: an approved correction of a closed
    month (issue 10 §4) goes through frozen months too, so that every page shows the corrected
    figure (marked 已更正; the snapshot taken at the close keeps the original). ``written``: rows
    the caller has just written for projects it created (:class:`Written`), not read back.
    ``progress(done, total)``, if given, hears of each period refreshed (a big import: as
    :func:`refresh_periods` reports)."""
    from keyprojects.dispatch.models import ProjectWarning, ReportingPeriod
    from keyprojects.projects.models import Project

    from .models import ProjectPeriodFact
    from .rollup import apply_delta
    from .services import summaries_refresh

    ids = sorted(set(project_ids))
    if not ids:
        return 0
    periods = ReportingPeriod.objects.filter(Q(year__gt=from_period.year) | Q(year=from_period.year, month__gte=from_period.month))
    if only_period:
        periods = periods.filter(pk=from_period.pk)
    if len(ids) > LARGE:  # a big import: whole periods cost less than thousands of differences
        return refresh_periods(periods=periods.order_by("year", "month"), written=written, progress=progress)["facts"]
    by_year: dict[int, list[Any]] = defaultdict(list)
    for per in periods.order_by("year", "month"):
        by_year[per.year].append(per)
    n = done = 0
    steps = sum(len(ps) for ps in by_year.values())
    if progress:
        progress(0, steps)
    projects = Project.objects.filter(pk__in=ids)
    for year_periods in by_year.values():
        results = _compute(year_periods, projects, include_frozen=correction, written=written)
        for per in year_periods:
            done += 1
            facts, warns = results[per.pk]
            live = set((projects if correction else _unfrozen(projects, per)).values_list("pk", flat=True))
            if not live:
                if progress:
                    progress(done, steps)
                continue
            old_facts = list(ProjectPeriodFact.objects.filter(period=per, project_id__in=live).values())
            old_warns = list(ProjectWarning.objects.filter(period=per, project_id__in=live).values_list("project_id", "kind"))
            _write(per, live, facts, warns)
            new_warns = [(w[0], w[1]) for w in warns]
            if not apply_delta(
                period=per,
                old_facts=old_facts,
                old_warnings=old_warns,
                new_facts=[fact_dict(f) for f in facts],
                new_warnings=new_warns,
                include_frozen=correction,
            ):
                summaries_refresh(period=per, include_frozen=correction)
            n += len(facts)
            if progress:
                progress(done, steps)
    return n


def refresh_years(*, project_ids: Iterable[int], years: Iterable[int], written: Written | None = None, progress: Any = None) -> int:
    """After an import: :func:`refresh_after` for ``project_ids`` from the first period of the
    earliest of ``years`` (their lists, plans and months) on; ``written``: the rows of the
    projects it created (:class:`Written`); ``progress(done, total)``: as :func:`refresh_after`
    reports."""
    from keyprojects.dispatch.models import ReportingPeriod

    years = [y for y in years if y]
    if not years:
        return 0
    first = ReportingPeriod.objects.filter(year__gte=min(years)).order_by("year", "month").first()
    return 0 if first is None else refresh_after(project_ids=project_ids, from_period=first, written=written, progress=progress)
