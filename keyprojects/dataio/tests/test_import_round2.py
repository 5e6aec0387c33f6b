"""Issue 13 (spreadsheets as offices send them, round 2): the stored rows of each trait, and the
dashboard figures an import brings up to date."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from keyprojects.analytics.models import ProjectPeriodFact, RegionPeriodSummary
from keyprojects.dataio.services import import_file
from keyprojects.projects.models import Project

from .test_import_files import GOOD, workbook

D = Decimal


def test_a_successful_import_refreshes_facts_and_summaries(world):
    out = import_file(user=world.users.county, data=workbook(GOOD), filename="历下区1-6月.xlsx")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    p = Project.objects.get(name="历下区智能制造产业园")
    fact = ProjectPeriodFact.objects.get(project=p, period__year=2026, period__month=6)
    assert fact.invested_ytd == D("3600.5")
    county = RegionPeriodSummary.objects.get(region_id="370102", period__year=2026, period__month=6)
    assert county.invested_ytd >= D("15200.5")


FILES = Path(__file__).resolve().parent / "files"


def city_list(world, **kw):
    data = (FILES / "round2_city_list.xlsx").read_bytes()
    return import_file(user=world.users.city, data=data, filename="round2_city_list.xlsx", **kw)


def test_city_list_read_like_a_person(world):
    out = city_list(world)
    assert out.errors == [], [e.as_dict() for e in out.errors]
    assert out.rows == 8
    got = {
        p.name: (p.region_id, p.nature, [(y.year, y.annual_plan) for y in p.years.all()])
        for p in Project.objects.filter(name__startswith="R2").prefetch_related("years")
    }
    assert got == {
        # the 县区 cell merged over three rows; the year from the title; the plan from "…合计"
        "R2历下甲": ("370102", "new", [(2024, D("400"))]),
        "R2历下乙": ("370102", "continuing", [(2024, D("500"))]),
        "R2历下丙": ("370102", "completing", [(2024, D("600"))]),
        # the group row "一、平阴县（2个）"; the nature from 备注 ("前期")
        "R2平阴甲": ("370124", "preparatory", [(2024, D("300"))]),
        "R2平阴乙": ("370124", "continuing", [(2024, D("350"))]),
        # no 县区: the 项目代码's division segment, a county named in 责任单位; the code first
        "R2市中代码": ("370103", "new", [(2024, D("200"))]),
        "R2长清单位": ("370113", "continuing", [(2024, D("100"))]),
        "R2线索不一": ("370112", "continuing", [(2024, D("100"))]),
    }
    messages = [w.message for w in out.warnings]
    assert any("金额列“其中：省级资金（万元）”" in m and m.startswith("【请注意】") for m in messages), messages
    assert any("按“备注”列的文字" in m for m in messages), messages
    assert not any("按2026年" in m for m in messages), messages
    clash = [w for w in out.warnings if w.row == 10]
    assert "“责任单位”指向长清区，与“项目代码”所示历城区不一致，按历城区导入，请核对" in [w.message for w in clash]


def test_monthly_sheets_per_county_without_a_year(world):
    from django.utils import timezone

    from keyprojects.core.testing import ProjectFactory
    from keyprojects.dispatch.models import MonthlyReport

    today = timezone.localdate()
    year = today.year if today.month >= 5 else today.year - 1
    ProjectFactory(name="R2月报历下", region_id="370102", plan=(year, 500, "city"))
    ProjectFactory(name="R2月报市中", region_id="370103", plan=(year, 800, "city"))
    data = (FILES / "round2_monthly.xlsx").read_bytes()
    out = import_file(user=world.users.city, data=data, filename="round2_monthly.xlsx", dry_run=True)
    # the row of no registered project: one message, 未找到项目, saying how it was looked for
    assert [(e.sheet, e.row, e.message) for e in out.errors] == [
        ("市中区", 4, "未找到项目：按项目名称“R2月报没有”和所属区域“市中区”在系统中未找到对应项目（月报只能报送已登记的项目）")
    ]
    assert out.period == (year, 5)
    assert f"表中只写了 5 月、未注明年份，按最近的 {year}年5月 导入，请核对（或指定导入期间）" in [w.message for w in out.warnings]
    # without that row the workbook imports as one batch, each sheet's rows into its county
    from openpyxl import load_workbook

    wb = load_workbook(FILES / "round2_monthly.xlsx")
    wb["市中区"].delete_rows(4)
    buf = io.BytesIO()
    wb.save(buf)
    out = import_file(user=world.users.city, data=buf.getvalue(), filename="round2_monthly_fixed.xlsx")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    got = {
        (r.project.name, r.project.region_id, r.period.year, r.period.month, r.invested_ytd, r.status)
        for r in MonthlyReport.objects.filter(project__name__startswith="R2月报").select_related("project", "period")
    }
    assert got == {
        ("R2月报历下", "370102", year, 5, D("120"), "submitted"),
        ("R2月报市中", "370103", year, 5, D("240"), "submitted"),
    }


def test_one_message_per_cell(world):
    from .test_import_files import HEADERS

    rows = [
        [1, "", "", "历下区", "", "新开工", "产业项目", 100, 50, 5, ""],
        [2, "待定项目", "", "历下区", "", "新开工", "产业项目", "待定", 50, 5, ""],
    ]
    out = import_file(user=world.users.county, data=workbook(rows, headers=HEADERS), filename="x.xlsx", dry_run=True)
    cells = [(e.row, e.column) for e in out.errors]
    assert len(cells) == len(set(cells)), [e.as_dict() for e in out.errors]
    assert {(e.row, e.column) for e in out.errors} >= {(4, "项目名称"), (5, "总投资（万元）")}
    assert Project.objects.filter(name="待定项目").count() == 0


def test_month_columns_under_a_parent_become_monthly_reports(world):
    """Item 5: 1月 … 6月 under a merged "2024年完成投资（元）": each month's report in 万元, the
    1-N月 figure their sum, the year from the parent; a blank month between two is a zero."""
    from keyprojects.dispatch.models import MonthlyReport

    data = (FILES / "round2_month_columns.xlsx").read_bytes()
    out = import_file(user=world.users.city, data=data, filename="round2_month_columns.xlsx")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    assert out.period == (2024, 6)
    assert out.totals["invested_ytd"] == "590.0000"
    got = {p.name: (p.region_id, p.total_investment) for p in Project.objects.filter(name__startswith="R2M")}
    assert got == {"R2M历下甲": ("370102", D("1000")), "R2M市中乙": ("370103", D("800"))}
    reports = {
        (r.project.name, r.period.year, r.period.month): (r.invested_month, r.invested_ytd, r.physical_progress)
        for r in MonthlyReport.objects.filter(project__name__startswith="R2M").select_related("project", "period")
    }
    assert reports == {
        ("R2M历下甲", 2024, 1): (D("100"), D("100"), ""),
        ("R2M历下甲", 2024, 2): (D("200"), D("300"), ""),
        ("R2M历下甲", 2024, 3): (D("0"), D("300"), ""),
        ("R2M历下甲", 2024, 4): (D("50"), D("350"), ""),
        ("R2M历下甲", 2024, 5): (D("0"), D("350"), ""),
        ("R2M历下甲", 2024, 6): (D("150"), D("500"), "主体施工"),
        # months left blank after the last filled one are not reported
        ("R2M市中乙", 2024, 1): (D("30"), D("30"), ""),
        ("R2M市中乙", 2024, 2): (D("30"), D("60"), ""),
        ("R2M市中乙", 2024, 3): (D("30"), D("90"), "基础施工"),
    }
    assert not any("2024年完成投资" in w.message and "未能对应" in w.message for w in out.warnings), out.warnings


def test_month_columns_without_a_year_take_the_most_recent_and_say_so(world):
    from openpyxl import load_workbook

    from keyprojects.dispatch.models import MonthlyReport

    wb = load_workbook(FILES / "round2_month_columns.xlsx")
    wb.active["E2"] = "完成投资（元）"
    buf = io.BytesIO()
    wb.save(buf)
    out = import_file(user=world.users.city, data=buf.getvalue(), filename="no_year.xlsx", dry_run=True)
    assert out.errors == [], [e.as_dict() for e in out.errors]
    from django.utils import timezone

    today = timezone.localdate()
    year = today.year if today.month >= 6 else today.year - 1
    assert out.period == (year, 6)
    assert any(f"按最近的 {year}年（1-6月）导入" in w.message for w in out.warnings), [w.message for w in out.warnings]
    assert MonthlyReport.objects.filter(project__name__startswith="R2M").count() == 0


def test_year_from_the_construction_period_and_nature_from_remarks(world):
    """Items 3 and 4: no year in title, header or sheet name — the year all 建设起止年限 cover,
    warned; no 建设性质 column — the 说明 column's 新开工/续建/竣工/竣工投产/前期, warned."""
    data = (FILES / "round2_remarks_years.xlsx").read_bytes()
    out = import_file(user=world.users.city, data=data, filename="round2_remarks_years.xlsx")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    got = {
        p.name: (p.region_id, p.nature, p.stage, [(y.year, y.annual_plan) for y in p.years.all()])
        for p in Project.objects.filter(name__startswith="R2Y").prefetch_related("years")
    }
    assert got == {
        "R2Y新开工": ("370102", "new", "preparation", [(2024, D("300"))]),
        "R2Y续建": ("370102", "continuing", "construction", [(2024, D("400"))]),
        "R2Y竣工": ("370103", "completing", "construction", [(2024, D("500"))]),
        "R2Y竣工投产": ("370103", "completing", "construction", [(2024, D("200"))]),
        "R2Y前期": ("370102", "preparatory", "preparation", [(2024, D("100"))]),
        # no remark: the nature inferred (warned as before)
        "R2Y无说明": ("370102", "new", "preparation", [(2024, D("50"))]),
    }
    messages = [w.message for w in out.warnings]
    assert "表中未注明年度计划的年份：6个项目的建设起止年限都覆盖2024年，按2024年导入，请核对（或在标题中注明年份）" in messages
    assert any("5行按“说明”列的文字" in m for m in messages), messages
    assert not any("按2026年" in m for m in messages), messages


