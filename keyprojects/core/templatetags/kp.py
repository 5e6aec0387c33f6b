"""Template filters available in every template (registered as a builtin in settings)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from keyprojects.core.money import Period, format_period, format_wan, format_yi

register = template.Library()


@register.filter
def person(user: Any) -> str:
    """A user's display name: full name, else username; "系统" when there is none (imports,
    demo data, commands)."""
    if user is None:
        return _("系统")
    full = (user.get_full_name() or "").strip() if hasattr(user, "get_full_name") else ""
    return full or getattr(user, "username", "") or _("系统")


@register.filter
def wan(value: Any) -> str:
    """A 万元 amount as shown to users: ``1,234.57`` (``core.money.format_wan``)."""
    return format_wan(value)


@register.filter
def yi(value: Any) -> str:
    """A 万元 amount shown in 亿元: ``3,902.12`` (``core.money.format_yi``)."""
    return format_yi(value)


@register.filter
def yearmonth(value: Any) -> str:
    """A reporting period (or its label ``2026-11``) in the active language: ``2026年11月`` /
    ``Nov 2026`` (``core.money.format_period``)."""
    if isinstance(value, str):
        try:
            value = Period.parse(value)
        except ValueError:
            return value
    return format_period(value)


@register.filter
def pct(value: Any) -> str:
    """A percentage (形象进度, 完成率 in %) as shown everywhere: two places and thousands
    separators, ``15.90``, ``1,249.59``; "" for none. The "%" sign stays in the template."""
    if value is None or value == "":
        return ""
    return floatformat(value, "2g")


@register.filter
def measured(value: Any, measure: str) -> str:
    """A value stated in ``measure`` (a commitment's target): an amount in 万元 as :func:`wan`,
    any other measure (亩, 人) with up to 4 places."""
    if (measure or "").strip() == "万元":
        return format_wan(value)
    return floatformat(value, "-4g")


@register.simple_tag
def lagging_url(region_code: str, period: Any, own: bool = False) -> str:
    """The project list of ``region_code``'s projects behind 序时进度 at ``period``, most behind
    first (``analytics.dashboard.lagging_projects_url``): where every region name leads. ``own``:
    the region's own projects only (a board's 市本级 row)."""
    from keyprojects.analytics.dashboard import lagging_projects_url

    return lagging_projects_url(region_code, period, own=bool(own)) if period is not None and region_code else ""
