"""Percentages as users see them on the project list, the 包保领导 pages and the 政企合作 pages:
the shared ``pct`` filter (two places, a comma every three digits), not the raw figure
(a project 12 times over its plan showed 完成率 1249.59%, a tally 33.3%)."""

from __future__ import annotations

from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from keyprojects.analytics.tests.test_dashboard import approve, refresh
from keyprojects.core.testing import LeaderFactory, ProjectFactory

JAN = "period=2026-01"


@pytest.fixture
def ahead(dw):
    """A leader with one project whose 1-1月累计 is 12.4959 times its annual plan: 完成率 1,249.59%."""
    leader = LeaderFactory(name="超额领导", title="副区长", region_id="370100")
    project = ProjectFactory(name="超额项目", region_id="370102", stage="construction", sponsor_leader=leader, plan=(2026, 100, "county"))
    approve(dw, project, dw.p1, "1249.59")
    refresh(dw.p1)
    dw.leader, dw.project = leader, project
    return dw


def test_leader_pages_and_project_list_group_a_rate_over_a_thousand_percent(ahead, client):
    client.force_login(ahead.users.province)
    leaders = client.get(f"/leaders/?q=超额领导&{JAN}").content.decode()
    assert 'data-testid="leader-rate">1,249.59%' in leaders and "1249.59%" not in leaders
    assert 'data-testid="sum-rate">1,249.59%' in leaders
    detail = client.get(f"/leaders/{ahead.leader.pk}/?{JAN}").content.decode()
    assert 'data-testid="leader-rate">1,249.59%' in detail and "1249.59%" not in detail
    listed = client.get(f"/projects/?q=超额项目&{JAN}&year=2026").content.decode()
    assert "1,249.59%" in listed and "1249.59%" not in listed


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_partnership_rates_show_two_places(lang):
    tally = SimpleNamespace(total=3, due=3, kept=1, rate_percent=D("33.3"))
    row = SimpleNamespace(
        key="k",
        name="济南市",
        total=3,
        due=3,
        kept=1,
        partial=0,
        broken=0,
        overdue=0,
        claimed=0,
        rate_percent=D("33.3"),
        gov=tally,
        ent=SimpleNamespace(rate_percent=D("1250")),
    )
    with translation.override(lang):
        assert "33.30%" in render_to_string("partnership/_tally.html", {"t": tally})
        html = render_to_string("partnership/_rate_row.html", {"t": row})
    assert html.count("33.30%") == 2 and "1,250.00%" in html and "33.3%" not in html
