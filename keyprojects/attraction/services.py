"""Writes of 招商引资 (issue 16). Views, the API, the demo seeder and commands all call these.

Every stage step goes through one function here that checks the edge, the version (optimistic
lock), the service checklist, writes a :class:`~.models.LeadEvent` and an audit record, all in
one transaction. Signing makes the 政企合作协议 through the partnership app's service; landing
makes (or links) the registry project through ``projects.services`` — never directly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from keyprojects.accounts import policy
from keyprojects.audit.services import audit_record, diff
from keyprojects.core.errors import Message, NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed, listed
from keyprojects.core.models import attname, full_clean, save_versioned
from keyprojects.core.money import format_wan

from .choices import DROPPABLE, FORWARD, PIPELINE, EventKind, LeadStage
from .models import Activity, Lead, LeadCheck, LeadEvent, ServiceItem

#: Lead fields a form or the API may write; stage, signing and landing fields only move through
#: the step services below.
LEAD_FIELDS = [
    "name",
    "investor_name",
    "investor_uscc",
    "investor_origin",
    "investor_location",
    "source",
    "source_activity",
    "chain",
    "industry_section",
    "industry_division",
    "intended_amount",
    "content",
    "region",
    "unit",
    "leader",
    "contact_name",
    "contact_phone",
    "obtained_on",
]
ACTIVITY_FIELDS = ["kind", "held_on", "days", "destination", "leader", "participants", "investors_met", "result", "region", "unit"]

LINK_MESSAGES = {
    "unit": gettext_noop("责任单位不在可选范围内"),
    "leader": gettext_noop("责任领导不在可选范围内"),
    "enterprise": gettext_noop("签约企业不在您的管辖范围内"),
    "source_activity": gettext_noop("来源活动不存在或无权访问"),
}


#: A step the stage machine does not have (the project registry refuses its own with the same words).
NO_SUCH_STEP = gettext_noop("不能从“%(frm)s”直接变更为“%(to)s”")


def _reach(user: Any) -> dict[str, Any]:
    from keyprojects.projects.selectors import leaders_assignable, owners_assignable, units_assignable

    return {
        "unit": units_assignable,
        "leader": leaders_assignable,
        "enterprise": owners_assignable,
        "source_activity": lambda u: Activity.objects.visible_to(u),
    }


def _check_links(user: Any, obj: Any, fields: Any) -> None:
    if policy.is_superuser(user):
        return
    reach = _reach(user)
    errors = {}
    for f in fields:
        if f in reach:
            value_id = getattr(obj, f"{f}_id", None)
            if value_id is not None and not reach[f](user).filter(pk=value_id).exists():
                errors[f] = [LINK_MESSAGES[f]]
    if errors:
        raise ValidationFailed(extra={"fields": errors})


def _place(obj: Any) -> None:
    obj.province_code = obj.region.province_code
    obj.city_code = obj.region.city_code or ""


def _snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    return {f: getattr(obj, attname(type(obj), f)) for f in fields}


def _placed_values(user: Any, data: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    values = {k: v for k, v in data.items() if k in fields}
    forced, defaults = policy.lead_placement(user)
    values = {**defaults, **values, **forced}
    region = values.get("region")
    if region is None:
        raise ValidationFailed(extra={"fields": {"region": [gettext_noop("请选择所属区域")]}})
    if not policy.region_in_scope(user, region):
        raise ValidationFailed(extra={"fields": {"region": [gettext_noop("所属区域超出您的管辖范围")]}})
    return values


# ---- leads --------------------------------------------------------------------------------------


@transaction.atomic
def lead_create(*, user: Any, data: dict[str, Any], request: Any = None) -> Lead:
    """Record a lead in 信息获取 (entered on its 获取日期, default today)."""
    if not policy.can_record_leads(user):
        raise PermissionDenied()
    values = _placed_values(user, data, LEAD_FIELDS)
    values.setdefault("obtained_on", None)
    if values["obtained_on"] is None:
        values["obtained_on"] = timezone.localdate()
    lead = Lead(**values, stage=LeadStage.INFO, stage_entered_on=values["obtained_on"], created_by=user)
    _check_links(user, lead, values)
    _place(lead)
    full_clean(lead, exclude=["created_by"])
    lead.save()
    LeadEvent.objects.create(lead=lead, kind=EventKind.CREATED, to_stage=LeadStage.INFO, on_date=lead.obtained_on, actor=user)
    audit_record(action="lead.create", user=user, request=request, obj=lead, changes=diff({}, _snapshot(lead, LEAD_FIELDS)))
    return lead


def _editable(user: Any, lead: Lead) -> Lead:
    """The lead as it is now in the database, if ``user`` may write it (else 404)."""
    if not policy.can_record_leads(user):
        raise PermissionDenied()
    fresh = Lead.objects.editable_by(user).filter(pk=lead.pk).select_related("region", "agreement", "agreement__enterprise").first()
    if fresh is None:
        raise NotFound()
    return fresh


@transaction.atomic
def lead_update(*, user: Any, lead: Lead, expected_version: int, data: dict[str, Any], request: Any = None) -> Lead:
    """Change whitelisted fields if the row still has ``expected_version`` (else 409)."""
    fresh = _editable(user, lead)
    unknown = set(data) - set(LEAD_FIELDS)
    if unknown:
        raise ValidationFailed(extra={"fields": {k: [gettext_noop("不可修改的字段")] for k in sorted(unknown)}})
    forced, _defaults = policy.lead_placement(user)
    before = _snapshot(fresh, LEAD_FIELDS)
    for f, value in data.items():
        if f not in forced:
            setattr(fresh, f, value)
    if not policy.region_in_scope(user, fresh.region):
        raise ValidationFailed(extra={"fields": {"region": [gettext_noop("所属区域超出您的管辖范围")]}})
    if fresh.agreement_id is not None and fresh.region_id != before["region"]:
        # the agreement was signed by this region's government and the landed project lies in it:
        # moving the lead would credit the signing, its 到资 and the landing to another region
        signed_in = fresh.agreement.region.name  # type: ignore[union-attr]
        message = Message(gettext_noop("线索已签约，所属区域以协议的签约地（%(region)s）为准，不能修改"), region=signed_in)
        raise ValidationFailed(extra={"fields": {"region": [message]}})
    if fresh.stage != LeadStage.INFO and "obtained_on" in data and data["obtained_on"] != before["obtained_on"]:
        raise ValidationFailed(extra={"fields": {"obtained_on": [gettext_noop("线索已推进，获取日期不能再修改")]}})
    _place(fresh)
    full_clean(fresh, exclude=["created_by"])
    after = _snapshot(fresh, LEAD_FIELDS)
    changed = [f for f in LEAD_FIELDS if before[f] != after[f]]
    _check_links(user, fresh, changed)
    fields = changed + (["province_code", "city_code"] if "region" in changed else [])
    if "obtained_on" in changed:
        fresh.stage_entered_on = fresh.obtained_on
        fields.append("stage_entered_on")
    save_versioned(fresh, expected_version=expected_version, fields=fields)
    if changed:
        audit_record(
            action="lead.update",
            user=user,
            request=request,
            obj=fresh,
            changes=diff({f: before[f] for f in changed}, {f: after[f] for f in changed}),
        )
    return fresh


def missing_required(lead: Lead) -> list[ServiceItem]:
    """The required service items of the lead's current stage not yet done."""
    done = LeadCheck.objects.filter(lead=lead).values("item_id")
    return list(ServiceItem.objects.filter(stage=lead.stage, is_active=True, required=True).exclude(pk__in=done))


