"""Lists of 月调度: warnings and problem items (存在问题), filtered, paged and exported (xlsx), with
the status change of a problem. Shared helpers come from ``views_review``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, F, FilteredRelation, OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods

from keyprojects.audit.services import audit_record
from keyprojects.core.errors import ApplicationError, ConflictError, NotFound, ValidationFailed
from keyprojects.core.money import format_period
from keyprojects.core.scope import get_for_user
from keyprojects.core.xlsx import Column, build_xlsx, in_chinese, xlsx_response, ytd_header
from keyprojects.projects.models import Project

from . import warning_text
from .choices import ProblemStatus, WarningKind
from .forms_review import (
    ProblemFilterForm,
    ProblemStatusForm,
    WarningFilterForm,
    is_overdue,
    period_from_label,
)
from .models import MonthlyReport, ProblemItem, ProjectWarning, ReportingPeriod
from .rules import report_status_label
from .selectors import (
    closed_codes_by_period,
    is_frozen_in,
    latest_warned_period,
    open_problems,
    warnings_for,
)
from .services_problems import problem_set_status
from .views_review import (
    LIST_PAGE_SIZE,
    _error_text,
    _form_errors,
    _is_read_only,
    _render,
    _without,
    set_params,
)

# --- warnings --------------------------------------------------------------------------------


#: Sortable columns of the warnings list (``?sort=key`` or ``-key``); amounts and the lag are
#: the fact of the warning's project and period (analytics.ProjectPeriodFact).
WARNING_SORTS = {
    "period": ("period__year", "period__month"),
    "project": ("project__name",),
    "region": ("project__region_id",),
    "kind": ("kind",),
    "unit": ("project__responsible_unit__name",),
    "leader": ("project__sponsor_leader__name",),
    "plan": ("fact_plan",),
    "ytd": ("fact_ytd",),
    "lag": ("lag_ratio",),
}


def _warnings_filtered(user: Any, values: dict[str, Any]) -> QuerySet[ProjectWarning]:
    """The warnings the filters ask for, without the joins of the columns (what the counts read)."""
    period = period_from_label(values["period"]) if values.get("period") else None
    qs = warnings_for(user=user, period=period)
    if values.get("kind"):
        qs = qs.filter(kind=values["kind"])
    if values.get("region"):
        qs = qs.filter(Q(project__region_id=values["region"]) | Q(project__city_code=values["region"]))
    if values.get("q"):
        q = values["q"].strip()
        qs = qs.filter(Q(project__name__icontains=q) | Q(project__project_code__icontains=q))
    return qs


def _warnings(user: Any, values: dict[str, Any], sort: str = "") -> QuerySet[ProjectWarning]:
    """The filtered warnings with their fact's plan and 累计 (the columns and the sorts)."""
    from keyprojects.analytics import metrics

    qs = _warnings_filtered(user, values).select_related("project__responsible_unit", "project__sponsor_leader")
    qs = qs.annotate(
        warning_fact=FilteredRelation("project__facts", condition=Q(project__facts__period=F("period"))),
        fact_plan=F("warning_fact__annual_plan"),
        fact_ytd=F("warning_fact__invested_ytd"),
    ).annotate(lag_ratio=metrics.completion_ratio_expression("fact_ytd", "fact_plan"))
    key = sort.lstrip("-")
    if key in WARNING_SORTS:
        desc = sort.startswith("-")
        order = [F(c).desc(nulls_last=True) if desc else F(c).asc(nulls_last=True) for c in WARNING_SORTS[key]]
        return qs.order_by(*order, "-id")
    return qs


def _warning_params(request: HttpRequest) -> Any:
    """The list's filters; without a 调度期 the latest month that has warnings (a lagging project
    is warned every month: all months at once list it a dozen times and read every warning of the
    year, 3 s at 200,000 projects); ``period=all`` for every month."""
    params = set_params(request)
    if "period" not in params:
        latest = latest_warned_period()
        if latest is not None:
            params["period"] = latest.label
    return params


