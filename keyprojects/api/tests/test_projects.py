"""Projects over the API: create/update/transition through the services, whitelisting, input
errors (never a 500), optimistic locking, events, filters and pagination."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from keyprojects.api.serializers import VERSION_REQUIRED
from keyprojects.audit.models import AuditEvent
from keyprojects.core.testing import ProjectFactory
from keyprojects.projects.models import Project, ProjectEvent, ProjectYear

from .utils import error_of, fields_of

URL = "/api/v1/projects/"


def new_project(**extra: Any) -> dict[str, Any]:
    return {
        "name": "比亚迪新能源汽车零部件项目",
        "category": "industry",
        "nature": "new",
        "total_investment": "12345.6789",
        "industry_section": "C",
        "industry_division": "36",
        "planned_start": "2026-03-01",
        "planned_completion": "2027-12-31",
        **extra,
    }


# ---- create -------------------------------------------------------------------------------


def test_city_creates_project_with_years(as_user: Any, world: Any) -> None:
    client = as_user(world.users.city)
    body = new_project(
        region="370103",
        owner=world.ent.pk,
        project_code="2403-370103-04-01-123456",
        years=[{"year": 2026, "annual_plan": "1500.5", "on_city_list": True}, {"year": 2027, "annual_plan": "3000"}],
    )
    # read-only fields are no input: named in a 400, never silently dropped (issue 11 §4)
    read_only = {"stage": "effective", "province_code": "990000", "city_code": "990100", "version": 42, "id": 1}
    assert set(fields_of(client.post(URL, {**body, **read_only}, format="json"))) == set(read_only)
    assert not Project.objects.filter(name=body["name"]).exists()
    r = client.post(URL, body, format="json")
    assert r.status_code == 201, r.content
    data = r.json()
    p = Project.objects.get(pk=data["id"])
    assert (p.stage, p.province_code, p.city_code, p.version, p.region_id) == ("reserve", "370000", "370100", 1, "370103")
    assert data["stage"] == "reserve" and data["version"] == 1 and data["region_name"] == "市中区"
    assert data["total_investment"] == "12345.6789"  # Decimal as a string, never a float
    assert data["owner"] == world.ent.pk and data["owner_name"] == world.ent.name
    # the current year's row states the project's nature (ADR 0004); another year's states none
    this = timezone.localdate().year
    assert data["years"] == [
        {"year": y, "annual_plan": plan, "on_province_list": False, "on_city_list": y == 2026, "on_county_list": False,
         "nature": "new" if y == this else ""}
        for y, plan in ((2026, "1500.5000"), (2027, "3000.0000"))
    ]  # fmt: skip
    assert ProjectEvent.objects.filter(project=p, kind="created").count() == 1
    assert AuditEvent.objects.filter(action="create", object_type="projects.project", object_id=str(p.pk), actor_username="jinan").exists()


def test_county_may_not_set_the_region(as_user: Any, world: Any) -> None:
    """A county's projects are in its county: ``region`` from a county answers 400 naming it
    (issue 11 §4), and without it the project lands in the county."""
    client = as_user(world.users.county)
    assert "region" in fields_of(client.post(URL, new_project(region="370202"), format="json"))
    r = client.post(URL, new_project(), format="json")
    assert r.status_code == 201, r.content
    assert r.json()["region"] == "370102" and r.json()["city_code"] == "370100"
    # on update too: nothing is written
    p = world.projects.own_county
    fields = fields_of(client.patch(f"{URL}{p.pk}/", {"region": "370103", "name": "改名", "version": p.version}, format="json"))
    assert list(fields) == ["region"] and "region" in fields["region"][0]
    p.refresh_from_db()
    assert (p.region_id, p.name, p.version) == ("370102", "历下区项目", 1)
    r = client.patch(f"{URL}{p.pk}/", {"name": "改名", "version": p.version}, format="json")
    assert r.status_code == 200 and r.json()["name"] == "改名"


def test_department_creates_in_its_unit(as_user: Any, world: Any) -> None:
    client = as_user(world.users.department)
    body = new_project(responsible_unit=world.other_dept.pk)
    assert set(fields_of(client.post(URL, body, format="json"))) == {"responsible_unit"}
    r = client.post(URL, new_project(), format="json")
    assert r.status_code == 201, r.content
    assert r.json()["responsible_unit"] == world.dept.pk and r.json()["region"] == "370100"


def test_city_cannot_create_outside_its_city(as_user: Any, world: Any) -> None:
    r = as_user(world.users.city).post(URL, new_project(region="370202"), format="json")
    assert fields_of(r)["region"] == ["所属区域超出您的管辖范围"]
    assert not Project.objects.filter(name=new_project()["name"]).exists()


@pytest.mark.parametrize("role", ["enterprise", "leader", "sysadmin", "secadmin", "auditor"])
def test_roles_that_cannot_create(as_user: Any, world: Any, role: str) -> None:
    before = Project.objects.count()
    r = as_user(getattr(world.users, role)).post(URL, new_project(region="370102"), format="json")
    error_of(r, 403, "permission_denied")
    assert Project.objects.count() == before


def test_owner_and_leader_must_be_in_scope(as_user: Any, world: Any) -> None:
    r = as_user(world.users.county).post(URL, new_project(owner=world.other_ent.pk), format="json")
    assert fields_of(r)["owner"] == [f"无效主键 “{world.other_ent.pk}” － 对象不存在。"]  # same as a missing id
    r = as_user(world.users.other_city).post(URL, new_project(region="370202", sponsor_leader=world.leader.pk), format="json")
    assert "sponsor_leader" in fields_of(r)
    r = as_user(world.users.county).post(URL, new_project(responsible_unit=world.other_dept.pk), format="json")
    assert "responsible_unit" in fields_of(r)  # a Qingdao department cannot be made to follow a Jinan project
    r = as_user(world.users.county).post(URL, new_project(owner=world.ent.pk, sponsor_leader=world.leader.pk), format="json")
    assert r.status_code == 201, r.content  # own enterprise; the city's leader is visible to its county
    assert r.json()["sponsor_leader_name"] == "张市长"


# ---- bad input: 400 "invalid" with Chinese messages, never a 500 ------------------------------


@pytest.mark.parametrize(
    "extra,field,fragment",
    [
        ({"project_code": "2403-3701"}, "project_code", "项目代码格式"),
        ({"project_code": "2403-999999-04-01-123456"}, "project_code", "行政区划代码 999999 不存在"),
        ({"total_investment": "-1"}, "total_investment", "大于或者等于 0"),
        ({"total_investment": "abc"}, "total_investment", "数字文本"),
        ({"total_investment": 100}, "total_investment", "数字文本"),  # the schema says text: no float rounding
        ({"total_investment": "1e5"}, "total_investment", "数字文本"),
        ({"name": 0}, "name", "字符串"),
        ({"in_statistics": 1}, "in_statistics", "true 或 false"),
        ({"total_investment": "1e400"}, "total_investment", ""),
        ({"planned_start": "2026-02-30"}, "planned_start", "日期格式错误"),
        ({"planned_start": "2027-01-01", "planned_completion": "2026-01-01"}, "planned_completion", "计划竣工日期不能早于计划开工日期"),
        ({"industry_division": "01"}, "industry_division", "行业大类与门类不匹配"),
        ({"category": "rocket"}, "category", "不是合法选项"),
        ({"name": ""}, "name", "不能为空"),
        ({"latitude": "91"}, "latitude", "小于或者等于 90"),
        ({"years": [{"year": 2026, "annual_plan": "-5"}]}, "years", "大于或者等于 0"),
        ({"years": [{"year": 1900}]}, "years", "大于或者等于 2000"),
        ({"years": [{"year": 2026}, {"year": 2026}]}, "years", "年度 2026 重复"),
        ({"years": "2026"}, "years", ""),
    ],
)
def test_invalid_input(as_user: Any, world: Any, extra: dict[str, Any], field: str, fragment: str) -> None:
    before = Project.objects.count()
    r = as_user(world.users.city).post(URL, new_project(region="370102", **extra), format="json")
    fields = fields_of(r)
    assert field in fields, fields
    assert fragment in str(fields[field])
    assert Project.objects.count() == before


def test_duplicate_project_code(as_user: Any, world: Any) -> None:
    client = as_user(world.users.city)
    assert client.post(URL, new_project(region="370102", project_code="2403-370102-04-01-123456"), format="json").status_code == 201
    r = client.post(URL, new_project(region="370102", project_code="2403-370102-04-01-123456"), format="json")
    assert "project_code" in error_of(r, 409, "duplicate")["fields"]


@pytest.mark.parametrize(
    "body,content_type,status,code",
    [
        ("{", "application/json", 400, "parse_error"),
        ("[1, 2]", "application/json", 400, "invalid"),
        ('"text"', "application/json", 400, "invalid"),
        ("name=x", "text/plain", 415, "unsupported_media_type"),
    ],
)
def test_malformed_bodies(as_user: Any, world: Any, body: str, content_type: str, status: int, code: str) -> None:
    r = as_user(world.users.city).generic("POST", URL, body, content_type=content_type)
    error_of(r, status, code)


def test_put_needs_the_required_fields(as_user: Any, world: Any) -> None:
    p = world.projects.own_county
    r = as_user(world.users.county).put(f"{URL}{p.pk}/", {"location": "x", "version": p.version}, format="json")
    fields = fields_of(r)
    assert fields["name"] == ["该字段是必填项。"] and "category" in fields
    r = as_user(world.users.county).put(f"{URL}{p.pk}/", new_project(version=p.version), format="json")
    assert r.status_code == 200 and r.json()["name"] == new_project()["name"]


def test_update_needs_version(as_user: Any, world: Any) -> None:
    p = world.projects.own_county
    r = as_user(world.users.county).patch(f"{URL}{p.pk}/", {"name": "x"}, format="json")
    assert fields_of(r)["version"] == [VERSION_REQUIRED]


# ---- optimistic locking -----------------------------------------------------------------------


def test_stale_update_is_409_and_writes_nothing(api: Any, world: Any) -> None:
    p = world.projects.own_county
    api.force_authenticate(world.users.county)
    v = api.get(f"{URL}{p.pk}/").json()["version"]
    assert api.patch(f"{URL}{p.pk}/", {"name": "甲修改", "version": v}, format="json").status_code == 200
    # A second user still holding version v:
    api.force_authenticate(world.users.city)
    stale = {"name": "乙修改", "total_investment": "1", "years": [{"year": 2026, "annual_plan": "1"}], "version": v}
    r = api.patch(f"{URL}{p.pk}/", stale, format="json")
    error_of(r, 409, "conflict")
    assert "已被他人修改" in r.json()["message"]
    p.refresh_from_db()
    assert (p.name, p.total_investment, p.version) == ("甲修改", Decimal("10000.0000"), v + 1)
    assert ProjectYear.objects.get(project=p, year=2026).annual_plan == Decimal("1200.0000")
    assert not AuditEvent.objects.filter(action="update", object_id=str(p.pk), actor_username="jinan").exists()


def test_stale_transition_is_409(as_user: Any, world: Any) -> None:
    p = world.projects.own_county
    r = as_user(world.users.county).post(f"{URL}{p.pk}/transition/", {"to_stage": "preparation", "version": p.version + 5}, format="json")
    error_of(r, 409, "conflict")
    p.refresh_from_db()
    assert p.stage == "reserve" and not ProjectEvent.objects.filter(project=p, kind="transition").exists()


# ---- whitelists ---------------------------------------------------------------------------


def test_enterprise_contact_edits_only_its_fields(as_user: Any, world: Any) -> None:
    p = world.projects.own_county
    body = {
        "name": "企业改名", "region": "370103", "total_investment": "-1", "stage": "effective",
        "location": "历下区经十路", "contact_phone": "0531-88888888",
        "years": [{"year": 2026, "annual_plan": "999999", "on_province_list": True}], "version": p.version,
    }  # fmt: skip
    client = as_user(world.users.enterprise)
    # an enterprise PATCH of total_investment (and the rest it may not write) is named, not ignored
    assert set(fields_of(client.patch(f"{URL}{p.pk}/", body, format="json"))) == {"name", "region", "total_investment", "stage", "years"}
    body = {"location": "历下区经十路", "contact_phone": "0531-88888888", "version": p.version}
    r = client.patch(f"{URL}{p.pk}/", body, format="json")
    assert r.status_code == 200, r.content
    p.refresh_from_db()
    assert (p.location, p.contact_phone) == ("历下区经十路", "0531-88888888")
    assert (p.name, p.region_id, p.total_investment, p.stage) == ("历下区项目", "370102", Decimal("10000.0000"), "reserve")
    y = ProjectYear.objects.get(project=p, year=2026)
    assert (y.annual_plan, y.on_province_list) == (Decimal("1200.0000"), False)


def test_years_are_upserted_by_year(as_user: Any, world: Any) -> None:
    p = world.projects.own_county
    body = {
        "years": [{"year": 2026, "annual_plan": "1300"}, {"year": 2027, "annual_plan": "50", "on_county_list": True}],
        "version": p.version,
    }
    r = as_user(world.users.county).patch(f"{URL}{p.pk}/", body, format="json")
    assert r.status_code == 200, r.content
    years = {y["year"]: y for y in r.json()["years"]}
    assert years[2026]["annual_plan"] == "1300.0000" and years[2026]["on_city_list"] is True  # untouched flag kept
    assert years[2027] == {
        "year": 2027, "annual_plan": "50.0000", "on_province_list": False, "on_city_list": False, "on_county_list": True, "nature": ""
    }  # fmt: skip


def test_a_years_nature_is_that_years_and_the_current_years_is_the_projects(as_user: Any, world: Any) -> None:
    """ADR 0004: ``years[].nature`` states the nature on that year's list; the current year's
    is the project's own (``nature``), a conflicting pair is refused."""
    p = world.projects.own_county
    this = timezone.localdate().year
    client = as_user(world.users.county)
    body = {"years": [{"year": this - 1, "annual_plan": "900", "nature": "new"}], "version": p.version}
    r = client.patch(f"{URL}{p.pk}/", body, format="json")
    assert r.status_code == 200, r.content
    p.refresh_from_db()
    assert ProjectYear.objects.get(project=p, year=this - 1).nature == "new" and p.nature == "new"  # (the factory's)
    body = {"years": [{"year": this, "annual_plan": "1000", "nature": "continuing"}], "version": p.version}
    r = client.patch(f"{URL}{p.pk}/", body, format="json")
    assert r.status_code == 200, r.content
    p.refresh_from_db()
    natures = dict(ProjectYear.objects.filter(project=p).values_list("year", "nature"))
    assert (p.nature, natures[this], natures[this - 1]) == ("continuing", "continuing", "new")
    assert {y["year"]: y["nature"] for y in r.json()["years"]}[this] == "continuing" and r.json()["nature"] == "continuing"
    # the project's nature changed alone: the current year's row follows, last year's stays
    r = client.patch(f"{URL}{p.pk}/", {"nature": "completing", "version": p.version}, format="json")
    assert r.status_code == 200, r.content
    natures = dict(ProjectYear.objects.filter(project=p).values_list("year", "nature"))
    assert (natures[this], natures[this - 1]) == ("completing", "new")
    p.refresh_from_db()
    body = {"nature": "new", "years": [{"year": this, "nature": "continuing"}], "version": p.version}
    r = client.patch(f"{URL}{p.pk}/", body, format="json")
    assert r.status_code == 400 and "nature" in fields_of(r)
    assert Project.objects.get(pk=p.pk).nature == "completing"


