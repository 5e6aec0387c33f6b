"""The period board of 月调度: who has and has not reported, by region, with summary refresh,
month close and the list of missing reports (xlsx). Shared helpers come from ``views_review``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, re_path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from keyprojects.accounts import policy
from keyprojects.analytics import metrics
from keyprojects.analytics.corrections import corrections_context
from keyprojects.analytics.models import RegionPeriodSummary
from keyprojects.analytics.refresh import rebuild_facts
from keyprojects.analytics.selectors import Figures, own_figures
from keyprojects.analytics.services import region_metrics, summaries_refresh
from keyprojects.audit.services import audit_record
from keyprojects.core.xlsx import Column, build_xlsx, in_chinese, xlsx_response
from keyprojects.projects.models import Project
from keyprojects.regions.models import Region

from . import rules
from .choices import PeriodStatus, ReportStatus
from .forms_review import (
    period_from_label,
)
from .models import MonthlyReport, PeriodClosure, ReportingPeriod
from .rules import fill_ended
from .selectors import (
    due_projects,
    latest_period,
    missing_reports,
)
from .selectors_close import closures_for
from .views_review import (
    COUNT_KEYS,
    LIST_PAGE_SIZE,
    _period_or_404,
    _region_q,
    _render,
    set_params,
)

# --- period board ----------------------------------------------------------------------------


def _board_home(user: Any) -> Region:
    if not policy.can_see_board(user):  # the role may not open the board: 403, not 404
        raise DjangoPermissionDenied(_("调度看板只对省级、市级、县级工作人员和领导开放。"))
    return policy.work_region(user)  # type: ignore[return-value]


def _board_focus(home: Region, code: str | None) -> Region:
    """The region the board shows: the home region or one below it (else 404)."""
    if not code or code == home.code:
        return home
    region = Region.objects.filter(code=code).first()
    inside = region is not None and (
        (home.level == "province" and region.province_code == home.code and region.level in ("city", "county"))
        or (home.level == "city" and region.city_code == home.code and region.level == "county")
    )
    if not inside:
        raise Http404()
    return region  # type: ignore[return-value]


def _frozen_for(period: ReportingPeriod, region: Region) -> bool:
    if period.status == PeriodStatus.CLOSED:
        return True
    codes = {region.code, region.city_code, region.province_code} - {""}
    return PeriodClosure.objects.filter(period=period, region_id__in=codes).exists()


def _metrics_row(summary: RegionPeriodSummary | Figures | None, month: int) -> dict[str, Any]:
    """A row's money figures: a region's summary, or the sums of the facts of a city's (or the
    province's) own projects for its 本级 row — the facts the summaries are rolled up from."""
    if summary is None:
        return {"summary": None}
    m = region_metrics(summary, month)
    return {
        "summary": summary,
        "completion_pct": metrics.as_percent(m["completion_rate"]),
        "points": m["ahead_points"],
        "schedule": metrics.schedule_phrase(m["ahead_points"]),
        "on_time_pct": metrics.as_percent(m["on_time_rate"]),
    }


