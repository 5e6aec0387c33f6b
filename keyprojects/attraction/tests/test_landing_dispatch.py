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


def test_a_december_landing_plans_the_year_it_reports_in(world, lead_of):
    """Landed in December, the project reports from next January: 当年计划投资 is next year's plan;
    this year's list row carries none (it would lower this year's 完成率 with nothing to report)."""
    from decimal import Decimal

    from keyprojects.projects.models import ProjectYear

    county = world.users.county
    today = timezone.localdate()
    december = dt.date(today.year if today.month == 12 else today.year - 1, 12, 1)
    lead = lead_of(obtained_on=december - dt.timedelta(days=90))
    lead = lead_advance(user=county, lead=lead, expected_version=lead.version, on_date=december - dt.timedelta(days=60))
    lead = lead_sign(
        user=county, lead=lead, expected_version=lead.version, enterprise=world.ent, signed_on=december - dt.timedelta(days=30),
        amount="30000",
    )  # fmt: skip
    lead = lead_land(user=county, lead=lead, expected_version=lead.version, landed_on=december, annual_plan="5000")
    plans = dict(ProjectYear.objects.filter(project_id=lead.project_id).values_list("year", "annual_plan"))
    assert plans == {december.year: Decimal(0), december.year + 1: Decimal(5000)}
    assert ProjectYear.objects.get(project_id=lead.project_id, year=december.year + 1).on_county_list
