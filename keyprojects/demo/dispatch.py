"""Monthly dispatch for the demo: reporting periods (all but the last closed for the province),
a report per due project and month on a seasonal curve (Spring Festival dip, June push,
year-end rush) with lagging projects, unit slips and other flagged months, "no activity"
months, review states and history by the review chain, problems, plan curves, and the summary
tables."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from .common import PROVINCE, DemoError, explicit_timestamps, last_day, writer_for
from .reference import DONE_REASON, NO_ACTIVITY_REASONS, PREP_TEXTS, PRODUCING_REASON, SLIP_OPINION
from .reports import (
    ANOMALY_SHARE,
    COUNTED,
    LAGGING_SHARE,
    NO_ACTIVITY_P,
    PHASE_TABLES,
    Q4,
    REPORTED_STATES,
    SEASON,
    STEP_MONTHS,
    Formats,
    ReportContext,
    ReportsMixin,
    Row,
)

if TYPE_CHECKING:
    from keyprojects.core.bulk import BulkWriter

    from .builder import DemoBuilder
    from .drafts import Draft


@dataclass
class DemoPeriod:
    pk: int
    year: int
    month: int
    last_day: dt.date
    fill_start: dt.date
    fill_end: dt.date
    closed: bool  # closed at the end of the run (facts are written before, as period_close does)
    steps: bool  # write the review history
    past_window: bool  # today > fill_end: a report not in is "missing" (not "not_due")
    label: str  # str(ReportingPeriod): "2026年10月"
    t0: int  # minute stamp of fill_start 00:00
    t_end: int  # minute stamp of fill_end 00:00
    days: int  # days in the fill window
    progress: float  # 序时进度 × 100 (the quick "behind schedule" test)
    missing_msg: str = ""
    late_msg: str = ""


@dataclass
class Sim:
    rows: list[Row | None]  # per period
    before: int  # Project.invested_before (0.01 万元): invested before the first generated month
    lag: bool


class Dispatch(ReportsMixin):
    """Monthly dispatch for the demo: reporting periods, one report per due project and month
    with a seasonal investment curve, the review state and history, flags, problems, monthly
    plans, and the summary tables (facts and warnings written directly, equal to what
    ``facts_refresh``/``warnings_compute`` produce; region summaries by ``summaries_refresh``).

    Everything a project's reports need is generated with the project (:meth:`simulate` before
    its row is written, since ``invested_before`` depends on the months reported, :meth:`emit`
    after), from a random stream of its own, so the projects do not depend on ``--months``
    except for ``invested_before`` and an earlier ``created_at`` where a report needs one."""

    def __init__(self, builder: DemoBuilder, months: int):
        self.b = builder
        self.n_months = months
        self.year = builder.year
        self.rng = random.Random(builder.seed * 7919 + 104729)
        self.periods: list[DemoPeriod] = []
        self.counts: dict[str, int] = dict.fromkeys(
            ("periods", "closed", "reports", "flags", "steps", "problems", "open_problems", "plans", "facts", "warnings",
             "summaries", "lagging"), 0)  # fmt: skip
        self.open_states: dict[str, int] = {}

    # -- setup ------------------------------------------------------------------------------

    def setup(self) -> None:
        from django.db import connections, router

        from keyprojects.analytics.models import ProjectPeriodFact
        from keyprojects.dispatch.models import (
            DEFAULT_CHAIN,
            EVEN_SPREAD,
            DispatchConfig,
            MonthlyPlan,
            MonthlyReport,
            PeriodClosure,
            ProblemItem,
            ProjectWarning,
            ReportFlag,
            ReportingPeriod,
            ReportStep,
        )
        from keyprojects.dispatch.selectors import DUE_STAGES, fill_window

        config = DispatchConfig.get()
        if list(config.plan_spread) == EVEN_SPREAD:
            config.plan_spread = list(SEASON)
            config.save(update_fields=["plan_spread", "updated_at"])
            self.counts["spread_set"] = 1
        self.config = config
        self.chains = {k: list(v) for k, v in (config.review_chain or DEFAULT_CHAIN).items()}
        self.due_stages = {str(s) for s in DUE_STAGES}
        self.behind = Decimal(config.behind_points)
        self.floor = Decimal(config.progress_index_floor)
        self.slip = int(config.slip_factor)
        self.zero_months = int(config.zero_months)
        weights = [Decimal(w) for w in config.plan_spread]
        total_w = sum(weights) or Decimal(1)
        self.fmt = Formats(connections[router.db_for_write(MonthlyReport)].vendor, self.b.tz)

        # the months, oldest first, ending at the data month
        y, m = self.year, self.b.month
        months: list[tuple[int, int]] = []
        for _ in range(self.n_months):
            months.append((y, m))
            y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        months.reverse()
        # leftovers of an empty database (--reset deletes them with the business data)
        stale = ReportingPeriod.objects.filter(year__in={yy for yy, _ in months})
        PeriodClosure.objects.filter(period__in=stale).delete()
        from keyprojects.analytics.models import RegionPeriodSummary

        RegionPeriodSummary.objects.filter(period__in=stale).delete()
        stale.filter(reports__isnull=True).delete()
        if ReportingPeriod.objects.filter(year__in={yy for yy, _ in months}).exists():
            raise DemoError("数据库中已有这些月份的月报，请加 --reset 后重新生成")
        today = timezone.localdate()
        objs = []
        for yy, mm in months:
            start, end = fill_window(yy, mm, config)
            created = dt.datetime(yy, mm, 20, 9, 0, tzinfo=self.b.tz)
            objs.append(ReportingPeriod(year=yy, month=mm, fill_start=start, fill_end=end, created_at=created, updated_at=created))
        with explicit_timestamps(ReportingPeriod):
            ReportingPeriod.objects.bulk_create(objs)
        by_month = {(p.year, p.month): p.pk for p in ReportingPeriod.objects.filter(year__in={yy for yy, _ in months})}
        n = len(months)
        for i, (yy, mm) in enumerate(months):
            o = objs[i]
            self.periods.append(
                DemoPeriod(
                    pk=by_month[(yy, mm)], year=yy, month=mm, last_day=last_day(yy, mm), fill_start=o.fill_start,
                    fill_end=o.fill_end, closed=i < n - 1, steps=i >= n - STEP_MONTHS, past_window=today > o.fill_end,
                    label=f"{yy}年{mm}月", t0=Formats.stamp(o.fill_start), t_end=Formats.stamp(o.fill_end),
                    days=(o.fill_end - o.fill_start).days + 1, progress=mm / 12 * 100,
                    missing_msg=f"{yy}年{mm}月月报未报送", late_msg=f"{yy}年{mm}月月报迟报",
                )
            )  # fmt: skip
        self.counts["periods"] = n
        self.years = {p.year for p in self.periods}
        # period index → region code → the summary figures of its facts (see write_summaries)
        self.sums: list[dict[str, list[Any]]] = [{} for _ in self.periods]
        # facts' planned_ytd without a plan curve: the plan × the spread's share up to the month
        self.shares = [sum(weights[:mm], Decimal(0)) / total_w for mm in range(1, 13)]
        self.t_plans = writer_for(MonthlyPlan, ["project_id", "year", "month", "planned"], raw=True)
        self.t_reports = writer_for(
            MonthlyReport,
            ["project_id", "period_id", "status", "review_levels", "review_step", "pending_level", "invested_month", "invested_ytd",
             "invested_to_date", "no_activity", "no_activity_reason", "physical_progress", "physical_progress_pct", "workers",
             "problems", "next_month_plan", "return_opinion", "submitted_at", "submitted_by_id", "is_late", "approved_at",
             "approved_by_id", "created_at", "updated_at", "version"],
            raw=True,
        )  # fmt: skip
        self.t_flags = writer_for(
            ReportFlag, ["report_id", "code", "severity", "message", "acknowledged_by_id", "acknowledged_at"], raw=True
        )
        self.t_steps = writer_for(ReportStep, ["report_id", "action", "level", "opinion", "actor_id", "at"], raw=True)
        self.t_problems = writer_for(
            ProblemItem,
            ["project_id", "report_id", "description", "responsible_unit_id", "due_date", "status", "resolution", "solved_at",
             "created_by_id", "created_at", "updated_at", "version"],
            raw=True,
        )  # fmt: skip
        self.t_facts = writer_for(
            ProjectPeriodFact,
            ["period_id", "project_id", "region_code", "city_code", "province_code", "on_province_list", "on_city_list",
             "on_county_list", "category", "industry_section", "nature", "stage", "responsible_unit_ref", "sponsor_leader_ref",
             "annual_plan", "planned_ytd", "invested_month", "invested_ytd", "invested_to_date", "report_state", "report_due",
             "report_on_time", "planned_new", "started", "planned_completion", "completed"],
            raw=True,
        )  # fmt: skip
        self.t_warnings = writer_for(ProjectWarning, ["project_id", "period_id", "kind", "message", "value", "created_at"], raw=True)
        # warnings are "computed" the night after the fill window ends
        self.warned_at = [self.fmt.at(Formats.stamp(p.fill_end + dt.timedelta(days=1), 120)) for p in self.periods]

    @property
    def tables(self) -> list[BulkWriter]:
        """Parents first (after the project tables)."""
        return [self.t_plans, self.t_reports, self.t_flags, self.t_steps, self.t_problems, self.t_facts, self.t_warnings]

    def pending_rows(self) -> int:
        return len(self.t_reports.rows) + len(self.t_facts.rows)

    def plans_of(self, d: Draft) -> dict[int, int]:
        """The years the project is on a list (ProjectYear) → annual plan in 万元."""
        plans: dict[int, int] = {}
        if d.prev_plan is not None:
            plans[self.year - 1] = int(d.prev_plan)
        if not d.prev_year_only:
            plans[self.year] = int(d.plan)
        return plans

    def chain_of(self, d: Draft) -> list[str]:
        """= dispatch.services.review_chain_for (the lists are the same both years)."""
        prov, city, _county = d.levels
        top = "province" if prov else "city" if city else "county"
        levels = self.chains.get(top) or ["county"]
        if self.b.city_of[d.region] == d.region:
            levels = [lvl for lvl in levels if lvl != "county"] or ["city"]
        return list(levels)

    # -- phase 1: the months of one project --------------------------------------------------

    def simulate(self, d: Draft) -> Sim | None:
        """The reported figures and review states of a due project; moves ``d.created`` before
        its first report and sets ``d.invested_before`` to what was invested before the first
        generated month (so that 开工至今累计 at the end of last year stays as generated)."""
        periods = self.periods
        if not periods or d.stage not in self.due_stages:
            return None
        plans = self.plans_of(d)
        due = [i for i, p in enumerate(periods) if p.year in plans]
        if not due:
            return None
        r = self.rng.random
        exp = math.exp
        y = self.year
        first = periods[due[0]]
        first_day = dt.date(first.year, first.month, 1)
        if d.created is None or d.created >= first_day:
            d.created = max(self.b.floor, first_day - dt.timedelta(days=15 + int(r() * 76)))
        lag = r() < LAGGING_SHARE
        self.counts["lagging"] += lag
        before = int(d.invested_before) * 100
        budget = {y - 1: before, y: int(d.total) * 100 - before}
        start, done = d.actual_start, d.actual_completion
        halt = d.side_date if d.stage == "suspended" else None
        # the year's curve: the seasonal weights over the months under construction
        curve: dict[tuple[int, int], float] = {}
        for yy in sorted(plans):
            a = 13 if start is None or start.year > yy else 1 if start.year < yy else start.month
            b = 12
            if done is not None:
                b = 0 if done.year < yy else done.month if done.year == yy else 12
            if halt is not None and halt.year <= yy:
                b = min(b, halt.month if halt.year == yy else 0)
            if a > b:
                continue
            f = 0.3 + 0.35 * r() if lag else max(0.9, 1.1 + 0.16 * (r() + r() + r() - 1.5))  # most projects beat their plan
            target = min(plans[yy] * 100 * f, budget[yy] * 0.97)  # room left for rounding and the odd big month
            # starting this year: land and equipment deposits make the first month a big one
            lump = target * (0.15 + 0.15 * r()) if start is not None and start.year == yy and a < b else 0.0
            noisy = {mm: SEASON[mm - 1] * exp(0.4 * (r() + r() + r() - 1.5)) for mm in range(a, b + 1)}  # σ ≈ 0.2 in logs
            scale = (target - lump) / sum(noisy.values())
            for mm, w in noisy.items():
                curve[(yy, mm)] = scale * w
            if lump:
                curve[(yy, a)] += lump
        spent = dict.fromkeys(budget, 0)
        rows: list[Row | None] = [None] * len(periods)
        carry = 0
        positive = 0  # earlier reports with a figure (the unit-slip check needs three)
        year_seen = 0
        miss_p = 0.03 if lag else 0.012
        late_p = 0.08 if lag else 0.03
        cut = (0.25, 0.31, 0.35, 0.55) if lag else (0.14, 0.20, 0.24, 0.46)  # the open month: missing, draft, returned, submitted
        for i in due:
            p = periods[i]
            yy, mm = p.year, p.month
            if yy != year_seen:
                year_seen, carry = yy, 0
            x = curve.get((yy, mm))
            no_act, reason = False, ""
            if x is not None:
                phase = "active"
                if r() < NO_ACTIVITY_P[mm - 1]:
                    value, no_act, carry = 0, True, 0
                    reasons = NO_ACTIVITY_REASONS.get(mm, NO_ACTIVITY_REASONS[0])
                    reason = reasons[int(r() * len(reasons))]
                else:
                    v = round(x) + carry
                    value = max(0, min(v if v < 10_000 else round(v, -2), budget[yy] - spent[yy]))
            else:
                value = 0
                if halt is not None and halt <= p.last_day:
                    phase, no_act, reason = "halt", True, d.side_reason
                elif start is None or start > p.last_day:
                    phase = "pre"
                    if start is None and r() < 0.5:  # 前期费用 (land, design) of a project not started yet
                        value = min(round(plans[yy] * (0.5 + 2.5 * r())), budget[yy] - spent[yy])
                else:
                    phase, no_act = "done", True
                    reason = PRODUCING_REASON if d.produced and d.produced <= p.last_day else DONE_REASON
            # review state
            u = r()
            if p.closed:
                if u < miss_p:
                    if phase == "active" and not no_act:
                        carry = value  # reported with next month's figure
                    continue
                status = "draft" if u < miss_p + 0.003 else "approved"
            else:
                if u < cut[0]:
                    continue
                status = "draft" if u < cut[1] else "returned" if u < cut[2] else "submitted" if u < cut[3] else "approved"
            if phase == "active":
                carry = 0
            row = Row(status, value, phase, no_act, reason)
            row.closed = p.closed
            if status != "draft":  # late: submitted after the window (not before the window has ended)
                row.late = r() < late_p and (p.closed or p.past_window)
                if value > 0 and positive >= 3 and r() < ANOMALY_SHARE:
                    if p.closed:
                        row.kind = ("fixed", "fixed", "low", "spike")[int(r() * 4)]
                    else:
                        row.kind = "slip" if r() < 0.6 else ("low", "spike")[int(r() * 2)]
                    if row.kind == "spike":  # a big payment (equipment, land) taken from the later months
                        later = [key for key in ((yy, k) for k in range(mm + 1, 13)) if key in curve]
                        left = sum(curve[key] for key in later)
                        extra = min(value * (10 + 5 * r()), 0.8 * left, budget[yy] - spent[yy] - value)
                        if extra >= 10 * value:
                            row.value = value + int(extra)
                            for key in later:
                                curve[key] *= 1 - extra / left
                        else:
                            row.kind = "low"
                    if row.kind == "low":  # a month with hardly anything done
                        row.value = max(1, round(value * (0.02 + 0.06 * r())))
                    elif row.kind == "slip":
                        row.value = value * 10000
                        row.status = "returned"
                        row.opinion = SLIP_OPINION
            if row.kind != "slip":
                spent[yy] += row.value
            positive += row.value > 0
            rows[i] = row
        before_new = before - spent.get(y - 1, 0) if y - 1 in plans else before
        d.invested_before = Decimal(before_new).scaleb(-2)
        return Sim(rows=rows, before=before_new, lag=lag)

    # -- phase 2: rows ------------------------------------------------------------------------

    def emit(self, d: Draft, pk: int, sim: Sim | None) -> None:
        from types import SimpleNamespace

        from keyprojects.analytics import metrics
        from keyprojects.projects.industries import section_of

        periods = self.periods
        if not periods:
            return
        b = self.b
        r = self.rng.random
        money = Formats.money
        y = self.year
        plans = self.plans_of(d)
        city = b.city_of[d.region]
        prov = d.levels[0]
        total = int(d.total) * 100
        before = sim.before if sim is not None else int(d.invested_before * 100)
        # planned_ytd per year and month: own plan curves (MonthlyPlan) from the planned start for
        # projects starting that year and this year's of province-list projects, else the spread
        planned_of: dict[int, list[Decimal]] = {}
        for yy, plan in plans.items():
            if yy not in self.years:
                continue
            starts = d.planned_start is not None and d.planned_start.year == yy and d.planned_start.month > 1
            if plan and (starts or (prov and yy == y)):
                a = d.planned_start.month if starts else 1
                curve = metrics.spread_plan(Decimal(plan), [0] * (a - 1) + list(SEASON[a - 1 :]))
                for mm, v in enumerate(curve, start=1):
                    self.t_plans.add(pk, yy, mm, str(v))
                planned_of[yy] = list(itertools.accumulate(curve))
            else:
                dplan = Decimal(plan)
                planned_of[yy] = [(dplan * share).quantize(Q4) for share in self.shares]
        # the project's part of every fact row, and its region's running totals per period
        sums = self.sums
        static = (d.region, city, PROVINCE, *d.levels, d.category, section_of(d.division) or "", d.nature, d.stage, d.unit, d.leader)
        due = d.stage in self.due_stages
        planned_new = d.nature == "new"
        completing = d.nature == "completing"
        start, done, pc = d.actual_start, d.actual_completion, d.planned_completion
        overdue = start is None and d.stage in ("reserve", "preparation") and d.planned_start is not None
        # reports
        rows = sim.rows if sim is not None else None
        if rows is not None:
            chain = self.chain_of(d)
            ctx = ReportContext(
                pk=pk, total=total, chain=chain, chain_json=json.dumps(chain),
                filler="enterprise" if d.owner is not None and r() < 0.5 else "county" if city != d.region else "city",
                problems=self.problem_episodes(d, rows, sim.lag), jitter=0.85 + 0.3 * r(),
                crew=10 + math.sqrt(float(d.total)) * (0.6 + 1.2 * r()), phases=PHASE_TABLES[d.category],
                prep=PREP_TEXTS[int(r() * len(PREP_TEXTS))], completed=done,
                checked=SimpleNamespace(total_investment=Decimal(int(d.total)).quantize(Q4), stage=d.stage, actual_start=start,
                                        actual_completion=done),
            )  # fmt: skip
        t_facts, t_warn = self.t_facts.add, self.t_warnings.add
        behind_f = -float(self.behind) + 0.05
        floor_f = float(self.floor) + 0.001
        n_zero = self.zero_months
        last = periods[-1]
        cur_year = 0
        ytd_all = sum_all = ytd_c = sum_c = 0
        counted_months: dict[int, int] = {}
        for i, p in enumerate(periods):
            if p.year != cur_year:
                cur_year, ytd_all, ytd_c = p.year, 0, 0
                counted_months = {}
                if rows is not None:
                    ctx.prev_ytd = None
            row = rows[i] if rows is not None else None
            flag_msg = ""
            counted = False
            if row is not None:
                v = row.value
                ytd_all += v
                sum_all += v
                flag_msg = self.write_report(ctx, i, p, row, v, ytd_all, before + sum_all)
                ctx.prev_ytd = ytd_all
                if v > 0:
                    ctx.history.append(v)
                if row.status in COUNTED:
                    counted = True
                    ytd_c += v
                    sum_c += v
                    counted_months[p.month] = v
            wat = self.warned_at[i]
            plan = plans.get(p.year)
            if plan is not None:
                planned = planned_of[p.year][p.month - 1]
                if row is None or row.status == "draft":
                    state = ("missing" if p.past_window else "not_due") if due else ""
                elif row.status == "returned":
                    state = "returned"
                elif row.no_act and row.status == "approved":
                    state = "no_activity"
                else:
                    state = "late" if row.late else row.status
                month_c = row.value if counted else 0
                on_time = counted and not row.late
                started = start is not None and start <= p.last_day
                to_complete = completing or (pc is not None and pc.year == p.year)
                completed = done is not None and done <= p.last_day
                t_facts(
                    p.pk, pk, *static, plan, planned, money(month_c), money(ytd_c), money(before + sum_c), state, due, on_time,
                    planned_new, started, to_complete, completed,
                )  # fmt: skip
                acc = sums[i].get(d.region)
                if acc is None:
                    acc = sums[i][d.region] = [0, 0, Decimal(0), 0, 0, 0, 0, 0, 0, 0, 0, 0]
                acc[0] += 1
                acc[1] += plan
                acc[2] += planned
                acc[3] += month_c
                acc[4] += ytd_c
                if planned_new:
                    acc[5] += 1
                    acc[6] += started
                if to_complete:
                    acc[7] += 1
                    acc[8] += completed
                if due:
                    acc[9] += 1
                    acc[10] += state in REPORTED_STATES
                    acc[11] += on_time
                # warnings (= analytics.services.warnings_compute), exactly where the quick test is close
                if plan > 0 and (ytd_c / plan - p.progress) < behind_f:
                    points = metrics.ahead_points(metrics.completion_rate(Decimal(ytd_c).scaleb(-2), Decimal(plan)), p.month)
                    if points is not None and points < -self.behind:
                        t_warn(pk, p.pk, "behind_schedule", metrics.schedule_phrase(points), points, wat)
                if planned > 0 and ytd_c / 100 / float(planned) < floor_f:
                    spi = metrics.progress_index(Decimal(ytd_c).scaleb(-2), planned)
                    if spi is not None and spi < self.floor:
                        t_warn(pk, p.pk, "low_progress_index", f"进度指数{spi}，低于{self.config.progress_index_floor}", spi, wat)
                if state == "missing":
                    t_warn(pk, p.pk, "missing_report", p.missing_msg, None, wat)
                elif state == "late":
                    t_warn(pk, p.pk, "late_report", p.late_msg, None, wat)
                if p is last:
                    key = "draft" if row is not None and row.status == "draft" else state
                    key = f"pending_{chain[row.step]}" if row is not None and row.status == "submitted" else key
                    self.open_states[key] = self.open_states.get(key, 0) + 1
            if overdue and d.planned_start <= p.last_day:
                t_warn(pk, p.pk, "start_overdue", f"计划{d.planned_start:%Y年%m月}开工，至今未开工", None, wat)
            if (
                n_zero
                and p.month >= n_zero
                and counted_months.get(p.month) == 0
                and all(counted_months.get(mm) == 0 for mm in range(p.month - n_zero + 1, p.month))
            ):
                t_warn(pk, p.pk, "zero_investment", f"连续{n_zero}个月完成投资为零", None, wat)
            if flag_msg:
                t_warn(pk, p.pk, "flagged_figures", flag_msg, None, wat)
        if rows is not None:
            self.write_problems(d, pk, ctx.problems, ctx.report_pk)

    # -- the end ------------------------------------------------------------------------------

    def write_summaries(self) -> None:
        """RegionPeriodSummary rows equal to ``summaries_refresh`` (and frozen for the closed
        periods, as ``period_close`` leaves them): a county's figures are its projects', a
        city's all projects in the city (its county-less ones included), the province's all."""
        from keyprojects.analytics.models import RegionPeriodSummary

        fields = ["projects", "annual_plan", "planned_ytd", "invested_month", "invested_ytd", "planned_new", "started_new",
                  "planned_completions", "completed", "reports_due", "reports_in", "reports_on_time"]  # fmt: skip
        city_of = self.b.city_of
        objs = []
        for p, by_region in zip(self.periods, self.sums, strict=True):
            groups: dict[str, list[Any]] = {}
            for code, acc in by_region.items():
                for key in (code, city_of[code], PROVINCE) if code != city_of[code] else (code, PROVINCE):
                    total = groups.get(key)
                    groups[key] = list(acc) if total is None else [a + b for a, b in zip(total, acc, strict=True)]
            for code in sorted(groups):
                values = dict(zip(fields, groups[code], strict=True))
                for money_field in ("invested_month", "invested_ytd"):
                    values[money_field] = Decimal(values[money_field]).scaleb(-2)
                objs.append(RegionPeriodSummary(period_id=p.pk, region_id=code, frozen=p.closed, **values))
        RegionPeriodSummary.objects.bulk_create(objs, batch_size=1000)
        self.counts["summaries"] = len(objs)

    def finish(self) -> None:
        """Write the region summaries, then close every period but the last one for the
        province, as ``period_close`` does (facts, warnings and summaries first, then frozen)."""
        from keyprojects.dispatch.models import PeriodClosure, ReportingPeriod
        from keyprojects.regions.models import Region

        for key, table in (("plans", self.t_plans), ("reports", self.t_reports), ("flags", self.t_flags), ("steps", self.t_steps),
                           ("facts", self.t_facts), ("warnings", self.t_warnings)):  # fmt: skip
            self.counts[key] = table.count
        self.write_summaries()
        province = Region.objects.get(code=PROVINCE)
        closures = []
        for p in self.periods[:-1]:
            closed_at = dt.datetime.combine(p.fill_end + dt.timedelta(days=5), dt.time(17, 30), tzinfo=self.b.tz)
            ReportingPeriod.objects.filter(pk=p.pk).update(status="closed", closed_at=closed_at, updated_at=closed_at)
            closures.append(PeriodClosure(period_id=p.pk, region=province, closed_at=closed_at))
        with explicit_timestamps(PeriodClosure):
            PeriodClosure.objects.bulk_create(closures)
        self.counts["closed"] = len(closures)
        from keyprojects.analytics.services_dashboard import dimension_summaries_refresh
        from keyprojects.dispatch.models import ReportingPeriod as Period

        for period in Period.objects.filter(pk__in=[p.pk for p in self.periods]):
            dimension_summaries_refresh(period=period)  # the dashboard's roll-ups by level, category, industry, stage, leader
        self.b.lap("区域汇总、分类汇总、关账")
