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

Errors (block the import): an amount that is not a number or is negative, an impossible date,
a bad USCC check character, a 项目代码 of the wrong shape, a missing project name, the same
project twice in the file, YTD above total investment. Warnings: a 合计/小计 that disagrees with
its rows, a suspected unit slip, a classification value that cannot be mapped, a doubtful date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from keyprojects.core.validators import PROJECT_CODE_RE, USCC_ALPHABET, is_valid_uscc, validate_uscc
from keyprojects.projects.industries import DIVISIONS, SECTIONS

from .normalize import (
    EMPTY_MARKERS,
    HUNDRED,
    ONE,
    PERCENT_PLACES,
    WAN,
    CellError,
    DateReading,
    cell_text,
    clean_code,
    clean_text,
    name_key,
    parse_amount,
    parse_int,
    parse_percent,
    parse_period_range,
    read_date,
    to_halfwidth,
    unit_multiplier,
    unneutralise,
)
from .reader import Sheet, UnreadableFile, read_sheets
from .synonyms import BUILTIN, HeaderInfo, build_table, header_info, lookup
from .types import (
    COORDINATE_FIELDS,
    DATE_FIELDS,
    FIELD_LABELS,
    INT_FIELDS,
    MONEY_FIELDS,
    PERCENT_FIELDS,
    DeclaredTotal,
    Issue,
    ParsedRow,
    ParseResult,
)

HEADER_SCAN_ROWS = 30
MAX_HEADER_TEXT = 60
ZERO = Decimal(0)
SLIP_HIGH = Decimal(30_000_000)  # 3000 亿元 in 万元: above this an amount was probably typed in 元
SLIP_LOW_TOTAL = Decimal(100)  # a key project under 100 万元: probably typed in 亿元
SLIP_LOW_MESSAGE = "总投资不足 100 万元，疑似按“亿元”填报（本表单位为万元）"
CODE_SHAPE_MESSAGE = "项目代码格式不正确，应为 YYMM-行政区划6位-部门2位-类型2位-6位（如 2403-370102-04-01-123456）"
MULTILINE_FIELDS = frozenset({"content", "problems", "physical_progress"})
CODE_FIELDS = frozenset({"project_code", "owner_uscc", "contact_phone"})
CLASSIFIED_FIELDS = frozenset({"level", "category", "nature", "stage_text", "started", "industry", "no_activity", "in_statistics"})
COMPLETION_FIELDS = frozenset({"planned_completion", "actual_completion"})


# ---------------------------------------------------------------------------------------------
# Public API


def parse_file(
    path_or_bytes: Any,
    *,
    filename: str,
    sheet: str | None = None,
    period: tuple[int, int] | None = None,
    extra_synonyms: dict[str, str] | None = None,
) -> list[ParseResult]:
    """Read a file and return one :class:`ParseResult` per sheet with a recognisable header
    (or just ``sheet``). Raises :class:`~keyprojects.dataio.reader.UnsafeFile` (or its subclass
    ``UnreadableFile``) for hostile, broken or header-less files."""
    sheets = read_sheets(path_or_bytes, filename=filename, sheet=sheet)
    table = build_table(extra_synonyms)
    results: list[ParseResult] = []
    for sh in sheets:
        res = parse_sheet(sh, period=period, table=table)
        if res is None:
            if sheet is not None:
                raise UnreadableFile(f"工作表“{sh.name}”中未找到表头（应包含“项目名称”等列）", code="no_header")
            continue
        results.append(res)
    if not results:
        raise UnreadableFile("文件中未找到可识别的表头（应包含“项目名称”“总投资”等列）", code="no_header")
    if len(results) > 1:
        _cross_sheet_duplicates(results)
    return results


# ---------------------------------------------------------------------------------------------
# Classification values


