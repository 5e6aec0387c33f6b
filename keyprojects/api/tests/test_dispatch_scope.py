"""Scope matrix of the dispatch endpoints (reliability.md 11-12).

A report, and a problem item without a responsible unit, are in scope exactly when their
project is (``ReportQuerySet``/``ProblemQuerySet`` delegate to ``Project.visible_to`` and
``editable_by``). So the expected cell of every dispatch endpoint is derived from the project
columns of the hand-written table in :mod:`.test_scope_matrix`:

* read (detail, list) follows ``project_detail`` / ``project_list``;
* fill (save a draft, submit) and raise a problem follow ``project_update``: 200 there means
  the role may write the project's figures (201 for a new row), 403 is a read-only role refused
  before any lookup, 404 is out of scope.

Review (approve) has its own small table: only the level the report waits for may act.
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from keyprojects.core.testing import EXPLAINED
from keyprojects.dispatch.models import MonthlyReport, ProblemItem
from keyprojects.dispatch.services import period_get_or_open, report_save, report_submit

from .test_scope_matrix import FRAME, TABLE, TARGETS

ENDPOINTS = ["report_detail", "report_list", "report_save", "report_submit", "problem_create", "problem_list"]
COLUMN = {  # dispatch endpoint → project column of TABLE (detail, update, transition, list, ...)
    "report_detail": 0,
    "report_list": 3,
    "report_save": 1,
    "report_submit": 1,
    "problem_create": 1,
    "problem_list": 3,
}
CREATED = {"report_save", "problem_create"}


def expected_cell(endpoint: str, cells: list[Any]) -> Any:
    value = cells[COLUMN[endpoint]]
    return 201 if endpoint in CREATED and value == 200 else value


CASES = [
    pytest.param(endpoint, role, relation, expected_cell(endpoint, cells), id=f"{endpoint}-{role}-{relation}")
    for role, relation, *cells in TABLE
    for endpoint in ENDPOINTS
]


def _project(world: Any, more: Any, role: str, relation: str) -> Any:
    name = TARGETS[(FRAME[role], relation)][0]
    return getattr(world.projects, name, None) or getattr(more, name)


@pytest.mark.parametrize("endpoint,role,relation,expected", CASES)
def test_dispatch_scope(world: Any, more: Any, endpoint: str, role: str, relation: str, expected: Any) -> None:
    user = getattr(world.users, role)
    project = _project(world, more, role, relation)
    period = period_get_or_open(year=2026, month=1)
    root = world.users.superuser
    client = APIClient()
    client.force_authenticate(user)

    if endpoint == "report_list":
        report_save(user=root, project=project, period=period, data={"invested_month": "1"})
        ids = {row["project"] for row in client.get("/api/v1/reports/", {"page_size": 500}).json()["results"]}
        assert ("listed" if project.pk in ids else "absent") == expected
        return
    if endpoint == "problem_list":
        ProblemItem.objects.create(project=project, description="矩阵问题", created_by=root)
        ids = {row["project"] for row in client.get("/api/v1/problems/", {"page_size": 500}).json()["results"]}
        assert ("listed" if project.pk in ids else "absent") == expected
        return

    if endpoint == "report_detail":
        report = report_save(user=root, project=project, period=period, data={"invested_month": "1"})
        r = client.get(f"/api/v1/reports/{report.pk}/")
    elif endpoint == "report_save":
        r = client.post("/api/v1/reports/", {"project": project.pk, "period": "2026-01", "invested_month": "12"}, format="json")
    elif endpoint == "report_submit":
        report = report_save(
            user=root, project=project, period=period, data={"invested_month": "1", "warning_reasons": EXPLAINED}
        )  # any warning explained
        r = client.post(f"/api/v1/reports/{report.pk}/submit/", {}, format="json")
    else:
        r = client.post("/api/v1/problems/", {"project": project.pk, "description": "矩阵问题"}, format="json")

    assert r.status_code == expected, r.content[:300]
    body = r.json()
    if expected >= 400:
        assert body["code"] == {403: "permission_denied", 404: "not_found"}[expected]
        if endpoint == "report_save":
            assert not MonthlyReport.objects.exists()
        elif endpoint == "report_submit":
            assert MonthlyReport.objects.get().status == "draft"
        elif endpoint == "problem_create":
            assert not ProblemItem.objects.exists()
        return
    assert body["project"] == project.pk
    if endpoint == "report_save":
        assert MonthlyReport.objects.get().invested_month == 12
    elif endpoint == "report_submit":
        assert body["status"] == "submitted" and MonthlyReport.objects.get().submitted_by == user


# 历下区项目 is on the city list: its reports go county → city. Who may approve while it waits
# at the county, and after the county forwarded it?
# fmt: off
REVIEW = [
    # role          at county   at city
    ("county",      200,        403),
    ("sibling",     404,        404),
    ("city",        403,        200),
    ("other_city",  404,        404),
    ("province",    403,        403),
    ("department",  403,        403),
    ("enterprise",  403,        403),
    ("leader",      403,        403),
    ("auditor",     403,        403),
    ("superuser",   200,        200),
]
# fmt: on


@pytest.mark.parametrize("role,at_county,at_city", REVIEW, ids=[row[0] for row in REVIEW])
def test_only_the_pending_level_reviews(world: Any, role: str, at_county: int, at_city: int) -> None:
    p = world.projects.own_county
    p.stage = "construction"
    p.save(update_fields=["stage"])
    period = period_get_or_open(year=2026, month=1)
    clerk = world.users.county_clerk  # fills; lixia reviews (four eyes)
    report = report_save(user=clerk, project=p, period=period, data={"invested_month": "10"})
    report_submit(user=clerk, report=report)
    client = APIClient()
    client.force_authenticate(getattr(world.users, role))
    url = f"/api/v1/reports/{report.pk}/approve/"
    r = client.post(url, {}, format="json")
    assert r.status_code == at_county, r.content[:300]
    if at_county != 200:  # the county forwards it itself
        county = APIClient()
        county.force_authenticate(world.users.county)
        assert county.post(url, {}, format="json").status_code == 200
    report.refresh_from_db()
    assert (report.status, report.pending_level) == ("submitted", "city")
    r = client.post(url, {}, format="json")
    assert r.status_code == at_city, r.content[:300]
    report.refresh_from_db()
    assert report.status == ("approved" if at_city == 200 else "submitted")
