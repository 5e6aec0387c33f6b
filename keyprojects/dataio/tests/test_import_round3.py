"""Issue 13 (spreadsheets as offices send them), third trial: 淄博's lists as printed — the stored
rows a person reading each table would expect, and the rows they would refuse."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from keyprojects.dataio.services import import_file
from keyprojects.projects.models import Project

D = Decimal
FILES = Path(__file__).resolve().parent / "files"


def imported(name: str, **kw):
    return import_file(user=None, data=(FILES / name).read_bytes(), filename=name, **kw)


def stored(prefix: str) -> dict[str, tuple]:
    return {
        p.name: (p.region_id, p.project_code, p.nature, p.stage, p.total_investment, [(y.year, y.annual_plan) for y in p.years.all()])
        for p in Project.objects.filter(name__startswith=prefix).prefetch_related("years")
    }


def test_city_list_as_printed(world):
    """The 区县 cell merged across the repeated header of a page break; the hidden 2023 plan
    column is not the 2024 list's plan; 亿元 on the header's second line; 项目代码 written with
    full-width hyphens or with spaces."""
    out = imported("round3_zibo_list.xlsx", region="370300")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    assert stored("R3") == {
        "R3齐鲁化工新材料项目": ("370303", "2401-370303-04-01-123456", "continuing", "construction", D("125000"), [(2024, D("30000"))]),
        "R3张店智慧城市项目": ("370303", "2402-370303-04-01-234567", "new", "preparation", D("32000"), [(2024, D("8000"))]),
        "R3张店医院项目": ("370303", None, "completing", "production", D("50000"), [(2024, D("6000"))]),
        "R3淄川陶瓷项目": ("370302", None, "new", "preparation", D("40000"), [(2024, D("5000"))]),
        "R3淄川物流项目": ("370302", None, "continuing", "construction", D("20000"), [(2024, D("2000"))]),
    }
    p = Project.objects.get(name="R3淄川物流项目")
    assert (str(p.planned_start), str(p.planned_completion)) == ("2023-03-01", "2025-12-01")
    messages = [(w.column, w.message) for w in out.warnings]
    # the column not read is named without its line break, prominently; the 合计 agrees (no warning)
    unread = "【请注意】金额列“2023年计划投资（万元）”未能对应到任何字段，该列数据没有导入，请核对表头（或由管理员添加表头同义词）"
    assert ("2023年计划投资（万元）", unread) in messages
    assert not any("不一致" in m for _c, m in messages), messages


def test_plan_column_of_the_latest_year_without_a_year_in_the_title(world):
    """Without a year in the title or sheet name, of two plan columns the later year's is the plan."""
    import io

    from openpyxl import load_workbook

    wb = load_workbook(FILES / "round3_zibo_list.xlsx")
    wb.active["A1"] = "淄博市市级重点项目名单"
    buf = io.BytesIO()
    wb.save(buf)
    out = import_file(user=None, data=buf.getvalue(), filename="x.xlsx", region="370300", dry_run=True)
    assert out.errors == [], [e.as_dict() for e in out.errors]
    assert out.totals["annual_plan"] == "51000.0000"


def test_groups_with_counts_and_subtotals_and_a_unit_of_another_city(world):
    """ "一、张店区（３个）" groups with a 小计 after each and a 合计 on top; a 责任单位 naming a county
    of another city than the import's scope is an error naming the row, not a project of the group's
    county; without that row the list imports with the year every 建设起止年限 covers."""
    out = imported("round3_zibo_groups.xlsx", region="370300", dry_run=True)
    assert [(e.row, e.column, e.message) for e in out.errors] == [
        (11, "责任单位", "第 11 行：“责任单位”指向历城区，不在本次导入的范围“淄博市”内（“分组行”所示为淄川区），请核对")
    ]
    import io

    from openpyxl import load_workbook

    wb = load_workbook(FILES / "round3_zibo_groups.xlsx")
    wb.active["C11"] = "淄川区教体局"
    buf = io.BytesIO()
    wb.save(buf)
    out = import_file(user=None, data=buf.getvalue(), filename="groups.xlsx", region="370300")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    assert stored("R3") == {
        "R3张店甲": ("370303", None, "new", "preparation", D("100000"), [(2024, D("20000"))]),
        "R3张店乙": ("370303", None, "continuing", "construction", D("50000"), [(2024, D("10000"))]),
        "R3张店丙": ("370303", None, "completing", "production", D("15000"), [(2024, D("3000"))]),
        "R3淄川甲": ("370302", None, "new", "preparation", D("30000"), [(2024, D("6000"))]),
        "R3越界": ("370302", None, "preparatory", "preparation", D("20000"), [(2024, D("4000"))]),
    }
    messages = [w.message for w in out.warnings]
    assert "表中未注明年度计划的年份：5个项目的建设起止年限都覆盖2024年，按2024年导入，请核对（或在标题中注明年份）" in messages
    assert not any("不一致" in m for m in messages), messages


