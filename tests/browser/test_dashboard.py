"""The home dashboard in a real browser: a city user logs in, sees Jinan's dashboard with its
ECharts charts (no CSP violation), switches the county chart to its table view and clicks the
lagging county through to the project list filtered to that county."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from keyprojects.analytics.tests.test_dashboard import dashboard_world
from keyprojects.core.testing import PASSWORD

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_city_user_clicks_a_lagging_county_through_to_its_projects(page, dw):
    dashboard_world(dw)  # 历下 25%, 市中 1.25% and 槐荫 0% of plan in 2026-01 (序时进度 8.33%)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    login(page, "jinan", PASSWORD)
    assert page.url.rstrip("/") == page.base_url  # the home dashboard after login
    page.select_option("#db-period", "2026-01")  # the period selector swaps the body (htmx)
    expect(page.locator("[data-testid=dashboard]")).to_contain_text("2026年1月")
    assert page.url.endswith("/?period=2026-01")
    page.locator("[data-testid=chart-regions] canvas").first.wait_for()
    assert page.locator("[data-testid=kpi-projects]").inner_text().split()[-2] == "4"
    assert page.locator("[data-testid=chart-curve] canvas").count() >= 1
    # charts are drawn, their tables hidden until asked for
    table = page.locator("[data-testid=table-regions]")
    assert not table.is_visible()
    page.locator("[data-testid=toggle-regions]").click()
    assert table.is_visible()
    assert page.locator("[data-kp-chart=regions]").is_hidden()

    lagging = table.locator("tr[data-behind='1'] a", has_text="市中区")
    assert lagging.count() == 1
    lagging.click()
    page.wait_for_load_state("networkidle")
    assert "/projects/" in page.url and "region=370103" in page.url
    names = page.locator("table tbody tr td a").all_inner_texts()
    assert "市中区项目" in names and "历下区项目" not in names
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
    assert not problems, problems


def test_county_grid_links_to_the_county(page, dw):
    dashboard_world(dw)
    login(page, "jinan", PASSWORD)
    page.goto(page.base_url + "/?period=2026-01")
    cell = page.locator("[data-testid=grid-cell]", has_text="历下区")
    assert "kp-band-ahead" in (cell.get_attribute("class") or "")
    cell.click()
    page.wait_for_load_state("networkidle")
    assert "region=370102" in page.url and "lag=behind" in page.url  # the county's lagging projects
    assert "没有符合条件的项目" in page.locator("table tbody").inner_text()  # 历下 is ahead: none behind


def test_chart_labels_readable_on_a_390px_phone(page, dw, tmp_path):
    """Issue 10 §8: on a 390 px phone every county label is drawn (none skipped), turned and in
    a smaller font; the stage pie names its slices in a scrolling legend instead of labels that
    would not fit."""
    dashboard_world(dw)
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "jinan", PASSWORD)
    page.goto(page.base_url + "/?period=2026-01")
    page.locator("[data-testid=chart-regions] canvas").first.wait_for()
    option = page.evaluate(
        "() => { const el = document.querySelector('[data-kp-chart=regions]');"
        " const o = window.echarts.getInstanceByDom(el).getOption();"
        " return {width: el.clientWidth, label: o.xAxis[0].axisLabel, n: o.xAxis[0].data.length}; }"
    )
    assert option["width"] < 480 and option["n"] == 3  # the three counties with a plan
    assert option["label"]["interval"] == 0 and option["label"]["fontSize"] == 11
    pie = page.evaluate(
        "() => { const o = window.echarts.getInstanceByDom(document.querySelector('[data-kp-chart=stage]')).getOption();"
        " return {label: o.series[0].label.show, legend: o.legend[0].type}; }"
    )
    assert pie == {"label": False, "legend": "scroll"}
    page.screenshot(path=str(tmp_path / "dashboard-390.png"), full_page=True)