def _level(text: str) -> str | None:
    t = name_key(text)
    if t in ("省", "省级", "省重点"):
        return "province"
    if t in ("市", "市级", "市重点"):
        return "city"
    if t in ("县", "区", "县级", "区级", "县区级", "区县级", "县重点", "区重点"):
        return "county"
    if re.search(r"(县|区|县区|区县|县（市、区）|县（市区）|县市区)(级|重点)", t):
        return "county"
    if re.search(r"市(级|重点)", t):
        return "city"
    if re.search(r"省(级|重点)", t):
        return "province"
    return None


def _category(text: str) -> str | None:
    t = name_key(text)
    if "基础设施" in t:
        return "infrastructure"
    if "民生" in t or "社会事业" in t:
        return "social"
    if "城建" in t or "城市建设" in t:
        return "urban"
    if "产业" in t or "工业" in t:
        return "industry"
    return None


def _nature(text: str) -> str | None:
    t = name_key(text)
    if "新开工" in t or t in ("新开", "新建"):
        return "new"
    if "续建" in t:
        return "continuing"
    if "竣工" in t or "投产" in t:
        return "completing"
    if "预备" in t or "前期" in t or "储备" in t:
        return "preparatory"
    return None


_STAGES = (
    (("退库", "终止", "取消"), "cancelled"),
    (("停建", "缓建", "停缓建", "停工"), "suspended"),
    (("达效", "达产"), "effective"),
    (("投产", "运营", "运行"), "production"),
    (("竣工", "完工", "建成"), "completed"),
    (("未开工", "前期", "手续", "审批"), "preparation"),
    (("在建", "开工", "施工", "建设"), "construction"),
    (("储备", "谋划"), "reserve"),
)


def _stage(text: str) -> str | None:
    t = name_key(text)
    for words, value in _STAGES:
        if any(w in t for w in words):
            return value
    return None


_YES = frozenset({"是", "已开工", "开工", "√", "✓", "Y", "YES", "1", "TRUE", "已"})
_NO = frozenset({"否", "未开工", "未", "×", "✗", "N", "NO", "0", "FALSE", "没有"})


def _started(text: str) -> str | None:
    t = name_key(text)
    if t in _YES:
        return "是"
    if t in _NO:
        return "否"
    return None


_TRUE = frozenset({"是", "√", "✓", "Y", "YES", "1", "TRUE", "有"})
_FALSE = frozenset({"否", "×", "✗", "N", "NO", "0", "FALSE", "没有"})


def _yes_no(text: str) -> str | None:
    """本月无进展 and other 是/否 columns."""
    t = name_key(text)
    if t in _TRUE:
        return "是"
    if t in _FALSE:
        return "否"
    return None


_IN_STATISTICS = {"已纳统": "是", "纳统": "是", "已入统": "是", "入统": "是", "未纳统": "否", "未入统": "否", "不纳统": "否"}


def _in_statistics(text: str) -> str | None:
    """是否纳统: 是/否 and the words offices write (已纳统, 未纳统 …)."""
    return _IN_STATISTICS.get(name_key(text)) or _yes_no(text)


def _industry_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for letter, (name, _rng) in SECTIONS.items():
        index[name_key(name)] = letter
        index[name_key(name).replace("、", "")] = letter
    for code, name in DIVISIONS.items():
        index.setdefault(name_key(name), code)
        index.setdefault(name_key(name).replace("、", ""), code)
    return index


_INDUSTRY = _industry_index()
_INDUSTRY_CODE_RE = re.compile(r"^([A-T])?\s*(\d{2})?(?:\s|$|[^\d])")


def _industry(text: str) -> str | None:
    t = name_key(text)
    hit = _INDUSTRY.get(t) or _INDUSTRY.get(t.replace("、", ""))
    if hit:
        return hit
    m = _INDUSTRY_CODE_RE.match(t)
    if m and (m.group(1) or m.group(2)):
        letter, div = m.group(1), m.group(2)
        if div and div in DIVISIONS and (not letter or letter == _section_of(div)):
            return div
        if letter and not div:
            rest = t[1:].lstrip(" ")
            if not rest or _INDUSTRY.get(rest) == letter:
                return letter
    return None


def _section_of(division: str) -> str | None:
    n = int(division)
    return next((k for k, (_n, rng) in SECTIONS.items() if n in rng), None)


