"""审批事项 pages: the list, a project's approval steps, recording one item, and the departments'
红黄码 board with the ranking and the before/after comparison (issue 14)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from keyprojects.accounts import policy
from keyprojects.audit.services import audit_record
from keyprojects.core.errors import ConflictError, NotFound, PermissionDenied, ValidationFailed, shown
from keyprojects.core.scope import get_for_user
from keyprojects.core.xlsx import xlsx_response
from keyprojects.projects.models import Project

from .choices import ApprovalStatus
from .exports import export_approvals
from .forms import ApprovalFilter, ApprovalForm, CompareForm, ItemsForm
from .models import ProjectApproval
from .selectors import approvals_visible, catalogue, compare_periods, department_board, with_timing
from .services import approval_items_set, approval_update, writable_fields


def _guard(request: HttpRequest) -> None:
    if not policy.can_see_approvals(request.user):
        raise DjangoPermissionDenied


def _get(model: Any, request: HttpRequest, pk: Any) -> Any:
    try:
        return get_for_user(model, user=request.user, pk=pk, request=request)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _filtered(request: HttpRequest) -> tuple[ApprovalFilter, list[ProjectApproval]]:
    """The list's filter and its rows (with ``.timing``): the page and its export share it."""
    f = ApprovalFilter(request.GET or None)
    qs = approvals_visible(request.user).exclude(status=ApprovalStatus.NOT_NEEDED).order_by("project__name", "item__order")
    code = ""
    if f.is_valid():
        if f.cleaned_data["status"]:
            qs = qs.filter(status=f.cleaned_data["status"])
        if f.cleaned_data["item"]:
            qs = qs.filter(item=f.cleaned_data["item"])
        if q := f.cleaned_data["q"].strip():
            named = Q(item__name__icontains=q) | Q(item__name_en__icontains=q)
            qs = qs.filter(Q(project__name__icontains=q) | Q(project__project_code__icontains=q) | named)
        code = f.cleaned_data["code"]
    rows = with_timing(qs)
    if code:
        rows = [a for a in rows if a.timing.code == code]  # type: ignore[attr-defined]
    return f, rows


@login_required
@require_GET
def approval_list(request: HttpRequest) -> HttpResponse:
    _guard(request)
    f, rows = _filtered(request)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    export_url = reverse("approvals:export") + (f"?{query.urlencode()}" if query else "")
    return render(request, "approvals/list.html", {"form": f, "page": page, "count": len(rows), "export_url": export_url})


