"""月调度 bulk grid: one row per project of a period, saved row by row (htmx), submitted together,
exported as xlsx. Same services and scope as the fill form (``views_fill``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import re_path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from keyprojects.audit.services import audit_record
from keyprojects.core.errors import ApplicationError, ConflictError, NotFound, ValidationFailed
from keyprojects.core.xlsx import in_chinese
from keyprojects.projects.exports import Column, build_xlsx, xlsx_response
from keyprojects.projects.models import Project
from keyprojects.regions.models import Region

from . import rules
from .choices import ReportStatus
from .forms import GRID_INPUTS, GridRowForm, ReportForm, plain
from .models import MonthlyReport, ReportingPeriod
from .selectors import (
    OFFICIAL_FIELDS,
    closed_region_codes,
    due_projects,
    is_frozen_in,
    official_amounts,
    report_status_label,
    reports_of_period,
)
from .services import (
    NotEditable,
    PeriodClosed,
    report_checks,
    report_save,
    report_submit,
)
from .views_fill import (
    CONFLICT_MESSAGE,
    GRID_SIZE,
    P,
    _can_fill,
    _first_message,
    _opened,
    _page,
    _period_or_404,
    _project_or_404,
    _report_of,
    fillable,
    may_fill,
)
from .warning_text import check_shown, refusal_shown


@dataclass
class GridRow:
    project: Project
    report: MonthlyReport | None
    editable: bool
    values: dict[str, str] = field(default_factory=dict)
    version: int = 0
    error: str = ""
    saved: bool = False
    checked: bool = False
    pre_errors: list[str] = field(default_factory=list)  # the submission checks met now (before submitting)
    warnings: list[str] = field(default_factory=list)
    reason: str = ""  # the filler's reason for the row's warnings
    status_label: str = ""  # rules.report_status_label (a draft left in a closed month: 未报（草稿未提交）)

    @property
    def can_select(self) -> bool:
        return self.editable and self.report is not None


def _grid_regions(user: Any, period: ReportingPeriod) -> list[tuple[str, str]]:
    """Filter choices from the due projects the user sees: each city as a whole ("c" + code, when
    there is more than one city) and each county or city-level list (none for a county user)."""
    pairs = set(due_projects(period=period, user=user).order_by().values_list("region_id", "city_code").distinct())
    if len(pairs) <= 1:
        return []
    cities = sorted({c for _r, c in pairs if c})
    names = dict(Region.objects.filter(code__in={r for r, _c in pairs} | set(cities)).values_list("code", "name"))
    multi = len(cities) > 1
    out: list[tuple[str, str]] = []
    for city in [*cities, ""]:
        if multi and city:
            out.append((f"c{city}", names.get(city, city) + _("（全市）")))
        for r in sorted(r for r, c in pairs if c == city):
            label = names.get(r, r) + (_("本级") if r == city else "")
            out.append((r, ("　" if multi and city else "") + label))
    return out


def _grid_projects(user: Any, period: ReportingPeriod, region: str, choices: list[tuple[str, str]]) -> QuerySet[Project]:
    qs = due_projects(period=period, user=user).select_related("region").order_by("region_id", "name", "pk")
    if region and region in dict(choices):
        qs = qs.filter(city_code=region[1:]) if region.startswith("c") else qs.filter(region_id=region)
    return qs


def _grid_rows(user: Any, period: ReportingPeriod, projects: list[Project]) -> list[GridRow]:
    pks = [p.pk for p in projects]
    reports = {r.project_id: r for r in reports_of_period(period).filter(project_id__in=pks)}
    editable_pks = set(fillable(user).filter(pk__in=pks).values_list("pk", flat=True))
    closed = closed_region_codes(period)
    rows = []
    for p in projects:
        r = reports.get(p.pk)
        rows.append(_make_row(p, r, period, closed, p.pk in editable_pks))
    return rows


def _make_row(project: Project, report: MonthlyReport | None, period: ReportingPeriod, closed: set[str], in_scope: bool) -> GridRow:
    editable = in_scope and not is_frozen_in(period, project, closed) and (report is None or report.is_editable)
    values = {"invested_month": "", "physical_progress_pct": "", "problems": ""}
    if report is not None:
        values = {
            "invested_month": plain(report.invested_month),
            "physical_progress_pct": plain(report.physical_progress_pct),
            "problems": report.problems,
        }
    row = GridRow(project=project, report=report, editable=editable, values=values, version=report.version if report else 0)
    row.status_label = report_status_label(report, project=project, period=period, closed=closed)
    if editable and report is not None:  # warn before submitting: the checks the submission will meet
        checks = report_checks(report)
        row.pre_errors = [check_shown(m) for _c, sev, m in checks if sev == "error"]
        row.warnings = [check_shown(m) for _c, sev, m in checks if sev == "warning"]
        reasons = report.warning_reasons or {}
        row.reason = next((reasons[c] for c, sev, _m in checks if sev == "warning" and reasons.get(c)), "")
    return row


def _grid_query(request: HttpRequest, source: QueryDict | None = None) -> str:
    src = source if source is not None else request.GET
    q = QueryDict(mutable=True)
    for key in ("region", "page"):
        if src.get(key):
            q[key] = src[key]
    return q.urlencode()


@login_required
@require_GET
def grid(request: HttpRequest, period: str) -> HttpResponse:
    user = request.user
    per = _period_or_404(period)
    choices = _grid_regions(user, per)
    region = request.GET.get("region", "")
    qs = _grid_projects(user, per, region, choices)
    page = _page(request, qs, "page", GRID_SIZE)
    rows = _grid_rows(user, per, list(page.object_list))
    export_q = _grid_query(request)
    context = {
        "period": per,
        "rows": rows,
        "page_obj": page,
        "count": page.paginator.count,
        "region_choices": choices,
        "region": region if region in dict(choices) else "",
        "may_fill": may_fill(user),
        "any_selectable": any(r.can_select for r in rows),
        "any_editable": any(r.editable for r in rows),
        "return_query": _grid_query(request),
        "export_url": reverse("dispatch:grid_export", kwargs={"period": per.label}) + (f"?{export_q}" if export_q else ""),
    }
    return render(request, "dispatch/fill/grid.html", context)


@login_required
@require_POST
def grid_row(request: HttpRequest, period: str, project_pk: str) -> HttpResponse:
    """Save one grid row (htmx) and answer the re-rendered row: derived figures and a ✓, or the
    Chinese error with the typed values kept."""
    user = request.user
    per = _period_or_404(period)
    project = _project_or_404(request, project_pk)
    if not _can_fill(user, project):
        raise Http404()
    per = _opened(per)
    form = GridRowForm(request.POST)
    typed = {f: request.POST.get(f, "") for f in GRID_INPUTS}
    error = ""
    version = None
    report: MonthlyReport | None = None
    if not form.is_valid():
        error = pgettext("errors on one line", "；").join(str(e) for errs in form.errors.values() for e in errs)
    else:
        data = form.service_data()
        if "warning_reason" in request.POST:  # the row's reason covers whichever warnings its figures meet
            reason = request.POST.get("warning_reason", "").strip()
            data["warning_reasons"] = dict.fromkeys(rules.WARNING_CODES, reason) if reason else {}
        try:
            report = report_save(
                user=user,
                project=project,
                period=per,
                data=data,
                expected_version=form.cleaned_data.get("version") or 0,
                request=request,
            )
        except NotFound:
            raise Http404() from None
        except ValidationFailed as exc:
            error = _first_message(exc)
        except ConflictError:
            fresh = _report_of(project, per)
            if fresh is not None:
                saved = ReportForm.initial_for(fresh)
                diffs = [
                    f"{label}“{saved[f] or '—'}”"
                    for f, label in (
                        ("invested_month", _("本月完成投资")),
                        ("physical_progress_pct", _("形象进度%")),
                        ("problems", _("存在问题")),
                    )
                    if str(saved[f] or "") != typed[f].strip()
                ]
                version = fresh.version
                saved_now = _("当前已保存：") + pgettext("punctuation", "，").join(diffs)  # the page's punctuation
                error = _(CONFLICT_MESSAGE) + (pgettext("punctuation", "（") + saved_now + pgettext("punctuation", "）") if diffs else "")
            else:
                error = _(CONFLICT_MESSAGE)
        except (NotEditable, PeriodClosed) as exc:
            error = exc.message + _("；您输入的内容未保存")
    if report is None:
        report = _report_of(project, per)
    row = _make_row(project, report, per, closed_region_codes(per), True)
    row.checked = bool(request.POST.get("report"))
    if error:
        # keep what was typed and the version the user last saw (a conflict shows the new one)
        posted = request.POST.get("version", "")
        row.error, row.values = error, typed
        row.version = version if version is not None else (int(posted) if posted.isdigit() else 0)
    else:
        row.saved = True
    if not getattr(request, "htmx", False):
        (messages.error if error else messages.success)(request, f"{project.name}：{error or _('已保存')}")
        q = _grid_query(request, request.POST)
        return redirect(reverse("dispatch:grid", kwargs={"period": per.label}) + (f"?{q}" if q else ""))
    page = request.POST.get("page", "")
    context = {
        "row": row,
        "period": per,
        "region": request.POST.get("region", ""),
        "page_obj": {"number": int(page) if page.isdigit() else 1},
    }
    return render(request, "dispatch/fill/grid.html#row", context)


@login_required
@require_POST
def grid_submit(request: HttpRequest, period: str) -> HttpResponse:
    """提交选中: each checked draft through report_submit on its own; failures are listed and do
    not undo the others."""
    user = request.user
    per = _period_or_404(period)
    wanted: dict[int, int | None] = {}
    for value in request.POST.getlist("report"):
        pk, _sep, version = value.partition(":")
        if pk.isdigit():
            wanted[int(pk)] = int(version) if version.isdigit() else None
    q = _grid_query(request, request.POST)
    back = reverse("dispatch:grid", kwargs={"period": per.label}) + (f"?{q}" if q else "")
    if not wanted:
        messages.warning(request, _("请先勾选要提交的月报"))
        return redirect(back)
    reports = (
        reports_of_period(per)
        .filter(pk__in=list(wanted), project__in=fillable(user).values("pk"))
        .select_related("project")
        .order_by("project__region_id", "project__name")
    )
    ok: list[str] = []
    failed: list[str] = []
    for report in reports:
        try:
            report_submit(user=user, report=report, expected_version=wanted[report.pk], request=request)
        except ApplicationError as exc:
            failed.append(report.project.name + pgettext("punctuation", "：") + refusal_shown(exc.message, exc.extra))
        else:
            ok.append(report.project.name)
    missing = len(wanted) - len(ok) - len(failed)
    if ok:
        messages.success(request, _("已提交 %(n)d 份月报：") % {"n": len(ok)} + pgettext("list separator", "、").join(ok))
    for line in failed:
        messages.error(request, _("未提交 ") + line)
    if missing:
        messages.error(request, _("%(n)d 份月报不存在或无权提交") % {"n": missing})
    return redirect(back)


GRID_COLUMNS = [
    Column("序号", "int", 6),
    Column("项目名称", width=36),
    Column("项目代码", width=26),
    Column("所属区域", width=12),
    Column("已纳统", width=8),
    Column("填报状态", width=10),
    Column("本月完成投资（万元）", "money", 16),
    Column("1-N月累计完成投资（万元）", "money", 18),
    Column("开工至今累计完成投资（万元）", "money", 18),
    Column("形象进度（%）", "money", 12),
    Column("形象进度", width=30),
    Column("存在问题", width=36),
    Column("迟报", width=6),
]


@in_chinese  # the 清单's Chinese in any UI language, as every workbook (core.xlsx)
def _status_labels() -> dict[tuple[str | None, bool], str]:
    """``rules.report_status_label`` of every status, frozen or not, for the export's 填报状态."""
    return {(s, f): rules.report_status_label(s, frozen=f) for s in (None, *ReportStatus.values) for f in (False, True)}


