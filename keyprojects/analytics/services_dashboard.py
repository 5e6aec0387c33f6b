"""Refreshing the dimension summaries the home dashboard and the leaders' view read.

``dimension_summaries_refresh`` rolls the facts of one period up by region (county → city →
province) and by list level, category, industry, stage and sponsor leader, and counts the
warnings of the period. It runs with ``summaries_refresh`` (approvals, 刷新汇总, 关账), never
per request: four grouped scans (facts by region and level/category/industry/stage, shared with
the region summaries: ``fact_groups``; facts by region and leader with the projects' total
investment; two over the warnings); the roll-up over the
region tree happens here on the grouped rows.
"""

from __future__ import annotations

import operator
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q, Sum

from keyprojects.core.bulk import read_values, sqlite_insert_many
from keyprojects.dispatch import rules

from .models import DimensionPeriodSummary, ProjectPeriodFact
from .selectors import AGGREGATES, DIMENSIONS

LEVEL_FLAGS = (("province", "on_province_list"), ("city", "on_city_list"), ("county", "on_county_list"))
GROUPED = {name: DIMENSIONS[name] for name in ("category", "industry", "stage")}
MONEY = ("total_investment", "annual_plan", "planned_ytd", "invested_month", "invested_ytd")
COUNTS = (
    "projects",
    "planned_new",
    "started_new",
    "planned_completions",
    "completed",
    "reports_due",
    "reports_on_time",
    "warned",
    "lagging",
)
FIELDS = MONEY + COUNTS
SUMMED = [f"agg_{f}" for f in FIELDS]
BEHIND = "behind_schedule"  # dispatch.choices.WarningKind.BEHIND_SCHEDULE
ZERO = Decimal(0)


class _Rollup:
    """Vectors of FIELDS keyed by (region code, dimension, key); a region's rows are added to
    its city and province afterwards (a city-level project's region is its city)."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str, str], list[Any]] = {}

    def add(self, code: str, dimension: str, key: Any, vector: list[Any]) -> None:
        k = (code, dimension, "" if key is None else str(key))
        acc = self.rows.get(k)
        if acc is None:
            self.rows[k] = list(vector)
        else:
            self.rows[k] = list(map(operator.add, acc, vector))

    def rolled_up(self, parents: dict[str, tuple[str, ...]]) -> dict[tuple[str, str, str], list[Any]]:
        out: dict[tuple[str, str, str], list[Any]] = {}
        for (code, dimension, key), vector in self.rows.items():
            for target in parents.get(code, ()):
                k = (target, dimension, key)
                acc = out.get(k)
                out[k] = list(vector) if acc is None else list(map(operator.add, acc, vector))
        return out


_AGGREGATED = tuple(AGGREGATES)  # the order of the sums in a grouped row (after its keys)
_FROM_AGGREGATES = [_AGGREGATED.index(f"agg_{f}") if f"agg_{f}" in AGGREGATES else None for f in FIELDS]


def _vector(sums: tuple[Any, ...]) -> list[Any]:
    """FIELDS from a grouped row's AGGREGATES (in that order): None sums are 0."""
    return [(ZERO if i < len(MONEY) else 0) if at is None or sums[at] is None else sums[at] for i, at in enumerate(_FROM_AGGREGATES)]


def _grouped(qs: Any, keys: tuple[str, ...], aggregates: dict[str, Any]) -> list[tuple[Any, ...]]:
    """``qs`` grouped by ``keys`` with ``aggregates``: plain tuples (keys, then the sums) read
    through ``core.bulk.read_values``."""
    return read_values(qs.values(*keys).annotate(**aggregates).order_by(), *keys, *aggregates)


def _counts(**values: Any) -> list[Any]:
    return [values.get(f, ZERO if f in MONEY else 0) for f in FIELDS]


_FLAGS = tuple(flag for _, flag in LEVEL_FLAGS)
# The keys of the one grouped scan of a period's facts (:func:`fact_groups`): the codes, then the
# list flags and the grouped dimensions; after them AGGREGATES and reports_in.
GROUP_KEYS = ("region_code", "city_code", "province_code", *_FLAGS, *GROUPED.values())
REPORTS_IN = Count("id", filter=Q(report_due=True, report_state__in=sorted(rules.REPORTED_STATES)))  # 已报 of the reports due


