"""分月计划批量填报 (dispatch.services_plans_bulk): the sheet, its round trip, each refusal, all or
nothing, the stale check and who may do what."""

from __future__ import annotations

import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.utils import translation

from keyprojects.analytics.models import ProjectPeriodFact
from keyprojects.analytics.services import facts_refresh
from keyprojects.audit.models import AuditEvent
from keyprojects.core.errors import PermissionDenied, ValidationFailed
from keyprojects.core.money import format_wan_exact as exact_wan
from keyprojects.dispatch.models import MonthlyPlan, PeriodClosure
from keyprojects.dispatch.selectors_plans import plan_months, plan_months_of
from keyprojects.dispatch.services_plans import monthly_plan_set
from keyprojects.dispatch.services_plans_bulk import BulkRefused, plan_sheet, plans_confirm, plans_preview
from keyprojects.projects.models import Project, ProjectYear

FIRST = 4  # the first project row of the sheet (Excel, 1-based)
MONTH_COL = 6  # 1月 (Excel column F)


def sheet(user, year=2026):
    content, _n = plan_sheet(user=user, year=year)
    return openpyxl.load_workbook(io.BytesIO(content))


def rows_of(wb):
    ws = wb.active
    return {ws.cell(r, 2).value: r for r in range(FIRST, ws.max_row + 1) if ws.cell(r, 2).value}


def as_bytes(wb):
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def set_months(wb, row, values):
    for m, v in enumerate(values):
        wb.active.cell(row, MONTH_COL + m).value = v


def stored(project):
    return list(MonthlyPlan.objects.filter(project=project, year=2026).order_by("month").values_list("planned", flat=True))


def preview(user, wb, year=2026):
    return plans_preview(user=user, year=year, source=as_bytes(wb), filename="plans.xlsx")


def messages(p):
    return [str(e.message) for e in p.errors]


def test_the_sheet_lists_the_scope_with_its_curves(dw):
    Project.objects.filter(pk=dw.projects.sibling_county.pk).update(project_code="2601-370103-04-01-000001")
    monthly_plan_set(
        user=dw.users.city,
        project=dw.projects.city_level,
        year=2026,
        months=["50"] * 10 + ["0", "0"],
        expected=[str(v) for v in plan_months(project=dw.projects.city_level, year=2026).curve],
    )
    PeriodClosure.objects.create(period=dw.p1, region_id="370100", closed_by=dw.users.city)
    wb = sheet(dw.users.city)
    ws = wb.active
    assert "2026年重点项目分月计划批量填报（济南市）" in ws.cell(1, 1).value and "灰色月份已关账" in ws.cell(2, 1).value
    heads = [ws.cell(3, c).value for c in range(1, 20)]
    assert heads[:6] == ["项目代码", "项目名称", "所属区域", "年度计划投资（万元）", "计划来源", "1月"] and heads[16:19] == [
        "12月",
        "12个月合计",
        "项目ID",
    ]
    rows = rows_of(wb)
    assert set(rows) == {"历下区项目", "市中区项目", "济南市本级项目"}  # Qingdao's is out of scope
    r = rows["市中区项目"]
    assert ws.cell(r, 1).value == "2601-370103-04-01-000001" and ws.cell(r, 4).value == 800 and ws.cell(r, 5).value == "默认分布"
    r = rows["历下区项目"]
    assert ws.cell(r, 1).value == str(dw.projects.own_county.pk)  # no code: the ID
    assert ws.cell(r, 19).value == dw.projects.own_county.pk and ws.column_dimensions["S"].hidden
    r = rows["济南市本级项目"]
    assert ws.cell(r, 5).value == "项目自定" and ws.cell(r, MONTH_COL + 1).value == 50 and ws.cell(r, MONTH_COL + 11).value == 0
    # January is closed: grey and locked; February is white and open
    jan, feb = ws.cell(r, MONTH_COL), ws.cell(r, MONTH_COL + 1)
    assert jan.protection.locked and not feb.protection.locked and ws.protection.sheet
    assert jan.fill.fgColor.rgb.endswith("D9D9D9") and not feb.fill.fgColor.rgb.endswith("D9D9D9")
    # the county sees its own project only
    assert set(rows_of(sheet(dw.users.county))) == {"历下区项目"}


def test_names_are_neutralised_in_the_sheet(dw):
    Project.objects.filter(pk=dw.projects.own_county.pk).update(name="=HYPERLINK(1)")
    ws = sheet(dw.users.county).active
    assert ws.cell(FIRST, 2).value == "'=HYPERLINK(1)"


