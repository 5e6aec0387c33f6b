"""A month's stage follows the stage changes dated after it (``ProjectEvent.on_date``,
``dispatch.rules.stage_in_month(moves=)``), not the project's stage today: a project suspended,
cancelled or put into production on a day of month M+1 was still in its former stage at the end
of month M — due to report then (未报 without a report), counted in that stage by the summaries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from keyprojects.analytics.models import DimensionPeriodSummary, ProjectPeriodFact, RegionPeriodSummary
from keyprojects.analytics.refresh import FACT_COLUMNS, refresh_periods
from keyprojects.dispatch.models import ProjectWarning
from keyprojects.projects.models import Project
from keyprojects.projects.services import project_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def dw(dw):
    """The dispatch world with its three months' facts and summaries built (none reported: 未报)."""
    refresh_periods(periods=[dw.p1, dw.p2, dw.p3])
    return dw


def move(dw, project, to_stage, day, reason=""):
    project.refresh_from_db()
    return project_transition(user=dw.users.superuser, project=project, to_stage=to_stage, reason=reason, on_date=day)


def facts(project, *periods):
    return [ProjectPeriodFact.objects.get(project=project, period=p) for p in periods]


def stages(project, *periods):
    return [f.stage for f in facts(project, *periods)]


def warned(project, period, kind):
    return ProjectWarning.objects.filter(project=project, period=period, kind=kind).exists()


def by_stage(period, stage):
    row = DimensionPeriodSummary.objects.filter(period=period, region_id="370000", dimension="stage", key=stage).first()
    return row.projects if row else 0


def test_a_project_suspended_in_february_was_under_construction_in_january(dw):
    p = dw.projects.own_county
    Project.objects.filter(pk=p.pk).update(actual_start=dt.date(2025, 6, 1))
    move(dw, p, "suspended", dt.date(2026, 2, 10), "资金不到位")
    jan, feb, mar = facts(p, dw.p1, dw.p2, dw.p3)
    assert [jan.stage, feb.stage, mar.stage] == ["construction", "suspended", "suspended"]
    # due in January (未报: no report) and, suspended, still due after it (rules.DUE_STAGES)
    assert jan.report_due and jan.report_state == "missing" and warned(p, dw.p1, "missing_report")
    assert feb.report_due and feb.report_state == "missing"
    assert by_stage(dw.p1, "suspended") == 0 and by_stage(dw.p2, "suspended") == 1
    # resumed in March: suspended in February only
    move(dw, p, "resume", dt.date(2026, 3, 3))
    assert stages(p, dw.p1, dw.p2, dw.p3) == ["construction", "suspended", "construction"]


def test_a_project_cancelled_in_february_was_due_in_january(dw):
    p = dw.projects.own_county
    Project.objects.filter(pk=p.pk).update(stage="preparation", actual_start=None)
    jan_due_before = RegionPeriodSummary.objects.get(period=dw.p1, region_id="370102").reports_due
    move(dw, p, "cancelled", dt.date(2026, 2, 10), "投资方撤资")
    jan, feb, mar = facts(p, dw.p1, dw.p2, dw.p3)
    assert [jan.stage, feb.stage, mar.stage] == ["preparation", "cancelled", "cancelled"]
    assert jan.report_due and jan.report_state == "missing" and warned(p, dw.p1, "missing_report")
    assert not feb.report_due and feb.report_state == "" and not warned(p, dw.p2, "missing_report")
    # the county's summaries: due in January (as before the cancellation), not in February
    assert RegionPeriodSummary.objects.get(period=dw.p1, region_id="370102").reports_due == jan_due_before
    assert RegionPeriodSummary.objects.get(period=dw.p2, region_id="370102").reports_due == jan_due_before - 1
    assert by_stage(dw.p1, "preparation") >= 1 and by_stage(dw.p1, "cancelled") == 0 and by_stage(dw.p2, "cancelled") == 1


def test_production_after_completion_is_completed_until_its_day(dw):
    p = dw.projects.own_county
    Project.objects.filter(pk=p.pk).update(actual_start=dt.date(2025, 6, 1))
    move(dw, p, "completed", dt.date(2026, 1, 20))
    move(dw, p, "production", dt.date(2026, 3, 5))
    p.refresh_from_db()
    assert (p.stage, p.actual_completion) == ("production", dt.date(2026, 1, 20))
    assert stages(p, dw.p1, dw.p2, dw.p3) == ["completed", "completed", "production"]  # (before: 投产 all three months)
    assert all(f.report_due and f.completed for f in facts(p, dw.p1, dw.p2, dw.p3))


def test_the_refresh_after_a_move_equals_a_whole_rebuild(dw):
    p, q = dw.projects.own_county, dw.projects.sibling_county
    Project.objects.filter(pk=q.pk).update(stage="preparation", actual_start=None)
    move(dw, p, "suspended", dt.date(2026, 3, 1), "征地拆迁未完成")
    move(dw, q, "cancelled", dt.date(2026, 2, 28), "规划调整")  # the last day of February: cancelled by its end
    periods = (dw.p1, dw.p2, dw.p3)

    def snapshot():
        rows = ProjectPeriodFact.objects.filter(period__in=periods).order_by("period_id", "project_id").values_list(*FACT_COLUMNS)
        summaries = RegionPeriodSummary.objects.filter(period__in=periods).order_by("period_id", "region_id")
        warns = ProjectWarning.objects.filter(period__in=periods).order_by("period_id", "project_id", "kind")
        return (
            list(rows),
            list(summaries.values_list("region_id", "reports_due", "projects")),
            list(warns.values_list("project_id", "kind")),
        )

    incremental = snapshot()
    refresh_periods(periods=periods)
    assert snapshot() == incremental
    assert stages(p, *periods) == ["construction", "construction", "suspended"]  # on March 1st: suspended by its end
    assert stages(q, *periods) == ["preparation", "cancelled", "cancelled"]


def test_the_project_page_and_its_timeline_are_as_entered(dw, client):
    """The project page shows the changes as they were entered, with their days, in the order entered."""
    p = dw.projects.own_county
    Project.objects.filter(pk=p.pk).update(actual_start=dt.date(2025, 6, 1))
    move(dw, p, "suspended", dt.date(2026, 2, 10), "资金不到位")
    move(dw, p, "resume", dt.date(2026, 3, 3))
    client.force_login(dw.users.county)
    page = client.get(reverse("projects:detail", args=[p.pk])).content.decode()
    days = re.findall(r'data-testid="event-date">([0-9-]+)<', page)
    assert days[-2:] == ["2026-02-10", "2026-03-03"] and "资金不到位" in page
