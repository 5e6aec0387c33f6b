"""分月计划 page of a project's year: the twelve months' 计划完成投资 with their 累计序时计划, set
by whoever writes the project's yearly plans (``policy.can_plan_months``), read by anybody who
sees the project; its .xlsx export. The service is ``dispatch.services_plans``; the page works
without JavaScript (app.js only keeps the 合计 line live)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext
from django.views.decorators.http import require_GET, require_http_methods

from keyprojects.accounts import policy
from keyprojects.audit.services import audit_record
from keyprojects.core.errors import ConflictError, NotFound, PermissionDenied, ValidationFailed, shown
from keyprojects.core.forms import plain_decimal
from keyprojects.core.money import format_month
from keyprojects.core.money import format_wan_exact as exact_wan
from keyprojects.core.xlsx import Column, build_xlsx, in_chinese, xlsx_response
from keyprojects.dispatch.selectors_plans import MONTHS, PLACES, PlanMonths, plan_months
from keyprojects.dispatch.services_plans import CLOSED_OVER_PLAN, month_field, monthly_plan_clear, monthly_plan_set

from .models import Project
from .selectors import get_project_for_user

MIN_YEAR, MAX_YEAR = 2000, 2100  # ProjectYear's range


class MonthlyPlanForm(forms.Form):
    """Twelve amounts as typed (the service parses "1,200.5" and full-width digits) and the
    twelve values the page was loaded with (the optimistic lock)."""

    expected = forms.CharField(required=False, widget=forms.HiddenInput, max_length=600)

    def __init__(self, *args: Any, frozen: frozenset[int] = frozenset(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for m in MONTHS:
            attrs = {
                "class": "form-control form-control-sm text-end",
                "inputmode": "decimal",
                "autocomplete": "off",
                "data-kp-plan-month": str(m),
            }
            if m in frozen:
                attrs["readonly"] = "readonly"
            self.fields[month_field(m)] = forms.CharField(
                label=format_month(m), required=False, max_length=30, widget=forms.TextInput(attrs=attrs)
            )

    @staticmethod
    def initial_for(state: PlanMonths) -> dict[str, str]:
        data = {month_field(m): plain_decimal(v) for m, v in zip(MONTHS, state.curve, strict=True)}
        data["expected"] = ",".join(plain_decimal(v) for v in state.curve)
        return data

    def months(self, state: PlanMonths) -> list[str]:
        """The typed values; a closed month is read only on the page and keeps its value."""
        cd = self.cleaned_data
        return [plain_decimal(state.curve[m - 1]) if m in state.frozen else (cd.get(month_field(m)) or "").strip() for m in MONTHS]

    def expected_values(self) -> list[str]:
        return [v.strip() for v in (self.cleaned_data.get("expected") or "").split(",")]

    def add_service_errors(self, exc: ValidationFailed) -> None:
        fields = exc.extra.get("fields") or {}
        placed = False
        for name, msgs in fields.items():
            for msg in msgs:
                if name in self.fields and name != "expected":
                    self.add_error(name, shown(msg))
                    placed = True
                elif name in ("months", "expected", "__all__"):
                    self.add_error(None, shown(msg))
                    placed = True
        if not placed or not fields:
            self.add_error(None, exc.shown)


def _year_or_404(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404()
    return year


def _project(request: HttpRequest, pk: int) -> Project:
    try:
        return get_project_for_user(user=request.user, pk=pk, request=request)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _rows(state: PlanMonths, form: MonthlyPlanForm | None) -> list[dict[str, Any]]:
    return [
        {
            "month": m,
            "label": format_month(m),
            "value": state.curve[m - 1],
            "cumulative": cum,
            "frozen": m in state.frozen,
            "field": form[month_field(m)] if form is not None else None,
        }
        for m, cum in zip(MONTHS, state.cumulative, strict=True)
    ]


def _closed_over(state: PlanMonths) -> str:
    """What the page says when the closed months already count more than the annual plan."""
    if not state.closed_over_plan:
        return ""
    assert state.annual_plan is not None
    said = _(CLOSED_OVER_PLAN) % {"closed": exact_wan(state.closed_total), "year": state.year, "plan": exact_wan(state.annual_plan)}
    rest = _("未关账月份按项目自定的分月计划计算") if state.own else _("未关账月份按默认分布计算")
    return f"{said}{pgettext('punctuation', '，')}{rest}"


def _mismatch(state: PlanMonths) -> dict[str, str] | None:
    """The twelve months as they count do not add up to the annual plan (it changed after the
    curve was set, or after months were closed): both sums and the difference."""
    plan = state.annual_plan
    if plan is None or state.closed_over_plan or state.total.quantize(PLACES) == plan.quantize(PLACES):
        return None
    return {"total": exact_wan(state.total), "plan": exact_wan(plan), "diff": exact_wan(abs(state.total - plan))}


@login_required
@require_http_methods(["GET", "POST"])
def monthly_plan_view(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    user = request.user
    year = _year_or_404(year)
    project = _project(request, pk)
    state = plan_months(project=project, year=year)
    can_edit = policy.can_plan_months(user, project) and state.annual_plan is not None
    can_save = can_edit and not state.closed_over_plan  # (no twelve months can then add up to the plan)
    form = MonthlyPlanForm(initial=MonthlyPlanForm.initial_for(state), frozen=state.frozen) if can_save else None
    conflict: list[dict[str, Any]] | None = None
    if request.method == "POST":
        if not policy.can_plan_months(user, project):
            raise Http404()
        form = MonthlyPlanForm(request.POST, frozen=state.frozen)
        if form.is_valid():
            restore = request.POST.get("action") == "default"
            try:
                if restore:
                    result = monthly_plan_clear(user=user, project=project, year=year, expected=form.expected_values(), request=request)
                else:
                    result = monthly_plan_set(
                        user=user, project=project, year=year, months=form.months(state), expected=form.expected_values(), request=request
                    )
            except ValidationFailed as exc:
                form.add_service_errors(exc)
            except ConflictError as exc:
                conflict = [{"label": format_month(m), "saved": v} for m, v in zip(MONTHS, state.curve, strict=True)]
                data = request.POST.copy()
                data["expected"] = MonthlyPlanForm.initial_for(state)["expected"]  # the next save is checked against these
                form.data = data
                messages.error(request, exc.shown)
            except (NotFound, PermissionDenied):
                raise Http404() from None
            else:
                if result.unchanged:
                    messages.info(request, _("未作修改"))
                else:
                    messages.success(request, _("已恢复默认分布") if restore else _("分月计划已保存"))
                return redirect("projects:monthly_plan", pk=project.pk, year=year)
    context = {
        "project": project,
        "year": year,
        "state": state,
        "form": form,
        "rows": _rows(state, form),
        "can_edit": can_edit,
        "can_restore": state.own and not state.moved_by_default,
        "conflict": conflict,
        "closed_over": _closed_over(state),
        "mismatch": _mismatch(state),
        "years": list(project.years.order_by("-year").values_list("year", flat=True)),
    }
    return render(request, "projects/monthly_plan.html", context)


PLAN_COLUMNS = [
    Column(gettext_noop("月份"), width=10),
    Column(gettext_noop("计划完成投资（万元）"), "money", 18),
    Column(gettext_noop("累计序时计划（万元）"), "money", 18),
    Column(gettext_noop("累计占年度计划（%）"), "number", 16),
    Column(gettext_noop("状态"), width=10),
]


@in_chinese
def _plan_workbook(project: Project, state: PlanMonths) -> bytes:
    plan = state.annual_plan

    def rows() -> Any:
        for m, v, cum in zip(MONTHS, state.curve, state.cumulative, strict=True):
            pct = (cum / plan * 100).quantize(Decimal("0.01")) if plan else None
            yield [format_month(m), v, cum, pct, _("已关账") if m in state.frozen else ""]
        yield [_("合计"), state.total, None, None, ""]

    source = _("项目自定") if state.own else _("按默认分布")
    title = _("%(name)s %(year)s年分月计划") % {"name": project.name, "year": state.year}
    subtitle = _("年度计划投资 %(plan)s 万元；%(source)s；导出时间 %(time)s") % {
        "plan": "—" if plan is None else exact_wan(plan),
        "source": source,
        "time": f"{timezone.localtime():%Y-%m-%d %H:%M}",
    }
    columns = [Column(_(c.header), c.kind, c.width) for c in PLAN_COLUMNS]
    content, _n = build_xlsx(title=title, subtitle=subtitle, columns=columns, rows=rows(), sheet=_("分月计划"))
    return content


@login_required
@require_GET
def monthly_plan_export(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """The page's table as .xlsx (in Chinese, as every export); the export is an audit event."""
    year = _year_or_404(year)
    project = _project(request, pk)
    state = plan_months(project=project, year=year)
    content = _plan_workbook(project, state)
    audit_record(
        action="export",
        user=request.user,
        request=request,
        obj=project,
        changes={"monthly_plan": year, "rows": 12, "format": "xlsx"},
        message=f"导出{project.name} {year}年分月计划",
    )
    return xlsx_response(content, f"分月计划-{project.pk}-{year}.xlsx")
