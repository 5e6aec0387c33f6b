"""Writes of 政企合作协议 and their commitments (issue 15, item 4).

Every write is a keyword-only service with a transaction, ``full_clean``, an audit record and
(on updates) an optimistic version check. Other apps create agreements through
:func:`agreement_create` — the 招商 pipeline (``keyprojects.attraction``) from a signed lead,
with ``source="attraction"`` and ``source_ref`` the lead's id.

Four eyes: a fulfilment is recorded with evidence by one person (:func:`commitment_claim`) and
confirmed or sent back by another (:func:`commitment_confirm`). These two are the only writes of
a commitment's status, and they stamp it: ``claimed_at`` when a claim is recorded,
``confirmed_at`` when it is confirmed. A confirmed (settled) status is final — a claim needs an
open commitment and a confirmation a claimed one — so the status on any past day follows from the
two stamps (:func:`.selectors.status_on`, what the 履约率 of a past month is judged on).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from keyprojects.accounts import policy
from keyprojects.audit.services import audit_record, diff
from keyprojects.core.errors import Message, NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from keyprojects.core.models import full_clean, save_versioned, update_versioned
from keyprojects.core.uploads import store_document
from keyprojects.regions.models import Region, Unit

from .choices import CLAIMABLE_RESULTS, DEFAULT_MEASURE, AgreementSource, CommitmentStatus
from .models import Agreement, Commitment

#: Agreement fields a form or the API may write (enterprise and region are set at creation).
AGREEMENT_FIELDS = ["title", "signatory_unit", "signatory_name", "signed_on", "amount", "note"]
#: Optional keyword arguments of :func:`agreement_create`.
AGREEMENT_OPTIONAL = {"signatory_unit", "signatory_name", "projects", "source", "source_ref", "note", "request"}
#: Fields of a new commitment.
COMMITMENT_FIELDS = ["party", "kind", "description", "target_value", "measure", "due_on", "owner_unit"]


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(extra={"fields": {field: [message]}})


def _decimal(value: Any, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise _invalid(field, gettext_noop("请输入数字")) from None


def _unit(value: Any, field: str) -> Unit | None:
    if value is None or value == "" or isinstance(value, Unit):
        return value or None
    unit = Unit.objects.filter(pk=value).first() if str(value).isdigit() else None
    if unit is None:
        raise _invalid(field, gettext_noop("单位不存在"))
    return unit


def _commitment_values(data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(COMMITMENT_FIELDS)
    if unknown:
        raise ValidationFailed(extra={"fields": {k: [gettext_noop("不可设置的字段")] for k in sorted(unknown)}})
    out = dict(data)
    out["target_value"] = _decimal(out.get("target_value"), "target_value")
    out["owner_unit"] = _unit(out.get("owner_unit"), "owner_unit")
    if out["target_value"] is not None and not (out.get("measure") or "").strip():
        out["measure"] = DEFAULT_MEASURE.get(out.get("kind", ""), "")
    out["measure"] = (out.get("measure") or "").strip()
    return out


def _new_commitment(*, actor: Any, agreement: Agreement, data: Mapping[str, Any], request: Any, index: int | None = None) -> Commitment:
    c = Commitment(agreement=agreement, **_commitment_values(data))
    try:
        c.full_clean(exclude=["agreement"])
    except ValidationError as exc:
        err = ValidationFailed.from_django(exc)
        if index is not None:
            err.extra = {"fields": {f"commitments[{index}].{k}": v for k, v in err.extra.get("fields", {}).items()}}
        raise err from exc
    c.save()
    audit_record(
        action="commitment.create", user=actor, request=request, obj=c, changes={k: str(v) for k, v in data.items() if v is not None}
    )
    return c


@transaction.atomic
def agreement_create(
    *,
    actor: Any,
    enterprise: Any,
    region: Region,
    title: str,
    signed_on: dt.date,
    amount: Decimal | int | str,
    commitments: Iterable[Mapping[str, Any]] = (),
    **optional: Any,
) -> Agreement:
    """Record a signed agreement and its commitments in one transaction.

    ``optional``: ``signatory_unit`` (a :class:`Unit` or its id), ``signatory_name`` (when no unit
    is chosen), ``projects`` (projects to link), ``source`` / ``source_ref`` (where it came from,
    e.g. ``source="attraction", source_ref=str(lead.pk)``; one agreement per source record),
    ``note``, ``request``. Each commitment is a mapping of :data:`COMMITMENT_FIELDS`.
    """
    unknown = set(optional) - AGREEMENT_OPTIONAL
    if unknown:
        raise TypeError(f"agreement_create() got unexpected arguments: {', '.join(sorted(unknown))}")
    request = optional.get("request")
    if not policy.can_record_agreements(actor) or not policy.region_in_scope(actor, region):
        raise PermissionDenied(gettext_noop("只能录入本地区的政企合作协议"))
    source = optional.get("source") or ""
    source_ref = str(optional.get("source_ref") or "")
    if source and source not in AgreementSource.values:
        raise _invalid("source", gettext_noop("来源不正确"))
    if source_ref and Agreement.objects.filter(source=source, source_ref=source_ref).exists():
        message = gettext_noop("该来源记录已登记过协议")
        raise ValidationFailed(message, code="duplicate", status=409, extra={"fields": {"source_ref": [message]}})
    agreement = Agreement(
        title=(title or "").strip(),
        enterprise=enterprise,
        region=region,
        signatory_unit=_unit(optional.get("signatory_unit"), "signatory_unit"),
        signatory_name=(optional.get("signatory_name") or "").strip(),
        signed_on=signed_on,
        amount=_decimal(amount, "amount") if amount not in (None, "") else Decimal(0),
        source=source,
        source_ref=source_ref,
        note=(optional.get("note") or "").strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    full_clean(agreement)
    agreement.save()
    projects = list(optional.get("projects") or [])
    if projects:
        from keyprojects.projects.models import Project

        visible = set(Project.objects.visible_to(actor).filter(pk__in=[getattr(p, "pk", p) for p in projects]).values_list("pk", flat=True))
        if len(visible) != len({getattr(p, "pk", p) for p in projects}):
            raise _invalid("projects", gettext_noop("关联项目不存在或无权访问"))
        agreement.projects.set(visible)
    audit_record(
        action="agreement.create",
        user=actor,
        request=request,
        obj=agreement,
        changes={
            "title": title,
            "enterprise": enterprise.pk,
            "region": region.pk,
            "signed_on": signed_on,
            "amount": str(agreement.amount),
            "source": source,
            "source_ref": source_ref,
            "projects": sorted(agreement.projects.values_list("pk", flat=True)),
        },
    )
    for i, data in enumerate(commitments):
        _new_commitment(actor=actor, agreement=agreement, data=data, request=request, index=i)
    return agreement


def _editable_agreement(actor: Any, agreement: Agreement) -> Agreement:
    """The agreement as stored, locked for the transaction: a new commitment and a change of the
    signing date are checked against each other (:func:`_signing_after_commitments`) one at a time."""
    if not Agreement.objects.editable_by(actor).filter(pk=agreement.pk).exists():
        if Agreement.objects.visible_to(actor).filter(pk=agreement.pk).exists():
            raise PermissionDenied()
        raise NotFound()
    return Agreement.objects.select_for_update().get(pk=agreement.pk)


@transaction.atomic
def agreement_update(*, actor: Any, agreement: Agreement, expected_version: int, data: Mapping[str, Any], request: Any = None) -> Agreement:
    fresh = _editable_agreement(actor, agreement)
    unknown = set(data) - set(AGREEMENT_FIELDS)
    if unknown:
        raise ValidationFailed(extra={"fields": {k: [gettext_noop("不可修改的字段")] for k in sorted(unknown)}})
    values = dict(data)
    if "amount" in values:
        values["amount"] = _decimal(values["amount"], "amount") or Decimal(0)
    if "signatory_unit" in values:
        values["signatory_unit"] = _unit(values["signatory_unit"], "signatory_unit")
    if "signed_on" in values:
        _signing_after_commitments(fresh, values["signed_on"])
    changes = diff(*update_versioned(fresh, values, expected_version=expected_version, clean=full_clean))
    audit_record(action="agreement.update", user=actor, request=request, obj=fresh, changes=changes)
    return fresh


def _signing_after_commitments(agreement: Agreement, value: Any) -> None:
    """A commitment cannot fall due before its agreement is signed (``Commitment.clean`` for a new
    one): a signing date after a commitment's due date is refused, naming the first such
    commitment. (A date that is not a date is left to the field's own check.)"""
    try:
        signed_on = Agreement._meta.get_field("signed_on").to_python(value)
    except ValidationError:
        return
    if not isinstance(signed_on, dt.date):
        return
    early = agreement.commitments.filter(due_on__lt=signed_on).order_by("due_on", "id").first()
    if early is not None:
        message = Message(
            gettext_noop("签订日期不能晚于承诺“%(commitment)s”的履约期限（%(due)s），请先修改该承诺的履约期限"),
            commitment=early.description[:40],
            due=early.due_on.isoformat(),
        )
        raise ValidationFailed(extra={"fields": {"signed_on": [message]}})


@transaction.atomic
def commitment_add(*, actor: Any, agreement: Agreement, data: Mapping[str, Any], request: Any = None) -> Commitment:
    """Add one commitment to an agreement the actor keeps."""
    fresh = _editable_agreement(actor, agreement)
    return _new_commitment(actor=actor, agreement=fresh, data=data, request=request)


@transaction.atomic
def commitment_claim(
    *,
    actor: Any,
    commitment: Commitment,
    expected_version: int,
    result: str,
    evidence_text: str = "",
    evidence_file: Any = None,
    achieved_value: Any = None,
    claimed_on: dt.date | None = None,
    request: Any = None,
) -> Commitment:
    """Record a commitment's fulfilment (已履行 / 部分履行, or 未履行) with evidence — a text, a
    file (PDF, JPEG, PNG or WebP, at most 10 MB) or both. It waits for somebody else's
    confirmation (:func:`commitment_confirm`)."""
    fresh = Commitment.objects.select_related("agreement").filter(pk=commitment.pk).first()
    if fresh is None or not Commitment.objects.visible_to(actor).filter(pk=fresh.pk).exists():
        raise NotFound()
    if not policy.can_claim_commitment(actor, fresh):
        raise PermissionDenied(gettext_noop("无权登记该承诺的履约情况"))
    if fresh.status != CommitmentStatus.OPEN:
        raise TransitionNotAllowed(gettext_noop("该承诺已登记履约情况，不能重复登记"))
    if result not in CLAIMABLE_RESULTS:
        raise _invalid("result", gettext_noop("请选择履约结果"))
    today = timezone.localdate()
    claimed_on = claimed_on or today
    if claimed_on > today:
        raise _invalid("claimed_on", gettext_noop("履约日期不能晚于今天"))
    evidence_text = (evidence_text or "").strip()
    if not evidence_text and not evidence_file:
        raise _invalid("evidence_text", gettext_noop("登记履约情况须提供佐证说明或材料"))
    before = {"status": fresh.status}
    fresh.status = CommitmentStatus.CLAIMED
    fresh.claimed_result = result
    fresh.evidence_text = evidence_text
    fresh.achieved_value = _decimal(achieved_value, "achieved_value")
    fresh.claimed_by = actor
    fresh.claimed_on = claimed_on
    fresh.claimed_at = timezone.now()
    fresh.confirm_note = ""
    fields = ["status", "claimed_result", "evidence_text", "achieved_value", "claimed_by", "claimed_on", "claimed_at", "confirm_note"]
    if evidence_file:
        fresh.evidence_content_type = store_document(fresh.evidence_file, evidence_file, field="evidence_file", label="佐证材料")
        fields += ["evidence_file", "evidence_content_type"]
    full_clean(fresh, exclude=["agreement"])
    save_versioned(fresh, expected_version=expected_version, fields=fields)
    audit_record(
        action="commitment.claim",
        user=actor,
        request=request,
        obj=fresh,
        changes={
            "status": [before["status"], fresh.status],
            "claimed_result": result,
            "achieved_value": fresh.achieved_value,
            "evidence_text": evidence_text,
            "evidence_file": fresh.evidence_file.name if evidence_file else "",
        },
    )
    return fresh


@transaction.atomic
def commitment_confirm(
    *, actor: Any, commitment: Commitment, expected_version: int, accept: bool, note: str = "", request: Any = None
) -> Commitment:
    """Confirm a recorded fulfilment (the commitment takes the recorded result) or send it back
    (open again, with a reason). Never by the person who recorded it."""
    fresh = Commitment.objects.select_related("agreement").filter(pk=commitment.pk).first()
    if fresh is None or not Commitment.objects.visible_to(actor).filter(pk=fresh.pk).exists():
        raise NotFound()
    if fresh.status != CommitmentStatus.CLAIMED:
        raise TransitionNotAllowed(gettext_noop("该承诺没有待确认的履约登记"))
    if fresh.claimed_by_id == getattr(actor, "pk", None):
        raise PermissionDenied(gettext_noop("登记履约的人不能确认自己的登记（四眼原则）"))
    if not policy.can_confirm_commitment(actor, fresh):
        raise PermissionDenied(gettext_noop("无权确认该承诺的履约情况"))
    note = (note or "").strip()
    if not accept and not note:
        raise _invalid("note", gettext_noop("退回须说明理由"))
    old = fresh.status
    fresh.status = fresh.claimed_result if accept else CommitmentStatus.OPEN
    fresh.confirmed_by = actor if accept else None
    fresh.confirmed_at = timezone.now() if accept else None
    fresh.confirm_note = note
    fields = ["status", "confirmed_by", "confirmed_at", "confirm_note"]
    if not accept:
        fresh.claimed_result = ""
        fields.append("claimed_result")
    full_clean(fresh, exclude=["agreement"])
    save_versioned(fresh, expected_version=expected_version, fields=fields)
    audit_record(
        action="commitment.confirm" if accept else "commitment.return",
        user=actor,
        request=request,
        obj=fresh,
        changes={"status": [old, fresh.status], "note": note},
    )
    return fresh


@transaction.atomic
def agreement_link_project(*, actor: Any, agreement: Agreement, project: Any, request: Any = None) -> Agreement:
    """Link a registry project to an agreement the actor keeps (the 招商 pipeline when a signed
    lead lands: lead → agreement → project)."""
    from keyprojects.projects.models import Project

    fresh = _editable_agreement(actor, agreement)
    if not Project.objects.visible_to(actor).filter(pk=getattr(project, "pk", project)).exists():
        raise _invalid("projects", gettext_noop("关联项目不存在或无权访问"))
    if fresh.projects.filter(pk=project.pk).exists():
        return fresh
    fresh.projects.add(project)
    audit_record(action="agreement.link_project", user=actor, request=request, obj=fresh, changes={"project": project.pk})
    return fresh