@login_required
@require_GET
def grid_export(request: HttpRequest, period: str) -> HttpResponse:
    user = request.user
    per = _period_or_404(period)
    choices = _grid_regions(user, per)
    qs = _grid_projects(user, per, request.GET.get("region", ""), choices)
    reports = {r.project_id: r for r in reports_of_period(per).filter(project__in=qs.values("pk"))}
    # the cumulative columns are the official figures (the facts, ADR 0011): a draft's or a
    # returned report's would-be 1-N月累计 counts nowhere, an unreported project's is carried forward
    from keyprojects.analytics.models import ProjectPeriodFact

    facts = (
        {
            f["project_id"]: f
            for f in ProjectPeriodFact.objects.filter(period=per, project__in=qs.values("pk")).values("project_id", *OFFICIAL_FIELDS)
        }
        if per.pk is not None
        else {}
    )  # (a month nobody opened yet is not stored: no facts)

    closed = closed_region_codes(per)
    labels = _status_labels()

    def status(r: MonthlyReport | None, p: Project) -> str:
        return labels[(r.status if r is not None else None, is_frozen_in(per, p, closed))]

    def rows() -> Any:
        for i, p in enumerate(qs.iterator(chunk_size=2000), start=1):
            r = reports.get(p.pk)
            yield [
                i,
                p.name,
                p.project_code or "",
                p.region.name,
                "是" if p.in_statistics else "否",
                status(r, p),
                r.invested_month if r else None,
                *itemgetter("invested_ytd", "invested_to_date")(official_amounts(r, facts.get(p.pk))),
                r.physical_progress_pct if r else None,
                r.physical_progress if r else "",
                r.problems if r else "",
                "是" if r and r.is_late else "",
            ]

    columns = [*GRID_COLUMNS]
    columns[7] = Column(f"1-{per.month}月累计完成投资（万元）", "money", 18)
    now = timezone.localtime()
    content, n = build_xlsx(
        title=f"重点项目{per.year}年{per.month}月调度表（导出时间 {now:%Y-%m-%d %H:%M}）", columns=columns, rows=rows(), sheet="月调度"
    )
    audit_record(
        action="export",
        user=user,
        request=request,
        object_type="dispatch.monthlyreport",
        changes={"period": per.label, "region": request.GET.get("region", ""), "rows": n, "format": "xlsx"},
        message=f"导出{per}调度表 {n} 行",
    )
    return xlsx_response(content, f"月调度-{per.label}-{now:%Y%m%d-%H%M}.xlsx")


urlpatterns = [
    re_path(rf"{P}/grid/$", grid, name="grid"),
    re_path(rf"{P}/grid/submit/$", grid_submit, name="grid_submit"),
    re_path(rf"{P}/grid/export/$", grid_export, name="grid_export"),
    re_path(rf"{P}/grid/(?P<project_pk>[0-9]+)/$", grid_row, name="grid_row"),
]