def test_a_clue_of_another_city_is_an_error_naming_the_row(world):
    """A 项目代码, 建设地点 or 责任单位 naming a county of 济南 in an import scoped to 淄博: an error
    naming the row and the cell, never a project of 淄博 itself; clues of 淄博's counties place
    their rows; a street alone is no clue (the default region)."""
    out = imported("round3_far_clues.xlsx", region="370300", dry_run=True)
    assert [(e.row, e.column, e.message) for e in out.errors] == [
        (5, "项目代码", "第 5 行的所属区域“历下区”不在本次导入的范围“淄博市”内"),
        (6, "建设地点", "第 6 行的所属区域“历城区”不在本次导入的范围“淄博市”内"),
        (7, "责任单位", "第 7 行的所属区域“历城区”不在本次导入的范围“淄博市”内"),
    ]
    import io

    from openpyxl import load_workbook

    wb = load_workbook(FILES / "round3_far_clues.xlsx")
    wb.active.delete_rows(5, 3)
    buf = io.BytesIO()
    wb.save(buf)
    out = import_file(user=None, data=buf.getvalue(), filename="clues.xlsx", region="370300")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    assert {n: v[0] for n, v in stored("R3").items()} == {"R3地点张店": "370303", "R3单位淄川": "370302", "R3无线索": "370300"}


def test_a_county_named_inside_a_longer_name_is_not_meant():
    """ "城区" is a county of 山西 (and of 广东): read inside "历城区发改局" it is not meant."""
    from keyprojects.dataio.normalize import RegionResolver

    names = [("140302", "城区"), ("441502", "城区"), ("370112", "历城区"), ("370100", "济南市")]
    r = RegionResolver([(code, name, name) for code, name in names])
    assert r.resolve("历城区发改局").region_code == "370112"
    assert r.resolve("济南市历城区港沟街道").region_code == "370112"
    assert len(r.candidates("城区住建局")) == 2


def test_county_sheets_of_a_city_named_in_the_title(world):
    """Sheets named 历下区 and 市中区 (four counties bear that name): the title "济南市…" says whose;
    with no --region, or the province's, the rows go to 济南's counties. A --region of another city
    is the context instead (a title copied from a template says nothing against it)."""
    for region in (None, "370000"):
        out = imported("round3_county_sheets.xlsx", region=region, dry_run=True)
        assert out.errors == [], (region, [e.as_dict() for e in out.errors])
    out = imported("round3_county_sheets.xlsx", region="370300", dry_run=True)  # 淄博 has no 市中区: which one?
    assert [(e.sheet, e.row) for e in out.errors] == [("历下区", 3), ("市中区", 3), ("市中区", 4)]
    said = "第 3 行：工作表名“市中区”对应多个区县，该行也未写明所属区域，请写明所属市（如“济南市市中区”）或所属区域"
    assert out.errors[1].message == said
    out = imported("round3_county_sheets.xlsx", region="370400", dry_run=True)  # 枣庄
    assert [(e.sheet, e.row, e.message) for e in out.errors] == [("历下区", 3, "第 3 行的所属区域“历下区”不在本次导入的范围“枣庄市”内")]
    out = imported("round3_county_sheets.xlsx")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    assert {n: (v[0], v[5]) for n, v in stored("R3C").items()} == {
        "R3C历下甲": ("370102", [(2024, D("1000"))]),
        "R3C市中甲": ("370103", [(2024, D("800"))]),
        "R3C市中乙": ("370103", [(2024, D("300"))]),
    }


