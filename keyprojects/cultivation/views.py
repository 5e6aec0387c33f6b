"""“双50培育” pages (ADR 0020): the lists with their figures, a list's entries (search, filter,
pagination, Excel export) with nominating, an entry's page with the four-eyes steps (admit or
reject, propose and confirm a removal) and its 一对一 政企合作协议. An enterprise contact sees only
the lists its own enterprise is on."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, ngettext
from django.views.decorators.http import require_GET, require_POST

from keyprojects.accounts import policy
from keyprojects.core.errors import ApplicationError, ValidationFailed
from keyprojects.core.forms import apply_errors
from keyprojects.core.paging import paged
from keyprojects.core.scope import get_or_404
from keyprojects.core.xlsx import xlsx_response
from keyprojects.partnership.models import Agreement

from . import exports
from .choices import EntryStatus, ListKind
from .forms import STATUS_FILTER, ConfirmRemovalForm, DecideForm, LinkForm, ListForm, NominateForm, ProposeRemovalForm
from .models import CultivationEntry, CultivationList
from .selectors import agreements_to_link, entries_search, list_commitments, list_figures, lists_visible, own_entries
from .services import (
    entry_confirm_removal,
    entry_decide,
    entry_link_agreement,
    entry_nominate,
    entry_propose_removal,
    list_carry_over,
    list_create,
)

PAGE_SIZE = 25


def guard(request: HttpRequest) -> None:
    if not policy.can_see_cultivation(request.user):
        raise DjangoPermissionDenied


def guard_lists(request: HttpRequest) -> None:
    if not policy.can_see_cultivation_lists(request.user):
        raise DjangoPermissionDenied


def _int(value: Any) -> int | None:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if 2000 <= n <= 2099 else None


def _overview_context(request: HttpRequest, form: ListForm | None = None) -> dict[str, Any]:
    user = request.user
    params = {
        "year": _int(request.GET.get("year")),
        "region": request.GET.get("region", "").strip()[:6],
        "kind": request.GET.get("kind", "") if request.GET.get("kind", "") in ListKind.values else "",
    }
    lists = list(lists_visible(user, **params))
    figures = list_figures(user, lists)
    for c in lists:
        c.figures = figures[c.pk]  # type: ignore[attr-defined]
    years = sorted(set(CultivationList.objects.visible_to(user).values_list("year", flat=True)), reverse=True)
    can_create = policy.can_create_cultivation_list(user)
    return {
        **params,
        "lists": lists,
        "years": years,
        "kinds": ListKind.choices,
        "can_create": can_create,
        "form": form or (ListForm(user=user) if can_create else None),
    }


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """The lists per region, year and kind with their figures; an enterprise contact: its own."""
    guard(request)
    if not policy.can_see_cultivation_lists(request.user):
        return render(request, "cultivation/own.html", {"entries": own_entries(request.user)})
    context = _overview_context(request)
    if request.GET.get("format") == "xlsx":
        today = timezone.localdate()
        return xlsx_response(exports.lists_xlsx(context["lists"], as_of=today), f"双50培育名单-{today:%Y%m%d}.xlsx")
    nopage = request.GET.copy()
    nopage["format"] = "xlsx"
    context["export_url"] = "?" + nopage.urlencode()
    return render(request, "cultivation/overview.html", context)


@login_required
@require_POST
def list_new(request: HttpRequest) -> HttpResponse:
    guard_lists(request)
    if not policy.can_create_cultivation_list(request.user):
        raise DjangoPermissionDenied
    form = ListForm(request.POST, user=request.user)
    if form.is_valid():
        d = form.cleaned_data
        try:
            clist = list_create(actor=request.user, request=request, **d)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.shown)
        else:
            messages.success(request, gettext("培育名单已建立"))
            return redirect("cultivation:list", pk=clist.pk)
    return render(request, "cultivation/overview.html", _overview_context(request, form), status=400)


def _list_params(request: HttpRequest) -> dict[str, str]:
    status = request.GET.get("status", "")
    return {"q": request.GET.get("q", "").strip()[:100], "status": status if status in dict(STATUS_FILTER) else ""}


def _list_context(request: HttpRequest, clist: CultivationList, nominate_form: NominateForm | None = None) -> dict[str, Any]:
    user = request.user
    params = _list_params(request)
    listing = paged(request, entries_search(user, clist, **params), PAGE_SIZE)
    nopage = listing["querystring_nopage"]
    can_nominate = policy.can_nominate_to(user, clist)
    to_link = agreements_to_link(user, listing["page_obj"])
    can_link = policy.can_decide_cultivation(user, clist)
    for e in listing["page_obj"]:
        e.to_link = to_link.get(e.pk)  # type: ignore[attr-defined]
        e.can_link = can_link and e.status == EntryStatus.ADMITTED  # type: ignore[attr-defined]
    return {
        **params,
        **listing,
        "clist": clist,
        "figures": list_figures(user, [clist])[clist.pk],
        "statuses": STATUS_FILTER,
        "export_url": reverse("cultivation:export", kwargs={"pk": clist.pk}) + (f"?{nopage}" if nopage else ""),
        "can_nominate": can_nominate,
        "nominate_form": nominate_form or (NominateForm(user=user, clist=clist) if can_nominate else None),
        "open_enterprises": _open_enterprises(user, [e.enterprise_id for e in listing["page_obj"]]),
        "previous": CultivationList.objects.visible_to(user).filter(region_id=clist.region_id, kind=clist.kind, year=clist.year - 1).first()
        if can_nominate
        else None,
    }


def _open_enterprises(user: Any, ids: Any) -> set[int]:
    from keyprojects.enterprises.models import Enterprise

    return set(Enterprise.objects.visible_to(user).filter(pk__in=set(ids)).values_list("pk", flat=True))


@login_required
@require_GET
def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    guard_lists(request)
    clist: CultivationList = get_or_404(CultivationList, request, pk)
    return render(request, "cultivation/list.html", _list_context(request, clist))


@login_required
@require_GET
def list_export(request: HttpRequest, pk: int) -> HttpResponse:
    guard_lists(request)
    clist: CultivationList = get_or_404(CultivationList, request, pk)
    today = timezone.localdate()
    entries = entries_search(request.user, clist, **_list_params(request))
    content = exports.list_xlsx(clist, entries, list_figures(request.user, [clist], as_of=today)[clist.pk], as_of=today)
    return xlsx_response(content, exports.list_filename(clist))


@login_required
@require_POST
def nominate(request: HttpRequest, pk: int) -> HttpResponse:
    guard_lists(request)
    clist: CultivationList = get_or_404(CultivationList, request, pk)
    form = NominateForm(request.POST, user=request.user, clist=clist)
    if form.is_valid():
        try:
            entry = entry_nominate(actor=request.user, cultivation_list=clist, request=request, **form.cleaned_data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            messages.error(request, exc.shown)
            return redirect("cultivation:list", pk=clist.pk)
        else:
            messages.success(request, gettext("已推荐，待他人审定"))
            return redirect("cultivation:entry", pk=entry.pk)
    return render(request, "cultivation/list.html", _list_context(request, clist, form), status=400)


def _entry_context(request: HttpRequest, entry: CultivationEntry, **forms: Any) -> dict[str, Any]:
    user = request.user
    clist = entry.cultivation_list
    decides = policy.can_decide_cultivation(user, clist)
    initial = {"version": entry.version}
    admitted = entry.status == EntryStatus.ADMITTED
    ctx: dict[str, Any] = {
        "entry": entry,
        "clist": clist,
        "open_enterprise": bool(_open_enterprises(user, [entry.enterprise_id])),
        "agreement_visible": bool(entry.agreement_id) and Agreement.objects.visible_to(user).filter(pk=entry.agreement_id).exists(),
        "can_decide": decides and entry.status == EntryStatus.NOMINATED and not policy.cultivation_nominated_by(user, entry),
        "can_propose": admitted and not entry.removal_pending and policy.can_nominate_to(user, clist),
        "can_confirm_removal": decides and entry.removal_pending and not policy.cultivation_removal_proposed_by(user, entry),
        "can_link": decides and admitted,
        "to_link": agreements_to_link(user, [entry]).get(entry.pk),
    }
    ctx["decide_form"] = forms.get("decide_form") or DecideForm(initial=initial, auto_id="id_d_%s")
    ctx["propose_form"] = forms.get("propose_form") or ProposeRemovalForm(initial=initial, auto_id="id_p_%s")
    ctx["confirm_form"] = forms.get("confirm_form") or ConfirmRemovalForm(initial=initial, auto_id="id_r_%s")
    if ctx["can_link"]:
        ctx["link_form"] = forms.get("link_form") or LinkForm(
            initial={**initial, "agreement": entry.agreement_id or getattr(ctx["to_link"], "pk", None)},
            user=user,
            entry=entry,
            auto_id="id_l_%s",
        )
    if entry.agreement_id and ctx["agreement_visible"]:
        from keyprojects.partnership.selectors import tally, with_state

        rows = with_state(list_commitments(user, clist).filter(agreement_id=entry.agreement_id))
        ctx["commitments"] = rows
        ctx["tally"] = tally(rows, timezone.localdate(), "政府承诺")
    return ctx


def _entry(request: HttpRequest, pk: int) -> CultivationEntry:
    entry: CultivationEntry = get_or_404(CultivationEntry, request, pk)
    return (
        CultivationEntry.objects.select_related(
            "cultivation_list__region", "enterprise__region", "agreement", "nominated_by", "decided_by", "removal_proposed_by", "removed_by"
        )
        .filter(pk=entry.pk)
        .get()
    )


@login_required
@require_GET
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    guard_lists(request)
    entry = _entry(request, pk)
    return render(request, "cultivation/entry.html", _entry_context(request, entry))


def _step(request: HttpRequest, entry: CultivationEntry, form: Any, name: str, call: Any, done: str) -> HttpResponse:
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            messages.error(request, exc.shown)
            return redirect("cultivation:entry", pk=entry.pk)
        else:
            messages.success(request, gettext(done))
            return redirect("cultivation:entry", pk=entry.pk)
    return render(request, "cultivation/entry.html", _entry_context(request, entry, **{name: form}), status=400)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    guard_lists(request)
    entry = _entry(request, pk)
    form = DecideForm(request.POST, auto_id="id_d_%s")
    admit = request.POST.get("decision") == "admit"

    def call(d: dict[str, Any]) -> None:
        entry_decide(actor=request.user, entry=entry, expected_version=d["version"], admit=admit, note=d["note"], request=request)

    return _step(request, entry, form, "decide_form", call, gettext_noop("已入选") if admit else gettext_noop("已审定为不予入选"))


@login_required
@require_POST
def propose_removal(request: HttpRequest, pk: int) -> HttpResponse:
    guard_lists(request)
    entry = _entry(request, pk)
    form = ProposeRemovalForm(request.POST, auto_id="id_p_%s")

    def call(d: dict[str, Any]) -> None:
        entry_propose_removal(actor=request.user, entry=entry, expected_version=d["version"], reason=d["reason"], request=request)

    return _step(request, entry, form, "propose_form", call, gettext_noop("调出申请已提交，待他人确认"))


@login_required
@require_POST
def confirm_removal(request: HttpRequest, pk: int) -> HttpResponse:
    guard_lists(request)
    entry = _entry(request, pk)
    form = ConfirmRemovalForm(request.POST, auto_id="id_r_%s")
    accept = request.POST.get("decision") == "accept"

    def call(d: dict[str, Any]) -> None:
        entry_confirm_removal(
            actor=request.user,
            entry=entry,
            expected_version=d["version"],
            accept=accept,
            removed_on=d["removed_on"],
            note=d["note"],
            request=request,
        )

    return _step(request, entry, form, "confirm_form", call, gettext_noop("已调出") if accept else gettext_noop("已保留在名单"))


@login_required
@require_POST
def link_agreement(request: HttpRequest, pk: int) -> HttpResponse:
    guard_lists(request)
    entry = _entry(request, pk)
    form = LinkForm(request.POST, user=request.user, entry=entry, auto_id="id_l_%s")

    def call(d: dict[str, Any]) -> None:
        entry_link_agreement(actor=request.user, entry=entry, expected_version=d["version"], agreement=d["agreement"], request=request)

    return _step(request, entry, form, "link_form", call, gettext_noop("已更新政企合作协议"))


@login_required
@require_POST
def carry_over(request: HttpRequest, pk: int) -> HttpResponse:
    """动态筛选: nominate again last year's admitted enterprises (each decided by another person)."""
    guard_lists(request)
    clist: CultivationList = get_or_404(CultivationList, request, pk)
    try:
        entries = list_carry_over(actor=request.user, cultivation_list=clist, request=request)
    except ApplicationError as exc:
        messages.error(request, exc.shown)
    else:
        messages.success(
            request,
            ngettext("已推荐上年度入选企业%(n)s家，待他人审定", "已推荐上年度入选企业%(n)s家，待他人审定", len(entries))
            % {"n": len(entries)},
        )
    return redirect("cultivation:list", pk=clist.pk)