def test_the_batched_curves_equal_the_single_ones(dw):
    for period in (dw.p1, dw.p2):
        facts_refresh(period=period)
    PeriodClosure.objects.create(period=dw.p1, region_id="370100", closed_by=dw.users.city)
    ProjectYear.objects.filter(project=dw.projects.own_county, year=2026).update(annual_plan=D(600))
    projects = list(Project.objects.all())
    batched = plan_months_of(projects=projects, year=2026)
    for p in projects:
        assert batched[p.pk] == plan_months(project=p, year=2026)


def test_round_trip_changes_exactly_the_edited_curves_and_refreshes_once(dw, monkeypatch):
    import keyprojects.analytics.refresh as refresh

    for period in (dw.p1, dw.p2, dw.p3):
        facts_refresh(period=period)
    wb = sheet(dw.users.city)
    rows = rows_of(wb)
    own, sib = dw.projects.own_county, dw.projects.sibling_county
    set_months(wb, rows["历下区项目"], [100, 0, 0, 200, 100, 100, 100, 100, 100, 100, 100, 200])
    set_months(wb, rows["市中区项目"], ["１００", "0", "100", 100, 50.5, 49.5, 100, 100, 100, 100, 0, 0])  # typed as text too
    p = preview(dw.users.city, wb)
    assert not p.errors and p.unchanged == 1 and [c.project.pk for c in p.changes] == [own.pk, sib.pk]
    assert [m["month"] for m in p.changes[0].months if m["changed"]] == [2, 3, 4, 12]
    assert not MonthlyPlan.objects.exists()  # a preview writes nothing
    calls = []
    real = refresh.refresh_after
    monkeypatch.setattr(refresh, "refresh_after", lambda **kw: (calls.append(kw), real(**kw))[1])
    events = AuditEvent.objects.filter(action="update").count()
    applied = plans_confirm(user=dw.users.city, token=p.token)
    assert applied.changed == 2
    assert stored(own) == [D(v) for v in (100, 0, 0, 200, 100, 100, 100, 100, 100, 100, 100, 200)]
    assert stored(sib)[4] == D("50.5") and stored(dw.projects.city_level) == []
    assert AuditEvent.objects.filter(action="update").count() == events + 2  # one per project, as the single save
    assert len(calls) == 1 and set(calls[0]["project_ids"]) == {own.pk, sib.pk} and calls[0]["from_period"] == dw.p1
    assert ProjectPeriodFact.objects.get(project=own, period=dw.p3).planned_ytd == D(100)  # the figures follow
    assert ProjectPeriodFact.objects.get(project=sib, period=dw.p3).planned_ytd == D(200)
    # the same file again: nothing changes
    again = preview(dw.users.city, sheet(dw.users.city))
    assert not again.errors and not again.changes and again.unchanged == 3 and not again.token


def test_each_error_is_said_at_its_row_and_nothing_is_written(dw):
    Project.objects.filter(pk=dw.projects.sibling_county.pk).update(project_code="C-1")
    PeriodClosure.objects.create(period=dw.p1, region_id="370100", closed_by=dw.users.city)
    wb = sheet(dw.users.city)
    rows = rows_of(wb)
    ws = wb.active
    set_months(wb, rows["历下区项目"], ["abc", -1, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100])
    sib = rows["市中区项目"]
    ws.cell(sib, MONTH_COL).value += 1  # January is closed: changed
    city_jan = ws.cell(rows["济南市本级项目"], MONTH_COL).value
    set_months(wb, rows["济南市本级项目"], [city_jan, *([40] * 11)])  # January kept, 440 more: not 500
    n = ws.max_row
    ws.cell(n + 1, 1).value, ws.cell(n + 1, 2).value = "NO-SUCH-CODE", "外地项目"
    ws.cell(n + 2, 1).value, ws.cell(n + 2, 2).value = str(dw.projects.other_city.pk), "青岛市南区项目"  # out of scope
    ws.cell(n + 3, 1).value, ws.cell(n + 3, 19).value = "C-1", dw.projects.sibling_county.pk  # twice
    set_months(wb, n + 3, [0] * 12)
    p = preview(dw.users.city, wb)
    said = {(e.row, e.column): str(e.message) for e in p.errors}
    lixia = rows["历下区项目"]
    assert said[(lixia, "1月")] == "请输入数字（单位：万元）" and said[(lixia, "2月")] == "金额不能为负数"
    assert "1月已关账，分月计划须保持" in said[(sib, "1月")]
    sum_error = said[(rows["济南市本级项目"], "")]
    total = D(str(city_jan)) + 440
    assert f"12个月合计{exact_wan(total)}万元，2026年年度计划投资500.00万元，相差{exact_wan(500 - total)}万元" in sum_error
    assert said[(n + 1, "项目代码")] == "项目“NO-SUCH-CODE”不存在或不在您的管辖范围内"
    assert said[(n + 2, "项目代码")] == f"项目“{dw.projects.other_city.pk}”不存在或不在您的管辖范围内"
    assert said[(n + 3, "")] == f"该项目已在第{rows['市中区项目']}行填写"
    assert not p.token and not MonthlyPlan.objects.exists()


