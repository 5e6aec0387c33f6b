"""One project's monthly reports as the demo writes them: figures, flags (the submission checks
of ``dispatch.services.report_checks_from``), review state and history, 存在问题, with values
ready for the database (:class:`Formats`)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from keyprojects.core.bulk import BulkWriter

from .reference import (
    PHASE_TEXTS,
    PROBLEM_OPINION,
    PROBLEMS,
    PRODUCING_REASON,
    RETURN_OPINIONS,
    SLIP_OPINION,
)

if TYPE_CHECKING:
    from .builder import DemoBuilder
    from .dispatch import DemoPeriod
    from .drafts import Draft

# Share (%) of a year's investment done in each month: low in January and February (the Spring
# Festival), a push before the half-year (双过半), a year-end rush. The demo also makes it the
# default plan spread (DispatchConfig.plan_spread) when that is still the even default.
SEASON = (6, 4, 9, 9, 9, 11, 8, 8, 9, 8, 8, 11)
STEP_MONTHS = 2  # the review history (ReportStep) is written for the last months only: volume
LAGGING_SHARE = 0.10  # projects well behind 序时进度
ANOMALY_SHARE = 0.03  # months with a figure the unit-slip check flags
# "No activity" months while under construction: probability by month (reasons: data/texts.json).
NO_ACTIVITY_P = (0.04, 0.08, 0.01, 0.008, 0.008, 0.008, 0.02, 0.02, 0.008, 0.008, 0.015, 0.015)
WORKER_SEASON = (0.7, 0.4, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.05)  # workers on site by month
PHASE_TABLES = {k: [next(what for up, what in v if pct < up) for pct in range(101)] for k, v in PHASE_TEXTS.items()}
Q4 = Decimal("0.0001")


class Row:
    """One project's report for one period while it is generated (amounts in 0.01 万元)."""

    __slots__ = ("closed", "kind", "late", "no_act", "opinion", "phase", "reason", "ret", "status", "step", "value")

    def __init__(self, status: str, value: int, phase: str, no_act: bool = False, reason: str = "") -> None:
        self.status = status
        self.value = value  # the reported invested_month
        self.phase = phase  # pre (not started) / active / done / halt (suspended)
        self.no_act = no_act
        self.reason = reason
        self.kind = ""  # anomaly: slip (×10000, left in the draft) / fixed (a slip returned and corrected) / low / spike
        self.late = False
        self.step = 0  # submitted: the pending step of the chain
        self.ret = 0  # returned: the step that returned it
        self.opinion = ""
        self.closed = False


@dataclass
class ReportContext:
    """What one project's reports share while they are written."""

    pk: int
    total: int  # 0.01 万元
    chain: list[str]
    chain_json: str
    filler: str  # the role that submits (the level of the "submit" steps)
    problems: dict[int, tuple[str, ...]]  # period index → problem episode
    jitter: float  # physical progress ≈ investment share × jitter
    crew: float  # workers on site in a normal month
    phases: list[str]  # physical progress text by whole per cent
    prep: str  # what a project not started is doing
    completed: dt.date | None
    checked: Any  # what report_checks_from reads of the project
    pct: float = 0.0  # physical progress reached (never decreases)
    prev_ytd: int | None = None  # 1-N月累计 of the latest earlier report this year
    history: list[int] = field(default_factory=list)  # reported figures > 0, oldest first (unit-slip check)
    report_pk: dict[int, int] = field(default_factory=dict)  # period index → report id