# ---- life cycle ---------------------------------------------------------------------------


def test_transitions_and_events(as_user: Any, world: Any) -> None:
    client = as_user(world.users.county)
    p = world.projects.own_county
    url = f"{URL}{p.pk}/transition/"

    def move(to: str, version: int, **extra: Any) -> Any:
        return client.post(url, {"to_stage": to, "version": version, **extra}, format="json")

    r = move("preparation", 1)
    assert r.status_code == 200 and r.json()["stage"] == "preparation" and r.json()["version"] == 2
    error_of(move("effective", 2), 409, "transition_not_allowed")
    assert fields_of(move("suspended", 2, reason="  "))["reason"]
    r = move("suspended", 2, reason="资金未到位")
    assert r.json()["stage"] == "suspended"
    r = move("resume", 3)
    assert r.json()["stage"] == "preparation"
    r = move("construction", 4, on_date="2026-05-01")
    assert (r.json()["stage"], r.json()["actual_start"]) == ("construction", "2026-05-01")
    assert "to_stage" in fields_of(move("flying", 5))

    events = client.get(f"{URL}{p.pk}/events/").json()
    assert events["count"] == 4  # the factory's project has no "created" event (the service writes one)
    rows = [(e["kind"], e["from_stage"], e["to_stage"], e["reason"]) for e in events["results"]]
    assert rows == [
        ("transition", "reserve", "preparation", ""),
        ("suspended", "preparation", "suspended", "资金未到位"),
        ("resumed", "suspended", "preparation", ""),
        ("transition", "preparation", "construction", ""),
    ]
    assert all(e["actor_name"] == "lixia" for e in events["results"])


