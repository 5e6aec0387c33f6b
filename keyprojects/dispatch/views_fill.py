"""月调度 filling pages: my tasks of a period and the fill form of one project (the bulk grid is
``views_grid``).

Each view reads top to bottom: parse → selector/service → render. Scope comes only from
``visible_to`` / ``editable_by`` / ``get_project_for_user``; anything outside it answers 404.
Writes go through the services (report_save, report_submit, report_photo_add, problem_create);
their errors come back to the user in Chinese with what the user typed kept in the form.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import Exists, OuterRef, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, re_path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyprojects.accounts import policy
from keyprojects.analytics import metrics
from keyprojects.core.errors import ApplicationError, ConflictError, NotFound, ValidationFailed, shown
from keyprojects.core.forms import errors_text
from keyprojects.core.templatetags.kp import pct
from keyprojects.projects.models import Project, ProjectYear
from keyprojects.projects.selectors import get_project_for_user

from . import rules
from .forms import PhotoForm, ProblemForm, ReportForm
from .models import MonthlyReport, ProblemItem, ReportingPeriod
from .selectors import (
    DONE,
    closed_region_codes,
    due_projects,
    is_frozen_in,
    open_problems,
    period_for_reading,
    photo_for_user,
    previous_counted_report,
    report_status_label,
    reports_for_review,
    reports_of_period,
    stage_at_end,
    task_counts,
)
from .services import (
    AlreadySubmitted,
    NotEditable,
    PeriodClosed,
    _derive,
    period_get_or_open,
    report_checks,
    report_photo_add,
    report_photo_delete,
    report_save,
    report_submit,
)
from .services_problems import problem_create
from .warning_text import check_shown

PERIOD_RE = r"\d{4}-(?:0[1-9]|1[0-2])"
P = rf"^(?P<period>{PERIOD_RE})"
LIST_SIZE = 20
GRID_SIZE = 50
CONFLICT_MESSAGE = "已被他人修改，请核对后重新保存"


# --- helpers -------------------------------------------------------------------------------


def default_period_label() -> str:
    """Last month: the month being reported now."""
    today = timezone.localdate()
    year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    return f"{year:04d}-{month:02d}"


def _period_or_404(label: str) -> ReportingPeriod:
    """The period of a ``YYYY-MM`` label, for reading: the opened one, or (a month that may be
    opened, up to the current one) an unsaved one the first save opens; 404 for anything else.
    A page view never opens a month."""
    if not re.fullmatch(PERIOD_RE, label or ""):
        raise Http404()
    period = period_for_reading(year=int(label[:4]), month=int(label[5:]))
    if period is None:
        raise Http404()
    return period


def _opened(period: ReportingPeriod) -> ReportingPeriod:
    """``period`` opened, for a write (a save, a submit)."""
    if period.pk is not None:
        return period
    try:
        return period_get_or_open(year=period.year, month=period.month)
    except ValidationFailed:
        raise Http404() from None


def _project_or_404(request: HttpRequest, pk: Any) -> Project:
    try:
        return get_project_for_user(user=request.user, pk=pk, request=request)
    except NotFound:
        raise Http404() from None


def may_fill(user: Any) -> bool:
    """Leaders, auditors and administrators read; everybody else fills what is in scope."""
    return policy.can_fill(user)


def fillable(user: Any) -> QuerySet[Project]:
    return Project.objects.editable_by(user) if may_fill(user) else Project.objects.none()


def _can_fill(user: Any, project: Project) -> bool:
    return may_fill(user) and fillable(user).filter(pk=project.pk).exists()


def _page(request: HttpRequest, qs: Any, param: str, size: int, count: int | None = None) -> Page:
    """Page ``param`` of ``qs``; ``count``: its number of rows when already counted (no second count)."""
    paginator = Paginator(qs, size)
    if count is not None:
        paginator.count = count  # a cached_property: set, it is not computed again
    page = paginator.get_page(request.GET.get(param))
    for attr, number in (("prev_url", page.previous_page_number), ("next_url", page.next_page_number)):
        try:
            q = request.GET.copy()
            q[param] = str(number())
            setattr(page, attr, f"{request.path}?{q.urlencode()}")
        except InvalidPage:  # no such neighbour
            setattr(page, attr, "")
    return page


def _to_decimal(text: Any) -> Decimal | None:
    try:
        d = Decimal(str(text).replace(",", "").replace("，", "").strip() or "0")
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() and d >= 0 else None


def _first_message(exc: ApplicationError) -> str:
    fields = exc.extra.get("fields") or {}
    details = [m for msgs in fields.values() for m in msgs]
    if details:
        return pgettext("errors on one line", "；").join(shown(m) for m in details)
    return exc.shown


def _annual_plan(project: Project, year: int) -> Decimal | None:
    return ProjectYear.objects.filter(project=project, year=year).values_list("annual_plan", flat=True).first()


# --- my tasks ------------------------------------------------------------------------------


@login_required
@require_GET
def tasks(request: HttpRequest) -> HttpResponse:
    user = request.user
    label = request.GET.get("period") or default_period_label()
    if not re.fullmatch(PERIOD_RE, label):
        label = default_period_label()
    period = _period_or_404(label)
    today = timezone.localdate()

    due = due_projects(period=period, user=user)
    mine = fillable(user)
    counts = task_counts(period=period, due=due, fillable=mine)
    # per project (NOT EXISTS on the report's (project, period) key), not NOT IN over the
    # month's every report: the page's first rows are found without reading the whole month
    done = Exists(reports_of_period(period).filter(project=OuterRef("pk"), status__in=DONE))
    to_fill = (due & mine).exclude(done).select_related("region").order_by("region_id", "name")
    fill_page = _page(request, to_fill, "fill_page", LIST_SIZE, count=counts["n_to_fill"])
    drafts = {r.project_id: r for r in reports_of_period(period).filter(project__in=[p.pk for p in fill_page])}
    overdue = today > period.fill_end
    closed = closed_region_codes(period)
    fill_rows = [
        {
            "project": p,
            "report": drafts.get(p.pk),
            "overdue": overdue,
            "status_label": report_status_label(drafts.get(p.pk), project=p, period=period, closed=closed),
        }
        for p in fill_page
    ]

    review_qs = reports_for_review(user=user, period=period).order_by("submitted_at", "pk")
    review_page = _page(request, review_qs, "review_page", LIST_SIZE)
    n_review_all = reports_for_review(user=user).count()
    problems = open_problems(user=user).order_by("due_date", "-id")
    problem_page = _page(request, problems, "problem_page", LIST_SIZE)
    # a unit sees the problems it must solve, not always their project: no link to a 404
    linkable = set(Project.objects.visible_to(user).filter(pk__in=[p.project_id for p in problem_page]).values_list("pk", flat=True))
    for item in problem_page:
        item.project_linkable = item.project_id in linkable

    periods = list(ReportingPeriod.objects.order_by("-year", "-month").values_list("year", "month")[:36])
    labels = sorted({f"{y:04d}-{m:02d}" for y, m in periods} | {label, default_period_label()}, reverse=True)
    from keyprojects.analytics.services_assessment import period_closed_for

    # the month as the user's region has it: a city closes its own month before the province
    region = policy.scope_region(user)
    closed_here = region is not None and period.pk is not None and period_closed_for(period=period, region=region, closed_codes=closed)
    context = {
        "period": period,
        "period_label": period.label,
        "period_state": _("已关账") if closed_here else period.status_label,
        "closed_here": closed_here or period.is_closed,
        "period_choices": labels,
        "today": today,
        "overdue": overdue,
        "may_fill": may_fill(user),
        "may_review": policy.can_review(user),  # an enterprise contact or a department never reviews
        **counts,
        "fill_page": fill_page,
        "fill_rows": fill_rows,
        "review_page": review_page,
        "n_review": review_page.paginator.count,
        "n_review_all": n_review_all,
        "problem_page": problem_page,
        "n_problems": problem_page.paginator.count,
    }
    return render(request, "dispatch/fill/tasks.html", context)


# --- the fill form of one project ----------------------------------------------------------


def _report_of(project: Project, period: ReportingPeriod) -> MonthlyReport | None:
    return reports_of_period(period).filter(project=project).select_related("submitted_by", "approved_by").first()


def _typed_reasons(data: Any) -> dict[str, str]:
    """The filler's reasons per check warning typed in the form (``reason_<code>`` inputs)."""
    return {k.removeprefix("reason_"): str(v) for k, v in data.items() if k.startswith("reason_")}