def _step_date(lead: Lead, on_date: dt.date | None) -> dt.date:
    today = timezone.localdate()
    day = on_date or today
    if day > today:
        raise ValidationFailed(extra={"fields": {"on_date": [gettext_noop("日期不能晚于今天")]}})
    if day < lead.stage_entered_on:
        message = Message(gettext_noop("日期不能早于进入本阶段的日期（%(date)s）"), date=f"{lead.stage_entered_on:%Y-%m-%d}")
        raise ValidationFailed(extra={"fields": {"on_date": [message]}})
    return day


def _step(
    *,
    user: Any,
    lead: Lead,
    to_stage: str,
    kind: str,
    expected_version: int,
    on_date: dt.date,
    reason: str = "",
    fields: list[str] | None = None,
    changes: dict[str, Any] | None = None,
    request: Any = None,
) -> Lead:
    """Move ``lead`` (fresh, already checked) to ``to_stage``: version, event row, audit."""
    frm = lead.stage
    lead.stage = to_stage
    lead.stage_entered_on = on_date
    save_versioned(lead, expected_version=expected_version, fields=["stage", "stage_entered_on", *(fields or [])])
    LeadEvent.objects.create(lead=lead, kind=kind, from_stage=frm, to_stage=to_stage, on_date=on_date, reason=reason[:500], actor=user)
    audit_record(
        action=f"lead.{kind}",
        user=user,
        request=request,
        obj=lead,
        changes={"stage": [frm, to_stage], "on_date": str(on_date), **(changes or {})},
        message=reason[:500],
    )
    return lead


