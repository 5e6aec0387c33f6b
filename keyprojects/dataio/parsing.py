"""Rows of cells → :class:`~keyprojects.dataio.types.ParseResult`, reading like a person.

For each sheet: find the header (one row, or two with merged parents) below title lines; map
columns through the synonym table; take the amount unit from the header or a "单位：万元" line
and the period from a header ("1-6月累计完成投资"), the title ("（1-6月）") or the caller; then
read the rows, skipping 序号, blank rows, footers (填报人/联系电话/审核人) and total rows
(合计/小计/其中…), letting group rows ("一、省级重点项目", "（一）产业项目") set the level,
category or nature of the rows under them.

Values (``ParsedRow.values``): amounts ``Decimal`` 万元; dates ``date`` (1st of the month when
only a month is given); percentages ``Decimal`` 0–100; ``year``/``month``/``workers``/
``project_id`` (the fill-in template's hidden 项目ID) int; text ``str``. Classification fields
hold the choice value when recognised — ``level``: Level ("province"/"city"/"county"),
``category``: Category, ``nature``: Nature, ``stage_text``: Stage, ``started`` and
``no_activity`` (本月无进展): "是"/"否", ``industry``: a GB/T 4754 division ("36") or section
("C") — otherwise the text as written, with a warning. ``period_range`` keeps the text and fills
``planned_start``/``planned_completion`` when those columns are absent.
A text cell one of our exports neutralised against formula injection ("'=1+2项目", see
``core.xlsx.neutralise``) reads as it was typed ("=1+2项目").

The readers live beside this module: ``header`` (finding the header, the title's period),
``classify`` (classification values), ``cells`` (one data row, the hot loop), ``layout`` (栏次
and units rows, remarks, merged cells, hidden rows, a 县区 written once); this module reads a
sheet top to bottom with them.

Errors (block the import): an amount that is not a number or is negative, an impossible date,
a bad USCC check character, a 项目代码 of the wrong shape, a missing project name, the same
project twice in the file, YTD above total investment. Warnings: a 合计/小计 that disagrees with
its rows, a suspected unit slip, a classification value that cannot be mapped, a doubtful date.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_noop

from . import issue_text as T
from .cells import Spec, _data_row, _fmt, _kind
from .classify import _category, _level, _nature
from .header import SERIES, Column, _header_grid, _title_period, choose_columns, find_header
from .layout import (
    _AMOUNT_WORDS_RE,
    _REMARK_RE,
    Section,
    _blank,
    _fill_down,
    _join_continuations,
    _layout_row,
    _region_down,
    _remark_nature,
    _skip_hidden_rows,
    by_field_names,
    header_of,
)
from .normalize import (
    ONE,
    CellError,
    cell_text,
    name_key,
    parse_amount,
    to_halfwidth,
    unit_multiplier,
)
from .reader import Sheet, UnreadableFile, read_sheets
from .synonyms import BUILTIN, build_table
from .types import (
    FIELD_LABELS,
    MONEY_FIELDS,
    PERCENT_FIELDS,
    DeclaredTotal,
    Issue,
    ParseResult,
)

# ---------------------------------------------------------------------------------------------
# Public API

RowProgress = Callable[[int, int], None]  # (rows read, rows of the sheets read)
PROGRESS_ROWS = 500  # rows between two progress reports (about 10 ms of parsing)


def parse_file(
    path_or_bytes: Any,
    *,
    filename: str,
    sheet: str | None = None,
    period: tuple[int, int] | None = None,
    extra_synonyms: dict[str, str] | None = None,
    progress: RowProgress | None = None,
) -> list[ParseResult]:
    """Read a file and return one :class:`ParseResult` per sheet with a recognisable header
    (or just ``sheet``). Raises :class:`~keyprojects.dataio.reader.UnsafeFile` (or its subclass
    ``UnreadableFile``) for hostile, broken or header-less files. ``progress`` as
    :func:`parse_sheets`."""
    sheets = read_sheets(path_or_bytes, filename=filename, sheet=sheet)
    return parse_sheets(sheets, sheet=sheet, period=period, extra_synonyms=extra_synonyms, progress=progress)


def parse_sheets(
    sheets: list[Sheet],
    *,
    sheet: str | None = None,
    period: tuple[int, int] | None = None,
    extra_synonyms: dict[str, str] | None = None,
    progress: RowProgress | None = None,
) -> list[ParseResult]:
    """The sheets :func:`~keyprojects.dataio.reader.read_sheets` read → :func:`parse_file`'s
    results. ``progress(done, total)`` hears the rows read of all the sheets' rows: at the start,
    every :data:`PROGRESS_ROWS` rows (a call per block, none per row) and at the end."""
    table = build_table(extra_synonyms)
    total = sum(len(sh.rows) for sh in sheets) or 1
    done = 0
    if progress is not None:
        progress(0, total)
    results: list[ParseResult] = []
    for sh in sheets:
        tick = _from(progress, done, total) if progress is not None else None
        res = parse_sheet(sh, period=period, table=table, progress=tick)
        done += len(sh.rows)
        if res is None:
            if sheet is not None:
                raise UnreadableFile(T.SHEET_NO_HEADER.zh(sheet=sh.name), code="no_header")
            continue
        results.append(res)
    if not results:
        raise UnreadableFile(gettext_noop("文件中未找到可识别的表头（应包含“项目名称”“总投资”等列）"), code="no_header")
    if len(results) > 1:
        _cross_sheet_duplicates(results)
    if progress is not None:
        progress(total, total)
    return results


def _from(progress: RowProgress, base: int, total: int) -> Callable[[int], None]:
    """A sheet's ``progress(i)`` as the file's ``progress(done, total)``."""
    return lambda i: progress(base + i, total)


ZERO = Decimal(0)

# ---------------------------------------------------------------------------------------------
# Row kinds

_FOOTER_RE = re.compile(
    r"^(?:填报人|填表人|审核人|联系电话|制表人|填报日期|填表日期|报送日期|单位负责人|统计负责人|分管领导|注[:：]"
    r"|(?:联系人|负责人|备注|说明|审核|制表|签字|盖章|注)(?:[:：]|$))"
)
_TOTAL_RE = re.compile(r"^(?:合计|总计|小计|共计|总合计)(?![\u4e00-\u9fff])|(?:合计|总计|小计)(?:[（(].*[）)])?$")
_SUBSET_RE = re.compile(r"^其中")
_NUM = "一二三四五六七八九十"
_GROUP_RE = re.compile(rf"^(?:[（(][{_NUM}]+[)）]|[{_NUM}]+[、.．]|第[{_NUM}]+(?:部分|类|批|篇))")
_SEQ_GROUP_RE = re.compile(r"^([（(])?[一二三四五六七八九十]+[)）、.．]?$")
_COUNT_SUFFIX_RE = re.compile(r"[（(]\s*(?:共)?\s*\d+\s*(?:个|项)(?:项目)?\s*[)）]$")
_GROUP_STRIP_RE = re.compile(r"^(?:[（(]?[一二三四五六七八九十]+[)）、.．]?|第[一二三四五六七八九十]+(?:部分|类|批|篇)[:：、]?)")
_TRIGGERS = frozenset("合总小共其一二三四五六七八九十（(第填审联负单统制报备说注")
_UNIT_LINE_RE = re.compile(r"(?:金额)?单位\s*[:：]\s*(亿元|万元|元)")


# ---------------------------------------------------------------------------------------------
# The sheet


@dataclass
class _Open:
    """A declared total waiting to learn which rows it covers."""

    total: DeclaredTotal
    kind: str  # "all" (合计), "sub" (小计 after its rows), "group" (group row with sums)
    start: int  # index into result.rows where its rows begin
    depth: int = 0
    end: int | None = None


@dataclass
class _State:
    result: ParseResult
    group: dict[int, dict[str, str]] = field(default_factory=dict)  # depth → {level, category, nature, region}
    group_label: str = ""
    effective: dict[str, str] = field(default_factory=dict)  # the groups merged, deepest wins
    boundary: int = 0  # index into result.rows after the last group row / 小计
    totals: list[_Open] = field(default_factory=list)
    unmapped_values: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    keys: dict[tuple[Any, ...], int] = field(default_factory=dict)
    counted: list[tuple[int, int, str, int, int]] = field(default_factory=list)  # group rows "（4个）": depth, count, label, row, start
    cores: dict[int, str] = field(default_factory=dict)  # depth → the group row's words ("产业项目" of "（一）产业项目（4个）")
    sections: list[Section] = field(default_factory=list)  # the group rows naming no place (layout._region_down)


def parse_sheet(
    sheet: Sheet,
    *,
    period: tuple[int, int] | None = None,
    table: dict[str, str] = BUILTIN,
    progress: Callable[[int], None] | None = None,
) -> ParseResult | None:
    """One sheet's result, or None without a header. ``progress(i)``: rows ``0 … i-1`` of
    ``sheet.rows`` are read (every :data:`PROGRESS_ROWS` rows of data)."""
    header = find_header(sheet, table)
    if header is None:
        return None
    rows = sheet.rows
    first_data = header.rows[-1] + 1
    grid = _header_grid(sheet, first_data)

    # Title lines, the unit line and the period above the header.
    title = ""
    sheet_multiplier = ONE
    preamble: list[str] = []
    for r in range(header.rows[0]):
        seen_row: set[str] = set()
        for text in grid[r]:
            if text and text not in seen_row:
                seen_row.add(text)
                preamble.append(text)
    for _j, text in header.unmapped:  # "单位：万元" sometimes sits at the right of the header
        if _UNIT_LINE_RE.search(to_halfwidth(text)):
            preamble.append(text)
    for text in preamble:
        m = _UNIT_LINE_RE.search(to_halfwidth(text).replace(" ", ""))
        if m:
            sheet_multiplier = unit_multiplier(m.group(1)) or ONE
        elif not title and not text.startswith(("填报单位", "填表单位", "报送单位", "单位", "附件", "附表")) and len(text) >= 4:
            title = text
    if header.spare:
        said = _title_period(title)[0] if title else None
        m = _SHEET_YEAR_RE.search(to_halfwidth(sheet.name)) if said is None else None
        choose_columns(header, said or (int(m.group(1)) if m else None), sheet.hidden_cols)

    result = ParseResult(
        sheet=sheet.name,
        header_rows=tuple(sheet.first_row + r for r in header.rows),
        columns={c.field: c.header for c in header.columns},
        period=None,
        title=title,
        unmapped_columns=[t for j, t in header.unmapped if t and not _UNIT_LINE_RE.search(to_halfwidth(t))],
    )
    columns = [c for c in header.columns if c.field != "seq"]
    for c in columns:
        c.kind = _kind(c.field)
    for c in columns:
        if c.field in MONEY_FIELDS or c.field == SERIES:
            c.multiplier = c.info.multiplier if c.info.multiplier is not None else sheet_multiplier
    # a 栏次 row ("甲 乙 丙 1 2 3") and a units row ("（万元）", "（%）") under the header
    while first_data < len(rows):
        layout = _layout_row(rows[first_data])
        if layout is None:
            break
        if layout:
            for c in columns:
                j = c.index
                text = rows[first_data][j] if j < len(rows[first_data]) else None
                if (c.field in MONEY_FIELDS or c.field == SERIES) and c.info.multiplier is None and isinstance(text, str) and "元" in text:
                    c.multiplier = unit_multiplier(to_halfwidth(text)) or c.multiplier
        first_data += 1
    # one column per month under an amount parent: read beside the row, not as a field of it
    series = sorted((c for c in columns if c.field == SERIES), key=lambda c: c.info.month or 0)
    columns = [c for c in columns if c.field != SERIES]
    if not ({"name", "project_code"} & result.columns.keys()):
        result.warnings.append(Issue(sheet.name, result.header_rows[-1], "", "", T.NO_KEY_COLUMN.zh()))
    _decide_period(result, columns, title, period)
    series_year = _series_period(result, series, title, sheet.name, period) if series else None
    result.plan_year = _plan_year(result, columns, title, sheet.name)
    _decide_fractions(rows, first_data, columns)

    if sheet.merged:
        _join_continuations(result, sheet, first_data, columns + series)
    _fill_down(sheet, first_data, columns + series)
    if sheet.hidden_rows:
        _skip_hidden_rows(result, sheet, first_data)
    remark_j = next((j for j, t in header.unmapped if _REMARK_RE.match(to_halfwidth(t).strip())), None)
    mapped = by_field_names(columns)
    remark_fields = (("nature",) if "nature" not in mapped else ()) + (("stage_text",) if "stage_text" not in mapped else ())
    if not remark_fields:
        remark_j = None
    remark_rows: list[int] = []
    remark_stages: list[int] = []

    st = _State(result)
    level_hint = _level(sheet.name) if not sheet.name.isdigit() else None
    if not level_hint and title:  # "淄博市2024年市级重点项目名单", "济南市2024年重点项目清单": a city's list
        level_hint = _level(_SHEET_YEAR_RE.sub("", to_halfwidth(title)).replace("年度", "").replace("年", ""))
    if level_hint:
        st.group[0] = {"level": level_hint}
        st.effective = dict(st.group[0])
    by_field = {c.field: c for c in columns}
    name_col = by_field.get("name")
    seq_col = next((c for c in header.columns if c.field == "seq"), None)
    name_j = name_col.index if name_col else None
    seq_j = seq_col.index if seq_col else None
    header_name = name_col.header if name_col else None
    header_texts = {c.header for c in header.columns}
    if name_j is not None:
        header_texts |= {grid[r][name_j] for r in header.rows if name_j < len(grid[r])}
        header_texts |= {cell_text(rows[r][name_j]) for r in header.rows if name_j < len(rows[r])}  # as written, line breaks kept
    money_cols = [c for c in columns if c.field in MONEY_FIELDS]
    # each column remembers what its texts read as (a table repeats its categories, places,
    # owners, dates): a repeated cell costs one lookup
    specs: list[Spec] = [(c.index, c.field, c.kind, c.header, c.multiplier, c.fraction, {}) for c in columns]

    # in blocks of PROGRESS_ROWS rows: the progress report costs a call per block, nothing per row
    n_rows = len(rows)
    for block in range(first_data, n_rows, PROGRESS_ROWS):
        if progress is not None:
            progress(block)
        for i in range(block, min(block + PROGRESS_ROWS, n_rows)):
            row = rows[i]
            excel_row = sheet.first_row + i
            width = len(row)
            label = ""
            if seq_j is not None and seq_j < width and isinstance(row[seq_j], str):
                label = row[seq_j].strip()
            name_v = row[name_j] if name_j is not None and name_j < width else ""
            if isinstance(name_v, str):
                label += name_v.strip()
            if not label:
                for v in row:
                    if isinstance(v, str) and v.strip():
                        label = v.strip()
                        break
            if label and (label[0] in _TRIGGERS or "计" in label or label.endswith(("个）", "个)", "项）", "项)"))):
                kind = _row_kind(label, row, seq_j, name_j, header_name, header_texts, by_field)
                if kind == "skip":
                    continue
                if kind == "total":
                    _declared_total(st, sheet, excel_row, label, row, money_cols)
                    continue
                if kind == "group":
                    _group_row(st, sheet, excel_row, label, row, seq_j, money_cols)
                    continue
            elif isinstance(name_v, str) and name_v.strip() in header_texts:
                continue  # the header repeated (printed page breaks)
            before = len(st.result.rows)
            _data_row(st, sheet, excel_row, row, specs, name_col)
            if series and len(st.result.rows) > before:
                _series_row(st.result, st.result.rows[-1], row, series, series_year)  # type: ignore[arg-type]
            if remark_j is not None and remark_j < width and len(st.result.rows) > before:
                _remark_nature(st.result.rows[-1], row[remark_j], header_of(header, remark_j), remark_fields, remark_rows, remark_stages)

    _close_counts(st, 0)
    if "region_text" in result.columns:
        _region_down(result, st.sections)
    _close_totals(st)
    _emit_unmapped(st)
    label = header_of(header, remark_j)
    if remark_rows:
        result.warnings.append(Issue(sheet.name, remark_rows[0], label, "", T.REMARK_NATURE.zh(n=len(remark_rows), column=label)))
    if remark_stages:
        result.warnings.append(Issue(sheet.name, remark_stages[0], label, "", T.REMARK_STAGE.zh(n=len(remark_stages), column=label)))
    used = {label} if remark_rows or remark_stages else set()
    for text in result.unmapped_columns:
        if text in used:
            continue
        if _AMOUNT_WORDS_RE.search(text):
            message = T.UNMAPPED_AMOUNT_COLUMN.zh(column=text)
        else:
            message = T.UNMAPPED_COLUMN.zh(column=text)
        result.warnings.append(Issue(sheet.name, result.header_rows[-1], text, text, message))
    return result


def _row_kind(
    label: str, row: list[Any], seq_j: int | None, name_j: int | None, header_name: str | None, header_texts: set[str], by_field: dict
) -> str:
    compact = to_halfwidth(label).replace(" ", "").replace("\u3000", "")
    if _FOOTER_RE.match(compact):
        return "skip"
    if compact in header_texts or (header_name and compact == header_name):
        return "skip"  # the header repeated (printed page breaks)
    if _SUBSET_RE.match(compact):
        return "skip"
    if len(compact) <= 30 and _TOTAL_RE.search(compact):
        return "total"
    seq_text = row[seq_j].strip() if seq_j is not None and seq_j < len(row) and isinstance(row[seq_j], str) else ""
    name_text = row[name_j].strip() if name_j is not None and name_j < len(row) and isinstance(row[name_j], str) else ""
    grouped = bool(seq_text and _SEQ_GROUP_RE.match(to_halfwidth(seq_text)))
    grouped = grouped or bool(_GROUP_RE.match(to_halfwidth(name_text or compact)))
    grouped = grouped or (not seq_text and bool(_COUNT_SUFFIX_RE.search(to_halfwidth(compact))))
    if grouped:
        # a project row whose name happens to start with "一、" carries owner/location/code
        for f in ("project_code", "owner_name", "owner_uscc", "location", "nature", "responsible_unit"):
            c = by_field.get(f)
            if c and c.index < len(row) and not _blank(row[c.index]):
                return "data"
        return "group"
    return "data"


def _money_values(row: list[Any], money_cols: list[Column]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for c in money_cols:
        if c.index < len(row) and not _blank(row[c.index]):
            try:
                v = parse_amount(row[c.index], c.multiplier)
            except CellError:
                continue
            if v is not None:
                out[c.field] = v
    return out


def _declared_total(st: _State, sheet: Sheet, excel_row: int, label: str, row: list[Any], money_cols: list[Column]) -> None:
    values = _money_values(row, money_cols)
    compact = label.replace(" ", "").replace("\u3000", "")
    total = DeclaredTotal(sheet=sheet.name, row=excel_row, label=compact, values=values, covers=(0, 0))
    st.result.totals.append(total)
    n = len(st.result.rows)
    if "小计" in compact:
        if n > st.boundary:
            st.totals.append(_Open(total, "sub", st.boundary, end=n))
        else:  # a subtotal at the top of its group: covers what follows, until the next boundary
            st.totals.append(_Open(total, "top", n))
        st.boundary = n
    else:
        st.totals.append(_Open(total, "all", 0))


def _group_row(st: _State, sheet: Sheet, excel_row: int, label: str, row: list[Any], seq_j: int | None, money_cols: list[Column]) -> None:
    text = to_halfwidth(label)
    seq_text = row[seq_j].strip() if seq_j is not None and seq_j < len(row) and isinstance(row[seq_j], str) else ""
    seq_text = to_halfwidth(seq_text)
    if seq_text and _SEQ_GROUP_RE.match(seq_text):  # "一" in 序号, "省级重点项目" in 项目名称
        depth = 2 if seq_text[:1] == "(" else 1
        core = text[len(seq_text) :]
    else:
        depth = 2 if text[:1] == "(" else 1
        core = _GROUP_STRIP_RE.sub("", text)
    said = _COUNT_SUFFIX_RE.search(core)
    core = _COUNT_SUFFIX_RE.sub("", core).strip(" :：、.")
    info: dict[str, str] = {}
    for key, fn in (("level", _level), ("category", _category), ("nature", _nature)):
        v = fn(core)
        if v:
            info[key] = v
    if not info and 2 <= len(core) <= 12 and "项目" not in core and core[-1] in "区县市":
        info["region"] = core
    for d in [d for d in st.group if d >= depth]:
        del st.group[d]
        st.cores.pop(d, None)
    st.cores[depth] = core
    if "region" not in info:
        st.sections.append(Section(len(st.result.rows), excel_row, label, tuple(st.cores[d] for d in sorted(st.cores))))
    _close_counts(st, depth)
    if said is not None:
        st.counted.append((depth, int(re.sub(r"\D", "", said.group(0))), label, excel_row, len(st.result.rows)))
    st.group[depth] = info
    st.effective = {k: v for d in sorted(st.group) for k, v in st.group[d].items()}
    st.group_label = label
    n = len(st.result.rows)
    # close "top" subtotals and group totals of the same or a deeper level
    for o in st.totals:
        if o.end is None and (o.kind == "top" or (o.kind == "group" and o.depth >= depth)):
            o.end = n
    st.boundary = n
    values = _money_values(row, money_cols)
    if values:
        total = DeclaredTotal(sheet=sheet.name, row=excel_row, label=label, values=values, covers=(0, 0))
        st.result.totals.append(total)
        st.totals.append(_Open(total, "group", n, depth=depth))


def _decide_period(result: ParseResult, columns: list[Column], title: str, period: tuple[int, int] | None) -> None:
    year = month = None
    for c in columns:  # the YTD column names the period best, then the month column
        if c.field == "invested_ytd" and c.info.month:
            month = c.info.month
            year = c.info.year or year
    for c in columns:
        if c.field == "invested_month" and c.info.month:
            if month is not None and c.info.month != month:
                message = T.MONTH_NOT_YTD_HEADER.zh(month=c.info.month, ytd=month)
                result.warnings.append(Issue(result.sheet, result.header_rows[-1], c.header, c.header, message))
            month = month or c.info.month
        if c.info.year and year is None and c.field in MONEY_FIELDS:
            year = c.info.year
    t_year, t_month = _title_period(title) if title else (None, None)
    if month and t_month and month != t_month and period is None:
        # "（1-9月）" over a "1-8月累计" column: the column's figures are read as what it says, said
        column = next((c.header for c in columns if c.info.month == month), "")
        message = T.TITLE_MONTH_DIFFERS.zh(title_month=t_month, month=month)
        result.warnings.append(Issue(result.sheet, result.header_rows[-1], column, title, message))
    year = year or t_year
    month = month or t_month
    if period is not None:
        result.period = period
        if month and (month != period[1] or (year and year != period[0])):
            asked = f"{period[0]}年{period[1]}月"
            if year:
                message = T.PERIOD_DIFFERS.zh(said=f"{year}年{month}月", period=asked)
            else:
                message = T.PERIOD_MONTH_DIFFERS.zh(month=month, period=asked)
            result.warnings.append(Issue(result.sheet, None, "", title or "", message))
        return
    if year and month:
        result.period = (year, month)
    elif month and any(c.field in ("invested_month", "invested_ytd") for c in columns):
        # a month without a year: the most recent such month that is not in the future
        today = timezone.localdate()
        year = today.year if month <= today.month else today.year - 1
        result.period = (year, month)
        message = T.MONTH_WITHOUT_YEAR.zh(month=month, period=f"{year}年{month}月")
        result.warnings.append(Issue(result.sheet, None, "", title or "", message))


_SHEET_YEAR_RE = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


def _series_period(result: ParseResult, series: list[Column], title: str, sheet_name: str, period: tuple[int, int] | None) -> int:
    """The year of a month series ("2024年完成投资（元）" over 1月 … 6月): the parent's, the
    title's, the sheet name's, the given period's; else the most recent year in which the last
    month is not in the future (warned). The file's period is the series' last month unless
    another column or the caller names one."""
    last = series[-1].info.month or 12
    year = next((c.info.year for c in series if c.info.year), None)
    if year is None:
        year = _title_period(title)[0] if title else None
    if year is None:
        m = _SHEET_YEAR_RE.search(to_halfwidth(sheet_name))
        year = int(m.group(1)) if m else None
    if year is None and period is not None:
        year = period[0]
    if year is None:
        today = timezone.localdate()
        year = today.year if last <= today.month else today.year - 1
        message = T.MONTHS_WITHOUT_YEAR.zh(year=year, last=last)
        result.warnings.append(Issue(result.sheet, result.header_rows[-1], series[0].header.split("/", 1)[0], "", message))
    if result.period is None:
        result.period = (year, last)
    result.columns[SERIES] = series[0].header.split("/", 1)[0]
    return year


def _series_row(result: ParseResult, pr: Any, row: list[Any], series: list[Column], year: int) -> None:
    """A row's month columns → ``values["monthly"]``: ((year, month, 万元), …) up to the last
    month it fills (a blank month before it is a zero; blank months after it are not reported).
    A first column "1-3月" is the months to March together: ``values["monthly_lumped"]`` = 3."""
    got: list[tuple[int, int, Decimal]] = []
    last = None
    width = len(row)
    for c in series:
        v = row[c.index] if c.index < width else None
        if _blank(v):
            got.append((year, c.info.month, ZERO))  # type: ignore[arg-type]
            continue
        raw = cell_text(v)
        try:
            amount = parse_amount(v, c.multiplier)
            if amount is not None and amount < ZERO:
                raise CellError(T.MONTH_NEGATIVE.zh())
        except CellError as exc:
            result.errors.append(Issue(result.sheet, pr.row, c.header, raw, str(exc)))
            pr.cells["invested_month"] = (c.header, raw)
            return
        if amount is None:
            got.append((year, c.info.month, ZERO))  # type: ignore[arg-type]
            continue
        got.append((year, c.info.month, amount))  # type: ignore[arg-type]
        last = len(got)
        pr.cells["invested_month"] = (c.header, raw)
    if last:
        pr.values["monthly"] = tuple(got[:last])
        if series[0].info.month_from == 1:  # "1-3月" first: the months since January in one figure
            pr.values["monthly_lumped"] = series[0].info.month


def _plan_year(result: ParseResult, columns: list[Column], title: str, sheet_name: str) -> int | None:
    """The annual plan's year as a person reads it: the plan column's header ("2024年计划投资"),
    the period, another amount header's year, the title, the sheet name."""
    for c in columns:
        if c.field == "annual_plan" and c.info.year:
            return c.info.year
    if result.period:
        return result.period[0]
    for c in columns:
        if c.info.year and c.field in MONEY_FIELDS:
            return c.info.year
    t_year = _title_period(title)[0] if title else None
    if t_year:
        return t_year
    m = _SHEET_YEAR_RE.search(to_halfwidth(sheet_name))
    return int(m.group(1)) if m else None


