"""通报: the monthly bulletin of key-project construction, as a Word document an office can send
(the layout of GB/T 9704 公文) and as a workbook with the same tables.

Layout: 版头 — the issuing office (发文机关, red) and the document number (文号) over a red line;
the title "YYYY年X月全省（市）重点项目建设情况通报"; 主送; 一、总体情况 (projects, annual plan,
1-N月 investment in 亿元, completion rate against 序时进度, all from ``metrics.py``);
二、排名 (the cities of a province or the counties of a city by completion rate, with the
movement since last month, from ``rankings.py``); 三、进度滞后项目 (reported projects behind
序时进度 by more than ``DispatchConfig.behind_points``: the N most behind per city — or per
county in a city's bulletin — with their responsible units and sponsor leaders); 四、未报送月报
项目 (listed separately: their figures do not count); 五、数据存疑 (the flagged reports, named);
六、预警情况 (the period's warnings by kind); 落款 (office and date); page numbers in the footer.
The office, 文号, 主送 and N come from ``BulletinSetting`` of the bulletin's region.

Amounts: 亿元 with thousands separators in the text, 万元 with separators in tables
(``core.money.format_yi`` / ``format_wan``). Everything is read from the fact and summary tables
with a handful of queries whatever the number of projects; the Word tables are written as XML
in one go (python-docx's per-cell API costs ~1 ms a cell).

Fonts follow GB/T 9704 practice with fonts every Chinese Windows/WPS has: the title 宋体 bold
二号 (22 pt), headings 黑体 三号, body 仿宋 三号 (16 pt) with a fixed 28 pt line, tables 宋体 五号;
the East Asian font is set on every run (``w:eastAsia``), otherwise Word falls back to its
Latin font for Chinese text.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.db.models import Case, Count, DecimalField, F, IntegerField, Q, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone, translation
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

from keyprojects.core.money import format_wan, format_yi, to_wan
from keyprojects.core.xlsx import new_workbook, safe_cell

from . import metrics
from .rankings import Ranking, ranking, root_facts
from .selectors import AGGREGATES, Figures, _figures, summaries_for, summary_figures

TITLE_FONT = "宋体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋"
TABLE_FONT = "宋体"
RED = "FF0000"
UNREPORTED = ("missing", "returned")  # report states whose figures do not count (未报, 退回未重报)
DEFAULT_TOP_N = 10


@dataclass(frozen=True)
class LaggingProject:
    project_id: int
    name: str
    region: str
    unit: str
    leader: str
    rate: Decimal | None
    points: Decimal
    annual_plan: Decimal = Decimal(0)
    invested_ytd: Decimal = Decimal(0)

    @property
    def behind(self) -> Decimal:
        """Percentage points behind 序时进度 (positive)."""
        return -self.points


@dataclass(frozen=True)
class ListedProject:
    """A project named in the 未报 or 数据存疑 lists."""

    project_id: int
    name: str
    region: str
    unit: str
    leader: str
    annual_plan: Decimal
    note: str = ""


@dataclass(frozen=True)
class ChildCount:
    """One city (or county) in a capped list: how many it has, how many are named."""

    code: str
    name: str
    total: int
    shown: int


@dataclass(frozen=True)
class Header:
    """The 公文 header and footer of one bulletin (from ``BulletinSetting``)."""

    issuer: str
    doc_number: str
    recipients: str
    issued_on: dt.date
    top_n: int


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
    header: Header = field(default_factory=lambda: Header("", "", "", dt.date(2000, 1, 1), DEFAULT_TOP_N))
    lagging: list[LaggingProject] = field(default_factory=list)  # the top N per child region
    lagging_total: int = 0
    lagging_by_child: list[ChildCount] = field(default_factory=list)
    unreported: list[ListedProject] = field(default_factory=list)
    unreported_total: int = 0
    unreported_by_child: list[ChildCount] = field(default_factory=list)
    doubtful: list[ListedProject] = field(default_factory=list)
    doubtful_total: int = 0
    warnings: list[tuple[str, int]] = field(default_factory=list)
    user: Any = None  # whose scope the figures were read through (None: everything)
    corrections: list[Any] = field(default_factory=list)  # corrections after the close (analytics.corrections): a 更正版

    @property
    def corrected(self) -> bool:
        return bool(self.corrections)

    @property
    def corrections_intro(self) -> str:
        return (
            f"本通报为更正版。{self.period}关账后，经上级审定更正以下{len(self.corrections)}项数据，"
            "本通报各项数据均已按更正后数据重新计算；关账时的原始数据可在调度看板下载关账快照。"
        )

    @property
    def months(self) -> str:
        return "1月" if self.period.month == 1 else f"1-{self.period.month}月"

    @property
    def behind_text(self) -> str:
        return f"{self.behind_points.normalize():f}"

    @property
    def summary(self) -> str:
        """总体情况 in one paragraph; every figure comes from the metrics."""
        t = self.totals
        rate = metrics.as_percent(t.completion_rate)
        text = (
            f"截至{self.period.year}年{self.period.month}月底，{self.scope_word}纳入调度的重点项目{t.projects:,}个"
            # the board's 应报 (projects in a reporting stage): the rest are still 谋划储备 or done
            + (f"（其中本月应报送月报的{t.reports_due:,}个）" if t.reports_due != t.projects else "")
            + f"，年度计划投资{format_yi(t.annual_plan)}亿元；{self.months}累计完成投资{format_yi(t.invested_ytd)}亿元，"
        )
        if rate is None:
            text += "尚无年度计划投资，不计算完成率。"
        else:
            share = metrics.as_percent(time_share(self.period.month))
            text += f"年度投资完成率{rate}%，{metrics.schedule_phrase_zh(t.ahead_points)}（序时进度{share}%）。"
        ahead = sum(1 for r in self.ranking.rows if r.unit.figures.ahead_points is not None and r.unit.figures.ahead_points > 0)
        behind = sum(1 for r in self.ranking.rows if r.unit.figures.ahead_points is not None and r.unit.figures.ahead_points < 0)
        if self.ranking.rows:
            text += f"{len(self.ranking.rows)}个{self.child_word}中，{ahead}个超序时进度，{behind}个落后序时进度。"
        text += f"落后序时进度超过{self.behind_text}个百分点的项目{self.lagging_total:,}个"
        if self.unreported_total:
            text += f"，未报送月报的项目{self.unreported_total:,}个"
        if self.doubtful_total:
            text += f"，数据存疑的项目{self.doubtful_total:,}个"
        return text + "。"

    @property
    def lagging_intro(self) -> str:
        if not self.lagging_total:
            return f"本月没有落后序时进度超过{self.behind_text}个百分点的项目。"
        text = f"{self.scope_word}已报送月报的项目中，{self.lagging_total:,}个落后序时进度超过{self.behind_text}个百分点"
        text += "（" + "；".join(f"{c.name}{c.total}个" for c in self.lagging_by_child) + "）"
        if len(self.lagging) < self.lagging_total:  # (the counts per child first, as 四、未报送 says them)
            text += f"，以下列出各{self.child_word}落后最多的前{self.header.top_n}个（共列出{len(self.lagging)}个）"
        return text + "，请责任单位和包保领导加力推进。"

    @property
    def unreported_intro(self) -> str:
        if not self.unreported_total:
            return "本月应报项目均已报送月报。"
        text = f"{self.unreported_total:,}个项目未报送月报或退回后未重新报送，其完成投资不计入本期统计"
        text += "（" + "；".join(f"{c.name}{c.total}个" for c in self.unreported_by_child) + "）"
        if len(self.unreported) < self.unreported_total:
            text += f"，以下列出各{self.child_word}年度计划投资最大的前{self.header.top_n}个"
        return text + "，请督促项目单位及时报送。"

    @property
    def doubtful_intro(self) -> str:
        if not self.doubtful_total:
            return "本月没有数据存疑的月报。"
        text = f"{self.doubtful_total:,}个项目的月报数据存疑（疑似单位错误、累计超过总投资等）"
        if len(self.doubtful) < self.doubtful_total:
            text += f"，以下列出各{self.child_word}的前{self.header.top_n}个"
        return text + "，请审核单位逐项核实。"

    @property
    def warnings_text(self) -> str:
        total = sum(n for _, n in self.warnings)
        if not total:
            return "本月未产生预警。"
        parts = "，".join(f"{label}{n:,}条" for label, n in self.warnings)
        return f"本月共产生预警{total:,}条，其中{parts}。请各责任单位对照预警逐项核实、限期整改。"


def money(value: Decimal) -> str:
    """万元 as bulletin tables print it: thousands separators, 2 decimals."""
    return format_wan(value)


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


def bulletin_title(period: Any, root: Any, *, corrected: bool = False) -> str:
    word = "全省" if root.level == "province" else "全市"
    return f"{period.year}年{period.month}月{word}重点项目建设情况通报" + ("（更正版）" if corrected else "")


def bulletin_header(*, root: Any, period: Any, issued_on: dt.date | None = None, top_n: int | None = None) -> Header:
    """The office, 文号, 主送 and N of ``root``'s bulletin (its ``BulletinSetting``, else the
    defaults)."""
    from .models import BulletinSetting

    setting = BulletinSetting.objects.filter(region=root).first()
    child = "各市" if root.level == "province" else "各县（市、区）"
    issuer = (setting.issuer if setting else "") or f"{root.name}重点项目建设推进办公室"
    number = (setting.doc_number if setting else "") or f"{root.name[:2]}重点办〔{{year}}〕{{month}}号"
    return Header(
        issuer=issuer,
        doc_number=number.format(year=period.year, month=period.month),
        recipients=(setting.recipients if setting else "") or f"{child}重点项目主管部门：",
        issued_on=issued_on or timezone.localdate(),
        top_n=top_n or (setting.top_n if setting else DEFAULT_TOP_N),
    )


def _child_column(root: Any) -> str:
    return "city_code" if root.level == "province" else "region_code"


def _cap(rows: list[tuple[str, Any]], top_n: int) -> tuple[list[Any], dict[str, int], dict[str, int]]:
    """Keep the first ``top_n`` items of each child (``rows`` is in order); count them."""
    totals: dict[str, int] = defaultdict(int)
    shown: dict[str, int] = defaultdict(int)
    kept = []
    for child, item in rows:
        totals[child] += 1
        if shown[child] < top_n:
            shown[child] += 1
            kept.append((child, item))
    return kept, totals, shown


def _child_counts(totals: dict[str, int], shown: dict[str, int], names: dict[str, str]) -> list[ChildCount]:
    return [ChildCount(code, names.get(code, code), totals[code], shown[code]) for code in sorted(totals)]


def root_totals(*, period: Any, root: Any, user: Any, facts: Any) -> Figures:
    """一、总体情况: the root's own region roll-up, the sums of its facts refreshed with them
    (as the ranking reads its children's), in one row instead of a pass over every fact of a
    province; the facts themselves when the user may not read the roll-up (a scope that is no
    region) or it has not been built."""
    row = summaries_for(user).filter(period=period, region_id=root.code).first()
    if row is not None:
        return summary_figures(row, key="total", month=period.month)
    return _figures("total", facts.aggregate(**AGGREGATES), period.month)


def bulletin_data(*, period: Any, root: Any, user: Any = None, issued_on: dt.date | None = None, top_n: int | None = None) -> BulletinData:
    """Everything the bulletin of ``root`` (a province or a city) for ``period`` shows, read
    through ``user``'s scope (``None``: the command line, everything)."""
    from keyprojects.dispatch.choices import WarningKind
    from keyprojects.dispatch.models import DispatchConfig, ProjectWarning
    from keyprojects.projects.models import Project
    from keyprojects.regions.models import Region

    if root.level not in ("province", "city"):
        raise ValueError("a bulletin covers a province or a city")
    header = bulletin_header(root=root, period=period, issued_on=issued_on, top_n=top_n)
    facts = root_facts(period=period, root=root, user=user)
    totals = root_totals(period=period, root=root, user=user, facts=facts)
    behind = DispatchConfig.get().behind_points
    child = _child_column(root)

    # 三 and 四 in one pass over the period's facts: the reported projects behind 序时进度 by more
    # than ``behind`` points (the fact's ahead_points, which the refresh stores from metrics.py)
    # and the unreported ones (their figures do not count). Per child the database counts each
    # list and picks its top N: most behind first, else the largest annual plan first.
    unrep_q = Q(report_due=True, report_state__in=UNREPORTED)
    lag_q = metrics.lagging_q(behind)
    marked = facts.filter(unrep_q | lag_q).annotate(unrep=Case(When(unrep_q, then=Value(1)), default=Value(0), output_field=IntegerField()))
    part = [F(child), F("unrep")]
    points = Case(
        When(unrep=0, then=F("ahead_points")), default=Value(Decimal(0)), output_field=DecimalField(max_digits=30, decimal_places=2)
    )
    order = [points.asc(), F("annual_plan").desc(), F("project_id").asc()]
    top = marked.annotate(nth=Window(RowNumber(), partition_by=part, order_by=order), total=Window(Count("pk"), partition_by=part))
    lag_kept: list[tuple[str, tuple[Any, ...]]] = []
    unrep_kept: list[tuple[str, tuple[Any, ...]]] = []
    lag_totals: dict[str, int] = {}
    unrep_totals: dict[str, int] = {}
    for pid, code, plan, ytd, points, state, unreported, total in top.filter(nth__lte=header.top_n).values_list(
        "project_id", child, "annual_plan", "invested_ytd", "ahead_points", "report_state", "unrep", "total"
    ):
        if unreported:
            unrep_totals[code] = total
            unrep_kept.append((code, (pid, plan, state)))
        else:
            lag_totals[code] = total
            lag_kept.append((code, (points, pid, metrics.completion_rate(ytd, plan), plan, ytd)))
    unrep_kept.sort(key=lambda kept: (-kept[1][1], kept[1][0]))  # the largest annual plan first
    lag_shown = Counter(code for code, _ in lag_kept)
    unrep_shown = Counter(code for code, _ in unrep_kept)

    # 五: 数据存疑, named
    in_root = {"province": "project__province_code", "city": "project__city_code"}[root.level]
    warnings_seen = ProjectWarning.objects.all() if user is None else ProjectWarning.objects.visible_to(user)
    warns = warnings_seen.filter(period=period, **{in_root: root.code})
    doubt_child = {"province": "project__city_code", "city": "project__region_id"}[root.level]
    doubt_kept, doubt_totals, _doubt_shown = _cap(
        [
            (code, (pid, message))
            for pid, code, message in warns.filter(kind=WarningKind.FLAGGED_FIGURES)
            .order_by(doubt_child, "project_id")
            .values_list("project_id", doubt_child, "message")
        ],
        header.top_n,
    )

    ids = {r[1] for _, r in lag_kept} | {r[0] for _, r in unrep_kept} | {r[0] for _, r in doubt_kept}
    projects = {p.pk: p for p in Project.objects.filter(pk__in=ids).select_related("region", "responsible_unit", "sponsor_leader")}
    codes = set(lag_totals) | set(unrep_totals) | set(doubt_totals)
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))

    def listed(pid: int, plan: Decimal, note: str = "") -> ListedProject:
        p = projects[pid]
        return ListedProject(
            project_id=pid,
            name=p.name,
            region=p.region.name,
            unit=str(p.responsible_unit or ""),
            leader=str(p.sponsor_leader) if p.sponsor_leader else "",
            annual_plan=plan,
            note=note,
        )

    lagging = []
    for _code, (points, pid, rate, plan, ytd) in lag_kept:
        p = projects[pid]
        lagging.append(
            LaggingProject(
                project_id=pid,
                name=p.name,
                region=p.region.name,
                unit=str(p.responsible_unit or ""),
                leader=str(p.sponsor_leader) if p.sponsor_leader else "",
                rate=rate,
                points=points,
                annual_plan=plan,
                invested_ytd=ytd,
            )
        )
    lagging.sort(key=lambda x: (x.points, x.name, x.project_id))
    from .corrections import corrections_for

    with translation.override("zh-hans"):  # the document's words (a field, 万元) are Chinese
        corrections = corrections_for(period=period, region=root, user=user)
    state_words = {"missing": "未报", "returned": "退回未重报"}
    unreported = [listed(pid, plan, state_words.get(state, state)) for _c, (pid, plan, state) in unrep_kept]
    doubtful = [listed(pid, projects[pid].total_investment or Decimal(0), message) for _c, (pid, message) in doubt_kept]

    labels = _chinese_kinds()
    counts = dict(warns.order_by().values("kind").annotate(n=Count("id")).values_list("kind", "n"))
    warning_counts = [(labels[k], counts[k]) for k in WarningKind.values if counts.get(k)]
    return BulletinData(
        period=period,
        root=root,
        title=bulletin_title(period, root, corrected=bool(corrections)),
        scope_word="全省" if root.level == "province" else "全市",
        child_word="市" if root.level == "province" else "县（市、区）",
        totals=totals,
        ranking=ranking(period=period, kind="region", root=root, indicator="completion_rate", user=user),
        behind_points=behind,
        header=header,
        lagging=lagging,
        lagging_total=sum(lag_totals.values()),
        lagging_by_child=_child_counts(lag_totals, lag_shown, names),
        unreported=unreported,
        unreported_total=sum(unrep_totals.values()),
        unreported_by_child=_child_counts(unrep_totals, unrep_shown, names),
        doubtful=doubtful,
        doubtful_total=sum(doubt_totals.values()),
        warnings=warning_counts,
        user=user,
        corrections=corrections,
    )