def fact_groups(period: Any) -> list[tuple[Any, ...]]:
    """The facts of ``period`` grouped by :data:`GROUP_KEYS`, with the sums of AGGREGATES and
    reports_in (已报, of the reports due) after the keys: one scan that both the region summaries
    (``services.summaries_refresh``, summed over the codes) and the dimension summaries read."""
    return _grouped(ProjectPeriodFact.objects.filter(period=period), GROUP_KEYS, {**AGGREGATES, "agg_reports_in": REPORTS_IN})


@transaction.atomic
def dimension_summaries_refresh(*, period: Any, groups: list[tuple[Any, ...]] | None = None) -> int:
    """Rebuild every ``DimensionPeriodSummary`` row of ``period`` from its facts and warnings.
    ``groups``: :func:`fact_groups` of the period when the caller has read them."""
    from keyprojects.dispatch.models import ProjectWarning
    from keyprojects.regions.models import Region

    facts = ProjectPeriodFact.objects.filter(period=period)
    roll = _Rollup()
    flags = _FLAGS
    n_keys = len(GROUP_KEYS)
    flag_at = range(3, 3 + len(flags))
    for row in fact_groups(period) if groups is None else groups:
        vector = _vector(row[n_keys:])
        code = row[0]
        for (level, _), at in zip(LEVEL_FLAGS, flag_at, strict=True):
            if row[at]:
                roll.add(code, "level", level, vector)
        for dimension, value in zip(GROUPED, row[3 + len(flags) : n_keys], strict=True):
            roll.add(code, dimension, value, vector)
    leader = DIMENSIONS["leader"]
    # with the total investment of the same projects (as of their facts)
    for code, ref, *sums, invested in _grouped(facts, ("region_code", leader), {**AGGREGATES, "s": Sum("total_investment")}):
        vector = _vector(tuple(sums))
        vector[0] = invested or ZERO  # FIELDS[0] is total_investment
        roll.add(code, "all", "", vector)
        if ref is not None:
            roll.add(code, "leader", ref, vector)
    # their warnings (each project has one region and one leader, so distinct counts per region and leader add up)
    warnings = ProjectWarning.objects.filter(period=period)
    warned = {"warned": Count("project_id", distinct=True), "lagging": Count("id", filter=Q(kind=BEHIND))}
    for code, ref, n_warned, n_lagging in _grouped(warnings, ("project__region_id", "project__sponsor_leader_id"), warned):
        vector = _counts(warned=n_warned, lagging=n_lagging)
        roll.add(code, "all", "", vector)
        if ref is not None:
            roll.add(code, "leader", ref, vector)
    for code, kind, n in _grouped(warnings, ("project__region_id", "kind"), {"n": Count("id")}):
        roll.add(code, "warning", kind, _counts(projects=n))
    regions = Region.objects.filter(code__in={code for code, _, _ in roll.rows}).values_list("code", "city_code", "province_code")
    parents = {code: tuple({c for c in (code, city, province) if c}) for code, city, province in regions}
    # (sums of amounts read at 4 places keep them: nothing to round)
    rows = [(period.pk, code, dimension, key, *vector) for (code, dimension, key), vector in roll.rolled_up(parents).items()]
    DimensionPeriodSummary.objects.filter(period=period).delete()
    _insert(rows)
    return len(rows)


def _insert(rows: list[tuple[Any, ...]]) -> None:
    """Many summary rows in one ``executemany`` (bulk_create's per-object work is most of the
    refresh otherwise); the same statement on SQLite and PostgreSQL, some hundred rows per
    execution on SQLite (``core.bulk.sqlite_insert_many``)."""
    meta = DimensionPeriodSummary._meta
    column_of = {f.name: str(f.column) for f in meta.concrete_fields}
    columns = [column_of[name] for name in ("period", "region", "dimension", "key", *FIELDS)]
    qn = connection.ops.quote_name
    sql = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(c) for c in columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 2000):
            if connection.vendor == "sqlite":
                sqlite_insert_many(cursor, sql, rows[start : start + 2000])
            else:
                cursor.executemany(sql, rows[start : start + 2000])
