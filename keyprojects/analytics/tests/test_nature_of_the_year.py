"""建设性质 belongs to a year (ADR 0004): a project 新开工 on the 2025 list is 续建 on the 2026 one.
Each year's facts, the dashboard's 新开工 count, the 调度表 and the project list of a year read
that year's nature (``ProjectYear.nature``), not the project's of today: found on the demo,
whose 2025 figures showed no 新开工 project at all and whose 2025 调度表 said 续建 for the
projects that started in 2025."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D
from typing import Any

import pytest
from openpyxl import load_workbook

from keyprojects.analytics import dashboard as db
from keyprojects.analytics.models import ProjectPeriodFact, RegionPeriodSummary
from keyprojects.analytics.rankings import ranking_table
from keyprojects.analytics.refresh import refresh_periods
from keyprojects.analytics.selectors import breakdown
from keyprojects.core.testing import ProjectFactory
from keyprojects.dataio.exports import dispatch_table
from keyprojects.dispatch.services import period_get_or_open
from keyprojects.projects import selectors
from keyprojects.projects.choices import nature_in_year, year_nature
from keyprojects.projects.models import Project, ProjectYear
from keyprojects.projects.services import project_create, project_update
from keyprojects.regions.models import Region

THIS = 2026  # the current year of these tests (the world's periods are 2026's)


@pytest.fixture
def two_years(dw: Any, monkeypatch: Any) -> Any:
    """历下区's 二期 project: on the 2025 city list 新开工 (plan 500), on the 2026 one 续建 (plan 800),
    written through the services in 2026; months 2025-06 and 2026-02 refreshed."""
    monkeypatch.setattr(selectors, "current_year", lambda: THIS)
    su = dw.users.superuser
    p = ProjectFactory(
        name="历下区新材料产业园二期项目", region_id="370102", nature="new", stage="construction",
        planned_start=dt.date(2025, 3, 1), actual_start=dt.date(2025, 4, 10), planned_completion=dt.date(2027, 6, 30),
    )  # fmt: skip
    years = [
        {"year": 2025, "annual_plan": D(500), "on_city_list": True, "nature": "new"},
        {"year": 2026, "annual_plan": D(800), "on_city_list": True, "nature": "continuing"},
    ]
    p = project_update(user=su, project=p, expected_version=p.version, data={}, years=years)
    dw.mine = p
    dw.y2025 = period_get_or_open(year=2025, month=6)
    refresh_periods(periods=[dw.y2025, dw.p2])
    return dw


def fact(project: Project, period: Any) -> ProjectPeriodFact:
    return ProjectPeriodFact.objects.get(project=project, period=period)


@pytest.mark.django_db
def test_each_years_facts_hold_that_years_nature(two_years: Any) -> None:
    w = two_years
    p = Project.objects.get(pk=w.mine.pk)
    assert p.nature == "continuing"  # the current year's (2026) is the project's own
    assert dict(ProjectYear.objects.filter(project=p).values_list("year", "nature")) == {2025: "new", 2026: "continuing"}
    old, now = fact(p, w.y2025), fact(p, w.p2)
    assert (old.nature, old.planned_new) == ("new", True)
    assert (now.nature, now.planned_new) == ("continuing", False)
    # a year no list stated a nature for reads the project's (the world's rows say none)
    other = w.projects.own_county
    assert ProjectYear.objects.get(project=other, year=2026).nature == ""
    assert fact(other, w.p2).nature == other.nature == "new"


@pytest.mark.django_db
def test_the_dashboard_counts_the_projects_new_that_year(two_years: Any) -> None:
    w = two_years
    province = w.users.province
    others = ProjectPeriodFact.objects.filter(period=w.p2).exclude(project=w.mine).count()  # the world's, 新开工 (their nature)
    # the board's totals (计划新开工, behind 开工率) from the summaries, for each year
    old = db.dashboard_for(user=province, period_label=w.y2025.label)
    now = db.dashboard_for(user=province, period_label=w.p2.label)
    assert old.source == now.source == "summary"
    assert old.totals is not None and old.totals.figures.planned_new == 1  # 2025: only ours was on a list, 新开工
    assert now.totals is not None and now.totals.figures.planned_new == others  # 2026: ours is 续建
    assert RegionPeriodSummary.objects.get(period=w.y2025, region_id="370000").planned_new == 1
    # 按建设性质 over the facts
    by_nature = {f.key: f.projects for f in breakdown(user=province, period=w.y2025, dimension="nature")}
    assert by_nature == {"new": 1}
    by_nature = {f.key: f.projects for f in breakdown(user=province, period=w.p2, dimension="nature")}
    assert by_nature == {"new": others, "continuing": 1}
    # 比武打擂's 开工率: 开工 1 / 计划新开工 1 for 历下区 in 2025 (it started in April)
    table = ranking_table(period=w.y2025, kind="region", root=Region.objects.get(code="370100"), indicator="start_rate")
    lixia = next(r for r in table.rows if r.row.unit.key == "370102")
    assert (lixia.f.started_new, lixia.f.planned_new) == (1, 1)
    # the project list of the year's 新开工 (the board's links carry the year): the same one
    listed = selectors.project_list(user=province, params={"year": "2025", "nature": "new"})[0]
    assert list(listed.values_list("pk", flat=True)) == [w.mine.pk]
    assert not selectors.project_list(user=province, params={"year": "2026", "nature": "new"})[0].filter(pk=w.mine.pk).exists()
    assert selectors.project_list(user=province, params={"year": "2026", "nature": "continuing"})[0].filter(pk=w.mine.pk).exists()


def _nature_in_table(content: bytes, name: str) -> str:
    ws = load_workbook(io.BytesIO(content)).active
    for row in ws.iter_rows(values_only=True):
        if row[1] == name:
            return str(row[3])
    raise AssertionError(f"{name} not in the 调度表")


@pytest.mark.django_db
def test_the_dispatch_table_of_each_year_says_its_nature(two_years: Any) -> None:
    w = two_years
    name = w.mine.name
    assert _nature_in_table(dispatch_table(user=w.users.city, region="370100", period=w.y2025), name) == "新开工"
    assert _nature_in_table(dispatch_table(user=w.users.city, region="370100", period=w.p2), name) == "续建"


@pytest.mark.django_db
def test_the_project_list_of_a_year_shows_its_nature(two_years: Any, client: Any) -> None:
    w = two_years
    client.force_login(w.users.city)
    for year, label in ((2025, "新开工"), (2026, "续建")):
        html = client.get("/projects/", {"year": year, "q": "新材料产业园二期"}).content.decode()
        assert f'<td class="text-nowrap" data-col="nature">{label}</td>' in html, year
        export = client.get("/projects/export.xlsx", {"year": year, "q": "新材料产业园二期"})
        rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
        assert any(r[1] == w.mine.name and label in r for r in rows), year
    detail = client.get(f"/projects/{w.mine.pk}/").content.decode()
    assert '<td data-col="nature">新开工</td>' in detail and '<td data-col="nature">续建</td>' in detail


@pytest.mark.django_db
def test_the_current_years_row_states_the_projects_nature(dw: Any, monkeypatch: Any) -> None:
    """One rule (services.sync_current_nature): whatever writes the project's nature or the
    current year's, the two agree; another year's stays its own."""
    monkeypatch.setattr(selectors, "current_year", lambda: THIS)
    su = dw.users.superuser
    data = {"name": "新建项目", "region": dw.projects.own_county.region, "category": "industry", "nature": "new"}
    p = project_create(user=su, data={**data, "total_investment": D(9000)}, years=[{"year": THIS, "annual_plan": D(100)}])
    assert ProjectYear.objects.get(project=p, year=THIS).nature == "new"
    p = project_update(user=su, project=p, expected_version=p.version, data={"nature": "continuing"})
    assert ProjectYear.objects.get(project=p, year=THIS).nature == "continuing"
    p = project_update(user=su, project=p, expected_version=p.version, data={}, years=[{"year": THIS + 1, "nature": "completing"}])
    p.refresh_from_db()
    assert p.nature == "continuing" and ProjectYear.objects.get(project=p, year=THIS + 1).nature == "completing"


def test_the_nature_a_schedule_gives_each_year() -> None:
    start, done = dt.date(2025, 3, 1), dt.date(2027, 6, 30)
    assert [nature_in_year(y, start=start, completion=done) for y in range(2024, 2029)] == [
        "preparatory", "new", "continuing", "completing", "completing",
    ]  # fmt: skip
    assert nature_in_year(2025, start=start, completion=dt.date(2025, 12, 1)) == "new"  # started and done in one year
    assert nature_in_year(2025, start=None, completion=None) == "preparatory"
    assert year_nature("", "continuing") == "continuing" and year_nature("new", "continuing") == "new"