def _chinese_kinds() -> dict[str, str]:
    """The warning kinds' names as the bulletin writes them: in Chinese, like the rest of the
    document, whatever the language of the page that makes it (not “其中Behind schedule 712条”)."""
    from keyprojects.dispatch.choices import WarningKind

    with translation.override("zh-hans"):
        return {value: str(label) for value, label in WarningKind.choices}


def warning_rows(data: BulletinData) -> list[tuple[str, str, str, str]]:
    """Every warning of the bulletin's range (the workbook's 预警明细 sheet)."""
    from keyprojects.dispatch.models import ProjectWarning

    in_root = {"province": "project__province_code", "city": "project__city_code"}[data.root.level]
    labels = _chinese_kinds()
    seen = ProjectWarning.objects.all() if data.user is None else ProjectWarning.objects.visible_to(data.user)
    rows = (
        seen.filter(period=data.period, **{in_root: data.root.code})
        .order_by("kind", "project__region_id", "project__name", "project_id")
        .values_list("project__name", "project__region__name", "kind", "message")
    )
    return [(name, region, labels.get(kind, kind), message) for name, region, kind, message in rows.iterator(chunk_size=5000)]


# --- the tables (shared by Word and Excel) ---------------------------------------------------


def ranking_table(data: BulletinData) -> tuple[list[str], list[list[Any]]]:
    ytd = f"{data.months}累计完成投资（万元）"  # the months it sums, as the overview and official bulletins say it
    head = ["排名", data.child_word, "项目数", "年度计划投资（万元）", ytd, "完成率（%）", "与序时进度比较", "较上月"]
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
                metrics.schedule_phrase_zh(f.ahead_points),
                movement_text(r.movement),
            ]
        )
    return head, rows


