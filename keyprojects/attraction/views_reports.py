"""招商引资 reports: the funnel and 履约 figures, counts per leader (一把手招商: trips,
destinations, results), the activities, and the pipeline export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from keyprojects.audit.services import audit_record
from keyprojects.core.errors import ValidationFailed
from keyprojects.core.forms import apply_errors
from keyprojects.core.paging import paged
from keyprojects.core.xlsx import xlsx_response

from . import selectors, services
from .choices import ActivityKind
from .exports import export_activities, export_pipeline
from .forms import ActivityForm, FunnelForm
from .views import filtered, guard


def _by(request: HttpRequest) -> str:
    by = request.GET.get("by") or "region"
    return by if by in selectors.GROUPS else "region"


@login_required
@require_GET
def funnel_view(request: HttpRequest) -> HttpResponse:
    guard(request)
    f, qs = filtered(request)
    by = _by(request)
    total, rows = selectors.funnel(qs, by=by)
    context = {
        "filter": f,
        "by_form": FunnelForm(initial={"by": by}),
        "by": by,
        "by_label": selectors.GROUPS[by],
        "total": total,
        "rows": rows,
    }
    return render(request, "attraction/funnel.html", context)


@login_required
@require_GET
def pipeline_export(request: HttpRequest) -> HttpResponse:
    guard(request)
    _f, qs = filtered(request)
    content, n = export_pipeline(qs, by=_by(request))
    audit_record(action="export", user=request.user, request=request, object_type="attraction.lead", changes={"rows": n})
    return xlsx_response(content, f"招商项目推进表-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
@require_GET
def leader_view(request: HttpRequest) -> HttpResponse:
    guard(request)
    try:
        year = int(request.GET.get("year") or 0) or None
    except ValueError:
        year = None
    if year is not None and not 2000 <= year <= 2100:
        year = None
    rows = selectors.leader_counts(request.user, year=year)
    this = timezone.localdate().year
    return render(request, "attraction/leaders.html", {"rows": rows, "year": year, "years": list(range(this, this - 4, -1))})


def _activities(request: HttpRequest) -> tuple[Any, str, str]:
    qs = selectors.activities_visible(request.user).order_by("-held_on", "-id")
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(destination__icontains=q) | Q(participants__icontains=q) | Q(investors_met__icontains=q) | Q(result__icontains=q))
    kind = request.GET.get("kind") or ""
    if kind in ActivityKind.values:
        qs = qs.filter(kind=kind)
    return qs, q, kind


@login_required
@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    guard(request)
    qs, q, kind = _activities(request)
    context = {
        **paged(request, qs, 50),
        "q": q,
        "kind": kind,
        "kinds": ActivityKind.choices,
    }
    return render(request, "attraction/activities.html", context)


@login_required
@require_GET
def activity_export(request: HttpRequest) -> HttpResponse:
    guard(request)
    qs, _q, _kind = _activities(request)
    content, n = export_activities(qs)
    audit_record(action="export", user=request.user, request=request, object_type="attraction.activity", changes={"rows": n})
    return xlsx_response(content, f"招商活动-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest) -> HttpResponse:
    guard(request, write=True)
    form = ActivityForm(request.POST or None, user=request.user, initial={"held_on": timezone.localdate(), "kind": "trip", "days": 1})
    if request.method == "POST" and form.is_valid():
        data: dict[str, Any] = {k: v for k, v in form.cleaned_data.items() if k in services.ACTIVITY_FIELDS and k in form.fields}
        try:
            act = services.activity_create(user=request.user, data=data, request=request)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记招商活动，可继续登记由此获得的线索"))
            return redirect(f"{reverse('attraction:create')}?activity={act.pk}")
    return render(request, "attraction/activity_form.html", {"form": form})
