"""The project list for leaders (issue 10 §5): 累计完成投资, 完成率 and 较序时进度 of a period
from the fact table (through analytics.metrics), a lag filter, sorting by lag, a totals row,
and the same in the export.

February in the ranking world (``rw``): Jinan's 历下 300 / 1200 = 25% (+8.33 points),
市中 400 / 800 and 槐荫 500 / 1000 = 50% (+33.33), 天桥 no plan, the 济南市本级 project
0 / 500 (−16.67, reported here: a lag is judged on reported figures only, dispatch.rules.lag_measured):
Jinan 1200 / 3500 = 34.29%."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from keyprojects.analytics.tests.test_rankings import rw  # noqa: F401  (the fixture)
from keyprojects.core.testing import EXPLAINED
from keyprojects.dispatch.services import report_save, report_submit


@pytest.fixture
def lw(rw):  # noqa: F811
    """``rw`` with the 济南市本级 project's February report of 0 submitted: its 0 % counts."""
    su = rw.users.superuser
    report = report_save(user=su, project=rw.projects.city_level, period=rw.p2, data={"invested_month": "0"})
    report_submit(user=su, report=report, reasons=EXPLAINED)
    return rw


def names(html: str) -> list[str]:
    return re.findall(r'<tr data-testid="project-row">\s*<td><a href="[^"]+">([^<]+)</a>', html)


def test_figures_lag_filter_sort_and_totals(lw, client):
    client.force_login(lw.users.city)
    html = client.get("/projects/", {"period": "2026-02", "sort": "lag"}).content.decode()
    assert names(html) == ["济南市本级项目", "历下区项目", "槐荫区项目", "市中区项目", "天桥区项目"]  # most behind first, no plan last
    assert re.findall(r'data-col="rate">([^<]+)<', html) == ["0.00%", "25.00%", "50.00%", "50.00%", "—"]
    assert re.findall(r'data-col="points">([^<]+)<', html) == ["-16.67", "+8.33", "+33.33", "+33.33", "—"]
    assert re.findall(r'data-col="ytd">([^<]+)<', html)[:2] == ["0.00", "300.00"]
    totals = re.search(r'data-testid="totals-row">(.*?)</tr>', html, re.S).group(1)
    assert "合计（5个项目）" in totals and "1,200.00" in totals and "34.29%" in totals and "+17.62" in totals
    assert 'data-testid="sum-rate">34.29%' in html

    behind = client.get("/projects/", {"period": "2026-02", "lag": "behind"}).content.decode()
    assert names(behind) == ["济南市本级项目"]
    ahead = client.get("/projects/", {"period": "2026-02", "lag": "ahead", "sort": "-lag"}).content.decode()
    assert names(ahead) == ["槐荫区项目", "市中区项目", "历下区项目"] or names(ahead) == ["市中区项目", "槐荫区项目", "历下区项目"]
    assert names(client.get("/projects/", {"period": "2026-02", "lag": "noplan"}).content.decode()) == ["天桥区项目"]
    # far: behind by more than the warning threshold (10 points): the 0% project only
    assert names(client.get("/projects/", {"period": "2026-02", "lag": "far"}).content.decode()) == ["济南市本级项目"]

    # January: 历下 300 / 1200 = 25% against 8.33%
    jan = client.get("/projects/", {"period": "2026-01", "region": "370102"}).content.decode()
    assert re.findall(r'data-col="points">([^<]+)<', jan) == ["+16.67"]


def test_export_carries_the_figures_and_totals(lw, client):
    client.force_login(lw.users.city)
    resp = client.get("/projects/export.xlsx", {"period": "2026-02", "lag": "behind"})
    ws = load_workbook(BytesIO(resp.content)).active
    assert "截至2026年2月" in ws["A1"].value
    header = [c.value for c in ws[2]]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert [r[1] for r in rows] == ["济南市本级项目", "1个项目"]
    row = dict(zip(header, rows[0], strict=True))
    assert row["填报状态"] == "待审核" and "累计完成投资（万元）" not in row  # (a bare 累计 is read as 开工至今)
    assert row["2026年1-2月累计完成投资（万元）"] == 0 and row["完成率（%）"] == 0 and row["较序时进度（百分点）"] == pytest.approx(-16.67)
    assert rows[1][0] == "合计"