@login_required
@require_GET
def warnings_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    params = _warning_params(request)
    form = WarningFilterForm(params or None, user=user)
    values = form.values()
    qs = _warnings(user, values, params.get("sort", ""))
    counted = _warnings_filtered(user, values).order_by()  # (the counts need no join to the facts)
    by_kind = dict(counted.values("kind").annotate(n=Count("id")).values_list("kind", "n"))
    paginator = Paginator(qs, LIST_PAGE_SIZE)
    paginator.count = sum(by_kind.values())  # type: ignore[misc]  # the kinds' counts add up to the list's
    page = paginator.get_page(request.GET.get("page"))
    nopage = _without(params, "page")
    context = {
        "form": form,
        "params": params,
        "page_obj": page,
        "warnings": page.object_list,
        "kinds": [(code, label, by_kind[code]) for code, label in WarningKind.choices if by_kind.get(code)],
        "export_url": reverse("dispatch:warnings_export") + (f"?{nopage}" if nopage else ""),
        "filter_errors": form.errors if form.is_bound else {},
    }
    return _render(request, "dispatch/review/warnings.html", context, "results")


WARNING_COLUMNS = [  # the Chinese 预警清单's headers in any UI language (core.xlsx), each read back as what it holds
    Column(gettext_noop("序号"), "int", 6),
    Column(gettext_noop("调度期"), width=10),
    Column(gettext_noop("项目名称"), width=36),
    Column(gettext_noop("项目代码"), width=26),
    Column(gettext_noop("所属区域"), width=12),
    Column(gettext_noop("预警类型"), width=14),
    Column(gettext_noop("说明"), width=40),
    Column(gettext_noop("数值"), "number", 12),
    Column(gettext_noop("责任单位"), width=20),
    Column(gettext_noop("包保领导"), width=12),
    Column(gettext_noop("年度计划投资（万元）"), "money", 16),
    Column(gettext_noop("填报状态"), width=10),  # the warning's month's report, as the 月调度 export says it
    Column(gettext_noop("1-N月累计完成投资（万元）"), "money", 16),  # (warnings_workbook: ytd_header)
    Column(gettext_noop("完成率（%）"), "number", 10),
    Column(gettext_noop("较序时进度（百分点）"), "number", 12),
]


@in_chinese
def warnings_workbook(user: Any, values: dict[str, Any], sort: str) -> tuple[bytes, int]:
    """The filtered warnings as the Chinese 预警清单 (its kinds and messages as stored), in any
    UI language. The 1-N月累计 is the fact of the warning's month, its header names the month
    when one 调度期 is chosen (core.xlsx.ytd_header); 填报状态 is that month's report as every page
    labels it, so that the importer reads a carried-forward 累计 (未报, 草稿, 已退回) as no report."""
    from keyprojects.analytics import metrics

    kinds = dict(WarningKind.choices)
    period = period_from_label(values["period"]) if values.get("period") else None
    columns = [*WARNING_COLUMNS]
    columns[12] = Column(ytd_header(period), "money", 20)
    warnings = _warnings(user, values, sort).annotate(
        report_status=Subquery(MonthlyReport.objects.filter(project=OuterRef("project"), period=OuterRef("period")).values("status")[:1])
    )
    closed = closed_codes_by_period([period.pk] if period is not None else ReportingPeriod.objects.values_list("pk", flat=True))

    def rows() -> Any:
        for i, w in enumerate(warnings.iterator(chunk_size=2000), start=1):
            rate = metrics.completion_rate(w.fact_ytd, w.fact_plan)  # type: ignore[attr-defined]
            frozen = is_frozen_in(w.period, w.project, closed.get(w.period_id, set()))
            yield [
                i,
                format_period(w.period),
                w.project.name,
                w.project.project_code or "",
                w.project.region.name,
                str(kinds.get(w.kind, w.kind)),
                warning_text.shown(w.kind, w.message, w.value),  # as stored (in Chinese)
                w.value,
                w.owner or (w.project.responsible_unit.name if w.project.responsible_unit else ""),
                w.project.sponsor_leader.name if w.project.sponsor_leader else "",
                w.fact_plan,  # type: ignore[attr-defined]
                report_status_label(w.report_status, frozen=frozen),  # type: ignore[attr-defined]
                w.fact_ytd,  # type: ignore[attr-defined]
                metrics.as_percent(rate),
                metrics.ahead_points(rate, w.period.month),
            ]

    now = timezone.localtime()
    title = f"项目预警清单（导出时间 {now:%Y-%m-%d %H:%M}）"
    return build_xlsx(title=title, columns=columns, rows=rows(), sheet="预警")


