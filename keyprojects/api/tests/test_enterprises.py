"""Enterprises over the API: create/update via enterprises.services, USCC checks, locking, scope."""

from __future__ import annotations

from typing import Any

import pytest

from keyprojects.api.serializers import VERSION_REQUIRED
from keyprojects.core.testing import uscc_for
from keyprojects.core.validators import make_uscc
from keyprojects.enterprises.models import Enterprise

from .utils import error_of, fields_of

URL = "/api/v1/enterprises/"


def new_enterprise(**extra: Any) -> dict[str, Any]:
    return {"name": "济南重工机械有限公司", "uscc": uscc_for("370102", 777), "region": "370102", "industry_section": "C", **extra}


def test_county_registers_enterprise_in_its_county(as_user: Any, world: Any) -> None:
    client = as_user(world.users.county)
    # a field the county may not write (region) or that is no input at all is named, not ignored
    fields = fields_of(client.post(URL, new_enterprise(region="370202", version=9, id=1), format="json"))
    assert set(fields) == {"region", "version", "id"} and "region" in fields["region"][0]
    assert Enterprise.objects.filter(name="济南重工机械有限公司").count() == 0
    body = new_enterprise()
    del body["region"]
    r = client.post(URL, body, format="json")
    assert r.status_code == 201, r.content
    data = r.json()
    assert (data["region"], data["version"], data["contacts"]) == ("370102", 1, [])
    assert Enterprise.objects.get(pk=data["id"]).uscc == new_enterprise()["uscc"]


def test_lowercase_uscc_is_normalised(as_user: Any, world: Any) -> None:
    uscc = make_uscc("91370102MA3CXY001")
    r = as_user(world.users.city).post(URL, new_enterprise(uscc=uscc.lower()), format="json")
    assert r.status_code == 201 and r.json()["uscc"] == uscc.upper()


@pytest.mark.parametrize(
    "uscc,fragment",
    [
        ("91370102MA3C", "应为18位"),
        ("91370102MA3CIOZS0X", "不允许的字符"),
        (uscc_for("370102", 5)[:-1] + ("0" if not uscc_for("370102", 5).endswith("0") else "1"), "校验位错误"),
        ("", "不能为空"),
    ],
)
def test_invalid_uscc(as_user: Any, world: Any, uscc: str, fragment: str) -> None:
    before = Enterprise.objects.count()
    fields = fields_of(as_user(world.users.city).post(URL, new_enterprise(uscc=uscc), format="json"))
    assert fragment in str(fields["uscc"]), fields
    assert Enterprise.objects.count() == before


def test_duplicate_uscc(as_user: Any, world: Any) -> None:
    r = as_user(world.users.city).post(URL, new_enterprise(uscc=world.other_ent.uscc), format="json")
    assert "uscc" in error_of(r, 409, "duplicate")["fields"]


def test_city_cannot_register_in_another_city(as_user: Any, world: Any) -> None:
    fields = fields_of(as_user(world.users.city).post(URL, new_enterprise(region="370202"), format="json"))
    assert fields["region"] == ["所在区划超出您的管辖范围"]


@pytest.mark.parametrize("role", ["department", "enterprise", "leader", "sysadmin", "secadmin", "auditor"])
def test_roles_that_cannot_register(as_user: Any, world: Any, role: str) -> None:
    before = Enterprise.objects.count()
    error_of(as_user(getattr(world.users, role)).post(URL, new_enterprise(), format="json"), 403, "permission_denied")
    assert Enterprise.objects.count() == before


def test_enterprise_contact_updates_only_its_fields(as_user: Any, world: Any) -> None:
    ent = world.ent
    body = {"name": "改名公司", "uscc": uscc_for("370102", 999), "region": "370202", "address": "历下区经十路1号", "version": ent.version}
    client = as_user(world.users.enterprise)
    assert set(fields_of(client.patch(f"{URL}{ent.pk}/", body, format="json"))) == {"name", "uscc", "region"}
    r = client.patch(f"{URL}{ent.pk}/", {"address": "历下区经十路1号", "version": ent.version}, format="json")
    assert r.status_code == 200, r.content
    ent.refresh_from_db()
    assert (ent.address, ent.name, ent.region_id, ent.version) == ("历下区经十路1号", "比亚迪汽车（济南）有限公司", "370102", 2)


def test_stale_enterprise_update_is_409(as_user: Any, world: Any) -> None:
    ent = world.ent
    client = as_user(world.users.county)
    assert client.patch(f"{URL}{ent.pk}/", {"address": "甲", "version": 1}, format="json").status_code == 200
    error_of(client.patch(f"{URL}{ent.pk}/", {"address": "乙", "version": 1}, format="json"), 409, "conflict")
    ent.refresh_from_db()
    assert (ent.address, ent.version) == ("甲", 2)


def test_put_and_missing_version(as_user: Any, world: Any) -> None:
    ent, client = world.ent, as_user(world.users.county)
    assert fields_of(client.patch(f"{URL}{ent.pk}/", {"address": "x"}, format="json"))["version"] == [VERSION_REQUIRED]
    assert "name" in fields_of(client.put(f"{URL}{ent.pk}/", {"address": "x", "version": 1}, format="json"))
    body = {"name": ent.name, "uscc": ent.uscc, "address": "全量修改", "version": 1}
    r = client.put(f"{URL}{ent.pk}/", body, format="json")
    assert r.status_code == 200 and r.json()["address"] == "全量修改"


def test_list_is_scoped_and_filterable(as_user: Any, world: Any, more: Any) -> None:
    def names(user: Any, **params: Any) -> set[str]:
        r = as_user(user).get(URL, params)
        assert r.status_code == 200
        return {e["name"] for e in r.json()["results"]}

    assert names(world.users.county) == {world.ent.name, more.ent2.name}
    assert names(world.users.enterprise) == {world.ent.name}
    assert names(world.users.department) == {world.ent.name}
    assert names(world.users.city, region="370103") == {more.ent_sibling.name}
    assert names(world.users.province, q="青岛") == {world.other_ent.name}
    assert names(world.users.province, q=world.other_ent.uscc[:10]) == {world.other_ent.name}
    assert names(world.users.sysadmin) == set()
