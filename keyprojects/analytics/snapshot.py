"""The frozen snapshot of a month close: the figures as they were closed, kept with the closure.

An approved correction after the close changes the figures everywhere (through the one refresh
action) and the pages mark them 已更正; this snapshot does not change, so the original frozen
board and project figures stay downloadable (``snapshot_workbook``). Stored as gzip-compressed
JSON rows: at 200,000 projects a few megabytes, written in a few seconds.
"""

from __future__ import annotations

import gzip
import json
from decimal import Decimal
from typing import Any

from keyprojects.core.xlsx import Column, Sheet, build_workbook, ytd_header

from . import metrics
from .models import ProjectPeriodFact, RegionPeriodSummary

REGION_KEYS = ["code", "name", "projects", "annual_plan", "invested_month", "invested_ytd", "completion_pct", "ahead_points"]
PROJECT_KEYS = ["id", "code", "name", "region", "annual_plan", "invested_month", "invested_ytd", "completion_pct", "report_state"]


def _s(value: Any) -> str | None:
    return None if value is None else str(value)


def frozen_figures(*, period: Any, region: Any) -> bytes:
    """The region summaries and project facts of ``region``'s ``period`` as gzip JSON."""
    if region.level == "province":
        facts = ProjectPeriodFact.objects.filter(period=period, province_code=region.code)
        summaries = RegionPeriodSummary.objects.filter(period=period, region__province_code=region.code)
    else:
        facts = ProjectPeriodFact.objects.filter(period=period, city_code=region.code)
        summaries = RegionPeriodSummary.objects.filter(period=period, region__city_code=region.code) | RegionPeriodSummary.objects.filter(
            period=period, region_id=region.code
        )
    month = period.month
    regions = []
    for code, name, n, plan, im, ytd in summaries.order_by("region_id").values_list(
        "region_id", "region__name", "projects", "annual_plan", "invested_month", "invested_ytd"
    ):
        rate = metrics.completion_rate(ytd, plan)
        regions.append([code, name, n, _s(plan), _s(im), _s(ytd), _s(metrics.as_percent(rate)), _s(metrics.ahead_points(rate, month))])
    projects = []
    for pid, code, name, rcode, plan, im, ytd, state in (
        facts.order_by("project_id")
        .values_list(
            "project_id",
            "project__project_code",
            "project__name",
            "region_code",
            "annual_plan",
            "invested_month",
            "invested_ytd",
            "report_state",
        )
        .iterator(chunk_size=10000)
    ):
        rate = metrics.completion_rate(ytd, plan)
        projects.append([pid, code or "", name, rcode, _s(plan), _s(im), _s(ytd), _s(metrics.as_percent(rate)), state])
    doc = {
        "period": period.label,
        "region": region.code,
        "region_name": region.name,
        "region_keys": REGION_KEYS,
        "regions": regions,
        "project_keys": PROJECT_KEYS,
        "projects": projects,
    }
    return gzip.compress(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode(), compresslevel=5)


def read_snapshot(data: bytes | memoryview | None) -> dict[str, Any] | None:
    if not data:
        return None
    return json.loads(gzip.decompress(bytes(data)))


def _num(v: Any) -> Any:
    return None if v is None else Decimal(v)


def _within(region: Any) -> set[str] | None:
    """The region codes a reader of ``region`` may see in a snapshot (None: all of it)."""
    from django.db.models import Q

    from keyprojects.regions.models import Region

    if region is None or region.level == "province":
        return None
    if region.level == "city":
        return set(Region.objects.filter(Q(code=region.code) | Q(city_code=region.code)).values_list("code", flat=True))
    return {region.code}


def snapshot_workbook(closure: Any, *, within: Any = None) -> bytes | None:
    """The closure's snapshot as a workbook: 区域汇总 and 项目明细 sheets (万元); ``within``: only
    the rows of that region (a city reading the province's snapshot sees its own part)."""
    from django.utils import timezone

    from keyprojects.dispatch.choices import ReportState

    doc = read_snapshot(closure.frozen_figures)
    if doc is None:
        return None
    codes = _within(within)
    if codes is not None:
        doc["regions"] = [r for r in doc["regions"] if r[0] in codes]
        doc["projects"] = [p for p in doc["projects"] if p[3] in codes]
    when = timezone.localtime(closure.closed_at).strftime("%Y-%m-%d %H:%M") if closure.closed_at else ""
    subtitle = f"关账时冻结的原始数据（关账时间 {when}），不含关账后的更正；单位：万元"
    title = f"{doc['region_name']}{closure.period}关账快照"
    states = dict(ReportState.choices)
    regions = Sheet(
        "区域汇总",
        title,
        [
            Column("区划代码", width=10),
            Column("区域", width=16),
            Column("项目数", "int", 8),
            Column("年度计划投资", "money", 16),
            Column("本月完成投资", "money", 16),
            Column(ytd_header(closure.period), "money", 20),
            Column("完成率（%）", "number", 12),
            Column("超/落后序时进度（百分点）", "number", 14),
        ],
        ([r[0], r[1], r[2], _num(r[3]), _num(r[4]), _num(r[5]), _num(r[6]), _num(r[7])] for r in doc["regions"]),
        subtitle,
    )
    projects = Sheet(
        "项目明细",
        title,
        [
            Column("项目ID", "int", 8),
            Column("项目代码", width=26),
            Column("项目名称", width=36),
            Column("区划代码", width=10),
            Column("年度计划投资", "money", 16),
            Column("本月完成投资", "money", 16),
            Column(ytd_header(closure.period), "money", 20),
            Column("完成率（%）", "number", 12),
            Column("报送状态", width=10),
        ],
        # the state as the 清单 says it (未报, 已审定), not its stored code (build_workbook: in Chinese)
        ([p[0], p[1], p[2], p[3], _num(p[4]), _num(p[5]), _num(p[6]), _num(p[7]), str(states.get(p[8], p[8]))] for p in doc["projects"]),
        subtitle,
    )
    content, _ = build_workbook([regions, projects])
    return content