def test_title_names_the_region_of_rows_naming_none(world):
    """No --region: the title "淄博市2024年…" places rows naming no place in 淄博市 and is the city
    建设地点 and 责任单位 are read in; a row naming 济南's counties goes there, warned."""
    out = imported("round3_far_clues.xlsx")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    assert {n: v[0] for n, v in stored("R3").items()} == {
        "R3地点张店": "370303",
        "R3单位淄川": "370302",
        "R3代码历下": "370102",
        "R3地点历城": "370112",
        "R3单位历城": "370112",
        "R3无线索": "370300",
    }
    clash = [(w.row, w.column, w.message) for w in out.warnings if "不一致" in w.message]
    assert (6, "建设地点", "标题“淄博市”指向淄博市，与“建设地点”所示历城区不一致，按历城区导入，请核对") in clash


def _registered(many: bool) -> None:
    from keyprojects.core.testing import ProjectFactory

    ProjectFactory(name="R3N张店项目（二期）", region_id="370303", plan=(2026, 1000, "city"))
    ProjectFactory(name="R3N张店大厦", region_id="370303", plan=(2026, 800, "city"))
    for n in range(12 if many else 0):  # a registry larger than the file: names looked up, not all read
        ProjectFactory(name=f"R3N其他{n}", region_id="370303")


def test_monthly_rows_find_projects_written_otherwise(world):
    """A monthly table's "R3N张店项目(二期)" and "R3N张店 大厦" are the registered "…（二期）" and
    "R3N张店大厦" (found by name and 县区, the registered name kept, warned); a name registered in
    another county is 未找到项目, saying how it was looked for."""
    from django.utils import timezone

    from keyprojects.dispatch.models import MonthlyReport

    today = timezone.localdate()
    year = today.year if today.month >= 10 else today.year - 1
    for many in (False, True):
        Project.objects.filter(name__startswith="R3N").delete()
        _registered(many)
        out = imported("round3_monthly_names.xlsx", region="370300", dry_run=True)
        assert [(e.row, e.message) for e in out.errors] == [
            (5, "未找到项目：按项目名称“R3N张店大厦”和所属区域“淄川区”在系统中未找到对应项目（月报只能报送已登记的项目）")
        ], many
        assert [(w.row, w.message) for w in out.warnings if w.column == "项目名称"] == [
            (3, "项目名称的写法与系统不同（系统：R3N张店项目（二期）），按系统中的项目导入，名称未修改"),
            (4, "项目名称的写法与系统不同（系统：R3N张店大厦），按系统中的项目导入，名称未修改"),
        ], many
    import io

    from openpyxl import load_workbook

    wb = load_workbook(FILES / "round3_monthly_names.xlsx")
    wb.active.delete_rows(5)
    buf = io.BytesIO()
    wb.save(buf)
    out = import_file(user=None, data=buf.getvalue(), filename="monthly.xlsx", region="370300")
    assert out.errors == [] and out.created == 0, [e.as_dict() for e in out.errors]
    got = {
        (r.project.name, r.period.year, r.period.month, r.invested_ytd, r.physical_progress)
        for r in MonthlyReport.objects.filter(project__name__startswith="R3N").select_related("project", "period")
    }
    assert got == {("R3N张店项目（二期）", year, 10, D("500"), "主体施工"), ("R3N张店大厦", year, 10, D("300"), "装修")}
    assert Project.objects.filter(name__startswith="R3N张店").count() == 2


def test_one_name_in_two_counties_is_two_projects(world):
    """ "老旧小区改造工程" under "一、张店区" and under "二、淄川区": two projects, not the same one
    twice; the same name twice in one county still is."""
    import io

    from openpyxl import load_workbook

    wb = load_workbook(FILES / "round3_zibo_groups.xlsx")
    ws = wb.active
    ws["B5"] = ws["B10"] = "R3老旧小区改造工程"
    ws["C11"] = "淄川区教体局"
    buf = io.BytesIO()
    wb.save(buf)
    out = import_file(user=None, data=buf.getvalue(), filename="twice.xlsx", region="370300")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    assert sorted(Project.objects.filter(name="R3老旧小区改造工程").values_list("region_id", flat=True)) == ["370302", "370303"]
    ws["B6"] = "R3老旧小区改造工程"
    buf = io.BytesIO()
    wb.save(buf)
    out = import_file(user=None, data=buf.getvalue(), filename="thrice.xlsx", region="370300", dry_run=True)
    assert [(e.row, e.message) for e in out.errors] == [(6, "与第 5 行重复（同一项目在文件中出现两次）")]


