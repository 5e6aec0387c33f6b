"""四张清单 pages: the list of needs with its export, recording a project's need and working one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from keyprojects.accounts import policy
from keyprojects.core.errors import ApplicationError, ConflictError, PermissionDenied, ValidationFailed, shown
from keyprojects.core.xlsx import xlsx_response
from keyprojects.projects.models import Project
from keyprojects.regions.models import Region

from .choices import OPEN_NEED_STATUSES
from .exports import export_factor_lists
from .forms import NeedFilter, NeedForm
from .models import FactorNeed, FactorNeedQuerySet
from .services_needs import factor_need_create, factor_need_update, need_writable_fields
from .views import _get, _guard


def needs_visible(user: Any) -> FactorNeedQuerySet:
    return FactorNeed.objects.visible_to(user).select_related("project", "project__region", "owner_unit")


def _filtered(request: HttpRequest) -> tuple[NeedFilter, FactorNeedQuerySet]:
    f = NeedFilter(request.GET or None)
    qs = needs_visible(request.user).order_by("project__name", "kind", "id")
    if f.is_valid():
        if q := f.cleaned_data["q"].strip():
            qs = qs.filter(Q(project__name__icontains=q) | Q(project__project_code__icontains=q) | Q(owner_unit__name__icontains=q))
        if f.cleaned_data["kind"]:
            qs = qs.filter(kind=f.cleaned_data["kind"])
        status = f.cleaned_data["status"]
        if status == "open":
            qs = qs.filter(status__in=OPEN_NEED_STATUSES)
        elif status == "overdue":
            qs = qs.overdue()
        elif status:
            qs = qs.filter(status=status)
        region = Region.objects.filter(code=f.cleaned_data["region"]).first() if f.cleaned_data["region"] else None
        if region is not None:
            qs = qs.filter(policy.region_rows_q(region, "project__"))
    return f, qs


@login_required
@require_GET
def need_list(request: HttpRequest) -> HttpResponse:
    _guard(request)
    f, qs = _filtered(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {"form": f, "page": page, "count": qs.count(), "overdue": qs.overdue().count()}
    return render(request, "approvals/needs.html", context)


@login_required
@require_GET
def need_export(request: HttpRequest) -> HttpResponse:
    _guard(request)
    _f, qs = _filtered(request)
    content, _counts = export_factor_lists(qs)
    return xlsx_response(content, f"四张清单-{timezone.localdate():%Y%m%d}.xlsx")


def _apply_errors(form: NeedForm, exc: ValidationFailed) -> None:
    for name, errs in exc.extra.get("fields", {}).items():
        for e in errs:
            form.add_error(name if name in form.fields else None, shown(e))


@login_required
@require_http_methods(["GET", "POST"])
def need_create(request: HttpRequest, pk: int) -> HttpResponse:
    _guard(request)
    project: Project = _get(Project, request, pk)
    if not policy.can_record_needs(request.user, project):
        raise DjangoPermissionDenied
    writable = need_writable_fields(request.user)
    form = NeedForm(writable=writable)
    if request.method == "POST":
        form = NeedForm(request.POST, writable=writable)
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in writable if k in form.cleaned_data}
            try:
                factor_need_create(user=request.user, project=project, data=data, request=request)
            except ValidationFailed as exc:
                _apply_errors(form, exc)
            except PermissionDenied as exc:
                messages.error(request, exc.shown)
            else:
                messages.success(request, _("已保存"))
                return redirect("approvals:project", pk=project.pk)
    return render(request, "approvals/need_form.html", {"project": project, "form": form, "need": None})


@login_required
@require_http_methods(["GET", "POST"])
def need_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _guard(request)
    need: FactorNeed = _get(FactorNeed, request, pk)
    if not policy.can_work_need(request.user, need):
        raise DjangoPermissionDenied
    writable = need_writable_fields(request.user, need)
    form = NeedForm(instance=need, initial={"version": need.version}, writable=writable)
    if request.method == "POST":
        form = NeedForm(request.POST, instance=need, writable=writable)
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in writable if k in form.cleaned_data}
            try:
                factor_need_update(
                    user=request.user, need=need, expected_version=form.cleaned_data["version"] or 0, data=data, request=request
                )
            except ValidationFailed as exc:
                _apply_errors(form, exc)
            except (ConflictError, PermissionDenied) as exc:
                messages.error(request, exc.shown)
            else:
                messages.success(request, _("已保存"))
                return redirect("approvals:project", pk=need.project_id)
    return render(request, "approvals/need_form.html", {"project": need.project, "form": form, "need": need})


def project_needs(user: Any, project: Project) -> list[FactorNeed]:
    return list(needs_visible(user).filter(project=project).order_by("kind", "id"))


def open_needs(user: Any, project: Project) -> list[FactorNeed]:
    return list(needs_visible(user).filter(project=project, status__in=OPEN_NEED_STATUSES).order_by("due_on", "id"))


@login_required
@require_http_methods(["GET", "POST"])
def need_import(request: HttpRequest) -> HttpResponse:
    """Upload a 四张清单 workbook (the export's shape): check it (试运行) or import it, all or nothing."""
    from .forms import ImportForm
    from .imports import factor_lists_import

    _guard(request)
    if not policy.can_record_needs(request.user):
        raise DjangoPermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = factor_lists_import(
                user=request.user, source=upload, filename=upload.name, dry_run=form.cleaned_data["dry_run"], request=request
            )
        except ApplicationError as exc:
            form.add_error("file", exc.shown)
        else:
            if not result.errors and not result.dry_run:
                messages.success(
                    request,
                    _("已导入：新增 %(created)s 项，更新 %(updated)s 项，无变化 %(unchanged)s 项")
                    % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
                )
                return redirect("approvals:needs")
    return render(request, "approvals/need_import.html", {"form": form, "result": result})
