"""一企一策 pages: the list of enterprise profiles (search, pagination, export) and one page per
enterprise; region staff name the 包联 official and record 帮扶措施 and 政策兑现 there."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyprojects.accounts import policy
from keyprojects.core.forms import submit
from keyprojects.core.paging import paged
from keyprojects.core.scope import get_or_404
from keyprojects.core.xlsx import Column, build_xlsx, xlsx_response
from keyprojects.enterprises.models import Enterprise
from keyprojects.projects.templatetags.project_tags import query_without

from .forms import GrantForm, LiaisonForm, MeasureForm
from .models import AssistanceMeasure
from .selectors_profile import profile, profiles
from .services_profile import liaison_set, measure_create, measure_update, policy_grant_create
from .views import PAGE_SIZE, guard

PROFILE_COLUMNS = [
    Column("序号", "int", 6),
    Column("企业名称", "text", 36),
    Column("统一社会信用代码", "text", 22),
    Column("所在区划", "text", 12),
    Column("包联干部", "text", 16),
    Column("合作协议数", "int", 10),
    Column("帮扶措施数", "int", 10),
    Column("政策兑现数", "int", 10),
]


@login_required
@require_GET
def profile_list(request: HttpRequest) -> HttpResponse:
    guard(request)
    q = request.GET.get("q", "").strip()[:100]
    qs = profiles(request.user, q=q)
    if request.GET.get("format") == "xlsx":
        rows = [
            [i, e.name, e.uscc, e.region.name, _liaison_name(e), e.n_agreements, e.n_measures, e.n_grants]
            for i, e in enumerate(qs, start=1)
        ]
        content, _n = build_xlsx(title="一企一策企业名单", columns=PROFILE_COLUMNS, rows=rows, sheet="一企一策")
        return xlsx_response(content, f"一企一策-{timezone.localdate():%Y%m%d}.xlsx")
    context = {
        "q": q,
        **paged(request, qs, PAGE_SIZE),
        "export_url": "?" + query_without(request.GET, "page", format="xlsx"),
    }
    return render(request, "partnership/profiles.html", context)


def _liaison_name(e: Enterprise) -> str:
    liaison = getattr(e, "liaison", None)
    if liaison is None:
        return ""
    return str(liaison.official.get_full_name() or liaison.official.username)


def _forms(request: HttpRequest, enterprise: Enterprise, **bound: Any) -> dict[str, Any]:
    user = request.user
    if not policy.can_keep_enterprise_profile(user, enterprise):
        return {"can_keep": False}
    liaison = getattr(enterprise, "liaison", None) if hasattr(enterprise, "liaison") else None
    initial = {}
    if liaison is not None:
        initial = {
            "version": liaison.version,
            "official": liaison.official_id,
            "title": liaison.title,
            "phone": liaison.phone,
            "since": liaison.since,
        }
    return {
        "can_keep": True,
        "liaison_form": bound.get("liaison_form") or LiaisonForm(initial=initial, user=user, prefix="l"),
        "measure_form": bound.get("measure_form") or MeasureForm(user=user, prefix="m", initial={"taken_on": timezone.localdate()}),
        "grant_form": bound.get("grant_form") or GrantForm(user=user, prefix="g", initial={"granted_on": timezone.localdate()}),
    }


def _page(request: HttpRequest, enterprise: Enterprise, status: int = 200, **bound: Any) -> HttpResponse:
    context = {**profile(request.user, enterprise), **_forms(request, enterprise, **bound)}
    return render(request, "partnership/profile.html", context, status=status)


@login_required
@require_GET
def profile_detail(request: HttpRequest, pk: int) -> HttpResponse:
    guard(request)
    enterprise: Enterprise = get_or_404(Enterprise, request, pk)
    return _page(request, enterprise)


def _keeper(request: HttpRequest, pk: int) -> Enterprise:
    guard(request)
    enterprise: Enterprise = get_or_404(Enterprise, request, pk)
    if not policy.can_keep_enterprise_profile(request.user, enterprise):
        raise DjangoPermissionDenied
    return enterprise


def _back(enterprise: Enterprise, anchor: str) -> HttpResponse:
    return redirect(reverse("partnership:profile", kwargs={"pk": enterprise.pk}) + anchor)


@login_required
@require_POST
def liaison_edit(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _keeper(request, pk)
    form = LiaisonForm(request.POST, user=request.user, prefix="l")
    if form.is_valid():
        d = dict(form.cleaned_data)
        version = d.pop("version")
        if submit(form, lambda: liaison_set(actor=request.user, enterprise=enterprise, data=d, expected_version=version, request=request)):
            messages.success(request, _("包联干部已保存"))
            return _back(enterprise, "#liaison")
    return _page(request, enterprise, status=400, liaison_form=form)


@login_required
@require_POST
def measure_add(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _keeper(request, pk)
    form = MeasureForm(request.POST, user=request.user, prefix="m")
    if form.is_valid() and submit(
        form, lambda: measure_create(actor=request.user, enterprise=enterprise, data=form.cleaned_data, request=request)
    ):
        messages.success(request, _("帮扶措施已登记"))
        return _back(enterprise, "#measures")
    return _page(request, enterprise, status=400, measure_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def measure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    guard(request)
    m: AssistanceMeasure = get_or_404(AssistanceMeasure, request, pk)
    enterprise = _keeper(request, m.enterprise_id)
    initial = {"measure": m.measure, "unit": m.unit_id, "by_whom": m.by_whom, "taken_on": m.taken_on, "result": m.result}
    form = MeasureForm(request.POST or None, initial=initial, user=request.user, editing=True)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        if submit(form, lambda: measure_update(actor=request.user, measure=m, expected_version=version, data=data, request=request)):
            messages.success(request, _("已保存"))
            return _back(enterprise, "#measures")
    return render(request, "partnership/measure_form.html", {"form": form, "measure": m, "enterprise": enterprise})


@login_required
@require_POST
def grant_add(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _keeper(request, pk)
    form = GrantForm(request.POST, user=request.user, prefix="g")
    if form.is_valid() and submit(
        form, lambda: policy_grant_create(actor=request.user, enterprise=enterprise, data=form.cleaned_data, request=request)
    ):
        messages.success(request, _("政策兑现已登记"))
        return _back(enterprise, "#grants")
    return _page(request, enterprise, status=400, grant_form=form)