def _forward_check(lead: Lead, to_stage: str) -> None:
    if FORWARD.get(lead.stage) != to_stage:
        labels = dict(LeadStage.choices)
        raise TransitionNotAllowed(Message(NO_SUCH_STEP, frm=labels.get(lead.stage, lead.stage), to=labels.get(to_stage, to_stage)))
    missing = missing_required(lead)
    if missing:
        raise TransitionNotAllowed(
            Message(gettext_noop("本阶段还有必办服务事项未完成：%(items)s"), items=listed([i.display_name_lazy for i in missing]))
        )


@transaction.atomic
def lead_advance(
    *, user: Any, lead: Lead, expected_version: int, on_date: dt.date | None = None, note: str = "", request: Any = None
) -> Lead:
    """The plain forward steps: 信息获取 → 考察洽谈, and 落地 → 反馈 (``note`` is the feedback).
    签约 and 落地 have their own services (:func:`lead_sign`, :func:`lead_land`)."""
    fresh = _editable(user, lead)
    target = FORWARD.get(fresh.stage, "")
    if target in (LeadStage.SIGNED, LeadStage.LANDED):
        raise TransitionNotAllowed(gettext_noop("签约、落地请使用“签约”“落地”操作（须填写协议或项目）"))
    _forward_check(fresh, target)
    day = _step_date(fresh, on_date)
    fields: list[str] = []
    note = (note or "").strip()
    if target == LeadStage.FEEDBACK:
        if not note:
            raise ValidationFailed(gettext_noop("请填写反馈意见"), extra={"fields": {"note": [gettext_noop("进入反馈阶段须填写反馈意见")]}})
        fresh.feedback = note
        fields.append("feedback")
    return _step(
        user=user, lead=fresh, to_stage=target, kind=EventKind.ADVANCED, expected_version=expected_version, on_date=day, reason=note,
        fields=fields, request=request,
    )  # fmt: skip


@transaction.atomic
def lead_drop(*, user: Any, lead: Lead, expected_version: int, reason: str, on_date: dt.date | None = None, request: Any = None) -> Lead:
    """Give a lead up (信息获取, 考察洽谈 or 签约), with a reason."""
    fresh = _editable(user, lead)
    if fresh.stage not in DROPPABLE:
        raise TransitionNotAllowed(Message(gettext_noop("“%(stage)s”阶段的线索不能终止"), stage=LeadStage(fresh.stage).label))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(gettext_noop("请填写原因"), extra={"fields": {"reason": [gettext_noop("终止线索须填写原因")]}})
    day = _step_date(fresh, on_date)
    fresh.stage_before_drop = fresh.stage
    fresh.drop_reason = reason[:500]
    return _step(
        user=user, lead=fresh, to_stage=LeadStage.DROPPED, kind=EventKind.DROPPED, expected_version=expected_version, on_date=day,
        reason=reason, fields=["stage_before_drop", "drop_reason"], request=request,
    )  # fmt: skip


