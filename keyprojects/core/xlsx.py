"""Spreadsheet output shared by every export: the one safe-cell rule (reliability.md 8), the
simple "title row + header + rows" sheet, workbook options and the download response.

Every text a user typed may end up in a cell. A spreadsheet evaluates a cell that starts with
``=``, ``+``, ``-``, ``@``, TAB or CR (OWASP "CSV/formula injection"), so such text gets a
leading apostrophe and is shown, never evaluated. Numbers and dates are written as numbers and
dates and are never touched.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import xlsxwriter
from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_ROWS = 100_000
# XlsxWriter options for every workbook: strings stay strings (no formulas, no hyperlinks made
# from user text), built in memory.
WORKBOOK_OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


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
    header: str
    kind: str = "text"  # text | money | date
    width: int = 14


def build_xlsx(*, title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]], sheet: str = "Sheet1") -> tuple[bytes, int]:
    """Write one sheet (a merged title row, a header, the rows); returns the file's bytes and
    the number of data rows."""
    buf = io.BytesIO()
    wb = new_workbook(buf)
    ws = wb.add_worksheet(sheet[:31])
    title_fmt = wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
    head_fmt = wb.add_format({"bold": True, "bg_color": "#F1F5FB", "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True})
    money_fmt = wb.add_format({"num_format": "#,##0.00##", "border": 1})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd", "border": 1})
    text_fmt = wb.add_format({"border": 1})
    ncols = len(columns)
    if ncols > 1:
        ws.merge_range(0, 0, 0, ncols - 1, neutralise(title), title_fmt)
    else:
        ws.write_string(0, 0, neutralise(title), title_fmt)
    ws.set_row(0, 28)
    for c, col in enumerate(columns):
        ws.write_string(1, c, neutralise(col.header), head_fmt)
        ws.set_column(c, c, col.width)
    ws.freeze_panes(2, 0)
    n = 0
    for r, row in enumerate(rows, start=2):
        if n >= MAX_ROWS:
            break
        for c, (col, value) in enumerate(zip(columns, row, strict=True)):
            if value is None or value == "":
                ws.write_blank(r, c, None, text_fmt)
            elif col.kind == "money" and isinstance(value, Decimal | int | float):
                ws.write_number(r, c, float(value), money_fmt)
            elif col.kind == "date" and isinstance(value, date | datetime):
                ws.write_datetime(r, c, excel_datetime(value), date_fmt)
            else:
                ws.write_string(r, c, neutralise(str(value)), text_fmt)
        n += 1
    wb.close()
    return buf.getvalue(), n


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A download: the UTF-8 file name for browsers, an ASCII fallback, never cached."""
    resp = HttpResponse(content, content_type=XLSX)
    ascii_name = filename.encode("ascii", "ignore").decode() or "export.xlsx"
    resp["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    resp["Cache-Control"] = "no-store"
    return resp
