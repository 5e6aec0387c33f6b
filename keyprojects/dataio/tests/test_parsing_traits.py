"""Smaller traits on files built in the test: CSV variants, headers without merge information,
group rows carrying subtotals, repeated headers, synonyms added by an administrator."""

from __future__ import annotations

import codecs
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from keyprojects.dataio.parsing import parse_file
from keyprojects.dataio.reader import UnreadableFile

D = Decimal


def xlsx(*sheets: tuple[str, list[list]], merges: dict[str, list[str]] | None = None) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(lines: list[str], encoding: str = "utf-8", sep: str = ",") -> bytes:
    text = "\r\n".join(line.replace(",", sep) for line in lines) + "\r\n"
    return text.encode(encoding)


HEADER = "序号,项目名称,建设单位,总投资（万元）,年度计划投资（万元）"
ROW = '1,山东极电电动电池总成项目,山东极电新能源科技有限公司,"12,000",3000'


@pytest.mark.parametrize(
    ("encoding", "sep", "bom"),
    [
        ("utf-8", ",", b""),
        ("utf-8", ",", codecs.BOM_UTF8),
        ("gbk", ",", b""),
        ("gb18030", ";", b""),
        ("utf-16-le", "\t", codecs.BOM_UTF16_LE),
    ],
)
def test_csv_encodings_and_separators(encoding, sep, bom):
    lines = [HEADER, ROW] if sep == "," else [HEADER, ROW.replace('"12,000"', "12000")]
    data = bom + csv_bytes(lines, encoding, sep)
    (res,) = parse_file(data, filename="清单.csv")
    assert res.sheet == "清单"
    assert res.rows[0].values["name"] == "山东极电电动电池总成项目"
    assert res.rows[0].values["total_investment"] == D("12000")


def test_csv_two_level_header_without_merge_information():
    data = csv_bytes(
        [
            "2024年重点项目表（1-6月）,,,,,,",
            "序号,项目名称,投资情况,,,建设年限,",
            ",,总投资,年度计划,1-6月累计,开工,竣工",
            "1,项目甲,1000,300,120,2024.03,2025.06",
        ]
    )
    (res,) = parse_file(data, filename="a.csv")
    assert res.header_rows == (2, 3)
    assert res.columns["total_investment"] == "投资情况/总投资"
    assert res.columns["annual_plan"] == "投资情况/年度计划"
    assert res.columns["invested_ytd"] == "投资情况/1-6月累计"
    assert res.columns["planned_completion"] == "建设年限/竣工"
    assert res.period == (2024, 6)
    v = res.rows[0].values
    assert (v["total_investment"], v["invested_ytd"], v["planned_completion"]) == (D("1000"), D("120"), dt.date(2025, 6, 1))


def test_units_from_header_line_and_cells():
    data = xlsx(
        (
            "Sheet1",
            [
                ["2024年重点项目"],
                ["金额单位：亿元"],
                ["项目名称", "总投资", "年度计划投资（万元）", "1-3月完成投资（元）"],
                ["项目甲", 3.5, 1000, 1234567],
            ],
        )
    )
    (res,) = parse_file(data, filename="a.xlsx")
    v = res.rows[0].values
    assert v["total_investment"] == D("35000")  # the sheet's 亿元
    assert v["annual_plan"] == D("1000")  # the header's 万元 wins
    assert v["invested_ytd"] == D("123.4567")  # 元 ÷ 10,000
    assert res.period == (2024, 3)


def test_group_rows_carrying_subtotals_and_top_subtotals():
    data = xlsx(
        (
            "Sheet1",
            [
                ["序号", "项目名称", "建设单位", "总投资（万元）"],
                ["一", "省级重点项目（2个）", None, 300],  # group row with its sum (agrees)
                [1, "项目甲", "甲公司", 100],
                [2, "项目乙", "乙公司", 200],
                ["二", "市级重点项目", None, 999],  # group row with a wrong sum
                ["小计", None, None, 50],  # a subtotal at the top of its group (agrees)
                [3, "项目丙", "丙公司", 50],
                ["三", "历下区"],  # a group naming a region
                [4, "项目丁", "丁公司", 10],
            ],
        )
    )
    (res,) = parse_file(data, filename="a.xlsx")
    assert [r.row for r in res.rows] == [3, 4, 7, 9]
    assert [r.group_level for r in res.rows] == ["province", "province", "city", None]
    assert res.rows[3].values["region_text"] == "历下区"
    assert [(t.row, t.covers) for t in res.totals] == [(2, (3, 4)), (5, (7, 7)), (6, (7, 7))]
    bad = [w for w in res.warnings if "不一致" in w.message]
    assert [(w.row, w.value) for w in bad] == [(5, "999")]


def test_repeated_header_and_a_project_named_like_a_group():
    data = xlsx(
        (
            "Sheet1",
            [
                ["序号", "项目名称", "建设单位", "总投资（万元）"],
                [1, "项目甲", "甲公司", 100],
                ["序号", "项目名称", "建设单位", "总投资（万元）"],  # printed page break
                [2, "一、二期扩建工程", "乙公司", 200],  # looks like a group but has an owner
                [3, "总部经济大楼", "丙公司", 300],  # starts like 总计, is not
            ],
        )
    )
    (res,) = parse_file(data, filename="a.xlsx")
    assert [r.values["name"] for r in res.rows] == ["项目甲", "一、二期扩建工程", "总部经济大楼"]
    assert res.totals == []


