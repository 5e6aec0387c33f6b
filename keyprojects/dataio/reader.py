"""Bytes → rows of cells, refusing hostile files first (reliability.md 7).

Formats: .xlsx, .xls (also as saved by WPS) and .ods through python-calamine; .csv in UTF-8,
UTF-8 with BOM, UTF-16 (with BOM) or GBK/GB18030, comma/tab/semicolon separated.

Before calamine sees a byte we check, cheaply and without trusting the file's own claims:

* file size; extension against content (macro formats refused: .xlsm/.xltm/.xlam/.xlsb, an
  .xlsx carrying ``vbaProject.bin``, an .xls with a VBA storage, Excel 4.0 macro sheets, ODS
  Basic modules); encrypted files;
* for zips (.xlsx/.ods): entry count, declared and *actual* uncompressed size (each entry is
  inflated once with a running cap; a lying header fails its CRC), no DTD/entity declarations in
  any XML part (ODS content is read through defusedxml);
* the extent of each sheet (last row × last column holding a cell): calamine allocates the full
  rectangle, so a 9 KB file with one cell at XFD1048576 would otherwise ask for 500 GB and abort
  the process. The same scan is done on the BIFF records of an .xls and on ODS repeat counts.

Nothing is written to disk: the bytes stay in memory (no temporary files to clean up).
Limits come from ``settings.DATAIO_LIMITS`` (a dict overriding :data:`DEFAULT_LIMITS`).
"""

from __future__ import annotations

import codecs
import csv
import html
import io
import os
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_noop

from keyprojects.core.errors import ApplicationError

from . import issue_text as T

DEFAULT_LIMITS: dict[str, int] = {
    "max_bytes": 30 * 1024 * 1024,  # the uploaded file
    "max_uncompressed": 200 * 1024 * 1024,  # all zip entries together, inflated
    "max_zip_entries": 1000,
    "max_sheets": 100,
    "max_rows": 60_000,  # per sheet (the whole province list is 15,000 projects)
    "max_columns": 300,
    "max_cells": 3_000_000,  # rows × columns over all sheets read
}

ALLOWED_EXTENSIONS = (".xlsx", ".xls", ".ods", ".csv", ".txt")
MACRO_EXTENSIONS = (".xlsm", ".xltm", ".xlam", ".xla", ".xlsb", ".docm", ".pptm", ".xlm")

ZIP_MAGIC = b"PK\x03\x04"
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


#: An XML part declaring a DTD or entities (checked in .xlsx parts and ODS content alike).
XML_ENTITIES = gettext_noop("文件的 XML 中含有 DTD/实体声明，已拒绝（可能是 XML 实体攻击）")


class UnsafeFile(ApplicationError):
    """The file is refused before parsing: too big, a zip bomb, macros, entity declarations…"""

    code = "unsafe_file"
    default_message = gettext_noop("文件不安全或超出限制，已拒绝导入")


class UnreadableFile(UnsafeFile):
    """The file is not what it says (corrupt, wrong format, unknown encoding, no such sheet)."""

    code = "unreadable_file"
    default_message = gettext_noop("无法读取该文件，请确认是 Excel（.xlsx/.xls）、WPS/ODS 表格或 CSV 文件")


@dataclass
class Sheet:
    """One worksheet's cells. ``rows[i][j]`` is the cell at Excel row ``first_row + i`` and
    0-based column ``first_col + j``. ``merged`` lists merged ranges as inclusive
    ``(r0, c0, r1, c1)`` relative to ``rows``; ``None`` when the format does not say (CSV).
    ``hidden_rows``/``hidden_cols``: indexes (relative, as ``rows``) an .xlsx hides."""

    name: str
    rows: list[list[Any]]
    first_row: int = 1
    first_col: int = 0
    merged: list[tuple[int, int, int, int]] | None = None
    kind: str = "xlsx"
    hidden_rows: frozenset[int] = frozenset()
    hidden_cols: frozenset[int] = frozenset()


def limits() -> dict[str, int]:
    try:
        from django.conf import settings

        override = getattr(settings, "DATAIO_LIMITS", None) or {}
    except Exception:  # noqa: BLE001 - settings not configured: plain defaults
        override = {}
    return {**DEFAULT_LIMITS, **override}


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


