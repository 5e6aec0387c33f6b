"""The fill-in template round trip: export it, fill rows as a person does in Excel (figures, or
本月无进展 with its reason), import it with the importer service — exactly those projects'
reports change, nothing else does; the hidden 项目ID finds the project, within the user's scope."""

from __future__ import annotations

import io
from decimal import Decimal as D
from typing import Any

from openpyxl import load_workbook

from keyprojects.core.testing import EXPLAINED, ProjectFactory
from keyprojects.dataio import services
from keyprojects.dataio.exports import TEMPLATE_HEADER_ROW, fill_template
from keyprojects.dispatch.models import MonthlyReport
from keyprojects.dispatch.services import report_acknowledge, report_review, report_save, report_submit
from keyprojects.projects.models import Project, ProjectYear


def approve(dw: Any, project: Project, period: Any, amount: str) -> MonthlyReport:
    root = dw.users.superuser
    r = report_save(user=root, project=project, period=period, data={"invested_month": amount})
    report_submit(user=root, report=r, reasons=EXPLAINED)
    r.refresh_from_db()
    while r.status == "submitted":
        report_acknowledge(user=dw.users.superuser_reviewer, report=r, reason="已核实")  # four eyes
        report_review(user=dw.users.superuser_reviewer, report=r, action="approve")
        r.refresh_from_db()
    return r


def reports_snapshot() -> dict[tuple[int, int], tuple[Any, ...]]:
    return {
        (r.project_id, r.period_id): (
            r.status,
            r.invested_month,
            r.invested_ytd,
            r.physical_progress,
            r.physical_progress_pct,
            r.problems,
            r.version,
        )
        for r in MonthlyReport.objects.all()
    }


def projects_snapshot() -> tuple[dict[int, tuple[Any, ...]], set[tuple[Any, ...]]]:
    projects = {
        p.pk: (p.name, p.project_code, p.region_id, p.stage, p.nature, p.category, p.total_investment, p.owner_id, p.version)
        for p in Project.objects.all()
    }
    years = set(ProjectYear.objects.values_list("project_id", "year", "annual_plan", "on_province_list", "on_city_list", "on_county_list"))
    return projects, years


