"""The bulk grid: scope and filters, per-row saves (saved ✓, errors with the input kept,
conflicts, read-only rows), bulk submit with partial failures, pagination and export."""

from __future__ import annotations

import io
from decimal import Decimal as D

from django.urls import reverse
from openpyxl import load_workbook

from keyprojects.audit.models import AuditEvent
from keyprojects.core.testing import ProjectFactory
from keyprojects.dispatch.models import MonthlyReport
from keyprojects.dispatch.services import report_save, report_submit


def grid_url(period, **query):
    url = reverse("dispatch:grid", kwargs={"period": period.label})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def row_url(period, project):
    return reverse("dispatch:grid_row", kwargs={"period": period.label, "project_pk": project.pk})


def save_row(client, period, project, version=0, htmx=True, **fields):
    data = {"invested_month": "", "physical_progress_pct": "", "problems": "", "version": str(version), **fields}
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(row_url(period, project), data, **headers)


def names(resp) -> list[str]:
    return [row.project.name for row in resp.context["rows"]]


def test_grid_scope_and_region_filter(dw, client):
    client.force_login(dw.users.county)
    resp = client.get(grid_url(dw.p1))
    assert resp.status_code == 200 and names(resp) == ["历下区项目"] and resp.context["region_choices"] == []
    client.force_login(dw.users.city)
    resp = client.get(grid_url(dw.p1))
    assert sorted(names(resp)) == ["历下区项目", "市中区项目", "济南市本级项目"]
    codes = [c for c, _ in resp.context["region_choices"]]
    assert codes == ["370100", "370102", "370103"]
    assert names(client.get(grid_url(dw.p1, region="370102"))) == ["历下区项目"]
    assert len(names(client.get(grid_url(dw.p1, region="999999")))) == 3  # an unknown choice is ignored
    client.force_login(dw.users.province)
    resp = client.get(grid_url(dw.p1))
    assert len(names(resp)) == 4 and "c370200" in dict(resp.context["region_choices"])
    assert names(client.get(grid_url(dw.p1, region="c370200"))) == ["青岛市南区项目"]


def test_row_saves_and_answers_the_row_with_derived_figures(dw, client):
    p = dw.projects.own_county
    client.force_login(dw.users.county)
    resp = save_row(client, dw.p1, p, invested_month="100", physical_progress_pct="30", problems="资金缺口")
    assert resp.status_code == 200
    row = resp.content.decode()
    assert row.strip().startswith('<tr id="grid-row-') and "<html" not in row
    assert "✓" in row and "已保存" in row and "400.00" in row  # 300 before tracking + 100
    r = MonthlyReport.objects.get(project=p, period=dw.p1)
    assert (r.invested_month, r.physical_progress_pct, r.problems, r.status) == (D(100), D(30), "资金缺口", "draft")
    assert f'value="{r.pk}:{r.version}"' in row and 'name="version" value="1"' in row  # now selectable
    resp = save_row(client, dw.p1, p, version=r.version, invested_month="120", physical_progress_pct="30", problems="资金缺口")
    assert "420.00" in resp.content.decode()
    assert MonthlyReport.objects.get(pk=r.pk).invested_month == D(120)


def test_row_error_keeps_the_typed_value(dw, client):
    p = dw.projects.own_county
    client.force_login(dw.users.county)
    resp = save_row(client, dw.p1, p, invested_month="12万", problems="征地")
    row = resp.content.decode()
    assert resp.status_code == 200 and 'data-testid="row-error"' in row and "请输入数字" in row
    assert 'value="12万"' in row and 'value="征地"' in row and "已保存" not in row
    assert not MonthlyReport.objects.exists()
    row = save_row(client, dw.p1, p, invested_month="5", physical_progress_pct="101").content.decode()
    assert "0到100之间" in row and 'value="101"' in row


def test_row_conflict_shows_the_saved_values_and_keeps_input(dw, client):
    p = dw.projects.own_county
    report_save(user=dw.users.city, project=p, period=dw.p1, data={"invested_month": "88"})
    client.force_login(dw.users.county)
    row = save_row(client, dw.p1, p, version=0, invested_month="99").content.decode()
    assert "已被他人修改" in row and "“88”" in row and 'value="99"' in row
    assert 'name="version" value="1"' in row  # the next change saves over what the user has now seen
    assert MonthlyReport.objects.get().invested_month == D(88)


def test_submitted_rows_are_read_only(dw, client):
    p = dw.projects.own_county
    r = report_save(user=dw.users.county, project=p, period=dw.p1, data={"invested_month": "70"})
    report_submit(user=dw.users.county, report=r)
    client.force_login(dw.users.county)
    page = client.get(grid_url(dw.p1)).content.decode()
    assert f'id="g{p.pk}-invested_month"' not in page and "70.00" in page and "待审核" in page
    row = save_row(client, dw.p1, p, version=r.version + 1, invested_month="1").content.decode()
    assert "已提交或已审定" in row and "您输入的：本月完成投资 1" in row
    assert MonthlyReport.objects.get(pk=r.pk).invested_month == D(70)


