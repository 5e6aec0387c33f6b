"""Review pages of 月调度: the review queue and a report beside last month's, with review,
acknowledgement and corrections (更正). The period board lives in ``views_board``, warnings and
problem items in ``views_lists``; the helpers below are shared by the three.

Each view reads top to bottom: parse → service/selector → render. Scope comes only from
``visible_to`` / ``editable_by`` / ``get_for_user``; anything outside it answers 404. Errors of
the services come back as messages, and a form that failed keeps what the user typed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from keyprojects.accounts import policy
from keyprojects.analytics import metrics
from keyprojects.analytics.corrections import change_label, change_value
from keyprojects.audit.services import audit_record
from keyprojects.core.errors import ApplicationError, ConflictError, NotFound, PermissionDenied, ValidationFailed
from keyprojects.core.xlsx import Column, build_xlsx, in_chinese, xlsx_response
from keyprojects.projects.models import Project, ProjectYear
from keyprojects.regions.models import Region

from . import rules, warning_text
from .choices import FlagSeverity, ReportStatus, RevisionStatus
from .forms_review import (
    LEVEL_LABELS,
    ReviewForm,
    ReviewQueueFilterForm,
    RevisionDecideForm,
    RevisionRequestForm,
    period_from_label,
)
from .models import MonthlyReport, ReportFlag, ReportingPeriod, ReportRevision
from .selectors import (
    closed_codes_by_period,
    get_report_for_user,
    official_amounts,
    previous_counted_report,
    report_fillers,
    report_status_label,
    reports_for_review,
    warnings_for,
)
from .services import (
    can_review,
    is_frozen,
    report_acknowledge,
    report_review,
    revision_decide,
    revision_request,
    user_review_level,
)

PAGE_SIZE = 25
LIST_PAGE_SIZE = 50
COUNT_KEYS = ("reported", "on_time", "late", "returned", "approved")


# --- shared helpers --------------------------------------------------------------------------


def set_params(request: HttpRequest) -> QueryDict:
    """The query without empty values (a submitted filter form sends every field)."""
    kept = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        values = [v for v in values if v.strip()]
        if values:
            kept.setlist(key, values)
    return kept


def _without(params: QueryDict, *drop: str) -> str:
    q = params.copy()
    for key in drop:
        q.pop(key, None)
    return str(q.urlencode())


def _render(request: HttpRequest, template: str, context: dict[str, Any], partial: str | None = None) -> HttpResponse:
    """The page, or only its ``partial`` for an htmx request (the address bar shows the filters set)."""
    htmx = getattr(request, "htmx", None)
    fragment = bool(partial and htmx and not htmx.boosted)
    response = render(request, f"{template}#{partial}" if fragment else template, context)
    if fragment:
        params = context.get("params")
        response["HX-Push-Url"] = f"{request.path}?{params.urlencode()}" if params else request.path
    patch_vary_headers(response, ["HX-Request"])
    return response


def _error_text(exc: ApplicationError) -> str:
    """The refusal and up to two of its field messages, in the active language."""
    fields = exc.extra.get("fields") or {}
    details = [m for msgs in fields.values() for m in msgs if m not in exc.message]  # not "X后再…：X"
    # Translators: between an error message and its details on one line
    return pgettext("error detail", "：").join(warning_text.error_shown(m) for m in [exc.message, *details[:2]])


def _form_errors(form: Any, exc: ValidationFailed) -> None:
    for name, msgs in (exc.extra.get("fields") or {}).items():
        for m in msgs:
            form.add_error(name if name in form.fields else None, warning_text.error_shown(m))


def _period_or_404(label: str) -> ReportingPeriod:
    period = period_from_label(label)
    if period is None:
        raise Http404(_("调度期不存在"))
    return period


def _region_q(region: Region, prefix: str = "") -> Q:
    if region.level == "province":
        return Q(**{f"{prefix}province_code": region.code})
    if region.level == "city":
        return Q(**{f"{prefix}city_code": region.code})
    return Q(**{f"{prefix}region_id": region.code})


_is_read_only = policy.is_read_only


# --- review queue ----------------------------------------------------------------------------


def _attach_previous(reports: list[MonthlyReport]) -> None:
    """Each report gets ``previous``: the project's latest report before its period (one query)."""
    if not reports:
        return
    pids = {r.project_id for r in reports}
    earlier: dict[int, list[MonthlyReport]] = {}
    for r in MonthlyReport.objects.filter(project_id__in=pids).select_related("period").order_by("-period__year", "-period__month"):
        earlier.setdefault(r.project_id, []).append(r)
    for r in reports:
        key = (r.period.year, r.period.month)
        r.previous = next((p for p in earlier.get(r.project_id, []) if (p.period.year, p.period.month) < key), None)  # type: ignore[attr-defined]
        prev = r.previous  # type: ignore[attr-defined]
        r.month_change = None if prev is None else r.invested_month - prev.invested_month  # type: ignore[attr-defined]


