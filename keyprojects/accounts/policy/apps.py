"""The permission policy of the apps around the projects (issues 14–16): 要素保障与审批, 政企服务,
政企合作 and 招商引资 — part of the one policy (:mod:`keyprojects.accounts.policy`, which re-exports
every name here; callers import from there)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from keyprojects.accounts.choices import Role

from . import (
    GOVERNMENT_ROLES,
    REGION_ROLES,
    REGION_STAFF_ROLES,
    _active,
    _has,
    _role_q,
    can_manage_accounts,
    can_manage_config,
    can_see_business_data,
    is_read_only,
    is_superuser,
    placement,
    region_contains,
    region_rows_q,
    role_of,
    scope_kind,
    scope_region,
)

# --- working-day calendar and 要素保障 (issue 14) --------------------------------------------------


def can_edit_calendar(user: Any) -> bool:
    """Edit the working-day calendar's overrides (holidays and make-up working days of years the
    official package does not know): business configuration, the province's staff."""
    return can_manage_config(user)


#: Who records a project's approval steps (which items apply, any item's progress): region staff.
APPROVAL_RECORDER_ROLES = REGION_STAFF_ROLES


def can_record_approvals(user: Any, project: Any = None) -> bool:
    """Choose which 审批事项 apply to a project and record any of them: region staff, for a
    project in their editable scope (a department works only its own items:
    :func:`can_work_approval`)."""
    if not _active(user) or is_read_only(user) or not _has(user, APPROVAL_RECORDER_ROLES):
        return False
    if project is None:
        return True
    from keyprojects.projects.models import Project

    return bool(Project.objects.editable_by(user).filter(pk=project.pk).exists())


def can_work_approval(user: Any, approval: Any) -> bool:
    """Record the progress of one project 审批事项: region staff of the project's region, or the
    department (unit) handling it."""
    if not _active(user) or is_read_only(user):
        return False
    from keyprojects.approvals.models import ProjectApproval

    return bool(ProjectApproval.objects.editable_by(user).filter(pk=approval.pk).exists())


def can_see_approvals(user: Any) -> bool:
    """The approval pages (rows still scoped): every business role."""
    return can_see_business_data(user)


def can_see_department_board(user: Any) -> bool:
    """The departments' 红黄码 board, their ranking and the before/after comparison: an
    assessment of the government's own work, for government roles and leaders. An enterprise
    follows its own projects' items on the list and the project pages."""
    return _active(user) and _has(user, REGION_ROLES | {Role.DEPARTMENT})


def can_record_needs(user: Any, project: Any = None) -> bool:
    """Record a project's 要素需求 (四张清单): region staff, for a project in their editable scope
    (the owner unit works its own needs: :func:`can_work_need`)."""
    return can_record_approvals(user, project)


def can_work_need(user: Any, need: Any) -> bool:
    """Update one 要素需求: region staff of the project's region, or the need's owner unit."""
    if not _active(user) or is_read_only(user):
        return False
    from keyprojects.approvals.models import FactorNeed

    return bool(FactorNeed.objects.editable_by(user).filter(pk=need.pk).exists())


def can_hold_consultation(user: Any) -> bool:
    """Record a 会商会办 of one's own region (county, city or province staff; the level is the
    region's)."""
    return _active(user) and not is_read_only(user) and _has(user, REGION_STAFF_ROLES) and scope_region(user) is not None


# --- 政企服务: 企业诉求, 交流会, Open311 (issue 15) ----------------------------------------------

#: Government staff who route requests, decide extensions and hold 政企沟通交流会: region staff.
REQUEST_ROUTER_ROLES = REGION_STAFF_ROLES


def can_see_requests(user: Any) -> bool:
    """The request and meeting pages (rows still scoped: an enterprise its own, a department what
    is routed to it, region roles their region): every business role."""
    return can_see_business_data(user)


def can_raise_request(user: Any) -> bool:
    """Raise a 企业诉求: an enterprise contact for its own enterprise, region staff on an
    enterprise's behalf (from a meeting, a visit or a call)."""
    if not _active(user) or is_read_only(user):
        return False
    return is_raising_for_own_enterprise(user) or _has(user, REQUEST_ROUTER_ROLES)


def is_raising_for_own_enterprise(user: Any) -> bool:
    """An enterprise contact raises requests of its own enterprise only (source 企业提交)."""
    return not is_superuser(user) and role_of(user) == Role.ENTERPRISE and bool(getattr(user, "enterprise_id", None))