def board_rows(*, user: Any, period: ReportingPeriod, focus: Region) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Rows of the board under ``focus`` (cities of a province, counties of a city, or the county
    itself) and the total: report counts live from the reports, money figures from the region
    summaries through the one set of metric definitions."""
    if focus.level == "province":
        key, children = "city_code", list(Region.objects.filter(province_code=focus.code, level="city").order_by("code"))
        own_key, own_label = "", _("省本级")
    elif focus.level == "city":
        key, children = "region_id", list(Region.objects.filter(city_code=focus.code, level="county").order_by("code"))
        own_key, own_label = focus.code, _("市本级")
    else:
        key, children, own_key, own_label = "region_id", [focus], None, ""
    due = Project.objects.filter(pk__in=_due_ids(user, period, focus))
    due_counts = dict(due.order_by().values_list(key).annotate(n=Count("id")).values_list(key, "n"))
    counts: dict[str, dict[str, int]] = {}
    for row in (
        MonthlyReport.objects.filter(period=period, project__in=due.values("pk"))
        .order_by()
        .values(f"project__{key}", "status", "is_late")
        .annotate(n=Count("id"))
    ):
        c = counts.setdefault(row[f"project__{key}"], dict.fromkeys(COUNT_KEYS, 0))
        if row["status"] in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
            c["reported"] += row["n"]
            c["late" if row["is_late"] else "on_time"] += row["n"]
        if row["status"] == ReportStatus.RETURNED:
            c["returned"] += row["n"]
        if row["status"] == ReportStatus.APPROVED:
            c["approved"] += row["n"]
    codes = [r.code for r in children] + [focus.code]
    summaries = {s.region_id: s for s in RegionPeriodSummary.objects.visible_to(user).filter(period=period, region_id__in=codes)}
    drill = focus.level in ("province", "city")

    def make(code: str, name: str, region: Region | None) -> dict[str, Any]:
        c, n = counts.get(code, {}), due_counts.get(code, 0)
        row = {"code": code, "name": name, "region": region, "due": n, **{k: c.get(k, 0) for k in COUNT_KEYS}}
        row["missing"] = n - row["reported"] - row["returned"]
        row["drill"] = drill and region is not None
        row.update(_metrics_row(summaries.get(region.code) if region is not None else None, period.month))
        return row

    rows = [make(r.code, r.name, r) for r in children]
    if own_key is not None and due_counts.get(own_key):
        own = make(own_key, str(own_label), None)
        figures = own_figures(user=user, period=period, region=focus)
        own.update(_metrics_row(figures if figures.projects else None, period.month), own=True)
        rows.append(own)
    total: dict[str, Any] = {k: sum(r[k] for r in rows) for k in ("due", *COUNT_KEYS, "missing")}
    total["name"] = focus.name
    total.update(_metrics_row(summaries.get(focus.code), period.month))
    return rows, total


def _due_ids(user: Any, period: ReportingPeriod, focus: Region) -> QuerySet[Any]:
    return due_projects(period=period, user=user).filter(_region_q(focus)).values("pk")


def _can_refresh(user: Any) -> bool:
    return policy.can_review(user)


def _can_close(user: Any) -> bool:
    return policy.can_close(user)


def _board_url(period: ReportingPeriod, region: str | None = None) -> str:
    url = reverse("dispatch:board", kwargs={"period": period.label})
    return f"{url}?region={region}" if region else url


@login_required
@require_GET
def board_latest(request: HttpRequest) -> HttpResponse:
    """``/dispatch/board/``: the board of the chosen (``?period=``) or the latest period."""
    user = request.user
    home = _board_home(user)
    period = period_from_label(request.GET.get("period")) or latest_period()
    if period is None:
        return render(request, "dispatch/review/board.html", {"period": None, "home": home, "periods": []})
    region = request.GET.get("region") or None
    return redirect(_board_url(period, region))


@login_required
@require_GET
def board(request: HttpRequest, period: str) -> HttpResponse:
    user = request.user
    period_obj = _period_or_404(period)
    home = _board_home(user)
    focus = _board_focus(home, request.GET.get("region"))
    rows, total = board_rows(user=user, period=period_obj, focus=focus)
    missing = missing_reports(user=user, period=period_obj).filter(_region_q(focus)).select_related("responsible_unit")
    missing = missing.order_by("region_id", "name")
    page = Paginator(missing, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    drafts = set(
        MonthlyReport.objects.filter(
            period=period_obj, project__in=[p.pk for p in page.object_list], status=ReportStatus.DRAFT
        ).values_list("project_id", flat=True)
    )
    for p in page.object_list:
        p.has_draft = p.pk in drafts  # type: ignore[attr-defined]
    crumbs = []
    if focus.code != home.code:
        crumbs.append(home)
        if focus.level == "county" and home.level == "province":
            crumbs.append(Region.objects.get(code=focus.city_code))
    params = set_params(request)
    frozen = _frozen_for(period_obj, focus)
    home_frozen = _frozen_for(period_obj, home)
    closures = closures_for(period=period_obj, region=focus) if frozen else []
    context = {
        **corrections_context(period=period_obj, region=focus, user=user),
        "closures": closures,
        "period": period_obj,
        "periods": ReportingPeriod.objects.order_by("-year", "-month")[:36],
        "home": home,
        "focus": focus,
        "crumbs": crumbs,
        "rows": rows,
        "total": total,
        "child_label": _("市") if focus.level == "province" else _("县（市、区）"),
        "page_obj": page,
        "missing": page.object_list,
        "params": params,
        "past_deadline": fill_ended(fill_end=period_obj.fill_end, today=timezone.localdate()) or period_obj.is_closed,
        "frozen": frozen,
        "draft_left_label": rules.report_status_label(ReportStatus.DRAFT, frozen=True),
        "summaries_missing": total.get("summary") is None,
        "can_refresh": _can_refresh(user) and not home_frozen,
        "can_close": _can_close(user) and not home_frozen,
        "close_region": home,
        "export_url": reverse("dispatch:missing_export", kwargs={"period": period_obj.label})
        + (f"?region={focus.code}" if focus.code != home.code else ""),
        "region_param": focus.code if focus.code != home.code else "",
    }
    return _render(request, "dispatch/review/board.html", context, "missing" if request.GET.get("page") else None)


@login_required
@require_POST
def board_refresh(request: HttpRequest, period: str) -> HttpResponse:
    """刷新汇总: rebuild the facts, warnings and region summaries of an open period (never on GET)."""
    user = request.user
    period_obj = _period_or_404(period)
    home = _board_home(user)
    if not _can_refresh(user):
        raise DjangoPermissionDenied(_("只读用户不能刷新汇总"))
    back = _board_url(period_obj, request.POST.get("region") or None)
    if _frozen_for(period_obj, home):
        messages.error(request, _("本期已关账，汇总数据已冻结"))
        return redirect(back)
    projects = Project.objects.visible_to(user).filter(_region_q(home))
    with transaction.atomic():
        n_facts, n_warnings = rebuild_facts(periods=[period_obj], projects=projects)
        n_summaries = summaries_refresh(period=period_obj)
        audit_record(
            action="summaries_refresh",
            user=user,
            request=request,
            obj=period_obj,
            changes={"region": home.code, "facts": n_facts, "warnings": n_warnings, "summaries": n_summaries},
            message=f"刷新{period_obj}汇总",
        )
    messages.success(request, _("已刷新汇总：%(n)s 个项目，%(w)s 条预警") % {"n": n_facts, "w": n_warnings})
    return redirect(back)


@in_chinese
def _draft_left_label() -> str:
    return rules.report_status_label(ReportStatus.DRAFT, frozen=True)


MISSING_COLUMNS = [
    Column("序号", "int", 6),
    Column("项目名称", width=36),
    Column("项目代码", width=26),
    Column("所属区域", width=12),
    Column("责任单位", width=20),
    Column("责任人", width=12),
    Column("联络人", width=12),
    Column("电话", width=16),
    Column("报送状态", width=14),
]


@login_required
@require_GET
def missing_export(request: HttpRequest, period: str) -> HttpResponse:
    user = request.user
    period_obj = _period_or_404(period)
    focus = _board_focus(_board_home(user), request.GET.get("region"))
    qs = (
        missing_reports(user=user, period=period_obj)
        .filter(_region_q(focus))
        .select_related("responsible_unit")
        .order_by("region_id", "name")
    )
    drafts = set(MonthlyReport.objects.filter(period=period_obj, status=ReportStatus.DRAFT).values_list("project_id", flat=True))
    past = timezone.localdate() > period_obj.fill_end or period_obj.is_closed
    label = "未报" if past else "未报（填报期内）"
    frozen = _frozen_for(period_obj, focus)
    draft_left = _draft_left_label()  # a draft left in a closed month (rules.report_status_label)

    def rows() -> Any:
        for i, p in enumerate(qs.iterator(chunk_size=2000), start=1):
            state = (label + ("，有草稿" if p.pk in drafts else "")) if not frozen or p.pk not in drafts else draft_left
            yield [
                i,
                p.name,
                p.project_code or "",
                p.region.name,
                p.responsible_unit.name if p.responsible_unit else "",
                p.responsible_person,
                p.contact_name,
                p.contact_phone,
                state,
            ]

    title = f"{focus.name}{period_obj}月报未报项目名单（导出时间 {timezone.localtime():%Y-%m-%d %H:%M}）"
    content, n = build_xlsx(title=title, columns=MISSING_COLUMNS, rows=rows(), sheet="未报名单")
    audit_record(
        action="export",
        user=user,
        request=request,
        object_type="projects.project",
        changes={"period": period_obj.label, "region": focus.code, "rows": n, "format": "xlsx"},
        message=f"导出{period_obj}未报名单 {n} 行",
    )
    return xlsx_response(content, f"未报名单-{focus.name}-{period_obj.label}.xlsx")


PERIOD = r"(?P<period>\d{4}-\d{2})"
urlpatterns = [
    path("board/", board_latest, name="board_latest"),
    re_path(rf"^{PERIOD}/board/$", board, name="board"),
    re_path(rf"^{PERIOD}/board/refresh/$", board_refresh, name="board_refresh"),
    re_path(rf"^{PERIOD}/board/missing\.xlsx$", missing_export, name="missing_export"),
]
