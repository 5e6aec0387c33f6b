"""Spreadsheets of 政企服务 (issue 15): the request list and the departments' figures, Chinese
throughout (statuses, sources, ratings) in any UI language (core.xlsx)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from keyprojects.core.xlsx import Column, Sheet, build_workbook, in_chinese

from .models import EnterpriseRequest
from .selectors import DepartmentFigures

REQUEST_COLUMNS = [
    Column("编号", "text", 10),
    Column("企业", "text", 30),
    Column("诉求类别", "text", 10),
    Column("诉求标题", "text", 30),
    Column("来源", "text", 8),
    Column("状态", "text", 8),
    Column("承办单位", "text", 30),
    Column("提出日期", "date", 12),
    Column("受理时限", "date", 12),
    Column("办理时限", "date", 12),
    Column("已用工作日", "int", 10),
    Column("超期", "text", 8),
    Column("评价", "text", 10),
    Column("答复内容", "text", 40),
]


def _request_row(r: EnterpriseRequest) -> list[Any]:
    t = r.timing  # type: ignore[attr-defined]
    units = "、".join(a.unit.name for a in r.assignments.all() if a.active)
    return [
        r.number,
        r.enterprise.name,
        r.category.display_name,  # the Chinese (in_chinese)
        r.title,
        r.get_source_display(),
        r.get_status_display(),
        units,
        timezone.localdate(r.submitted_at),
        r.acknowledge_due,
        r.resolve_due,
        t.days_used,
        "是" if t.overdue else "",
        r.get_rating_display() if r.rating else "",
        r.reply,
    ]


@in_chinese
def export_requests(rows: Iterable[EnterpriseRequest]) -> bytes:
    """The request list as filtered on the page (rows carry ``timing``)."""
    subtitle = f"截至 {timezone.localdate():%Y-%m-%d}"
    content, _ = build_workbook([Sheet("企业诉求", "企业诉求办理情况", REQUEST_COLUMNS, [_request_row(r) for r in rows], subtitle)])
    return content


DEPARTMENT_COLUMNS = [
    Column("序号", "int", 6),
    Column("承办单位", "text", 30),
    Column("所属区划", "text", 12),
    Column("诉求数", "int", 8),
    Column("办理中", "int", 8),
    Column("超期未办", "int", 10),
    Column("已答复", "int", 8),
    Column("按时办结率（%）", "number", 14),
    Column("平均办理天数（工作日）", "number", 18),
    Column("满意率（%）", "number", 12),
]


@in_chinese
def export_departments(rows: Iterable[DepartmentFigures]) -> bytes:
    data = [
        [i, r.name, r.region, r.total, r.open, r.overdue_open, r.answered, r.on_time_pct, r.average_days, r.satisfaction_pct]
        for i, r in enumerate(rows, start=1)
    ]
    subtitle = f"截至 {timezone.localdate():%Y-%m-%d}"
    content, _ = build_workbook([Sheet("部门指标", "企业诉求办理部门指标", DEPARTMENT_COLUMNS, data, subtitle)])
    return content


MEETING_COLUMNS = [
    Column("会议日期", "date", 12),
    Column("会议名称", "text", 36),
    Column("层级", "text", 8),
    Column("地点", "text", 20),
    Column("主持人", "text", 12),
    Column("参会企业数", "int", 10),
    Column("诉求数", "int", 8),
    Column("已答复", "int", 8),
    Column("已办结", "int", 8),
    Column("解决率（%）", "number", 12),
]


@in_chinese
def export_meetings(rows: Iterable[Any]) -> bytes:
    """The meeting list as filtered on the page (rows carry ``figures`` and ``n_enterprises``)."""
    data = [
        [m.held_on, m.title, m.get_level_display(), m.place, m.chair, m.n_enterprises, m.figures["total"], m.figures["answered"],
         m.figures["closed"], m.figures["pct"]]
        for m in rows
    ]  # fmt: skip
    content, _ = build_workbook([Sheet("交流会", "政企沟通交流会", MEETING_COLUMNS, data, f"截至 {timezone.localdate():%Y-%m-%d}")])
    return content