def can_route_requests(user: Any) -> bool:
    """Route and re-route requests to units, decide extensions (四眼: never one's own): region staff."""
    return _active(user) and not is_read_only(user) and _has(user, REQUEST_ROUTER_ROLES)


def handling_unit_id(user: Any) -> int | None:
    """The unit a department user works requests for (None for everybody else)."""
    if role_of(user) == Role.DEPARTMENT and not is_superuser(user):
        return getattr(user, "unit_id", None)
    return None


def can_handle_request(user: Any, request: Any) -> bool:
    """Acknowledge, reply, ask for an extension or decline (非本部门职责): a department the
    request is routed to, or region staff of the request's region (a superuser)."""
    if not _active(user) or is_read_only(user) or request is None:
        return False
    unit_id = handling_unit_id(user)
    if unit_id is not None:
        return bool(request.assignments.filter(unit_id=unit_id, active=True).exists())
    if is_superuser(user):
        return True
    return role_of(user) in REQUEST_ROUTER_ROLES and region_contains(scope_region(user), request.region)


def can_rate_request(user: Any, request: Any) -> bool:
    """Rate a reply (满意/基本满意/不满意): the contact of the request's own enterprise only."""
    return (
        _active(user)
        and role_of(user) == Role.ENTERPRISE
        and request is not None
        and getattr(user, "enterprise_id", None) == request.enterprise_id
    )


def can_see_request_metrics(user: Any) -> bool:
    """The departments' request figures (按时办结率, 平均办理天数, 满意率): government roles and leaders."""
    return _active(user) and _has(user, REGION_ROLES | {Role.DEPARTMENT})


def can_hold_meeting(user: Any) -> bool:
    """Record a 政企沟通交流会 of one's own region and the requests raised there: region staff."""
    return can_hold_consultation(user)


def can_manage_open311_keys(user: Any) -> bool:
    """Issue and revoke enterprises' Open311 API keys: the system administrator (keys are
    credentials, not business data: the page shows enterprise names and key prefixes only)."""
    return can_manage_accounts(user)


# --- 政企合作协议 and 一企一策 (issue 15) ----------------------------------------------------------

#: Who records 政企合作协议 and their commitments, and confirms a recorded fulfilment: region staff.
AGREEMENT_RECORDER_ROLES = REGION_STAFF_ROLES
#: Who keeps an enterprise's 一企一策 records (包联 liaison, 帮扶措施, 政策兑现): region staff.
PROFILE_KEEPER_ROLES = REGION_STAFF_ROLES
#: Who may be an enterprise's 包联 official: government staff and leaders.
LIAISON_ROLES = GOVERNMENT_ROLES | {Role.LEADER}


def can_see_partnership(user: Any) -> bool:
    """The agreement, 履约 and 一企一策 pages (rows still scoped): every business role."""
    return can_see_business_data(user)


def can_record_agreements(user: Any) -> bool:
    """Record agreements and their commitments, and confirm fulfilments, in one's own region."""
    return _active(user) and not is_read_only(user) and _has(user, AGREEMENT_RECORDER_ROLES)


def can_claim_commitment(user: Any, commitment: Any) -> bool:
    """Record a commitment's fulfilment with evidence: region staff over the agreement, the
    department owing it (its owner unit), or the enterprise's contact for the enterprise's own
    commitment. The confirmation is somebody else's (:func:`can_confirm_commitment`)."""
    if not _active(user) or is_read_only(user):
        return False
    from keyprojects.partnership.choices import Party
    from keyprojects.partnership.models import Agreement

    agreement = commitment.agreement
    if can_record_agreements(user) and Agreement.objects.editable_by(user).filter(pk=agreement.pk).exists():
        return True
    kind = scope_kind(user)
    if kind == "unit":
        return bool(commitment.owner_unit_id and commitment.owner_unit_id == user.unit_id)
    if kind == "enterprise":
        return bool(commitment.party == Party.ENTERPRISE and agreement.enterprise_id == user.enterprise_id)
    return False


def can_confirm_commitment(user: Any, commitment: Any) -> bool:
    """Confirm (or send back) a recorded fulfilment: region staff over the agreement, never the
    person who recorded it (four eyes)."""
    if not can_record_agreements(user):
        return False
    if commitment.claimed_by_id is not None and commitment.claimed_by_id == getattr(user, "pk", None):
        return False
    from keyprojects.partnership.models import Agreement

    return bool(Agreement.objects.editable_by(user).filter(pk=commitment.agreement_id).exists())