CLASSIFIERS: dict[str, Callable[[str], str | None]] = {
    "level": _level,
    "category": _category,
    "nature": _nature,
    "stage_text": _stage,
    "started": _started,
    "industry": _industry,
    "no_activity": _yes_no,
    "in_statistics": _in_statistics,
}


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

_TITLE_YEAR_RE = re.compile(r"(20\d{2})\s*年")
_TITLE_RANGE_RE = re.compile(r"(?<!\d)1\s*[-—–~～至到]\s*(\d{1,2})\s*月")
_TITLE_MONTH_RE = re.compile(r"(?:(20\d{2})\s*年)?\s*(?<![\d-])(\d{1,2})\s*月(?:份|底|末)?")
_TITLE_WORDS = (
    ("上半年", 6),
    ("下半年", 12),
    ("前三季度", 9),
    ("一季度", 3),
    ("二季度", 6),
    ("三季度", 9),
    ("四季度", 12),
    ("全年", 12),
)


def _title_period(text: str) -> tuple[int | None, int | None]:
    t = to_halfwidth(text)
    year = month = None
    m = _TITLE_YEAR_RE.search(t)
    if m:
        year = int(m.group(1))
    m = _TITLE_RANGE_RE.search(t)
    if m:
        month = int(m.group(1))
    else:
        for word, mo in _TITLE_WORDS:
            if word in t:
                month = mo
                break
        if month is None:
            m = _TITLE_MONTH_RE.search(t)
            if m:
                month = int(m.group(2))
    if month is not None and not 1 <= month <= 12:
        month = None
    return year, month


# ---------------------------------------------------------------------------------------------
# Header detection


@dataclass
class Column:
    index: int
    field: str
    header: str  # as written (two levels joined with "/")
    info: HeaderInfo
    multiplier: Decimal = ONE
    fraction: bool | None = None  # percent columns: the numbers are fractions (0.563)
    kind: int = 0


@dataclass
class Header:
    rows: tuple[int, ...]  # indexes into sheet.rows
    columns: list[Column]
    unmapped: list[tuple[int, str]]
    score: int


def _header_grid(sheet: Sheet, upto: int) -> list[list[str]]:
    grid = [[cell_text(v) for v in row] for row in sheet.rows[:upto]]
    for r0, c0, r1, c1 in sheet.merged or ():
        if r0 >= upto or r0 < 0 or c0 < 0:
            continue
        try:
            value = grid[r0][c0]
        except IndexError:
            continue
        if not value:
            continue
        for r in range(r0, min(r1, upto - 1) + 1):
            row = grid[r]
            for c in range(c0, min(c1, len(row) - 1) + 1):
                if not row[c]:
                    row[c] = value
    return grid


_NUMERIC_TEXT_RE = re.compile(r"^[\d,.\-+%\s]+$")


def _is_numberish(v: Any) -> bool:
    if isinstance(v, str):
        return bool(v) and bool(_NUMERIC_TEXT_RE.match(to_halfwidth(v).strip()))
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _map_columns(cells: list[tuple[int, str, str, str]], table: dict[str, str]) -> Header:
    """cells: (index, text to map, header as written, parent text)."""
    columns: list[Column] = []
    unmapped: list[tuple[int, str]] = []
    seen: set[str] = set()
    for j, text, written, parent in cells:
        if not text or len(text) > MAX_HEADER_TEXT:
            if written:
                unmapped.append((j, written))
            continue
        info = header_info(text)
        f = lookup(info, table)
        if f is None and parent and text != parent:
            sub_info = header_info(written.split("/", 1)[-1])
            f = lookup(sub_info, table)
            if f is not None:
                parent_info = header_info(parent)
                if f == "invested_to_date" and parent_info.month_from == 1 and "开工" not in written:
                    f = "invested_ytd"
                info = HeaderInfo(
                    sub_info.key,
                    sub_info.multiplier or info.multiplier,
                    sub_info.percent or info.percent,
                    sub_info.year or info.year,
                    sub_info.month or info.month,
                    sub_info.month_from or info.month_from,
                )
                if info.percent and f in MONEY_FIELDS:
                    f = None
        if f is None or f in seen:
            unmapped.append((j, written))
            continue
        seen.add(f)
        columns.append(Column(j, f, written, info))
    score = len(seen - {"seq"})
    if not ({"name", "project_code"} & seen) and score < 4:
        score = min(score, 1)
    return Header((), columns, unmapped, score)


