"""Issue 13 (spreadsheets as offices send them, round 2): the stored rows of each trait, and the
dashboard figures an import brings up to date."""

from __future__ import annotations

from decimal import Decimal

from keyprojects.analytics.models import ProjectPeriodFact, RegionPeriodSummary
from keyprojects.dataio.services import import_file
from keyprojects.projects.models import Project

from .test_import_files import GOOD, workbook

D = Decimal


def test_a_successful_import_refreshes_facts_and_summaries(world):
    out = import_file(user=world.users.county, data=workbook(GOOD), filename="历下区1-6月.xlsx")
    assert out.errors == [], [e.as_dict() for e in out.errors]
    p = Project.objects.get(name="历下区智能制造产业园")
    fact = ProjectPeriodFact.objects.get(project=p, period__year=2026, period__month=6)
    assert fact.invested_ytd == D("3600.5")
    county = RegionPeriodSummary.objects.get(region_id="370102", period__year=2026, period__month=6)
    assert county.invested_ytd >= D("15200.5")
