"""Workbooks of 政企合作协议: the agreements with their commitments, the 履约提醒 and the 履约率
tables (issue 15, item 4). Cells are neutralised by :mod:`keyprojects.core.xlsx`; the workbooks
are Chinese throughout (states, parties, kinds) in any UI language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from keyprojects.core.xlsx import Column, Sheet, build_workbook, in_chinese

from .choices import CommitmentState
from .models import Agreement, Commitment
from .selectors import Tally

AGREEMENT_COLUMNS = [
    Column("序号", "int", 6),
    Column("协议名称", "text", 36),
    Column("企业", "text", 30),
    Column("所在区划", "text", 12),
    Column("政府签约单位", "text", 24),
    Column("签约日期", "date", 12),
    Column("协议金额（万元）", "money", 16),
    Column("承诺数", "int", 8),
    Column("已履行", "int", 8),
    Column("来源", "text", 10),
]
COMMITMENT_COLUMNS = [
    Column("协议名称", "text", 36),
    Column("企业", "text", 30),
    Column("承诺方", "text", 8),
    Column("承诺类别", "text", 10),
    Column("承诺内容", "text", 40),
    Column("目标值", "number", 12),
    Column("计量单位", "text", 8),
    Column("履约期限", "date", 12),
    Column("责任单位", "text", 24),
    Column("履约状态", "text", 10),
    Column("实际完成值", "number", 12),
    Column("佐证说明", "text", 40),
]


def _state(c: Commitment, default: str = "") -> str:
    """The commitment's state (``selectors.with_state``) said in the active language (its
    ``state_label`` was said in the page's)."""
    value = getattr(c, "state_value", None)
    return str(CommitmentState(value).label) if value else default


def _commitment_row(c: Commitment) -> list[Any]:
    return [
        c.agreement.title,
        c.agreement.enterprise.name,
        c.get_party_display(),
        c.get_kind_display(),
        c.description,
        c.target_value,
        c.measure,
        c.due_on,
        c.owner_unit.name if c.owner_unit_id else "",  # type: ignore[union-attr]
        _state(c, c.get_status_display()),
        c.achieved_value,
        c.evidence_text,
    ]


@in_chinese
def agreements_xlsx(agreements: Iterable[Agreement], commitments: Iterable[Commitment]) -> bytes:
    rows = [
        [
            i,
            a.title,
            a.enterprise.name,
            a.region.name,
            a.signatory,
            a.signed_on,
            a.amount,
            getattr(a, "n_commitments", None),
            getattr(a, "n_fulfilled", None),
            a.get_source_display(),
        ]
        for i, a in enumerate(agreements, start=1)
    ]
    content, _n = build_workbook(
        [
            Sheet("协议", "政企合作协议", AGREEMENT_COLUMNS, rows, subtitle="单位：万元"),
            Sheet("承诺", "协议承诺及履约情况", COMMITMENT_COLUMNS, [_commitment_row(c) for c in commitments]),
        ]
    )
    return content


@in_chinese
def alerts_xlsx(commitments: Sequence[Commitment], *, days: int, today: dt.date) -> bytes:
    cols = [Column("提醒", "text", 10), *COMMITMENT_COLUMNS, Column("剩余/逾期天数", "int", 12)]
    rows = [[_state(c), *_commitment_row(c), (c.due_on - today).days] for c in commitments]
    content, _n = build_workbook([Sheet("履约提醒", "履约提醒", cols, rows, subtitle=f"{today:%Y-%m-%d}，到期前{days}天起提醒")])
    return content


RATE_COLUMNS = [
    Column("名称", "text", 28),
    Column("承诺数", "int", 8),
    Column("应履约", "int", 8),
    Column("已履行", "int", 8),
    Column("部分履行", "int", 8),
    Column("未履行", "int", 8),
    Column("逾期未履行", "int", 10),
    Column("待确认", "int", 8),
    Column("履约率（%）", "number", 10),
]


def _rate_rows(rows: Iterable[Tally], total: Tally) -> list[list[Any]]:
    return [[t.name, t.total, t.due, t.kept, t.partial, t.broken, t.overdue, t.claimed, t.rate_percent] for t in [*rows, total]]


@in_chinese
def rates_xlsx(user: Any, *, as_of: dt.date) -> bytes:
    """履约率 per region and per department on ``as_of``, figured here so that their 合计 and
    未指定责任单位 rows are Chinese too."""
    from .selectors import fulfilment_by_department, fulfilment_by_region

    regions, total = fulfilment_by_region(user, as_of=as_of)
    departments, dept_total = fulfilment_by_department(user, as_of=as_of)
    sub = f"截至{as_of:%Y-%m-%d}；履约率 = 已履行 / 应履约"
    content, _n = build_workbook(
        [
            Sheet("按地区", "政企合作协议履约率（按地区）", RATE_COLUMNS, _rate_rows(regions, total), subtitle=sub),
            Sheet("按部门", "政府承诺履约率（按责任单位）", RATE_COLUMNS, _rate_rows(departments, dept_total), subtitle=sub),
        ]
    )
    return content
