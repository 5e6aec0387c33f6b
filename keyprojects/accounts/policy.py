"""Who may do what: the one permission policy of keyprojects (issue 9).

Every view, API view, serializer, form, template (through the ``policy`` context processor,
:func:`keyprojects.accounts.context_processors.policy`) and service asks this module instead of
comparing role strings. Adding a role touches this module, ``accounts/choices.py`` and the tests.

Conventions
-----------
* Every function takes the user as its first argument and accepts ``None`` and the anonymous
  user (they may do nothing).
* A superuser may do everything a business role may do (and more), unless a function says
  otherwise.
* Data *scope* (which rows) stays in the models' ``visible_to`` / ``editable_by``
  (:mod:`keyprojects.core.scope`); the functions here answer *what* a role may do and which
  region it is at home in. The scope querysets read their role groups and regions from here.
* The three 三权分立 administrators (system, security, audit) never see business data; their
  capabilities (:func:`can_manage_accounts`, :func:`can_view_lockouts`, :func:`can_read_audit`,
  :func:`can_manage_config`) are deliberately simple role-set checks.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Q

from .choices import Role

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from keyprojects.regions.models import Region

# --- role groups (defined once) --------------------------------------------------------------

#: Roles that work with business data (projects, reports, enterprises).
BUSINESS_ROLES = frozenset({Role.PROVINCE, Role.CITY, Role.COUNTY, Role.DEPARTMENT, Role.ENTERPRISE, Role.LEADER})
#: The three 三权分立 administrators: no business data at all.
ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})
#: Roles whose scope is a region (province ⊇ city ⊇ county); they must have ``user.region``.
REGION_ROLES = frozenset({Role.PROVINCE, Role.CITY, Role.COUNTY, Role.LEADER})
#: Government staff of a region (edit what lies in their region).
REGION_STAFF_ROLES = frozenset({Role.PROVINCE, Role.CITY, Role.COUNTY})
#: Government staff: create projects, keep their yearly plans, import, set monthly plans, change stages.
GOVERNMENT_ROLES = frozenset({Role.PROVINCE, Role.CITY, Role.COUNTY, Role.DEPARTMENT})
#: Read-only roles: the leader and the three administrators never write business data.
READ_ONLY_ROLES = frozenset({Role.LEADER, Role.PENDING} | ADMIN_ROLES)
#: The review levels of the monthly-report chain, bottom up (a reviewer's level is their role).
REVIEW_LEVELS: tuple[str, ...] = (Role.COUNTY.value, Role.CITY.value, Role.PROVINCE.value)
REVIEW_ROLES = frozenset(REVIEW_LEVELS)
#: Who closes a month (a city for itself, the province for everybody).
CLOSE_ROLES = frozenset({Role.PROVINCE, Role.CITY})
#: Who computes 双考核 assessment snapshots.
ASSESSOR_ROLES = frozenset({Role.PROVINCE, Role.CITY})
#: Who reads rankings, bulletins and assessments (of a province or a city).
REPORT_ROLES = frozenset({Role.PROVINCE, Role.CITY, Role.LEADER})
#: Who registers enterprises (项目单位).
ENTERPRISE_CREATOR_ROLES = REGION_STAFF_ROLES
#: Who edits enterprise records in scope (an enterprise contact: only its own).
ENTERPRISE_EDITOR_ROLES = REGION_STAFF_ROLES | {Role.ENTERPRISE}

#: What a role's data scope hangs on: its region (and the regions below), its unit (责任单位 or
#: 功能区: the projects it is responsible for) or its enterprise (the projects it owns).
SCOPE_BY_ROLE: dict[str, str] = {
    Role.PROVINCE: "region",
    Role.CITY: "region",
    Role.COUNTY: "region",
    Role.LEADER: "region",
    Role.DEPARTMENT: "unit",
    Role.ENTERPRISE: "enterprise",
}

# Administrator capabilities (三权分立, issue 11): each administrator does one thing; none of them
# touches their own account's role, scope or password-reset state, nor another administrator's
# (administrators are made with ``manage.py create_admin`` and managed by the superuser).
ACCOUNT_MANAGER_ROLES = frozenset({Role.SYSADMIN})  # create, disable, unlock accounts; one-time passwords
ROLE_ASSIGNER_ROLES = frozenset({Role.SECADMIN})  # assign roles, regions, units, enterprises
LOCKOUT_VIEWER_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN})  # login lockouts
AUDIT_READER_ROLES = frozenset({Role.AUDITOR})  # the whole audit log (read only)
#: Business configuration (dispatch settings, review chains, header synonyms, assessment schemes)
#: belongs to province business staff, never to an administrator.
CONFIG_MANAGER_ROLES = frozenset({Role.PROVINCE})
#: Roles the security administrator may give (never an administrator role).
ASSIGNABLE_ROLES: tuple[str, ...] = (
    Role.PROVINCE.value,
    Role.CITY.value,
    Role.COUNTY.value,
    Role.DEPARTMENT.value,
    Role.ENTERPRISE.value,
    Role.LEADER.value,
    Role.PENDING.value,
)

# --- project and enterprise fields per role ----------------------------------------------------

#: Project fields each role may NOT set (province and city set every field).
PROJECT_FIELDS_DENIED: dict[str, frozenset[str]] = {
    Role.PROVINCE: frozenset(),
    Role.CITY: frozenset(),
    Role.COUNTY: frozenset({"region"}),  # a county's projects stay in the county
    Role.DEPARTMENT: frozenset({"region", "zone", "responsible_unit"}),  # a unit's projects stay the unit's
}
#: The only project fields an enterprise contact (the owner) sets.
OWNER_PROJECT_FIELDS: tuple[str, ...] = ("location", "content", "contact_name", "contact_phone", "latitude", "longitude")
#: The only enterprise fields an enterprise contact sets on its own enterprise.
ENTERPRISE_SELF_FIELDS: tuple[str, ...] = ("address", "legal_representative", "industry_section", "industry_division")
#: Enterprise fields a role may NOT set (province and city set every field).
ENTERPRISE_FIELDS_DENIED: dict[str, frozenset[str]] = {
    Role.PROVINCE: frozenset(),
    Role.CITY: frozenset(),
    Role.COUNTY: frozenset({"region"}),  # a county never moves an enterprise elsewhere
}


# --- basics ----------------------------------------------------------------------------------


def province_code() -> str:
    """The province this installation serves (``settings.KEYPROJECTS_PROVINCE_CODE``)."""
    return str(getattr(settings, "KEYPROJECTS_PROVINCE_CODE", "370000"))


def province_region() -> Region:
    """The province :func:`province_code` names (a superuser without a region works on it)."""
    from keyprojects.regions.models import Region

    return Region.objects.get(code=province_code())


def role_of(user: Any) -> str:
    """The user's role ("" for None and the anonymous user)."""
    return str(getattr(user, "role", "") or "")


