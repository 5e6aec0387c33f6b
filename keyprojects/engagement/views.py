"""企业诉求 pages (issue 15): the list with search and export, raising a request (a phone-sized
form for enterprise contacts), one request with its history and the steps the user may take,
and the departments' figures with their export."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyprojects.accounts import policy
from keyprojects.core.errors import ApplicationError, ConflictError, NotFound, ValidationFailed
from keyprojects.core.forms import apply_errors, errors_text
from keyprojects.core.scope import get_or_404
from keyprojects.core.uploads import document_response
from keyprojects.core.xlsx import xlsx_response
from keyprojects.enterprises.models import Enterprise
from keyprojects.projects.models import Project
from keyprojects.regions.models import Unit

from . import services as s
from .choices import OPEN_STATUSES, AttachmentStage, ExtensionStatus, RequestStatus, Source
from .exports import export_departments, export_requests
from .forms import (
    DecisionForm,
    DeclineForm,
    ExtensionForm,
    MetricsForm,
    NoteForm,
    RateForm,
    ReplyForm,
    RequestFilter,
    RequestForm,
    RerouteForm,
    RouteForm,
    StaffRequestForm,
)
from .models import EnterpriseRequest, ExtensionRequest, Meeting
from .selectors import department_figures, requests_visible, with_timing


def _guard(request: HttpRequest) -> None:
    if not policy.can_see_requests(request.user):
        raise DjangoPermissionDenied


def _filtered(request: HttpRequest) -> tuple[RequestFilter, list[EnterpriseRequest]]:
    f = RequestFilter(request.GET or None)
    qs = requests_visible(request.user).prefetch_related("assignments__unit")
    overdue = False
    if f.is_valid():
        d = f.cleaned_data
        q = (d["q"] or "").strip()
        if q:
            cond = Q(title__icontains=q) | Q(enterprise__name__icontains=q) | Q(description__icontains=q)
            number = q.upper().removeprefix("SQ")
            if number.isdigit() and len(number) < 12:
                cond |= Q(pk=int(number))
            qs = qs.filter(cond)
        if d["status"]:
            qs = qs.filter(status=d["status"])
        if d["category"]:
            qs = qs.filter(category=d["category"])
        if d["source"]:
            qs = qs.filter(source=d["source"])
        overdue = d["overdue"]
    rows = with_timing(qs)
    if overdue:
        rows = [r for r in rows if r.timing.overdue]  # type: ignore[attr-defined]
    return f, rows


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    _guard(request)
    f, rows = _filtered(request)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "engagement/list.html",
        {"form": f, "page": page, "count": len(rows), "can_raise": policy.can_raise_request(request.user)},
    )


@login_required
@require_GET
def request_export(request: HttpRequest) -> HttpResponse:
    _guard(request)
    _f, rows = _filtered(request)
    return xlsx_response(export_requests(rows), f"企业诉求-{timezone.localdate():%Y%m%d}.xlsx")


def _request_form(request: HttpRequest, data: Any = None, files: Any = None) -> RequestForm:
    user = request.user
    if policy.is_raising_for_own_enterprise(user):
        projects = Project.objects.visible_to(user).filter(owner_id=user.enterprise_id)  # type: ignore[attr-defined]
        return RequestForm(data, files, projects=projects)
    initial = {}
    if request.GET.get("meeting", "").isdigit():
        initial = {"meeting": int(request.GET["meeting"]), "source": Source.MEETING}
    if request.GET.get("enterprise", "").isdigit():
        initial["enterprise"] = int(request.GET["enterprise"])
    return StaffRequestForm(
        data,
        files,
        initial=initial,
        enterprises=Enterprise.objects.visible_to(user),
        meetings=Meeting.objects.visible_to(user),
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    _guard(request)
    user = request.user
    if not policy.can_raise_request(user):
        raise DjangoPermissionDenied
    form = _request_form(request, request.POST if request.method == "POST" else None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = {k: d.get(k) for k in ("category", "title", "description", "project", "contact_name", "contact_phone", "address_string")}
        files = d["attachments"]
        try:
            if isinstance(form, StaffRequestForm):
                req = s.request_create(
                    user=user,
                    enterprise=d["enterprise"],
                    data=data,
                    source=d["source"],
                    meeting=d.get("meeting"),
                    attachments=files,
                    request=request,
                )
            else:
                enterprise = user.enterprise  # type: ignore[attr-defined]
                req = s.request_create(user=user, enterprise=enterprise, data=data, attachments=files, request=request)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            messages.error(request, exc.shown)
        else:
            messages.success(request, _("诉求已提交，编号 %(number)s") % {"number": req.number})
            return redirect("engagement:detail", pk=req.pk)
    if request.method == "POST":
        _files_again(form, request)
    return render(request, "engagement/new.html", {"form": form})


def _files_again(form: Any, request: HttpRequest) -> None:
    """A refused form that came with files: a browser cannot keep chosen files, so say to choose them again."""
    if request.FILES and "attachments" in form.fields and not form.has_error("attachments"):
        form.add_error("attachments", _("表单未保存，请重新选择附件"))


def _form_kwargs(key: str, req: EnterpriseRequest) -> dict[str, Any]:
    """What a step's form is built with beyond its data (the units it may offer), the same on the
    page and when its post is checked."""
    if key in ("decline_form", "route_form"):
        return {"near": req}
    if key == "reroute_form":
        current = Unit.objects.filter(request_assignments__request=req, request_assignments__active=True)
        return {"current": current, "near": req}
    return {}


def _detail_context(request: HttpRequest, req: EnterpriseRequest, bound: tuple[str, Any] | None = None) -> dict[str, Any]:
    """The page's context; ``bound`` (context key, form) is a step's refused form, shown with what
    the user typed and why it was refused instead of the empty one."""
    user = request.user
    [req] = with_timing([req])
    handle = policy.can_handle_request(user, req)
    route = policy.can_route_requests(user)
    is_open = req.status in OPEN_STATUSES
    current = Unit.objects.filter(request_assignments__request=req, request_assignments__active=True)
    v = {"version": req.version}
    ctx: dict[str, Any] = {
        "req": req,
        "events": req.events.select_related("unit").order_by("at", "id"),
        "assignments": req.assignments.filter(active=True).select_related("unit"),
        "extensions": list(req.extensions.select_related("requested_by", "decided_by")),
        "can_handle": handle and is_open,
        "can_route": route and is_open,
        "can_rate": policy.can_rate_request(user, req) and req.status == RequestStatus.REPLIED,
        "can_decline": handle and is_open and policy.handling_unit_id(user) is not None,
        "can_decide": route,
    }
    files = list(req.attachments.all())
    ctx["request_files"] = [f for f in files if f.stage == AttachmentStage.REQUEST]
    ctx["reply_files"] = [f for f in files if f.stage == AttachmentStage.REPLY]
    ctx["ack_form"] = NoteForm(initial=v) if ctx["can_handle"] and req.status == RequestStatus.SUBMITTED else None
    ctx["reply_form"] = ReplyForm(initial=v) if ctx["can_handle"] else None
    # one extension request awaits a decision at a time: not offered again until it is decided
    pending = any(x.status == ExtensionStatus.PENDING for x in ctx["extensions"])
    ctx["ext_form"] = ExtensionForm() if ctx["can_handle"] and not pending else None
    ctx["decline_form"] = DeclineForm(initial=v, **_form_kwargs("decline_form", req)) if ctx["can_decline"] else None
    ctx["route_form"] = RouteForm(initial=v, **_form_kwargs("route_form", req)) if ctx["can_route"] else None
    ctx["reroute_form"] = RerouteForm(initial=v, **_form_kwargs("reroute_form", req)) if ctx["can_route"] and current.exists() else None
    ctx["rate_form"] = RateForm(initial=v) if ctx["can_rate"] else None
    ctx["decision_form"] = DecisionForm(initial={"approve": "1"}) if route else None
    ctx["reopen_note"] = req.reopen_count >= 1
    ctx["unsent"] = []
    if bound is not None:
        key, form = bound
        if ctx.get(key) is not None:
            ctx[key] = form
        else:  # the step is no longer open to the user (e.g. answered meanwhile): keep the words to copy
            ctx["unsent"] = _typed(form)
    return ctx


def _typed(form: Any) -> list[tuple[str, str]]:
    """(label, text) of what the user typed into ``form``'s text fields."""
    out = []
    for name, field in form.fields.items():
        value = form.data.get(name, "")
        if isinstance(field, forms.CharField) and not field.widget.is_hidden and value.strip():
            out.append((str(field.label), value))
    return out


