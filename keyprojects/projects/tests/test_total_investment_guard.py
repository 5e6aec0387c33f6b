"""A project's total investment changed tenfold or more (元 typed as 万元, or a change that would
lift the monthly "above total investment" error) needs a written reason — in the service, the
edit page and the API — and the reason is kept in the audit record (issue 10 §2)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from rest_framework.test import APIClient

from keyprojects.audit.models import AuditEvent
from keyprojects.core.errors import ValidationFailed
from keyprojects.dispatch.rules import total_investment_jump
from keyprojects.projects.models import Project
from keyprojects.projects.services import project_update
from keyprojects.projects.tests.test_views_forms import card

pytestmark = pytest.mark.django_db


def test_the_rule():
    assert total_investment_jump(D(3960), D(4_000_000), slip_factor=10)
    assert total_investment_jump(D(4_000_000), D(3960), slip_factor=10)
    assert total_investment_jump(D(3960), D(39_600), slip_factor=10)  # exactly tenfold
    assert total_investment_jump(D(3960), D(39_599), slip_factor=10) is None
    assert total_investment_jump(D(0), D(4_000_000), slip_factor=10) is None  # from nothing is no jump
    assert "3,960万元" in total_investment_jump(D(3960), D(4_000_000), slip_factor=10)


def test_service_needs_a_reason_and_audits_it(world):
    p = world.projects.own_county
    Project.objects.filter(pk=p.pk).update(total_investment=D(3960))
    p.refresh_from_db()
    with pytest.raises(ValidationFailed) as exc:
        project_update(user=world.users.county, project=p, expected_version=p.version, data={"total_investment": D(4_000_000)})
    assert "total_investment_reason" in exc.value.extra["fields"]
    assert Project.objects.get(pk=p.pk).total_investment == D(3960)
    p.refresh_from_db()
    project_update(
        user=world.users.county, project=p, expected_version=p.version, data={"total_investment": D(4_000_000)}, reason="扩建，经批复调整"
    )
    assert Project.objects.get(pk=p.pk).total_investment == D(4_000_000)
    event = AuditEvent.objects.filter(action="update", object_id=str(p.pk)).latest("id")
    assert event.changes["reason"] == "扩建，经批复调整"
    p.refresh_from_db()  # an ordinary change needs none
    project_update(user=world.users.county, project=p, expected_version=p.version, data={"total_investment": D(4_200_000)})


def test_edit_page_asks_for_the_reason(world, client):
    p = world.projects.own_county
    Project.objects.filter(pk=p.pk).update(total_investment=D(3960))
    p.refresh_from_db()
    client.force_login(world.users.county)
    page = client.get(f"/projects/{p.pk}/edit/").content.decode()
    assert 'name="total_investment_reason"' in page
    resp = client.post(f"/projects/{p.pk}/edit/", card(p, total_investment="4000000"))
    assert resp.status_code == 200 and "相差10倍以上" in resp.content.decode()
    assert Project.objects.get(pk=p.pk).total_investment == D(3960)
    resp = client.post(f"/projects/{p.pk}/edit/", card(p, total_investment="4000000", total_investment_reason="扩建，经批复调整"))
    assert resp.status_code == 302 and Project.objects.get(pk=p.pk).total_investment == D(4_000_000)


def test_api_asks_for_the_reason(world):
    p = world.projects.own_county
    Project.objects.filter(pk=p.pk).update(total_investment=D(3960))
    p.refresh_from_db()
    api = APIClient()
    api.force_authenticate(world.users.county)
    r = api.patch(f"/api/v1/projects/{p.pk}/", {"version": p.version, "total_investment": "4000000"}, format="json")
    assert r.status_code == 400 and "total_investment_reason" in r.json()["extra"]["fields"]
    r = api.patch(
        f"/api/v1/projects/{p.pk}/",
        {"version": p.version, "total_investment": "4000000", "total_investment_reason": "扩建，经批复调整"},
        format="json",
    )
    assert r.status_code == 200, r.content
    assert Project.objects.get(pk=p.pk).total_investment == D(4_000_000)