def lagging_table(data: BulletinData) -> tuple[list[str], list[list[Any]]]:
    head = ["序号", "项目名称", "所在地区", "责任单位", "包保领导", "完成率（%）", "落后序时进度（百分点）"]
    rows = [[n, p.name, p.region, p.unit, p.leader, metrics.as_percent(p.rate), p.behind] for n, p in enumerate(data.lagging, start=1)]
    return head, rows


def unreported_table(data: BulletinData) -> tuple[list[str], list[list[Any]]]:
    head = ["序号", "项目名称", "所在地区", "责任单位", "包保领导", "年度计划投资（万元）", "状态"]
    rows = [[n, p.name, p.region, p.unit, p.leader, to_wan(p.annual_plan), p.note] for n, p in enumerate(data.unreported, start=1)]
    return head, rows


def doubtful_table(data: BulletinData) -> tuple[list[str], list[list[Any]]]:
    head = ["序号", "项目名称", "所在地区", "责任单位", "存疑内容"]
    rows = [[n, p.name, p.region, p.unit, p.note] for n, p in enumerate(data.doubtful, start=1)]
    return head, rows


def warnings_table(data: BulletinData) -> tuple[list[str], list[list[Any]]]:
    return ["预警类型", "条数"], [[label, n] for label, n in data.warnings]