def test_current_year_only_when_nothing_tells_and_never_silently(world):
    from django.utils import timezone

    from .test_import_files import HEADERS

    headers = [*HEADERS[:8], "年度计划投资（万元）"]
    rows = [[1, "无年份项目", "", "历下区", "", "新开工", "产业项目", 100, 50]]
    out = import_file(user=world.users.city, data=workbook(rows, headers=headers, title="", sheet="Sheet1"), filename="x.xlsx")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    year = timezone.localdate().year
    assert f"未能确定年度计划所属年度（标题、表头、工作表名、建设起止年限都未注明），按{year}年导入，请核对（或在标题中注明年份）" in [
        w.message for w in out.warnings
    ]
    assert [(y.year, y.annual_plan) for y in Project.objects.get(name="无年份项目").years.all()] == [(year, D("50"))]


def sheets(world, user, **kw):
    data = (FILES / "round2_city_sheets.xlsx").read_bytes()
    return import_file(user=user, data=data, filename="round2_city_sheets.xlsx", **kw)


def test_one_sheet_per_city_imports_as_one_batch(world):
    """Items 7 and 2: sheets named 济南市, 青岛市: each sheet's rows in its city unless a row says
    more (a county in 建设地点); one batch; --sheet still picks one."""
    out = sheets(world, world.users.province)
    assert out.errors == [], [e.as_dict() for e in out.errors]
    got = {
        p.name: (p.region_id, p.nature, [(y.year, y.annual_plan) for y in p.years.all()])
        for p in Project.objects.filter(name__startswith="R2S").prefetch_related("years")
    }
    assert got == {
        "R2S济南本级": ("370100", "continuing", [(2024, D("1000"))]),
        "R2S历下": ("370102", "new", [(2024, D("600"))]),
        "R2S青岛本级": ("370200", "continuing", [(2024, D("800"))]),
        "R2S黄岛": ("370211", "new", [(2024, D("500"))]),
    }
    assert out.batch is not None and out.created == 4


