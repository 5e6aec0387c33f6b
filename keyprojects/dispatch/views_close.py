"""关账 with a checklist: what is still open per city and county (``selectors_close``, the one
selector the close service and the API also ask), the lists behind each count, the typed
confirmation, and after the close the stored checklist, the frozen snapshot and the
corrections made since (``analytics.corrections``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import re_path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from keyprojects.accounts import policy
from keyprojects.analytics.snapshot import snapshot_workbook
from keyprojects.audit.services import audit_record
from keyprojects.core.errors import ApplicationError, PermissionDenied
from keyprojects.core.jobs import JobRunning, job_live
from keyprojects.core.models import Job
from keyprojects.core.money import format_period
from keyprojects.core.xlsx import Column, build_xlsx, in_chinese, xlsx_response

from . import rules
from .choices import ReportStatus
from .models import MonthlyReport, PeriodClosure
from .selectors_close import ITEMS, OPEN_ITEMS, checklist_items, close_checklist
from .services import PHASE_CHECK, PHASE_FACTS, PHASE_FREEZE, PHASE_SNAPSHOT, CloseNotConfirmed
from .services_close import CLOSE_JOB, close_job_current, close_job_start, close_title_shown, open_items
from .views_board import _board_focus, _board_home, _board_url, _frozen_for
from .views_review import LIST_PAGE_SIZE, _period_or_404, set_params

# a close job's phase is stored as the close reports it (``services.CLOSE_PHASES``); shown in the page's language
PHASE_LABELS = {
    PHASE_CHECK: pgettext_lazy("close phase", "核对清单"),
    PHASE_FACTS: pgettext_lazy("close phase", "重建事实表"),
    PHASE_FREEZE: pgettext_lazy("close phase", "汇总并冻结"),
    PHASE_SNAPSHOT: pgettext_lazy("close phase", "保存快照"),
}


@login_required
@require_http_methods(["GET", "POST"])
def board_close(request: HttpRequest, period: str) -> HttpResponse:
    """GET: the checklist of the closer's region and the form; POST: close (with the typed
    confirmation when anything is open)."""
    user = request.user
    period_obj = _period_or_404(period)
    home = _board_home(user)
    if not policy.can_close(user):
        raise DjangoPermissionDenied(_("只有市级或省级工作人员可以关账"))
    typed, error = "", ""
    if request.method == "POST":
        typed = (request.POST.get("confirm") or "").strip()
        try:
            job = close_job_start(user=user, period=period_obj, confirm=typed, request=request)
        except CloseNotConfirmed as exc:
            error = exc.shown
        except JobRunning as exc:
            messages.error(request, exc.shown)
            return redirect(_board_url(period_obj, request.POST.get("region") or None))
        except (PermissionDenied, ApplicationError) as exc:
            messages.error(request, exc.shown)
            return redirect(_board_url(period_obj, request.POST.get("region") or None))
        else:
            return redirect("dispatch:close_job", period=period_obj.label, pk=job.pk)
    running = close_job_current(period_obj) if request.method == "GET" else None
    if running is not None:
        return redirect("dispatch:close_job", period=period_obj.label, pk=running.pk)
    if _frozen_for(period_obj, home):
        return redirect(_board_url(period_obj))
    checklist = close_checklist(period=period_obj, region=home)
    context = {
        "period": period_obj,
        "home": home,
        "checklist": checklist,
        "labels": ITEMS,
        "headers": [ITEMS[k] for k in OPEN_ITEMS],
        "typed": typed,
        "error": error,
        "items_url": reverse("dispatch:close_items", kwargs={"period": period_obj.label}),
    }
    return render(request, "dispatch/review/close.html", context, status=400 if error else 200)


@login_required
@require_GET
def close_job(request: HttpRequest, period: str, pk: int) -> HttpResponse:
    """The progress of a close started from the page (any closer may watch it; a reload or a
    second user sees the same job): phase, percentage, then the result or the error. htmx polls
    the status block every second; without scripts the page's 刷新进度 link does the same."""
    period_obj = _period_or_404(period)
    if not policy.can_close(request.user):
        raise DjangoPermissionDenied(_("只有市级或省级工作人员可以关账"))
    job = Job.objects.select_related("started_by").filter(pk=pk, kind=CLOSE_JOB, key=period_obj.label).first()
    if job is None:
        raise Http404()
    job_live(job)
    result = job.result or {}
    closure = PeriodClosure.objects.filter(pk=result["closure"]).only("checklist").first() if result.get("closure") else None
    context = {
        "period": period_obj,
        "job": job,
        "title": close_title_shown(job.title),
        "phase": PHASE_LABELS.get(job.phase or PHASE_CHECK, job.phase),
        "result": result,
        # what was open, in the page's language (the job's result keeps it in Chinese)
        "open": open_items(closure.checklist.get("total", {})) if closure is not None else result.get("open", []),
        "job_url": reverse("dispatch:close_job", kwargs={"period": period_obj.label, "pk": job.pk}),
        "snapshot_url": (
            reverse("dispatch:closure_snapshot", kwargs={"period": period_obj.label, "pk": result["closure"]})
            if result.get("closure")
            else ""
        ),
    }
    template = "dispatch/review/close_job_status.html" if getattr(request, "htmx", False) else "dispatch/review/close_job.html"
    return render(request, template, context)


ITEM_COLUMNS = [
    Column("序号", "int", 6),
    Column("项目名称", width=36),
    Column("项目代码", width=26),
    Column("所属区域", width=12),
    Column("责任单位", width=20),
    Column("联络人", width=12),
    Column("电话", width=16),
    Column("月报状态", width=16),
]


