"""Regions, units and sponsor leaders: read-only reference data."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from keyprojects.core.testing import PASSWORD

from .utils import error_of


def test_regions_filters_and_detail(as_user: Any, world: Any) -> None:
    client = as_user(world.users.enterprise)  # any logged-in user
    cities = client.get("/api/v1/regions/", {"level": "city", "province": "370000", "page_size": 100}).json()
    assert cities["count"] == 16 and {"济南市", "青岛市"} <= {c["name"] for c in cities["results"]}
    children = client.get("/api/v1/regions/", {"parent": "370100", "page_size": 100}).json()["results"]
    assert "历下区" in {c["name"] for c in children} and all(c["parent"] == "370100" for c in children)
    r = client.get("/api/v1/regions/370102/")
    assert r.json() == {
        "code": "370102",
        "name": "历下区",
        "level": "county",
        "parent": "370100",
        "province_code": "370000",
        "city_code": "370100",
    }
    error_of(client.get("/api/v1/regions/999999/"), 404, "not_found")
    assert client.get("/api/v1/regions/", {"level": "planet"}).status_code == 400


def test_units_filters(as_user: Any, world: Any) -> None:
    client = as_user(world.users.county)
    zones = client.get("/api/v1/units/", {"kind": "zone"}).json()["results"]
    assert [z["name"] for z in zones] == ["济南新旧动能转换起步区"]
    qd = client.get("/api/v1/units/", {"region": "370200"}).json()["results"]
    assert [u["name"] for u in qd] == ["青岛市工业和信息化局"]
    r = client.get(f"/api/v1/units/{world.dept.pk}/")
    assert r.json()["region_name"] == "济南市" and r.json()["kind"] == "department"


def test_leaders_in_scope(as_user: Any, world: Any) -> None:
    leader = world.leader
    for role, visible in [("city", True), ("province", True), ("other_city", False), ("sysadmin", False)]:
        client = as_user(getattr(world.users, role))
        listed = {row["id"] for row in client.get("/api/v1/leaders/").json()["results"]}
        assert (leader.pk in listed) is visible, role
        assert client.get(f"/api/v1/leaders/{leader.pk}/").status_code == (200 if visible else 404)


@pytest.mark.parametrize(
    "method,url",
    [("post", "/api/v1/regions/"), ("delete", "/api/v1/regions/370102/"), ("put", "/api/v1/units/1/"), ("post", "/api/v1/leaders/")],
)
def test_reference_data_is_read_only(as_user: Any, world: Any, method: str, url: str) -> None:
    r = getattr(as_user(world.users.province), method)(url, {}, format="json")
    error_of(r, 405, "method_not_allowed")


@pytest.mark.parametrize("url", ["/api/v1/regions/", "/api/v1/units/", "/api/v1/leaders/", "/api/v1/projects/", "/api/v1/enterprises/"])
def test_anonymous_gets_nothing(api: Any, world: Any, url: str) -> None:
    error_of(api.get(url), 401, "not_authenticated")


def test_delete_is_not_offered(as_user: Any, world: Any) -> None:
    p = world.projects.own_county
    error_of(as_user(world.users.province).delete(f"/api/v1/projects/{p.pk}/"), 405, "method_not_allowed")
    error_of(as_user(world.users.province).delete(f"/api/v1/enterprises/{world.ent.pk}/"), 405, "method_not_allowed")


@pytest.mark.parametrize(
    "method,path",
    [("get", "/api/v1/nothing/"), ("get", "/api/v1/projects/0.5/"), ("post", "/api/v1/projects/0.5/transition/"), ("get", "/api/v1/")],
)
def test_unknown_paths_answer_json(world: Any, method: str, path: str) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.login(username="lixia", password=PASSWORD)
    r = getattr(client, method)(path)
    assert r["Content-Type"] == "application/json"
    error_of(r, 404, "not_found")