@transaction.atomic
def lead_reopen(*, user: Any, lead: Lead, expected_version: int, reason: str = "", request: Any = None) -> Lead:
    """Take a given-up lead up again, in the stage it was given up from."""
    fresh = _editable(user, lead)
    if fresh.stage != LeadStage.DROPPED or not fresh.stage_before_drop:
        raise TransitionNotAllowed(gettext_noop("只有已终止的线索可以重新启动"))
    target = fresh.stage_before_drop
    fresh.stage_before_drop = ""
    fresh.drop_reason = ""
    return _step(
        user=user, lead=fresh, to_stage=target, kind=EventKind.REOPENED, expected_version=expected_version,
        on_date=timezone.localdate(), reason=reason or "", fields=["stage_before_drop", "drop_reason"], request=request,
    )  # fmt: skip


def _amount(value: Any, field: str, *, digits: int = 12) -> Decimal:
    """An amount in 万元 with 4 places below ``10**digits`` (12: Decimal(16, 4))."""
    try:
        d = Decimal(str(value))
    except Exception:  # noqa: BLE001 - any unparsable input is the same error
        raise ValidationFailed(extra={"fields": {field: [gettext_noop("请输入金额（万元）")]}}) from None
    if not d.is_finite() or d < 0 or d >= Decimal(10) ** digits:
        message = Message(gettext_noop("金额应不小于0且小于%(cap)s万元"), cap=format_wan(Decimal(10) ** digits, places=0))
        raise ValidationFailed(extra={"fields": {field: [message]}})
    return d.quantize(Decimal("0.0001"))


def lead_writable_fields(user: Any) -> list[str]:
    """The lead fields ``user`` may set (a county's leads stay in its county, a department's are
    its unit's: the placement the policy forces is not writable)."""
    forced, _defaults = policy.lead_placement(user)
    return [f for f in LEAD_FIELDS if f not in forced]


SIGN_NOT_YOURS = gettext_noop("签约时录入政企合作协议，由本地区的区域工作人员办理；部门账号可以登记考察洽谈情况和服务事项，不能签约。")


@transaction.atomic
def lead_sign(
    *,
    user: Any,
    lead: Lead,
    expected_version: int,
    enterprise: Any,
    signed_on: dt.date,
    amount: Any,
    title: str = "",
    commitments: list[dict[str, Any]] | None = None,
    signatory_name: str = "",
    request: Any = None,
) -> Lead:
    """考察洽谈 → 签约: the 政企合作协议 made through ``partnership.services.agreement_create``
    (the lead's agreement, not a copy: ``source="attraction"``, ``source_ref`` the lead's id) with
    the signing enterprise (the investor or its local project company, registered and in scope),
    the day, the amount and the commitments of both sides; the government signatory is the lead's
    unit, else ``signatory_name`` (default: the region's 人民政府)."""
    from keyprojects.partnership.services import agreement_create

    fresh = _editable(user, lead)
    if not policy.can_record_agreements(user):  # (agreement_create would say "your own region" only)
        raise PermissionDenied(SIGN_NOT_YOURS)
    _forward_check(fresh, LeadStage.SIGNED)
    day = _step_date(fresh, signed_on)
    if enterprise is None:
        raise ValidationFailed(extra={"fields": {"enterprise": [gettext_noop("请选择签约企业（须已在企业库登记）")]}})
    if not policy.is_superuser(user) and not _reach(user)["enterprise"](user).filter(pk=enterprise.pk).exists():
        raise ValidationFailed(extra={"fields": {"enterprise": [LINK_MESSAGES["enterprise"]]}})
    agreement = agreement_create(
        actor=user,
        enterprise=enterprise,
        region=fresh.region,
        title=(title or "").strip() or f"{fresh.name}投资合作协议",
        signed_on=day,
        amount=_amount(amount, "amount"),
        commitments=commitments or [],
        signatory_unit=fresh.unit,
        signatory_name="" if fresh.unit_id else ((signatory_name or "").strip() or f"{fresh.region.name}人民政府"),
        source="attraction",
        source_ref=str(fresh.pk),
        request=request,
    )
    fresh.agreement = agreement
    changes = {"agreement": agreement.pk, "enterprise": enterprise.pk, "amount": str(agreement.amount)}
    return _step(
        user=user, lead=fresh, to_stage=LeadStage.SIGNED, kind=EventKind.SIGNED, expected_version=expected_version, on_date=day,
        reason=agreement.title, fields=["agreement"], changes=changes, request=request,
    )  # fmt: skip


