"""A project's facts follow its edits at once (issue 9: one figure, one answer). A fact holds the
project's annual plan, category, stage and dates; an edit through the project form or the API,
a stage change or a new project left the dashboard, rankings and bulletin on the old values until
the month was refreshed for another reason, while the project page showed the new ones."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest

from keyprojects.analytics.models import ProjectPeriodFact, RegionPeriodSummary
from keyprojects.analytics.refresh import refresh_periods
from keyprojects.projects.services import project_create, project_transition, project_update


@pytest.fixture
def facts(dw: Any) -> Any:
    refresh_periods(periods=[dw.p1, dw.p2, dw.p3])
    return dw


def fact(project: Any, period: Any) -> ProjectPeriodFact:
    return ProjectPeriodFact.objects.get(project=project, period=period)


def county_plan(period: Any, code: str = "370102") -> D:
    return RegionPeriodSummary.objects.get(period=period, region_id=code).annual_plan


@pytest.mark.django_db
def test_a_new_annual_plan_reaches_the_facts_and_summaries(facts: Any) -> None:
    w, p = facts, facts.projects.own_county
    assert fact(p, w.p2).annual_plan == D(1200) and county_plan(w.p2) == D(1200)
    p = project_update(user=w.users.county, project=p, expected_version=p.version, data={}, years=[{"year": 2026, "annual_plan": D(1500)}])
    for period in (w.p1, w.p2, w.p3):
        assert fact(p, period).annual_plan == D(1500)
        assert county_plan(period) == D(1500)
    assert RegionPeriodSummary.objects.get(period=w.p3, region_id="370100").annual_plan == D(1500 + 800 + 500)


@pytest.mark.django_db
def test_a_changed_field_reaches_the_facts(facts: Any) -> None:
    w, p = facts, facts.projects.own_county
    assert fact(p, w.p1).category != "social"
    p = project_update(user=w.users.county, project=p, expected_version=p.version, data={"category": "social"})
    assert {fact(p, period).category for period in (w.p1, w.p2, w.p3)} == {"social"}


@pytest.mark.django_db
def test_a_stage_change_reaches_the_facts_of_the_months_after_it(facts: Any) -> None:
    w, p = facts, facts.projects.own_county
    p.refresh_from_db()
    if not p.actual_start:
        p.actual_start = dt.date(2025, 5, 1)
        p.save(update_fields=["actual_start"])
    project_transition(user=w.users.county, project=p, to_stage="completed", on_date=dt.date(2026, 2, 10))
    assert fact(p, w.p1).stage == "construction"  # completed after January's end
    assert (fact(p, w.p2).stage, fact(p, w.p2).completed) == ("completed", True)
    assert fact(p, w.p3).stage == "completed"


@pytest.mark.django_db
def test_a_new_project_is_counted_at_once(facts: Any) -> None:
    w = facts
    before = RegionPeriodSummary.objects.get(period=w.p2, region_id="370102")
    p = project_create(
        user=w.users.county,
        data={"name": "历下区新登记项目", "category": "industry", "nature": "new", "total_investment": D(8000)},
        years=[{"year": 2026, "annual_plan": D(600), "on_county_list": True}],
    )
    assert fact(p, w.p2).annual_plan == D(600)
    after = RegionPeriodSummary.objects.get(period=w.p2, region_id="370102")
    assert (after.projects, after.annual_plan) == (before.projects + 1, before.annual_plan + D(600))