def test_another_year_and_a_foreign_file_are_refused(dw):
    ProjectYear.objects.create(project=dw.projects.own_county, year=2025, annual_plan=D(600))
    p = preview(dw.users.county, sheet(dw.users.county, year=2025), year=2026)
    assert messages(p) == ["该文件是2025年的分月计划，当前填报的是2026年：请导出2026年的模板"]
    wb = openpyxl.Workbook()
    wb.active.append(["名称", "金额"])
    assert "找不到表头" in messages(preview(dw.users.county, wb))[0]


def test_all_or_nothing_at_confirm(dw):
    wb = sheet(dw.users.city)
    rows = rows_of(wb)
    set_months(wb, rows["历下区项目"], [50, 50, 0, 200, 100, 100, 100, 100, 100, 100, 100, 200])
    city_jan = wb.active.cell(rows["济南市本级项目"], MONTH_COL).value
    set_months(wb, rows["济南市本级项目"], [city_jan, 500 - city_jan] + [0] * 10)
    p = preview(dw.users.city, wb)
    assert len(p.changes) == 2 and p.token
    # January closes after the preview: the county's row changes a closed month now, so neither is written
    PeriodClosure.objects.create(period=dw.p1, region_id="370100", closed_by=dw.users.city)
    events = AuditEvent.objects.count()
    with pytest.raises(BulkRefused) as exc:
        plans_confirm(user=dw.users.city, token=p.token)
    assert not MonthlyPlan.objects.exists() and AuditEvent.objects.count() == events
    assert not exc.value.stale and [(e.row, e.column) for e in exc.value.errors] == [(rows["历下区项目"], "1月")]
    assert "1月已关账" in str(exc.value.errors[0].message)


def test_a_changed_annual_plan_makes_the_preview_stale(dw):
    wb = sheet(dw.users.city)
    rows = rows_of(wb)
    set_months(wb, rows["历下区项目"], [100, 0, 0, 200, 100, 100, 100, 100, 100, 100, 100, 200])
    set_months(wb, rows["市中区项目"], [0, 0, 200, 100, 100, 100, 100, 100, 100, 0, 0, 0])
    p = preview(dw.users.city, wb)
    ProjectYear.objects.filter(project=dw.projects.sibling_county, year=2026).update(annual_plan=D(900))
    with pytest.raises(BulkRefused) as exc:
        plans_confirm(user=dw.users.city, token=p.token)
    assert not MonthlyPlan.objects.exists()
    assert exc.value.stale == [f"市中区项目（{dw.projects.sibling_county.pk}）"]  # the default spread moved
    assert "预览之后，以下项目的分月计划已被修改：市中区项目" in exc.value.message


def test_a_curve_saved_after_the_preview_refuses_the_batch(dw):
    wb = sheet(dw.users.city)
    rows = rows_of(wb)
    set_months(wb, rows["历下区项目"], [100, 0, 0, 200, 100, 100, 100, 100, 100, 100, 100, 200])
    set_months(wb, rows["济南市本级项目"], [50] * 10 + [0, 0])
    p = preview(dw.users.city, wb)
    monthly_plan_set(
        user=dw.users.county, project=dw.projects.own_county, year=2026, months=["120"] * 10 + ["0", "0"], expected=["100"] * 12
    )
    with pytest.raises(BulkRefused) as exc:
        plans_confirm(user=dw.users.city, token=p.token)
    assert exc.value.stale == [f"历下区项目（{dw.projects.own_county.pk}）"]
    assert stored(dw.projects.own_county)[0] == D(120) and stored(dw.projects.city_level) == []


