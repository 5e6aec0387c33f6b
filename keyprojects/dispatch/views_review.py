"""Review pages of 月调度: the review queue and a report beside last month's; the period board
(who has and has not reported) with summary refresh and month close; warnings; problem items.

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
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, re_path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyprojects.accounts import policy
from keyprojects.analytics import metrics
from keyprojects.analytics.models import RegionPeriodSummary
from keyprojects.analytics.services import facts_refresh, region_metrics, summaries_refresh
from keyprojects.audit.services import audit_record
from keyprojects.core.errors import ApplicationError, ConflictError, NotFound, PermissionDenied, ValidationFailed
from keyprojects.core.scope import get_for_user
from keyprojects.core.xlsx import Column, build_xlsx, xlsx_response
from keyprojects.projects.models import Project, ProjectYear
from keyprojects.regions.models import Region

from .choices import FlagSeverity, PeriodStatus, ProblemStatus, ReportStatus, RevisionStatus, WarningKind
from .forms_review import (
    LEVEL_LABELS,
    PeriodSelectForm,
    ProblemFilterForm,
    ProblemStatusForm,
    ReviewForm,
    RevisionDecideForm,
    RevisionRequestForm,
    WarningFilterForm,
    is_overdue,
    period_from_label,
)
from .models import MonthlyReport, PeriodClosure, ProblemItem, ProjectWarning, ReportFlag, ReportingPeriod, ReportRevision
from .selectors import (
    due_projects,
    get_report_for_user,
    latest_period,
    missing_reports,
    open_problems,
    previous_reports,
    reports_for_review,
    warnings_for,
)
from .services import (
    can_review,
    is_frozen,
    period_close,
    problem_set_status,
    report_acknowledge,
    report_review,
    revision_decide,
    revision_request,
    user_review_level,
    warnings_refresh,
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
    fields = exc.extra.get("fields") or {}
    details = [m for msgs in fields.values() for m in msgs if m != exc.message]
    return "：".join([exc.message, *details[:2]])


def _form_errors(form: Any, exc: ValidationFailed) -> None:
    for name, msgs in (exc.extra.get("fields") or {}).items():
        for m in msgs:
            form.add_error(name if name in form.fields else None, m)


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


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    params = set_params(request)
    form = PeriodSelectForm(params or None)
    period = form.selected
    qs = reports_for_review(user=user, period=period).order_by("-period__year", "-period__month", "project__region_id", "project__name")
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
    }
    return _render(request, "dispatch/review/queue.html", context, "queue")


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
    previous = previous_reports(project=project, period=period).select_related("period").first()
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
            {"field": _field_label(k), "old": _shown(rev.old_values.get(k)), "new": _shown(v)} for k, v in (rev.new_values or {}).items()
        ]
        rev.level_label = LEVEL_LABELS.get(rev.approval_level, rev.approval_level)  # type: ignore[attr-defined]
    py = ProjectYear.objects.filter(project=project, year=period.year).first()
    plan = py.annual_plan if py else None
    rate = metrics.completion_rate(report.invested_ytd, plan)
    points = metrics.ahead_points(rate, period.month)
    steps = list(report.steps.select_related("actor"))
    for s in steps:
        s.level_label = LEVEL_LABELS.get(s.level, s.level)  # type: ignore[attr-defined]
    return {
        "report": report,
        "project": project,
        "period": period,
        "previous": previous,
        "comparison": _comparison(report, previous),
        "flags": flags,
        "unacked": unacked,
        "can_review": reviewable,
        "pending_label": LEVEL_LABELS.get(report.pending_level, report.pending_level),
        "chain": [LEVEL_LABELS.get(lvl, lvl) for lvl in report.review_levels or []],
        "frozen": is_frozen(project=project, period=period),
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


def _shown(value: Any) -> str:
    """A stored correction value for the page: a cleared value (null) as —, yes/no in words."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    return str(value)


