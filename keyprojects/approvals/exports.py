"""The 四张清单 as one workbook, one sheet per list, in the shape offices circulate (issue 14), and
the 审批事项 list: Chinese throughout (sheet names, statuses, 细类) in any UI language (core.xlsx)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from keyprojects.core.xlsx import Column, Sheet, build_workbook, build_xlsx, in_chinese

from .choices import UNIT_OF, FactorKind
from .models import FactorNeed

TITLES = {
    FactorKind.LAND: "土地要素需求清单",
    FactorKind.FUNDS: "资金要素需求清单",
    FactorKind.ENVIRONMENT: "环境要素需求清单",
    FactorKind.ENERGY: "能耗要素需求清单",
}


def columns(kind: str) -> list[Column]:
    """The columns of one list's sheet (the import reads them back by these headers)."""
    measure = UNIT_OF[kind]
    cols = [
        Column("序号", "int", 6),
        Column("项目名称", "text", 36),
        Column("项目代码", "text", 24),
        Column("所在地", "text", 18),
        Column("细类/来源" if kind != FactorKind.LAND else "用地类型", "text", 16),
        Column(f"需求量（{measure}）", "number", 14),
        Column(f"已保障（{measure}）", "number", 14),
        Column(f"缺口（{measure}）", "number", 14),
    ]
    if kind == FactorKind.FUNDS:
        cols.append(Column("金融辅导", "text", 10))
    cols += [
        Column("责任单位", "text", 24),
        Column("保障时限", "date", 12),
        Column("是否逾期", "text", 8),
        Column("保障状态", "text", 10),
        Column("协调层级", "text", 10),
        Column("需求说明", "text", 30),
        Column("保障措施/结果", "text", 30),
    ]
    return cols


def _row(n: int, need: FactorNeed, today: dt.date) -> list[Any]:
    row: list[Any] = [
        n,
        need.project.name,
        need.project.project_code,
        need.project.region.name,
        need.get_subtype_display(),
        need.quantity,
        need.secured,
        need.gap,
    ]
    if need.kind == FactorKind.FUNDS:
        row.append("是" if need.financial_guidance else "否")
    row += [
        need.owner_unit.name if need.owner_unit else "",
        need.due_on,
        "逾期" if need.overdue_on(today) else "",
        need.get_status_display(),
        need.get_level_display(),
        need.description,
        need.resolution,
    ]
    return row


@in_chinese
def export_factor_lists(needs: QuerySet[FactorNeed], *, region_name: str = "") -> tuple[bytes, dict[str, int]]:
    """One sheet per list (土地、资金、环境、能耗); returns the bytes and each list's row count."""
    needs = needs.select_related("project", "project__region", "owner_unit").order_by("project__region_id", "project__name", "id")
    today = timezone.localdate()
    subtitle = f"{region_name} 截至 {today:%Y-%m-%d}".strip()
    sheets = []
    for kind in FactorKind:
        rows = [_row(i, n, today) for i, n in enumerate(needs.filter(kind=kind), start=1)]
        sheets.append(Sheet(str(kind.label), TITLES[kind], columns(kind), rows, subtitle))
    content, counts = build_workbook(sheets)
    return content, {str(k.value): c for k, c in zip(FactorKind, counts, strict=True)}


APPROVAL_COLUMNS = [
    Column("序号", "int", 6),
    Column("项目名称", "text", 36),
    Column("项目代码", "text", 24),
    Column("所在地", "text", 14),
    Column("审批事项", "text", 24),
    Column("办理单位", "text", 24),
    Column("办理状态", "text", 10),
    Column("申报日期", "date", 12),
    Column("受理日期", "date", 12),
    Column("办结日期", "date", 12),
    Column("用时（工作日）", "int", 10),
    Column("法定时限（工作日）", "int", 10),
    Column("红黄码", "text", 8),
    Column("批复文号", "text", 20),
]


@in_chinese
def export_approvals(approvals: list[Any]) -> tuple[bytes, int]:
    """The 审批事项 list as one sheet: ``approvals`` as the page shows them (with ``.timing``
    from ``selectors.with_timing``). Returns the bytes and the number of rows."""

    def shown(t: Any) -> str:  # as the page's badge (approvals/_code.html), in Chinese (in_chinese)
        return "" if t.days is None else t.label

    def rows() -> Any:
        for i, a in enumerate(approvals, start=1):
            t = a.timing
            yield [
                i,
                a.project.name,
                a.project.project_code or "",
                a.project.region.name,
                a.item.display_name,  # the Chinese (in_chinese), as every cell
                a.display_department,
                a.get_status_display(),
                a.applied_on,
                a.accepted_on,
                a.completed_on,
                t.days,
                t.limit,
                shown(t),
                a.approval_number,
            ]

    subtitle = f"截至 {timezone.localdate():%Y-%m-%d}"
    return build_xlsx(title="审批事项办理情况", columns=APPROVAL_COLUMNS, rows=rows(), sheet="审批事项", subtitle=subtitle)
