"""What one project's fact and warnings add to the summary tables, and applying a change as a
difference (the incremental half of the refresh action, ``analytics.refresh``).

The whole-period rebuild (``services.summaries_refresh`` and
``services_dashboard.dimension_summaries_refresh``) computes the same sums with grouped scans;
:data:`REGION_MEASURES` names, for each summary column, the fact columns and conditions both
use. ``tests/test_figures_agree.py`` checks that a rebuild after any sequence of incremental
refreshes changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from keyprojects.core.money import to_wan
from keyprojects.dispatch import rules

from .services_dashboard import BEHIND, FIELDS, GROUPED, LEVEL_FLAGS, MONEY

ZERO = Decimal(0)


def fact_measures(f: Mapping[str, Any]) -> dict[str, Any]:
    """The summed columns one fact row adds to every group it belongs to (the same conditions
    as the grouped scans' ``Count(filter=…)``)."""
    due = bool(f["report_due"])
    return {
        "projects": 1,
        "annual_plan": Decimal(f["annual_plan"] or 0),
        "planned_ytd": Decimal(f["planned_ytd"] or 0),
        "invested_month": Decimal(f["invested_month"] or 0),
        "invested_ytd": Decimal(f["invested_ytd"] or 0),
        "planned_new": int(bool(f["planned_new"])),
        "started_new": int(bool(f["planned_new"] and f["started"])),
        "planned_completions": int(bool(f["planned_completion"])),
        "completed": int(bool(f["planned_completion"] and f["completed"])),
        "reports_due": int(due),
        "reports_in": int(due and f["report_state"] in rules.REPORTED_STATES),
        "reports_on_time": int(due and bool(f["report_on_time"])),
    }


REGION_FIELDS = (
    "projects",
    "annual_plan",
    "planned_ytd",
    "invested_month",
    "invested_ytd",
    "planned_new",
    "started_new",
    "planned_completions",
    "completed",
    "reports_due",
    "reports_in",
    "reports_on_time",
)
DIMENSION_FIELDS = FIELDS  # the dimension summary's summed columns, as the whole rebuild writes them


def _add(acc: dict[Any, dict[str, Any]], key: Any, values: dict[str, Any], sign: int) -> None:
    row = acc[key]
    for k, v in values.items():
        row[k] = row.get(k, 0) + sign * v


def _region_codes(f: Mapping[str, Any]) -> set[str]:
    return {c for c in (f["region_code"], f["city_code"], f["province_code"]) if c}


def _dimension_keys(f: Mapping[str, Any]) -> list[tuple[str, str]]:
    keys = [("all", "")]
    keys += [("level", level) for level, flag in LEVEL_FLAGS if f[flag]]
    keys += [(dimension, "" if f[column] is None else str(f[column])) for dimension, column in GROUPED.items()]
    if f["sponsor_leader_ref"] is not None:
        keys.append(("leader", str(f["sponsor_leader_ref"])))
    return keys


def apply_delta(
    *,
    period: Any,
    old_facts: Iterable[Mapping[str, Any]],
    old_warnings: Iterable[tuple[int, str]],
    new_facts: Iterable[Mapping[str, Any]],
    new_warnings: Iterable[tuple[int, str]],
    include_frozen: bool = False,
) -> bool:
    """Change the region and dimension summaries of ``period`` by (new − old) contributions of
    some projects (their facts and (project, kind) warnings before and after a refresh).

    Returns False, writing nothing, when the summaries were not in step with the old facts (a
    sum would go below zero: facts rebuilt without their summaries); the caller then rebuilds
    the period's summaries whole. ``include_frozen``: a correction approved after the close
    changes the frozen rows too (they keep their frozen mark)."""
    from keyprojects.projects.models import Project
    from keyprojects.regions.models import Region

    from .models import DimensionPeriodSummary, RegionPeriodSummary

    regions: dict[str, dict[str, Any]] = defaultdict(dict)
    dims: dict[tuple[str, str, str], dict[str, Any]] = defaultdict(dict)
    for facts, sign in ((old_facts, -1), (new_facts, 1)):
        for f in facts:
            m = fact_measures(f)
            for code in _region_codes(f):
                _add(regions, code, m, sign)
            vector = {k: v for k, v in m.items() if k != "reports_in"}
            for dimension, key in _dimension_keys(f):
                _add(dims, (f["region_code"], dimension, key), vector, sign)
            money = {"total_investment": Decimal(f["total_investment"] or 0)}
            _add(dims, (f["region_code"], "all", ""), money, sign)
            if f["sponsor_leader_ref"] is not None:
                _add(dims, (f["region_code"], "leader", str(f["sponsor_leader_ref"])), money, sign)
    old_w, new_w = defaultdict(set), defaultdict(set)
    for pid, kind in old_warnings:
        old_w[pid].add(kind)
    for pid, kind in new_warnings:
        new_w[pid].add(kind)
    touched = set(old_w) | set(new_w)
    where = {p["pk"]: p for p in Project.objects.filter(pk__in=touched).values("pk", "region_id", "sponsor_leader_id")}
    for warned, sign in ((old_w, -1), (new_w, 1)):
        for pid, kinds in warned.items():
            p = where.get(pid)
            if p is None or not kinds:
                continue
            vector = {"warned": 1, "lagging": int(BEHIND in kinds)}
            _add(dims, (p["region_id"], "all", ""), vector, sign)
            if p["sponsor_leader_id"] is not None:
                _add(dims, (p["region_id"], "leader", str(p["sponsor_leader_id"])), vector, sign)
            for kind in kinds:
                _add(dims, (p["region_id"], "warning", kind), {"projects": 1}, sign)

    codes = set(regions) | {code for code, _, _ in dims}
    parents = {
        code: {c for c in (code, city, province) if c}
        for code, city, province in Region.objects.filter(code__in=codes).values_list("code", "city_code", "province_code")
    }
    # region summaries: the fact's own codes (known regions only), frozen rows untouched
    frozen = (
        set() if include_frozen else set(RegionPeriodSummary.objects.filter(period=period, frozen=True).values_list("region_id", flat=True))
    )
    region_plan = _apply(
        RegionPeriodSummary,
        {"period": period},
        {(code,): d for code, d in regions.items() if code in parents and code not in frozen},
        ("region_id",),
        REGION_FIELDS,
    )
    rolled: dict[tuple[str, str, str], dict[str, Any]] = defaultdict(dict)
    for (code, dimension, key), d in dims.items():
        for target in parents.get(code, ()):
            _add(rolled, (target, dimension, key), d, 1)
    dimension_plan = _apply(DimensionPeriodSummary, {"period": period}, rolled, ("region_id", "dimension", "key"), DIMENSION_FIELDS)
    if region_plan is None or dimension_plan is None:  # out of step: nothing written, the caller rebuilds
        return False
    _write(*region_plan)
    _write(*dimension_plan)
    return True


def _apply(
    model: Any, scope: dict[str, Any], deltas: dict[tuple[Any, ...], dict[str, Any]], key_fields: tuple[str, ...], fields: tuple[str, ...]
) -> tuple[Any, list[Any], list[Any], list[Any], tuple[str, ...]] | None:
    """What applying ``deltas`` to ``model``'s rows means: (model, rows to create, to update, ids
    to delete, fields), or None when a sum would go below zero (summaries out of step)."""
    deltas = {k: d for k, d in deltas.items() if any(v for v in d.values())}
    if not deltas:
        return (model, [], [], [], fields)
    first = key_fields[0]
    existing = {
        tuple(getattr(row, f) for f in key_fields): row for row in model.objects.filter(**scope, **{f"{first}__in": {k[0] for k in deltas}})
    }
    create, update, delete = [], [], []
    for key, d in deltas.items():
        row = existing.get(key)
        if row is None:
            row = model(**scope, **dict(zip(key_fields, key, strict=True)))
            for f in fields:
                setattr(row, f, ZERO if f in MONEY or f in ("annual_plan", "planned_ytd", "invested_month", "invested_ytd") else 0)
            is_new = True
        else:
            is_new = False
        for f, v in d.items():
            if f in fields:
                value = getattr(row, f) + v
                if value < 0:
                    return None
                setattr(row, f, to_wan(value) if isinstance(value, Decimal) else value)
        if all(not getattr(row, f) for f in fields):
            if not is_new:
                delete.append(row.pk)
        elif is_new:
            create.append(row)
        else:
            update.append(row)
    return (model, create, update, delete, fields)


def _write(model: Any, create: list[Any], update: list[Any], delete: list[Any], fields: tuple[str, ...]) -> None:
    if delete:
        model.objects.filter(pk__in=delete).delete()
    if update:
        model.objects.bulk_update(update, list(fields), batch_size=500)
    if create:
        model.objects.bulk_create(create, batch_size=500)
