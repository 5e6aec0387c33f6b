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

from .choices import Stage, year_nature
from .filters import ProjectFilter, ProjectListFilter
from .models import Project, ProjectEvent, ProjectYear, SponsorLeader


def current_year() -> int:
    return timezone.localdate().year


def figures_period(params: Any = None) -> Any:
    """The reporting period whose figures (累计完成投资, 完成率, 序时进度) the list shows:
    ``period=YYYY-MM``, else the latest period of the ``year`` asked for, else the latest."""
    from keyprojects.dispatch.models import ReportingPeriod
    from keyprojects.dispatch.selectors import latest_period

    params = params or {}
    label = str(params.get("period") or "").strip()
    if label:
        try:
            y, m = (int(x) for x in label.split("-"))
        except ValueError:
            return None
        return ReportingPeriod.objects.filter(year=y, month=m).first()
    year = str(params.get("year") or "").strip()
    if year.isdigit():
        in_year = ReportingPeriod.objects.filter(year=int(year)).order_by("-month").first()
        latest = latest_period()
        if in_year is not None and (latest is None or (in_year.year, in_year.month) <= (latest.year, latest.month)):
            return in_year
        return latest if latest is not None and latest.year == int(year) else None
    return latest_period()


def with_period_figures(projects: QuerySet[Project], period: Any) -> QuerySet[Project]:
    """Attach the fact of ``period`` (the one source of the figures, analytics.ProjectPeriodFact):
    ``fact_ytd`` (1-N月累计完成投资), ``fact_plan`` (its annual plan), ``fact_points`` (its
    ahead_points: 落后/超序时进度 as the bulletin and the warnings judge it), ``fact_state``
    (its report state: whether that lag is judged, ``metrics.lagging_q``), ``fact_stage`` (the
    stage at the month's end, ``dispatch.rules.stage_in_month``) and ``lag_ratio``
    (完成率, for sorting by lag). Without a period the columns are NULL."""
    from django.db.models import DecimalField, F, Value
    from django.db.models.functions import Cast

    from keyprojects.analytics import metrics

    if period is None:  # typed NULLs: PostgreSQL cannot SUM(NULL) of unknown type
        none = Cast(Value(None), output_field=DecimalField(max_digits=18, decimal_places=4))
        blank = Value("")
        return projects.annotate(fact_ytd=none, fact_plan=none, fact_points=none, fact_state=blank, fact_stage=blank, lag_ratio=none)
    return projects.annotate(
        period_fact=FilteredRelation("facts", condition=Q(facts__period=period)),
        fact_stage=F("period_fact__stage"),
        fact_ytd=F("period_fact__invested_ytd"),
        fact_plan=F("period_fact__annual_plan"),
        fact_points=F("period_fact__ahead_points"),
        fact_state=F("period_fact__report_state"),
    ).annotate(lag_ratio=metrics.completion_ratio_expression("fact_ytd", "fact_plan"))


def project_list(*, user: Any, params: Any = None, year: int | None = None) -> tuple[QuerySet[Project], ProjectFilter]:
    """Projects visible to ``user`` filtered by ``params``; the plan of ``year`` is attached as
    ``plan_year`` (a prefetched list with at most one ProjectYear), the figures of the list's
    period (:func:`figures_period`) as ``fact_ytd``/``fact_plan``/``lag_ratio``."""
    period = figures_period(params)
    scoped = Project.objects.visible_to(user).select_related("region", "owner", "responsible_unit", "sponsor_leader", "zone")
    base = with_period_figures(scoped, period)
    f = ProjectListFilter(params or None, queryset=base)
    f.period_obj = period
    qs = f.qs if (not f.is_bound or f.is_valid()) else base.none()
    y = year or (f.form.cleaned_data.get("year") if f.is_valid() else None) or current_year()
    qs = qs.prefetch_related(Prefetch("years", queryset=ProjectYear.objects.filter(year=int(y)), to_attr="plan_year"))
    return qs, f


def listed_nature(project: Project) -> str:
    """The 建设性质 of a project of :func:`project_list` in the list's year: its prefetched
    ``plan_year``'s, else the project's own (``choices.year_nature``)."""
    years = getattr(project, "plan_year", None)
    return year_nature(years[0].nature if years else "", project.nature)


def _plan_row(year: int) -> FilteredRelation:
    """The project's ProjectYear of ``year`` as a LEFT JOIN (at most one per project)."""
    return FilteredRelation("years", condition=Q(years__year=int(year)))


def project_list_totals(*, projects: QuerySet[Project], year: int) -> dict[str, Any]:
    """Count, total investment and the ``year`` annual plan of ``projects`` in one pass over the
    rows: the plan comes from a LEFT JOIN on that year's ProjectYear (at most one per project, so
    nothing is counted twice), not from a second query repeating the list's filters."""
    totals = projects.alias(plan_row=_plan_row(year)).aggregate(
        n=Count("id"),
        total=Sum("total_investment"),
        plan=Sum("plan_row__annual_plan"),
        sum_ytd=Sum("fact_ytd"),
        sum_fact_plan=Sum("fact_plan"),
    )
    return {
        "n": totals["n"] or 0,
        "total": totals["total"] or Decimal("0"),
        "plan": totals["plan"] or Decimal("0"),
        "ytd": totals["sum_ytd"] or Decimal("0"),  # 累计完成 of the list's period (its facts)
        "fact_plan": totals["sum_fact_plan"] or Decimal("0"),  # the annual plan those facts carry
    }


def leader_project_totals(*, projects: QuerySet[Project], year: int) -> dict[int, dict[str, Any]]:
    """:func:`project_list_totals` per sponsor leader, in one grouped pass over ``projects``:
    each leader's project count, projects under construction, total investment and ``year``
    annual plan (the same LEFT JOIN on that year's ProjectYear: nothing counted twice)."""
    rows = (
        projects.exclude(sponsor_leader=None)
        .order_by()
        .alias(plan_row=_plan_row(year))
        .values("sponsor_leader")
        .annotate(
            n=Count("id"),
            active=Count("id", filter=Q(stage=Stage.CONSTRUCTION)),
            total=Sum("total_investment"),
            plan=Sum("plan_row__annual_plan"),
        )
    )
    return {
        r["sponsor_leader"]: {"n": r["n"], "active": r["active"], "total": r["total"] or Decimal("0"), "plan": r["plan"] or Decimal("0")}
        for r in rows
    }


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