def find_header(sheet: Sheet, table: dict[str, str] = BUILTIN) -> Header | None:
    """The row (or two rows) within the first 30 that map the most columns. Two rows win only
    when they map more than either row alone (a merged title above the header adds nothing)."""
    upto = min(len(sheet.rows), HEADER_SCAN_ROWS + 1)
    grid = _header_grid(sheet, upto)
    singles: list[Header | None] = []
    for i in range(len(grid)):
        if sum(1 for t in grid[i] if t) < 2:
            singles.append(None)
            continue
        h = _map_columns([(j, t, t, "") for j, t in enumerate(grid[i])], table)
        h.rows = (i,)
        singles.append(h)
    best: Header | None = None
    for i in range(min(len(grid), HEADER_SCAN_ROWS)):
        single = singles[i]
        if single is None:
            continue
        if best is None or single.score > best.score:
            best = single
        if i + 1 >= len(grid) or sum(1 for v in sheet.rows[i + 1] if _is_numberish(v)) >= 2:
            continue
        if len({t for t in grid[i] if t}) < 2:
            continue  # a title merged across the width is not a parent header
        top, sub = list(grid[i]), list(grid[i + 1])
        width = max(len(top), len(sub))
        top += [""] * (width - len(top))
        sub += [""] * (width - len(sub))
        for j in range(1, width):  # no merge info: a parent spans the blanks to its right
            if not top[j] and sub[j] and top[j - 1] and sub[j - 1] and top[j - 1] != sub[j - 1]:
                top[j] = top[j - 1]
        cells = []
        for j in range(width):
            t, s = top[j], sub[j]
            if not s or s == t:
                cells.append((j, t, t, ""))
            elif not t:
                cells.append((j, s, s, ""))
            else:
                joined = t + s
                cells.append((j, joined, joined if s[0] in "(（" else f"{t}/{s}", t))
        double = _map_columns(cells, table)
        double.rows = (i, i + 1)
        below = singles[i + 1]
        if double.score > max(best.score, below.score if below else 0):
            best = double
    if best is None or best.score < 2:
        return None
    return best


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


def parse_sheet(sheet: Sheet, *, period: tuple[int, int] | None = None, table: dict[str, str] = BUILTIN) -> ParseResult | None:
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
        if c.field in MONEY_FIELDS:
            c.multiplier = c.info.multiplier if c.info.multiplier is not None else sheet_multiplier
    if not ({"name", "project_code"} & result.columns.keys()):
        result.warnings.append(
            Issue(sheet.name, result.header_rows[-1], "", "", "表中没有“项目名称”或“项目代码”列，导入时无法把各行对应到项目")
        )
    _decide_period(result, columns, title, period)
    _decide_fractions(rows, first_data, columns)

    st = _State(result)
    level_hint = _level(sheet.name) if not sheet.name.isdigit() else None
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
    money_cols = [c for c in columns if c.field in MONEY_FIELDS]
    # each column remembers what its texts read as (a table repeats its categories, places,
    # owners, dates): a repeated cell costs one lookup
    specs: list[Spec] = [(c.index, c.field, c.kind, c.header, c.multiplier, c.fraction, {}) for c in columns]

    for i in range(first_data, len(rows)):
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
        _data_row(st, sheet, excel_row, row, specs, name_col)

    _close_totals(st)
    _emit_unmapped(st)
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