@login_required
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _guard(request)
    req = get_or_404(EnterpriseRequest, request, pk)
    return render(request, "engagement/detail.html", _detail_context(request, req))


_ACTIONS: dict[str, tuple[str, type[forms.Form], Any]] = {
    "acknowledge": (
        "ack_form",
        NoteForm,
        lambda u, r, d, rq: s.request_acknowledge(user=u, req=r, expected_version=d["version"], note=d["note"], request=rq),
    ),
    "reply": (
        "reply_form",
        ReplyForm,
        lambda u, r, d, rq: s.request_reply(
            user=u, req=r, reply=d["reply"], attachments=d["attachments"], expected_version=d["version"], request=rq
        ),
    ),
    "rate": (
        "rate_form",
        RateForm,
        lambda u, r, d, rq: s.request_rate(
            user=u, req=r, rating=d["rating"], reason=d["reason"], expected_version=d["version"], request=rq
        ),
    ),
    "route": (
        "route_form",
        RouteForm,
        lambda u, r, d, rq: s.request_route(user=u, req=r, units=d["units"], reason=d["reason"], expected_version=d["version"], request=rq),
    ),
    "reroute": (
        "reroute_form",
        RerouteForm,
        lambda u, r, d, rq: s.request_reroute(
            user=u, req=r, from_unit=d["from_unit"], to_unit=d["to_unit"], reason=d["reason"], expected_version=d["version"], request=rq
        ),
    ),
    "decline": (
        "decline_form",
        DeclineForm,
        lambda u, r, d, rq: s.request_decline(
            user=u, req=r, right_unit=d["right_unit"], reason=d["reason"], expected_version=d["version"], request=rq
        ),
    ),
    "extend": (
        "ext_form",
        ExtensionForm,
        lambda u, r, d, rq: s.extension_ask(user=u, req=r, days=d["days"], reason=d["reason"], request=rq),
    ),
}
_DONE = {
    "acknowledge": gettext_lazy("已受理"),
    "reply": gettext_lazy("已答复"),
    "rate": gettext_lazy("感谢评价"),
    "route": gettext_lazy("已分办"),
    "reroute": gettext_lazy("已改派"),
    "decline": gettext_lazy("已转交负责单位"),
    "extend": gettext_lazy("已提交延期申请"),
}