def _state_label(status: str | None, pending: str, frozen: bool) -> str:
    """The checklist's 月报状态: a draft of a month still open is 草稿未提交 (what the close is
    waiting for), a submitted report names its level; else ``rules.report_status_label``."""
    if status == ReportStatus.DRAFT and not frozen:
        return _("草稿未提交")
    if status == ReportStatus.SUBMITTED:
        return {"county": _("待县级审核"), "city": _("待市级审核"), "province": _("待省级审核")}.get(pending, _("待审核"))
    return rules.report_status_label(status, frozen=frozen)


@in_chinese
def _items_workbook(qs: Any, period_obj: Any, focus: Any, item: str, frozen: bool) -> tuple[bytes, int, str]:
    """The projects of one checklist count as a Chinese workbook (its states too), in any UI
    language; returns the bytes, the number of rows and the title (the file's and the audit's words)."""
    title = f"{focus.name}{period_obj}{ITEMS[item]}"
    states = _states(period_obj, None)

    def rows() -> Any:
        for i, p in enumerate(qs.iterator(chunk_size=2000), start=1):
            st = states.get(p.pk, (None, ""))
            yield [
                i,
                p.name,
                p.project_code or "",
                p.region.name,
                p.responsible_unit.name if p.responsible_unit else "",
                p.contact_name,
                p.contact_phone,
                _state_label(st[0], st[1], frozen),
            ]

    stamp = f"（导出时间 {timezone.localtime():%Y-%m-%d %H:%M}）"
    content, n = build_xlsx(title=title + stamp, columns=ITEM_COLUMNS, rows=rows(), sheet=str(ITEMS[item]))
    return content, n, title


@login_required
@require_GET
def close_items(request: HttpRequest, period: str) -> HttpResponse:
    """The projects behind one count of the checklist (``?region=&item=``), paged, searchable,
    and as xlsx (``?format=xlsx``)."""
    user = request.user
    period_obj = _period_or_404(period)
    focus = _board_focus(_board_home(user), request.GET.get("region"))
    item = request.GET.get("item") or "missing"
    if item not in ITEMS:
        raise Http404()
    qs = checklist_items(period=period_obj, region=focus, item=item).select_related("region", "responsible_unit")
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(project_code__icontains=q))
    qs = qs.order_by("region_id", "name")
    frozen = _frozen_for(period_obj, focus)
    heading = _("%(region)s%(period)s%(item)s") % {"region": focus.name, "period": format_period(period_obj), "item": ITEMS[item]}
    if request.GET.get("format") == "xlsx":
        content, n, title = _items_workbook(qs, period_obj, focus, item, frozen)
        audit_record(
            action="export",
            user=user,
            request=request,
            object_type="projects.project",
            changes={"period": period_obj.label, "region": focus.code, "item": item, "rows": n, "format": "xlsx"},
            message=f"导出{title} {n} 行",
        )
        return xlsx_response(content, f"{title}.xlsx")
    page = Paginator(qs, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    states = _states(period_obj, [p.pk for p in page.object_list])
    for p in page.object_list:
        st = states.get(p.pk, (None, ""))
        p.state_label = _state_label(st[0], st[1], frozen)  # type: ignore[attr-defined]
    params = set_params(request)
    params.pop("page", None)
    context = {
        "period": period_obj,
        "focus": focus,
        "item": item,
        "title": heading,
        "labels": ITEMS,
        "page_obj": page,
        "projects": page.object_list,
        "q": q,
        "params": params,
        "export_query": params.urlencode(),
        "board_url": _board_url(period_obj),
    }
    return render(request, "dispatch/review/close_items.html", context)


def _states(period: Any, ids: list[int] | None) -> dict[int, tuple[str, str]]:
    if period.pk is None:
        return {}
    qs = MonthlyReport.objects.filter(period=period)
    if ids is not None:
        qs = qs.filter(project_id__in=ids)
    return {pid: (st, lvl) for pid, st, lvl in qs.values_list("project_id", "status", "pending_level").iterator(chunk_size=5000)}


@login_required
@require_GET
def closure_snapshot(request: HttpRequest, period: str, pk: int) -> HttpResponse:
    """The figures as they were frozen at a close (before any later correction), as xlsx."""
    user = request.user
    period_obj = _period_or_404(period)
    home = _board_home(user)
    closure = PeriodClosure.objects.select_related("region", "period").filter(pk=pk, period=period_obj).first()
    if closure is None or not _closure_visible(home, closure):
        raise Http404()
    content = snapshot_workbook(closure, within=home)
    if content is None:
        raise Http404(_("该次关账没有保存快照"))
    audit_record(
        action="export",
        user=user,
        request=request,
        obj=closure,
        changes={"period": period_obj.label, "region": closure.region_id, "format": "xlsx", "what": "close_snapshot"},
        message=f"下载{closure.region.name}{period_obj}关账快照",
    )
    return xlsx_response(content, f"关账快照-{closure.region.name}-{period_obj.label}.xlsx")


def _closure_visible(home: Any, closure: PeriodClosure) -> bool:
    """A closure concerns the home region when it is the home itself, above it (its rows only
    are given), or below it."""
    r = closure.region
    return r.code in {home.code, home.city_code, home.province_code} or (home.level == "province" and r.province_code == home.code)


PERIOD = r"(?P<period>\d{4}-\d{2})"
urlpatterns = [
    re_path(rf"^{PERIOD}/board/close/$", board_close, name="board_close"),
    re_path(rf"^{PERIOD}/board/close/jobs/(?P<pk>\d+)/$", close_job, name="close_job"),
    re_path(rf"^{PERIOD}/board/open/$", close_items, name="close_items"),
    re_path(rf"^{PERIOD}/board/closures/(?P<pk>\d+)/snapshot\.xlsx$", closure_snapshot, name="closure_snapshot"),
]