def test_events_follow_scope(as_user: Any, world: Any) -> None:
    p = world.projects.other_city
    error_of(as_user(world.users.county).get(f"{URL}{p.pk}/events/"), 404, "not_found")


# ---- lists: filters, pagination, query count ---------------------------------------------------


def _names(r: Any) -> set[str]:
    assert r.status_code == 200, r.content
    return {row["name"] for row in r.json()["results"]}


def test_list_filters_are_the_project_filter(as_user: Any, world: Any) -> None:
    client = as_user(world.users.province)
    assert _names(client.get(URL, {"region": "370100"})) == {"历下区项目", "市中区项目", "济南市本级项目"}
    assert _names(client.get(URL, {"region": "370103"})) == {"市中区项目"}
    assert _names(client.get(URL, {"year": 2026, "level": "province"})) == {"济南市本级项目", "青岛市南区项目"}
    assert _names(client.get(URL, {"q": "青岛"})) == {"青岛市南区项目"}
    assert _names(client.get(URL, {"responsible_unit": world.dept.pk})) == {"历下区项目"}
    assert _names(client.get(URL, {"stage": ["reserve", "construction"]})) == {
        "历下区项目",
        "市中区项目",
        "济南市本级项目",
        "青岛市南区项目",
    }
    rows = client.get(URL, {"sort": "name"}).json()["results"]
    assert [r["name"] for r in rows] == sorted(r["name"] for r in rows)
    # the filter narrows the scope, never widens it
    assert _names(as_user(world.users.county).get(URL, {"region": "370000"})) == {"历下区项目"}


