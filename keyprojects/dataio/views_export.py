"""Downloads of the exchange spreadsheets: the 调度表 of a region and month, and the fill-in
template of the projects a user reports for. Parse → build (scope checked there; anything
outside it answers 404) → one audit event per export → the file."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from keyprojects.audit.services import audit_record
from keyprojects.core.errors import NotFound
from keyprojects.core.xlsx import xlsx_response

from .exports import (
    dispatch_table,
    dispatch_table_filename,
    fill_template,
    resolve_period,
    resolve_region,
    template_filename,
    template_region,
)


def default_period_label() -> str:
    """Last month: the month being reported now."""
    today = timezone.localdate()
    year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    return f"{year:04d}-{month:02d}"


@login_required
@require_GET
def dispatch_table_download(request: HttpRequest) -> HttpResponse:
    """``?region=CODE&period=YYYY-MM`` (region defaults to the user's, period to last month)."""
    user = request.user
    label = request.GET.get("period") or default_period_label()
    try:
        region = resolve_region(user, request.GET.get("region") or None)
        period = resolve_period(label)
        content = dispatch_table(user=user, region=region, period=period)
    except NotFound:
        raise Http404() from None
    audit_record(
        action="export",
        user=user,
        request=request,
        object_type="analytics.projectperiodfact",
        changes={"kind": "dispatch_table", "period": period.label, "region": region.code, "format": "xlsx"},
        message=f"导出{region.name}{period}调度表",
    )
    return xlsx_response(content, dispatch_table_filename(region, period))


@login_required
@require_GET
def template_download(request: HttpRequest) -> HttpResponse:
    """``?period=YYYY-MM[&region=CODE]``: the user's county, or a county chosen by a city user."""
    user = request.user
    if getattr(user, "is_read_only", False):
        raise Http404()
    label = request.GET.get("period") or default_period_label()
    try:
        region = template_region(user, request.GET.get("region") or None)
        period = resolve_period(label, create=True)
        content = fill_template(user=user, period=period, region=region)
    except NotFound:
        raise Http404() from None
    audit_record(
        action="export",
        user=user,
        request=request,
        object_type="dispatch.monthlyreport",
        changes={"kind": "fill_template", "period": period.label, "region": region.code if region else "", "format": "xlsx"},
        message=f"下载{period}月调度填报模板",
    )
    return xlsx_response(content, template_filename(period, region))


urlpatterns = [
    path("dispatch-table.xlsx", dispatch_table_download, name="dispatch_table"),
    path("template.xlsx", template_download, name="template"),
]
