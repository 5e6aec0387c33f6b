"""The contract between reading a spreadsheet (``reader.py``/``parsing.py``) and importing it
(``services.py``): canonical fields, parsed rows, row-level issues.

A parser turns any messy table into a :class:`ParseResult`; the importer validates the rows
against the database, matches them to projects and writes everything in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop

# Canonical fields a column can map to (the synonym table maps header text to these).
MONEY_FIELDS = ("total_investment", "annual_plan", "invested_month", "invested_ytd", "invested_to_date", "invested_before")
TEXT_FIELDS = (
    "name",
    "project_code",
    "owner_name",
    "owner_uscc",
    "location",
    "region_text",
    "level",
    "category",
    "nature",
    "industry",
    "responsible_unit",
    "responsible_person",
    "sponsor_leader",
    "contact_name",
    "contact_phone",
    "physical_progress",
    "content",
    "problems",
    "stage_text",
    "started",
    "in_statistics",
    "no_activity",
    "no_activity_reason",
    "report_status",
)
DATE_FIELDS = ("planned_start", "planned_completion", "actual_start", "actual_completion")
PERCENT_FIELDS = ("completion_rate", "physical_progress_pct")
INT_FIELDS = ("year", "month", "workers", "project_id")
COORDINATE_FIELDS = ("latitude", "longitude")  # decimal degrees (WGS 84)
CANONICAL_FIELDS = (*TEXT_FIELDS, *MONEY_FIELDS, *DATE_FIELDS, *PERCENT_FIELDS, *INT_FIELDS, *COORDINATE_FIELDS, "period_range", "seq")

#: The canonical headers as files write them (Chinese wherever they are used: issues, exports);
#: marked so a page can say them in its language (the header synonyms' choice of field).
FIELD_LABELS = {
    "name": gettext_noop("项目名称"),
    "project_code": gettext_noop("项目代码"),
    "owner_name": gettext_noop("建设单位"),
    "owner_uscc": gettext_noop("统一社会信用代码"),
    "location": gettext_noop("建设地点"),
    "region_text": gettext_noop("所属区域"),
    "level": gettext_noop("项目级别"),
    "category": gettext_noop("项目类别"),
    "nature": gettext_noop("建设性质"),
    "industry": gettext_noop("所属行业"),
    "responsible_unit": gettext_noop("责任单位"),
    "responsible_person": gettext_noop("责任人"),
    "sponsor_leader": gettext_noop("包保领导"),
    "contact_name": gettext_noop("联络人"),
    "contact_phone": gettext_noop("联系电话"),
    "physical_progress": gettext_noop("形象进度"),
    "content": gettext_noop("建设规模及主要建设内容"),
    "problems": gettext_noop("存在问题"),
    "stage_text": gettext_noop("项目阶段"),
    "started": gettext_noop("是否开工"),
    "in_statistics": gettext_noop("是否纳统"),
    "latitude": gettext_noop("纬度"),
    "longitude": gettext_noop("经度"),
    "no_activity": gettext_noop("本月无进展"),
    "no_activity_reason": gettext_noop("无进展原因"),
    "report_status": gettext_noop("填报状态"),
    "project_id": gettext_noop("项目ID"),
    "total_investment": gettext_noop("总投资（万元）"),
    "annual_plan": gettext_noop("年度计划投资（万元）"),
    "invested_month": gettext_noop("本月完成投资（万元）"),
    "invested_ytd": gettext_noop("1-N月累计完成投资（万元）"),
    "invested_to_date": gettext_noop("开工至今累计完成投资（万元）"),
    "invested_before": gettext_noop("启用前累计完成投资（万元）"),
    "planned_start": gettext_noop("计划开工"),
    "planned_completion": gettext_noop("计划竣工"),
    "actual_start": gettext_noop("实际开工"),
    "actual_completion": gettext_noop("实际竣工"),
    "completion_rate": gettext_noop("完成比例"),
    "physical_progress_pct": gettext_noop("形象进度（%）"),
    "year": gettext_noop("年份"),
    "month": gettext_noop("月份"),
    "workers": gettext_noop("在岗工人数"),
    "period_range": gettext_noop("建设年限（起—止）"),
    "seq": gettext_noop("序号"),
}


@dataclass(frozen=True)
class Issue:
    """One problem, located as a person finds it in Excel: sheet, row number as Excel shows it,
    column header as written, the value, and a Chinese message."""

    sheet: str
    row: int | None
    column: str
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "value": self.value, "message": self.message}


@dataclass(slots=True)
class ParsedRow:
    """One project row. ``values`` holds normalised Python values (Decimal 万元, date, str, int);
    ``cells`` maps each field to (header as written, raw cell text) for error messages."""

    sheet: str
    row: int
    values: dict[str, Any] = field(default_factory=dict)
    cells: dict[str, tuple[str, str]] = field(default_factory=dict)
    group_level: str | None = None  # from a group row such as "一、省级重点项目": province/city/county
    group_category: str | None = None  # from a group row such as "（一）产业项目"
    # the parser's rows: amounts are Decimal 万元 with 4 places already (rows built by hand,
    # e.g. in tests, are normalised again by the importer)
    normalised: bool = False

    def header(self, field_name: str) -> str:
        return self.cells.get(field_name, (FIELD_LABELS.get(field_name, field_name), ""))[0]

    def raw(self, field_name: str) -> str:
        return self.cells.get(field_name, ("", ""))[1]


@dataclass
class DeclaredTotal:
    """A 合计/小计 row as the file states it, to compare with the sum of its rows (a warning)."""

    sheet: str
    row: int
    label: str
    values: dict[str, Decimal]
    covers: tuple[int, int]  # first and last data row (Excel numbers) it claims to sum


@dataclass
class ParseResult:
    sheet: str
    header_rows: tuple[int, ...]  # Excel row numbers of the header (1 or 2 rows)
    columns: dict[str, str]  # canonical field → header text as written
    period: tuple[int, int] | None  # (year, month) from a header, the title, or --period
    rows: list[ParsedRow] = field(default_factory=list)
    totals: list[DeclaredTotal] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    title: str = ""
    unmapped_columns: list[str] = field(default_factory=list)
    plan_year: int | None = None  # the annual plan's year: its header, the period, the title, the sheet name
