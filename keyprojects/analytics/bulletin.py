"""通报: the monthly bulletin of key-project construction, as a Word document in the usual
official style and as a workbook with the same tables.

Contents: the title "YYYY年X月全省（市）重点项目建设情况通报"; 一、总体情况 (projects, annual plan,
1-N月 investment, completion rate and the comparison with 序时进度, all from ``metrics.py``);
二、排名 (the cities of a province or the counties of a city by completion rate, with the
movement since last month, from ``rankings.py``); 三、进度滞后项目 (projects behind 序时进度
by more than ``DispatchConfig.behind_points``, with their responsible units and sponsor
leaders); 四、预警情况 (the period's warnings by kind).

Fonts follow GB/T 9704 practice with fonts every Chinese Windows/WPS has: the title 宋体 bold
二号 (22 pt), headings 黑体 三号, body 仿宋 三号 (16 pt) with a fixed 28 pt line, tables 宋体 五号;
the East Asian font is set on every run (``w:eastAsia``), otherwise Word falls back to its
Latin font for Chinese text.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from keyprojects.core.money import to_wan
from keyprojects.core.xlsx import new_workbook, safe_cell

from . import metrics
from .rankings import Ranking, ranking, root_facts
from .selectors import AGGREGATES, Figures, _figures

TITLE_FONT = "宋体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋"
TABLE_FONT = "宋体"
TWO = Decimal("0.01")


@dataclass(frozen=True)
class LaggingProject:
    project_id: int
    name: str
    region: str
    unit: str
    leader: str
    rate: Decimal | None
    points: Decimal

    @property
    def behind(self) -> Decimal:
        """Percentage points behind 序时进度 (positive)."""
        return -self.points


@dataclass
class BulletinData:
    period: Any
    root: Any
    title: str
    scope_word: str  # 全省 / 全市
    child_word: str  # 市 / 县（市、区）
    totals: Figures
    ranking: Ranking
    behind_points: Decimal
    lagging: list[LaggingProject] = field(default_factory=list)
    warnings: list[tuple[str, int]] = field(default_factory=list)
    warning_rows: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def months(self) -> str:
        return "1月" if self.period.month == 1 else f"1-{self.period.month}月"

    @property
    def summary(self) -> str:
        """总体情况 in one paragraph; every figure comes from the metrics."""
        t = self.totals
        rate = metrics.as_percent(t.completion_rate)
        text = (
            f"截至{self.period.year}年{self.period.month}月底，{self.scope_word}纳入调度的重点项目{t.projects}个，"
            f"年度计划投资{money(t.annual_plan)}万元；{self.months}累计完成投资{money(t.invested_ytd)}万元，"
        )
        if rate is None:
            text += "尚无年度计划投资，不计算完成率。"
        else:
            share = metrics.as_percent(time_share(self.period.month))
            text += f"年度投资完成率{rate}%，{metrics.schedule_phrase(t.ahead_points)}（序时进度{share}%）。"
        ahead = sum(1 for r in self.ranking.rows if r.unit.figures.ahead_points is not None and r.unit.figures.ahead_points > 0)
        behind = sum(1 for r in self.ranking.rows if r.unit.figures.ahead_points is not None and r.unit.figures.ahead_points < 0)
        if self.ranking.rows:
            text += f"{len(self.ranking.rows)}个{self.child_word}中，{ahead}个超序时进度，{behind}个落后序时进度。"
        text += f"落后序时进度超过{self.behind_points.normalize():f}个百分点的项目{len(self.lagging)}个。"
        return text

    @property
    def warnings_text(self) -> str:
        total = sum(n for _, n in self.warnings)
        if not total:
            return "本月未产生预警。"
        parts = "，".join(f"{label}{n}条" for label, n in self.warnings)
        return f"本月共产生预警{total}条，其中{parts}。请各责任单位对照预警逐项核实、限期整改。"


def money(value: Decimal) -> str:
    """万元 with 2 decimals, as bulletins print them."""
    return str(to_wan(value).quantize(TWO, rounding=ROUND_HALF_UP))


def time_share(month: int) -> Decimal:
    return metrics.time_progress(month)


def movement_text(movement: int | None) -> str:
    if movement is None:
        return "—"
    if movement > 0:
        return f"↑{movement}"
    if movement < 0:
        return f"↓{-movement}"
    return "持平"


def bulletin_title(period: Any, root: Any) -> str:
    word = "全省" if root.level == "province" else "全市"
    return f"{period.year}年{period.month}月{word}重点项目建设情况通报"


def bulletin_data(*, period: Any, root: Any, user: Any = None) -> BulletinData:
    """Everything the bulletin of ``root`` (a province or a city) for ``period`` shows, read
    through ``user``'s scope (``None``: the command line, everything)."""
    from keyprojects.dispatch.choices import WarningKind
    from keyprojects.dispatch.models import DispatchConfig, ProjectWarning
    from keyprojects.projects.models import Project

    if root.level not in ("province", "city"):
        raise ValueError("a bulletin covers a province or a city")
    facts = root_facts(period=period, root=root, user=user)
    totals = _figures("total", facts.aggregate(**AGGREGATES), period.month)
    behind = DispatchConfig.get().behind_points
    lagging_facts = []
    for f in facts.order_by("project_id"):
        rate = metrics.completion_rate(f.invested_ytd, f.annual_plan)
        points = metrics.ahead_points(rate, period.month)
        if points is not None and points < -behind:
            lagging_facts.append((f.project_id, rate, points))
    projects = {
        p.pk: p
        for p in Project.objects.filter(pk__in=[pid for pid, _, _ in lagging_facts]).select_related(
            "region", "responsible_unit", "sponsor_leader"
        )
    }
    lagging = [
        LaggingProject(
            project_id=pid,
            name=projects[pid].name,
            region=projects[pid].region.name,
            unit=str(projects[pid].responsible_unit or ""),
            leader=str(projects[pid].sponsor_leader) if projects[pid].sponsor_leader else "",
            rate=rate,
            points=points,
        )
        for pid, rate, points in lagging_facts
    ]
    lagging.sort(key=lambda x: (x.points, x.name, x.project_id))
    in_root = {"province": "project__province_code", "city": "project__city_code"}[root.level]
    warnings_seen = ProjectWarning.objects.all() if user is None else ProjectWarning.objects.visible_to(user)
    warns = warnings_seen.filter(period=period, **{in_root: root.code}).select_related("project", "project__region")
    labels = dict(WarningKind.choices)
    counts = Counter(w.kind for w in warns)
    warning_counts = [(str(labels[k]), counts[k]) for k in WarningKind.values if counts.get(k)]
    warning_rows = [
        (w.project.name, w.project.region.name, str(labels.get(w.kind, w.kind)), w.message)
        for w in warns.order_by("kind", "project__region_id", "project__name", "project_id")
    ]
    return BulletinData(
        period=period,
        root=root,
        title=bulletin_title(period, root),
        scope_word="全省" if root.level == "province" else "全市",
        child_word="市" if root.level == "province" else "县（市、区）",
        totals=totals,
        ranking=ranking(period=period, kind="region", root=root, indicator="completion_rate", user=user),
        behind_points=behind,
        lagging=lagging,
        warnings=warning_counts,
        warning_rows=warning_rows,
    )