def _decide_fractions(rows: list[list[Any]], first: int, columns: list[Column]) -> None:
    """A percent column whose bare numbers are all ≤ 2 holds fractions (0.563 = 56.3%)."""
    for c in columns:
        if c.field not in PERCENT_FIELDS:
            continue
        j = c.index
        biggest = None
        for row in rows[first:]:
            if j >= len(row):
                continue
            v = row[j]
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                x = abs(float(v))
            elif isinstance(v, str) and v and "%" not in v and "％" not in v:
                try:
                    x = abs(float(to_halfwidth(v).strip().replace(",", "")))
                except ValueError:
                    continue
            else:
                continue
            if biggest is None or x > biggest:
                biggest = x
        c.fraction = biggest is not None and biggest <= 2


def _close_counts(st: _State, depth: int) -> None:
    """Group rows of ``depth`` or deeper that said how many projects they hold ("一、张店区（4个）")
    end here: a count the rows under them do not reach (or pass) is warned, as a person counts."""
    keep = []
    for d, said, label, row, start in st.counted:
        if d < depth:
            keep.append((d, said, label, row, start))
            continue
        n = len(st.result.rows) - start
        if n != said:
            message = T.GROUP_COUNT_DIFFERS.zh(label=label, said=said, n=n)
            st.result.warnings.append(Issue(st.result.sheet, row, st.result.columns.get("name", ""), label, message))
    st.counted = keep


