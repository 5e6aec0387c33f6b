"""The projects due in a month on the 调度 pages — the board's 应报/未报, 我的任务, the missing list and
the close checklist (``selectors.due_projects`` / ``due_at_end``) — are those in a reporting stage
at the month's end (``rules.stage_in_month`` over the stage changes dated after it), as the facts
say: a project cancelled on the 10th of February was due in January and is 未报 there."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from keyprojects.analytics.models import ProjectPeriodFact
from keyprojects.analytics.refresh import refresh_periods
from keyprojects.dispatch.selectors import due_projects, missing_reports
from keyprojects.dispatch.selectors_close import close_checklist
from keyprojects.dispatch.views_board import board_rows
from keyprojects.dispatch.views_fill import _derived
from keyprojects.projects.models import Project, ProjectEvent
from keyprojects.projects.services import project_transition
from keyprojects.regions.models import Region

pytestmark = pytest.mark.django_db


def move(dw, project, to_stage, day, reason=""):
    project.refresh_from_db()
    return project_transition(user=dw.users.superuser, project=project, to_stage=to_stage, reason=reason, on_date=day)


def due_ids(period, user=None):
    return set(due_projects(period=period, user=user).values_list("pk", flat=True))


def test_a_project_cancelled_in_february_is_due_and_missing_in_january(dw):
    p = dw.projects.own_county
    Project.objects.filter(pk=p.pk).update(stage="preparation", actual_start=None)
    move(dw, p, "cancelled", dt.date(2026, 2, 10), "投资方撤资")
    county, lixia = Region.objects.get(code="370102"), dw.users.county
    assert p.pk in due_ids(dw.p1, lixia) and p.pk not in due_ids(dw.p2, lixia) and p.pk not in due_ids(dw.p3)
    assert p in missing_reports(user=lixia, period=dw.p1) and p not in missing_reports(user=lixia, period=dw.p2)
    # the board's 应报 and 未报 of the county, and its close checklist
    jan, _ = board_rows(user=lixia, period=dw.p1, focus=county)
    feb, _ = board_rows(user=lixia, period=dw.p2, focus=county)
    assert (jan[0]["due"], jan[0]["missing"]) == (feb[0]["due"] + 1, feb[0]["missing"] + 1)
    assert close_checklist(period=dw.p1, region=county).total.counts["missing"] == jan[0]["missing"]
    # as the facts say, month by month
    refresh_periods(periods=[dw.p1, dw.p2, dw.p3])
    for period in (dw.p1, dw.p2, dw.p3):
        assert due_ids(period) == set(ProjectPeriodFact.objects.filter(period=period, report_due=True).values_list("project_id", flat=True))
    # the fill page places January against 序时进度, not February (not due, nothing reported)
    assert _derived(p, dw.p1, Decimal(0))["schedule"] != "不需报送月报，不比较序时进度"
    assert _derived(p, dw.p2, Decimal(0))["schedule"] == "不需报送月报，不比较序时进度"


def test_the_board_page_counts_a_project_in_its_stage_of_that_month(dw, client):
    """A project in 谋划储备 until 前期手续 on 10 February is not due in January; one suspended in
    February is due in both (停缓建 reports); one 达效 in March was due before."""
    p, q, r = dw.projects.own_county, dw.projects.sibling_county, dw.projects.city_level
    Project.objects.filter(pk=p.pk).update(stage="reserve", actual_start=None)
    move(dw, p, "preparation", dt.date(2026, 2, 10))
    Project.objects.filter(pk=q.pk).update(actual_start=dt.date(2025, 4, 1))
    move(dw, q, "suspended", dt.date(2026, 2, 3), "资金不到位")
    Project.objects.filter(pk=r.pk).update(stage="production", actual_start=dt.date(2024, 4, 1), actual_completion=dt.date(2025, 9, 1))
    ProjectEvent.objects.create(project=r, kind="transition", from_stage="production", to_stage="effective", on_date=dt.date(2026, 3, 2))
    Project.objects.filter(pk=r.pk).update(stage="effective")
    assert due_ids(dw.p1) >= {q.pk, r.pk} and p.pk not in due_ids(dw.p1)
    assert due_ids(dw.p2) >= {p.pk, q.pk, r.pk}
    assert r.pk not in due_ids(dw.p3) and due_ids(dw.p3) >= {p.pk, q.pk}
    client.force_login(dw.users.city)
    page = client.get(reverse("dispatch:board", kwargs={"period": dw.p1.label})).content.decode()
    assert dw.projects.city_level.name in page and dw.projects.sibling_county.name in page  # (未报名单)
    assert dw.projects.own_county.name not in page
