"""市级领导分线作战 (issue 5 §5): each sponsor leader's projects with their figures and warnings,
from the same summary tables and metrics as the home dashboard, in the user's scope."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from keyprojects.analytics.dashboard import leader_figures
from keyprojects.analytics.models import DimensionPeriodSummary
from keyprojects.analytics.selectors import breakdown
from keyprojects.analytics.services import summaries_refresh
from keyprojects.core.testing import ProjectFactory
from keyprojects.dispatch.models import ProjectWarning

from .test_dashboard import approve, dashboard_world, refresh

JAN = "?period=2026-01"


@pytest.fixture
def hw(dw):
    return dashboard_world(dw)


def test_leader_figures_equal_the_facts_breakdown(hw):
    second = ProjectFactory(
        name="市中区包保项目", region_id="370103", stage="construction", sponsor_leader=hw.leader, plan=(2026, 600, "county")
    )
    approve(hw, second, hw.p1, "30")
    refresh(hw.p1)
    for user in (hw.users.city, hw.users.province, hw.users.department):
        got = leader_figures(user=user, period=hw.p1)
        want = {f.key: f for f in breakdown(user=user, period=hw.p1, dimension="leader") if f.key is not None}
        assert {k: (v.figures.projects, v.figures.annual_plan, v.figures.invested_ytd) for k, v in got.items()} == {
            k: (f.projects, f.annual_plan, f.invested_ytd) for k, f in want.items()
        }, user.username
    fig = leader_figures(user=hw.users.city, period=hw.p1)[hw.leader.pk]
    assert (fig.figures.projects, fig.figures.annual_plan, fig.figures.invested_ytd) == (2, D(1800), D(330))
    assert fig.rate_pct == D("18.33")
    warned = ProjectWarning.objects.filter(period=hw.p1, project__sponsor_leader=hw.leader)
    assert fig.warned == warned.values("project").distinct().count()
    assert fig.lagging == warned.filter(kind="behind_schedule").count()
    # the county user sees only the leader's project in 历下
    fig = leader_figures(user=hw.users.county, period=hw.p1)[hw.leader.pk]
    assert (fig.figures.projects, fig.figures.invested_ytd) == (1, D(300))


def test_leader_figures_without_dimension_summaries(hw):
    before = leader_figures(user=hw.users.city, period=hw.p1)
    DimensionPeriodSummary.objects.all().delete()
    assert leader_figures(user=hw.users.city, period=hw.p1) == before


def test_leaders_page_shows_figures_and_warnings(client, hw):
    ProjectWarning.objects.create(project=hw.projects.own_county, period=hw.p1, kind="start_overdue", message="计划开工，至今未开工")
    summaries_refresh(period=hw.p1)
    client.force_login(hw.users.city)
    r = client.get(reverse("projects:leaders") + JAN)
    assert r.status_code == 200
    html = r.content.decode()
    row = next(x for x in r.context["rows"] if x["leader"].pk == hw.leader.pk)
    assert row["fig"].figures.invested_ytd == D(300) and row["fig"].warned >= 1
    assert 'data-testid="leader-rate">25.00%' in html
    r = client.get(reverse("projects:leader_detail", args=[hw.leader.pk]) + JAN)
    html = r.content.decode()
    assert r.status_code == 200 and r.context["fig"].figures.annual_plan == D(1200)
    assert r.context["warning_count"] == ProjectWarning.objects.filter(period=hw.p1, project__sponsor_leader=hw.leader).count()
    assert 'data-testid="leader-warning"' in html and "计划开工，至今未开工" in html
    assert "25.00%" in html  # the project's completion rate in the list


def test_leader_pages_without_figures(client, world):
    client.force_login(world.users.city)
    r = client.get(reverse("projects:leaders"))
    assert r.status_code == 200 and r.context["period"] is None
    r = client.get(reverse("projects:leader_detail", args=[world.leader.pk]))
    assert r.status_code == 200 and r.context["fig"] is None
