"""Reading like a person: each messy trait of domain.md §5 on a fixture (see make_fixtures.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from keyprojects.dataio.parsing import parse_file
from keyprojects.dataio.reader import UnreadableFile
from keyprojects.dataio.types import ParseResult

FILES = Path(__file__).resolve().parent / "files"
D = Decimal


def parse(name: str, **kwargs) -> list[ParseResult]:
    return parse_file(FILES / name, filename=name, **kwargs)


def by_row(result: ParseResult) -> dict:
    return {r.row: r for r in result.rows}


def messages(issues) -> list[tuple]:
    return [(i.row, i.column, i.value, i.message) for i in issues]


# ---------------------------------------------------------------------------------------------
# messy_list.xlsx: title lines, unit line, two-level merged header, groups, totals, footers


@pytest.fixture(scope="module")
def messy() -> ParseResult:
    (res,) = parse("messy_list.xlsx")
    return res


def test_header_found_below_title_lines_with_two_merged_levels(messy):
    assert messy.sheet == "重点项目"
    assert messy.header_rows == (4, 5)
    assert messy.title == "2024年XX市重点项目建设进展情况表（1-6月）"
    assert messy.columns["name"] == "项目名称"  # merged down over both header rows
    assert messy.columns["total_investment"] == "投资情况/总投资"  # merged parent across four columns
    assert messy.columns["invested_ytd"] == "投资情况/1-6月累计完成投资"
    assert messy.columns["planned_start"] == "建设年限/开工"
    assert messy.columns["planned_completion"] == "建设年限/竣工"
    assert messy.unmapped_columns == []


def test_period_from_the_headers(messy):
    assert messy.period == (2024, 6)


def test_only_project_rows_are_read(messy):
    # 合计 (6), group rows (7, 8, 12, 15), blank (11), 小计 (14), 其中 (17), footers (19, 20) skipped
    assert [r.row for r in messy.rows] == [9, 10, 13, 16]
    assert messy.errors == []


def test_group_rows_set_level_and_category(messy):
    rows = by_row(messy)
    assert (rows[9].group_level, rows[9].group_category) == ("province", "industry")
    assert (rows[13].group_level, rows[13].group_category) == ("province", "urban")
    assert (rows[16].group_level, rows[16].group_category) == ("city", None)


def test_numbers_as_people_write_them(messy):
    rows = by_row(messy)
    assert rows[9].values["total_investment"] == D("150000")
    assert rows[10].values["total_investment"] == D("35000")  # "３５,０００": full-width, thousands separator
    assert rows[10].values["annual_plan"] == D("8000.5")  # "8,000.5"
    assert "invested_month" not in rows[10].values  # "—" is empty
    assert "problems" not in rows[9].values  # "/" is empty
    assert rows[16].values["total_investment"] == D("5000")  # "0.5亿元": the cell's own unit wins
    assert rows[10].values["project_code"] == "2401-371103-04-01-654321"  # full-width digits and dashes
    assert rows[10].cells["total_investment"] == ("投资情况/总投资", "３５,０００")


def test_dates_in_every_shape(messy):
    rows = by_row(messy)
    assert rows[9].values["planned_start"] == dt.date(2023, 3, 1)  # a date cell
    assert rows[9].values["planned_completion"] == dt.date(2025, 12, 1)  # "2025.12"
    assert rows[10].values["planned_start"] == dt.date(2024, 3, 1)  # "2024.03"
    assert rows[10].values["planned_completion"] == dt.date(2026, 12, 1)  # "2026年12月"
    assert rows[13].values["planned_start"] == dt.date(2024, 3, 1)  # Excel serial 45352
    assert rows[13].values["planned_completion"] == dt.date(2024, 12, 31)  # ISO
    assert rows[16].values["planned_start"] == dt.date(2024, 3, 1)  # "2024年3月"
    assert rows[16].values["planned_completion"] == dt.date(2027, 12, 1)  # a bare year, as a completion


def test_percentages_as_fractions_or_with_a_sign(messy):
    rows = by_row(messy)
    assert rows[9].values["completion_rate"] == D("45")  # 0.45
    assert rows[10].values["completion_rate"] == D("25.5")  # "25.5%"
    assert rows[13].values["completion_rate"] == D("30.9")  # 0.309


def test_classification_values_mapped_or_kept_with_a_warning(messy):
    rows = by_row(messy)
    assert rows[9].values["nature"] == "continuing"
    assert rows[10].values["nature"] == "new"
    assert rows[10].values["category"] == "industry"  # "产业"
    assert rows[13].values["category"] == "urban"  # "城建"
    assert rows[16].values["category"] == "文旅项目"
    assert (16, "项目类别", "文旅项目", "无法识别的项目类别“文旅项目”，按原文保留") in messages(messy.warnings)


def test_declared_totals_checked_against_their_rows(messy):
    total, subtotal = messy.totals
    assert (total.row, total.label, total.covers) == (6, "合计", (9, 16))
    assert (subtotal.row, subtotal.label, subtotal.covers) == (14, "小计", (13, 13))
    mismatches = [w for w in messy.warnings if "不一致" in w.message]
    assert len(mismatches) == 1  # the 合计's 总投资 is 5000 too much; the 小计 agrees
    (w,) = mismatches
    assert (w.row, w.column, w.value) == (6, "投资情况/总投资", "222845.6")
    assert "217845.6" in w.message and "相差 5000" in w.message


def test_period_argument_wins_with_a_warning_when_the_file_says_otherwise():
    (res,) = parse("messy_list.xlsx", period=(2024, 5))
    assert res.period == (2024, 5)
    assert any("与指定的 2024年5月 不一致" in w.message for w in res.warnings)


# ---------------------------------------------------------------------------------------------
# errors.xlsx: every blocking error located like a person finds it


def test_every_error_with_sheet_row_column_value_and_message():
    (res,) = parse("errors.xlsx")
    assert {e.sheet for e in res.errors} == {"Sheet1"}
    assert messages(res.errors) == [
        (3, "总投资（万元）", "约500", "不是有效的金额（应为数字，单位万元）"),
        (4, "总投资（万元）", "-100", "金额不能为负数"),
        (5, "计划开工", "2024.13", "日期不存在：没有 13 月"),
        (6, "统一社会信用代码", "91110000600037341A", "统一社会信用代码校验位错误，请核对"),
        (
            7,
            "项目代码",
            "2403-370102-04-01-12345",
            "项目代码格式不正确，应为 YYMM-行政区划6位-部门2位-类型2位-6位（如 2403-370102-04-01-123456）",
        ),
        (8, "项目名称", "", "项目名称为空"),
        (9, "项目代码", "2403-370102-04-01-123456", "与第 2 行重复（同一项目在文件中出现两次）"),
        (10, "1-6月累计完成投资（万元）", "600", "本年累计完成投资大于总投资（500 万元）"),
        (13, "计划开工", "2024-02-30", "日期不存在：2024年2月没有 30 日"),
    ]
    as_dict = res.errors[0].as_dict()
    assert set(as_dict) == {"sheet", "row", "column", "value", "message"}


def test_warnings_do_not_block():
    (res,) = parse("errors.xlsx")
    warnings = messages(res.warnings)
    assert (11, "总投资（万元）", "3.5", "总投资不足 100 万元，疑似按“亿元”填报（本表单位为万元）") in warnings
    assert (12, "项目级别", "国家级", "无法识别的项目级别“国家级”，按原文保留") in warnings
    assert by_row(res)[12].values["level"] == "国家级"
    # "1-6月" in a header but no year anywhere: the most recent June not in the future, stated
    today = timezone.localdate()
    assert res.period == (today.year if today.month >= 6 else today.year - 1, 6)
    assert any("未注明年份" in w.message for w in res.warnings)
    (res2,) = parse("errors.xlsx", period=(2024, 6))
    assert res2.period == (2024, 6)
    assert not any("未注明年份" in w.message or "不一致" in w.message for w in res2.warnings)


# ---------------------------------------------------------------------------------------------
# dispatch_gbk.csv: a CSV saved by Excel in GBK, the second header of domain.md §5


def test_gbk_csv_dispatch_table():
    (res,) = parse("dispatch_gbk.csv")
    assert res.header_rows == (3,)
    assert res.period == (2024, 6)  # from the title "2024年6月…"
    assert res.columns["invested_ytd"] == "当月至今已完成"
    assert res.columns["started"] == "是否开工"
    assert [r.row for r in res.rows] == [4, 5, 6]  # the blank line and the footer are skipped
    rows = by_row(res)
    assert rows[4].values["annual_plan"] == D("20000")  # "20,000"
    assert rows[4].values["month"] == 6
    assert rows[4].values["started"] == "是"
    assert rows[6].values["started"] == "否"
    assert rows[6].values["annual_plan"] == D("8000")  # "８０００"
    assert "invested_month" not in rows[6].values  # "—"
    assert rows[5].values["completion_rate"] == D("46.67")
    assert rows[5].values["physical_progress"] == "厂房完成80%"
    assert res.errors == []


# ---------------------------------------------------------------------------------------------
# legacy_wps.xls: BIFF8 as WPS saves it, the third header of domain.md §5


def test_legacy_xls():
    (res,) = parse("legacy_wps.xls")
    assert res.sheet == "2024年调度"
    assert res.header_rows == (2,)
    assert res.title == "2024年XX区重点项目推进情况（1-12月）"
    assert res.columns["annual_plan"] == "2024年度计划投资(万元)"
    assert res.columns["invested_month"] == "6月完成投资(万元)"
    assert res.columns["invested_ytd"] == "2024年1-12月累计完成投资(万元)"
    assert res.columns["sponsor_leader"] == "服务队长"
    assert res.columns["industry"] == "产业类别"
    assert res.period == (2024, 12)
    assert any("表头月份（6月）与累计列（1-12月）不一致" in w.message for w in res.warnings)
    rows = by_row(res)
    assert [r.row for r in res.rows] == [4, 6]
    # group rows "一、新开工项目" / "二、续建项目" give the nature
    assert rows[4].values["nature"] == "new"
    assert rows[4].cells["nature"] == ("分组行", "一、新开工项目")
    assert rows[6].values["nature"] == "continuing"
    assert rows[4].values["completion_rate"] == D("103.33")
    assert rows[6].values["total_investment"] == D("1200000")
    assert not any("不一致" in w.message and w.row == 7 for w in res.warnings)  # the 合计 agrees
    assert res.totals[0].covers == (4, 6)
    assert res.errors == []


# ---------------------------------------------------------------------------------------------
# table4_yiyuan.ods: 总投资（亿元）, 项目工期 ranges, an ODS merged title


def test_ods_with_yiyuan_and_period_ranges():
    (res,) = parse("table4_yiyuan.ods")
    assert res.header_rows == (2,)
    assert res.title == "2024年重点项目推进表（1-6月）"
    assert res.period == (2024, 6)  # the YTD header has no months: the title's "（1-6月）"
    rows = by_row(res)
    assert rows[3].values["total_investment"] == D("35000")  # 3.5 亿元
    assert rows[4].values["total_investment"] == D("122500")  # 12.25 亿元
    assert rows[3].values["planned_start"] == dt.date(2023, 3, 1)
    assert rows[3].values["planned_completion"] == dt.date(2025, 12, 1)
    assert rows[4].values["planned_start"] == dt.date(2024, 3, 1)  # "2024年3月—2026年12月"
    assert rows[4].values["planned_completion"] == dt.date(2026, 12, 1)
    assert rows[3].values["period_range"] == "2023.03-2025.12"
    assert rows[3].values["category"] == "industry"
    assert rows[4].values["category"] == "infrastructure"
    assert rows[3].values["completion_rate"] == D("46.7")
    assert res.errors == []


# ---------------------------------------------------------------------------------------------
# project_cards.xlsx: the project-card fields as columns


def test_project_card_fields():
    (res,) = parse("project_cards.xlsx")
    assert set(res.columns) == {
        "name",
        "location",
        "content",
        "nature",
        "level",
        "industry",
        "region_text",
        "sponsor_leader",
        "period_range",
        "total_investment",
        "responsible_unit",
        "responsible_person",
        "contact_name",
        "contact_phone",
        "owner_name",
    }
    rows = by_row(res)
    assert rows[2].values["industry"] == "36"  # "C36 汽车制造业": a GB/T 4754 division
    assert rows[3].values["industry"] == "45"  # "燃气生产和供应业"
    assert rows[4].values["industry"] == "新能源装备"
    assert any(w.row == 4 and w.value == "新能源装备" for w in res.warnings)
    assert rows[2].values["contact_phone"] == "13800000000"  # a number cell
    assert rows[4].values["contact_phone"] == "13900000000"  # full-width digits
    assert rows[2].values["content"] == "年产新能源乘用车24万辆\n及配套零部件"  # multi-line kept
    assert rows[2].values["planned_start"] == dt.date(2023, 1, 1)  # "2023-2025"
    assert rows[2].values["planned_completion"] == dt.date(2025, 12, 1)
    assert rows[3].values["planned_completion"] == dt.date(2024, 10, 1)  # "2021.06—2024.10"
    assert rows[2].values["level"] == "province"
    assert rows[4].values["level"] == "city"
    assert rows[3].values["nature"] == "completing"
    assert rows[2].values["location"] == "济南新旧动能转换起步区"


# ---------------------------------------------------------------------------------------------
# multi_sheet.xlsx: several sheets, hidden and notes sheets, levels from sheet names


def test_every_visible_sheet_with_a_header():
    results = parse("multi_sheet.xlsx")
    assert [r.sheet for r in results] == ["省级重点项目", "市级重点项目", "月度"]
    prov, city, monthly = results
    assert prov.rows[0].group_level == "province"
    assert prov.rows[0].values["total_investment"] == D("521000")  # 52.1 亿元
    assert city.title == "2024年市级重点项目"
    assert city.rows[0].group_level == "city"
    # the same project on the province and the city list is not a duplicate
    assert prov.errors == [] and city.errors == []
    assert monthly.columns["completion_rate"] == "占年计划（%）"
    assert monthly.unmapped_columns == ["计划完成投资（万元）", "占总投资（%）"]
    assert [(r.values["year"], r.values["month"], r.values["invested_ytd"]) for r in monthly.rows] == [
        (2024, 1, D("900")),
        (2024, 2, D("2000")),
    ]
    assert monthly.rows[0].values["completion_rate"] == D("4.5")
    assert any("没有“项目名称”或“项目代码”列" in w.message for w in monthly.warnings)


def test_named_sheet_even_hidden():
    (res,) = parse("multi_sheet.xlsx", sheet="字典")
    assert res.rows[0].values["name"] == "示例"


def test_named_sheet_missing_or_without_header():
    with pytest.raises(UnreadableFile) as exc:
        parse("multi_sheet.xlsx", sheet="不存在")
    assert exc.value.code == "sheet_not_found"
    assert "省级重点项目" in exc.value.message
    with pytest.raises(UnreadableFile) as exc:
        parse("multi_sheet.xlsx", sheet="说明")
    assert exc.value.code == "no_header"


# ---------------------------------------------------------------------------------------------
# Repeated cells: each column remembers what its texts read as; what is said per row still is


@pytest.mark.parametrize("memo_limit", [4096, 1])
def test_repeated_cells_read_the_same_and_keep_their_per_row_effects(monkeypatch, memo_limit):
    from keyprojects.dataio import cells

    monkeypatch.setattr(cells, "MEMO_LIMIT", memo_limit)
    lines = ["项目名称,项目类别,建设性质,总投资（万元）,计划开工,形象进度,项目级别"]
    for i in range(6):
        lines.append(f"项目{i},产业项目,其他类,1200,2024.03,60%,{'省级' if i % 2 else '国家级'}")
    (res,) = parse_file("\n".join(lines).encode("utf-8"), filename="重复.csv")
    assert [r.values["name"] for r in res.rows] == [f"项目{i}" for i in range(6)]
    for r in res.rows:
        assert r.values["category"] == "industry" and r.values["total_investment"] == D("1200")
        assert r.values["planned_start"] == dt.date(2024, 3, 1)
        assert r.values["physical_progress_pct"] == D("60") and r.cells["physical_progress_pct"][1] == "60%"
        assert r.cells["category"] == ("项目类别", "产业项目")
    # an unmapped value is counted on every row it appears in
    unmapped = [w for w in res.warnings if w.value in ("其他类", "国家级")]
    assert {(w.value, w.message.endswith("（共 6 行）") or w.message.endswith("（共 3 行）")) for w in unmapped} == {
        ("其他类", True),
        ("国家级", True),
    }
    assert [r.values["nature"] for r in res.rows] == ["其他类"] * 6


# ---------------------------------------------------------------------------------------------
# Progress: the rows read, reported per block of rows (a large upload's job page shows it)


def _sheets_workbook(sizes: dict[str, int]) -> bytes:
    """Sheets of project rows under group rows, each group closed by a 小计 (so groups and
    subtotals straddle the blocks the parser reports by)."""
    import io

    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    for name, n in sizes.items():
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, ["2024年重点项目表（1-6月）"])
        ws.write_row(1, 0, ["序号", "项目名称", "建设性质", "总投资（万元）", "1-6月累计完成投资（万元）"])
        r = 2
        for i in range(n):
            if i % 170 == 0:
                ws.write_row(r, 0, ["一" if i % 340 == 0 else "二", "产业项目" if i % 340 == 0 else "城建项目"])
                r += 1
            ws.write_row(r, 0, [i + 1, f"{name}项目{i:05d}", ("续建", "新开工", "竣工投产")[i % 3], 1000 + i, 10 + i % 7])
            r += 1
            if i % 170 == 169:
                ws.write_row(r, 0, ["", "小计", "", 170 * 1000, 0])
                r += 1
    wb.close()
    return buf.getvalue()


def test_progress_reports_the_rows_per_block_and_changes_nothing(monkeypatch):
    from keyprojects.dataio import parsing

    data = _sheets_workbook({"省级": 1300, "市级": 700})
    calls: list[tuple[int, int]] = []
    reported = parse_file(data, filename="两表.xlsx", progress=lambda done, total: calls.append((done, total)))
    total = calls[-1][1]
    sheets = [len(s.rows) for s in parsing.read_sheets(data, filename="两表.xlsx")]
    assert total == sum(sheets) and all(t == total for _, t in calls)
    done = [d for d, _ in calls]
    assert done[0] == 0 and done[-1] == total and done == sorted(done)
    # a call per block of PROGRESS_ROWS rows (none per row), the second sheet after the first
    assert len(calls) <= total // parsing.PROGRESS_ROWS + 2 * len(sheets) + 2
    assert len([d for d in done if 0 < d < sheets[0]]) >= 3 and len([d for d in done if sheets[0] < d < total]) >= 2
    # the same results as without progress, and as one block (the loop before blocks) or tiny ones
    assert reported == parse_file(data, filename="两表.xlsx")
    monkeypatch.setattr(parsing, "PROGRESS_ROWS", 10**9)
    assert reported == parse_file(data, filename="两表.xlsx")
    monkeypatch.setattr(parsing, "PROGRESS_ROWS", 7)
    assert reported == parse_file(data, filename="两表.xlsx", progress=lambda d, t: None)
    assert [len(r.rows) for r in reported] == [1300, 700] and len(reported[0].totals) == 1300 // 170
    # a sheet without a header still counts its rows as read
    calls.clear()
    assert [r.sheet for r in parse("multi_sheet.xlsx", progress=lambda done, total: calls.append((done, total)))] == [
        "省级重点项目",
        "市级重点项目",
        "月度",
    ]
    read = parsing.read_sheets(FILES / "multi_sheet.xlsx", filename="multi_sheet.xlsx")
    assert "说明" in [s.name for s in read] and calls[-1][0] == calls[-1][1] == sum(len(s.rows) for s in read)