def corrections_table(data: BulletinData) -> tuple[list[str], list[list[Any]]]:
    """七、关账后更正情况 of a 更正版: who, when, before → after, why."""
    head = ["序号", "项目名称", "所在地区", "月份", "更正内容（原值→新值）", "更正原因", "审定人", "审定日期"]
    rows = [
        [
            n,
            c.project_name,
            c.region_name,
            c.period_name,
            "；".join(f"{ch.label}{ch.before}→{ch.after}" for ch in c.changes),
            c.reason,
            c.decided_by,
            timezone.localtime(c.decided_at).date().isoformat() if c.decided_at else "",
        ]
        for n, c in enumerate(data.corrections, start=1)
    ]
    return head, rows


def _cell_text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return money(value) if value.as_tuple().exponent == -4 else str(value)  # type: ignore[comparison-overlap]
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


# --- Word ----------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_text(text: str) -> str:
    return escape(_CONTROL.sub("", text))


def _font(run: Any, name: str, size: float, *, bold: bool = False, color: str | None = None) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), name)
    rfonts.set(qn("w:ascii"), name)
    rfonts.set(qn("w:hAnsi"), name)


def _paragraph(
    doc: Any,
    text: str,
    *,
    font: str = BODY_FONT,
    size: float = 16,
    bold: bool = False,
    center: bool = False,
    right: bool = False,
    indent: bool = True,
    color: str | None = None,
) -> Any:
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif right:
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        fmt.right_indent = Pt(size * 4)  # 右空四字
    else:
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if indent:
            fmt.first_line_indent = Pt(size * 2)  # 首行缩进两字
    if text:
        _font(p.add_run(text), font, size, bold=bold, color=color)
    return p


