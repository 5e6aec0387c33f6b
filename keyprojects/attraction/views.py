"""招商引资 pages: the lead list (search, filters, export), a lead (its stages, checklist,
agreement, project progress, 到资) and its stage steps, recording and editing a lead.
Parse → service/selector → render; every write is a service call."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyprojects.accounts import policy
from keyprojects.analytics import metrics
from keyprojects.core.errors import ApplicationError, ValidationFailed, shown
from keyprojects.core.forms import apply_errors, errors_text, submit
from keyprojects.core.paging import paged
from keyprojects.core.scope import get_or_404

from . import selectors, services
from .choices import AWAITING_FUNDS, DROPPABLE, FORWARD, FundStatus, LeadStage
from .filters import LeadFilter
from .forms import (
    CommitmentFormSet,
    DropForm,
    FundDecideForm,
    FundForm,
    FundVoidForm,
    FundWithdrawForm,
    LandForm,
    LeadForm,
    SignForm,
    StepForm,
)
from .models import FundArrival, Lead, ServiceItem

#: A service's error of one commitment of a signing (``commitments[0].due_on``).
COMMITMENT_ERROR = re.compile(r"commitments\[(\d+)\]\.(\w+)")


def guard(request: HttpRequest, *, write: bool = False) -> None:
    if not policy.can_see_leads(request.user) or (write and not policy.can_record_leads(request.user)):
        raise DjangoPermissionDenied


def get_lead(request: HttpRequest, pk: Any) -> Lead:
    return get_or_404(Lead, request, pk)


def filtered(request: HttpRequest) -> tuple[LeadFilter, QuerySet[Lead]]:
    qs = selectors.leads_visible(request.user).order_by("-obtained_on", "-id")
    f = LeadFilter(request.GET or None, queryset=qs, request=request)
    if f.is_bound and not f.is_valid():
        return f, qs.none()
    return f, f.qs


@login_required
@require_GET
def lead_list(request: HttpRequest) -> HttpResponse:
    guard(request)
    f, qs = filtered(request)
    listing = paged(request, qs, 50)
    days = selectors.stall_days()
    for lead in listing["page_obj"]:
        lead.stalled = selectors.is_stalled(lead, days)  # type: ignore[attr-defined]
    base = selectors.leads_visible(request.user)
    context = {
        "filter": f,
        **listing,
        "stages": selectors.stage_counts(base),
        "stalled_count": base.filter(selectors.stalled_q()).count(),
        # the confirmer's to-do: leads with 到资 entries waiting for this user's decision
        "funds_to_confirm": selectors.funds_to_confirm(request.user).values("lead_id").distinct().count(),
    }
    return render(request, "attraction/list.html", context)


def _lead_data(form: LeadForm) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if k in services.LEAD_FIELDS and k in form.fields}


@login_required
@require_http_methods(["GET", "POST"])
def lead_create(request: HttpRequest) -> HttpResponse:
    guard(request, write=True)
    initial = {"obtained_on": timezone.localdate()}
    if request.GET.get("activity"):
        initial["source_activity"] = request.GET["activity"]
        initial["source"] = "leader_trip"
    form = LeadForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.lead_create(user=request.user, data=_lead_data(form), request=request)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记招商线索"))
            return redirect("attraction:detail", pk=lead.pk)
    return render(request, "attraction/form.html", {"form": form, "lead": None})


@login_required
@require_http_methods(["GET", "POST"])
def lead_edit(request: HttpRequest, pk: int) -> HttpResponse:
    guard(request, write=True)
    lead = get_lead(request, pk)
    form = LeadForm(request.POST or None, instance=lead, user=request.user, initial={"version": lead.version})
    if request.method == "POST" and form.is_valid():
        version, data = form.cleaned_data["version"], _lead_data(form)
        if submit(form, lambda: services.lead_update(user=request.user, lead=lead, expected_version=version, data=data, request=request)):
            messages.success(request, _("已保存"))
            return redirect("attraction:detail", pk=lead.pk)
    return render(request, "attraction/form.html", {"form": form, "lead": lead})


def _detail_context(request: HttpRequest, lead: Lead, **forms: Any) -> dict[str, Any]:
    user = request.user
    can_write = policy.can_record_leads(user) and Lead.objects.editable_by(user).filter(pk=lead.pk).exists()
    v = {"version": lead.version}
    target = FORWARD.get(lead.stage)
    context: dict[str, Any] = {
        "lead": lead,
        "can_write": can_write,
        "target": target,
        "target_label": LeadStage(target).label if target else "",
        "spans": selectors.stage_spans(lead),
        "checklist": selectors.checklist(lead),
        "stalled": selectors.is_stalled(lead),
        "stall_days": selectors.stall_days().get(lead.stage),
        "events": lead.events.select_related("actor").order_by("on_date", "id"),
        **_funds_context(request, lead, can_write),
        "commitments": list(lead.agreement.commitments.all()) if lead.agreement_id else [],  # type: ignore[union-attr]
        "progress": selectors.project_progress(lead.project) if lead.project_id else None,
        "droppable": lead.stage in DROPPABLE,
        # 签约 records the 政企合作协议: region staff only (a department pushes the lead, not the deal)
        "can_sign": can_write and policy.can_record_agreements(user),
    }
    if can_write:
        context.update(
            step_form=forms.get("step_form") or StepForm(initial=v),
            sign_form=forms.get("sign_form") or SignForm(user=user, initial={**v, "signed_on": timezone.localdate()}),
            commitment_forms=forms.get("commitment_forms") or CommitmentFormSet(prefix="c"),
            land_form=forms.get("land_form") or LandForm(user=user, initial={**v, "landed_on": timezone.localdate()}),
            drop_form=forms.get("drop_form") or DropForm(initial=v),
            fund_form=forms.get("fund_form") or FundForm(initial={"arrived_on": timezone.localdate()}),
            today=timezone.localdate(),
        )
    return context


@login_required
@require_GET
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    guard(request)
    lead = get_lead(request, pk)
    return render(request, "attraction/detail.html", _detail_context(request, lead))


def _done(request: HttpRequest, lead: Lead, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("attraction:detail", pk=lead.pk)


def _apply_errors(form: Any, exc: ValidationFailed, rows: list[Any]) -> None:
    """The service's errors on the form, except ``commitments[i].<field>``: under that field of
    the i-th filled commitment row (the rows shown under the sign form)."""
    fields = dict(exc.extra.get("fields") or {})
    for name in list(fields):
        match = COMMITMENT_ERROR.fullmatch(name)
        if match and int(match[1]) < len(rows) and match[2] in rows[int(match[1])].fields:
            for error in fields.pop(name):
                rows[int(match[1])].add_error(match[2], shown(error))
    if fields or not exc.extra.get("fields"):
        apply_errors(form, ValidationFailed(exc.message, extra={**exc.extra, "fields": fields}) if fields else exc)


@login_required
@require_POST
def lead_step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One stage step: advance (信息获取→考察洽谈, 落地→反馈), sign, land, drop, reopen."""
    guard(request, write=True)
    lead = get_lead(request, pk)
    user = request.user
    forms: dict[str, Any] = {}
    status = 400
    try:
        if action in ("advance", "drop", "reopen"):
            form = DropForm(request.POST) if action == "drop" else StepForm(request.POST)
            forms["drop_form" if action == "drop" else "step_form"] = form
            if form.is_valid():
                d = form.cleaned_data
                if action == "advance":
                    services.lead_advance(
                        user=user, lead=lead, expected_version=d["version"], on_date=d["on_date"], note=d["note"], request=request
                    )
                    return _done(request, lead, _("已推进到下一阶段"))
                if action == "drop":
                    services.lead_drop(
                        user=user, lead=lead, expected_version=d["version"], reason=d["note"], on_date=d["on_date"], request=request
                    )
                    return _done(request, lead, _("线索已终止"))
                services.lead_reopen(user=user, lead=lead, expected_version=d["version"], reason=d["note"], request=request)
                return _done(request, lead, _("线索已重新启动"))
        elif action == "sign":
            form = SignForm(request.POST, user=user)
            formset = CommitmentFormSet(request.POST, prefix="c")
            forms.update(sign_form=form, commitment_forms=formset)
            if form.is_valid() and formset.is_valid():
                d = form.cleaned_data
                rows = [(f, f.commitment()) for f in formset.forms if f.has_changed()]
                forms["commitment_rows"] = [f for f, c in rows if c]  # the service says commitments[i].<field>
                commitments = [c for _f, c in rows if c]
                services.lead_sign(
                    user=user, lead=lead, expected_version=d["version"], enterprise=d["enterprise"], signed_on=d["signed_on"],
                    amount=d["amount"], title=d["title"], signatory_name=d["signatory_name"], commitments=commitments, request=request,
                )  # fmt: skip
                return _done(request, lead, _("已签约，政企合作协议已登记"))
        elif action == "land":
            form = LandForm(request.POST, user=user)
            forms["land_form"] = form
            if form.is_valid():
                d = form.cleaned_data
                lead = services.lead_land(
                    user=user, lead=lead, expected_version=d["version"], landed_on=d["landed_on"], project=d["project"],
                    annual_plan=d["annual_plan"], request=request,
                )  # fmt: skip
                return _done(request, lead, _("已落地，项目“%(project)s”已进入项目库") % {"project": lead.project})  # type: ignore[union-attr]
        else:
            raise Http404
    except ValidationFailed as exc:
        target = next(iter(forms.values()), None)
        if target is not None:
            _apply_errors(target, exc, forms.pop("commitment_rows", []))
        else:
            messages.error(request, exc.shown)
    except ApplicationError as exc:
        messages.error(request, exc.shown)
        status = exc.status
    lead = get_lead(request, pk)
    return render(request, "attraction/detail.html", _detail_context(request, lead, **forms), status=status)


