"""分月计划: set a project's 12-month plan curve of a year, or return it to the configured
default spread of the annual plan. Each function owns its transaction, checks scope and the
capability (``policy.can_plan_months``), refuses a stale curve (``expected``), keeps the months
already closed as they were counted (``PlanMonths.curve``: their facts' values), writes its audit
record and refreshes the project's facts of the months that changed through the one refresh
action (``analytics.refresh``). Twelve values equal to the curve as it counts write nothing (no
rows, no audit record, no refresh): the result says ``unchanged``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy, gettext_noop, pgettext

from keyprojects.accounts import policy
from keyprojects.audit.services import audit_record
from keyprojects.core.errors import ConflictError, Message, NotFound, PermissionDenied, ValidationFailed
from keyprojects.core.money import format_month
from keyprojects.core.money import format_wan_exact as exact_wan
from keyprojects.dataio.normalize import to_halfwidth
from keyprojects.projects.models import Project

from .models import MonthlyPlan, ReportingPeriod
from .selectors_plans import MONTHS, PLACES, PlanMonths, plan_months

TYPED_PLACES = 4  # a month is typed to at most 4 decimals: 万元 to the yuan, as stored

NEEDS_TWELVE = gettext_noop("分月计划须有12个月的数值")
NUMBER_IN_WAN = gettext_noop("请输入数字（单位：%(unit)s）")  # (the fill page's words)
TOO_LARGE = gettext_noop("金额过大，请核对单位（万元）")
LARGEST = Decimal(10) ** 14  # what an amount column holds (18 digits, 4 of them places)
NEGATIVE = gettext_noop("金额不能为负数")
TOO_PRECISE = gettext_noop("最多保留四位小数（精确到元）")
NO_ANNUAL_PLAN = gettext_noop("%(year)s年尚无年度计划投资，请先设置年度计划投资，再编制分月计划")
SUM_MISMATCH = gettext_noop(
    "12个月合计%(total)s万元，%(year)s年年度计划投资%(plan)s万元，相差%(diff)s万元：12个月合计须与年度计划投资相等（精确到元）"
)
CLOSED_OVER_PLAN = gettext_noop("已关账月份已计入%(closed)s万元，超过%(year)s年年度计划投资%(plan)s万元：分月计划无法与年度计划一致")
FROZEN_CHANGED = gettext_noop("%(month)s已关账，分月计划须保持%(value)s万元")
FROZEN_BLOCKS_DEFAULT = gettext_noop("%(months)s已关账，恢复默认分布会改变其已计入的分月计划；请改为逐月修改未关账月份")


@dataclass(frozen=True)
class PlanResult:
    """What a set or a return to the default spread left: the curve as it counts afterwards and
    whether anything was written (``unchanged``: the request asked for the curve as it was)."""

    state: PlanMonths
    unchanged: bool = False


def _month(month: int) -> Any:
    """A month of the year in the language a message is said in (1月, Jan)."""
    return lazy(format_month, str)(month)


def _months(months: Sequence[int]) -> Any:
    """Months of the year listed in the language a message is said in (1月、2月; Jan, Feb)."""
    return lazy(lambda: pgettext("list separator", "、").join(format_month(m) for m in months), str)()


def _not_a_number() -> Message:
    return Message(NUMBER_IN_WAN, unit=gettext_lazy("万元"))


def month_field(month: int) -> str:
    """The field of a month in a form, a service's ``extra["fields"]`` and the API."""
    return f"month_{month}"


def _number(value: Any) -> Decimal | None:
    """A typed amount: full-width digits, thousands separators and spaces understood (as the
    importer reads a cell, ``dataio.normalize``); None when it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal | int):
        d = Decimal(value)
    elif isinstance(value, float):
        d = Decimal(repr(value))
    else:
        text = to_halfwidth(str(value if value is not None else "")).strip()
        for junk in (",", "，", " ", "\u00a0", "'"):
            text = text.replace(junk, "")
        if not text:
            return None
        try:
            d = Decimal(text)
        except (InvalidOperation, ValueError):
            return None
    return d if d.is_finite() else None


def _same(a: Decimal, b: Decimal) -> bool:
    """Equal as stored (4 places)."""
    return a.quantize(PLACES) == b.quantize(PLACES)


def _editable_project(user: Any, project: Project) -> Project:
    """The project's row, locked for this transaction; out of scope (administrators, leaders and
    anybody who does not see it) is NotFound, in scope without the capability PermissionDenied."""
    locked = Project.objects.editable_by(user).select_for_update().filter(pk=project.pk).first()
    if locked is None:
        raise NotFound()
    if not policy.can_plan_months(user):
        raise PermissionDenied(gettext_noop("只有政府工作人员可以编制分月计划"))
    return locked


def _current(project: Project, year: int) -> PlanMonths:
    """The curve as it counts now, read under the project's row lock."""
    own = dict(MonthlyPlan.objects.filter(project=project, year=year).values_list("month", "planned"))
    return plan_months(project=project, year=year, own=own)


