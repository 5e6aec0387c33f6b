"""Project create/update services: whitelists, scope, optimistic locking, audit, atomicity."""

from __future__ import annotations

from decimal import Decimal
from unittest import mock

import pytest

from keyprojects.audit.models import AuditEvent
from keyprojects.core.errors import ConflictError, NotFound, PermissionDenied, ValidationFailed
from keyprojects.projects.models import Project, ProjectYear
from keyprojects.projects.services import project_create, project_update
from keyprojects.regions.models import Region


def base_data(**kw):
    data = {"name": "新项目", "category": "industry", "nature": "new", "total_investment": Decimal("5000")}
    data.update(kw)
    return data


def test_county_create_ignores_region_and_stage(world):
    qingdao = Region.objects.get(code="370202")
    p = project_create(
        user=world.users.county,
        data=base_data(region=qingdao, stage="effective"),
        years=[{"year": 2026, "annual_plan": "1200", "on_county_list": True}],
    )
    assert p.region_id == "370102" and p.stage == "reserve"
    assert (p.province_code, p.city_code) == ("370000", "370100")
    assert ProjectYear.objects.get(project=p, year=2026).annual_plan == Decimal("1200")
    ev = AuditEvent.objects.get(action="create", object_id=str(p.pk))
    assert ev.changes["name"] == [None, "新项目"] and ev.actor_username == "lixia"


def test_city_cannot_create_outside_city(world):
    with pytest.raises(ValidationFailed) as exc:
        project_create(user=world.users.city, data=base_data(region=Region.objects.get(code="370202")))
    assert "region" in exc.value.extra["fields"]
    assert not Project.objects.filter(name="新项目").exists()


def test_read_only_roles_cannot_create(world):
    for u in (world.users.leader, world.users.enterprise, world.users.auditor, world.users.sysadmin):
        with pytest.raises(PermissionDenied):
            project_create(user=u, data=base_data(region=Region.objects.get(code="370102")))


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("project_code", "2403-370102-04-01-12345", "项目代码格式"),
        ("project_code", "2403-379999-04-01-123456", "不存在"),
        ("total_investment", Decimal("-1"), ""),
    ],
)
def test_bad_values_are_field_errors(world, field, value, message):
    with pytest.raises(ValidationFailed) as exc:
        project_create(user=world.users.county, data=base_data(**{field: value}))
    assert field in exc.value.extra["fields"]
    assert message in " ".join(exc.value.extra["fields"][field])


def test_dates_out_of_order(world):
    import datetime as dt

    with pytest.raises(ValidationFailed) as exc:
        project_create(user=world.users.county, data=base_data(planned_start=dt.date(2025, 5, 1), planned_completion=dt.date(2024, 1, 1)))
    assert "planned_completion" in exc.value.extra["fields"]


def test_update_with_stale_version_conflicts_and_keeps_row(world):
    p = world.projects.own_county
    v = p.version
    project_update(user=world.users.county, project=Project.objects.get(pk=p.pk), expected_version=v, data={"name": "甲改"})
    with pytest.raises(ConflictError) as exc:
        project_update(user=world.users.city, project=Project.objects.get(pk=p.pk), expected_version=v, data={"name": "乙改"})
    assert exc.value.message.startswith("已被他人修改")
    p.refresh_from_db()
    assert p.name == "甲改" and p.version == v + 1


def test_update_whitelist_per_role(world):
    p = world.projects.own_county
    project_update(
        user=world.users.county,
        project=p,
        expected_version=p.version,
        data={"region": Region.objects.get(code="370103"), "stage": "effective", "contact_name": "王工"},
    )
    p.refresh_from_db()
    assert p.region_id == "370102" and p.stage == "reserve" and p.contact_name == "王工"
    project_update(user=world.users.enterprise, project=p, expected_version=p.version, data={"name": "改名", "content": "年产30万辆"})
    p.refresh_from_db()
    assert p.name != "改名" and p.content == "年产30万辆"


def test_update_out_of_scope_is_not_found(world):
    p = world.projects.other_city
    with pytest.raises(NotFound):
        project_update(user=world.users.city, project=p, expected_version=p.version, data={"name": "x"})


def test_city_moves_project_between_its_counties_updates_denormalised_codes(world):
    p = world.projects.own_county
    project_update(user=world.users.city, project=p, expected_version=p.version, data={"region": Region.objects.get(code="370103")})
    p.refresh_from_db()
    assert p.region_id == "370103" and p.city_code == "370100"
    ev = AuditEvent.objects.filter(action="update", object_id=str(p.pk)).first()
    assert ev.changes["region"] == ["370102", "370103"]


def test_failure_midway_leaves_nothing(world):
    """An exception inside the service (here: the audit write) rolls back the whole step."""
    n = Project.objects.count()
    with mock.patch("keyprojects.projects.services.audit_record", side_effect=RuntimeError("boom")), pytest.raises(RuntimeError):
        project_create(user=world.users.county, data=base_data(), years=[{"year": 2026, "annual_plan": "10"}])
    assert Project.objects.count() == n
    assert not ProjectYear.objects.filter(project__name="新项目").exists()


def test_duplicate_project_code_is_a_field_error(world):
    project_create(user=world.users.county, data=base_data(project_code="2403-370102-04-01-123456"))
    with pytest.raises(ValidationFailed) as exc:
        project_create(user=world.users.county, data=base_data(name="另一个", project_code="2403-370102-04-01-123456"))
    assert "project_code" in exc.value.extra["fields"]


def test_links_must_be_within_reach(world):
    p = world.projects.own_county
    with pytest.raises(ValidationFailed) as exc:
        project_update(user=world.users.county, project=p, expected_version=p.version, data={"responsible_unit": world.other_dept})
    assert "responsible_unit" in exc.value.extra["fields"]
    with pytest.raises(ValidationFailed) as exc:
        project_create(user=world.users.county, data=base_data(owner=world.other_ent))
    assert "owner" in exc.value.extra["fields"]
    # the city's own department and leader are within a county user's reach
    project_update(
        user=world.users.county,
        project=p,
        expected_version=p.version,
        data={"responsible_unit": world.dept, "sponsor_leader": world.leader},
    )


def test_detail_page_renders_events_without_actor(world, client):
    """Events written by imports, commands or demo data have no actor: shown as 系统."""
    from keyprojects.core.testing import PASSWORD
    from keyprojects.projects.models import ProjectEvent

    p = world.projects.own_county
    ProjectEvent.objects.create(project=p, kind="transition", from_stage="reserve", to_stage="preparation", actor=None)
    client.login(username="lixia", password=PASSWORD)
    response = client.get(f"/projects/{p.pk}/")
    assert response.status_code == 200
    assert "系统" in response.content.decode()
