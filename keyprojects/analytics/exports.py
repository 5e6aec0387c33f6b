"""The 比武打擂 and 双考核双评价 tables as workbooks: exactly what the pages show, from the same
selectors (``rankings.ranking_table``, ``assessment.snapshot_tables``).

Each sheet has a title row, a subtitle with the period and the range, the page's column headers
(units in the header: 万元, %, 百分点) and the rows; numbers are written as numbers, every text
through ``core.xlsx`` (formula-like text is neutralised). Like every export they are the
Chinese tables (titles, headers, phrases, sheet and file names) in any UI language: the
``*_export`` builders figure the tables under Chinese too.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.core.money import format_wan, to_wan
from keyprojects.core.xlsx import Column, Sheet, build_workbook, in_chinese, ytd_header

from .assessment import SnapshotTables, snapshot_tables
from .models import AssessmentScheme, AssessmentSnapshot
from .rankings import UNIT_KINDS, RankingTable, ranking_table

# 较上月 stays a number (last month's rank − this month's) shown as the page shows it.
MOVEMENT_FORMAT = '"↑"0;"↓"0;"' + "持平" + '"'
UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def _created(period: Any) -> dt.datetime:
    """The document date: the period's first day, so the same table gives the same bytes."""
    return dt.datetime(period.year, period.month, 1)


