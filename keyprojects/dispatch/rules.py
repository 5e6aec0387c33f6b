"""The monthly rules of 月调度, once, as pure functions (no database, no request).

Every writer asks these: the form and API services (``dispatch.services``), the importer, the
demo seeder and the refresh action (``analytics.refresh``). They take plain values so that a
writer of thousands of rows can call them per row without queries.

The counting rule (docs/adr/0011-counting-rule.md):

* a report **counts** when it is submitted or approved (:data:`COUNTED`); a draft or a returned
  report never counts, in its own month or in any later cumulative figure;
* the official 1-N月累计 of a project in month N is the sum of its counted months 1..N of that
  year — carried forward over months it did not report; 开工至今累计 adds the months of earlier
  years and what was invested before tracking began;
* a report *states* the cumulative figures it would make official: the counted months before
  it plus its own month (:func:`derive`); for a counted report that is the official figure;
* a draft left in a closed month stays as it is, is shown as 未报 and counts nowhere.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.utils.translation import gettext_lazy, gettext_noop

from keyprojects.core.sentences import DATE, NUMBER, Sentence, Slot

from .choices import ReportStatus

ZERO = Decimal(0)
MONEY_PLACES = Decimal("0.0001")

# Report statuses (dispatch.choices.ReportStatus values) whose figures count ("已报").
COUNTED: frozenset[str] = frozenset({"submitted", "approved"})
# The list levels a report can be reviewed at, bottom up.
LEVELS = ("county", "city", "province")
# Project stages (projects.choices.Stage values) that report every month of a year in which the
# project is on a list; 谋划储备, 达效 and 退库 do not.
DUE_STAGES: frozenset[str] = frozenset({"preparation", "construction", "completed", "production", "suspended"})
# Board states (dispatch.choices.ReportState values) that mean "reported".
REPORTED_STATES: frozenset[str] = frozenset({"submitted", "approved", "late", "no_activity"})


def counts(status: str) -> bool:
    """Whether a report in ``status`` counts in the figures."""
    return status in COUNTED


def due_to_report(stage: str) -> bool:
    """Whether a project in ``stage`` must report monthly (in a year it is on a list)."""
    return stage in DUE_STAGES


# Stages of a project not started yet (谋划储备, 前期手续).
NOT_STARTED_STAGES: frozenset[str] = frozenset({"reserve", "preparation"})
# Stages a project reaches only once it is complete (竣工 and after).
COMPLETED_STAGES: frozenset[str] = frozenset({"completed", "production", "effective"})


# A stage change as :func:`stage_in_month` reads it: (the day it happened, the stage it left) —
# ``projects.models.ProjectEvent``'s ``on_date`` and ``from_stage``.
Move = tuple[dt.date | None, str]


def stage_in_month(
    stage: str, *, actual_start: dt.date | None, actual_completion: dt.date | None, month_end: dt.date, moves: Sequence[Move] = ()
) -> str:
    """A project's stage at the end of a month (the stage its facts, warnings and summaries of
    that month use, and so whether it was due to report then), from its stage now, its stage
    changes and its dates.

    ``moves`` are the project's stage changes as (on_date, from_stage), in the order they were
    entered (``ProjectEvent`` ids): the stage at the month's end is the stage left by the
    earliest change dated after it — a project suspended (停缓建), cancelled (退库), put into
    production (投产) or 达效 on the 1st of the next month was still in its former stage then.
    With no change after the month's end it is the stage now. Changes without a from_stage (创建)
    or without a date are ignored. A change cannot have happened after one entered after it: its
    day is taken as at most theirs (a project registered today, moved to 前期手续 today and then
    to 开工建设 on its real 实际开工 of last year was past 前期手续 by last year), so of changes on
    one day the first entered is the earliest.

    Then the dates: a project that started (实际开工) after the month's end was still in 前期手续
    then, one completed (实际竣工) after it was still 开工建设 — the same as the ``started`` /
    ``completed`` figures of the month: by the month's end (they also place the projects whose
    start or completion was recorded before their changes were dated)."""
    bound: dt.date | None = None  # the earliest day of the changes entered after this one
    for on, left in reversed(moves):  # (the days so bounded rise with the order entered)
        if not left or on is None:
            continue
        if bound is None or on < bound:
            bound = on
        if bound <= month_end:
            break
        stage = left
    if actual_start is not None and actual_start > month_end and stage not in NOT_STARTED_STAGES:
        return "preparation"
    if actual_completion is not None and actual_completion > month_end and stage in COMPLETED_STAGES:
        return "construction"
    return stage


def in_dispatch(*, due: bool, reported: bool) -> bool:
    """Whether a project takes part in a month's dispatch: it is due to report (:func:`due_to_report`)
    or it has a report of the month anyway. One that does not (a 谋划储备 project without a report)
    has no board state (""), is never 未报 and is never placed against 序时进度: its 完成率 is
    carried forward, not reported, and no page says it is behind (or ahead of) schedule."""
    return due or reported


def compared_with_schedule(state: str | None) -> bool:
    """Whether a project's month, given its board state (a fact's ``report_state``), is placed
    against 序时进度 at all (a figure of points, the words 超/落后序时进度): "" is a project that
    takes no part in the dispatch (:func:`in_dispatch`). Whether it is *judged* lagging is the
    narrower :func:`lag_measured`."""
    return bool(state)


# What a report's status is shown as on every page, export and API label (ADR 0011).
NOT_REPORTED = gettext_lazy("未报")
DRAFT_NOT_SUBMITTED = gettext_lazy("未报（草稿未提交）")


def report_status_label(status: str | None, *, frozen: bool) -> str:
    """The status of a project's report of a month as every page, export and API label shows it:
    no report is 未报; a draft left in a frozen month (:func:`is_frozen`) counts nowhere and is
    shown as 未报（草稿未提交） (its draft is kept); any other report its own status (草稿, 待审核,
    已退回, 已审定). The machine ``status`` value is never changed."""
    if status is None:
        return str(NOT_REPORTED)
    if status == ReportStatus.DRAFT and frozen:
        return str(DRAFT_NOT_SUBMITTED)
    return str(ReportStatus(status).label)


# --- cumulative figures ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MonthFigure:
    """One report of a project as the rules see it."""

    year: int
    month: int
    status: str
    invested_month: Decimal


@dataclass(frozen=True, slots=True)
class Cumulative:
    ytd: Decimal  # 1-N月累计完成投资
    to_date: Decimal  # 开工至今累计完成投资


def counted_before(figures: Iterable[MonthFigure], *, year: int, month: int) -> tuple[Decimal, Decimal]:
    """(Σ counted months of ``year`` before ``month``, Σ counted months of all time before it)."""
    ytd = total = ZERO
    for f in figures:
        if f.status not in COUNTED or (f.year, f.month) >= (year, month):
            continue
        total += f.invested_month
        if f.year == year:
            ytd += f.invested_month
    return ytd, total


def derive(*, invested_month: Decimal, ytd_before: Decimal, total_before: Decimal, invested_before: Decimal | None) -> Cumulative:
    """The cumulative figures a report states: the counted months before it plus its own."""
    month = Decimal(invested_month)
    return Cumulative(ytd=ytd_before + month, to_date=(invested_before or ZERO) + total_before + month)


def official(figures: Iterable[MonthFigure], *, year: int, month: int, invested_before: Decimal | None) -> Cumulative:
    """The official figures of a project at the end of (year, month): counted months only,
    carried forward over months without a counted report."""
    counted_year: dict[int, Decimal] = {}
    earlier = ZERO
    for f in figures:
        if f.status not in COUNTED or (f.year, f.month) > (year, month):
            continue
        if f.year == year:
            counted_year[f.month] = counted_year.get(f.month, ZERO) + f.invested_month
        else:
            earlier += f.invested_month
    from keyprojects.analytics.metrics import invested_ytd  # the figure's one definition: Σ months 1..N

    ytd = invested_ytd(counted_year.get(m, ZERO) for m in range(1, month + 1))
    return Cumulative(ytd=ytd, to_date=(invested_before or ZERO) + earlier + ytd)


def running_ytd(counted: Mapping[int, Decimal]) -> list[Decimal]:
    """The official 1-N月累计 at the end of each month 0..12 of a year, from the counted months
    of that year (month → 本月完成投资): carried forward over the months without one."""
    if not counted:
        return [ZERO] * 13
    if len(counted) == 1:  # (an import's single 1-N月 figure: the running sum is a step)
        ((month, amount),) = counted.items()
        if 0 <= month <= 12:
            return [ZERO] * month + [ZERO + amount] * (13 - month)
    return list(itertools.accumulate(map(counted.get, range(13), itertools.repeat(ZERO, 13))))  # month 0: nothing


def stated_all(figures: Sequence[MonthFigure], *, invested_before: Decimal | None) -> list[Cumulative]:
    """:func:`derive` for every report of one project at once (``figures`` in any order; the
    result is in the same order): one pass, for re-deriving later months after a change."""
    order = sorted(range(len(figures)), key=lambda i: (figures[i].year, figures[i].month))
    out: list[Cumulative | None] = [None] * len(figures)
    ytd = total = ZERO
    year = None
    for i in order:
        f = figures[i]
        if f.year != year:
            year, ytd = f.year, ZERO
        out[i] = derive(invested_month=f.invested_month, ytd_before=ytd, total_before=total, invested_before=invested_before)
        if f.status in COUNTED:
            ytd += f.invested_month
            total += f.invested_month
    return [c for c in out if c is not None]


# --- frozen months and board states ---------------------------------------------------------


def is_frozen(*, period_closed: bool, closed_codes: Iterable[str], province_code: str, city_code: str | None) -> bool:
    """A project's month is frozen when the whole period is closed, or its province or its city
    closed it (``closed_codes``: the regions with a closure for that period)."""
    if period_closed:
        return True
    codes = closed_codes if isinstance(closed_codes, set | frozenset) else set(closed_codes)
    return province_code in codes or bool(city_code and city_code in codes)


# A month frozen for a project's region, as (year, month) (:func:`is_frozen` of that month).
Month = tuple[int, int]


def first_open_day(frozen: Iterable[Month]) -> dt.date | None:
    """The earliest day a stage change of a project may be dated, given the months frozen for
    its region (:func:`is_frozen`: the whole month closed, or its province or city closed it):
    the day after the end of the latest of them; None when none is frozen. A change dated on or
    before that month's end would move the project's stage in a frozen month
    (:func:`stage_in_month`), so the live board (应报/未报) would no longer agree with the
    month's frozen facts."""
    latest = max(frozen, default=None)
    return None if latest is None else month_end(*latest) + dt.timedelta(days=1)


