"""Writes to 企业诉求 (issue 15): every state change of a request happens here, in one
transaction, checks the allowed edge and the version, writes a :class:`RequestEvent` and an audit
record. Views, the Open311 API, commands and the demo seeder all call these.

Deadlines count working days on the one calendar (:mod:`keyprojects.core.workdays`): a routed
unit acknowledges within :data:`~.choices.ACKNOWLEDGE_DAYS`, answers within the category's limit
(counted again from a reopening); an approved extension moves the resolve deadline.

Every service takes an optional ``now`` (aware datetime) so the demo seeder and tests can place
steps in the past."""

from __future__ import annotations

import datetime as dt
import os
import unicodedata
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from keyprojects.accounts import policy
from keyprojects.audit.services import audit_record
from keyprojects.core.errors import Message, NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from keyprojects.core.models import full_clean, save_versioned, update_versioned
from keyprojects.core.uploads import store_document
from keyprojects.core.workdays import add_working_days
from keyprojects.enterprises.models import Enterprise
from keyprojects.projects.models import Project
from keyprojects.regions.models import Unit

from . import event_text as text
from .choices import (
    ACKNOWLEDGE_DAYS,
    MAX_ATTACHMENTS,
    OPEN_STATUSES,
    STAFF_SOURCES,
    AttachmentStage,
    EventKind,
    ExtensionStatus,
    Rating,
    RequestStatus,
    Source,
)
from .models import (
    EnterpriseRequest,
    ExtensionRequest,
    Meeting,
    RequestAssignment,
    RequestAttachment,
    RequestCategory,
    RequestEvent,
    RoutingRule,
)

#: Fields a form or the API may give when raising a request.
REQUEST_FIELDS = [
    "category",
    "title",
    "description",
    "project",
    "contact_name",
    "contact_phone",
    "address_string",
    "latitude",
    "longitude",
]


def _zh(label: Any) -> str:
    """A choice's label as stored in a history note: in Chinese, whatever the page's language."""
    with translation.override("zh-hans"):
        return str(label)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(extra={"fields": {field: [message]}})


def _actor_name(user: Any, actor_name: str = "") -> str:
    if actor_name:
        return actor_name
    if user is not None and getattr(user, "is_authenticated", False):
        return str(user.get_full_name() or user.get_username())
    return ""


def _event(
    req: EnterpriseRequest,
    kind: str,
    *,
    user: Any,
    at: dt.datetime,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    unit: Unit | None = None,
    actor_name: str = "",
) -> RequestEvent:
    actor = user if user is not None and getattr(user, "is_authenticated", False) else None
    return RequestEvent.objects.create(
        request=req,
        kind=kind,
        at=at,
        actor=actor,
        actor_name=_actor_name(user, actor_name)[:150],
        from_status=from_status,
        to_status=to_status,
        note=note[:1000],
        unit=unit,
    )


def _fresh(req: EnterpriseRequest | int) -> EnterpriseRequest:
    pk: int = req.pk if isinstance(req, EnterpriseRequest) else req
    fresh = EnterpriseRequest.objects.select_related("enterprise", "category", "region").filter(pk=pk).first()
    if fresh is None:
        raise NotFound()
    return fresh


