"""Project pages × roles (reliability.md 11-12): each role sees its scope; anything else is 404 (an
administrator: 403, no business page at all)."""

from __future__ import annotations

import re

import pytest

from keyprojects.core.testing import refused

ALL = {"own_county", "sibling_county", "city_level", "other_city"}
VISIBLE = {
    "province": ALL,
    "city": {"own_county", "sibling_county", "city_level"},
    "county": {"own_county"},
    "sibling": {"sibling_county"},
    "other_city": {"other_city"},
    "department": {"own_county"},
    "enterprise": {"own_county"},
    "other_enterprise": {"other_city"},
    "leader": {"own_county", "sibling_county", "city_level"},
    "superuser": ALL,
    "auditor": set(),
}


def listed_names(html: str) -> set[str]:
    return set(re.findall(r'<tr data-testid="project-row">\s*<td><a href="/projects/\d+/">([^<]+)</a>', html))


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_list_and_detail_follow_scope(world, client, role):
    client.force_login(getattr(world.users, role))
    names = {key: getattr(world.projects, key).name for key in ALL}
    html = client.get("/projects/").content.decode()
    assert listed_names(html) == {names[k] for k in VISIBLE[role]}
    for key in sorted(ALL):
        project = getattr(world.projects, key)
        status = client.get(f"/projects/{project.pk}/").status_code
        assert status == (200 if key in VISIBLE[role] else refused(getattr(world.users, role))), (role, key)


@pytest.mark.parametrize(
    "role,key,status",
    [
        ("county", "own_county", 200),
        ("county", "sibling_county", 404),
        ("county", "city_level", 404),
        ("city", "sibling_county", 200),
        ("city", "other_city", 404),
        ("province", "other_city", 200),
        ("department", "own_county", 200),
        ("department", "city_level", 404),
        ("enterprise", "own_county", 200),
        ("other_enterprise", "own_county", 404),
        ("leader", "own_county", 404),
        ("auditor", "own_county", 403),  # an administrator opens no business page (三权分立)
    ],
)
def test_edit_page_scope(world, client, role, key, status):
    client.force_login(getattr(world.users, role))
    assert client.get(f"/projects/{getattr(world.projects, key).pk}/edit/").status_code == status


@pytest.mark.parametrize("role", ["sibling", "other_city", "leader", "other_enterprise"])
def test_transition_outside_scope_is_404_and_changes_nothing(world, client, role):
    p = world.projects.own_county
    client.force_login(getattr(world.users, role))
    r = client.post(f"/projects/{p.pk}/transition/", {"to_stage": "preparation", "version": p.version})
    assert r.status_code == 404
    p.refresh_from_db()
    assert p.stage == "reserve"


def test_out_of_scope_detail_is_audited_as_denied(world, client):
    from keyprojects.audit.models import AuditEvent

    client.force_login(world.users.county)
    assert client.get(f"/projects/{world.projects.sibling_county.pk}/").status_code == 404
    assert client.get("/projects/999999/").status_code == 404  # a missing one looks the same
    assert AuditEvent.objects.filter(action="permission_denied", object_id=str(world.projects.sibling_county.pk)).count() == 1


def test_export_follows_scope(world, client):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(world.users.county)
    ws = load_workbook(BytesIO(client.get("/projects/export.xlsx").content)).active
    names = [row[1] for row in ws.iter_rows(min_row=3, values_only=True) if row[0] != "合计"]
    assert names == [world.projects.own_county.name]


@pytest.mark.parametrize("role,can", [("leader", False), ("enterprise", False), ("county", True), ("department", True)])
def test_create_page_by_role(world, client, role, can):
    client.force_login(getattr(world.users, role))
    assert client.get("/projects/new/").status_code == (200 if can else 403)
    assert ('data-testid="new-project"' in client.get("/projects/").content.decode()) is can


def test_anonymous_is_sent_to_login(db, client):
    r = client.get("/projects/")
    assert r.status_code == 302 and "next=/projects/" in r["Location"]