def _list_flags(region: Any) -> dict[str, bool]:
    level = {"province": "on_province_list", "city": "on_city_list"}.get(region.level, "on_county_list")
    return {level: True}


@transaction.atomic
def lead_land(
    *,
    user: Any,
    lead: Lead,
    expected_version: int,
    landed_on: dt.date | None = None,
    project: Any = None,
    project_data: dict[str, Any] | None = None,
    annual_plan: Any = None,
    request: Any = None,
) -> Lead:
    """签约 → 落地: link ``project`` (an existing registry project in the user's editable scope),
    or create one through ``projects.services.project_create`` from the lead (name, the
    agreement's enterprise as owner, region, industry, the agreement's amount as 总投资, unit,
    leader; ``project_data`` overrides) on the landing year's list of the lead's level. The
    project is linked to the agreement and moved into 前期手续, so that it reports from the next
    month's dispatch on (``dispatch.selectors.due_projects``)."""
    from keyprojects.partnership.services import agreement_link_project
    from keyprojects.projects.choices import Stage
    from keyprojects.projects.models import Project
    from keyprojects.projects.services import project_create, project_transition

    fresh = _editable(user, lead)
    _forward_check(fresh, LeadStage.LANDED)
    day = _step_date(fresh, landed_on)
    if project is not None:
        if not Project.objects.editable_by(user).filter(pk=project.pk).exists():
            raise ValidationFailed(extra={"fields": {"project": [gettext_noop("项目不存在或不在您的管辖范围内")]}})
        if Lead.objects.filter(project=project).exclude(pk=fresh.pk).exists():
            raise ValidationFailed(extra={"fields": {"project": [gettext_noop("该项目已关联其他招商线索")]}})
        created = False
    else:
        from keyprojects.projects.selectors import leaders_assignable, units_assignable

        data: dict[str, Any] = {
            "name": fresh.name,
            "owner": fresh.enterprise,
            "region": fresh.region,
            "industry_section": fresh.industry_section,
            "industry_division": fresh.industry_division,
            "category": "industry",
            "nature": "new",
            "total_investment": fresh.signed_amount if fresh.signed_amount is not None else fresh.intended_amount,
            "content": fresh.content,
            "contact_name": fresh.contact_name,
            "contact_phone": fresh.contact_phone,
        }
        if fresh.unit_id and (policy.is_superuser(user) or units_assignable(user).filter(pk=fresh.unit_id).exists()):
            data["responsible_unit"] = fresh.unit
        if fresh.leader_id and (policy.is_superuser(user) or leaders_assignable(user).filter(pk=fresh.leader_id).exists()):
            data["sponsor_leader"] = fresh.leader
        data.update(project_data or {})
        plan = _amount(annual_plan if annual_plan not in (None, "") else 0, "annual_plan", digits=14)
        total = data.get("total_investment")
        if total is not None and plan > total:  # a year cannot plan more than the whole project (a 元/万元 slip)
            message = Message(gettext_noop("当年计划投资不能超过项目总投资（%(total)s万元），请核对金额单位"), total=format_wan(total))
            raise ValidationFailed(extra={"fields": {"annual_plan": [message]}})
        # the plan is the year's in which the project first reports (the month after landing): a
        # December landing reports from next January, so this year's plan would only lower this
        # year's completion rate with nothing ever reported against it
        first = day.year + 1 if day.month == 12 else day.year
        years = [{"year": day.year, "annual_plan": plan if first == day.year else Decimal(0), **_list_flags(fresh.region)}]
        if first != day.year:
            years.append({"year": first, "annual_plan": plan, **_list_flags(fresh.region)})
        project = project_create(user=user, data=data, years=years, request=request)
        created = True
    if project.stage == Stage.RESERVE:
        try:
            project_transition(user=user, project=project, to_stage=Stage.PREPARATION, reason="招商项目落地", on_date=day, request=request)
        except ValidationFailed as exc:  # the landing day is the move's (e.g. in a month already closed): said at 落地日期
            fields = dict(exc.extra.get("fields") or {})
            if "on_date" in fields:
                fields["landed_on"] = fields.pop("on_date")
            raise ValidationFailed(exc.message, extra={**exc.extra, "fields": fields}) from exc
    if fresh.agreement is not None:
        agreement_link_project(actor=user, agreement=fresh.agreement, project=project, request=request)
    fresh.project = project
    fresh.landed_on = day
    return _step(
        user=user, lead=fresh, to_stage=LeadStage.LANDED, kind=EventKind.LANDED, expected_version=expected_version, on_date=day,
        reason=f"{'新建' if created else '关联'}项目：{project.name}", fields=["project", "landed_on"],
        changes={"project": project.pk, "created": created}, request=request,
    )  # fmt: skip


