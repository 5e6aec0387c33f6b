"""Refreshing the dimension summaries the home dashboard and the leaders' view read.

``dimension_summaries_refresh`` rolls the facts of one period up by region (county → city →
province) and by list level, category, industry, stage and sponsor leader, and counts the
warnings of the period. It runs with ``summaries_refresh`` (approvals, 刷新汇总, 关账), never
per request: five grouped scans (facts by region and level/category/industry/stage, facts by
region and leader, the projects' total investment, two over the warnings); the roll-up over the
region tree happens here on the grouped rows.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q, Sum

from keyprojects.core.money import to_wan

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
            self.rows[k] = [a + b for a, b in zip(acc, vector, strict=True)]

    def rolled_up(self, parents: dict[str, tuple[str, ...]]) -> dict[tuple[str, str, str], list[Any]]:
        out: dict[tuple[str, str, str], list[Any]] = {}
        for (code, dimension, key), vector in self.rows.items():
            for target in parents.get(code, ()):
                k = (target, dimension, key)
                acc = out.get(k)
                out[k] = list(vector) if acc is None else [a + b for a, b in zip(acc, vector, strict=True)]
        return out


def _vector(raw: dict[str, Any]) -> list[Any]:
    return [(Decimal(str(raw[k])) if raw[k] is not None else ZERO) if i < len(MONEY) else (raw[k] or 0) for i, k in enumerate(SUMMED)]


def _counts(**values: Any) -> list[Any]:
    return [values.get(f, ZERO if f in MONEY else 0) for f in FIELDS]


@transaction.atomic
def dimension_summaries_refresh(*, period: Any) -> int:
    """Rebuild every ``DimensionPeriodSummary`` row of ``period`` from its facts and warnings."""
    from keyprojects.dispatch.models import ProjectWarning
    from keyprojects.regions.models import Region

    facts = ProjectPeriodFact.objects.filter(period=period)
    roll = _Rollup()
    zeros = {"agg_total_investment": None, "agg_warned": 0, "agg_lagging": 0}
    flags = [flag for _, flag in LEVEL_FLAGS]
    columns = list(GROUPED.values())
    for raw in facts.values("region_code", *flags, *columns).annotate(**AGGREGATES).order_by():
        vector = _vector({**zeros, **raw})
        code = raw["region_code"]
        for level, flag in LEVEL_FLAGS:
            if raw[flag]:
                roll.add(code, "level", level, vector)
        for dimension, column in GROUPED.items():
            roll.add(code, dimension, raw[column], vector)
    leader = DIMENSIONS["leader"]
    for raw in facts.values("region_code", leader).annotate(**AGGREGATES).order_by():
        vector = _vector({**zeros, **raw})
        roll.add(raw["region_code"], "all", "", vector)
        if raw[leader] is not None:
            roll.add(raw["region_code"], "leader", raw[leader], vector)
    # the total investment of the same projects (as of their facts), and their warnings (each project has one region
    # and one leader, so distinct counts per region and leader add up)
    for raw in facts.values("region_code", leader).annotate(s=Sum("total_investment")).order_by():
        vector = _counts(total_investment=Decimal(str(raw["s"] or 0)))
        roll.add(raw["region_code"], "all", "", vector)
        if raw[leader] is not None:
            roll.add(raw["region_code"], "leader", raw[leader], vector)
    warnings = ProjectWarning.objects.filter(period=period)
    for raw in (
        warnings.values("project__region_id", "project__sponsor_leader_id")
        .annotate(warned=Count("project_id", distinct=True), lagging=Count("id", filter=Q(kind=BEHIND)))
        .order_by()
    ):
        vector = _counts(warned=raw["warned"], lagging=raw["lagging"])
        roll.add(raw["project__region_id"], "all", "", vector)
        if raw["project__sponsor_leader_id"] is not None:
            roll.add(raw["project__region_id"], "leader", raw["project__sponsor_leader_id"], vector)
    for raw in warnings.values("project__region_id", "kind").annotate(n=Count("id")).order_by():
        roll.add(raw["project__region_id"], "warning", raw["kind"], _counts(projects=raw["n"]))
    regions = Region.objects.filter(code__in={code for code, _, _ in roll.rows}).values_list("code", "city_code", "province_code")
    parents = {code: tuple({c for c in (code, city, province) if c}) for code, city, province in regions}
    rows = [
        (period.pk, code, dimension, key, *((to_wan(v) if f in MONEY else v) for f, v in zip(FIELDS, vector, strict=True)))
        for (code, dimension, key), vector in roll.rolled_up(parents).items()
    ]
    DimensionPeriodSummary.objects.filter(period=period).delete()
    _insert(rows)
    return len(rows)


def _insert(rows: list[tuple[Any, ...]]) -> None:
    """Many summary rows in one ``executemany`` (bulk_create's per-object work is most of the
    refresh otherwise); the same statement on SQLite and PostgreSQL."""
    meta = DimensionPeriodSummary._meta
    column_of = {f.name: str(f.column) for f in meta.concrete_fields}
    columns = [column_of[name] for name in ("period", "region", "dimension", "key", *FIELDS)]
    qn = connection.ops.quote_name
    sql = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(c) for c in columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 2000):
            cursor.executemany(sql, rows[start : start + 2000])