def is_superuser(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False))


def _has(user: Any, roles: Iterable[str]) -> bool:
    """Superuser, or ``user``'s role is one of ``roles``."""
    return is_superuser(user) or role_of(user) in roles


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def is_read_only(user: Any) -> bool:
    """Leaders and the three administrators read but never write business data."""
    return role_of(user) in READ_ONLY_ROLES and not is_superuser(user)


def is_administrator(user: Any) -> bool:
    """One of the three 三权分立 administrators (a superuser is not)."""
    return role_of(user) in ADMIN_ROLES and not is_superuser(user)


def can_see_business_data(user: Any) -> bool:
    """Everybody signed in except the three 三权分立 administrators."""
    return _active(user) and _has(user, BUSINESS_ROLES)


def _role_q(roles: Iterable[str], **more: Any) -> Q:
    ordered = [r for r in Role.values if r in set(roles)]
    if len(ordered) == 1:
        return Q(role=ordered[0], **more)
    return Q(role__in=ordered, **more)


def scope_anchor_q() -> Q:
    """The check ``accounts.User`` keeps in the database: a business user has the anchor its
    scope kind needs (a region, a unit or an enterprise); administrators, superusers and accounts
    still waiting for a role (pending) none."""
    q = Q(is_superuser=True) | _role_q(ADMIN_ROLES | {Role.PENDING})
    for kind in ("region", "unit", "enterprise"):
        roles = [r for r, k in SCOPE_BY_ROLE.items() if k == kind]
        q = q | _role_q(roles, **{f"{kind}__isnull": False})
    return q


# --- the home region -------------------------------------------------------------------------


