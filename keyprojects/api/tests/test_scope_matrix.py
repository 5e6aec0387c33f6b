"""Scope matrix (reliability.md 11-12): endpoint × role × relation, expected status per cell.

Relations are relative to the user's home ("frame"):

* county frame — home is 历下区 370102 (county user; enterprise user, whose enterprise sits
  there; sysadmin/auditor, who have no region and are checked against the same objects);
* city frame — home is 济南市 370100 (city user, leader, department of 济南市发改委);
* province frame — home is 山东省 370000 (projects cannot sit at province level, so "own
  region" is a city-level project directly in the province).

"child county" has no meaning in the county frame, nor "sibling county"/"parent city" above it;
those cells are not generated. "other province" (河北 130102) is added to every frame.

Every relation points at one project and one enterprise:

=================  =======================================  ==============================
relation           project                                  enterprise
=================  =======================================  ==============================
own_region         county: 历下区项目 (owner ent, unit dept)  county: ent (历下区)
                   city/province: 济南市本级项目 (zone)       city/province: 济南市本级企业
sibling_county     市中区项目 (370103)                       市中区企业
parent_city        济南市本级项目 (370100)                   济南市本级企业
child_county       历下区项目                                ent (历下区)
other_city         青岛市南区项目 (other_ent, other_dept)     other_ent (青岛)
other_enterprise   历下区另一企业项目 (owner ent2, no unit)    ent2 (历下区)
other_province     石家庄长安区项目                          石家庄企业
=================  =======================================  ==============================
"""

from __future__ import annotations

from itertools import product
from typing import Any

import pytest

from keyprojects.enterprises.models import Enterprise
from keyprojects.projects.models import Project

IN, OUT = "listed", "absent"
ENDPOINTS = ["project_detail", "project_update", "project_transition", "project_list", "enterprise_detail", "enterprise_update"]
ROLES = ["province", "city", "county", "department", "enterprise", "leader", "sysadmin", "auditor"]
FRAME = {
    "province": "province", "city": "city", "leader": "city", "department": "city",
    "county": "county", "enterprise": "county", "sysadmin": "county", "auditor": "county",
}  # fmt: skip
RELATIONS = {
    "county": ["own_region", "sibling_county", "parent_city", "other_city", "other_enterprise", "other_province"],
    "city": ["own_region", "child_county", "other_city", "other_enterprise", "other_province"],
    "province": ["own_region", "child_county", "other_city", "other_enterprise", "other_province"],
}
# (frame, relation) → (project, enterprise): attribute names in world.projects / world / more.
TARGETS = {
    ("county", "own_region"): ("own_county", "ent"),
    ("county", "sibling_county"): ("sibling_county", "ent_sibling"),
    ("county", "parent_city"): ("city_level", "ent_city"),
    ("city", "own_region"): ("city_level", "ent_city"),
    ("province", "own_region"): ("city_level", "ent_city"),
    ("city", "child_county"): ("own_county", "ent"),
    ("province", "child_county"): ("own_county", "ent"),
    **{(f, "other_city"): ("other_city", "other_ent") for f in RELATIONS},
    **{(f, "other_enterprise"): ("project_ent2", "ent2") for f in RELATIONS},
    **{(f, "other_province"): ("project_hebei", "ent_hebei") for f in RELATIONS},
}