# ---------------------------------------------------------------------------------------------
# Entry point


def load_bytes(source: Any, lim: dict[str, int]) -> bytes:
    """Read the source (path, bytes or an object with ``read``) with the size cap."""
    cap = lim["max_bytes"]
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        size = os.path.getsize(source)
        if size > cap:
            raise UnsafeFile(T.TOO_LARGE.zh(size=_mb(size), cap=_mb(cap)), code="too_large")
        with open(source, "rb") as fh:
            data = fh.read(cap + 1)
    elif hasattr(source, "read"):
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(cap + 1)
    else:
        raise TypeError(f"cannot read {type(source)!r}")
    if len(data) > cap:
        raise UnsafeFile(T.TOO_LARGE_CAP.zh(cap=_mb(cap)), code="too_large")
    if not data:
        raise UnreadableFile(gettext_noop("文件为空"), code="empty_file")
    return data


def detect_kind(data: bytes, filename: str) -> str:
    """'xlsx', 'ods', 'xls' or 'csv' from the content, checked against the extension."""
    ext = os.path.splitext(filename or "")[1].lower()
    if ext in MACRO_EXTENSIONS:
        if ext == ".xlsb":
            raise UnsafeFile(gettext_noop("不支持 .xlsb 二进制工作簿，请在 Excel/WPS 中另存为 .xlsx 后再导入"), code="unsupported_format")
        raise UnsafeFile(T.MACRO_EXTENSION.zh(ext=ext), code="macro")
    if ext not in ALLOWED_EXTENSIONS:
        raise UnsafeFile(T.UNSUPPORTED_TYPE.zh(ext=ext or filename), code="unsupported_format")
    if data.startswith(ZIP_MAGIC):
        if ext in (".csv", ".txt"):
            raise UnreadableFile(T.ZIPPED_BUT_NAMED.zh(ext=ext), code="wrong_extension")
        return "zip"
    if data.startswith(CFB_MAGIC):
        if ext in (".csv", ".txt"):
            raise UnreadableFile(T.XLS_BUT_NAMED.zh(ext=ext), code="wrong_extension")
        return "xls"
    if ext in (".csv", ".txt"):
        return "csv"
    head = data[:512].lstrip().lower()
    if head.startswith((b"<html", b"<!doctype html", b"<?xml", b"<table", b"mime-version")):
        raise UnreadableFile(T.WEB_PAGE_BUT_NAMED.zh(ext=ext), code="wrong_format")
    raise UnreadableFile(T.NOT_A_TABLE.zh(ext=ext), code="wrong_format")


def read_sheets(source: Any, *, filename: str, sheet: str | None = None) -> list[Sheet]:
    """The visible worksheets (or just ``sheet``) as rows of Python values.

    Raises :class:`UnsafeFile` for hostile files and :class:`UnreadableFile` for broken ones.
    """
    lim = limits()
    data = load_bytes(source, lim)
    kind = detect_kind(data, filename)
    if kind == "csv":
        return [read_csv(data, lim, name=sheet or os.path.splitext(os.path.basename(filename or "csv"))[0] or "csv")]
    if kind == "zip":
        scan = inspect_zip(data, lim)
    else:
        scan = inspect_cfb(data, lim)
    return _read_calamine(data, scan, lim, sheet)


# ---------------------------------------------------------------------------------------------
# Zip containers (.xlsx / .ods)


@dataclass
class Scan:
    kind: str  # xlsx / ods / xls
    ods_merges: dict[str, list[tuple[int, int, int, int]]] | None = None  # absolute, by sheet name
    cells: int = 0
    hidden: dict[str, tuple[frozenset[int], frozenset[int]]] | None = None  # .xlsx: part → hidden (rows, cols), 0-based
    parts: dict[str, bytes] | None = None  # .xlsx: the workbook and its relationships (sheet names → parts)


