"""政企合作协议 pages: the list (search, pagination, export), recording an agreement with its
commitments, an agreement's page (record fulfilment with evidence, confirm it — four eyes),
the 履约提醒 list and the 履约率 per region and department (issue 15, item 4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyprojects.accounts import policy
from keyprojects.core.errors import ApplicationError, ValidationFailed, shown
from keyprojects.core.forms import apply_errors, submit
from keyprojects.core.paging import paged
from keyprojects.core.scope import get_or_404
from keyprojects.core.uploads import document_response
from keyprojects.core.xlsx import xlsx_response
from keyprojects.dispatch.models import DispatchConfig
from keyprojects.projects.models import Project

from . import exports
from .choices import CommitmentStatus
from .forms import AgreementForm, ClaimForm, CommitmentForm, CommitmentFormSet, ConfirmForm
from .models import Agreement, Commitment, achieved_slip
from .selectors import (
    agreements_search,
    alert_days,
    commitment_alerts,
    commitments_visible,
    fulfilment_by_department,
    fulfilment_by_region,
    pending_confirmations,
    tally,
    with_state,
)
from .services import agreement_create, agreement_update, commitment_add, commitment_claim, commitment_confirm

PAGE_SIZE = 25


def guard(request: HttpRequest) -> None:
    if not policy.can_see_partnership(request.user):
        raise DjangoPermissionDenied


def visible_enterprises(user: Any, ids: Any) -> set[int]:
    """Of the enterprises ``ids``, those whose profile ``user`` may open (a department sees an
    agreement it signed without necessarily seeing the enterprise)."""
    from keyprojects.enterprises.models import Enterprise

    return set(Enterprise.objects.visible_to(user).filter(pk__in=set(ids)).values_list("pk", flat=True))


def _list_params(request: HttpRequest) -> dict[str, str]:
    return {"q": request.GET.get("q", "").strip()[:100], "region": request.GET.get("region", "").strip()[:6]}


def _region_choices(user: Any) -> list[tuple[str, str]]:
    """The regions the list can be narrowed to: those of the user's agreements and their cities
    (a city takes its counties' agreements too), counties indented under their city."""
    from keyprojects.regions.models import Region

    mine = agreements_search(user)
    regions = Region.objects.filter(Q(code__in=mine.values("region_id")) | Q(code__in=mine.values("region__city_code")))
    return [(r.code, ("　" if r.level == "county" else "") + r.name) for r in regions.order_by("code").only("code", "name", "level")]


@login_required
@require_GET
def agreement_list(request: HttpRequest) -> HttpResponse:
    guard(request)
    params = _list_params(request)
    qs = agreements_search(request.user, **params)
    listing = paged(request, qs, PAGE_SIZE)
    nopage = listing["querystring_nopage"]
    context = {
        **params,
        **listing,
        "region_choices": _region_choices(request.user),
        "open_enterprises": visible_enterprises(request.user, [a.enterprise_id for a in listing["page_obj"]]),
        "export_url": reverse("partnership:export") + (f"?{nopage}" if nopage else ""),
        "can_record": policy.can_record_agreements(request.user),
        "confirmations": pending_confirmations(request.user),
    }
    return render(request, "partnership/list.html", context)


@login_required
@require_GET
def agreement_export(request: HttpRequest) -> HttpResponse:
    guard(request)
    qs = agreements_search(request.user, **_list_params(request))
    rows = (
        commitments_visible(request.user).filter(agreement__in=qs.values("pk")).order_by("agreement__signed_on", "agreement_id", "due_on")
    )
    content = exports.agreements_xlsx(qs, with_state(rows))
    return xlsx_response(content, f"政企合作协议-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def agreement_new(request: HttpRequest) -> HttpResponse:
    guard(request)
    if not policy.can_record_agreements(request.user):
        raise DjangoPermissionDenied
    form = AgreementForm(request.POST or None, user=request.user)
    formset = CommitmentFormSet(request.POST or None, user=request.user, prefix="c")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        d = form.cleaned_data
        commitments = [f.data_for_service() for f in formset.forms if f.has_changed() and f.cleaned_data]
        try:
            a = agreement_create(
                actor=request.user,
                enterprise=d["enterprise"],
                region=d["region"],
                title=d["title"],
                signed_on=d["signed_on"],
                amount=d["amount"],
                commitments=commitments,
                signatory_unit=d["signatory_unit"],
                signatory_name=d["signatory_name"],
                note=d["note"],
                request=request,
            )
        except ValidationFailed as exc:
            _formset_errors(form, formset, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.shown)
        else:
            messages.success(request, _("协议已登记"))
            return redirect("partnership:detail", pk=a.pk)
    return render(request, "partnership/form.html", {"form": form, "formset": formset, "agreement": None})


def _formset_errors(form: AgreementForm, formset: Any, exc: ValidationFailed) -> None:
    fields = exc.extra.get("fields") or {}
    changed = [f for f in formset.forms if f.has_changed()]
    rest: dict[str, list[str]] = {}
    for name, errs in fields.items():
        if name.startswith("commitments["):
            idx, _sep, field = name[len("commitments[") :].partition("].")
            target = changed[int(idx)] if idx.isdigit() and int(idx) < len(changed) else None
            for e in errs:
                if target is not None:
                    target.add_error(field if field in target.fields else None, shown(e))
                else:
                    form.add_error(None, shown(e))
        else:
            rest[name] = errs
    if rest or not fields:
        apply_errors(form, ValidationFailed(exc.message, extra={"fields": rest}) if fields else exc)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    guard(request)
    agreement: Agreement = get_or_404(Agreement, request, pk)
    if not Agreement.objects.editable_by(request.user).filter(pk=agreement.pk).exists():
        raise DjangoPermissionDenied
    initial = {
        "version": agreement.version,
        "title": agreement.title,
        "signatory_unit": agreement.signatory_unit_id,
        "signatory_name": agreement.signatory_name,
        "signed_on": agreement.signed_on,
        "amount": agreement.amount,
        "note": agreement.note,
    }
    form = AgreementForm(request.POST or None, initial=initial, user=request.user, editing=True)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = {k: d[k] for k in ("title", "signatory_unit", "signatory_name", "signed_on", "amount", "note")}
        version = d["version"]
        if submit(
            form, lambda: agreement_update(actor=request.user, agreement=agreement, expected_version=version, data=data, request=request)
        ):
            messages.success(request, _("已保存"))
            return redirect("partnership:detail", pk=agreement.pk)
    return render(request, "partnership/form.html", {"form": form, "formset": None, "agreement": agreement})


@login_required
@require_GET
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    guard(request)
    agreement: Agreement = get_or_404(Agreement, request, pk)
    return render(request, "partnership/detail.html", _detail_context(request, agreement))


def _slip_text(n: Any, measure: str) -> str:
    """The word beside an achieved value ``n`` times its target (:func:`achieved_slip`)."""
    return _("实际完成值是目标值的%(n)s倍，请核实单位是否为%(measure)s") % {"n": n, "measure": _(measure) if measure else ""}


def _with_slip_check(c: Any, factor: int) -> None:
    """The claim form's achieved value checked against the target as typed (app.js, with
    ``{n}`` for the multiple) and, for a form shown again, as sent; the recorded value's word.
    ``factor``: ``DispatchConfig.slip_factor``."""
    n = achieved_slip(c.target_value, c.achieved_value, slip_factor=factor)
    c.achieved_warning = _slip_text(n, c.measure) if n else ""
    form = c.claim_form
    c.claim_warning = ""
    if c.target_value and c.target_value > 0:
        form.fields["achieved_value"].widget.attrs.update(
            {
                "data-kp-slip-target": str(c.target_value),
                "data-kp-slip-factor": str(factor),
                "data-kp-slip-text": _slip_text("{n}", c.measure),
            }
        )
        if form.is_bound and not form.has_error("achieved_value"):
            typed = form.cleaned_data.get("achieved_value") if hasattr(form, "cleaned_data") else None
            m = achieved_slip(c.target_value, typed, slip_factor=factor)
            c.claim_warning = _slip_text(m, c.measure) if m else ""


def _detail_context(request: HttpRequest, agreement: Agreement, **extra: Any) -> dict[str, Any]:
    user = request.user
    today = timezone.localdate()
    rows = with_state(commitments_visible(user).filter(agreement=agreement).order_by("party", "due_on", "id"), today=today)
    factor = int(DispatchConfig.get().slip_factor)  # the one 疑似单位错误倍数 (monthly reports, total investment)
    for c in rows:
        c.can_claim = c.status == CommitmentStatus.OPEN and policy.can_claim_commitment(user, c)  # type: ignore[attr-defined]
        c.can_confirm = c.status == CommitmentStatus.CLAIMED and policy.can_confirm_commitment(user, c)  # type: ignore[attr-defined]
        c.claim_form = extra.get("claim_forms", {}).get(c.pk) or ClaimForm(
            initial={"version": c.version, "claimed_on": today}, auto_id=f"id_c{c.pk}_%s"
        )  # type: ignore[attr-defined]
        _with_slip_check(c, factor)
    editable = Agreement.objects.editable_by(user).filter(pk=agreement.pk).exists()
    return {
        "agreement": agreement,
        "open_enterprises": visible_enterprises(user, [agreement.enterprise_id]),
        "commitments": rows,
        "projects": Project.objects.visible_to(user).filter(agreements=agreement).select_related("region"),
        "tally": tally(rows, today),
        "editable": editable,
        "add_form": extra.get("add_form") or (CommitmentForm(user=user, prefix="new") if editable else None),
    }


@login_required
@require_POST
def commitment_new(request: HttpRequest, pk: int) -> HttpResponse:
    guard(request)
    agreement: Agreement = get_or_404(Agreement, request, pk)
    form = CommitmentForm(request.POST, user=request.user, prefix="new")
    if form.is_valid():
        try:
            commitment_add(actor=request.user, agreement=agreement, data=form.data_for_service(), request=request)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            messages.error(request, exc.shown)
            return redirect("partnership:detail", pk=agreement.pk)
        else:
            messages.success(request, _("承诺已添加"))
            return redirect("partnership:detail", pk=agreement.pk)
    return render(request, "partnership/detail.html", _detail_context(request, agreement, add_form=form), status=400)


@login_required
@require_POST
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    guard(request)
    c: Commitment = get_or_404(Commitment, request, pk)
    form = ClaimForm(request.POST, request.FILES, auto_id=f"id_c{c.pk}_%s")
    if form.is_valid():
        d = form.cleaned_data
        try:
            commitment_claim(
                actor=request.user,
                commitment=c,
                expected_version=d["version"],
                result=d["result"],
                evidence_text=d["evidence_text"],
                evidence_file=d["evidence_file"],
                achieved_value=d["achieved_value"],
                claimed_on=d["claimed_on"],
                request=request,
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            messages.error(request, exc.shown)
            return redirect("partnership:detail", pk=c.agreement_id)
        else:
            messages.success(request, _("履约情况已登记，待他人确认"))
            return redirect(reverse("partnership:detail", kwargs={"pk": c.agreement_id}) + f"#c{c.pk}")
    agreement = Agreement.objects.get(pk=c.agreement_id)
    return render(request, "partnership/detail.html", _detail_context(request, agreement, claim_forms={c.pk: form}), status=400)


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    guard(request)
    c: Commitment = get_or_404(Commitment, request, pk)
    form = ConfirmForm(request.POST)
    back = request.POST.get("next") or ""
    target = back if back.startswith("/partnership/") else reverse("partnership:detail", kwargs={"pk": c.agreement_id})
    if not form.is_valid():
        messages.error(request, _("提交的内容不完整"))
        return redirect(target)
    d = form.cleaned_data
    try:
        commitment_confirm(
            actor=request.user,
            commitment=c,
            expected_version=d["version"],
            accept=d["decision"] == "accept",
            note=d["note"],
            request=request,
        )
    except ApplicationError as exc:
        messages.error(request, exc.shown)
    else:
        messages.success(request, _("已确认履约") if d["decision"] == "accept" else _("已退回，需重新登记"))
    return redirect(target)


@login_required
@require_GET
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """A commitment's evidence file, for users who see the agreement."""
    guard(request)
    c: Commitment = get_or_404(Commitment, request, pk)
    if not c.evidence_file:
        raise Http404()
    return document_response(c.evidence_file, c.evidence_content_type)


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
@require_GET
def alerts(request: HttpRequest) -> HttpResponse:
    """履约提醒: commitments due within the alert window and those past due."""
    guard(request)
    days = alert_days(request.GET.get("days"))
    today = timezone.localdate()
    rows = commitment_alerts(request.user, today=today, days=days)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(exports.alerts_xlsx(rows, days=days, today=today), f"履约提醒-{today:%Y%m%d}.xlsx")
    context = {
        **paged(request, rows, 50),
        "days": days,
        "today": today,
        "overdue": sum(1 for c in rows if c.state_value == "overdue"),  # type: ignore[attr-defined]
        "confirmations": pending_confirmations(request.user),
    }
    return render(request, "partnership/alerts.html", context)


@login_required
@require_GET
def rates(request: HttpRequest) -> HttpResponse:
    """履约率 per region and per department on a day (default today)."""
    guard(request)
    as_of = _day(request.GET.get("as_of")) or timezone.localdate()
    if request.GET.get("format") == "xlsx":
        return xlsx_response(exports.rates_xlsx(request.user, as_of=as_of), f"履约率-{as_of:%Y%m%d}.xlsx")
    regions, total = fulfilment_by_region(request.user, as_of=as_of)
    gov_regions, gov_total = fulfilment_by_region(request.user, as_of=as_of, party="government")
    ent_regions, ent_total = fulfilment_by_region(request.user, as_of=as_of, party="enterprise")
    departments, dept_total = fulfilment_by_department(request.user, as_of=as_of)
    by_key = {
        "gov": {t.key: t for t in gov_regions},
        "ent": {t.key: t for t in ent_regions},
    }
    for t in regions:
        t.gov = by_key["gov"].get(t.key)  # type: ignore[attr-defined]
        t.ent = by_key["ent"].get(t.key)  # type: ignore[attr-defined]
    total.gov, total.ent = gov_total, ent_total  # type: ignore[attr-defined]
    context = {"as_of": as_of, "regions": regions, "total": total, "departments": departments, "dept_total": dept_total}
    return render(request, "partnership/rates.html", context)