def _check_expected(state: PlanMonths, expected: Sequence[Any] | None) -> None:
    """Optimistic lock: ``expected`` are the twelve values the caller loaded; any difference from
    the curve that counts now (another user's save, a changed annual plan under the default
    spread) is a conflict."""
    if expected is None or len(expected) != 12:
        raise ValidationFailed(NEEDS_TWELVE, extra={"fields": {"expected": [NEEDS_TWELVE]}})
    loaded = [_number(v) for v in expected]
    if any(v is None for v in loaded):
        raise ValidationFailed(_not_a_number(), extra={"fields": {"expected": [_not_a_number()]}})
    if not all(_same(v, c) for v, c in zip(loaded, state.curve, strict=True) if v is not None):
        raise ConflictError()


def _annual_plan(state: PlanMonths, year: int) -> Decimal:
    if state.annual_plan is None:
        message = Message(NO_ANNUAL_PLAN, year=year)
        raise ValidationFailed(message, extra={"fields": {"months": [message]}})
    return state.annual_plan


def _parse(state: PlanMonths, months: Sequence[Any]) -> list[Decimal]:
    """The twelve typed values (at most 4 decimals), every month's error at its field; a frozen
    month must keep its counted value (typed as shown, to 2 places, or exactly) and keeps it
    exactly."""
    if months is None or isinstance(months, str | bytes) or len(months) != 12:
        raise ValidationFailed(NEEDS_TWELVE, extra={"fields": {"months": [NEEDS_TWELVE]}})
    errors: dict[str, list[str]] = {}
    values: list[Decimal] = []
    for m, raw, counted in zip(MONTHS, months, state.curve, strict=True):
        d = _number(raw)
        error: str | None = None
        if d is None:
            error = _not_a_number()
        elif d < 0:
            error = NEGATIVE
        elif d >= LARGEST:
            error = TOO_LARGE
        elif m in state.frozen:
            if _same(d, counted) or d.quantize(Decimal("0.01")) == counted.quantize(Decimal("0.01")):
                d = counted
            else:
                error = Message(FROZEN_CHANGED, month=_month(m), value=exact_wan(counted))
        elif d != d.quantize(Decimal(1).scaleb(-TYPED_PLACES)):
            error = TOO_PRECISE
        if error is not None:
            errors[month_field(m)] = [error]
        values.append((d if d is not None and error is None else Decimal(0)).quantize(PLACES))
    if errors:
        raise ValidationFailed(extra={"fields": errors})
    return values


def first_changed(before: Sequence[Decimal], after: Sequence[Decimal]) -> int | None:
    """The first month whose plan curve differs (a month's cumulative plan depends on the months
    before it only), None when none does."""
    return next((m for m, a, b in zip(MONTHS, before, after, strict=True) if not _same(a, b)), None)


def refresh_plans(*, project_ids: Sequence[int], year: int, from_month: int) -> None:
    """The one refresh action (``analytics.refresh.refresh_after``) for the projects' opened
    periods of ``year`` from ``from_month`` (:func:`first_changed`: what the refresh measured by,
    ``PlanMonths.base``, against the new curve); frozen months are left alone by the refresh
    itself. One call when no later year has periods (the usual case), else one per month of
    ``year`` (a plan curve counts in its own year only)."""
    from keyprojects.analytics.refresh import refresh_after

    periods = list(ReportingPeriod.objects.filter(year=year, month__gte=from_month).order_by("month"))
    if not periods or not project_ids:
        return
    if not ReportingPeriod.objects.filter(year__gt=year).exists():
        refresh_after(project_ids=project_ids, from_period=periods[0])
        return
    for period in periods:
        refresh_after(project_ids=project_ids, from_period=period, only_period=True)


def _check_sum(state: PlanMonths, year: int, plan: Decimal, values: Sequence[Decimal]) -> None:
    """The twelve months add up to the annual plan exactly (to the yuan); the frozen months'
    counted total above the plan is said as such (no open months can make up for it)."""
    if state.closed_over_plan:
        message = Message(CLOSED_OVER_PLAN, closed=exact_wan(state.closed_total), year=year, plan=exact_wan(plan))
        raise ValidationFailed(message, extra={"fields": {"months": [message]}})
    total = sum(values, Decimal(0))
    if total.quantize(PLACES) != plan.quantize(PLACES):
        message = Message(SUM_MISMATCH, total=exact_wan(total), year=year, plan=exact_wan(plan), diff=exact_wan(abs(total - plan)))
        raise ValidationFailed(message, extra={"fields": {"months": [message]}})


