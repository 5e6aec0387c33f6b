"""分月计划 page (/projects/<id>/plans/<year>/): edit for the project's government staff, read only
for a leader, errors at the month and on top, the loaded curve as the lock, the export."""

from __future__ import annotations

import io
import re
from decimal import Decimal as D

import openpyxl

from keyprojects.core.testing import PASSWORD
from keyprojects.dispatch.models import MonthlyPlan, PeriodClosure
from keyprojects.dispatch.services_plans import monthly_plan_set

CURVE = ["100", "0", "0", "200", "100", "100", "100", "100", "100", "100", "100", "200"]


def url(project, year=2026):
    return f"/projects/{project.pk}/plans/{year}/"


def post(months, expected=None, action="save"):
    data = {f"month_{m}": v for m, v in enumerate(months, start=1)}
    data["expected"] = ",".join(expected or ["100"] * 12)
    data["action"] = action
    return data


def field_error(html: str, name: str) -> str:
    m = re.search(rf'data-testid="error-{name}">([^<]+)<', html)
    return m.group(1) if m else ""


def test_detail_links_each_year_to_its_plan(client, dw):
    p = dw.projects.own_county
    assert client.login(username="lixia", password=PASSWORD)
    html = client.get(f"/projects/{p.pk}/").content.decode()
    assert f'href="{url(p)}"' in html


def test_a_filler_sets_the_curve_on_the_page(client, dw):
    p = dw.projects.own_county
    PeriodClosure.objects.create(period=dw.p1, region_id="370100", closed_by=dw.users.city)
    assert client.login(username="lixia", password=PASSWORD)
    html = client.get(url(p)).content.decode()
    assert 'data-testid="plan-form"' in html and 'name="month_2"' in html
    assert 'name="month_1"' not in html and 'data-kp-plan-fixed="100.0000"' in html  # January is closed: shown, not typed
    assert 'data-testid="frozen-1"' in html and "1,200.00" in html
    r = client.post(url(p), post(CURVE), follow=True)
    assert r.status_code == 200 and "分月计划已保存" in r.content.decode()
    assert list(MonthlyPlan.objects.filter(project=p).order_by("month").values_list("planned", flat=True)) == [D(v) for v in CURVE]
    assert 'data-testid="plan-default"' in r.content.decode()
    # the history of the project shows the change
    assert "2026年分月计划" in client.get(f"/projects/{p.pk}/").content.decode()
    # back to the default spread
    r = client.post(url(p), post(CURVE, expected=CURVE, action="default"), follow=True)
    assert "已恢复默认分布" in r.content.decode() and not MonthlyPlan.objects.filter(project=p).exists()


def test_errors_at_the_month_and_on_top_with_the_input_kept(client, dw):
    p = dw.projects.own_county
    assert client.login(username="lixia", password=PASSWORD)
    html = client.post(url(p), post(["x", *CURVE[1:]])).content.decode()
    assert "请输入数字" in field_error(html, "month_1") and 'value="x"' in html
    html = client.post(url(p), post(["100"] * 11 + ["50"])).content.decode()
    assert 'data-testid="plan-errors"' in html and "1,150.00" in html and not MonthlyPlan.objects.exists()


def test_a_stale_page_is_told_and_keeps_the_input(client, dw):
    p = dw.projects.own_county
    monthly_plan_set(user=dw.users.city, project=p, year=2026, months=CURVE, expected=["100"] * 12)
    assert client.login(username="lixia", password=PASSWORD)
    html = client.post(url(p), post(["50", "150", *["100"] * 10])).content.decode()
    assert 'data-testid="conflict"' in html and "已被他人修改" in html and 'value="150"' in html
    assert f'value="{",".join(CURVE)}"' in html  # the next save is checked against the saved curve


def test_a_leader_reads_it_and_cannot_post(client, dw):
    p = dw.projects.own_county
    assert client.login(username="leader", password=PASSWORD)
    html = client.get(url(p)).content.decode()
    assert 'data-testid="plan-read-only"' in html and "<input" not in html.split('data-testid="plan-table"')[1].split("</table>")[0]
    assert client.post(url(p), post(CURVE)).status_code == 404
    assert not MonthlyPlan.objects.exists()


def test_out_of_scope_and_bad_years(client, dw):
    assert client.login(username="shizhong", password=PASSWORD)
    assert client.get(url(dw.projects.own_county)).status_code == 404
    assert client.get(url(dw.projects.sibling_county, 1999)).status_code == 404
    assert client.get(url(dw.projects.sibling_county, 2031)).status_code == 200  # no annual plan: says so
    assert "请先设置年度计划投资" in client.get(url(dw.projects.sibling_county, 2031)).content.decode()


def test_export(client, dw):
    p = dw.projects.own_county
    monthly_plan_set(user=dw.users.county, project=p, year=2026, months=CURVE, expected=["100"] * 12)
    assert client.login(username="leader", password=PASSWORD)
    r = client.get(f"{url(p)}export.xlsx")
    assert r.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4, max_row=16)]
    assert rows[0][:3] == ["1月", 100, 100] and rows[3][:3] == ["4月", 200, 300] and rows[12][:2] == ["合计", 1200]


