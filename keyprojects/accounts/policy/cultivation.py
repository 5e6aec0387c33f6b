"""The permission policy of “双50”企业培育 (培育名单, ADR 0020) — part of the one policy
(:mod:`keyprojects.accounts.policy`, which re-exports every name here; callers import from there).

* Region staff keep the lists: a city's or county's staff create their region's lists (the
  province any city's or county's), nominate enterprises they see that lie in a list's region (a
  county also to its city's lists), and decide admissions and removals of the lists of their
  region and below — never what they nominated or proposed themselves (four eyes, in the services).
* Leaders and departments read the lists of their region (and those above it).
* An enterprise contact sees only whether its own enterprise is on a list (its admitted entries).
* The three administrators see nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from keyprojects.accounts.choices import Role

from . import (
    REGION_ROLES,
    REGION_STAFF_ROLES,
    _active,
    _has,
    can_see_business_data,
    is_read_only,
    is_superuser,
    region_contains,
    region_rows_q,
    scope_kind,
    scope_region,
)

#: Who creates 培育名单, nominates, admits, rejects and takes enterprises off: region staff.
CULTIVATION_KEEPER_ROLES = REGION_STAFF_ROLES
#: Who reads the lists with their entries and figures: region roles and departments.
CULTIVATION_READER_ROLES = REGION_ROLES | {Role.DEPARTMENT}
#: The regions a 培育名单 may belong to.
CULTIVATION_LIST_LEVELS = ("city", "county")


def can_see_cultivation(user: Any) -> bool:
    """The 双50培育 pages (rows still scoped; an enterprise contact its own admissions only)."""
    return can_see_business_data(user)


def can_see_cultivation_lists(user: Any) -> bool:
    """The lists themselves, with their entries and figures: region roles and departments."""
    return _active(user) and _has(user, CULTIVATION_READER_ROLES)


def can_keep_cultivation(user: Any) -> bool:
    """Create lists, nominate, decide and take off (within reach, see below): region staff."""
    return _active(user) and not is_read_only(user) and _has(user, CULTIVATION_KEEPER_ROLES)


def can_create_cultivation_list(user: Any, region: Any = None) -> bool:
    """Create a list of ``region`` (a city or a county in the user's region)."""
    if not can_keep_cultivation(user):
        return False
    if region is None:
        return True
    if getattr(region, "level", "") not in CULTIVATION_LIST_LEVELS:
        return False
    return is_superuser(user) or region_contains(scope_region(user), region)


def _above(home: Any) -> list[str]:
    """The codes of the regions above ``home`` (a county's city and province, a city's province)."""
    return [c for c in (home.province_code, home.city_code) if c and c != home.code]


def can_nominate_to(user: Any, clist: Any) -> bool:
    """Nominate enterprises to ``clist``: region staff of its region or below (a county to its
    city's lists: its own enterprises), or of a region above it."""
    if not can_keep_cultivation(user):
        return False
    if is_superuser(user):
        return True
    home = scope_region(user)
    return home is not None and (region_contains(home, clist.region) or clist.region_id in _above(home))


def can_decide_cultivation(user: Any, clist: Any) -> bool:
    """Admit, reject, confirm a removal and link agreements on ``clist``: region staff of its
    region or a region above it (a county never decides its city's list)."""
    if not can_keep_cultivation(user):
        return False
    return is_superuser(user) or region_contains(scope_region(user), clist.region)


def cultivation_nominated_by(user: Any, entry: Any) -> bool:
    """``user`` nominated ``entry`` (four eyes: they do not admit or reject it)."""
    return entry.nominated_by_id is not None and entry.nominated_by_id == getattr(user, "pk", None)


def cultivation_removal_proposed_by(user: Any, entry: Any) -> bool:
    """``user`` proposed ``entry``'s removal (four eyes: they do not confirm it)."""
    return bool(entry.removal_proposed_by_id == getattr(user, "pk", None))


def cultivation_list_q(user: Any, prefix: str = "", *, deciding: bool = False) -> Q:
    """Which 培育名单 ``user`` sees (``deciding``: decides): region roles those of their region and
    below and (to read) those above it; a department those of its unit's region and above; an
    enterprise contact those its enterprise is admitted to."""
    kind = scope_kind(user)
    if kind == "region":
        home = scope_region(user)
        q = region_rows_q(home, f"{prefix}region__", county_field="code")
        return q if deciding else q | Q(**{f"{prefix}region_id__in": _above(home)})
    if deciding:
        return Q(pk__in=[])
    if kind == "unit":
        region = user.unit.region
        return Q(**{f"{prefix}region_id__in": [region.code, *_above(region)]})
    if kind == "enterprise":
        from keyprojects.cultivation.choices import EntryStatus
        from keyprojects.cultivation.models import CultivationEntry

        admitted = CultivationEntry.objects.filter(enterprise_id=user.enterprise_id, status=EntryStatus.ADMITTED)
        return Q(**{f"{prefix}pk__in": admitted.values("cultivation_list_id")})
    return Q(pk__in=[])


def cultivation_entry_q(user: Any) -> Q:
    """Which entries ``user`` sees: region roles every entry of the lists of their region and
    below, and on a list above it the entries of their own enterprises; a department every entry
    of the lists it reads; an enterprise contact its own admissions only."""
    kind = scope_kind(user)
    if kind == "region":
        home = scope_region(user)
        own = region_rows_q(home, "cultivation_list__region__", county_field="code")
        above = Q(cultivation_list__region_id__in=_above(home)) & region_rows_q(home, "enterprise__region__", county_field="code")
        return own | above
    if kind == "unit":
        return cultivation_list_q(user, "cultivation_list__")
    if kind == "enterprise":
        from keyprojects.cultivation.choices import EntryStatus

        return Q(enterprise_id=user.enterprise_id, status=EntryStatus.ADMITTED)
    return Q(pk__in=[])