def _close_totals(st: _State) -> None:
    result = st.result
    rows = result.rows
    n = len(rows)
    for o in st.totals:
        if o.kind == "all":
            start, end = 0, n
        else:
            start, end = o.start, (o.end if o.end is not None else n)
        covered = rows[start:end]
        if not covered:
            continue
        o.total.covers = (covered[0].row, covered[-1].row)
        for f, declared in o.total.values.items():
            got = [r.values[f] for r in covered if f in r.values]
            s = sum(got, Decimal(0))
            tolerance = Decimal("0.005") * len(covered) + Decimal("0.01")
            if abs(s - declared) > tolerance:
                label = FIELD_LABELS.get(f, f)
                header = result.columns.get(f, label)
                result.warnings.append(
                    Issue(
                        result.sheet,
                        o.total.row,
                        header,
                        _fmt(declared),
                        f"“{o.total.label}”行的{label}为 {_fmt(declared)}，与所列 {len(covered)} 个项目"
                        f"（第 {covered[0].row}–{covered[-1].row} 行）之和 {_fmt(s)} 不一致，相差 {_fmt(declared - s)}",
                    )
                )


def _emit_unmapped(st: _State) -> None:
    for (f, text), (header, first_row, count) in st.unmapped_values.items():
        label = FIELD_LABELS.get(f, f)
        said = T.UNKNOWN_WORDS.zh(field=label, text=text, n=count) if count > 1 else T.UNKNOWN_WORD.zh(field=label, text=text)
        st.result.warnings.append(Issue(st.result.sheet, first_row, header, text, said))