class Formats:
    """Database-ready values for raw :class:`table` writes: amounts in 0.01 万元 (ints) → 1234.56;
    times as minute stamps (day ordinal × 1440 + minute, local time) → UTC text the way Django
    writes it ("+00:00" added for PostgreSQL)."""

    def __init__(self, vendor: str, tz: ZoneInfo):
        self.suffix = ":00+00:00" if vendor == "postgresql" else ":00"
        self.tz = tz
        self.offsets: dict[int, int] = {}  # local day → UTC offset in minutes (at noon)
        self.days: dict[int, str] = {}  # UTC day → "YYYY-MM-DD "
        self.cache: dict[int, str] = {}
        self.clock = [f"{m // 60:02d}:{m % 60:02d}{self.suffix}" for m in range(1440)]  # minute of the day → "HH:MM:00"

    @staticmethod
    def money(v: int) -> float:
        """A float reads back as the same Decimal as the text "1234.56" would (SQLite stores both
        as the nearest REAL and Django quantizes to 4 places; PostgreSQL parses float's exact
        shortest repr), and costs far less to make."""
        return v / 100

    @staticmethod
    def stamp(day: dt.date, minute: int = 0) -> int:
        return day.toordinal() * 1440 + minute

    def at(self, t: int) -> str:
        s = self.cache.get(t)
        if s is not None:
            return s
        if len(self.cache) > 500_000:
            self.cache.clear()
        day = t // 1440
        offset = self.offsets.get(day)
        if offset is None:
            d = dt.date.fromordinal(day)
            noon = dt.datetime(d.year, d.month, d.day, 12, tzinfo=self.tz).utcoffset()
            offset = self.offsets[day] = int(noon.total_seconds()) // 60 if noon else 0
        u_day, u_min = divmod(t - offset, 1440)
        prefix = self.days.get(u_day)
        if prefix is None:
            prefix = self.days[u_day] = dt.date.fromordinal(u_day).isoformat() + " "
        s = self.cache[t] = prefix + self.clock[u_min]
        return s