def test_unknown_period_or_lag_is_an_empty_list_not_an_error(rw, client):  # noqa: F811
    client.force_login(rw.users.city)
    for params in ({"period": "2030-01", "lag": "behind"}, {"period": "x"}, {"lag": "nonsense"}, {"sort": "nonsense"}):
        assert client.get("/projects/", params).status_code == 200, params
        assert client.get("/projects/export.xlsx", params).status_code == 200, params


def test_region_names_open_their_lagging_projects(lw, client):
    """Rankings and board: a region's name leads to its projects behind 序时进度 (most behind
    first); the rankings of rates show the counts behind them."""
    from keyprojects.analytics.dashboard import lagging_projects_url
    from keyprojects.dispatch.models import ReportingPeriod

    feb = ReportingPeriod.objects.get(year=2026, month=2)
    url = lagging_projects_url("370100", feb)
    assert url == "/projects/?region=370100&year=2026&period=2026-02&lag=behind&sort=lag"
    client.force_login(lw.users.province)
    html = client.get("/analytics/rankings/", {"period": "2026-02"}).content.decode()
    assert f'href="{url.replace("&", "&amp;")}"' in html
    assert names(client.get(url).content.decode()) == ["济南市本级项目"]
    html = client.get("/analytics/rankings/", {"period": "2026-02", "indicator": "on_time_rate"}).content.decode()
    counts = re.findall(r'data-col="counts">([^<]+)<', html)
    assert counts and all(c.startswith("按时 ") and " / 应报 " in c for c in counts)
    html = client.get("/analytics/rankings/", {"period": "2026-02", "indicator": "start_rate"}).content.decode()
    assert "计划新开工" in html
    board = client.get(reverse("dispatch:board", args=["2026-02"])).content.decode()
    assert 'data-testid="lagging-link"' in board and f'href="{url.replace("&", "&amp;")}"' in board


def test_warnings_sort_by_any_column_with_unit_leader_and_amounts(rw, client):  # noqa: F811
    from keyprojects.dispatch.models import ProjectWarning, ReportingPeriod

    feb = ReportingPeriod.objects.get(year=2026, month=2)
    for p in (rw.huaiyin, rw.projects.sibling_county, rw.projects.city_level):
        ProjectWarning.objects.get_or_create(project=p, period=feb, kind="zero_investment", defaults={"message": "测试"})
    client.force_login(rw.users.city)
    url = reverse("dispatch:warnings")
    html = client.get(url, {"period": "2026-02", "kind": "zero_investment", "sort": "lag"}).content.decode()
    assert re.findall(r'data-col="rate">([^<]+)<', html) == ["0.00%", "50.00%", "50.00%"]
    assert "济南市发展和改革委员会" in html  # 槐荫's 责任单位
    html = client.get(url, {"period": "2026-02", "kind": "zero_investment", "sort": "-plan"}).content.decode()
    assert re.findall(r'data-col="plan">([^<]+)<', html) == ["1,000.00", "800.00", "500.00"]
    for key in ("period", "project", "region", "kind", "unit", "leader", "plan", "ytd", "lag", "-lag", "bogus"):
        assert client.get(url, {"sort": key}).status_code == 200, key
    ws = load_workbook(
        BytesIO(client.get(reverse("dispatch:warnings_export"), {"period": "2026-02", "kind": "zero_investment", "sort": "lag"}).content)
    ).active
    header = [c.value for c in ws[2]]
    first = dict(zip(header, next(ws.iter_rows(min_row=3, values_only=True)), strict=True))
    assert first["项目名称"] == "济南市本级项目" and first["完成率（%）"] == 0 and first["年度计划投资（万元）"] == 500
