"""Reads for enterprises; scope only through ``visible_to`` / ``get_for_user``."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from keyprojects.core.scope import get_for_user
from keyprojects.projects.models import Project

from .models import Enterprise


def enterprise_list(*, user: Any, q: str = "") -> QuerySet[Enterprise]:
    """Enterprises visible to ``user``, searched by name or USCC, with the number of their
    projects that ``user`` can see (``n_projects``)."""
    counts = Project.objects.visible_to(user).filter(owner=OuterRef("pk")).order_by().values("owner").annotate(c=Count("id")).values("c")
    qs = (
        Enterprise.objects.visible_to(user)
        .select_related("region")
        .annotate(n_projects=Coalesce(Subquery(counts, output_field=IntegerField()), 0))
    )
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(uscc__icontains=q.upper()))
    return qs.order_by("name", "id")  # type: ignore[return-value]


def get_enterprise_for_user(*, user: Any, pk: Any, for_edit: bool = False, request: Any = None) -> Enterprise:
    return get_for_user(Enterprise, user=user, pk=pk, for_edit=for_edit, request=request)


def enterprise_projects(*, user: Any, enterprise: Enterprise) -> QuerySet[Project]:
    """The enterprise's projects that ``user`` may see (not all of them, for a county user)."""
    return Project.objects.visible_to(user).filter(owner=enterprise).select_related("region", "responsible_unit").order_by("-id")