def test_template_round_trip_changes_exactly_the_filled_reports(dw: Any) -> None:
    county = dw.users.county
    coded = dw.projects.own_county
    Project.objects.filter(pk=coded.pk).update(project_code="2403-370102-04-01-54321A")
    uncoded = ProjectFactory(name="历下区第二项目", region_id="370102", stage="construction", plan=(2026, 600, "county"))
    approved = ProjectFactory(name="历下区第三项目", region_id="370102", stage="construction", plan=(2026, 300, "county"))
    untouched = ProjectFactory(name="历下区第四项目", region_id="370102", stage="construction", plan=(2026, 200, "county"))
    idle = ProjectFactory(name="历下区第五项目", region_id="370102", stage="construction", plan=(2026, 100, "county"))
    approve(dw, approved, dw.p3, "8")
    approve(dw, coded, dw.p2, "20")
    report_save(user=county, project=untouched, period=dw.p2, data={"invested_month": "5"})  # a draft of another month

    content = fill_template(user=county, period="2026-03")
    wb = load_workbook(io.BytesIO(content))
    ws = wb.active
    header = {c.value: c.column for c in ws[TEMPLATE_HEADER_ROW + 1] if c.value}
    row_of = {
        ws.cell(r, header["项目ID"]).value: r for r in range(TEMPLATE_HEADER_ROW + 2, ws.max_row + 1) if ws.cell(r, header["项目ID"]).value
    }
    assert set(row_of) == {coded.pk, uncoded.pk, approved.pk, untouched.pk, idle.pk}

    # fill two rows, as a person would
    r = row_of[coded.pk]
    ws.cell(r, header["本月完成投资（万元）"]).value = 35.5
    ws.cell(r, header["形象进度"]).value = "主体结构施工"
    ws.cell(r, header["形象进度（%）"]).value = 40
    ws.cell(r, header["存在问题"]).value = "用地指标紧张"
    r = row_of[uncoded.pk]
    ws.cell(r, header["本月完成投资（万元）"]).value = 12
    ws.cell(r, header["形象进度"]).value = "基础完成"
    r = row_of[idle.pk]
    ws.cell(r, header["本月无进展"]).value = "是"
    ws.cell(r, header["无进展原因"]).value = "等待规划许可"
    buf = io.BytesIO()
    wb.save(buf)

    reports_before, projects_before = reports_snapshot(), projects_snapshot()
    outcome = services.import_file(user=county, data=buf.getvalue(), filename="月调度填报模板-历下区-2026-03.xlsx")
    assert outcome.errors == [], [i.as_dict() for i in outcome.errors]
    assert outcome.written and outcome.created == 0
    assert outcome.period == (2026, 3)

    reports_after = reports_snapshot()
    changed = {k for k in reports_after if reports_before.get(k) != reports_after[k]}
    assert changed == {(coded.pk, dw.p3.pk), (uncoded.pk, dw.p3.pk), (idle.pk, dw.p3.pk)}
    a = MonthlyReport.objects.get(project=coded, period=dw.p3)
    assert (a.invested_month, a.invested_ytd, a.physical_progress, a.physical_progress_pct, a.problems) == (
        D("35.5"),
        D("55.5"),
        "主体结构施工",
        D("40"),
        "用地指标紧张",
    )
    b = MonthlyReport.objects.get(project=uncoded, period=dw.p3)
    assert (b.invested_month, b.physical_progress) == (D("12"), "基础完成")
    c = MonthlyReport.objects.get(project=idle, period=dw.p3)  # an explicit zero report, submitted like the others
    assert (c.status, c.no_activity, c.no_activity_reason, c.invested_month, c.invested_ytd) == (
        "submitted",
        True,
        "等待规划许可",
        D("0"),
        D("0"),
    )
    assert c.steps.filter(action="submit").count() == 1
    # the projects themselves (names, codes, plans, lists) are as they were
    assert projects_snapshot() == projects_before


def test_round_trip_keeps_text_the_export_neutralised(dw: Any) -> None:
    """The template writes "=1+2项目" as "'=1+2项目" (so Excel shows it, never evaluates it);
    importing the filled template must not rename the project to "'=1+2项目" nor prefix the
    problems text kept from the draft."""
    county = dw.users.county
    p = ProjectFactory(
        name="=1+2项目", project_code="2403-370102-04-01-77777C", region_id="370102", stage="construction", plan=(2026, 600, "county")
    )
    report_save(user=county, project=p, period=dw.p3, data={"invested_month": "1", "problems": "-缺少用地指标"})
    wb = load_workbook(io.BytesIO(fill_template(user=county, period="2026-03")))
    ws = wb.active
    header = {c.value: c.column for c in ws[TEMPLATE_HEADER_ROW + 1] if c.value}
    (r,) = [r for r in range(TEMPLATE_HEADER_ROW + 2, ws.max_row + 1) if ws.cell(r, header["项目ID"]).value == p.pk]
    assert ws.cell(r, header["项目名称"]).value == "'=1+2项目"
    assert ws.cell(r, header["存在问题"]).value == "'-缺少用地指标"
    ws.cell(r, header["本月完成投资（万元）"]).value = 9
    buf = io.BytesIO()
    wb.save(buf)

    before = Project.objects.count()
    outcome = services.import_file(user=county, data=buf.getvalue(), filename="模板.xlsx")
    assert outcome.errors == [], [i.as_dict() for i in outcome.errors]
    assert (outcome.created, outcome.updated, Project.objects.count()) == (0, 1, before)
    p.refresh_from_db()
    assert p.name == "=1+2项目"
    a = MonthlyReport.objects.get(project=p, period=dw.p3)
    assert (a.invested_month, a.problems) == (D("9"), "-缺少用地指标")


