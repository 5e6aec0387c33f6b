"""Reads of the “泉城好品” brand selection: the scoped rounds with their counts, a round's
applications (search and filters), and the published list of selected brands."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from .choices import IN_REVIEW, IN_REVIEW_LABEL, ApplicationStatus, Category, RoundStatus, status_label
from .models import BrandApplication, SelectionRound


def rounds_visible(user: Any) -> list[SelectionRound]:
    """The rounds ``user`` sees, each with how many applications it has (of those the user sees:
    an enterprise counts its own) and how many are selected (``None`` where the user does not
    see the outcome yet: ``policy.can_see_brand_outcome``). Staff count the applications submitted;
    an enterprise counts its own, its draft included (else a round it is filling in shows 0)."""
    from keyprojects.accounts import policy

    mine = BrandApplication.objects.visible_to(user).values("pk")
    counted = Q(applications__in=mine)
    if not policy.is_applying_for_own_enterprise(user):  # staff count what was submitted; an enterprise its own draft too
        counted &= ~Q(applications__status=ApplicationStatus.DRAFT)
    rounds: list[Any] = list(
        SelectionRound.objects.visible_to(user)
        .select_related("region")
        .annotate(
            n_applications=Count("applications", filter=counted),
            n_selected=Count("applications", filter=Q(applications__status=ApplicationStatus.SELECTED)),
        )
        .order_by("-year", "-opens_on", "-id")
    )
    for r in rounds:
        if not policy.can_see_brand_outcome(user, r):
            r.n_selected = None
    return rounds


def filter_status(user: Any, qs: QuerySet[BrandApplication], status: str) -> QuerySet[BrandApplication]:
    """``qs`` filtered by the state ``user`` is shown (``policy.brand_status_for``): 评审中 are
    the applications whose outcome the user does not see yet; a real state matches only where it
    is shown (an applicant asking for 入选 before publication finds nothing). Anything else: no
    filter."""
    from keyprojects.accounts import policy

    hidden = policy.brand_outcome_hidden_q(user)
    if status == IN_REVIEW:
        return qs.filter(hidden)
    if status in ApplicationStatus.values:
        return qs.filter(status=status).exclude(hidden)
    return qs


def status_choices(user: Any, round: SelectionRound) -> list[tuple[str, Any]]:
    """The states ``user`` may filter ``round``'s applications by: every state, or for an
    applicant before publication the submission states and 评审中."""
    from keyprojects.accounts import policy

    if policy.can_see_brand_outcome(user, round):
        return list(ApplicationStatus.choices)
    shown = [(v, label) for v, label in ApplicationStatus.choices if v not in policy.BRAND_OUTCOME_STATUSES]
    return [*shown, (IN_REVIEW, IN_REVIEW_LABEL)]


def as_shown(user: Any, applications: Any) -> list[BrandApplication]:
    """``applications`` with what ``user`` is shown of each (``policy``): ``shown_status`` and
    ``shown_status_label`` (评审中 for an outcome not yet published to the applicant) and
    ``outcome_shown`` (whether its preliminary review result, score, decision and reward show)."""
    from keyprojects.accounts import policy

    rows = list(applications)
    for a in rows:
        a.shown_status = policy.brand_status_for(user, a)  # type: ignore[attr-defined]
        a.shown_status_label = status_label(a.shown_status)  # type: ignore[attr-defined]
        a.outcome_shown = policy.can_see_brand_outcome(user, a.round)  # type: ignore[attr-defined]
    return rows


def applications_visible(user: Any) -> QuerySet[BrandApplication]:
    return BrandApplication.objects.visible_to(user).select_related(
        "round", "round__region", "enterprise", "enterprise__region", "submitted_by", "reviewed_by", "scored_by", "decided_by"
    )


def applications_search(
    user: Any, round: SelectionRound, *, q: str = "", status: str = "", category: str = ""
) -> QuerySet[BrandApplication]:
    """A round's applications ``user`` sees: drafts others entered are left out (a draft is the
    applicant's until it is submitted; staff see those they enter on an enterprise's behalf);
    by score, best first."""
    qs = applications_visible(user).filter(round=round)
    if not _applicant_view(user):
        qs = qs.exclude(Q(status=ApplicationStatus.DRAFT) & ~Q(created_by_id=getattr(user, "pk", None)))
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(brand_name__icontains=q) | Q(enterprise__name__icontains=q) | Q(trademark_no__icontains=q))
    qs = filter_status(user, qs, status)
    if category in Category.values:
        qs = qs.filter(category=category)
    return qs.order_by("-score", "enterprise__name", "id")


def _applicant_view(user: Any) -> bool:
    from keyprojects.accounts import policy

    return policy.is_applying_for_own_enterprise(user)


def round_counts(user: Any, round: SelectionRound) -> dict[str, Any]:
    """Counts per status of a round's applications the user sees, the selected total and the
    rewards (万元). Where the user does not see the round's outcome yet (an applicant before
    publication: ``policy.can_see_brand_outcome``) the states as shown (评审中 for the rest) and
    no totals (``None``)."""
    from keyprojects.accounts import policy

    qs = applications_visible(user).filter(round=round)
    by_status = dict(qs.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    if not policy.can_see_brand_outcome(user, round):
        by_status[IN_REVIEW] = sum(by_status.pop(s, 0) for s in policy.BRAND_OUTCOME_STATUSES)
        return {
            "by_status": [(label, by_status.get(v, 0)) for v, label in status_choices(user, round) if v != ApplicationStatus.DRAFT],
            "selected": None,
            "reward": None,
            "left": None,
        }
    selected = qs.filter(status=ApplicationStatus.SELECTED).aggregate(n=Count("pk"), reward=Sum("reward_amount"))
    return {
        "by_status": [(label, by_status.get(value, 0)) for value, label in ApplicationStatus.choices if value != ApplicationStatus.DRAFT],
        "selected": selected["n"] or 0,
        "reward": selected["reward"],
        "left": max(round.max_selected - (round.applications.filter(status=ApplicationStatus.SELECTED).count()), 0),
    }


def selected_brands(user: Any, *, year: Any = None, category: str = "") -> QuerySet[BrandApplication]:
    """The published “泉城好品”: selected applications of published rounds the user sees (every
    business role, an enterprise contact included, sees the whole published list)."""
    from keyprojects.accounts import policy

    if not policy.can_see_brand_results(user):
        return BrandApplication.objects.none()
    rounds = SelectionRound.objects.visible_to(user).filter(status=RoundStatus.PUBLISHED).values("pk")
    qs = BrandApplication.objects.filter(round__in=rounds, status=ApplicationStatus.SELECTED).select_related(
        "round", "round__region", "enterprise"
    )
    if str(year or "").isdigit():
        qs = qs.filter(round__year=int(year))
    if category in Category.values:
        qs = qs.filter(category=category)
    return qs.order_by("-round__year", "round_id", "category", "-score", "id")


def published_years(user: Any) -> list[int]:
    return sorted(
        set(SelectionRound.objects.visible_to(user).filter(status=RoundStatus.PUBLISHED).values_list("year", flat=True)), reverse=True
    )