def _coerce(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    cat = out.get("category")
    if cat is not None and not isinstance(cat, RequestCategory):
        found = RequestCategory.objects.filter(is_active=True).filter(code=str(cat)).first()
        if found is None and str(cat).isdigit():
            found = RequestCategory.objects.filter(is_active=True, pk=int(str(cat))).first()
        if found is None:
            raise _fail("category", gettext_noop("诉求类别不存在或已停用"))
        out["category"] = found
    proj = out.get("project")
    if proj not in (None, "") and not isinstance(proj, Project):
        found_p = Project.objects.filter(pk=int(str(proj))).first() if str(proj).isdigit() else None
        if found_p is None:
            raise _fail("project", gettext_noop("关联项目不存在"))
        out["project"] = found_p
    elif proj == "":
        out["project"] = None
    for f in ("latitude", "longitude"):
        v = out.get(f)
        if v in ("", None):
            out[f] = None
        elif not isinstance(v, Decimal):
            try:
                out[f] = Decimal(str(v)).quantize(Decimal("0.000001"))
            except (InvalidOperation, ValueError):
                raise _fail(f, gettext_noop("请输入数字")) from None
    for f in ("title", "description", "contact_name", "contact_phone", "address_string"):
        if f in out and out[f] is None:
            out[f] = ""
    return out


def _shown_name(upload: Any) -> str:
    """The name a file was uploaded with, as shown on the page: no folder, no control characters,
    at most 200 characters (keeping its extension)."""
    name = os.path.basename(str(getattr(upload, "name", "") or "").replace("\\", "/"))
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip() or "附件"
    if len(name) > 200:
        stem, ext = os.path.splitext(name)
        name = stem[: 200 - len(ext[:20])] + ext[:20]
    return name


def _attach(
    req: EnterpriseRequest, uploads: Iterable[Any], *, stage: str, user: Any, at: dt.datetime, unit: Unit | None = None
) -> list[RequestAttachment]:
    """Store ``uploads`` (documents: :func:`keyprojects.core.uploads.store_document`, the
    project's one rule for attached files) on ``req``. A refusal names the field ``attachments``;
    the files go again with the transaction if it does not commit."""
    files = [u for u in uploads if u]
    if len(files) > MAX_ATTACHMENTS:
        raise _fail("attachments", Message(gettext_noop("最多上传%(n)s个附件"), n=MAX_ATTACHMENTS))
    done: list[RequestAttachment] = []
    for upload in files:
        att = RequestAttachment(
            request=req,
            stage=stage,
            name=_shown_name(upload),
            size=int(upload.size),
            uploaded_by=user if getattr(user, "is_authenticated", False) else None,
            unit=unit,
            uploaded_at=at,
        )
        att.content_type = store_document(att.file, upload, field="attachments", label=gettext_noop("附件"))
        done.append(att)
        att.save()
    return done


def route_units(category: RequestCategory, region: Any) -> list[Unit]:
    """The units the routing rules send ``category`` from ``region`` to: the most specific
    region with rules (county, then its city, then the province)."""
    for code in (region.code, region.city_code, region.province_code):
        if not code:
            continue
        rules = RoutingRule.objects.filter(category=category, region_id=code, unit__is_active=True).select_related("unit")
        units = [r.unit for r in rules]
        if units:
            return units
    return []


def _assign(
    req: EnterpriseRequest, units: Iterable[Unit], *, user: Any, at: dt.datetime, reason: str, kind: str, actor_name: str = ""
) -> list[Unit]:
    added = []
    active = set(req.assignments.filter(active=True).values_list("unit_id", flat=True))
    for unit in units:
        if unit.pk in active:
            continue
        RequestAssignment.objects.create(request=req, unit=unit, reason=reason[:300])
        _event(req, kind, user=user, at=at, unit=unit, note=reason, actor_name=actor_name)
        active.add(unit.pk)
        added.append(unit)
    return added


@transaction.atomic
def request_create(
    *,
    user: Any,
    enterprise: Enterprise,
    data: dict[str, Any],
    source: str = Source.ENTERPRISE,
    meeting: Meeting | None = None,
    actor_name: str = "",
    attachments: Iterable[Any] = (),
    now: dt.datetime | None = None,
    request: Any = None,
) -> EnterpriseRequest:
    """Raise a request: an enterprise contact for its own enterprise (source 企业提交), region
    staff for an enterprise in their scope (会议/走访/电话), or the Open311 API (``user`` None,
    ``source`` Open311, called by :mod:`.open311`). Routed at once by the rules. ``attachments``:
    uploaded documents (:func:`_attach`)."""
    at = _now(now)
    if source == Source.OPEN311:
        if user is not None:
            raise PermissionDenied()
    elif policy.is_raising_for_own_enterprise(user):
        if enterprise.pk != user.enterprise_id:
            raise PermissionDenied()
        if source != Source.ENTERPRISE or meeting is not None:
            raise _fail("source", gettext_noop("企业只能以“企业提交”方式提出诉求"))
    elif policy.can_route_requests(user):
        if source not in STAFF_SOURCES:
            raise _fail("source", gettext_noop("请选择诉求来源：会议、走访或电话"))
        if not Enterprise.objects.visible_to(user).filter(pk=enterprise.pk).exists():
            raise NotFound()
        if meeting is not None and not Meeting.objects.visible_to(user).filter(pk=meeting.pk).exists():
            raise NotFound()
    else:
        raise PermissionDenied()
    if meeting is not None and source != Source.MEETING:
        raise _fail("meeting", gettext_noop("只有会议来源的诉求才能关联交流会"))
    unknown = set(data) - set(REQUEST_FIELDS)
    if unknown:
        raise ValidationFailed(extra={"fields": {k: ["不可设置的字段"] for k in sorted(unknown)}})
    values = _coerce(data)
    if "category" not in values or values["category"] is None:
        raise _fail("category", gettext_noop("请选择诉求类别"))
    region = enterprise.region
    day = timezone.localdate(at)
    req = EnterpriseRequest(
        enterprise=enterprise,
        source=source,
        meeting=meeting,
        raised_by=user if user is not None and getattr(user, "is_authenticated", False) else None,
        region=region,
        province_code=region.province_code,
        city_code=region.city_code,
        submitted_at=at,
        acknowledge_due=add_working_days(day, ACKNOWLEDGE_DAYS),
        resolve_due=add_working_days(day, values["category"].resolve_limit_days),
        **values,
    )
    full_clean(req, exclude=["enterprise", "region", "category", "raised_by", "meeting"])
    req.save()
    files = _attach(req, attachments, stage=AttachmentStage.REQUEST, user=user, at=at)
    _event(
        req,
        EventKind.CREATED,
        user=user,
        at=at,
        to_status=req.status,
        note=text.SOURCE.zh(source=_zh(Source(source).label)),
        actor_name=actor_name,
    )
    _assign(
        req,
        route_units(req.category, region),
        user=None,
        at=at,
        reason=text.BY_RULES.zh(),
        kind=EventKind.ROUTED,
        actor_name=text.RULES_ACTOR,
    )
    audit_record(
        action="request.create",
        user=user,
        request=request,
        obj=req,
        changes={
            "enterprise": enterprise.pk,
            "category": req.category.code,
            "source": source,
            "title": req.title,
            **({"attachments": [f.name for f in files]} if files else {}),
        },
        username=actor_name,
    )
    return req


def _check_version(expected_version: int) -> int:
    """The version the caller saw: every change of a request is checked against it (ADR 0006);
    none is a caller's bug, not something to guess."""
    if expected_version is None or isinstance(expected_version, bool):
        raise TypeError("expected_version is required")
    return int(expected_version)


def _touch(req: EnterpriseRequest, expected_version: int) -> None:
    """Bump the version of a request whose own fields do not change (routing, extensions)."""
    save_versioned(req, expected_version=_check_version(expected_version), fields=[])


def _clean_request(req: EnterpriseRequest) -> None:
    full_clean(req, exclude=["enterprise", "region", "category", "raised_by", "meeting", "project"])


def _clean_step(req: EnterpriseRequest) -> None:
    """A step (acknowledge, reply, route, …) cleans what it sets, not the 联系电话 stored when the
    request was raised: a number kept from before the telephone rule must not make the request
    impossible to handle (no step form shows the number to correct it)."""
    full_clean(req, exclude=["enterprise", "region", "category", "raised_by", "meeting", "project", "contact_phone"])


def _move(
    req: EnterpriseRequest,
    *,
    to: str,
    fields: dict[str, Any],
    expected_version: int,
) -> str:
    """Set ``status`` and ``fields`` with the optimistic lock; answers the former status."""
    before = req.status
    clean = _clean_request if "contact_phone" in fields else _clean_step
    update_versioned(req, {"status": to, **fields}, expected_version=_check_version(expected_version), clean=clean)
    return before


def _require(req: EnterpriseRequest, allowed: Iterable[str]) -> None:
    if req.status not in tuple(allowed):
        raise TransitionNotAllowed(Message(gettext_noop("诉求当前为“%(status)s”，不能执行该操作"), status=RequestStatus(req.status).label))


def _visible(user: Any, req: EnterpriseRequest) -> None:
    if not EnterpriseRequest.objects.visible_to(user).filter(pk=req.pk).exists():
        raise NotFound()


def _take(
    req: EnterpriseRequest | int, user: Any, may: Callable[[Any, EnterpriseRequest], bool], allowed: Iterable[str]
) -> EnterpriseRequest:
    """The request read afresh, once the user sees it, ``may`` act on it and its status is ``allowed``."""
    fresh = _fresh(req)
    _visible(user, fresh)
    if not may(user, fresh):
        raise PermissionDenied()
    _require(fresh, allowed)
    return fresh


def _unit_or_none(value: Any, field: str) -> Unit:
    unit = (
        value
        if isinstance(value, Unit)
        else (Unit.objects.filter(pk=int(str(value)), is_active=True).first() if str(value).isdigit() else None)
    )
    if unit is None:
        raise _fail(field, gettext_noop("单位不存在或已停用"))
    return unit


@transaction.atomic
def request_route(
    *,
    user: Any,
    req: EnterpriseRequest,
    units: Iterable[Any],
    reason: str = "",
    expected_version: int,
    now: dt.datetime | None = None,
    request: Any = None,
) -> EnterpriseRequest:
    """分办: send an open request to (more) units."""
    fresh = _take(req, user, lambda u, _: policy.can_route_requests(u), OPEN_STATUSES)
    chosen = [_unit_or_none(u, "units") for u in units]
    if not chosen:
        raise _fail("units", gettext_noop("请选择承办单位"))
    at = _now(now)
    _touch(fresh, expected_version)
    added = _assign(fresh, chosen, user=user, at=at, reason=reason or text.BY_HAND.zh(), kind=EventKind.ROUTED)
    audit_record(action="request.route", user=user, request=request, obj=fresh, changes={"units": [u.pk for u in added]})
    return fresh


@transaction.atomic
def request_reroute(
    *,
    user: Any,
    req: EnterpriseRequest,
    from_unit: Any,
    to_unit: Any,
    reason: str,
    expected_version: int,
    now: dt.datetime | None = None,
    request: Any = None,
) -> EnterpriseRequest:
    """改派: move an open request from one unit to another, with a reason."""
    fresh = _take(req, user, lambda u, _: policy.can_route_requests(u), OPEN_STATUSES)
    if not (reason or "").strip():
        raise _fail("reason", gettext_noop("改派须说明理由"))
    source = _unit_or_none(from_unit, "from_unit")
    target = _unit_or_none(to_unit, "to_unit")
    if source.pk == target.pk:
        raise _fail("to_unit", gettext_noop("改派的单位不能与原单位相同"))
    if not fresh.assignments.filter(unit=source, active=True).update(active=False):
        raise _fail("from_unit", gettext_noop("该诉求未分办给此单位"))
    at = _now(now)
    _touch(fresh, expected_version)
    _assign(fresh, [target], user=user, at=at, reason=text.REROUTED_FROM.zh(unit=source.name, reason=reason), kind=EventKind.REROUTED)
    audit_record(
        action="request.reroute", user=user, request=request, obj=fresh, changes={"from": source.pk, "to": target.pk, "reason": reason}
    )
    return fresh


@transaction.atomic
def request_decline(
    *,
    user: Any,
    req: EnterpriseRequest,
    right_unit: Any,
    reason: str,
    expected_version: int,
    now: dt.datetime | None = None,
    request: Any = None,
) -> EnterpriseRequest:
    """非本部门职责: a routed department hands the request to the unit it names as responsible."""
    fresh = _fresh(req)
    _visible(user, fresh)
    unit_id = policy.handling_unit_id(user)
    if unit_id is None or not policy.can_handle_request(user, fresh):
        raise PermissionDenied()
    _require(fresh, (RequestStatus.SUBMITTED, RequestStatus.IN_PROGRESS, RequestStatus.REOPENED))
    if not (reason or "").strip():
        raise _fail("reason", gettext_noop("请说明理由"))
    target = _unit_or_none(right_unit, "right_unit")
    if target.pk == unit_id:
        raise _fail("right_unit", gettext_noop("请指明负责的其他单位"))
    at = _now(now)
    fresh.assignments.filter(unit_id=unit_id, active=True).update(active=False)
    own = Unit.objects.get(pk=unit_id)
    _touch(fresh, expected_version)
    # the step's unit is the one that declines (the acting person's, as for 受理 and 答复); where it
    # goes is the 分办 step below (and the note)
    _event(fresh, EventKind.DECLINED, user=user, at=at, unit=own, note=text.NOT_OURS.zh(unit=own.name, target=target.name, reason=reason))
    _assign(fresh, [target], user=user, at=at, reason=text.DECLINED_BY.zh(unit=own.name), kind=EventKind.ROUTED)
    audit_record(
        action="request.decline",
        user=user,
        request=request,
        obj=fresh,
        changes={"unit": unit_id, "right_unit": target.pk, "reason": reason},
    )
    return fresh


@transaction.atomic
def request_acknowledge(
    *,
    user: Any,
    req: EnterpriseRequest,
    expected_version: int,
    note: str = "",
    now: dt.datetime | None = None,
    request: Any = None,
) -> EnterpriseRequest:
    """受理: a routed unit takes the request on (待受理 → 办理中)."""
    fresh = _take(req, user, policy.can_handle_request, (RequestStatus.SUBMITTED,))
    at = _now(now)
    before = _move(fresh, to=RequestStatus.IN_PROGRESS, fields={"acknowledged_at": at}, expected_version=expected_version)
    _event(fresh, EventKind.ACKNOWLEDGED, user=user, at=at, from_status=before, to_status=fresh.status, note=note, unit=_user_unit(user))
    audit_record(action="request.acknowledge", user=user, request=request, obj=fresh, changes={"status": [before, fresh.status]})
    return fresh


def _user_unit(user: Any) -> Unit | None:
    unit_id = policy.handling_unit_id(user)
    return Unit.objects.filter(pk=unit_id).first() if unit_id else None


@transaction.atomic
def request_reply(
    *,
    user: Any,
    req: EnterpriseRequest,
    reply: str,
    expected_version: int,
    attachments: Iterable[Any] = (),
    now: dt.datetime | None = None,
    request: Any = None,
) -> EnterpriseRequest:
    """答复: a unit answers (办理中/重新办理 → 已答复), with ``attachments`` if any (uploaded
    documents: :func:`_attach`); a request not yet acknowledged is acknowledged with the reply."""
    fresh = _take(req, user, policy.can_handle_request, OPEN_STATUSES)
    if not (reply or "").strip():
        raise _fail("reply", gettext_noop("请填写答复内容"))
    at = _now(now)
    fields: dict[str, Any] = {"reply": reply.strip(), "replied_at": at, "replied_by_unit": _user_unit(user)}
    if fresh.acknowledged_at is None:
        fields["acknowledged_at"] = at
    before = _move(fresh, to=RequestStatus.REPLIED, fields=fields, expected_version=expected_version)
    files = _attach(fresh, attachments, stage=AttachmentStage.REPLY, user=user, at=at, unit=fields["replied_by_unit"])
    _event(
        fresh, EventKind.REPLIED, user=user, at=at, from_status=before, to_status=fresh.status, note=reply, unit=fields["replied_by_unit"]
    )
    changes: dict[str, Any] = {"status": [before, fresh.status]}
    if files:
        changes["attachments"] = [f.name for f in files]
    audit_record(action="request.reply", user=user, request=request, obj=fresh, changes=changes)
    return fresh


@transaction.atomic
def request_rate(
    *,
    user: Any,
    req: EnterpriseRequest,
    rating: str,
    reason: str = "",
    expected_version: int,
    now: dt.datetime | None = None,
    request: Any = None,
) -> EnterpriseRequest:
    """评价: the enterprise rates the reply. 满意/基本满意 close it; 不满意 (with a reason)
    reopens it the first time, with a new resolve deadline, and closes it the second time."""
    fresh = _take(req, user, policy.can_rate_request, (RequestStatus.REPLIED,))
    if rating not in Rating.values:
        raise _fail("rating", gettext_noop("请选择评价"))
    reason = (reason or "").strip()
    if rating == Rating.UNSATISFIED and not reason:
        raise _fail("rating_reason", gettext_noop("不满意须说明原因"))
    at = _now(now)
    fields: dict[str, Any] = {"rating": rating, "rating_reason": reason}
    reopen = rating == Rating.UNSATISFIED and fresh.reopen_count == 0
    if reopen:
        day = timezone.localdate(at)
        fields.update(reopen_count=1, replied_at=None, resolve_due=add_working_days(day, fresh.category.resolve_limit_days))
        to = RequestStatus.REOPENED
    else:
        fields["closed_at"] = at
        to = RequestStatus.CLOSED
    before = _move(fresh, to=to, fields=fields, expected_version=expected_version)
    label = _zh(Rating(rating).label)
    note = text.RATED_REASON.zh(rating=label, reason=reason) if reason else text.RATED.zh(rating=label)
    _event(fresh, EventKind.RATED, user=user, at=at, from_status=before, to_status=before, note=note)
    kind = EventKind.REOPENED if reopen else EventKind.CLOSED
    closing_note = "" if reopen or rating != Rating.UNSATISFIED else text.NO_SECOND_REOPEN.zh()
    _event(fresh, kind, user=user, at=at, from_status=before, to_status=to, note=reason if reopen else closing_note)
    audit_record(action="request.rate", user=user, request=request, obj=fresh, changes={"rating": rating, "status": [before, to]})
    return fresh


@transaction.atomic
def extension_ask(
    *, user: Any, req: EnterpriseRequest, days: int, reason: str, now: dt.datetime | None = None, request: Any = None
) -> ExtensionRequest:
    """延期申请: a handling unit asks for ``days`` more working days (one pending at a time)."""
    fresh = _take(req, user, policy.can_handle_request, OPEN_STATUSES)
    if fresh.extensions.filter(status=ExtensionStatus.PENDING).exists():
        raise TransitionNotAllowed(gettext_noop("已有待审批的延期申请"))
    try:
        n = int(days)
    except (TypeError, ValueError):
        raise _fail("days", gettext_noop("请输入延期天数")) from None
    if not 1 <= n <= 60:
        raise _fail("days", gettext_noop("延期天数应在1至60个工作日之间"))
    if not (reason or "").strip():
        raise _fail("reason", gettext_noop("请说明延期理由"))
    at = _now(now)
    ext = ExtensionRequest(request=fresh, days=n, reason=reason.strip(), requested_by=user)
    full_clean(ext, exclude=["request", "requested_by"])
    ext.save()
    _event(fresh, EventKind.EXTENSION_ASKED, user=user, at=at, note=text.EXTENSION_ASKED.zh(days=n, reason=reason), unit=_user_unit(user))
    audit_record(action="request.extension_ask", user=user, request=request, obj=fresh, changes={"days": n, "reason": reason})
    return ext


@transaction.atomic
def extension_decide(
    *,
    user: Any,
    extension: ExtensionRequest,
    approve: bool,
    note: str = "",
    expected_version: int,
    now: dt.datetime | None = None,
    request: Any = None,
) -> ExtensionRequest:
    """批准/不予延期: region staff other than the one who asked (四眼); an approval moves the
    resolve deadline by the extension's working days."""
    ext = ExtensionRequest.objects.select_related("request").filter(pk=extension.pk).first()
    if ext is None:
        raise NotFound()
    fresh = _fresh(ext.request_id)
    _visible(user, fresh)
    if not policy.can_route_requests(user):
        raise PermissionDenied()
    if ext.requested_by_id == getattr(user, "pk", None):
        raise PermissionDenied(gettext_noop("申请人不能审批自己的延期申请"))
    if ext.status != ExtensionStatus.PENDING:
        raise TransitionNotAllowed(gettext_noop("该延期申请已审批"))
    at = _now(now)
    ext.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    ext.decided_by = user
    ext.decided_at = at
    ext.decision_note = (note or "")[:500]
    save_versioned(
        ext,
        expected_version=_check_version(expected_version),
        fields=["status", "decided_by", "decided_at", "decision_note"],
    )
    changes: dict[str, Any] = {"extension": ext.pk, "approve": approve}
    if approve:
        old = fresh.resolve_due
        fresh.resolve_due = add_working_days(old, ext.days)
        save_versioned(fresh, expected_version=fresh.version, fields=["resolve_due"])
        changes["resolve_due"] = [old.isoformat(), fresh.resolve_due.isoformat()]
    kind = EventKind.EXTENSION_APPROVED if approve else EventKind.EXTENSION_REJECTED
    due = fresh.resolve_due.isoformat()
    if note:
        said = text.EXTENDED_NOTE.zh(due=due, note=note) if approve else text.NOT_EXTENDED_NOTE.zh(note=note)
    else:
        said = text.EXTENDED.zh(due=due) if approve else text.NOT_EXTENDED.zh()
    _event(fresh, kind, user=user, at=at, note=said)
    audit_record(action="request.extension_decide", user=user, request=request, obj=fresh, changes=changes)
    return ext
