"""The dashboard's drill-down of a past month lands on that month's project list: a figure
clicked and the list it opens count the same projects, even when a project's stage then
(its fact's, ``dispatch.rules.stage_in_month``) differs from its stage now.

The world (``hw``, test_dashboard): in January 2026 槐荫区项目 had not started yet (实际开工
2026-02-10: 前期手续 then, 开工建设 now) and 历下区项目 was still being built (竣工 2026-03-05:
开工建设 then, 竣工 now)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlparse

import pytest

from keyprojects.analytics.models import DimensionPeriodSummary, ProjectPeriodFact
from keyprojects.analytics.tests.test_dashboard import JAN, hw, login, refresh  # noqa: F401  (hw: the fixture)
from keyprojects.projects.models import Project, ProjectYear


@pytest.fixture
def moved(hw):  # noqa: F811
    Project.objects.filter(pk=hw.huaiyin.pk).update(stage="construction", actual_start=dt.date(2026, 2, 10))
    Project.objects.filter(pk=hw.projects.own_county.pk).update(
        stage="completed", actual_start=dt.date(2025, 5, 1), actual_completion=dt.date(2026, 3, 5)
    )
    refresh(hw.p1)
    stages = dict(ProjectPeriodFact.objects.filter(period=hw.p1).values_list("project__name", "stage"))
    assert stages["槐荫区项目"] == "preparation" and stages["历下区项目"] == "construction"
    return hw


def links(board):
    groups = [board.totals, *(g for dimension in board.breakdowns.values() for g in dimension)]
    return [g for g in groups if g.url]


@pytest.mark.parametrize("source", ["summary", "facts"])
def test_every_slice_of_a_past_month_lists_as_many_projects_as_its_figure(client, moved, source):
    if source == "facts":
        DimensionPeriodSummary.objects.all().delete()
    login(client, moved.users.city)
    board = client.get(JAN).context["board"]
    assert board.source == source
    stage = {g.key: g for g in board.breakdowns["stage"]}
    assert {k: g.figures.projects for k, g in stage.items()} == {"preparation": 1, "construction": 3}
    for g in links(board):
        assert parse_qs(urlparse(g.url).query)["period"] == ["2026-01"], g.url
        assert client.get(g.url).context["count"] == g.figures.projects, g.url

    # 前期手续 in January: 槐荫区项目, under construction now, shown with its January stage
    r = client.get(stage["preparation"].url)
    assert [p.name for p in r.context["projects"]] == ["槐荫区项目"]
    html = r.content.decode()
    assert 'data-testid="as-of"' in html and "2026年1月末：前期手续" in html
    january = {p.name for p in client.get(stage["construction"].url).context["projects"]}
    assert january == {"历下区项目", "市中区项目", "济南市本级项目"}

    # the list as it is now (the address without the month) is still the project's stage now
    now = client.get("/projects/", {"stage": "construction", "year": "2026"})
    assert {p.name for p in now.context["projects"]} == {"槐荫区项目", "市中区项目", "济南市本级项目"}
    assert 'data-testid="as-of"' not in now.content.decode()
    assert client.get("/projects/", {"stage": "preparation", "year": "2026"}).context["count"] == 0


def test_the_curve_and_other_scopes_link_to_the_month_too(client, moved):
    login(client, moved.users.city)
    board = client.get(JAN).context["board"]
    (point,) = board.curve
    assert client.get(point.url).context["count"] == board.totals.figures.projects == 4
    client.logout()
    for user in (moved.users.province, moved.users.county, moved.users.department):
        login(client, user)
        board = client.get(JAN).context["board"]
        for g in links(board):
            assert client.get(g.url).context["count"] == g.figures.projects, (user.username, g.url)
        client.logout()


def test_a_month_without_a_period_lists_nothing(client, moved):
    login(client, moved.users.city)
    # 建设性质 of a month: its fact's, the year's (ProjectYear.nature), as without the month
    ProjectYear.objects.filter(project=moved.huaiyin, year=2026).update(nature="new")
    Project.objects.filter(pk=moved.huaiyin.pk).update(nature="continuing")
    refresh(moved.p1)
    counted = set(
        ProjectPeriodFact.objects.filter(period=moved.p1, nature="new", city_code="370100").values_list("project__name", flat=True)
    )
    assert "槐荫区项目" in counted
    for params in ({"period": "2026-01"}, {}):
        new = client.get("/projects/", {**params, "year": "2026", "nature": "new"}).context["projects"]
        assert {p.name for p in new} == counted, params
    assert client.get("/projects/", {"period": "2030-01", "stage": "construction"}).context["count"] == 0
    assert client.get("/projects/", {"period": "2026-01", "region": "370104"}).context["count"] == 1


def test_a_months_list_by_leader_and_unit_is_the_one_its_fact_was_counted_under(client, moved):
    """With a period, 包保领导 and 责任单位 filter on the month's fact (what the month's figures,
    the leaders' among them, were counted under); without one, on the project as it is now."""
    from keyprojects.projects.models import SponsorLeader
    from keyprojects.regions.models import Region, Unit

    jinan = Region.objects.get(code="370100")
    then, now = (SponsorLeader.objects.create(name=n, region=jinan) for n in ("王一", "李二"))
    unit_then, unit_now = (Unit.objects.create(name=n, kind="department", region=jinan) for n in ("市住建局", "市交通局"))
    huaiyin = Project.objects.get(pk=moved.huaiyin.pk)
    Project.objects.filter(pk=huaiyin.pk).update(sponsor_leader=then, responsible_unit=unit_then)
    refresh(moved.p1)  # January counted under 王一 and 市住建局
    Project.objects.filter(pk=huaiyin.pk).update(sponsor_leader=now, responsible_unit=unit_now)  # changed since
    login(client, moved.users.city)

    def names(**query):
        return {p.name for p in client.get("/projects/", query).context["projects"]}

    assert names(period="2026-01", sponsor_leader=then.pk) == {"槐荫区项目"}
    assert names(period="2026-01", sponsor_leader=now.pk) == set()
    assert names(period="2026-01", responsible_unit=unit_then.pk) == {"槐荫区项目"}
    assert names(period="2026-01", responsible_unit=unit_now.pk) == set()
    assert names(sponsor_leader=now.pk) == names(responsible_unit=unit_now.pk) == {"槐荫区项目"}  # as it is now
    assert names(sponsor_leader=then.pk) == set()