@pytest.mark.parametrize(
    "params",
    [
        {"stage": "flying"}, {"year": "abc"}, {"responsible_unit": "0"}, {"sort": "password"},
        # what the schema forbids is refused, naming the parameter (issue 17)
        {"stage": ""}, {"q": ""}, {"region": ""}, {"in_statistics": "null"}, {"in_statistics": "1"}, {"owner": "1.5"},
        {"page_size": "null"}, {"page_size": "false"}, {"page_size": "0"}, {"page": ""}, {"page": "-1"},
    ],
)  # fmt: skip
def test_bad_filters_are_400(as_user: Any, world: Any, params: dict[str, str]) -> None:
    r = as_user(world.users.province).get(URL, params)
    fields = fields_of(r)
    assert set(fields) == set(params)
    assert next(iter(params)) in r.json()["message"]


def test_an_id_filter_that_names_nothing_is_an_empty_list(as_user: Any, world: Any) -> None:
    client = as_user(world.users.province)
    assert client.get(URL, {"responsible_unit": "999999"}).json()["count"] == 0
    assert client.get(URL, {"responsible_unit": world.dept.pk}).json()["count"] == 1


def test_pagination(as_user: Any, world: Any) -> None:
    for i in range(5):
        ProjectFactory(name=f"分页项目{i}", region_id="370103")
    client = as_user(world.users.city)
    page1 = client.get(URL, {"page_size": 2}).json()
    assert page1["count"] == 8 and len(page1["results"]) == 2 and page1["previous"] is None
    assert "page=2" in page1["next"]
    last = client.get(URL, {"page_size": 2, "page": 4}).json()
    assert len(last["results"]) == 2 and last["next"] is None
    seen = {r["id"] for p in range(1, 5) for r in client.get(URL, {"page_size": 2, "page": p}).json()["results"]}
    assert len(seen) == 8
    error_of(client.get(URL, {"page": 99}), 404, "not_found")
    assert len(client.get(URL, {"page_size": 100000}).json()["results"]) == 8  # capped, not an error


def test_list_query_count_does_not_grow(as_user: Any, world: Any, django_assert_max_num_queries: Any) -> None:
    for i in range(20):
        ProjectFactory(name=f"批量项目{i}", region_id="370102", owner=world.ent, responsible_unit=world.dept, plan=(2026, 10))
    client = as_user(world.users.province)
    with django_assert_max_num_queries(4):  # count, page (with joins), years prefetch, + session/audit slack
        r = client.get(URL)
    assert r.json()["count"] == 24
