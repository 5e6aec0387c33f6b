"""The two spreadsheets that leave the system in the shape offices exchange (domain.md §5):

* :func:`dispatch_table` — the official-looking 调度表 of a region for a month: a merged title,
  the "填报单位：… 单位：万元" line, two-level merged headers, projects grouped by their highest
  list level with a 小计 per group, a 合计 and the signature footer. Figures come from the fact
  table (``ProjectPeriodFact``) of that period, so a closed month exports the same numbers for
  ever; the completion rate comes from ``analytics.metrics``.
* :func:`fill_template` — a fill-in sheet of the projects due in a month: key columns locked,
  the figures to fill unlocked and validated (amount ≥ 0, percent 0–100, 是/否 dropdown), headers
  the import parser recognises, and a hidden project id column so the rows come back to the
  same projects.

Both are pure functions returning bytes; scope is checked here (NotFound outside it) and the
views add the audit event.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from keyprojects.accounts import policy
from keyprojects.analytics import metrics
from keyprojects.analytics.models import ProjectPeriodFact
from keyprojects.analytics.selectors import facts_visible_to
from keyprojects.core.errors import NotFound
from keyprojects.core.xlsx import in_chinese, new_workbook, safe_cell
from keyprojects.dispatch.choices import PeriodStatus, ReportStatus
from keyprojects.dispatch.models import MonthlyReport, PeriodClosure, ReportingPeriod
from keyprojects.dispatch.selectors import (
    closed_region_codes,
    due_projects,
    is_frozen_in,
    period_for_reading,
    report_status_label,
    reports_of_period,
)
from keyprojects.projects.choices import Level, Nature
from keyprojects.projects.models import Project, SponsorLeader
from keyprojects.regions.models import Region, Unit

PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
ZERO = Decimal(0)
COUNTED = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)  # reports whose text the table shows
GROUPS = [
    (Level.PROVINCE, "一、省级重点项目"),
    (Level.CITY, "二、市级重点项目"),
    (Level.COUNTY, "三、县级重点项目"),
]
FOOTER = "填报人：                    联系电话：                    审核人："


# --- scope ---------------------------------------------------------------------------------


def region_in_scope(user: Any, region: Region) -> bool:
    """A region user's own region or one below it (province ⊇ city ⊇ county)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if policy.is_superuser(user):
        return True
    return policy.region_contains(policy.scope_region(user), region)


def resolve_region(user: Any, region: Region | str | None) -> Region:
    """The region asked for (an object or a code; default the user's own), or NotFound."""
    if region is None or region == "":
        region = policy.work_region(user)
    elif isinstance(region, str):
        region = Region.objects.filter(code=region).first()
    if region is None or not region_in_scope(user, region):
        raise NotFound()
    return region


def region_q(region: Region, *, county_field: str = "region_id") -> Q:
    """Rows of ``region``: a province's, a city's (with its counties) or a county's."""
    return policy.region_rows_q(region, county_field=county_field)


def resolve_period(period: ReportingPeriod | str, *, unopened: bool = False) -> ReportingPeriod:
    """A period object from itself or a ``YYYY-MM`` label; NotFound for anything else (and, unless
    ``unopened``, for a month nobody has opened; never a month after the current one). With
    ``unopened``, a month that may be opened but was not is an unsaved period (``pk`` None):
    reading never opens a month."""
    if isinstance(period, ReportingPeriod):
        return period
    m = PERIOD_RE.match(period or "")
    if not m:
        raise NotFound("调度期无效")
    year, month = int(m.group(1)), int(m.group(2))
    today = timezone.localdate()
    if (year, month) > (today.year, today.month):
        raise NotFound("调度期无效")
    if unopened:
        readable = period_for_reading(year=year, month=month)
        if readable is None:
            raise NotFound("调度期无效")
        return readable
    found = ReportingPeriod.objects.filter(year=year, month=month).first()
    if found is None:
        raise NotFound("该调度期尚未开始")
    return found


def _frozen_at(period: ReportingPeriod, region: Region) -> datetime | None:
    """When the month was closed for ``region`` (itself, its city or its province), if it was."""
    if period.status == PeriodStatus.CLOSED and period.closed_at:
        return period.closed_at
    codes = {region.code, region.city_code, region.province_code} - {""}
    closure = PeriodClosure.objects.filter(period=period, region_id__in=codes).order_by("closed_at").first()
    return closure.closed_at if closure else None


# --- 调度表 -------------------------------------------------------------------------------


