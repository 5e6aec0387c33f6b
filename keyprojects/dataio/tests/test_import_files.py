"""Real spreadsheets through the whole importer (reader → parser → importer) and the
``import_projects`` command: messy tables, row-level errors located as in Excel, the same file
twice, --dry-run, --json, --region, --period, --sheet and the exit status."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from django.core.management import CommandError, call_command

from keyprojects.dataio.models import ImportBatch
from keyprojects.dataio.services import import_file
from keyprojects.dispatch.models import MonthlyReport
from keyprojects.projects.models import Project

D = Decimal
TITLE = "2026年历下区重点项目建设进展情况表（1-6月）"
HEADERS = [
    "序号",
    "项目名称",
    "项目代码",
    "所属区域",
    "责任单位",
    "建设性质",
    "项目类别",
    "总投资（万元）",
    "2026年度计划投资（万元）",
    "1-6月累计完成投资（万元）",
    "形象进度",
]
GOOD = [
    [1, "历下区智能制造产业园", "", "历下区", "", "新开工", "产业项目", 52000, 12000, 3600.5, "主体施工"],
    [2, "历下区城市更新片区", "", "历下区", "", "续建", "城建项目", 88000, 20000, 9100, "拆迁完成"],
    [3, "历下区第一中学扩建", "", "", "", "续建", "社会民生项目", 15000, 6000, 2500, "装修"],
]
# the same table as it arrives from a county: a negative amount, a row of another county, a
# 建设性质 nobody uses, a project without 总投资, an unknown place name
MESSY = [
    [1, "历下区智能制造产业园", "", "历下区", "", "新开工", "产业项目", 52000, 12000, -3600.5, "主体施工"],
    [2, "历下区城市更新片区", "", "市中区", "", "续建", "城建项目", 88000, 20000, 9100, "拆迁完成"],
    [3, "历下区第一中学扩建", "", "", "", "翻新", "社会民生项目", 15000, 6000, 2500, "装修"],
    [4, "历下区无总投资项目", "", "历下区", "", "续建", "产业项目", "", 100, 10, ""],
    [5, "历下区新材料项目", "", "火星区", "", "续建", "产业项目", 3000, 1000, 100, ""],
]


def workbook(rows: list[list[Any]], *, title: str = TITLE, headers: list[str] = HEADERS, sheet: str = "1-6月") -> bytes:
    """A table as offices send it: a merged title, a "单位：万元" line, the header, the rows, a
    合计 row and a footer."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet(sheet)
    if title:
        ws.merge_range(0, 0, 0, len(headers) - 1, title)
    ws.write_row(1, 0, ["填报单位：历下区发展和改革局", "", "", "", "", "", "", "单位：万元"])
    ws.write_row(2, 0, headers)
    for i, row in enumerate(rows):
        ws.write_row(3 + i, 0, row)
    ws.write_row(3 + len(rows), 0, ["", "合计"])
    ws.write_row(5 + len(rows), 0, ["填报人：张三", "", "联系电话：0531-12345678"])
    wb.close()
    return buf.getvalue()


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_messy_table_gives_every_error_where_excel_shows_it_and_writes_nothing(world):
    out = import_file(user=world.users.county, data=workbook(MESSY), filename="历下区1-6月.xlsx")
    assert not out.written and Project.objects.count() == 4
    where = {(e.sheet, e.row, e.column) for e in out.errors}
    assert ("1-6月", 4, "1-6月累计完成投资（万元）") in where  # the negative amount (Excel row 4)
    assert ("1-6月", 5, "所属区域") in where  # another county
    assert ("1-6月", 6, "建设性质") in where
    assert ("1-6月", 7, "总投资（万元）") in where
    assert any(w.row == 8 and w.column == "所属区域" and "无法识别的地名" in w.message for w in out.warnings)
    assert all(e.message for e in out.errors)
    batch = ImportBatch.objects.get()
    assert batch.status == "failed" and batch.error_count == len(out.errors)