def home_region(user: Any) -> Region | None:
    """The region a user is at home in: a region role's own region, a department's unit's
    region; None for everybody else (an enterprise contact, an administrator; a superuser too,
    unless their role is a region role). Choice lists (regions, units, leaders) hang on it."""
    role = role_of(user)
    if role == Role.DEPARTMENT and getattr(user, "unit_id", None):
        return user.unit.region  # type: ignore[no-any-return]
    if role in REGION_ROLES:
        return getattr(user, "region", None)
    return None


def scope_kind(user: Any) -> str | None:
    """What the user's data scope hangs on: "region", "unit", "enterprise" (see
    :data:`SCOPE_BY_ROLE`), or None (administrators: no business data). A scope needs its anchor
    (``user.region`` / ``unit`` / ``enterprise``); without it the scope is empty."""
    kind = SCOPE_BY_ROLE.get(role_of(user))
    anchor = {"region": "region_id", "unit": "unit_id", "enterprise": "enterprise_id"}.get(kind or "")
    return kind if anchor and getattr(user, anchor, None) else None


def scope_region(user: Any) -> Region | None:
    """The region whose rows are the user's scope: a region role's own region (province ⊇ city ⊇
    county), else None (departments and enterprises are scoped by unit / enterprise, not region)."""
    if role_of(user) in REGION_ROLES:
        return getattr(user, "region", None)
    return None


def work_region(user: Any) -> Region | None:
    """The region a user's boards and month close act on: the scope region; for a superuser their
    own region, else the province (:func:`province_code`)."""
    if is_superuser(user):
        return getattr(user, "region", None) or province_region()
    return scope_region(user)


def region_contains(home: Region | None, region: Region | None) -> bool:
    """``region`` is ``home`` or lies below it (province ⊇ city ⊇ county)."""
    if home is None or region is None:
        return False
    if home.level == "province":
        return bool(region.province_code == home.code)
    if home.level == "city":
        return bool(region.code == home.code or region.city_code == home.code)
    return bool(region.code == home.code)


def regions_under(home: Region | None) -> QuerySet[Region]:
    """``home`` and every region below it (none for None)."""
    from keyprojects.regions.models import Region

    if home is None:
        return Region.objects.none()
    if home.level == "province":
        return Region.objects.filter(province_code=home.code)
    if home.level == "city":
        return Region.objects.filter(Q(code=home.code) | Q(city_code=home.code))
    return Region.objects.filter(code=home.code)


def regions_below(user: Any) -> QuerySet[Region]:
    """The user's home region and every region below it; every region for a superuser."""
    from keyprojects.regions.models import Region

    if is_superuser(user):
        return Region.objects.all()
    return regions_under(home_region(user))


def region_in_scope(user: Any, region: Region) -> bool:
    """``region`` is the user's home region or lies below it (a superuser: any region)."""
    return is_superuser(user) or region_contains(home_region(user), region)


def region_rows_q(region: Region, prefix: str = "", *, county_field: str = "region_id") -> Q:
    """Rows (projects, facts, summaries …) of ``region``: a province's, a city's (with its
    counties) or a county's, through denormalised ``province_code`` / ``city_code``."""
    if region.level == "province":
        return Q(**{f"{prefix}province_code": region.code})
    if region.level == "city":
        return Q(**{f"{prefix}city_code": region.code})
    return Q(**{f"{prefix}{county_field}": region.code})


def scope_q(user: Any, prefix: str = "") -> Q:
    """The region part of a region role's scope (nothing for a user without a scope region)."""
    region = scope_region(user)
    if region is None:
        return Q(pk__in=[])
    return region_rows_q(region, prefix)


# --- projects --------------------------------------------------------------------------------


def can_create_project(user: Any) -> bool:
    return _has(user, GOVERNMENT_ROLES)


def can_write_years(user: Any) -> bool:
    """Yearly plans (年度计划, lists) of a project: government staff."""
    return _has(user, GOVERNMENT_ROLES)


def can_change_stage(user: Any) -> bool:
    """Move a project along its life cycle (within the editable scope)."""
    return _has(user, GOVERNMENT_ROLES)


def can_plan_months(user: Any) -> bool:
    """Set a project's 12-month plan curve (within the editable scope)."""
    return _has(user, GOVERNMENT_ROLES)