def filled_template(user: Any, period: str, fill: dict[int, dict[str, Any]], ids: dict[int, int] | None = None) -> bytes:
    """The template of ``user``, with ``fill`` (project id → {header: value}) typed in and the
    hidden 项目ID of some rows changed to ``ids`` (old id → new id)."""
    wb = load_workbook(io.BytesIO(fill_template(user=user, period=period)))
    ws = wb.active
    header = {c.value: c.column for c in ws[TEMPLATE_HEADER_ROW + 1] if c.value}
    for r in range(TEMPLATE_HEADER_ROW + 2, ws.max_row + 1):
        pid = ws.cell(r, header["项目ID"]).value
        for title, value in fill.get(pid, {}).items():
            ws.cell(r, header[title]).value = value
        if ids and pid in ids:
            ws.cell(r, header["项目ID"]).value = ids[pid]
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_the_hidden_project_id_matches_projects_names_cannot(dw: Any) -> None:
    """A city's template lists two uncoded projects of the same name in two counties (and no
    region column): the 项目ID tells them apart."""
    a = ProjectFactory(name="同名道路工程", region_id="370102", stage="construction", plan=(2026, 600, "county"))
    b = ProjectFactory(name="同名道路工程", region_id="370103", stage="construction", plan=(2026, 600, "county"))
    data = filled_template(dw.users.city, "2026-03", {a.pk: {"本月完成投资（万元）": 7}, b.pk: {"本月完成投资（万元）": 9}})
    before = Project.objects.count()
    outcome = services.import_file(user=dw.users.city, data=data, filename="模板.xlsx")
    assert outcome.errors == [], [i.as_dict() for i in outcome.errors]
    assert (outcome.created, outcome.updated, Project.objects.count()) == (0, 2, before)
    got = dict(MonthlyReport.objects.filter(period=dw.p3, project__in=[a, b]).values_list("project_id", "invested_month"))
    assert got == {a.pk: D("7"), b.pk: D("9")}


def test_the_hidden_project_id_is_scope_checked(dw: Any) -> None:
    """A county user who edits the hidden 项目ID to a project of another county (or to none)
    imports nothing."""
    county = dw.users.county
    mine = ProjectFactory(name="历下区项目乙", region_id="370102", stage="construction", plan=(2026, 600, "county"))
    theirs = dw.projects.sibling_county
    fill = {mine.pk: {"本月完成投资（万元）": 5}}
    data = filled_template(county, "2026-03", fill, ids={mine.pk: theirs.pk})
    outcome = services.import_file(user=county, data=data, filename="模板.xlsx")
    assert [(i.column, i.message) for i in outcome.errors] == [("项目ID", "该项目已存在，但不在您的管辖范围内，不能通过导入修改")]
    data = filled_template(county, "2026-03", fill, ids={mine.pk: 987654})
    outcome = services.import_file(user=county, data=data, filename="模板2.xlsx")
    assert [(i.column, i.message) for i in outcome.errors] == [
        ("项目ID", "项目ID在系统中不存在（请使用本系统导出的填报模板，勿修改隐藏列）")
    ]
    assert not outcome.written
    assert not MonthlyReport.objects.filter(period=dw.p3, project__in=[mine, theirs]).exists()


def test_no_activity_needs_a_reason_and_a_zero(dw: Any) -> None:
    county = dw.users.county
    p = ProjectFactory(name="历下区项目丙", region_id="370102", stage="construction", plan=(2026, 600, "county"))
    q = ProjectFactory(name="历下区项目丁", region_id="370102", stage="construction", plan=(2026, 600, "county"))
    data = filled_template(
        county, "2026-03", {p.pk: {"本月无进展": "是"}, q.pk: {"本月无进展": "是", "无进展原因": "停工待料", "本月完成投资（万元）": 3}}
    )
    outcome = services.import_file(user=county, data=data, filename="模板.xlsx")
    assert sorted(i.message for i in outcome.errors) == ["请说明本月无进展的原因", "选择“本月无进展”时本月完成投资应为0"]
    assert not outcome.written
