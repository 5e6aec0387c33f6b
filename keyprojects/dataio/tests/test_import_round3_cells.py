"""Issue 13, third trial: one message per cell, the most specific (round3_one_message.xlsx), and
a 县区 written once per block under group rows naming no place (round3_sections.xlsx) — the
messages each cell carries and the rows stored."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook, load_workbook

from keyprojects.dataio.services import import_file
from keyprojects.projects.models import Project

D = Decimal
FILES = Path(__file__).resolve().parent / "files"


def imported(name: str, **kw):
    return import_file(user=None, data=(FILES / name).read_bytes(), filename=name, **kw)


def cells(out) -> dict[tuple[int | None, str], list[str]]:
    """Each cell's messages, errors and warnings together."""
    got: dict[tuple[int | None, str], list[str]] = {}
    for i in (*out.errors, *out.warnings):
        got.setdefault((i.row, i.column), []).append(i.message)
    return got


SLIP = "金额超过 3000 亿元，疑似按“元”填报（本表单位为万元）"


def test_each_cell_carries_its_most_specific_message(world):
    """An amount typed in 元 is that, not also above the total (twice); a 责任单位 naming another
    county is that clue, not also an unknown unit; a word no list knows is what became of it (未导入),
    not also "按原文保留"; the blank 县区 under 淄川区 is the title's clue disagreeing, the filled cells
    said on the column's header; 计划竣工 "2024.1" is read as January, not also before the start."""
    out = imported("round3_one_message.xlsx", region="370300", dry_run=True)
    got = cells(out)
    row_cells = [k for k in got if k[0] is not None]
    assert all(len(got[k]) == 1 for k in row_cells), {k: m for k, m in got.items() if len(m) > 1}
    assert got[(3, "2024年计划投资（万元）")] == [SLIP]
    assert got[(4, "开工至今累计完成投资（万元）")] == [SLIP]
    assert got[(5, "责任单位")] == ["“责任单位”指向淄川区，与“县区”所示张店区不一致，按张店区导入，请核对"]
    assert got[(6, "所属行业")] == ["所属行业不是国民经济行业分类（GB/T 4754）的门类或大类名称，未导入"]
    assert got[(6, "项目阶段")] == ["项目阶段无法识别，未导入"]
    assert got[(6, "项目级别")] == ["项目级别应为省级、市级或县级，未导入"]
    clash = "标题“张店区”指向张店区，与“县区”所示淄川区不一致，按淄川区导入，请核对"
    assert got[(7, "县区")] == got[(8, "县区")] == [clash]
    assert got[(2, "县区")] == ["“县区”列有1个空白单元格，按其上方最近填写的区域读取（第一个在第 8 行），请核对"]
    assert got[(9, "6月完成投资（万元）")] == ["本月完成投资大于本年累计，请核对"]  # a new project: nothing before June to say more
    doubtful = "按1月读取；若原意为10月（Excel 会把 2024.10 存成 2024.1），请将单元格设为文本后重填"
    assert got[(10, "计划竣工")] == [doubtful]
    assert [(e.row, e.column, e.message) for e in out.errors] == [(10, "总投资（万元）", "总投资不能为空")]

    # with its 总投资 the row is refused for its dates: the error, not the warnings, is the cell's message
    wb = load_workbook(FILES / "round3_one_message.xlsx")
    wb.active["H10"] = 1000
    buf = io.BytesIO()
    wb.save(buf)
    out = import_file(user=None, data=buf.getvalue(), filename="dates.xlsx", region="370300", dry_run=True)
    assert cells(out)[(10, "计划竣工")] == ["计划竣工日期不能早于计划开工日期"]

    # a registered project with May reported: June's figure is what the import did with it
    from keyprojects.core.testing import ProjectFactory
    from keyprojects.dispatch.models import MonthlyReport

    ProjectFactory(name="R3M月报项目", region_id="370303", total_investment=D("5000"), plan=(2024, 1200, "city"))
    may = Workbook()
    may.active.append(["淄博市2024年重点项目建设进展情况表（1-5月）"])
    may.active.append(["序号", "县区", "项目名称", "1-5月累计完成投资（万元）"])
    may.active.append([1, "张店区", "R3M月报项目", 150])
    buf = io.BytesIO()
    may.save(buf)
    out = import_file(user=None, data=buf.getvalue(), filename="may.xlsx", region="370300")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    wb.active.delete_rows(10)
    buf = io.BytesIO()
    wb.save(buf)
    out = import_file(user=None, data=buf.getvalue(), filename="june.xlsx", region="370300")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    assert cells(out)[(9, "6月完成投资（万元）")] == ["本月完成投资与“1-6月累计减去此前各月”（50）不一致，按累计数导入"]
    stored = {
        p.name: (p.region_id, p.total_investment, p.invested_before, [(y.year, y.annual_plan) for y in p.years.all()])
        for p in Project.objects.filter(name__startswith="R3M").prefetch_related("years")
    }
    assert stored == {
        "R3M计划按元": ("370303", D("50000"), D("0"), [(2024, D("300000000"))]),  # stored as written, warned
        "R3M累计按元": ("370303", D("8000"), D("60000000"), [(2024, D("0"))]),
        "R3M单位淄川": ("370303", D("3000"), D("0"), [(2024, D("1000"))]),
        "R3M生词": ("370303", D("2000"), D("0"), [(2024, D("500"))]),
        "R3M淄川甲": ("370302", D("1000"), D("0"), [(2024, D("100"))]),
        "R3M淄川乙": ("370302", D("1000"), D("0"), [(2024, D("100"))]),
        "R3M月报项目": ("370303", D("5000"), D("0"), [(2024, D("1200"))]),
    }
    p = Project.objects.get(name="R3M生词")
    assert (p.industry_section, p.industry_division, p.responsible_unit_id) == ("", "", None)
    reports = MonthlyReport.objects.filter(project__name="R3M月报项目").order_by("period__month")
    assert [(r.period.month, r.invested_month, r.invested_ytd) for r in reports] == [(5, D("150"), D("150")), (6, D("50"), D("200"))]