def test_a_token_is_the_previewers_and_unforged(dw):
    wb = sheet(dw.users.county)
    set_months(wb, FIRST, [100, 0, 0, 200, 100, 100, 100, 100, 100, 100, 100, 200])
    p = preview(dw.users.county, wb)
    with pytest.raises(ValidationFailed):
        plans_confirm(user=dw.users.county_clerk, token=p.token)
    with pytest.raises(ValidationFailed):
        plans_confirm(user=dw.users.county, token=p.token[:-2] + "xx")
    assert not MonthlyPlan.objects.exists()
    plans_confirm(user=dw.users.county, token=p.token)
    assert stored(dw.projects.own_county)[3] == D(200)


def test_roles(dw):
    u = dw.users
    wb = sheet(u.county)
    for user in (u.leader, u.enterprise, u.sysadmin, u.secadmin, u.auditor):
        with pytest.raises(PermissionDenied):
            preview(user, wb)
    assert set(rows_of(sheet(u.leader))) == {"历下区项目", "市中区项目", "济南市本级项目"}  # a leader reads
    assert sheet(u.leader).active.cell(FIRST, MONTH_COL + 1).protection.locked  # grey: nothing to fill
    for user in (u.enterprise, u.sysadmin, u.auditor):
        assert rows_of(sheet(user)) == {}
    # another county's staff: the county's project is not theirs
    p = preview(u.sibling, wb)
    assert p.errors and "不在您的管辖范围内" in str(p.errors[0].message)


def test_a_region_narrows_the_sheet_the_preview_and_the_confirm(dw):
    from keyprojects.core.errors import NotFound
    from keyprojects.dispatch.services_plans_bulk import place_name, plan_region, region_choices

    u = dw.users
    lixia = plan_region(user=u.city, code="370102")
    assert lixia.code == "370102" and plan_region(user=u.city, code="") is None and place_name(u.city, lixia) == "济南市历下区"
    for user, code in ((u.city, "370202"), (u.city, "999999"), (u.city, "37010"), (u.county, "370100"), (u.county, "370103")):
        with pytest.raises(NotFound) as exc:
            plan_region(user=user, code=code)
        assert exc.value.message == "所选区域不存在或不在您的管辖范围内"
    assert plan_region(user=u.province, code="370202").name == "市南区" and plan_region(user=u.department, code="370103")
    assert region_choices(u.county) == [] and {r.code for r in region_choices(u.city)} >= {"370100", "370102", "370103"}
    assert not {r.code for r in region_choices(u.city)} & {"370000", "370200", "370202"}
    # the sheet: the region's projects only, its place in the title
    content, n = plan_sheet(user=u.city, year=2026, region=lixia)
    wb = openpyxl.load_workbook(io.BytesIO(content))
    assert n == 1 and set(rows_of(wb)) == {"历下区项目"} and "（济南市历下区）" in wb.active.cell(1, 1).value
    # the city's whole sheet read for 历下区: the other rows are refused as outside the region chosen
    whole = sheet(u.city)
    rows = rows_of(whole)
    set_months(whole, rows["历下区项目"], [100, 0, 0, 200, 100, 100, 100, 100, 100, 100, 100, 200])
    p = plans_preview(user=u.city, year=2026, source=as_bytes(whole), filename="plans.xlsx", region=lixia)
    assert {e.row for e in p.errors} == {rows["市中区项目"], rows["济南市本级项目"]} and not p.token
    assert all(str(e.message).endswith("不在所选区域（济南市历下区）内") for e in p.errors)
    with translation.override("en"):
        assert p.errors[0].message.shown.endswith("is not in the region chosen (济南市历下区)")
    # the token keeps the region: a project moved out of it after the preview is refused at confirm
    p = plans_preview(user=u.city, year=2026, source=as_bytes(wb), filename="plans.xlsx", region=lixia)
    assert not p.changes and p.unchanged == 1
    set_months(wb, FIRST, [100, 0, 0, 200, 100, 100, 100, 100, 100, 100, 100, 200])
    p = plans_preview(user=u.city, year=2026, source=as_bytes(wb), filename="plans.xlsx", region=lixia)
    assert p.token and len(p.changes) == 1
    Project.objects.filter(pk=dw.projects.own_county.pk).update(region_id="370103")
    with pytest.raises(BulkRefused) as exc:
        plans_confirm(user=u.city, token=p.token)
    assert [str(e.message) for e in exc.value.errors] == [f"项目“{dw.projects.own_county.pk}”不在所选区域（济南市历下区）内"]
    assert not MonthlyPlan.objects.exists()
    Project.objects.filter(pk=dw.projects.own_county.pk).update(region_id="370102")
    assert plans_confirm(user=u.city, token=p.token).changed == 1
