"""Excel exports (XlsxWriter): a title row, a header, amounts as numbers, formula injection
neutralised (reliability.md 8) and one audit event per export (reliability.md 21)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import xlsxwriter
from django.http import HttpResponse
from django.utils import timezone

from keyprojects.audit.services import audit_record

from .choices import Category, Nature, Stage
from .models import Project

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_ROWS = 100_000


def neutralise(text: str) -> str:
    """A cell a spreadsheet would evaluate (``=``, ``+``, ``-``, ``@``, tab, CR) gets a leading ``'``."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # text | money | date
    width: int = 14


def build_xlsx(*, title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]], sheet: str = "Sheet1") -> tuple[bytes, int]:
    """Write one sheet; returns the file's bytes and the number of data rows."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet(sheet[:31])
    title_fmt = wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
    head_fmt = wb.add_format({"bold": True, "bg_color": "#F1F5FB", "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True})
    money_fmt = wb.add_format({"num_format": "#,##0.00##", "border": 1})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd", "border": 1})
    text_fmt = wb.add_format({"border": 1})
    ncols = len(columns)
    if ncols > 1:
        ws.merge_range(0, 0, 0, ncols - 1, neutralise(title), title_fmt)
    else:
        ws.write_string(0, 0, neutralise(title), title_fmt)
    ws.set_row(0, 28)
    for c, col in enumerate(columns):
        ws.write_string(1, c, neutralise(col.header), head_fmt)
        ws.set_column(c, c, col.width)
    ws.freeze_panes(2, 0)
    n = 0
    for r, row in enumerate(rows, start=2):
        if n >= MAX_ROWS:
            break
        for c, (col, value) in enumerate(zip(columns, row, strict=True)):
            if value is None or value == "":
                ws.write_blank(r, c, None, text_fmt)
            elif col.kind == "money" and isinstance(value, Decimal | int | float):
                ws.write_number(r, c, float(value), money_fmt)
            elif col.kind == "date" and isinstance(value, date | datetime):
                ws.write_datetime(r, c, value if isinstance(value, datetime) else datetime(value.year, value.month, value.day), date_fmt)
            else:
                ws.write_string(r, c, neutralise(str(value)), text_fmt)
        n += 1
    wb.close()
    return buf.getvalue(), n


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    resp = HttpResponse(content, content_type=XLSX)
    ascii_name = filename.encode("ascii", "ignore").decode() or "export.xlsx"
    resp["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    resp["Cache-Control"] = "no-store"
    return resp


PROJECT_COLUMNS = [
    Column("序号", width=6),
    Column("项目名称", width=36),
    Column("项目代码", width=26),
    Column("所属区域", width=12),
    Column("建设单位", width=28),
    Column("项目类别", width=12),
    Column("建设性质", width=10),
    Column("项目阶段", width=10),
    Column("总投资（万元）", "money", 14),
    Column("年度计划投资（万元）", "money", 16),
    Column("计划开工", "date", 12),
    Column("计划竣工", "date", 12),
    Column("责任单位", width=20),
    Column("包保领导", width=14),
    Column("建设地点", width=20),
    Column("已纳统", width=8),
]


def _project_rows(projects: Iterable[Project]) -> Iterable[list[Any]]:
    categories, natures, stages = dict(Category.choices), dict(Nature.choices), dict(Stage.choices)
    for i, p in enumerate(projects, start=1):
        plan = p.plan_year[0].annual_plan if getattr(p, "plan_year", None) else None  # type: ignore[attr-defined]
        yield [
            i,
            p.name,
            p.project_code or "",
            p.region.name,
            p.owner.name if p.owner else "",
            str(categories.get(p.category, p.category)),
            str(natures.get(p.nature, p.nature)),
            str(stages.get(p.stage, p.stage)),
            p.total_investment,
            plan,
            p.planned_start,
            p.planned_completion,
            p.responsible_unit.name if p.responsible_unit else "",
            p.sponsor_leader.name if p.sponsor_leader else "",
            p.location,
            "是" if p.in_statistics else "否",
        ]


def export_projects(*, user: Any, queryset: Any, year: int, filters: dict[str, Any], request: Any = None) -> HttpResponse:
    """The filtered project list as .xlsx; the export itself is an audit event."""
    now = timezone.localtime()
    title = f"重点项目清单（{year}年度计划，导出时间 {now:%Y-%m-%d %H:%M}）"
    columns = [*PROJECT_COLUMNS]
    columns[9] = Column(f"{year}年度计划投资（万元）", "money", 16)
    content, n = build_xlsx(title=title, columns=columns, rows=_project_rows(queryset.iterator(chunk_size=2000)), sheet="重点项目")
    audit_record(
        action="export",
        user=user,
        request=request,
        object_type="projects.project",
        changes={"filters": filters, "rows": n, "format": "xlsx"},
        message=f"导出项目清单 {n} 行",
    )
    return xlsx_response(content, f"重点项目清单-{now:%Y%m%d-%H%M}.xlsx")