@login_required
@require_GET
def warnings_export(request: HttpRequest) -> HttpResponse:
    user = request.user
    params = _warning_params(request)
    values = WarningFilterForm(params or None, user=user).values()
    content, n = warnings_workbook(user, values, params.get("sort", ""))
    audit_record(
        action="export",
        user=user,
        request=request,
        object_type="dispatch.projectwarning",
        changes={"filters": values, "rows": n, "format": "xlsx"},
        message=f"导出预警清单 {n} 行",
    )
    return xlsx_response(content, f"预警清单-{timezone.localtime():%Y%m%d-%H%M}.xlsx")


# --- problems --------------------------------------------------------------------------------


def _problems(user: Any, values: dict[str, Any]) -> QuerySet[ProblemItem]:
    status = values.get("status", "")
    if status == "":
        qs = open_problems(user=user)
    else:
        qs = ProblemItem.objects.visible_to(user).select_related("project", "responsible_unit")
        if status != "all":
            qs = qs.filter(status=status)
    if values.get("overdue"):
        qs = qs.filter(due_date__lt=timezone.localdate()).exclude(status=ProblemStatus.SOLVED)
    if values.get("q"):
        qs = qs.filter(Q(description__icontains=values["q"]) | Q(project__name__icontains=values["q"]))
    return qs.select_related("project__region").order_by(F("due_date").asc(nulls_last=True), "-id")


def _problems_context(
    request: HttpRequest, params: QueryDict, bound: tuple[ProblemItem, ProblemStatusForm] | None = None
) -> dict[str, Any]:
    """The list; ``bound``: the problem whose status form came back (an error, a conflict), shown
    with the typed values on top even when the list's filters no longer take it in (solved
    meanwhile in another window, the list showing the unsolved)."""
    user = request.user
    form = ProblemFilterForm(params or None)
    qs = _problems(user, form.values())
    page = Paginator(qs, LIST_PAGE_SIZE).get_page(params.get("page"))
    items = list(page.object_list)
    if bound and bound[0].pk not in {p.pk for p in items}:
        items.insert(0, bound[0])
    editable = set(ProblemItem.objects.editable_by(user).filter(pk__in=[p.pk for p in items]).values_list("pk", flat=True))
    # a unit sees the problems it must solve, not always their project: no link to a 404
    linkable = set(Project.objects.visible_to(user).filter(pk__in=[p.project_id for p in items]).values_list("pk", flat=True))
    today = timezone.localdate()
    back = params.urlencode()
    for p in items:
        p.project_linkable = p.project_id in linkable  # type: ignore[attr-defined]
        p.overdue = is_overdue(p.due_date, p.status, today)  # type: ignore[attr-defined]
        p.can_edit = p.pk in editable and not _is_read_only(user)  # type: ignore[attr-defined]
        if bound and bound[0].pk == p.pk:
            p.form, p.form_open = bound[1], True  # type: ignore[attr-defined]
        else:
            p.form = ProblemStatusForm(initial={"status": p.status, "resolution": p.resolution, "version": p.version, "back": back})  # type: ignore[attr-defined]
            p.form_open = False  # type: ignore[attr-defined]
    nopage = _without(params, "page")
    return {
        "form": form,
        "params": params,
        "page_obj": page,
        "problems": items,
        "export_url": reverse("dispatch:problems_export") + (f"?{nopage}" if nopage else ""),
        "filter_errors": form.errors if form.is_bound else {},
        "hide_pager": bound is not None,  # re-rendered by the status POST: its path is not the list's
    }