# --- the tables (shared by Word and Excel) ---------------------------------------------------


def ranking_table(data: BulletinData) -> tuple[list[str], list[list[Any]]]:
    head = ["排名", data.child_word, "项目数", "年度计划投资（万元）", "累计完成投资（万元）", "完成率（%）", "与序时进度比较", "较上月"]
    rows = []
    for r in data.ranking.rows:
        f = r.unit.figures
        rows.append(
            [
                r.rank,
                r.unit.name,
                f.projects,
                to_wan(f.annual_plan),
                to_wan(f.invested_ytd),
                r.display,
                metrics.schedule_phrase(f.ahead_points),
                movement_text(r.movement),
            ]
        )
    return head, rows


def lagging_table(data: BulletinData) -> tuple[list[str], list[list[Any]]]:
    head = ["序号", "项目名称", "所在地区", "责任单位", "包保领导", "完成率（%）", "落后序时进度（百分点）"]
    rows = [[n, p.name, p.region, p.unit, p.leader, metrics.as_percent(p.rate), p.behind] for n, p in enumerate(data.lagging, start=1)]
    return head, rows


def warnings_table(data: BulletinData) -> tuple[list[str], list[list[Any]]]:
    return ["预警类型", "条数"], [[label, n] for label, n in data.warnings]


def _cell_text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return money(value) if value.as_tuple().exponent == -4 else str(value)
    return str(value)


# --- Word ----------------------------------------------------------------------------------


def _font(run: Any, name: str, size: float, *, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), name)
    rfonts.set(qn("w:ascii"), name)
    rfonts.set(qn("w:hAnsi"), name)


def _paragraph(doc: Any, text: str, *, font: str = BODY_FONT, size: float = 16, bold: bool = False, center: bool = False) -> Any:
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    else:
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt.first_line_indent = Pt(size * 2)  # 首行缩进两字
    _font(p.add_run(text), font, size, bold=bold)
    return p