def stage_change_allowed(on: dt.date, frozen: Iterable[Month]) -> bool:
    """Whether a stage change may be dated ``on`` (:func:`first_open_day`)."""
    first = first_open_day(frozen)
    return first is None or on >= first


def date_change_refused(old: dt.date | None, new: dt.date | None, frozen: Iterable[Month]) -> dt.date | None:
    """Of a project's 实际开工 or 实际竣工日期 changed from ``old`` to ``new`` (None: not stated), the
    date that falls on or before the end of a frozen month (:func:`stage_change_allowed`), the
    new one first; None when the change is allowed: the date is unchanged, or both are after the
    latest frozen month (or not stated). :func:`stage_in_month` reads these dates as it reads the
    stage changes, so moving one across a frozen month's end moves that month's stage.

    A blank date filled in, or a date cleared, after the latest frozen month is allowed: the
    blank stands for a date not known (``stage_in_month`` then keeps the stage), and refusing
    it would leave a missing 实际开工日期 unfillable once a month is closed."""
    if old == new:
        return None
    frozen = list(frozen)
    return next((d for d in (new, old) if d is not None and not stage_change_allowed(d, frozen)), None)


def fill_ended(*, fill_end: dt.date, today: dt.date) -> bool:
    """The fill window is over (the day after 填报截止): a report submitted now is late, one not
    submitted is missing, and an open month waits to be closed."""
    return today > fill_end


