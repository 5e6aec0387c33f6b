"""Reads of the project registry. Everything goes through ``visible_to`` (the scope choke point)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, FilteredRelation, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from keyprojects.accounts import policy
from keyprojects.audit.models import AuditEvent
from keyprojects.audit.selectors import object_history
from keyprojects.core.scope import get_for_user

from .filters import ProjectFilter
from .models import Project, ProjectEvent, ProjectYear, SponsorLeader


def current_year() -> int:
    return timezone.localdate().year


def project_list(*, user: Any, params: Any = None, year: int | None = None) -> tuple[QuerySet[Project], ProjectFilter]:
    """Projects visible to ``user`` filtered by ``params``; the plan of ``year`` is attached as
    ``plan_year`` (a prefetched list with at most one ProjectYear)."""
    base = Project.objects.visible_to(user).select_related("region", "owner", "responsible_unit", "sponsor_leader", "zone")
    f = ProjectFilter(params or None, queryset=base)
    qs = f.qs if (not f.is_bound or f.is_valid()) else base.none()
    y = year or (f.form.cleaned_data.get("year") if f.is_valid() else None) or current_year()
    qs = qs.prefetch_related(Prefetch("years", queryset=ProjectYear.objects.filter(year=int(y)), to_attr="plan_year"))
    return qs, f


def project_list_totals(*, projects: QuerySet[Project], year: int) -> dict[str, Any]:
    """Count, total investment and the ``year`` annual plan of ``projects`` in one pass over the
    rows: the plan comes from a LEFT JOIN on that year's ProjectYear (at most one per project, so
    nothing is counted twice), not from a second query repeating the list's filters."""
    totals = projects.alias(plan_row=FilteredRelation("years", condition=Q(years__year=int(year)))).aggregate(
        n=Count("id"), total=Sum("total_investment"), plan=Sum("plan_row__annual_plan")
    )
    return {"n": totals["n"] or 0, "total": totals["total"] or Decimal("0"), "plan": totals["plan"] or Decimal("0")}


def project_rows(*, projects: QuerySet[Project], window: Any) -> list[Project]:
    """The projects of one page window of ``projects`` (a slice such as ``Page.object_list``):
    the window's ids first, sorted and cut on the project table alone, then only those rows with
    ``projects``' joins and prefetches, in the window's order.

    SQLite joins before it sorts: reading the page in one query joined owner, region, unit and
    leader to every matching row (140,000 for a province's projects under construction) only to
    keep 25 of them after sorting."""
    ids = list(window.values_list("pk", flat=True))
    rows = {p.pk: p for p in projects.order_by().filter(pk__in=ids)}
    return [rows[pk] for pk in ids if pk in rows]


def get_project_for_user(*, user: Any, pk: Any, for_edit: bool = False, request: Any = None) -> Project:
    return get_for_user(Project, user=user, pk=pk, for_edit=for_edit, request=request)


def project_timeline(*, project: Project) -> QuerySet[ProjectEvent]:
    return project.events.select_related("actor").order_by("at", "id")


def project_history(*, project: Project) -> QuerySet[AuditEvent]:
    return object_history(obj=project)


def leader_projects(*, user: Any, leader: SponsorLeader) -> QuerySet[Project]:
    return project_list(user=user)[0].filter(sponsor_leader=leader)


def leaders_visible_to(*, user: Any) -> QuerySet[SponsorLeader]:
    if policy.is_superuser(user):
        return SponsorLeader.objects.all()
    region = policy.scope_region(user)
    if region is None:
        return SponsorLeader.objects.filter(projects__in=Project.objects.visible_to(user)).distinct()
    return SponsorLeader.objects.filter(region__in=policy.regions_under(region))


# --- what a user may link a project to (one rule for forms, API and services) ---------------

home_region = policy.home_region  # the region a user's choice lists hang on


def regions_assignable(user: Any) -> QuerySet[Any]:
    """Regions a project may be placed in by ``user`` (never a province itself)."""
    return policy.regions_below(user).exclude(level="province")


def near_q(user: Any) -> Q:
    """Units and leaders a user may put on a project: hung on the user's home region, a region
    below it, or the city/province above it (a 市级领导 follows county projects)."""
    if user.is_superuser:
        return Q()
    home = home_region(user)
    if home is None:
        return Q(pk__in=[])
    if home.level == "province":
        return Q(region__province_code=home.code)
    if home.level == "city":
        return Q(region__city_code=home.code) | Q(region_id=home.province_code)
    return Q(region_id=home.code) | Q(region_id=home.city_code) | Q(region_id=home.province_code)


def units_assignable(user: Any) -> QuerySet[Any]:
    from keyprojects.regions.models import Unit

    return Unit.objects.filter(near_q(user), is_active=True).select_related("region")


def leaders_assignable(user: Any) -> QuerySet[SponsorLeader]:
    return SponsorLeader.objects.filter(near_q(user)).select_related("region")


def owners_assignable(user: Any) -> QuerySet[Any]:
    from keyprojects.enterprises.models import Enterprise

    return Enterprise.objects.visible_to(user)
