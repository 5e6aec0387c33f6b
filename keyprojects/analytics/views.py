"""The home dashboard (issue 5 §1): the user's scope at a glance, at ``/`` after login.

Parse → selector (``dashboard.dashboard_for``) → render. The charts are drawn by
``static/src/dashboard.js`` from JSON the template embeds with ``json_script`` (no inline
script); every chart has a table view with the same figures and links. This module exports
``urlpatterns``; ``analytics/urls.py`` includes them.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from keyprojects.accounts import policy
from keyprojects.approvals.selectors import open_gap
from keyprojects.core.money import format_yi, wan_to_yi
from keyprojects.dispatch.models import DispatchConfig

from . import metrics
from .dashboard import BANDS, FAR, NO_PLAN, Dashboard, Group, dashboard_for


def yi(amount: Decimal | None) -> float:
    """万元 → 亿元 with 2 places, as a number for the charts (text goes through ``format_yi``)."""
    return float(wan_to_yi(amount or 0).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def pct(rate: Decimal | None) -> float | None:
    value = metrics.as_percent(rate)
    return None if value is None else float(value)


def _bars(groups: list[Group], time_pct: float | None) -> dict[str, Any]:
    return {
        "type": "bars",
        "labels": [g.label for g in groups],
        "links": [g.url for g in groups],
        "plan": [yi(g.figures.annual_plan) for g in groups],
        "ytd": [yi(g.figures.invested_ytd) for g in groups],
        "rate": [pct(g.figures.completion_rate) for g in groups],
        "time": time_pct,
        "names": {
            "plan": _("年度计划（亿元）"),
            "ytd": _("累计完成（亿元）"),
            "rate": _("完成率（%）"),
            "time": _("序时进度"),
            "unit": _("亿元"),
        },
    }


def _rates(groups: list[Group], time_pct: float | None) -> dict[str, Any]:
    return {
        "type": "rates",
        "labels": [g.label for g in groups],
        "links": [g.url for g in groups],
        "rate": [pct(g.figures.completion_rate) for g in groups],
        "bands": [g.band for g in groups],
        "time": time_pct,
        "names": {"rate": _("完成率（%）"), "time": _("序时进度")},
    }


def _pie(groups: list[Group]) -> dict[str, Any]:
    return {
        "type": "pie",
        "labels": [g.label for g in groups],
        "links": [g.url for g in groups],
        "values": [g.figures.projects for g in groups],
        "names": {"value": _("项目数")},
    }


def _curve(board: Dashboard) -> dict[str, Any]:
    points = board.curve
    return {
        "type": "curve",
        "labels": [p.label for p in points],
        "links": [p.url for p in points],
        "month": [yi(p.invested_month) for p in points],
        "ytd": [yi(p.invested_ytd) for p in points],
        "planned": [yi(p.planned_ytd) for p in points],
        "time": [yi(p.time_plan) for p in points],
        "names": {
            "month": _("当月完成（亿元）"),
            "ytd": _("累计完成（亿元）"),
            "planned": _("计划累计（亿元）"),
            "time": _("按序时进度（亿元）"),
            "unit": _("亿元"),
        },
    }


def charts_of(board: Dashboard) -> dict[str, Any]:
    """The JSON each chart is drawn from (the table views render the same groups)."""
    if board.period is None:
        return {}
    time_pct = float(board.time_progress_pct) if board.time_progress_pct is not None else None
    charts: dict[str, Any] = {"curve": _curve(board)}
    if board.regions:
        charts["regions"] = _rates(board.regions, time_pct)
    for dimension in ("level", "category", "industry"):
        charts[dimension] = _bars(board.breakdowns.get(dimension, []), time_pct)
    charts["stage"] = _pie(board.breakdowns.get("stage", []))
    return charts


def kpis_of(board: Dashboard) -> list[dict[str, Any]]:
    t = board.totals
    if t is None:
        return []
    f = t.figures
    return [
        {
            "key": "projects",
            "label": _("项目数"),
            "value": f"{f.projects:,}",
            "unit": pgettext("a number of projects in total", "个"),  # 项目数 2,986 个 / Projects 2,986 in total
            "url": t.url,
        },
        {"key": "total_investment", "label": _("总投资"), "value": format_yi(t.total_investment), "unit": _("亿元"), "url": t.url},
        {"key": "annual_plan", "label": _("年度计划投资"), "value": format_yi(f.annual_plan), "unit": _("亿元"), "url": t.url},
        {"key": "invested_ytd", "label": _("累计完成投资"), "value": format_yi(f.invested_ytd), "unit": _("亿元"), "url": t.url},
    ]


def band_legend() -> list[tuple[str, str]]:
    names = {
        "ahead": _("达到或超过序时进度"),
        "slight": _("落后5个百分点以内"),
        "behind": _("落后5至10个百分点"),
        FAR: _("落后10个百分点以上"),
        NO_PLAN: _("无年度计划"),
    }
    return [(band, names[band]) for band in [*(b for _, b in BANDS), FAR, NO_PLAN]]


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    board = dashboard_for(user=request.user, period_label=request.GET.get("period"))
    context = {
        "board": board,
        "totals": board.totals,
        "kpis": kpis_of(board),
        "charts": charts_of(board),
        "bands": band_legend(),
        "gaps": open_gap(request.user) if policy.can_see_approvals(request.user) else None,
        # the lagging tile counts the projects behind by more than the warning threshold (its
        # link: lag=far); it says so, beside the board's 滞后项目 links that list any lag
        "behind_points": DispatchConfig.get().behind_points,
    }
    htmx = getattr(request, "htmx", None)
    fragment = bool(htmx and not htmx.boosted)
    response = render(request, "analytics/dashboard.html#body" if fragment else "analytics/dashboard.html", context)
    if fragment:
        response["HX-Push-Url"] = f"{request.path}?period={board.period.label}" if board.period else request.path
    patch_vary_headers(response, ["HX-Request"])
    return response


urlpatterns = [
    path("dashboard/", dashboard, name="dashboard"),
]