def _derived(
    project: Project,
    period: ReportingPeriod,
    amount: Decimal | None,
    *,
    pct: Decimal | None = None,
    no_activity: bool = False,
    reasons: dict[str, str] | None = None,
    checked: bool = True,
    report: MonthlyReport | None = None,
) -> dict[str, Any]:
    """The figures the service will store for ``amount`` (computed by the service's own rule)
    and the submission checks they would meet (``services.report_checks``, the rules' one
    definition): shown while typing, before submitting; each warning with its reason input.
    ``report``: the saved report of the month, if any. The figures are what the report would
    state once submitted: while it is not counted (none yet, a draft, a returned report) they
    count nowhere (``counted`` False: the page says 未计入). A project that takes no part in the
    month's dispatch (``rules.in_dispatch``: not due to report, no report) is not placed against
    序时进度, as the warnings, the dashboard and the project list do not place it."""
    if amount is None:
        return {"valid": False}
    probe = MonthlyReport(project=project, period=period, invested_month=amount, physical_progress_pct=pct, no_activity=no_activity)
    _derive(probe)
    plan = _annual_plan(project, period.year)
    rate = metrics.completion_rate(probe.invested_ytd, plan)
    compared = rules.in_dispatch(due=rules.due_to_report(stage_at_end(project, period)), reported=report is not None)
    checks = report_checks(probe) if checked else []
    reasons = reasons or {}
    return {
        "valid": True,
        "counted": report is not None and rules.counts(report.status),
        "ytd": probe.invested_ytd,
        "to_date": probe.invested_to_date,
        "plan": plan,
        "rate_pct": metrics.as_percent(rate),
        "schedule": metrics.schedule_phrase(metrics.ahead_points(rate, period.month), compared=compared),
        "errors": [check_shown(m) for _c, sev, m in checks if sev == "error"],
        "warnings": [{"code": c, "message": check_shown(m), "reason": reasons.get(c, "")} for c, sev, m in checks if sev == "warning"],
    }


