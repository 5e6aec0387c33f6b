"""逾期 on the 四张清单: a need past its 保障时限 and still 待保障/保障中 is marked on the list and
the project's page, filtered, counted in the summary and the export, by the one rule the
warnings and the figures use (``models.need_overdue`` / ``overdue_needs_q``)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from keyprojects.approvals.models import FactorNeed, need_overdue
from keyprojects.approvals.services_needs import factor_need_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def needs(world):
    today = timezone.localdate()
    county, p = world.users.county, world.projects.own_county

    def make(subtype: str, due: dt.date | None, status: str = "pending", **extra):
        data = {"kind": "land", "subtype": subtype, "quantity": "10", "due_on": due, "status": status, **extra}
        return factor_need_create(user=county, project=p, data=data, refresh=False)

    return {
        "late": make("new_quota", today - dt.timedelta(days=3)),
        "late_working": make("idle_land", today - dt.timedelta(days=1), "in_progress", secured="4"),
        "due_today": make("new_quota", today),
        "secured_late": make("idle_land", today - dt.timedelta(days=30), "secured", secured="10"),
        "no_due": make("new_quota", None),
    }


def test_the_rule(needs):
    today = timezone.localdate()
    assert {k for k, n in needs.items() if n.is_overdue} == {"late", "late_working"}
    assert set(FactorNeed.objects.overdue()) == {needs["late"], needs["late_working"]}
    assert need_overdue(status="pending", due_on=today, asof=today + dt.timedelta(days=1))
    assert not need_overdue(status="unable", due_on=today - dt.timedelta(days=9), asof=today)


def test_list_marks_filters_and_counts_the_overdue(client, world, needs):
    client.force_login(world.users.county)
    body = client.get("/approvals/needs/").content.decode()
    assert "共 <strong>5</strong> 项" in body and "其中逾期 <strong>2</strong> 项" in body
    assert body.count('data-testid="need-overdue"') == 2
    filtered = client.get("/approvals/needs/?status=overdue").content.decode()
    assert "共 <strong>2</strong> 项" in filtered and filtered.count('data-testid="need-overdue"') == 2
    assert "逾期（超过保障时限）" in filtered
    # the project's page (the needs' detail) and the project page's waiting list
    project = client.get(f"/approvals/project/{world.projects.own_county.pk}/").content.decode()
    assert project.count('data-testid="need-overdue"') == 2
    # a need's own page
    assert 'data-testid="need-overdue"' in client.get(f"/approvals/needs/{needs['late'].pk}/edit/").content.decode()
    assert 'data-testid="need-overdue"' not in client.get(f"/approvals/needs/{needs['due_today'].pk}/edit/").content.decode()


def test_the_export_has_an_overdue_column_and_takes_the_filter(client, world, needs):
    client.force_login(world.users.county)
    wb = openpyxl.load_workbook(io.BytesIO(client.get("/approvals/needs/export.xlsx").content))
    rows = [[c.value for c in r] for r in wb["土地"].iter_rows(min_row=3)]
    header, data = rows[0], rows[1:]
    col = header.index("是否逾期")
    assert header[col - 1] == "保障时限"
    assert sorted(r[col] or "" for r in data) == ["", "", "", "逾期", "逾期"]
    wb = openpyxl.load_workbook(io.BytesIO(client.get("/approvals/needs/export.xlsx?status=overdue").content))
    assert [r[col] for r in wb["土地"].iter_rows(min_row=4, values_only=True)] == ["逾期", "逾期"]


def test_the_warning_and_the_figure_count_the_same_needs(world, needs):
    from django.db.models import Q

    from keyprojects.approvals import warnings
    from keyprojects.approvals.figures import unit_approval_figures
    from keyprojects.dispatch.models import ReportingPeriod
    from keyprojects.regions.models import Region

    today = timezone.localdate()
    inputs = warnings.load(Q(project_id=world.projects.own_county.pk))
    found = warnings.project_warnings(world.projects.own_county.pk, inputs, today)
    assert [(k, v) for k, _m, v, _u in found if k == warnings.NEED_OVERDUE] == [(warnings.NEED_OVERDUE, 2)]
    period = ReportingPeriod(year=today.year, month=today.month)
    figures = unit_approval_figures(period=period, kind="region", root=Region.objects.get(code="370100"))
    assert sum(len(f.overdue_needs) for f in figures.values()) == 2


def test_the_api_says_overdue_and_filters_on_it(world, needs):
    from rest_framework.test import APIClient

    c = APIClient()
    c.force_authenticate(world.users.county)
    rows = c.get("/api/v1/factor-needs/").json()["results"]
    assert {r["id"] for r in rows if r["overdue"]} == {needs["late"].pk, needs["late_working"].pk}
    late = c.get("/api/v1/factor-needs/", {"overdue": "true"}).json()["results"]
    assert {r["id"] for r in late} == {needs["late"].pk, needs["late_working"].pk}
    assert len(c.get("/api/v1/factor-needs/", {"overdue": "false"}).json()["results"]) == 3