def _blank(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return v.strip() in EMPTY_MARKERS
    return False


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


# Column kinds: the hot loop dispatches on a small int rather than on field-name sets.
K_MONEY, K_DATE, K_PCT, K_INT, K_PCODE, K_USCC, K_PHONE, K_RANGE, K_CLASS, K_PROGRESS, K_TEXT, K_MULTI, K_COORD = range(13)


def _kind(f: str) -> int:
    if f in MONEY_FIELDS:
        return K_MONEY
    if f in DATE_FIELDS:
        return K_DATE
    if f in PERCENT_FIELDS:
        return K_PCT
    if f in INT_FIELDS:
        return K_INT
    if f in COORDINATE_FIELDS:
        return K_COORD
    if f == "project_code":
        return K_PCODE
    if f == "owner_uscc":
        return K_USCC
    if f == "contact_phone":
        return K_PHONE
    if f == "period_range":
        return K_RANGE
    if f in CLASSIFIED_FIELDS:
        return K_CLASS
    if f == "physical_progress":
        return K_PROGRESS
    return K_MULTI if f in MULTILINE_FIELDS else K_TEXT


_USCC_VALUES = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
_USCC_CACHE: dict[str, tuple[str, str]] = {}  # raw → (value, error message or "")


def _uscc(raw: str) -> tuple[str, str]:
    hit = _USCC_CACHE.get(raw)
    if hit is not None:
        return hit
    value = clean_code(raw)
    ok = len(value) == 18 and is_valid_uscc(value)
    hit = (value, "" if ok else _uscc_message(value))
    if len(_USCC_CACHE) < 100_000:
        _USCC_CACHE[raw] = hit
    return hit


_CLASS_CACHE: dict[tuple[str, str], str | None] = {}


def _classify(f: str, text: str) -> str | None:
    key = (f, text)
    try:
        return _CLASS_CACHE[key]
    except KeyError:
        pass
    mapped = CLASSIFIERS[f](text)
    if len(_CLASS_CACHE) < 100_000:
        _CLASS_CACHE[key] = mapped
    return mapped


Spec = tuple[int, str, int, str, Decimal, bool | None, dict[str, tuple[Any, tuple[str, str]]]]
# index, field, kind, header, multiplier, fraction, memo (text → (value, cell))
MEMO_LIMIT = 4096  # a column of mostly distinct texts (names, codes) stops remembering more
_MEMO_KINDS = frozenset((K_TEXT, K_MULTI, K_MONEY, K_PCODE, K_USCC, K_PHONE, K_PCT, K_INT, K_CLASS, K_DATE, K_PROGRESS, K_COORD))


_DATE_CACHE: dict[tuple[str, bool], DateReading | str | None] = {}  # text → reading, or the error message


def _read_date_cached(v: Any, raw: str, end: bool) -> DateReading | None:
    """Dates repeat (month precision): read each distinct text once."""
    if type(v) is not str:
        return read_date(v, end=end)
    key = (raw, end)
    try:
        hit = _DATE_CACHE[key]
    except KeyError:
        try:
            hit = read_date(raw, end=end)
        except CellError as exc:
            hit = str(exc)
        if len(_DATE_CACHE) < 100_000:
            _DATE_CACHE[key] = hit
    if isinstance(hit, str):
        raise CellError(hit)
    return hit


def _data_row(st: _State, sheet: Sheet, excel_row: int, row: list[Any], specs: list[Spec], name_col: Column | None) -> None:
    """One data row. The loop is the hot path of a 15,000-row import: the common kinds are
    handled inline (dispatch on small ints, caches for dates, codes and classifications)."""
    values: dict[str, Any] = {}
    cells: dict[str, tuple[str, str]] = {}
    width = len(row)
    empty = EMPTY_MARKERS
    for j, f, kind, header, multiplier, fraction, memo in specs:
        if j >= width:
            continue
        v = row[j]
        tv = type(v)
        if tv is str:
            if not v:
                continue
            hit = memo.get(v)
            if hit is not None:
                values[f] = hit[0]
                cells[f] = hit[1]
                continue
            text_cell = v
            if v[0] == "'":  # an exported "'=…" (core.xlsx.neutralise) reads as the "=…" typed
                v = unneutralise(v)
            raw = v.strip()
            if raw in empty:
                continue
        elif tv is float:
            raw = repr(v)
            if raw.endswith(".0"):
                raw = raw[:-2]
        elif v is None:
            continue
        else:
            raw = cell_text(v)
        pure = True  # the reading depends on the text alone: remembered for the column
        try:
            if kind == K_TEXT:
                val: Any = raw if "\n" not in raw and "\r" not in raw else clean_text(raw)
            elif kind == K_MONEY:
                if tv is float:
                    if multiplier is ONE and len(raw) < 16 and raw.isdigit():  # a whole number of 万元 (most amounts)
                        val = Decimal(raw + ".0000")
                    else:
                        val = Decimal(raw)
                        val = (val * multiplier if multiplier is not ONE else val).quantize(WAN, ROUND_HALF_UP)
                else:
                    val = parse_amount(v, multiplier)
                if val is not None and val < ZERO:
                    raise CellError("金额不能为负数")
            elif kind == K_CLASS:
                text = raw if "\n" not in raw else clean_text(raw)
                val = _classify(f, text)
                if val is None:
                    st.unmapped_values.setdefault((f, text), [header, excel_row, 0])[2] += 1
                    val = text
                    pure = False  # counted per row
            elif kind == K_DATE:
                if tv is dt.datetime:
                    val = v.date()
                elif tv is dt.date:
                    val = v
                else:
                    reading = _read_date_cached(v, raw, f in COMPLETION_FIELDS)
                    val = reading.value if reading else None
                    if reading and reading.doubtful:
                        st.result.warnings.append(Issue(sheet.name, excel_row, header, raw, reading.doubtful))
                        pure = False  # warned per row
            elif kind == K_MULTI:
                val = raw
            elif kind == K_PCODE:
                val = raw if raw.isascii() and PROJECT_CODE_RE.match(raw) else clean_code(raw)
                if not (val.isascii() and PROJECT_CODE_RE.match(val)):
                    raise CellError(CODE_SHAPE_MESSAGE)
            elif kind == K_USCC:
                val, message = _uscc(raw)
                if message:
                    raise CellError(message)
            else:
                val = _convert_cell(kind, f, v, raw, header, fraction, values, cells)
                if kind == K_RANGE or (kind == K_PROGRESS and raw.endswith(("%", "％"))):
                    pure = False  # sets other fields too
        except CellError as exc:
            st.result.errors.append(Issue(sheet.name, excel_row, header, raw, str(exc)))
            cells[f] = (header, raw)
            continue
        if val is None:
            continue
        values[f] = val
        cell = cells[f] = (header, raw)
        if pure and tv is str and kind in _MEMO_KINDS and len(memo) < MEMO_LIMIT:
            memo[text_cell] = (val, cell)

    if not cells:
        return  # only a 序号, or text in unmapped columns
    pr = ParsedRow(sheet.name, excel_row, values, cells, normalised=True)
    group = st.effective
    if group:
        pr.group_level = group.get("level")
        pr.group_category = group.get("category")
        if "nature" in group and "nature" not in cells:
            values["nature"] = group["nature"]
            cells["nature"] = ("分组行", st.group_label)
        if "region" in group and "region_text" not in cells:
            values["region_text"] = group["region"]
            cells["region_text"] = ("分组行", st.group_label)
    if name_col is not None and "name" not in values:
        st.result.errors.append(Issue(sheet.name, excel_row, name_col.header, "", "项目名称为空"))
    _row_checks(st, pr)
    st.result.rows.append(pr)


def _convert_cell(
    kind: int, f: str, v: Any, raw: str, header: str, fraction: bool | None, values: dict[str, Any], cells: dict[str, tuple[str, str]]
) -> Any:
    if kind == K_PCT:
        if type(v) is float:
            return (Decimal(raw) * HUNDRED if fraction else Decimal(raw)).quantize(PERCENT_PLACES, ROUND_HALF_UP)
        return parse_percent(v, fraction=fraction)
    if kind == K_PHONE:
        return raw if raw.isascii() and raw.isdigit() else clean_code(raw)
    if kind == K_COORD:
        return _coordinate(f, raw)
    if kind == K_INT:
        val = parse_int(v)
        if val is not None:
            _check_int(f, val)
        return val
    if kind == K_RANGE:
        start, finish = parse_period_range(v)
        if start and "planned_start" not in values:
            values["planned_start"] = start
            cells["planned_start"] = (header, raw)
        if finish and "planned_completion" not in values:
            values["planned_completion"] = finish
            cells["planned_completion"] = (header, raw)
        return clean_text(raw)
    # K_PROGRESS: free text; a percentage is also read as a number
    pct = None
    if type(v) is str:
        val = raw
        if raw.endswith(("%", "％")) and len(raw) <= 8:
            try:
                pct = parse_percent(raw)
            except CellError:
                pct = None  # "完成 60%" stays text
    else:
        pct = parse_percent(v)
        val = f"{pct}%" if pct is not None else None
    if pct is not None and "physical_progress_pct" not in values:
        values["physical_progress_pct"] = pct
        cells["physical_progress_pct"] = (header, raw)
    return val


COORDINATE_PLACES = Decimal("0.000001")
COORDINATE_LIMITS = {"latitude": (Decimal(-90), Decimal(90), "纬度应为 -90 到 90 之间的数字（十进制度，如 36.6512）"),
                     "longitude": (Decimal(-180), Decimal(180), "经度应为 -180 到 180 之间的数字（十进制度，如 117.1201）")}  # fmt: skip


def _coordinate(f: str, raw: str) -> Decimal:
    """A latitude or longitude in decimal degrees ("36.6512", "36.6512°"), 6 places."""
    low, high, message = COORDINATE_LIMITS[f]
    text = to_halfwidth(raw).strip().rstrip("°").strip()
    try:
        val = Decimal(text).quantize(COORDINATE_PLACES, ROUND_HALF_UP)
    except ArithmeticError:
        raise CellError(message) from None
    if not (val.is_finite() and low <= val <= high):
        raise CellError(message)
    return val


def _check_int(f: str, val: int) -> None:
    if f == "month" and not 1 <= val <= 12:
        raise CellError("月份应为 1–12")
    if f == "year" and not 1990 <= val <= 2100:
        raise CellError("年份超出合理范围")
    if f == "workers" and val < 0:
        raise CellError("人数不能为负数")
    if f == "project_id" and val <= 0:
        raise CellError("项目ID应为正整数（请勿修改模板中的隐藏列）")


def _uscc_message(value: str) -> str:
    from django.core.exceptions import ValidationError

    try:
        validate_uscc(value)
    except ValidationError as exc:
        return str(exc.messages[0])
    return "统一社会信用代码无效"


def _fmt(d: Decimal) -> str:
    s = format(d.normalize(), "f") if d == d.to_integral() else format(d, "f").rstrip("0").rstrip(".")
    return s


def _row_checks(st: _State, pr: ParsedRow) -> None:
    v = pr.values
    get = v.get
    total = get("total_investment")
    ytd = get("invested_ytd")
    month = get("invested_month")
    problems: list[tuple[str, str, bool]] = []  # field, message, blocking
    if total is not None:
        if ytd is not None and ytd > total:
            problems.append(("invested_ytd", f"本年累计完成投资大于总投资（{_fmt(total)} 万元）", True))
        to_date = get("invested_to_date")
        if to_date is not None and to_date > total:
            problems.append(("invested_to_date", f"开工至今累计完成投资大于总投资（{_fmt(total)} 万元），请核对", False))
        plan = get("annual_plan")
        if plan is not None and plan > total:
            problems.append(("annual_plan", "年度计划投资大于总投资，疑似单位填错（万元/亿元/元）", False))
        if ZERO < total < SLIP_LOW_TOTAL:
            problems.append(("total_investment", SLIP_LOW_MESSAGE, False))
    if month is not None and ytd is not None and month > ytd:
        problems.append(("invested_month", "本月完成投资大于本年累计，请核对", False))
    for f in MONEY_FIELDS:
        amount = get(f)
        if amount is not None and amount > SLIP_HIGH:
            problems.append((f, "金额超过 3000 亿元，疑似按“元”填报（本表单位为万元）", False))
    start, finish = get("planned_start"), get("planned_completion")
    if start and finish and finish < start:
        problems.append(("planned_completion", "计划竣工早于计划开工", False))
    for f, message, blocking in problems:
        (st.result.errors if blocking else st.result.warnings).append(Issue(pr.sheet, pr.row, pr.header(f), pr.raw(f), message))

    # the same project twice (the template's 项目ID, code, or name + owner; per year/month when
    # the table has them)
    code = get("project_code")
    nm = get("name")
    pid = get("project_id")
    if code or nm:
        ident = ("id", pid) if pid else code if code else (name_key(nm), name_key(get("owner_name", "")))
        key = (ident, get("level") or pr.group_level, get("year"), get("month"))
        first = st.keys.get(key)
        if first is not None:
            column = pr.header("project_code") if code else pr.header("name")
            st.result.errors.append(Issue(pr.sheet, pr.row, column, code or nm, f"与第 {first} 行重复（同一项目在文件中出现两次）"))
        else:
            st.keys[key] = pr.row


def _decide_period(result: ParseResult, columns: list[Column], title: str, period: tuple[int, int] | None) -> None:
    year = month = None
    for c in columns:  # the YTD column names the period best, then the month column
        if c.field == "invested_ytd" and c.info.month:
            month = c.info.month
            year = c.info.year or year
    for c in columns:
        if c.field == "invested_month" and c.info.month:
            if month is not None and c.info.month != month:
                message = f"表头月份（{c.info.month}月）与累计列（1-{month}月）不一致"
                result.warnings.append(Issue(result.sheet, result.header_rows[-1], c.header, c.header, message))
            month = month or c.info.month
        if c.info.year and year is None and c.field in MONEY_FIELDS:
            year = c.info.year
    t_year, t_month = _title_period(title) if title else (None, None)
    year = year or t_year
    month = month or t_month
    if period is not None:
        result.period = period
        if month and (month != period[1] or (year and year != period[0])):
            said = f"{year}年{month}月" if year else f"{month}月"
            message = f"文件表头或标题显示的期间为 {said}，与指定的 {period[0]}年{period[1]}月 不一致，按指定期间导入"
            result.warnings.append(Issue(result.sheet, None, "", title or "", message))
        return
    if year and month:
        result.period = (year, month)
    elif month and any(c.field in ("invested_month", "invested_ytd") for c in columns):
        result.warnings.append(Issue(result.sheet, None, "", title or "", f"表中显示为 {month} 月的数据，但未能确定年份，请指定导入期间"))


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
        more = f"（共 {count} 行）" if count > 1 else ""
        st.result.warnings.append(Issue(st.result.sheet, first_row, header, text, f"无法识别的{label}“{text}”，按原文保留{more}"))


def _cross_sheet_duplicates(results: list[ParseResult]) -> None:
    seen: dict[tuple[Any, ...], tuple[str, int]] = {}
    for res in results:
        for pr in res.rows:
            v = pr.values
            code, nm = v.get("project_code"), v.get("name")
            if not (code or nm):
                continue
            pid = v.get("project_id")
            ident = ("id", pid) if pid else ("code", code) if code else ("name", name_key(nm), name_key(v.get("owner_name", "")))
            key = (*ident, v.get("level") or pr.group_level, v.get("year"), v.get("month"))
            first = seen.get(key)
            if first is None:
                seen[key] = (res.sheet, pr.row)
            elif first[0] != res.sheet:
                column = pr.header("project_code") if code else pr.header("name")
                res.errors.append(
                    Issue(res.sheet, pr.row, column, code or nm, f"与工作表“{first[0]}”第 {first[1]} 行重复（同一项目在文件中出现两次）")
                )