def can_keep_enterprise_profile(user: Any, enterprise: Any = None) -> bool:
    """Keep an enterprise's 一企一策 records (包联 liaison, 帮扶措施, 政策兑现): region staff, for an
    enterprise they see."""
    if not _active(user) or is_read_only(user) or not _has(user, PROFILE_KEEPER_ROLES):
        return False
    if enterprise is None:
        return True
    from keyprojects.enterprises.models import Enterprise

    return bool(Enterprise.objects.visible_to(user).filter(pk=enterprise.pk).exists())


def can_be_liaison(target: Any) -> bool:
    """Whether ``target`` (a user) may be named an enterprise's 包联 official."""
    return bool(target is not None and getattr(target, "is_active", False) and role_of(target) in LIAISON_ROLES)


def liaison_candidates_q() -> Q:
    """Users who may be a 包联 official (for choice lists)."""
    return _role_q(LIAISON_ROLES, is_active=True)


# --- 招商引资 (issue 16) ---------------------------------------------------------------------------

#: Who reads 招商线索 and 招商活动 (in scope): region roles and departments. Leads are confidential
#: business in progress: an enterprise contact sees none.
LEAD_READER_ROLES = REGION_ROLES | {Role.DEPARTMENT}
#: Who records leads, activities, stage steps, signing, landing and 到资: government staff.
LEAD_RECORDER_ROLES = GOVERNMENT_ROLES


def can_see_leads(user: Any) -> bool:
    """The 招商引资 pages (rows still scoped by :func:`lead_scope_q`)."""
    return _active(user) and _has(user, LEAD_READER_ROLES)


def can_record_leads(user: Any) -> bool:
    """Record and move leads and activities of one's scope: government staff (not leaders)."""
    return _active(user) and not is_read_only(user) and _has(user, LEAD_RECORDER_ROLES)


def lead_scope_q(user: Any, prefix: str = "") -> Q:
    """Which leads (and 招商活动) ``user`` sees: those of the user's region and the regions below
    it (a county its own, a city its own and its counties', the province all) — never a peer's —
    and a department those its unit is responsible for. Nothing for anybody else."""
    kind = scope_kind(user)
    if kind == "region":
        region = scope_region(user)
        if region is not None:
            return region_rows_q(region, prefix)
    if kind == "unit":
        return Q(**{f"{prefix}unit_id": user.unit_id})
    return Q(pk__in=[])


def lead_placement(user: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(forced, defaults)`` for a new lead or activity of ``user``: a county's lie in its county;
    a department's are its unit's and lie in the unit's region unless stated."""
    return placement(user, unit_field="unit")


def can_configure_attraction(user: Any) -> bool:
    """Industry chains and 链长, stage service checklists and stalled-lead days: business
    configuration (/config/), the province's staff."""
    return can_manage_config(user)


#: Who confirms or returns a 到资 entry, and decides a 冲销 asked for: region staff over the lead —
#: the county's second account, the city or the province (as a fulfilment of a commitment is
#: confirmed: :func:`can_confirm_commitment`); a department enters 到资 of its unit's leads, the
#: region's staff confirm it.
FUNDS_CONFIRMER_ROLES = REGION_STAFF_ROLES


def can_confirm_funds(user: Any, entry: Any = None) -> bool:
    """Confirm or return a 到资 entry (a new figure or a correction) or decide a 冲销 asked for:
    region staff who may record the lead (it lies in their region or below), never the person who
    asked — the entry's enterer, or who asked for its 冲销 (four eyes, a superuser included).
    Without ``entry``: whether the user confirms 到资 at all (the to-do list)."""
    if not _active(user) or is_read_only(user) or not _has(user, FUNDS_CONFIRMER_ROLES):
        return False
    if entry is None:
        return True
    if entry.asker_id is not None and entry.asker_id == getattr(user, "pk", None):
        return False
    from keyprojects.attraction.models import Lead

    return bool(Lead.objects.editable_by(user).filter(pk=entry.lead_id).exists())


def funds_decidable_q(user: Any, prefix: str = "") -> Q:
    """The 到资 entries waiting for ``user``'s decision, as a filter on ``FundArrival`` (the
    leads in the user's scope come from ``editable_by``): a new entry not entered by the user, a
    冲销 not asked for by the user. Nothing for a user who confirms no 到资."""
    from keyprojects.attraction.choices import FundStatus

    if not can_confirm_funds(user):
        return Q(pk__in=[])
    pk = getattr(user, "pk", None)
    return Q(**{f"{prefix}status": FundStatus.PENDING}) & ~Q(**{f"{prefix}recorded_by": pk}) | Q(
        **{f"{prefix}status": FundStatus.VOID_PENDING}
    ) & ~Q(**{f"{prefix}void_requested_by": pk})
