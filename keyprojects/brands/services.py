"""Writes of the “泉城好品” brand selection (ADR 0019).

Every write is a keyword-only service with a transaction, ``full_clean``, an audit record and
(on updates) an optimistic version check. The flow of an application:

``draft`` (enterprise or staff on its behalf) → ``submitted`` (eligibility checked) → 初审
``passed`` or ``returned`` (with a reason; corrected and resubmitted) → ``scored`` →
``selected`` (within the round's cap, with a reward up to the ceiling) or ``not_selected``.

Four eyes: whoever entered or submitted an application neither reviews, scores nor decides it;
the decision is somebody else's than the review and the score.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop

from keyprojects.accounts import policy
from keyprojects.audit.services import audit_record, diff
from keyprojects.core.errors import Duplicate, Message, NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from keyprojects.core.models import full_clean, save_versioned, update_versioned
from keyprojects.core.uploads import delete_when_committed, store_document
from keyprojects.regions.models import Region

from .choices import (
    DECLARATIONS,
    DEFAULT_MAX_SELECTED,
    DEFAULT_REWARD_CEILING,
    EDITABLE,
    MIN_YEARS_IN_CITY,
    ROUND_STEPS,
    ApplicationStatus,
    RoundStatus,
)
from .models import BrandApplication, SelectionRound

#: Application fields the applicant writes (a form, the seeder).
APPLICATION_FIELDS = [
    "category",
    "brand_name",
    "trademark_no",
    "trademark_valid_until",
    "years_in_city",
    "has_valid_trademark",
    "is_cultivation_enterprise",
    "has_quality_system",
    "is_advanced",
    "in_haopin_shandong",
    "description",
]
ONE_PER_YEAR = gettext_noop("本企业本年度已申报过“泉城好品”（每个品牌主体每年只能申报一个类别）")


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(extra={"fields": {field: [message]}})


def _decimal(value: Any, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise _invalid(field, gettext_noop("请输入数字")) from None


def _wan(value: Decimal) -> str:
    return f"{value.normalize():f}"


# --- rounds ------------------------------------------------------------------------------------


@transaction.atomic
def round_create(
    *,
    actor: Any,
    region: Region,
    year: int,
    name: str,
    opens_on: dt.date,
    closes_on: dt.date,
    max_selected: int = DEFAULT_MAX_SELECTED,
    reward_ceiling: Decimal | int | str = DEFAULT_REWARD_CEILING,
    note: str = "",
    request: Any = None,
) -> SelectionRound:
    """Prepare a round (筹备中) of ``region`` (a city or the province)."""
    if not policy.can_manage_brand_rounds(actor, region):
        raise PermissionDenied(gettext_noop("只能组织本地区的品牌遴选"))
    if region.level not in ("city", "province"):
        raise _invalid("region", gettext_noop("品牌遴选由市或省组织"))
    r = SelectionRound(
        region=region,
        year=year,
        name=(name or "").strip(),
        opens_on=opens_on,
        closes_on=closes_on,
        max_selected=max_selected,
        reward_ceiling=_decimal(reward_ceiling, "reward_ceiling") if reward_ceiling not in (None, "") else DEFAULT_REWARD_CEILING,
        note=(note or "").strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    full_clean(r)
    r.save()
    audit_record(
        action="brand_round.create",
        user=actor,
        request=request,
        obj=r,
        changes={
            "region": region.pk,
            "year": year,
            "name": r.name,
            "opens_on": opens_on,
            "closes_on": closes_on,
            "max_selected": max_selected,
            "reward_ceiling": str(r.reward_ceiling),
        },
    )
    return r


@transaction.atomic
def closes_early(round: SelectionRound, to_status: str) -> bool:
    """Closing the applications (申报中 → 评审中) while the published window still runs (its
    last day included): the organiser must confirm it (``early_close_confirmed``)."""
    return round.status == RoundStatus.OPEN and to_status == RoundStatus.REVIEWING and timezone.localdate() <= round.closes_on


def round_advance(
    *,
    actor: Any,
    round: SelectionRound,
    expected_version: int,
    to_status: str,
    early_close_confirmed: bool = False,
    request: Any = None,
) -> SelectionRound:
    """Move a round one step (:data:`ROUND_STEPS`): open it, close the applications (评审中), mark
    every decision taken (已确定; none may be waiting), publish it, or reopen the decisions.
    Closing before the published close date (:func:`closes_early`) needs ``early_close_confirmed``."""
    fresh = SelectionRound.objects.editable_by(actor).filter(pk=round.pk).first()
    if fresh is None or not policy.can_manage_brand_rounds(actor, fresh.region):
        if SelectionRound.objects.visible_to(actor).filter(pk=round.pk).exists():
            raise PermissionDenied(gettext_noop("只能由本地区的组织单位管理该批次"))
        raise NotFound()
    if to_status not in ROUND_STEPS.get(fresh.status, ()):
        raise TransitionNotAllowed(
            Message(
                gettext_noop("批次当前为“%(now)s”，不能改为“%(to)s”"), now=RoundStatus(fresh.status).label, to=RoundStatus(to_status).label
            )
        )
    if closes_early(fresh, to_status) and not early_close_confirmed:
        raise TransitionNotAllowed(Message(gettext_noop("申报期至%(date)s，提前截止申报须先确认"), date=f"{fresh.closes_on:%Y-%m-%d}"))
    if to_status == RoundStatus.DECIDED:
        waiting = fresh.applications.filter(
            status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.PASSED, ApplicationStatus.SCORED]
        ).count()
        if waiting:
            raise TransitionNotAllowed(Message(gettext_noop("还有%(n)s份申报未完成初审、评分或认定"), n=waiting))
    old = fresh.status
    fresh.status = to_status
    save_versioned(fresh, expected_version=expected_version, fields=["status"])
    audit_record(action="brand_round.advance", user=actor, request=request, obj=fresh, changes={"status": [old, to_status]})
    return fresh


#: Round fields :func:`round_update` changes (region and year stay).
ROUND_FIELDS = ["name", "opens_on", "closes_on", "max_selected", "reward_ceiling", "note"]


@transaction.atomic
def round_update(
    *, actor: Any, round: SelectionRound, expected_version: int, data: Mapping[str, Any], request: Any = None
) -> SelectionRound:
    """Change a round while it is prepared or open. The reward ceiling only while it is prepared:
    each application keeps the ceiling of its round's opening (``reward_cap``)."""
    fresh = SelectionRound.objects.editable_by(actor).filter(pk=round.pk).first()
    if fresh is None or not policy.can_manage_brand_rounds(actor, fresh.region):
        if SelectionRound.objects.visible_to(actor).filter(pk=round.pk).exists():
            raise PermissionDenied(gettext_noop("只能由本地区的组织单位管理该批次"))
        raise NotFound()
    unknown = set(data) - set(ROUND_FIELDS)
    if unknown:
        raise ValidationFailed(extra={"fields": {k: [gettext_noop("不可修改的字段")] for k in sorted(unknown)}})
    if fresh.status not in (RoundStatus.DRAFT, RoundStatus.OPEN):
        raise TransitionNotAllowed(gettext_noop("批次已截止申报，不能修改"))
    values = dict(data)
    if "name" in values:
        values["name"] = (values["name"] or "").strip()
    if "note" in values:
        values["note"] = (values["note"] or "").strip()
    if "reward_ceiling" in values:
        ceiling = _decimal(values["reward_ceiling"], "reward_ceiling")
        values["reward_ceiling"] = DEFAULT_REWARD_CEILING if ceiling is None else ceiling
        if fresh.status != RoundStatus.DRAFT and values["reward_ceiling"] != fresh.reward_ceiling:
            raise _invalid("reward_ceiling", gettext_noop("批次开始申报后不能修改奖励上限"))
    changes = diff(*update_versioned(fresh, values, expected_version=expected_version, clean=full_clean))
    audit_record(action="brand_round.update", user=actor, request=request, obj=fresh, changes=changes)
    return fresh