def report_state(*, status: str | None, is_late: bool, no_activity: bool, fill_end: dt.date, period_closed: bool, today: dt.date) -> str:
    """The board state of one project's report in one period (dispatch.choices.ReportState);
    ``status`` None means no report. A draft is never "reported"."""
    if status is None or status == "draft":
        return "missing" if fill_ended(fill_end=fill_end, today=today) or period_closed else "not_due"
    if status == "returned":
        return "returned"
    if status == "approved":
        if no_activity:
            return "no_activity"
        return "late" if is_late else "approved"
    return "late" if is_late else "submitted"


MEASURED_STATES = REPORTED_STATES  # lag is judged on exactly the months counted as reported (已报)


def lag_measured(state: str) -> bool:
    """Whether a project's place against 序时进度 is judged in a month (落后序时进度 warnings, the
    lagging counts of the dashboard, the project list and the bulletin): its report of the month
    counts (``state`` from :func:`report_state`: 已报待审, 已审定, 迟报, 本月无进展). A project
    whose report is missing, returned or not yet due is counted as 未报 instead, and one not due
    to report at all (谋划储备, 达效: state "") is neither: its figures are carried forward, not
    reported, so it is never called lagging on them."""
    return state in MEASURED_STATES


# --- filling: no activity and the submit checks -----------------------------------------------