def _revisions_for_review(user: Any) -> QuerySet[ReportRevision]:
    """Pending corrections addressed to the user's level, on reports the user may act on."""
    level = user_review_level(user)
    qs = ReportRevision.objects.filter(status=RevisionStatus.PENDING, report__in=MonthlyReport.objects.editable_by(user).values("pk"))
    if not user.is_superuser:
        if level is None:
            return qs.none()
        qs = qs.filter(approval_level=level)
    return qs.select_related("report__project__region", "report__period", "requested_by").order_by("requested_at")


def _queue(user: Any, form: ReviewQueueFilterForm) -> QuerySet[MonthlyReport]:
    """The reports waiting for ``user`` that the filters ask for (the page and its export)."""
    qs = form.filter(reports_for_review(user=user, period=form.selected))
    return qs.order_by("-period__year", "-period__month", "project__region_id", "project__name")


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    params = set_params(request)
    form = ReviewQueueFilterForm(params or None, user=user)
    period = form.selected
    qs = _queue(user, form)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    reports = list(page.object_list)
    _attach_previous(reports)
    unacked = dict(
        ReportFlag.objects.filter(report__in=[r.pk for r in reports], severity=FlagSeverity.WARNING, acknowledged_at__isnull=True)
        .values("report_id")
        .annotate(n=Count("id"))
        .values_list("report_id", "n")
    )
    for r in reports:
        r.unacked = unacked.get(r.pk, 0)  # type: ignore[attr-defined]
    level = user_review_level(user)
    context = {
        "form": form,
        "params": params,
        "period": period,
        "page_obj": page,
        "reports": reports,
        "level_label": LEVEL_LABELS.get(level or "", ""),
        "can_review": policy.can_review(user),
        "revisions": list(_revisions_for_review(user)[:100]),
        "export_query": _without(params, "page"),
    }
    return _render(request, "dispatch/review/queue.html", context, "queue")


QUEUE_COLUMNS = [
    Column("序号", width=6),
    Column("调度期", width=10),
    Column("项目名称", width=36),
    Column("项目代码", width=26),
    Column("所属区域", width=12),
    Column("本月完成（万元）", kind="money", width=14),
    Column("1-N月累计（万元）", kind="money", width=14),
    Column("待确认校验提示（条）", kind="int", width=12),
    Column("提交时间", width=18),
    Column("迟报", width=6),
]


@login_required
@require_GET
def review_queue_export(request: HttpRequest) -> HttpResponse:
    """The filtered review queue as .xlsx (Chinese headers, as the other exports): the same
    reports as the page, every page of them."""
    user = request.user
    if not policy.can_review(user):  # the role reviews nothing: 403 with the reason, as the other pages
        raise DjangoPermissionDenied(_("您的角色不参与月报审核。"))
    form = ReviewQueueFilterForm(set_params(request) or None, user=user)
    qs = _queue(user, form).annotate(
        unacked=Count("flags", filter=Q(flags__severity=FlagSeverity.WARNING, flags__acknowledged_at__isnull=True))
    )
    content, n = _queue_workbook(qs, LEVEL_LABELS.get(user_review_level(user) or "", ""))
    audit_record(
        action="export",
        user=user,
        request=request,
        object_type="dispatch.monthlyreport",
        changes={"kind": "review_queue", "filters": dict(set_params(request).items()), "rows": n, "format": "xlsx"},
        message=f"导出待审核月报 {n} 行",
    )
    return xlsx_response(content, f"待审核月报-{timezone.localdate():%Y%m%d}.xlsx")