def _dec(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def safe_filename(name: str) -> str:
    """A file name without path separators or characters Windows refuses."""
    return UNSAFE_FILENAME.sub("_", name).strip(" .") or "export"


def unit_suffix(kind: str) -> str:
    """The unit of an indicator value (``rankings.Indicator.kind``): "%" for a rate, 百分点 for
    percentage points, 工作日 for days, 件 for a count."""
    return {"rate": "%", "points": _("百分点"), "days": _("工作日"), "count": _("件")}.get(kind, "")


def value_header(indicator: Any) -> str:
    """A column of an indicator's values: its label and unit, the unit once (审批平均用时（工作日）
    names its own)."""
    label, unit = str(indicator.label), str(unit_suffix(indicator.kind))
    return label if not unit or label.endswith(f"（{unit}）") else f"{label}（{unit}）"


# --- 比武打擂 --------------------------------------------------------------------------------


def rankings_subtitle(table: RankingTable) -> str:
    parts = [
        _("调度期：%(p)s") % {"p": table.period},
        _("范围：%(r)s") % {"r": table.root.name},
        _("排名对象：%(k)s") % {"k": UNIT_KINDS[table.ranking.kind]},
        _("较上月：与%(p)s名次相比") % {"p": table.ranking.previous_period} if table.ranking.previous_period else _("无上月数据"),
        _("已关账") if table.frozen else _("未关账，数据可能变化"),
    ]
    return " · ".join(str(p) for p in parts)


@in_chinese
def rankings_export(**filters: Any) -> tuple[bytes, str]:
    """The 比武打擂 table of ``filters`` (``rankings.ranking_table``'s arguments), figured and
    written in Chinese: the workbook's bytes and its file name."""
    table = ranking_table(**filters)
    return rankings_xlsx(table), rankings_filename(table)


@in_chinese
def rankings_xlsx(table: RankingTable) -> bytes:
    """The 比武打擂 table of ``table`` as a one-sheet workbook."""
    indicator = table.indicator
    columns = [
        Column(_("名次"), "int", 6),
        Column(str(table.unit_label), "text", 18),
        Column(value_header(indicator), "number", 16),
        Column(_("较上月"), "int", 8, num_format=MOVEMENT_FORMAT),
        Column(_("项目数"), "int", 8),
        Column(_("年度计划（万元）"), "money", 16),
        Column(ytd_header(table.period), "money", 20),  # the month's 1-N月累计, named so (core.xlsx)
        Column(_("完成率（%）"), "number", 10),
        Column(_("序时进度"), "text", 28),
    ]
    rows = [
        [
            item.row.rank,
            item.row.unit.name,
            _("不适用") if item.row.display is None else item.row.display,
            item.row.movement,
            item.f.projects,
            to_wan(item.f.annual_plan),
            to_wan(item.f.invested_ytd),
            item.completion_pct,
            item.schedule,
        ]
        for item in table.rows
    ]
    title = _("%(p)s · 按%(i)s排名") % {"p": table.period, "i": indicator.label}
    sheet = Sheet("排名", f"{table.root.name} · {title}", columns, rows, rankings_subtitle(table))
    content, _counts = build_workbook([sheet], created=_created(table.period))
    return content


def rankings_filename(table: RankingTable) -> str:
    p = table.period
    return safe_filename(f"{p.year}年{p.month}月{table.root.name}比武打擂排名（{table.indicator.label}）") + ".xlsx"


# --- 双考核双评价 ----------------------------------------------------------------------------


def _rule_text(item: dict[str, Any]) -> str:
    """The rule as the scheme and result pages word it (越低越好: 0 points at or above the floor)."""
    if item["rule"] == "linear" and item.get("direction") == "down":
        return _("线性计分：%(f)s 及以上 0 分，%(t)s 及以下 100 分") % {"f": item["floor"], "t": item["target"]}
    if item["rule"] == "linear":
        return _("线性计分：%(f)s 及以下 0 分，%(t)s 及以上 100 分") % {"f": item["floor"], "t": item["target"]}
    return _("按名次计分：第一名 100 分，末位 %(l)s 分") % {"l": item["last_points"]}


def _basis_text(line: dict[str, Any]) -> str:
    basis = line["basis"]
    if basis.get("annual_plan"):
        return _("累计完成 %(y)s 万元 / 年度计划 %(a)s 万元") % {
            "y": format_wan(basis["invested_ytd"]),
            "a": format_wan(basis["annual_plan"]),
        }
    if basis.get("kept_commitments") is not None:  # 政府承诺履约率: the due commitments, kept ones first
        text = _("已履行 %(a)s / 应履约 %(b)s") % {"a": basis["numerator"], "b": basis["denominator"]}
        if basis["denominator"]:
            text += _("（部分履行 %(p)s，未履行 %(x)s，逾期未履行 %(o)s，待确认 %(c)s）") % {
                "p": basis.get("partial", 0),
                "x": basis.get("broken", 0),
                "o": basis.get("overdue", 0),
                "c": basis.get("claimed", 0),
            }
        owed = sorted(line.get("commitment_list", []), key=lambda c: not c["kept"])
        if owed:
            text += "：" + "、".join(
                (str(c["name"]) if c["name"] else _("承诺 #%(n)s") % {"n": c["pk"]}) + (_("（已履行）") if c["kept"] else "") for c in owed
            )
        return text
    if basis.get("denominator") is not None:
        return f"{basis['numerator']} / {basis['denominator']}"
    return ""


def _project_names(projects: list[dict[str, Any]], *, counted_only: bool = False) -> str:
    return "、".join(str(p["name"] or p["pk"]) for p in projects if p["counted"] or not counted_only)


def assessment_subtitle(*, scheme: AssessmentScheme, snapshot: AssessmentSnapshot) -> str:
    computed = timezone.localtime(snapshot.computed_at) if snapshot.computed_at else None
    parts = [
        _("调度期：%(p)s") % {"p": snapshot.period},
        _("范围：%(r)s") % {"r": scheme.region.name},
        _("考核对象：%(k)s") % {"k": scheme.unit_kind_label},
    ]
    if computed is not None:
        parts.append(_("根据已关账数据于 %(t)s 计算（校验值 %(d)s）") % {"t": f"{computed:%Y-%m-%d %H:%M}", "d": snapshot.digest[:12]})
    return " · ".join(str(p) for p in parts)


@in_chinese
def assessment_export(*, user: Any, snapshot: AssessmentSnapshot, own: str | None = None) -> tuple[bytes, str]:
    """The stored result ``snapshot`` as the user may see it (``own``: an assessed unit's key,
    whose explanation alone is written), figured and written in Chinese: the workbook's bytes
    and its file name."""
    tables = snapshot_tables(user=user, snapshot=snapshot, own=own)
    scheme = snapshot.scheme
    return assessment_xlsx(scheme=scheme, snapshot=snapshot, tables=tables), assessment_filename(scheme=scheme, snapshot=snapshot)


@in_chinese
def assessment_xlsx(*, scheme: AssessmentScheme, snapshot: AssessmentSnapshot, tables: SnapshotTables) -> bytes:
    """The stored result of ``scheme`` on a period: 得分与名次, 得分说明 (one line per unit and
    indicator, as the page's "展开") and the indicators as scored."""
    title = _("%(s)s · %(p)s考核结果") % {"s": scheme.name, "p": snapshot.period}
    subtitle = assessment_subtitle(scheme=scheme, snapshot=snapshot)
    scores = Sheet(
        "得分与名次",
        title,
        [Column(_("名次"), "int", 6), Column(_("考核对象"), "text", 22), Column(_("项目数"), "int", 8), Column(_("得分"), "number", 10)],
        [[u["rank"], u["name"], u["projects"], _dec(u["score"])] for u in tables.units],
        subtitle,
    )
    lines = Sheet(
        "得分说明",
        f"{title} · {_('得分说明')}",
        [
            Column(_("考核对象"), "text", 22),
            Column(_("指标"), "text", 16),
            Column(_("数值"), "number", 10),
            Column(_("单位"), "text", 8),
            Column(_("名次"), "int", 6),
            Column(_("参与排名数"), "int", 10),
            Column(_("权重"), "number", 8),
            Column(_("得分"), "number", 10),
            Column(_("依据"), "text", 40),
            Column(_("项目"), "text", 50),
            Column(_("计入分子的项目"), "text", 50),
        ],
        [
            [
                u["name"],
                str(line["label"]),
                _("不适用") if line["value"] is None else _dec(line["value"]),
                unit_suffix(line["kind"]),
                line["rank"],
                line["ranked"] if line["rank"] else None,
                _dec(line["weight"]),
                _dec(line["points"]),
                _basis_text(line),
                _project_names(line["project_list"]),
                _project_names(line["project_list"], counted_only=True),
            ]
            for u in tables.units
            for line in u["lines"]
        ],
        subtitle,
    )
    items = Sheet(
        "指标与权重",
        f"{title} · {_('计算时的指标、权重和计分规则')}",
        [Column(_("指标"), "text", 18), Column(_("权重"), "number", 8), Column(_("方向"), "text", 10), Column(_("计分规则"), "text", 50)],
        [[str(item["label"]), _dec(item["weight"]), str(item["direction_label"]), _rule_text(item)] for item in tables.items],
        subtitle,
    )
    content, _counts = build_workbook([scores, lines, items], created=_created(snapshot.period))
    return content


def assessment_filename(*, scheme: AssessmentScheme, snapshot: AssessmentSnapshot) -> str:
    p = snapshot.period
    return safe_filename(f"{scheme.name}{p.year}年{p.month}月考核结果") + ".xlsx"
