"""Speed sanity: 15,000 project rows (the whole province list). The issue's budget is for the
whole import: at most 4× the floor of reading the file with python-calamine and inserting the
rows with sqlite3 ``executemany``. Parsing should take a fraction of it; the figures are
printed (``pytest -s``), not asserted, so a busy machine does not fail the suite."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
import time
from decimal import Decimal

import python_calamine
import xlsxwriter

from keyprojects.core.validators import make_uscc
from keyprojects.dataio.parsing import parse_file

ROWS = 15_000
HEADER = [
    "序号",
    "项目名称",
    "项目代码",
    "建设单位",
    "统一社会信用代码",
    "建设地点",
    "建设性质",
    "项目类别",
    "总投资",
    "2024年计划投资",
    "6月完成投资",
    "1-6月累计完成投资",
    "计划开工",
    "计划竣工",
    "形象进度",
    "责任单位",
    "责任人",
    "联系电话",
    "存在问题",
    "项目级别",
]


def make_workbook() -> bytes:
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = wb.add_worksheet("项目清单")
    ws.merge_range(0, 0, 0, len(HEADER) - 1, "2024年全省重点项目建设进展情况表（1-6月）")
    ws.write(1, 0, "单位：万元")
    ws.write_row(2, 0, HEADER)
    date_format = wb.add_format({"num_format": "yyyy-mm-dd"})
    uscc = make_uscc("91370100MA3C00001")
    places, natures = ("青岛市黄岛区", "济南市历下区", "日照市岚山区"), ("续建", "新开工", "竣工投产")
    categories, levels = ("产业项目", "城建项目", "基础设施项目"), ("省级", "市级", "县级")
    for i in range(ROWS):
        r = i + 3
        ws.write_row(
            r,
            0,
            [
                i + 1,
                f"重点项目{i}号建设工程",
                f"2403-370102-04-01-{i:05d}0",
                f"山东某某建设有限公司{i % 500}",
                uscc,
                places[i % 3],
                natures[i % 3],
                categories[i % 3],
                12345.6 + i,
                3000,
                250.5,
                1500.25,
            ],
        )
        ws.write_datetime(r, 12, dt.datetime(2024, 3, 1), date_format)
        ws.write_row(r, 13, ["2026.12", "主体施工", f"市发改委{i % 20}", "张三", "13800000000", "无", levels[i % 3]])
    wb.close()
    return out.getvalue()


def floor(data: bytes) -> float:
    started = time.perf_counter()
    wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = wb.get_sheet_by_name("项目清单").to_python()
    con = sqlite3.connect(":memory:")
    columns = ", ".join(f"c{j}" for j in range(len(HEADER)))
    con.execute(f"create table t ({columns})")
    values = [[v if isinstance(v, (int, float, str)) else str(v) for v in row] for row in rows[3:]]
    marks = ", ".join("?" * len(HEADER))
    con.executemany(f"insert into t values ({marks})", values)
    con.commit()
    con.close()
    return time.perf_counter() - started


def test_parse_15000_rows():
    data = make_workbook()
    floors, parses = [], []
    for _ in range(2):
        floors.append(floor(data))
        started = time.perf_counter()
        (res,) = parse_file(data, filename="list.xlsx")
        parses.append(time.perf_counter() - started)
    best_floor, best_parse = min(floors), min(parses)
    ratio = best_parse / best_floor
    print(f"\n15,000 rows: parse_file {best_parse:.2f}s; floor (calamine + sqlite3) {best_floor:.2f}s; ratio {ratio:.1f}×")
    assert len(res.rows) == ROWS
    assert res.errors == []
    assert res.period == (2024, 6)
    assert res.rows[-1].values["total_investment"] == Decimal("12345.6") + ROWS - 1
    assert res.rows[0].values["level"] == "province"