def _audit(*, user: Any, request: Any, project: Project, year: int, before: PlanMonths, after: Sequence[Decimal], own: bool) -> None:
    audit_record(
        action="update",
        user=user,
        request=request,
        obj=project,
        changes={
            "monthly_plan": {
                "year": year,
                "before": [str(v) for v in before.curve],
                "after": [str(v) for v in after],
                "before_own": before.own,
                "after_own": own,
            }
        },
    )


def plan_apply(
    *,
    user: Any,
    project: Project,
    year: int,
    state: PlanMonths,
    months: Sequence[Any],
    expected: Sequence[Any] | None,
    request: Any = None,
    write: bool = True,
) -> list[Decimal] | None:
    """The checks and the write of one project's curve, shared by the page and API's save
    (:func:`monthly_plan_set`) and the bulk import (``services_plans_bulk``): ``state`` is the
    curve read under the project's row lock (``project`` locked, in the user's editable scope);
    ``expected`` the twelve values the caller loaded (ConflictError when the curve changed since);
    the annual plan must exist, the twelve values parse (:func:`_parse`: closed months as counted)
    and add up to it exactly. Returns the new twelve values, or None when they equal the curve as
    it counts (nothing written). With ``write`` the rows and the audit record are written (the
    caller refreshes, :func:`refresh_plans`); without, the values are only checked (a preview)."""
    _check_expected(state, expected)
    plan = _annual_plan(state, year)
    values = _parse(state, months)
    _check_sum(state, year, plan, values)
    if _unchanged(state, values):
        return None  # nothing changed: nothing written
    if write:
        MonthlyPlan.objects.filter(project=project, year=year).delete()
        rows = [MonthlyPlan(project=project, year=year, month=m, planned=v) for m, v in zip(MONTHS, values, strict=True)]
        MonthlyPlan.objects.bulk_create(rows)
        _audit(user=user, request=request, project=project, year=year, before=state, after=values, own=True)
    return values


@transaction.atomic
def monthly_plan_set(
    *, user: Any, project: Project, year: int, months: Sequence[Any], expected: Sequence[Any] | None, request: Any = None
) -> PlanResult:
    """Set ``project``'s own plan of ``year``: twelve amounts (万元, ≥ 0, at most 4 decimals)
    adding up to the year's 年度计划投资 exactly (to the yuan). ``expected``: the twelve values the
    caller loaded (ConflictError when the curve changed since). Months already closed for the
    project keep the value they were counted with. Twelve values equal to the curve as it counts
    (the default spread saved unchanged too) write nothing. Returns the curve as it counts
    afterwards."""
    locked = _editable_project(user, project)
    state = _current(locked, year)
    values = plan_apply(user=user, project=locked, year=year, state=state, months=months, expected=expected, request=request)
    if values is None:
        return PlanResult(state, unchanged=True)
    _refresh(locked, year, state.base, values)
    return PlanResult(_current(locked, year))


def _unchanged(state: PlanMonths, values: Sequence[Decimal]) -> bool:
    return all(_same(v, c) for v, c in zip(values, state.curve, strict=True))


def left_as_counted(state: PlanMonths, months: Sequence[Any]) -> bool:
    """The twelve typed values are the curve as it counts (a row of the bulk sheet left as it was
    exported): nothing to check or write, even where the curve no longer adds up to a changed
    annual plan (the project's own page says so)."""
    try:
        values = _parse(state, months)
    except ValidationFailed:
        return False
    return _unchanged(state, values)


def _refresh(project: Project, year: int, before: Sequence[Decimal], after: Sequence[Decimal]) -> None:
    month = first_changed(before, after)
    if month is not None:
        refresh_plans(project_ids=[project.pk], year=year, from_month=month)


@transaction.atomic
def monthly_plan_clear(*, user: Any, project: Project, year: int, expected: Sequence[Any] | None, request: Any = None) -> PlanResult:
    """Return ``project``'s plan of ``year`` to the default spread of its annual plan (its own
    months deleted). Refused when a closed month would change its counted value."""
    locked = _editable_project(user, project)
    state = _current(locked, year)
    _check_expected(state, expected)
    _annual_plan(state, year)
    if not state.own:
        return PlanResult(state, unchanged=True)  # already the default spread
    moved = state.moved_by_default
    if moved:
        message = Message(FROZEN_BLOCKS_DEFAULT, months=_months(moved))
        raise ValidationFailed(message, extra={"fields": {"months": [message]}})
    MonthlyPlan.objects.filter(project=locked, year=year).delete()
    _audit(user=user, request=request, project=locked, year=year, before=state, after=state.default, own=False)
    _refresh(locked, year, state.base, state.default)
    return PlanResult(_current(locked, year))
