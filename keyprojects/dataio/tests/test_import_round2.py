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