# fmt: off
#  role          relation            ---------- project ----------   -- enterprise --
#                                    detail update trans.  list      detail update
TABLE = [
    ("province",   "own_region",       200,   200,   200,    IN,      200,   200),
    ("province",   "child_county",     200,   200,   200,    IN,      200,   200),
    ("province",   "other_city",       200,   200,   200,    IN,      200,   200),
    ("province",   "other_enterprise", 200,   200,   200,    IN,      200,   200),
    ("province",   "other_province",   404,   404,   404,    OUT,     404,   404),

    ("city",       "own_region",       200,   200,   200,    IN,      200,   200),
    ("city",       "child_county",     200,   200,   200,    IN,      200,   200),
    ("city",       "other_city",       404,   404,   404,    OUT,     404,   404),
    ("city",       "other_enterprise", 200,   200,   200,    IN,      200,   200),
    ("city",       "other_province",   404,   404,   404,    OUT,     404,   404),

    ("county",     "own_region",       200,   200,   200,    IN,      200,   200),
    ("county",     "sibling_county",   404,   404,   404,    OUT,     404,   404),
    ("county",     "parent_city",      404,   404,   404,    OUT,     404,   404),
    ("county",     "other_city",       404,   404,   404,    OUT,     404,   404),
    ("county",     "other_enterprise", 200,   200,   200,    IN,      200,   200),
    ("county",     "other_province",   404,   404,   404,    OUT,     404,   404),

    # Department: projects of its unit (责任单位) or zone, whatever the region; enterprises owning
    # such projects are visible, none is editable.
    ("department", "own_region",       404,   404,   404,    OUT,     404,   404),
    ("department", "child_county",     200,   200,   200,    IN,      200,   404),
    ("department", "other_city",       404,   404,   404,    OUT,     404,   404),
    ("department", "other_enterprise", 404,   404,   404,    OUT,     404,   404),
    ("department", "other_province",   404,   404,   404,    OUT,     404,   404),

    # Enterprise contact: its own enterprise and its projects only; may edit a few fields but
    # never move the stage (403 once the project is in scope, 404 before).
    ("enterprise", "own_region",       200,   200,   403,    IN,      200,   200),
    ("enterprise", "sibling_county",   404,   404,   404,    OUT,     404,   404),
    ("enterprise", "parent_city",      404,   404,   404,    OUT,     404,   404),
    ("enterprise", "other_city",       404,   404,   404,    OUT,     404,   404),
    ("enterprise", "other_enterprise", 404,   404,   404,    OUT,     404,   404),
    ("enterprise", "other_province",   404,   404,   404,    OUT,     404,   404),

    # Read-only roles: reads follow scope, every write is 403 before any lookup (no leak).
    ("leader",     "own_region",       200,   403,   403,    IN,      200,   403),
    ("leader",     "child_county",     200,   403,   403,    IN,      200,   403),
    ("leader",     "other_city",       404,   403,   403,    OUT,     404,   403),
    ("leader",     "other_enterprise", 200,   403,   403,    IN,      200,   403),
    ("leader",     "other_province",   404,   403,   403,    OUT,     404,   403),

    ("sysadmin",   "own_region",       404,   403,   403,    OUT,     404,   403),
    ("sysadmin",   "sibling_county",   404,   403,   403,    OUT,     404,   403),
    ("sysadmin",   "parent_city",      404,   403,   403,    OUT,     404,   403),
    ("sysadmin",   "other_city",       404,   403,   403,    OUT,     404,   403),
    ("sysadmin",   "other_enterprise", 404,   403,   403,    OUT,     404,   403),
    ("sysadmin",   "other_province",   404,   403,   403,    OUT,     404,   403),

    ("auditor",    "own_region",       404,   403,   403,    OUT,     404,   403),
    ("auditor",    "sibling_county",   404,   403,   403,    OUT,     404,   403),
    ("auditor",    "parent_city",      404,   403,   403,    OUT,     404,   403),
    ("auditor",    "other_city",       404,   403,   403,    OUT,     404,   403),
    ("auditor",    "other_enterprise", 404,   403,   403,    OUT,     404,   403),
    ("auditor",    "other_province",   404,   403,   403,    OUT,     404,   403),
]
# fmt: on

CASES = [
    pytest.param(endpoint, role, relation, expected, id=f"{endpoint}-{role}-{relation}")
    for role, relation, *cells in TABLE
    for endpoint, expected in zip(ENDPOINTS, cells, strict=True)
]


