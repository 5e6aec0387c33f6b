"""Query counts of the review pages do not grow with the number of rows (architecture.md §7)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyprojects.core.testing import ProjectFactory
from keyprojects.dispatch.choices import WarningKind
from keyprojects.dispatch.models import ProjectWarning
from keyprojects.dispatch.services_problems import problem_create

from .test_views_review import approved, submitted


def more_projects(n, start=0):
    return [
        ProjectFactory(name=f"历下区项目{i:02d}", region_id="370102", stage="construction", plan=(2026, 100, "county"))
        for i in range(start, start + n)
    ]


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def county_client(dw, client):
    client.force_login(dw.users.county)
    client.get("/dispatch/review/")  # warm the session and the config row
    return client


def test_queue_queries_are_constant(dw, county_client):
    for p in more_projects(2):
        approved(dw, p, dw.p1, "10")
        submitted(dw, p, dw.p2, "20")
    few = count_queries(county_client, "/dispatch/review/")
    for p in more_projects(6, start=2):
        approved(dw, p, dw.p1, "10")
        submitted(dw, p, dw.p2, "20", problems="x")
    assert count_queries(county_client, "/dispatch/review/") == few


def test_board_queries_are_constant(dw, client):
    client.force_login(dw.users.city)
    client.get("/dispatch/2026-02/board/")
    more_projects(2)
    few = count_queries(client, "/dispatch/2026-02/board/")
    for p in more_projects(8, start=2):
        submitted(dw, p, dw.p2, "5")
    assert count_queries(client, "/dispatch/2026-02/board/") == few


def test_warning_and_problem_lists_queries_are_constant(dw, county_client):
    def add(projects):
        for p in projects:
            ProjectWarning.objects.create(project=p, period=dw.p1, kind=WarningKind.MISSING_REPORT, message="未报")
            problem_create(user=dw.users.county, project=p, description="问题", due_date=dt.date(2026, 1, 1))

    add(more_projects(2))
    few = (count_queries(county_client, "/dispatch/warnings/"), count_queries(county_client, "/dispatch/problems/"))
    add(more_projects(8, start=2))
    assert (count_queries(county_client, "/dispatch/warnings/"), count_queries(county_client, "/dispatch/problems/")) == few