def test_a_county_written_once_under_group_rows_naming_no_place(world):
    """A 县区 written on the first row of each block, group rows naming a category between them:
    淄博's list whose sections each list their counties anew does not carry 淄川区 (the last county of
    产业项目) into 城建项目's first rows — they are the city's, said once naming the group row; a
    county's list in category sections keeps its one county throughout; a list whose counties each
    have the same sections keeps the county written above, said once per section naming the group
    row. A group row naming a county still places its rows."""
    out = imported("round3_sections.xlsx", region="370300")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    assert {p.name: p.region_id for p in Project.objects.filter(name__startswith="R3G")} == {
        "R3G产业甲": "370303",
        "R3G产业乙": "370303",
        "R3G产业丙": "370302",
        "R3G城建甲": "370300",  # no 县区 written in its section: not 淄川区
        "R3G城建乙": "370300",
        "R3G城建丙": "370305",
        "R3G城建丁": "370305",
        "R3G桓台甲": "370321",  # under "三、桓台县（1个）"
        "R3G民生甲": "370300",
        "R3G县产业甲": "370303",
        "R3G县产业乙": "370303",
        "R3G县城建甲": "370303",  # a county's list: its county holds across 二、城建项目
        "R3G县城建乙": "370303",
        "R3G分县张店甲": "370303",
        "R3G分县张店乙": "370303",
        "R3G分县张店丙": "370303",  # kept under （二）城建项目, said
        "R3G分县淄川甲": "370302",
        "R3G分县淄川乙": "370302",
        "R3G分县淄川丙": "370302",
    }
    said = [(w.sheet, w.row, w.message) for w in out.warnings if w.column == "县区"]
    assert said == [
        ("市清单", 2, "“县区”列有2个空白单元格，按其上方最近填写的区域读取（第一个在第 5 行），请核对"),
        (
            "市清单",
            7,
            "分组行“二、城建项目（4个）”开始新的一部分：其下2行的“县区”为空，未沿用上一部分的“淄川区”（第一个在第 8 行），请核对所属区域",
        ),
        ("县清单", 2, "“县区”列有3个空白单元格，按其上方最近填写的区域读取（第一个在第 5 行），请核对"),
        ("分县清单", 2, "“县区”列有1个空白单元格，按其上方最近填写的区域读取（第一个在第 5 行），请核对"),
        ("分县清单", 6, "分组行“（二）城建项目”下1行的“县区”为空，按分组行之上最近填写的“张店区”读取（第一个在第 7 行），请核对"),
        ("分县清单", 10, "分组行“（二）城建项目”下2行的“县区”为空，按分组行之上最近填写的“淄川区”读取（第一个在第 11 行），请核对"),
    ]


def test_a_section_writing_its_own_county_is_not_in_question():
    """The city's list whose every section begins with its 县区 written: read as written, nothing said
    beyond the sheet's filled cells (and the sheet is not read again to decide)."""
    from keyprojects.dataio.parsing import parse_file

    wb = load_workbook(FILES / "round3_sections.xlsx")
    ws = wb["市清单"]
    ws["B8"] = "淄川区"
    buf = io.BytesIO()
    wb.save(buf)
    (res, *_rest) = parse_file(buf.getvalue(), filename="x.xlsx", sheet="市清单")
    regions = [(r.row, r.values.get("region_text")) for r in res.rows]
    assert regions == [(4, "张店区"), (5, "张店区"), (6, "淄川区"), (8, "淄川区"), (9, "淄川区"), (10, "临淄区"), (11, "临淄区"),
                       (13, "桓台县"), (15, None)]  # fmt: skip
    said = "“县区”列有3个空白单元格，按其上方最近填写的区域读取（第一个在第 5 行），请核对"
    assert [(w.row, w.message) for w in res.warnings] == [(2, said)]