class ReportsMixin:
    """Writing the reports and problems of :class:`~keyprojects.demo.dispatch.Dispatch`."""

    b: DemoBuilder
    rng: random.Random
    config: Any
    slip: int
    periods: list[DemoPeriod]
    counts: dict[str, int]
    fmt: Formats
    t_reports: BulkWriter
    t_flags: BulkWriter
    t_steps: BulkWriter
    t_problems: BulkWriter

    def checks(self, ctx: ReportContext, p: DemoPeriod, v: int, ytd: int, to_date: int) -> list[tuple[str, str]]:
        """(code, message) of the warnings ``report_checks`` gives for this report."""
        from types import SimpleNamespace

        from keyprojects.dispatch.services import report_checks_from

        def wan(x: int) -> Decimal:  # as read from the database: 4 places
            return Decimal(x).scaleb(-2).quantize(Q4)

        figures = SimpleNamespace(invested_month=wan(v), invested_ytd=wan(ytd), invested_to_date=wan(to_date), physical_progress_pct=None)
        checks = report_checks_from(
            report=figures, period=p, project=ctx.checked, prev_ytd=None if ctx.prev_ytd is None else wan(ctx.prev_ytd),
            history=[wan(h) for h in reversed(ctx.history[-6:])], config=self.config,
        )  # fmt: skip
        return [(code, message) for code, severity, message in checks if severity == "warning"]

    def opinion(self, ctx: ReportContext, i: int) -> str:
        """A reviewer's reason to return a report (one about 存在问题 only if it has some)."""
        u = self.rng.random()
        if i in ctx.problems and u < 0.5:
            return PROBLEM_OPINION
        return RETURN_OPINIONS[int(u * len(RETURN_OPINIONS)) % len(RETURN_OPINIONS)]

    def write_report(self, ctx: ReportContext, i: int, p: DemoPeriod, row: Row, v: int, ytd: int, to_date: int) -> str:
        """Write one report with its flags and (recent months) its review history; returns the
        first flag's message."""
        r = self.rng.random
        at = self.fmt.at
        money = Formats.money
        status = row.status
        total = ctx.total
        # the warnings of dispatch.services.report_checks_from on the figures as submitted; a
        # quick exact test (in 0.01 万元) of the two that can fire saves calling it 2M times
        flags: list[tuple[str, str]] = []
        if status != "draft":
            history = ctx.history
            maybe = bool(total) and to_date > total
            if not maybe and v > 0 and len(history) >= 3:
                recent = sorted(history[-6:])
                k = len(recent)
                twice = 2 * recent[k // 2] if k % 2 else recent[k // 2 - 1] + recent[k // 2]  # 2 × the median
                maybe = twice > 0 and (2 * v >= twice * self.slip or 2 * v * self.slip <= twice)
            if maybe:
                flags = self.checks(ctx, p, v, ytd, to_date)
        # times (minute stamps): saved, submitted (maybe returned and submitted again), reviewed
        if row.late:
            t = p.t_end + (1 + int(r() * 8)) * 1440 + 510 + int(r() * 571)
        else:
            t = p.t0 + int(r() * p.days) * 1440 + 510 + int(r() * 571)
        created = t - 30 - int(r() * 2851)
        write_steps = p.steps
        steps: list[tuple[str, str, str, int]] = []  # action, level, opinion, minute stamp
        chain = ctx.chain
        version = 1
        submitted_at = approved_at = ack_at = None
        pending = ""
        step = 0
        levels_json = "[]"
        if status == "draft":
            steps.append(("save", "", "", created))
            updated = created
        else:
            levels_json = ctx.chain_json
            if row.kind == "fixed" or (write_steps and row.closed and r() < 0.02):  # returned once, corrected
                steps.append(("submit", ctx.filler, "", t))
                t += 60 + int(r() * 2821)
                opinion = SLIP_OPINION if row.kind == "fixed" else self.opinion(ctx, i)
                steps.append(("return", chain[0], opinion, t))
                t += 60 + int(r() * 1381)
                version += 3  # submitted, returned, saved
            steps.append(("submit", ctx.filler, "", t))
            submitted_at = t
            row.late = t // 1440 > p.fill_end.toordinal()  # as report_submit sets it (a correction may come late)
            version += 1
            if status == "approved":
                reviews = len(chain)
                step = len(chain) - 1  # the approving level's step (report_review does not move past it)
            elif status == "submitted":
                row.step = step = int(r() * len(chain))
                pending = chain[step]
                reviews = step
            else:  # returned, to be corrected
                row.ret = int(r() * len(chain)) if r() < 0.3 else 0
                reviews = row.ret
                row.opinion = row.opinion or self.opinion(ctx, i)
            for k in range(reviews):
                t += 60 + int(r() * 2821)
                if k == 0 and flags:
                    ack_at = t - 2 - int(r() * 29)
                steps.append(("approve" if status == "approved" and k == len(chain) - 1 else "forward", chain[k], "", t))
            version += reviews
            if status == "approved":
                approved_at = t
            elif status == "returned":
                t += 60 + int(r() * 2821)
                steps.append(("return", chain[row.ret], row.opinion, t))
                version += 1
            updated = t
        if updated > p.t_now:  # the open month: its history ends before now, in the same order
            shift = updated - p.t_now + 1 + int(r() * 120)
            created, updated = created - shift, updated - shift
            submitted_at = submitted_at - shift if submitted_at is not None else None
            approved_at = approved_at - shift if approved_at is not None else None
            ack_at = ack_at - shift if ack_at is not None else None
            steps = [(action, level, opinion, when - shift) for action, level, opinion, when in steps]
            if submitted_at is not None:
                row.late = submitted_at // 1440 > p.fill_end.toordinal()  # as report_submit sets it
        # what was done
        phase = row.phase
        workers: int | None = None
        pct: str | None = None
        floor = ctx.pct
        if phase == "active" and not row.no_act:
            if ctx.completed is not None and ctx.completed <= p.last_day:
                value = 100.0
            elif row.kind == "slip":
                value = max(floor, 1.0)
            else:
                value = min(99.0, max(floor, 1.0, 100 * to_date / total * ctx.jitter if total else 1.0))
            if row.kind != "slip":
                ctx.pct = value
            pct = f"{value:.1f}"
            text = ctx.phases[int(value)]
            workers = max(3, int(ctx.crew * WORKER_SEASON[p.month - 1] * (0.85 + 0.3 * r())))
            plan_text = "加快推进" + text.split("，")[0] + "，确保完成年度投资计划"
        elif phase == "pre":
            text = ctx.prep
            plan_text = "加快办理前期手续，力争早日开工"
        elif phase == "active":  # no activity this month
            pct = f"{max(floor, 1.0):.1f}"
            text = "本月暂停施工"
            workers = 0
            plan_text = "尽快组织复工"
        elif phase == "done":
            pct, ctx.pct = "100.0", 100.0
            text = "已投产运营" if row.reason == PRODUCING_REASON else "已竣工，正在办理竣工验收"
            plan_text = "做好竣工结算和运营管理"
        else:  # suspended
            pct = f"{floor:.1f}" if floor else None
            text = "项目停缓建"
            workers = 0
            plan_text = "积极协调解决停缓建问题"
        problem = ctx.problems.get(i)
        rid = self.t_reports.add(
            ctx.pk, p.pk, status, levels_json, step, pending, money(v), money(ytd), money(to_date), row.no_act, row.reason, text, pct,
            workers, problem[0] if problem else "", plan_text if write_steps else "", row.opinion if status == "returned" else "",
            at(submitted_at) if submitted_at else None, None, row.late, at(approved_at) if approved_at else None, None, at(created),
            at(updated), version,
        )  # fmt: skip
        ctx.report_pk[i] = rid
        if flags:
            ack = at(ack_at) if ack_at else None
            for code, message in flags:
                self.t_flags.add(rid, code, "warning", message, None, ack)
        if write_steps:
            add_step = self.t_steps.add
            for action, level, opinion, when in steps:
                add_step(rid, action, level, opinion, None, at(when))
        return flags[0][1] if flags else ""

    # -- problems -----------------------------------------------------------------------------

    def problem_episodes(self, d: Draft, rows: list[Row | None], lag: bool) -> dict[int, tuple[str, ...]]:
        """period index → (description, resolution, unit key pair index, episode start, end)."""
        rng = self.rng
        n = len(self.periods)
        chance = 0.8 if d.stage == "suspended" else 0.5 if lag else 0.07
        out: dict[int, tuple[str, ...]] = {}
        if rng.random() >= chance:
            return out
        filled = [i for i, r in enumerate(rows) if r is not None]
        if not filled:
            return out
        for _ in range(1 if rng.random() < 0.75 else 2):
            i0 = rng.choice(filled)
            i1 = min(n - 1, i0 + rng.randint(0, 5))
            k = rng.randrange(len(PROBLEMS))
            spec = (PROBLEMS[k][2], PROBLEMS[k][3], str(k), str(i0), str(i1))
            for i in range(i0, i1 + 1):
                out.setdefault(i, spec)
        return out

    def write_problems(self, d: Draft, pk: int, problems: dict[int, tuple[str, ...]], report_pk: dict[int, int]) -> None:
        if not problems:
            return
        rng = self.rng
        at = self.fmt.at
        b = self.b
        n = len(self.periods)
        city = b.city_of[d.region]
        for spec in dict.fromkeys(problems.values()):
            description, resolution, k, i0, i1 = spec[0], spec[1], int(spec[2]), int(spec[3]), int(spec[4])
            city_key, county_key = PROBLEMS[k][0], PROBLEMS[k][1]
            if d.region != city and rng.random() < 0.6:
                unit = b.county_units[d.region][county_key]
            elif d.levels[0] and city_key in b.province_units and rng.random() < 0.2:
                unit = b.province_units[city_key]
            else:
                unit = b.city_units[city][city_key]
            p0 = self.periods[i0]
            created = Formats.stamp(p0.fill_start, rng.randint(540, 1020)) + rng.randint(0, 3) * 1440
            due_date = p0.last_day + dt.timedelta(days=rng.choice((30, 45, 60, 90)))
            report = next((report_pk[i] for i in range(i0, i1 + 1) if i in report_pk), None)
            if i1 < n - 1:  # solved before the current month
                solved = Formats.stamp(self.periods[i1 + 1].fill_start, rng.randint(540, 1020))
                status, res, solved_at, updated = "solved", resolution, at(solved), at(solved)
            else:
                status = "in_progress" if rng.random() < 0.5 else "open"
                res, solved_at, updated = "", None, at(created + rng.randint(0, 5) * 1440)
                self.counts["open_problems"] += 1
            self.t_problems.add(pk, report, description, unit, str(due_date), status, res, solved_at, None, at(created), updated,
                                1 if status == "open" else 2)  # fmt: skip
            self.counts["problems"] += 1