def _cross_sheet_duplicates(results: list[ParseResult]) -> None:
    """The same project on two sheets, for the same year and month (a row's 年份/月份, else its
    sheet's period: the sheets "8月" and "9月" of one workbook report two months) and the same
    place (a row's 县区, else a sheet named after a place: "老旧小区改造" on the sheets 历下区 and
    市中区 is two projects)."""
    seen: dict[tuple[Any, ...], tuple[str, int]] = {}
    for res in results:
        year, month = res.period if res.period else (None, None)
        place = res.sheet.strip() if res.sheet.strip()[-1:] in ("区", "县", "市") else None
        for pr in res.rows:
            v = pr.values
            code, nm = v.get("project_code"), v.get("name")
            if not (code or nm):
                continue
            pid = v.get("project_id")
            if pid:
                ident: tuple[Any, ...] = ("id", pid)
            elif code:
                ident = ("code", code)
            else:
                ident = ("name", name_key(nm), name_key(v.get("owner_name", "")), v.get("region_text") or place)
            key = (*ident, v.get("level") or pr.group_level, v.get("year") or year, v.get("month") or month)
            first = seen.get(key)
            if first is None:
                seen[key] = (res.sheet, pr.row)
            elif first[0] != res.sheet:
                column = pr.header("project_code") if code else pr.header("name")
                res.errors.append(Issue(res.sheet, pr.row, column, code or nm, T.DUPLICATE_IN_FILE.zh(sheet=first[0], row=first[1])))
