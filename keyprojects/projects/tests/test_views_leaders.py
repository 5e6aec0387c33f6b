"""包保领导 pages: leaders in scope with counts and totals over the projects the user can see."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from keyprojects.core.testing import LeaderFactory, ProjectFactory
from keyprojects.projects.selectors import current_year, project_list


def leader_rows(html: str) -> dict[str, str]:
    rows = re.findall(r'<a href="/leaders/\d+/">([^<]+)</a>.*?data-testid="leader-count">(\d+)<', html, re.S)
    return dict(rows)


@pytest.fixture
def leaders(world):
    qd = LeaderFactory(name="李市长", region_id="370200")
    ProjectFactory(name="青岛另一项目", region_id="370202", sponsor_leader=qd, total_investment=Decimal("7000"))
    ProjectFactory(
        name="市中区包保项目",
        region_id="370103",
        sponsor_leader=world.leader,
        total_investment=Decimal("3000"),
        plan=(current_year(), 600, "city"),
    )
    idle = LeaderFactory(name="赵副市长", region_id="370100")
    return {"qd": qd, "idle": idle}


def test_city_sees_its_leaders_with_figures(world, client, leaders):
    client.force_login(world.users.city)
    html = client.get("/leaders/").content.decode()
    assert leader_rows(html) == {"张市长": "2", "赵副市长": "0"}
    assert "13,000.00" in html  # 10000 + 3000


def test_county_sees_the_city_leader_of_its_project_counting_only_its_own(world, client, leaders):
    client.force_login(world.users.county)
    assert leader_rows(client.get("/leaders/").content.decode()) == {"张市长": "1"}
    r = client.get(f"/leaders/{world.leader.pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert world.projects.own_county.name in html and "市中区包保项目" not in html


def test_province_sees_all(world, client, leaders):
    client.force_login(world.users.province)
    assert leader_rows(client.get("/leaders/").content.decode()) == {"张市长": "2", "李市长": "1", "赵副市长": "0"}


@pytest.mark.parametrize("role", ["sibling", "other_city", "other_enterprise"])
def test_leader_outside_scope_is_404(world, client, role):
    client.force_login(getattr(world.users, role))
    assert client.get(f"/leaders/{world.leader.pk}/").status_code == 404
    assert "张市长" not in client.get("/leaders/").content.decode()


def test_sibling_county_sees_the_leader_once_he_follows_one_of_its_projects(world, client, leaders):
    client.force_login(world.users.sibling)
    assert leader_rows(client.get("/leaders/").content.decode()) == {"张市长": "1"}
    html = client.get(f"/leaders/{world.leader.pk}/").content.decode()
    assert "市中区包保项目" in html and "历下区项目" not in html


def test_leader_detail_lists_projects_with_figures(world, client, leaders):
    client.force_login(world.users.city)
    html = client.get(f"/leaders/{world.leader.pk}/").content.decode()
    assert re.search(r'data-testid="leader-count">2<', html)
    assert "历下区项目" in html and "市中区包保项目" in html and "青岛另一项目" not in html
    assert "13,000.00" in html
    if current_year() == 2026:
        assert "1,800.00" in html  # 1200 + 600 planned this year


def test_unfiltered_project_list_selector_lists_everything_visible(world):
    qs, _f = project_list(user=world.users.city)
    assert qs.count() == 3
