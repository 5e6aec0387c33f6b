"""The dashboard's tiles of the open gap of the 四张清单, per factor and per region, each leading to
the filtered list of needs (issue 14)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from keyprojects.approvals.selectors import open_gap
from keyprojects.approvals.services_needs import factor_need_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def gw(dw):
    county, city, qd = dw.users.county, dw.users.city, dw.users.other_city
    own, sib = dw.projects.own_county, dw.projects.sibling_county
    dw.land = factor_need_create(
        user=county, project=own, data={"kind": "land", "subtype": "new_quota", "quantity": D("120.5"), "secured": D(20)}
    )
    factor_need_create(user=city, project=sib, data={"kind": "land", "subtype": "idle_land", "quantity": D(10)})
    factor_need_create(
        user=county,
        project=own,
        data={"kind": "funds", "subtype": "special_bond", "quantity": D(5000), "secured": D(2000), "status": "in_progress"},
    )
    factor_need_create(
        user=county, project=own, data={"kind": "environment", "subtype": "cod", "quantity": D(3), "secured": D(3), "status": "secured"}
    )
    factor_need_create(user=qd, project=dw.projects.other_city, data={"kind": "energy", "subtype": "trading", "quantity": D(10)})
    return dw


def test_gap_per_factor_and_county_for_a_city_user(gw):
    board = open_gap(gw.users.city)
    by_kind = {c.kind: (c.gap, c.needs) for c in board.factors}
    assert by_kind == {"land": (D("110.5"), 2), "funds": (D(3000), 1), "environment": (D(0), 0), "energy": (D(0), 0)}
    assert board.rows_are == "county"
    rows = {r.code: [(c.kind, c.gap) if c else None for c in r.cells] for r in board.rows}
    assert rows == {
        "370102": [("land", D("100.5")), ("funds", D(3000)), None, None],
        "370103": [("land", D(10)), None, None, None],
    }
    province = open_gap(gw.users.province)
    assert province.rows_are == "city" and {r.code: r.name for r in province.rows} == {"370100": "济南市", "370200": "青岛市"}
    assert {c.kind: c.gap for c in province.factors}["energy"] == D(10)


def test_dashboard_tiles_lead_to_the_filtered_list(gw, client):
    client.force_login(gw.users.city)
    html = client.get("/").content.decode()
    assert 'data-testid="factor-gaps"' in html and "110.50" in html and "3,000.00" in html  # (万元 with separators)
    board = open_gap(gw.users.city)
    cell = next(r for r in board.rows if r.code == "370102").cells[0]
    assert cell.url == "/approvals/needs/?kind=land&status=open&region=370102"
    page = client.get(cell.url).content.decode()
    assert page.count("历下区项目") == 1 and "市中区项目" not in page
    every = client.get("/approvals/needs/?status=open").content.decode()
    assert "市中区项目" in every and "青岛" not in every