@dataclass
class TableRow:
    name: str
    owner: str
    nature: str
    total_investment: Decimal
    annual_plan: Decimal
    invested_month: Decimal
    invested_ytd: Decimal
    invested_to_date: Decimal
    progress: str
    unit: str
    leader: str

    @property
    def rate(self) -> Decimal | None:
        return metrics.completion_rate(self.invested_ytd, self.annual_plan)


@dataclass
class Group:
    level: str
    label: str
    rows: list[TableRow] = field(default_factory=list)

    def total(self, attr: str) -> Decimal:
        return sum((getattr(r, attr) for r in self.rows), ZERO)


SUMMED = ("total_investment", "annual_plan", "invested_month", "invested_ytd", "invested_to_date")


def top_level(fact: ProjectPeriodFact) -> str:
    """The highest list the project was on that year (a project on several lists appears once)."""
    if fact.on_province_list:
        return Level.PROVINCE
    if fact.on_city_list:
        return Level.CITY
    return Level.COUNTY


def _progress_text(report: MonthlyReport | None) -> str:
    if report is None:
        return ""
    text = (report.physical_progress or "").strip()
    if report.physical_progress_pct is not None:
        pct = f"{report.physical_progress_pct.normalize():f}%"
        return f"{text}（{pct}）" if text else pct
    return text


def dispatch_groups(*, user: Any, region: Region, period: ReportingPeriod) -> list[Group]:
    """The table's rows: facts of ``period`` in ``region`` within ``user``'s scope, grouped by level."""
    facts = list(
        facts_visible_to(user=user, period=period)
        .filter(region_q(region, county_field="region_code"))
        .select_related("project", "project__owner")
        .order_by("region_code", "project__name", "project_id")
    )
    pids = [f.project_id for f in facts]
    reports = {
        r.project_id: r
        for r in MonthlyReport.objects.filter(period=period, project_id__in=pids, status__in=COUNTED).only(
            "project_id", "physical_progress", "physical_progress_pct"
        )
    }
    units = dict(Unit.objects.filter(pk__in={f.responsible_unit_ref for f in facts} - {None}).values_list("pk", "name"))
    leaders = dict(SponsorLeader.objects.filter(pk__in={f.sponsor_leader_ref for f in facts} - {None}).values_list("pk", "name"))
    natures = dict(Nature.choices)
    groups = {level: Group(level, label) for level, label in GROUPS}
    for f in facts:
        p = f.project
        groups[top_level(f)].rows.append(
            TableRow(
                name=p.name,
                owner=p.owner.name if p.owner else "",
                nature=str(natures.get(f.nature, f.nature)),
                total_investment=p.total_investment,
                annual_plan=f.annual_plan,
                invested_month=f.invested_month,
                invested_ytd=f.invested_ytd,
                invested_to_date=f.invested_to_date,
                progress=_progress_text(reports.get(f.project_id)),
                unit=units.get(f.responsible_unit_ref, "") if f.responsible_unit_ref else "",
                leader=leaders.get(f.sponsor_leader_ref, "") if f.sponsor_leader_ref else "",
            )
        )
    return list(groups.values())


def dispatch_table_title(region: Region, period: ReportingPeriod) -> str:
    return f"{period.year}年{region.name}重点项目建设进展情况表（1-{period.month}月）"


DISPATCH_HEADERS = [
    # (top header, sub header or None, width)
    ("序号", None, 6),
    ("项目名称", None, 36),
    ("建设单位", None, 26),
    ("建设性质", None, 10),
    ("总投资", None, 13),
    ("{year}年计划投资", None, 13),
    ("完成投资", "本月", 12),
    ("完成投资", "1-{month}月累计", 13),
    ("完成投资", "开工至今", 13),
    ("完成率", None, 10),
    ("形象进度", None, 30),
    ("责任单位", None, 18),
    ("包保领导", None, 10),
]
NCOLS = len(DISPATCH_HEADERS)
HEADER_ROWS = (2, 3)  # 0-based rows of the two-level header
FIRST_DATA_ROW = 4