# Fast literal-prefixed scans; both may over-count (other attributes ending in "r"), never under.
_ROW_R_RE = re.compile(rb'r="(\d+)"')
_WIDE_COL_RE = re.compile(rb'r="([A-Z]{2,3})\d')
_ODS_MACRO_RE = re.compile(r"^Basic/[^/]+/(?!script-lb\.xml$|dialog-lb\.xml$)[^/]+$")
_HIDDEN_ROW_RE = re.compile(rb'<row\b[^>]*?\bhidden="(?:1|true)"[^>]*>')
_ROW_NUMBER_RE = re.compile(rb'\br="(\d+)"')
_COL_RE = re.compile(rb"<col\b[^>]*>")
_COL_SPAN_RE = re.compile(rb'\bmin="(\d+)"[^>]*?\bmax="(\d+)"|\bmax="(\d+)"[^>]*?\bmin="(\d+)"')
_WB_SHEET_RE = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_ATTR_RE = re.compile(rb'([\w:]+)="([^"]*)"')
_REL_RE = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")


def _hidden_in(xml: bytes) -> tuple[frozenset[int], frozenset[int]] | None:
    """The rows and columns a worksheet's XML hides (0-based), None when it hides none. (One
    search for the attribute first: most sheets hide nothing and cost no more.)"""
    if b'hidden="1"' not in xml and b'hidden="true"' not in xml:
        return None
    rows: set[int] = set()
    for m in _HIDDEN_ROW_RE.finditer(xml):
        n = _ROW_NUMBER_RE.search(m.group(0))
        if n:
            rows.add(int(n.group(1)) - 1)
    cols: set[int] = set()
    start, end = xml.find(b"<cols>"), xml.find(b"</cols>")
    if 0 <= start < end:
        for m in _COL_RE.finditer(xml, start, end):
            tag = m.group(0)
            if b'hidden="1"' in tag or b'hidden="true"' in tag:
                span = _COL_SPAN_RE.search(tag)
                if span:
                    lo, hi = (span.group(1), span.group(2)) if span.group(1) else (span.group(4), span.group(3))
                    cols.update(range(int(lo) - 1, min(int(hi), 16384)))
    return (frozenset(rows), frozenset(cols)) if rows or cols else None


def _sheet_parts(parts: dict[str, bytes]) -> dict[str, str]:
    """Sheet name → its part ("xl/worksheets/sheet1.xml"), from the workbook and its relationships."""
    targets: dict[str, str] = {}
    for m in _REL_RE.finditer(parts.get("xl/_rels/workbook.xml.rels", b"")):
        attrs = dict(_ATTR_RE.findall(m.group(0)))
        target = attrs.get(b"Target", b"").decode("utf-8", "replace")
        targets[attrs.get(b"Id", b"").decode()] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    out: dict[str, str] = {}
    for m in _WB_SHEET_RE.finditer(parts.get("xl/workbook.xml", b"")):
        attrs = dict(_ATTR_RE.findall(m.group(0)))
        rid = next((v.decode() for k, v in attrs.items() if k.endswith(b":id")), "")
        name = html.unescape(attrs.get(b"name", b"").decode("utf-8", "replace"))
        if rid in targets:
            out[name] = targets[rid].lower()
    return out


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _check_extent(max_row: int, max_col: int, lim: dict[str, int], sheet: str | None) -> int:
    """Rows × columns of a sheet (``sheet`` its name, None: a sheet not yet named), refused beyond the limits."""
    if max_row > lim["max_rows"]:
        rows = T.SHEET_TOO_MANY_ROWS.zh(sheet=sheet, n=max_row, cap=lim["max_rows"]) if sheet is not None else None
        raise UnsafeFile(rows or T.SHEETS_TOO_MANY_ROWS.zh(n=max_row, cap=lim["max_rows"]), code="too_many_rows")
    if max_col > lim["max_columns"]:
        columns = T.SHEET_TOO_MANY_COLUMNS.zh(sheet=sheet, n=max_col, cap=lim["max_columns"]) if sheet is not None else None
        raise UnsafeFile(columns or T.SHEETS_TOO_MANY_COLUMNS.zh(n=max_col, cap=lim["max_columns"]), code="too_many_columns")
    return max_row * max_col


