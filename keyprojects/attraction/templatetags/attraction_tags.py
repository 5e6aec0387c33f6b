"""Filters of the 招商引资 pages (rates through ``analytics.metrics``)."""

from __future__ import annotations

from typing import Any

from django import template

from keyprojects.analytics import metrics

register = template.Library()


@register.filter
def pct(rate: Any) -> str:
    """A ratio (0.5630) as shown: "56.30%"; "—" when not applicable."""
    value = metrics.as_percent(rate)
    return "—" if value is None else f"{value}%"


@register.filter
def stage_badge(stage: str) -> str:
    return {
        "info": "text-bg-secondary",
        "negotiation": "text-bg-info",
        "signed": "text-bg-primary",
        "landed": "text-bg-success",
        "feedback": "text-bg-success",
        "dropped": "text-bg-light",
    }.get(stage, "text-bg-secondary")


@register.filter
def fund_badge(status: str) -> str:
    """The badge of a 到资 entry's status (only 已确认 counts)."""
    return {
        "pending": "text-bg-warning",
        "confirmed": "text-bg-success",
        "returned": "text-bg-secondary",
        "void_pending": "text-bg-warning",
        "voided": "text-bg-light border",
        "withdrawn": "text-bg-light border",
    }.get(status, "text-bg-secondary")