@login_required
@require_POST
def request_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One step from the request's page. Done: back to the page (or the list when the request left
    the user's scope). Refused (invalid input, a refusal of the service, a version conflict): the
    page again with the step's form as the user filled it and why it was refused beside it —
    nothing typed is lost, nothing is saved."""
    _guard(request)
    req = get_or_404(EnterpriseRequest, request, pk)
    if action not in _ACTIONS:
        raise Http404
    key, form_class, run = _ACTIONS[action]
    form = form_class(request.POST, request.FILES or None, **_form_kwargs(key, req))
    status = 400  # invalid input; a refusal of the service says its own (403, 409 …)
    if form.is_valid():
        try:
            run(request.user, req, form.cleaned_data, request)
        except NotFound as exc:
            messages.error(request, exc.shown)
            return redirect("engagement:list")
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            status = exc.status
            req = get_or_404(EnterpriseRequest, request, pk)
            if isinstance(exc, ConflictError) and "version" in form.fields:
                # the page shows the request as it is now; saving again (after checking) sends its version
                data = request.POST.copy()
                data["version"] = str(req.version)
                form = form_class(data, request.FILES or None, **_form_kwargs(key, req))
                form.is_valid()
            form.add_error(None, exc.shown)
        else:
            messages.success(request, str(_DONE[action]))
            if not requests_visible(request.user).filter(pk=req.pk).exists():
                return redirect("engagement:list")  # declined or re-routed away from the user's unit
            return redirect("engagement:detail", pk=req.pk)
    _files_again(form, request)
    messages.error(request, errors_text(form))  # at the top of the page; each error is beside its field as well
    return render(request, "engagement/detail.html", _detail_context(request, req, bound=(key, form)), status=status)


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    """A request's attached document, for those who see the request (the policy's page guard and
    the request's scope); anybody else gets 404 (403 without the pages at all)."""
    _guard(request)
    req = get_or_404(EnterpriseRequest, request, pk)
    att = req.attachments.filter(pk=file_pk).first()
    if att is None or not att.file:
        raise Http404
    return document_response(att.file, att.content_type, filename=att.name)


@login_required
@require_POST
def extension_decide(request: HttpRequest, pk: int) -> HttpResponse:
    _guard(request)
    ext = ExtensionRequest.objects.filter(pk=pk, status=ExtensionStatus.PENDING).select_related("request").first()
    if ext is None or not requests_visible(request.user).filter(pk=ext.request_id).exists():
        raise Http404
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            s.extension_decide(
                user=request.user,
                extension=ext,
                approve=form.cleaned_data["approve"],
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            messages.error(request, exc.shown)
            return redirect("engagement:detail", pk=ext.request_id)
        else:
            messages.success(request, _("已审批延期申请"))
            return redirect("engagement:detail", pk=ext.request_id)
    # invalid (e.g. a note over 500 characters from a hand-made request): the page again with the
    # decision as typed and why beside its field
    req = get_or_404(EnterpriseRequest, request, ext.request_id)
    messages.error(request, errors_text(form))
    return render(request, "engagement/detail.html", _detail_context(request, req, bound=("decision_form", form)), status=400)


def _metrics_rows(request: HttpRequest) -> tuple[MetricsForm, list[Any]]:
    form = MetricsForm(request.GET or None)
    start = end = None
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    qs: QuerySet[EnterpriseRequest] = requests_visible(request.user)
    units = [policy.handling_unit_id(request.user)] if policy.handling_unit_id(request.user) else None
    return form, department_figures(qs, start=start, end=end, units=units)


@login_required
@require_GET
def departments(request: HttpRequest) -> HttpResponse:
    _guard(request)
    if not policy.can_see_request_metrics(request.user):
        raise DjangoPermissionDenied
    form, rows = _metrics_rows(request)
    return render(request, "engagement/departments.html", {"form": form, "rows": rows, "today": timezone.localdate()})


@login_required
@require_GET
def departments_export(request: HttpRequest) -> HttpResponse:
    _guard(request)
    if not policy.can_see_request_metrics(request.user):
        raise DjangoPermissionDenied
    _form, rows = _metrics_rows(request)
    return xlsx_response(export_departments(rows), f"诉求办理部门指标-{timezone.localdate():%Y%m%d}.xlsx")