@in_chinese
def _queue_workbook(qs: QuerySet[MonthlyReport], level: Any) -> tuple[bytes, int]:
    """The queue's rows as the Chinese workbook in any UI language (``level``, a lazy label, is
    said in Chinese here)."""

    def rows() -> Any:
        for i, r in enumerate(qs.iterator(chunk_size=2000), start=1):
            yield [
                i,
                f"{r.period.year}年{r.period.month}月",
                r.project.name,
                r.project.project_code or "",
                r.project.region.name,
                r.invested_month,
                r.invested_ytd,
                r.unacked,
                f"{timezone.localtime(r.submitted_at):%Y-%m-%d %H:%M}" if r.submitted_at else "",
                "是" if r.is_late else "",
            ]

    title = f"待审核月报（{level}审核，导出时间 {timezone.localtime():%Y-%m-%d %H:%M}）" if level else "待审核月报"
    return build_xlsx(title=title, columns=QUEUE_COLUMNS, rows=rows(), sheet="待审核月报")


# --- one report ------------------------------------------------------------------------------


def _report_or_404(request: HttpRequest, pk: int) -> MonthlyReport:
    try:
        report = get_report_for_user(user=request.user, pk=pk, request=request)
    except NotFound:
        raise Http404() from None
    return MonthlyReport.objects.select_related("project__region", "period", "submitted_by", "approved_by").get(pk=report.pk)


def _comparison(report: MonthlyReport, previous: MonthlyReport | None) -> list[dict[str, Any]]:
    def money(label: str, field: str) -> dict[str, Any]:
        cur, prev = getattr(report, field), getattr(previous, field) if previous else None
        return {"label": label, "current": cur, "previous": prev, "change": None if prev is None else cur - prev, "kind": "money"}

    pct_cur = report.physical_progress_pct
    pct_prev = previous.physical_progress_pct if previous else None
    return [
        money(_("本月完成投资（万元）"), "invested_month"),
        money(_("1-N月累计完成投资（万元）"), "invested_ytd"),
        money(_("开工至今累计完成投资（万元）"), "invested_to_date"),
        {
            "label": _("形象进度（%）"),
            "current": pct_cur,
            "previous": pct_prev,
            "change": pct_cur - pct_prev if pct_cur is not None and pct_prev is not None else None,
            "kind": "number",
        },
        {
            "label": _("形象进度"),
            "current": report.physical_progress,
            "previous": previous.physical_progress if previous else None,
            "kind": "text",
        },
        {"label": _("存在问题"), "current": report.problems, "previous": previous.problems if previous else None, "kind": "text"},
    ]


