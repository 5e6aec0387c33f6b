"""``/api/v1/figures/``: the issue's own example of one figure with three answers, scope and
strict parameters."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.test import Client

from keyprojects.analytics.models import ProjectPeriodFact, RegionPeriodSummary
from keyprojects.analytics.services import summaries_refresh
from keyprojects.dispatch.services import report_save, report_submit

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_a_january_draft_counts_nowhere(dw):
    """A January draft of 100 followed by a submitted February of 50: 50 on the fill page, the
    reports API, the figures API, the facts and the region summaries (ADR 0011)."""
    p, county = dw.projects.own_county, dw.users.county
    report_save(user=county, project=p, period=dw.p1, data={"invested_month": "100"})
    feb = report_submit(user=county, report=report_save(user=county, project=p, period=dw.p2, data={"invested_month": "50"}))
    summaries_refresh(period=dw.p2)  # (the summaries existed before: the submission's refresh keeps them in step)
    assert feb.invested_ytd == D(50) and feb.invested_to_date == D(350)  # 300 invested before tracking
    fact = ProjectPeriodFact.objects.get(project=p, period=dw.p2)
    assert (fact.invested_ytd, fact.invested_month) == (D(50), D(50))
    assert ProjectPeriodFact.objects.get(project=p, period=dw.p3).invested_ytd == D(50)  # carried forward
    assert RegionPeriodSummary.objects.get(period=dw.p2, region_id="370102").invested_ytd == D(50)

    c = login(county)
    api = c.get(f"/api/v1/reports/{feb.pk}/").json()
    assert D(api["invested_ytd"]) == D(50)
    rows = c.get("/api/v1/figures/projects/", {"period": "2026-02"}).json()["results"]
    assert [(r["project"], D(r["invested_ytd"])) for r in rows] == [(p.pk, D(50))]
    regions = c.get("/api/v1/figures/regions/", {"period": "2026-02"}).json()
    assert regions[0]["region"] == "370102" and D(regions[0]["invested_ytd"]) == D(50)
    assert D(regions[0]["completion_rate"]) == (D(50) / D(1200)).quantize(D("0.0001"))
    page = c.get(f"/dispatch/2026-02/projects/{p.pk}/").content.decode()
    assert "50.00" in page and "150.00" not in page


def test_scope_and_parameters(dw):
    p, county = dw.projects.own_county, dw.users.county
    report_submit(user=county, report=report_save(user=county, project=p, period=dw.p1, data={"invested_month": "10"}))
    report_submit(
        user=dw.users.other_city,
        report=report_save(user=dw.users.other_city, project=dw.projects.other_city, period=dw.p1, data={"invested_month": "7"}),
    )
    summaries_refresh(period=dw.p1)
    c = login(county)
    assert c.get("/api/v1/figures/regions/", {"period": "2026-01", "region": "370200"}).status_code == 404  # Qingdao: not in scope
    assert c.get("/api/v1/figures/projects/", {"period": "2026-01", "region": "370103"}).status_code == 404  # the sibling county
    for params, name in (({}, "period"), ({"period": "2026-13"}, "period"), ({"period": "2026-01", "region": "37"}, "region")):
        resp = c.get("/api/v1/figures/projects/", params)
        assert resp.status_code == 400 and name in resp.json()["extra"]["fields"], params
    assert c.get("/api/v1/figures/regions/", {"period": "2031-01"}).status_code == 404  # not opened
    province = login(dw.users.province).get("/api/v1/figures/regions/", {"period": "2026-01"}).json()
    assert province[0]["region"] == "370000" and {r["region"] for r in province[1:]} == {"370100", "370200"}
    assert D(province[0]["invested_ytd"]) == D(17)
    qingdao = login(dw.users.other_city).get("/api/v1/figures/projects/", {"period": "2026-01"}).json()["results"]
    assert [r["project"] for r in qingdao] == [dw.projects.other_city.pk]
    # administrators never see business data
    assert login(dw.users.sysadmin).get("/api/v1/figures/projects/", {"period": "2026-01"}).json()["results"] == []
    assert Client().get("/api/v1/figures/regions/", {"period": "2026-01"}).status_code == 401