@in_chinese
def dispatch_table(*, user: Any, region: Region | str | None, period: ReportingPeriod | str) -> bytes:
    """The 调度表 of ``region`` (default: the user's) for ``period`` as .xlsx bytes."""
    region = resolve_region(user, region)
    period = resolve_period(period)
    groups = dispatch_groups(user=user, region=region, period=period)
    frozen = _frozen_at(period, region)
    buf = io.BytesIO()
    wb = new_workbook(buf, created=timezone.localtime(frozen) if frozen else None)
    ws = wb.add_worksheet(f"{period.month}月调度表")
    base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
    cell = {**base, "border": 1}
    f_title = wb.add_format({**base, "bold": True, "font_size": 16, "align": "center"})
    f_line = wb.add_format({**base, "align": "left"})
    f_line_r = wb.add_format({**base, "align": "right"})
    f_head = wb.add_format({**cell, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#F2F2F2"})
    f_text = wb.add_format({**cell, "text_wrap": True})
    f_center = wb.add_format({**cell, "align": "center"})
    f_money = wb.add_format({**cell, "num_format": "#,##0.00"})
    f_rate = wb.add_format({**cell, "num_format": "0.00%"})
    f_group = wb.add_format({**cell, "bold": True})
    f_sub_text = wb.add_format({**cell, "bold": True, "align": "center"})
    f_sub_money = wb.add_format({**cell, "bold": True, "num_format": "#,##0.00"})
    f_sub_rate = wb.add_format({**cell, "bold": True, "num_format": "0.00%"})

    # title, the 填报单位/单位 line
    ws.merge_range(0, 0, 0, NCOLS - 1, safe_cell(dispatch_table_title(region, period)), f_title)
    ws.set_row(0, 30)
    ws.merge_range(1, 0, 1, 8, safe_cell(f"填报单位：{region.name}"), f_line)
    ws.merge_range(1, 9, 1, NCOLS - 1, "单位：万元", f_line_r)

    # two-level headers
    top, sub = HEADER_ROWS
    c = 0
    while c < NCOLS:
        head, child, width = DISPATCH_HEADERS[c]
        text = head.format(year=period.year, month=period.month)
        if child is None:
            ws.merge_range(top, c, sub, c, text, f_head)
            ws.set_column(c, c, width)
            c += 1
            continue
        span = [i for i in range(c, NCOLS) if DISPATCH_HEADERS[i][0] == head]
        ws.merge_range(top, span[0], top, span[-1], text, f_head)
        for i in span:
            ws.write_string(sub, i, DISPATCH_HEADERS[i][1].format(year=period.year, month=period.month), f_head)  # type: ignore[union-attr]
            ws.set_column(i, i, DISPATCH_HEADERS[i][2])
        c = span[-1] + 1
    ws.set_row(top, 20)
    ws.set_row(sub, 20)

    def figures(r: int, values: dict[str, Decimal], money_fmt: Any, rate_fmt: Any) -> None:
        for col, attr in ((4, "total_investment"), (5, "annual_plan"), (6, "invested_month"), (7, "invested_ytd"), (8, "invested_to_date")):
            ws.write_number(r, col, float(values[attr]), money_fmt)
        rate = metrics.completion_rate(values["invested_ytd"], values["annual_plan"])
        if rate is None:
            ws.write_string(r, 9, "—", rate_fmt)
        else:
            ws.write_number(r, 9, float(rate), rate_fmt)

    r = FIRST_DATA_ROW
    for g in groups:
        ws.merge_range(r, 0, r, NCOLS - 1, f"{g.label}（{len(g.rows)}个）", f_group)
        r += 1
        for i, row in enumerate(g.rows, start=1):
            ws.write_number(r, 0, i, f_center)
            for col, text in ((1, row.name), (2, row.owner), (3, row.nature), (10, row.progress), (11, row.unit), (12, row.leader)):
                ws.write_string(r, col, safe_cell(text), f_text)
            figures(r, {a: getattr(row, a) for a in SUMMED}, f_money, f_rate)
            r += 1
        ws.write_string(r, 0, "", f_sub_text)
        ws.write_string(r, 1, "小计", f_sub_text)
        for col in (2, 3, 10, 11, 12):
            ws.write_blank(r, col, None, f_sub_text)
        figures(r, {a: g.total(a) for a in SUMMED}, f_sub_money, f_sub_rate)
        r += 1
    ws.write_string(r, 0, "", f_sub_text)
    ws.write_string(r, 1, "合计", f_sub_text)
    for col in (2, 3, 10, 11, 12):
        ws.write_blank(r, col, None, f_sub_text)
    figures(r, {a: sum((g.total(a) for g in groups), ZERO) for a in SUMMED}, f_sub_money, f_sub_rate)
    r += 2
    ws.merge_range(r, 0, r, NCOLS - 1, FOOTER, f_line)

    ws.freeze_panes(FIRST_DATA_ROW, 2)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(top, sub)
    wb.close()
    return buf.getvalue()


def dispatch_table_filename(region: Region, period: ReportingPeriod) -> str:
    return f"{dispatch_table_title(region, period)}.xlsx"


# --- fill-in template ------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateColumn:
    header: str
    width: int
    editable: bool = False
    kind: str = "text"  # text | int | money | percent | yesno
    hidden: bool = False


# Headers as real files write them (domain.md §5) and dataio.types.FIELD_LABELS names them.
TEMPLATE_COLUMNS = [
    TemplateColumn("序号", 6, kind="int"),
    TemplateColumn("项目代码", 26),
    TemplateColumn("项目名称", 40),
    TemplateColumn("年份", 7, kind="int"),
    TemplateColumn("月份", 6, kind="int"),
    TemplateColumn("填报状态", 10),
    TemplateColumn("本月完成投资（万元）", 16, editable=True, kind="money"),
    TemplateColumn("本月无进展", 10, editable=True, kind="yesno"),
    TemplateColumn("无进展原因", 20, editable=True),
    TemplateColumn("形象进度", 36, editable=True),
    TemplateColumn("形象进度（%）", 12, editable=True, kind="percent"),
    TemplateColumn("存在问题", 36, editable=True),
    TemplateColumn("项目ID", 10, kind="int", hidden=True),
]
TEMPLATE_NOTE = "说明：灰色列不可修改，请在白色单元格填写；“本月无进展”选“是”时本月完成投资填0并写明原因"
TEMPLATE_CLOSED_NOTE = "；本月已关账的项目整行锁定，不能再填报"
TEMPLATE_HEADER_ROW = 2  # 0-based: title, the 填报单位 line, then the header
TEMPLATE_COL = {c.header: i for i, c in enumerate(TEMPLATE_COLUMNS)}


def template_projects(*, user: Any, period: ReportingPeriod, region: Region | None) -> QuerySet[Project]:
    """Projects due in ``period`` that ``user`` may fill, in ``region`` when given."""
    qs = due_projects(period=period, user=user).filter(pk__in=Project.objects.editable_by(user).values("pk"))
    if policy.is_read_only(user):
        return qs.none()
    if region is not None:
        qs = qs.filter(region_q(region))
    return qs.select_related("region").order_by("region_id", "name", "pk")


def template_region(user: Any, region: Region | str | None) -> Region | None:
    """The county (or city) the template covers: the one asked for within scope, else the user's
    own region; None for users without a region (an enterprise, a department: their projects)."""
    if region:
        return resolve_region(user, region)
    return policy.scope_region(user)


def _frozen_codes(period: ReportingPeriod) -> set[str]:
    return closed_region_codes(period)


@in_chinese
def fill_template(*, user: Any, period: ReportingPeriod | str, region: Region | str | None = None) -> bytes:
    """The fill-in sheet of ``period`` for the user's county (or a county/city in scope)."""
    period = resolve_period(period, unopened=True)
    place = template_region(user, region)
    projects = list(template_projects(user=user, period=period, region=place))
    reports = {r.project_id: r for r in reports_of_period(period).filter(project__in=[p.pk for p in projects])}
    closed = _frozen_codes(period)
    frozen_of = {p.pk: is_frozen_in(period, p, closed) for p in projects}
    place_name = place.name if place is not None else (getattr(getattr(user, "enterprise", None), "name", "") or user.get_username())

    buf = io.BytesIO()
    wb = new_workbook(buf)
    ws = wb.add_worksheet(f"{period.month}月填报")
    base = {"font_size": 10, "valign": "vcenter"}
    grey = {**base, "border": 1, "bg_color": "#EDEDED", "locked": True}
    white = {**base, "border": 1, "locked": False}
    f_title = wb.add_format({**base, "bold": True, "font_size": 14, "align": "center"})
    f_line = wb.add_format({**base, "align": "left"})
    f_head = wb.add_format({**grey, "bold": True, "align": "center", "text_wrap": True})
    f_head_edit = wb.add_format({**base, "border": 1, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#DDEBF7"})
    locked = {
        "text": wb.add_format(grey),
        "int": wb.add_format({**grey, "num_format": "0"}),
        "money": wb.add_format({**grey, "num_format": "#,##0.00##"}),
        "percent": wb.add_format({**grey, "num_format": "0.00"}),
        "yesno": wb.add_format({**grey, "align": "center"}),
    }
    editable = {
        "text": wb.add_format({**white, "text_wrap": True}),
        "money": wb.add_format({**white, "num_format": "#,##0.00##"}),
        "percent": wb.add_format({**white, "num_format": "0.00"}),
        "yesno": wb.add_format({**white, "align": "center"}),
    }
    ncols = len(TEMPLATE_COLUMNS)
    ws.merge_range(0, 0, 0, ncols - 2, safe_cell(f"{period.year}年{period.month}月重点项目月调度填报表（{place_name}）"), f_title)
    ws.set_row(0, 28)
    ws.merge_range(
        1,
        0,
        1,
        ncols - 2,
        safe_cell(f"填报单位：{place_name}    单位：万元    {TEMPLATE_NOTE}{TEMPLATE_CLOSED_NOTE if any(frozen_of.values()) else ''}"),
        f_line,
    )
    for c, col in enumerate(TEMPLATE_COLUMNS):
        ws.write_string(TEMPLATE_HEADER_ROW, c, col.header, f_head_edit if col.editable else f_head)
        ws.set_column(c, c, col.width, None, {"hidden": col.hidden})
    ws.set_row(TEMPLATE_HEADER_ROW, 30)

    first = TEMPLATE_HEADER_ROW + 1
    for i, p in enumerate(projects):
        r = first + i
        rep = reports.get(p.pk)
        frozen = frozen_of[p.pk]
        can_edit = not frozen and (rep is None or rep.is_editable)
        # the one label of a report's status (dispatch.rules.report_status_label); a frozen row's
        # cells are locked (grey) and the sheet's note says the month is closed
        status = report_status_label(rep, project=p, period=period, closed=closed)
        prefill = rep if (rep is not None and can_edit) else None
        values: list[Any] = [
            i + 1,
            p.project_code or "",
            p.name,
            period.year,
            period.month,
            status,
            prefill.invested_month if prefill and not prefill.no_activity and prefill.invested_month else None,
            ("是" if prefill.no_activity else None) if prefill else None,
            prefill.no_activity_reason if prefill else "",
            prefill.physical_progress if prefill else "",
            prefill.physical_progress_pct if prefill else None,
            prefill.problems if prefill else "",
            p.pk,
        ]
        for c, (col, value) in enumerate(zip(TEMPLATE_COLUMNS, values, strict=True)):
            fmt = editable[col.kind] if (col.editable and can_edit) else locked[col.kind]
            if value is None or value == "":
                ws.write_blank(r, c, None, fmt)
            elif isinstance(value, int | Decimal):
                ws.write_number(r, c, float(value) if isinstance(value, Decimal) else value, fmt)
            else:
                ws.write_string(r, c, safe_cell(str(value)), fmt)
    last = first + len(projects) - 1
    if projects:
        _validations(ws, first, last)
    else:
        ws.merge_range(first, 0, first, ncols - 2, "本期没有需要您填报的项目", f_line)
    ws.freeze_panes(first, 3)
    ws.protect(
        "",
        {
            "select_locked_cells": True,
            "select_unlocked_cells": True,
            "format_columns": True,
            "format_rows": True,
            "autofilter": True,
        },
    )
    wb.close()
    return buf.getvalue()


def _validations(ws: Any, first: int, last: int) -> None:
    money = TEMPLATE_COL["本月完成投资（万元）"]
    ws.data_validation(
        first,
        money,
        last,
        money,
        {
            "validate": "decimal",
            "criteria": ">=",
            "value": 0,
            "input_title": "本月完成投资",
            "input_message": "单位：万元，填不小于0的数字",
            "error_title": "金额有误",
            "error_message": "请填写不小于0的数字（单位：万元）",
        },
    )
    yesno = TEMPLATE_COL["本月无进展"]
    ws.data_validation(
        first,
        yesno,
        last,
        yesno,
        {
            "validate": "list",
            "source": ["是", "否"],
            "input_title": "本月无进展",
            "input_message": "请选择“是”或“否”",
            "error_title": "请选择",
            "error_message": "只能选择“是”或“否”",
        },
    )
    pct = TEMPLATE_COL["形象进度（%）"]
    ws.data_validation(
        first,
        pct,
        last,
        pct,
        {
            "validate": "decimal",
            "criteria": "between",
            "minimum": 0,
            "maximum": 100,
            "input_title": "形象进度（%）",
            "input_message": "填0到100之间的数字",
            "error_title": "百分比有误",
            "error_message": "形象进度百分比应在0到100之间",
        },
    )


def template_filename(period: ReportingPeriod, region: Region | None) -> str:
    return f"月调度填报模板-{region.name + '-' if region else ''}{period.label}.xlsx"