def _table(doc: Any, head: list[str], rows: list[list[Any]]) -> Any:
    table = doc.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, head, strict=True):
        cell.text = ""
        para = cell.paragraphs[0]
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(para.add_run(text), TABLE_FONT, 10.5, bold=True)
    # the header row repeats on every page
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    tr_pr.append(tr_pr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"}))
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            para = cell.paragraphs[0]
            para.alignment = WD_ALIGN_PARAGRAPH.RIGHT if isinstance(value, Decimal | int) else WD_ALIGN_PARAGRAPH.LEFT
            _font(para.add_run(_cell_text(value)), TABLE_FONT, 10.5)
    return table


def bulletin_docx(data: BulletinData) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    props = doc.core_properties
    props.title = data.title
    props.author = data.root.name
    moment = dt.datetime(data.period.year, data.period.month, 1)
    props.created = props.modified = moment
    props.last_modified_by = data.root.name
    props.revision = 1

    title = _paragraph(doc, data.title, font=TITLE_FONT, size=22, bold=True, center=True)
    title.paragraph_format.space_after = Pt(28)
    title.paragraph_format.line_spacing = Pt(36)
    _paragraph(doc, "一、总体情况", font=HEADING_FONT)
    _paragraph(doc, data.summary)

    _paragraph(doc, f"二、各{data.child_word}投资完成情况排名", font=HEADING_FONT)
    _paragraph(doc, f"按{data.months}年度投资完成率从高到低排序，“较上月”为名次变化（↑上升、↓下降）。")
    _table(doc, *ranking_table(data))

    _paragraph(doc, "三、进度滞后项目", font=HEADING_FONT)
    behind = f"{data.behind_points.normalize():f}"
    if data.lagging:
        _paragraph(doc, f"以下{len(data.lagging)}个项目落后序时进度超过{behind}个百分点，请责任单位和包保领导加力推进。")
        _table(doc, *lagging_table(data))
    else:
        _paragraph(doc, f"本月没有落后序时进度超过{behind}个百分点的项目。")

    _paragraph(doc, "四、预警情况", font=HEADING_FONT)
    _paragraph(doc, data.warnings_text)
    if data.warnings:
        _table(doc, *warnings_table(data))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- Excel ---------------------------------------------------------------------------------


def bulletin_xlsx(data: BulletinData) -> bytes:
    """The same tables, one sheet each, plus 概况 with the key figures and the summary."""
    buf = io.BytesIO()
    wb = new_workbook(buf, created=dt.datetime(data.period.year, data.period.month, 1))
    title_fmt = wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
    head_fmt = wb.add_format({"bold": True, "bg_color": "#F1F5FB", "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True})
    num_fmt = wb.add_format({"num_format": "#,##0.00", "border": 1})
    int_fmt = wb.add_format({"num_format": "0", "border": 1})
    text_fmt = wb.add_format({"border": 1, "text_wrap": True})

    def sheet(name: str, title: str, head: list[str], rows: list[list[Any]], widths: list[int]) -> None:
        ws = wb.add_worksheet(name)
        if len(head) > 1:
            ws.merge_range(0, 0, 0, len(head) - 1, safe_cell(title), title_fmt)
        else:
            ws.write_string(0, 0, safe_cell(title), title_fmt)
        ws.set_row(0, 28)
        for c, (text, width) in enumerate(zip(head, widths, strict=True)):
            ws.write_string(1, c, safe_cell(text), head_fmt)
            ws.set_column(c, c, width)
        ws.freeze_panes(2, 0)
        for r, row in enumerate(rows, start=2):
            for c, value in enumerate(row):
                if value is None or value == "":
                    ws.write_blank(r, c, None, text_fmt)
                elif isinstance(value, bool):
                    ws.write_string(r, c, str(value), text_fmt)
                elif isinstance(value, int):
                    ws.write_number(r, c, value, int_fmt)
                elif isinstance(value, Decimal):
                    ws.write_number(r, c, float(value), num_fmt)
                else:
                    ws.write_string(r, c, safe_cell(str(value)), text_fmt)

    t = data.totals
    overview: list[list[Any]] = [
        ["重点项目（个）", t.projects],
        ["年度计划投资（万元）", to_wan(t.annual_plan)],
        [f"{data.months}累计完成投资（万元）", to_wan(t.invested_ytd)],
        ["年度投资完成率（%）", metrics.as_percent(t.completion_rate)],
        ["序时进度（%）", metrics.as_percent(time_share(data.period.month))],
        ["与序时进度比较", metrics.schedule_phrase(t.ahead_points)],
        ["落后序时进度项目（个）", len(data.lagging)],
        ["总体情况", data.summary],
    ]
    sheet("概况", data.title, ["项目", "数值"], overview, [26, 90])
    sheet("排名", f"{data.title} · 各{data.child_word}排名", *ranking_table(data), [6, 16, 8, 18, 18, 12, 26, 8])
    sheet("滞后项目", f"{data.title} · 进度滞后项目", *lagging_table(data), [6, 36, 12, 26, 16, 12, 14])
    sheet("预警", f"{data.title} · 预警情况", *warnings_table(data), [20, 10])
    sheet(
        "预警明细",
        f"{data.title} · 预警明细",
        ["项目名称", "所在地区", "预警类型", "说明"],
        [list(r) for r in data.warning_rows],
        [36, 12, 16, 50],
    )
    wb.close()
    return buf.getvalue()


def bulletin_filename(data: BulletinData, ext: str) -> str:
    return f"{data.period.year}年{data.period.month}月{data.root.name}重点项目建设情况通报.{ext}"