def no_activity_errors(*, no_activity: bool, invested_month: Decimal, reason: str) -> dict[str, str]:
    """ "本月无进展" is an explicit zero with a reason."""
    if not no_activity:
        return {}
    if invested_month:
        return {"invested_month": "选择“本月无进展”时本月完成投资应为0"}
    if not (reason or "").strip():
        return {"no_activity_reason": "请说明本月无进展的原因"}
    return {}


class CheckedFigures(Protocol):
    """What the checks read of a report (a ``MonthlyReport``, or figures an importer holds)."""

    @property
    def invested_month(self) -> Decimal: ...
    @property
    def invested_ytd(self) -> Decimal: ...
    @property
    def invested_to_date(self) -> Decimal: ...
    @property
    def physical_progress_pct(self) -> Decimal | None: ...


class CheckedProject(Protocol):
    """What the checks read of the report's project."""

    @property
    def total_investment(self) -> Decimal | None: ...
    @property
    def stage(self) -> str: ...
    @property
    def actual_start(self) -> dt.date | None: ...
    @property
    def actual_completion(self) -> dt.date | None: ...


class CheckedPeriod(Protocol):
    @property
    def year(self) -> int: ...
    @property
    def month(self) -> int: ...


def month_end(year: int, month: int) -> dt.date:
    ny, nm = (year + 1, 1) if month == 12 else (year, month + 1)
    return dt.date(ny, nm, 1) - dt.timedelta(days=1)


# The checks that are warnings (the filler explains each, the reviewer accepts each with a reason).
WARNING_CODES = ("unit_slip", "progress_falling", "zero_without_reason", "investment_before_start")
# Their messages (stored in Chinese on the report's flags and in 数据存疑 warnings; said again in
# the active language by core.sentences).
UNIT_SLIP = Sentence(
    gettext_noop("本月完成投资%(month)s万元与以往月份（通常约%(usual)s万元）相差%(factor)s倍以上，请确认单位是否为万元"),
    month=NUMBER,
    usual=NUMBER,
    factor=NUMBER,
)
PROGRESS_FALLING = Sentence(gettext_noop("形象进度（%(pct)s%%）低于上期（%(prev)s%%）"), pct=NUMBER, prev=NUMBER)
ZERO_WITHOUT_REASON = Sentence(gettext_noop("项目在建，本月完成投资为0，但未勾选“本月无进展”"))
INVESTMENT_BEFORE_START = Sentence(gettext_noop("项目处于谋划储备阶段却填报了完成投资"))
WARNING_SENTENCES = (UNIT_SLIP, PROGRESS_FALLING, ZERO_WITHOUT_REASON, INVESTMENT_BEFORE_START)
# The errors' messages (shown before submitting and stored on the flags of an imported report).
AMOUNT = Slot(r"-?[0-9][0-9,]*(?:\.[0-9]+)?(?:E[+-]?[0-9]+)?")  # a figure as Decimal writes it (1200.0000)
YTD_FALLING = Sentence(gettext_noop("1-%(month)s月累计（%(ytd)s）低于上月累计（%(prev)s）"), month=NUMBER, ytd=AMOUNT, prev=AMOUNT)
TO_DATE_ABOVE_TOTAL = Sentence(
    gettext_noop(
        "开工至今累计完成投资（%(to_date)s万元）超过项目总投资（%(total)s万元）："
        "请核对本月完成投资的单位是否为万元；如总投资确已调整，请先在项目信息中修改总投资"
    ),
    to_date=NUMBER,
    total=NUMBER,
)
COMPLETION_WITHOUT_START = Sentence(gettext_noop("形象进度为100%%但项目尚无实际开工日期"))
START_AFTER_PERIOD = Sentence(gettext_noop("项目实际开工日期（%(start)s）晚于本调度期，却填报了完成投资"), start=DATE)
COMPLETION_BEFORE_START = Sentence(gettext_noop("项目实际竣工日期早于实际开工日期"))
ERROR_SENTENCES = (YTD_FALLING, TO_DATE_ABOVE_TOTAL, COMPLETION_WITHOUT_START, START_AFTER_PERIOD, COMPLETION_BEFORE_START)
# Every check's message (a flag's, a check shown while filling): said again by warning_text.check_shown.
CHECK_SENTENCES = WARNING_SENTENCES + ERROR_SENTENCES
# The usual month of a project: the median of its latest USUAL_WINDOW earlier counted months with
# investment, once it has at least USUAL_MIN_MONTHS of them.
USUAL_WINDOW = 6
USUAL_MIN_MONTHS = 3


