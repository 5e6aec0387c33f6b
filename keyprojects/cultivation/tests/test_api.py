"""``/api/v1/cultivation/...``: read only, in scope; an enterprise contact reads its own admissions."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from keyprojects.cultivation.services import list_create
from keyprojects.regions.models import Region


def api(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def rows(r):
    body = r.json()
    return body["results"] if isinstance(body, dict) and "results" in body else body


@pytest.fixture
def qingdao(world):
    return list_create(actor=world.users.other_city, region=Region.objects.get(code="370200"), year=2026, kind="backbone")


def test_lists_in_scope(world, clist, qingdao):
    assert {x["id"] for x in rows(api(world.users.province).get("/api/v1/cultivation/lists/"))} == {clist.pk, qingdao.pk}
    assert [x["id"] for x in rows(api(world.users.city).get("/api/v1/cultivation/lists/"))] == [clist.pk]
    # a county reads its city's list; a department its unit's region's
    assert [x["id"] for x in rows(api(world.users.county).get("/api/v1/cultivation/lists/"))] == [clist.pk]
    assert [x["id"] for x in rows(api(world.users.department).get("/api/v1/cultivation/lists/"))] == [clist.pk]
    assert api(world.users.city).get(f"/api/v1/cultivation/lists/{qingdao.pk}/").status_code == 404
    assert api(world.users.sysadmin).get("/api/v1/cultivation/lists/").status_code == 403
    assert api(world.users.enterprise).get("/api/v1/cultivation/lists/").status_code == 403
    assert [x["id"] for x in rows(api(world.users.province).get("/api/v1/cultivation/lists/", {"region": "370200"}))] == [qingdao.pk]
    assert api(world.users.province).get("/api/v1/cultivation/lists/", {"kind": "nope"}).status_code == 400


def test_entries_in_scope(world, clist, admitted, sibling_ent):
    from keyprojects.cultivation.services import entry_nominate

    other = entry_nominate(actor=world.users.city, cultivation_list=clist, enterprise=sibling_ent, reason="x")
    assert {x["id"] for x in rows(api(world.users.city).get("/api/v1/cultivation/entries/"))} == {admitted.pk, other.pk}
    # 历下区 reads its own enterprises on the city's list, not 市中区's
    assert [x["id"] for x in rows(api(world.users.county).get("/api/v1/cultivation/entries/"))] == [admitted.pk]
    assert rows(api(world.users.other_city).get("/api/v1/cultivation/entries/")) == []
    mine = rows(api(world.users.enterprise).get("/api/v1/cultivation/entries/"))
    assert [x["id"] for x in mine] == [admitted.pk] and mine[0]["status"] == "admitted"
    assert "revenue" not in mine[0] and "reason" not in mine[0]
    assert api(world.users.enterprise).get(f"/api/v1/cultivation/entries/{other.pk}/").status_code == 404
    full = api(world.users.city).get(f"/api/v1/cultivation/entries/{admitted.pk}/").json()
    assert full["revenue"] == "123456.7891" and full["enterprise_name"] == world.ent.name
    assert api(world.users.auditor).get("/api/v1/cultivation/entries/").status_code == 403
    r = api(world.users.city).get("/api/v1/cultivation/entries/", {"status": "nominated"})
    assert [x["id"] for x in rows(r)] == [other.pk]


def test_api_is_read_only(world, clist):
    assert api(world.users.city).post("/api/v1/cultivation/lists/", {}).status_code == 405
