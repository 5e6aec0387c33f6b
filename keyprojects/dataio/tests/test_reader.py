"""Reading bytes into rows, and refusing hostile files before any parser sees them
(reliability.md 7: size and row caps, zip entry count and uncompressed size, XML entities,
macros, no temporary files)."""

from __future__ import annotations

import io
import os
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from keyprojects.core.errors import ApplicationError
from keyprojects.dataio.parsing import parse_file
from keyprojects.dataio.reader import UnreadableFile, UnsafeFile, read_sheets

FILES = Path(__file__).resolve().parent / "files"


def small_xlsx(rows: list[list] | None = None, cells: dict[str, object] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    for row in rows if rows is not None else [["项目名称", "总投资（万元）"], ["项目甲", 100]]:
        ws.append(row)
    for ref, value in (cells or {}).items():
        ws[ref] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rezip(data: bytes, *, add: dict[str, bytes] | None = None, replace: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = (replace or {}).get(info.filename, src.read(info.filename))
            ni = zipfile.ZipInfo(info.filename, info.date_time)
            ni.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(ni, body)
        for name, body in (add or {}).items():
            ni = zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0))
            ni.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(ni, body)
    return out.getvalue()


def refused(data: bytes, filename: str, code: str) -> UnsafeFile:
    started = time.monotonic()
    with pytest.raises(UnsafeFile) as exc:
        parse_file(data, filename=filename)
    assert time.monotonic() - started < 5, "refusing must be quick"
    err = exc.value
    assert err.code == code, (err.code, err.message)
    assert isinstance(err, ApplicationError)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err.message)  # a Chinese message
    return err


@pytest.fixture
def limits(settings):
    def set_limits(**kwargs):
        settings.DATAIO_LIMITS = kwargs

    return set_limits


# ---------------------------------------------------------------------------------------------
# Formats


def test_offsets_follow_excel_numbering():
    sheet = read_sheets(small_xlsx(rows=[], cells={"C3": "项目名称", "D3": "总投资", "C4": "项目甲", "D4": 1}), filename="a.xlsx")[0]
    assert (sheet.first_row, sheet.first_col) == (3, 2)
    assert sheet.rows == [["项目名称", "总投资"], ["项目甲", 1.0]]
    (res,) = parse_file(small_xlsx(rows=[], cells={"C3": "项目名称", "D3": "总投资", "C4": "项目甲", "D4": 1}), filename="a.xlsx")
    assert res.header_rows == (3,) and res.rows[0].row == 4


def test_each_format_and_its_merges():
    xls = read_sheets(FILES / "legacy_wps.xls", filename="legacy_wps.xls")[0]
    assert (0, 0, 0, 10) in xls.merged and xls.kind == "xls"
    ods = read_sheets(FILES / "table4_yiyuan.ods", filename="table4_yiyuan.ods")[0]
    assert ods.merged == [(0, 0, 0, 10)] and ods.kind == "ods"
    assert len(ods.rows) == 4  # LibreOffice's million padding rows are empty
    csv = read_sheets(FILES / "dispatch_gbk.csv", filename="dispatch_gbk.csv")[0]
    assert csv.merged is None and csv.rows[2][0] == "月份"


def test_sources_path_bytes_and_file_objects():
    data = (FILES / "errors.xlsx").read_bytes()
    for source in (FILES / "errors.xlsx", str(FILES / "errors.xlsx"), data, io.BytesIO(data)):
        assert len(parse_file(source, filename="errors.xlsx")[0].rows) == 12


def test_no_temporary_files(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    for name in ("messy_list.xlsx", "legacy_wps.xls", "table4_yiyuan.ods", "dispatch_gbk.csv"):
        parse_file(FILES / name, filename=name)
    with pytest.raises(UnsafeFile):
        parse_file(small_xlsx(cells={"XFD1048576": "x"}), filename="a.xlsx")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    ("data", "filename", "code"),
    [
        (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "export.xls", "wrong_format"),
        (b"\x00\x01garbage", "a.xlsx", "wrong_format"),
        (b"", "a.xlsx", "empty_file"),
        (b"PK\x03\x04" + b"\x00" * 60, "a.xlsx", "corrupt"),
        (b"\x81\x20\x81\x20", "a.csv", "encoding"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "a.xls", "corrupt"),
    ],
)
def test_broken_or_disguised_files(data, filename, code):
    err = refused(data, filename, code)
    assert isinstance(err, UnreadableFile)