def usual_month(history: Sequence[Decimal]) -> Decimal | None:
    """The project's usual month (本月完成投资 as it usually is): the median of its latest (up to
    :data:`USUAL_WINDOW`) earlier counted months with investment, ``history`` newest first;
    None while it has fewer than :data:`USUAL_MIN_MONTHS` of them."""
    recent = [Decimal(h) for h in history[:USUAL_WINDOW] if h and h > 0]
    if len(recent) < USUAL_MIN_MONTHS:
        return None
    return Decimal(statistics.median(recent))


def _plain(value: Decimal) -> str:
    """A figure in a message as a person writes it, with thousands separators:
    3500000.0000 → 3,500,000, 12.50 → 12.5, 320 → 320 (never 3.2E+2)."""
    text = f"{Decimal(value):,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# A project's total investment changed tenfold (projects.services asks for a reason; said again by the form).
TOTAL_JUMP = Sentence(
    gettext_noop("总投资由%(before)s万元改为%(after)s万元，相差%(factor)s倍以上：请确认单位是否为万元；确需调整的，请填写调整原因"),
    before=NUMBER,
    after=NUMBER,
    factor=NUMBER,
)


def total_investment_jump(before: Decimal | None, after: Decimal | None, *, slip_factor: int | Decimal) -> str | None:
    """A project's total investment changed ``slip_factor``-fold or more (元 typed as 万元, or a
    change that lifts the "above total investment" error of :func:`report_checks`): the message
    asking for a written reason, else None. From or to nothing is no jump."""
    if not before or not after or before <= 0 or after <= 0:
        return None
    if after >= before * slip_factor or after * slip_factor <= before:
        return TOTAL_JUMP.zh(before=_plain(before), after=_plain(after), factor=slip_factor)
    return None


