"""Reading a sheet's layout as a person does, around the rows themselves: the 栏次 and units rows
under the header, a 备注 naming the nature or stage, merged cells (a 县区 over its projects, a
project over two lines), hidden rows and a 县区 written once. Each runs once per sheet (or per
merged range), never per cell; ``parsing.parse_sheet`` calls them."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from . import issue_text as T
from .classify import _nature, _stage
from .header import SERIES, Column, _header_text
from .normalize import EMPTY_MARKERS, cell_text, to_halfwidth
from .reader import Sheet
from .types import MONEY_FIELDS, Issue, ParseResult


def _blank(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return v.strip() in EMPTY_MARKERS
    return False


_STEMS = frozenset("甲乙丙丁戊己庚辛壬癸")
_UNIT_CELL_RE = re.compile(r"^[(（]?\s*(万元|亿元|元|%|％|个|人|亩|平方米|年|月|年月|年\.月|万平方米|公里)\s*[)）]?$")


def _layout_row(row: list[Any]) -> bool | None:
    """None for a row of data; False for a 栏次 row ("甲 乙 丙 丁 1 2 3"), True for a units row
    ("（万元）" under each amount)."""
    texts = [v for v in row if v is not None and v != ""]
    if len(texts) < 2:
        return None
    stems = units = numbers = 0
    for v in texts:
        if isinstance(v, str):
            t = v.strip()
            if t in _STEMS:
                stems += 1
            elif _UNIT_CELL_RE.match(to_halfwidth(t)):
                units += 1
            elif t.isdigit() and len(t) <= 3:
                numbers += 1
            else:
                return None
        elif isinstance(v, int | float) and not isinstance(v, bool) and float(v).is_integer() and 0 < v < 200:
            numbers += 1
        else:
            return None
    if units and not stems and not numbers:
        return True
    if stems and stems + numbers == len(texts):
        return False
    if numbers == len(texts) and len(texts) >= 4 and [int(float(v)) for v in texts] == list(range(1, len(texts) + 1)):
        return False  # "1 2 3 4 …" numbering every column
    return None


_REMARK_RE = re.compile(r"^(备注|说明|备注说明|备注[（(].*|项目备注)$")
_AMOUNT_WORDS_RE = re.compile(r"投资|万元|亿元|元|计划|完成|金额|资金")


def by_field_names(columns: list[Column]) -> set[str]:
    return {c.field for c in columns}


def header_of(header: Any, j: int | None) -> str:
    return next((t for k, t in header.unmapped if k == j), "备注")


_DONE_STAGES = frozenset({"construction", "completed", "production", "effective"})


def _remark_nature(pr: Any, v: Any, label: str, fields: tuple[str, ...], seen: list[int], stages: list[int]) -> None:
    """A 备注 that names the nature ("续建项目") fills it when no column does; one that says what
    has happened or is happening ("已竣工投产", "已开工", "在建") fills the stage when no column
    does. (Warned once per sheet each.) "竣工投产" alone is the nature (to complete this year),
    not the stage."""
    if not isinstance(v, str):
        return
    text = v.strip()
    if not text:
        return
    if "nature" in fields and "nature" not in pr.cells:
        nat = _nature(text)
        if nat is not None:
            pr.values["nature"] = nat
            pr.cells["nature"] = (label, text)
            seen.append(pr.row)
    if "stage_text" in fields and "stage_text" not in pr.cells:
        at = text.find("已")
        said = text[at:] if at >= 0 else text if text.startswith(("在建", "正在建设", "正在施工")) else ""
        stage = _stage(said) if said else None
        if stage in _DONE_STAGES:
            pr.values["stage_text"] = stage
            pr.cells["stage_text"] = (label, text)
            stages.append(pr.row)


def _fill_down(sheet: Sheet, first: int, columns: list[Column]) -> None:
    """A text column merged vertically (a 县区 over each county's projects) holds its value on
    every row of the merge, as a person reads it; amounts are never copied."""
    money = {c.index for c in columns if c.field in MONEY_FIELDS}
    rows = sheet.rows
    for r0, c0, r1, c1 in sheet.merged or ():
        if r0 < first or r1 <= r0 or c0 in money or r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        if value is None or value == "":
            continue
        for r in range(r0 + 1, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            if not row:
                continue  # a project's continuation line, joined to its first (_join_continuations)
            if len(row) <= c1:
                row.extend([None] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                if row[c] is None or row[c] == "":
                    row[c] = value


def _join_continuations(result: ParseResult, sheet: Sheet, first: int, columns: list[Column]) -> None:
    """A project written over several lines, its 项目名称 merged down them (a second 建设内容 or
    责任单位 on the next line), is one project: each later line's texts join the first line's
    ("一期：厂房；二期：道路"), an empty cell of the first line takes the later one's, and the later
    lines are not read again. An amount the first line states already is kept, the other said."""
    name = next((c for c in columns if c.field == "name"), None)
    if name is None:
        return
    money = {c.index: c for c in columns if c.field in MONEY_FIELDS or c.field == SERIES}
    rows = sheet.rows
    for r0, c0, r1, c1 in sheet.merged or ():
        if not (c0 <= name.index <= c1 and r1 > r0 and r0 >= first and r0 < len(rows)):
            continue
        top = rows[r0]
        said = top[name.index] if name.index < len(top) else None
        if isinstance(said, str) and _header_text(said).strip() in (name.header, name.header.split("/", 1)[0]):
            continue  # the header repeated at a page break, its two rows merged down the name column
        for r in range(r0 + 1, min(r1, len(rows) - 1) + 1):
            line = rows[r]
            for j, v in enumerate(line):
                if _blank(v) or c0 <= j <= c1:
                    continue
                if j >= len(top):
                    top.extend([None] * (j + 1 - len(top)))
                if _blank(top[j]):
                    top[j] = v
                elif j in money:
                    column = money[j].header
                    message = T.CONTINUATION_AMOUNT.zh(row=sheet.first_row + r, column=column, value=cell_text(v))
                    result.warnings.append(Issue(sheet.name, sheet.first_row + r, column, cell_text(v), message))
                elif isinstance(top[j], str) and isinstance(v, str) and v.strip() not in top[j]:
                    top[j] = f"{top[j]}；{v.strip()}"
            rows[r] = []


class Section(NamedTuple):
    """A group row naming no place ("二、城建项目（12个）", "（一）产业项目"): where its rows begin."""

    at: int  # index into result.rows of its first row
    row: int  # its Excel row
    label: str
    path: tuple[str, ...]  # its words and those of the group rows it sits in ("省级重点项目", "产业项目")


def _region_down(result: ParseResult, sections: list[Section]) -> None:
    """A 县区 written on the first of its rows only (a merged cell saved as CSV, or simply not
    repeated): a blank 县区 cell under a filled one is that place, as a person reads it, said once
    per sheet (on the column's header: the row's own messages keep its cell) — unless the row
    names its place otherwise (项目代码, 建设地点, 责任单位). A group row naming a place starts again.

    A group row naming no place — a category, a level, a nature ("二、城建项目（12个）") — begins a
    section, and whether the county written above it holds for the blank 县区 under it is what a
    person reading the table decides (a 县区 merged across the group row was filled before, as seen):

    * every 县区 written on the sheet names the same place: a county's table in sections — the
      place holds, said with the sheet's other filled cells;
    * they name several places (a city's table) and no section comes twice: the sections part the
      list and each lists its counties anew, so a section whose first rows have no 县区 written
      does not take the last county of the section before — the rows are read like rows naming no
      place (their other clues, else the default region), said once per section naming its group row;
    * several places and a section coming again ("（一）产业项目" under each county the column
      writes once): the county may well hold — it is kept, said once per section naming its group row.
    """
    rows = result.rows
    column = result.columns["region_text"]
    last: tuple[str, str] | None = None
    filled: list[int] = []  # said in the sheet's note
    mode = ""  # "hold", "restart" or "ask": decided at the first section that needs it
    bounds = [s.at for s in sections] + [len(rows)]
    start = 0
    for k, end in enumerate(bounds):
        section = sections[k - 1] if k else None
        above = asked = last if section is not None else None  # the county written above the group row, in question
        block: list[int] = []  # the section's rows whose 县区 the group row puts in question
        for pr in rows[start:end]:
            cell = pr.cells.get("region_text")
            if cell is not None:
                last = (pr.values["region_text"], cell[0]) if cell[0] != "分组行" and "region_text" in pr.values else None
                above = None  # the section writes its own
                continue
            if "project_code" in pr.values or "location" in pr.values or "responsible_unit" in pr.values:
                continue
            if above is not None:  # (the sheet is read for it once, and only when a section begins so)
                mode = mode or _section_mode(rows, sections)
                if mode == "hold":
                    above = None
                elif mode == "restart":
                    last = None
            if last is not None:
                pr.values["region_text"] = last[0]
                pr.cells["region_text"] = (last[1], "")
                (block if above is not None else filled).append(pr.row)
            elif above is not None:
                block.append(pr.row)
        if block and section is not None and asked is not None:
            said = T.REGION_NOT_HELD_UNDER_GROUP if mode == "restart" else T.REGION_HELD_UNDER_GROUP
            message = said.zh(label=section.label, n=len(block), column=column, region=asked[0], row=block[0])
            result.warnings.append(Issue(result.sheet, section.row, column, "", message))
        start = end
    if filled:
        message = T.REGION_FILLED_DOWN.zh(column=column, n=len(filled), row=filled[0])
        result.warnings.append(Issue(result.sheet, result.header_rows[-1], column, "", message))


def _section_mode(rows: list[Any], sections: list[Section]) -> str:
    """How a sheet's sections take the county written above them (:func:`_region_down`): read once
    per sheet, and only for a sheet with a section begun under a county written above."""
    places = set()
    for pr in rows:
        cell = pr.cells.get("region_text")
        if cell is not None and cell[0] != "分组行" and cell[1]:  # (a cell filled from above has no text of its own)
            places.add(cell[1].strip())
    if len(places) <= 1:
        return "hold"
    paths = [s.path for s in sections]
    return "restart" if len(set(paths)) == len(paths) else "ask"


def _skip_hidden_rows(result: ParseResult, sheet: Sheet, first: int) -> None:
    """Rows a person does not see (hidden, or filtered out) are not read, and are named once:
    offices hide the projects taken off a list rather than delete them. (After the merged cells
    were filled down: a visible row under a hidden one keeps its 县区.)"""
    rows = sheet.rows
    skipped = []
    for i in sorted(sheet.hidden_rows):
        if first <= i < len(rows) and any(v is not None and v != "" for v in rows[i]):
            rows[i] = []
            skipped.append(str(sheet.first_row + i))
    if skipped:
        message = T.HIDDEN_ROWS.zh(n=len(skipped), rows=T.LIST_SEPARATOR.join(skipped))
        result.warnings.append(Issue(sheet.name, int(skipped[0]), "", "", message))