def test_unsupported_extension():
    err = refused(b"%PDF-1.7", "a.pdf", "unsupported_format")
    assert "请上传 .xlsx、.xls、.ods 或 .csv 文件" in err.message


def test_zip_named_csv_and_binary_csv():
    refused(small_xlsx(), "a.csv", "wrong_extension")
    refused(b"a,b\n\x00\x00", "a.csv", "wrong_format")


def test_header_not_found_anywhere():
    err = refused(small_xlsx(rows=[["这是一份说明"], ["没有表头"]]), "a.xlsx", "no_header")
    assert "表头" in err.message


# ---------------------------------------------------------------------------------------------
# Hostile files


def test_oversized_file(limits, tmp_path):
    limits(max_bytes=10_000)
    data = (FILES / "messy_list.xlsx").read_bytes() + b"\x00" * 10_000
    refused(data, "a.xlsx", "too_large")
    path = tmp_path / "big.xlsx"
    path.write_bytes(data)
    with pytest.raises(UnsafeFile) as exc:
        parse_file(path, filename="big.xlsx")
    assert exc.value.code == "too_large"
    with pytest.raises(UnsafeFile):
        parse_file(io.BytesIO(data), filename="big.xlsx")


def test_zip_bomb_by_declared_size(limits):
    limits(max_uncompressed=2 * 1024 * 1024)
    data = rezip(small_xlsx(), add={"xl/media/pad.bin": b"\x00" * (3 * 1024 * 1024)})
    assert len(data) < 50_000
    err = refused(data, "a.xlsx", "zip_bomb")
    assert "压缩炸弹" in err.message


def test_zip_bomb_with_lying_sizes():
    """Entry headers claim 100 bytes; the stream inflates to 3 MB. We never trust the claim."""
    name = b"xl/media/pad.bin"
    data = bytearray(rezip(small_xlsx(), add={name.decode(): b"\x00" * (3 * 1024 * 1024)}))
    pos = data.find(b"PK\x03\x04")  # patch the local header …
    while pos != -1:
        if data[pos + 30 : pos + 30 + len(name)] == name:
            data[pos + 22 : pos + 26] = (100).to_bytes(4, "little")
        pos = data.find(b"PK\x03\x04", pos + 4)
    pos = data.find(b"PK\x01\x02")  # … and the central directory
    while pos != -1:
        if data[pos + 46 : pos + 46 + len(name)] == name:
            data[pos + 24 : pos + 28] = (100).to_bytes(4, "little")
        pos = data.find(b"PK\x01\x02", pos + 4)
    refused(bytes(data), "a.xlsx", "corrupt")


def test_too_many_zip_entries(limits):
    limits(max_zip_entries=20)
    data = rezip(small_xlsx(), add={f"xl/media/{i}.txt": b"x" for i in range(30)})
    refused(data, "a.xlsx", "zip_entries")


def test_encrypted_entries():
    data = bytearray(rezip(small_xlsx(), add={"xl/media/secret.bin": b"x"}))
    pos = data.find(b"PK\x01\x02")  # set the "encrypted" bit in every central directory entry
    while pos != -1:
        data[pos + 8] |= 0x1
        pos = data.find(b"PK\x01\x02", pos + 4)
    refused(bytes(data), "a.xlsx", "encrypted")


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10 if i > 1 else b"&lol;" * 10) for i in range(1, 10))
    + b"]>"
)


def test_billion_laughs_in_sheet_xml():
    data = small_xlsx()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    body = (sheet.split(b"?>", 1)[1] if sheet.startswith(b"<?xml") else sheet).replace(b"\xe9\xa1\xb9\xe7\x9b\xae\xe7\x94\xb2", b"&lol9;")
    hostile = rezip(data, replace={"xl/worksheets/sheet1.xml": LAUGHS + body})
    refused(hostile, "a.xlsx", "xml_entities")
    # the declaration hidden after 100 KB of comment is found too
    padded = b'<?xml version="1.0"?><!--' + b" " * 100_000 + b"-->" + LAUGHS[21:] + body
    refused(rezip(data, replace={"xl/worksheets/sheet1.xml": padded}), "a.xlsx", "xml_entities")


def _ods(content: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>',
        )
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        for name, body in (extra or {}).items():
            z.writestr(name, body)
    return out.getvalue()


ODS_NS = (
    b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def _ods_content(rows: bytes) -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        + ODS_NS
        + b'><office:body><office:spreadsheet><table:table table:name="S">'
        + rows
        + b"</table:table></office:spreadsheet></office:body></office:document-content>"
    )