def test_one_sheet_picked_and_sheets_outside_the_scope_named(world):
    # the city of 济南 uploading the province's workbook: each 青岛市 row is an error naming sheet and row
    out = sheets(world, world.users.city, dry_run=True)
    assert [(e.sheet, e.row, e.message) for e in out.errors] == [
        ("青岛市", 3, "第 3 行：所属区域超出您的管辖范围（“青岛市”不在济南市内）"),
        ("青岛市", 4, "第 4 行：所属区域超出您的管辖范围（“黄岛区”不在济南市内）"),  # its 建设地点 says more
    ]
    # --region 370100 as the scope: the same rows, named against the scope asked for
    out = sheets(world, None, region="370100", dry_run=True)
    assert [(e.sheet, e.row, e.column) for e in out.errors] == [("青岛市", 3, ""), ("青岛市", 4, "建设地点")]  # (the sheet's name said it)
    assert out.errors[0].message == "第 3 行的所属区域“青岛市”不在本次导入的范围“济南市”内"
    # --sheet still picks one
    out = sheets(world, None, sheet="青岛市", region="370000")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    assert set(Project.objects.filter(name__startswith="R2S").values_list("name", "region_id")) == {
        ("R2S青岛本级", "370200"),
        ("R2S黄岛", "370211"),
    }


