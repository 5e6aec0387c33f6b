"""Writes of the “双50” 培育名单 (ADR 0020).

Every write is a keyword-only service with a transaction, ``full_clean``, an audit record and
(on an entry) an optimistic version check. Four eyes: whoever nominates an enterprise never
admits or rejects it (:func:`entry_decide`), and whoever proposes taking an enterprise off a list
(:func:`entry_propose_removal`) never confirms it (:func:`entry_confirm_removal`). The capacity
(50 by default) is enforced at admission, with the list's row locked.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from keyprojects.accounts import policy
from keyprojects.audit.services import audit_record
from keyprojects.core.errors import Message, NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from keyprojects.core.models import full_clean, save_versioned

from .choices import CARRIED_OVER, DEFAULT_CAPACITY, EntryStatus, ListKind
from .models import CultivationEntry, CultivationList


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, extra={"fields": {field: [message]}})


def _amount(value: Any, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise _invalid(field, gettext_noop("请输入数字")) from None
    if not amount.is_finite():
        raise _invalid(field, gettext_noop("请输入数字"))
    if amount < 0:
        raise _invalid(field, gettext_noop("金额不能为负数"))
    return amount


def _duplicate() -> ValidationFailed:
    return ValidationFailed(
        gettext_noop("该企业已在本名单中"),
        code="duplicate",
        status=409,
        extra={"fields": {"enterprise": [gettext_noop("该企业已在本名单中")]}},
    )


@transaction.atomic
def list_create(
    *,
    actor: Any,
    region: Any,
    year: int,
    kind: str,
    industry_scope: str = "",
    capacity: int = DEFAULT_CAPACITY,
    note: str = "",
    request: Any = None,
) -> CultivationList:
    """Open a region's 培育名单 of a year and kind (one per region, year and kind)."""
    if not policy.can_create_cultivation_list(actor, region):
        raise PermissionDenied(gettext_noop("只能为本地区的市或县（市、区）建立培育名单"))
    if kind not in ListKind.values:
        raise _invalid("kind", gettext_noop("请选择名单类别"))
    if CultivationList.objects.filter(region=region, year=year, kind=kind).exists():
        raise ValidationFailed(
            gettext_noop("该地区本年度已有同类培育名单"),
            code="duplicate",
            status=409,
            extra={"fields": {"kind": [gettext_noop("该地区本年度已有同类培育名单")]}},
        )
    clist = CultivationList(
        region=region,
        year=year,
        kind=kind,
        industry_scope=(industry_scope or "").strip(),
        capacity=capacity,
        note=(note or "").strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    full_clean(clist)
    clist.save()
    audit_record(
        action="cultivation_list.create",
        user=actor,
        request=request,
        obj=clist,
        changes={"region": region.pk, "year": year, "kind": kind, "capacity": capacity, "industry_scope": clist.industry_scope},
    )
    return clist


@transaction.atomic
def entry_nominate(
    *,
    actor: Any,
    cultivation_list: CultivationList,
    enterprise: Any,
    reason: str,
    revenue: Any = None,
    tax: Any = None,
    rd_spending: Any = None,
    request: Any = None,
) -> CultivationEntry:
    """Nominate an enterprise the actor sees, lying in the list's region, with a reason and its
    screening indicators (营业收入, 税收, 研发投入, 万元). A second person decides."""
    from keyprojects.enterprises.models import Enterprise

    clist = CultivationList.objects.visible_to(actor).filter(pk=cultivation_list.pk).select_related("region").first()
    if clist is None:
        raise NotFound()
    if not policy.can_nominate_to(actor, clist):
        raise PermissionDenied(gettext_noop("无权向该培育名单推荐企业"))
    ent = Enterprise.objects.visible_to(actor).filter(pk=getattr(enterprise, "pk", enterprise)).select_related("region").first()
    if ent is None:
        raise _invalid("enterprise", gettext_noop("企业不存在或无权访问"))
    if not policy.region_contains(clist.region, ent.region):
        raise _invalid("enterprise", Message(gettext_noop("企业不在%(region)s辖区内"), region=clist.region.name))
    if CultivationEntry.objects.filter(cultivation_list=clist, enterprise=ent).exists():
        raise _duplicate()
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", gettext_noop("请填写推荐理由"))
    entry = CultivationEntry(
        cultivation_list=clist,
        enterprise=ent,
        reason=reason,
        revenue=_amount(revenue, "revenue"),
        tax=_amount(tax, "tax"),
        rd_spending=_amount(rd_spending, "rd_spending"),
        nominated_by=actor if getattr(actor, "pk", None) else None,
        nominated_at=timezone.now(),
    )
    full_clean(entry)
    try:
        with transaction.atomic():  # a nomination of the same enterprise racing this one
            entry.save()
    except IntegrityError:
        raise _duplicate() from None
    audit_record(
        action="cultivation_entry.nominate",
        user=actor,
        request=request,
        obj=entry,
        changes={
            "list": clist.pk,
            "enterprise": ent.pk,
            "reason": reason,
            "revenue": entry.revenue,
            "tax": entry.tax,
            "rd_spending": entry.rd_spending,
        },
    )
    return entry


def _decidable(actor: Any, entry: CultivationEntry) -> CultivationEntry:
    """The entry fresh from the database, if the actor sees it and decides its list."""
    fresh = (
        CultivationEntry.objects.visible_to(actor)
        .filter(pk=entry.pk)
        .select_related("cultivation_list", "cultivation_list__region", "enterprise")
        .first()
    )
    if fresh is None:
        raise NotFound()
    if not policy.can_decide_cultivation(actor, fresh.cultivation_list):
        raise PermissionDenied(gettext_noop("无权审定该培育名单"))
    return fresh


@transaction.atomic
def entry_decide(
    *, actor: Any, entry: CultivationEntry, expected_version: int, admit: bool, note: str = "", request: Any = None
) -> CultivationEntry:
    """Admit a nominated enterprise (while the list has room) or reject it (with a reason).
    Never by the person who nominated it."""
    fresh = _decidable(actor, entry)
    if fresh.status != EntryStatus.NOMINATED:
        raise TransitionNotAllowed(gettext_noop("该企业不是待审定状态"))
    if policy.cultivation_nominated_by(actor, fresh):
        raise PermissionDenied(gettext_noop("推荐人不能审定自己推荐的企业（四眼原则）"))
    note = (note or "").strip()
    if not admit and not note:
        raise _invalid("note", gettext_noop("不予入选须说明理由"))
    if admit:
        clist = CultivationList.objects.select_for_update().get(pk=fresh.cultivation_list_id)
        admitted = CultivationEntry.objects.filter(cultivation_list=clist, status=EntryStatus.ADMITTED).count()
        if admitted >= clist.capacity:
            raise TransitionNotAllowed(
                Message(gettext_noop("名单已满%(capacity)s家，不能再入选；请先调出其他企业"), capacity=clist.capacity), code="list_full"
            )
    old = fresh.status
    fresh.status = EntryStatus.ADMITTED if admit else EntryStatus.REJECTED
    fresh.decided_by = actor
    fresh.decided_at = timezone.now()
    fresh.decision_note = note
    full_clean(fresh)
    save_versioned(fresh, expected_version=expected_version, fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        action="cultivation_entry.admit" if admit else "cultivation_entry.reject",
        user=actor,
        request=request,
        obj=fresh,
        changes={"status": [old, fresh.status], "note": note},
    )
    return fresh


@transaction.atomic
def entry_propose_removal(
    *, actor: Any, entry: CultivationEntry, expected_version: int, reason: str, request: Any = None
) -> CultivationEntry:
    """Propose taking an admitted enterprise off the list (动态调出), with a reason; a second person confirms."""
    fresh = (
        CultivationEntry.objects.visible_to(actor)
        .filter(pk=entry.pk)
        .select_related("cultivation_list", "cultivation_list__region")
        .first()
    )
    if fresh is None:
        raise NotFound()
    if not policy.can_nominate_to(actor, fresh.cultivation_list):
        raise PermissionDenied(gettext_noop("无权提出调出"))
    if fresh.status != EntryStatus.ADMITTED:
        raise TransitionNotAllowed(gettext_noop("只有已入选的企业可以调出"))
    if fresh.removal_proposed_by_id is not None:
        raise TransitionNotAllowed(gettext_noop("该企业已有待确认的调出申请"))
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", gettext_noop("请填写调出理由"))
    fresh.removal_reason = reason
    fresh.removal_proposed_by = actor
    fresh.removal_proposed_at = timezone.now()
    full_clean(fresh)
    save_versioned(fresh, expected_version=expected_version, fields=["removal_reason", "removal_proposed_by", "removal_proposed_at"])
    audit_record(action="cultivation_entry.propose_removal", user=actor, request=request, obj=fresh, changes={"reason": reason})
    return fresh


@transaction.atomic
def entry_confirm_removal(
    *,
    actor: Any,
    entry: CultivationEntry,
    expected_version: int,
    accept: bool,
    removed_on: dt.date | None = None,
    note: str = "",
    request: Any = None,
) -> CultivationEntry:
    """Confirm a proposed removal (the enterprise leaves the list on ``removed_on``, default
    today, freeing its place) or keep it on the list (the proposal is withdrawn, with a reason).
    Never by the person who proposed it."""
    fresh = _decidable(actor, entry)
    if not fresh.removal_pending:
        raise TransitionNotAllowed(gettext_noop("该企业没有待确认的调出申请"))
    if policy.cultivation_removal_proposed_by(actor, fresh):
        raise PermissionDenied(gettext_noop("提出调出的人不能确认自己的申请（四眼原则）"))
    note = (note or "").strip()
    today = timezone.localdate()
    if accept:
        removed_on = removed_on or today
        if removed_on > today:
            raise _invalid("removed_on", gettext_noop("调出日期不能晚于今天"))
        fresh.status = EntryStatus.REMOVED
        fresh.removed_by = actor
        fresh.removed_on = removed_on
        fields = ["status", "removed_by", "removed_on"]
        changes = {"status": [EntryStatus.ADMITTED, EntryStatus.REMOVED], "removed_on": removed_on, "reason": fresh.removal_reason}
    else:
        if not note:
            raise _invalid("note", gettext_noop("不同意调出须说明理由"))
        changes = {"withdrawn": fresh.removal_reason, "note": note}
        fresh.removal_reason = ""
        fresh.removal_proposed_by = None
        fresh.removal_proposed_at = None
        fields = ["removal_reason", "removal_proposed_by", "removal_proposed_at"]
    full_clean(fresh)
    save_versioned(fresh, expected_version=expected_version, fields=fields)
    audit_record(
        action="cultivation_entry.remove" if accept else "cultivation_entry.keep", user=actor, request=request, obj=fresh, changes=changes
    )
    return fresh


@transaction.atomic
def entry_link_agreement(
    *, actor: Any, entry: CultivationEntry, expected_version: int, agreement: Any, request: Any = None
) -> CultivationEntry:
    """Link an admitted enterprise's 一对一 政企合作协议 (an agreement of the same enterprise that
    the actor sees), or unlink it (``agreement=None``)."""
    from keyprojects.partnership.models import Agreement

    fresh = _decidable(actor, entry)
    if fresh.status != EntryStatus.ADMITTED:
        raise TransitionNotAllowed(gettext_noop("只有已入选的企业可以关联政企合作协议"))
    found = None
    if agreement not in (None, ""):
        found = Agreement.objects.visible_to(actor).filter(pk=getattr(agreement, "pk", agreement)).first()
        if found is None:
            raise _invalid("agreement", gettext_noop("协议不存在或无权访问"))
        if found.enterprise_id != fresh.enterprise_id:
            raise _invalid("agreement", gettext_noop("只能关联本企业的政企合作协议"))
    old = fresh.agreement_id
    if old == getattr(found, "pk", None):
        return fresh
    fresh.agreement = found
    save_versioned(fresh, expected_version=expected_version, fields=["agreement"])
    audit_record(
        action="cultivation_entry.link_agreement",
        user=actor,
        request=request,
        obj=fresh,
        changes={"agreement": [old, getattr(found, "pk", None)]},
    )
    return fresh


@transaction.atomic
def list_carry_over(*, actor: Any, cultivation_list: CultivationList, request: Any = None) -> list[CultivationEntry]:
    """动态筛选 for a new year: nominate again (:func:`entry_nominate`, each waiting for a second
    person's decision) every enterprise the actor sees that is on the previous year's list of the
    same region and kind (admitted, not removed) and not yet on this one, with last year's
    indicators. Returns the new entries."""
    if not CultivationList.objects.visible_to(actor).filter(pk=cultivation_list.pk).exists():
        raise NotFound()
    if not policy.can_nominate_to(actor, cultivation_list):
        raise PermissionDenied(gettext_noop("无权向该培育名单推荐企业"))
    previous = CultivationList.objects.filter(
        region_id=cultivation_list.region_id, kind=cultivation_list.kind, year=cultivation_list.year - 1
    ).first()
    if previous is None:
        raise TransitionNotAllowed(gettext_noop("没有上一年度的同类培育名单"))
    taken = CultivationEntry.objects.filter(cultivation_list=cultivation_list).values("enterprise_id")
    carried = (
        CultivationEntry.objects.visible_to(actor)
        .filter(cultivation_list=previous, status=EntryStatus.ADMITTED)
        .exclude(enterprise_id__in=taken)
        .select_related("enterprise")
        .order_by("id")
    )
    out = [
        entry_nominate(
            actor=actor,
            cultivation_list=cultivation_list,
            enterprise=e.enterprise,
            reason=CARRIED_OVER.zh(year=previous.year),
            revenue=e.revenue,
            tax=e.tax,
            rd_spending=e.rd_spending,
            request=request,
        )
        for e in carried
    ]
    audit_record(
        action="cultivation_list.carry_over",
        user=actor,
        request=request,
        obj=cultivation_list,
        changes={"from": previous.pk, "entries": [e.pk for e in out]},
    )
    return out