def _derived_for(project: Project, period: ReportingPeriod, data: Any, report: MonthlyReport | None) -> dict[str, Any]:
    """:func:`_derived` for what the form holds (typed, else saved)."""
    saved = (report.warning_reasons or {}) if report is not None else {}
    pct_text = str(data.get("physical_progress_pct", "") or "").strip().rstrip("%")
    pct = _to_decimal(pct_text) if pct_text else None
    return _derived(
        project,
        period,
        _to_decimal(data.get("invested_month", "")),
        pct=pct if pct is not None and pct <= 100 else None,
        no_activity=bool(data.get("no_activity")),
        reasons={**saved, **_typed_reasons(data)},
        report=report,
    )


def _conflict_notes(form: ReportForm, fresh: MonthlyReport | None) -> list[dict[str, str]]:
    """Fields where the saved report now differs from what the user typed."""
    if fresh is None:
        return []
    saved = ReportForm.initial_for(fresh)
    notes = []
    for name, f in form.fields.items():
        if name == "version":
            continue
        typed = form.data.get(name, "")
        if name == "no_activity":
            typed, was = bool(typed), bool(saved.get(name))
        else:
            was = "" if saved.get(name) is None else str(saved.get(name))
        if str(typed).strip() != str(was).strip():
            shown = (_("是") if was else _("否")) if name == "no_activity" else (was or "—")
            notes.append({"label": str(f.label), "saved": shown})
    return notes


def _render_fill(
    request: HttpRequest,
    project: Project,
    period: ReportingPeriod,
    report: MonthlyReport | None,
    *,
    form: ReportForm | None = None,
    problem_form: ProblemForm | None = None,
    checks: list[dict[str, Any]] | None = None,
    conflict: list[dict[str, str]] | None = None,
) -> HttpResponse:
    user = request.user
    can_fill = _can_fill(user, project)
    frozen = is_frozen_in(period, project, closed_region_codes(period))
    editable = can_fill and not frozen and (report is None or report.is_editable)
    if form is None and editable:
        form = ReportForm(initial=ReportForm.initial_for(report))
    if form is not None and form.is_bound:
        derived = _derived_for(project, period, form.data, report)
    elif form is not None and report is not None:
        derived = _derived_for(project, period, form.initial, report)
    else:
        derived = _derived(project, period, report.invested_month if report is not None else Decimal("0"), checked=False, report=report)
    if problem_form is None and can_fill:
        problem_form = ProblemForm(user=user, initial={"description": report.problems if report else ""})
    prev = previous_counted_report(project=project, period=period)
    hints: dict[str, str] = {}
    if prev is not None:
        last = _("上期：")
        if prev.physical_progress:
            hints["physical_progress"] = last + (prev.physical_progress[:60] + ("…" if len(prev.physical_progress) > 60 else ""))
        if prev.physical_progress_pct is not None:
            hints["physical_progress_pct"] = f"{last}{pct(prev.physical_progress_pct)}%"
        if prev.workers is not None:
            hints["workers"] = f"{last}{prev.workers}"
    steps = [{"step": s, "level": s.level_label} for s in (report.steps.select_related("actor") if report else [])]
    context = {
        "project": project,
        "period": period,
        "report": report,
        "form": form,
        "editable": editable,
        "can_fill": can_fill,
        "frozen": frozen,
        "checks": checks or [],
        "conflict": conflict,
        "derived": derived,
        "prev": prev,
        "prev_pct": pct(prev.physical_progress_pct) if prev else "",
        "hints": hints,
        "steps": steps,
        "flags": list(report.flags.all()) if report else [],
        "photos": list(report.photos.all()) if report else [],
        "photo_form": PhotoForm() if (editable and report is not None) else None,
        "problem_form": problem_form,
        "problem_items": list(
            ProblemItem.objects.visible_to(user).filter(project=project).select_related("responsible_unit").order_by("status", "due_date")
        ),
        "status_label": rules.report_status_label(report.status if report else None, frozen=frozen),
        "counted": report is not None and rules.counts(report.status),
        "today": timezone.localdate(),
    }
    return render(request, "dispatch/fill/fill.html", context)


