"""Reads of the 一企一策 profile: one page per enterprise gathering what other apps own — its
projects with their figures (the facts of :mod:`keyprojects.analytics`, never recomputed), its
requests (``keyprojects.engagement``, when installed), its agreements and 履约率, assistance
measures, policies granted and the 包联 official (issue 15, item 3)."""

from __future__ import annotations

import importlib
import importlib.util
from decimal import Decimal
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse

from keyprojects.enterprises.models import Enterprise
from keyprojects.enterprises.selectors import enterprise_projects

from .models import Agreement, AssistanceMeasure, EnterpriseLiaison, PolicyGrant
from .selectors import agreements_visible, fulfilment_for_enterprise


def _count(qs: QuerySet[Any]) -> Subquery:
    return Subquery(
        qs.filter(enterprise=OuterRef("pk")).order_by().values("enterprise").annotate(c=Count("id")).values("c"),
        output_field=IntegerField(),
    )


def profiles(user: Any, *, q: str = "") -> QuerySet[Enterprise]:
    """Enterprises the user sees, with their liaison and the number of agreements, measures and
    policies granted (each counted among the rows the user sees)."""
    qs = (
        Enterprise.objects.visible_to(user)
        .select_related("region", "liaison", "liaison__official")
        .annotate(
            n_agreements=Coalesce(_count(Agreement.objects.visible_to(user)), 0),
            n_measures=Coalesce(_count(AssistanceMeasure.objects.visible_to(user)), 0),
            n_grants=Coalesce(_count(PolicyGrant.objects.visible_to(user)), 0),
        )
    )
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(uscc__icontains=q.upper()) | Q(liaison__official__username__icontains=q))
    return qs.order_by("name", "id")


def engagement_requests(user: Any, enterprise: Enterprise) -> list[Any] | None:
    """The enterprise's requests and their state from ``keyprojects.engagement`` (None when that
    app is not installed)."""
    if importlib.util.find_spec("keyprojects.engagement.selectors") is None:
        return None
    mod = importlib.import_module("keyprojects.engagement.selectors")
    fetch = getattr(mod, "requests_for_enterprise", None)
    if fetch is None:
        return None
    rows = list(fetch(user=user, enterprise=enterprise)[:50])
    timing = getattr(mod, "with_timing", None)
    rows = list(timing(rows)) if timing is not None else rows
    for r in rows:
        try:
            r.detail_url = reverse("engagement:detail", args=[r.pk])
        except NoReverseMatch:
            r.detail_url = ""
    return rows


def cultivation_entries(user: Any, enterprise: Enterprise) -> list[Any] | None:
    """The “双50” 培育名单 the enterprise is on, as ``user`` sees them (``keyprojects.cultivation``,
    ADR 0020; None when that app is not installed)."""
    if importlib.util.find_spec("keyprojects.cultivation.selectors") is None:
        return None
    mod = importlib.import_module("keyprojects.cultivation.selectors")
    return list(mod.entries_visible(user).filter(enterprise=enterprise).order_by("-cultivation_list__year", "cultivation_list__kind"))


def profile(user: Any, enterprise: Enterprise) -> dict[str, Any]:
    from keyprojects.projects.selectors import figures_period, with_period_figures

    period = figures_period()
    projects = list(with_period_figures(enterprise_projects(user=user, enterprise=enterprise), period))
    grants = list(PolicyGrant.objects.visible_to(user).filter(enterprise=enterprise).select_related("unit"))
    return {
        "enterprise": enterprise,
        "liaison": EnterpriseLiaison.objects.visible_to(user).filter(enterprise=enterprise).select_related("official").first(),
        "period": period,
        "projects": projects,
        "project_totals": {
            "total": sum((p.total_investment or Decimal(0) for p in projects), Decimal(0)),
            "ytd": sum((p.fact_ytd or Decimal(0) for p in projects), Decimal(0)),
        },
        "requests": engagement_requests(user, enterprise),
        "agreements": list(agreements_visible(user).filter(enterprise=enterprise).order_by("-signed_on", "-id")),
        "fulfilment": fulfilment_for_enterprise(user, enterprise),
        "cultivation": cultivation_entries(user, enterprise),
        "measures": list(AssistanceMeasure.objects.visible_to(user).filter(enterprise=enterprise).select_related("unit")),
        "grants": grants,
        "grants_total": PolicyGrant.objects.visible_to(user).filter(enterprise=enterprise).aggregate(s=Sum("amount"))["s"] or Decimal(0),
    }