def shown_values(html: str) -> tuple[list[str], str]:
    """The twelve values the page pre-fills (typed or fixed) and its expected."""
    values = []
    for m in range(1, 13):
        typed = re.search(rf'name="month_{m}" value="([^"]*)"', html)
        fixed = re.search(rf'data-testid="plan-month-{m}">.*?data-kp-plan-fixed="([^"]*)"', html, re.S)
        values.append(typed.group(1) if typed else fixed.group(1))  # type: ignore[union-attr]
    expected = re.search(r'name="expected" value="([^"]*)"', html)
    assert expected
    return values, expected.group(1)


def test_saving_the_prefilled_default_spread_unchanged_writes_nothing(client, dw):
    from keyprojects.audit.models import AuditEvent
    from keyprojects.projects.models import ProjectYear

    p = dw.projects.own_county
    ProjectYear.objects.filter(project=p, year=2026).update(annual_plan=D(1000))  # 83.3333 / 83.3334 a month
    assert client.login(username="lixia", password=PASSWORD)
    html = client.get(url(p)).content.decode()
    values, expected = shown_values(html)
    assert any(len(v.split(".")[-1]) == 4 for v in values if "." in v)
    events = AuditEvent.objects.count()
    r = client.post(url(p), post(values, expected=expected.split(",")), follow=True)
    html = r.content.decode()
    assert r.status_code == 200 and "未作修改" in html and "最多保留" not in html
    assert not MonthlyPlan.objects.exists() and AuditEvent.objects.count() == events
    assert "按默认分布" in html.split('data-testid="plan-source"')[1][:40]
    # a value to the yuan is taken
    values[0], values[11] = "83.3337", "83.3329"
    r = client.post(url(p), post(values, expected=expected.split(",")), follow=True)
    assert "分月计划已保存" in r.content.decode(), r.content.decode()
    assert MonthlyPlan.objects.get(project=p, month=1).planned == D("83.3337")
    # a yuan off the plan is not "一致": the message names both sums and the difference
    values[11] = "83.3328"
    saved = [str(v) for v in MonthlyPlan.objects.filter(project=p).order_by("month").values_list("planned", flat=True)]
    html = client.post(url(p), post(values, expected=saved)).content.decode()
    assert "999.9999" in html and "1,000.00" in html and "相差0.0001万元" in html


def frozen_with_facts(dw, plan):
    from keyprojects.analytics.services import facts_refresh
    from keyprojects.projects.models import ProjectYear

    p = dw.projects.own_county
    for period in (dw.p1, dw.p2):
        facts_refresh(period=period)  # 100 a month counted
        PeriodClosure.objects.create(period=period, region_id="370100", closed_by=dw.users.city)
    ProjectYear.objects.filter(project=p, year=2026).update(annual_plan=D(plan))
    return p


def test_closed_months_show_what_was_counted_after_the_plan_changed(client, dw):
    p = frozen_with_facts(dw, 600)  # the default spread now 50 a month
    assert client.login(username="lixia", password=PASSWORD)
    html = client.get(url(p)).content.decode()
    assert 'data-kp-plan-fixed="100.0000"' in html and 'data-kp-plan-fixed="50' not in html
    assert 'data-testid="plan-mismatch"' in html and "700.00" in html and "相差 100.00 万元" in html
    assert 'data-testid="plan-save"' in html and 'data-testid="plan-default"' not in html
    _values, expected = shown_values(html)
    r = client.post(url(p), post(["100", "100"] + ["40"] * 10, expected=expected.split(",")), follow=True)
    html = r.content.decode()
    assert "分月计划已保存" in html and 'data-testid="plan-default"' not in html  # back to 50 a month would move January
    # the export says the same
    ws = openpyxl.load_workbook(io.BytesIO(client.get(f"{url(p)}export.xlsx").content)).active
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4, max_row=16)]
    assert rows[0][:3] == ["1月", 100, 100] and rows[2][:3] == ["3月", 40, 240] and rows[12][:2] == ["合计", 600]


def test_the_export_of_the_default_spread_shows_the_counted_months(client, dw):
    p = frozen_with_facts(dw, 600)
    assert client.login(username="leader", password=PASSWORD)
    ws = openpyxl.load_workbook(io.BytesIO(client.get(f"{url(p)}export.xlsx").content)).active
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4, max_row=16)]
    assert rows[0][:3] == ["1月", 100, 100] and rows[1][:3] == ["2月", 100, 200] and rows[2][:2] == ["3月", 50]


def test_a_plan_below_the_closed_months_is_said_and_no_save_offered(client, dw):
    p = frozen_with_facts(dw, 150)
    assert client.login(username="lixia", password=PASSWORD)
    html = client.get(url(p)).content.decode()
    assert 'data-testid="plan-closed-over"' in html
    assert "已关账月份已计入200.00万元，超过2026年年度计划投资150.00万元" in html and "未关账月份按默认分布计算" in html
    assert 'data-testid="plan-save"' not in html and 'data-testid="plan-default"' not in html and 'data-testid="plan-form"' not in html
    assert 'data-testid="plan-mismatch"' not in html
