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