def _report_context(
    request: HttpRequest,
    report: MonthlyReport,
    *,
    review_form: ReviewForm | None = None,
    revision_form: RevisionRequestForm | None = None,
    decide_forms: dict[int, RevisionDecideForm] | None = None,
) -> dict[str, Any]:
    user = request.user
    project, period = report.project, report.period
    previous = previous_counted_report(project=project, period=period)
    flags = list(report.flags.select_related("acknowledged_by"))
    unacked = [f for f in flags if f.severity == FlagSeverity.WARNING and f.acknowledged_at is None]
    reviewable = can_review(user, report)
    editable = Project.objects.editable_by(user).filter(pk=project.pk).exists() and not _is_read_only(user)
    revisions = list(report.revisions.select_related("requested_by", "decided_by"))
    pending = [r for r in revisions if r.status == RevisionStatus.PENDING]
    decide_forms = decide_forms or {}
    for rev in revisions:
        rev.can_decide = (  # type: ignore[attr-defined]
            rev.status == RevisionStatus.PENDING and editable and policy.can_review(user, rev.approval_level)
        )
        rev.form = decide_forms.get(rev.pk) or RevisionDecideForm()  # type: ignore[attr-defined]
        rev.changes = [  # type: ignore[attr-defined]
            {"field": change_label(k), "old": change_value(rev.old_values.get(k), k), "new": change_value(v, k)}
            for k, v in (rev.new_values or {}).items()
        ]
        rev.level_label = LEVEL_LABELS.get(rev.approval_level, rev.approval_level)  # type: ignore[attr-defined]
    frozen = is_frozen(project=project, period=period)
    py = ProjectYear.objects.filter(project=project, year=period.year).first()
    plan = py.annual_plan if py else None
    rate = metrics.completion_rate(report.invested_ytd, plan)
    points = metrics.ahead_points(rate, period.month)
    steps = list(report.steps.select_related("actor"))
    return {
        "report": report,
        "project": project,
        "period": period,
        "previous": previous,
        "comparison": _comparison(report, previous),
        "flags": flags,
        "unacked": unacked,
        "can_review": reviewable,
        "own_report": (  # four eyes: the reviewer of this level filled or submitted it
            not reviewable
            and report.status == ReportStatus.SUBMITTED
            and policy.can_review(user, report.pending_level)
            and policy.is_filler(user, report_fillers(report))
        ),
        "pending_label": LEVEL_LABELS.get(report.pending_level, report.pending_level),
        "chain": [LEVEL_LABELS.get(lvl, lvl) for lvl in report.review_levels or []],
        "frozen": frozen,
        "status_label": rules.report_status_label(report.status, frozen=frozen),
        "counted": rules.counts(report.status),
        "review_form": review_form or ReviewForm(initial={"version": report.version}),
        "steps": steps,
        "revisions": revisions,
        "can_request_revision": report.status == ReportStatus.APPROVED and editable and not pending,
        "revision_form": revision_form or RevisionRequestForm(report=report),
        "annual_plan": plan,
        "completion_pct": metrics.as_percent(rate),
        "time_progress_pct": metrics.as_percent(metrics.time_progress(period.month)),
        "schedule": metrics.schedule_phrase(points),
        "points": points,
    }


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request, pk)
    return render(request, "dispatch/review/report.html", _report_context(request, report))


def _queue_url(report: MonthlyReport) -> str:
    return f"{reverse('dispatch:review')}?period={report.period.label}"


@login_required
@require_POST
def report_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    report = _report_or_404(request, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        action, opinion = form.cleaned_data["action"], form.cleaned_data["opinion"]
        try:
            done = report_review(
                user=user, report=report, action=action, opinion=opinion, expected_version=form.cleaned_data["version"], request=request
            )
        except NotFound:
            raise Http404() from None
        except ValidationFailed as exc:
            # once: next to the field the form has (the opinion), else as one message; an error
            # about a field the form lacks (the acknowledgement) is the message itself
            inline = {k: v for k, v in (exc.extra.get("fields") or {}).items() if k in form.fields}
            for name, msgs in inline.items():
                for m in msgs:
                    form.add_error(name, warning_text.error_shown(m))
            if not inline:
                messages.error(request, _error_text(exc))
        except ConflictError:
            # the opinion stays and the form takes the saved version: once the reviewer has
            # checked the report as it now is, sending again goes through (it conflicted for ever)
            form.data = form.data.copy()
            form.data["version"] = str(MonthlyReport.objects.values_list("version", flat=True).get(pk=report.pk))
            messages.error(request, _("该月报已被他人处理或修改，请核对后重试"))
        except (PermissionDenied, ApplicationError) as exc:
            messages.error(request, warning_text.error_shown(exc.message))
        else:
            name = report.project.name
            if done.status == ReportStatus.RETURNED:
                messages.success(request, _("已退回“%(name)s”的月报") % {"name": name})
            elif done.status == ReportStatus.APPROVED:
                messages.success(request, _("已审定“%(name)s”的月报") % {"name": name})
            else:
                level = LEVEL_LABELS.get(done.pending_level, done.pending_level)
                messages.success(request, _("已审核通过“%(name)s”的月报，报%(level)s审定") % {"name": name, "level": level})
            return redirect(_queue_url(report))
    else:
        messages.error(request, _("请检查审核意见"))
    report.refresh_from_db()
    return render(request, "dispatch/review/report.html", _report_context(request, report, review_form=form))


@login_required
@require_POST
def report_acknowledge_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request, pk)
    try:
        reasons = {k.removeprefix("reason_"): v for k, v in request.POST.items() if k.startswith("reason_")}
        n = report_acknowledge(user=request.user, report=report, reasons=reasons, request=request)
    except (PermissionDenied, ApplicationError) as exc:
        messages.error(request, warning_text.error_shown(exc.message))
    else:
        messages.success(request, _("已确认 %(n)s 条校验提示") % {"n": n})
    return redirect("dispatch:report", pk=report.pk)