def test_a_city_list_imported_by_the_province_stays_a_city_list(world):
    """ "淄博市2024年市级重点项目名单" (and "济南市2024年重点项目清单") imported with the province's
    --region: the projects are on the city's list of 2024, not the province's."""
    out = imported("round3_zibo_list.xlsx", region="370000")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    out = imported("round3_county_sheets.xlsx", region="370000")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    from keyprojects.projects.models import ProjectYear

    flags = set(ProjectYear.objects.filter(project__name__startswith="R3").values_list("year", "on_province_list", "on_city_list"))
    assert flags == {(2024, False, True)}
    assert ProjectYear.objects.filter(project__name__startswith="R3").count() == 8


def test_county_cells_years_and_remarks_as_written(world):
    """ "市本级" is the city itself (the title's 淄博, also under the province's --region); "张店" is
    张店区; no year but the ranges (2024–2025 all) and the 新开工 projects' start: 2024, said; "在建"
    since 2022 is 续建 under construction; "（3个）" over two rows is warned."""
    for region in ("370000", "370300"):
        out = imported("round3_misc.xlsx", region=region, dry_run=True)
        assert out.errors == [], (region, [e.as_dict() for e in out.errors])
    out = imported("round3_misc.xlsx", region="370300")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    got = {n: (v[0], v[2], v[3], v[5]) for n, v in stored("R3H").items()}
    assert got == {
        "R3H市本级项目": ("370300", "continuing", "construction", [(2024, D("100"))]),
        "R3H张店项目": ("370303", "continuing", "construction", [(2024, D("100"))]),
        "R3H高新区项目": ("370300", "continuing", "construction", [(2024, D("100"))]),
        "R3H桓台项目": ("370321", "new", "preparation", [(2024, D("100"))]),
        "R3H高青项目": ("370322", "new", "preparation", [(2024, D("100"))]),
        "R3H沂源项目": ("370323", "continuing", "construction", [(2024, D("100"))]),
        "R3H临淄甲": ("370305", "continuing", "construction", [(2024, D("10"))]),
        "R3H临淄乙": ("370305", "continuing", "construction", [(2024, D("10"))]),
    }
    messages = {(w.row, w.message) for w in out.warnings}
    said = (
        "表中未注明年度计划的年份：7个项目的建设起止年限都覆盖2024–2025年，其中2个新开工项目都在2024年开工，"
        "按2024年导入，请核对（或在标题中注明年份）"
    )
    assert (None, said) in messages
    assert (9, "分组行“一、临淄区（3个）”写明3个项目，其下列出2个，请核对是否漏行或多行") in messages
    assert not any("地名" in m for _r, m in messages), messages  # "市本级" read, not "无法识别的地名"


def test_one_sheet_per_month_imports_each_month(world):
    """Sheets "8月" and "9月" of one workbook, each 1-N月 of the same projects: one batch, each
    sheet's figures for its own month (it was \"无法确定调度期\" and the rows of 9月 duplicates of 8月)."""
    from django.utils import timezone

    from keyprojects.core.testing import ProjectFactory
    from keyprojects.dispatch.models import MonthlyReport

    today = timezone.localdate()
    year = today.year if today.month >= 9 else today.year - 1
    if today.month == 8:
        pytest.skip("in August the sheet 8月 is this year's and 9月 last year's")
    ProjectFactory(name="R3T张店甲", region_id="370303", plan=(year, 1000, "city"))
    ProjectFactory(name="R3T张店乙", region_id="370303", plan=(year, 800, "city"))
    out = imported("round3_two_months.xlsx", region="370300")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    got = {
        (r.project.name, r.period.year, r.period.month, r.invested_month, r.invested_ytd)
        for r in MonthlyReport.objects.filter(project__name__startswith="R3T").select_related("project", "period")
    }
    assert got == {
        ("R3T张店甲", year, 8, D("400"), D("400")),
        ("R3T张店甲", year, 9, D("100"), D("500")),
        ("R3T张店乙", year, 8, D("300"), D("300")),
        ("R3T张店乙", year, 9, D("60"), D("360")),
    }
    said = f"各工作表的调度期不同：{year}-08、{year}-09，各表的数据按各自的调度期导入"
    assert said in [w.message for w in out.warnings]


