"""分月计划批量填报 page (/projects/plans/?year=[&region=]): download the sheet of the user's
scope, upload it filled, read the preview (row errors, the projects that would change), confirm.
The service is ``dispatch.services_plans_bulk``; the page works without JavaScript. Whoever sets
the curves (``policy.can_plan_months``) downloads and uploads; a leader downloads to read
(``policy.can_export_plan_months``); anybody else gets 403. A city or the province narrows the
page, the sheet and the upload to one region below it (``region=<code>``, one of
``policy.regions_below``); a code outside the scope is a 404 saying so (the page) or a plain 404
(the sheet, the upload), the same for a code that names nothing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyprojects.accounts import policy
from keyprojects.audit.services import audit_record
from keyprojects.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed, shown
from keyprojects.core.money import format_month
from keyprojects.core.xlsx import xlsx_response
from keyprojects.dispatch.selectors_plans import MONTHS
from keyprojects.dispatch.services_plans_bulk import (
    BulkRefused,
    Preview,
    RowError,
    place_name,
    plan_region,
    plan_sheet,
    plans_confirm,
    plans_preview,
    region_choices,
    sheet_filename,
    sheet_projects,
)
from keyprojects.regions.models import Region

from .views_plans import MAX_YEAR, MIN_YEAR

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class PlanUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("填好的分月计划表"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx,.xls,.ods"}),
    )

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件不能超过%(n)sMB") % {"n": MAX_UPLOAD_BYTES // 1024 // 1024})
        return f


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return min(max(year, MIN_YEAR), MAX_YEAR)


def _require(request: HttpRequest, *, write: bool) -> None:
    allowed = policy.can_plan_months(request.user) if write else policy.can_export_plan_months(request.user)
    if not allowed:
        raise DjangoPermissionDenied(_("您的角色不能批量填报分月计划"))


def _errors(errors: list[RowError]) -> list[dict[str, Any]]:
    return [
        {"row": e.row, "project": e.project, "column": shown(e.column) if e.column else "", "message": shown(e.message)} for e in errors
    ]


def _region(request: HttpRequest) -> Region | None:
    """The region chosen (``region=<code>`` of the query, or of the upload form), None for the
    whole scope; outside the scope (or naming nothing) Http404."""
    code = request.GET.get("region") or request.POST.get("region") or None
    try:
        return plan_region(user=request.user, code=code)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _query(year: int, region: Region | None) -> str:
    return f"?year={year}" + (f"&region={region.code}" if region is not None else "")


def _choices(user: Any) -> list[dict[str, Any]]:
    """The region choice list: a county under a city indented (a province lists its cities, each
    followed by its counties)."""
    return [{"code": r.code, "name": r.name, "indent": r.level == "county" and r.parent_id is not None} for r in region_choices(user)]


def _page(request: HttpRequest, year: int, region: Region | None = None, status: int = 200, **extra: Any) -> HttpResponse:
    user = request.user
    this_year = timezone.localdate().year
    context = {
        "year": year,
        "years": [y for y in (this_year - 1, this_year, this_year + 1) if MIN_YEAR <= y <= MAX_YEAR],
        "place": place_name(user, region),
        "region": region,
        "regions": _choices(user),
        "query": _query(year, region),
        "n_projects": sheet_projects(user=user, year=year, region=region).count(),
        "can_upload": policy.can_plan_months(user),
        "form": PlanUploadForm() if policy.can_plan_months(user) else None,
        "months": [format_month(m) for m in MONTHS],
        **extra,
    }
    return render(request, "projects/monthly_plans_bulk.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def plans_bulk_view(request: HttpRequest) -> HttpResponse:
    """The page; a POST uploads the filled sheet and shows its preview."""
    year = _year(request)
    if request.method == "GET":
        _require(request, write=False)
        try:
            region = plan_region(user=request.user, code=request.GET.get("region") or None)
        except NotFound as exc:  # said on the page, with the choice list to pick another
            return _page(request, year, status=404, region_error=exc.shown)
        return _page(request, year, region)
    _require(request, write=True)
    region = _region(request)
    form = PlanUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, year, region, form=form)
    upload = form.cleaned_data["file"]
    try:
        preview: Preview = plans_preview(user=request.user, year=year, source=upload.read(), filename=upload.name, region=region)
    except PermissionDenied:
        raise DjangoPermissionDenied() from None
    except ApplicationError as exc:  # the file refused by the reader (unsafe, unreadable)
        form.add_error("file", exc.shown)
        return _page(request, year, region, form=form)
    return _page(request, year, region, form=form, preview=preview, errors=_errors(preview.errors), filename=upload.name)


@login_required
@require_POST
def plans_bulk_confirm(request: HttpRequest) -> HttpResponse:
    """确认: the preview's token applied all or nothing."""
    _require(request, write=True)
    year = _year(request)
    region = _region(request)  # where the page goes back to; the token's own region bounds the write
    try:
        applied = plans_confirm(user=request.user, token=request.POST.get("token", ""), request=request)
    except PermissionDenied:
        raise DjangoPermissionDenied() from None
    except BulkRefused as exc:
        said = exc.shown if exc.stale else _("有项目现在不符合分月计划的规则，未导入任何数据")
        return _page(request, year, region, refused=said, errors=_errors(exc.errors))
    except ValidationFailed as exc:
        messages.error(request, exc.shown)
        return redirect(reverse("projects:monthly_plans_bulk") + _query(year, region))
    messages.success(request, _("已导入%(n)s个项目的分月计划") % {"n": applied.changed})
    return redirect(reverse("projects:monthly_plans_bulk") + _query(applied.year, region))


@login_required
@require_GET
def plans_bulk_export(request: HttpRequest, year: int) -> HttpResponse:
    """The sheet to fill (a leader's to read); the export is an audit event."""
    _require(request, write=False)
    year = min(max(year, MIN_YEAR), MAX_YEAR)
    region = _region(request)
    content, n = plan_sheet(user=request.user, year=year, region=region)
    changes: dict[str, Any] = {"kind": "monthly_plans_bulk", "year": year, "rows": n, "format": "xlsx"}
    if region is not None:
        changes["region"] = region.code
    audit_record(
        action="export",
        user=request.user,
        request=request,
        object_type="dispatch.monthlyplan",
        changes=changes,
        message=f"下载{year}年分月计划批量填报表（{place_name(request.user, region)}）",
    )
    return xlsx_response(content, sheet_filename(year, request.user, region))
