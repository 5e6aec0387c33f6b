"""Every metric, defined once (domain.md §3; architecture.md §4).

Pages, exports, rankings, bulletins and the API call these functions and nothing else computes
the same figure. Inputs and outputs are Decimal; a ratio with a zero denominator is ``None``
("not applicable"), never 0 and never a division error.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_noop

ZERO = Decimal("0")
HUNDRED = Decimal("100")
RATE_PLACES = Decimal("0.0001")  # ratios to 4 places (0.5630 = 56.30%)
POINT_PLACES = Decimal("0.01")  # percentage points to 2 places


YUAN_PLACES = Decimal("0.0001")  # amounts in 万元 to the yuan


def _dec(value: Any) -> Decimal:
    """``value`` as a Decimal (itself when it is one: the refresh asks per project and month)."""
    return value if type(value) is Decimal else Decimal(value)


def _ratio(num: Decimal | None, den: Decimal | None) -> Decimal | None:
    if num is None or den is None or den == 0:
        return None
    return (_dec(num) / _dec(den)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def invested_ytd(months: Iterable[Decimal]) -> Decimal:
    """1-N月累计完成投资 = Σ 本月完成投资 over months 1..N of the year."""
    return sum((Decimal(m) for m in months), ZERO)


def completion_rate(ytd: Decimal | None, annual_plan: Decimal | None) -> Decimal | None:
    """年度投资完成率 = invested_ytd / annual_plan."""
    return _ratio(ytd, annual_plan)


def time_progress(month: int) -> Decimal:
    """序时进度 after month N = N / 12."""
    if not 1 <= month <= 12:
        raise ValueError("month must be 1..12")
    return (Decimal(month) / Decimal(12)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def ahead_points(rate: Decimal | None, month: int) -> Decimal | None:
    """(completion_rate − 序时进度) in percentage points; > 0 超序时进度, < 0 落后序时进度.

    Computed from the unrounded N/12 so that 50% after June is exactly 0 points."""
    if rate is None:
        return None
    twelfth = _TWELFTHS[month] if 0 <= month <= 12 else Decimal(month) / Decimal(12)
    return ((_dec(rate) - twelfth) * HUNDRED).quantize(POINT_PLACES, rounding=ROUND_HALF_UP)


_TWELFTHS = tuple(Decimal(month) / Decimal(12) for month in range(13))  # N/12, unrounded (28 digits)


_AHEAD, _BEHIND, _LEVEL, _NO_PLAN = "超序时进度%(points)s个百分点", "落后序时进度%(points)s个百分点", "与序时进度持平", "无年度计划"
_NOT_COMPARED = "不需报送月报，不比较序时进度"


def _schedule_words(points: Decimal | None) -> tuple[str, dict[str, str]]:
    """The phrase and its points, with thousands separators as every other figure (a 元/万元 slip
    on the fill page read "完成 81,801.53%，超序时进度81709.86个百分点")."""
    if points is None:
        return _NO_PLAN, {}
    if points > 0:
        return _AHEAD, {"points": f"{points:,}"}
    if points < 0:
        return _BEHIND, {"points": f"{-points:,}"}
    return _LEVEL, {}


def schedule_phrase(points: Decimal | None, *, compared: bool = True) -> str:
    """The words bulletins use: "超序时进度 x 个百分点" / "落后序时进度 x 个百分点", in the active
    language (English UI: "x percentage points ahead of schedule"). ``compared`` False: the
    project takes no part in the month's dispatch (``dispatch.rules.in_dispatch``: a 谋划储备
    project without a report), so it is placed against 序时进度 nowhere — "不需报送月报，不比较序时进度"."""
    from django.utils.translation import gettext

    if not compared:
        return gettext(_NOT_COMPARED)
    words, values = _schedule_words(points)
    return gettext(words) % values if values else gettext(words)


def schedule_phrase_zh(points: Decimal | None) -> str:
    """:func:`schedule_phrase` in Chinese whatever the UI language: for what is stored (a
    warning's message) and for the bulletin, a Chinese document. (The Chinese words are the
    catalogue's source strings: no language switch per call — the refresh asks once per warning.)"""
    words, values = _schedule_words(points)
    return words % values if values else words


# the source strings of schedule_phrase, for makemessages (gettext is called on the constants above)
_MSGIDS = (
    gettext_noop("超序时进度%(points)s个百分点"),
    gettext_noop("落后序时进度%(points)s个百分点"),
    gettext_noop("与序时进度持平"),
    gettext_noop("无年度计划"),
    gettext_noop("不需报送月报，不比较序时进度"),
)


def planned_ytd(monthly_plan: Sequence[Decimal], month: int) -> Decimal:
    """Planned cumulative investment through month N from a 12-month plan curve."""
    return sum((Decimal(x) for x in monthly_plan[:month]), ZERO)


def planned_share(weights: Sequence[int | Decimal], month: int) -> Decimal:
    """The share of the annual plan due by the end of month N under the configured weights
    (exact, unrounded)."""
    if len(weights) != 12 or any(Decimal(w) < 0 for w in weights) or sum(Decimal(w) for w in weights) == 0:
        raise ValueError("12 non-negative weights, not all zero")
    return sum((Decimal(w) for w in weights[:month]), ZERO) / sum((Decimal(w) for w in weights), ZERO)


@functools.lru_cache(maxsize=256)
def _shares(weights: tuple[int | Decimal, ...]) -> tuple[Decimal, ...]:
    """:func:`planned_share` of ``weights`` for the months 0..12, computed once per weights (a
    spread of many plans over the same weights asks for the same thirteen shares)."""
    return tuple(planned_share(weights, month) for month in range(13))


def planned_to_date(
    annual_plan: Decimal,
    weights: Sequence[int | Decimal],
    month: int,
    own: Sequence[Decimal] | None = None,
    *,
    share: Decimal | None = None,
) -> Decimal:
    """序时计划 (planned cumulative investment through month N): the project's own 12-month
    curve when it has one, else the annual plan × the weights' share, rounded once to the yuan
    (1,000 at month 6 of an even spread is 500.0000). ``share``: :func:`planned_share` of the
    weights and month when the caller computed it once for many projects."""
    if own is not None and len(own) == 12:
        return planned_ytd(own, month)
    if month <= 0:
        return ZERO
    if share is None:
        share = planned_share(weights, month)
    return (_dec(annual_plan) * share).quantize(YUAN_PLACES, rounding=ROUND_HALF_UP)


def spread_plan(annual_plan: Decimal, weights: Sequence[int | Decimal]) -> list[Decimal]:
    """Spread an annual plan over 12 months by weights: each month is the difference of the
    序时计划 (:func:`planned_to_date`) at its end and at the previous month's end, so any
    first N months add up to exactly the 序时计划 of month N and all 12 to the plan."""
    shares = _shares(tuple(weights))
    cumulative = [planned_to_date(annual_plan, weights, m, share=shares[m]) for m in range(13)]
    return [cumulative[m] - cumulative[m - 1] for m in range(1, 13)]


def plan_curve(annual_plan: Decimal, weights: Sequence[int | Decimal], own: Mapping[int, Decimal] | None = None) -> list[Decimal]:
    """The 12-month plan a project is measured against: its own monthly plans when all twelve
    are set, else the default spread of its annual plan."""
    if own and len(own) == 12:
        return [Decimal(own[m]) for m in range(1, 13)]
    return spread_plan(annual_plan, weights)


def progress_index(ytd: Decimal | None, planned: Decimal | None) -> Decimal | None:
    """Earned-value-style SPI = invested_ytd / planned_ytd (< 0.9 is a warning)."""
    return _ratio(ytd, planned)


def start_rate(started_new: int, planned_new: int) -> Decimal | None:
    """开工率 = started new projects / planned new projects."""
    return _ratio(Decimal(started_new), Decimal(planned_new))


def completion_production_rate(completed: int, planned_completions: int) -> Decimal | None:
    """竣工投产率 = projects completed or in production / projects planned to complete."""
    return _ratio(Decimal(completed), Decimal(planned_completions))


def on_time_rate(on_time: int, due: int) -> Decimal | None:
    """按时报送率 = reports submitted within the window / reports due."""
    return _ratio(Decimal(on_time), Decimal(due))


def problem_closure_rate(solved: int, raised: int) -> Decimal | None:
    """问题办结率 = problems solved by the period's end / problems raised by the period's end."""
    return _ratio(Decimal(solved), Decimal(raised))


def fulfilment_rate(kept: int, due: int) -> Decimal | None:
    """履约率 = commitments confirmed 已履行 / commitments due (the due date passed by the day
    asked, or settled earlier: 已履行, 部分履行 or 未履行 confirmed). 部分履行 is not kept."""
    return _ratio(Decimal(kept), Decimal(due))


def signing_rate(signed: int, admitted: int) -> Decimal | None:
    """签约率 of a “双50” 培育名单 = admitted enterprises with their one-to-one 政企合作协议 linked /
    admitted enterprises (ADR 0020)."""
    return _ratio(Decimal(signed), Decimal(admitted))


# --- 招商引资 (issue 16): the funnel and 履约 of signed leads ------------------------------------
# A lead's chain 签约 → 开工 → 到资 → 投产 is measured over the signed leads: how many of them have
# a project under construction (its 实际开工 recorded), money arrived, a project in production.


def lead_conversion_rate(reached: int, leads: int) -> Decimal | None:
    """线索转化率 = leads that reached a stage (考察洽谈, 签约, 落地) / leads recorded."""
    return _ratio(Decimal(reached), Decimal(leads))


def signed_landing_rate(landed: int, signed: int) -> Decimal | None:
    """签约落地率 = signed leads whose project is in the registry / signed leads."""
    return _ratio(Decimal(landed), Decimal(signed))


def signed_start_rate(started: int, signed: int) -> Decimal | None:
    """签约项目开工率 = signed leads whose project has started construction / signed leads."""
    return _ratio(Decimal(started), Decimal(signed))


def signed_funded_rate(funded: int, signed: int) -> Decimal | None:
    """签约项目到资率 = signed leads with money arrived (any 到资) / signed leads."""
    return _ratio(Decimal(funded), Decimal(signed))


def signed_production_rate(producing: int, signed: int) -> Decimal | None:
    """签约项目投产率 = signed leads whose project is in production (投产 or 达效) / signed leads."""
    return _ratio(Decimal(producing), Decimal(signed))


def funds_arrival_rate(arrived: Decimal | None, signed_amount: Decimal | None) -> Decimal | None:
    """资金到位率（履约）= Σ 到资 / Σ 签约额 of the same signed leads."""
    return _ratio(arrived, signed_amount)


def request_on_time_rate(on_time: int, due: int) -> Decimal | None:
    """诉求按时办结率 = requests answered by their resolve deadline / requests answered or already
    past their deadline (issue 15)."""
    return _ratio(Decimal(on_time), Decimal(due))


def satisfaction_rate(satisfied: int, rated: int) -> Decimal | None:
    """诉求满意率 = requests rated 满意 or 基本满意 / requests rated (the final rating)."""
    return _ratio(Decimal(satisfied), Decimal(rated))


def resolution_rate(answered: int, raised: int) -> Decimal | None:
    """交流会诉求解决率 = a meeting's requests answered (已答复 or 已办结) / its requests raised."""
    return _ratio(Decimal(answered), Decimal(raised))


def average_days(durations: Sequence[int]) -> Decimal | None:
    """平均办理天数 = the mean of the working days the answered requests took (1 place)."""
    if not durations:
        return None
    return (Decimal(sum(durations)) / Decimal(len(durations))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def as_percent(rate: Decimal | None) -> Decimal | None:
    """0.5630 → 56.30 (for display)."""
    return None if rate is None else (Decimal(rate) * HUNDRED).quantize(POINT_PLACES, rounding=ROUND_HALF_UP)


# --- the same definitions as database conditions (filters and sorts over the fact table) -----


def completion_ratio_expression(ytd: str = "invested_ytd", plan: str = "annual_plan") -> Any:
    """完成率 as a database expression (NULL without an annual plan), for sorting by lag: for one
    month, a lower ratio is further behind 序时进度 (``ahead_points`` is increasing in it)."""
    from django.db.models import DecimalField, ExpressionWrapper, F
    from django.db.models.functions import NullIf

    return ExpressionWrapper(F(ytd) * 1.0 / NullIf(F(plan), 0), output_field=DecimalField(max_digits=24, decimal_places=8))


def behind_q(points: Decimal = ZERO, *, field: str = "ahead_points") -> Any:
    """The rows whose ``field`` — a fact's stored :func:`ahead_points`, which the refresh writes
    with this module's rule — is below ``-points`` (落后序时进度 by more than ``points``), as a
    database condition; a row without an annual plan has none and is never behind."""
    from django.db.models import Q

    return Q(**{f"{field}__lt": -Decimal(points)})


def lagging_q(points: Decimal = ZERO, *, field: str = "ahead_points", state_field: str = "report_state") -> Any:
    """落后序时进度 by more than ``points`` among the projects whose lag is judged that month
    (``dispatch.rules.lag_measured``: a report that counts): the lagging projects of the
    dashboard, the project list and the bulletin, and the rows of the 落后序时进度 warning."""
    from django.db.models import Q

    from keyprojects.dispatch.rules import MEASURED_STATES

    return behind_q(points, field=field) & Q(**{f"{state_field}__in": sorted(MEASURED_STATES)})


def not_behind_q(*, field: str = "ahead_points") -> Any:
    """达到或超过序时进度 (the stored points at 0 or above, 与序时进度持平 included), with an annual plan."""
    from django.db.models import Q

    return Q(**{f"{field}__gte": 0})
