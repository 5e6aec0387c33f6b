"""Finding a sheet's header (one row, or two with merged parents, below title lines), mapping its
columns through the synonym table, and the period a title names ("2024年1-6月")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .normalize import (
    ONE,
    cell_text,
    to_halfwidth,
)
from .reader import Sheet
from .synonyms import BUILTIN, HeaderInfo, header_info, lookup
from .types import (
    MONEY_FIELDS,
)

HEADER_SCAN_ROWS = 30
MAX_HEADER_TEXT = 60


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
    spare: list[Column] = field(default_factory=list)  # a second column of a field taken already


_LINE_BREAK_RE = re.compile(r"\s*[\r\n]+\s*")


def _header_text(v: Any) -> str:
    """A header cell as a person reads it: the lines of "总投资\n（万元）" joined."""
    text = cell_text(v)
    return _LINE_BREAK_RE.sub("", text) if "\n" in text or "\r" in text else text


def _header_grid(sheet: Sheet, upto: int) -> list[list[str]]:
    grid = [[_header_text(v) for v in row] for row in sheet.rows[:upto]]
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


# one column per month under a merged amount parent ("2024年完成投资（元）" over 1月 … 6月)
SERIES = "invested_series"
_SERIES_MONTH_RE = re.compile(r"^(?:(1)\s*[-—–~～至]\s*)?(\d{1,2})\s*月份?$")
_SERIES_PARENT_RE = re.compile(r"投资|完成|金额")


def _series_month(sub: str, parent: str) -> tuple[int, bool] | None:
    """The month of a sub-header "3月" under an amount parent (not a plan or a percentage), and
    whether it lumps the months since January ("1-3月" before "4月" … : the first quarter in one
    column)."""
    m = _SERIES_MONTH_RE.match(to_halfwidth(sub).strip())
    if m is None or not 1 <= int(m.group(2)) <= 12:
        return None
    p = to_halfwidth(parent)
    if not _SERIES_PARENT_RE.search(p) or "计划" in p or "%" in p or "比例" in p or "累计" in p:
        return None
    return int(m.group(2)), m.group(1) is not None


def _map_columns(cells: list[tuple[int, str, str, str]], table: dict[str, str]) -> Header:
    """cells: (index, text to map, header as written, parent text). Sub-headers "1月" … "12月"
    under one amount parent become a month series (field ``SERIES``, the month in ``info.month``,
    the parent's year and unit in ``info``)."""
    columns: list[Column] = []
    unmapped: list[tuple[int, str]] = []
    spare: list[Column] = []
    seen: set[str] = set()
    for j, text, written, parent in cells:
        said = _series_month(written.split("/", 1)[-1], parent) if parent and "/" in written else None
        if said is not None:
            month, lumped = said
            p = header_info(parent)
            info = HeaderInfo(p.key, p.multiplier, False, p.year, month, 1 if lumped else None)
            if any(c.field == SERIES and c.info.month == month for c in columns):
                unmapped.append((j, written))
                continue
            seen.add(SERIES)
            columns.append(Column(j, SERIES, written, info))
            continue
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
            if f is not None:
                spare.append(Column(j, f, written, info))
            continue
        seen.add(f)
        columns.append(Column(j, f, written, info))
    score = len(seen - {"seq"}) + (SERIES in seen)  # a month series is several columns read
    if not ({"name", "project_code"} & seen) and score < 4:
        score = min(score, 1)
    return Header((), columns, unmapped, score, spare)


def _swap(header: Header, k: int, cur: Column, alt: Column) -> None:
    header.columns[k] = alt
    header.unmapped = sorted([*(u for u in header.unmapped if u[0] != alt.index), (cur.index, cur.header)])
    header.spare = [cur if c is alt else c for c in header.spare]


def choose_columns(header: Header, year: int | None, hidden: frozenset[int] = frozenset()) -> None:
    """Two columns of one field: a column a person sees before a hidden one (an old "总投资"
    kept hidden beside the new); of two 年度计划投资 columns of different years ("2023年计划投资"
    beside "2024年计划投资"), the one of the year the table is about (``year``, from its title or
    sheet name), else the latest. The other stays an unused column (warned); otherwise the
    first column of a field is taken. (A hidden column no visible one replaces is read: the
    fill-in template's 项目ID.)"""
    for alt in list(header.spare):
        k, cur = next((k, c) for k, c in enumerate(header.columns) if c.field == alt.field)
        if cur.index in hidden and alt.index not in hidden:
            _swap(header, k, cur, alt)
    for alt in list(header.spare):
        if alt.index in hidden:
            continue
        if alt.field != "annual_plan" or not alt.info.year:
            continue
        k, cur = next((k, c) for k, c in enumerate(header.columns) if c.field == alt.field)
        if not cur.info.year or cur.info.year == year or cur.info.year == alt.info.year:
            continue
        wanted_elsewhere = year in {c.info.year for c in header.spare if c.field == alt.field and c.index not in hidden}
        if alt.info.year == year or (not wanted_elsewhere and alt.info.year > cur.info.year):
            _swap(header, k, cur, alt)


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
