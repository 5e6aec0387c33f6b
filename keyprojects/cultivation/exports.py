"""The workbook of a 培育名单: its entries and its figures (ADR 0020). Cells are neutralised by
:mod:`keyprojects.core.xlsx`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from keyprojects.core.xlsx import Column, Sheet, build_workbook, in_chinese

from .models import CultivationEntry, CultivationList
from .selectors import ListFigures

ENTRY_COLUMNS = [
    Column("序号", "int", 6),
    Column("企业", "text", 32),
    Column("统一社会信用代码", "text", 20),
    Column("所在区划", "text", 12),
    Column("状态", "text", 10),
    Column("推荐理由", "text", 40),
    Column("营业收入（万元）", "money", 16),
    Column("税收（万元）", "money", 14),
    Column("研发投入（万元）", "money", 16),
    Column("审定时间", "date", 12),
    Column("政企合作协议", "text", 36),
    Column("调出日期", "date", 12),
    Column("调出理由", "text", 30),
]
FIGURE_COLUMNS = [
    Column("名额", "int", 8),
    Column("已入选", "int", 8),
    Column("待审定", "int", 8),
    Column("已签约", "int", 8),
    Column("签约率（%）", "number", 12),
    Column("政府承诺应履约", "int", 14),
    Column("已履行", "int", 8),
    Column("履约率（%）", "number", 12),
]


@in_chinese
def list_xlsx(clist: CultivationList, entries: Iterable[CultivationEntry], figures: ListFigures, *, as_of: dt.date) -> bytes:
    rows = [
        [
            i,
            e.enterprise.name,
            e.enterprise.uscc,
            e.enterprise.region.name,
            e.get_status_display(),
            e.reason,
            e.revenue,
            e.tax,
            e.rd_spending,
            timezone.localtime(e.decided_at).date() if e.decided_at else None,
            e.agreement.title if e.agreement_id else "",  # type: ignore[union-attr]
            e.removed_on,
            e.removal_reason,
        ]
        for i, e in enumerate(entries, start=1)
    ]
    f = figures
    t = f.fulfilment
    figure_row = [f.capacity, f.admitted, f.nominated, f.signed, f.signing_percent, t.due, t.kept, t.rate_percent]
    content, _n = build_workbook(
        [
            Sheet("名单", str(clist), ENTRY_COLUMNS, rows, subtitle="单位：万元"),
            Sheet(
                "指标",
                f"{clist}指标",
                FIGURE_COLUMNS,
                [figure_row],
                subtitle=f"截至{as_of:%Y-%m-%d}；签约率 = 已签约 / 已入选；履约率 = 已履行 / 应履约",
            ),
        ]
    )
    return content


@in_chinese
def list_filename(clist: CultivationList) -> str:
    return f"培育名单-{clist.region.name}{clist.year}-{clist.get_kind_display()}.xlsx"


@in_chinese
def lists_xlsx(lists: Iterable[CultivationList], *, as_of: dt.date) -> bytes:
    """The overview: each list (with ``figures`` set, :func:`~.selectors.list_figures`) in a row."""
    cols = [
        Column("培育名单", "text", 36),
        Column("区划", "text", 12),
        Column("年度", "int", 8),
        Column("类别", "text", 16),
        *FIGURE_COLUMNS,
    ]
    rows = []
    for c in lists:
        f: ListFigures = c.figures  # type: ignore[attr-defined]
        t = f.fulfilment
        rows.append(
            [
                str(c),
                c.region.name,
                c.year,
                c.get_kind_display(),
                f.capacity,
                f.admitted,
                f.nominated,
                f.signed,
                f.signing_percent,
                t.due,
                t.kept,
                t.rate_percent,
            ]
        )
    sub = f"截至{as_of:%Y-%m-%d}；签约率 = 已签约 / 已入选；履约率 = 已履行 / 应履约"
    content, _n = build_workbook([Sheet("培育名单", "“双50”企业培育名单", cols, rows, subtitle=sub)])
    return content