def test_table_covers_every_role_and_relation() -> None:
    expected = {(role, rel) for role in ROLES for rel in RELATIONS[FRAME[role]]}
    rows = [(role, rel) for role, rel, *_ in TABLE]
    assert len(rows) == len(set(rows)) and set(rows) == expected
    assert all((FRAME[role], rel) in TARGETS for role, rel in rows)
    assert len(CASES) == len(ENDPOINTS) * len(expected) == 264


def _targets(world: Any, more: Any, role: str, relation: str) -> tuple[Project, Enterprise]:
    p_name, e_name = TARGETS[(FRAME[role], relation)]
    project = getattr(world.projects, p_name, None) or getattr(more, p_name)
    enterprise = getattr(world, e_name, None) or getattr(more, e_name)
    return project, enterprise


@pytest.mark.parametrize("endpoint,role,relation,expected", CASES)
def test_scope(as_user: Any, world: Any, more: Any, endpoint: str, role: str, relation: str, expected: Any) -> None:
    client = as_user(getattr(world.users, role))
    project, enterprise = _targets(world, more, role, relation)
    p_before = Project.objects.values().get(pk=project.pk)
    e_before = Enterprise.objects.values().get(pk=enterprise.pk)

    if endpoint == "project_list":
        r = client.get("/api/v1/projects/", {"page_size": 500})
        assert r.status_code == 200
        ids = {row["id"] for row in r.json()["results"]}
        assert (IN if project.pk in ids else OUT) == expected
        return

    if endpoint == "project_detail":
        r = client.get(f"/api/v1/projects/{project.pk}/")
    elif endpoint == "project_update":
        r = client.patch(f"/api/v1/projects/{project.pk}/", {"location": "矩阵测试地点", "version": project.version}, format="json")
    elif endpoint == "project_transition":
        body = {"to_stage": "preparation", "version": project.version}
        r = client.post(f"/api/v1/projects/{project.pk}/transition/", body, format="json")
    elif endpoint == "enterprise_detail":
        r = client.get(f"/api/v1/enterprises/{enterprise.pk}/")
    else:
        r = client.patch(f"/api/v1/enterprises/{enterprise.pk}/", {"address": "矩阵测试地址", "version": enterprise.version}, format="json")

    assert r.status_code == expected, r.content[:300]
    body = r.json()
    if expected != 200:
        assert body["code"] == {403: "permission_denied", 404: "not_found"}[expected]
        # Nothing was written, whatever the answer.
        assert Project.objects.values().get(pk=project.pk) == p_before
        assert Enterprise.objects.values().get(pk=enterprise.pk) == e_before
        return
    if endpoint == "project_detail":
        assert body["id"] == project.pk
    elif endpoint == "project_update":
        assert body["location"] == "矩阵测试地点" and body["version"] == project.version + 1
    elif endpoint == "project_transition":
        assert body["stage"] == "preparation" and Project.objects.get(pk=project.pk).stage == "preparation"
    elif endpoint == "enterprise_detail":
        assert body["id"] == enterprise.pk
    else:
        assert body["address"] == "矩阵测试地址" and Enterprise.objects.get(pk=enterprise.pk).version == enterprise.version + 1


def test_out_of_scope_answers_exactly_like_missing(as_user: Any, world: Any) -> None:
    """No existence leak: a hidden object and an id that never existed give the same body."""
    client = as_user(world.users.county)
    hidden = client.get(f"/api/v1/projects/{world.projects.other_city.pk}/")
    missing = client.get("/api/v1/projects/987654321/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_product_is_what_the_table_says() -> None:
    """The generated cases are exactly endpoint × (role, relation) of the table."""
    generated = {(c.values[0], c.values[1], c.values[2]) for c in CASES}
    assert generated == {(e, r, rel) for (r, rel, *_), e in product(TABLE, ENDPOINTS)}