def _submit_message(report: MonthlyReport) -> str:
    if not report.is_late:
        return _("已提交，等待审核")
    # the brackets in the page's language: "Submitted, awaiting review (Late report)"
    return _("已提交，等待审核") + pgettext("punctuation", "（") + _("迟报") + pgettext("punctuation", "）")


@login_required
@require_http_methods(["GET", "POST"])
def fill(request: HttpRequest, period: str, project_pk: str) -> HttpResponse:
    user = request.user
    per = _period_or_404(period)
    project = _project_or_404(request, project_pk)
    report = _report_of(project, per)
    if request.method == "GET":
        return _render_fill(request, project, per, report)

    if not _can_fill(user, project):
        raise DjangoPermissionDenied(_("您没有填报该项目月报的权限"))
    per = _opened(per)
    form = ReportForm(request.POST)
    action = request.POST.get("action", "save")
    checks: list[dict[str, Any]] = []
    conflict = None
    if form.is_valid():
        expected = form.cleaned_data.get("version") or 0
        saved: MonthlyReport | None = None
        try:
            if action == "submit" and report is not None and report.status in DONE:
                raise AlreadySubmitted()
            data = form.service_data()
            reasons = _typed_reasons(request.POST)
            if reasons:  # the reasons shown beside the warnings: kept with the draft
                data["warning_reasons"] = reasons
            saved = report_save(user=user, project=project, period=per, data=data, expected_version=expected, request=request)
            if action == "submit":
                saved = report_submit(user=user, report=saved, expected_version=saved.version, request=request)
        except NotFound:
            raise Http404() from None
        except ValidationFailed as exc:
            fields = exc.extra.get("fields") or {}
            checks = [{**c, "message": check_shown(c["message"])} for c in exc.extra.get("checks") or []]
            form.add_service_errors(fields)
            lead = _("数据校验未通过，请按下列提示核对") if checks else exc.shown
            if saved is not None:
                messages.warning(request, _("已保存为草稿，但未能提交：") + lead)
            elif not checks and not fields:
                form.add_error(None, exc.shown)
            elif not checks:
                messages.error(request, exc.shown)
        except ConflictError:
            fresh = _report_of(project, per)
            conflict = _conflict_notes(form, fresh)
            if saved is None and fresh is not None:
                # the next save is checked against the version the user has now seen
                form.data = form.data.copy()
                form.data["version"] = str(fresh.version)
            messages.error(request, _(CONFLICT_MESSAGE))
        except (AlreadySubmitted, NotEditable, PeriodClosed) as exc:
            messages.error(request, exc.shown)
        else:
            assert saved is not None
            messages.success(request, _submit_message(saved) if action == "submit" else _("已保存草稿"))
            return redirect("dispatch:fill", period=per.label, project_pk=project.pk)
        if saved is not None:
            form.data = form.data.copy()
            form.data["version"] = str(saved.version)
        report = _report_of(project, per)
    else:  # the form's own checks (a negative 在岗工人数): the same alert as the service's
        messages.error(request, ValidationFailed().shown)
    return _render_fill(request, project, per, report, form=form, checks=checks, conflict=conflict)


