"""Writes of 到资 (funds arrived for a signed lead), four eyes (the user trial of 招商引资).

Whoever enters a figure never confirms it; whoever asks for a change never decides it:

* :func:`fund_arrival_add` enters an amount (待确认) — or a *correction* of a confirmed entry
  (``replaces`` and a reason): a new entry, never an edit of the figure in place;
* :func:`fund_decide` is somebody else's decision on what waits: a new entry or a correction is
  confirmed (it counts from then on; a confirmed correction voids the entry it replaces) or
  returned with a reason; a 冲销 asked for is carried out or refused with a reason;
* :func:`fund_void_request` asks for a confirmed entry to be voided (冲销), with a reason;
* :func:`fund_withdraw` is the enterer's own 撤回 of an entry still waiting (待确认): it never counts.

Who may decide is asked of the policy (:func:`policy.can_confirm_funds`: region staff over the
lead — the county's second account, the city, the province — never the asker). Only confirmed
entries count (``FundArrival.objects.counted()``, read by ``selectors.lead_facts`` and so by the
funnel, 资金到位率, the assessment indicators, the API and the exports). Every step checks the
entry's version, writes a :class:`~.models.FundEvent` (the history the lead page shows) and an
audit record, in one transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_noop

from keyprojects.accounts import policy
from keyprojects.audit.services import audit_record
from keyprojects.core.errors import Message, NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from keyprojects.core.models import full_clean, save_versioned
from keyprojects.core.money import format_wan

from .choices import AWAITING_FUNDS, SIGNED_STAGES, STANDING_FUNDS, FundEventKind, FundStatus
from .models import VOIDED_BY_CORRECTION, FundArrival, FundEvent, Lead

#: 到资 beyond this many times the agreement's amount is taken for a unit slip (元 for 万元) and refused.
FUNDS_SLIP_FACTOR = 10

NOT_YOURS_TO_CONFIRM = gettext_noop("登记到资的人不能确认自己的登记（四眼原则），请由本地区其他账号或上级确认")
NOT_YOURS_TO_VOID = gettext_noop("申请冲销的人不能确认自己的申请（四眼原则），请由本地区其他账号或上级确认")
NOT_YOURS_TO_WITHDRAW = gettext_noop("只有登记人本人可以撤回待确认的到资登记")
NO_RIGHT_TO_CONFIRM = gettext_noop("无权确认该到资记录：到资由线索所在地区的区域工作人员（本级其他账号或上级）确认")


def _event(entry: FundArrival, kind: str, actor: Any, note: str = "") -> None:
    FundEvent.objects.create(entry=entry, kind=kind, actor=actor if getattr(actor, "pk", None) else None, note=(note or "")[:500])


def _lead_editable(user: Any, lead: Lead) -> Lead:
    from .services import _editable

    return _editable(user, lead)


def _entry(user: Any, entry: Any) -> FundArrival:
    """The entry as it is now, if ``user`` sees its lead (else 404)."""
    pk = getattr(entry, "pk", entry)
    fresh = FundArrival.objects.visible_to(user).select_related("lead", "replaces").filter(pk=pk).first()
    if fresh is None:
        raise NotFound()
    return fresh


@transaction.atomic
def fund_arrival_add(
    *,
    user: Any,
    lead: Lead,
    arrived_on: dt.date,
    arrived_amount: Any,
    note: str = "",
    replaces: Any = None,
    reason: str = "",
    request: Any = None,
) -> FundArrival:
    """Enter money that arrived (到资) for a signed lead. It waits (待确认) for somebody else's
    confirmation and counts only from then on. With ``replaces`` (a confirmed entry of the lead)
    and a ``reason`` it is a correction: confirming it voids the entry it replaces."""
    from .services import _amount

    fresh = _lead_editable(user, lead)
    if fresh.stage not in SIGNED_STAGES:
        raise TransitionNotAllowed(gettext_noop("签约后才能登记到资"))
    amount = _amount(arrived_amount, "arrived_amount")
    original = None
    reason = (reason or "").strip()
    if replaces not in (None, ""):
        original = FundArrival.objects.filter(pk=getattr(replaces, "pk", replaces), lead=fresh).first()
        if original is None:
            raise ValidationFailed(extra={"fields": {"replaces": [gettext_noop("要更正的到资记录不存在")]}})
        if original.status != FundStatus.CONFIRMED:
            raise TransitionNotAllowed(gettext_noop("只能更正已确认且未申请冲销的到资记录"))
        if original.corrections.filter(status=FundStatus.PENDING).exists():
            raise TransitionNotAllowed(gettext_noop("该到资记录已有待确认的更正，请等待确认或退回后再更正"))
        if not reason:
            raise ValidationFailed(gettext_noop("请填写更正原因"), extra={"fields": {"reason": [gettext_noop("更正到资须说明原因")]}})
    entry = FundArrival(
        lead=fresh, arrived_on=arrived_on, arrived_amount=amount, note=(note or "")[:300], recorded_by=user,
        status=FundStatus.PENDING, replaces=original, reason=reason[:500],
    )  # fmt: skip
    full_clean(entry, exclude=["lead", "recorded_by", "replaces"])
    if fresh.signed_on and arrived_on < fresh.signed_on:
        raise ValidationFailed(extra={"fields": {"arrived_on": [gettext_noop("到资日期不能早于签约日期")]}})
    signed = fresh.signed_amount
    standing = fresh.funds.filter(status__in=STANDING_FUNDS).exclude(pk=getattr(original, "pk", None))
    total = (standing.aggregate(s=Sum("arrived_amount"))["s"] or Decimal(0)) + amount
    if signed and total > signed * FUNDS_SLIP_FACTOR:  # 元 typed for 万元: far beyond anything agreed
        message = Message(
            gettext_noop("累计到资将达%(total)s万元，是签约额%(signed)s万元的%(times)s倍，请核对金额单位是否为万元（1亿元 = 10000万元）"),
            total=format_wan(total),
            signed=format_wan(signed),
            times=f"{total / signed:.0f}",
        )
        raise ValidationFailed(extra={"fields": {"arrived_amount": [message]}})
    entry.save()
    _event(entry, FundEventKind.RECORDED, user, reason or note)
    changes = {"entry": entry.pk, "arrived_on": str(arrived_on), "arrived_amount": str(amount), "status": entry.status}
    if original is not None:
        changes.update(replaces=original.pk, replaced_amount=str(original.arrived_amount), reason=reason)
    audit_record(action="lead.funds", user=user, request=request, obj=fresh, changes=changes, message=reason[:500])
    return entry


def _decider(user: Any, fresh: FundArrival) -> None:
    """Refuse ``user`` unless they may decide what waits on ``fresh`` (four eyes)."""
    if fresh.status not in AWAITING_FUNDS:
        raise TransitionNotAllowed(gettext_noop("该到资记录没有待确认的登记或冲销申请"))
    if fresh.asker_id is not None and fresh.asker_id == getattr(user, "pk", None):
        raise PermissionDenied(NOT_YOURS_TO_VOID if fresh.status == FundStatus.VOID_PENDING else NOT_YOURS_TO_CONFIRM)
    if not policy.can_confirm_funds(user, fresh):
        raise PermissionDenied(NO_RIGHT_TO_CONFIRM)


def _void_replaced(*, user: Any, correction: FundArrival, now: Any, request: Any) -> None:
    """A confirmed correction voids the entry it replaces (which must still be confirmed)."""
    original = FundArrival.objects.filter(pk=correction.replaces_id).first()
    if original is None or original.status != FundStatus.CONFIRMED:
        raise TransitionNotAllowed(gettext_noop("被更正的到资记录已冲销或正在申请冲销，这条更正不能再确认，请退回"))
    original.status = FundStatus.VOIDED
    original.void_requested_by = correction.recorded_by
    amount = format_wan(correction.arrived_amount)
    original.void_reason = Message(VOIDED_BY_CORRECTION.template, amount=amount, reason=correction.reason)[:500]
    original.voided_by = user
    original.voided_at = now
    fields = ["status", "void_requested_by", "void_reason", "voided_by", "voided_at"]
    save_versioned(original, expected_version=original.version, fields=fields)
    _event(original, FundEventKind.VOIDED, user, original.void_reason)
    audit_record(
        action="lead.funds_void", user=user, request=request, obj=original,
        changes={"status": [FundStatus.CONFIRMED, FundStatus.VOIDED], "replaced_by": correction.pk}, message=original.void_reason,
    )  # fmt: skip


@transaction.atomic
def fund_decide(*, user: Any, entry: Any, expected_version: int, accept: bool, note: str = "", request: Any = None) -> FundArrival:
    """Decide what waits on a 到资 entry, as somebody other than who asked for it:

    * a new entry or a correction (待确认): confirm it — it counts from now on, and a correction
      voids the entry it replaces — or return it with a reason (it never counts);
    * a 冲销 asked for (冲销待确认): void the entry — it no longer counts — or refuse the 冲销
      with a reason (it still counts)."""
    fresh = _entry(user, entry)
    _decider(user, fresh)
    note = (note or "").strip()
    if not accept and not note:
        raise ValidationFailed(gettext_noop("请填写退回理由"), extra={"fields": {"note": [gettext_noop("退回须说明理由")]}})
    now = timezone.now()
    old = fresh.status
    if old == FundStatus.PENDING and accept:
        fresh.status, fresh.confirmed_by, fresh.confirmed_at, fresh.return_note = FundStatus.CONFIRMED, user, now, ""
        fields, kind, action = ["status", "confirmed_by", "confirmed_at", "return_note"], FundEventKind.CONFIRMED, "lead.funds_confirm"
    elif old == FundStatus.PENDING:
        fresh.status, fresh.return_note = FundStatus.RETURNED, note[:500]
        fields, kind, action = ["status", "return_note"], FundEventKind.RETURNED, "lead.funds_return"
    elif accept:  # a 冲销 carried out
        fresh.status, fresh.voided_by, fresh.voided_at = FundStatus.VOIDED, user, now
        fields, kind, action = ["status", "voided_by", "voided_at"], FundEventKind.VOIDED, "lead.funds_void"
    else:  # a 冲销 refused: the entry counts as before
        fresh.status, fresh.void_requested_by, fresh.void_reason, fresh.return_note = FundStatus.CONFIRMED, None, "", note[:500]
        fields = ["status", "void_requested_by", "void_reason", "return_note"]
        kind, action = FundEventKind.VOID_RETURNED, "lead.funds_void_return"
    full_clean(fresh, exclude=["lead", "recorded_by", "replaces"])
    save_versioned(fresh, expected_version=expected_version, fields=fields)
    if old == FundStatus.PENDING and accept and fresh.replaces_id is not None:
        _void_replaced(user=user, correction=fresh, now=now, request=request)
    _event(fresh, kind, user, note if not accept else (fresh.void_reason if kind == FundEventKind.VOIDED else note))
    audit_record(
        action=action, user=user, request=request, obj=fresh,
        changes={"status": [old, fresh.status], "lead": fresh.lead_id, "arrived_amount": str(fresh.arrived_amount), "note": note},
        message=note[:500],
    )  # fmt: skip
    return fresh


@transaction.atomic
def fund_void_request(*, user: Any, entry: Any, expected_version: int, reason: str, request: Any = None) -> FundArrival:
    """Ask for a confirmed 到资 entry to be voided (冲销), with a reason. It still counts until
    somebody else decides (:func:`fund_decide`)."""
    fresh = _entry(user, entry)
    _lead_editable(user, fresh.lead)
    if fresh.status != FundStatus.CONFIRMED:
        raise TransitionNotAllowed(gettext_noop("只能冲销已确认且未申请冲销的到资记录"))
    if fresh.corrections.filter(status=FundStatus.PENDING).exists():
        raise TransitionNotAllowed(gettext_noop("该到资记录已有待确认的更正，请等待确认或退回后再冲销"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(gettext_noop("请填写冲销原因"), extra={"fields": {"reason": [gettext_noop("冲销须说明原因")]}})
    fresh.status, fresh.void_requested_by, fresh.void_reason, fresh.return_note = FundStatus.VOID_PENDING, user, reason[:500], ""
    save_versioned(fresh, expected_version=expected_version, fields=["status", "void_requested_by", "void_reason", "return_note"])
    _event(fresh, FundEventKind.VOID_REQUESTED, user, reason)
    audit_record(
        action="lead.funds_void_request", user=user, request=request, obj=fresh,
        changes={"status": [FundStatus.CONFIRMED, fresh.status], "lead": fresh.lead_id, "reason": reason}, message=reason[:500],
    )  # fmt: skip
    return fresh


@transaction.atomic
def fund_withdraw(*, user: Any, entry: Any, expected_version: int, note: str = "", request: Any = None) -> FundArrival:
    """The enterer withdraws her own entry (or correction) while it still waits (待确认), with an
    optional note: it becomes 已撤回 and never counts. Nobody else withdraws it (a confirmer
    returns it instead, with a reason)."""
    fresh = _entry(user, entry)
    if fresh.recorded_by_id is None or fresh.recorded_by_id != getattr(user, "pk", None):
        raise PermissionDenied(NOT_YOURS_TO_WITHDRAW)
    if fresh.status != FundStatus.PENDING:
        raise TransitionNotAllowed(gettext_noop("只能撤回待确认的到资登记"))
    note = (note or "").strip()
    fresh.status = FundStatus.WITHDRAWN
    save_versioned(fresh, expected_version=expected_version, fields=["status"])
    _event(fresh, FundEventKind.WITHDRAWN, user, note)
    audit_record(
        action="lead.funds_withdraw", user=user, request=request, obj=fresh,
        changes={"status": [FundStatus.PENDING, fresh.status], "lead": fresh.lead_id, "arrived_amount": str(fresh.arrived_amount),
                 "note": note},
        message=note[:500],
    )  # fmt: skip
    return fresh