def test_fixed_table_imports_and_the_same_file_again_is_refused(world):
    data = workbook(GOOD)
    out = import_file(user=world.users.county, data=data, filename="历下区1-6月.xlsx")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    assert (out.rows, out.created, out.updated, out.period) == (3, 3, 0, (2026, 6))
    assert out.totals == {"total_investment": "155000.0000", "annual_plan": "38000.0000", "invested_ytd": "15200.5000"}
    p = Project.objects.get(name="历下区智能制造产业园")
    assert (p.region_id, p.category, p.nature, p.total_investment) == ("370102", "industry", "new", D("52000"))
    assert MonthlyReport.objects.get(project=p).invested_ytd == D("3600.5")
    again = import_file(user=world.users.county, data=data, filename="副本.xlsx")
    assert len(again.errors) == 1 and again.errors[0].message.startswith("该文件已于") and not again.written
    assert Project.objects.filter(name="历下区智能制造产业园").count() == 1
    # a later table with the same projects updates them (natural keys), it never duplicates
    later = [r[:] for r in GOOD]
    later[0][9] = 4000
    out = import_file(
        user=world.users.county,
        data=workbook(later, title=TITLE.replace("1-6月", "1-7月"), headers=[h.replace("1-6月", "1-7月") for h in HEADERS]),
        filename="历下区1-7月.xlsx",
    )
    assert out.errors == [], [e.as_dict() for e in out.errors]
    assert (out.created, out.updated, out.period) == (0, 3, (2026, 7))
    r7 = MonthlyReport.objects.get(project=p, period__month=7)
    assert (r7.invested_month, r7.invested_ytd) == (D("399.5"), D("4000"))


# --- the command -----------------------------------------------------------------------------


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_projects", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue() + str(exc)
    return 0, out.getvalue(), err.getvalue()


def test_cli_json_is_the_contract(world, tmp_path):
    path = write(tmp_path, "good.xlsx", workbook(GOOD))
    code, out, _ = cli(path, "--json", "--region", "370102")
    assert code == 0
    obj = json.loads(out)
    assert set(obj) == {"rows", "created", "updated", "errors", "warnings", "totals"}
    assert (obj["rows"], obj["created"], obj["updated"], obj["errors"]) == (3, 3, 0, [])
    assert obj["totals"] == {"total_investment": "155000.0000", "annual_plan": "38000.0000", "invested_ytd": "15200.5000"}
    b = ImportBatch.objects.get()
    assert (b.source, b.uploaded_by, b.status) == ("cli", None, "imported")
    assert MonthlyReport.objects.filter(submitted_by__isnull=True, status="submitted").count() == 3


def test_cli_errors_exit_1_with_every_error_in_json(world, tmp_path):
    path = write(tmp_path, "messy.xlsx", workbook(MESSY))
    code, out, err = cli(path, "--json", "--region", "370102")
    assert code == 1 and "导入未通过" in err
    obj = json.loads(out)
    assert obj["created"] == 0 and obj["updated"] == 0 and len(obj["errors"]) >= 3
    assert set(obj["errors"][0]) == {"sheet", "row", "column", "value", "message"}
    assert Project.objects.count() == 4  # only the world's


def test_cli_dry_run_writes_nothing_and_says_what_it_would_do(world, tmp_path):
    path = write(tmp_path, "good.xlsx", workbook(GOOD))
    code, out, _ = cli(path, "--dry-run", "--region", "370102")
    assert code == 0 and "试运行（未写入）" in out and "将新增项目 3 个" in out
    assert Project.objects.count() == 4 and ImportBatch.objects.count() == 0