def _field_label(name: str) -> str:
    try:
        return str(MonthlyReport._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - a key that is no longer a field is shown as stored
        return name


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
            _form_errors(form, exc)
            messages.error(request, _error_text(exc))
        except ConflictError:
            messages.error(request, _("该月报已被他人处理或修改，请核对后重试"))
        except (PermissionDenied, ApplicationError) as exc:
            messages.error(request, exc.message)
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
        n = report_acknowledge(user=request.user, report=report, request=request)
    except (PermissionDenied, ApplicationError) as exc:
        messages.error(request, exc.message)
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
            messages.error(request, exc.message)
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
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已同意更正") if approve else _("已驳回更正"))
            return redirect("dispatch:report", pk=report.pk)
    else:
        messages.error(request, _("请检查审定意见"))
    report.refresh_from_db()
    return render(request, "dispatch/review/report.html", _report_context(request, report, decide_forms={revision.pk: form}))


# --- period board ----------------------------------------------------------------------------


def _board_home(user: Any) -> Region:
    if not policy.can_see_board(user):
        raise Http404()
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


def _metrics_row(summary: RegionPeriodSummary | None, month: int) -> dict[str, Any]:
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
        rows.append(make(own_key, str(own_label), None))
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
    context = {
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
        "past_deadline": timezone.localdate() > period_obj.fill_end or period_obj.is_closed,
        "frozen": frozen,
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
        n_facts = facts_refresh(period=period_obj, projects=projects)
        n_warnings = warnings_refresh(period=period_obj, projects=projects)
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


@login_required
@require_POST
def board_close(request: HttpRequest, period: str) -> HttpResponse:
    user = request.user
    period_obj = _period_or_404(period)
    _board_home(user)
    if not _can_close(user):
        raise DjangoPermissionDenied(_("只有市级或省级工作人员可以关账"))
    try:
        closure = period_close(user=user, period=period_obj, request=request)
    except (PermissionDenied, ApplicationError) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(region)s %(period)s已关账，数据已冻结") % {"region": closure.region.name, "period": period_obj})
    return redirect(_board_url(period_obj, request.POST.get("region") or None))


MISSING_COLUMNS = [
    Column("序号", width=6),
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

    def rows() -> Any:
        for i, p in enumerate(qs.iterator(chunk_size=2000), start=1):
            state = label + ("，有草稿" if p.pk in drafts else "")
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


# --- warnings --------------------------------------------------------------------------------


def _warnings(user: Any, values: dict[str, Any]) -> QuerySet[ProjectWarning]:
    period = period_from_label(values["period"]) if values.get("period") else None
    qs = warnings_for(user=user, period=period)
    if values.get("kind"):
        qs = qs.filter(kind=values["kind"])
    if values.get("region"):
        qs = qs.filter(Q(project__region_id=values["region"]) | Q(project__city_code=values["region"]))
    return qs


@login_required
@require_GET
def warnings_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    params = set_params(request)
    form = WarningFilterForm(params or None, user=user)
    qs = _warnings(user, form.values())
    page = Paginator(qs, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    nopage = _without(params, "page")
    by_kind = dict(qs.order_by().values("kind").annotate(n=Count("id")).values_list("kind", "n"))
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


WARNING_COLUMNS = [
    Column("序号", width=6),
    Column("调度期", width=10),
    Column("项目名称", width=36),
    Column("项目代码", width=26),
    Column("所属区域", width=12),
    Column("预警类型", width=14),
    Column("说明", width=40),
    Column("数值", "money", 12),
]


@login_required
@require_GET
def warnings_export(request: HttpRequest) -> HttpResponse:
    user = request.user
    params = set_params(request)
    form = WarningFilterForm(params or None, user=user)
    values = form.values()
    kinds = dict(WarningKind.choices)

    def rows() -> Any:
        for i, w in enumerate(_warnings(user, values).iterator(chunk_size=2000), start=1):
            yield [
                i,
                str(w.period),
                w.project.name,
                w.project.project_code or "",
                w.project.region.name,
                str(kinds.get(w.kind, w.kind)),
                w.message,
                w.value,
            ]

    now = timezone.localtime()
    content, n = build_xlsx(title=f"项目预警清单（导出时间 {now:%Y-%m-%d %H:%M}）", columns=WARNING_COLUMNS, rows=rows(), sheet="预警")
    audit_record(
        action="export",
        user=user,
        request=request,
        object_type="dispatch.projectwarning",
        changes={"filters": values, "rows": n, "format": "xlsx"},
        message=f"导出预警清单 {n} 行",
    )
    return xlsx_response(content, f"预警清单-{now:%Y%m%d-%H%M}.xlsx")


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


def _problems_context(request: HttpRequest, params: QueryDict, bound: tuple[int, ProblemStatusForm] | None = None) -> dict[str, Any]:
    user = request.user
    form = ProblemFilterForm(params or None)
    qs = _problems(user, form.values())
    page = Paginator(qs, LIST_PAGE_SIZE).get_page(params.get("page"))
    items = list(page.object_list)
    editable = set(ProblemItem.objects.editable_by(user).filter(pk__in=[p.pk for p in items]).values_list("pk", flat=True))
    today = timezone.localdate()
    back = params.urlencode()
    for p in items:
        p.overdue = is_overdue(p.due_date, p.status, today)  # type: ignore[attr-defined]
        p.can_edit = p.pk in editable and not _is_read_only(user)  # type: ignore[attr-defined]
        if bound and bound[0] == p.pk:
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
            messages.error(request, _("该问题已被他人修改，请核对后重新保存"))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            label = dict(ProblemStatus.choices)[form.cleaned_data["status"]]
            messages.success(request, _("已更新问题状态：%(s)s") % {"s": label})
            query = back.urlencode()
            return redirect(reverse("dispatch:problems") + (f"?{query}" if query else ""))
    else:
        messages.error(request, _("请检查标注的字段"))
    return render(request, "dispatch/review/problems.html", _problems_context(request, back, bound=(problem.pk, form)))


PROBLEM_COLUMNS = [
    Column("序号", width=6),
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


# --- the project page's dispatch section -------------------------------------------------------


def project_dispatch_context(*, user: Any, project: Project) -> dict[str, Any]:
    """The project's own warnings (latest period first) and its monthly reports, in scope."""
    reports = list(MonthlyReport.objects.visible_to(user).filter(project=project).select_related("period")[:36])
    return {
        "dispatch_warnings": list(warnings_for(user=user).filter(project=project)[:50]),
        "dispatch_reports": reports,
    }


PERIOD = r"(?P<period>\d{4}-\d{2})"
urlpatterns = [
    path("review/", review_queue, name="review"),
    path("reports/<int:pk>/", report_detail, name="report"),
    path("reports/<int:pk>/review/", report_review_view, name="report_review"),
    path("reports/<int:pk>/acknowledge/", report_acknowledge_view, name="report_acknowledge"),
    path("reports/<int:pk>/revise/", revision_request_view, name="revision_request"),
    path("revisions/<int:pk>/decide/", revision_decide_view, name="revision_decide"),
    path("board/", board_latest, name="board_latest"),
    re_path(rf"^{PERIOD}/board/$", board, name="board"),
    re_path(rf"^{PERIOD}/board/refresh/$", board_refresh, name="board_refresh"),
    re_path(rf"^{PERIOD}/board/close/$", board_close, name="board_close"),
    re_path(rf"^{PERIOD}/board/missing\.xlsx$", missing_export, name="missing_export"),
    path("warnings/", warnings_view, name="warnings"),
    path("warnings/export.xlsx", warnings_export, name="warnings_export"),
    path("problems/", problems_view, name="problems"),
    path("problems/export.xlsx", problems_export, name="problems_export"),
    path("problems/<int:pk>/status/", problem_status_view, name="problem_status"),
]