def test_a_span_within_one_year_is_not_a_day():
    """建设年限 "2024.03-12" / "2024年3-12月" is March to December of 2024 (it was 12 March, no
    end); "2024-03-12" and "2024.3.12" stay a date."""
    import datetime as dt

    from keyprojects.dataio.normalize import parse_period_range

    assert parse_period_range("2024.03-12") == (dt.date(2024, 3, 1), dt.date(2024, 12, 1))
    assert parse_period_range("2024年3-12月") == (dt.date(2024, 3, 1), dt.date(2024, 12, 1))
    assert parse_period_range("2024-03-12") == (dt.date(2024, 3, 12), None)
    assert parse_period_range("2024.3.12") == (dt.date(2024, 3, 12), None)
    assert parse_period_range("2023年3月至2025年12月") == (dt.date(2023, 3, 1), dt.date(2025, 12, 1))


def test_what_a_person_does_not_see_is_not_read(world):
    """A hidden old "总投资（万元）" column before the visible "总投资（亿元）": the visible one is read;
    a hidden row (a project taken off the list) is not imported, named once; the merged 县区 it
    starts still holds for the rows under it."""
    out = imported("round3_hidden.xlsx", region="370300")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    assert {n: (v[0], v[4], v[5]) for n, v in stored("R3V").items()} == {
        "R3V张店甲": ("370303", D("15000"), [(2024, D("1500"))]),
        "R3V张店乙": ("370303", D("25000"), [(2024, D("2500"))]),
        "R3V淄川甲": ("370302", D("35000"), [(2024, D("3500"))]),
    }
    assert (3, "1个隐藏（或被筛选隐藏）的行未导入：第 3 行；如需导入，请取消隐藏后重新上传") in [(w.row, w.message) for w in out.warnings]


def test_the_templates_hidden_id_column_is_still_read():
    """The fill-in template hides its 项目ID column: a hidden column no visible one replaces is read."""
    import io

    from openpyxl import Workbook

    from keyprojects.dataio.parsing import parse_file

    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "项目名称", "项目ID", "1-6月累计完成投资（万元）"])
    ws.append([1, "甲项目", 12, 100])
    ws.column_dimensions["C"].hidden = True
    buf = io.BytesIO()
    wb.save(buf)
    (res,) = parse_file(buf.getvalue(), filename="t.xlsx")
    assert res.rows[0].values["project_id"] == 12


def test_a_title_month_unlike_the_headers_is_said():
    """ "（2026年1-9月）" over a "1-8月累计完成投资" column: the column's month is read, and said."""
    import io

    from openpyxl import Workbook

    from keyprojects.dataio.parsing import parse_file

    wb = Workbook()
    ws = wb.active
    ws.append(["淄博市重点项目建设进展情况表（2026年1-9月）"])
    ws.append(["序号", "县区", "项目名称", "1-8月累计完成投资（万元）"])
    ws.append([1, "张店区", "甲项目", 500])
    buf = io.BytesIO()
    wb.save(buf)
    (res,) = parse_file(buf.getvalue(), filename="t.xlsx")
    assert res.period == (2026, 8)
    said = "标题写的是9月，表头写的是8月，按表头所写的月份导入，请核对（或指定导入期间）"
    assert [(w.row, w.column, w.message) for w in res.warnings] == [(2, "1-8月累计完成投资（万元）", said)]