def _table(doc: Any, head: list[str], rows: list[list[Any]], widths: list[float]) -> None:
    """A bordered table in 宋体 五号 with a header row repeated on every page, written as one
    piece of XML (``widths`` in characters of 10.5 pt)."""
    twips = [round(w * 210) for w in widths]  # 10.5 pt = 210 twentieths of a point
    rfonts = f'<w:rFonts w:ascii="{TABLE_FONT}" w:eastAsia="{TABLE_FONT}" w:hAnsi="{TABLE_FONT}"/>'

    def cell(text: str, width: int, align: str, *, bold: bool = False) -> str:
        b = "<w:b/>" if bold else ""
        return (
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
            f'<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="300" w:lineRule="auto"/><w:jc w:val="{align}"/></w:pPr>'
            f'<w:r><w:rPr>{rfonts}{b}<w:sz w:val="21"/><w:szCs w:val="21"/></w:rPr>'
            f'<w:t xml:space="preserve">{_xml_text(text)}</w:t></w:r></w:p></w:tc>'
        )

    parts = [
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/>'
        '<w:jc w:val="center"/><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>',
        *(f'<w:gridCol w:w="{w}"/>' for w in twips),
        '</w:tblGrid><w:tr><w:trPr><w:tblHeader w:val="true"/></w:trPr>',
        *(cell(text, w, "center", bold=True) for text, w in zip(head, twips, strict=True)),
        "</w:tr>",
    ]
    for row in rows:
        parts.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        for value, w in zip(row, twips, strict=True):
            align = "right" if isinstance(value, Decimal | int) and not isinstance(value, bool) else "left"
            parts.append(cell(_cell_text(value), w, align))
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    doc.element.body.insert_element_before(parse_xml("".join(parts)), "w:sectPr")


