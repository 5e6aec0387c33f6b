"""After an upgrade: rebuild the derived figures (issue 12 §6).

:func:`refresh_periods` is what ``manage.py refresh_figures`` runs: the one refresh action
(:func:`keyprojects.analytics.refresh.refresh_periods`: facts, warnings, then the region and
dimension summaries; the same action as the board's 刷新汇总). Closed months keep their frozen rows.

:func:`backfill_summaries` runs after every ``migrate`` (post_migrate, once the schema is
complete): a period that has facts but no summary rows — a summary table added by the upgrade
just migrated — gets its summaries built from its facts. On a fresh or an up-to-date database it
costs three queries.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction


def refresh_periods(periods: list[Any]) -> dict[str, int]:
    """The one refresh action (``analytics.refresh.refresh_periods``) over whole periods."""
    from keyprojects.analytics.refresh import refresh_periods as refresh

    return refresh(periods=periods)


def periods_missing_summaries(using: str = DEFAULT_DB_ALIAS) -> list[Any]:
    from keyprojects.analytics.models import DimensionPeriodSummary, ProjectPeriodFact, RegionPeriodSummary
    from keyprojects.dispatch.models import ReportingPeriod

    with_facts = ProjectPeriodFact.objects.using(using).values("period_id").distinct()
    with_summaries = set(RegionPeriodSummary.objects.using(using).values_list("period_id", flat=True).distinct()) & set(
        DimensionPeriodSummary.objects.using(using).values_list("period_id", flat=True).distinct()
    )
    return list(ReportingPeriod.objects.using(using).filter(pk__in=with_facts).exclude(pk__in=with_summaries).order_by("year", "month"))


def backfill_summaries(*, using: str = DEFAULT_DB_ALIAS, stdout: Any = None) -> int:
    from keyprojects.analytics.services import summaries_refresh

    periods = periods_missing_summaries(using)
    for period in periods:
        with transaction.atomic(using=using):
            summaries_refresh(period=period)
        if stdout is not None:
            stdout.write(f"  summaries of {period.year}-{period.month:02d} built from its facts\n")
    return len(periods)


def post_migrate_backfill(sender: Any, using: str = DEFAULT_DB_ALIAS, verbosity: int = 1, plan: Any = None, **kwargs: Any) -> None:
    import sys

    from django.db import connections

    tables = set(connections[using].introspection.table_names())
    if not {"analytics_projectperiodfact", "analytics_dimensionperiodsummary", "dispatch_reportingperiod"} <= tables:
        return
    backfill_summaries(using=using, stdout=sys.stdout if verbosity >= 1 else None)
