"""Monthly dispatch for the demo: reporting periods (all but the last closed for the province),
a report per due project and month on a seasonal curve (Spring Festival dip, June push,
year-end rush) with lagging projects, unit slips and other flagged months, "no activity"
months, review states and history by the review chain, problems and plan curves. The summary tables
(facts, warnings, region and dimension summaries) are made by the analytics refresh, as after
an approval or a month close (:meth:`Dispatch.finish`)."""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from keyprojects.dispatch.rules import COUNTED

from .common import DEMO_COUNTIES, DEMO_REGION_LOGINS, DEMO_USERNAMES, PROVINCE, DemoError, explicit_timestamps, last_day, writer_for
from .reference import DONE_REASON, NO_ACTIVITY_REASONS, PREP_TEXTS, PRODUCING_REASON
from .reports import (
    ANOMALY_SHARE,
    LAGGING_SHARE,
    NO_ACTIVITY_P,
    PHASE_TABLES,
    Q4,
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
    t_now: int  # minute stamp of the seeding: nothing of the open month is dated after it


@dataclass
class Sim:
    rows: list[Row | None]  # per period
    before: int  # Project.invested_before (0.01 万元): invested before the first generated month
    lag: bool


class Dispatch(ReportsMixin):
    """Monthly dispatch for the demo: reporting periods, one report per due project and month
    with a seasonal investment curve, the review state and history, flags, problems, monthly
    plans; then the summary tables by the analytics refresh action (``refresh.rebuild_facts``,
    then ``summaries_refresh``) in :meth:`finish`.

    Everything a project's reports need is generated with the project (:meth:`simulate` before
    its row is written, since ``invested_before`` depends on the months reported, :meth:`emit`
    after), from a random stream of its own, so the projects do not depend on ``--months``
    except for ``invested_before`` and an earlier ``created_at`` and 前期手续 where a month
    needs them (:meth:`simulate`)."""

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
        self.to_fill: set[str] = set()  # the demo counties with a report still to fill in the open month

    # -- setup ------------------------------------------------------------------------------

    def setup(self) -> None:
        from django.db import connections, router

        from keyprojects.dispatch.models import (
            EVEN_SPREAD,
            DispatchConfig,
            MonthlyPlan,
            MonthlyReport,
            PeriodClosure,
            ProblemItem,
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
        self.reviewers = self.staffed_reviewers()
        self.chains: dict[tuple[str, str], list[str]] = {}  # (top list, region) → review chain
        self.due_stages = {str(s) for s in DUE_STAGES}
        self.slip = int(config.slip_factor)
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
        now = timezone.localtime()
        t_now = Formats.stamp(today, now.hour * 60 + now.minute)
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
                    days=(o.fill_end - o.fill_start).days + 1, t_now=t_now,
                )
            )  # fmt: skip
        self.counts["periods"] = n
        self.years = {p.year for p in self.periods}
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

    @property
    def tables(self) -> list[BulkWriter]:
        """Parents first (after the project tables)."""
        return [self.t_plans, self.t_reports, self.t_flags, self.t_steps, self.t_problems]

    def pending_rows(self) -> int:
        return len(self.t_reports.rows) + len(self.t_steps.rows)

    def plans_of(self, d: Draft) -> dict[int, int]:
        """The years the project is on a list (ProjectYear) → annual plan in 万元."""
        plans: dict[int, int] = {}
        if d.prev_plan is not None:
            plans[self.year - 1] = int(d.prev_plan)
        if not d.prev_year_only:
            plans[self.year] = int(d.plan)
        return plans

    @staticmethod
    def staffed_reviewers() -> frozenset[tuple[str, str]]:
        """(review level, region code) staffed once the demo is seeded: every active account but
        the demo logins (``policy.staffed_reviewers``, one query), and the demo logins as
        ``create_demo_users`` will make them (:data:`DEMO_REGION_LOGINS`). The seeded reports were
        filled by people without a login, so nobody is left out as a filler."""
        from keyprojects.accounts import policy
        from keyprojects.accounts.models import User

        demo = list(User.objects.filter(username__in=DEMO_USERNAMES).values_list("pk", flat=True))
        return policy.staffed_reviewers(exclude=demo) | frozenset(DEMO_REGION_LOGINS.values())

    def chain_of(self, d: Draft) -> list[str]:
        """= dispatch.services.review_chain_for (the lists are the same both years): the
        configured chain with each level staffed (``services.staffed_chain``, the rule of
        ``report_submit`` and the importer), so that a report waits at a level some account can
        review — a county without a county account hands its step to the city, a city without a
        city account to the province. Decided once per kind of project."""
        from keyprojects.dispatch.services import review_chain_from, staffed_chain

        prov, city, _county = d.levels
        top = "province" if prov else "city" if city else "county"
        chain = self.chains.get((top, d.region))
        if chain is None:
            city_code = self.b.city_of[d.region]
            city_level = city_code == d.region
            chain = self.chains[(top, d.region)] = staffed_chain(
                review_chain_from(top_level=top, city_level=city_level, config=self.config),
                county_code=None if city_level else d.region,
                city_code=city_code,
                province_code=PROVINCE,
                fillers=(),
                reviewers=self.reviewers,
            )
        return list(chain)

    # -- phase 1: the months of one project --------------------------------------------------

    def simulate(self, d: Draft) -> Sim | None:
        """The reported figures and review states of a due project; sets ``d.invested_before``
        to what was invested before the first generated month (so that 开工至今累计 at the end
        of last year stays as generated).

        A project on a list in a generated month is in the facts of that month, so it exists by
        then: ``d.created`` is moved before the first such month. One that reports from that
        month was in 前期手续 (or further) by then, as the facts' stage of that month says
        (``dispatch.rules.stage_in_month``: not started yet is 前期手续): ``d.prepared`` is
        moved before it too, so that its history does not show it 谋划储备 while it reported.
        A project 退库 from 前期手续 reports nothing: its 退库 is moved into the first such month
        at the latest (the facts read the stage of a month from the changes dated after it, so a
        later 退库 would leave it due, and 未报, in the months before). Nothing is invested
        before the month it starts (``dispatch.rules.report_checks`` refuses 完成投资 in a month
        before 实际开工)."""
        periods = self.periods
        if not periods:
            return None
        plans = self.plans_of(d)
        due = [i for i, p in enumerate(periods) if p.year in plans]
        if not due:
            return None
        r = self.rng.random
        first = periods[due[0]]
        first_day = dt.date(first.year, first.month, 1)
        if d.created is None or d.created >= first_day - dt.timedelta(days=1):  # (a day left for 前期手续 before it)
            d.created = max(self.b.floor, first_day - dt.timedelta(days=15 + int(r() * 76)))
        if d.stage == "cancelled" and d.cancelled_from in self.due_stages and d.side_date and d.side_date > first.last_day:
            # 退库 by the end of its first month, 前期手续 before (no draw: the other projects' streams stay as they were)
            d.side_date = d.created + (first.last_day - d.created) * 2 // 3
            if d.prepared is None or d.prepared >= d.side_date:
                d.prepared = d.created + (d.side_date - d.created) // 2
        if d.stage not in self.due_stages:
            return None
        if d.prepared is None or d.prepared >= first_day:
            # a day between the two (this stream's draw: the projects' own do not depend on --months)
            d.prepared = d.created + dt.timedelta(days=1 + int(r() * max(0, (first_day - d.created).days - 1)))
        exp = math.exp
        y = self.year
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
                    phase = "pre"  # not started: nothing invested (a later 实际开工 would make it an error)
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
                    elif row.kind == "slip":  # 元 typed as 万元: 开工至今累计 above the total investment is an
                        # error that refuses the submission (dispatch.rules.report_checks): it waits in the draft
                        row.value = value * 10000
                        row.status, row.late = "draft", False
            if row.kind != "slip":
                spent[yy] += row.value
            positive += row.value > 0
            rows[i] = row
        if d.region in DEMO_COUNTIES and d.region not in self.to_fill and due[-1] == len(periods) - 1:
            # the county's demo login (lixia) has a report to fill in the open month, however the draws fell
            rows[-1] = None
            self.to_fill.add(d.region)
        before_new = before - spent.get(y - 1, 0) if y - 1 in plans else before
        d.invested_before = Decimal(before_new).scaleb(-2)
        return Sim(rows=rows, before=before_new, lag=lag)

    # -- phase 2: rows ------------------------------------------------------------------------

    def emit(self, d: Draft, pk: int, sim: Sim | None) -> None:
        """Write the project's plan curves, its reports (with their flags and review history) and
        problems. Facts, warnings and summaries are not made here: :meth:`finish` asks the
        analytics refresh for them, the one implementation of those rules."""
        from types import SimpleNamespace

        from keyprojects.analytics import metrics

        periods = self.periods
        if not periods:
            return
        b = self.b
        r = self.rng.random
        y = self.year
        plans = self.plans_of(d)
        city = b.city_of[d.region]
        prov = d.levels[0]
        # own plan curves (MonthlyPlan) from the planned start for projects starting that year and
        # this year's of province-list projects (the others follow the configured spread)
        for yy, plan in plans.items():
            if yy not in self.years:
                continue
            starts = d.planned_start is not None and d.planned_start.year == yy and d.planned_start.month > 1
            if plan and (starts or (prov and yy == y)):
                a = d.planned_start.month if starts else 1
                curve = metrics.spread_plan(Decimal(plan), [0] * (a - 1) + list(SEASON[a - 1 :]))
                for mm, v in enumerate(curve, start=1):
                    self.t_plans.add(pk, yy, mm, str(v))
        if sim is None:
            return
        rows = sim.rows
        before = sim.before
        done = d.actual_completion
        chain = self.chain_of(d)
        ctx = ReportContext(
            pk=pk, total=int(d.total) * 100, chain=chain, chain_json=json.dumps(chain),
            filler="enterprise" if d.owner is not None and r() < 0.5 else "county" if city != d.region else "city",
            problems=self.problem_episodes(d, rows, sim.lag), jitter=0.85 + 0.3 * r(),
            crew=10 + math.sqrt(float(d.total)) * (0.6 + 1.2 * r()), phases=PHASE_TABLES[d.category],
            prep=PREP_TEXTS[int(r() * len(PREP_TEXTS))], completed=done,
            checked=SimpleNamespace(total_investment=Decimal(int(d.total)).quantize(Q4), stage=d.stage, actual_start=d.actual_start,
                                    actual_completion=done),
        )  # fmt: skip
        cur_year = 0
        ytd = to_date = 0
        for i, p in enumerate(periods):
            if p.year != cur_year:
                cur_year, ytd = p.year, 0
                ctx.prev_ytd = None
            row = rows[i]
            if row is None:
                continue
            v = row.value
            # a report states the counted months before it plus its own (dispatch.rules.derive)
            self.write_report(ctx, i, p, row, v, ytd + v, before + to_date + v)
            if row.status in COUNTED:
                ytd += v
                to_date += v
                ctx.prev_ytd = ytd
                if v > 0:
                    ctx.history.append(v)
        self.write_problems(d, pk, ctx.problems, ctx.report_pk)

    # -- the end ------------------------------------------------------------------------------

    def finish(self) -> None:
        """Bring facts, warnings and region and dimension summaries up to date for every period
        through the analytics refresh (the one implementation of those rules, as after an
        approval or a month close), then close every period but the last one for the province,
        as ``period_close`` does (figures first, then frozen)."""
        from django.db.models import Count

        from keyprojects.analytics.refresh import rebuild_facts
        from keyprojects.analytics.services import summaries_refresh
        from keyprojects.dispatch.models import MonthlyReport, PeriodClosure, ReportingPeriod
        from keyprojects.regions.models import Region

        for key, writer in (("plans", self.t_plans), ("reports", self.t_reports), ("flags", self.t_flags), ("steps", self.t_steps)):
            self.counts[key] = writer.count
        province = Region.objects.get(code=PROVINCE)
        by_pk = ReportingPeriod.objects.in_bulk([p.pk for p in self.periods])
        from keyprojects.analytics.models import ProjectPeriodFact
        from keyprojects.core.bulk import bulk_load
        from keyprojects.dispatch.models import ProjectWarning

        # every period's facts and warnings into tables this load holds: their indexes are built
        # once at the end (before the summaries scan them), not grown row by row (at 200,000
        # projects × 12 months the grown indexes outgrow the page cache)
        with self.b.tick("事实表和预警", 0) as bar:

            def heard(done: int, total: int) -> None:  # rebuild_facts reports its steps as they grow
                bar.total = total
                bar.update(done - bar.n)

            with bulk_load({ProjectPeriodFact: 0, ProjectWarning: 0}, constraints=True):
                facts, warnings = rebuild_facts(periods=[by_pk[p.pk] for p in self.periods], progress=heard)
        self.counts["facts"] += facts
        self.counts["warnings"] += warnings
        self.b.lap("事实表和预警（refresh.rebuild_facts）")
        with self.b.tick("区域及分类汇总", len(self.periods)) as bar:
            for p in self.periods:
                self.counts["summaries"] += summaries_refresh(period=by_pk[p.pk], freeze_region=province if p.closed else None)
                bar.update(1)
        self.b.lap("区域及分类汇总（summaries_refresh）")
        closures = []
        for p in self.periods[:-1]:
            closed_at = dt.datetime.combine(p.fill_end + dt.timedelta(days=5), dt.time(17, 30), tzinfo=self.b.tz)
            ReportingPeriod.objects.filter(pk=p.pk).update(status="closed", closed_at=closed_at, updated_at=closed_at)
            closures.append(PeriodClosure(period_id=p.pk, region=province, closed_at=closed_at))
        with explicit_timestamps(PeriodClosure):
            PeriodClosure.objects.bulk_create(closures)
        self.counts["closed"] = len(closures)
        # the open (last) period's report states, for the summary lines
        last = self.periods[-1].pk
        reports = MonthlyReport.objects.filter(period_id=last)
        states = dict(reports.exclude(status="submitted").values_list("status").annotate(n=Count("id")))
        for level, n in reports.filter(status="submitted").values_list("pending_level").annotate(n=Count("id")):
            states[f"pending_{level}"] = n

        states["missing"] = (
            ProjectPeriodFact.objects.filter(period_id=last, report_due=True).exclude(project_id__in=reports.values("project_id")).count()
        )
        self.open_states = states
        self.b.lap("关账")