@login_required
@require_POST
def revision_request_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request, pk)
    form = RevisionRequestForm(request.POST, report=report)
    if form.is_valid():
        try:
            rev = revision_request(
                user=request.user, report=report, reason=form.cleaned_data["reason"], new_values=form.new_values(), request=request
            )
        except NotFound:
            raise Http404() from None
        except ValidationFailed as exc:
            _form_errors(form, exc)
            messages.error(request, _error_text(exc))
        except ApplicationError as exc:
            messages.error(request, warning_text.error_shown(exc.message))
        else:
            level = LEVEL_LABELS.get(rev.approval_level, rev.approval_level)
            messages.success(request, _("已提交更正申请，待%(level)s审定") % {"level": level})
            return redirect("dispatch:report", pk=report.pk)
    else:
        messages.error(request, _("更正申请有误，请检查标注的字段"))
    return render(request, "dispatch/review/report.html", _report_context(request, report, revision_form=form))


@login_required
@require_POST
def revision_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    revision = ReportRevision.objects.filter(pk=pk, report__in=MonthlyReport.objects.visible_to(user).values("pk")).first()
    if revision is None:
        raise Http404()
    report = _report_or_404(request, revision.report_id)
    form = RevisionDecideForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            revision_decide(user=user, revision=revision, approve=approve, opinion=form.cleaned_data["opinion"], request=request)
        except NotFound:
            raise Http404() from None
        except ValidationFailed as exc:
            _form_errors(form, exc)
            messages.error(request, _error_text(exc))
        except ApplicationError as exc:
            messages.error(request, warning_text.error_shown(exc.message))
        else:
            messages.success(request, _("已同意更正") if approve else _("已驳回更正"))
            return redirect("dispatch:report", pk=report.pk)
    else:
        messages.error(request, _("请检查审定意见"))
    report.refresh_from_db()
    return render(request, "dispatch/review/report.html", _report_context(request, report, decide_forms={revision.pk: form}))


# --- the project page's dispatch section -------------------------------------------------------


def project_dispatch_context(*, user: Any, project: Project) -> dict[str, Any]:
    """The project's own warnings (latest period first) and its monthly reports, in scope.

    Each month's 本月 and 1-N月累计 are the official figures (``selectors.official_amounts``), as
    on every other page: a draft or a returned report counts nowhere (ADR 0011), so its would-be
    figures are not shown as the project's; the row says it was not counted."""
    from keyprojects.analytics.models import ProjectPeriodFact

    reports = list(MonthlyReport.objects.visible_to(user).filter(project=project).select_related("period")[:36])
    facts = {
        f.period_id: f
        for f in ProjectPeriodFact.objects.visible_to(user).filter(project=project, period_id__in=[r.period_id for r in reports])
    }
    closed = closed_codes_by_period(r.period_id for r in reports)
    for r in reports:
        official = official_amounts(r, facts.get(r.period_id))
        r.counted = rules.counts(r.status)  # type: ignore[attr-defined]
        r.status_label = report_status_label(r, project=project, period=r.period, closed=closed.get(r.period_id, set()))  # type: ignore[attr-defined]
        r.official_month, r.official_ytd = official["invested_month"], official["invested_ytd"]  # type: ignore[attr-defined]
    return {
        "dispatch_warnings": list(warnings_for(user=user).filter(project=project)[:50]),
        "dispatch_reports": reports,
    }


urlpatterns = [
    path("review/", review_queue, name="review"),
    path("review/export.xlsx", review_queue_export, name="review_export"),
    path("reports/<int:pk>/", report_detail, name="report"),
    path("reports/<int:pk>/review/", report_review_view, name="report_review"),
    path("reports/<int:pk>/acknowledge/", report_acknowledge_view, name="report_acknowledge"),
    path("reports/<int:pk>/revise/", revision_request_view, name="revision_request"),
    path("revisions/<int:pk>/decide/", revision_decide_view, name="revision_decide"),
]
