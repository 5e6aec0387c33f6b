"""The exports page and its downloads: the 调度表 of a region and month, the fill-in template of
the projects a user reports for, and the OC4IDS open-data package. Parse → build (scope checked
there; anything outside it answers 404) → one audit event per export → the file."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from keyprojects.accounts import policy
from keyprojects.audit.services import audit_record
from keyprojects.core.errors import NotFound
from keyprojects.core.xlsx import xlsx_response
from keyprojects.dispatch.models import ReportingPeriod
from keyprojects.regions.models import Region

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


def _regions_below(user: Any) -> QuerySet[Region]:
    """The user's region and the regions one and two levels below it (for the choice lists)."""
    home = policy.work_region(user)
    if home is None:
        return Region.objects.none()
    if home.level == "province":
        return Region.objects.filter(Q(code=home.code) | Q(parent_id=home.code)).order_by("code")
    if home.level == "city":
        return Region.objects.filter(Q(code=home.code) | Q(city_code=home.code)).order_by("code")
    return Region.objects.filter(code=home.code)


@login_required
@require_GET
def exports_page(request: HttpRequest) -> HttpResponse:
    """What can be downloaded here, with the region and month to choose."""
    user = request.user
    from keyprojects.analytics.services_assessment import periods_closed_for

    regions = list(_regions_below(user))
    home = regions[0] if regions else None
    periods = list(ReportingPeriod.objects.order_by("-year", "-month")[:36])
    # closed as the user's region has it (a city closes its own month before the province):
    # marked so in the table's list, and no fill template for it
    closed = periods_closed_for(periods, home or policy.scope_region(user))
    context = {
        "periods": periods,
        "closed": closed,
        "default_period": default_period_label(),
        "regions": regions,
        "home": home,
        "can_table": bool(regions),
        "can_fill": not policy.is_read_only(user),
        "template_regions": [r for r in regions if r.level != "province"] if home and home.level != "county" else [],
    }
    return render(request, "dataio/exports.html", context)


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
    if policy.is_read_only(user):
        raise Http404()
    label = request.GET.get("period") or default_period_label()
    try:
        region = template_region(user, request.GET.get("region") or None)
        period = resolve_period(label, unopened=True)
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
    path("exports/", exports_page, name="exports"),
    path("dispatch-table.xlsx", dispatch_table_download, name="dispatch_table"),
    path("template.xlsx", template_download, name="template"),
]
