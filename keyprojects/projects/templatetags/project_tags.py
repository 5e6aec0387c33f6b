"""Template helpers for project pages: amounts, stage badges, sort links and query strings."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from keyprojects.core.money import format_wan, format_wan_exact

register = template.Library()

STAGE_CLASSES = {
    "reserve": "text-bg-secondary",
    "preparation": "text-bg-info",
    "construction": "text-bg-primary",
    "completed": "text-bg-success",
    "production": "text-bg-success",
    "effective": "text-bg-dark",
    "suspended": "text-bg-warning",
    "cancelled": "text-bg-danger",
}


@register.filter
def wan(value: Any) -> str:
    """A 万元 amount with thousands separators and two decimals (``core.money.format_wan``)."""
    return format_wan(value)


@register.filter
def wan_exact(value: Any) -> str:
    """A 万元 amount with two decimals, four when the yuan matter (``core.money.format_wan_exact``)."""
    return format_wan_exact(value)


@register.filter
def stage_class(stage: str) -> str:
    return STAGE_CLASSES.get(stage, "text-bg-secondary")


@register.filter
def stage_label(stage: str) -> str:
    """A stage's name (a fact's stage of a month: ``Project.get_stage_display`` for a stored value)."""
    from keyprojects.projects.choices import Stage

    return str(dict(Stage.choices).get(stage, stage))


@register.filter
def plan_of(project: Any) -> Any:
    """The annual plan of the prefetched ``plan_year`` list (selectors.project_list)."""
    years = getattr(project, "plan_year", None)
    return years[0].annual_plan if years else None


@register.filter
def nature_of(project: Any) -> str:
    """The 建设性质 label of the list's year (``selectors.listed_nature``)."""
    from keyprojects.projects.choices import Nature
    from keyprojects.projects.selectors import listed_nature

    value = listed_nature(project)
    return str(Nature(value).label) if value in Nature.values else value


def query_without(params: Any, *drop: str, **set_: Any) -> str:
    q = params.copy()
    for key in (*drop, *set_):
        q.pop(key, None)
    for key, value in set_.items():
        if value not in (None, ""):
            q[key] = value
    return str(q.urlencode())


@register.simple_tag(takes_context=True)
def sort_link(context: Any, key: str, label: str, desc_first: bool = False) -> str:
    """A column header that sorts by ``key`` (toggling direction) and keeps the other filters.

    Both a real ``href`` and an ``hx-get`` to the same address, so it works without JavaScript;
    hx-target/hx-swap/hx-push-url are inherited from the page's container.
    """
    request = context["request"]
    params = context.get("params", request.GET)
    current = params.get("sort", "")
    if current == key:
        target, arrow = f"-{key}", " ▲"
    elif current == f"-{key}":
        target, arrow = key, " ▼"
    else:
        target, arrow = (f"-{key}" if desc_first else key), ""
    url = f"{request.path}?{query_without(params, 'page', sort=target)}"
    return format_html(
        '<a href="{}" hx-get="{}" class="link-dark text-decoration-none" data-sort="{}">{}{}</a>',
        url,
        url,
        target,
        label,
        arrow,
    )


@register.simple_tag(takes_context=True)
def page_url(context: Any, number: int) -> str:
    request = context["request"]
    return f"{request.path}?{query_without(context.get('params', request.GET), 'page', page=number)}"


@register.filter
def completion_pct(project: Any) -> Any:
    """完成率 (percent) of a project of the list: its period fact (``fact_ytd``/``fact_plan``)
    through ``analytics.metrics``; None without an annual plan."""
    from keyprojects.analytics import metrics

    return metrics.as_percent(metrics.completion_rate(getattr(project, "fact_ytd", None), getattr(project, "fact_plan", None)))


@register.filter
def schedule_points(project: Any, period: Any) -> Any:
    """Percentage points ahead of (+) or behind (−) 序时进度 at ``period`` (``analytics.metrics``);
    None for a project not placed against it that month (``dispatch.rules.compared_with_schedule``:
    not due to report, no report — a 谋划储备 project read "-91.67" where no page calls it behind)."""
    from keyprojects.analytics import metrics
    from keyprojects.dispatch.rules import compared_with_schedule

    if period is None or not compared_with_schedule(getattr(project, "fact_state", None)):
        return None
    rate = metrics.completion_rate(getattr(project, "fact_ytd", None), getattr(project, "fact_plan", None))
    return metrics.ahead_points(rate, period.month)


@register.filter
def warning_pct(warning: Any) -> Any:
    """完成率 (percent) of a warning's project at the warning's period (its fact, ``analytics.metrics``)."""
    from keyprojects.analytics import metrics

    return metrics.as_percent(metrics.completion_rate(getattr(warning, "fact_ytd", None), getattr(warning, "fact_plan", None)))