def _scan_sheet_xml(xml: bytes, lim: dict[str, int], sheet: str | None) -> int:
    numbered = _ROW_R_RE.findall(xml)
    # Rows without ``r`` follow the previous one; counting "<row" over-counts (rowBreaks), safely.
    unnumbered = max(0, xml.count(b"<row") + xml.count(b":row") - len(numbered))
    max_row = max(map(int, numbered), default=0) + unnumbered
    max_col = 26
    if _WIDE_COL_RE.search(xml):
        max_col = max(_col_number(c) for c in set(_WIDE_COL_RE.findall(xml)))
    return _check_extent(max_row, max_col, lim, sheet)


def inspect_zip(data: bytes, lim: dict[str, int]) -> Scan:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise UnreadableFile(gettext_noop("文件已损坏，无法作为 .xlsx/.ods 打开"), code="corrupt") from exc
    if len(infos) > lim["max_zip_entries"]:
        raise UnsafeFile(T.ZIP_ENTRIES.zh(n=len(infos), cap=lim["max_zip_entries"]), code="zip_entries")
    declared = sum(i.file_size for i in infos)
    if declared > lim["max_uncompressed"]:
        raise UnsafeFile(T.ZIP_BOMB.zh(size=_mb(declared), cap=_mb(lim["max_uncompressed"])), code="zip_bomb")
    names = {i.filename for i in infos}
    if any(i.flag_bits & 0x1 for i in infos):
        raise UnsafeFile(gettext_noop("文件已加密，请取消密码保护后再导入"), code="encrypted")

    kind = ""
    if "mimetype" in names:
        mimetype = zf.read("mimetype")[:100]
        if b"opendocument.spreadsheet" in mimetype:
            kind = "ods"
    if not kind and ("xl/workbook.xml" in names or any(n.lower() == "xl/workbook.xml" for n in names)):
        kind = "xlsx"
    if not kind:
        if "xl/workbook.bin" in names:
            raise UnsafeFile(gettext_noop("不支持 .xlsb 二进制工作簿，请另存为 .xlsx 后再导入"), code="unsupported_format")
        raise UnreadableFile(gettext_noop("压缩包中没有工作簿，文件不是有效的 .xlsx 或 .ods"), code="wrong_format")

    lowered = [n.lower() for n in names]
    if kind == "xlsx" and any(("vba" in n and n.endswith(".bin")) or n.startswith("xl/macrosheets/") for n in lowered):
        raise UnsafeFile(gettext_noop("文件包含宏（VBA/宏表），不予导入，请另存为不含宏的 .xlsx 后再导入"), code="macro")
    if kind == "ods" and any(_ODS_MACRO_RE.match(n) or n.startswith("scripts/") for n in names):
        raise UnsafeFile(gettext_noop("文件包含宏（Basic 脚本），不予导入，请另存为不含宏的文件后再导入"), code="macro")

    scan = Scan(kind=kind)
    inflated = 0
    for info in infos:
        name = info.filename
        low = name.lower()
        is_sheet = kind == "xlsx" and low.startswith("xl/worksheets/") and low.endswith(".xml")
        book = kind == "xlsx" and low in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
        keep = is_sheet or book or (kind == "ods" and name == "content.xml") or low == "[content_types].xml"
        xmlish = low.endswith((".xml", ".rels")) or keep
        parts: list[bytes] = []
        tail = b""
        try:
            with zf.open(info) as fh:
                while True:
                    chunk = fh.read(1 << 20)
                    if not chunk:
                        break
                    inflated += len(chunk)
                    if inflated > lim["max_uncompressed"]:
                        raise UnsafeFile(T.ZIP_BOMB_CAP.zh(cap=_mb(lim["max_uncompressed"])), code="zip_bomb")
                    if xmlish:  # raw "<!DOCTYPE"/"<!ENTITY" is markup (escaped in text): anywhere, refuse
                        window = tail + chunk
                        if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                            raise UnsafeFile(XML_ENTITIES, code="xml_entities")
                        tail = chunk[-16:]
                    if keep:
                        parts.append(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
            raise UnreadableFile(gettext_noop("文件已损坏（压缩数据校验失败）"), code="corrupt") from exc
        if low == "[content_types].xml" and b"macroenabled" in b"".join(parts).lower():
            raise UnsafeFile(gettext_noop("文件是启用宏的工作簿，不予导入，请另存为 .xlsx 后再导入"), code="macro")
        if is_sheet:
            xml = b"".join(parts)
            scan.cells += _scan_sheet_xml(xml, lim, None)
            hidden = _hidden_in(xml)
            if hidden is not None:
                scan.hidden = scan.hidden or {}
                scan.hidden[low] = hidden
        elif book:
            scan.parts = scan.parts or {}
            scan.parts[low] = b"".join(parts)
        elif kind == "ods" and name == "content.xml":
            scan.ods_merges, cells = _scan_ods_content(b"".join(parts), lim)
            scan.cells += cells
    if scan.cells > lim["max_cells"]:
        raise UnsafeFile(T.CELLS_ABOUT.zh(n=scan.cells, cap=lim["max_cells"]), code="too_many_cells")
    return scan


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def _scan_ods_content(xml: bytes, lim: dict[str, int]) -> tuple[dict[str, list[tuple[int, int, int, int]]], int]:
    """Walk content.xml with defusedxml: true extents (repeat counts expanded) and merges."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    table_tag, row_tag = _ODS_TABLE + "table", _ODS_TABLE + "table-row"
    cell_tags = (_ODS_TABLE + "table-cell", _ODS_TABLE + "covered-table-cell")
    name_attr = _ODS_TABLE + "name"
    rows_rep, cols_rep = _ODS_TABLE + "number-rows-repeated", _ODS_TABLE + "number-columns-repeated"
    cspan, rspan = _ODS_TABLE + "number-columns-spanned", _ODS_TABLE + "number-rows-spanned"
    vtype = _ODS_OFFICE + "value-type"
    merges: dict[str, list[tuple[int, int, int, int]]] = {}
    total = 0
    table = ""
    row_idx = col_idx = max_row = max_col = 0
    cur_rows = 1
    depth_cell = 0
    try:
        for event, elem in iterparse(io.BytesIO(xml), events=("start", "end"), forbid_dtd=True):
            tag = elem.tag
            if event == "start":
                if tag == table_tag:
                    table = elem.get(name_attr, "")
                    merges[table] = []
                    row_idx = max_row = max_col = 0
                elif tag == row_tag:
                    col_idx = 0
                    cur_rows = int(elem.get(rows_rep, "1"))
                elif tag in cell_tags:
                    depth_cell += 1
                continue
            if tag in cell_tags:
                depth_cell -= 1
                n = int(elem.get(cols_rep, "1"))
                if elem.get(vtype) or len(elem):
                    max_row = max(max_row, row_idx + cur_rows)
                    max_col = max(max_col, col_idx + n)
                    total += n * cur_rows
                    if total > lim["max_cells"] or max_row > lim["max_rows"] or max_col > lim["max_columns"]:
                        _check_extent(max_row, max_col, lim, table)
                        raise UnsafeFile(T.CELLS_CAP.zh(cap=lim["max_cells"]), code="too_many_cells")
                    cs, rs = int(elem.get(cspan, "1")), int(elem.get(rspan, "1"))
                    if cs > 1 or rs > 1:
                        merges[table].append((row_idx, col_idx, row_idx + rs - 1, col_idx + cs - 1))
                col_idx += n
                elem.clear()
            elif tag == row_tag:
                row_idx += cur_rows
                elem.clear()
            elif tag == table_tag:
                _check_extent(max_row, max_col, lim, table)
                elem.clear()
    except DefusedXmlException as exc:
        raise UnsafeFile(XML_ENTITIES, code="xml_entities") from exc
    except (SyntaxError, ValueError) as exc:  # ParseError is a SyntaxError
        raise UnreadableFile(gettext_noop("ODS 文件内容已损坏"), code="corrupt") from exc
    return merges, total


# ---------------------------------------------------------------------------------------------
# Compound files (.xls)

_FREE, _END = 0xFFFFFFFF, 0xFFFFFFFE
_VBA_NAMES = {"_VBA_PROJECT_CUR", "_VBA_PROJECT", "VBA", "MACROS", "_XLMACRO", "XLMACRO"}
_CELL_RECORDS = {0x0203, 0x0204, 0x00FD, 0x027E, 0x0205, 0x0006, 0x0406, 0x0003, 0x0002, 0x0004, 0x0005, 0x00D6}
_MULRK = 0x00BD
_BOF, _EOF, _BOUNDSHEET = 0x0809, 0x000A, 0x0085


class _Cfb:
    """Just enough of [MS-CFB] to list storages and read one stream (with loop guards)."""

    def __init__(self, data: bytes):
        self.data = data
        if len(data) < 512:
            raise ValueError("short")
        major = struct.unpack_from("<H", data, 0x1A)[0]
        self.ssz = 1 << struct.unpack_from("<H", data, 0x1E)[0]
        self.mssz = 1 << struct.unpack_from("<H", data, 0x20)[0]
        if self.ssz not in (512, 4096) or self.mssz != 64 or major not in (3, 4):
            raise ValueError("bad header")
        n_fat, first_dir = struct.unpack_from("<II", data, 0x2C)
        self.cutoff, first_minifat, n_minifat, first_difat, n_difat = struct.unpack_from("<IIIII", data, 0x38)
        self.n_sectors = max(0, (len(data) - 512) // self.ssz + 1)
        difat = [v for v in struct.unpack_from("<109I", data, 0x4C) if v not in (_FREE, _END)]
        sec, guard = first_difat, 0
        while sec not in (_FREE, _END) and guard < n_difat + 1 and guard < self.n_sectors:
            vals = struct.unpack_from(f"<{self.ssz // 4}I", data, self._off(sec))
            difat.extend(v for v in vals[:-1] if v not in (_FREE, _END))
            sec, guard = vals[-1], guard + 1
        fat_bytes = b"".join(data[self._off(s) : self._off(s) + self.ssz] for s in difat[:n_fat])
        self.fat = struct.unpack(f"<{len(fat_bytes) // 4}I", fat_bytes[: len(fat_bytes) // 4 * 4])
        dir_bytes = self._chain(first_dir)
        self.entries: list[tuple[str, int, int, int]] = []  # name, type, start, size
        for off in range(0, len(dir_bytes) - 127, 128):
            name_len = struct.unpack_from("<H", dir_bytes, off + 0x40)[0]
            etype = dir_bytes[off + 0x42]
            start, size = struct.unpack_from("<IQ", dir_bytes, off + 0x74)
            if major == 3:
                size &= 0xFFFFFFFF
            name = dir_bytes[off : off + max(0, min(name_len, 64) - 2)].decode("utf-16-le", "replace")
            self.entries.append((name, etype, start, size))
        minifat_bytes = self._chain(first_minifat) if n_minifat else b""
        self.minifat = struct.unpack(f"<{len(minifat_bytes) // 4}I", minifat_bytes[: len(minifat_bytes) // 4 * 4])
        root = self.entries[0] if self.entries else ("", 5, _END, 0)
        self.ministream = self._chain(root[2]) if root[1] == 5 and root[2] not in (_FREE, _END) else b""

    def _off(self, sector: int) -> int:
        return (sector + 1) * self.ssz

    def _chain(self, start: int, limit: int | None = None) -> bytes:
        out, sec, seen = [], start, 0
        while sec not in (_FREE, _END):
            if sec >= len(self.fat) or seen > self.n_sectors:
                raise ValueError("broken chain")
            out.append(self.data[self._off(sec) : self._off(sec) + self.ssz])
            sec, seen = self.fat[sec], seen + 1
            if limit is not None and seen * self.ssz >= limit:
                break
        return b"".join(out)

    def stream(self, name: str) -> bytes | None:
        for ename, etype, start, size in self.entries:
            if etype == 2 and ename.lower() == name.lower():
                if size < self.cutoff:
                    out, sec, seen = [], start, 0
                    while sec not in (_FREE, _END) and seen <= len(self.minifat):
                        if sec >= len(self.minifat):
                            raise ValueError("broken mini chain")
                        out.append(self.ministream[sec * self.mssz : (sec + 1) * self.mssz])
                        sec, seen = self.minifat[sec], seen + 1
                    return b"".join(out)[:size]
                return self._chain(start, limit=size)[:size]
        return None


def _scan_substream(stream: bytes, pos: int, lim: dict[str, int]) -> int:
    """From a sheet's BOF to its EOF (nested chart substreams included): the sheet's extent."""
    unpack = struct.unpack_from
    n = len(stream)
    cell_records = _CELL_RECORDS
    max_row = max_col = -1
    depth = 0
    while pos + 4 <= n:
        rtype, size = unpack("<HH", stream, pos)
        body = pos + 4
        if rtype in cell_records and size >= 4:
            r, c = unpack("<HH", stream, body)
            if r > max_row:
                max_row = r
            if c > max_col:
                max_col = c
        elif rtype == _MULRK and size >= 6:
            r = unpack("<H", stream, body)[0]
            last = unpack("<H", stream, body + size - 2)[0]
            max_row, max_col = max(max_row, r), max(max_col, last)
        elif rtype == _BOF:
            depth += 1
        elif rtype == _EOF:
            depth -= 1
            if depth <= 0:
                break
        pos = body + size
    return _check_extent(max_row + 1, max_col + 1, lim, None) if max_row >= 0 else 0


def _scan_biff(stream: bytes, lim: dict[str, int]) -> int:
    """Extent of every sheet of a BIFF8 Workbook stream, starting where BOUNDSHEET records
    point (as the reader does), so records hidden inside other records are not missed."""
    unpack = struct.unpack_from
    pos, n = 0, len(stream)
    offsets: list[int] = []
    while pos + 4 <= n:  # the globals substream, up to its EOF
        rtype, size = unpack("<HH", stream, pos)
        if rtype == _BOUNDSHEET and size >= 4:
            offsets.append(unpack("<I", stream, pos + 4)[0])
        if rtype == _EOF:
            break
        pos += 4 + size
    if not offsets:  # BIFF5 and older: one pass over everything
        return _scan_substream(stream, 0, lim)
    return sum(_scan_substream(stream, off, lim) for off in offsets if off < n)


def inspect_cfb(data: bytes, lim: dict[str, int]) -> Scan:
    try:
        cfb = _Cfb(data)
    except (ValueError, struct.error, IndexError) as exc:
        raise UnreadableFile(gettext_noop("文件已损坏，无法作为 .xls 打开"), code="corrupt") from exc
    names = {e[0].upper() for e in cfb.entries}
    if "ENCRYPTEDPACKAGE" in names or "ENCRYPTIONINFO" in names:
        raise UnsafeFile(gettext_noop("文件已加密，请取消密码保护后再导入"), code="encrypted")
    if names & _VBA_NAMES:
        raise UnsafeFile(gettext_noop("文件包含宏（VBA），不予导入，请另存为不含宏的 .xlsx 后再导入"), code="macro")
    try:
        stream = cfb.stream("Workbook") or cfb.stream("Book")
    except (ValueError, struct.error, IndexError) as exc:
        raise UnreadableFile(gettext_noop("文件已损坏，无法作为 .xls 打开"), code="corrupt") from exc
    if not stream:
        raise UnreadableFile(gettext_noop("文件不是 Excel 工作簿（可能是 Word 等其他 Office 文件）"), code="wrong_format")
    try:
        cells = _scan_biff(stream, lim)
    except struct.error as exc:
        raise UnreadableFile(gettext_noop("文件已损坏，无法作为 .xls 打开"), code="corrupt") from exc
    if cells > lim["max_cells"]:
        raise UnsafeFile(T.CELLS_ABOUT.zh(n=cells, cap=lim["max_cells"]), code="too_many_cells")
    return Scan(kind="xls", cells=cells)


# ---------------------------------------------------------------------------------------------
# Calamine


def _read_calamine(data: bytes, scan: Scan, lim: dict[str, int], wanted: str | None) -> list[Sheet]:
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except pc.PasswordError as exc:
        raise UnsafeFile(gettext_noop("文件已加密，请取消密码保护后再导入"), code="encrypted") from exc
    except (pc.CalamineError, ValueError, OSError) as exc:
        raise UnreadableFile(gettext_noop("无法读取该表格文件（文件可能已损坏）"), code="corrupt") from exc
    try:
        metas = wb.sheets_metadata
        if any(m.typ in (pc.SheetTypeEnum.MacroSheet, pc.SheetTypeEnum.Vba) for m in metas):
            raise UnsafeFile(gettext_noop("文件包含宏表，不予导入，请另存为不含宏的 .xlsx 后再导入"), code="macro")
        if len(metas) > lim["max_sheets"]:
            raise UnsafeFile(T.TOO_MANY_SHEETS.zh(n=len(metas), cap=lim["max_sheets"]), code="too_many_sheets")
        if wanted is not None:
            names = [m.name for m in metas]
            match = next((n for n in names if n == wanted), None) or next((n for n in names if n.strip() == wanted.strip()), None)
            if match is None:
                raise UnreadableFile(T.NO_SUCH_SHEET.zh(sheet=wanted, names=T.LIST_SEPARATOR.join(names)), code="sheet_not_found")
            chosen = [match]
        else:
            chosen = [m.name for m in metas if m.typ == pc.SheetTypeEnum.WorkSheet and m.visible == pc.SheetVisibleEnum.Visible]
        sheets: list[Sheet] = []
        hidden_parts = _sheet_parts(scan.parts or {}) if scan.hidden else {}
        for name in chosen:
            try:
                cs = wb.get_sheet_by_name(name)
            except (pc.CalamineError, ValueError) as exc:
                raise UnreadableFile(T.SHEET_UNREADABLE.zh(sheet=name), code="corrupt") from exc
            _check_extent(cs.height, cs.width, lim, name)
            rows = cs.to_python(skip_empty_area=True)
            start = cs.start or (0, 0)
            if scan.kind == "ods":
                absolute = (scan.ods_merges or {}).get(name, [])
            else:
                absolute = [(a[0], a[1], b[0], b[1]) for a, b in (cs.merged_cell_ranges or [])]
            merged = [(r0 - start[0], c0 - start[1], r1 - start[0], c1 - start[1]) for r0, c0, r1, c1 in absolute]
            sh = Sheet(name=name, rows=rows, first_row=start[0] + 1, first_col=start[1], merged=merged, kind=scan.kind)
            hidden = (scan.hidden or {}).get(hidden_parts.get(name, ""))
            if hidden is not None:
                sh.hidden_rows = frozenset(r - start[0] for r in hidden[0] if r >= start[0])
                sh.hidden_cols = frozenset(c - start[1] for c in hidden[1] if c >= start[1])
            sheets.append(sh)
        return sheets
    finally:
        wb.close()


# ---------------------------------------------------------------------------------------------
# CSV


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding): BOMs first, then strict UTF-8, then GB18030 (a superset of GBK)."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for enc in candidates:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    unknown = gettext_noop("无法识别 CSV 文件的编码（支持 UTF-8 与 GBK），请用 Excel 另存为“CSV UTF-8”后再导入")
    raise UnreadableFile(unknown, code="encoding")


def _sniff_delimiter(text: str) -> str:
    sample = text[:20000].splitlines()[:30]
    best, best_count = ",", 0
    for d in (",", "\t", ";", "|"):
        count = sum(line.count(d) for line in sample)
        if count > best_count:
            best, best_count = d, count
    return best


def read_csv(data: bytes, lim: dict[str, int], *, name: str = "csv") -> Sheet:
    text, _enc = decode_text(data)
    if "\x00" in text:
        raise UnreadableFile(gettext_noop("CSV 文件中含有二进制内容，不是文本表格"), code="wrong_format")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    rows: list[list[Any]] = []
    cells = 0
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > lim["max_rows"]:
                raise UnsafeFile(T.CSV_TOO_MANY_ROWS.zh(cap=lim["max_rows"]), code="too_many_rows")
            if len(row) > lim["max_columns"]:
                raise UnsafeFile(T.CSV_TOO_MANY_COLUMNS.zh(row=len(rows), n=len(row), cap=lim["max_columns"]), code="too_many_columns")
            cells += len(row)
            if cells > lim["max_cells"]:
                raise UnsafeFile(T.CELLS_CAP.zh(cap=lim["max_cells"]), code="too_many_cells")
    except csv.Error as exc:
        raise UnreadableFile(T.CSV_MALFORMED.zh(row=len(rows) + 1, why=exc), code="corrupt") from exc
    return Sheet(name=name, rows=rows, first_row=1, first_col=0, merged=None, kind="csv")