# --- applications: the applicant's side -------------------------------------------------------


def _attach(application: BrandApplication, upload: Any) -> str:
    """Store ``upload`` (a document: core.uploads) on ``application``; its name."""
    application.attachment_content_type = store_document(application.attachment, upload, field="attachment", label=gettext_noop("申报材料"))
    return application.attachment.name or ""


def _values(data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(APPLICATION_FIELDS)
    if unknown:
        raise ValidationFailed(extra={"fields": {k: [gettext_noop("不可设置的字段")] for k in sorted(unknown)}})
    out = dict(data)
    for k in ("brand_name", "trademark_no", "description"):
        if k in out:
            out[k] = (out[k] or "").strip()
    if "years_in_city" in out:
        try:
            out["years_in_city"] = int(out["years_in_city"] or 0)
        except (TypeError, ValueError):
            raise _invalid("years_in_city", gettext_noop("请输入整数")) from None
    return out


def _one_per_year(round: SelectionRound, enterprise: Any, exclude: int | None = None) -> None:
    qs = BrandApplication.objects.filter(enterprise=enterprise, round__year=round.year, round__region=round.region)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise Duplicate(ONE_PER_YEAR, extra={"fields": {"category": [ONE_PER_YEAR]}})


@transaction.atomic
def application_create(
    *, actor: Any, round: SelectionRound, data: Mapping[str, Any], enterprise: Any = None, attachment: Any = None, request: Any = None
) -> BrandApplication:
    """Start an application (草稿) in an open round: an enterprise contact for its own enterprise
    (``enterprise`` is ignored), region staff for an enterprise they see."""
    from keyprojects.enterprises.models import Enterprise

    if not policy.can_enter_brand_application(actor):
        raise PermissionDenied(gettext_noop("无权填报品牌申报"))
    if not SelectionRound.objects.visible_to(actor).filter(pk=round.pk).exists():
        raise NotFound()
    if round.status != RoundStatus.OPEN:
        raise TransitionNotAllowed(gettext_noop("该批次不在申报期内"))
    if policy.is_applying_for_own_enterprise(actor):
        enterprise = actor.enterprise
    elif enterprise is None or not Enterprise.objects.visible_to(actor).filter(pk=getattr(enterprise, "pk", enterprise)).exists():
        raise _invalid("enterprise", gettext_noop("请选择本地区的申报企业"))
    if round.region_id not in {enterprise.region_id, enterprise.region.city_code, enterprise.region.province_code}:
        raise _invalid("enterprise", Message(gettext_noop("只有在%(region)s经营的企业可以申报本批次"), region=round.region.name))
    _one_per_year(round, enterprise)
    app = BrandApplication(round=round, enterprise=enterprise, reward_cap=round.reward_ceiling, **_values(data))
    app.created_by = actor if getattr(actor, "pk", None) else None
    saved = _attach(app, attachment) if attachment else ""
    full_clean(app)
    app.save()
    changes = {k: v for k, v in _values(data).items() if v not in (None, "")}
    audit_record(
        action="brand_application.create",
        user=actor,
        request=request,
        obj=app,
        changes={**changes, "round": round.pk, "enterprise": enterprise.pk, "attachment": saved},
    )
    return app


def _editable(actor: Any, application: BrandApplication) -> BrandApplication:
    fresh = (
        BrandApplication.objects.editable_by(actor).select_related("round", "round__region", "enterprise").filter(pk=application.pk).first()
    )
    if fresh is None:
        visible = BrandApplication.objects.visible_to(actor).filter(pk=application.pk).first()
        if visible is None:
            raise NotFound()
        if visible.status not in EDITABLE:
            raise TransitionNotAllowed(Message(gettext_noop("申报当前为“%(now)s”，不能修改"), now=ApplicationStatus(visible.status).label))
        raise PermissionDenied(gettext_noop("无权修改该申报"))
    return fresh


@transaction.atomic
def application_update(
    *,
    actor: Any,
    application: BrandApplication,
    expected_version: int,
    data: Mapping[str, Any],
    attachment: Any = None,
    request: Any = None,
) -> BrandApplication:
    """Change a draft or returned application."""
    fresh = _editable(actor, application)
    values = _values(data)
    replaced = fresh.attachment.name or ""
    saved = _attach(fresh, attachment) if attachment else ""
    if saved:
        values.update(attachment=fresh.attachment, attachment_content_type=fresh.attachment_content_type)
    changes = diff(*update_versioned(fresh, values, expected_version=expected_version, clean=full_clean))
    if saved and replaced:
        delete_when_committed(fresh.attachment.storage, replaced)  # the application no longer refers to it
    audit_record(action="brand_application.update", user=actor, request=request, obj=fresh, changes=changes)
    return fresh


def eligibility_errors(application: BrandApplication, round: SelectionRound) -> dict[str, list[str]]:
    """Why ``application`` may not be submitted to ``round`` (field → messages; empty: eligible).
    The rules of the notice: a registered trademark still valid on the close date, at least
    :data:`MIN_YEARS_IN_CITY` years in the city, every declaration made, and not already a
    “好品山东” product or service."""
    errors: dict[str, list[str]] = {}
    if not application.trademark_no:
        errors["trademark_no"] = [gettext_noop("请填写注册商标号")]
    until = application.trademark_valid_until
    if until is None:
        errors["trademark_valid_until"] = [gettext_noop("请填写商标有效期")]
    elif until < round.closes_on:
        errors["trademark_valid_until"] = [
            Message(
                gettext_noop("注册商标有效期至%(until)s，早于申报截止日%(closes)s，不符合申报条件"),
                until=f"{until:%Y-%m-%d}",
                closes=f"{round.closes_on:%Y-%m-%d}",
            )
        ]
    if (application.years_in_city or 0) < MIN_YEARS_IN_CITY:
        errors["years_in_city"] = [
            Message(gettext_noop("在%(region)s经营须满%(years)s年"), region=round.region.name, years=MIN_YEARS_IN_CITY)
        ]
    for field, text in DECLARATIONS:
        if not getattr(application, field):
            errors[field] = [Message(gettext_noop("须符合并确认：%(declaration)s"), declaration=gettext_lazy(text))]
    if application.in_haopin_shandong:
        errors["in_haopin_shandong"] = [gettext_noop("已入选“好品山东”的产品（服务）不得重复申报")]
    return errors


@transaction.atomic
def application_submit(
    *, actor: Any, application: BrandApplication, expected_version: int, today: dt.date | None = None, request: Any = None
) -> BrandApplication:
    """Submit a draft (or a corrected returned application) within the round's window, once it
    meets every condition (:func:`eligibility_errors`)."""
    fresh = _editable(actor, application)
    rnd = fresh.round
    today = today or timezone.localdate()
    if rnd.status != RoundStatus.OPEN or not (rnd.opens_on <= today <= rnd.closes_on):
        raise TransitionNotAllowed(
            Message(
                gettext_noop("不在申报期内（%(opens)s至%(closes)s）"), opens=f"{rnd.opens_on:%Y-%m-%d}", closes=f"{rnd.closes_on:%Y-%m-%d}"
            )
        )
    errors = eligibility_errors(fresh, rnd)
    if errors:
        raise ValidationFailed(gettext_noop("不符合申报条件，请检查标注的项目"), extra={"fields": errors})
    old = fresh.status
    fresh.status = ApplicationStatus.SUBMITTED
    fresh.submitted_by = actor
    fresh.submitted_at = timezone.now()
    full_clean(fresh)
    save_versioned(fresh, expected_version=expected_version, fields=["status", "submitted_by", "submitted_at"])
    audit_record(action="brand_application.submit", user=actor, request=request, obj=fresh, changes={"status": [old, fresh.status]})
    return fresh


# --- applications: review, score, decision -----------------------------------------------------


def _load(actor: Any, application: BrandApplication) -> BrandApplication:
    fresh = (
        BrandApplication.objects.visible_to(actor)
        .select_related("round", "round__region", "enterprise", "enterprise__region")
        .filter(pk=application.pk)
        .first()
    )
    if fresh is None:
        raise NotFound()
    return fresh


#: The refusal of each step to whoever entered or submitted the application (four eyes).
NOT_BY_APPLICANT = {
    "review": gettext_noop("填报或提交申报的人不能初审（四眼原则）"),
    "score": gettext_noop("填报或提交申报的人不能评分（四眼原则）"),
    "decide": gettext_noop("填报或提交申报的人不能认定（四眼原则）"),
}


def _not_entered_by(actor: Any, app: BrandApplication, step: str) -> None:
    if policy.brand_entered(actor, app):
        raise PermissionDenied(NOT_BY_APPLICANT[step])


@transaction.atomic
def application_review(
    *, actor: Any, application: BrandApplication, expected_version: int, passed: bool, note: str = "", request: Any = None
) -> BrandApplication:
    """The preliminary review (初审): pass a submitted application, or return it with a reason."""
    fresh = _load(actor, application)
    if fresh.status != ApplicationStatus.SUBMITTED:
        raise TransitionNotAllowed(gettext_noop("该申报不在待初审状态"))
    if fresh.round.status not in (RoundStatus.OPEN, RoundStatus.REVIEWING):
        raise TransitionNotAllowed(gettext_noop("该批次已结束评审"))
    _not_entered_by(actor, fresh, "review")
    if not policy.can_review_brand(actor, fresh):
        raise PermissionDenied(gettext_noop("无权初审该申报"))
    note = (note or "").strip()
    if not passed and not note:
        raise _invalid("note", gettext_noop("退回须说明理由"))
    old = fresh.status
    fresh.status = ApplicationStatus.PASSED if passed else ApplicationStatus.RETURNED
    fresh.review_note = note
    fresh.reviewed_by = actor
    fresh.reviewed_at = timezone.now()
    full_clean(fresh)
    save_versioned(fresh, expected_version=expected_version, fields=["status", "review_note", "reviewed_by", "reviewed_at"])
    audit_record(
        action="brand_application.pass" if passed else "brand_application.return",
        user=actor,
        request=request,
        obj=fresh,
        changes={"status": [old, fresh.status], "note": note},
    )
    return fresh


@transaction.atomic
def application_score(
    *, actor: Any, application: BrandApplication, expected_version: int, score: Any, request: Any = None
) -> BrandApplication:
    """Enter the experts' score (0–100) of an application that passed the preliminary review
    (it may be corrected until the decision)."""
    fresh = _load(actor, application)
    if fresh.status not in (ApplicationStatus.PASSED, ApplicationStatus.SCORED):
        raise TransitionNotAllowed(gettext_noop("只有初审通过的申报可以评分"))
    if fresh.round.status != RoundStatus.REVIEWING:
        raise TransitionNotAllowed(gettext_noop("批次申报截止（评审中）后才能评分"))
    _not_entered_by(actor, fresh, "score")
    if not policy.can_score_brand(actor, fresh):
        raise PermissionDenied(gettext_noop("只有批次组织单位可以录入评分"))
    value = _decimal(score, "score")
    if value is None:
        raise _invalid("score", gettext_noop("请填写得分"))
    if not (0 <= value <= 100):
        raise _invalid("score", gettext_noop("得分应在0到100之间"))
    old = (fresh.status, fresh.score)
    fresh.status = ApplicationStatus.SCORED
    fresh.score = value
    fresh.scored_by = actor
    fresh.scored_at = timezone.now()
    if actor.pk not in fresh.scorer_ids:  # a correction by another person: both are scorers
        fresh.scorer_ids = [*fresh.scorer_ids, actor.pk]
    full_clean(fresh)
    save_versioned(fresh, expected_version=expected_version, fields=["status", "score", "scored_by", "scored_at", "scorer_ids"])
    audit_record(
        action="brand_application.score",
        user=actor,
        request=request,
        obj=fresh,
        changes={"status": [old[0], fresh.status], "score": [old[1], value]},
    )
    return fresh


@transaction.atomic
def application_decide(
    *,
    actor: Any,
    application: BrandApplication,
    expected_version: int,
    select: bool,
    reward_amount: Any = None,
    note: str = "",
    request: Any = None,
) -> BrandApplication:
    """Select a scored application (奖励 up to the round's ceiling; by default the ceiling) or not.
    Never by the person who entered, submitted, reviewed or scored it; no more selections than
    the round's cap (the round row is locked while counting)."""
    fresh = _load(actor, application)
    if fresh.status != ApplicationStatus.SCORED:
        raise TransitionNotAllowed(gettext_noop("只有已评分的申报可以认定"))
    _not_entered_by(actor, fresh, "decide")
    if policy.brand_reviewed_or_scored(actor, fresh):
        raise PermissionDenied(gettext_noop("初审或评分的人不能认定同一申报（四眼原则）"))
    if not policy.can_decide_brand(actor, fresh):
        raise PermissionDenied(gettext_noop("只有批次组织单位可以认定"))
    rnd = SelectionRound.objects.select_for_update().get(pk=fresh.round_id)
    if rnd.status != RoundStatus.REVIEWING:
        raise TransitionNotAllowed(gettext_noop("批次不在评审中，不能认定"))
    reward = None
    if select:
        chosen = rnd.applications.filter(status=ApplicationStatus.SELECTED).count()
        if chosen >= rnd.max_selected:
            raise TransitionNotAllowed(
                Message(gettext_noop("已达本批次上限%(cap)s个，不能再认定入选"), cap=rnd.max_selected), code="cap_reached"
            )
        reward = _decimal(reward_amount, "reward_amount")
        reward = fresh.reward_cap if reward is None else reward
        if reward < 0:
            raise _invalid("reward_amount", gettext_noop("奖励金额不能为负数"))
        if reward > fresh.reward_cap:
            raise _invalid("reward_amount", Message(gettext_noop("奖励金额不能超过%(cap)s万元"), cap=_wan(fresh.reward_cap)))
    old = fresh.status
    fresh.status = ApplicationStatus.SELECTED if select else ApplicationStatus.NOT_SELECTED
    fresh.reward_amount = reward
    fresh.decision_note = (note or "").strip()
    fresh.decided_by = actor
    fresh.decided_at = timezone.now()
    full_clean(fresh)
    save_versioned(
        fresh, expected_version=expected_version, fields=["status", "reward_amount", "decision_note", "decided_by", "decided_at"]
    )
    audit_record(
        action="brand_application.select" if select else "brand_application.reject",
        user=actor,
        request=request,
        obj=fresh,
        changes={"status": [old, fresh.status], "reward_amount": reward, "note": fresh.decision_note},
    )
    return fresh