@login_required
@require_POST
def lead_check(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    guard(request, write=True)
    lead = get_lead(request, pk)
    service_item = ServiceItem.objects.filter(pk=item).first()
    if service_item is None:
        raise Http404
    try:
        services.lead_check(user=request.user, lead=lead, item=service_item, done=request.POST.get("done") != "0", request=request)
    except ApplicationError as exc:
        messages.error(request, exc.shown)
    return redirect("attraction:detail", pk=lead.pk)


def _funds_context(request: HttpRequest, lead: Lead, can_write: bool) -> dict[str, Any]:
    """The lead's 到资 entries, each with what the user may do with it (asked of the policy): a
    confirmer decides what waits (never their own), whoever may record the lead asks for a 冲销
    or enters a correction of a confirmed entry."""
    funds, funds_total = selectors.funds_of(lead)
    for entry in funds:
        entry.can_decide = entry.status in AWAITING_FUNDS and policy.can_confirm_funds(request.user, entry)  # type: ignore[attr-defined]
        entry.own_waiting = entry.status in AWAITING_FUNDS and entry.asker_id == request.user.pk  # type: ignore[attr-defined]
        entry.can_withdraw = entry.status == FundStatus.PENDING and entry.recorded_by_id == request.user.pk  # type: ignore[attr-defined]
        entry.can_change = can_write and entry.status == FundStatus.CONFIRMED  # type: ignore[attr-defined]
    return {
        "funds": funds,
        "funds_total": funds_total,
        "funds_waiting": sum(1 for e in funds if e.status in AWAITING_FUNDS),
        "funds_rate": metrics.funds_arrival_rate(funds_total, lead.signed_amount),
    }


def _refused(request: HttpRequest, lead: Lead, exc: ApplicationError, **forms: Any) -> HttpResponse:
    messages.error(request, exc.shown)
    status = exc.status if not isinstance(exc, ValidationFailed) else 400
    return render(request, "attraction/detail.html", _detail_context(request, get_lead(request, lead.pk), **forms), status=status)


@login_required
@require_POST
def lead_funds(request: HttpRequest, pk: int) -> HttpResponse:
    """Enter 到资 (待确认) or, with ``replaces``, a correction of a confirmed entry."""
    guard(request, write=True)
    lead = get_lead(request, pk)
    correcting = bool(request.POST.get("replaces"))
    form = FundForm(request.POST, correcting=correcting)
    if form.is_valid():
        d = form.cleaned_data

        def add() -> None:
            services.fund_arrival_add(
                user=request.user,
                lead=lead,
                request=request,
                arrived_on=d["arrived_on"],
                arrived_amount=d["arrived_amount"],
                note=d["note"],
                replaces=d["replaces"],
                reason=d.get("reason", ""),
            )

        if submit(form, add, refused=lambda message: messages.error(request, message)):
            done = _("已登记更正，待他人确认后取代原记录") if correcting else _("已登记到资，待他人确认后计入到资")
            return _done(request, lead, done)
    if correcting:  # the correction's errors (a stale page, a missing reason) in a message above the entries
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        form = None
    return render(request, "attraction/detail.html", _detail_context(request, get_lead(request, pk), fund_form=form), status=400)


def _lead_fund(request: HttpRequest, pk: int, entry: int) -> tuple[Lead, FundArrival]:
    """The lead and one of its 到资 entries for a step on the entry (writers only; 404 for an
    entry the user may not see or of another lead)."""
    guard(request, write=True)
    lead = get_lead(request, pk)
    fund = get_or_404(FundArrival, request, entry)
    if fund.lead_id != lead.pk:
        raise Http404
    return lead, fund


@login_required
@require_POST
def fund_decide(request: HttpRequest, pk: int, entry: int) -> HttpResponse:
    """A confirmer's decision on an entry of the lead: confirm or return (a new figure, a
    correction), carry out or refuse a 冲销."""
    lead, fund = _lead_fund(request, pk, entry)
    form = FundDecideForm(request.POST)
    if not form.is_valid():
        return _refused(request, lead, ValidationFailed(errors_text(form)))
    d = form.cleaned_data
    accept = d["decision"] == "confirm"
    waiting = fund.status
    try:
        services.fund_decide(user=request.user, entry=fund, expected_version=d["version"], accept=accept, note=d["note"], request=request)
    except ApplicationError as exc:
        return _refused(request, lead, exc)
    if waiting == FundStatus.VOID_PENDING:
        return _done(request, lead, _("已冲销，该笔到资不再计入") if accept else _("已退回冲销申请，该笔到资仍计入"))
    return _done(request, lead, _("已确认，该笔到资计入资金到位率") if accept else _("已退回，该笔到资不计入"))


@login_required
@require_POST
def fund_void(request: HttpRequest, pk: int, entry: int) -> HttpResponse:
    """Ask for a confirmed entry to be voided (冲销), with a reason."""
    lead, fund = _lead_fund(request, pk, entry)
    form = FundVoidForm(request.POST)
    if not form.is_valid():
        return _refused(request, lead, ValidationFailed(errors_text(form)))
    d = form.cleaned_data
    try:
        services.fund_void_request(user=request.user, entry=fund, expected_version=d["version"], reason=d["reason"], request=request)
    except ApplicationError as exc:
        return _refused(request, lead, exc)
    return _done(request, lead, _("已申请冲销，待他人确认；确认前该笔到资仍计入"))


@login_required
@require_POST
def fund_withdraw(request: HttpRequest, pk: int, entry: int) -> HttpResponse:
    """The enterer withdraws her own entry while it waits (待确认)."""
    lead, fund = _lead_fund(request, pk, entry)
    form = FundWithdrawForm(request.POST)
    if not form.is_valid():
        return _refused(request, lead, ValidationFailed(errors_text(form)))
    d = form.cleaned_data
    try:
        services.fund_withdraw(user=request.user, entry=fund, expected_version=d["version"], note=d["note"], request=request)
    except ApplicationError as exc:
        return _refused(request, lead, exc)
    return _done(request, lead, _("已撤回，该笔到资不计入"))