def test_a_city_table_naming_no_county_finds_its_counties_projects(world):
    """A city's monthly table without a 县区 column (--region the city): each project is found by
    name among the city's counties (it was 未找到项目: only the city itself was searched); a name
    two counties bear asks for the county. A list row so found updates the project instead of
    registering it again at the city."""
    import io

    from django.utils import timezone
    from openpyxl import Workbook

    from keyprojects.core.testing import ProjectFactory
    from keyprojects.dispatch.models import MonthlyReport

    today = timezone.localdate()
    year = today.year if today.month >= 10 else today.year - 1
    for many in (False, True):
        Project.objects.filter(name__startswith="R3W").delete()
        ProjectFactory(name="R3W张店甲", region_id="370303", total_investment=D("900"), plan=(year, 300, "city"))
        ProjectFactory(name="R3W同名", region_id="370303", plan=(year, 300, "city"))
        ProjectFactory(name="R3W同名", region_id="370302", plan=(year, 300, "city"))
        ProjectFactory(name="R3W济南", region_id="370102", plan=(year, 300, "city"))
        for n in range(12 if many else 0):
            ProjectFactory(name=f"R3W其他{n}", region_id="370303")
        wb = Workbook()
        ws = wb.active
        ws.append(["淄博市重点项目建设进展情况表（1-10月）"])
        ws.append(["序号", "项目名称", "1-10月累计完成投资（万元）"])
        for r in ([1, "R3W张店甲", 500], [2, "R3W同名", 100], [3, "R3W济南", 100]):
            ws.append(r)
        buf = io.BytesIO()
        wb.save(buf)
        out = import_file(user=None, data=buf.getvalue(), filename=f"m{many}.xlsx", region="370300", dry_run=True)
        assert [(e.row, e.message) for e in out.errors] == [
            (4, "淄博市有多个同名项目（在不同区县），请填写所属区域或项目代码以区分"),
            (5, "未找到项目：按项目名称“R3W济南”和所属区域“淄博市”在系统中未找到对应项目（月报只能报送已登记的项目）"),
        ], many
    ws.delete_rows(4, 2)
    buf = io.BytesIO()
    wb.save(buf)
    out = import_file(user=None, data=buf.getvalue(), filename="m.xlsx", region="370300")
    assert out.errors == [] and out.created == 0, [e.as_dict() for e in out.errors]
    r = MonthlyReport.objects.get(project__name="R3W张店甲")
    assert (r.project.region_id, r.period.year, r.period.month, r.invested_ytd) == ("370303", year, 10, D("500"))
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "项目名称", "总投资（万元）", f"{year}年计划投资（万元）"])
    ws.append([1, "R3W张店甲", 1000, 400])
    buf = io.BytesIO()
    wb.save(buf)
    out = import_file(user=None, data=buf.getvalue(), filename="l.xlsx", region="370300")
    assert out.errors == [] and (out.created, out.updated) == (0, 1), [e.as_dict() for e in out.errors]
    p = Project.objects.get(name="R3W张店甲")
    assert (p.region_id, p.total_investment, p.years.get(year=year).annual_plan) == ("370303", D("1000"), D("400"))


def test_a_first_quarter_column_before_the_months(world):
    """ "1-3月" then "4月" … under one amount parent: the first column is the year to date at March
    (March's month derived from the months reported before it), the others months; it was an
    unused column, and April's cumulative figure left out the quarter."""
    import io

    from django.utils import timezone
    from openpyxl import Workbook

    from keyprojects.core.testing import ProjectFactory
    from keyprojects.dispatch.models import MonthlyReport

    today = timezone.localdate()
    year = today.year if today.month >= 6 else today.year - 1
    ProjectFactory(name="R3Q张店甲", region_id="370303", total_investment=D("5000"), plan=(year, 1200, "city"))
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "县区", "项目名称", f"{year}年1月完成投资（万元）"])
    ws.append([1, "张店区", "R3Q张店甲", 120])
    buf = io.BytesIO()
    wb.save(buf)
    out = import_file(user=None, data=buf.getvalue(), filename="jan.xlsx", region="370300")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    out = imported("round3_q1_lumped.xlsx", region="370300")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    assert out.totals["invested_ytd"] == "500.0000"
    got = [
        (r.period.month, r.invested_month, r.invested_ytd, r.physical_progress)
        for r in MonthlyReport.objects.filter(project__name="R3Q张店甲").select_related("period").order_by("period__month")
    ]
    assert got == [
        (1, D("120"), D("120"), ""),
        (3, D("180"), D("300"), ""),  # 1-3月 300 less January's 120
        (4, D("100"), D("400"), ""),
        (5, D("0"), D("400"), ""),
        (6, D("100"), D("500"), "主体"),
    ]