@login_required
@require_GET
def fill_preview(request: HttpRequest, period: str, project_pk: str) -> HttpResponse:
    """The derived cumulative figures for a typed amount (htmx); a plain visit goes to the form."""
    per = _period_or_404(period)
    project = _project_or_404(request, project_pk)
    if not getattr(request, "htmx", False):
        return redirect("dispatch:fill", period=per.label, project_pk=project.pk)
    derived = _derived_for(project, per, request.GET, _report_of(project, per))
    response = render(request, "dispatch/fill/fill.html#derived", {"derived": derived, "period": per})
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def photo_add(request: HttpRequest, period: str, project_pk: str) -> HttpResponse:
    user = request.user
    per = _period_or_404(period)
    project = _project_or_404(request, project_pk)
    if not _can_fill(user, project):
        raise DjangoPermissionDenied(_("您没有填报该项目月报的权限"))
    back = reverse("dispatch:fill", kwargs={"period": per.label, "project_pk": project.pk}) + "#photos"
    report = _report_of(project, per)
    form = PhotoForm(request.POST, request.FILES)
    if report is None:
        messages.error(request, _("请先保存草稿，再上传现场照片"))
    elif not form.is_valid():
        messages.error(request, errors_text(form))
    else:
        try:
            report_photo_add(
                user=user, report=report, file=form.cleaned_data["image"], caption=form.cleaned_data["caption"], request=request
            )
        except NotFound:
            raise Http404() from None
        except ApplicationError as exc:
            messages.error(request, _("照片未上传：") + _first_message(exc))
        else:
            messages.success(request, _("照片已上传"))
    return redirect(back)


@login_required
@require_POST
def photo_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a photo from a report that can still be edited; back to its fill page."""
    photo = photo_for_user(user=request.user, pk=pk)
    if photo is None:
        raise Http404()
    report = photo.report
    back = reverse("dispatch:fill", kwargs={"period": report.period.label, "project_pk": report.project_id}) + "#photos"
    try:
        report_photo_delete(user=request.user, photo=photo, request=request)
    except NotFound:
        raise Http404() from None
    except ApplicationError as exc:
        messages.error(request, _("照片未删除：") + _first_message(exc))
    else:
        messages.success(request, _("照片已删除"))
    return redirect(back)


@login_required
@require_GET
def photo_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A stored photo, only for users who can see its project."""
    photo = photo_for_user(user=request.user, pk=pk)
    if photo is None:
        raise Http404()
    response = FileResponse(photo.image.open("rb"), content_type=photo.content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def problem_add(request: HttpRequest, period: str, project_pk: str) -> HttpResponse:
    """转为问题事项: a tracked problem with a responsible unit and a due date."""
    user = request.user
    per = _period_or_404(period)
    project = _project_or_404(request, project_pk)
    if not _can_fill(user, project):
        raise DjangoPermissionDenied(_("您没有为该项目登记问题的权限"))
    report = _report_of(project, per)
    form = ProblemForm(request.POST, user=user)
    if form.is_valid():
        cd = form.cleaned_data
        try:
            problem_create(
                user=user,
                project=project,
                description=cd["description"],
                responsible_unit=cd["responsible_unit"],
                due_date=cd["due_date"],
                report=report,
                request=request,
            )
        except NotFound:
            raise Http404() from None
        except ValidationFailed as exc:
            form.add_service_errors(exc.extra.get("fields") or {"__all__": [exc.message]})
        else:
            messages.success(request, _("已转为问题事项，将跟踪至解决"))
            return redirect(reverse("dispatch:fill", kwargs={"period": per.label, "project_pk": project.pk}) + "#problems")
    return _render_fill(request, project, per, report, problem_form=form)


# --- the bulk grid -------------------------------------------------------------------------


urlpatterns = [
    path("", tasks, name="tasks"),
    path("photos/<int:pk>/", photo_view, name="photo"),
    path("photos/<int:pk>/delete/", photo_delete, name="photo_delete"),
    re_path(rf"{P}/projects/(?P<project_pk>[0-9]+)/$", fill, name="fill"),
    re_path(rf"{P}/projects/(?P<project_pk>[0-9]+)/preview/$", fill_preview, name="fill_preview"),
    re_path(rf"{P}/projects/(?P<project_pk>[0-9]+)/photos/$", photo_add, name="photo_add"),
    re_path(rf"{P}/projects/(?P<project_pk>[0-9]+)/problems/$", problem_add, name="problem_add"),
]