# ---- the checklist -----------------------------------------------------------------------------


@transaction.atomic
def lead_check(
    *, user: Any, lead: Lead, item: ServiceItem, done: bool = True, done_on: dt.date | None = None, note: str = "", request: Any = None
) -> LeadCheck | None:
    """Mark a service item of the lead's current (or an earlier) stage done, or not done."""
    fresh = _editable(user, lead)
    if not item.is_active:
        raise ValidationFailed(extra={"fields": {"item": [gettext_noop("服务事项已停用")]}})
    stage = fresh.stage_before_drop if fresh.stage == LeadStage.DROPPED else fresh.stage
    if item.stage not in PIPELINE or stage not in PIPELINE or PIPELINE.index(item.stage) > PIPELINE.index(stage):
        # the page offers the items up to the lead's stage (selectors.checklist); a later stage's
        # item is done once the lead gets there, not ahead of it
        message = Message(gettext_noop("“%(stage)s”阶段的服务事项须在线索进入该阶段后办理"), stage=LeadStage(item.stage).label)
        raise ValidationFailed(message, extra={"fields": {"item": [message]}})
    existing = LeadCheck.objects.filter(lead=fresh, item=item).first()
    if not done:
        if existing is not None:
            existing.delete()
            audit_record(action="lead.uncheck", user=user, request=request, obj=fresh, changes={"item": item.name})
        return None
    day = done_on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationFailed(extra={"fields": {"done_on": [gettext_noop("日期不能晚于今天")]}})
    if existing is not None:
        return existing
    check = LeadCheck.objects.create(lead=fresh, item=item, done_on=day, note=(note or "")[:300], done_by=user)
    audit_record(action="lead.check", user=user, request=request, obj=fresh, changes={"item": item.name, "done_on": str(day)})
    return check


# ---- activities -------------------------------------------------------------------------------------


@transaction.atomic
def activity_create(*, user: Any, data: dict[str, Any], request: Any = None) -> Activity:
    """Record a 招商活动 (trip, visit, meeting, event) of the user's scope."""
    if not policy.can_record_leads(user):
        raise PermissionDenied()
    values = _placed_values(user, data, ACTIVITY_FIELDS)
    act = Activity(**values, created_by=user)
    _check_links(user, act, values)
    _place(act)
    full_clean(act, exclude=["created_by"])
    act.save()
    audit_record(action="activity.create", user=user, request=request, obj=act, changes=diff({}, _snapshot(act, ACTIVITY_FIELDS)))
    return act


# 到资 (four eyes: entered, confirmed by somebody else, voided or corrected by a new entry)
from .services_funds import FUNDS_SLIP_FACTOR, fund_arrival_add, fund_decide, fund_void_request, fund_withdraw  # noqa: E402, F401
