"""Landing: the project is created through the registry's service, enters 前期手续 and is due in
the next month's dispatch like any project; the chain lead → project holds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keyprojects.attraction.services import lead_advance, lead_land, lead_sign
from keyprojects.audit.models import AuditEvent
from keyprojects.dispatch.selectors import due_projects, missing_reports
from keyprojects.dispatch.services import period_get_or_open
from keyprojects.projects.models import Project, ProjectEvent

pytestmark = pytest.mark.django_db


def _first_of_previous_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def test_a_landed_lead_reports_from_the_next_month(world, lead_of):
    county = world.users.county
    today = timezone.localdate()
    landed = _first_of_previous_month(today)
    lead = lead_of(obtained_on=landed - dt.timedelta(days=60))
    lead = lead_advance(user=county, lead=lead, expected_version=lead.version, on_date=landed - dt.timedelta(days=40))
    lead = lead_sign(
        user=county,
        lead=lead,
        expected_version=lead.version,
        enterprise=world.ent,
        signed_on=landed - dt.timedelta(days=20),
        amount="30000",
    )
    lead = lead_land(user=county, lead=lead, expected_version=lead.version, landed_on=landed, annual_plan="5000")
    project = Project.objects.get(pk=lead.project_id)
    assert project.lead == lead  # the reverse link the project page shows
    assert list(ProjectEvent.objects.filter(project=project).order_by("id").values_list("kind", flat=True)) == ["created", "transition"]
    assert AuditEvent.objects.filter(action="create", object_type="projects.project", object_id=str(project.pk)).exists()
    period = period_get_or_open(year=today.year if landed.month < 12 else landed.year + 1, month=landed.month % 12 + 1)
    assert project in due_projects(period=period)
    assert project in missing_reports(user=county, period=period)
    assert project not in missing_reports(user=world.users.sibling, period=period)