@login_required
@require_GET
def problems_view(request: HttpRequest) -> HttpResponse:
    params = set_params(request)
    return _render(request, "dispatch/review/problems.html", _problems_context(request, params), "results")


@login_required
@require_http_methods(["POST"])
def problem_status_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    try:
        problem = get_for_user(ProblemItem, user=user, pk=pk, for_edit=True, request=request)
    except NotFound:
        raise Http404() from None
    form = ProblemStatusForm(request.POST)
    back = QueryDict(request.POST.get("back", ""), mutable=True)
    if form.is_valid():
        try:
            problem_set_status(
                user=user,
                problem=problem,
                status=form.cleaned_data["status"],
                resolution=form.cleaned_data["resolution"],
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except NotFound:
            raise Http404() from None
        except ValidationFailed as exc:
            _form_errors(form, exc)
            messages.error(request, _error_text(exc))
        except ConflictError:
            # the typed values stay; the form now carries the saved version, so that saving
            # again after checking the current status (shown in the row) goes through
            problem.refresh_from_db()
            data = request.POST.copy()
            data["version"] = str(problem.version)
            form = ProblemStatusForm(data)
            form.is_valid()
            messages.error(request, _("该问题已被他人修改，请核对后重新保存"))
        except ApplicationError as exc:
            messages.error(request, exc.shown)
        else:
            label = dict(ProblemStatus.choices)[form.cleaned_data["status"]]
            messages.success(request, _("已更新问题状态：%(s)s") % {"s": label})
            query = back.urlencode()
            return redirect(reverse("dispatch:problems") + (f"?{query}" if query else ""))
    else:
        messages.error(request, _("请检查标注的字段"))
    return render(request, "dispatch/review/problems.html", _problems_context(request, back, bound=(problem, form)))


PROBLEM_COLUMNS = [
    Column("序号", "int", 6),
    Column("项目名称", width=36),
    Column("所属区域", width=12),
    Column("问题描述", width=40),
    Column("责任单位", width=20),
    Column("办结时限", "date", 12),
    Column("状态", width=10),
    Column("是否逾期", width=8),
    Column("办理结果", width=30),
]


@login_required
@require_GET
def problems_export(request: HttpRequest) -> HttpResponse:
    user = request.user
    params = set_params(request)
    values = ProblemFilterForm(params or None).values()
    labels = dict(ProblemStatus.choices)
    today = timezone.localdate()

    def rows() -> Any:
        for i, p in enumerate(_problems(user, values).iterator(chunk_size=2000), start=1):
            yield [
                i,
                p.project.name,
                p.project.region.name,
                p.description,
                p.responsible_unit.name if p.responsible_unit else "",
                p.due_date,
                str(labels.get(p.status, p.status)),
                "是" if is_overdue(p.due_date, p.status, today) else "否",
                p.resolution,
            ]

    now = timezone.localtime()
    content, n = build_xlsx(title=f"问题事项清单（导出时间 {now:%Y-%m-%d %H:%M}）", columns=PROBLEM_COLUMNS, rows=rows(), sheet="问题事项")
    audit_record(
        action="export",
        user=user,
        request=request,
        object_type="dispatch.problemitem",
        changes={"filters": {k: str(v) for k, v in values.items()}, "rows": n, "format": "xlsx"},
        message=f"导出问题事项 {n} 行",
    )
    return xlsx_response(content, f"问题事项-{now:%Y%m%d-%H%M}.xlsx")


urlpatterns = [
    path("warnings/", warnings_view, name="warnings"),
    path("warnings/export.xlsx", warnings_export, name="warnings_export"),
    path("problems/", problems_view, name="problems"),
    path("problems/export.xlsx", problems_export, name="problems_export"),
    path("problems/<int:pk>/status/", problem_status_view, name="problem_status"),
]