def _page_number_footer(section: Any) -> None:
    """ "— 1 —" centred in the footer: a PAGE field Word and LibreOffice fill in."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    rpr = f'<w:rPr><w:rFonts w:ascii="{TITLE_FONT}" w:eastAsia="{TITLE_FONT}" w:hAnsi="{TITLE_FONT}"/><w:sz w:val="28"/></w:rPr>'
    for xml in (
        f'<w:r {nsdecls("w")}>{rpr}<w:t xml:space="preserve">— </w:t></w:r>',
        f'<w:r {nsdecls("w")}>{rpr}<w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r {nsdecls("w")}>{rpr}<w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>',
        f'<w:r {nsdecls("w")}>{rpr}<w:fldChar w:fldCharType="separate"/></w:r>',
        f"<w:r {nsdecls('w')}>{rpr}<w:t>1</w:t></w:r>",
        f'<w:r {nsdecls("w")}>{rpr}<w:fldChar w:fldCharType="end"/></w:r>',
        f'<w:r {nsdecls("w")}>{rpr}<w:t xml:space="preserve"> —</w:t></w:r>',
    ):
        p._p.append(parse_xml(xml))


def _red_rule(paragraph: Any) -> None:
    """The red separator line (版头分隔线) under the document number."""
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="18" w:space="6" w:color="{RED}"/></w:pBdr>'))


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def bulletin_docx(data: BulletinData) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.footer_distance = Cm(2.2)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    props = doc.core_properties
    props.title = data.title
    props.author = data.header.issuer
    moment = dt.datetime(data.header.issued_on.year, data.header.issued_on.month, data.header.issued_on.day)
    props.created = props.modified = moment
    props.last_modified_by = data.header.issuer
    props.revision = 1
    _page_number_footer(section)

    # 版头: the issuing office in red, the document number, the red line
    office = _paragraph(doc, data.header.issuer, font=TITLE_FONT, size=26, bold=True, center=True, color=RED)
    office.paragraph_format.line_spacing = Pt(40)
    office.paragraph_format.space_after = Pt(28)
    number = _paragraph(doc, data.header.doc_number, center=True)
    _red_rule(number)
    number.paragraph_format.space_after = Pt(28)

    title = _paragraph(doc, data.title, font=TITLE_FONT, size=22, bold=True, center=True)
    title.paragraph_format.space_after = Pt(28)
    title.paragraph_format.line_spacing = Pt(36)
    _paragraph(doc, data.header.recipients, indent=False)
    _paragraph(doc, "一、总体情况", font=HEADING_FONT)
    _paragraph(doc, data.summary)

    _paragraph(doc, f"二、各{data.child_word}投资完成情况排名", font=HEADING_FONT)
    _paragraph(doc, f"按{data.months}年度投资完成率从高到低排序，“较上月”为名次变化（↑上升、↓下降）。")
    _table(doc, *ranking_table(data), [3, 5, 4, 7, 7, 4.5, 7.5, 4])

    _paragraph(doc, "三、进度滞后项目", font=HEADING_FONT)
    _paragraph(doc, data.lagging_intro)
    if data.lagging:
        _table(doc, *lagging_table(data), [3, 11, 4.5, 7.5, 5, 4.5, 6.5])

    _paragraph(doc, "四、未报送月报项目", font=HEADING_FONT)
    _paragraph(doc, data.unreported_intro)
    if data.unreported:
        _table(doc, *unreported_table(data), [3, 11, 4.5, 7.5, 5, 7, 4])

    _paragraph(doc, "五、数据存疑情况", font=HEADING_FONT)
    _paragraph(doc, data.doubtful_intro)
    if data.doubtful:
        _table(doc, *doubtful_table(data), [3, 10, 4.5, 7.5, 17])

    _paragraph(doc, "六、预警情况", font=HEADING_FONT)
    _paragraph(doc, data.warnings_text)
    if data.warnings:
        _table(doc, *warnings_table(data), [12, 6])

    if data.corrections:
        _paragraph(doc, "七、关账后更正情况", font=HEADING_FONT)
        _paragraph(doc, data.corrections_intro)
        _table(doc, *corrections_table(data), [2.5, 8, 4, 4, 9, 8, 4, 5])

    # 落款: the office and the date, 右空四字
    _paragraph(doc, "")
    _paragraph(doc, data.header.issuer, right=True)
    _paragraph(doc, chinese_date(data.header.issued_on), right=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- Excel ---------------------------------------------------------------------------------


def bulletin_xlsx(data: BulletinData) -> bytes:
    """The same tables, one sheet each, plus 概况 with the key figures and the summary."""
    buf = io.BytesIO()
    wb = new_workbook(buf, created=dt.datetime(data.header.issued_on.year, data.header.issued_on.month, data.header.issued_on.day))
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
        ["与序时进度比较", metrics.schedule_phrase_zh(t.ahead_points)],
        ["落后序时进度项目（个）", data.lagging_total],
        ["未报送月报项目（个）", data.unreported_total],
        ["数据存疑项目（个）", data.doubtful_total],
        ["发文机关", data.header.issuer],
        ["文号", data.header.doc_number],
        ["成文日期", chinese_date(data.header.issued_on)],
        ["总体情况", data.summary],
    ]
    if data.corrections:
        overview.append(["更正版", data.corrections_intro])
    sheet("概况", data.title, ["项目", "数值"], overview, [26, 90])
    sheet("排名", f"{data.title} · 各{data.child_word}排名", *ranking_table(data), [6, 16, 8, 18, 18, 12, 26, 8])
    sheet("滞后项目", f"{data.title} · 进度滞后项目", *lagging_table(data), [6, 36, 12, 26, 16, 12, 14])
    sheet("未报项目", f"{data.title} · 未报送月报项目", *unreported_table(data), [6, 36, 12, 26, 16, 16, 10])
    sheet("数据存疑", f"{data.title} · 数据存疑", *doubtful_table(data), [6, 36, 12, 26, 50])
    sheet("预警", f"{data.title} · 预警情况", *warnings_table(data), [20, 10])
    if data.corrections:
        sheet("更正", f"{data.title} · 关账后更正情况", *corrections_table(data), [6, 36, 12, 12, 40, 30, 12, 12])
    sheet(
        "预警明细",
        f"{data.title} · 预警明细",
        ["项目名称", "所在地区", "预警类型", "说明"],
        [list(r) for r in warning_rows(data)],
        [36, 12, 16, 50],
    )
    wb.close()
    return buf.getvalue()


def bulletin_filename(data: BulletinData, ext: str) -> str:
    corrected = "（更正版）" if data.corrected else ""
    return f"{data.period.year}年{data.period.month}月{data.root.name}重点项目建设情况通报{corrected}.{ext}"