def test_the_web_upload_reads_the_same_way(client, world):
    """The upload page (济南's city user): 淄博's list names 淄博's counties in 建设地点 and 责任单位 —
    those rows are errors naming the row, the file is not confirmable; 济南's county sheets whose
    title says 济南市 go to 历下区 and 济南's 市中区."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from keyprojects.dataio.models import ImportBatch

    client.force_login(world.users.city)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    data = (FILES / "round3_far_clues.xlsx").read_bytes()
    resp = client.post(reverse("dataio:import"), {"file": SimpleUploadedFile("clues.xlsx", data, content_type=xlsx)})
    batch = ImportBatch.objects.get()
    assert batch.status == "failed"
    html = client.get(resp["Location"]).content.decode()
    assert "第 3 行：所属区域超出您的管辖范围（“张店区”不在济南市内）" in html
    assert "第 4 行：所属区域超出您的管辖范围（“淄川区”不在济南市内）" in html
    data = (FILES / "round3_county_sheets.xlsx").read_bytes()
    resp = client.post(reverse("dataio:import"), {"file": SimpleUploadedFile("sheets.xlsx", data, content_type=xlsx)})
    batch = ImportBatch.objects.latest("pk")
    assert batch.status == "preview", client.get(resp["Location"]).content.decode()[:2000]
    client.post(reverse("dataio:import_confirm", args=[batch.pk]))
    assert {n: v[0] for n, v in stored("R3C").items()} == {"R3C历下甲": "370102", "R3C市中甲": "370103", "R3C市中乙": "370103"}


def test_a_project_written_over_two_lines_is_one_project(world):
    """项目名称 merged down two lines: one project (it was \"与第 3 行重复\"), its 建设内容 and
    责任单位 joined; the second line's plan figure, beside the first's, is not added and is said."""
    out = imported("round3_two_lines.xlsx", region="370300")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    got = {p.name: (p.region_id, p.total_investment, p.content, [(y.year, y.annual_plan) for y in p.years.all()])
           for p in Project.objects.filter(name__startswith="R3L").prefetch_related("years")}  # fmt: skip
    assert got == {
        "R3L双行项目": ("370303", D("5000"), "一期：厂房；二期：道路", [(2024, D("1000"))]),
        "R3L单行项目": ("370303", D("3000"), "设备", [(2024, D("800"))]),
    }
    said = "第 4 行是上一行项目的续行（项目名称合并单元格），其“2024年计划投资（万元）”200未计入，请核对"
    assert (4, said) in [(w.row, w.message) for w in out.warnings]


def test_a_two_row_header_repeated_at_a_page_break_is_no_project():
    """The two header rows repeated after a page break, 项目名称 merged down both: skipped, not a
    project nor the continuation line of one."""
    import io

    from openpyxl import Workbook

    from keyprojects.dataio.parsing import parse_file

    wb = Workbook()
    ws = wb.active

    def header(r: int) -> None:
        for j, t in enumerate(["序号", "县区", "项目名称"], start=1):
            ws.cell(r, j, t)
            ws.merge_cells(start_row=r, start_column=j, end_row=r + 1, end_column=j)
        ws.cell(r, 4, "投资情况（万元）")
        ws.merge_cells(start_row=r, start_column=4, end_row=r, end_column=6)
        for j, t in enumerate(["总投资", "2024年计划", "1-6月完成"], start=4):
            ws.cell(r + 1, j, t)

    header(1)
    ws.append([1, "张店区", "甲", 5000, 1000, 300])
    header(4)
    ws.append([2, "淄川区", "乙", 2000, 500, 100])
    buf = io.BytesIO()
    wb.save(buf)
    (res,) = parse_file(buf.getvalue(), filename="t.xlsx")
    assert [(r.row, r.values["name"], r.values["total_investment"]) for r in res.rows] == [(3, "甲", D("5000")), (6, "乙", D("2000"))]
    assert res.errors == [] and res.warnings == []


def test_a_county_written_once_holds_for_the_rows_under_it(world):
    """The CSV of a sheet whose 区县 was merged: "张店区" then blanks. The blank rows are 张店区's
    (they went to 淄博市 itself without a word), said once; a row whose 项目代码 names 临淄区 is
    临淄区's."""
    out = imported("round3_county_once.csv", region="370300")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    assert {n: v[0] for n, v in stored("R3S").items()} == {
        "R3S张店甲": "370303",
        "R3S张店乙": "370303",
        "R3S淄川甲": "370302",
        "R3S淄川乙": "370302",
        "R3S代码临淄": "370305",
    }
    said = "“区县”列有2个空白单元格，按其上方最近填写的区域读取（第一个在第 4 行），请核对"
    assert (2, said) in [(w.row, w.message) for w in out.warnings]  # on the column's header: the rows keep their cells


def test_one_name_on_two_county_sheets_is_two_projects(world):
    """ "R3C市中甲" also on the sheet 历下区: a project of each county, not one twice in the file."""
    import io

    from openpyxl import load_workbook

    wb = load_workbook(FILES / "round3_county_sheets.xlsx")
    wb["历下区"]["B3"] = "R3C市中甲"
    buf = io.BytesIO()
    wb.save(buf)
    out = import_file(user=None, data=buf.getvalue(), filename="same.xlsx", region="370100")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    assert sorted(Project.objects.filter(name="R3C市中甲").values_list("region_id", flat=True)) == ["370102", "370103"]