def test_duplicates_by_name_and_owner_and_across_sheets():
    data = xlsx(
        ("Sheet1", [["项目名称", "建设单位", "总投资"], ["项目甲", "甲公司", 1], ["项目 甲", "甲公司", 1], ["项目甲", "乙公司", 1]]),
        ("Sheet2", [["项目名称", "建设单位", "总投资"], ["项目甲", "乙公司", 1]]),
    )
    first, second = parse_file(data, filename="a.xlsx")
    assert [(e.row, e.message) for e in first.errors] == [(3, "与第 2 行重复（同一项目在文件中出现两次）")]
    assert [(e.sheet, e.row, e.message) for e in second.errors] == [
        ("Sheet2", 2, "与工作表“Sheet1”第 4 行重复（同一项目在文件中出现两次）")
    ]


def test_monthly_rows_of_one_project_are_not_duplicates():
    data = xlsx(("Sheet1", [["月份", "项目名称", "当月完成投资"], [1, "项目甲", 10], [2, "项目甲", 20]]))
    (res,) = parse_file(data, filename="a.xlsx")
    assert res.errors == []


def test_extra_synonyms_from_an_administrator():
    data = xlsx(("Sheet1", [["项目名儿", "投资盘子（亿元）", "项目类型"], ["项目甲", 2, "C36"]]))
    with pytest.raises(UnreadableFile):
        parse_file(data, filename="a.xlsx")  # nothing recognisable
    (res,) = parse_file(
        data,
        filename="a.xlsx",
        extra_synonyms={"项目名儿": "name", "投资盘子": "total_investment", "项目类型": "industry", "x": "no_such_field"},
    )
    v = res.rows[0].values
    assert (v["name"], v["total_investment"], v["industry"]) == ("项目甲", D("20000"), "36")


def test_doubtful_number_date_and_unit_slips():
    data = xlsx(
        (
            "Sheet1",
            [
                ["项目名称", "总投资（万元）", "年度计划投资（万元）", "计划开工"],
                ["项目甲", 1000, 2000, 2024.1],  # plan above total; 2024.10 stored as 2024.1
                ["项目乙", 500_000_000, None, 2024.03],  # 5 万亿: typed in 元
            ],
        )
    )
    (res,) = parse_file(data, filename="a.xlsx")
    assert res.rows[0].values["planned_start"] == dt.date(2024, 1, 1)
    assert res.rows[1].values["planned_start"] == dt.date(2024, 3, 1)
    w = {(i.row, i.column): i.message for i in res.warnings}
    assert "Excel 会把 2024.10 存成 2024.1" in w[(2, "计划开工")]
    assert "疑似单位填错" in w[(2, "年度计划投资（万元）")]
    assert "疑似按“元”填报" in w[(3, "总投资（万元）")]
    assert res.errors == []


def test_bad_integer_and_month_cells():
    data = xlsx(("Sheet1", [["年份", "月份", "项目名称", "当月完成投资"], [2024, 13, "项目甲", 1], ["二〇二四", 1, "项目乙", 1]]))
    (res,) = parse_file(data, filename="a.xlsx")
    assert [(e.row, e.column, e.message) for e in res.errors] == [(2, "月份", "月份应为 1–12"), (3, "年份", "应为整数")]


def test_cells_neutralised_by_an_export_read_as_typed():
    """Exports write text starting with = + - @ TAB CR with a leading "'" (core.xlsx); reading
    takes exactly that one "'" away again, and leaves any other apostrophe alone."""
    from keyprojects.core.xlsx import Column as XColumn
    from keyprojects.core.xlsx import build_xlsx

    names = ["=1+2项目", "+86热线项目", "-负号项目", "@提及项目", "'引号项目", "''=双引号项目", "普通项目"]
    columns = [XColumn("项目名称"), XColumn("存在问题"), XColumn("总投资（万元）", kind="money")]
    data, _n = build_xlsx(title="导出", columns=columns, rows=[[n, "=SUM(A1)不是公式", 10] for n in names])
    (res,) = parse_file(data, filename="导出.xlsx")
    assert [r.values["name"] for r in res.rows] == names  # "'引号项目" and "''=双引号项目" were never neutralised
    assert {r.values["problems"] for r in res.rows} == {"=SUM(A1)不是公式"}
    assert res.errors == []


def test_template_columns_no_activity_and_project_id():
    rows = [
        ["序号", "项目名称", "本月无进展", "无进展原因", "项目ID"],
        [1, "甲项目", "是", "等待规划许可", 12],
        [2, "乙项目", "否", None, 13],
        [3, "丙项目", "也许", None, 0],
        [4, "同名项目", None, None, 14],
        [5, "同名项目", None, None, 15],
    ]
    (res,) = parse_file(xlsx(("填报", rows)), filename="t.xlsx")
    v = [r.values for r in res.rows]
    assert (v[0]["no_activity"], v[0]["no_activity_reason"], v[0]["project_id"]) == ("是", "等待规划许可", 12)
    assert (v[1]["no_activity"], v[1]["project_id"]) == ("否", 13)
    # rows 5 and 6 name alike but carry two ids: two projects, not a duplicate
    assert [(i.row, i.message) for i in res.errors] == [(4, "项目ID应为正整数（请勿修改模板中的隐藏列）")]
    assert any("无法识别的本月无进展“也许”" in w.message for w in res.warnings)
