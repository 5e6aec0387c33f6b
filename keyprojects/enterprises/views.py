"""Enterprise pages: list (search, pagination, export), detail with visible projects, create/edit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods

from keyprojects.accounts import policy
from keyprojects.audit.services import audit_record
from keyprojects.core.errors import ConflictError, NotFound, PermissionDenied, ValidationFailed
from keyprojects.core.xlsx import Column, build_xlsx, in_chinese, xlsx_response
from keyprojects.projects.industries import division_name, section_name
from keyprojects.projects.templatetags.project_tags import query_without

from .forms import EnterpriseForm, enterprise_form_class
from .models import Enterprise
from .selectors import enterprise_list, enterprise_projects, get_enterprise_for_user
from .services import enterprise_create, enterprise_update

PAGE_SIZE = 25
CONFLICT_MESSAGE = gettext_noop("已被他人修改，请核对后重新保存")


def _can_create(user: Any) -> bool:
    return policy.can_create_enterprise(user)


def _enterprise_or_404(request: HttpRequest, pk: Any, *, for_edit: bool = False) -> Enterprise:
    try:
        return get_enterprise_for_user(user=request.user, pk=pk, for_edit=for_edit, request=request)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _apply_errors(form: EnterpriseForm, exc: ValidationFailed) -> None:
    fields = exc.extra.get("fields") or {}
    if fields:
        form.add_service_errors(fields)
    else:
        form.add_error(None, exc.shown)


@login_required
@require_GET
def enterprise_list_view(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    qs = enterprise_list(user=request.user, q=q)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    nopage = query_without(request.GET, "page")
    context = {
        "q": q,
        "page_obj": page,
        "enterprises": page.object_list,
        "querystring_nopage": nopage,
        "export_url": f"{reverse('enterprises:export')}?{nopage}" if nopage else reverse("enterprises:export"),
        "can_create": _can_create(request.user),
    }
    return render(request, "enterprises/list.html", context)


COLUMNS = [  # the Chinese 企业名录's headers in any UI language (core.xlsx)
    Column(gettext_noop("序号"), "int", 6),
    Column(gettext_noop("企业名称"), width=36),
    Column(gettext_noop("统一社会信用代码"), width=22),
    Column(gettext_noop("所在区划"), width=12),
    Column(gettext_noop("行业门类"), width=24),
    Column(gettext_noop("行业大类"), width=24),
    Column(gettext_noop("地址"), width=30),
    Column(gettext_noop("法定代表人"), width=12),
    Column(gettext_noop("可见项目数"), "int", 10),
]


@in_chinese
def enterprises_workbook(qs: Any) -> tuple[bytes, int]:
    """The 企业名录 as a Chinese workbook (its industries too), in any UI language."""
    rows = (
        [
            i,
            e.name,
            e.uscc,
            e.region.name,
            section_name(e.industry_section),
            division_name(e.industry_division),
            e.address,
            e.legal_representative,
            e.n_projects,
        ]
        for i, e in enumerate(qs.iterator(chunk_size=2000), start=1)
    )
    title = f"企业名录（导出时间 {timezone.localtime():%Y-%m-%d %H:%M}）"
    return build_xlsx(title=title, columns=COLUMNS, rows=rows, sheet="企业")


@login_required
@require_GET
def enterprise_export(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    content, n = enterprises_workbook(enterprise_list(user=request.user, q=q))
    audit_record(
        action="export",
        user=request.user,
        request=request,
        object_type="enterprises.enterprise",
        changes={"filters": {"q": q} if q else {}, "rows": n, "format": "xlsx"},
        message=f"导出企业名录 {n} 行",
    )
    return xlsx_response(content, f"企业名录-{timezone.localtime():%Y%m%d-%H%M}.xlsx")


@login_required
@require_GET
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ent = _enterprise_or_404(request, pk)
    can_edit = bool(enterprise_form_class(request.user, creating=False)._meta.fields) and (
        Enterprise.objects.editable_by(request.user).filter(pk=ent.pk).exists()
    )
    context = {
        "enterprise": ent,
        "projects": enterprise_projects(user=request.user, enterprise=ent),
        "contacts": ent.contacts.all(),
        "can_edit": can_edit,
        "industry_division_label": division_name(ent.industry_division),
    }
    return render(request, "enterprises/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_create_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not _can_create(user):
        raise DjangoPermissionDenied("没有登记企业的权限")
    form_class = enterprise_form_class(user, creating=True)
    if request.method == "POST":
        form = form_class(request.POST, user=user)
        if form.is_valid():
            try:
                ent = enterprise_create(user=user, data=form.service_data(), request=request)
            except ValidationFailed as exc:
                _apply_errors(form, exc)
            except PermissionDenied as exc:
                raise DjangoPermissionDenied(exc.message) from None
            else:
                messages.success(request, _("已登记企业“%(name)s”") % {"name": ent.name})
                return redirect("enterprises:detail", pk=ent.pk)
    else:
        form = form_class(user=user)
    return render(request, "enterprises/form.html", {"form": form, "enterprise": None})


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    ent = _enterprise_or_404(request, pk, for_edit=True)
    form_class = enterprise_form_class(user, creating=False)
    if not form_class._meta.fields:
        raise Http404()
    conflict = False
    if request.method == "POST":
        form = form_class(request.POST, instance=ent, user=user)
        if form.is_valid():
            expected = form.cleaned_data.get("version")
            try:
                enterprise_update(
                    user=user,
                    enterprise=ent,
                    expected_version=-1 if expected is None else expected,
                    data=form.service_data(),
                    request=request,
                )
            except ValidationFailed as exc:
                _apply_errors(form, exc)
            except ConflictError:
                conflict = True
                form.data = form.data.copy()
                form.data["version"] = str(Enterprise.objects.values_list("version", flat=True).get(pk=ent.pk))
                messages.error(request, _(CONFLICT_MESSAGE))
            except NotFound:
                raise Http404() from None
            else:
                messages.success(request, _("已保存"))
                return redirect("enterprises:detail", pk=ent.pk)
    else:
        form = form_class(instance=ent, user=user)
    return render(request, "enterprises/form.html", {"form": form, "enterprise": ent, "conflict": conflict})