def test_row_without_htmx_redirects_with_a_message(dw, client):
    client.force_login(dw.users.county)
    resp = save_row(client, dw.p1, dw.projects.own_county, htmx=False, invested_month="5")
    assert resp.status_code == 302 and resp["Location"] == grid_url(dw.p1)
    assert "已保存" in client.get(resp["Location"]).content.decode()


def test_bulk_submit_reports_each_row_and_one_failure_does_not_undo_the_others(dw, client):
    city = dw.users.city
    good = report_save(user=city, project=dw.projects.own_county, period=dw.p1, data={"invested_month": "10"})
    bad = report_save(
        user=city, project=dw.projects.city_level, period=dw.p1, data={"invested_month": "10", "physical_progress_pct": "100"}
    )  # 100% without a start date: a hard check error
    other = report_save(user=dw.users.other_city, project=dw.projects.other_city, period=dw.p1, data={"invested_month": "1"})
    client.force_login(city)
    url = reverse("dispatch:grid_submit", kwargs={"period": "2026-01"})
    resp = client.post(url, {"report": [f"{good.pk}:{good.version}", f"{bad.pk}:{bad.version}", f"{other.pk}:1"]}, follow=True)
    page = resp.content.decode()
    assert "已提交 1 份月报：历下区项目" in page
    assert "未提交 济南市本级项目：数据校验未通过" in page and "1 份月报不存在或无权提交" in page
    statuses = dict(MonthlyReport.objects.values_list("pk", "status"))
    assert statuses == {good.pk: "submitted", bad.pk: "draft", other.pk: "draft"}
    # a second click on the same selection: the already submitted one says so, nothing changes
    resp = client.post(url, {"report": [f"{good.pk}:{good.version}"]}, follow=True)
    assert "该月报已提交，请勿重复提交" in resp.content.decode()
    assert MonthlyReport.objects.filter(project=dw.projects.own_county, period=dw.p1).count() == 1


def test_bulk_submit_needs_a_selection(dw, client):
    client.force_login(dw.users.county)
    resp = client.post(reverse("dispatch:grid_submit", kwargs={"period": "2026-01"}), {"region": "370102"}, follow=True)
    assert "请先勾选要提交的月报" in resp.content.decode()


def test_grid_paginates_at_50_rows(dw, client):
    for i in range(55):
        ProjectFactory(name=f"历下区批量项目{i:02d}", region_id="370102", stage="construction", plan=(2026, 100, "county"))
    client.force_login(dw.users.county)
    resp = client.get(grid_url(dw.p1))
    assert resp.context["count"] == 56 and len(resp.context["rows"]) == 50
    assert len(client.get(grid_url(dw.p1, page=2)).context["rows"]) == 6


def test_leader_sees_the_grid_read_only(dw, client):
    client.force_login(dw.users.leader)
    resp = client.get(grid_url(dw.p1))
    page = resp.content.decode()
    assert resp.status_code == 200 and len(resp.context["rows"]) == 3
    assert "data-kp-col" not in page and "提交选中" not in page
    assert save_row(client, dw.p1, dw.projects.own_county, invested_month="1").status_code == 404
    assert not MonthlyReport.objects.exists()


def test_out_of_scope_row_is_404(dw, client):
    client.force_login(dw.users.sibling)
    assert save_row(client, dw.p1, dw.projects.own_county, invested_month="1").status_code == 404
    assert not MonthlyReport.objects.exists()


def test_export_is_formula_safe_and_audited(dw, client):
    p = dw.projects.own_county
    report_save(user=dw.users.city, project=p, period=dw.p1, data={"invested_month": "100", "problems": '=HYPERLINK("http://x")'})
    client.force_login(dw.users.city)
    resp = client.get(reverse("dispatch:grid_export", kwargs={"period": "2026-01"}), {"region": "370102"})
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 1
    # the month as filled; the cumulative figures are the official ones (a draft counts nowhere:
    # ADR 0011), not the draft's would-be 开工至今 of 400
    from keyprojects.analytics.models import ProjectPeriodFact

    fact = ProjectPeriodFact.objects.filter(project=p, period=dw.p1).first()
    assert rows[0][1] == "历下区项目" and rows[0][6] == 100
    assert rows[0][8] == (float(fact.invested_to_date) if fact else None) and rows[0][8] != 400
    assert rows[0][11] == '\'=HYPERLINK("http://x")'
    assert ws.cell(row=2, column=8).value == "1-1月累计完成投资（万元）"
    assert AuditEvent.objects.filter(action="export", object_type="dispatch.monthlyreport").count() == 1
