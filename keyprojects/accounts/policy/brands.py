"""The permission policy of the “泉城好品” brand selection (品牌遴选, ADR 0019) — part of the one
policy (:mod:`keyprojects.accounts.policy`, which re-exports every name here; callers import from
there).

Who does what:

* **Organisers** (province and city staff) prepare a round of their region, open, close, decide
  and publish it, enter the experts' scores and take the decisions.
* **Applicants**: an enterprise contact drafts and submits its own enterprise's application;
  region staff may enter one on an enterprise's behalf.
* **Preliminary review** (初审): region staff over the application (a county for its own
  enterprises), never the person who entered or submitted it.
* **Decision** (入选 / 未入选): an organiser who neither entered, submitted, reviewed nor scored it.
* Leaders and departments read; the three administrators see nothing.
* **The outcome is published, not leaked**: until a round is 已公布 an applicant sees its own
  application's submission state only (草稿, 已提交, 已退回, else 评审中), never its preliminary
  review result, score, decision or reward, nor the round's totals (已入选, 奖励合计, 尚余)
  (:func:`can_see_brand_outcome`, :func:`brand_status_for`, :func:`brand_outcome_hidden_q`).
  Government staff see everything as it is.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from keyprojects.accounts.choices import Role

from . import (
    REGION_STAFF_ROLES,
    _active,
    _has,
    can_see_business_data,
    is_read_only,
    is_superuser,
    region_contains,
    region_rows_q,
    regions_under,
    role_of,
    scope_kind,
    scope_region,
)

#: Who prepares, opens, closes, scores, decides and publishes a round of their region.
BRAND_ORGANISER_ROLES = frozenset({Role.PROVINCE, Role.CITY})
#: Who does the preliminary review (初审) of an application in their region.
BRAND_REVIEWER_ROLES = REGION_STAFF_ROLES

_NONE = Q(pk__in=[])

#: Application states that tell the outcome of the review (初审通过, 已评分, 入选, 未入选): an
#: applicant is shown :data:`BRAND_IN_REVIEW` instead until the round's result is published.
BRAND_OUTCOME_STATUSES = ("passed", "scored", "selected", "not_selected")
#: The state an applicant is shown for an application whose outcome is not published (评审中).
BRAND_IN_REVIEW = "in_review"


def _chain(region: Any) -> list[str]:
    """A region's code and those of the city and the province above it."""
    if region is None:
        return []
    return [c for c in (region.code, region.city_code, region.province_code) if c]


def can_see_brands(user: Any) -> bool:
    """The brand selection pages (rows still scoped): every business role."""
    return can_see_business_data(user)


def can_see_brand_results(user: Any) -> bool:
    """The list of selected brands of published rounds: every business role."""
    return can_see_business_data(user)


def brand_round_scope_q(user: Any, prefix: str = "", *, managed: bool = False) -> Q:
    """Which rounds ``user`` sees: a region role those of its region and below and of the city and
    province above it (a county takes part in its city's round); a department those of its unit's
    region chain; an enterprise contact the rounds of its city and province once they are open
    (never one being prepared). ``managed``: only those of the user's region and below."""
    kind = scope_kind(user)
    if kind == "region":
        home = scope_region(user)
        below = Q(**{f"{prefix}region__in": regions_under(home).values("code")})
        return below if managed else below | Q(**{f"{prefix}region_id__in": _chain(home)})
    if managed:
        return _NONE
    if kind == "unit":
        return Q(**{f"{prefix}region_id__in": _chain(user.unit.region)}) & ~Q(**{f"{prefix}status": "draft"})
    if kind == "enterprise":
        return Q(**{f"{prefix}region_id__in": _chain(user.enterprise.region)}) & ~Q(**{f"{prefix}status": "draft"})
    return _NONE


def brand_application_scope_q(user: Any) -> Q:
    """Which applications ``user`` sees: a region role those of the rounds of its region and
    below, and those of the enterprises in its region (a county: its own enterprises' in the
    city's round); a department those of its unit's city's rounds once open; an enterprise
    contact its own enterprise's only."""
    kind = scope_kind(user)
    if kind == "region":
        home = scope_region(user)
        if home is None:
            return _NONE
        return Q(round__region__in=regions_under(home).values("code")) | region_rows_q(home, "enterprise__region__", county_field="code")
    if kind == "unit":
        return brand_round_scope_q(user, "round__")
    if kind == "enterprise":
        return Q(enterprise_id=user.enterprise_id)
    return _NONE