@login_required
@require_GET
def approval_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as an xlsx (the same rows as the page, all of them)."""
    _guard(request)
    _f, rows = _filtered(request)
    content, n = export_approvals(rows)
    filters = {k: v for k, v in request.GET.items() if k != "page" and v}
    audit_record(
        action="export",
        user=request.user,
        request=request,
        object_type="approvals.projectapproval",
        changes={"filters": filters, "rows": n, "format": "xlsx"},
        message=f"导出审批事项 {n} 行",
    )
    return xlsx_response(content, f"审批事项-{timezone.localdate():%Y%m%d}.xlsx")


def project_for_approvals(request: HttpRequest, pk: Any) -> tuple[Project, bool]:
    """The project of an approval page and whether the user sees the project itself: a department
    that handles one of its items or owns one of its needs sees the page, not the project."""
    if Project.objects.visible_to(request.user).filter(pk=pk).exists():
        return _get(Project, request, pk), True
    from .models import FactorNeed

    user = request.user
    if (
        ProjectApproval.objects.visible_to(user).filter(project_id=pk).exists()
        or FactorNeed.objects.visible_to(user).filter(project_id=pk).exists()
    ):
        return Project.objects.get(pk=pk), False
    return _get(Project, request, pk), True  # 404 (audited)


@login_required
@require_http_methods(["GET", "POST"])
def project_approvals(request: HttpRequest, pk: int) -> HttpResponse:
    _guard(request)
    project, project_visible = project_for_approvals(request, pk)
    can_record = policy.can_record_approvals(request.user, project)
    current = ProjectApproval.objects.filter(project=project).exclude(status=ApprovalStatus.NOT_NEEDED)
    items_form = ItemsForm(initial={"items": list(current.values_list("item_id", flat=True))})
    if request.method == "POST":
        if not can_record:
            raise DjangoPermissionDenied
        items_form = ItemsForm(request.POST)
        if items_form.is_valid():
            try:
                approval_items_set(
                    user=request.user, project=project, item_ids=[i.pk for i in items_form.cleaned_data["items"]], request=request
                )
            except (ValidationFailed, PermissionDenied) as exc:
                messages.error(request, exc.shown)
            else:
                messages.success(request, _("已保存适用的审批事项"))
                return redirect("approvals:project", pk=project.pk)
    rows = with_timing(
        approvals_visible(request.user).filter(project=project).order_by("item__order", "item_id"),
    )
    for a in rows:
        a.can_work = policy.can_work_approval(request.user, a)  # type: ignore[attr-defined]
    from .views_needs import project_needs

    needs = project_needs(request.user, project)
    for n in needs:
        n.can_work = policy.can_work_need(request.user, n)  # type: ignore[attr-defined]
    context = {
        "project": project,
        "project_visible": project_visible,
        "rows": rows,
        "items_form": items_form,
        "can_record": can_record,
        "catalogue": catalogue(),
        "needs": needs,
        "can_record_needs": policy.can_record_needs(request.user, project),
        "topics": project_topics(request.user, project),
    }
    return render(request, "approvals/project.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def approval_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _guard(request)
    approval: ProjectApproval = _get(ProjectApproval, request, pk)
    if not policy.can_work_approval(request.user, approval):
        raise DjangoPermissionDenied
    writable = writable_fields(request.user, approval)
    form = ApprovalForm(instance=approval, initial={"version": approval.version}, writable=writable)
    if request.method == "POST":
        form = ApprovalForm(request.POST, instance=approval, writable=writable)
        if form.is_valid():
            data = {f: form.cleaned_data[f] for f in writable if f in form.cleaned_data}
            try:
                approval_update(
                    user=request.user, approval=approval, expected_version=form.cleaned_data["version"], data=data, request=request
                )
            except ValidationFailed as exc:
                for name, errs in exc.extra.get("fields", {}).items():
                    for e in errs:
                        form.add_error(name if name in form.fields else None, shown(e))
            except (ConflictError, PermissionDenied) as exc:
                messages.error(request, exc.shown)
            else:
                messages.success(request, _("已保存"))
                return redirect("approvals:project", pk=approval.project_id)
    return render(request, "approvals/edit.html", {"approval": approval, "form": form})


@login_required
@require_GET
def department_view(request: HttpRequest) -> HttpResponse:
    if not policy.can_see_department_board(request.user):
        raise DjangoPermissionDenied
    today = timezone.localdate()
    compare_form = CompareForm(request.GET or None)
    comparison = None
    if request.GET and compare_form.is_valid():
        d = compare_form.cleaned_data
        comparison = compare_periods(
            request.user, item=d["item"], before=(d["before_start"], d["before_end"]), after=(d["after_start"], d["after_end"])
        )
    return render(
        request,
        "approvals/departments.html",
        {"rows": department_board(request.user, today=today), "today": today, "compare_form": compare_form, "comparison": comparison},
    )


def project_topics(user: Any, project: Project) -> list[Any]:
    """The 会商 topics about ``project`` in meetings the user sees, oldest first (the history)."""
    from .models import Consultation, ConsultationTopic

    visible = Consultation.objects.visible_to(user).values("pk")
    return list(
        ConsultationTopic.objects.filter(project=project, consultation__in=visible)
        .select_related("consultation", "need", "owner_unit")
        .order_by("consultation__held_on", "id")
    )


def project_waiting(user: Any, project: Project) -> list[ProjectApproval]:
    """For the project page: the open items (办理中 / 未申报) with who owns them."""
    qs = approvals_visible(user).filter(project=project, status__in=[ApprovalStatus.IN_PROGRESS, ApprovalStatus.NOT_APPLIED])
    return with_timing(qs.order_by("item__order"))