def project_writable_fields(user: Any, fields: Sequence[str] | None = None) -> list[str]:
    """The project fields ``user`` may set, in the order of ``fields`` (default every project
    field, ``projects.services.PROJECT_FIELDS``); an enterprise contact sets only
    :data:`OWNER_PROJECT_FIELDS`."""
    if fields is None:
        from keyprojects.projects.services import PROJECT_FIELDS

        fields = PROJECT_FIELDS
    role = role_of(user)
    if is_superuser(user):
        return list(fields)
    if role in PROJECT_FIELDS_DENIED:
        denied = PROJECT_FIELDS_DENIED[role]
        return [f for f in fields if f not in denied]
    if role == Role.ENTERPRISE:
        return list(OWNER_PROJECT_FIELDS)
    return []


def can_edit_project_field(user: Any, field: str) -> bool:
    return field in project_writable_fields(user)


def project_placement(user: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(forced, defaults)``: the values a new project of ``user`` always gets (a county's
    projects lie in its county; a department's are its own) and the values it gets unless stated
    (a department's projects lie in the unit's region). A superuser places projects freely."""
    if is_superuser(user):
        return {}, {}
    role = role_of(user)
    if role == Role.COUNTY:
        return {"region": user.region}, {}
    if role == Role.DEPARTMENT:
        return {"responsible_unit": user.unit}, {"region": user.unit.region}
    return {}, {}


# --- enterprises -----------------------------------------------------------------------------


def can_create_enterprise(user: Any) -> bool:
    return _has(user, ENTERPRISE_CREATOR_ROLES)


def enterprise_placement(user: Any) -> dict[str, Any]:
    """The values a new enterprise of ``user`` always gets (a county registers in its county)."""
    if not is_superuser(user) and role_of(user) == Role.COUNTY:
        return {"region": user.region}
    return {}


def can_edit_enterprises(user: Any) -> bool:
    """Edit enterprise records in scope (region staff; an enterprise contact its own record)."""
    return _has(user, ENTERPRISE_EDITOR_ROLES)


def enterprise_writable_fields(user: Any, fields: Sequence[str], *, creating: bool = False) -> list[str]:
    """The enterprise fields (of ``fields``) ``user`` may set: everything for province and city,
    all but the region for a county, only :data:`ENTERPRISE_SELF_FIELDS` for an enterprise on its
    own record (never on create)."""
    if is_superuser(user):
        return list(fields)
    role = role_of(user)
    if role == Role.ENTERPRISE and not creating:
        return [f for f in fields if f in ENTERPRISE_SELF_FIELDS]
    if role in ENTERPRISE_FIELDS_DENIED:
        denied = ENTERPRISE_FIELDS_DENIED[role]
        return [f for f in fields if f not in denied]
    return []


# --- monthly dispatch ------------------------------------------------------------------------


def can_fill(user: Any, project: Any = None) -> bool:
    """Fill monthly reports: everybody but the read-only roles; with ``project``, only a project
    in the user's editable scope."""
    if is_read_only(user) or not getattr(user, "is_authenticated", False):
        return False
    if project is None:
        return True
    from keyprojects.projects.models import Project

    return bool(Project.objects.editable_by(user).filter(pk=project.pk).exists())


def review_level(user: Any) -> str | None:
    """The review level a user acts at (their role, if it is one of :data:`REVIEW_LEVELS`)."""
    role = role_of(user)
    return role if role in REVIEW_ROLES else None


def can_review(user: Any, level: str | None = None) -> bool:
    """Review at ``level`` (a superuser at any); without ``level``: review at some level."""
    if is_superuser(user):
        return True
    own = review_level(user)
    if level is None:
        return own is not None
    return own == level


def is_filler(user: Any, filler_ids: Collection[Any]) -> bool:
    """Whether ``user`` filled or submitted the report whose fillers are ``filler_ids`` (the
    actors of its saves and submissions, ``dispatch.selectors.report_fillers``)."""
    return getattr(user, "pk", None) in filler_ids


def can_review_report(user: Any, level: str | None, filler_ids: Collection[Any]) -> bool:
    """Review one report waiting at ``level``: :func:`can_review` at that level, and four eyes —
    nobody reviews (approves, returns, acknowledges the warnings of) a report they filled or
    submitted, at any level, a superuser included (issue 10)."""
    return can_review(user, level) and not is_filler(user, filler_ids)


def staffed_review_levels(
    *, county_code: str | None, city_code: str | None, province_code: str | None, exclude: Collection[Any]
) -> set[str]:
    """The review levels at which an active account other than ``exclude`` (the report's
    fillers) may review a report of a project in that county, city and province: a county
    account of the county, a city account of the city, a province account of the province.
    ``dispatch.rules.staffed_chain`` hands an unstaffed level's step to the level above."""
    from keyprojects.accounts.models import User

    codes = {Role.COUNTY.value: county_code, Role.CITY.value: city_code, Role.PROVINCE.value: province_code}
    wanted = {c for c in codes.values() if c}
    if not wanted:
        return set()
    found = set(
        User.objects.filter(is_active=True, role__in=REVIEW_LEVELS, region_id__in=wanted)
        .exclude(pk__in=[pk for pk in exclude if pk is not None])
        .values_list("role", "region_id")
        .distinct()
    )
    return {level for level, code in codes.items() if code and (level, code) in found}


def can_close(user: Any, region: Region | None = None) -> bool:
    """Close a month: city and province staff (a superuser); with ``region``, only their own
    region or one below it."""
    if not _has(user, CLOSE_ROLES):
        return False
    return region is None or is_superuser(user) or region_contains(scope_region(user), region)


def can_see_board(user: Any) -> bool:
    """The period board (调度进度) and warnings of a region: region roles with a region."""
    return is_superuser(user) or (role_of(user) in REGION_ROLES and scope_region(user) is not None)


# --- analytics -------------------------------------------------------------------------------


def report_region(user: Any) -> Region | None:
    """The region (a province or a city) whose rankings, bulletin and assessments ``user`` reads,
    or None. A superuser reads their own province/city, else the province."""
    region = getattr(user, "region", None)
    if is_superuser(user):
        if region is not None and region.level in ("province", "city"):
            return region  # type: ignore[no-any-return]
        return province_region()
    if role_of(user) in REPORT_ROLES and region is not None and region.level in ("province", "city"):
        return region  # type: ignore[no-any-return]
    return None


def can_read_reports(user: Any) -> bool:
    """Rankings (比武打擂), bulletins and assessments: province, city and leaders (the menu
    shows them by role; the pages also need a province or city region)."""
    return _has(user, REPORT_ROLES)


def can_assess(user: Any) -> bool:
    """Compute assessment snapshots (of a scheme the user can see)."""
    return _has(user, ASSESSOR_ROLES)


# --- import ----------------------------------------------------------------------------------


def can_import(user: Any) -> bool:
    """Spreadsheet import: whoever may create projects (None = the command line: yes)."""
    if user is None:
        return True
    return bool(getattr(user, "is_authenticated", False) and user.is_active and can_create_project(user))


def import_scope(user: Any, requested: Region | None = None) -> Region | None:
    """The region an import's rows must fall in (a row outside it is an error naming the row):
    the region asked for (``--region``, the upload page's default region — a province, a city or
    a county) when it lies within the uploader's own; else the uploader's own — the region a
    county's or a department's projects are placed in (:func:`project_placement`), a city's or
    the province's home region. None: no limit (the command line or a superuser asking none)."""
    if user is None or is_superuser(user):
        return requested
    forced, defaults = project_placement(user)
    own = forced.get("region") or defaults.get("region") or home_region(user)
    if requested is not None and (own is None or region_contains(own, requested)):
        return requested
    return own


def staff_level(user: Any) -> str | None:
    """The level (province, city, county) of a region's government staff; None for others.
    An import puts the projects of such a user on that level's list by default."""
    role = role_of(user)
    return role if role in REGION_STAFF_ROLES and not is_superuser(user) else None


def can_register_owner(user: Any) -> bool:
    """An import may register a new 建设单位 (enterprise) for a row (None = the command line)."""
    return user is None or can_create_enterprise(user)


# --- administrators (三权分立) -----------------------------------------------------------------


def can_manage_accounts(user: Any) -> bool:
    """Create, disable/enable and unlock accounts and issue one-time passwords: the system
    administrator (and a superuser)."""
    return _active(user) and _has(user, ACCOUNT_MANAGER_ROLES)


def can_assign_roles(user: Any) -> bool:
    """Give an account a role and its region / unit / enterprise: the security administrator
    (and a superuser)."""
    return _active(user) and _has(user, ROLE_ASSIGNER_ROLES)


def can_list_accounts(user: Any) -> bool:
    """The account list of the user-management area: system and security administrators."""
    return can_manage_accounts(user) or can_assign_roles(user)


def is_protected_account(target: Any) -> bool:
    """Administrators and superusers are managed only by a superuser (or the command line)."""
    return bool(getattr(target, "is_superuser", False) or role_of(target) in ADMIN_ROLES)


def may_act_on_account(user: Any, target: Any) -> bool:
    """Whether ``user`` may change ``target``'s account at all: never their own (role, scope,
    password reset, state), never another administrator's or a superuser's, unless ``user`` is a
    superuser acting on somebody else."""
    if not _active(user) or target is None or getattr(target, "pk", None) == getattr(user, "pk", None):
        return False
    if is_superuser(user):
        return True
    return not is_protected_account(target)


def can_grant_superuser(user: Any) -> bool:
    """Only a superuser makes another superuser."""
    return _active(user) and is_superuser(user)


def can_view_lockouts(user: Any) -> bool:
    """Login lockouts: system and security administrators."""
    return _active(user) and _has(user, LOCKOUT_VIEWER_ROLES)


def can_unlock(user: Any) -> bool:
    """Lift an account's or an address's lockout: the system administrator."""
    return can_manage_accounts(user)


def can_read_audit(user: Any) -> bool:
    """The whole audit log: the audit administrator (三权分立, reliability.md 15)."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and _has(user, AUDIT_READER_ROLES))


def can_manage_config(user: Any) -> bool:
    """Business configuration (dispatch settings and review chains, header synonyms, assessment
    schemes): province business staff, never an administrator."""
    return _active(user) and _has(user, CONFIG_MANAGER_ROLES)


# --- bulletins (issue 10) ----------------------------------------------------------------------

#: Who sets how their region's bulletin is issued (发文机关, 文号, 主送, projects named).
BULLETIN_EDITOR_ROLES = frozenset({Role.PROVINCE, Role.CITY})


def can_set_bulletin(user: Any, region: Region) -> bool:
    """Set how ``region``'s bulletin is issued: that province's or city's own staff (a superuser)."""
    if not _active(user):
        return False
    if is_superuser(user):
        return True
    return role_of(user) in BULLETIN_EDITOR_ROLES and getattr(user, "region_id", None) == region.code


def can_use_django_admin(user: Any) -> bool:
    """The Django admin (/admin/) is the superuser's alone."""
    return _active(user) and is_superuser(user)


def needs_second_factor(user: Any) -> bool:
    """TOTP is required of the three administrators and superusers when
    ``KEYPROJECTS_OTP_REQUIRED`` is on (production)."""
    if not getattr(settings, "KEYPROJECTS_OTP_REQUIRED", False):
        return False
    return is_superuser(user) or role_of(user) in ADMIN_ROLES


# --- 双考核双评价 schemes (issue 10) -------------------------------------------------------------

#: Business staff who write assessment schemes in the form (the province for itself and its
#: cities, a city for itself); the system administrator keeps the Django admin.
SCHEME_EDITOR_ROLES = frozenset({Role.PROVINCE, Role.CITY})


def can_edit_schemes(user: Any, region: Region | None = None) -> bool:
    """Write 双考核双评价 schemes (of ``region``: the user's own province or city, or a city
    of their province)."""
    if not _active(user) or not _has(user, SCHEME_EDITOR_ROLES):
        return False
    if region is None or is_superuser(user):
        return True
    home = scope_region(user)
    return home is not None and home.level in ("province", "city") and region_contains(home, region)


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
    if is_superuser(user):
        return {}, {}
    role = role_of(user)
    if role == Role.COUNTY:
        return {"region": user.region}, {}
    if role == Role.DEPARTMENT:
        return {"unit": user.unit}, {"region": user.unit.region}
    return {}, {}


def can_configure_attraction(user: Any) -> bool:
    """Industry chains and 链长, stage service checklists and stalled-lead days: business
    configuration (/config/), the province's staff."""
    return can_manage_config(user)