def can_manage_brand_rounds(user: Any, region: Any = None) -> bool:
    """Prepare and run rounds (of ``region``: the user's own province or city, or below it)."""
    if not _active(user) or is_read_only(user) or not _has(user, BRAND_ORGANISER_ROLES):
        return False
    if region is None or is_superuser(user):
        return True
    return region_contains(scope_region(user), region)


def is_applying_for_own_enterprise(user: Any) -> bool:
    """An enterprise contact applies for its own enterprise only."""
    return not is_superuser(user) and role_of(user) == Role.ENTERPRISE and bool(getattr(user, "enterprise_id", None))


def can_enter_brand_application(user: Any) -> bool:
    """Draft and submit applications: an enterprise contact for its own enterprise, region staff
    on an enterprise's behalf."""
    if not _active(user) or is_read_only(user):
        return False
    return is_applying_for_own_enterprise(user) or _has(user, REGION_STAFF_ROLES)


def brand_entered(user: Any, application: Any) -> bool:
    """``user`` entered or submitted ``application`` (four eyes: they neither review, score nor
    decide it; the system, with no user, counts as the one who entered what it entered)."""
    return getattr(user, "pk", None) in (application.created_by_id, application.submitted_by_id)


def _over(user: Any, application: Any) -> bool:
    """The application lies in ``user``'s region (its round's region or its enterprise's)."""
    if is_superuser(user):
        return True
    home = scope_region(user)
    return region_contains(home, application.round.region) or region_contains(home, application.enterprise.region)


def can_review_brand(user: Any, application: Any) -> bool:
    """The preliminary review (初审) of ``application``: region staff over it, never the person who
    entered or submitted it (four eyes)."""
    if not _active(user) or is_read_only(user) or not _has(user, BRAND_REVIEWER_ROLES):
        return False
    return not brand_entered(user, application) and _over(user, application)


def can_score_brand(user: Any, application: Any) -> bool:
    """Enter the experts' score of ``application``: an organiser of its round who did not enter
    or submit it."""
    return can_manage_brand_rounds(user, application.round.region) and not brand_entered(user, application)


def can_decide_brand(user: Any, application: Any) -> bool:
    """Select ``application`` or not: an organiser of its round who neither entered, submitted,
    reviewed nor scored it (four eyes)."""
    if not can_manage_brand_rounds(user, application.round.region) or brand_entered(user, application):
        return False
    return not brand_reviewed_or_scored(user, application)


def brand_reviewed_or_scored(user: Any, application: Any) -> bool:
    """``user`` did the preliminary review of ``application`` or entered its score, now or
    before a correction by somebody else (``scorer_ids``)."""
    uid = getattr(user, "pk", None)
    return uid in (application.reviewed_by_id, application.scored_by_id) or uid in (application.scorer_ids or [])


def can_see_brand_outcome(user: Any, round: Any) -> bool:
    """Whether ``user`` sees the outcome of ``round``'s review — each application's preliminary
    review result, score, decision and reward, and the round's totals (已入选, 奖励合计, 尚余):
    government staff always; an applicant (an enterprise contact) once the result is published
    (已公布), not while the round is 评审中 or 已确定."""
    if not is_applying_for_own_enterprise(user):
        return True
    return getattr(round, "status", None) == "published"


def brand_status_for(user: Any, application: Any) -> str:
    """The application state ``user`` is shown: the real one, or :data:`BRAND_IN_REVIEW` (评审中)
    for an applicant whose application is past the preliminary review of a round whose result is
    not published (a returned application stays 已退回: the applicant corrects it)."""
    if application.status in BRAND_OUTCOME_STATUSES and not can_see_brand_outcome(user, application.round):
        return BRAND_IN_REVIEW
    return str(application.status)


def brand_outcome_hidden_q(user: Any, prefix: str = "") -> Q:
    """The applications whose outcome ``user`` does not see (those :func:`brand_status_for` shows
    as 评审中), as a filter: nothing for government staff."""
    if not is_applying_for_own_enterprise(user):
        return _NONE
    return Q(**{f"{prefix}status__in": BRAND_OUTCOME_STATUSES}) & ~Q(**{f"{prefix}round__status": "published"})
