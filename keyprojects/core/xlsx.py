"""Spreadsheet output shared by every export: the one safe-cell rule (reliability.md 8), the
simple "title row + header + rows" sheet, workbook options and the download response.

Every workbook is the official Chinese 清单, whatever the language of the page it is taken from:
its title, sheet names, headers, values (a status, a kind, yes/no) and units are Chinese, as the
offices exchange it and the importers read it back. :func:`build_workbook` writes under Chinese
(a lazy label or a generator of rows says itself in Chinese there); a builder that reads
labels itself (``get_FOO_display``, ``gettext``) is decorated with :func:`in_chinese`.

Every text a user typed may end up in a cell. A spreadsheet evaluates a cell that starts with
``=``, ``+``, ``-``, ``@``, TAB or CR (OWASP "CSV/formula injection"), so such text gets a
leading apostrophe and is shown, never evaluated. Numbers and dates are written as numbers and
dates and are never touched.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ParamSpec, TypeVar
from urllib.parse import quote

import xlsxwriter
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext_noop

P = ParamSpec("P")
R = TypeVar("R")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_ROWS = 100_000
# XlsxWriter options for every workbook: strings stay strings (no formulas, no hyperlinks made
# from user text), built in memory.
WORKBOOK_OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


#: The language of every exported workbook (the official 清单), whatever the UI language.
EXPORT_LANGUAGE = "zh-hans"


def in_chinese(func: Callable[P, R]) -> Callable[P, R]:
    """``func`` (a workbook builder) run with Chinese active: the labels it reads
    (``get_FOO_display()``, choices, ``gettext``) are the 清单's Chinese in any UI language. A fresh
    override per call (a shared ``translation.override`` instance is not re-entrant)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with translation.override(EXPORT_LANGUAGE):
            return func(*args, **kwargs)

    return wrapper