def test_cli_region_is_for_rows_that_name_none(world, tmp_path):
    rows = [
        [1, "某县项目", "", "", "", "新开工", "产业项目", 100, 50, 5, ""],
        [2, "平阴项目", "", "平阴县", "", "新开工", "产业项目", 100, 50, 5, ""],
    ]
    path = write(tmp_path, "r.xlsx", workbook(rows))
    # --region is also the scope the rows must fall in (issue 13): 平阴县 is not in 市中区
    code, out, _ = cli(path, "--json", "--region", "370103")
    assert code == 1
    assert [(e["row"], e["message"]) for e in json.loads(out)["errors"]] == [(5, "第 5 行的所属区域“平阴县”不在本次导入的范围“市中区”内")]
    path = write(tmp_path, "r1.xlsx", workbook(rows[:1]))
    code, _, err = cli(path, "--region", "370103")
    assert code == 0, err
    assert Project.objects.get(name="某县项目").region_id == "370103"
    path = write(tmp_path, "r3.xlsx", workbook(rows[1:]))
    code, _, err = cli(path, "--region", "370100")
    assert code == 0, err
    assert Project.objects.get(name="平阴项目").region_id == "370124"
    # no --region and a row that names no place: an error on that row
    lost = [[1, "无处可去", "", "", "", "新开工", "产业项目", 100, 50, 5, ""]]
    path = write(tmp_path, "r2.xlsx", workbook(lost, title="2026年重点项目建设进展情况表（1-6月）"))
    code, out, _ = cli(path, "--json")
    assert code == 1 and json.loads(out)["errors"][0]["column"] == "所属区域"
    # … unless the title names it (issue 13): "2026年历下区重点项目…"
    path = write(tmp_path, "r4.xlsx", workbook(lost, title=TITLE + " "))
    code, out, err = cli(path, "--json")
    assert code == 0, err + out
    assert Project.objects.get(name="无处可去").region_id == "370102"


def test_cli_period_and_sheet(world, tmp_path):
    headers = [h if h != "1-6月累计完成投资（万元）" else "本月完成投资（万元）" for h in HEADERS]
    rows = [[1, "无期项目", "", "历下区", "", "新开工", "产业项目", 100, 50, 7, ""]]
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    for name, title in (("说明", "填表说明"), ("数据", "2026年历下区重点项目")):
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, [title])
        if name == "数据":
            ws.write_row(2, 0, headers)
            ws.write_row(3, 0, rows[0])
    wb.close()
    path = write(tmp_path, "p.xlsx", buf.getvalue())
    code, out, _ = cli(path, "--json", "--sheet", "数据")
    assert code == 1 and "无法确定调度期" in json.loads(out)["errors"][0]["message"]
    code, out, err = cli(path, "--json", "--sheet", "数据", "--period", "2026-04")
    assert code == 0, err + out
    r = MonthlyReport.objects.get(project__name="无期项目")
    assert (r.period.year, r.period.month, r.invested_month) == (2026, 4, D("7"))
    code, _, err = cli(path, "--period", "2026-13")
    assert code == 1 and "调度期" in err


def test_cli_unreadable_file(world, tmp_path):
    path = write(tmp_path, "bad.xlsx", b"not a spreadsheet at all")
    code, out, _ = cli(path, "--json")
    assert code == 1 and json.loads(out)["errors"][0]["message"]
    code, _, err = cli(str(tmp_path / "missing.xlsx"))
    assert code == 1 and "无法读取文件" in err


@pytest.mark.parametrize("rows", [3])
def test_progress_goes_to_stderr_not_stdout(world, tmp_path, rows):
    path = write(tmp_path, "good.xlsx", workbook(GOOD[:rows]))
    code, out, err = cli(path, "--json", "--region", "370102")
    assert code == 0 and json.loads(out)["rows"] == rows and "写入" in err


def test_the_administrators_header_synonyms_apply(world):
    from keyprojects.dataio.models import HeaderSynonym

    headers = ["序号", "项目名儿", "所属区域", "建设性质", "项目类别", "投资盘子"]
    data = workbook([[1, "同义词项目", "历下区", "新开工", "产业项目", 100]], title="2026年历下区项目清单", headers=headers)
    assert import_file(user=world.users.county, data=data, filename="s.xlsx", dry_run=True).rows == 0
    HeaderSynonym.objects.create(header="项目名儿", field="name")
    HeaderSynonym.objects.create(header="投资盘子", field="total_investment")
    out = import_file(user=world.users.county, data=data, filename="s.xlsx")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    assert Project.objects.get(name="同义词项目").total_investment == D("100")