def test_a_county_user_row_of_another_county_is_an_error_naming_the_row(world):
    """Item 2: a county user's rows fall in its county; a 项目代码 or 所属区域 naming another is an
    error naming the row (policy.import_scope), not silently the uploader's county."""
    from .test_import_files import HEADERS

    rows = [
        [1, "本县项目", "", "", "", "新开工", "产业项目", 100, 50, 5, ""],
        [2, "邻县代码项目", "2401-370103-04-01-765432", "", "", "新开工", "产业项目", 100, 50, 5, ""],
        [3, "邻县项目", "", "市中区", "", "新开工", "产业项目", 100, 50, 5, ""],
    ]
    out = import_file(user=world.users.county, data=workbook(rows, headers=HEADERS), filename="x.xlsx", dry_run=True)
    assert [(e.row, e.message) for e in out.errors] == [
        (5, "第 5 行：所属区域超出您的管辖范围（“市中区”不在历下区内）"),
        (6, "第 6 行：所属区域超出您的管辖范围（“市中区”不在历下区内）"),
    ]


def test_a_sheet_named_after_the_city_is_no_error_for_its_county(world):
    """A county's own table on a sheet named after its city: the sheet is wider than the scope,
    the rows go to the county (no error); a sheet of another county is an error naming the row."""
    from .test_import_files import GOOD, HEADERS

    out = import_file(user=world.users.county, data=workbook(GOOD[2:], headers=HEADERS, sheet="济南市"), filename="a.xlsx")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    assert Project.objects.get(name=GOOD[2][1]).region_id == "370102"
    rows = [[1, "邻县表项目", "", "", "", "新开工", "产业项目", 100, 50, 5, ""]]
    out = import_file(user=world.users.county, data=workbook(rows, headers=HEADERS, sheet="市中区"), filename="b.xlsx", dry_run=True)
    assert [(e.sheet, e.row, e.message) for e in out.errors] == [("市中区", 4, "第 4 行：所属区域超出您的管辖范围（“市中区”不在历下区内）")]


def test_month_columns_in_a_monthly_table_update_registered_projects(world):
    """The same month columns without 总投资: a monthly table of registered projects — each month
    a report of the project found by name and region; an unknown project says 未找到项目."""
    from openpyxl import load_workbook

    from keyprojects.core.testing import ProjectFactory
    from keyprojects.dispatch.models import MonthlyReport

    ProjectFactory(name="R2M历下甲", region_id="370102", total_investment=D("1000"), plan=(2024, 600, "city"))
    wb = load_workbook(FILES / "round2_month_columns.xlsx")
    ws = wb.active
    ws.unmerge_cells("D2:D3")
    ws["D2"] = "联系电话"
    for r in (4, 5):
        ws.cell(r, 4).value = None
    buf = io.BytesIO()
    wb.save(buf)
    out = import_file(user=world.users.city, data=buf.getvalue(), filename="monthly.xlsx", dry_run=True)
    assert [(e.row, e.message) for e in out.errors] == [
        (5, "未找到项目：按项目名称“R2M市中乙”和所属区域“市中区”在系统中未找到对应项目（月报只能报送已登记的项目）")
    ]
    ws.delete_rows(5)
    buf = io.BytesIO()
    wb.save(buf)
    out = import_file(user=world.users.city, data=buf.getvalue(), filename="monthly2.xlsx")
    assert out.errors == [] and out.created == 0 and out.reports_created == 6, [e.as_dict() for e in out.errors]
    got = [
        (r.period.month, r.invested_month, r.invested_ytd)
        for r in MonthlyReport.objects.filter(project__name="R2M历下甲").select_related("period").order_by("period__month")
    ]
    assert got == [(1, D("100"), D("100")), (2, D("200"), D("300")), (3, D("0"), D("300")), (4, D("50"), D("350")),
                   (5, D("0"), D("350")), (6, D("150"), D("500"))]  # fmt: skip