def report_checks(
    *,
    report: CheckedFigures,
    period: CheckedPeriod,
    project: CheckedProject,
    prev_ytd: Decimal | None,
    history: Sequence[Decimal],
    slip_factor: int | Decimal,
    prev_pct: Decimal | None = None,
) -> list[tuple[str, str, str]]:
    """(code, severity, Chinese message) for the checks of domain.md §3, the one definition the
    fill form, the grid, the API and the importer ask (issue 10 §2). Errors block a submission;
    each warning needs the filler's written reason to go on and the reviewer's reason to
    acknowledge it. ``prev_ytd``: 1-N月累计 of the latest earlier counted report of the same
    year, if any; ``history``: the latest earlier counted months with investment, newest first
    (:func:`usual_month`); ``prev_pct``: 形象进度（%） of the latest earlier counted report that
    states one. A report may state ``no_activity`` (本月无进展); without it a zero of a project
    under construction that month (started by the month's end) is asked about."""
    out: list[tuple[str, str, str]] = []
    month = report.invested_month
    if prev_ytd is not None and report.invested_ytd < prev_ytd:
        out.append(("ytd_falling", "error", YTD_FALLING.zh(month=period.month, ytd=report.invested_ytd, prev=prev_ytd)))
    if project.total_investment and report.invested_to_date > project.total_investment:
        # an error: a project that really costs more has its total investment adjusted first
        to_date, total = _plain(report.invested_to_date), _plain(project.total_investment)
        out.append(("to_date_above_total", "error", TO_DATE_ABOVE_TOTAL.zh(to_date=to_date, total=total)))
    usual = usual_month(history)
    if usual is not None and month > 0 and usual > 0 and (month >= usual * slip_factor or month * slip_factor <= usual):
        out.append(("unit_slip", "warning", UNIT_SLIP.zh(month=_plain(month), usual=_plain(usual), factor=slip_factor)))
    pct = report.physical_progress_pct
    if pct is not None and prev_pct is not None and pct < prev_pct:
        out.append(("progress_falling", "warning", PROGRESS_FALLING.zh(pct=_plain(pct), prev=_plain(prev_pct))))
    building = (
        project.stage == "construction"
        and project.actual_start is not None
        and project.actual_start <= month_end(period.year, period.month)
    )
    if month == 0 and building and not getattr(report, "no_activity", False):
        # a project under construction that month: a zero is 本月无进展 (with its reason) or a slip
        out.append(("zero_without_reason", "warning", ZERO_WITHOUT_REASON.zh()))
    if report.physical_progress_pct is not None and report.physical_progress_pct >= 100 and not project.actual_start:
        out.append(("completion_without_start", "error", COMPLETION_WITHOUT_START.zh()))
    if month > 0 and project.stage in ("reserve",):
        out.append(("investment_before_start", "warning", INVESTMENT_BEFORE_START.zh()))
    if project.actual_start and project.actual_start > month_end(period.year, period.month) and month > 0:
        out.append(("dates_out_of_order", "error", START_AFTER_PERIOD.zh(start=project.actual_start)))
    if project.actual_completion and project.actual_start and project.actual_completion < project.actual_start:
        out.append(("dates_out_of_order", "error", COMPLETION_BEFORE_START.zh()))
    return out


# --- the review chain -----------------------------------------------------------------------


def review_chain(*, top_level: str, city_level: bool, chains: Mapping[str, Sequence[str]]) -> list[str]:
    """The review levels of a report, bottom up, from the project's top list that year and
    whether it is a city-level project (no county step); ``chains``: the configured chain per
    top list level (DispatchConfig.review_chain)."""
    levels = list(chains.get(top_level) or ["county"])
    if city_level:
        levels = [lvl for lvl in levels if lvl != "county"] or ["city"]
    return levels


def top_level(*, on_province_list: bool, on_city_list: bool, on_county_list: bool) -> str:
    """The highest list a project is on in a year (province > city > county)."""
    if on_province_list:
        return "province"
    if on_city_list:
        return "city"
    return "county"


def next_level(level: str) -> str:
    """The level above ``level`` (the province decides its own)."""
    return {"county": "city", "city": "province"}.get(level, "province")


def staffed_chain(chain: Sequence[str], *, staffed: Collection[str]) -> list[str]:
    """Four eyes on the review chain (issue 10): nobody reviews a report they filled or
    submitted, so a level where nobody but the report's fillers may review (``staffed``: the
    levels with another account able to review it) hands its step to the level above — a
    county with one account goes to the city, a city with one to the province. The province
    keeps its own step (another province account, or a superuser, decides). Bottom up, each
    level once."""
    out: list[str] = []
    for level in chain:
        while level not in staffed and next_level(level) != level:
            level = next_level(level)
        if level not in out:
            out.append(level)
    return sorted(out, key=lambda lvl: LEVELS.index(lvl) if lvl in LEVELS else len(LEVELS))


# --- zero investment ------------------------------------------------------------------------


ZERO_RUN_STAGES = frozenset({"construction"})  # 开工建设: a completed or suspended project invests nothing by nature


def zero_run(counted_months: Mapping[int, Decimal], *, month: int, window: int) -> bool:
    """连续零投资: the project reported (counted) each of the last ``window`` months up to
    ``month`` and invested nothing in any of them."""
    if not window or month < window or len(counted_months) < window:
        return False
    months = range(month - window + 1, month + 1)
    return all(m in counted_months for m in months) and not any(counted_months[m] > 0 for m in months)