def neutralise(text: str) -> str:
    """A cell a spreadsheet would evaluate (``=``, ``+``, ``-``, ``@``, tab, CR) gets a leading ``'``."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def safe_cell(value: Any) -> Any:
    """Any cell value made safe: strings through :func:`neutralise`, everything else unchanged."""
    return neutralise(value) if isinstance(value, str) else value


xlsx_safe = safe_cell  # the audit export's historical name


def new_workbook(buf: io.BytesIO, *, created: datetime | None = None) -> xlsxwriter.Workbook:
    """An XlsxWriter workbook with the safe options. ``created`` fixes the document's creation
    date, so the same content gives the same bytes (frozen periods export identically)."""
    wb = xlsxwriter.Workbook(buf, WORKBOOK_OPTIONS)
    if created is not None:
        wb.set_properties({"created": created.replace(tzinfo=None)})
    return wb


def excel_datetime(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return datetime(value.year, value.month, value.day)


@dataclass(frozen=True)
class Column:
    """One column of a sheet. ``kind``: ``text``; ``money`` (万元, up to 4 places); ``number``
    (two places, e.g. a percentage under a "（%）" header); ``int``; ``date``. ``num_format``
    overrides the number format of a numeric kind. A value that does not fit the kind (a "—",
    a name) is written as neutralised text."""

    header: str
    kind: str = "text"  # text | money | number | int | date
    width: int = 14
    num_format: str | None = None


def columns_filled(columns: Sequence[Column], **values: Any) -> list[Column]:
    """``columns`` whose headers have ``values`` filled in (``%(year)s``年度计划)."""

    def said(header: str) -> str:
        return header % values if values and "%(" in header else header

    return [replace(c, header=said(c.header)) for c in columns]


# The headers of the cumulative figures, as official lists write them (domain.md §5) and as the
# importer reads them back (dataio.synonyms): never a bare "累计完成投资", which the importer reads
# as 开工至今累计 (the since-start figure, written "开工至今累计完成投资（万元）"), whatever the column holds.
YTD_HEADER = gettext_noop("%(year)s年1-%(month)s月累计完成投资（万元）")
YTD_HEADER_EACH_ROW = gettext_noop("1-N月累计完成投资（万元）")  # N: each row's own month (its 调度期)


def ytd_header(period: Any) -> str:
    """The header of a column holding the 1-N月累计完成投资 of ``period`` (anything with ``year`` and
    ``month``): "2026年1-11月累计完成投资（万元）", which names the figure and its month, so that the
    importer reads the column as the year to date of that month. Without one period (rows of
    several months, or none chosen) "1-N月累计完成投资（万元）", still the year to date. In Chinese
    in any UI language, as every workbook (the catalogue's English is the page's, not the file's)."""
    if period is None:
        return YTD_HEADER_EACH_ROW
    return YTD_HEADER % {"year": period.year, "month": period.month}


NUMBER_FORMATS = {"money": "#,##0.00", "number": "#,##0.00", "int": "0"}  # 万元 shown to 2 places (the cell keeps all 4)


@dataclass(frozen=True)
class Sheet:
    """A sheet of :func:`build_workbook`: a merged title row, an optional subtitle row (the
    period, the range, the units), the header row and the rows."""

    name: str
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    subtitle: str = ""


def _write_sheet(wb: xlsxwriter.Workbook, formats: dict[str, Any], sheet: Sheet) -> int:
    ws = wb.add_worksheet(str(sheet.name)[:31])
    columns = sheet.columns
    ncols = len(columns)
    heads = [(0, sheet.title, formats["title"])]
    if sheet.subtitle:
        heads.append((1, sheet.subtitle, formats["subtitle"]))
    for r, text, fmt in heads:
        if ncols > 1:
            ws.merge_range(r, 0, r, ncols - 1, neutralise(str(text)), fmt)
        else:
            ws.write_string(r, 0, neutralise(str(text)), fmt)
    ws.set_row(0, 28)
    head_row = len(heads)
    for c, col in enumerate(columns):
        ws.write_string(head_row, c, neutralise(str(col.header)), formats["head"])
        ws.set_column(c, c, col.width)
    ws.freeze_panes(head_row + 1, 0)
    numeric = [formats[col.num_format or NUMBER_FORMATS[col.kind]] if col.kind in NUMBER_FORMATS else None for col in columns]
    n = 0
    for r, row in enumerate(sheet.rows, start=head_row + 1):
        if n >= MAX_ROWS:
            break
        for c, (col, value) in enumerate(zip(columns, row, strict=True)):
            if value is None or value == "":
                ws.write_blank(r, c, None, formats["text"])
            elif numeric[c] is not None and isinstance(value, Decimal | int | float) and not isinstance(value, bool):
                ws.write_number(r, c, value if isinstance(value, int) else float(value), numeric[c])
            elif col.kind == "date" and isinstance(value, date | datetime):
                ws.write_datetime(r, c, excel_datetime(value), formats["date"])
            else:
                ws.write_string(r, c, neutralise(str(value)), formats["text"])
        n += 1
    return n


@in_chinese
def build_workbook(sheets: Sequence[Sheet], *, created: datetime | None = None) -> tuple[bytes, list[int]]:
    """Write ``sheets`` into one workbook, in Chinese (a lazy title, header or value and a
    generator of rows are said in Chinese); returns the file's bytes and each sheet's number of
    data rows. ``created`` as in :func:`new_workbook`."""
    buf = io.BytesIO()
    wb = new_workbook(buf, created=created)
    base = {"border": 1}
    formats: dict[str, Any] = {
        "title": wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"}),
        "subtitle": wb.add_format({"align": "center", "valign": "vcenter", "font_color": "#555555"}),
        "head": wb.add_format(
            {"bold": True, "bg_color": "#F1F5FB", "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True}
        ),
        "date": wb.add_format({**base, "num_format": "yyyy-mm-dd"}),
        "text": wb.add_format(base),
    }
    for col in (c for s in sheets for c in s.columns):
        fmt = col.num_format or NUMBER_FORMATS.get(col.kind)
        if fmt and fmt not in formats:
            formats[fmt] = wb.add_format({**base, "num_format": fmt})
    counts = [_write_sheet(wb, formats, s) for s in sheets]
    wb.close()
    return buf.getvalue(), counts


def build_xlsx(
    *,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    sheet: str = "Sheet1",
    subtitle: str = "",
    created: datetime | None = None,
) -> tuple[bytes, int]:
    """Write one sheet (a merged title row, an optional subtitle, a header, the rows); returns
    the file's bytes and the number of data rows."""
    content, (n,) = build_workbook([Sheet(sheet, title, columns, rows, subtitle)], created=created)
    return content, n


def download_response(content: bytes, filename: str, content_type: str, *, fallback: str = "export") -> HttpResponse:
    """A download: the UTF-8 file name for browsers (RFC 5987), an ASCII fallback, never cached."""
    resp = HttpResponse(content, content_type=content_type)
    ascii_name = filename.encode("ascii", "ignore").decode() or fallback
    resp["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    resp["Cache-Control"] = "no-store"
    return resp


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    return download_response(content, filename, XLSX, fallback="export.xlsx")
