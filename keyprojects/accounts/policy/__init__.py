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

from keyprojects.accounts.choices import Role

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from keyprojects.regions.models import Region, Unit

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


#: The pages of business data (projects, reports, figures, enterprises, leads, …): the three
#: administrators are refused them whole (403, their role named) instead of an empty list; the
#: administrators' own pages that live under them are named in ADMINISTRATOR_PAGES.
BUSINESS_PAGE_PREFIXES = (
    "/projects/", "/leaders/", "/dispatch/", "/enterprises/", "/dataio/", "/analytics/", "/approvals/", "/attraction/",
    "/partnership/", "/cultivation/", "/brands/", "/engagement/",
)  # fmt: skip
ADMINISTRATOR_PAGES = ("/engagement/open311-keys/",)  # the system administrator's Open311 keys


def may_open_page(user: Any, path: str) -> bool:
    """Whether a signed-in ``user`` may open the page at ``path`` at all (三权分立: no business
    page for an administrator); what a page then shows is scoped as usual."""
    if not path.startswith(BUSINESS_PAGE_PREFIXES) or path.startswith(ADMINISTRATOR_PAGES):
        return True
    return can_see_business_data(user)


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


def units_near(region: Region | None) -> QuerySet[Unit]:
    """The active units that can act in ``region`` (the choice lists of 分办, 参会单位, 落实单位):
    those of the region and the regions below it, and those of the regions above it (the city's
    and the province's departments) — never another city's. Every active unit for None."""
    from keyprojects.regions.models import Unit

    qs = Unit.objects.filter(is_active=True)
    if region is not None:
        above = [c for c in (region.province_code, region.city_code) if c and c != region.code]
        qs = qs.filter(Q(region__in=regions_under(region).values("code")) | Q(region_id__in=above))
    return qs.select_related("region").order_by("region_id", "name")


def unit_choices(user: Any) -> QuerySet[Unit]:
    """:func:`units_near` the user's home region (every active unit for a superuser)."""
    return units_near(None if is_superuser(user) else home_region(user))


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


def can_plan_months(user: Any, project: Any = None) -> bool:
    """Set a project's 分月计划 (its 12-month plan curve): whoever writes its yearly plans
    (:func:`can_write_years`); with ``project``, only a project in the user's editable scope."""
    if not can_write_years(user) or not _active(user):
        return False
    if project is None:
        return True
    from keyprojects.projects.models import Project

    return bool(Project.objects.editable_by(user).filter(pk=project.pk).exists())


def can_export_plan_months(user: Any) -> bool:
    """Download the 分月计划 sheet of one's scope (分月计划批量填报): whoever sets the curves
    (:func:`can_plan_months`), and a leader to read them; never an administrator."""
    return can_plan_months(user) or (_active(user) and role_of(user) == Role.LEADER)


def can_change_stage(user: Any) -> bool:
    """Move a project along its life cycle (within the editable scope)."""
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
    return placement(user, unit_field="responsible_unit")


def placement(user: Any, *, unit_field: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(forced, defaults)`` of a new record placed in a region and a unit (``unit_field``): a
    county's lies in its county; a department's is its unit's and lies in the unit's region unless
    stated; a superuser (and every other role) places it freely."""
    if is_superuser(user):
        return {}, {}
    role = role_of(user)
    if role == Role.COUNTY:
        return {"region": user.region}, {}
    if role == Role.DEPARTMENT:
        return {unit_field: user.unit}, {"region": user.unit.region}
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
    *,
    county_code: str | None,
    city_code: str | None,
    province_code: str | None,
    exclude: Collection[Any],
    staffed: Collection[tuple[str, str]] | None = None,
) -> set[str]:
    """The review levels at which an active account other than ``exclude`` (the report's
    fillers) may review a report of a project in that county, city and province: a county
    account of the county, a city account of the city, a province account of the province.
    ``dispatch.rules.staffed_chain`` hands an unstaffed level's step to the level above.
    ``staffed`` is ``staffed_reviewers(exclude=…)`` read once for many projects (an import)."""
    codes = {Role.COUNTY.value: county_code, Role.CITY.value: city_code, Role.PROVINCE.value: province_code}
    wanted = {c for c in codes.values() if c}
    if not wanted:
        return set()
    found = staffed if staffed is not None else staffed_reviewers(exclude=exclude, regions=wanted)
    return {level for level, code in codes.items() if code and (level, code) in found}


def staffed_reviewers(*, exclude: Collection[Any], regions: Collection[str] | None = None) -> frozenset[tuple[str, str]]:
    """(review level, region code) of every active account other than ``exclude`` that may
    review at that level (in ``regions`` only, when given): one query."""
    from keyprojects.accounts.models import User

    users = User.objects.filter(is_active=True, role__in=REVIEW_LEVELS)
    if regions is not None:
        users = users.filter(region_id__in=regions)
    return frozenset(users.exclude(pk__in=[pk for pk in exclude if pk is not None]).values_list("role", "region_id").distinct())


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
    """Rankings (比武打擂), bulletins and assessments: province, city and leaders of a province
    or a city — whoever has a :func:`report_region` (the pages answer the others 403; a county's
    leader reads its county's published assessment instead, :func:`can_read_own_assessment`)."""
    return report_region(user) is not None


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


# --- 双考核双评价 (schemes, publication, the assessed), the apps around the projects (issues
# 14–16) and the “泉城好品” brand selection (ADR 0019), each in its own module of this policy -----

from .apps import *  # noqa: E402, F403  (after the names above, which it uses)
from .assessment import *  # noqa: E402, F403  (双考核双评价: schemes, publication, the assessed)
from .brands import *  # noqa: E402, F403  (after the names above, which it uses)
from .cultivation import *  # noqa: E402, F403  (“双50”企业培育, ADR 0020)