HEADER_ROW = (
    b'<table:table-row><table:table-cell office:value-type="string"><text:p>\xe9\xa1\xb9\xe7\x9b\xae\xe5\x90\x8d\xe7\xa7\xb0</text:p>'
    b'</table:table-cell><table:table-cell office:value-type="string"><text:p>\xe6\x80\xbb\xe6\x8a\x95\xe8\xb5\x84</text:p>'
    b"</table:table-cell></table:table-row>"
)


def test_ods_entities_and_repeat_bombs():
    content = _ods_content(HEADER_ROW)
    assert parse_file(_ods(content), filename="a.ods")[0].columns == {"name": "项目名称", "total_investment": "总投资"}
    refused(_ods(LAUGHS + content.split(b"?>", 1)[1]), "a.ods", "xml_entities")
    bomb = (
        b'<table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="16000"'
        b' office:value-type="float" office:value="1"/></table:table-row>'
    )
    refused(_ods(_ods_content(HEADER_ROW + bomb)), "a.ods", "too_many_rows")


def test_cell_far_away_is_refused_before_allocation():
    """calamine allocates the whole rectangle: one cell at XFD1048576 in a 9 KB file asks for
    500 GB and aborts the process. The extent scan refuses it first."""
    refused(small_xlsx(cells={"XFD1048576": "x"}), "a.xlsx", "too_many_rows")
    refused(small_xlsx(cells={"XFD1": "x"}), "a.xlsx", "too_many_columns")
    refused((FILES / "hostile_far_cell.xls").read_bytes(), "a.xls", "too_many_rows")


def test_row_and_cell_caps(limits):
    rows = [["项目名称", "总投资"]] + [[f"项目{i}", i] for i in range(150)]
    limits(max_rows=100)
    refused(small_xlsx(rows=rows), "a.xlsx", "too_many_rows")
    refused(("\n".join(f"项目{i},{i}" for i in range(150))).encode(), "a.csv", "too_many_rows")
    limits(max_cells=200)
    refused(small_xlsx(rows=rows), "a.xlsx", "too_many_cells")
    refused(("\n".join(f"项目{i},{i}" for i in range(150))).encode(), "a.csv", "too_many_cells")


@pytest.mark.parametrize("filename", ["a.xlsm", "a.XLSM", "a.xltm", "a.xlam"])
def test_macro_extensions(filename):
    refused(small_xlsx(), filename, "macro")


def test_macros_inside_files_named_innocently():
    data = small_xlsx()
    refused(rezip(data, add={"xl/vbaProject.bin": b"\x00" * 100}), "a.xlsx", "macro")
    refused(rezip(data, add={"xl/macrosheets/sheet1.xml": b"<xm/>"}), "a.xlsx", "macro")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        types = z.read("[Content_Types].xml")
    macro_types = types.replace(b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")
    refused(rezip(data, replace={"[Content_Types].xml": macro_types}), "a.xlsx", "macro")
    refused(_ods(_ods_content(HEADER_ROW), {"Basic/Standard/Module1.xml": b"<x/>"}), "a.ods", "macro")
    assert parse_file(_ods(_ods_content(HEADER_ROW), {"Basic/Standard/script-lb.xml": b"<x/>"}), filename="a.ods")


def _rename_cfb_entry(data: bytes, index: int, new: str) -> bytes:
    """Rename directory entry ``index`` of a compound file (made a stream if it was unused)."""
    buf = bytearray(data)
    first_dir = int.from_bytes(buf[0x30:0x34], "little")
    pos = (first_dir + 1) * 512 + index * 128
    buf[pos : pos + 64] = (new.encode("utf-16-le") + b"\x00\x00").ljust(64, b"\x00")
    buf[pos + 0x40 : pos + 0x42] = ((len(new) + 1) * 2).to_bytes(2, "little")
    if buf[pos + 0x42] == 0:
        buf[pos + 0x42] = 2
    return bytes(buf)


def test_xls_with_vba_or_encryption():
    data = (FILES / "legacy_wps.xls").read_bytes()
    refused(_rename_cfb_entry(data, 2, "_VBA_PROJECT_CUR"), "a.xls", "macro")
    refused(_rename_cfb_entry(data, 3, "EncryptedPackage"), "a.xls", "encrypted")
    refused(_rename_cfb_entry(data, 1, "WordDocument"), "a.xls", "wrong_format")


def test_xlsb_refused():
    refused(small_xlsx(), "a.xlsb", "unsupported_format")
