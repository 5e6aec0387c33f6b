"""``/api/v1/agreements/``: scope, filters, nested commitments with today's state."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_agreements_api_scope_and_content(world, deal, other_deal):
    r = api(world.users.province).get("/api/v1/agreements/")
    assert r.status_code == 200
    rows = r.json()["results"] if "results" in r.json() else r.json()
    assert {a["id"] for a in rows} == {deal.pk, other_deal.pk}
    r = api(world.users.enterprise).get("/api/v1/agreements/")
    rows = r.json()["results"] if "results" in r.json() else r.json()
    assert [a["id"] for a in rows] == [deal.pk]
    one = api(world.users.enterprise).get(f"/api/v1/agreements/{deal.pk}/").json()
    assert one["enterprise_name"] == world.ent.name and len(one["commitments"]) == 2
    assert {c["state"] for c in one["commitments"]} <= {"not_due", "due_soon", "overdue"}
    assert api(world.users.enterprise).get(f"/api/v1/agreements/{other_deal.pk}/").status_code == 404
    assert api(world.users.sysadmin).get("/api/v1/agreements/").status_code == 403
    r = api(world.users.province).get("/api/v1/agreements/", {"region": "370100"})
    rows = r.json()["results"] if "results" in r.json() else r.json()
    assert [a["id"] for a in rows] == [deal.pk]
    assert api(world.users.province).get("/api/v1/agreements/", {"region": "abc"}).status_code == 400
    assert api(world.users.province).get("/api/v1/agreements/", {"enterprise": "0"}).status_code == 400
    assert api(world.users.province).get("/api/v1/agreements/abc/").status_code == 404
