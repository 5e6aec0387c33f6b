"""The permission policy of 双考核双评价 (assessment schemes and their results) — part of the one
policy (:mod:`keyprojects.accounts.policy`, which re-exports every name here; callers import from
there).

Who does what:

* **Schemes**: province and city staff write the schemes of their range (:func:`can_edit_schemes`;
  the province's business configuration, ``can_manage_config``, any scheme).
* **Results**: who computes a scheme's result on a closed month (``can_assess`` within the
  scheme's range) also publishes it to the assessed (:func:`can_publish_assessment`). A result is
  computed once and never changes; publishing it is a separate, audited step, done once.
* **The range reads everything**: province and city staff and leaders read every scheme of their
  range with every result, published or not, each unit's explanation included
  (``report_region``).
* **The assessed read their own published result** (:func:`assessed_key`): a county's staff and
  leaders in their city's region scheme, a city's in the province's region scheme, a department's
  staff (its 责任单位 or 功能区) in a 责任单位 / 功能区 scheme over a region their unit lies in. They
  see what a published 考核 announces: the ranking of every unit (名次 and 得分) and the
  explanation of their own unit alone, never another unit's. A result not yet published does not
  exist for them (404).
* Enterprises and the three administrators see no scheme and no result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from keyprojects.accounts.choices import Role

from . import ASSESSOR_ROLES, _active, _has, is_superuser, region_contains, report_region, role_of, scope_region

if TYPE_CHECKING:
    from keyprojects.regions.models import Region

__all__ = [
    "ASSESSED_REGION_ROLES",
    "ASSESSED_UNIT_ROLES",
    "SCHEME_EDITOR_ROLES",
    "assessed_key",
    "can_edit_schemes",
    "can_publish_assessment",
    "can_read_assessments",
    "can_read_own_assessment",
]

#: Business staff who write assessment schemes in the form (the province for itself and its
#: cities, a city for itself); the system administrator keeps the Django admin.
SCHEME_EDITOR_ROLES = frozenset({Role.PROVINCE, Role.CITY})
#: Who is assessed as their region (a city in the province's region scheme, a county in its
#: city's): the region's staff and its leaders.
ASSESSED_REGION_ROLES = frozenset({Role.CITY, Role.COUNTY, Role.LEADER})
#: Who is assessed as their unit (a 责任单位 or a 功能区 in a department / zone scheme).
ASSESSED_UNIT_ROLES = frozenset({Role.DEPARTMENT})
#: A scheme's unit kind → the kind of ``regions.Unit`` it assesses (the region kind assesses regions).
_UNIT_KIND_OF_SCHEME = {"department": "department", "zone": "zone"}


def can_edit_schemes(user: Any, region: Region | None = None) -> bool:
    """Write 双考核双评价 schemes (of ``region``: the user's own province or city, or a city
    of their province)."""
    if not _active(user) or not _has(user, SCHEME_EDITOR_ROLES):
        return False
    if region is None or is_superuser(user):
        return True
    home = scope_region(user)
    return home is not None and home.level in ("province", "city") and region_contains(home, region)


def can_publish_assessment(user: Any, region: Region | None = None) -> bool:
    """Publish a computed result to the assessed: who computes it (``ASSESSOR_ROLES``: province
    and city staff, a superuser); with ``region`` (the scheme's range), only within their own
    region. Leaders read, never publish."""
    if not _active(user) or not _has(user, ASSESSOR_ROLES):
        return False
    return region is None or is_superuser(user) or region_contains(scope_region(user), region)


def can_read_own_assessment(user: Any) -> bool:
    """Whether ``user`` can be one of the units a scheme assesses, and so read that unit's
    published results (the 考核结果 menu of a county or a department): a city's or a county's
    staff and leaders, a department's staff with its unit. Not a superuser (who reads every
    result as the range does), an enterprise or an administrator."""
    if not _active(user) or is_superuser(user):
        return False
    role = role_of(user)
    if role in ASSESSED_REGION_ROLES:
        region = getattr(user, "region", None)
        return region is not None and region.level in ("city", "county")
    return role in ASSESSED_UNIT_ROLES and getattr(user, "unit_id", None) is not None


def can_read_assessments(user: Any) -> bool:
    """Whether ``user`` reads any scheme or result at all (the assessment pages and
    ``/api/v1/assessments/``): the readers of a range (:func:`report_region`) and the assessed
    (:func:`can_read_own_assessment`). Enterprises and the three administrators are refused whole."""
    return report_region(user) is not None or can_read_own_assessment(user)


def assessed_key(user: Any, *, unit_kind: str, region: Region) -> str | None:
    """The key under which ``user``'s own unit appears in the results of a scheme assessing
    units of ``unit_kind`` over ``region`` (``rankings.unit_figures``: a region's code, a unit's
    id as text), or None when the user is not one of them: a county's staff and leaders in their
    city's region scheme, a city's in their province's, a department's staff in a scheme of its
    unit's kind over a region containing the unit."""
    if not can_read_own_assessment(user):
        return None
    role = role_of(user)
    if unit_kind == "region" and role in ASSESSED_REGION_ROLES:
        own = user.region
        parent = own.province_code if own.level == "city" else own.city_code
        return str(own.code) if parent and parent == region.code else None
    if unit_kind in _UNIT_KIND_OF_SCHEME and role in ASSESSED_UNIT_ROLES:
        unit = user.unit
        if unit.kind == _UNIT_KIND_OF_SCHEME[unit_kind] and region_contains(region, unit.region):
            return str(unit.pk)
    return None
